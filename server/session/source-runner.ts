// Runs the built-in source connectors (datagen, nexmark) of the process that does storage
// maintenance. Each tick ingests the next rows of every connector relation at its rate, in one
// commit with the offset reached, so after a crash ingestion resumes exactly at the stored
// offset: no row is lost or ingested twice. A source keeps no rows, only its binlog, which the
// views reading it consume; a table with a connector stores its rows as any table does.
import type { Row } from '../../core/datum.js';
import { T } from '../../core/types.js';
import { SqlError } from '../../core/errors.js';
import type { Store, StoredRelation, RowWrite } from '../../storage/store.js';
import { encodeKey } from '../../storage/key-codec.js';
import type { Catalog } from '../../catalog/catalog.js';
import { liveColumns, livePosition, type RelationDef } from '../../catalog/model.js';
import { connectorSource, type SourceSpec } from '../../connectors/registry.js';
import { KafkaIngest, kafkaCsvHeadersNote, kafkaOffsetsNote, resetEpochCounter } from './kafka-ingest.js';
import { RowBag } from '../../core/delta.js';
import { eventWeight } from './relation-changes.js';

export interface SourceHost {
  readonly store: Store;
  currentCatalog(): Catalog;
  storedRel(rel: RelationDef): StoredRelation;
  rowIdAllocator(): () => bigint;
  /** fills a row's generated columns from its other columns (null: the relation has none) */
  generatedFill(rel: RelationDef): ((row: Row) => void) | null;
  /** binlog entries of a relation its views have not consumed yet */
  backlog(oid: number): number;
  /** told after rows were ingested (views follow) */
  ingested(): void;
}

/** persisted counter: the next offset a connector relation ingests */
export const offsetCounter = (oid: number): string => `src:offset:${oid}`;
/** persisted counters: a source's watermark (µs) and the rows it dropped as late */
export const watermarkCounter = (oid: number): string => `src:watermark:${oid}`;
export const lateCounter = (oid: number): string => `src:late:${oid}`;

/**
 * Ingestion commits do not wait for the disk: the rows and the offsets they came from are in one
 * commit, so a machine crash that loses the last commits loses their offsets too, and the
 * records are read again (from Kafka, or generated again): still exactly once. A process crash
 * (kill -9) loses nothing either way. Waiting for each fsync would leave the reader idle.
 */
const INGEST_DURABLE = false;

/**
 * Unconsumed binlog entries of a source above which it is not ingested until its views catch up:
 * a maintenance round reads its input whole, so this bounds the memory a round needs when a
 * source is read faster than its views are maintained (Kafka's records wait in Kafka meanwhile).
 */
const MAX_BACKLOG = 200_000;

/** rows per commit at most, so one source cannot hold the event loop for long */
const MAX_BATCH = 20_000;

interface Running {
  readonly rel: RelationDef;
  readonly spec: SourceSpec;
  offset: number;
  /** WATERMARK FOR: the column's live position and delay; the watermark so far and late rows */
  readonly watermark: { readonly col: number; readonly delay: number; value: number; late: number } | null;
  /** generated columns: the connector's rows completed with them (rows whose expression fails are dropped) */
  readonly complete: ((rows: Row[]) => Row[]) | null;
  /** rate accounting: offset and time when the rate clock started */
  readonly startOffset: number;
  readonly startedAt: number;
}

export class SourceRunner {
  private readonly running = new Map<number, Running>();
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private stopped = false;
  readonly stats = { commits: 0, rows: 0, errors: 0 };
  lastError: unknown = null;

