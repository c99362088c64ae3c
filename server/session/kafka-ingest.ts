// Ingestion of connector = 'kafka' relations: the records a KafkaSourceReader buffered become rows
// in one commit together with each partition's next offset (a note of the relation), so that
// after a crash the reader restarts exactly after the last committed record: exactly once.
// Records before a partition's stored offset (a reader restarting before its seek took effect)
// are dropped; records that do not decode are counted and skipped, the others are ingested.
import type { Datum, Row } from '../../core/datum.js';
import { SqlError, SqlState } from '../../core/errors.js';
import { liveColumns, livePosition, type RelationDef } from '../../catalog/model.js';
import { KafkaSourceReader, kafkaOptions, type KafkaRecord } from '../../connectors/kafka/source.js';
import { jsonRowDecoder } from '../../connectors/kafka/json-decode.js';
import { csvDecoder, type CsvDecoder } from '../../connectors/kafka/csv-decode.js';
import { CHANGELOG_FORMATS, cdcDecoder, type ChangeDecoder, type ChangelogFormat } from '../../connectors/kafka/cdc.js';
import { rowKey } from '../../core/delta.js';
import { Jsonb, jsonObject } from '../../core/values/json.js';
import type { Store } from '../../storage/store.js';

const INCLUDE_KINDS = ['key', 'partition', 'offset', 'timestamp', 'header'] as const;
/**
 * what fills a column other than the payload: a record's metadata (INCLUDE), one of its headers
 * (by name), or the ingestion time (AS PROCTIME())
 */
type Include = { readonly kind: (typeof INCLUDE_KINDS)[number] | 'proctime' } | { readonly kind: 'one header'; readonly name: string; readonly text: boolean };

/** note: per partition, the next offset to read */
export const kafkaOffsetsNote = (oid: number): string => `src:kafka:${oid}`;
/** note: ENCODE CSV with headers: per partition, the columns its header named */
export const kafkaCsvHeadersNote = (oid: number): string => `src:csvheader:${oid}`;
/** counter: records that could not be decoded */
export const kafkaErrorsCounter = (oid: number): string => `src:errors:${oid}`;
/** note: the most recent records that could not be decoded (eddy_source_errors) */
export const kafkaErrorLogNote = (oid: number): string => `src:errlog:${oid}`;

/**
 * ALTER SOURCE ... RESET TO (...): the relation's options with the new start position and the
 * next reset epoch. The source runner sees the epoch go past the one it last carried out
 * (resetEpochCounter) and, in one commit, retracts everything the relation ingested and forgets
 * its offsets; its reader then starts over from the new position. Doing it in the runner, whose
 * commits are sequential, keeps a batch read before the reset from landing after it.
 */
export function resetSourceOptions(rel: RelationDef, given: Readonly<Record<string, string>>): RelationDef {
  if (rel.options['connector'] !== 'kafka' || (rel.kind !== 'source' && rel.kind !== 'table')) {
    throw new SqlError(SqlState.WrongObjectType, `"${rel.name}" is not a Kafka source or table`, { hint: "RESET TO re-reads a relation created WITH (connector = 'kafka', ...)." });
  }
  for (const k of Object.keys(given)) {
    if (k !== 'scan.startup.mode' && k !== 'scan.startup.timestamp.millis') {
      throw new SqlError(SqlState.InvalidParameterValue, `RESET TO does not take "${k}"`, { hint: "RESET TO (scan.startup.mode = 'earliest' | 'latest' | 'timestamp', scan.startup.timestamp.millis = '...')" });
    }
  }
  const options: Record<string, string> = { ...rel.options };
  delete options['scan.startup.mode'];
  delete options['scan.startup.timestamp.millis'];
  Object.assign(options, given, { 'reset.epoch': String(Number(rel.options['reset.epoch'] ?? 0) + 1) });
  kafkaOptions(options);
  return { ...rel, options };
}

/** counter: the last reset epoch the source runner carried out */
export const resetEpochCounter = (oid: number): string => `src:reset:${oid}`;

/** a record that was not ingested: where it was, its first bytes, why */
export interface RecordError { readonly partition: number; readonly offset: string; readonly record: string | null; readonly reason: string; readonly at: number }
/** errors kept per source, and bytes kept of each record */
const ERROR_LOG_SIZE = 1000;
const ERROR_RECORD_BYTES = 1024;

/** a record's headers as a jsonb object {name: value as text}; a repeated name keeps its last value */
function headersJson(headers: KafkaRecord['headers']): Jsonb {
  return new Jsonb(jsonObject(headers.map(([n, v]) => [n, v.toString('utf8')] as const)));
}

