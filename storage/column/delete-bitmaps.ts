// Delete bitmaps of column segments, kept in LMDB so that a commit sets the bits of the versions
// it supersedes in the same durable transaction as everything else, and a reader's LMDB
// snapshot sees exactly the bitmaps of its snapshot.
//
// A segment's bitmap is the OR of its records (key: segment id + a counter that only grows):
// a commit that deletes a few rows in each of many segments adds a record of those few bits
// instead of rewriting every touched segment's whole bitmap (random upserts into a large table
// touch every segment in every commit: ~8 KB each). Once a segment has MAX_PARTS records, the
// commit replaces them with one record of the merged bitmap. The highest counter is the
// bitmap's version: records under it never change, so a merged bitmap is cached by (segment,
// version) and a reader only asks LMDB for the last key. (Data directories of older versions
// have one record per segment keyed by the segment id alone: version 0.)
import type { Database } from 'lmdb';
import roaring from 'roaring';
import type { ReadSnapshot } from '../store-types.js';
import { prefixEnd } from '../key-codec.js';

const { RoaringBitmap32 } = roaring;
export type Bitmap = InstanceType<typeof RoaringBitmap32>;

/** records a segment keeps before they are merged into one */
const MAX_PARTS = 32;
/** merged bitmaps kept in memory */
const CACHED = 8192;

export function segmentIdKey(id: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(id >>> 0, 0);
  return b;
}

export class DeleteBitmaps {
  /** merged bitmaps by segment, with the version they are of (shared: never changed in place) */
  private readonly cache = new Map<number, { version: number; bits: Bitmap }>();
  /**
   * The version and first record counter of each bitmap read() returned: a commit that adds
   * bits to the bitmap it read in its own transaction then needs no second look at the records.
   */
  private readonly readAs = new WeakMap<Bitmap, { version: number; first: number }>();

  constructor(private readonly db: Database<Buffer, Buffer>) {}

  /**
   * The segment's delete bitmap as of `snap` (or, inside a write transaction, as written so
   * far). Shared with other readers: callers must not change it (clone() first).
   */
  read(segId: number, snap?: ReadSnapshot): Bitmap {
    const hit = this.cache.get(segId);
    if (hit && this.stillAt(segId, hit.version, snap)) return hit.bits;
    const version = this.version(segId, snap);
    if (version < 0) return EMPTY;
    if (hit && hit.version === version) return hit.bits;
    let out: Bitmap | null = null;
    let first = -1;
    for (const { key, value } of this.range(segId, snap)) {
      if (first < 0) first = key.length === 8 ? key.readUInt32BE(4) : 0;
      const part = RoaringBitmap32.deserialize(Buffer.from(value), true);
      if (out === null) out = part;
      else out.orInPlace(part);
    }
    const bits = out ?? new RoaringBitmap32();
    this.readAs.set(bits, { version, first: Math.max(first, 0) });
    // only what a snapshot read is surely committed: inside a write transaction the version may
    // be another commit's of the same LMDB transaction, which could still fail
    if (snap) this.remember(segId, version, bits, Math.max(first, 0));
    return bits;
  }

  /**
   * Whether the segment's last record is still `version`: its record is there and the next is
   * not. Counters only grow (a merge writes the next one, even for no bits), so this is the
   * version() answer from two key look-ups, where version() opens a cursor (~30 µs: a commit
   * asks for every segment it touches).
   */
  private stillAt(segId: number, version: number, snap?: ReadSnapshot): boolean {
    const opts = snap ? { transaction: snap.txn } : undefined;
    const db = this.db as unknown as { getBinaryFast(k: Buffer, o?: unknown): Buffer | undefined };
    return db.getBinaryFast(partKeyInto(this.probe, segId, version), opts) !== undefined
      && db.getBinaryFast(partKeyInto(this.probe, segId, version + 1), opts) === undefined;
  }

  /** a key buffer for stillAt's look-ups (lmdb-js copies a key when it is called) */
  private readonly probe = Buffer.alloc(8);

  /** the counter of the segment's last record (-1: none) */
  private version(segId: number, snap?: ReadSnapshot): number {
    // backwards from the highest key the segment could have: the first key met is its last, if it is its own
    for (const key of this.db.getKeys({ start: partKey(segId, 0xffffffff), reverse: true, limit: 1, ...(snap ? { transaction: snap.txn } : {}) } as never) as Iterable<Buffer>) {
      if (key.length < 4 || key.readUInt32BE(0) !== segId >>> 0) return -1;
      return key.length === 8 ? key.readUInt32BE(4) : 0;
    }
    return -1;
  }

