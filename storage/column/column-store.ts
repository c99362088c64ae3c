// The column store of a table: immutable Arrow segments on disk, each with zone maps, a delete
// bitmap and a primary-key index (sorted keys + bloom filter, key-index.ts). Its write buffer is
// the table's delta (storage/delta.ts), which a flush writes into new segments. Merge-on-write: a
// commit that replaces or deletes a row whose current version lives in a segment finds that
// segment through the segments' key indexes and sets its delete bit in the commit's LMDB
// transaction. Readers never merge versions: every live key is in exactly one place (a segment
// or the delta) in any snapshot.
//
// The manifest (segment list with zone maps) and delete bitmaps are LMDB databases, so a reader's
// LMDB snapshot is a consistent view of both; segment files are written and fsynced before the
// transaction that makes them visible, and removed only after no snapshot can still read them.
import { mkdirSync, readFileSync, openSync, writeSync, fsyncSync, closeSync, renameSync, readdirSync, unlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RootDatabase } from 'lmdb';
import type { Row, Datum } from '../../core/datum.js';
import { encodeRow, decodeRow, type Stored } from '../row-codec.js';
import { relationRange, prefixEnd } from '../key-codec.js';
import type { StoredRelation, ReadSnapshot, RowWrite } from '../store-types.js';
import { encodeSegment, decodeSegment, type LoadedSegment, type ZoneMap } from './segment-format.js';
import { DeleteBitmaps, type Bitmap } from './delete-bitmaps.js';
import { ColumnCommit } from './column-commit.js';
import { segmentRows, segmentKey, type SegmentMeta, type ColumnStoreDbs } from './layout.js';
import { SegmentKeyIndex, keyHash, probeStep } from './key-index.js';
import { LookupView } from './lookup-view.js';
import { SegmentRanges, type IndexedSegment } from './segment-ranges.js';

export { SEGMENT_ROWS, type SegmentMeta, type ColumnStoreDbs } from './layout.js';
export { ColumnCommit } from './column-commit.js';
export { LookupView } from './lookup-view.js';
import { zonesMayMatch, selectRows, rowMatches, type ScanPredicate } from './vector-filter.js';
import { storedEqual } from '../stored-equal.js';
import { SegmentCache } from './segment-cache.js';
import { SegmentWriter } from './segment-writer.js';
import { PackWriter } from '../packed-rows.js';
import type { PackedBinlog } from '../bulk-binlog.js';
import type { PackedRows } from '../row-flush.js';
import type { DeltaRow } from '../delta.js';

export type { ScanPredicate } from './vector-filter.js';

/** What a column scan reads: the columns a query touches (storage positions) and pushed-down comparisons. */
export interface ColumnScanSpec {
  readonly columns: readonly number[] | null;
  readonly predicates: readonly ScanPredicate[];
}

/** New versions a commit writes straight into segments (see ColumnStore.prepareBulk). */
export interface BulkLoad {
  /** the writes whose new versions live in the new segments */
  readonly placed: ReadonlySet<RowWrite>;
  /** the tables segments were written for */
  readonly tables: ReadonlySet<number>;
  /** inside the commit's transaction: make a table's segments part of the manifest */
  register(oid: number): void;
  /** after the commit: remove the files of the tables whose segments were not registered */
  abandonUnregistered(): void;
  /** the commit failed: remove the files */
  abandon(): void;
}

/** A chunk of a vectorized scan (storage column positions). */
export type StoreChunk =
  | { readonly kind: 'segment'; readonly seg: LoadedSegment; readonly sel: Uint32Array }
  | { readonly kind: 'rows'; readonly rows: readonly Row[] };

function txnOpt(snap: ReadSnapshot | undefined): object {
  return snap ? { transaction: snap.txn } : {};
}