export class KafkaIngest {
  private readonly reader: KafkaSourceReader;
  private readonly next: Map<number, bigint>;
  /** a record as a change: the row to insert (plain), upsert or delete (changelog formats), of the payload columns */
  private readonly decode: (r: KafkaRecord) => ReturnType<ChangeDecoder>;
  /** ENCODE CSV: the decoder, whose partition headers are kept with the offsets */
  private readonly csv: CsvDecoder | null = null;
  /** per live column, what fills it (INCLUDE metadata, a header, PROCTIME), or null for the payload's */
  private readonly include: (Include | null)[];
  /** live positions of the payload columns */
  private readonly payloadAt: number[];
  private started: Promise<void> | null = null;
  ingested: number;
  errors: number;
  private errorLog: RecordError[];
  lastError: string | null = null;

  /** fills the generated columns of a row from its other columns */
  private readonly fill: ((row: Row) => void) | null;

  constructor(readonly rel: RelationDef, store: Store, ingested: number, fill: ((row: Row) => void) | null = null) {
    this.fill = fill;
    const stored = (store.note(kafkaOffsetsNote(rel.oid)) ?? {}) as Record<string, string>;
    this.next = new Map(Object.entries(stored).map(([p, o]) => [Number(p), BigInt(o)]));
    // a group of its own per reader: offsets live in Eddy's storage, and a restarted process need
    // not wait for the broker to time out the killed one's membership
    const opts = kafkaOptions(rel.options);
    this.reader = new KafkaSourceReader(opts, `${opts.groupPrefix}-${rel.oid}-${process.pid}-${Date.now()}`, this.next);
    const format = rel.options['format'] ?? 'plain';
    // INCLUDE columns hold the record's metadata, a PROCTIME() column the ingestion time; the payload fills the others
    const live = liveColumns(rel);
    this.include = live.map((c): Include | null => {
      const kind = INCLUDE_KINDS.find((k) => rel.options[`include.${k}`] === c.name);
      if (kind) return { kind };
      if (rel.options['proctime.column'] === c.name) return { kind: 'proctime' };
      const header = rel.options[`include.header.${c.name}`];
      return header === undefined ? null : { kind: 'one header', name: header, text: c.type.kind === 'scalar' && c.type.name !== 'bytea' };
    });
    // generated columns are computed from the others once the record is decoded (not read from it)
    const payloadAt = live.map((_, i) => i).filter((i) => this.include[i] === null && live[i]!.generatedSql === undefined);
    const payload = payloadAt.map((i) => live[i]!);
    let decode: (r: KafkaRecord) => ReturnType<ChangeDecoder>;
    if ((CHANGELOG_FORMATS as readonly string[]).includes(format)) {
      const pkAt = rel.primaryKey!.map((c) => payloadAt.indexOf(livePosition(rel, c)));
      const cdc = cdcDecoder(format as ChangelogFormat, payload, pkAt);
      decode = (r) => cdc(r.key, r.value);
    } else if (rel.options['encode'] === 'csv') {
      const csv = csvDecoder(payload, rel.options, (store.note(kafkaCsvHeadersNote(rel.oid)) ?? {}) as Record<string, number[]>);
      this.csv = csv;
      decode = (r) => csv.decode(r.partition, r.value).map((row) => ({ kind: 'upsert', row }));
    } else {
      const plain = jsonRowDecoder(payload);
      decode = (r) => [{ kind: 'upsert', row: plain(r.value) }];
    }
    this.payloadAt = payloadAt;
    this.decode = decode;
    this.ingested = ingested;
    this.errors = store.counter(kafkaErrorsCounter(rel.oid)) ?? 0;
    this.errorLog = (store.note(kafkaErrorLogNote(rel.oid)) ?? []) as RecordError[];
  }

  /** starts the reader (again, a second after it failed: a broker or topic that is not there yet) */
  ensureStarted(): void {
    if (this.started || Date.now() - this.failedAt < 1000) return;
    this.started = this.reader.start().catch((e: unknown) => {
      this.lastError = e instanceof Error ? e.message : String(e);
      this.failedAt = Date.now();
      void this.reader.abandonStart().finally(() => { this.started = null; });
    });
  }
  private failedAt = 0;

