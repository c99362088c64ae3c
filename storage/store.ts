// The durable store: one LMDB environment holding the catalog record, every table's rows
// (keyed by relation oid + order-preserving primary key) and secondary index entries.
// A commit applies a whole transaction's writes in one LMDB write transaction, so an
// acknowledged commit survives kill -9 and a failed one leaves no trace.
import { open, type RootDatabase, type Database } from 'lmdb';
import type { SqlType } from '../core/types.js';
import type { Row } from '../core/datum.js';
import { SqlError, SqlState } from '../core/errors.js';
import { encodeRow, decodeRow, type Stored } from './row-codec.js';
import { KeyWriter, relationRange, prefixEnd } from './key-codec.js';
import { storedEqual } from './stored-equal.js';
import { Binlog, BinlogEvent, BINLOG_CHUNK, type BinlogEntry } from './binlog.js';
import { ColumnStore, type ColumnCommit, type ColumnScanSpec, type SegmentMeta, type StoreChunk, type BulkLoad } from './column/column-store.js';
export type { StoreChunk } from './column/column-store.js';

export type { StoredRelation, StoredIndex, RowWrite, CommitBatch, ReadSnapshot, Orientation, StateWrite } from './store-types.js';
import type { StoredRelation, StoredIndex, CommitBatch, ReadSnapshot } from './store-types.js';

const CATALOG_KEY = 'catalog';

export { BinlogEvent, type BinlogEntry } from './binlog.js';

export class Store {
  private readonly root: RootDatabase;
  private readonly rows: Database<Stored[], Buffer>;
  private readonly index: Database<Buffer, Buffer>;
  private readonly meta: Database<unknown, string>;
  /** materialized views' operator state: keys and values as the dataflow encodes them */
  private readonly state: Database<Buffer, Buffer>;
  /** per-table change log: key = relation oid + the table's sequence number, value = [event type, commit µs, row] */
  private readonly binlogs: Binlog;
  private readonly kw = new KeyWriter();
  readonly columns: ColumnStore;
  /** snapshots handed out so far, and the epoch of each still open (segment files outlive them) */
  private snapshotEpoch = 0;
  private readonly openSnapshots = new Map<ReadSnapshot, number>();

  constructor(readonly dir: string, opts: { noSync?: boolean; segmentCacheBytes?: number; retireGraceMs?: number } = {}) {
    // every running statement holds a read snapshot, so allow many readers (connections)
    this.root = open({ path: dir, maxDbs: 16, maxReaders: 4096, noSync: opts.noSync ?? false, mapSize: 2 ** 36, compression: false });
    this.rows = this.root.openDB({ name: 'rows', keyEncoding: 'binary', encoding: 'msgpack' });
    this.index = this.root.openDB({ name: 'index', keyEncoding: 'binary', encoding: 'binary' });
    this.meta = this.root.openDB({ name: 'meta', keyEncoding: 'ordered-binary', encoding: 'msgpack' });
    this.state = this.root.openDB({ name: 'opstate', keyEncoding: 'binary', encoding: 'binary' });
    this.binlogs = new Binlog(this.root.openDB({ name: 'binlog', keyEncoding: 'binary', encoding: 'msgpack' }));
    this.columns = new ColumnStore(this.root, {
      segments: this.root.openDB({ name: 'segments', keyEncoding: 'binary', encoding: 'msgpack' }),
      delbits: this.root.openDB({ name: 'delbits', keyEncoding: 'binary', encoding: 'binary' }),
      loc: this.root.openDB({ name: 'loc', keyEncoding: 'binary', encoding: 'binary' }),
      memtable: this.root.openDB({ name: 'memtable', keyEncoding: 'binary', encoding: 'msgpack' }),
    }, dir, {
      epoch: () => this.snapshotEpoch,
      oldestOpen: () => { let m = Infinity; for (const e of this.openSnapshots.values()) if (e < m) m = e; return m; },
      open: () => this.snapshot(),
    }, (n) => this.allocateBlock('segmentId', n, 1), opts.segmentCacheBytes ?? 1024 * 1024 * 1024, opts.retireGraceMs ?? 30_000);
  }