export class ColumnStore {
  readonly bitmaps: DeleteBitmaps;
  private readonly cache: SegmentCache;
  private readonly segDir: string;
  /** segment files to remove once no snapshot can read them */
  private retired: { path: string; epoch: number; at: number }[] = [];
  /** tables with a flush or compaction running (one at a time per table) */
  private readonly busy = new Set<number>();
  /** primary-key indexes of segments (immutable, so never stale; dropped when a segment is retired) */
  private readonly keyIndexes = new Map<number, SegmentKeyIndex>();
  /** what point lookups through a snapshot read of manifests and bitmaps, read once per snapshot */
  private readonly snapshotViews = new WeakMap<object, LookupView>();

  constructor(
    private readonly root: RootDatabase,
    private readonly dbs: ColumnStoreDbs,
    dir: string,
    /** snapshots: the current epoch, and the oldest epoch still open in this process */
    private readonly snapshots: { epoch(): number; oldestOpen(): number; open(): ReadSnapshot },
    private readonly allocateSegmentIds: (n: number) => number,
    cacheBytes: number,
    private readonly retireGraceMs: number,
  ) {
    this.bitmaps = new DeleteBitmaps(dbs.delbits);
    this.segDir = join(dir, 'segments');
    mkdirSync(this.segDir, { recursive: true });
    this.cache = new SegmentCache(cacheBytes);
    // data directories written before segments carried their own key indexes kept a key ->
    // location B-tree: nothing reads it any more, give its space back
    for (const _ of dbs.loc.getKeys({ limit: 1 })) { dbs.loc.clearSync(); break; }
  }

  /** segment ids reserved for this process and not handed out yet: [next, end) */
  private idPool = { next: 0, end: 0 };

  /**
   * n consecutive new segment ids. They are reserved durably in blocks (a synchronous write
   * transaction each): one per segment cost a bulk load of 5M rows over a second of fsyncs.
   * Ids a process reserved and never used are skipped, which is harmless.
   */
  private segmentIds(n: number): number {
    const p = this.idPool;
    if (p.end - p.next < n) {
      const size = Math.max(n, 64);
      p.next = this.allocateSegmentIds(size);
      p.end = p.next + size;
    }
    const first = p.next;
    p.next += n;
    return first;
  }

  private file(segId: number): string {
    return join(this.segDir, `${segId}.arrow`);
  }

  segments(oid: number, snap?: ReadSnapshot): SegmentMeta[] {
    const r = relationRange(oid);
    const out: SegmentMeta[] = [];
    for (const { value } of this.dbs.segments.getRange({ start: r.start, end: r.end, ...txnOpt(snap) } as never) as Iterable<{ value: SegmentMeta }>) out.push(value);
    return out;
  }

  /** no segment as of `snap` */
  isEmpty(oid: number, snap?: ReadSnapshot): boolean {
    const r = relationRange(oid);
    for (const _ of this.dbs.segments.getKeys({ start: r.start, end: r.end, limit: 1, ...txnOpt(snap) } as never)) return false;
    return true;
  }

  /** run `fn` unless a flush or compaction of the table is running (then: `busy`) */
  async exclusive<T>(oid: number, busy: T, fn: () => Promise<T>): Promise<T> {
    if (this.busy.has(oid)) return busy;
    this.busy.add(oid);
    try {
      return await fn();
    } finally {
      this.busy.delete(oid);
    }
  }

  private load(rel: StoredRelation, meta: SegmentMeta): LoadedSegment {
    const hit = this.cache.get(meta.id);
    if (hit) return hit;
    const seg = decodeSegment(rel.types.slice(0, meta.width), readFileSync(this.file(meta.id)));
    this.cache.put(meta.id, seg);
    return seg;
  }

  /** A segment's primary-key index (built from its key column on first use). */
  keyIndex(rel: StoredRelation, meta: SegmentMeta): SegmentKeyIndex {
    let idx = this.keyIndexes.get(meta.id);
    if (!idx) {
      const { offsets, data } = this.load(rel, meta).keyColumn();
      idx = SegmentKeyIndex.build(offsets, data, meta.rows);
      this.keyIndexes.set(meta.id, idx);
    }
    return idx;
  }

