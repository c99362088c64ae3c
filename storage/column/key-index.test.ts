// The segment primary-key index: every key is found at its offset, absent keys are not, in
// segments written in key order and not, and prefix listing returns keys in order.
import { describe, it, expect } from 'vitest';
import { SegmentKeyIndex, keyHash } from './key-index.js';
import { encodeKey } from '../key-codec.js';
import { T } from '../../core/types.js';
import { mulberry32 } from '../../test/harness/prng.js';

function column(keys: readonly Buffer[]): { offsets: Int32Array; data: Uint8Array } {
  const offsets = new Int32Array(keys.length + 1);
  for (let i = 0; i < keys.length; i++) offsets[i + 1] = offsets[i]! + keys[i]!.length;
  return { offsets, data: Buffer.concat(keys) };
}

describe('segment key index', () => {
  for (const sorted of [true, false]) {
    it(`finds each key and only those (${sorted ? 'sorted' : 'unsorted'} segment)`, () => {
      const rnd = mulberry32(7);
      const ids = new Set<number>();
      while (ids.size < 5000) ids.add(Math.floor(rnd() * 1e6) - 500_000);
      const list = [...ids];
      if (sorted) list.sort((a, b) => a - b);
      const keys = list.map((id) => encodeKey(42, [T.int4], [id]));
      const { offsets, data } = column(keys);
      const idx = SegmentKeyIndex.build(offsets, data, keys.length);
      keys.forEach((k, i) => {
        expect(idx.mayContain(keyHash(k))).toBe(true);
        expect(idx.find(k)).toBe(i);
      });
      let falsePositives = 0;
      for (let i = 0; i < 5000; i++) {
        const id = 600_000 + i;
        const k = encodeKey(42, [T.int4], [id]);
        if (idx.mayContain(keyHash(k))) falsePositives++;
        expect(idx.find(k)).toBe(-1);
      }
      // about 0.6% expected; a broken filter passes (nearly) everything
      expect(falsePositives).toBeLessThan(100);
    });
  }

  it('finds keys in a segment whose keys share a long prefix, and none that differ inside it', () => {
    // consecutive ids: the keys share oid, marker and the high bytes of the id
    const keys = Array.from({ length: 300 }, (_, i) => encodeKey(42, [T.int4], [70000 + i]));
    const { offsets, data } = column(keys);
    const idx = SegmentKeyIndex.build(offsets, data, keys.length);
    keys.forEach((k, i) => expect(idx.find(k)).toBe(i));
    for (const id of [69999, 70300, 70000 + 256 * 256, 70000 - 256 * 256, -70000]) expect(idx.find(encodeKey(42, [T.int4], [id]))).toBe(-1);
    expect(idx.find(encodeKey(43, [T.int4], [70005]))).toBe(-1);
    expect(idx.find(Buffer.from([0, 0]))).toBe(-1);
  });

  it('lists the keys with a prefix in key order', () => {
    const keys: Buffer[] = [];
    for (const a of [3, 1, 2]) for (const b of ['z', 'a', 'm']) keys.push(encodeKey(9, [T.int4, T.text], [a, b]));
    const { offsets, data } = column(keys);
    const idx = SegmentKeyIndex.build(offsets, data, keys.length);
    const got = idx.withPrefix(encodeKey(9, [T.int4], [2])).map((i) => keys[i]!);
    expect(got).toEqual([2, 2, 2].map((a, j) => encodeKey(9, [T.int4, T.text], [a, ['a', 'm', 'z'][j]!])));
    expect(idx.withPrefix(encodeKey(9, [T.int4], [4]))).toEqual([]);
  });

  it('finds keys in segments of nearly consecutive ids (interpolated look-ups), and no others', () => {
    // consecutive; one id missing; a stretch missing; every other id; sorted and not
    const sets = [
      Array.from({ length: 4000 }, (_, i) => 1000 + i),
      Array.from({ length: 4000 }, (_, i) => 1000 + i).filter((id) => id !== 3500),
      Array.from({ length: 4000 }, (_, i) => 1000 + i).filter((id) => id < 2000 || id > 2600),
      Array.from({ length: 4000 }, (_, i) => -3000 + 2 * i),
    ];
    for (const ids of sets) {
      for (const sorted of [true, false]) {
        const list = sorted ? ids : [...ids].reverse();
        const keys = list.map((id) => encodeKey(42, [T.int4], [id]));
        const { offsets, data } = column(keys);
        const idx = SegmentKeyIndex.build(offsets, data, keys.length);
        keys.forEach((k, i) => expect(idx.find(k)).toBe(i));
        const present = new Set(ids);
        for (let id = -3100; id < 5100; id += 1) if (!present.has(id)) expect(idx.find(encodeKey(42, [T.int4], [id]))).toBe(-1);
      }
    }
  });
});
