// A bulk load of new rows into one table (COPY FROM). Each row is encoded once, as MessagePack,
// as it comes; a segment's worth of rows is then put in key order and handed to the segment
// worker thread, which writes its column segment file (not yet in the manifest). The commit
// writes the same bytes to the row store and the binlog and registers the segments, in one LMDB
// transaction. No row object outlives add(): a load of millions of rows holds bytes, not objects.
import { compareRanges } from './byte-compare.js';
import type { Row } from '../core/datum.js';
import { unpack } from 'msgpackr';
import { toStored, decodeRow, type Stored } from './row-codec.js';
import { PackWriter } from './packed-rows.js';
import { packBinlogChunks, type PackedBinlog } from './bulk-binlog.js';
import { segmentRows, type SegmentMeta } from './column/layout.js';
import type { StoredRelation } from './store-types.js';
import type { StagedLoad } from './staged-load.js';

/** one sealed chunk: keys and rows packed back to back, in key order */
export interface BulkChunk {
  readonly n: number;
  readonly keys: Buffer;
  /** n + 1 offsets into keys */
  readonly keyAt: Uint32Array;
  readonly rows: Buffer;
  /** n + 1 offsets into rows */
  readonly rowAt: Uint32Array;
}

/** what the load needs of the column store */
export interface SegmentSink {
  writePackedSegment(rel: StoredRelation, chunk: BulkChunk): { id: number; done: Promise<{ meta: SegmentMeta; binlog: PackedBinlog }> };
  removeSegmentFiles(ids: readonly number[]): void;
}

export class BulkInsert {
  /** the sealed chunks not staged (a staged chunk is in the store and the load lets go of it) */
  readonly chunks: BulkChunk[] = [];
  /** each chunk's column segment (being written, not registered), in chunk order */
  private readonly sealed: { segment: number | null; meta: Promise<SegmentMeta | null> }[] = [];
  /** the binlog chunks of the chunks not staged, in chunk order (a staged chunk's are in the store) */
  private readonly binlogs: PackedBinlog[] = [];
  private readonly size: number;
  /** the open chunk: each row packed as it comes (no row object lives longer than add()) */
  private readonly rowBytes = new PackWriter(1 << 20);
  private readonly keyBytes = new PackWriter(1 << 16);
  private rowAt: Uint32Array;
  private keyAt: Uint32Array;
  private n = 0;
  count = 0;

  /** staged-load.ts: 'unknown' until the first chunk is sealed, then whether the table took a staged load */
  private mode: 'unknown' | 'pending' | 'staged' | 'direct';
  private staged: StagedLoad | null = null;
  /** the staging of the sealed chunks, in order */
  private staging: Promise<void> = Promise.resolve();
  /** the first error staging met (a duplicate key, say): the load fails with it */
  private failure: { error: unknown } | null = null;
  /** the staged chunks' transactions */
  private readonly writes: Promise<void>[] = [];

  constructor(
    readonly rel: StoredRelation,
    private readonly sink: SegmentSink,
    /** the 23505 for a row whose key is taken */
    readonly duplicate: (row: Row) => Error,
    /** a staged load of the table, for a load of at least a chunk (null: everything is written at the commit) */
    private readonly stager: (() => StagedLoad) | null = null,
  ) {
    this.mode = stager ? 'unknown' : 'direct';
    this.size = segmentRows(rel);
    this.rowAt = new Uint32Array(this.size + 1);
    this.keyAt = new Uint32Array(this.size + 1);
  }

  add(key: Uint8Array, row: Row): void {
    const i = this.n++;
    this.keyAt[i] = this.keyBytes.len;
    this.keyBytes.raw(key);
    const p = this.rowBytes;
    this.rowAt[i] = p.len;
    const types = this.rel.types;
    p.arrayHeader(types.length);
    for (let c = 0; c < types.length; c++) p.value(toStored(types[c]!, row[c] ?? null));
    this.count++;
    if (this.n >= this.size) this.seal();
  }

  /**
   * A row packed by the caller straight into the load's writers (a COPY parser that never makes
   * row objects): beginRow(), then the row's MessagePack array into `rowWriter` and its key into
   * `keyWriter`, then endRow(), or abortRow() to take back what was written since beginRow().
   */
  get rowWriter(): PackWriter { return this.rowBytes; }
  get keyWriter(): PackWriter { return this.keyBytes; }

  beginRow(): void {
    this.rowAt[this.n] = this.rowBytes.len;
    this.keyAt[this.n] = this.keyBytes.len;
  }

  abortRow(): void {
    this.rowBytes.len = this.rowAt[this.n]!;
    this.keyBytes.len = this.keyAt[this.n]!;
  }

  endRow(): void {
    this.n++;
    this.count++;
    if (this.n >= this.size) this.seal();
  }

  /**
   * Seals the last chunk and waits for every segment file (and staged write): the load is ready
   * to commit. Returns the segments and, unless the load is staged (then its staged load, to
   * commit), the binlog chunks, in the order of the rows.
   */
  async finish(): Promise<{ segments: SegmentMeta[]; binlogs: PackedBinlog[]; staged: StagedLoad | null }> {
    this.seal();
    const metas = await Promise.all(this.sealed.map((s) => s.meta));
    await this.staging;
    await Promise.all(this.writes);
    if (this.failure) throw this.failure.error;
    const segments = metas.flatMap((m) => (m ? [m] : []));
    return this.staged ? { segments, binlogs: [], staged: this.staged } : { segments, binlogs: this.binlogs, staged: null };
  }

