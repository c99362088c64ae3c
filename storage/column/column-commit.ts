// The column-store part of one commit's LMDB write transaction: merge-on-write bookkeeping
// (delete bits of superseded versions, the location index, the memtable) and TRUNCATE/DROP.
import type { Stored } from '../row-codec.js';
import { relationRange } from '../key-codec.js';
import type { StoredRelation } from '../store-types.js';
import { PendingDeletes } from './delete-bitmaps.js';
import type { DeleteBitmaps } from './delete-bitmaps.js';
import type { ColumnStoreDbs, SegmentMeta } from './layout.js';

/** What a commit needs of the column store (the ColumnStore itself). */
export interface CommitHost {
  readonly bitmaps: DeleteBitmaps;
  current(rel: StoredRelation, key: Buffer): Stored[] | undefined;
  segmentFile(segId: number): string;
  retire(paths: readonly string[], segIds: readonly number[]): void;
}

export class ColumnCommit {
  private readonly deletes = new PendingDeletes();
  private readonly removedFiles: string[] = [];
  private readonly removedIds: number[] = [];
  /** memtable rows written per table (flush triggers) */
  readonly written = new Map<number, number>();

  constructor(private readonly store: CommitHost, private readonly dbs: ColumnStoreDbs) {}

  current(rel: StoredRelation, key: Buffer): Stored[] | undefined {
    return this.store.current(rel, key);
  }

  /**
   * Records a new version (or a delete) of `key`. `hadOld`: a current version exists (known from
   * the row store or current()); if it lives in a segment its delete bit is set.
   */
  write(rel: StoredRelation, key: Buffer, stored: Stored[] | null, hadOld: boolean, bulkLoc?: Buffer): void {
    if (hadOld) {
      const loc = this.dbs.loc.get(key);
      if (loc !== undefined) {
        const b = Buffer.from(loc);
        this.deletes.mark(b.readUInt32BE(0), b.readUInt32BE(4));
        this.dbs.loc.remove(key);
      } else if (bulkLoc) {
        // the old version is in the memtable; the new one lives in a bulk segment
        this.dbs.memtable.remove(key);
      }
    }
    if (bulkLoc) {
      this.dbs.loc.put(key, bulkLoc);
    } else if (stored) {
      this.dbs.memtable.put(key, stored);
      this.written.set(rel.oid, (this.written.get(rel.oid) ?? 0) + 1);
    } else if (hadOld) {
      this.dbs.memtable.remove(key);
    }
  }

  /** TRUNCATE / DROP: every segment, location and buffered row of the table goes. */
  clear(oid: number): void {
    const r = relationRange(oid);
    for (const { key, value } of this.dbs.segments.getRange({ start: r.start, end: r.end }) as Iterable<{ key: Buffer; value: SegmentMeta }>) {
      this.dbs.segments.remove(key);
      this.store.bitmaps.remove(value.id);
      this.deletes.forget(value.id);
      this.removedFiles.push(this.store.segmentFile(value.id));
      this.removedIds.push(value.id);
    }
    for (const key of this.dbs.loc.getKeys({ start: r.start, end: r.end })) this.dbs.loc.remove(key);
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

