// Binds INSERT, UPDATE and DELETE into data for exec/dml.ts: the rows to write, how to build
// each new row (targets, defaults, SET), constraints to check and the RETURNING list.
import type { Node, InsertStmt, UpdateStmt, DeleteStmt, RangeVar } from '@pgsql/types';
import { T, typeDisplayName } from '../core/types.js';
import { SqlError, SqlState } from '../core/errors.js';
import type { Expr } from '../expr/ir.js';
import type { Plan, PlanColumn } from '../expr/plan.js';
import { Scope, type BindEnv, type ScopeCol } from './scope.js';
import { bindExpr, coerce, coerceBool, pos, str, type ExprCtx } from './bind-expr.js';
import { bindSelect, bindTargets } from './bind-select.js';
import { bindFrom } from './bind-from.js';
import { parseExpr } from './parse-expr.js';
import { bindGenerated } from './generated.js';
import type { RelationDef, IndexDef } from '../catalog/model.js';

export type { Returning, RowChecks, BoundInsert, BoundUpdate, BoundDelete, BoundDml } from '../expr/dml.js';
import type { BoundInsert, BoundUpdate, BoundDelete, RowChecks, Returning } from '../expr/dml.js';

function targetTable(rv: RangeVar, env: BindEnv): RelationDef {
  const rel = env.catalog.findRelation(rv.schemaname ?? null, rv.relname!, env.searchPath);
  if (!rel) {
    if (env.findVirtual(rv.schemaname ?? null, rv.relname!)) throw new SqlError(SqlState.InsufficientPrivilege, `cannot change system relation "${rv.relname}"`);
    throw new SqlError(SqlState.UndefinedTable, `relation "${rv.schemaname ? rv.schemaname + '.' : ''}${rv.relname}" does not exist`, pos(rv.location));
  }
  if (rel.kind !== 'table') throw new SqlError(SqlState.WrongObjectType, `cannot change ${rel.kind === 'matview' ? 'materialized view' : rel.kind} "${rel.name}"`);
  return rel;
}

function tableCols(rel: RelationDef, alias: string): ScopeCol[] {
  return rel.columns.map((c, i) => ({ name: c.name, table: alias, type: c.type, tableOid: rel.oid, attnum: i + 1 }));
}

function columnIndex(rel: RelationDef, name: string, location?: number): number {
  const i = rel.columns.findIndex((c) => c.name === name);
  if (i < 0) throw new SqlError(SqlState.UndefinedColumn, `column "${name}" of relation "${rel.name}" does not exist`, pos(location));
  return i;
}

/** DEFAULT expressions of the table, bound once per statement. */
export function bindDefaults(rel: RelationDef, env: BindEnv): (Expr | null)[] {
  const ctx: ExprCtx = { env, scope: new Scope(null), aggs: null, windows: null, clause: 'DEFAULT expressions' };
  return rel.columns.map((c) => (c.defaultSql ? coerce(bindExpr(parseExpr(c.defaultSql), ctx), c.type, 'assignment', env) : null));
}

export function bindChecks(rel: RelationDef, env: BindEnv): RowChecks {
  const scope = new Scope(null);
  scope.add(tableCols(rel, rel.name));
  const ctx: ExprCtx = { env, scope, aggs: null, windows: null, clause: 'check constraints' };
  return {
    notNull: rel.columns.map((c, i) => (c.notNull ? i : -1)).filter((i) => i >= 0),
    checks: rel.checks.map((c) => ({ name: c.name, expr: coerceBool(bindExpr(parseExpr(c.sql), ctx), env, 'CHECK') })),
    generated: bindGenerated(rel, env),
  };
}

/** 428C9: a generated column may only be written as DEFAULT */
function generatedInsert(rel: RelationDef, col: number): SqlError {
  const name = rel.columns[col]!.name;
  return new SqlError(SqlState.GeneratedAlways, `cannot insert a non-DEFAULT value into column "${name}"`, { detail: `Column "${name}" is a generated column.` });
}

const isGenerated = (rel: RelationDef, col: number): boolean => rel.columns[col]!.generatedSql !== undefined;