  loadCatalog(): unknown {
    return this.meta.get(CATALOG_KEY);
  }

  /** a persisted counter (CommitBatch.counters), latest or as of `snap` */
  counter(name: string, snap?: ReadSnapshot): number | undefined {
    return (snap ? this.meta.get('counter:' + name, { transaction: snap.txn } as never) : this.meta.get('counter:' + name)) as number | undefined;
  }

  /** a value persisted by a commit's notes, latest or as of `snap` */
  note(name: string, snap?: ReadSnapshot): unknown {
    return snap ? this.meta.get('note:' + name, { transaction: snap.txn } as never) : this.meta.get('note:' + name);
  }

  /** the sequence number of a table's last binlog entry (0: none yet), latest or as of `snap` */
  binlogHead(oid: number, snap?: ReadSnapshot): number {
    const key = 'binlogSeq:' + oid;
    return ((snap ? this.meta.get(key, { transaction: snap.txn } as never) : this.meta.get(key)) as number | undefined) ?? 0;
  }

  /** Bumped by every commit that changes the catalog; other processes on the same data reload on change. */
  catalogVersion(): number {
    return (this.meta.get('catalogVersion') as number | undefined) ?? 0;
  }

  /**
   * Reserves `size` values of a counter for this process: returns the first, and the counter moves
   * past the block durably, so several processes (or a restart) never hand out a value twice.
   */
  allocateBlock(name: string, size: number, initial = 0): number {
    return this.root.transactionSync(() => {
      const key = 'counter:' + name;
      const cur = (this.meta.get(key) as number | undefined) ?? initial;
      this.meta.put(key, cur + size);
      return cur;
    });
  }

  /**
   * A consistent read view of all tables as of now: a statement reads through one snapshot even
   * while it yields to the event loop and other sessions commit. Must be released with done().
   */
  snapshot(): ReadSnapshot {
    const txn = this.rows.useReadTransaction() as unknown as { done(): void };
    const epoch = ++this.snapshotEpoch;
    let open = true;
    const snap: ReadSnapshot = {
      txn,
      done: () => {
        if (!open) return;
        open = false;
        this.openSnapshots.delete(snap);
        txn.done();
      },
    };
    this.openSnapshots.set(snap, epoch);
    return snap;
  }

  get(rel: StoredRelation, key: Buffer, snap?: ReadSnapshot): Row | undefined {
    if (!rel.orientation.row) return this.columns.get(rel, key, snap);
    const v = snap ? this.rows.get(key, { transaction: snap.txn } as never) : this.rows.get(key);
    return v === undefined ? undefined : decodeRow(rel.types, v);
  }

  /** up to `limit` keys of the relation's rows that start with `prefix`, as of `snap` */
  keysWithPrefix(rel: StoredRelation, prefix: Buffer, limit: number, snap?: ReadSnapshot): Buffer[] {
    if (!rel.orientation.row) return this.columns.keysWithPrefix(rel, prefix, limit, snap);
    const out: Buffer[] = [];
    for (const k of this.rows.getKeys({ start: prefix, end: prefixEnd(prefix), limit, ...(snap ? { transaction: snap.txn } : {}) } as never) as Iterable<Buffer>) out.push(Buffer.from(k));
    return out;
  }

  /** Rows with their keys from the store a full scan should use: the row store if the table has one. */
  *scan(rel: StoredRelation, range?: { start: Buffer; end: Buffer }, snap?: ReadSnapshot): Generator<[Buffer, Row]> {
    if (!rel.orientation.row) {
      if (range) throw new Error('key-range scans need the row store');
      yield* this.columns.scan(rel, { columns: null, predicates: [] }, snap);
      return;
    }
    const r = range ?? relationRange(rel.oid);
    for (const { key, value } of this.rows.getRange({ start: r.start, end: r.end, ...(snap ? { transaction: snap.txn } : {}) } as never) as Iterable<{ key: Buffer; value: Stored[] }>) {
      yield [key, decodeRow(rel.types, value)];
    }
  }

