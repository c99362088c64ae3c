// SegmentRanges never loses a segment that may hold a key: for random mixes of narrow
// (key-ordered load) and wide (flush) segments, every segment whose key range holds a key is
// among those it names for the key.
import { describe, it, expect } from 'vitest';
import { SegmentRanges } from './segment-ranges.js';
import { SegmentKeyIndex } from './key-index.js';
import type { SegmentMeta } from './layout.js';
import { mulberry32 } from '../../test/harness/prng.js';

const key = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };

describe('SegmentRanges', () => {
  it('names every segment whose key range holds the key', () => {
    const rnd = mulberry32(3);
    for (let round = 0; round < 200; round++) {
      const metas: SegmentMeta[] = [];
      const indexes = new Map<number, SegmentKeyIndex>();
      const ranges: [number, number][] = [];
      let next = 0;
      const count = 1 + Math.floor(rnd() * 12);
      for (let s = 0; s < count; s++) {
        // narrow: the next stretch of keys; wide: keys from anywhere in [0, 1000)
        const narrow = rnd() < 0.6;
        const keys: number[] = [];
        if (narrow) { const n = 1 + Math.floor(rnd() * 30); for (let i = 0; i < n; i++) keys.push(next + i); next += n + Math.floor(rnd() * 3); }
        else for (let i = 1 + Math.floor(rnd() * 20); i > 0; i--) keys.push(Math.floor(rnd() * 1000));
        const sorted = [...new Set(keys)].sort((a, b) => a - b);
        const meta = { id: s + 1, rows: sorted.length, width: 1, zones: [], bytes: 0 };
        metas.push(meta);
        indexes.set(meta.id, SegmentKeyIndex.fromKeys(sorted.map(key)));
        ranges.push([sorted[0]!, sorted[sorted.length - 1]!]);
      }
      const r = new SegmentRanges(metas, (m) => indexes.get(m.id)!);
      for (let k = 0; k < 1000; k += 7) {
        const named = new Set(r.wide.map((w) => w.meta.id));
        const n = r.narrowFor(key(k));
        if (n) named.add(n.meta.id);
        const holders = metas.filter((_, i) => ranges[i]![0] <= k && k <= ranges[i]![1]).map((m) => m.id);
        for (const id of holders) expect(named.has(id), `round ${round}, key ${k}, segment ${id}`).toBe(true);
      }
      // wide ones come newest first
      const order = r.wide.map((w) => w.meta.id);
      expect(order).toEqual([...order].sort((a, b) => b - a));
    }
  });

  it('keeps loaded segments narrow when a flushed one spans all their keys', () => {
    // a key-ordered load of 10 segments, then a flush whose keys come from the whole range
    const metas: SegmentMeta[] = [];
    const indexes = new Map<number, SegmentKeyIndex>();
    for (let s = 0; s < 10; s++) {
      const meta = { id: s + 1, rows: 100, width: 1, zones: [], bytes: 0 };
      metas.push(meta);
      indexes.set(meta.id, SegmentKeyIndex.fromKeys(Array.from({ length: 100 }, (_, i) => key(s * 100 + i))));
    }
    const flushed = { id: 11, rows: 3, width: 1, zones: [], bytes: 0 };
    metas.push(flushed);
    indexes.set(flushed.id, SegmentKeyIndex.fromKeys([key(5), key(550), key(1200)]));
    const r = new SegmentRanges(metas, (m) => indexes.get(m.id)!);
    expect(r.wide.map((w) => w.meta.id)).toEqual([11]);
    for (let s = 0; s < 10; s++) expect(r.narrowFor(key(s * 100 + 42))?.meta.id).toBe(s + 1);
  });
});