function bindReturning(list: readonly Node[] | undefined, scope: Scope, env: BindEnv): Returning | null {
  if (!list || list.length === 0) return null;
  const targets = bindTargets(list, { env, scope, aggs: null, windows: null, clause: 'RETURNING' });
  return {
    exprs: targets.map((t) => t.expr),
    columns: targets.map((t) => ({ name: t.name, type: t.expr.type, ...(t.tableOid ? { tableOid: t.tableOid, attnum: t.attnum ?? 0 } : {}) })),
  };
}

export function bindInsert(stmt: InsertStmt, env: BindEnv): BoundInsert {
  const rv = stmt.relation!;
  const rel = targetTable(rv, env);
  const alias = rv.alias?.aliasname ?? rel.name;
  const explicitCols = (stmt.cols?.length ?? 0) > 0;
  let targetCols = explicitCols
    ? stmt.cols!.map((c) => ('ResTarget' in c ? columnIndex(rel, c.ResTarget.name!, c.ResTarget.location) : -1))
    : rel.columns.map((_c, i) => i);
  /** without a column list, fewer values than columns fill the first columns (the others get their defaults) */
  const implicitWidth = (n: number): void => { if (!explicitCols && n > 0 && n < targetCols.length) targetCols = targetCols.slice(0, n); };
  const seen = new Set<number>();
  for (const c of targetCols) {
    if (seen.has(c)) throw new SqlError(SqlState.DuplicateColumn, `column "${rel.columns[c]!.name}" specified more than once`);
    seen.add(c);
  }
  const defaults = bindDefaults(rel, env);
  let source: Plan;
  const sel = stmt.selectStmt && 'SelectStmt' in stmt.selectStmt ? stmt.selectStmt.SelectStmt : null;
  if (!sel) {
    // INSERT ... DEFAULT VALUES
    source = { kind: 'values', rows: [targetCols.map((c) => defaults[c] ?? { kind: 'const', value: null, type: rel.columns[c]!.type })], columns: targetCols.map((c) => ({ name: rel.columns[c]!.name, type: rel.columns[c]!.type })) };
  } else if (sel.valuesLists && !sel.sortClause && !sel.limitCount && !sel.withClause) {
    const ctx: ExprCtx = { env, scope: new Scope(null), aggs: null, windows: null, clause: 'VALUES' };
    const lists = sel.valuesLists.map((l) => ('List' in l ? (l.List.items ?? []) : []));
    const ragged = lists.find((items) => items.length !== lists[0]!.length);
    if (ragged) throw new SqlError(SqlState.SyntaxError, 'VALUES lists must all be the same length', pos(itemLocation(ragged[0])));
    implicitWidth(lists[0]?.length ?? 0);
    const rows = lists.map((items) => {
      if (items.length > targetCols.length) throw new SqlError(SqlState.SyntaxError, 'INSERT has more expressions than target columns', pos(itemLocation(items[targetCols.length])));
      if (items.length < targetCols.length) throw new SqlError(SqlState.SyntaxError, 'INSERT has more target columns than expressions');
      return items.map((n, i) => {
        const col = rel.columns[targetCols[i]!]!;
        if ('SetToDefault' in n) return defaults[targetCols[i]!] ?? { kind: 'const' as const, value: null, type: col.type };
        if (col.generatedSql !== undefined) throw generatedInsert(rel, targetCols[i]!);
        const e = bindExpr(n, ctx);
        return assign(e, col.name, col.type, env, itemLocation(n));
      });
    });
    source = { kind: 'values', rows, columns: targetCols.map((c) => ({ name: rel.columns[c]!.name, type: rel.columns[c]!.type })) };
  } else {
    const plan = bindSelect(sel, new Scope(null), env);
    implicitWidth(plan.columns.length);
    const targetTypes = targetCols.map((c) => rel.columns[c]!.type);
    if (plan.columns.length > targetCols.length) throw new SqlError(SqlState.SyntaxError, 'INSERT has more expressions than target columns');
    if (plan.columns.length < targetCols.length) throw new SqlError(SqlState.SyntaxError, 'INSERT has more target columns than expressions');
    const gen = targetCols.find((c) => isGenerated(rel, c));
    if (gen !== undefined) throw generatedInsert(rel, gen);
    plan.columns.forEach((c, i) => {
      assign({ kind: 'col', index: i, type: c.type }, rel.columns[targetCols[i]!]!.name, targetTypes[i]!, env);
    });
    source = castColumnsAssign(plan, targetTypes, env);
  }

  const scope = new Scope(null);
  scope.add(tableCols(rel, alias));
  let onConflict: BoundInsert['onConflict'] = null;
  const oc = stmt.onConflictClause;
  if (oc) {
    let index: IndexDef | null = null;
    const inferCols = (oc.infer?.indexElems ?? []).map((e) => ('IndexElem' in e ? columnIndex(rel, e.IndexElem.name!) : -1));
    if (oc.infer?.conname) {
      const idx = rel.indexes.find((i) => i.name === oc.infer!.conname);
      if (!idx) throw new SqlError(SqlState.UndefinedObject, `constraint "${oc.infer.conname}" for table "${rel.name}" does not exist`);
      index = idx.primary ? null : idx;
    } else if (inferCols.length) {
      const same = (cols: readonly number[]): boolean => cols.length === inferCols.length && cols.every((c) => inferCols.includes(c));
      if (rel.primaryKey && same(rel.primaryKey)) index = null;
      else {
        const idx = rel.indexes.find((i) => i.unique && same(i.columns));
        if (!idx) throw new SqlError(SqlState.InvalidColumnReference, 'there is no unique or exclusion constraint matching the ON CONFLICT specification');
        index = idx.primary ? null : idx;
      }
    } else if (oc.action === 'ONCONFLICT_UPDATE') {
      throw new SqlError(SqlState.SyntaxError, 'ON CONFLICT DO UPDATE requires inference specification or constraint name', { hint: 'For example, ON CONFLICT (column_name).' });
    } else if (!rel.primaryKey) {
      index = rel.indexes.find((i) => i.unique) ?? null;
    }
    if (oc.action === 'ONCONFLICT_UPDATE') {
      const cscope = new Scope(null);
      cscope.add(tableCols(rel, alias));
      cscope.add(tableCols(rel, 'excluded'));
      const ctx: ExprCtx = { env, scope: cscope, aggs: null, windows: null, clause: 'ON CONFLICT DO UPDATE' };
      const sets = bindSetList(oc.targetList ?? [], rel, ctx);
      const where = oc.whereClause ? coerceBool(bindExpr(oc.whereClause, ctx), env, 'WHERE') : null;
      onConflict = { action: 'update', index, sets, where };
    } else {
      onConflict = { action: 'nothing', index, sets: [], where: null };
    }
  }
  return {
    kind: 'insert', table: rel, source, targetCols, defaults, checks: bindChecks(rel, env), onConflict,
    returning: bindReturning(stmt.returningClause?.exprs, scope, env),
  };
}