  /**
   * The next batch: rows to write, key rows to delete, the notes and counters to commit with
   * them; null when nothing arrived. `consumed`: records read (ingested_offset counts them,
   * whatever became of them).
   */
  take(max: number): { rows: Row[]; deletes: Row[]; consumed: number; notes: Map<string, unknown>; counters: Map<string, number>; commit(): void } | null {
    const records = this.reader.drain(max);
    // where the startup mode put the partitions on the source's first start: stored (with records
    // or alone), so that a restart tells them from partitions the topic gains later
    const starts = [...this.reader.startOffsets].filter(([p]) => !this.next.has(p));
    if (records.length === 0 && starts.length === 0) return null;
    const rows: Row[] = [];
    // changelog formats: the last change of each key in the batch is the one written
    const keyed = this.rel.primaryKey ? new Map<string, { row: Row; delete: boolean }>() : null;
    const pk = this.rel.primaryKey?.map((c) => livePosition(this.rel, c)) ?? [];
    const next = new Map([...this.next, ...starts]);
    let errors = 0;
    let consumed = 0;
    const failed: RecordError[] = [];
    const now = Date.now() * 1000;
    for (const r of records) {
      const expected = next.get(r.partition);
      if (expected !== undefined && r.offset < expected) continue;
      next.set(r.partition, r.offset + 1n);
      consumed++;
      try {
        // all of a record's changes, or none of them (a Canal record whose second row does not decode)
        const changes = this.decode(r).map((change) => ({ row: this.fullRow(change.row, r, now, change.kind !== 'delete'), delete: change.kind === 'delete' }));
        for (const { row, delete: del } of changes) {
          if (keyed) keyed.set(rowKey(pk.map((c) => row[c] ?? null)), { row, delete: del });
          else rows.push(row);
        }
      } catch (e) {
        if (!(e instanceof SqlError)) throw e;
        errors++;
        this.lastError = `partition ${r.partition} offset ${r.offset}: ${e.message}`;
        const raw = r.value === null ? null : r.value.subarray(0, ERROR_RECORD_BYTES).toString('utf8');
        failed.push({ partition: r.partition, offset: r.offset.toString(), record: raw, reason: e.message, at: Date.now() * 1000 });
      }
    }
    const deletes: Row[] = [];
    if (keyed) for (const c of keyed.values()) (c.delete ? deletes : rows).push(c.row);
    const offsets: Record<string, string> = {};
    for (const [p, o] of next) offsets[String(p)] = o.toString();
    const notes = new Map<string, unknown>([[kafkaOffsetsNote(this.rel.oid), offsets]]);
    const counters = new Map<string, number>([[kafkaErrorsCounter(this.rel.oid), this.errors + errors]]);
    const errorLog = failed.length ? [...this.errorLog, ...failed].slice(-ERROR_LOG_SIZE) : this.errorLog;
    if (failed.length) notes.set(kafkaErrorLogNote(this.rel.oid), errorLog);
    const headers = this.csv?.takeChangedHeaders();
    if (headers) notes.set(kafkaCsvHeadersNote(this.rel.oid), headers);
    return {
      rows, deletes, consumed, notes, counters,
      commit: () => {
        for (const [p, o] of next) this.next.set(p, o);
        this.errors += errors;
        this.errorLog = errorLog;
        this.ingested += consumed;
        this.samples.push([Date.now(), this.ingested]);
      },
    };
  }

  /** the payload's values, the record's metadata, the ingestion time `now` (µs) and (`generate`) the generated columns, in the relation's column order */
  private fullRow(payload: Row, r: KafkaRecord, now: number, generate: boolean): Row {
    if (this.payloadAt.length === this.include.length) return payload;
    const row: Datum[] = new Array<Datum>(this.include.length).fill(null);
    this.payloadAt.forEach((at, i) => { row[at] = payload[i] ?? null; });
    this.include.forEach((inc, at) => {
      if (inc === null) return;
      switch (inc.kind) {
        case 'key': row[at] = r.key === null ? null : new Uint8Array(r.key); break;
        case 'partition': row[at] = String(r.partition); break;
        case 'offset': row[at] = r.offset.toString(); break;
        case 'timestamp': row[at] = r.timestamp * 1000; break;
        case 'proctime': row[at] = now; break;
        // all headers: {name: value as text}; a repeated name keeps its last value
        case 'header': row[at] = r.headers.length ? headersJson(r.headers) : null; break;
        case 'one header': {
          // a repeated header: its last value (as Kafka Streams' lastHeader)
          let h: readonly [string, Buffer] | undefined;
          for (const x of r.headers) if (x[0] === inc.name) h = x;
          row[at] = h === undefined ? null : inc.text ? h[1].toString('utf8') : new Uint8Array(h[1]);
          break;
        }
      }
    });
    // a generated column whose expression fails makes the record an error (counted and skipped)
    if (generate && this.fill) this.fill(row);
    return row;
  }

  /** per partition: the next offset to ingest, the broker's high watermark, and the lag between them */
  partitions(): { partition: number; next: bigint; high: bigint | null; lag: bigint | null }[] {
    const parts = new Set([...this.next.keys(), ...this.reader.highWatermarks.keys()]);
    return [...parts].sort((a, b) => a - b).map((p) => {
      const next = this.next.get(p) ?? 0n;
      const high = this.reader.highWatermarks.get(p) ?? null;
      return { partition: p, next, high, lag: high === null ? null : (high > next ? high - next : 0n) };
    });
  }

  /** records per second over the last minute of commits */
  rate(): number {
    const now = Date.now();
    while (this.samples.length && now - this.samples[0]![0] > 60_000) this.samples.shift();
    if (this.samples.length < 2) return 0;
    const [t0, n0] = this.samples[0]!;
    const [t1, n1] = this.samples[this.samples.length - 1]!;
    return t1 > t0 ? ((n1 - n0) * 1000) / (t1 - t0) : 0;
  }
  /** (time, records consumed) after each commit */
  private readonly samples: [number, number][] = [];

  stop(): Promise<void> { return this.reader.stop(); }
}
