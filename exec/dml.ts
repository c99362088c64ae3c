// Executes bound INSERT / UPDATE / DELETE against the transaction's writer: builds new rows,
// enforces NOT NULL, CHECK, primary key and unique constraints, resolves ON CONFLICT, and
// evaluates RETURNING.
import type { Datum, Row } from '../core/datum.js';
import { SqlError, SqlState } from '../core/errors.js';
import { formatText } from '../core/values/io.js';
import type { BoundDml, BoundInsert, BoundUpdate, BoundDelete, RowChecks } from '../expr/dml.js';
import type { RelationDef } from '../catalog/model.js';
import type { ExecContext, TableWriter } from './context.js';
import { compile } from '../expr/compile.js';
import { runToArray } from './run.js';

export interface DmlResult {
  readonly count: number;
  readonly rows: Row[] | null;
}

export function executeDml(b: BoundDml, cx: ExecContext): DmlResult {
  const w = cx.writer;
  if (!w) throw new SqlError(SqlState.InternalError, 'internal error: DML without a writer');
  switch (b.kind) {
    case 'insert': return executeInsert(b, cx);
    case 'update': return executeUpdate(b, cx, w);
    case 'delete': return executeDelete(b, cx, w);
  }
}

/** Completes a new row version (its generated columns) and checks its constraints. */
function checkRow(rel: RelationDef, checks: RowChecks, row: Row, cx: ExecContext): void {
  for (const g of checks.generated) row[g.col] = compile(g.expr)(row, cx);
  for (const c of checks.notNull) {
    if (row[c] === null || row[c] === undefined) {
      throw new SqlError(SqlState.NotNullViolation, `null value in column "${rel.columns[c]!.name}" of relation "${rel.name}" violates not-null constraint`,
        { detail: `Failing row contains (${describeRow(rel, row, cx)}).`, schema: rel.schema, table: rel.name, column: rel.columns[c]!.name });
    }
  }
  for (const ch of checks.checks) {
    if (compile(ch.expr)(row, cx) === false) {
      throw new SqlError(SqlState.CheckViolation, `new row for relation "${rel.name}" violates check constraint "${ch.name}"`,
        { detail: `Failing row contains (${describeRow(rel, row, cx)}).`, schema: rel.schema, table: rel.name, constraint: ch.name });
    }
  }
}

function describeRow(rel: RelationDef, row: Row, cx: ExecContext): string {
  return rel.columns.map((c, i) => {
    const v = row[i] ?? null;
    return v === null ? 'null' : formatText(c.type, v, cx.evalCtx.settings);
  }).join(', ');
}

/** 23505 for a row whose primary key another row holds */
export function pkViolation(rel: RelationDef, row: Row, cx: ExecContext): SqlError {
  const pk = rel.primaryKey!;
  const name = rel.indexes.find((i) => i.primary)?.name ?? `${rel.name}_pkey`;
  return new SqlError(SqlState.UniqueViolation, `duplicate key value violates unique constraint "${name}"`, {
    detail: `Key (${pk.map((c) => rel.columns[c]!.name).join(', ')})=(${pk.map((c) => formatText(rel.columns[c]!.type, row[c] ?? null, cx.evalCtx.settings)).join(', ')}) already exists.`,
    schema: rel.schema, table: rel.name, constraint: name,
  });
}

function executeInsert(b: BoundInsert, cx: ExecContext): DmlResult {
  return insertRows(b, runToArray(b.source, cx), cx);
}

/** Inserts rows whose columns are b.targetCols (the source of INSERT, or COPY's parsed rows). */
/**
 * Makes a new row from a row of the target columns: the other columns get their defaults, then
 * generated columns and constraints (NOT NULL, CHECK) are applied.
 */
export function newRowBuilder(b: BoundInsert, cx: ExecContext): (src: Row) => Row {
  const rel = b.table;
  const width = rel.columns.length;
  const defaults = b.defaults.map((d) => (d ? compile(d) : null));
  const targetPos = new Int32Array(width).fill(-1);
  b.targetCols.forEach((c, i) => { targetPos[c] = i; });
  const empty: Row = [];
  return (src) => {
    const row = new Array<Datum>(width);
    for (let c = 0; c < width; c++) {
      const p = targetPos[c]!;
      row[c] = p >= 0 ? (src[p] ?? null) : defaults[c] ? defaults[c]!(empty, cx) : null;
    }
    checkRow(rel, b.checks, row, cx);
    return row;
  };
}

