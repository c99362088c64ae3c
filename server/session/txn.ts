// A transaction's uncommitted writes, layered over the durable store. Reads inside the
// transaction see its own writes; other sessions see nothing until commit, when the whole
// write set goes to storage in one LMDB transaction. Statements write into a child layer that
// is merged on success and dropped on error (statement atomicity).
import type { SqlType } from '../../core/types.js';
import type { Datum, Row } from '../../core/datum.js';
import { SqlError, SqlState } from '../../core/errors.js';
import { compareDatums } from '../../core/values/io.js';
import type { Store, StoredRelation, RowWrite, ReadSnapshot } from '../../storage/store.js';
import { encodeKey, encodeRowKey } from '../../storage/key-codec.js';
import type { RelationDef } from '../../catalog/model.js';
import type { TableReader, TableWriter, ColumnarRead, ColumnChunk } from '../../exec/context.js';

interface Pending {
  readonly rel: RelationDef;
  readonly key: Buffer;
  row: Row | null;
  /** whether the key existed before this transaction touched it */
  readonly existed: boolean;
  insertOnly: boolean;
  /** the key is a hidden row id just allocated by keyFor: no committed row can hold it */
  readonly fresh?: boolean;
  /** the committed row version the first update/delete of this key in the transaction read */
  readonly expected?: Row | null;
  /** the table's binlog head in the snapshot `expected` was read from */
  readonly expectedAt?: number;
  /** an insert of a key found absent: the table's binlog head in the snapshot it was looked up in */
  readonly absentAt?: number;
  /** `expected` as the row store held it (RowWrite.expectedPacked) */
  readonly expectedPacked?: Uint8Array;
}

import { keyId } from '../../storage/key-id.js';
export { keyId } from '../../storage/key-id.js';

export class WriteLayer {
  readonly tables = new Map<number, Map<string, Pending>>();
  constructor(readonly parent: WriteLayer | null) {}

  lookup(relOid: number, id: string): Pending | undefined {
    for (let l: WriteLayer | null = this; l; l = l.parent) {
      const m = l.tables.get(relOid);
      if (m === undefined || m.size === 0) continue;
      const p = m.get(id);
      if (p) return p;
    }
    return undefined;
  }

  touches(relOid: number): boolean {
    for (let l: WriteLayer | null = this; l; l = l.parent) if (l.tables.get(relOid)?.size) return true;
    return false;
  }

  /** all pending writes of a relation, innermost layer winning; read-only (may be a layer's own map) */
  merged(relOid: number): ReadonlyMap<string, Pending> {
    const chain: Map<string, Pending>[] = [];
    for (let l: WriteLayer | null = this; l; l = l.parent) {
      const m = l.tables.get(relOid);
      if (m !== undefined && m.size > 0) chain.unshift(m);
    }
    // a bulk load usually has all its writes in one layer: copying a million entries is wasted work
    if (chain.length === 1) return chain[0]!;
    const out = new Map<string, Pending>();
    for (const m of chain) for (const [k, p] of m) out.set(k, p);
    return out;
  }

  set(p: Pending, id: string = keyId(p.key)): void {
    let m = this.tables.get(p.rel.oid);
    if (!m) { m = new Map(); this.tables.set(p.rel.oid, m); }
    m.set(id, p);
  }

  /** merges this layer into its parent */
  mergeUp(): void {
    const parent = this.parent!;
    for (const [oid, m] of this.tables) {
      const pm = parent.tables.get(oid);
      // the parent has nothing for this relation: hand the map over instead of copying it
      if (!pm || pm.size === 0) { parent.tables.set(oid, m); continue; }
      for (const [k, p] of m) pm.set(k, p);
    }
    // this layer is finished; dropping its maps keeps a later reuse from aliasing the parent's
    this.tables.clear();
  }

  clearRelation(relOid: number): void {
    this.tables.delete(relOid);
  }

  /** TRUNCATE/DROP inside a transaction: forget the relation's pending writes in every layer */
  clearRelationChain(relOid: number): void {
    for (let l: WriteLayer | null = this; l; l = l.parent) l.tables.delete(relOid);
  }

