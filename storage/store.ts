// The durable store: one LMDB environment holding the catalog record, every table's rows
// (keyed by relation oid + order-preserving primary key), secondary index entries, the column
// store's manifest and the binlogs. A commit applies a whole transaction's writes in one LMDB
// write transaction, so an acknowledged commit survives kill -9 and a failed one leaves no trace.
//
// A commit logs row changes to the tables' binlogs and keeps them in the delta (delta.ts); the
// row store and the column segments receive them at the next flush, in key order, or at once for
// a commit of at least a segment's worth of rows into a table with an empty delta (bulk loads).
// Every read lays the delta its snapshot sees over the stores.
import { open, type RootDatabase, type Database } from 'lmdb';
import type { SqlType } from '../core/types.js';
import type { Row } from '../core/datum.js';
import { SqlError, SqlState } from '../core/errors.js';
import { encodeRow, decodeRow, type Stored } from './row-codec.js';
import { KeyWriter, relationRange, prefixEnd } from './key-codec.js';
import { storedEqual } from './stored-equal.js';
import { Binlog, BinlogEvent, ChunkPacker, type BinlogEntry } from './binlog.js';
import { PackWriter } from './packed-rows.js';
import { unpack } from 'msgpackr';
import { rowMatches } from './column/vector-filter.js';
import { ColumnStore, type ColumnCommit, type ColumnScanSpec, type SegmentMeta, type StoreChunk, type BulkLoad } from './column/column-store.js';
import { segmentRows } from './column/layout.js';
import { DeltaSet, appliedKey, headKey, loadMarkKey } from './delta-set.js';
import type { DeltaBounds, DeltaRow, TableDelta } from './delta.js';
import { keyId } from './key-id.js';
import { BulkInsert } from './bulk-insert.js';
import { putChunkRows, appendBinlogChunks } from './chunk-writes.js';
import { StagedLoad, recoverStagedLoads, type StagingHost } from './staged-load.js';
import { RowFlushes, recoverRowFlushes, rowFlushRunning, FlushRunning } from './row-flush.js';

export type { StoreChunk } from './column/column-store.js';

export type { StoredRelation, StoredIndex, RowWrite, CommitBatch, ReadSnapshot, Orientation, StateWrite } from './store-types.js';
import type { StoredRelation, StoredIndex, CommitBatch, ReadSnapshot } from './store-types.js';

const CATALOG_KEY = 'catalog';

/** what a commit did that the store acts on once it is committed (or undoes if it failed) */
interface CommitEffects {
  /** tables whose delta copy this commit added to */
  readonly deltaTables: Set<number>;
  /** tables whose applied mark it moved */
  readonly applied: Map<number, number>;
  /** rows it added to each table's delta */
  readonly deltaWrites: Map<number, number>;
}

/** how a table takes one commit's writes */
interface TxnTable {
  /** its delta, caught up to the transaction (null: a source, which keeps only its binlog) */
  d: TableDelta | null;
  applied: number;
  /** its binlog head before this commit */
  head: number;
  /** a bulk write into an empty delta: straight into the stores */
  direct: boolean;
}

/**
 * Stored rows in key order with the delta's versions (also in key order) laid over them: a delta
 * row replaces or adds a row, a delta null removes one.
 */
