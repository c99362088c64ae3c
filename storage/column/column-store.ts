// The column store of a table: immutable Arrow segments on disk, each with zone maps and a
// delete bitmap, plus a durable write buffer (memtable) in LMDB. Merge-on-write: a commit that
// replaces or deletes a row finds where the current version lives through the primary-key
// location index (memtable or segment + offset), sets that segment's delete bit and writes the
// new version into the memtable, all in the commit's LMDB transaction. Readers never merge
// versions: every live key is in exactly one place in any snapshot.
//
// The manifest (segment list with zone maps), delete bitmaps, location index and memtable are
// LMDB databases, so a reader's LMDB snapshot is a consistent view of all of them; segment files
// are written and fsynced before the transaction that makes them visible, and removed only after
// no snapshot can still read them.
import { mkdirSync, readFileSync, openSync, writeSync, fsyncSync, closeSync, renameSync, readdirSync, unlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RootDatabase, Database } from 'lmdb';
import type { Row, Datum } from '../../core/datum.js';
import { encodeRow, decodeRow, type Stored } from '../row-codec.js';
import { relationRange, prefixEnd } from '../key-codec.js';
import type { StoredRelation, ReadSnapshot, RowWrite } from '../store-types.js';
import { encodeSegment, decodeSegment, type LoadedSegment, type ZoneMap } from './segment-format.js';
import { DeleteBitmaps, type Bitmap } from './delete-bitmaps.js';
import { ColumnCommit } from './column-commit.js';
import { segmentRows, segmentKey, location, type SegmentMeta, type ColumnStoreDbs } from './layout.js';

export { SEGMENT_ROWS, type SegmentMeta, type ColumnStoreDbs } from './layout.js';
export { ColumnCommit } from './column-commit.js';
import { zonesMayMatch, selectRows, rowMatches, type ScanPredicate } from './vector-filter.js';
import { storedEqual } from '../stored-equal.js';
import { SegmentCache } from './segment-cache.js';

export type { ScanPredicate } from './vector-filter.js';

/** What a column scan reads: the columns a query touches (storage positions) and pushed-down comparisons. */
export interface ColumnScanSpec {
  readonly columns: readonly number[] | null;
  readonly predicates: readonly ScanPredicate[];
}

/** New versions a commit writes straight into segments (see ColumnStore.prepareBulk). */
export interface BulkLoad {
  /** where each bulk-written version lives (segment id + offset) */
  readonly placed: ReadonlyMap<RowWrite, Buffer>;
  /** inside the commit's transaction: make the segments part of the manifest */
  register(): void;
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

  /** no segment and no memtable row as of `snap` */
  isEmpty(oid: number, snap?: ReadSnapshot): boolean {
    const r = relationRange(oid);
    for (const _ of this.dbs.segments.getKeys({ start: r.start, end: r.end, limit: 1, ...txnOpt(snap) } as never)) return false;
    for (const _ of this.dbs.memtable.getKeys({ start: r.start, end: r.end, limit: 1, ...txnOpt(snap) } as never)) return false;
    return true;
  }

  memtableCount(oid: number, limit?: number): number {
    const r = relationRange(oid);
    let n = 0;
    for (const _ of this.dbs.memtable.getKeys({ start: r.start, end: r.end, ...(limit ? { limit } : {}) })) n++;
    return n;
  }

  private load(rel: StoredRelation, meta: SegmentMeta): LoadedSegment {
    const hit = this.cache.get(meta.id);
    if (hit) return hit;
    const seg = decodeSegment(rel.types.slice(0, meta.width), readFileSync(this.file(meta.id)));
    this.cache.put(meta.id, seg);
    return seg;
  }

  /** The current version of a row in the column store (memtable first, then its segment), in stored form. */
  current(rel: StoredRelation, key: Buffer, snap?: ReadSnapshot): Stored[] | undefined {
    const m = this.dbs.memtable.get(key, txnOpt(snap) as never);
    if (m !== undefined) return m;
    const loc = this.dbs.loc.get(key, txnOpt(snap) as never);
    if (loc === undefined) return undefined;
    const b = Buffer.from(loc);
    const segId = b.readUInt32BE(0);
    const meta = this.dbs.segments.get(segmentKey(rel.oid, segId), txnOpt(snap) as never);
    if (!meta) return undefined;
    const seg = this.load(rel, meta);
    const off = b.readUInt32BE(4);
    const row: Row = rel.types.map((_, c) => seg.columns[c]?.datum(off) ?? null);
    return encodeRow(rel.types, row);
  }

