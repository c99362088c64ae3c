// The column-store part of one commit's LMDB write transaction: merge-on-write bookkeeping
// (delete bits of superseded versions, the memtable) and TRUNCATE/DROP.
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
  /** memtable rows written per table (flush triggers) */
  readonly written = new Map<number, number>();

  /** `view`: the manifest and bitmaps as this transaction reads them (before its own changes) */
  constructor(private readonly store: CommitHost, private readonly dbs: ColumnStoreDbs, private readonly view: LookupView) {}

  current(rel: StoredRelation, key: Buffer): Stored[] | undefined {
    return this.store.current(rel, key, undefined, this.view);
  }

  /**
   * Records a new version (or a delete) of `key`. `hadOld`: a current version exists (known from
   * the row store or current()); if it lives in a segment its delete bit is set, else it is the
   * memtable's. `bulk`: the new version lives in a segment the commit wrote.
   */
  write(rel: StoredRelation, key: Buffer, stored: Stored[] | null, hadOld: boolean, bulk = false): void {
    // the old version is either live in a segment (its bit gets set) or in the memtable
    let oldInMemtable = false;
    if (hadOld) {
      const at = this.store.locate(rel, key, this.view);
      if (at) this.deletes.mark(at.meta.id, at.offset);
      else oldInMemtable = true;
    }
    if (stored && !bulk) {
      // replaces a memtable version in place
      this.dbs.memtable.put(key, stored);
      this.written.set(rel.oid, (this.written.get(rel.oid) ?? 0) + 1);
    } else if (oldInMemtable) {
      // deleted, or the new version lives in a segment this commit wrote (found by its key index)
      this.dbs.memtable.remove(key);
    }
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
    for (const key of this.dbs.memtable.getKeys({ start: r.start, end: r.end })) this.dbs.memtable.remove(key);
  }

  /** last step inside the transaction */
  finish(): void {
    this.deletes.apply(this.store.bitmaps);
  }

  /** after the transaction committed */
  committed(): void {
    if (this.removedFiles.length) this.store.retire(this.removedFiles, this.removedIds);
  }
}