  writes(storedRel: (rel: RelationDef) => StoredRelation): RowWrite[] {
    const out: RowWrite[] = [];
    const oids = new Set<number>();
    for (let l: WriteLayer | null = this; l; l = l.parent) for (const oid of l.tables.keys()) oids.add(oid);
    for (const oid of oids) {
      const m = this.merged(oid);
      let sr: StoredRelation | null = null;
      let srOf: RelationDef | null = null;
      const storedRel1 = (rel: RelationDef): StoredRelation => {
        // one StoredRelation per relation, not one per row
        if (srOf !== rel) { srOf = rel; sr = storedRel(rel); }
        return sr!;
      };
      for (const [id, p] of m) {
        if (p.row === null && !p.existed) continue;
        // one shape for every write (an absent field is undefined): no spreads per row
        out.push({
          rel: storedRel1(p.rel), key: p.key, id, row: p.row,
          fresh: p.fresh ? true : undefined,
          insertOnly: !p.fresh && p.insertOnly ? true : undefined,
          absentAt: !p.fresh && p.insertOnly ? p.absentAt : undefined,
          expected: p.expected,
          expectedAt: p.expected !== undefined ? p.expectedAt : undefined,
          expectedPacked: p.expected !== undefined ? p.expectedPacked : undefined,
        });
      }
    }
    return out;
  }
}

/** persisted note (Store.note): a materialized view's evaluation errors, [sqlstate, message, rows][] */
export const errorsNote = (viewOid: number): string => `mv:errors:${viewOid}`;

export function storageTypes(rel: RelationDef): SqlType[] {
  return rel.columns.map((c) => c.type);
}

export function pkKey(rel: RelationDef, row: Row, rowId: () => bigint): Buffer {
  if (!rel.primaryKey) return encodeKey(rel.oid, [INT8], [rowId()]);
  let types = pkTypes.get(rel);
  if (!types) { types = rel.primaryKey.map((c) => rel.columns[c]!.type); pkTypes.set(rel, types); }
  return encodeRowKey(rel.oid, types, rel.primaryKey, row);
}
/** the primary key's column types per relation definition (definitions are immutable) */
const pkTypes = new WeakMap<RelationDef, SqlType[]>();
import { T } from '../../core/types.js';
const INT8 = T.int8;

/** Projects storage-layout rows (with dropped columns) to live columns. */
export function liveProjector(rel: RelationDef): ((r: Row) => Row) | null {
  if (!rel.columns.some((c) => c.dropped)) return null;
  const idx = rel.columns.map((c, i) => (c.dropped ? -1 : i)).filter((i) => i >= 0);
  return (r) => idx.map((i) => r[i] ?? null);
}

/**
 * A column read in storage positions: plans use live column positions, storage keeps dropped
 * columns in place. `at` maps one position.
 */
function storageColumns(rel: RelationDef, columnar: ColumnarRead): { at: (c: number) => number; spec: ColumnarRead } {
  const toStorage = rel.columns.some((c) => c.dropped) ? rel.columns.map((c, i) => (c.dropped ? -1 : i)).filter((i) => i >= 0) : null;
  const at = (c: number): number => (toStorage ? toStorage[c]! : c);
  return {
    at,
    spec: { columns: columnar.columns ? columnar.columns.map(at) : null, predicates: columnar.predicates.map((p) => ({ ...p, col: at(p.col) })) },
  };
}

/** TableReader over store + write layers. Rows come back with live columns only. */
export class TxnReader implements TableReader, TableWriter {
  constructor(
    private readonly store: Store,
    private readonly layer: WriteLayer,
    private readonly storedRel: (rel: RelationDef) => StoredRelation,
    private readonly virtual: (name: string) => Iterable<Row>,
    private readonly nextRowId: () => bigint,
    /** the statement's read snapshot of committed data (undefined: latest) */
    private readonly snap?: ReadSnapshot,
    /** takes the row lock before an update or delete (throws LockWait when another transaction has it) */
    private readonly lockRow?: (relOid: number, id: string) => void,
  ) {}

  scanKeyed(rel: RelationDef): Iterable<[Buffer, Row]> { return this.scanStorage(rel); }

  getByKeyKeyed(rel: RelationDef, key: readonly Datum[]): [Buffer, Row] | undefined {
    const pk = rel.primaryKey!;
    const k = encodeKey(rel.oid, pk.map((c) => rel.columns[c]!.type), key);
    const row = this.getStorage(rel, k);
    return row ? [k, row] : undefined;
  }