  /** up to `limit` keys of live rows starting with `prefix` (memtable and location index), as of `snap` */
  keysWithPrefix(prefix: Buffer, limit: number, snap?: ReadSnapshot): Buffer[] {
    const out: Buffer[] = [];
    const end = prefixEnd(prefix);
    for (const db of [this.dbs.memtable, this.dbs.loc] as Database<unknown, Buffer>[]) {
      for (const k of db.getKeys({ start: prefix, end, limit: limit - out.length, ...txnOpt(snap) } as never) as Iterable<Buffer>) out.push(Buffer.from(k));
      if (out.length >= limit) break;
    }
    return out;
  }

  get(rel: StoredRelation, key: Buffer, snap?: ReadSnapshot): Row | undefined {
    const s = this.current(rel, key, snap);
    return s === undefined ? undefined : decodeRow(rel.types, s);
  }

  /**
   * Live rows of the table as of `snap`: segments (vectorized: zone maps skip whole segments,
   * delete bitmaps and pushed-down comparisons make a selection vector, only `spec.columns` are
   * materialized), then the memtable. Yields [storage key, row]; columns not asked for are NULL.
   */
  *scan(rel: StoredRelation, spec: ColumnScanSpec, snap?: ReadSnapshot): Generator<[Buffer, Row]> {
    // a scan must see one manifest and keep its files: without a statement snapshot, take one
    const own = snap ? null : this.snapshots.open();
    const s = snap ?? own!;
    try {
      const width = rel.types.length;
      const cols = spec.columns ?? rel.types.map((_, i) => i);
      for (const meta of this.segments(rel.oid, s)) {
        if (!zonesMayMatch(meta.zones, meta.width, spec.predicates)) continue;
        const seg = this.load(rel, meta);
        const sel = selectRows(seg, this.bitmaps.read(meta.id, s), spec.predicates);
        for (let j = 0; j < sel.length; j++) {
          const off = sel[j]!;
          const row: Row = new Array(width).fill(null);
          for (const c of cols) { const v = seg.columns[c]; if (v) row[c] = v.datum(off); }
          yield [seg.key(off), row];
        }
      }
      const r = relationRange(rel.oid);
      for (const { key, value } of this.dbs.memtable.getRange({ start: r.start, end: r.end, transaction: s.txn } as never) as Iterable<{ key: Buffer; value: Stored[] }>) {
        yield [key, decodeRow(rel.types, value)];
      }
    } finally {
      own?.done();
    }
  }

  /**
   * The same rows as scan(), as chunks for vectorized operators: a segment with the selection
   * vector of its qualifying rows, or memtable rows (already filtered by the predicates).
   */
  *chunks(rel: StoredRelation, spec: ColumnScanSpec, snap?: ReadSnapshot): Generator<StoreChunk> {
    const own = snap ? null : this.snapshots.open();
    const s = snap ?? own!;
    try {
      for (const meta of this.segments(rel.oid, s)) {
        if (!zonesMayMatch(meta.zones, meta.width, spec.predicates)) continue;
        const seg = this.load(rel, meta);
        const sel = selectRows(seg, this.bitmaps.read(meta.id, s), spec.predicates);
        if (sel.length) yield { kind: 'segment', seg, sel };
      }
      const r = relationRange(rel.oid);
      let rows: Row[] = [];
      for (const { value } of this.dbs.memtable.getRange({ start: r.start, end: r.end, transaction: s.txn } as never) as Iterable<{ value: Stored[] }>) {
        const row = decodeRow(rel.types, value);
        if (!rowMatches(row, spec.predicates)) continue;
        rows.push(row);
        if (rows.length >= 4096) { yield { kind: 'rows', rows }; rows = []; }
      }
      if (rows.length) yield { kind: 'rows', rows };
    } finally {
      own?.done();
    }
  }

  /** Zone-map pruning of the current manifest, for EXPLAIN. */
  prune(rel: StoredRelation, predicates: readonly ScanPredicate[]): { segments: number; skipped: number } {
    const segs = this.segments(rel.oid);
    return { segments: segs.length, skipped: segs.filter((m) => !zonesMayMatch(m.zones, m.width, predicates)).length };
  }

  beginCommit(): ColumnCommit {
    return new ColumnCommit(this, this.dbs);
  }

