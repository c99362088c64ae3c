import { describe, it, expect } from 'vitest';
import { T, arrayOf } from '../../core/types.js';
import { Numeric } from '../../core/values/numeric.js';
import { parseJsonb, jsonToText, Jsonb } from '../../core/values/json.js';
import { makeTimestamp } from '../../core/values/datetime.js';
import { callFn, callOp, errOf } from './test-util.js';
import { resolveOperator, resolveFunction, resolveSetFunction } from './registry.js';
import { ctx } from './test-util.js';

const j = (s: string): Jsonb => parseJsonb(s);
const out = (d: unknown): string => jsonToText((d as Jsonb).value);
const t = T.text, jb = T.jsonb, i4 = T.int4;
const ia = arrayOf(T.int4), ta = arrayOf(T.text);

describe('json', () => {
  it('constructors', () => {
    expect(callFn('to_json', [ia], [[1, 2]])).toBe('[1,2]');
    expect(callFn('json_build_object', [T.unknown, i4, T.unknown, T.unknown, T.unknown, T.unknown], ['a', 1, 'b', 'x', 'c', null]))
      .toBe('{"a" : 1, "b" : "x", "c" : null}');
    expect(out(callFn('jsonb_build_object', [T.unknown, i4, T.unknown, ia], ['b', 1, 'a', [1, 2]]))).toBe('{"a": [1, 2], "b": 1}');
    expect(callFn('json_build_array', [i4, T.unknown, T.bool], [1, 'a', true])).toBe('[1, "a", true]');
    expect(out(callFn('to_jsonb', [T.numeric], [Numeric.fromString('1.50')]))).toBe('1.50');
    expect(callFn('to_json', [T.timestamp], [makeTimestamp(2024, 1, 5, 14, 3, 9, 500000)])).toBe('"2024-01-05T14:03:09.5"');
    expect(callFn('to_json', [T.timestamptz], [makeTimestamp(2024, 1, 5, 14, 3, 9)])).toBe('"2024-01-05T14:03:09+00:00"');
    expect(errOf(() => callFn('json_build_object', [t], ['a']))).toBe('22023 argument list must have even number of elements');
  });
  it('operators', () => {
    expect(callOp('->', T.json, T.unknown, ['{"a": {"b": [1, 2]}}', 'a'])).toBe('{"b": [1, 2]}');
    expect(callOp('->>', T.json, T.unknown, ['{"a": "x"}', 'a'])).toBe('x');
    expect(callOp('->', T.json, i4, ['[1, 2, 3]', -1])).toBe('3');
    expect(resolveOperator('->', jb, T.unknown).argTypes).toEqual([jb, t]);
    expect(out(callOp('->', jb, t, [j('{"a": {"b": 1}}'), 'a']))).toBe('{"b": 1}');
    expect(callOp('->>', jb, t, [j('{"a": {"b": 1}}'), 'a'])).toBe('{"b": 1}');
    expect(callOp('->>', jb, t, [j('{"a": null}'), 'a'])).toBe(null);
    expect(callOp('->>', jb, i4, [j('["x", "y"]'), 1])).toBe('y');
    expect(callOp('#>>', jb, ta, [j('{"a": [1, {"b": "z"}]}'), ['a', '1', 'b']])).toBe('z');
    expect(callOp('@>', jb, jb, [j('{"a": 1, "b": 2}'), j('{"a": 1}')])).toBe(true);
    expect(callOp('<@', jb, jb, [j('{"a": 1, "b": 2}'), j('{"a": 1}')])).toBe(false);
    expect(callOp('?', jb, t, [j('{"a": 1}'), 'a'])).toBe(true);
    expect(callOp('?|', jb, ta, [j('{"a": 1}'), ['x', 'a']])).toBe(true);
    expect(callOp('?&', jb, ta, [j('{"a": 1}'), ['x', 'a']])).toBe(false);
    expect(out(callOp('||', jb, jb, [j('{"a":1}'), j('{"b":2}')]))).toBe('{"a": 1, "b": 2}');
    expect(out(callOp('||', jb, jb, [j('[1,2]'), j('3')]))).toBe('[1, 2, 3]');
    expect(out(callOp('-', jb, t, [j('{"a":1,"b":2}'), 'a']))).toBe('{"b": 2}');
  });
  it('functions', () => {
    expect(out(callFn('jsonb_set', [jb, ta, jb], [j('{"a":[1,2]}'), ['a', '1'], j('"x"')]))).toBe('{"a": [1, "x"]}');
    expect(callFn('jsonb_pretty', [jb], [j('{"a":[1,{"b":null}],"c":{}}')]))
      .toBe('{\n    "a": [\n        1,\n        {\n            "b": null\n        }\n    ],\n    "c": {\n    }\n}');
    expect(out(callFn('jsonb_strip_nulls', [jb], [j('{"a":null,"b":[null]}')]))).toBe('{"b": [null]}');
    expect(callFn('jsonb_typeof', [jb], [j('[1]')])).toBe('array');
    expect(callFn('json_typeof', [T.json], [' 12'])).toBe('number');
    expect(callFn('jsonb_array_length', [jb], [j('[1,2,3]')])).toBe(3);
    expect(errOf(() => callFn('jsonb_array_length', [jb], [j('{}')]))).toBe('22023 cannot get array length of a non-array');
    expect(callFn('jsonb_extract_path_text', [jb, t, t], [j('{"a":{"b":"c"}}'), 'a', 'b'])).toBe('c');
  });
});