  /** What lookups through `snap` (or, without one, inside the current write transaction / latest) see. */
  view(snap?: ReadSnapshot): LookupView {
    const read = { segments: (oid: number) => this.segments(oid, snap), bitmap: (segId: number) => this.bitmaps.read(segId, snap) };
    if (!snap) return new LookupView(read);
    let v = this.snapshotViews.get(snap);
    if (!v) { v = new LookupView(read); this.snapshotViews.set(snap, v); }
    return v;
  }

  /**
   * Where the live version of `key` is among the table's segments in `view`: the segment whose
   * key index holds the key with its delete bit unset (older versions of the key in other
   * segments have theirs set). null: no segment holds it (it is in the delta, or absent).
   */
  locate(rel: StoredRelation, key: Buffer, view: LookupView): { meta: SegmentMeta; offset: number } | null {
    const metas = view.segments(rel.oid);
    if (metas.length === 0) return null;
    const ranges = view.memo(rel.oid, () => this.ranges(rel, metas));
    const h = keyHash(key);
    const step = probeStep(h);
    const live = (meta: SegmentMeta, off: number): number => (off < 0 || view.bitmap(meta.id).has(off) ? -1 : off);
    const at = ({ meta, index }: IndexedSegment): number => {
      // the filter first: one memory access, where the range check compares two keys
      if (!index.mayContain(h, step) || !index.inRange(key)) return -1;
      return live(meta, index.find(key));
    };
    // the narrow segment first: most keys were not changed since they were loaded. Its range
    // holds the key; if its keys are evenly spread, one comparison answers and the filter would
    // only cost another memory access.
    const narrow = ranges.narrowFor(key);
    if (narrow) {
      const off = narrow.index.interpolates ? live(narrow.meta, narrow.index.find(key)) : at(narrow);
      if (off >= 0) return { meta: narrow.meta, offset: off };
    }
    // newest first: a key updated since it was first written has its live version in a later segment
    for (const seg of ranges.wide) {
      const off = at(seg);
      if (off >= 0) return { meta: seg.meta, offset: off };
    }
    return null;
  }

  /** the last manifest's SegmentRanges per table: commits in a row mostly read the same manifest */
  private readonly rangesCache = new Map<number, { ids: string; ranges: SegmentRanges }>();

  private ranges(rel: StoredRelation, metas: readonly SegmentMeta[]): SegmentRanges {
    const ids = metas.map((m) => m.id).join(',');
    const hit = this.rangesCache.get(rel.oid);
    if (hit && hit.ids === ids) return hit.ranges;
    const ranges = new SegmentRanges(metas, (m) => this.keyIndex(rel, m));
    this.rangesCache.set(rel.oid, { ids, ranges });
    return ranges;
  }

  /** The current version of a row in the segments (the delta is the caller's), in stored form. */
  current(rel: StoredRelation, key: Buffer, snap?: ReadSnapshot, view?: LookupView): Stored[] | undefined {
    const at = this.locate(rel, key, view ?? this.view(snap));
    if (!at) return undefined;
    const seg = this.load(rel, at.meta);
    const row: Row = rel.types.map((_, c) => seg.columns[c]?.datum(at.offset) ?? null);
    return encodeRow(rel.types, row);
  }

  /** up to `limit` keys of live segment rows starting with `prefix`, in key order, as of `snap` */
  keysWithPrefix(rel: StoredRelation, prefix: Buffer, limit: number, snap?: ReadSnapshot): Buffer[] {
    const out: Buffer[] = [];
    const view = this.view(snap);
    for (const meta of view.segments(rel.oid)) {
      const deleted = view.bitmap(meta.id);
      const seg = this.load(rel, meta);
      for (const off of this.keyIndex(rel, meta).withPrefix(prefix)) if (!deleted.has(off)) out.push(seg.key(off));
    }
    out.sort(Buffer.compare);
    return out.length > limit ? out.slice(0, limit) : out;
  }

