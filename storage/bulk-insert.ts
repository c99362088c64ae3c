// A bulk load of new rows into one table (COPY FROM): rows are taken a segment's worth at a
// time, put in key order, written to a column segment file at once (not yet in the manifest) and
// encoded once as MessagePack; the commit then writes those bytes to the row store and the
// binlog and registers the segments, in one LMDB transaction. Nothing per row outlives its
// segment's chunk but bytes, so a load of millions of rows holds no million objects.
import type { Row } from '../core/datum.js';
import { SqlError, SqlState } from '../core/errors.js';
import { unpack } from 'msgpackr';
import { toStored, decodeRow, type Stored } from './row-codec.js';
import { PackWriter } from './packed-rows.js';
import { segmentRows, type SegmentMeta } from './column/layout.js';
import type { StoredRelation } from './store-types.js';

/** one sealed chunk: keys and rows packed back to back, in key order */
export interface BulkChunk {
  readonly n: number;
  readonly keys: Buffer;
  /** n + 1 offsets into keys */
  readonly keyAt: Uint32Array;
  readonly rows: Buffer;
  /** n + 1 offsets into rows */
  readonly rowAt: Uint32Array;
  /** the chunk's column segment (written and fsynced, not registered) */
  readonly segment: SegmentMeta | null;
}

/** what the load needs of the column store */
export interface SegmentSink {
  writeSegments(rel: StoredRelation, rows: readonly Row[], keys: readonly Buffer[], datums: true): { meta: SegmentMeta }[];
  removeSegmentFiles(ids: readonly number[]): void;
}

export class BulkInsert {
  readonly chunks: BulkChunk[] = [];
  private rows: Row[] = [];
  private keys: Buffer[] = [];
  private readonly size: number;
  private readonly packer = new PackWriter(1 << 20);
  count = 0;

  constructor(
    readonly rel: StoredRelation,
    private readonly sink: SegmentSink,
    /** "Key (id)=(5) already exists." for a row whose key is taken */
    readonly describeKey: (row: Row) => string,
  ) {
    this.size = segmentRows(rel);
  }

  add(key: Buffer, row: Row): void {
    this.keys.push(key);
    this.rows.push(row);
    this.count++;
    if (this.rows.length >= this.size) this.seal();
  }

  /** seals the last chunk; the load is ready to commit */
  finish(): void {
    this.seal();
  }

  /** removes the segment files of a load that will not commit */
  abandon(): void {
    this.sink.removeSegmentFiles(this.chunks.flatMap((c) => (c.segment ? [c.segment.id] : [])));
    this.chunks.length = 0;
  }

  /** the sealed rows back as keys and rows (a load that ends up an ordinary write) */
  *decoded(): Generator<[Buffer, Row]> {
    for (const c of this.chunks) {
      for (let i = 0; i < c.n; i++) {
        yield [Buffer.from(c.keys.subarray(c.keyAt[i]!, c.keyAt[i + 1]!)), decodeRow(this.rel.types, unpack(c.rows.subarray(c.rowAt[i]!, c.rowAt[i + 1]!)) as Stored[])];
      }
    }
  }

  duplicate(row: Row): SqlError {
    const name = this.rel.pkName ?? `${this.rel.name}_pkey`;
    return new SqlError(SqlState.UniqueViolation, `duplicate key value violates unique constraint "${name}"`,
      { detail: this.describeKey(row), table: this.rel.name, constraint: name });
  }

  private seal(): void {
    const n = this.rows.length;
    if (n === 0) return;
    let keys = this.keys;
    let rows = this.rows;
    this.keys = [];
    this.rows = [];
    let sorted = true;
    for (let i = 1; i < n && sorted; i++) if (Buffer.compare(keys[i - 1]!, keys[i]!) >= 0) sorted = false;
    if (!sorted) {
      const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => Buffer.compare(keys[a]!, keys[b]!));
      keys = order.map((i) => keys[i]!);
      rows = order.map((i) => rows[i]!);
      // a key twice in one chunk: fail before writing anything (the commit catches the rest)
      for (let i = 1; i < n; i++) if (keys[i - 1]!.equals(keys[i]!)) throw this.duplicate(rows[i]!);
    }
    const segment = this.rel.orientation.column ? this.sink.writeSegments(this.rel, rows, keys, true)[0]!.meta : null;
    const types = this.rel.types;
    const p = this.packer;
    p.reset();
    const rowAt = new Uint32Array(n + 1);
    for (let i = 0; i < n; i++) {
      rowAt[i] = p.len;
      const row = rows[i]!;
      p.arrayHeader(types.length);
      for (let c = 0; c < types.length; c++) p.value(toStored(types[c]!, row[c] ?? null));
    }
    rowAt[n] = p.len;
    const packedRows = p.take();
    const keyAt = new Uint32Array(n + 1);
    let len = 0;
    for (let i = 0; i < n; i++) { keyAt[i] = len; len += keys[i]!.length; }
    keyAt[n] = len;
    const packedKeys = Buffer.allocUnsafe(len);
    for (let i = 0; i < n; i++) packedKeys.set(keys[i]!, keyAt[i]!);
    this.chunks.push({ n, keys: packedKeys, keyAt, rows: packedRows, rowAt, segment });
  }
}
