// The primary-key index of one column segment, as Doris keeps it for merge-on-write: the
// segment's row keys in sorted order plus a bloom filter. A commit that supersedes a row finds
// the segment holding its live version by asking each segment's bloom filter and binary-searching
// the few that may hold the key, instead of keeping a key -> location B-tree that every upsert,
// flush and compaction would have to rewrite at random places.
//
// Built in memory when a segment is first needed (from the key column every segment file
// carries); segments are immutable, so an index never changes.
import { compareRanges } from '../byte-compare.js';

/**
 * Bloom filter bits per key and probes per key. The filter is blocked: all of a key's probes
 * fall in one 512-bit block (a cache line), so asking a segment costs one memory access, not
 * four; about 1% false positives at this size.
 */
const BITS_PER_KEY = 12;
const PROBES = 4;
const BLOCK_WORDS = 16;

/** 32-bit FNV-1a of a key (or of bytes[start, end)); the bloom probes are derived from it (double hashing). */
export function keyHash(key: Uint8Array, start = 0, end = key.length): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ key[i]!, 0x01000193);
  return h >>> 0;
}

/** second hash for double hashing (from keyHash): a murmur3 finalizer of the first, odd so probes cycle */
export function probeStep(h: number): number {
  let x = h ^ 0x9e3779b9;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return ((x ^ (x >>> 16)) | 1) >>> 0;
}

export class SegmentKeyIndex {
  private constructor(
    /** the keys' bytes, back to back */
    private readonly bytes: Buffer,
    /** key i is bytes[offs[i], offs[i + 1]) */
    private readonly offs: Int32Array,
    /** row offsets in key order, or null when the rows are already in key order */
    private readonly order: Uint32Array | null,
    private readonly bloom: Uint32Array,
    readonly rows: number,
  ) {
    // every key of the segment starts with the bytes its first and last keys share (they are
    // sorted): a binary search compares from there on (a table's keys share at least its oid)
    if (rows > 0) {
      const firstRow = order ? order[0]! : 0;
      const lastRow = order ? order[rows - 1]! : rows - 1;
      const a = offs[firstRow]!;
      const b = offs[lastRow]!;
      const n = Math.min(offs[firstRow + 1]! - a, offs[lastRow + 1]! - b);
      let p = 0;
      while (p < n && bytes[a + p] === bytes[b + p]) p++;
      this.common = p;
    }
    // the fences: 6 bytes past the common prefix of every FENCE_ROWS-th key in key order
    const blocks = Math.ceil(rows / FENCE_ROWS);
    this.fences = new Float64Array(blocks);
    for (let j = 0; j < blocks; j++) {
      const row = order ? order[j * FENCE_ROWS]! : j * FENCE_ROWS;
      this.fences[j] = fence(bytes, offs[row]!, offs[row + 1]!, this.common);
    }
    if (rows > 1) {
      const lastRow = order ? order[rows - 1]! : rows - 1;
      this.lo = this.fences[0]!;
      this.hi = fence(bytes, offs[lastRow]!, offs[lastRow + 1]!, this.common);
      // keys spread evenly (a load of consecutive ids): the interpolated position is the key's
      this.interpolates = this.hi > this.lo && [1, rows >>> 2, rows >>> 1, rows - 2].every((i) => {
        const row = order ? order[i]! : i;
        return this.guess(fence(bytes, offs[row]!, offs[row + 1]!, this.common)) === i;
      });
    }
  }

  /** fences of the first and last keys, and whether a key's position is found from its fence by interpolation */
  private readonly lo: number = 0;
  private readonly hi: number = 0;
  readonly interpolates: boolean = false;

  /** the position (in key order) a key with fence `kf` would have if the keys were spread evenly */
  private guess(kf: number): number {
    return Math.round(((kf - this.lo) / (this.hi - this.lo)) * (this.rows - 1));
  }

  /**
   * A search narrows to a block of FENCE_ROWS keys through the fences first: a small array that
   * stays in cache, where a binary search over all the keys misses it at almost every step (a
   * merge-on-write look-up asks dozens of segments' indexes, tens of MB in all).
   */
  private readonly fences: Float64Array;