  get(rel: StoredRelation, key: Buffer, snap?: ReadSnapshot): Row | undefined {
    const s = this.current(rel, key, snap);
    return s === undefined ? undefined : decodeRow(rel.types, s);
  }

  /**
   * Live segment rows of the table as of `snap` (vectorized: zone maps skip whole segments,
   * delete bitmaps and pushed-down comparisons make a selection vector, only `spec.columns` are
   * materialized). Yields [storage key, row]; columns not asked for are NULL. The snapshot keeps
   * the manifest and its files.
   */
  *scan(rel: StoredRelation, spec: ColumnScanSpec, snap: ReadSnapshot): Generator<[Buffer, Row]> {
    const width = rel.types.length;
    const cols = spec.columns ?? rel.types.map((_, i) => i);
    for (const meta of this.segments(rel.oid, snap)) {
      if (!zonesMayMatch(meta.zones, meta.width, spec.predicates)) continue;
      const seg = this.load(rel, meta);
      const sel = selectRows(seg, this.bitmaps.read(meta.id, snap), spec.predicates);
      for (let j = 0; j < sel.length; j++) {
        const off = sel[j]!;
        const row: Row = new Array(width).fill(null);
        for (const c of cols) { const v = seg.columns[c]; if (v) row[c] = v.datum(off); }
        yield [seg.key(off), row];
      }
    }
  }

  /** The same segment rows as scan(), as chunks for vectorized operators: a segment with the selection vector of its qualifying rows. */
  *chunks(rel: StoredRelation, spec: ColumnScanSpec, snap: ReadSnapshot): Generator<StoreChunk> {
    for (const meta of this.segments(rel.oid, snap)) {
      if (!zonesMayMatch(meta.zones, meta.width, spec.predicates)) continue;
      const seg = this.load(rel, meta);
      const sel = selectRows(seg, this.bitmaps.read(meta.id, snap), spec.predicates);
      if (sel.length) yield { kind: 'segment', seg, sel };
    }
  }

  /** Zone-map pruning of the current manifest, for EXPLAIN. */
  prune(rel: StoredRelation, predicates: readonly ScanPredicate[]): { segments: number; skipped: number } {
    const segs = this.segments(rel.oid);
    return { segments: segs.length, skipped: segs.filter((m) => !zonesMayMatch(m.zones, m.width, predicates)).length };
  }

  beginCommit(): ColumnCommit {
    return new ColumnCommit(this, this.dbs, this.view());
  }

  /**
   * Bulk path: a commit that writes at least a segment's worth of new versions to a table puts
   * them straight into new segment files, written before its transaction (and removed if it
   * fails or finds the table's delta not empty), instead of the delta and a later flush.
   */
  prepareBulk(writes: readonly RowWrite[]): BulkLoad | null {
    const byRel = new Map<number, RowWrite[]>();
    for (const w of writes) {
      if (w.row === null || !w.rel.orientation.column) continue;
      let a = byRel.get(w.rel.oid);
      if (!a) { a = []; byRel.set(w.rel.oid, a); }
      a.push(w);
    }
    const placed = new Set<RowWrite>();
    const metas: { oid: number; meta: SegmentMeta }[] = [];
    for (const ws of byRel.values()) {
      const rel = ws[0]!.rel;
      const size = segmentRows(rel);
      if (ws.length < size) continue;
      // one segment at a time: only its rows are held in stored form
      for (let from = 0; from < ws.length; from += size) {
        const part = ws.slice(from, from + size);
        // rows in key order, so the segment's key index needs no sort when it is loaded
        if (!inKeyOrder(part)) part.sort((a, b) => Buffer.compare(a.key, b.key));
        const [{ meta }] = this.writeSegments(rel, part.map((w) => w.row!), part.map((w) => w.key), true) as [{ meta: SegmentMeta; from: number }];
        metas.push({ oid: rel.oid, meta });
        for (const w of part) placed.add(w);
      }
    }
    if (metas.length === 0) return null;
    const registered = new Set<number>();
    const remove = (all: boolean): void => {
      this.removeFiles(metas.filter(({ oid }) => all || !registered.has(oid)).map(({ meta }) => this.file(meta.id)));
    };
    return {
      placed,
      tables: new Set(metas.map((m) => m.oid)),
      register: (oid) => {
        registered.add(oid);
        for (const m of metas) if (m.oid === oid) this.dbs.segments.put(segmentKey(oid, m.meta.id), m.meta);
      },
      abandonUnregistered: () => remove(false),
      abandon: () => remove(true),
    };
  }

