// This process's copies of the tables' deltas (storage/delta.ts), kept caught up with the binlog
// through each reader's snapshot. A table's applied mark lives in the meta database
// ('appliedSeq:<oid>', moved by flushes and bulk commits in the same transaction as the stores);
// a table without one (written before deltas existed) has everything applied.
import type { Database } from 'lmdb';
import type { ReadSnapshot } from './store-types.js';
import { BinlogEvent, type Binlog } from './binlog.js';
import { TableDelta, type DeltaBounds } from './delta.js';
import type { Stored } from './row-codec.js';

export const appliedKey = (oid: number): string => 'appliedSeq:' + oid;
export const headKey = (oid: number): string => 'binlogSeq:' + oid;
/** the mark of a table a bulk load is writing (storage/staged-load.ts) */
export const loadMarkKey = (oid: number): string => 'bulkLoad:' + oid;

export class DeltaSet {
  private readonly tables = new Map<number, TableDelta>();
  private readonly snapBounds = new WeakMap<ReadSnapshot, Map<number, DeltaBounds>>();
  /** applied marks learned, to prune once every snapshot that could need older versions is done */
  private prunes: { oid: number; upTo: number; epoch: number }[] = [];

  constructor(
    private readonly binlog: Binlog,
    private readonly meta: Database<unknown, string>,
    private readonly snapshots: { epoch(): number; oldestOpen(): number },
  ) {}

  /** A table's applied mark and binlog head as of `snap` (or inside the write transaction / latest). */
  bounds(oid: number, snap?: ReadSnapshot): DeltaBounds {
    if (!snap) return this.readBounds(oid);
    let m = this.snapBounds.get(snap);
    if (!m) { m = new Map(); this.snapBounds.set(snap, m); }
    let b = m.get(oid);
    if (!b) { b = this.readBounds(oid, snap); m.set(oid, b); }
    return b;
  }

  private readBounds(oid: number, snap?: ReadSnapshot): DeltaBounds {
    const opt = snap ? { transaction: snap.txn } as never : undefined;
    const head = (this.meta.get(headKey(oid), opt) as number | undefined) ?? 0;
    const applied = (this.meta.get(appliedKey(oid), opt) as number | undefined) ?? head;
    return this.meta.get(loadMarkKey(oid), opt) === undefined ? { applied, head } : { applied, head, loading: true };
  }

  /** The table's delta holding every version a reader with `b` can see, read through `snap`. */
  delta(oid: number, b: DeltaBounds, snap?: ReadSnapshot): TableDelta {
    if (this.prunes.length) this.runPrunes();
    let d = this.tables.get(oid);
    // a copy that fell behind the applied mark (another process flushed) starts again from it
    if (d && d.head < b.applied) d = undefined;
    if (!d) { d = new TableDelta(b.applied); this.tables.set(oid, d); }
    // the stores hold everything up to this reader's applied mark (another process flushed):
    // versions at or below it go once no older snapshot can need them
    if (b.applied > d.base && b.applied > d.pruneScheduled) this.noteApplied(oid, b.applied);
    // a reader older than the copy's start whose snapshot ends before it: it cannot read all the
    // entries the copy lacks (those past its head), so extending the shared copy down to its
    // applied mark would leave a hole that a reader between the two would fall into
    if (b.applied < d.base && b.head < d.base) return this.ownCopy(oid, b, snap);
    if (b.applied < d.base) {
      const older: { seq: number; key: Buffer; row: Stored[] | null }[] = [];
      for (const e of this.binlog.readStored(oid, b.applied, d.base, snap)) {
        if (e.event === BinlogEvent.UpdateBefore) continue;
        older.push({ seq: e.seq, key: this.keyOf(e.key, oid, e.seq), row: e.event === BinlogEvent.Delete ? null : e.row });
      }
      d.addOlder(older, b.applied);
    }
    if (d.head < b.head) this.catchUp(d, oid, b.head, snap);
    return d;
  }

  /** adds the table's entries after d.head up to `head`, read through `snap` */
  private catchUp(d: TableDelta, oid: number, head: number, snap?: ReadSnapshot): void {
    for (const e of this.binlog.readStored(oid, d.head, head, snap)) {
      if (e.event === BinlogEvent.UpdateBefore) { d.skipTo(e.seq); continue; }
      d.add(e.seq, this.keyOf(e.key, oid, e.seq), e.event === BinlogEvent.Delete ? null : e.row);
    }
    d.skipTo(head);
  }

  /** copies of a table's delta made for one old snapshot (see delta()), gone with it */
  private readonly ownCopies = new WeakMap<ReadSnapshot, Map<number, TableDelta>>();

  private ownCopy(oid: number, b: DeltaBounds, snap?: ReadSnapshot): TableDelta {
    // without a snapshot b is the latest, and no copy starts after the latest applied mark
    let m = snap ? this.ownCopies.get(snap) : undefined;
    let d = m?.get(oid);
    if (d) return d;
    d = new TableDelta(b.applied);
    this.catchUp(d, oid, b.head, snap);
    if (snap) {
      if (!m) { m = new Map(); this.ownCopies.set(snap, m); }
      m.set(oid, d);
    }
    return d;
  }

  /**
   * A reader saw nothing pending for the table: the versions of a copy this process still holds
   * (another process flushed or truncated the table) go once no older snapshot can need them.
   */
  settled(oid: number, b: DeltaBounds): void {
    const d = this.tables.get(oid);
    if (!d) return;
    if (this.prunes.length) this.runPrunes();
    if (b.applied > d.base && b.applied > d.pruneScheduled) this.noteApplied(oid, b.applied);
  }

  private keyOf(key: Buffer | undefined, oid: number, seq: number): Buffer {
    if (!key) throw new Error(`binlog entry ${seq} of relation ${oid} has no key but is not applied to the stores`);
    return key;
  }

  /** A commit or flush moved the applied mark: versions up to it go once no open snapshot can need them. */
  noteApplied(oid: number, upTo: number): void {
    const d = this.tables.get(oid);
    if (d && upTo > d.pruneScheduled) d.pruneScheduled = upTo;
    this.prunes.push({ oid, upTo, epoch: this.snapshots.epoch() });
  }

  private runPrunes(): void {
    const oldest = this.snapshots.oldestOpen();
    const keep: typeof this.prunes = [];
    for (const p of this.prunes) {
      if (p.epoch >= oldest) { keep.push(p); continue; }
      this.tables.get(p.oid)?.prune(p.upTo);
    }
    this.prunes = keep;
  }

  /** forget a table's copy (its commit failed after adding versions, or it was dropped) */
  reset(oid: number): void {
    this.tables.delete(oid);
  }
}