  constructor(private readonly host: SourceHost, private readonly tickMs = 20) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.tickMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    while (this.busy) await new Promise((r) => setTimeout(r, 5));
    await Promise.all([...this.kafka.values()].map((k) => k.stop()));
    this.kafka.clear();
  }

  /** the offset a connector relation has ingested up to (durable) */
  offset(oid: number): number {
    return this.host.store.counter(offsetCounter(oid)) ?? 0;
  }

  private async tick(): Promise<void> {
    if (this.busy || this.stopped) return;
    this.busy = true;
    try {
      const catalog = this.host.currentCatalog();
      const rels = catalog.relations().filter((r) => r.options['connector'] !== undefined && (r.kind === 'table' || r.kind === 'source'));
      const live = new Set(rels.map((r) => r.oid));
      for (const oid of [...this.running.keys()]) if (!live.has(oid)) this.running.delete(oid);
      // a Kafka reader restarts only when its relation changed (columns, options), not on every
      // catalog change: a restart rejoins the consumer group, seconds without records
      for (const [oid, k] of [...this.kafka]) {
        const now = catalog.relationByOid(oid);
        if (!live.has(oid) || !now || sourceShape(now) !== sourceShape(k.rel)) { this.kafka.delete(oid); void k.stop(); }
      }
      let any = false;
      for (const rel of rels) {
        if (this.stopped) break;
        if (rel.options['connector'] === 'kafka') { if (await this.ingestKafka(rel)) any = true; continue; }
        if (await this.ingest(rel)) any = true;
      }
      if (any) this.host.ingested();
    } catch (err) {
      this.stats.errors++;
      this.lastError = err;
      process.stderr.write(`source ingestion failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    } finally {
      this.busy = false;
    }
  }

  /** Kafka relations: their readers, started on first use */
  private readonly kafka = new Map<number, KafkaIngest>();

  /** a Kafka relation's partitions (offsets, high watermarks, lag) and records/s, while this process reads it */
  kafkaProgress(oid: number): { partitions: ReturnType<KafkaIngest['partitions']>; rate: number } | null {
    const k = this.kafka.get(oid);
    return k ? { partitions: k.partitions(), rate: k.rate() } : null;
  }

  private async ingestKafka(rel: RelationDef): Promise<boolean> {
    let k = this.kafka.get(rel.oid);
    if (!k) {
      await this.carryOutReset(rel);
      k = new KafkaIngest(rel, this.host.store, this.offset(rel.oid), this.host.generatedFill(rel));
      this.kafka.set(rel.oid, k);
    }
    k.ensureStarted();
    if (this.host.backlog(rel.oid) > MAX_BACKLOG) return false;
    const batch = k.take(MAX_BATCH);
    if (!batch) return false;
    const counters = new Map(batch.counters);
    counters.set(offsetCounter(rel.oid), k.ingested + batch.consumed);
    const sr = this.host.storedRel(rel);
    const writes = this.writes(rel, sr, batch.rows);
    // changelog deletes: the key's row goes (a key not there is no change)
    const pk = rel.primaryKey;
    if (pk) for (const d of batch.deletes) writes.push({ rel: sr, key: encodeKey(rel.oid, pk.map((c) => rel.columns[c]!.type), pk.map((c) => d[livePosition(rel, c)] ?? null)), row: null });
    await this.host.store.commit({ rows: writes, counters, notes: batch.notes, durable: INGEST_DURABLE });
    batch.commit();
    this.stats.commits++;
    this.stats.rows += batch.rows.length;
    return writes.length > 0;
  }

  /**
   * ALTER SOURCE ... RESET TO: when the relation's reset epoch is past the last one carried out,
   * one commit retracts all it ingested (a table's rows; a source's contents, which live only in
   * its binlog) and forgets its offsets, so that views follow it down and then up again as the
   * records are read anew from the new start position.
   */
  private async carryOutReset(rel: RelationDef): Promise<void> {
    const epoch = Number(rel.options['reset.epoch'] ?? 0);
    const store = this.host.store;
    if (epoch <= (store.counter(resetEpochCounter(rel.oid)) ?? 0)) return;
    const sr = this.host.storedRel(rel);
    let retract: { rel: StoredRelation; rows: Row[] }[] = [];
    if (rel.kind === 'source') {
      // the source's contents: its binlog's insertions less its deletions
      const bag = new RowBag();
      const snap = store.snapshot();
      try {
        for (const e of store.binlog(sr, 0, snap)) bag.add(e.row, eventWeight(e.event));
      } finally {
        snap.done();
      }
      const rows: Row[] = [];
      for (const { row, count } of bag) for (let i = 0; i < count; i++) rows.push(row);
      retract = [{ rel: sr, rows }];
    }
    await store.commit({
      rows: [], retract, clearRelations: rel.kind === 'table' ? [sr] : [],
      notes: new Map([[kafkaOffsetsNote(rel.oid), undefined], [kafkaCsvHeadersNote(rel.oid), undefined]]),
      counters: new Map([[offsetCounter(rel.oid), 0], [resetEpochCounter(rel.oid), epoch]]),
    });
  }

  private async ingest(rel: RelationDef): Promise<boolean> {
    let r = this.running.get(rel.oid);
    if (!r || r.rel !== rel) {
      // the connector makes the columns that are not generated
      const spec = connectorSource(liveColumns(rel).filter((c) => c.generatedSql === undefined), rel.options);
      const offset = this.offset(rel.oid);
      const wcol = rel.options['watermark.column'];
      const watermark = wcol === undefined ? null : {
        col: liveColumns(rel).findIndex((c) => c.name === wcol), delay: Number(rel.options['watermark.delay'] ?? 0),
        value: this.host.store.counter(watermarkCounter(rel.oid)) ?? -Infinity, late: this.host.store.counter(lateCounter(rel.oid)) ?? 0,
      };
      r = { rel, spec, offset, startOffset: offset, startedAt: Date.now(), watermark, complete: this.completer(rel) };
      this.running.set(rel.oid, r);
    }
    if (this.host.backlog(rel.oid) > MAX_BACKLOG) return false;
    const { generator, offsetsPerSecond } = r.spec;
    let to = r.offset + MAX_BATCH;
    if (Number.isFinite(offsetsPerSecond)) to = Math.min(to, r.startOffset + Math.floor(((Date.now() - r.startedAt) / 1000) * offsetsPerSecond));
    if (generator.total !== null) to = Math.min(to, generator.total);
    if (to <= r.offset) return false;
    let rows: Row[] = [];
    generator.rows(r.offset, to, rows);
    if (r.complete) rows = r.complete(rows);
    const counters = new Map([[offsetCounter(rel.oid), to]]);
    const wm = r.watermark;
    let nextWm = wm?.value ?? -Infinity;
    let late = 0;
    if (wm) {
      // rows older than the watermark are late: dropped (and counted); the watermark trails the newest event
      let newest = -Infinity;
      rows = rows.filter((row) => {
        const t = row[wm.col];
        if (typeof t !== 'number') return true;
        if (t < wm.value) { late++; return false; }
        if (t > newest) newest = t;
        return true;
      });
      nextWm = Math.max(wm.value, newest - wm.delay);
      if (Number.isFinite(nextWm)) counters.set(watermarkCounter(rel.oid), nextWm);
      if (late) counters.set(lateCounter(rel.oid), wm.late + late);
    }
    const sr = this.host.storedRel(rel);
    const writes = this.writes(rel, sr, rows);
    await this.host.store.commit({ rows: writes, counters, durable: INGEST_DURABLE });
    if (wm) { wm.value = nextWm; wm.late += late; }
    r.offset = to;
    this.stats.commits++;
    this.stats.rows += rows.length;
    return true;
  }

  /** a connector's rows (the columns that are not generated) → the relation's rows, generated columns computed */
  private completer(rel: RelationDef): ((rows: Row[]) => Row[]) | null {
    const fill = this.host.generatedFill(rel);
    if (!fill) return null;
    const at = liveColumns(rel).flatMap((c, i) => (c.generatedSql !== undefined ? [i] : []));
    return (rows) => rows.filter((row) => {
      for (const i of at) row.splice(i, 0, null);
      try {
        fill(row);
        return true;
      } catch (err) {
        if (!(err instanceof SqlError)) throw err;
        this.stats.errors++;
        this.lastError = err;
        return false;
      }
    });
  }

  private writes(rel: RelationDef, sr: StoredRelation, rows: Row[]): RowWrite[] {
    const toStorage = rel.columns.some((c) => c.dropped) ? storageLayout(rel) : null;
    const out: RowWrite[] = [];
    if (rel.kind === 'source') {
      // not stored: the key is never used, only the binlog entry
      const key = encodeKey(rel.oid, [], []);
      for (const row of rows) out.push({ rel: sr, key, row: toStorage ? toStorage(row) : row, fresh: true });
      return out;
    }
    const pk = rel.primaryKey;
    const rowId = this.host.rowIdAllocator();
    for (const live of rows) {
      const row = toStorage ? toStorage(live) : live;
      if (pk) out.push({ rel: sr, key: encodeKey(rel.oid, pk.map((c) => rel.columns[c]!.type), pk.map((c) => row[c] ?? null)), row });
      else out.push({ rel: sr, key: encodeKey(rel.oid, [T.int8], [rowId()]), row, fresh: true });
    }
    return out;
  }
}

/** what a Kafka relation's reader and decoder depend on: its columns and options */
function sourceShape(rel: RelationDef): string {
  return JSON.stringify([rel.columns, rel.options, rel.primaryKey]);
}

function storageLayout(rel: RelationDef): (live: Row) => Row {
  const pos = rel.columns.map((c, i) => (c.dropped ? -1 : i)).filter((i) => i >= 0);
  return (live) => {
    const out: Row = new Array(rel.columns.length).fill(null);
    pos.forEach((p, i) => { out[p] = live[i] ?? null; });
    return out;
  };
}