  /** length of the prefix all the segment's keys share */
  private readonly common: number = 0;

  /** Indexes a segment's key column (Arrow Binary layout: offsets + bytes); copies the bytes. */
  static build(offsets: Int32Array, data: Uint8Array, rows: number): SegmentKeyIndex {
    const base = offsets[0]!;
    const bytes = Buffer.from(data.subarray(base, offsets[rows]!));
    const offs = new Int32Array(rows + 1);
    for (let i = 0; i <= rows; i++) offs[i] = offsets[i]! - base;
    let sorted = true;
    // a JS loop per pair: Buffer.compare's native call was ~85 ns a key, 0.4 s for a 5M-row load's segments
    for (let i = 1; i < rows && sorted; i++) if (compareRanges(bytes, offs[i - 1]!, offs[i]!, offs[i]!, offs[i + 1]!) > 0) sorted = false;
    let order: Uint32Array | null = null;
    if (!sorted) {
      // segments written before keys were sorted on write (and any future unsorted writer)
      order = new Uint32Array(rows);
      for (let i = 0; i < rows; i++) order[i] = i;
      order.sort((a, b) => bytes.compare(bytes, offs[b]!, offs[b + 1]!, offs[a]!, offs[a + 1]!));
    }
    // a power of two of blocks, so a key's block is a mask, not a division
    let blocks = 1;
    while (blocks * BLOCK_WORDS * 32 < rows * BITS_PER_KEY) blocks *= 2;
    const bloom = new Uint32Array(blocks * BLOCK_WORDS);
    for (let i = 0; i < rows; i++) {
      const h = keyHash(bytes, offs[i]!, offs[i + 1]!);
      setProbes(bloom, blocks - 1, h, probeStep(h));
    }
    return new SegmentKeyIndex(bytes, offs, order, bloom, rows);
  }

  /** Indexes keys as a segment stores them (the writer of a segment has them at hand). */
  static fromKeys(keys: readonly Uint8Array[]): SegmentKeyIndex {
    const offsets = new Int32Array(keys.length + 1);
    for (let i = 0; i < keys.length; i++) offsets[i + 1] = offsets[i]! + keys[i]!.length;
    const data = Buffer.allocUnsafe(offsets[keys.length]!);
    for (let i = 0; i < keys.length; i++) data.set(keys[i]!, offsets[i]!);
    return SegmentKeyIndex.build(offsets, data, keys.length);
  }