function* mergeDelta<V>(stored: Iterable<[Buffer, V]>, delta: Iterable<[Buffer, Stored[] | null, string]>, fromDelta: (row: Stored[]) => V): Generator<[Buffer, V]> {
  const it = delta[Symbol.iterator]();
  let d = it.next();
  for (const [k, v] of stored) {
    let c = 1;
    while (!d.done && (c = Buffer.compare(d.value[0], k)) < 0) {
      if (d.value[1] !== null) yield [d.value[0], fromDelta(d.value[1])];
      d = it.next();
    }
    if (!d.done && c === 0) {
      if (d.value[1] !== null) yield [k, fromDelta(d.value[1])];
      d = it.next();
      continue;
    }
    yield [k, v];
  }
  for (; !d.done; d = it.next()) if (d.value[1] !== null) yield [d.value[0], fromDelta(d.value[1])];
}

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
  /** the tables' changes not yet flushed into their stores, as this process has read them */
  private readonly deltas: DeltaSet;
  /** snapshots handed out so far, and the epoch of each still open (segment files outlive them) */
  private snapshotEpoch = 0;
  private readonly openSnapshots = new Map<ReadSnapshot, number>();

  /** how long a TRUNCATE or DROP retries while another process flushes the table */
  private readonly flushWaitMs: number;

  constructor(readonly dir: string, opts: { noSync?: boolean; segmentCacheBytes?: number; retireGraceMs?: number; flushWaitMs?: number } = {}) {
    this.flushWaitMs = opts.flushWaitMs ?? 30_000;
    // every running statement holds a read snapshot, so allow many readers (connections)
    // 16 KiB pages (new environments only): a flush rewrites many pages of the row store's
    // B-tree at random, and with 4 KiB pages the free-page list that leaves behind makes every
    // later commit slow (LMDB rewrites and searches it; 5M rows: ~150 ms per commit instead of ~5)
    this.root = open({ path: dir, maxDbs: 16, maxReaders: 4096, noSync: opts.noSync ?? false, pageSize: 16384, mapSize: 2 ** 36, compression: false });
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
    this.deltas = new DeltaSet(this.binlogs, this.meta, {
      epoch: () => this.snapshotEpoch,
      oldestOpen: () => { let m = Infinity; for (const e of this.openSnapshots.values()) if (e < m) m = e; return m; },
    });
    this.staging = {
      root: this.root, rows: this.rows, meta: this.meta, binlogs: this.binlogs, deltas: this.deltas,
      hasSegments: (oid) => !this.columns.isEmpty(oid),
      registerSegments: (oid, segments) => this.columns.registerWhole(oid, segments),
      holdWrites: (oid, done) => {
        const held = done.finally(() => { if (this.loads.get(oid) === held) this.loads.delete(oid); });
        this.loads.set(oid, held);
      },
    };
    // bulk loads a killed process left half-written are taken back
    recoverStagedLoads(this.staging);
    this.rowFlushes = new RowFlushes({ root: this.root, rows: this.rows, meta: this.meta, deltas: this.deltas });
    recoverRowFlushes(this.root, this.meta);
  }

  /** flushes writing tables' row stores ahead of their transactions (row-flush.ts) */
  private readonly rowFlushes: RowFlushes;
  /** packs each new version of a commit (commits run one at a time) */
  private readonly commitPacker = new PackWriter(1 << 12);

  /** what staged bulk loads (staged-load.ts) use of the store */
  private readonly staging: StagingHost;
  /** tables a staged bulk load of this process is writing: commits to them wait for it */
  private readonly loads = new Map<number, Promise<void>>();

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

  /**
   * Bumped by every commit that changes the catalog; other processes on the same data reload on
   * change. Read from the latest commit (fresh(): asked at the start of each statement).
   */
  catalogVersion(): number {
    this.fresh();
    return (this.meta.get('catalogVersion') as number | undefined) ?? 0;
  }

  /**
   * Makes the next read start from the latest commit of any process. lmdb-js shares one read
   * transaction among this process's reads until its setTimeout(0) fires or this process commits,
   * and useReadTransaction() hands that one out as it was begun (its renew() leaves an active
   * transaction as it is, and is skipped while another reader holds it): without this, a
   * statement that arrives right after another process acknowledged a commit could read a view
   * from before that commit (a count missing rows the client saw inserted).
   */
  private fresh(): void {
    this.root.resetReadTxn();
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
    // every commit acknowledged before now, by any process, is in it
    this.fresh();
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

  /** The delta a reader sees of a table, or null when it sees none (nothing pending: the common case). */
  private deltaView(rel: StoredRelation, snap?: ReadSnapshot): { d: TableDelta; b: DeltaBounds } | null {
    if (!rel.orientation.row && !rel.orientation.column) return null;
    // a statement's look-ups of one table through one snapshot see the same delta: the last
    // answer serves the next (a snapshot's bounds never change; the delta it caught up to keeps
    // what the snapshot sees while the snapshot is open)
    const last = this.lastDeltaView;
    if (snap && last.snap === snap && last.oid === rel.oid) return last.view;
    const b = this.deltas.bounds(rel.oid, snap);
    const view = b.head === b.applied ? null : { d: this.deltas.delta(rel.oid, b, snap), b };
    if (!view) this.deltas.settled(rel.oid, b);
    if (snap) { last.snap = snap; last.oid = rel.oid; last.view = view; }
    return view;
  }

  private readonly lastDeltaView: { snap: ReadSnapshot | null; oid: number; view: { d: TableDelta; b: DeltaBounds } | null } = { snap: null, oid: 0, view: null };

  /**
   * Whether a bulk load is writing the table as of `snap` (staged-load.ts): its row store then
   * holds only the load's rows, and the reader sees the table as it was: empty.
   */
  private loadingFor(rel: StoredRelation, snap?: ReadSnapshot): boolean {
    return rel.orientation.row && this.deltas.bounds(rel.oid, snap).loading === true;
  }

  /**
   * A row by key as of `snap`. `packed`, if given, gets the row's bytes as the row store holds
   * them (undefined if it came from elsewhere): a commit logs them as the before-image of a write
   * computed from this row instead of encoding the row again (RowWrite.expectedPacked).
   */
  get(rel: StoredRelation, key: Buffer, snap?: ReadSnapshot, packed?: { bytes: Uint8Array | undefined }, id?: string): Row | undefined {
    if (packed) packed.bytes = undefined;
    const v = this.deltaView(rel, snap);
    if (v) {
      const r = v.d.visible(id ?? keyId(key), v.b);
      if (r !== undefined) return r === null ? undefined : decodeRow(rel.types, r);
    }
    if (!rel.orientation.row) return this.columns.get(rel, key, snap);
    if (this.loadingFor(rel, snap)) return undefined;
    if (packed) {
      // lmdb-js takes read options here too (its typings do not say so)
      const rows = this.rows as unknown as { getBinary(k: Buffer, o?: { transaction: unknown }): Buffer | undefined };
      const bytes = rows.getBinary(key, snap ? { transaction: snap.txn } : undefined);
      if (bytes === undefined) return undefined;
      packed.bytes = bytes;
      return decodeRow(rel.types, unpack(bytes) as Stored[]);
    }
    const s = snap ? this.rows.get(key, { transaction: snap.txn } as never) : this.rows.get(key);
    return s === undefined ? undefined : decodeRow(rel.types, s);
  }

  /** up to `limit` keys of the relation's rows that start with `prefix`, in key order, as of `snap` */
  keysWithPrefix(rel: StoredRelation, prefix: Buffer, limit: number, snap?: ReadSnapshot): Buffer[] {
    const v = this.deltaView(rel, snap);
    // the delta may delete some of the stored keys: ask the stores for that many more
    const extra = v ? v.d.size : 0;
    let stored: Buffer[];
    if (!rel.orientation.row) stored = this.columns.keysWithPrefix(rel, prefix, limit + extra, snap);
    else if (this.loadingFor(rel, snap)) stored = [];
    else {
      stored = [];
      for (const k of this.rows.getKeys({ start: prefix, end: prefixEnd(prefix), limit: limit + extra, ...(snap ? { transaction: snap.txn } : {}) } as never) as Iterable<Buffer>) stored.push(Buffer.from(k));
    }
    if (!v) return stored.slice(0, limit);
    const out: Buffer[] = [];
    for (const [key] of mergeDelta(stored.map((k): [Buffer, null] => [k, null]), v.d.sorted(v.b, prefix, prefixEnd(prefix)), () => null)) {
      out.push(key);
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Rows with their keys from the store a full scan should use: the row store (in key order) if the table has one. */
  *scan(rel: StoredRelation, range?: { start: Buffer; end: Buffer }, snap?: ReadSnapshot): Generator<[Buffer, Row]> {
    if (!rel.orientation.row) {
      if (range) throw new Error('key-range scans need the row store');
      yield* this.columnScan(rel, { columns: null, predicates: [] }, snap);
      return;
    }
    if (this.loadingFor(rel, snap)) return;
    const r = range ?? relationRange(rel.oid);
    const stored = this.rows.getRange({ start: r.start, end: r.end, ...(snap ? { transaction: snap.txn } : {}) } as never) as Iterable<{ key: Buffer; value: Stored[] }>;
    const v = this.deltaView(rel, snap);
    if (!v) {
      for (const { key, value } of stored) yield [key, decodeRow(rel.types, value)];
      return;
    }
    const pairs = (function* (): Generator<[Buffer, Stored[]]> { for (const { key, value } of stored) yield [key, value]; })();
    for (const [key, value] of mergeDelta(pairs, v.d.sorted(v.b, r.start, r.end), (x: Stored[]) => x)) yield [key, decodeRow(rel.types, value)];
  }

  /** A table's change log in commit order, from sequence number `after` (exclusive). */
  binlog(rel: StoredRelation, after = 0, snap?: ReadSnapshot): Generator<BinlogEntry> {
    // up to the head: a running bulk load's entries lie past it
    return this.binlogs.read(rel.oid, rel.types, after, this.deltas.bounds(rel.oid, snap).head, snap);
  }

  /** Removes binlog entries committed before `beforeMicros` (binlog_ttl), never the delta. Returns how many went. */
  async trimBinlog(rel: StoredRelation, beforeMicros: number): Promise<number> {
    // entries past the applied mark are the delta, kept until flushed: flush first if some are that old
    const b = this.deltas.bounds(rel.oid);
    if (b.applied < b.head && this.binlogs.oldChunks(rel.oid, beforeMicros).keys.length > this.binlogs.oldChunks(rel.oid, beforeMicros, b.applied).keys.length) await this.flush(rel);
    const { keys, entries } = this.binlogs.oldChunks(rel.oid, beforeMicros, this.deltas.bounds(rel.oid).applied);
    if (keys.length) await this.root.transaction(() => this.binlogs.remove(keys));
    return entries;
  }

  /** Whether the table has no rows as of `snap`. */
  isEmpty(rel: StoredRelation, snap?: ReadSnapshot): boolean {
    const v = this.deltaView(rel, snap);
    if (v) for (const [, row] of v.d.entries(v.b)) if (row !== null) return false;
    if (!rel.orientation.row) {
      if (!v) return this.columns.isEmpty(rel.oid, snap);
      for (const _ of this.columnScan(rel, { columns: [], predicates: [] }, snap)) return false;
      return true;
    }
    if (this.loadingFor(rel, snap)) return true;
    const r = relationRange(rel.oid);
    // a stored key the delta deletes does not count
    for (const k of this.rows.getKeys({ start: r.start, end: r.end, ...(snap ? { transaction: snap.txn } : {}) } as never) as Iterable<Buffer>) {
      if (!v || v.d.visible(keyId(k), v.b) !== null) return false;
    }
    return true;
  }

  countRows(rel: StoredRelation): number {
    if (this.loadingFor(rel)) return 0;
    if (!rel.orientation.row) { let n = 0; for (const _ of this.columnScan(rel, { columns: [], predicates: [] })) n++; return n; }
    const r = relationRange(rel.oid);
    let n = this.rows.getKeysCount({ start: r.start, end: r.end });
    const v = this.deltaView(rel);
    if (v) {
      for (const [key, row] of v.d.entries(v.b)) {
        const stored = this.rows.doesExist(key);
        if (row === null && stored) n--;
        else if (row !== null && !stored) n++;
      }
    }
    return n;
  }

  /** the table's binlog head as of `snap` (RowWrite.expectedAt) */
  readPosition(rel: StoredRelation, snap?: ReadSnapshot): number {
    return this.deltas.bounds(rel.oid, snap).head;
  }

  /** rows in a table's delta (keys changed since its last flush), as of the latest commit */
  deltaRows(rel: StoredRelation): number {
    return this.deltaView(rel)?.d.size ?? 0;
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
    const until = Date.now() + this.flushWaitMs;
    for (;;) {
      try {
        return await this.commitOnce(batch);
      } catch (err) {
        // a TRUNCATE or DROP of a table another process is flushing: that takes a second or two
        if (!(err instanceof FlushRunning) || Date.now() >= until) throw err;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }

  private async commitOnce(batch: CommitBatch): Promise<void> {
    if (this.loads.size) await this.loadsDone(batch);
    // TRUNCATE and DROP wait for a flush writing the table's row store
    if (this.rowFlushes.busy && (batch.clearRelations?.length || batch.droppedRelations?.length)) {
      await this.rowFlushes.settled([...(batch.clearRelations ?? []).map((r) => r.oid), ...(batch.droppedRelations ?? [])]);
    }
    const cc = this.columns.beginCommit();
    const bulk = this.columns.prepareBulk(batch.rows);
    const out: CommitEffects = { deltaTables: new Set(), applied: new Map(), deltaWrites: new Map() };
    try {
      // a child transaction: a commit that fails part way (a unique violation found late)
      // leaves none of what it wrote (a plain transaction() callback's writes stay when it throws)
      await this.root.childTransaction(() => {
        try {
          this.applyInTxn(batch, cc, bulk, out);
        } catch (err) {
          // the versions this commit added to deltas never happened
          for (const oid of out.deltaTables) this.deltas.reset(oid);
          throw err;
        }
      });
    } catch (err) {
      bulk?.abandon();
      for (const oid of out.deltaTables) this.deltas.reset(oid);
      throw err;
    }
    bulk?.abandonUnregistered();
    cc.committed();
    for (const [oid, upTo] of out.applied) this.deltas.noteApplied(oid, upTo);
    for (const [oid, n] of out.deltaWrites) this.onDeltaWrites?.(oid, n);
    // lmdb-js resolves a transaction when it is committed and visible (overlappingSync); the
    // flush to disk completes after it
    if (batch.durable !== false) await this.root.flushed;
  }

  /** waits for the staged bulk loads of the tables a commit writes (their rows come first) */
  private async loadsDone(batch: CommitBatch): Promise<void> {
    const oids = new Set<number>();
    for (const w of batch.rows) oids.add(w.rel.oid);
    for (const r of batch.clearRelations ?? []) oids.add(r.oid);
    for (const r of batch.retract ?? []) oids.add(r.rel.oid);
    for (const oid of batch.droppedRelations ?? []) oids.add(oid);
    for (let held = [...oids].flatMap((o) => this.loads.get(o) ?? []); held.length; held = [...oids].flatMap((o) => this.loads.get(o) ?? [])) {
      await Promise.allSettled(held);
    }
  }

  /**
   * A bulk load of new rows into `rel` (commitBulk). Into an empty table with a row store it
   * writes its rows as it goes, unseen until the commit (staged-load.ts).
   */
  bulkInsert(rel: StoredRelation, duplicate: (row: Row) => Error): BulkInsert {
    const stager = rel.orientation.row ? (): StagedLoad => new StagedLoad(this.staging, rel, (stored) => duplicate(decodeRow(rel.types, stored))) : null;
    return new BulkInsert(rel, this.columns, duplicate, stager);
  }

  /**
   * Commits a bulk load into a table with a row store, in one transaction: its rows into the row
   * store (a key already there fails it with 23505), its binlog entries, its segments into the manifest; the table's applied
   * mark moves past them. Only while the table's delta is empty (the stores hold all else):
   * returns false, committing nothing, if it is not (flush the table and try again). The load's
   * segment files go if it fails.
   */
  async commitBulk(load: BulkInsert, commitTimestamp = Date.now() * 1000, durable = true): Promise<boolean> {
    const rel = load.rel;
    const oid = rel.oid;
    // the row store finds keys already taken; a column-only table would need a look-up per key
    if (!rel.orientation.row) throw new Error('commitBulk needs a table with a row store');
    let last = -1;
    try {
      const { segments, binlogs, staged } = await load.finish();
      if (staged) {
        // the rows and binlog entries are written already: the commit publishes them
        await staged.commit(segments);
        if (durable) await this.root.flushed;
        return true;
      }
      // a child transaction, so that a duplicate found part way undoes the rows written before it
      await this.root.childTransaction(() => {
        const b = this.deltas.bounds(oid);
        if (b.applied !== b.head || b.loading) return;
        let append = true;
        for (const c of load.chunks) append = putChunkRows(this.rows, c, append, (stored) => load.duplicate(decodeRow(rel.types, stored)));
        // the binlog: the chunks packed with the segments, numbered on from the head
        let seq = b.head + 1;
        for (const packed of binlogs) seq = appendBinlogChunks(this.binlogs, oid, seq, packed, commitTimestamp);
        this.columns.registerWhole(oid, segments);
        last = seq - 1;
        this.meta.put(headKey(oid), last);
        this.meta.put(appliedKey(oid), last);
      });
    } catch (err) {
      await load.abandon();
      throw err;
    }
    if (last < 0) return false;
    this.deltas.noteApplied(oid, last);
    if (durable) await this.root.flushed;
    return true;
  }

  /** told after each commit how many rows went into a table's delta (flush scheduling) */
  onDeltaWrites: ((oid: number, rows: number) => void) | null = null;

  private applyInTxn(batch: CommitBatch, cc: ColumnCommit, bulk: BulkLoad | null, out: CommitEffects): void {
    // each table's binlog numbers its entries 1, 2, 3, ... without gaps, written in chunks as they fill
    const logs = new Map<number, ChunkPacker>();
    const ts = batch.commitTimestamp ?? Date.now() * 1000;
    const logOf = (oid: number): ChunkPacker => {
      let l = logs.get(oid);
      if (!l) { l = new ChunkPacker(this.binlogs, oid, ts, ((this.meta.get(headKey(oid)) as number | undefined) ?? 0) + 1); logs.set(oid, l); }
      return l;
    };
    /** logs an entry (with the row's key, for tables whose delta replays it); returns its sequence number */
    const log = (rel: StoredRelation, event: BinlogEvent, row: Stored[], key?: Buffer): number => logOf(rel.oid).entry(event, row, key);
    const lastSeq = (oid: number): number => {
      const l = logs.get(oid);
      return l ? l.next - 1 : ((this.meta.get(headKey(oid)) as number | undefined) ?? 0);
    };
    // a new version is packed once, for its binlog entry and the delta
    const packer = this.commitPacker;
    // How each stored table takes this commit: into its delta (caught up to this transaction
    // first), or, for a bulk write while its delta is empty, straight into its stores.
    const bigWrites = new Map<number, number>();
    for (const w of batch.rows) if (w.row !== null) bigWrites.set(w.rel.oid, (bigWrites.get(w.rel.oid) ?? 0) + 1);
    const tables = new Map<number, TxnTable>();
    const tableOf = (rel: StoredRelation, given?: DeltaBounds): TxnTable => {
      let t = tables.get(rel.oid);
      if (t) return t;
      if (!rel.orientation.row && !rel.orientation.column) {
        t = { d: null, applied: 0, head: 0, direct: false };
      } else {
        const b = given ?? this.deltas.bounds(rel.oid);
        if (b.loading) {
          // another process's bulk load is writing the table (this process's commits wait for theirs)
          throw new SqlError(SqlState.SerializationFailure, `could not serialize access: a bulk load into "${rel.name}" is running`, { table: rel.name });
        }
        // the first commit since deltas exist: everything logged before it is in the stores
        if (this.meta.get(appliedKey(rel.oid)) === undefined) this.meta.put(appliedKey(rel.oid), b.applied);
        const d = this.deltas.delta(rel.oid, b);
        const big = (bigWrites.get(rel.oid) ?? 0) >= segmentRows(rel);
        const direct = big && b.applied === b.head && (!rel.orientation.column || (bulk?.tables.has(rel.oid) ?? false));
        t = { d, applied: b.applied, head: b.head, direct };
        out.deltaTables.add(rel.oid);
      }
      tables.set(rel.oid, t);
      return t;
    };
    const dropped = new Set(batch.droppedRelations ?? []);
    // TRUNCATE or DROP of a table another process is bulk loading or flushing (this process's wait for theirs)
    for (const oid of [...dropped, ...(batch.clearRelations ?? []).map((r) => r.oid)]) {
      if (this.meta.get(loadMarkKey(oid)) !== undefined) {
        throw new SqlError(SqlState.SerializationFailure, 'could not serialize access: a bulk load into the table is running');
      }
      if (rowFlushRunning(this.meta, oid)) throw new FlushRunning();
    }
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
      // the stores are empty and the logged deletes applied: the delta starts again after them
      const upTo = lastSeq(rel.oid);
      this.meta.put(appliedKey(rel.oid), upTo);
      this.deltas.reset(rel.oid);
      tables.delete(rel.oid);
      out.applied.set(rel.oid, upTo);
      if (rel.orientation.row || rel.orientation.column) tableOf(rel, { applied: upTo, head: upTo });
    }
    for (const r of batch.retract ?? []) for (const row of r.rows) log(r.rel, BinlogEvent.Delete, encodeRow(r.rel.types, row));
    for (const w of batch.rows) {
      const rel = w.rel;
      const { row: inRow, column: inColumn } = rel.orientation;
      const t = tableOf(rel);
      const id = t.d ? w.id ?? keyId(w.key) : '';
      // the key's newest version in the delta (undefined: the stores hold its current version)
      const inDelta = t.d ? t.d.latest(id, t.applied) : undefined;
      const current = (): Stored[] | undefined =>
        inDelta !== undefined ? inDelta ?? undefined : inRow ? this.rows.get(w.key) : inColumn ? cc.current(rel, w.key) : undefined;
      // the current version, read once: checked against what the transaction computed from, then superseded
      let cur: Stored[] | undefined;
      let curRead = false;
      /** the current version as the transaction read it, packed, when it is known to be still current */
      let curPacked: Uint8Array | undefined;
      if (w.expected !== undefined) {
        curRead = true;
        if (inDelta === undefined && w.expectedAt !== undefined && w.expectedAt === t.head && t.d) {
          // nothing logged to the table since the version was read: it is still the current one
          if (w.expected !== null && w.expectedPacked) curPacked = w.expectedPacked;
          else cur = w.expected === null ? undefined : encodeRow(rel.types, w.expected);
        } else {
          cur = current();
          if (!storedEqual(cur, w.expected === null ? undefined : encodeRow(rel.types, w.expected))) {
            throw new SqlError(SqlState.SerializationFailure, 'could not serialize access due to concurrent update', { table: rel.name });
          }
        }
      }
      // an insert of a key found absent, with nothing logged to the table since: still absent
      const stillAbsent = w.insertOnly === true && inDelta === undefined && w.absentAt !== undefined && w.absentAt === t.head && t.d !== null;
      const oldStored = w.fresh || stillAbsent || curPacked ? undefined : curRead ? cur : current();
      const hasOld = oldStored !== undefined || curPacked !== undefined;
      if (hasOld) {
        const event = w.row === null ? BinlogEvent.Delete : BinlogEvent.UpdateBefore;
        const seq = curPacked ? logOf(rel.oid).entryPacked(event, curPacked, 0, curPacked.length, w.key) : log(rel, event, oldStored!, w.key);
        if (t.d && !t.direct) { if (w.row === null) t.d.add(seq, w.key, null, id); else t.d.skipTo(seq); }
      }
      if (w.insertOnly && hasOld) {
        const name = rel.pkName ?? `${rel.name}_pkey`;
        throw new SqlError(SqlState.UniqueViolation, `duplicate key value violates unique constraint "${name}"`, { table: rel.name, constraint: name });
      }
      if (rel.indexes.length > 0 && hasOld) {
        const old = curPacked ? w.expected! : decodeRow(rel.types, oldStored!);
        for (const idx of rel.indexes) this.index.remove(this.indexKey(rel, idx, old, w.key));
      }
      // merge-on-write: a version the stores hold is superseded now (a version only in the delta never reached them)
      if (hasOld && inDelta === undefined) {
        if (inColumn) cc.supersede(rel, w.key);
        if (inRow && t.direct && w.row === null) this.rows.remove(w.key);
      }
      if (w.row === null) continue;
      for (const idx of rel.indexes) {
        const ik = this.indexKey(rel, idx, w.row, w.key);
        if (idx.unique) {
          const holder = this.index.get(ik);
          if (holder !== undefined && !Buffer.from(holder).equals(w.key)) {
            throw new SqlError(SqlState.UniqueViolation, `duplicate key value violates unique constraint "${idx.name}"`,
              { table: rel.name, constraint: idx.name });
          }
        }
        this.index.put(ik, w.key);
      }
      const stored = encodeRow(rel.types, w.row);
      packer.reset();
      packer.value(stored);
      const seq = logOf(rel.oid).entryPacked(hasOld ? BinlogEvent.UpdateAfter : BinlogEvent.Insert, packer.buf, 0, packer.len, t.d ? w.key : undefined);
      if (t.direct) {
        // a bulk write: the row store now, the column store through the commit's new segments
        if (inRow) this.rows.put(w.key, stored);
      } else if (t.d) {
        t.d.addPacked(seq, id, packer.buf, 0, packer.len);
        out.deltaWrites.set(rel.oid, (out.deltaWrites.get(rel.oid) ?? 0) + 1);
      }
    }
    cc.finish();
    for (const [oid, t] of tables) {
      if (!t.direct) continue;
      if (bulk?.tables.has(oid)) bulk.register(oid);
      const upTo = lastSeq(oid);
      this.meta.put(appliedKey(oid), upTo);
      out.applied.set(oid, upTo);
    }
    for (const [oid, l] of logs) {
      l.finish();
      this.meta.put(headKey(oid), l.next - 1);
    }
    for (const oid of batch.droppedRelations ?? []) {
      this.binlogs.drop(oid);
      this.meta.remove(headKey(oid));
      this.meta.remove(appliedKey(oid));
      this.deltas.reset(oid);
      out.deltaTables.add(oid);
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

  /**
   * Vectorized column-store scan (see ColumnStore.scan), then the rows of the delta (not filtered
   * by the pushed-down comparisons: the executor's filter is).
   */
  *columnScan(rel: StoredRelation, spec: ColumnScanSpec, snap?: ReadSnapshot): Generator<[Buffer, Row]> {
    // a scan must see one manifest and keep its files: without a statement snapshot, take one
    const own = snap ? null : this.snapshot();
    const s = snap ?? own!;
    try {
      yield* this.columns.scan(rel, spec, s);
      const v = this.deltaView(rel, s);
      if (v) for (const [key, row] of v.d.entries(v.b)) if (row !== null) yield [key, decodeRow(rel.types, row)];
    } finally {
      own?.done();
    }
  }

  /**
   * The same rows as columnScan(), as chunks for vectorized operators: a segment with the
   * selection vector of its qualifying rows, or rows of the delta (filtered by the predicates).
   */
  *columnChunks(rel: StoredRelation, spec: ColumnScanSpec, snap?: ReadSnapshot): Generator<StoreChunk> {
    const own = snap ? null : this.snapshot();
    const s = snap ?? own!;
    try {
      yield* this.columns.chunks(rel, spec, s);
      const v = this.deltaView(rel, s);
      if (!v) return;
      let rows: Row[] = [];
      for (const [, stored] of v.d.entries(v.b)) {
        if (stored === null) continue;
        const row = decodeRow(rel.types, stored);
        if (!rowMatches(row, spec.predicates)) continue;
        rows.push(row);
        if (rows.length >= 4096) { yield { kind: 'rows', rows }; rows = []; }
      }
      if (rows.length) yield { kind: 'rows', rows };
    } finally {
      own?.done();
    }
  }

  /**
   * Applies a table's delta to its stores: the row store gets each changed key's version in key
   * order, the column store new segments (written and fsynced before the transaction); then the
   * applied mark moves to the binlog position the delta was read at. Rows changed by commits that
   * ran while the segment files were written are born deleted in them (their newer version is
   * still in the delta). Returns the number of keys applied.
   */
  flush(rel: StoredRelation): Promise<number> {
    if (!rel.orientation.row && !rel.orientation.column) return Promise.resolve(0);
    return this.columns.exclusive(rel.oid, 0, async () => {
      const snap = this.snapshot();
      let b: DeltaBounds;
      let entries: [Buffer, DeltaRow | null, string][];
      try {
        b = this.deltas.bounds(rel.oid, snap);
        if (b.head === b.applied) return 0;
        const d = this.deltas.delta(rel.oid, b, snap);
        // a small delta is sorted at once, so the flush marks its table before anything else runs;
        // a large one (~0.7 s for a million keys) a slice at a time
        entries = d.size <= 65536 ? [...d.sortedPacked(b)] : await d.sortedPackedYielding(b);
      } finally {
        snap.done();
      }
      const live = entries.filter((e) => e[1] !== null);
      const segs = rel.orientation.column ? this.columns.writeSegmentsOnWorker(rel, live.map((e) => e[1]!), live.map((e) => e[0])) : null;
      // the row store (off the main thread, row-flush.ts) while the worker writes the segments,
      // from the rows as packed for them; false: TRUNCATE or DROP came first
      const ahead = !rel.orientation.row ? Promise.resolve(true)
        : segs ? segs.packed.then((packed) => this.rowFlushes.writeAhead(rel.oid, b, entries, packed))
          : this.rowFlushes.writeAhead(rel.oid, b, entries);
      ahead.catch(() => undefined); // awaited below; a segment failure may come first
      let unused: string[] = [];
      let applied = false;
      try {
        const written = segs ? await segs.written : [];
        unused = written.map((w) => this.columns.segmentFile(w.meta.id));
        if (await ahead) {
          await this.root.transaction(() => {
            const now = this.deltas.bounds(rel.oid);
            // the applied mark moved meanwhile (the row flush's mark keeps TRUNCATE and DROP out; a
            // table without a row store has none): this flush is moot
            if (now.applied !== b.applied || now.head < b.head) return;
            const d = this.deltas.delta(rel.oid, now);
            if (rel.orientation.row) this.rowFlushes.unmark(rel.oid);
            if (rel.orientation.column) unused = this.columns.registerSegments(rel, written, (i) => !d.changedAfter(live[i]![2], b.head)).unused;
            this.meta.put(appliedKey(rel.oid), b.head);
            applied = true;
          });
        }
      } finally {
        if (rel.orientation.row) {
          await ahead.catch(() => undefined);
          await this.rowFlushes.end(rel.oid);
        }
        this.columns.removeFiles(unused);
      }
      if (!applied) return 0;
      this.deltas.noteApplied(rel.oid, b.head);
      return entries.length;
    });
  }

  segments(rel: StoredRelation): SegmentMeta[] {
    return this.columns.segments(rel.oid);
  }

  async close(): Promise<void> {
    await this.columns.close();
    await this.root.close();
  }
}