function itemLocation(n: Node | undefined): number | undefined {
  if (!n) return undefined;
  const v = Object.values(n)[0] as { location?: number } | undefined;
  return v?.location;
}

/** Assignment coercion with PostgreSQL's message for a type mismatch. */
function assign(e: Expr, colName: string, type: import('../core/types.js').SqlType, env: BindEnv, location?: number): Expr {
  try {
    return coerce(e, type, 'assignment', env, location);
  } catch (err) {
    if (err instanceof SqlError && err.code === SqlState.DatatypeMismatch) {
      throw new SqlError(SqlState.DatatypeMismatch, `column "${colName}" is of type ${typeDisplayName(type)} but expression is of type ${typeDisplayName(e.type)}`,
        { hint: 'You will need to rewrite or cast the expression.', ...pos(location) });
    }
    throw err;
  }
}

function castColumnsAssign(plan: Plan, types: readonly import('../core/types.js').SqlType[], env: BindEnv): Plan {
  let needed = false;
  const exprs = plan.columns.map((c, i) => {
    const col: Expr = { kind: 'col', index: i, type: c.type };
    const e = coerce(col, types[i]!, 'assignment', env);
    if (e !== col) needed = true;
    return e;
  });
  if (!needed) return plan;
  return { kind: 'project', input: plan, exprs, columns: plan.columns.map((c, i) => ({ ...c, type: types[i]! })) };
}

