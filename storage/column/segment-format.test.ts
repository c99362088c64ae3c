import { describe, it, expect } from 'vitest';
import { encodeSegment, decodeSegment } from './segment-format.js';
import { encodeRow, type Stored } from '../row-codec.js';
import { T, arrayOf } from '../../core/types.js';
import { Numeric, encodeNumericTypmod } from '../../core/values/numeric.js';
import { Interval } from '../../core/values/interval.js';
import type { Row } from '../../core/datum.js';

const N10_2 = { ...T.numeric, typmod: ((10 << 16) | 2) + 4 };
const TYPES = [T.int4, T.int8, T.float8, T.bool, T.text, T.text, N10_2, T.numeric, T.timestamp, T.interval, arrayOf(T.int4), T.bytea];

function rows(n: number, decimal: (i: number) => string): Row[] {
  return Array.from({ length: n }, (_, i) => [
    i % 7 === 0 ? null : i - 50, BigInt(i) * 10_000_000_000n, i / 3, i % 2 === 0, `cat-${i % 3}`, `unique-${i}`,
    i % 5 === 0 ? null : Numeric.fromString(decimal(i)), Numeric.fromString(`${i}.5`), i % 9 === 0 ? Infinity : i * 1e6,
    new Interval(1, i, 0), [i, null], new Uint8Array([i & 255]),
  ]);
}

describe('column segment format', () => {
  it('round-trips every column kind, with nulls, and keeps row keys', () => {
    const input = rows(100, (i) => (i / 4 - 3).toFixed(2));
    const keys = input.map((_, i) => Buffer.from([0, i]));
    const { bytes, zones } = encodeSegment(TYPES, input.map((r) => encodeRow(TYPES, r)), keys);
    const seg = decodeSegment(TYPES, bytes);
    expect(seg.rows).toBe(100);
    expect(seg.columns.map((c) => c.kind)).toEqual(['i32', 'i64', 'f64', 'bool', 'utf8', 'utf8', 'dec', 'packed', 'f64', 'packed', 'packed', 'packed']);
    expect(seg.columns[4]!.dict?.strings.length).toBe(3);
    expect(seg.columns[5]!.dict).toBeUndefined();
    for (let i = 0; i < 100; i++) {
      const got = TYPES.map((_, c) => seg.columns[c]!.datum(i));
      expect(encodeRow(TYPES, got)).toEqual(encodeRow(TYPES, input[i]!));
      expect(seg.key(i)).toEqual(keys[i]);
    }
    expect(zones[0]).toEqual([-49, 49]);
    expect(zones[1]).toEqual([0n, 990_000_000_000n]);
    expect(zones[8]).toEqual([1e6, Infinity]);
    expect(zones[2]).toBe('none');
    expect(zones[7]).toBe('none');
    expect(zones[6]).toEqual([-275, 2175]);
  });

  it('keeps numeric(p,s) values that do not fit the exact layout in the general one', () => {
    const stored: Stored[][] = rows(10, (i) => (i === 3 ? 'NaN' : `${i}.25`)).map((r) => encodeRow(TYPES, r));
    const seg = decodeSegment(TYPES, encodeSegment(TYPES, stored, stored.map(() => Buffer.alloc(1))).bytes);
    expect(seg.columns[6]!.kind).toBe('packed');
    expect(String(seg.columns[6]!.datum(3))).toBe('NaN');
    expect(String(seg.columns[6]!.datum(4))).toBe('4.25');
  });

  it('uses the exact decimal layout only for numeric(p <= 15, 0 <= s <= p)', () => {
    const types = [{ ...T.numeric, typmod: encodeNumericTypmod(5, -2) }, { ...T.numeric, typmod: encodeNumericTypmod(20, 2) }, { ...T.numeric, typmod: encodeNumericTypmod(15, 15) }];
    const rows = [[Numeric.fromString('12300'), Numeric.fromString('1.25'), Numeric.fromString('0.123456789012345')]];
    const seg = decodeSegment(types, encodeSegment(types, rows.map((r) => encodeRow(types, r)), [Buffer.alloc(1)]).bytes);
    expect(seg.columns.map((c) => c.kind)).toEqual(['packed', 'packed', 'dec']);
    expect(seg.columns.map((c) => String(c.datum(0)))).toEqual(['12300', '1.25', '0.123456789012345']);
  });
});