  /** A table's change log in commit order, from sequence number `after` (exclusive). */
  binlog(rel: StoredRelation, after = 0, snap?: ReadSnapshot): Generator<BinlogEntry> {
    return this.binlogs.read(rel.oid, rel.types, after, snap);
  }

  /** Removes binlog entries committed before `beforeMicros` (binlog_ttl). Returns how many went. */
  async trimBinlog(rel: StoredRelation, beforeMicros: number): Promise<number> {
    const { keys, entries } = this.binlogs.oldChunks(rel.oid, beforeMicros);
    if (keys.length) await this.root.transaction(() => this.binlogs.remove(keys));
    return entries;
  }

  /** Whether the table has no rows as of `snap`. */
  isEmpty(rel: StoredRelation, snap?: ReadSnapshot): boolean {
    if (!rel.orientation.row) return this.columns.isEmpty(rel.oid, snap);
    const r = relationRange(rel.oid);
    for (const _ of this.rows.getKeys({ start: r.start, end: r.end, limit: 1, ...(snap ? { transaction: snap.txn } : {}) } as never)) return false;
    return true;
  }

  countRows(rel: StoredRelation): number {
    if (!rel.orientation.row) { let n = 0; for (const _ of this.columns.scan(rel, { columns: [], predicates: [] })) n++; return n; }
    const r = relationRange(rel.oid);
    return this.rows.getKeysCount({ start: r.start, end: r.end });
  }

  /** Primary keys of rows whose indexed columns equal `values` (a prefix of the index columns is allowed). */
  *indexLookup(idx: StoredIndex, types: readonly SqlType[], values: readonly unknown[], snap?: ReadSnapshot): Generator<Buffer> {
    const prefix = this.indexPrefix(idx, types, values as Row);
    for (const { value } of this.index.getRange({ start: prefix, end: prefixEnd(prefix), ...(snap ? { transaction: snap.txn } : {}) } as never) as Iterable<{ value: Buffer }>) yield value;
  }

  private indexPrefix(idx: StoredIndex, types: readonly SqlType[], values: Row): Buffer {
    this.kw.reset();
    this.kw.u32(idx.oid);
    for (let i = 0; i < values.length; i++) this.kw.datum(types[i]!, values[i] ?? null);
    return this.kw.finish();
  }

  private indexKey(rel: StoredRelation, idx: StoredIndex, row: Row, pk: Buffer): Buffer {
    this.kw.reset();
    this.kw.u32(idx.oid);
    let hasNull = false;
    for (const c of idx.columns) {
      const d = row[c] ?? null;
      if (d === null) hasNull = true;
      this.kw.datum(rel.types[c]!, d);
    }
    const head = this.kw.finish();
    // Unique indexes key on the columns alone, so a second row with the same values collides;
    // rows with a NULL never collide (SQL unique semantics), so they get the primary key appended.
    return idx.unique && !hasNull ? head : Buffer.concat([head, pk]);
  }

  /** Applies a transaction's writes atomically and durably. Unique indexes are re-checked here. */
  async commit(batch: CommitBatch): Promise<void> {
    const cc = this.columns.beginCommit();
    const bulk = this.columns.prepareBulk(batch.rows);
    try {
      await this.root.transaction(() => this.applyInTxn(batch, cc, bulk));
    } catch (err) {
      bulk?.abandon();
      throw err;
    }
    cc.committed();
    for (const [oid, n] of cc.written) this.onColumnWrites?.(oid, n);
    // lmdb-js resolves a transaction when it is committed and visible (overlappingSync); the
    // flush to disk completes after it
    if (batch.durable !== false) await this.root.flushed;
  }

  /** told after each commit how many rows went into a table's memtable (flush scheduling) */
  onColumnWrites: ((oid: number, rows: number) => void) | null = null;

  /** the current version of a row, in stored form, from whichever store holds it (inside a write transaction) */
  private currentStored(rel: StoredRelation, key: Buffer, cc: ColumnCommit): Stored[] | undefined {
    return rel.orientation.row ? this.rows.get(key) : cc.current(rel, key);
  }