  indexLookupKeyed(rel: RelationDef, indexOid: number, values: readonly Datum[]): Iterable<[Buffer, Row]> {
    return this.indexLookupStorage(rel, indexOid, values);
  }

  /** the last hidden row id key keyFor allocated (identity-compared in insert) */
  private freshKey: Buffer | null = null;

  keyFor(rel: RelationDef, row: Row): Buffer {
    const k = pkKey(rel, row, this.nextRowId);
    // row ids are allocated durably and never reused, so no committed row can hold this key:
    // insert may skip the storage lookup for it
    this.freshKey = rel.primaryKey ? null : k;
    return k;
  }

  /**
   * A materialized view whose input holds rows its query cannot evaluate (division by zero, a
   * failed cast) raises the error when read, as running its query would.
   */
  private checkView(rel: RelationDef): void {
    if (rel.kind === 'source') {
      throw new SqlError(SqlState.FeatureNotSupported, `cannot read source "${rel.name}" directly: it keeps no rows`, {
        hint: 'Create a materialized view over it, or a table WITH (connector = ...) that stores its rows.',
      });
    }
    if (rel.kind !== 'matview') return;
    const errs = this.store.note(errorsNote(rel.oid), this.snap) as [string, string, number][] | undefined;
    if (!errs || errs.length === 0) return;
    const [code, message] = errs[0]!;
    const rows = errs.reduce((n, e) => n + e[2], 0);
    throw new SqlError(code, message, { detail: `Materialized view "${rel.name}" has ${rows} input row${rows === 1 ? '' : 's'} whose evaluation failed.` });
  }

  /** storage-layout rows with their keys */
  scanStorage(rel: RelationDef): Generator<[Buffer, Row]> {
    this.checkView(rel);
    const sr = this.storedRel(rel);
    return this.overlay(rel, this.store.scan(sr, undefined, this.snap));
  }

  /** Stored rows with this transaction's pending writes of the relation laid over them. */
  private *overlay(rel: RelationDef, stored: Iterable<[Buffer, Row]>): Generator<[Buffer, Row]> {
    if (!this.layer.touches(rel.oid)) {
      yield* stored;
      return;
    }
    const pending = this.layer.merged(rel.oid);
    // a pushed-down comparison may have skipped the stored version of a row this transaction
    // changed, so every pending row not met in the stored rows comes at the end
    const seen = new Set<string>();
    for (const [key, row] of stored) {
      const id = keyId(key);
      const p = pending.get(id);
      if (p) {
        seen.add(id);
        if (p.row) yield [key, p.row];
        continue;
      }
      yield [key, row];
    }
    for (const [id, p] of pending) if (p.row && !seen.has(id)) yield [p.key, p.row];
  }

  columnChunks(rel: RelationDef, columnar: ColumnarRead): Iterable<ColumnChunk> | null {
    this.checkView(rel);
    const sr = this.storedRel(rel);
    if (!sr.orientation.column || this.layer.touches(rel.oid)) return null;
    const proj = liveProjector(rel);
    const { at, spec } = storageColumns(rel, columnar);
    const chunks = this.store.columnChunks(sr, spec, this.snap);
    return (function* (): Generator<ColumnChunk> {
      for (const ch of chunks) {
        if (ch.kind === 'rows') yield { kind: 'rows', rows: proj ? ch.rows.map(proj) : ch.rows };
        else yield { kind: 'segment', sel: ch.sel, column: (c: number) => ch.seg.columns[at(c)] ?? null };
      }
    })();
  }

  *scan(rel: RelationDef, columnar?: ColumnarRead): Generator<Row> {
    this.checkView(rel);
    const proj = liveProjector(rel);
    const sr = this.storedRel(rel);
    let rows: Iterable<[Buffer, Row]>;
    if (columnar && sr.orientation.column) {
      rows = this.overlay(rel, this.store.columnScan(sr, storageColumns(rel, columnar).spec, this.snap));
    } else {
      rows = this.scanStorage(rel);
    }
    for (const [, row] of rows) yield proj ? proj(row) : row;
  }

  /** keyId of the key last asked for (an insert asks for the key its caller just read) */
  private lastKey: Buffer | null = null;
  private lastId = '';
  private idOf(key: Buffer): string {
    if (key !== this.lastKey) { this.lastKey = key; this.lastId = keyId(key); }
    return this.lastId;
  }