export function insertRows(b: BoundInsert, source: readonly Row[], cx: ExecContext): DmlResult {
  const w = cx.writer!;
  const rel = b.table;
  const newRow = newRowBuilder(b, cx);
  const ret = b.returning ? b.returning.exprs.map(compile) : null;
  const out: Row[] | null = ret ? [] : null;
  const oc = b.onConflict;
  const sets = oc?.sets.map((s) => ({ col: s.col, f: compile(s.expr) })) ?? [];
  const where = oc?.where ? compile(oc.where) : null;
  /** keys written by this statement (latin1 strings of the key bytes): ON CONFLICT may not touch a row twice */
  const touched = new Set<string>();
  // a SET that leaves the primary key alone keeps the row's key: no need to encode it again
  const setsKey = rel.primaryKey !== null && sets.some((s) => rel.primaryKey!.includes(s.col));
  let count = 0;
  for (const src of source) {
    const row = newRow(src);
    let key = w.keyFor(rel, row);
    let existing: Row | undefined;
    /** the key was looked up (store and this transaction) and holds no row */
    let absent = false;
    if (oc && oc.index) {
      const vals = oc.index.columns.map((c) => row[c] ?? null);
      if (!vals.some((v) => v === null)) {
        for (const [k, r] of w.indexLookupKeyed(rel, oc.index.oid, vals)) { existing = r; key = k; break; }
      }
    } else if (rel.primaryKey) {
      existing = w.getStorage(rel, key);
      absent = existing === undefined;
    }
    if (existing) {
      if (!oc) throw pkViolation(rel, row, cx);
      const tid = key.toString('latin1');
      if (touched.has(tid)) {
        throw new SqlError(SqlState.CardinalityViolation, 'ON CONFLICT DO UPDATE command cannot affect row a second time',
          { hint: 'Ensure that no rows proposed for insertion within the same command have duplicate constrained values.' });
      }
      if (oc.action === 'nothing') continue;
      // the old row, then the proposed one (EXCLUDED): copied by hand, concat() took ~1 µs a row
      const both = new Array<Datum>(existing.length + row.length);
      for (let i = 0; i < existing.length; i++) both[i] = existing[i]!;
      for (let i = 0; i < row.length; i++) both[existing.length + i] = row[i]!;
      if (where && where(both, cx) !== true) continue;
      const updated = existing.slice();
      for (const s of sets) updated[s.col] = s.f(both, cx);
      checkRow(rel, b.checks, updated, cx);
      const newKey = setsKey || !rel.primaryKey ? w.keyFor(rel, updated) : key;
      if (!newKey.equals(key)) {
        if (w.getStorage(rel, newKey)) throw pkViolation(rel, updated, cx);
        w.delete(rel, key, existing);
        w.checkUnique(rel, newKey, updated);
        w.insert(rel, newKey, updated);
      } else {
        w.checkUnique(rel, key, updated);
        w.update(rel, key, updated, existing);
      }
      touched.add(newKey === key ? tid : newKey.toString('latin1'));
      count++;
      if (ret) out!.push(ret.map((f) => f(updated, cx)));
      continue;
    }
    if (oc && oc.action === 'nothing' && hasUniqueConflict(rel, w, key, row)) continue;
    w.checkUnique(rel, key, row);
    w.insert(rel, key, row, absent);
    // only ON CONFLICT reads `touched`; a bulk insert would build a million strings for nothing
    if (oc) touched.add(key.toString('latin1'));
    count++;
    if (ret) out!.push(ret.map((f) => f(row, cx)));
  }
  return { count, rows: out };
}

function hasUniqueConflict(rel: RelationDef, w: TableWriter, key: Buffer, row: Row): boolean {
  try {
    w.checkUnique(rel, key, row);
    return false;
  } catch (err) {
    if (err instanceof SqlError && err.code === SqlState.UniqueViolation) return true;
    throw err;
  }
}

function executeUpdate(b: BoundUpdate, cx: ExecContext, w: TableWriter): DmlResult {
  const rel = b.table;
  const width = rel.columns.length;
  const sets = b.sets.map((s) => ({ col: s.col, f: compile(s.expr) }));
  const ret = b.returning ? b.returning.exprs.map(compile) : null;
  const out: Row[] | null = ret ? [] : null;
  const source = runToArray(b.source, cx);
  const done = new Set<string>();
  const pending: { oldKey: Buffer; newKey: Buffer; row: Row; old: Row; src: Row }[] = [];
  for (const src of source) {
    const oldKey = src[width] as Buffer;
    const hex = oldKey.toString('hex');
    if (done.has(hex)) continue; // joined several times: updated once
    done.add(hex);
    const row = src.slice(0, width);
    for (const s of sets) row[s.col] = s.f(src, cx);
    checkRow(rel, b.checks, row, cx);
    // a generated key column changes with its inputs
    const keyChanged = rel.primaryKey !== null && rel.primaryKey.some((c) => b.sets.some((s) => s.col === c) || b.checks.generated.some((g) => g.col === c));
    pending.push({ oldKey, newKey: keyChanged ? w.keyFor(rel, row) : oldKey, row, old: src.slice(0, width), src });
  }
  // key changes: remove all old versions first so that swaps (id = id + 1) do not collide
  for (const p of pending) if (!p.newKey.equals(p.oldKey)) w.delete(rel, p.oldKey, p.old);
  for (const p of pending) {
    if (!p.newKey.equals(p.oldKey)) {
      if (w.getStorage(rel, p.newKey)) throw pkViolation(rel, p.row, cx);
      w.checkUnique(rel, p.newKey, p.row);
      w.insert(rel, p.newKey, p.row);
    } else {
      w.checkUnique(rel, p.oldKey, p.row);
      w.update(rel, p.oldKey, p.row, p.old);
    }
    if (ret) {
      const r = p.row.concat(p.src.slice(width));
      out!.push(ret.map((f) => f(r, cx)));
    }
  }
  return { count: pending.length, rows: out };
}

function executeDelete(b: BoundDelete, cx: ExecContext, w: TableWriter): DmlResult {
  const rel = b.table;
  const width = rel.columns.length;
  const ret = b.returning ? b.returning.exprs.map(compile) : null;
  const out: Row[] | null = ret ? [] : null;
  const done = new Set<string>();
  let count = 0;
  for (const src of runToArray(b.source, cx)) {
    const key = src[width] as Buffer;
    const hex = key.toString('hex');
    if (done.has(hex)) continue;
    done.add(hex);
    w.delete(rel, key, src.slice(0, width));
    count++;
    if (ret) out!.push(ret.map((f) => f(src, cx)));
  }
  return { count, rows: out };
}