  private applyInTxn(batch: CommitBatch, cc: ColumnCommit, bulk: BulkLoad | null): void {
    // each table's binlog numbers its entries 1, 2, 3, ... without gaps, written in chunks as they fill
    const logs = new Map<number, { next: number; entries: [number, Stored[]][] }>();
    const ts = batch.commitTimestamp ?? Date.now() * 1000;
    const log = (rel: StoredRelation, event: BinlogEvent, row: Stored[]): void => {
      let l = logs.get(rel.oid);
      if (!l) { l = { next: ((this.meta.get('binlogSeq:' + rel.oid) as number | undefined) ?? 0) + 1, entries: [] }; logs.set(rel.oid, l); }
      l.entries.push([event, row]);
      if (l.entries.length >= BINLOG_CHUNK) { this.binlogs.append(rel.oid, l.next, ts, l.entries); l.next += l.entries.length; l.entries = []; }
    };
    const dropped = new Set(batch.droppedRelations ?? []);
    for (const rel of batch.clearRelations ?? []) {
      // TRUNCATE deletes every row: its binlog says so (views and other consumers follow it)
      if (!dropped.has(rel.oid)) for (const [, row] of this.scan(rel)) log(rel, BinlogEvent.Delete, encodeRow(rel.types, row));
      const r = relationRange(rel.oid);
      for (const key of this.rows.getKeys({ start: r.start, end: r.end })) this.rows.remove(key);
      for (const idx of rel.indexes) {
        const ir = relationRange(idx.oid);
        for (const key of this.index.getKeys({ start: ir.start, end: ir.end })) this.index.remove(key);
      }
      cc.clear(rel.oid);
    }
    for (const r of batch.retract ?? []) for (const row of r.rows) log(r.rel, BinlogEvent.Delete, encodeRow(r.rel.types, row));
    for (const w of batch.rows) {
      const { row: inRow, column: inColumn } = w.rel.orientation;
      // the current version, read once: checked against what the transaction computed from, then superseded
      let cur: Stored[] | undefined;
      let curRead = false;
      if (w.expected !== undefined) {
        cur = this.currentStored(w.rel, w.key, cc);
        curRead = true;
        const want = w.expected === null ? undefined : encodeRow(w.rel.types, w.expected);
        if (!storedEqual(cur, want)) {
          throw new SqlError(SqlState.SerializationFailure, 'could not serialize access due to concurrent update', { table: w.rel.name });
        }
      }
      const plain = w.rel.indexes.length === 0;
      const placed = bulk?.placed.has(w) ?? false;
      if (plain && w.fresh) {
        // a new hidden row id: no old version, no index entries, no conflict possible
        const stored = encodeRow(w.rel.types, w.row!);
        if (inRow) this.rows.put(w.key, stored);
        if (inColumn) cc.write(w.rel, w.key, stored, false, placed);
        log(w.rel, BinlogEvent.Insert, stored);
        continue;
      }
      const oldStored = w.fresh ? undefined : curRead ? cur : this.currentStored(w.rel, w.key, cc);
      if (oldStored !== undefined) log(w.rel, w.row === null ? BinlogEvent.Delete : BinlogEvent.UpdateBefore, oldStored);
      if (w.insertOnly && oldStored !== undefined) {
        const name = w.rel.pkName ?? `${w.rel.name}_pkey`;
        throw new SqlError(SqlState.UniqueViolation, `duplicate key value violates unique constraint "${name}"`, { table: w.rel.name, constraint: name });
      }
      if (w.rel.indexes.length > 0 && oldStored !== undefined) {
        const old = decodeRow(w.rel.types, oldStored);
        for (const idx of w.rel.indexes) this.index.remove(this.indexKey(w.rel, idx, old, w.key));
      }
      if (w.row === null) {
        if (oldStored !== undefined) {
          if (inRow) this.rows.remove(w.key);
          if (inColumn) cc.write(w.rel, w.key, null, true);
        }
        continue;
      }
      for (const idx of w.rel.indexes) {
        const ik = this.indexKey(w.rel, idx, w.row, w.key);
        if (idx.unique) {
          const holder = this.index.get(ik);
          if (holder !== undefined && !Buffer.from(holder).equals(w.key)) {
            throw new SqlError(SqlState.UniqueViolation, `duplicate key value violates unique constraint "${idx.name}"`,
              { table: w.rel.name, constraint: idx.name });
          }
        }
        this.index.put(ik, w.key);
      }
      const stored = encodeRow(w.rel.types, w.row);
      if (inRow) this.rows.put(w.key, stored);
      if (inColumn) cc.write(w.rel, w.key, stored, oldStored !== undefined, placed);
      log(w.rel, oldStored === undefined ? BinlogEvent.Insert : BinlogEvent.UpdateAfter, stored);
    }
    cc.finish();
    bulk?.register();
    for (const [oid, l] of logs) {
      if (l.entries.length) this.binlogs.append(oid, l.next, ts, l.entries);
      this.meta.put('binlogSeq:' + oid, l.next + l.entries.length - 1);
    }
    for (const oid of batch.droppedRelations ?? []) {
      this.binlogs.drop(oid);
      this.meta.remove('binlogSeq:' + oid);
    }
    if (batch.catalog !== undefined) {
      this.meta.put(CATALOG_KEY, batch.catalog);
      this.meta.put('catalogVersion', ((this.meta.get('catalogVersion') as number | undefined) ?? 0) + 1);
    }
    for (const prefix of batch.clearState ?? []) {
      for (const key of this.state.getKeys({ start: prefix, end: prefixEnd(prefix) })) this.state.remove(key);
    }
    for (const w of batch.state ?? []) {
      if (w.value === null) this.state.remove(w.key);
      else this.state.put(w.key, w.value);
    }
    for (const [name, v] of batch.counters ?? []) this.meta.put('counter:' + name, v);
    for (const [name, v] of batch.notes ?? []) {
      if (v === undefined) this.meta.remove('note:' + name);
      else this.meta.put('note:' + name, v);
    }
  }