  /** the bytes of the row the last getStorage read from the row store, and its key (update() passes them on) */
  private readonly lastRead: { key: Buffer | null; bytes: Uint8Array | undefined } = { key: null, bytes: undefined };

  getStorage(rel: RelationDef, key: Buffer): Row | undefined {
    const id = this.idOf(key);
    const p = this.layer.lookup(rel.oid, id);
    if (p) return p.row ?? undefined;
    if (this.emptyInSnapshot(rel)) return undefined;
    this.lastRead.key = key;
    return this.store.get(this.storedRel(rel), key, this.snap, this.lastRead, id);
  }

  existedInStore(rel: RelationDef, key: Buffer): boolean {
    if (this.emptyInSnapshot(rel)) return false;
    return this.store.get(this.storedRel(rel), key, this.snap) !== undefined;
  }

  private readonly empty = new Map<number, boolean>();
  private readonly keyReads = new Map<number, number>();

  /**
   * The table has no rows in this statement's snapshot, so key reads can be skipped (loading a
   * new table). Asked only once a statement has read many keys of the table: a point lookup
   * should not pay for the extra range read.
   */
  private emptyInSnapshot(rel: RelationDef): boolean {
    if (!this.snap) return false;
    let e = this.empty.get(rel.oid);
    if (e === undefined) {
      const n = (this.keyReads.get(rel.oid) ?? 0) + 1;
      this.keyReads.set(rel.oid, n);
      if (n < 64) return false;
      e = this.store.isEmpty(this.storedRel(rel), this.snap);
      this.empty.set(rel.oid, e);
    }
    return e;
  }

  getByKey(rel: RelationDef, key: readonly Datum[]): Row | undefined {
    const pk = rel.primaryKey!;
    const k = encodeKey(rel.oid, pk.map((c) => rel.columns[c]!.type), key);
    const row = this.getStorage(rel, k);
    if (!row) return undefined;
    const proj = liveProjector(rel);
    return proj ? proj(row) : row;
  }

  *indexLookupStorage(rel: RelationDef, indexOid: number, values: readonly Datum[]): Generator<[Buffer, Row]> {
    const idx = rel.indexes.find((i) => i.oid === indexOid)!;
    const sr = this.storedRel(rel);
    const types = idx.columns.map((c) => rel.columns[c]!.type);
    const matches = (row: Row): boolean => values.every((v, i) => {
      const d = row[idx.columns[i]!] ?? null;
      return d !== null && v !== null && compareDatums(types[i]!, d, v) === 0;
    });
    const touched = this.layer.touches(rel.oid);
    const pending = touched ? this.layer.merged(rel.oid) : null;
    const seen = new Set<string>();
    for (const key of this.store.indexLookup(sr.indexes.find((i) => i.oid === indexOid)!, types, values, this.snap)) {
      const k = Buffer.from(key);
      const hex = keyId(k);
      seen.add(hex);
      const p = pending?.get(hex);
      const row = p ? p.row : this.store.get(sr, k, this.snap) ?? null;
      if (row && matches(row)) yield [k, row];
    }
    if (pending) for (const [hex, p] of pending) if (!seen.has(hex) && p.row && matches(p.row)) yield [p.key, p.row];
  }

  *indexLookup(rel: RelationDef, indexOid: number, values: readonly Datum[]): Generator<Row> {
    const proj = liveProjector(rel);
    for (const [, row] of this.indexLookupStorage(rel, indexOid, values)) yield proj ? proj(row) : row;
  }

  *binlog(rel: RelationDef, after: number): Generator<Row> {
    const names: Record<number, string> = { 2: 'DELETE', 3: 'UPDATE_BEFORE', 5: 'INSERT', 7: 'UPDATE_AFTER' };
    for (const e of this.store.binlog(this.storedRel(rel), after, this.snap)) {
      yield [BigInt(e.seq), e.event, names[e.event] ?? '?', e.commitTs, ...e.row];
    }
  }

  virtualRows(name: string): Iterable<Row> {
    return this.virtual(name);
  }

  // ---- writes -------------------------------------------------------------

