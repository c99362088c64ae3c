// Stored generated columns (`GENERATED ALWAYS AS (expr) STORED`, and RisingWave's `name type AS
// expr`): a generation expression is bound over the other columns of its row and checked as
// PostgreSQL checks it when the table is created (no subquery, aggregate, window or set-returning
// function, no reference to another generated column or to the whole row, immutable functions
// only, assignable to the column's type). Writers evaluate it on every new row version.
import type { Node } from '@pgsql/types';
import { SqlError, SqlState } from '../core/errors.js';
import { typeDisplayName, type SqlType } from '../core/types.js';
import { someExpr, type Expr } from '../expr/ir.js';
import type { RelationDef } from '../catalog/model.js';
import { bindExpr, coerce, pos, type ExprCtx } from './bind-expr.js';
import { exprSql, parseExpr } from './parse-expr.js';
import { Scope, type BindEnv } from './scope.js';

export interface GenerationColumn {
  readonly name: string;
  readonly type: SqlType;
  /** the column is itself generated (its value cannot be used by a generation expression) */
  readonly generated: boolean;
}

const CLAUSE = 'column generation expressions';

/** every node of a raw expression tree, depth first */
function* nodes(n: unknown): Generator<Record<string, unknown>> {
  if (Array.isArray(n)) { for (const x of n) yield* nodes(x); return; }
  if (n === null || typeof n !== 'object') return;
  yield n as Record<string, unknown>;
  for (const v of Object.values(n)) yield* nodes(v);
}

interface RawColumnRef { readonly fields?: readonly Node[]; readonly location?: number }

function columnRefs(n: Node): RawColumnRef[] {
  const out: RawColumnRef[] = [];
  for (const x of nodes(n)) if ('ColumnRef' in x) out.push(x['ColumnRef'] as RawColumnRef);
  return out;
}

const fieldName = (f: Node | undefined): string | null => (f && 'String' in f ? (f.String.sval ?? '') : null);

/**
 * Binds the generation expression of column `target` over a row of `columns` (positions as
 * in the table) and checks it as PostgreSQL does at CREATE TABLE / ADD COLUMN.
 */
export function bindGenerationExpr(node: Node, table: string, columns: readonly GenerationColumn[], target: GenerationColumn, env: BindEnv, tableOid?: number): Expr {
  for (const x of nodes(node)) {
    if ('SubLink' in x) {
      throw new SqlError(SqlState.FeatureNotSupported, 'cannot use subquery in column generation expression', pos((x['SubLink'] as { location?: number }).location));
    }
  }
  const names = new Set(columns.map((c) => c.name));
  const refs = columnRefs(node);
  for (const r of refs) {
    const f = r.fields ?? [];
    const last = f[f.length - 1];
    const wholeRow = (last !== undefined && 'A_Star' in last) || (f.length === 1 && fieldName(last) === table && !names.has(table));
    if (wholeRow) {
      throw new SqlError(SqlState.InvalidObjectDefinition, 'cannot use whole-row variable in column generation expression',
        { detail: 'This would cause the generated column to depend on its own value.', ...pos(r.location) });
    }
  }
  const scope = new Scope(null);
  scope.add(columns.map((c, i) => ({ name: c.name, table, type: c.type, ...(tableOid !== undefined ? { tableOid, attnum: i + 1 } : {}) })));
  const ctx: ExprCtx = { env, scope, aggs: null, windows: null, srfs: null, clause: CLAUSE };
  const e = bindExpr(node, ctx);
  for (const r of refs) {
    const f = r.fields ?? [];
    const name = fieldName(f[f.length - 1]);
    const col = columns.find((c) => c.name === name);
    if (col?.generated) {
      throw new SqlError(SqlState.InvalidObjectDefinition, `cannot use generated column "${col.name}" in column generation expression`,
        { detail: 'A generated column cannot reference another generated column.', ...pos(r.location) });
    }
  }
  if (someExpr(e, mutable)) {
    throw new SqlError(SqlState.InvalidObjectDefinition, 'generation expression is not immutable');
  }
  try {
    return coerce(e, target.type, 'assignment', env);
  } catch (err) {
    if (err instanceof SqlError && err.code === SqlState.DatatypeMismatch) {
      throw new SqlError(SqlState.DatatypeMismatch, `column "${target.name}" is of type ${typeDisplayName(target.type)} but default expression is of type ${typeDisplayName(e.type)}`,
        { hint: 'You will need to rewrite or cast the expression.' });
    }
    throw err;
  }
}

