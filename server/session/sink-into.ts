// CREATE SINK s INTO table [(columns)] { FROM relation | AS query }: the wide-table pattern.
// Several sinks each fill their own columns of a primary-keyed table, as partial-column upserts:
// a sink row that appears sets the sink's columns of the target row with its key (the row is
// created if absent, its other columns NULL) and leaves the other columns as they are; a sink
// row that goes without a replacement sets the sink's non-key columns to NULL, and the target
// row is deleted once all its non-key columns are NULL (no sink fills it any more).
// The writes join the view maintainer's round commit, so the target table changes exactly once
// per change of the sinks' queries; a concurrent user write to the same row fails the round
// (40001 from the store's check of the version read), which is then run again.
import type { Row } from '../../core/datum.js';
import { consolidate, rowKey, type Delta } from '../../core/delta.js';
import { SqlError, SqlState } from '../../core/errors.js';
import { sameType, typeDisplayName, type SqlType } from '../../core/types.js';
import { encodeKey } from '../../storage/key-codec.js';
import type { ReadSnapshot, RowWrite, Store, StoredRelation } from '../../storage/store.js';
import type { Catalog } from '../../catalog/catalog.js';
import type { RelationDef } from '../../catalog/model.js';

/** the options of a sink INTO a table: the target's oid and, per sink column, the target column's position */
export const INTO_OID = 'into.oid';
const INTO_POSITIONS = 'into.positions';

export const isIntoSink = (options: Readonly<Record<string, string>>): boolean => options['into.table'] !== undefined;

/**
 * Checks a sink INTO a table at CREATE: the target is a table with a primary key the sink fills,
 * the columns exist and have the sink's types, NOT NULL columns are all filled. Returns the
 * sink's options with the target's oid and the column positions, and the target's oid (the sink
 * depends on it: the table cannot be dropped while the sink writes into it).
 */
export function intoTableOptions(options: Readonly<Record<string, string>>, columns: readonly { name: string; type: SqlType }[], catalog: Catalog, searchPath: readonly string[], inputs: readonly number[]): { options: Record<string, string>; target: number } {
  const spec = options['into.table']!;
  const parts = spec.split('.').map((p) => (p.startsWith('"') ? p.slice(1, -1) : p.toLowerCase()));
  const [schema, name] = parts.length === 2 ? [parts[0]!, parts[1]!] : [null, parts[0]!];
  const target = catalog.findRelation(schema, name, searchPath);
  if (!target) throw new SqlError(SqlState.UndefinedTable, `relation "${spec}" does not exist`);
  if (target.kind !== 'table') throw new SqlError(SqlState.WrongObjectType, `cannot sink into "${target.name}": it is not a table`);
  if (!target.primaryKey) throw new SqlError(SqlState.InvalidTableDefinition, `cannot sink into "${target.name}": it has no primary key`, { hint: 'A sink INTO a table upserts the columns it fills by the primary key.' });
  if (inputs.includes(target.oid)) throw new SqlError(SqlState.InvalidObjectDefinition, `a sink into "${target.name}" cannot read "${target.name}"`);
  const names = options['into.columns'] === undefined ? columns.map((c) => c.name) : options['into.columns'].split(',');
  if (names.length !== columns.length) {
    throw new SqlError(SqlState.SyntaxError, `the sink's query has ${columns.length} columns, the INTO list names ${names.length}`);
  }
  const positions = names.map((n, i) => {
    const at = target.columns.findIndex((c) => c.name === n && !c.dropped);
    if (at < 0) throw new SqlError(SqlState.UndefinedColumn, `column "${n}" of relation "${target.name}" does not exist`);
    const want = target.columns[at]!.type;
    if (!sameType(want, columns[i]!.type)) {
      throw new SqlError(SqlState.DatatypeMismatch, `column "${n}" is of type ${typeDisplayName(want)} but the sink's column ${i + 1} is of type ${typeDisplayName(columns[i]!.type)}`, { hint: 'Cast it in the sink\'s query.' });
    }
    return at;
  });
  if (new Set(positions).size !== positions.length) throw new SqlError(SqlState.DuplicateColumn, 'the sink fills a column more than once');
  for (const k of target.primaryKey) {
    if (!positions.includes(k)) throw new SqlError(SqlState.InvalidColumnReference, `the sink must fill the primary key column "${target.columns[k]!.name}" of "${target.name}"`);
  }
  for (const [at, c] of target.columns.entries()) {
    if (c.notNull && !c.dropped && !positions.includes(at)) {
      throw new SqlError(SqlState.NotNullViolation, `column "${c.name}" of "${target.name}" is NOT NULL and the sink does not fill it`, { hint: 'Rows the sink creates would hold NULL there.' });
    }
  }
  return { options: { ...options, [INTO_OID]: String(target.oid), [INTO_POSITIONS]: positions.join(',') }, target: target.oid };
}

/** one round's changes of the sinks INTO tables, as writes into their targets (merged per row) */
export function intoTableWrites(changes: readonly { readonly sink: RelationDef; readonly delta: Delta }[], catalog: Catalog, store: Store, storedRel: (r: RelationDef) => StoredRelation, snap: ReadSnapshot, writes: RowWrite[]): void {
  /** per target row touched this round: the version read and the row it becomes */
  const touched = new Map<string, { sr: StoredRelation; key: Buffer; before: Row | null; row: Row | null }>();
  for (const { sink, delta } of changes) {
    const target = catalog.relationByOid(Number(sink.options[INTO_OID]));
    if (!target || !target.primaryKey) throw new Error(`the target of sink ${sink.name} is gone`);
    const sr = storedRel(target);
    const positions = sink.options[INTO_POSITIONS]!.split(',').map(Number);
    const pk = target.primaryKey;
    const keyTypes = pk.map((c) => target.columns[c]!.type);
    const pkFrom = pk.map((c) => positions.indexOf(c));
    const nonKey = target.columns.map((c, i) => (c.dropped || pk.includes(i) ? -1 : i)).filter((i) => i >= 0);
    // per key: the sink's row that came (if any), else the key goes
    const byKey = new Map<string, { key: Buffer; row: Row | null }>();
    const d = consolidate(delta);
    for (let i = 0; i < d.rows.length; i++) {
      const r = d.rows[i]!;
      const key = encodeKey(target.oid, keyTypes, pkFrom.map((p) => r[p] ?? null));
      const hex = key.toString('latin1');
      if (d.weights[i]! > 0) byKey.set(hex, { key, row: r });
      else if (!byKey.has(hex)) byKey.set(hex, { key, row: null });
    }
    for (const [hex, { key, row }] of byKey) {
      let t = touched.get(hex);
      if (!t) {
        const before = store.get(sr, key, snap) ?? null;
        t = { sr, key, before, row: before };
        touched.set(hex, t);
      }
      if (row) {
        const next: Row = t.row ? [...t.row] : new Array(target.columns.length).fill(null);
        positions.forEach((at, i) => { next[at] = row[i] ?? null; });
        t.row = next;
      } else if (t.row) {
        const next: Row = [...t.row];
        for (const at of positions) if (!pk.includes(at)) next[at] = null;
        t.row = nonKey.every((at) => next[at] === null) ? null : next;
      }
    }
  }
  for (const t of touched.values()) {
    if (t.row === t.before || (t.row && t.before && rowKey(t.row) === rowKey(t.before))) continue;
    writes.push({ rel: t.sr, key: t.key, row: t.row, expected: t.before });
  }
}