function bindSetList(list: readonly Node[], rel: RelationDef, ctx: ExprCtx): { col: number; expr: Expr }[] {
  const out: { col: number; expr: Expr }[] = [];
  for (const n of list) {
    if (!('ResTarget' in n)) continue;
    const rt = n.ResTarget;
    const col = columnIndex(rel, rt.name!, rt.location);
    if (rt.indirection?.length) throw new SqlError(SqlState.FeatureNotSupported, 'assignment to a subfield or array element is not supported', pos(rt.location));
    let valNode = rt.val!;
    if ('MultiAssignRef' in valNode) {
      const m = valNode.MultiAssignRef;
      const src = m.source!;
      if ('RowExpr' in src) valNode = (src.RowExpr.args ?? [])[(m.colno ?? 1) - 1]!;
      else throw new SqlError(SqlState.FeatureNotSupported, 'multiple-column UPDATE from a subquery is not supported');
    }
    const c = rel.columns[col]!;
    if (c.generatedSql !== undefined && !('SetToDefault' in valNode)) {
      throw new SqlError(SqlState.GeneratedAlways, `column "${c.name}" can only be updated to DEFAULT`, { detail: `Column "${c.name}" is a generated column.` });
    }
    const e = 'SetToDefault' in valNode
      ? (bindDefaults(rel, ctx.env)[col] ?? { kind: 'const' as const, value: null, type: c.type })
      : assign(bindExpr(valNode, ctx), c.name, c.type, ctx.env, rt.location);
    if (out.some((o) => o.col === col)) throw new SqlError(SqlState.DuplicateColumn, `multiple assignments to same column "${c.name}"`);
    out.push({ col, expr: e });
  }
  return out;
}

/** Scan of the DML target with its storage key as a trailing hidden column. */
function keyedTarget(rel: RelationDef, alias: string): { plan: Plan; cols: ScopeCol[] } {
  const cols = tableCols(rel, alias);
  const keyCol: ScopeCol = { name: '?key', table: null, type: T.bytea, hiddenStar: true, hiddenUnqualified: true };
  const columns: PlanColumn[] = [...cols.map((c) => ({ name: c.name, type: c.type, tableOid: rel.oid, attnum: c.attnum! })), { name: '?key', type: T.bytea }];
  return { plan: { kind: 'scan', table: rel, access: { kind: 'full' }, filter: null, withKey: true, columns }, cols: [...cols, keyCol] };
}

export function bindUpdate(stmt: UpdateStmt, env: BindEnv): BoundUpdate {
  const rv = stmt.relation!;
  const rel = targetTable(rv, env);
  const alias = rv.alias?.aliasname ?? rel.name;
  const scope = new Scope(null);
  const source = bindFrom(stmt.fromClause ?? [], stmt.whereClause ?? null, scope, env, [keyedTarget(rel, alias)]);
  const ctx: ExprCtx = { env, scope, aggs: null, windows: null, clause: 'UPDATE' };
  const sets = bindSetList(stmt.targetList ?? [], rel, ctx);
  return { kind: 'update', table: rel, source, sets, checks: bindChecks(rel, env), returning: bindReturning(stmt.returningClause?.exprs, scope, env) };
}

export function bindDelete(stmt: DeleteStmt, env: BindEnv): BoundDelete {
  const rv = stmt.relation!;
  const rel = targetTable(rv, env);
  const alias = rv.alias?.aliasname ?? rel.name;
  const scope = new Scope(null);
  const source = bindFrom(stmt.usingClause ?? [], stmt.whereClause ?? null, scope, env, [keyedTarget(rel, alias)]);
  return { kind: 'delete', table: rel, source, returning: bindReturning(stmt.returningClause?.exprs, scope, env) };
}


export { str };
