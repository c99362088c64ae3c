// Background work of the stores: flush a table's delta into its row store and column segments
// when it reaches the table's threshold (memtable_rows) or has been idle with rows in it,
// compact segments with many deleted rows or many small segments, and remove segment files no
// snapshot can read any more. One process per data directory does this (the only writer of
// segment files, so its startup may also remove files left by a flush or compaction that a crash
// interrupted, and move rows an older version left in its memtable database into segments).
import type { Store, StoredRelation } from '../../storage/store.js';

export interface MaintenanceOptions {
  readonly intervalMs?: number;
  /** flush a delta below its threshold after this long without writes */
  readonly idleFlushMs?: number;
}

export class ColumnMaintenance {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private readonly lastWrite = new Map<number, number>();
  private readonly pending = new Map<number, number>();
  private stopped = false;
  /** counters for tests and monitoring */
  readonly stats = { flushes: 0, flushedRows: 0, compactions: 0, reclaimedFiles: 0, errors: 0 };

  constructor(
    private readonly store: Store,
    private readonly tables: () => readonly StoredRelation[],
    private readonly options: MaintenanceOptions = {},
  ) {}

  start(): void {
    this.store.columns.removeOrphans();
    this.store.onDeltaWrites = (oid, n) => this.noteWrites(oid, n);
    this.timer = setInterval(() => this.kick(), this.options.intervalMs ?? 1000);
    this.timer.unref();
  }

  private noteWrites(oid: number, n: number): void {
    this.lastWrite.set(oid, Date.now());
    const total = (this.pending.get(oid) ?? 0) + n;
    this.pending.set(oid, total);
    const rel = this.tables().find((t) => t.oid === oid);
    if (rel && total >= rel.flushRows) this.kick();
  }

  /** Runs one round now unless one is running; returns when the current round is done. */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (!this.running) {
      this.running = this.round().catch((err: unknown) => {
        this.stats.errors++;
        process.stderr.write(`column store maintenance failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
      }).finally(() => { this.running = null; });
    }
    return this.running;
  }

  /** Start-up: rows an older version left in its memtable database go into segments before anything reads them. */
  async migrate(): Promise<void> {
    for (const rel of this.tables()) if (rel.orientation.column && this.store.columns.legacyMemtableRows(rel.oid) > 0) await this.store.columns.drainLegacyMemtable(rel);
  }

  private async round(): Promise<void> {
    const now = Date.now();
    for (const rel of this.tables()) {
      if (this.stopped) return;
      if (!rel.orientation.row && !rel.orientation.column) continue;
      const count = this.store.deltaRows(rel);
      const idle = now - (this.lastWrite.get(rel.oid) ?? 0) >= (this.options.idleFlushMs ?? 10_000);
      if (count >= rel.flushRows || (count > 0 && idle)) await this.flush(rel);
      // rewrites of keys already in the delta counted as writes: restart from the real size, or
      // every later commit would kick a round that counts the delta again
      else this.pending.set(rel.oid, count);
      if (rel.orientation.column) await this.compact(rel);
    }
    this.stats.reclaimedFiles += this.store.columns.reclaim();
  }

  async flush(rel: StoredRelation): Promise<void> {
    this.pending.set(rel.oid, 0);
    const n = await this.store.flush(rel);
    if (n > 0) { this.stats.flushes++; this.stats.flushedRows += n; }
  }

  async compact(rel: StoredRelation): Promise<void> {
    const r = await this.store.columns.compact(rel);
    if (r.removed > 0) this.stats.compactions++;
  }

  /** VACUUM: flush and compact the tables now, then remove the segment files nothing reads any more. */
  async vacuum(rels: readonly StoredRelation[]): Promise<void> {
    await this.running;
    for (const rel of rels) {
      if (!rel.orientation.row && !rel.orientation.column) continue;
      await this.flush(rel);
      if (rel.orientation.column) await this.compact(rel);
    }
    this.stats.reclaimedFiles += this.store.columns.reclaim();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
