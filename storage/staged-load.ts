// A bulk load into an empty table that writes as it reads: each chunk's rows go into the row
// store and its binlog chunks into the binlog in a transaction of their own while the load goes
// on parsing, so the commit at the end only registers the segments and moves the table's marks,
// instead of writing everything at once after the last row (PostgreSQL's COPY into a table it
// just created skips the WAL for the same reason: nobody can see those rows yet).
//
// Nobody sees them because the load marks the table (meta 'bulkLoad:<oid>') before its first
// write, and a reader whose snapshot holds the mark reads the table as it was then: empty (the
// row store holds only the load's rows; its binlog entries lie past the head; its segments are
// not in the manifest). Writers to the table wait for the load in this process and fail with
// 40001 in another one. The commit removes the mark in the transaction that publishes the rows;
// a failed load removes its rows, its binlog entries and the mark. A mark whose process died
// (kill -9 mid-load) is cleaned up the same way when the store opens.
import type { Database, RootDatabase } from 'lmdb';
import { randomBytes } from 'node:crypto';
import type { Binlog } from './binlog.js';
import type { DeltaSet } from './delta-set.js';
import { appliedKey, headKey, loadMarkKey } from './delta-set.js';
import { relationRange } from './key-codec.js';
import type { Stored } from './row-codec.js';
import type { StoredRelation } from './store-types.js';
import type { SegmentMeta } from './column/layout.js';
import type { BulkChunk } from './bulk-insert.js';
import type { PackedBinlog } from './bulk-binlog.js';
import { putChunkRows, appendBinlogChunks } from './chunk-writes.js';
import { processMark, markAlive, type ProcessMark } from './process-mark.js';

/** the mark a loading table carries: the process and the load */
interface LoadMark extends ProcessMark {
  readonly token: string;
}

/** what a staged load needs of the store */
export interface StagingHost {
  readonly root: RootDatabase;
  readonly rows: Database<Stored[], Buffer>;
  readonly meta: Database<unknown, string>;
  readonly binlogs: Binlog;
  readonly deltas: DeltaSet;
  /** whether the table has a segment (latest, or inside the write transaction) */
  hasSegments(oid: number): boolean;
  registerSegments(oid: number, segments: readonly SegmentMeta[]): void;
  /** this process's commits to the table wait for `done` */
  holdWrites(oid: number, done: Promise<void>): void;
}

/** The staged path of one bulk load (storage/bulk-insert.ts drives it). */
export class StagedLoad {
  private readonly mark: LoadMark = { ...processMark(), token: randomBytes(8).toString('hex') };
  /** the table's binlog head when the load began: its entries follow it */
  private head = 0;
  /** the sequence number of the next entry */
  private next = 0;
  private append = true;
  private release: (() => void) | null = null;
  /** the commit time of every entry: the load's start (see begin()) */
  private ts = 0;

  constructor(private readonly host: StagingHost, readonly rel: StoredRelation, private readonly duplicate: (stored: Stored[]) => Error) {}

  /**
   * Marks the table if it is empty (no rows, no segments, nothing unflushed, no other load):
   * true, and the load stages; false, and it commits everything at the end instead.
   */
  async begin(): Promise<boolean> {
    const { host, rel } = this;
    const oid = rel.oid;
    const r = relationRange(oid);
    let head = -1;
    await host.root.transaction(() => {
      const b = host.deltas.bounds(oid);
      if (b.applied !== b.head || b.loading) return;
      for (const _ of host.rows.getKeys({ start: r.start, end: r.end, limit: 1 })) return;
      if (host.hasSegments(oid)) return;
      host.meta.put(loadMarkKey(oid), this.mark);
      head = b.head;
    });
    if (head < 0) return false;
    this.head = head;
    this.next = head + 1;
    // a table's entries keep their commit times in order: the load's come after every entry
    // before it (those committed before the mark) and before every entry after it (those wait)
    this.ts = Date.now() * 1000;
    host.holdWrites(oid, new Promise<void>((resolve) => { this.release = resolve; }));
    return true;
  }

  /**
   * Writes one chunk's rows and binlog entries (a key already there fails it with 23505). Chunks
   * may be staged without waiting for the last one's transaction: lmdb-js runs the writes in the
   * order they were asked for, several in one transaction when they queue up.
   */
  stage(chunk: BulkChunk, binlog: PackedBinlog): Promise<void> {
    const { host } = this;
    return host.root.childTransaction(() => {
      this.checkMark();
      const append = putChunkRows(host.rows, chunk, this.append, this.duplicate);
      const next = appendBinlogChunks(host.binlogs, this.rel.oid, this.next, binlog, this.ts);
      // the transaction (this callback's child transaction) holds: the next chunk goes on from here
      this.next = next;
      this.append = append;
    }) as Promise<void>;
  }

  /** Publishes the load: its segments join the manifest, the marks move past its entries, the mark goes. */
  async commit(segments: readonly SegmentMeta[]): Promise<number> {
    const { host } = this;
    const oid = this.rel.oid;
    const last = this.next - 1;
    await host.root.childTransaction(() => {
      this.checkMark();
      host.registerSegments(oid, segments);
      host.meta.put(headKey(oid), last);
      host.meta.put(appliedKey(oid), last);
      host.meta.remove(loadMarkKey(oid));
    });
    host.deltas.noteApplied(oid, last);
    this.done();
    return last - this.head;
  }

  /** Takes the load back: its rows, its binlog entries and the mark go. */
  async abort(): Promise<void> {
    if (!this.release) return;
    try {
      await this.host.root.transaction(() => {
        const m = this.host.meta.get(loadMarkKey(this.rel.oid)) as LoadMark | undefined;
        if (m?.token === this.mark.token) clearLoad(this.host, this.rel.oid, this.head);
      });
    } finally {
      this.done();
    }
  }

  private done(): void {
    this.release?.();
    this.release = null;
  }

  /** the table still carries this load's mark (a DROP elsewhere would have removed it) */
  private checkMark(): void {
    const m = this.host.meta.get(loadMarkKey(this.rel.oid)) as LoadMark | undefined;
    if (m?.token !== this.mark.token) throw new Error(`bulk load into "${this.rel.name}" lost its table mark`);
  }
}

/** inside a write transaction: removes a load's rows (all of the table's: it was empty), its binlog entries past `head`, and its mark */
function clearLoad(host: Pick<StagingHost, 'rows' | 'meta' | 'binlogs'>, oid: number, head: number): void {
  const r = relationRange(oid);
  for (const key of host.rows.getKeys({ start: r.start, end: r.end })) host.rows.remove(key);
  host.binlogs.removeAfter(oid, head);
  host.meta.remove(loadMarkKey(oid));
}

/**
 * When the store opens: loads whose process is gone (killed mid-load) are taken back. A mark of
 * a live process (another worker on the same data) stays.
 */
export function recoverStagedLoads(host: Pick<StagingHost, 'root' | 'rows' | 'meta' | 'binlogs'>): number {
  const dead: { oid: number; head: number }[] = [];
  for (const { key, value } of host.meta.getRange({ start: 'bulkLoad:', end: 'bulkLoad;' }) as Iterable<{ key: string; value: LoadMark }>) {
    if (markAlive(value)) continue;
    const oid = Number(key.slice('bulkLoad:'.length));
    dead.push({ oid, head: (host.meta.get(headKey(oid)) as number | undefined) ?? 0 });
  }
  if (dead.length) host.root.transactionSync(() => { for (const d of dead) clearLoad(host, d.oid, d.head); });
  return dead.length;
}
