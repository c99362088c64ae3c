import { describe, it, expect } from 'vitest';
import { T, arrayOf, type SqlType } from '../../core/types.js';
import type { Datum } from '../../core/datum.js';
import { Numeric } from '../../core/values/numeric.js';
import { Interval } from '../../core/values/interval.js';
import { resolveAggregate, isAggregateName, resolveFunction, resolveOperator } from './registry.js';
import { callFn, callOp, errOf } from './test-util.js';

function run(name: string, types: SqlType[], rows: Datum[][], retract: Datum[][] = []): Datum {
  const r = resolveAggregate(name, types)!;
  let s = r.agg.init();
  for (const row of rows) {
    if (r.agg.strict && row.some((x) => x === null)) continue;
    s = r.agg.step(s, row);
  }
  for (const row of retract) s = r.agg.retract!(s, row);
  return r.agg.final(s);
}
const N = (s: string): Numeric => Numeric.fromString(s);
const col = (...xs: Datum[]): Datum[][] => xs.map((x) => [x]);

describe('aggregates', () => {
  it('resolution', () => {
    expect(isAggregateName('sum')).toBe(true);
    expect(isAggregateName('length')).toBe(false);
    expect(resolveAggregate('length', [T.text])).toBe(undefined);
    expect(resolveAggregate('sum', [T.int4])!.returnType).toEqual(T.int8);
    expect(resolveAggregate('sum', [T.int8])!.returnType).toEqual(T.numeric);
    expect(resolveAggregate('avg', [T.int4])!.returnType).toEqual(T.numeric);
    expect(resolveAggregate('avg', [T.float4])!.returnType).toEqual(T.float8);
    expect(resolveAggregate('max', [T.varchar])!.returnType).toEqual(T.text);
    expect(resolveAggregate('max', [T.unknown])!.returnType).toEqual(T.text);
    expect(resolveAggregate('array_agg', [T.int4])!.returnType).toEqual(arrayOf(T.int4));
    expect(resolveAggregate('count', [])!.returnType).toEqual(T.int8);
    expect(errOf(() => resolveAggregate('sum', [T.text]))).toBe('42883 function sum(text) does not exist');
  });
  it('results', () => {
    expect(run('count', [], [[], [], []])).toBe(3n);
    expect(run('count', [T.int4], col(1, null, 3))).toBe(2n);
    expect(run('sum', [T.int4], col(1, 2, null))).toBe(3n);
    expect(run('sum', [T.int4], col())).toBe(null);
    expect(run('sum', [T.int4], col(1, 2, 3), col(2))).toBe(4n);
    expect(String(run('avg', [T.int4], col(1, 2)))).toBe('1.5000000000000000');
    expect(String(run('avg', [T.numeric], col(N('1'), N('2'), N('3'), N('4'))))).toBe('2.5000000000000000');
    expect(run('avg', [T.float8], col(1, 2, 3, 4))).toBe(2.5);
    expect(String(run('sum', [T.int8], col(9223372036854775807n, 1n)))).toBe('9223372036854775808');
    expect(String(run('stddev', [T.int4], col(1, 2, 3, 4)))).toBe('1.2909944487358056');
    expect(String(run('variance', [T.int4], col(1, 2, 3, 4)))).toBe('1.6666666666666667');
    expect(String(run('stddev_pop', [T.int4], col(1, 2, 3, 4)))).toBe('1.1180339887498948');
    expect(String(run('var_pop', [T.int4], col(1, 2, 3, 4)))).toBe('1.2500000000000000');
    expect(String(run('stddev', [T.numeric], col(N('1.5'), N('2.25'))))).toBe('0.53033008588991064330');
    expect(String(run('var_pop', [T.int4], col(5)))).toBe('0');
    expect(run('variance', [T.int4], col(5))).toBe(null);
    expect(run('stddev', [T.float8], col(1, 2, 3, 4))).toBe(1.2909944487358056);
    expect(run('variance', [T.float8], col(1, 2, 3, 4))).toBe(1.6666666666666667);
    expect(run('min', [T.int4], col(3, 1, 2))).toBe(1);
    expect(run('max', [T.text], col('a', 'c', 'b'))).toBe('c');
    expect(run('max', [arrayOf(T.int4)], col([1, 2], [1, 3]))).toEqual([1, 3]);
    expect(run('bool_and', [T.bool], col(true, false))).toBe(false);
    expect(run('bool_or', [T.bool], col(true, false))).toBe(true);
    expect(run('string_agg', [T.text, T.text], [['a', ','], [null, ','], ['b', ';']])).toBe('a;b');
    expect(run('array_agg', [T.int4], col(1, null))).toEqual([1, null]);
    expect(run('json_agg', [T.int4], col(1, 2))).toBe('[1, 2]');
    expect(run('json_object_agg', [T.int4, T.int4], [[1, 2], [2, 4]])).toBe('{ "1" : 2, "2" : 4 }');
    expect(run('bit_or', [T.int4], col(1, 4))).toBe(5);
    const iv = run('avg', [T.interval], col(new Interval(0, 1, 0), new Interval(0, 0, 2 * 3_600_000_000))) as Interval;
    expect([iv.months, iv.days, iv.micros]).toEqual([0, 0, 13 * 3_600_000_000]);
  });
});

