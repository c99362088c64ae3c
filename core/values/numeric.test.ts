import { describe, expect, it } from 'vitest';
import { Numeric, decodeNumericTypmod, encodeNumericTypmod, formatG, isqrt } from './numeric.js';
import { SqlError } from '../errors.js';

const n = (s: string): Numeric => Numeric.fromString(s);
function code(f: () => unknown): string {
  try { f(); } catch (e) { if (e instanceof SqlError) return `${e.code} ${e.message}`; throw e; }
  return 'no error';
}

describe('Numeric', () => {
  it('parses and prints like numeric_in/numeric_out', () => {
    expect(n('  1.5e3 ').toString()).toBe('1500');
    expect(n('-0.00').toString()).toBe('0.00');
    expect(n('2.50').toString()).toBe('2.50');
    expect(n('.5').toString()).toBe('0.5');
    expect(n('1e-3').toString()).toBe('0.001');
    expect(n('NaN').toString()).toBe('NaN');
    expect(n('-inf').toString()).toBe('-Infinity');
    expect(code(() => n('x'))).toBe('22P02 invalid input syntax for type numeric: "x"');
    expect(code(() => n('-NaN'))).toBe('22P02 invalid input syntax for type numeric: "-NaN"');
    expect(Numeric.tryParse('1.2.3')).toBeNull();
  });
  it('division uses select_div_scale', () => {
    expect(n('1').div(n('3')).toString()).toBe('0.33333333333333333333');
    expect(n('10').div(n('4')).toString()).toBe('2.5000000000000000');
    expect(n('2').div(n('3')).toString()).toBe('0.66666666666666666667');
    expect(n('-2').div(n('3')).toString()).toBe('-0.66666666666666666667');
    expect(n('1e20').div(n('7')).toString()).toBe('14285714285714285714');
    expect(n('1').div(n('7e10')).toString()).toBe('0.0000000000142857142857142857');
    expect(code(() => n('1').div(n('0')))).toBe('22012 division by zero');
    expect(n('1').div(n('Infinity')).toString()).toBe('0');
    expect(n('Infinity').div(n('-2')).toString()).toBe('-Infinity');
  });
  it('add/sub/mul/mod scales and specials', () => {
    expect(n('1.5').add(n('2.25')).toString()).toBe('3.75');
    expect(n('1.50').sub(n('1.5')).toString()).toBe('0.00');
    expect(n('1.5').mul(n('2.25')).toString()).toBe('3.375');
    expect(n('-7.125').mod(n('2')).toString()).toBe('-1.125');
    expect(n('Infinity').add(n('-Infinity')).isNaN).toBe(true);
    expect(n('Infinity').mul(n('0')).isNaN).toBe(true);
    expect(n('5').mod(n('Infinity')).toString()).toBe('5');
  });
  it('orders NaN above Infinity and equal to itself', () => {
    expect(n('NaN').cmp(n('Infinity'))).toBe(1);
    expect(n('NaN').cmp(n('NaN'))).toBe(0);
    expect(n('-Infinity').cmp(n('-1e1000'))).toBe(-1);
    expect(n('1.0').cmp(n('1.00'))).toBe(0);
    expect(n('1.0').key()).toBe(n('1.000').key());
    expect(n('10').key()).not.toBe(n('1').key());
  });
  it('rounds half away from zero', () => {
    expect(n('2.5').round(0).toString()).toBe('3');
    expect(n('-2.5').round(0).toString()).toBe('-3');
    expect(n('1234.5678').round(-2).toString()).toBe('1200');
    expect(n('2.5').round(3).toString()).toBe('2.500');
    expect(n('-2.59').trunc(1).toString()).toBe('-2.5');
    expect(n('-2.1').floor().toString()).toBe('-3');
    expect(n('-2.1').ceil().toString()).toBe('-2');
    expect(n('1.2300').trimScale().toString()).toBe('1.23');
    expect(n('1.2300').minScale()).toBe(2);
  });
  it('converts to numbers and integers', () => {
    expect(n('2.5').toBigInt()).toBe(3n);
    expect(n('-2.5').toBigInt()).toBe(-3n);
    expect(code(() => n('9223372036854775807.5').toBigInt())).toBe('22003 bigint out of range');
    expect(code(() => n('NaN').toBigInt())).toBe('0A000 cannot convert NaN to bigint');
    expect(n('0.1').toNumber()).toBe(0.1);
    expect(Numeric.fromNumber(0.1 + 0.2).toString()).toBe('0.30000000000000004');
    expect(Numeric.fromNumber(0.1 + 0.2, 15).toString()).toBe('0.3');
    expect(Numeric.fromNumber(1e20, 15).toString()).toBe('100000000000000000000');
    expect(Numeric.fromNumber(-5).toString()).toBe('-5');
  });
  it('applies numeric(p,s) typmods', () => {
    const t = encodeNumericTypmod(5, 2);
    expect(decodeNumericTypmod(t)).toEqual({ precision: 5, scale: 2 });
    expect(decodeNumericTypmod(encodeNumericTypmod(2, -1))).toEqual({ precision: 2, scale: -1 });
    expect(n('123.456').applyTypmod(t).toString()).toBe('123.46');
    expect(code(() => n('999.995').applyTypmod(t))).toBe('22003 numeric field overflow');
  });
  it('sqrt matches PG scales', () => {
    const cases: [string, string][] = [
      ['2', '1.414213562373095'], ['100', '10.000000000000000'], ['0.0001', '0.01000000000000000'],
      ['123456789.123', '11111.11106609056'], ['1e30', '1000000000000000.0'], ['0', '0.000000000000000'],
      ['2.00000000000000000000', '1.41421356237309504880'], ['0.5', '0.70710678118654752'],
    ];
    for (const [x, want] of cases) expect(n(x).sqrt().toString()).toBe(want);
    expect(isqrt(10n ** 400n)).toBe(10n ** 200n);
  });
  it('formatG mimics printf %g', () => {
    expect(formatG(0.1, 15)).toBe('0.1');
    expect(formatG(1e20, 15)).toBe('1e+20');
    expect(formatG(1e-5, 15)).toBe('1e-05');
    expect(formatG(123456789012345678, 15)).toBe('1.23456789012346e+17');
  });
});
