// A table's delta: what readers with different snapshots (applied mark, binlog head) see of the
// versions held, older entries added under newer ones, pruning, and key order.
import { describe, it, expect } from 'vitest';
import { TableDelta } from './delta.js';
import type { Stored } from './row-codec.js';

const key = (n: number): Buffer => Buffer.from([0, 0, 0, 9, n]);
const id = (n: number): string => key(n).toString('latin1');
const row = (v: number): Stored[] => [v];

describe('table delta', () => {
  it('shows each reader the newest version in (applied, head], else defers to the stores', () => {
    const d = new TableDelta(10);
    d.add(11, key(1), row(1));
    d.skipTo(12); // an UPDATE_BEFORE entry
    d.add(13, key(1), row(2));
    d.add(14, key(2), null);
    d.add(12, key(3), row(9)); // an earlier number than head: ignored
    expect(d.head).toBe(14);
    expect(d.visible(id(1), { applied: 10, head: 14 })).toEqual(row(2));
    expect(d.visible(id(1), { applied: 10, head: 12 })).toEqual(row(1));
    expect(d.visible(id(1), { applied: 10, head: 10 })).toBeUndefined();
    // a reader whose stores already hold seq 13 reads them
    expect(d.visible(id(1), { applied: 13, head: 14 })).toBeUndefined();
    expect(d.visible(id(2), { applied: 10, head: 14 })).toBeNull();
    expect(d.visible(id(3), { applied: 10, head: 14 })).toBeUndefined();
    expect(d.latest(id(1), 10)).toEqual(row(2));
    expect(d.changedAfter(id(1), 12)).toBe(true);
    expect(d.changedAfter(id(1), 13)).toBe(false);
  });

  it('adds older entries under the versions held, and prunes what the stores hold', () => {
    const d = new TableDelta(20);
    d.add(21, key(1), row(21));
    d.addOlder([{ seq: 15, key: key(1), row: row(15) }, { seq: 18, key: key(2), row: row(18) }], 14);
    expect(d.base).toBe(14);
    expect(d.visible(id(1), { applied: 14, head: 20 })).toEqual(row(15));
    expect(d.visible(id(1), { applied: 14, head: 21 })).toEqual(row(21));
    expect(d.visible(id(2), { applied: 14, head: 20 })).toEqual(row(18));
    d.prune(20);
    expect(d.base).toBe(20);
    expect(d.size).toBe(1);
    expect(d.visible(id(1), { applied: 20, head: 21 })).toEqual(row(21));
    // the pruned older version is gone: a reader at head 20 now defers to the stores
    expect(d.visible(id(1), { applied: 20, head: 20 })).toBeUndefined();
  });

  it('lists keys in key order within a range, with deletions', () => {
    const d = new TableDelta(0);
    for (const n of [5, 1, 9, 3, 7]) d.add(d.head + 1, key(n), n === 3 ? null : row(n));
    const all = [...d.sorted({ applied: 0, head: d.head })].map(([k, r]) => [k[4], r]);
    expect(all).toEqual([[1, row(1)], [3, null], [5, row(5)], [7, row(7)], [9, row(9)]]);
    const mid = [...d.sorted({ applied: 0, head: d.head }, key(3), key(8))].map(([k]) => k[4]);
    expect(mid).toEqual([3, 5, 7]);
    // a key added later appears in order
    d.add(d.head + 1, key(4), row(4));
    expect([...d.sorted({ applied: 0, head: d.head })].map(([k]) => k[4])).toEqual([1, 3, 4, 5, 7, 9]);
  });

  it('keeps rows packed: added as values or as bytes, read back as values, handed to a flush as bytes', async () => {
    const d = new TableDelta(0);
    const big: Stored[] = [1, -7, 3_000_000_000, 1.25, 12n, 'x'.repeat(300), true, null, Buffer.from([1, 2])];
    d.add(1, key(1), big);
    const packed = Buffer.from([0x93, 0x01, 0xa1, 0x61, 0xc3]); // [1, 'a', true]
    d.addPacked(2, id(2), Buffer.concat([Buffer.from([9, 9]), packed]), 2, 2 + packed.length);
    d.add(3, key(3), null);
    d.addPacked(2, id(4), packed, 0, packed.length); // not after head: ignored
    expect(d.visible(id(1), { applied: 0, head: 3 })).toEqual(big);
    expect(d.latest(id(2), 0)).toEqual([1, 'a', true]);
    expect(d.visible(id(4), { applied: 0, head: 3 })).toBeUndefined();
    const flushed = await d.sortedPackedYielding({ applied: 0, head: 2 });
    expect(flushed.map(([k, r]) => [k[4], r && Buffer.from(r.buf.subarray(r.at, r.end)).equals(packed)])).toEqual([[1, false], [2, true]]);
    expect([...d.sortedPacked({ applied: 0, head: 3 })].map(([k, r]) => [k[4], r === null])).toEqual([[1, false], [2, false], [3, true]]);
  });
});