  /** false: the segment surely does not hold the key (h = keyHash(key), step = probeStep(h)) */
  mayContain(h: number, step: number = probeStep(h)): boolean {
    const base = (h & (this.bloom.length / BLOCK_WORDS - 1)) * BLOCK_WORDS;
    // the probes' bit positions within the block: 9-bit fields of the second hash
    for (let p = 0, x = step; p < PROBES; p++, x >>>= 7) {
      const bit = x & 511;
      if ((this.bloom[base + (bit >>> 5)]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }

  /** whether `key` lies within the segment's first and last keys */
  inRange(key: Buffer): boolean {
    if (this.rows === 0) return false;
    const first = this.order ? this.order[0]! : 0;
    const last = this.order ? this.order[this.rows - 1]! : this.rows - 1;
    return compareKey(this.bytes, this.offs[first]!, this.offs[first + 1]!, key) <= 0 && compareKey(this.bytes, this.offs[last]!, this.offs[last + 1]!, key) >= 0;
  }

  /** the segment's first and last keys (copies); null when it has no rows */
  bounds(): { lo: Buffer; hi: Buffer } | null {
    if (this.rows === 0) return null;
    const first = this.order ? this.order[0]! : 0;
    const last = this.order ? this.order[this.rows - 1]! : this.rows - 1;
    return {
      lo: Buffer.from(this.bytes.subarray(this.offs[first]!, this.offs[first + 1]!)),
      hi: Buffer.from(this.bytes.subarray(this.offs[last]!, this.offs[last + 1]!)),
    };
  }

  /** the row offset of `key` in the segment, or -1 */
  find(key: Buffer): number {
    if (this.rows === 0) return -1;
    const p = this.common;
    if (key.length < p) return -1;
    const first = this.offs[this.order ? this.order[0]! : 0]!;
    for (let i = 0; i < p; i++) if (key[i] !== this.bytes[first + i]) return -1;
    // blocks whose first key's fence is below the key's start before it; those whose fence is
    // above it start after it: the key lies from the last block below to the first block above
    const kf = fence(key, 0, key.length, p);
    if (this.interpolates) {
      // one comparison for a segment of consecutive ids, where the search would make a dozen
      const g = this.guess(kf);
      if (g >= 0 && g < this.rows) {
        const row = this.order ? this.order[g]! : g;
        if (compareKey(this.bytes, this.offs[row]!, this.offs[row + 1]!, key, p) === 0) return row;
      }
    }
    const f = this.fences;
    let a = 0;
    let b = f.length;
    while (a < b) { const m = (a + b) >>> 1; if (f[m]! < kf) a = m + 1; else b = m; }
    let c = a;
    b = f.length;
    while (c < b) { const m = (c + b) >>> 1; if (f[m]! <= kf) c = m + 1; else b = m; }
    let lo = a === 0 ? 0 : (a - 1) * FENCE_ROWS;
    let hi = Math.min(this.rows, c * FENCE_ROWS) - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const row = this.order ? this.order[mid]! : mid;
      const cmp = compareKey(this.bytes, this.offs[row]!, this.offs[row + 1]!, key, p);
      if (cmp === 0) return row;
      if (cmp < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** row offsets whose keys start with `prefix`, in key order */
  withPrefix(prefix: Buffer): number[] {
    // first position whose key is >= prefix
    let lo = 0;
    let hi = this.rows;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const row = this.order ? this.order[mid]! : mid;
      if (this.bytes.compare(prefix, 0, prefix.length, this.offs[row]!, this.offs[row + 1]!) < 0) lo = mid + 1;
      else hi = mid;
    }
    const out: number[] = [];
    for (let i = lo; i < this.rows; i++) {
      const row = this.order ? this.order[i]! : i;
      const start = this.offs[row]!;
      if (this.offs[row + 1]! - start < prefix.length || this.bytes.compare(prefix, 0, prefix.length, start, start + prefix.length) !== 0) break;
      out.push(row);
    }
    return out;
  }

  /** bytes held (the segment cache's budget does not cover indexes; reported for memory accounting) */
  get bytesHeld(): number {
    return this.bytes.byteLength + this.offs.byteLength + (this.order?.byteLength ?? 0) + this.bloom.byteLength;
  }
}

/** keys in a block between two fences */
const FENCE_ROWS = 64;

/**
 * bytes[start + from, start + from + 6) as a number (missing bytes count as 0): its order is the
 * order of those bytes, so fences order like the keys they start (ties need the whole keys)
 */
function fence(bytes: Uint8Array, start: number, end: number, from: number): number {
  let x = 0;
  for (let i = start + from; i < start + from + 6; i++) x = x * 256 + (i < end ? bytes[i]! : 0);
  return x;
}

function setProbes(bloom: Uint32Array, blockMask: number, h: number, step: number): void {
  const base = (h & blockMask) * BLOCK_WORDS;
  for (let p = 0, x = step; p < PROBES; p++, x >>>= 7) {
    const bit = x & 511;
    bloom[base + (bit >>> 5)]! |= 1 << (bit & 31);
  }
}

/**
 * bytes[start, end) against key, as Buffer.compare would, given that their first `from` bytes
 * are equal: keys are short, and a loop in JS beats a call into native code for each of a
 * binary search's steps.
 */
function compareKey(bytes: Buffer, start: number, end: number, key: Buffer, from = 0): number {
  const n = Math.min(end - start, key.length);
  for (let i = from; i < n; i++) {
    const d = bytes[start + i]! - key[i]!;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  const l = end - start - key.length;
  return l === 0 ? 0 : l < 0 ? -1 : 1;
}