  /** the file of a segment (ColumnCommit retires the files of segments a commit removes) */
  segmentFile(segId: number): string { return this.file(segId); }

  /** after a commit that removed segments: their files go once no snapshot can read them */
  retire(paths: readonly string[], segIds: readonly number[]): void {
    const epoch = this.snapshots.epoch();
    for (const p of paths) this.retired.push({ path: p, epoch, at: Date.now() });
    for (const id of segIds) { this.cache.delete(id); this.keyIndexes.delete(id); }
    // ranges over retired segments would keep their indexes alive
    this.rangesCache.clear();
  }

  /**
   * Removes retired segment files no snapshot of this process can still read. Other processes on
   * the same data directory are covered by the grace period (longer than any statement is expected
   * to hold one snapshot).
   */
  reclaim(): number {
    const oldest = this.snapshots.oldestOpen();
    const now = Date.now();
    let n = 0;
    this.retired = this.retired.filter((r) => {
      if (r.epoch >= oldest || now - r.at < this.retireGraceMs) return true;
      try { unlinkSync(r.path); n++; } catch { /* already gone */ }
      return false;
    });
    return n;
  }

  /**
   * Segment files not in the manifest: a flush, compaction or bulk commit that died before its
   * transaction. Only files older than this process are removed: a younger one may belong to a
   * commit another worker process is running right now.
   */
  removeOrphans(): number {
    const live = new Set<number>();
    for (const { value } of this.dbs.segments.getRange({}) as Iterable<{ value: SegmentMeta }>) live.add(value.id);
    const started = Date.now() - process.uptime() * 1000;
    let n = 0;
    for (const f of readdirSync(this.segDir)) {
      const m = /^(\d+)\.arrow$/.exec(f);
      if (m && live.has(Number(m[1]))) continue;
      const path = join(this.segDir, f);
      try {
        if (statSync(path).mtimeMs >= started) continue;
        unlinkSync(path);
        n++;
      } catch { /* removed meanwhile */ }
    }
    return n;
  }

  /** Writes segment files for `rows` in chunks of the table's segment size; fsynced and renamed into place. */
  writeSegments(rel: StoredRelation, rows: readonly (readonly (Stored | Datum)[])[], keys: readonly Buffer[], datums = false): { meta: SegmentMeta; from: number }[] {
    const size = segmentRows(rel);
    const chunks = Math.ceil(rows.length / size);
    if (chunks === 0) return [];
    const first = this.segmentIds(chunks);
    const out: { meta: SegmentMeta; from: number }[] = [];
    for (let c = 0; c < chunks; c++) {
      const from = c * size;
      const part = rows.slice(from, from + size);
      const partKeys = keys.slice(from, from + size);
      const { bytes, zones } = encodeSegment(rel.types, part, partKeys, datums);
      const id = first + c;
      // the first commit that supersedes one of these rows would otherwise read the file back for it
      this.keyIndexes.set(id, SegmentKeyIndex.fromKeys(partKeys));
      const tmp = this.file(id) + '.tmp';
      const fd = openSync(tmp, 'w');
      try { writeSync(fd, bytes); fsyncSync(fd); } finally { closeSync(fd); }
      renameSync(tmp, this.file(id));
      out.push({ meta: { id, rows: part.length, width: rel.types.length, zones, bytes: bytes.byteLength }, from });
    }
    const dfd = openSync(this.segDir, 'r');
    try { fsyncSync(dfd); } finally { closeSync(dfd); }
    return out;
  }