  /**
   * Lets the event loop run (segment files answered, staged writes done) and fails with what
   * staging met: a loader that parses for long calls it now and then.
   */
  async breathe(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.failure) throw this.failure.error;
  }

  /** removes what a load that will not commit wrote: its segment files and staged rows (once their writes are over) */
  async abandon(): Promise<void> {
    const sealed = this.sealed.splice(0);
    await Promise.allSettled(sealed.map((s) => s.meta));
    await this.staging;
    await Promise.all(this.writes);
    try {
      await this.staged?.abort();
    } finally {
      this.staged = null;
      this.sink.removeSegmentFiles(sealed.flatMap((s) => (s.segment === null ? [] : [s.segment])));
      this.chunks.length = 0;
    }
  }

  /** the sealed rows back as keys and rows (a load that ends up an ordinary write) */
  *decoded(): Generator<[Buffer, Row]> {
    for (const c of this.chunks) {
      for (let i = 0; i < c.n; i++) yield [Buffer.from(c.keys.subarray(c.keyAt[i]!, c.keyAt[i + 1]!)), this.rowOf(c.rows, c.rowAt, i)];
    }
  }

  /** the rows of a load that never filled a chunk (nothing sealed), in the order they came */
  unsealedRows(): Row[] {
    if (this.chunks.length) throw new Error('unsealedRows() after a chunk was sealed');
    const rowAt = this.rowAt.slice(0, this.n + 1);
    rowAt[this.n] = this.rowBytes.len;
    const out: Row[] = [];
    for (let i = 0; i < this.n; i++) out.push(this.rowOf(this.rowBytes.buf, rowAt, i));
    return out;
  }

  private rowOf(rows: Buffer, rowAt: Uint32Array, i: number): Row {
    return decodeRow(this.rel.types, unpack(rows.subarray(rowAt[i]!, rowAt[i + 1]!)) as Stored[]);
  }

  private seal(): void {
    const n = this.n;
    if (n === 0) return;
    this.n = 0;
    const kb = this.keyBytes.buf;
    const rb = this.rowBytes.buf;
    const keyAt = this.keyAt.slice(0, n + 1);
    const rowAt = this.rowAt.slice(0, n + 1);
    keyAt[n] = this.keyBytes.len;
    rowAt[n] = this.rowBytes.len;
    const cmp = (a: number, b: number): number => compareRanges(kb, keyAt[a]!, keyAt[a + 1]!, keyAt[b]!, keyAt[b + 1]!);
    let sorted = true;
    for (let i = 1; i < n && sorted; i++) if (cmp(i - 1, i) >= 0) sorted = false;
    let chunk: BulkChunk;
    if (sorted) {
      chunk = { n, keys: this.keyBytes.detach(), keyAt, rows: this.rowBytes.detach(), rowAt };
    } else {
      // into key order: the rows' bytes are copied over in that order
      const order = new Uint32Array(n);
      for (let i = 0; i < n; i++) order[i] = i;
      order.sort(cmp);
      // a key twice in one chunk: fail before writing anything (the commit catches the rest)
      for (let i = 1; i < n; i++) if (cmp(order[i - 1]!, order[i]!) === 0) throw this.duplicate(this.rowOf(rb, rowAt, order[i]!));
      const keys = Buffer.allocUnsafe(keyAt[n]!);
      const rows = Buffer.allocUnsafe(rowAt[n]!);
      const ka = new Uint32Array(n + 1);
      const ra = new Uint32Array(n + 1);
      for (let i = 0; i < n; i++) {
        const j = order[i]!;
        ka[i + 1] = ka[i]! + kb.copy(keys, ka[i]!, keyAt[j]!, keyAt[j + 1]!);
        ra[i + 1] = ra[i]! + rb.copy(rows, ra[i]!, rowAt[j]!, rowAt[j + 1]!);
      }
      chunk = { n, keys, keyAt: ka, rows, rowAt: ra };
    }
    this.keyBytes.reset();
    this.rowBytes.reset();
    // the column segment is made from the packed rows on the segment worker thread, and the
    // binlog chunks with it; a table without a column store has them packed here
    let done: Promise<{ meta: SegmentMeta | null; binlog: PackedBinlog }>;
    if (this.rel.orientation.column) {
      const w = this.sink.writePackedSegment(this.rel, chunk);
      done = w.done;
      const meta = done.then((d) => d.meta);
      // a failed segment write is the load's error (finish() throws it), not an unhandled rejection meanwhile
      done.catch(() => undefined);
      meta.catch(() => undefined);
      this.sealed.push({ segment: w.id, meta });
    } else {
      done = Promise.resolve({ meta: null, binlog: packBinlogChunks(n, chunk.rows, chunk.rowAt, chunk.keys, chunk.keyAt) });
      this.sealed.push({ segment: null, meta: Promise.resolve(null) });
    }
    this.stage(chunk, done);
  }

  /** Stages a sealed chunk once its segment is written, if the load is staged; else keeps it for the commit. */
  private stage(chunk: BulkChunk, done: Promise<{ binlog: PackedBinlog }>): void {
    if (this.mode === 'unknown') {
      // the first chunk: the table is marked if it is empty
      this.mode = 'pending';
      const s = this.stager!();
      this.staging = s.begin().then((ok) => {
        this.mode = ok ? 'staged' : 'direct';
        if (ok) this.staged = s;
      }, (error: unknown) => { this.failure ??= { error }; this.mode = 'direct'; });
    }
    this.staging = this.staging.then(async () => {
      if (this.failure) return;
      const { binlog } = await done;
      if (this.mode !== 'staged') { this.chunks.push(chunk); this.binlogs.push(binlog); return; }
      // asked for in chunk order; not waited for here, so that transactions queue up (finish() waits)
      this.writes.push(this.staged!.stage(chunk, binlog).catch((error: unknown) => { this.failure ??= { error }; }));
    }).catch((error: unknown) => { this.failure ??= { error }; });
  }
}
