// The column-store part of one commit's LMDB write transaction: merge-on-write bookkeeping
// (delete bits of superseded versions) and TRUNCATE/DROP. New versions are not the column
// store's until a flush: they wait in the delta (storage/delta.ts).
import type { Stored } from '../row-codec.js';
import { relationRange } from '../key-codec.js';
import type { StoredRelation } from '../store-types.js';
import { PendingDeletes } from './delete-bitmaps.js';
import type { DeleteBitmaps } from './delete-bitmaps.js';
import type { ColumnStoreDbs, SegmentMeta } from './layout.js';
import type { LookupView } from './lookup-view.js';

/** What a commit needs of the column store (the ColumnStore itself). */
export interface CommitHost {
  readonly bitmaps: DeleteBitmaps;
  current(rel: StoredRelation, key: Buffer, snap: undefined, view: LookupView): Stored[] | undefined;
  locate(rel: StoredRelation, key: Buffer, view: LookupView): { meta: SegmentMeta; offset: number } | null;
  segmentFile(segId: number): string;
  retire(paths: readonly string[], segIds: readonly number[]): void;
}

export class ColumnCommit {
  private readonly deletes = new PendingDeletes();
  private readonly removedFiles: string[] = [];
  private readonly removedIds: number[] = [];
  /** `view`: the manifest and bitmaps as this transaction reads them (before its own changes) */
  constructor(private readonly store: CommitHost, private readonly dbs: ColumnStoreDbs, private readonly view: LookupView) {}

  /** the current version of a row in the segments (the delta is the caller's) */
  current(rel: StoredRelation, key: Buffer): Stored[] | undefined {
    return this.store.current(rel, key, undefined, this.view);
  }

  /** A new version or a delete replaces the key's version in the segments, if one is live there: its bit is set. */
  supersede(rel: StoredRelation, key: Buffer): void {
    const at = this.store.locate(rel, key, this.view);
    if (at) this.deletes.mark(at.meta.id, at.offset);
  }

  /** TRUNCATE / DROP: every segment and buffered row of the table goes. */
  clear(oid: number): void {
    const r = relationRange(oid);
    for (const { key, value } of this.dbs.segments.getRange({ start: r.start, end: r.end }) as Iterable<{ key: Buffer; value: SegmentMeta }>) {
      this.dbs.segments.remove(key);
      this.store.bitmaps.remove(value.id);
      this.deletes.forget(value.id);
      this.removedFiles.push(this.store.segmentFile(value.id));
      this.removedIds.push(value.id);
    }
    this.view.forget(oid);
    // rows an older version buffered in the memtable database
    for (const key of this.dbs.memtable.getKeys({ start: r.start, end: r.end })) this.dbs.memtable.remove(key);
  }

  /** last step inside the transaction: the bits go into the bitmaps the commit's look-ups read (no second read) */
  finish(): void {
    this.deletes.apply(this.store.bitmaps, (segId) => this.view.bitmap(segId));
  }

  /** after the transaction committed */
  committed(): void {
    this.deletes.committed(this.store.bitmaps);
    if (this.removedFiles.length) this.store.retire(this.removedFiles, this.removedIds);
  }
}