  /** one key of operator state (latest committed) */
  stateGet(key: Buffer): Buffer | undefined {
    return this.state.getBinary(key) ?? undefined;
  }

  /** operator state whose keys start with `prefix` (latest committed), in key order */
  *stateRange(prefix: Buffer): Generator<[Buffer, Buffer]> {
    for (const { key, value } of this.state.getRange({ start: prefix, end: prefixEnd(prefix) }) as Iterable<{ key: Buffer; value: Buffer }>) yield [key, value];
  }

  /** the distinct first 4 bytes (view oids) of all operator state keys */
  stateOwners(): number[] {
    const out: number[] = [];
    let from = Buffer.alloc(4);
    for (;;) {
      let next: Buffer | undefined;
      for (const k of this.state.getKeys({ start: from, limit: 1 }) as Iterable<Buffer>) next = k;
      if (!next || next.length < 4) return out;
      const oid = next.readUInt32BE(0);
      out.push(oid);
      if (oid === 0xffffffff) return out;
      from = Buffer.alloc(4);
      from.writeUInt32BE(oid + 1, 0);
    }
  }

  /** Vectorized column-store scan (see ColumnStore.scan). */
  columnScan(rel: StoredRelation, spec: ColumnScanSpec, snap?: ReadSnapshot): Generator<[Buffer, Row]> {
    return this.columns.scan(rel, spec, snap);
  }

  /** Chunks of a vectorized column-store scan (see ColumnStore.chunks). */
  columnChunks(rel: StoredRelation, spec: ColumnScanSpec, snap?: ReadSnapshot): Generator<StoreChunk> {
    return this.columns.chunks(rel, spec, snap);
  }

  segments(rel: StoredRelation): SegmentMeta[] {
    return this.columns.segments(rel.oid);
  }

  async close(): Promise<void> {
    await this.root.close();
  }
}