describe('arrays', () => {
  it('functions', () => {
    expect(callFn('array_to_string', [ia, t, t], [[1, null, 3], ',', '*'])).toBe('1,*,3');
    expect(callFn('array_to_string', [ia, t], [[1, null, 3], ','])).toBe('1,3');
    expect(callFn('string_to_array', [t, t, t], ['a,b,,c', ',', ''])).toEqual(['a', 'b', null, 'c']);
    expect(callFn('string_to_array', [t, t], ['abc', null])).toEqual(['a', 'b', 'c']);
    expect(callFn('array_position', [ta, T.unknown], [['a', 'b'], 'b'])).toBe(2);
    expect(callFn('array_remove', [ia, i4], [[1, 2, 1], 1])).toEqual([2]);
    expect(callFn('array_cat', [ia, arrayOf(T.int4)], [[1], [[2]]])).toEqual([[1], [2]]);
    expect(callFn('array_length', [ia, i4], [[[1, 2], [3, 4]], 2])).toBe(2);
    expect(callFn('array_length', [ia, i4], [[], 1])).toBe(null);
    expect(callFn('cardinality', [ia], [[[1, 2], [3, 4]]])).toBe(4);
    expect(callFn('array_append', [ia, i4], [[1], 2])).toEqual([1, 2]);
    expect(resolveFunction('array_append', [ia, T.int8]).returnType).toEqual(arrayOf(T.int8));
    expect(errOf(() => resolveFunction('array_append', [ia, ia]))).toBe('42883 function array_append(integer[], integer[]) does not exist');
    expect(errOf(() => resolveFunction('array_length', [T.unknown, i4])))
      .toBe('42804 could not determine polymorphic type because input has type unknown');
  });
  it('operators', () => {
    expect(resolveOperator('||', ia, i4).fn.impl([[1, 2], 3], ctx)).toEqual([1, 2, 3]);
    expect(resolveOperator('||', ia, T.unknown).returnType).toEqual(ia);
    expect(resolveOperator('||', ia, T.unknown).argTypes).toEqual([ia, ia]);
    expect(callOp('||', i4, ia, [3, [1]])).toEqual([3, 1]);
    expect(callOp('@>', ia, ia, [[1, 2, 3], [3, 1]])).toBe(true);
    expect(callOp('<@', ia, ia, [[1, 4], [3, 1]])).toBe(false);
    expect(callOp('&&', ia, ia, [[1, 4], [3, 1]])).toBe(true);
    expect(callOp('=', ia, ia, [[1, 2], [1, 2]])).toBe(true);
    expect(callOp('<', ia, ia, [[1, 2], [1, 2, 0]])).toBe(true);
    expect(callOp('=', ta, ta, [['a'], ['b']])).toBe(false);
  });
});

describe('set-returning functions', () => {
  const rows = (name: string, types: import('../../core/types.js').SqlType[], args: unknown[]): unknown[][] => {
    const r = resolveSetFunction(name, types)!;
    return [...r.fn.impl(args as never, ctx)];
  };
  it('generate_series', () => {
    expect(rows('generate_series', [i4, i4], [1, 3])).toEqual([[1], [2], [3]]);
    expect(rows('generate_series', [i4, i4, i4], [5, 1, -2])).toEqual([[5], [3], [1]]);
    expect(rows('generate_series', [T.int8, i4], [1n, 2])).toEqual([[1n], [2n]]);
    expect(resolveSetFunction('generate_series', [i4, i4])!.columns).toEqual([{ name: 'generate_series', type: i4 }]);
    expect(errOf(() => rows('generate_series', [i4, i4, i4], [1, 3, 0]))).toBe('22023 step size cannot equal zero');
    expect(rows('generate_series', [T.numeric, T.numeric, T.numeric],
      [Numeric.fromString('1'), Numeric.fromString('2'), Numeric.fromString('0.5')]).map((r) => String(r[0]))).toEqual(['1', '1.5', '2.0']);
    const day = 86_400_000_000;
    expect(rows('generate_series', [T.timestamp, T.timestamp, T.interval],
      [0, 2 * day, { months: 0, days: 1, micros: 0 }]).length).toBe(3);
  });
  it('unnest and json', () => {
    expect(rows('unnest', [ia], [[1, null]])).toEqual([[1], [null]]);
    expect(resolveSetFunction('unnest', [ia])!.columns).toEqual([{ name: 'unnest', type: i4 }]);
    expect(rows('jsonb_object_keys', [jb], [j('{"b":1,"a":2}')])).toEqual([['a'], ['b']]);
    expect(rows('jsonb_each_text', [jb], [j('{"a":"x","b":1}')])).toEqual([['a', 'x'], ['b', '1']]);
    expect(rows('jsonb_array_elements_text', [jb], [j('["x",1,null]')])).toEqual([['x'], ['1'], [null]]);
    expect(rows('json_array_elements', [T.json], ['[1, {"a": 2}]'])).toEqual([['1'], ['{"a": 2}']]);
    expect(rows('regexp_split_to_table', [t, t], ['a1b2c', '\\d'])).toEqual([['a'], ['b'], ['c']]);
    expect(rows('regexp_matches', [t, t, t], ['a1b2', '([a-z])(\\d)', 'g'])).toEqual([[['a', '1']], [['b', '2']]]);
    expect(rows('string_to_table', [t, t], ['a|b', '|'])).toEqual([['a'], ['b']]);
    expect(resolveSetFunction('no_such_srf', [])).toBe(undefined);
  });
});