  /** rows an older version left in its memtable database (drained into segments at start-up) */
  legacyMemtableRows(oid: number): number {
    const r = relationRange(oid);
    let n = 0;
    for (const _ of this.dbs.memtable.getKeys({ start: r.start, end: r.end })) n++;
    return n;
  }

  /**
   * Moves the rows an older version buffered in the memtable database into new segments (its
   * flush). Only start-up does this, before any commit of this version could change those rows;
   * a row changed meanwhile (by another worker process draining too) is born deleted.
   */
  async drainLegacyMemtable(rel: StoredRelation): Promise<number> {
    if (this.busy.has(rel.oid)) return 0;
    this.busy.add(rel.oid);
    try {
      const r = relationRange(rel.oid);
      const keys: Buffer[] = [];
      const rows: Stored[][] = [];
      for (const { key, value } of this.dbs.memtable.getRange({ start: r.start, end: r.end }) as Iterable<{ key: Buffer; value: Stored[] }>) {
        keys.push(Buffer.from(key));
        rows.push(value);
      }
      if (rows.length === 0) return 0;
      // a row moves into the new segment only if the memtable still holds the version written
      await this.installSegments(rel, this.writeSegments(rel, rows, keys), (i) => {
        const key = keys[i]!;
        const cur = this.dbs.memtable.get(key);
        if (cur === undefined || !storedEqual(cur, rows[i]!)) return false;
        this.dbs.memtable.remove(key);
        return true;
      });
      return rows.length;
    } finally {
      this.busy.delete(rel.oid);
    }
  }

  /**
   * One transaction that makes freshly written segments visible: `claim(i)` moves row i (of the
   * rows written) into its new place and says whether it did; rows not claimed are born deleted,
   * and a segment with no row left is not registered (its file goes). `also` runs in the same
   * transaction. Returns how many segments were registered.
   */
  private async installSegments(rel: StoredRelation, written: readonly { meta: SegmentMeta; from: number }[],
    claim: (i: number) => boolean, also?: () => void): Promise<number> {
    let unused: string[] = [];
    let registered = 0;
    await this.root.transaction(() => {
      ({ unused, registered } = this.registerSegments(rel, written, claim));
      also?.();
    });
    this.removeFiles(unused);
    return registered;
  }

  /**
   * Inside a write transaction: registers freshly written segments, rows not claimed born
   * deleted (see installSegments). Returns the files of segments left with no row, to remove
   * after the transaction.
   */
  registerSegments(rel: StoredRelation, written: readonly { meta: SegmentMeta; from: number }[], claim: (i: number) => boolean): { unused: string[]; registered: number } {
    const unused: string[] = [];
    let registered = 0;
    for (const { meta, from } of written) {
      const dead: number[] = [];
      for (let i = 0; i < meta.rows; i++) if (!claim(from + i)) dead.push(i);
      if (dead.length === meta.rows) { unused.push(this.file(meta.id)); continue; }
      this.dbs.segments.put(segmentKey(rel.oid, meta.id), meta);
      if (dead.length) this.bitmaps.write(meta.id, DeleteBitmaps.create(dead));
      registered++;
    }
    return { unused, registered };
  }

  private readonly segmentWriter = new SegmentWriter();

  /**
   * Writes one segment of a bulk load, from its rows as packed (in key order), on the segment
   * worker thread. The id is there at once (to remove the file if the load fails); the meta once
   * the file is durable, with the rows' binlog chunks.
   */
  writePackedSegment(rel: StoredRelation, p: { n: number; rows: Uint8Array; rowAt: Uint32Array; keys: Uint8Array; keyAt: Uint32Array }): { id: number; done: Promise<{ meta: SegmentMeta; binlog: PackedBinlog }> } {
    const id = this.segmentIds(1);
    // the worker reads the rows from shared memory: posting a copy of them costs more than this one
    const shared = (b: Uint8Array): Uint8Array => { const out = new Uint8Array(new SharedArrayBuffer(b.byteLength)); out.set(b); return out; };
    const job = { n: p.n, rows: shared(p.rows), rowAt: p.rowAt, keys: shared(p.keys), keyAt: p.keyAt };
    const done = this.segmentWriter.write({ file: this.file(id), types: rel.types, ...job })
      .then(({ zones, bytes, binlog }) => ({ meta: { id, rows: p.n, width: rel.types.length, zones, bytes }, binlog: binlog! }));
    return { id, done };
  }

