import { describe, it, expect } from 'vitest';
import { T, arrayOf } from '../../core/types.js';
import { SqlError } from '../../core/errors.js';
import { resolveOperator, resolveFunction, canCoerce, commonType } from './registry.js';

function code(f: () => unknown): string {
  try { f(); } catch (e) { if (e instanceof SqlError) return `${e.code} ${e.message}`; throw e; }
  return 'no error';
}

describe('operator resolution', () => {
  it('int4 + int8 → int8', () => {
    const r = resolveOperator('+', T.int4, T.int8);
    expect(r.returnType).toEqual(T.int8);
    expect(r.argTypes).toEqual([T.int4, T.int8]);
    expect(r.fn.impl([2, 3n], null as never)).toBe(5n);
  });
  it('unknown operand takes the other side type', () => {
    const r = resolveOperator('+', T.int4, T.unknown);
    expect(r.argTypes).toEqual([T.int4, T.int4]);
  });
  it('int4 + float8 → float8', () => {
    expect(resolveOperator('+', T.int4, T.float8).returnType).toEqual(T.float8);
    expect(resolveOperator('+', T.int4, T.numeric).returnType).toEqual(T.numeric);

  });
  it('undefined operator', () => {
    expect(code(() => resolveOperator('+', T.int4, T.bool))).toBe('42883 operator does not exist: integer + boolean');
    expect(code(() => resolveOperator('-', null, T.bool))).toBe('42883 operator does not exist: - boolean');
  });
  it('overflow and division by zero', () => {
    const r = resolveOperator('+', T.int4, T.int4);
    expect(code(() => r.fn.impl([2147483647, 1], null as never))).toBe('22003 integer out of range');
    const d = resolveOperator('/', T.int4, T.int4);
    expect(code(() => d.fn.impl([1, 0], null as never))).toBe('22012 division by zero');
    expect(d.fn.impl([-7, 2], null as never)).toBe(-3);
    const m = resolveOperator('%', T.int4, T.int4);
    expect(m.fn.impl([-7, 2], null as never)).toBe(-1);
    const f = resolveOperator('/', T.float8, T.float8);
    expect(code(() => f.fn.impl([1, 0], null as never))).toBe('22012 division by zero');
    const b = resolveOperator('*', T.int8, T.int8);
    expect(code(() => b.fn.impl([2n ** 62n, 2n], null as never))).toBe('22003 bigint out of range');
  });
});

describe('coercion', () => {
  it('cast contexts', () => {
    expect(canCoerce(T.int4, T.int8, 'implicit')).toBe(true);
    expect(canCoerce(T.int8, T.int4, 'implicit')).toBe(false);
    expect(canCoerce(T.int8, T.int4, 'assignment')).toBe(true);
    expect(canCoerce(T.text, T.int4, 'assignment')).toBe(false);
    expect(canCoerce(T.text, T.int4, 'explicit')).toBe(true);
    expect(canCoerce(T.int4, T.text, 'assignment')).toBe(true);
    expect(canCoerce(T.int4, T.text, 'implicit')).toBe(false);
    expect(canCoerce(T.unknown, T.date, 'implicit')).toBe(true);
    expect(canCoerce(T.varchar, T.text, 'implicit')).toBe(true);
    expect(canCoerce(T.date, T.timestamptz, 'implicit')).toBe(true);
    expect(canCoerce(T.bool, T.int4, 'assignment')).toBe(false);
    expect(canCoerce(T.bool, T.int4, 'explicit')).toBe(true);
    expect(canCoerce(arrayOf(T.int4), arrayOf(T.int8), 'implicit')).toBe(true);
  });
  it('common type', () => {
    expect(commonType([T.int4, T.int8], 'UNION')).toEqual(T.int8);
    expect(commonType([T.int4, T.numeric, T.int2], 'CASE')).toEqual(T.numeric);
    expect(commonType([T.int4, T.float8], 'CASE')).toEqual(T.float8);
    expect(commonType([T.unknown, T.unknown], 'VALUES')).toEqual(T.text);
    expect(commonType([T.unknown, T.int4], 'VALUES')).toEqual(T.int4);
    expect(commonType([T.text, T.varchar], 'COALESCE')).toEqual(T.text);
    expect(commonType([T.date, T.timestamptz], 'COALESCE')).toEqual(T.timestamptz);
    expect(code(() => commonType([T.int4, T.text], 'UNION'))).toBe('42804 UNION types integer and text cannot be matched');
  });
});

describe('common typmod', () => {
  it('keeps a typmod only when every input has it', () => {
    const n102 = { kind: 'scalar', name: 'numeric', typmod: (10 << 16 | 2) + 4 } as const;
    expect(commonType([n102, n102], 'CASE')).toEqual(n102);
    expect(commonType([n102, T.int4], 'GREATEST').typmod).toBe(-1);
    expect(commonType([n102, T.unknown], 'COALESCE').typmod).toBe(-1);
  });
});