const STRINGS = new Set(['text', 'varchar', 'bpchar', 'name']);
/** types whose text output / input depends on settings (DateStyle, TimeZone, lc_monetary...): stable in PostgreSQL */
const STABLE_OUTPUT = new Set(['date', 'interval', 'timestamp', 'timestamptz', 'money', 'regclass', 'regtype', 'regproc', 'regnamespace']);
const STABLE_INPUT = new Set([...STABLE_OUTPUT, 'time', 'timetz']);
/** casts between date/time types that read TimeZone */
const STABLE_CASTS = new Set(['date>timestamptz', 'timestamp>timestamptz', 'timestamptz>date', 'timestamptz>time', 'timestamptz>timestamp', 'timestamptz>timetz', 'time>timetz']);

const typeName = (t: SqlType): string => (t.kind === 'scalar' ? t.name : '');

/**
 * Whether a node may give another result for the same row (PostgreSQL's contain_mutable_functions):
 * functions that are not immutable, casts through a setting-dependent text form, parameters.
 * `x || text` with x's text form immutable counts as immutable, as PostgreSQL inlines it into x::text || text.
 */
function mutable(x: Expr): boolean {
  if (x.kind === 'param') return true;
  if (x.kind === 'cast') {
    const from = typeName(x.arg.type);
    const to = typeName(x.type);
    return (STRINGS.has(to) && STABLE_OUTPUT.has(from)) || (STRINGS.has(from) && STABLE_INPUT.has(to)) || STABLE_CASTS.has(`${from}>${to}`);
  }
  if (x.kind !== 'call' || x.fn.volatility === 'immutable') return false;
  if (x.fn.volatility === 'stable' && x.fn.name === '||') return x.args.some((a) => STABLE_OUTPUT.has(typeName(a.type)));
  return true;
}

/** the columns of a table as generation expressions see them */
export function generationColumns(rel: RelationDef): GenerationColumn[] {
  return rel.columns.map((c) => ({ name: c.name, type: c.type, generated: c.generatedSql !== undefined }));
}

/** A table's generated columns with their expressions bound over its rows (column positions). */
export function bindGenerated(rel: RelationDef, env: BindEnv): { col: number; expr: Expr }[] {
  const out: { col: number; expr: Expr }[] = [];
  let columns: GenerationColumn[] | null = null;
  rel.columns.forEach((c, i) => {
    if (c.generatedSql === undefined) return;
    columns ??= generationColumns(rel);
    const cols = columns;
    out.push({ col: i, expr: withoutPosition(() => bindGenerationExpr(parseExpr(c.generatedSql!), rel.name, cols, cols[i]!, env, rel.oid)) });
  });
  return out;
}

/** Checks a stored generation expression (ALTER TABLE ADD COLUMN) over `columns`; the column is the last one. */
export function checkGenerationSql(sql: string, table: string, columns: readonly GenerationColumn[], env: BindEnv): Expr {
  return withoutPosition(() => bindGenerationExpr(parseExpr(sql), table, columns, columns[columns.length - 1]!, env));
}

/** the column names a stored generation expression reads */
export function generationInputs(sql: string): Set<string> {
  const out = new Set<string>();
  for (const r of columnRefs(parseExpr(sql))) {
    const f = r.fields ?? [];
    const name = fieldName(f[f.length - 1]);
    if (name !== null) out.add(name);
  }
  return out;
}

/**
 * A generation expression as stored: SQL text whose references to the table's own columns are
 * unqualified (as PostgreSQL shows them, and so that renaming the table keeps them valid).
 */
export function generationSql(node: Node, table: string): string {
  const n = structuredClone(node);
  for (const r of columnRefs(n)) {
    const f = (r.fields ?? []) as Node[];
    if (f.length >= 2 && fieldName(f[f.length - 2]) === table && fieldName(f[f.length - 1]) !== null) f.splice(0, f.length - 1);
  }
  return exprSql(n);
}

/** bound again from the stored text: positions would point into that text, not the statement */
function withoutPosition<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof SqlError && err.fields.position !== undefined) {
      const { position: _p, ...fields } = err.fields;
      throw new SqlError(err.code, err.message, fields);
    }
    throw err;
  }
}

/** a stored generation expression with column `from` renamed to `to` */
export function renameGenerationInput(sql: string, from: string, to: string): string {
  const n = structuredClone(parseExpr(sql));
  let changed = false;
  for (const r of columnRefs(n)) {
    const f = (r.fields ?? []) as Node[];
    const last = f[f.length - 1];
    if (last && 'String' in last && last.String.sval === from) { last.String.sval = to; changed = true; }
  }
  return changed ? exprSql(n) : sql;
}