describe('math', () => {
  const n = T.numeric, f = T.float8;
  it('numeric functions with PG scales', () => {
    const s = (name: string, ...args: string[]): string =>
      String(callFn(name, args.map(() => n), args.map(N)));
    expect(s('sqrt', '2')).toBe('1.414213562373095');
    expect(s('sqrt', '100000')).toBe('316.2277660168379');
    expect(s('ln', '2')).toBe('0.6931471805599453');
    expect(s('exp', '1')).toBe('2.7182818284590452');
    expect(s('exp', '10')).toBe('22026.465794806717');
    expect(s('ln', '100')).toBe('4.6051701859880914');
    expect(s('log', '2')).toBe('0.3010299956639812');
    expect(s('log', '100')).toBe('2.0000000000000000');
    expect(s('log', '2', '8')).toBe('3.0000000000000000');
    expect(s('power', '2', '10')).toBe('1024.0000000000000000');
    expect(s('power', '2', '0.5')).toBe('1.4142135623730950');
    expect(s('power', '2', '-2')).toBe('0.2500000000000000');
    expect(s('round', '2.5')).toBe('3');
    expect(s('trunc', '-2.7')).toBe('-2');
    expect(s('ceil', '-2.5')).toBe('-2');
    expect(s('floor', '-2.5')).toBe('-3');
    expect(s('mod', '-7', '2')).toBe('-1');
    expect(s('div', '7', '2')).toBe('3');
    expect(String(callFn('round', [n, T.int4], [N('3.14159'), 2]))).toBe('3.14');
    expect(errOf(() => s('sqrt', '-1'))).toBe('2201F cannot take square root of a negative number');
    expect(errOf(() => s('ln', '0'))).toBe('2201E cannot take logarithm of zero');
  });
  it('float functions', () => {
    expect(callFn('round', [f], [2.5])).toBe(2);
    expect(callFn('round', [f], [3.5])).toBe(4);
    expect(resolveFunction('round', [T.int4]).argTypes).toEqual([f]);
    expect(resolveFunction('ceil', [T.int4]).returnType).toEqual(f);
    expect(callFn('abs', [T.int4], [-3])).toBe(3);
    expect(errOf(() => callFn('abs', [T.int4], [-2147483648]))).toBe('22003 integer out of range');
    expect(callFn('power', [f, f], [2, 3])).toBe(8);
    expect(callOp('^', T.int4, T.int4, [2, 3])).toBe(8);
    expect(resolveOperator('^', T.int4, T.int4).returnType).toEqual(f);
    expect(errOf(() => callFn('power', [f, f], [0, -1]))).toBe('2201F zero raised to a negative power is undefined');
    expect(callFn('width_bucket', [f, f, f, T.int4], [5.35, 0.024, 10.06, 5])).toBe(3);
    expect(callFn('gcd', [T.int4, T.int4], [12, 18])).toBe(6);
    expect(callFn('lcm', [T.int4, T.int4], [4, 6])).toBe(12);
    expect(String(callFn('factorial', [T.int8], [5n]))).toBe('120');
    expect(callFn('sind', [f], [30])).toBe(0.5);
    expect(callOp('|/', null, f, [25])).toBe(5);
    expect(callOp('@', null, T.int4, [-5])).toBe(5);
    expect(callOp('<<', T.int4, T.int4, [1, 4])).toBe(16);
    expect(callOp('#', T.int4, T.int4, [5, 1])).toBe(4);
    expect(callOp('%', T.int8, T.int8, [-7n, 2n])).toBe(-1n);
    expect(errOf(() => callOp('*', T.float8, T.float8, [1e308, 10]))).toBe('22003 value out of range: overflow');
    expect(errOf(() => callOp('-', null, T.int4, [-2147483648]))).toBe('22003 integer out of range');
    expect(errOf(() => callOp('*', T.int2, T.int2, [200, 200]))).toBe('22003 smallint out of range');
  });
});
