// What a running plan needs from its surroundings: parameters, function context, the rows of
// tables (through the transaction's view of storage), and a place to cache per-execution results.
import type { Datum, Row } from '../core/datum.js';
import type { RelationDef } from '../catalog/model.js';
import type { CompareOp } from '../expr/plan.js';
import type { EvalEnv } from '../expr/compile.js';

/** Reads of tables as the current transaction sees them; rows have the relation's live columns. */
/** What a column-store scan should read: live column positions (null = all) and comparisons with evaluated constants. */
export interface ColumnarRead {
  readonly columns: readonly number[] | null;
  readonly predicates: readonly { readonly col: number; readonly op: CompareOp; readonly value: number | bigint; readonly scale?: number }[];
}

/** A column of a segment chunk (storage's column vectors satisfy this). */
export interface ColumnData {
  readonly kind: string;
  readonly values: Int32Array | BigInt64Array | Float64Array | Int8Array | null;
  readonly valid: Uint8Array | null;
  readonly scale?: number;
  readonly dict?: { readonly codes: Int32Array; readonly strings: readonly (string | null)[] };
  datum(i: number): Datum;
}

/** A piece of a column-store scan: the selected offsets of one segment, or rows (memtable). Columns are live positions. */
export type ColumnChunk =
  | { readonly kind: 'segment'; readonly sel: Uint32Array; column(c: number): ColumnData | null }
  | { readonly kind: 'rows'; readonly rows: readonly Row[] };

export interface TableReader {
  /**
   * The column store's chunks for vectorized operators; undefined/null when the table has no
   * column store or this transaction has uncommitted writes to it (use scan then).
   */
  columnChunks?(rel: RelationDef, columnar: ColumnarRead): Iterable<ColumnChunk> | null;
  /** all rows; `columnar`: read the column store (columns not asked for may come back NULL) */
  scan(rel: RelationDef, columnar?: ColumnarRead): Iterable<Row>;
  /** lookup by full primary key values (already of the key columns' types) */
  getByKey(rel: RelationDef, key: readonly Datum[]): Row | undefined;
  /** rows whose index columns start with `values` */
  indexLookup(rel: RelationDef, indexOid: number, values: readonly Datum[]): Iterable<Row>;
  /** a table's binlog after sequence number `after`: [seq, event type, op, commit µs, ...row] */
  binlog(rel: RelationDef, after: number): Iterable<Row>;
  /** rows of a system relation such as 'pg_catalog.pg_class' */
  virtualRows(name: string): Iterable<Row>;
}

export interface ExecContext extends EvalEnv {
  readonly tables: TableReader;
  readonly cteCache: Map<object, Row[]>;
  /** throws QueryCanceled when the statement was canceled or timed out */
  checkInterrupt(): void;
  /** present for statements that write (and for scans that need storage keys) */
  readonly writer?: TableWriter;
}

/** Writes of DML statements into the current transaction (storage-layout rows, by key). */
export interface TableWriter {
  /** rows of a table with their storage keys */
  scanKeyed(rel: RelationDef): Iterable<[Buffer, Row]>;
  getByKeyKeyed(rel: RelationDef, key: readonly Datum[]): [Buffer, Row] | undefined;
  indexLookupKeyed(rel: RelationDef, indexOid: number, values: readonly Datum[]): Iterable<[Buffer, Row]>;
  getStorage(rel: RelationDef, key: Buffer): Row | undefined;
  /** the storage key of a new row (primary key encoding, or a fresh hidden row id) */
  keyFor(rel: RelationDef, row: Row): Buffer;
  /** `absent`: the caller just read the key through this writer and found no row (saves a storage read) */
  insert(rel: RelationDef, key: Buffer, row: Row, absent?: boolean): void;
  /** `old`: the committed row the change was computed from; a concurrent change to it fails the commit (40001) */
  update(rel: RelationDef, key: Buffer, row: Row, old?: Row): void;
  delete(rel: RelationDef, key: Buffer, old?: Row): void;
  checkUnique(rel: RelationDef, key: Buffer, row: Row): void;
}