  insert(rel: RelationDef, key: Buffer, row: Row, absent = false): void {
    const id = this.idOf(key);
    if (key === this.freshKey) {
      this.freshKey = null;
      this.layer.set({ rel, key, row, existed: false, insertOnly: true, fresh: true }, id);
      return;
    }
    const existing = this.layer.lookup(rel.oid, id);
    // a pending delete of the key keeps what the store had; otherwise the caller's read already said "no row"
    const existed = existing ? existing.existed : absent ? false : this.existedInStore(rel, key);
    this.layer.set({
      rel, key, row, existed, insertOnly: !existed, ...(existing?.fresh ? { fresh: true } : {}),
      // looked up absent in this statement's snapshot: the commit need not look again if nothing was logged since
      ...(!existing && !existed ? { absentAt: this.readPosition(rel) } : {}),
      // re-inserting a key this transaction deleted keeps the version that delete was based on
      ...(existing?.expected !== undefined ? { expected: existing.expected, ...(existing.expectedAt !== undefined ? { expectedAt: existing.expectedAt } : {}) } : {}),
    }, id);
  }

  /**
   * Writes a row into a relation whose stored rows this transaction clears at commit (a table
   * rewrite): no committed row can hold the key, so neither existence checks nor old values apply.
   */
  insertRewritten(rel: RelationDef, key: Buffer, row: Row): void {
    this.layer.set({ rel, key, row, existed: false, insertOnly: false, fresh: true }, keyId(key));
  }

  /** `old`: the committed version the new row was computed from, checked again at commit */
  update(rel: RelationDef, key: Buffer, row: Row, old?: Row): void {
    // the key the caller just read (getStorage): its id is at hand
    const id = this.idOf(key);
    this.lockRow?.(rel.oid, id);
    const existing = this.layer.lookup(rel.oid, id);
    const existed = existing ? existing.existed : true;
    const e = this.expectation(rel, existing, old);
    // the first write of the key in this transaction, computed from the row getStorage just read
    const packed = existing ? existing.expectedPacked : old !== undefined && this.lastRead.key === key ? this.lastRead.bytes : undefined;
    this.layer.set({
      rel, key, row, existed, insertOnly: existing?.insertOnly ?? false, fresh: existing?.fresh ? true : undefined,
      expected: e.expected, expectedAt: e.expectedAt, expectedPacked: packed,
    }, id);
  }

  delete(rel: RelationDef, key: Buffer, old?: Row): void {
    const id = keyId(key);
    this.lockRow?.(rel.oid, id);
    const existing = this.layer.lookup(rel.oid, id);
    const existed = existing ? existing.existed : true;
    this.layer.set({ rel, key, row: null, existed, insertOnly: false, ...this.expectation(rel, existing, old) }, id);
  }

  private readonly positions = new Map<number, number>();
  /** the table's binlog head in this statement's snapshot (latest, without one) */
  private readPosition(rel: RelationDef): number {
    if (!this.snap) return this.store.readPosition(this.storedRel(rel));
    let p = this.positions.get(rel.oid);
    if (p === undefined) { p = this.store.readPosition(this.storedRel(rel), this.snap); this.positions.set(rel.oid, p); }
    return p;
  }

  /** the version a write was computed from (the transaction's first read of the key) and where it was read */
  private expectation(rel: RelationDef, existing: Pending | undefined, old: Row | undefined): { expected?: Row | null; expectedAt?: number } {
    if (existing) return { expected: existing.expected, expectedAt: existing.expected !== undefined ? existing.expectedAt : undefined };
    return old !== undefined ? { expected: old, expectedAt: this.readPosition(rel) } : {};
  }

  /** 23505 if another live row holds the same values in a unique index */
  checkUnique(rel: RelationDef, key: Buffer, row: Row): void {
    for (const idx of rel.indexes) {
      if (!idx.unique || idx.primary) continue;
      const vals = idx.columns.map((c) => row[c] ?? null);
      if (vals.some((v) => v === null)) continue;
      for (const [k] of this.indexLookupStorage(rel, idx.oid, vals)) {
        if (!k.equals(key)) {
          throw new SqlError(SqlState.UniqueViolation, `duplicate key value violates unique constraint "${idx.name}"`, {
            detail: `Key (${idx.columns.map((c) => rel.columns[c]!.name).join(', ')})=(${vals.map(String).join(', ')}) already exists.`,
            table: rel.name, constraint: idx.name,
          });
        }
      }
    }
  }
}