  /**
   * A flush's rows (stored form, in key order) into new segments of segmentRows(rel) rows each:
   * packed here and encoded and written on the segment worker thread, so that the main thread
   * goes on serving. `packed` once the rows are packed (the row store's writes use them too:
   * PackedRows), `written` once the files are.
   */
  writeSegmentsOnWorker(rel: StoredRelation, rows: readonly DeltaRow[], keys: readonly Buffer[]): { packed: Promise<PackedRows>; written: Promise<{ meta: SegmentMeta; from: number }[]> } {
    const jobs: Promise<{ meta: SegmentMeta; from: number }>[] = [];
    const packed = this.packSegments(rel, rows, keys, jobs);
    return { packed, written: packed.then(() => Promise.all(jobs)) };
  }

  /** Packs the rows a segment at a time, handing each segment to the worker (its job into `jobs`). */
  private async packSegments(rel: StoredRelation, rows: readonly DeltaRow[], keys: readonly Buffer[], jobs: Promise<{ meta: SegmentMeta; from: number }>[]): Promise<PackedRows> {
    const size = segmentRows(rel);
    const parts: { rows: Uint8Array; rowAt: Uint32Array }[] = [];
    for (let from = 0; from < rows.length; from += size) {
      // statements run between segments: packing a flush's 262144 rows holds the thread ~0.5 s
      if (from > 0) await new Promise((r) => setImmediate(r));
      const n = Math.min(size, rows.length - from);
      const rw = new PackWriter(1 << 16);
      const kw = new PackWriter(1 << 12);
      const rowAt = new Uint32Array(n + 1);
      const keyAt = new Uint32Array(n + 1);
      for (let i = 0; i < n; i++) {
        const row = rows[from + i]!;
        rowAt[i] = rw.len;
        rw.rawRange(row.buf, row.at, row.end);
        keyAt[i] = kw.len;
        kw.raw(keys[from + i]!);
      }
      rowAt[n] = rw.len;
      keyAt[n] = kw.len;
      const id = this.segmentIds(1);
      // the first commit that supersedes one of these rows would otherwise read the file back for it
      this.keyIndexes.set(id, SegmentKeyIndex.fromKeys(keys.slice(from, from + n)));
      const shared = (w: PackWriter): Uint8Array => { const out = new Uint8Array(new SharedArrayBuffer(w.len)); out.set(w.buf.subarray(0, w.len)); return out; };
      // the row store's writes take the packer's own buffer (lmdb-js needs a plain ArrayBuffer), the worker a shared copy
      parts.push({ rows: rw.buf.subarray(0, rw.len), rowAt });
      jobs.push(this.segmentWriter.write({ file: this.file(id), types: rel.types, n, rows: shared(rw), rowAt, keys: shared(kw), keyAt, binlog: false })
        .then(({ zones, bytes }) => ({ meta: { id, rows: n, width: rel.types.length, zones, bytes }, from })));
    }
    return { size, parts };
  }

  /** stops the segment worker thread */
  close(): Promise<void> {
    return this.segmentWriter.close();
  }

  /** removes the files of segments that never became part of the manifest, by id */
  removeSegmentFiles(ids: readonly number[]): void {
    this.removeFiles(ids.map((id) => this.file(id)));
  }