  private range(segId: number, snap?: ReadSnapshot): Iterable<{ key: Buffer; value: Buffer }> {
    const start = segmentIdKey(segId);
    return this.db.getRange({ start, end: prefixEnd(start), ...(snap ? { transaction: snap.txn } : {}) } as never) as Iterable<{ key: Buffer; value: Buffer }>;
  }

  /** a merged bitmap of a committed version (after the commit that wrote it) */
  remember(segId: number, version: number, bits: Bitmap, first: number): void {
    this.readAs.set(bits, { version, first });
    this.cache.delete(segId);
    if (this.cache.size >= CACHED) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(segId, { version, bits });
  }

  /** must run inside a write transaction: the segment's whole bitmap; returns its version */
  write(segId: number, bits: Bitmap, last = this.version(segId)): number {
    const version = last + 1;
    this.remove(segId);
    // written even when empty: counters never go back (stillAt relies on it)
    this.db.put(partKey(segId, version), bits.serialize(true) as unknown as Buffer);
    return version;
  }

  /**
   * Must run inside a write transaction: adds `added` to the segment's bitmap, whose value with
   * them is `all`. Writes a record of the added bits, or `all` as the only record once the
   * segment has MAX_PARTS of them. `base`: the bitmap `all` was made from, if this transaction
   * read it (its records are then known). Returns the new version and its first record's counter.
   */
  add(segId: number, added: Bitmap, all: Bitmap, base?: Bitmap): { version: number; first: number } {
    const known = base === EMPTY ? { version: -1, first: 0 } : base ? this.readAs.get(base) : undefined;
    const last = known ? known.version : this.version(segId);
    // records are numbered without gaps from the first (a merge leaves one): the first and the
    // last counters say how many there are
    const first = last < 0 ? 0 : known ? known.first : this.firstCounter(segId);
    if (last >= 0 && last - first + 1 >= MAX_PARTS) {
      const version = this.write(segId, all, last);
      return { version, first: version };
    }
    this.db.put(partKey(segId, last + 1), added.serialize(true) as unknown as Buffer);
    return { version: last + 1, first: last < 0 ? last + 1 : first };
  }

  /** the counter of the segment's first record (0 for a record keyed by the segment id alone) */
  private firstCounter(segId: number): number {
    const start = segmentIdKey(segId);
    for (const key of this.db.getKeys({ start, end: prefixEnd(start), limit: 1 }) as Iterable<Buffer>) return key.length === 8 ? key.readUInt32BE(4) : 0;
    return 0;
  }

  /** must run inside a write transaction: the segment's records all go */
  remove(segId: number): void {
    this.cache.delete(segId);
    const start = segmentIdKey(segId);
    const keys: Buffer[] = [];
    for (const key of this.db.getKeys({ start, end: prefixEnd(start) }) as Iterable<Buffer>) keys.push(Buffer.from(key));
    for (const key of keys) this.db.remove(key);
  }

  static create(offsets: Iterable<number> = []): Bitmap {
    return new RoaringBitmap32(offsets);
  }
}

const EMPTY = new RoaringBitmap32();

function partKey(segId: number, counter: number): Buffer {
  return partKeyInto(Buffer.allocUnsafe(8), segId, counter);
}

function partKeyInto(key: Buffer, segId: number, counter: number): Buffer {
  key.writeUInt32BE(segId >>> 0, 0);
  key.writeUInt32BE(counter >>> 0, 4);
  return key;
}

/** Bits set by one commit, grouped by segment and written once per segment at the end. */
export class PendingDeletes {
  private readonly bySegment = new Map<number, number[]>();
  /** the bitmaps written, to cache once the commit is durable */
  private readonly written: { segId: number; version: number; first: number; bits: Bitmap }[] = [];

  mark(segId: number, offset: number): void {
    let a = this.bySegment.get(segId);
    if (!a) { a = []; this.bySegment.set(segId, a); }
    a.push(offset);
  }

  forget(segId: number): void {
    this.bySegment.delete(segId);
  }

  /** Writes the bits. `current`: the segment's bitmap as the transaction read it (the commit's look-ups have it already). */
  apply(bitmaps: DeleteBitmaps, current: (segId: number) => Bitmap = (segId) => bitmaps.read(segId)): void {
    for (const [segId, offsets] of this.bySegment) {
      const added = new RoaringBitmap32(offsets);
      // bitmaps read are shared: the new one is a copy
      const base = current(segId);
      const all = RoaringBitmap32.or(base, added);
      this.written.push({ segId, ...bitmaps.add(segId, added, all, base), bits: all });
    }
    this.bySegment.clear();
  }

  /** after the transaction committed: readers of the new versions need not read them back */
  committed(bitmaps: DeleteBitmaps): void {
    for (const w of this.written) bitmaps.remember(w.segId, w.version, w.bits, w.first);
    this.written.length = 0;
  }
}
