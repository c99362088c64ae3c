// The shapes storage exchanges with the layers above it (kept apart from store.ts so the
// column store can share them without an import cycle).
import type { SqlType } from '../core/types.js';
import type { Row } from '../core/datum.js';

/** Which stores hold a table's rows: WITH (orientation = 'row' | 'column' | 'row,column'). */
export interface Orientation {
  readonly row: boolean;
  readonly column: boolean;
}

/** What storage needs to know of a relation to read and write it. */
export interface StoredRelation {
  readonly oid: number;
  readonly name: string;
  readonly types: readonly SqlType[];
  /** secondary indexes (the primary key is the row key itself) */
  readonly indexes: readonly StoredIndex[];
  readonly pkName: string | null;
  readonly orientation: Orientation;
  /** memtable rows that trigger a flush into a column segment */
  readonly flushRows: number;
}
export interface StoredIndex {
  readonly oid: number;
  readonly name: string;
  readonly columns: readonly number[];
  readonly unique: boolean;
  /** column names for error messages */
  readonly columnNames: readonly string[];
}

export interface RowWrite {
  readonly rel: StoredRelation;
  readonly key: Buffer;
  /** keyId(key), when the writer has it at hand (the same string object hashes once) */
  readonly id?: string;
  /** null = delete */
  readonly row: Row | null;
  /** a plain INSERT: fail with 23505 if another transaction committed the key meanwhile */
  readonly insertOnly?: boolean;
  /** the key was allocated by this transaction (a hidden row id): no stored row can hold it */
  readonly fresh?: boolean;
  /**
   * The committed version this update or delete was computed from (null: the row was absent).
   * If another transaction committed a different version meanwhile, the commit fails with 40001
   * instead of silently overwriting it (no lost updates).
   */
  readonly expected?: Row | null;
  /**
   * The table's binlog head in the snapshot `expected` was read from: if nothing was logged to
   * the table since, the current version is that one and the check needs no read.
   */
  readonly expectedAt?: number;
  /** insertOnly: the table's binlog head in the snapshot the key was found absent in (no read at commit if unchanged) */
  readonly absentAt?: number;
  /** `expected` as the store held it (packed): logged as the before-image when it is still current, not encoded again */
  readonly expectedPacked?: Uint8Array;
}

export interface CommitBatch {
  readonly rows: readonly RowWrite[];
  /** new catalog record (JSON-serializable), when DDL changed it */
  readonly catalog?: unknown;
  /** relations whose rows and index entries must be removed (DROP TABLE, TRUNCATE) */
  readonly clearRelations?: readonly StoredRelation[];
  /**
   * Rows to log as deletions in a relation's binlog without touching stored rows: the contents of
   * a source, which live only in its binlog (ALTER SOURCE ... RESET retracts them).
   */
  readonly retract?: readonly { readonly rel: StoredRelation; readonly rows: readonly Row[] }[];
  /** counters to persist, e.g. sequences and hidden row ids */
  readonly counters?: ReadonlyMap<string, number>;
  /** small values to persist with the commit (Store.note); undefined removes one */
  readonly notes?: ReadonlyMap<string, unknown>;
  /** relations dropped by this commit: their binlogs go too */
  readonly droppedRelations?: readonly number[];
  /** dataflow operator state to write with the commit (value null: remove the key) */
  readonly state?: readonly StateWrite[];
  /** key prefixes of operator state to remove first (a dropped or rebuilt view's state) */
  readonly clearState?: readonly Buffer[];
  /** commit time recorded in the binlog, µs since 1970 */
  readonly commitTimestamp?: number;
  /**
   * Wait until the commit is on disk before returning (default). false is PostgreSQL's
   * synchronous_commit = off: visible at once, durable a moment later; a crash of the machine
   * (not of the process) may lose the last commits, never consistency.
   */
  readonly durable?: boolean;
}

/** One key of a materialized view's operator state (dataflow/state): opaque bytes to storage. */
export interface StateWrite {
  readonly key: Buffer;
  readonly value: Buffer | null;
}

/** An LMDB read transaction used as a statement's snapshot. */
export interface ReadSnapshot {
  /** the LMDB read transaction (passed as lmdb-js's `transaction` option) */
  readonly txn: unknown;
  done(): void;
}