  /**
   * Bulk path: a commit that writes at least a segment's worth of new versions to a table puts
   * them straight into new segment files, written before its transaction (and removed if it
   * fails), instead of the memtable and a later flush.
   */
  prepareBulk(writes: readonly RowWrite[]): BulkLoad | null {
    const byRel = new Map<number, RowWrite[]>();
    for (const w of writes) {
      if (w.row === null || !w.rel.orientation.column) continue;
      let a = byRel.get(w.rel.oid);
      if (!a) { a = []; byRel.set(w.rel.oid, a); }
      a.push(w);
    }
    const placed = new Map<RowWrite, Buffer>();
    const metas: { oid: number; meta: SegmentMeta }[] = [];
    for (const ws of byRel.values()) {
      const rel = ws[0]!.rel;
      const size = segmentRows(rel);
      if (ws.length < size) continue;
      // one segment at a time: only its rows are held in stored form
      for (let from = 0; from < ws.length; from += size) {
        const part = ws.slice(from, from + size);
        const [{ meta }] = this.writeSegments(rel, part.map((w) => w.row!), part.map((w) => w.key), true) as [{ meta: SegmentMeta; from: number }];
        metas.push({ oid: rel.oid, meta });
        part.forEach((w, i) => placed.set(w, location(meta.id, i)));
      }
    }
    if (metas.length === 0) return null;
    return {
      placed,
      register: () => { for (const { oid, meta } of metas) this.dbs.segments.put(segmentKey(oid, meta.id), meta); },
      abandon: () => { for (const { meta } of metas) { try { unlinkSync(this.file(meta.id)); } catch { /* never written */ } } },
    };
  }

  /** the file of a segment (ColumnCommit retires the files of segments a commit removes) */
  segmentFile(segId: number): string { return this.file(segId); }

  /** after a commit that removed segments: their files go once no snapshot can read them */
  retire(paths: readonly string[], segIds: readonly number[]): void {
    const epoch = this.snapshots.epoch();
    for (const p of paths) this.retired.push({ path: p, epoch, at: Date.now() });
    for (const id of segIds) this.cache.delete(id);
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
  private writeSegments(rel: StoredRelation, rows: readonly (readonly (Stored | Datum)[])[], keys: readonly Buffer[], datums = false): { meta: SegmentMeta; from: number }[] {
    const size = segmentRows(rel);
    const chunks = Math.ceil(rows.length / size);
    if (chunks === 0) return [];
    const first = this.allocateSegmentIds(chunks);
    const out: { meta: SegmentMeta; from: number }[] = [];
    for (let c = 0; c < chunks; c++) {
      const from = c * size;
      const part = rows.slice(from, from + size);
      const { bytes, zones } = encodeSegment(rel.types, part, keys.slice(from, from + size), datums);
      const id = first + c;
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

  /**
   * Moves the memtable into new segments. Rows changed by commits that ran while the files were
   * written stay in the memtable and are born deleted in the new segment.
   */
  async flush(rel: StoredRelation): Promise<number> {
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
      await this.installSegments(rel, this.writeSegments(rel, rows, keys), (i, loc) => {
        const key = keys[i]!;
        const cur = this.dbs.memtable.get(key);
        if (cur === undefined || !storedEqual(cur, rows[i]!)) return false;
        this.dbs.memtable.remove(key);
        this.dbs.loc.put(key, loc);
        return true;
      });
      return rows.length;
    } finally {
      this.busy.delete(rel.oid);
    }
  }

  /**
   * One transaction that makes freshly written segments visible: `claim(i, location)` moves row i
   * (of the rows written) into its new place and says whether it did; rows not claimed are born
   * deleted, and a segment with no row left is not registered (its file goes). `also` runs in the
   * same transaction. Returns how many segments were registered.
   */
  private async installSegments(rel: StoredRelation, written: readonly { meta: SegmentMeta; from: number }[],
    claim: (i: number, loc: Buffer) => boolean, also?: () => void): Promise<number> {
    const unused: string[] = [];
    let registered = 0;
    await this.root.transaction(() => {
      for (const { meta, from } of written) {
        const dead: number[] = [];
        for (let i = 0; i < meta.rows; i++) if (!claim(from + i, location(meta.id, i))) dead.push(i);
        if (dead.length === meta.rows) { unused.push(this.file(meta.id)); continue; }
        this.dbs.segments.put(segmentKey(rel.oid, meta.id), meta);
        if (dead.length) this.bitmaps.write(meta.id, DeleteBitmaps.create(dead));
        registered++;
      }
      also?.();
    });
    for (const f of unused) { try { unlinkSync(f); } catch { /* already gone */ } }
    return registered;
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
   * live rows, and re-points the location index. Readers keep reading the old segments through
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
    const keys: Buffer[] = [];
    const rows: Stored[][] = [];
    const origin: Buffer[] = [];
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
          origin.push(location(meta.id, off));
        }
      }
    } finally {
      snap.done();
    }
    // a row moves only if the location index still points at its old place
    const registered = await this.installSegments(rel, this.writeSegments(rel, rows, keys), (i, loc) => {
      const cur = this.dbs.loc.get(keys[i]!);
      if (cur === undefined || !Buffer.from(cur).equals(origin[i]!)) return false;
      this.dbs.loc.put(keys[i]!, loc);
      return true;
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

