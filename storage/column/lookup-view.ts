// What one reader of the column store sees of a table for point lookups: its segment manifest
// and the segments' delete bitmaps, each read once. A snapshot's view never changes, so it is
// kept with the snapshot; a commit reads its own inside its write transaction.
import type { SegmentMeta } from './layout.js';
import type { Bitmap } from './delete-bitmaps.js';

export class LookupView {
  private readonly manifests = new Map<number, SegmentMeta[]>();
  private readonly bits = new Map<number, Bitmap>();
  private readonly memos = new Map<number, unknown>();

  constructor(private readonly read: { segments(oid: number): SegmentMeta[]; bitmap(segId: number): Bitmap }) {}

  /** the table's segments, oldest first */
  segments(oid: number): SegmentMeta[] {
    let m = this.manifests.get(oid);
    if (!m) { m = this.read.segments(oid); this.manifests.set(oid, m); }
    return m;
  }

  bitmap(segId: number): Bitmap {
    let b = this.bits.get(segId);
    if (!b) { b = this.read.bitmap(segId); this.bits.set(segId, b); }
    return b;
  }

  /** something derived from the table's manifest (made once per view) */
  memo<T>(oid: number, make: () => T): T {
    let m = this.memos.get(oid) as T | undefined;
    if (m === undefined) { m = make(); this.memos.set(oid, m); }
    return m;
  }

  /** forget what was read of a table (a commit that cleared it) */
  forget(oid: number): void {
    this.manifests.delete(oid);
    this.memos.delete(oid);
  }
}