  /** Inside a write transaction: adds whole new segments (every row live) to a table's manifest. */
  registerWhole(oid: number, metas: readonly SegmentMeta[]): void {
    for (const meta of metas) this.dbs.segments.put(segmentKey(oid, meta.id), meta);
  }

  /** removes segment files that never became part of the manifest */
  removeFiles(paths: readonly string[]): void {
    for (const f of paths) {
      const id = /(\d+)\.arrow$/.exec(f);
      if (id) this.keyIndexes.delete(Number(id[1]));
      try { unlinkSync(f); } catch { /* already gone */ }
    }
  }

  /** Segments worth rewriting: many deleted rows, or several small ones. */
  compactionCandidates(rel: StoredRelation, snap?: ReadSnapshot): { meta: SegmentMeta; deleted: Bitmap }[] {
    const segs = this.segments(rel.oid, snap).map((meta) => ({ meta, deleted: this.bitmaps.read(meta.id, snap) }));
    const heavy = segs.filter((s) => s.deleted.size >= s.meta.rows * 0.3);
    const small = segs.filter((s) => s.deleted.size < s.meta.rows * 0.3 && s.meta.rows - s.deleted.size < segmentRows(rel) / 2);
    return small.length >= 2 ? [...heavy, ...small] : heavy;
  }

  /**
   * Rewrites segments with many deletes (or many small segments) into new ones holding only their
   * live rows. Readers keep reading the old segments through
   * their snapshots; a row deleted or updated while the new files were written is born deleted.
   */
  async compact(rel: StoredRelation): Promise<{ removed: number; written: number }> {
    if (this.busy.has(rel.oid)) return { removed: 0, written: 0 };
    this.busy.add(rel.oid);
    try {
      return await this.compactNow(rel);
    } finally {
      this.busy.delete(rel.oid);
    }
  }

  private async compactNow(rel: StoredRelation): Promise<{ removed: number; written: number }> {
    let keys: Buffer[] = [];
    let rows: Stored[][] = [];
    let origin: { segId: number; offset: number }[] = [];
    const snap = this.snapshots.open();
    let picked: { meta: SegmentMeta; deleted: Bitmap }[];
    try {
      picked = this.compactionCandidates(rel, snap);
      if (picked.length === 0) return { removed: 0, written: 0 };
      for (const { meta, deleted } of picked) {
        const seg = this.load(rel, meta);
        for (let off = 0; off < meta.rows; off++) {
          if (deleted.has(off)) continue;
          keys.push(seg.key(off));
          rows.push(encodeRow(rel.types, rel.types.map((_, c) => seg.columns[c]?.datum(off) ?? null)));
          origin.push({ segId: meta.id, offset: off });
        }
      }
    } finally {
      snap.done();
    }
    // the new segments hold their rows in key order (their key indexes need no sort)
    const order = keys.map((_, i) => i).sort((a, b) => Buffer.compare(keys[a]!, keys[b]!));
    keys = order.map((i) => keys[i]!);
    rows = order.map((i) => rows[i]!);
    origin = order.map((i) => origin[i]!);
    // a row moves only if its old version is still live (no commit deleted or replaced it meanwhile)
    const now = new Map<number, Bitmap>();
    const registered = await this.installSegments(rel, this.writeSegments(rel, rows, keys), (i) => {
      const { segId, offset } = origin[i]!;
      let bits = now.get(segId);
      if (!bits) { bits = this.bitmaps.read(segId); now.set(segId, bits); }
      return !bits.has(offset);
    }, () => {
      for (const { meta } of picked) {
        this.dbs.segments.remove(segmentKey(rel.oid, meta.id));
        this.bitmaps.remove(meta.id);
      }
    });
    this.retire(picked.map((p) => this.file(p.meta.id)), picked.map((p) => p.meta.id));
    return { removed: picked.length, written: registered };
  }
}


function inKeyOrder(ws: readonly RowWrite[]): boolean {
  for (let i = 1; i < ws.length; i++) if (Buffer.compare(ws[i - 1]!.key, ws[i]!.key) > 0) return false;
  return true;
}
