// Delete bitmaps of column segments, kept in LMDB (keyed by segment id) so that a commit sets
// the bits of the versions it supersedes in the same durable transaction as everything else,
// and a reader's LMDB snapshot sees exactly the bitmaps of its snapshot.
import type { Database } from 'lmdb';
import roaring from 'roaring';
import type { ReadSnapshot } from '../store-types.js';

const { RoaringBitmap32 } = roaring;
export type Bitmap = InstanceType<typeof RoaringBitmap32>;

export function segmentIdKey(id: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(id >>> 0, 0);
  return b;
}

export class DeleteBitmaps {
  constructor(private readonly db: Database<Buffer, Buffer>) {}

  /** the segment's delete bitmap as of `snap` (or, inside a write transaction, as written so far) */
  read(segId: number, snap?: ReadSnapshot): Bitmap {
    const raw = snap ? this.db.get(segmentIdKey(segId), { transaction: snap.txn } as never) : this.db.get(segmentIdKey(segId));
    return raw ? RoaringBitmap32.deserialize(Buffer.from(raw), true) : new RoaringBitmap32();
  }

  /** must run inside a write transaction */
  write(segId: number, bits: Bitmap): void {
    if (bits.isEmpty) this.db.remove(segmentIdKey(segId));
    else this.db.put(segmentIdKey(segId), bits.serialize(true) as unknown as Buffer);
  }

  remove(segId: number): void {
    this.db.remove(segmentIdKey(segId));
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

  apply(bitmaps: DeleteBitmaps): void {
    for (const [segId, offsets] of this.bySegment) {
      const bm = bitmaps.read(segId);
      bm.addMany(offsets);
      bitmaps.write(segId, bm);
    }
    this.bySegment.clear();
  }
}
