// Delete bitmaps of column segments, kept in LMDB (keyed by segment id) so that a commit sets
// the bits of the versions it supersedes in the same durable transaction as everything else,
// and a reader's LMDB snapshot sees exactly the bitmaps of its snapshot.
//
// A segment's bitmap is its base record (key: segment id) OR'ed with the small records commits
// added since (key: segment id + a counter): a commit that deletes a few rows in each of many
// segments writes those few bits, not every touched segment's whole bitmap again (random upserts
// into a large table touch every segment in every commit: ~8 KB each). Once a segment has
// MAX_PARTS of them, the commit writes the merged bitmap as the base and removes them.
import type { Database } from 'lmdb';
import roaring from 'roaring';
import type { ReadSnapshot } from '../store-types.js';
import { prefixEnd } from '../key-codec.js';

const { RoaringBitmap32 } = roaring;
export type Bitmap = InstanceType<typeof RoaringBitmap32>;

/** added-bits records a segment keeps before they are merged into its base */
const MAX_PARTS = 32;

export function segmentIdKey(id: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(id >>> 0, 0);
  return b;
}

export class DeleteBitmaps {
  constructor(private readonly db: Database<Buffer, Buffer>) {}

  /** the segment's delete bitmap as of `snap` (or, inside a write transaction, as written so far) */
  read(segId: number, snap?: ReadSnapshot): Bitmap {
    let out: Bitmap | null = null;
    for (const { value } of this.records(segId, snap)) {
      const part = RoaringBitmap32.deserialize(Buffer.from(value), true);
      if (out === null) out = part;
      else out.orInPlace(part);
    }
    return out ?? new RoaringBitmap32();
  }

  private records(segId: number, snap?: ReadSnapshot): Iterable<{ key: Buffer; value: Buffer }> {
    const start = segmentIdKey(segId);
    return this.db.getRange({ start, end: prefixEnd(start), ...(snap ? { transaction: snap.txn } : {}) } as never) as Iterable<{ key: Buffer; value: Buffer }>;
  }

  /** must run inside a write transaction: the segment's whole bitmap */
  write(segId: number, bits: Bitmap): void {
    this.remove(segId);
    if (!bits.isEmpty) this.db.put(segmentIdKey(segId), bits.serialize(true) as unknown as Buffer);
  }

  /**
   * Must run inside a write transaction: adds `added` to the segment's bitmap, whose value with
   * them is `all`. Writes a record of the added bits, or `all` as the new base once the segment
   * has MAX_PARTS of those.
   */
  add(segId: number, added: Bitmap, all: Bitmap): void {
    const start = segmentIdKey(segId);
    let parts = 0;
    let last = 0;
    for (const key of this.db.getKeys({ start, end: prefixEnd(start) }) as Iterable<Buffer>) {
      if (key.length === 8) { parts++; last = key.readUInt32BE(4); }
    }
    if (parts >= MAX_PARTS) { this.write(segId, all); return; }
    const key = Buffer.allocUnsafe(8);
    key.writeUInt32BE(segId >>> 0, 0);
    key.writeUInt32BE(last + 1, 4);
    this.db.put(key, added.serialize(true) as unknown as Buffer);
  }

  /** must run inside a write transaction: the segment's records all go */
  remove(segId: number): void {
    const start = segmentIdKey(segId);
    const keys: Buffer[] = [];
    for (const key of this.db.getKeys({ start, end: prefixEnd(start) }) as Iterable<Buffer>) keys.push(Buffer.from(key));
    for (const key of keys) this.db.remove(key);
  }

  static create(offsets: Iterable<number> = []): Bitmap {
    return new RoaringBitmap32(offsets);
  }
}

/** Bits set by one commit, grouped by segment and written once per segment at the end. */
export class PendingDeletes {
  private readonly bySegment = new Map<number, number[]>();

  mark(segId: number, offset: number): void {
    let a = this.bySegment.get(segId);
    if (!a) { a = []; this.bySegment.set(segId, a); }
    a.push(offset);
  }

  forget(segId: number): void {
    this.bySegment.delete(segId);
  }

  /**
   * Writes the bits. `current`: the segment's bitmap as the transaction read it (the commit's
   * look-ups have it already), which this changes.
   */
  apply(bitmaps: DeleteBitmaps, current: (segId: number) => Bitmap = (segId) => bitmaps.read(segId)): void {
    for (const [segId, offsets] of this.bySegment) {
      const bm = current(segId);
      bm.addMany(offsets);
      bitmaps.add(segId, new RoaringBitmap32(offsets), bm);
    }
    this.bySegment.clear();
  }
}
