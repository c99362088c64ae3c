// Which of a table's segments may hold a key, without asking each one. Segments written by a
// load in key order (COPY, bulk commits) cover narrow key ranges that do not overlap: those are
// kept sorted by first key and found by binary search. Segments whose range overlaps another's
// (a flush or compaction takes keys from everywhere) are asked one by one, newest first, as
// before. With a 5M-row table loaded in key order and updated at random, a look-up then asks
// one loaded segment and the flushed ones instead of all of them.
import type { SegmentMeta } from './layout.js';
import type { SegmentKeyIndex } from './key-index.js';

/** a segment with its key index */
export interface IndexedSegment {
  readonly meta: SegmentMeta;
  readonly index: SegmentKeyIndex;
}

export class SegmentRanges {
  /** segments whose range overlaps another's, newest first */
  readonly wide: IndexedSegment[] = [];
  /** segments whose ranges overlap no other, by first key */
  private readonly narrow: { seg: IndexedSegment; lo: Buffer; hi: Buffer }[] = [];

  constructor(metas: readonly SegmentMeta[], index: (meta: SegmentMeta) => SegmentKeyIndex) {
    const ranged: { seg: IndexedSegment; lo: Buffer; hi: Buffer; order: number }[] = [];
    metas.forEach((meta, order) => {
      const idx = index(meta);
      const b = idx.bounds();
      if (b) ranged.push({ seg: { meta, index: idx }, ...b, order });
    });
    // The most segments no two of which overlap are narrow: by earliest last key, each one that
    // starts past the last narrow one's end (interval scheduling). A flush's segment spans the
    // whole key range and ends late, so it does not push the loaded segments out: ordering by
    // first key instead had made every segment after it wide, and each look-up ask them all.
    ranged.sort((a, b) => Buffer.compare(a.hi, b.hi));
    const isWide = new Array<boolean>(ranged.length).fill(false);
    let lastHi: Buffer | null = null;
    for (let i = 0; i < ranged.length; i++) {
      const r = ranged[i]!;
      if (lastHi && Buffer.compare(r.lo, lastHi) <= 0) { isWide[i] = true; continue; }
      lastHi = r.hi;
    }
    // sorted by last key and not overlapping: also sorted by first key
    for (let i = 0; i < ranged.length; i++) if (!isWide[i]) this.narrow.push(ranged[i]!);
    this.wide = ranged.filter((_, i) => isWide[i]).sort((a, b) => b.order - a.order).map((r) => r.seg);
  }

  /** the narrow segment whose range holds `key`, if any */
  narrowFor(key: Buffer): IndexedSegment | null {
    const a = this.narrow;
    let lo = 0;
    let hi = a.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const r = a[mid]!;
      if (compareBytes(key, r.lo) < 0) hi = mid - 1;
      else if (compareBytes(key, r.hi) > 0) lo = mid + 1;
      else return r.seg;
    }
    return null;
  }
}

/** Buffer.compare's order; keys are short, and a loop beats two calls into native code per step (~3x) */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
