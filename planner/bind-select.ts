// Binds SELECT (and VALUES, set operations, WITH) into a Plan, in PostgreSQL's clause order:
// FROM → WHERE → GROUP BY/aggregates → HAVING → window functions → SELECT list → DISTINCT →
// ORDER BY → LIMIT/OFFSET.
import type { Node, SelectStmt, ResTarget, WithClause } from '@pgsql/types';
import { T, sameType, type SqlType } from '../core/types.js';
import { SqlError, SqlState } from '../core/errors.js';
import { commonType } from '../expr/functions/registry.js';
import { exprKey, mapExpr, someExpr, type Expr } from '../expr/ir.js';
import type { Plan, PlanColumn, AggCall, WindowCall, SortKey, CteDef, SrfCall } from '../expr/plan.js';
import { Scope, type BindEnv, type ScopeCol } from './scope.js';
import {
  bindExpr, coerce, coerceBool, resolveUnknown, sortKeyOf, str, pos,
  AGG_BASE, WIN_BASE, GROUPING_BASE, SRF_BASE, type ExprCtx,
} from './bind-expr.js';
import { bindFrom } from './bind-from.js';
import { mapPlanExprs } from './plan-walk.js';

export interface SubqueryResult { readonly plan: Plan; readonly correlated: boolean }

export function bindSubquery(node: Node, outer: Scope, env: BindEnv): SubqueryResult {
  if (!('SelectStmt' in node)) throw new SqlError(SqlState.SyntaxError, 'expected a SELECT in subquery');
  const probe = new Scope(outer);
  const plan = bindSelect(node.SelectStmt, probe, env);
  return { plan, correlated: probe.correlated };
}

/**
 * Binds a SELECT. `scope` is a fresh scope for this query level whose parent is the enclosing
 * query (for correlation) and whose CTE map holds the visible WITH entries.
 */
export function bindSelect(stmt: SelectStmt, scope: Scope, env: BindEnv): Plan {
  if (stmt.withClause) bindWith(stmt.withClause, scope, env);
  let plan: Plan;
  if (stmt.op && stmt.op !== 'SETOP_NONE') {
    plan = bindSetOp(stmt, scope, env);
    return finishSetLike(plan, stmt, scope, env);
  }
  if (stmt.valuesLists) {
    plan = bindValues(stmt.valuesLists, scope, env);
    return finishSetLike(plan, stmt, scope, env);
  }
  return bindSimpleSelect(stmt, scope, env);
}

function childScope(scope: Scope): Scope {
  // a set-operation branch is its own query level for names, sharing correlation and CTEs
  const s = new Scope(scope.parent, new Map(scope.ctes));
  return s;
}

function bindBranch(stmt: SelectStmt, scope: Scope, env: BindEnv): Plan {
  const s = childScope(scope);
  const p = bindSelect(stmt, s, env);
  if (s.correlated) scope.correlated = true;
  return p;
}

function bindSetOp(stmt: SelectStmt, scope: Scope, env: BindEnv): Plan {
  const left = bindBranch(stmt.larg!, scope, env);
  const right = bindBranch(stmt.rarg!, scope, env);
  const opName = stmt.op === 'SETOP_UNION' ? 'UNION' : stmt.op === 'SETOP_INTERSECT' ? 'INTERSECT' : 'EXCEPT';
  if (left.columns.length !== right.columns.length) {
    throw new SqlError(SqlState.SyntaxError, `each ${opName} query must have the same number of columns`);
  }
  const types = left.columns.map((c, i) => {
    const t = commonType([c.type, right.columns[i]!.type], opName);
    return t.kind === 'scalar' && t.name === 'unknown' ? T.text : t;
  });
  const l = castColumns(left, types, env);
  const r = castColumns(right, types, env);
  const columns = left.columns.map((c, i) => ({ name: c.name, type: types[i]! }));
  const op = stmt.op === 'SETOP_UNION' ? 'union' : stmt.op === 'SETOP_INTERSECT' ? 'intersect' : 'except';
  return { kind: 'setop', op, all: stmt.all ?? false, left: l, right: r, columns };
}

/** Projects a plan's columns to the given types (no-op when they already match). */
export function castColumns(p: Plan, types: readonly SqlType[], env: BindEnv): Plan {
  let needed = false;
  const exprs = p.columns.map((c, i) => {
    const col: Expr = { kind: 'col', index: i, type: c.type };
    const e = coerce(col, types[i]!, 'implicit', env);
    if (e !== col) needed = true;
    return e;
  });
  if (!needed) return p;
  return { kind: 'project', input: p, exprs, columns: p.columns.map((c, i) => ({ ...c, type: types[i]! })) };
}

function bindValues(lists: readonly Node[], scope: Scope, env: BindEnv): Plan {
  const ctx: ExprCtx = { env, scope, aggs: null, windows: null, clause: 'VALUES' };
  const rows = lists.map((l) => {
    if (!('List' in l)) throw new SqlError(SqlState.SyntaxError, 'bad VALUES list');
    return (l.List.items ?? []).map((n) => bindExpr(n, ctx));
  });
  const width = rows[0]?.length ?? 0;
  for (const r of rows) if (r.length !== width) throw new SqlError(SqlState.SyntaxError, 'VALUES lists must all be the same length');
  const types: SqlType[] = [];
  for (let i = 0; i < width; i++) {
    const t = commonType(rows.map((r) => r[i]!.type), 'VALUES');
    types.push(t.kind === 'scalar' && t.name === 'unknown' ? T.text : t);
  }
  const coerced = rows.map((r) => r.map((e, i) => coerce(e, types[i]!, 'implicit', env)));
  return { kind: 'values', rows: coerced, columns: types.map((t, i) => ({ name: `column${i + 1}`, type: t })) };
}

/** ORDER BY / LIMIT on a set operation or VALUES: may refer to output columns only. */
function finishSetLike(plan: Plan, stmt: SelectStmt, scope: Scope, env: BindEnv): Plan {
  if (stmt.sortClause?.length) {
    const outScope = new Scope(scope.parent, scope.ctes);
    outScope.add(plan.columns.map((c) => ({ name: c.name, table: null, type: c.type })));
    const ctx: ExprCtx = { env, scope: outScope, aggs: null, windows: null, clause: 'ORDER BY' };
    const keys = stmt.sortClause.map((s) => {
      if (!('SortBy' in s)) throw new SqlError(SqlState.SyntaxError, 'bad ORDER BY');
      const sb = s.SortBy;
      const ord = ordinal(sb.node!);
      const e = ord !== null ? outputRef(plan.columns, ord, sb.location) : resolveUnknown(bindExpr(sb.node!, ctx), env);
      return sortKeyOf(e, sb.sortby_dir, sb.sortby_nulls);
    });
    plan = { kind: 'sort', input: plan, keys, columns: plan.columns };
  }
  return applyLimit(plan, stmt, scope, env);
}

function ordinal(n: Node): number | null {
  if ('A_Const' in n && n.A_Const.ival !== undefined) return n.A_Const.ival.ival ?? 0;
  return null;
}

function outputRef(cols: readonly PlanColumn[], ord: number, location?: number): Expr {
  if (ord < 1 || ord > cols.length) throw new SqlError(SqlState.InvalidColumnReference, `ORDER BY position ${ord} is not in select list`, pos(location));
  return { kind: 'col', index: ord - 1, type: cols[ord - 1]!.type };
}

function applyLimit(plan: Plan, stmt: SelectStmt, scope: Scope, env: BindEnv): Plan {
  if (!stmt.limitCount && !stmt.limitOffset) return plan;
  const ctx: ExprCtx = { env, scope: new Scope(scope.parent, scope.ctes), aggs: null, windows: null, clause: 'LIMIT' };
  const lim = (n: Node | undefined): Expr | null => {
    if (!n) return null;
    if ('A_Const' in n && n.A_Const.isnull) return null;
    return coerce(bindExpr(n, ctx), T.int8, 'assignment', env);
  };
  return { kind: 'limit', input: plan, limit: lim(stmt.limitCount), offset: lim(stmt.limitOffset), columns: plan.columns };
}

function bindWith(w: WithClause, scope: Scope, env: BindEnv): void {
  for (const c of w.ctes ?? []) {
    if (!('CommonTableExpr' in c)) continue;
    const cte = c.CommonTableExpr;
    const name = cte.ctename!;
    const colNames = (cte.aliascolnames ?? []).map(str);
    const query = cte.ctequery!;
    if (!('SelectStmt' in query)) throw new SqlError(SqlState.FeatureNotSupported, 'only SELECT is supported in WITH');
    const sel = query.SelectStmt;
    const def: CteDef = { name, plan: null, recursive: false, columns: [] };
    if (w.recursive && sel.op === 'SETOP_UNION' && referencesName(sel.rarg!, name)) {
      // WITH RECURSIVE: the non-recursive term fixes the column types
      const base = bindBranch(sel.larg!, scope, env);
      def.columns = base.columns.map((col, i) => ({ name: colNames[i] ?? col.name, type: col.type }));
      (def as { recursive: boolean }).recursive = true;
      const inner = new Scope(scope.parent, new Map(scope.ctes));
      inner.ctes.set(name, def);
      let step = bindSelect(sel.rarg!, inner, env);
      if (inner.correlated) scope.correlated = true;
      step = castColumns(step, def.columns.map((c) => c.type), env);
      def.plan = { kind: 'recursiveUnion', cte: def, base, step, all: sel.all ?? false, columns: def.columns };
    } else {
      const plan = bindBranch(sel, scope, env);
      def.plan = plan;
      def.columns = plan.columns.map((col, i) => ({ name: colNames[i] ?? col.name, type: col.type }));
    }
    scope.ctes.set(name, def);
  }
}

function referencesName(stmt: SelectStmt, name: string): boolean {
  return JSON.stringify(stmt).includes(`"relname":${JSON.stringify(name)}`);
}

export interface Target { readonly expr: Expr; readonly name: string; readonly tableOid?: number; readonly attnum?: number }

function bindSimpleSelect(stmt: SelectStmt, scope: Scope, env: BindEnv): Plan {
  const namedWindows = new Map<string, import('@pgsql/types').WindowDef>();
  for (const w of stmt.windowClause ?? []) if ('WindowDef' in w && w.WindowDef.name) namedWindows.set(w.WindowDef.name, w.WindowDef);

  // FROM and WHERE
  const whereNode = stmt.whereClause ?? null;
  let plan = bindFrom(stmt.fromClause ?? [], whereNode, scope, env);

  // SELECT list, HAVING and ORDER BY, with aggregates and window calls collected
  const aggs: AggCall[] = [];
  const windows: WindowCall[] = [];
  const groupings: Expr[][] = [];
  const srfs: SrfCall[] = [];
  const ctx: ExprCtx = { env, scope, aggs, windows, groupings, srfs, clause: 'SELECT', namedWindows };
  const targets = bindTargets(stmt.targetList ?? [], ctx);

  // GROUP BY
  const { keys: groupKeys, sets } = bindGroupBy(stmt.groupClause ?? [], targets, { ...ctx, aggs: null, windows: null, clause: 'GROUP BY' });
  const having = stmt.havingClause ? coerceBool(bindExpr(stmt.havingClause, { ...ctx, windows: null, clause: 'HAVING' }), env, 'HAVING') : null;

  // ORDER BY keys: output ordinals and names refer to targets; other expressions are extras
  const distinct = stmt.distinctClause !== undefined;
  const distinctOn = distinct && stmt.distinctClause!.length > 0 && !(stmt.distinctClause!.length === 1 && Object.keys(stmt.distinctClause![0]!).length === 0);
  const sortSpecs: { target: number; desc: boolean; nullsFirst: boolean }[] = [];
  const extras: Expr[] = [];
  const extraIndex = (e: Expr): number => {
    const k = exprKey(e);
    const ti = targets.findIndex((t) => exprKey(t.expr) === k);
    if (ti >= 0) return ti;
    if (distinct && !distinctOn) throw new SqlError(SqlState.InvalidColumnReference, 'for SELECT DISTINCT, ORDER BY expressions must appear in select list');
    const xi = extras.findIndex((x) => exprKey(x) === k);
    if (xi >= 0) return targets.length + xi;
    extras.push(e);
    return targets.length + extras.length - 1;
  };
  for (const s of stmt.sortClause ?? []) {
    if (!('SortBy' in s)) continue;
    const sb = s.SortBy;
    const ord = ordinal(sb.node!);
    let idx: number;
    if (ord !== null) {
      if (ord < 1 || ord > targets.length) throw new SqlError(SqlState.InvalidColumnReference, `ORDER BY position ${ord} is not in select list`, pos(sb.location));
      idx = ord - 1;
    } else {
      const byName = outputNameRef(sb.node!, targets, scope);
      idx = byName >= 0 ? byName : extraIndex(resolveUnknown(bindExpr(sb.node!, { ...ctx, clause: 'ORDER BY' }), env));
    }
    const k = sortKeyOf({ kind: 'col', index: 0, type: T.int4 }, sb.sortby_dir, sb.sortby_nulls);
    sortSpecs.push({ target: idx, desc: k.desc, nullsFirst: k.nullsFirst });
  }
  const onIdx: number[] = [];
  if (distinctOn) {
    for (const n of stmt.distinctClause!) {
      const ord = ordinal(n);
      if (ord !== null) { onIdx.push(ord - 1); continue; }
      const byName = outputNameRef(n, targets, scope);
      onIdx.push(byName >= 0 ? byName : extraIndex(resolveUnknown(bindExpr(n, { ...ctx, clause: 'DISTINCT ON' }), env)));
    }
  }

  // Aggregation
  const isAgg = aggs.length > 0 || groupKeys.length > 0 || having !== null || sets !== null;
  let rewrite = (e: Expr): Expr => e;
  if (isAgg) {
    const keyMap = new Map<string, number>();
    groupKeys.forEach((k, i) => { if (!keyMap.has(exprKey(k))) keyMap.set(exprKey(k), i); });
    const nk = groupKeys.length;
    const groupingCol = nk + aggs.length;
    const fromCols = scope.cols;
    const rw = (e: Expr): Expr => {
      const ki = keyMap.get(exprKey(e));
      if (ki !== undefined) return { kind: 'col', index: ki, type: e.type };
      if (e.kind === 'col') {
        if (e.index >= AGG_BASE && e.index < WIN_BASE) return { kind: 'col', index: nk + (e.index - AGG_BASE), type: e.type };
        if (e.index >= WIN_BASE) return e;
        if (e.index >= GROUPING_BASE) return groupingExpr(groupings[e.index - GROUPING_BASE]!, groupKeys, sets, groupingCol);
        const c = fromCols[e.index]!;
        throw new SqlError(SqlState.GroupingError, `column "${c.table ? c.table + '.' : ''}${c.name}" must appear in the GROUP BY clause or be used in an aggregate function`);
      }
      if (e.kind === 'subquery' || e.kind === 'subqueryCmp') {
        // a correlated subquery now runs against the aggregate's row: re-point its references
        // to this query's columns at the group keys they stand for
        const plan = !e.correlated ? e.plan : mapPlanExprs(e.plan, (x, depth) => {
          if (x.kind !== 'outer' || x.depth !== depth + 1) return x;
          const ki = keyMap.get(exprKey({ kind: 'col', index: x.index, type: x.type }));
          if (ki === undefined) {
            const c = fromCols[x.index]!;
            throw new SqlError(SqlState.GroupingError, `subquery uses ungrouped column "${c.table ? c.table + '.' : ''}${c.name}" from outer query`);
          }
          return { ...x, index: ki };
        });
        if (e.kind === 'subqueryCmp') return { ...e, plan, args: e.args.map(rw) };
        return { ...e, plan };
      }
      return rebuild(e, rw);
    };
    rewrite = rw;
    const aggCols: PlanColumn[] = [
      ...groupKeys.map((k, i) => ({ name: `key${i}`, type: k.type })),
      ...aggs.map((a, i) => ({ name: `agg${i}`, type: a.type })),
      ...(sets ? [{ name: 'grouping', type: T.int4 }] : []),
    ];
    plan = { kind: 'aggregate', input: plan, groupKeys, aggs, groupingSets: sets, columns: aggCols };
    if (having) plan = { kind: 'filter', input: plan, predicate: rw(having), columns: plan.columns };
  }

  // Window functions
  if (windows.length > 0) {
    const width = plan.columns.length;
    const calls = windows.map((w) => ({
      ...w,
      args: w.args.map(rewrite),
      agg: w.agg ? { ...w.agg, args: w.agg.args.map(rewrite) } : null,
      partitionBy: w.partitionBy.map(rewrite),
      orderBy: w.orderBy.map((k) => ({ ...k, expr: rewrite(k.expr) })),
      frame: w.frame,
    }));
    const inner = rewrite;
    rewrite = (e: Expr): Expr => mapExpr(inner(e), (x) => (x.kind === 'col' && x.index >= WIN_BASE && x.index < SRF_BASE ? { kind: 'col', index: width + (x.index - WIN_BASE), type: x.type } : x));
    plan = { kind: 'window', input: plan, calls, columns: [...plan.columns, ...calls.map((c, i) => ({ name: `win${i}`, type: c.type }))] };
  }

  // Set-returning functions of the SELECT list (evaluated after aggregation and windows)
  if (srfs.length > 0) {
    const width = plan.columns.length;
    const calls = srfs.map((c) => ({ ...c, args: c.args.map(rewrite) }));
    const inner = rewrite;
    rewrite = (e: Expr): Expr => mapExpr(inner(e), (x) => (x.kind === 'col' && x.index >= SRF_BASE ? { kind: 'col', index: width + (x.index - SRF_BASE), type: x.type } : x));
    plan = { kind: 'projectSet', input: plan, calls, columns: [...plan.columns, ...calls.map((c, i) => ({ name: `srf${i}`, type: c.type }))] };
  }

  // Projection (targets, then ORDER BY / DISTINCT ON extras)
  const projExprs = [...targets.map((t) => rewrite(t.expr)), ...extras.map(rewrite)];
  const outCols: PlanColumn[] = targets.map((t) => ({ name: t.name, type: t.expr.type, ...(t.tableOid ? { tableOid: t.tableOid, attnum: t.attnum ?? 0 } : {}) }));
  const projCols: PlanColumn[] = [...outCols, ...extras.map((e, i) => ({ name: `?sort${i}`, type: e.type }))];
  plan = { kind: 'project', input: plan, exprs: projExprs, columns: projCols };

  const keyOf = (i: number, desc = false, nullsFirst = false): SortKey => ({ expr: { kind: 'col', index: i, type: projCols[i]!.type }, desc, nullsFirst });
  const sortKeys = sortSpecs.map((s) => keyOf(s.target, s.desc, s.nullsFirst));
  if (distinctOn) {
    // DISTINCT ON keeps the first row of each group in ORDER BY order
    const keys = sortKeys.length ? sortKeys : onIdx.map((i) => keyOf(i));
    plan = { kind: 'sort', input: plan, keys, columns: plan.columns };
    plan = { kind: 'distinct', input: plan, on: onIdx.map((i) => keyOf(i).expr), columns: plan.columns };
  } else {
    if (distinct) plan = { kind: 'distinct', input: plan, on: null, columns: plan.columns };
    if (sortKeys.length) plan = { kind: 'sort', input: plan, keys: sortKeys, columns: plan.columns };
  }
  plan = applyLimit(plan, stmt, scope, env);
  if (extras.length) {
    plan = { kind: 'project', input: plan, exprs: outCols.map((c, i) => ({ kind: 'col', index: i, type: c.type })), columns: outCols };
  }
  return plan;
}

/** Rebuilds one node with `f` applied to its direct children (top-down rewrites). */
const rebuild = (e: Expr, f: (e: Expr) => Expr): Expr => rebuildChildren(e, f);

function rebuildChildren(e: Expr, f: (e: Expr) => Expr): Expr {
  switch (e.kind) {
    case 'col': case 'outer': case 'const': case 'param': case 'subquery': return e;
    case 'call': return { ...e, args: e.args.map(f) };
    case 'cast': case 'not': case 'isNull': case 'isBool': case 'field': return { ...e, arg: f(e.arg) };
    case 'and': case 'or': case 'coalesce': case 'greatest': case 'least': case 'array': case 'row': return { ...e, args: e.args.map(f) };
    case 'case': return { ...e, whens: e.whens.map((w) => ({ cond: f(w.cond), result: f(w.result) })), otherwise: f(e.otherwise) };
    case 'nullif': case 'distinct': return { ...e, left: f(e.left), right: f(e.right) };
    case 'inList': return { ...e, arg: f(e.arg), list: e.list.map(f) };
    case 'anyAll': return { ...e, arg: f(e.arg), array: f(e.array) };
    case 'subqueryCmp': return { ...e, args: e.args.map(f) };
    case 'subscript': return { ...e, arg: f(e.arg), index: f(e.index), upper: e.upper ? f(e.upper) : null };
  }
}

/** GROUPING(a, b): bit i set when argument i is not grouped in the current grouping set. */
function groupingExpr(args: readonly Expr[], keys: readonly Expr[], sets: readonly (readonly number[])[] | null, groupingCol: number): Expr {
  const argKeys = args.map((a) => {
    const k = keys.findIndex((g) => exprKey(g) === exprKey(a));
    if (k < 0) throw new SqlError(SqlState.GroupingError, 'arguments to GROUPING must be grouping expressions of the associated query level');
    return k;
  });
  const value = (set: readonly number[]): number => argKeys.reduce((acc, k) => (acc << 1) | (set.includes(k) ? 0 : 1), 0);
  if (!sets) return { kind: 'const', value: 0, type: T.int4 };
  const g: Expr = { kind: 'col', index: groupingCol, type: T.int4 };
  const eq = (i: number): Expr => ({ kind: 'isBool', arg: { kind: 'distinct', left: g, right: { kind: 'const', value: i, type: T.int4 }, eq: INT4_EQ(), negate: true, type: T.bool }, test: 'true', negate: false, type: T.bool });
  return { kind: 'case', whens: sets.map((s, i) => ({ cond: eq(i), result: { kind: 'const', value: value(s), type: T.int4 } })), otherwise: { kind: 'const', value: 0, type: T.int4 }, type: T.int4 };
}
import { resolveOperator } from '../expr/functions/registry.js';
const INT4_EQ = () => resolveOperator('=', T.int4, T.int4).fn;

/** A bare name in ORDER BY / GROUP BY / DISTINCT ON that names an output column. */
function outputNameRef(n: Node, targets: readonly Target[], scope: Scope, preferInput = false): number {
  if (!('ColumnRef' in n)) return -1;
  const f = n.ColumnRef.fields ?? [];
  if (f.length !== 1 || !('String' in f[0]!)) return -1;
  const name = f[0]!.String.sval ?? '';
  if (preferInput && scope.cols.some((c) => c.name === name && !c.hiddenUnqualified)) return -1;
  const matches = targets.map((t, i) => (t.name === name ? i : -1)).filter((i) => i >= 0);
  if (matches.length === 0) return -1;
  if (matches.length > 1) {
    const k = exprKey(targets[matches[0]!]!.expr);
    if (!matches.every((i) => exprKey(targets[i]!.expr) === k)) {
      throw new SqlError(SqlState.AmbiguousColumn, `ORDER BY "${name}" is ambiguous`, pos(n.ColumnRef.location));
    }
  }
  return matches[0]!;
}

export function bindTargets(list: readonly Node[], ctx: ExprCtx): Target[] {
  const out: Target[] = [];
  for (const n of list) {
    if (!('ResTarget' in n)) continue;
    const rt = n.ResTarget;
    const v = rt.val!;
    if ('ColumnRef' in v) {
      const fields = v.ColumnRef.fields ?? [];
      const last = fields[fields.length - 1]!;
      if ('A_Star' in last) {
        const table = fields.length >= 2 ? str(fields[fields.length - 2]!) : null;
        const cols = ctx.scope.cols;
        let any = false;
        cols.forEach((c, i) => {
          if (table !== null ? c.table !== table : c.hiddenStar) return;
          any = true;
          out.push({ expr: { kind: 'col', index: i, type: c.type }, name: c.name, ...(c.tableOid ? { tableOid: c.tableOid, attnum: c.attnum ?? 0 } : {}) });
        });
        if (table !== null && !any && !ctx.scope.hasTable(table)) throw new SqlError(SqlState.UndefinedTable, `missing FROM-clause entry for table "${table}"`, pos(v.ColumnRef.location));
        if (table === null && cols.length === 0) throw new SqlError(SqlState.SyntaxError, 'SELECT * with no tables specified is not valid', pos(v.ColumnRef.location));
        continue;
      }
    }
    const e = resolveUnknown(bindExpr(v, ctx), ctx.env);
    const name = rt.name ?? figureName(v);
    let src: { tableOid?: number; attnum?: number } = {};
    if (e.kind === 'col' && e.index < AGG_BASE) {
      const c = ctx.scope.cols[e.index];
      if (c?.tableOid) src = { tableOid: c.tableOid, attnum: c.attnum ?? 0 };
    }
    out.push({ expr: e, name, ...src });
  }
  return out;
}

/** PostgreSQL's FigureColname: the column name a target gets without an alias. */
export function figureName(n: Node): string {
  if ('ColumnRef' in n) {
    const f = n.ColumnRef.fields ?? [];
    const last = f[f.length - 1];
    return last && 'String' in last ? (last.String.sval ?? '?column?') : '?column?';
  }
  if ('FuncCall' in n) {
    const parts = n.FuncCall.funcname ?? [];
    const last = parts[parts.length - 1];
    return last && 'String' in last ? (last.String.sval ?? '?column?') : '?column?';
  }
  if ('TypeCast' in n) {
    const inner = figureName(n.TypeCast.arg!);
    if (inner !== '?column?') return inner;
    const names = n.TypeCast.typeName?.names ?? [];
    const last = names[names.length - 1];
    const tn = last && 'String' in last ? (last.String.sval ?? '?column?') : '?column?';
    return TYPE_COLNAMES[tn] ?? tn;
  }
  if ('CaseExpr' in n) return n.CaseExpr.defresult ? (figureName(n.CaseExpr.defresult) !== '?column?' ? figureName(n.CaseExpr.defresult) : 'case') : 'case';
  if ('CoalesceExpr' in n) return 'coalesce';
  if ('MinMaxExpr' in n) return n.MinMaxExpr.op === 'IS_GREATEST' ? 'greatest' : 'least';
  if ('A_ArrayExpr' in n) return 'array';
  if ('RowExpr' in n) return 'row';
  if ('NullIfExpr' in n) return 'nullif';
  if ('A_Expr' in n && n.A_Expr.kind === 'AEXPR_NULLIF') return 'nullif';
  if ('SQLValueFunction' in n) {
    const op = n.SQLValueFunction.op ?? '';
    return op.replace('SVFOP_', '').replace(/_N$/, '').toLowerCase();
  }
  if ('SubLink' in n) {
    const sl = n.SubLink;
    if (sl.subLinkType === 'EXISTS_SUBLINK') return 'exists';
    if (sl.subLinkType === 'ARRAY_SUBLINK') return 'array';
    if (sl.subLinkType === 'EXPR_SUBLINK' && sl.subselect && 'SelectStmt' in sl.subselect) {
      const tl = sl.subselect.SelectStmt.targetList?.[0];
      if (tl && 'ResTarget' in tl) return tl.ResTarget.name ?? figureName(tl.ResTarget.val!);
    }
    return '?column?';
  }
  if ('A_Indirection' in n) {
    const ind = n.A_Indirection.indirection ?? [];
    const last = ind[ind.length - 1];
    if (last && 'String' in last) return last.String.sval ?? '?column?';
    return figureName(n.A_Indirection.arg!);
  }
  if ('CollateClause' in n) return figureName(n.CollateClause.arg!);
  if ('GroupingFunc' in n) return 'grouping';
  return '?column?';
}
const TYPE_COLNAMES: Record<string, string> = { int4: 'int4', float8: 'float8', bool: 'bool' };

/** GROUP BY: returns the distinct key expressions and, for GROUPING SETS/ROLLUP/CUBE, the sets. */
function bindGroupBy(items: readonly Node[], targets: readonly Target[], ctx: ExprCtx): { keys: Expr[]; sets: number[][] | null } {
  const keys: Expr[] = [];
  const keyIndex = (e: Expr): number => {
    const k = exprKey(e);
    const i = keys.findIndex((x) => exprKey(x) === k);
    if (i >= 0) return i;
    keys.push(e);
    return keys.length - 1;
  };
  const bindItem = (n: Node): number => {
    const ord = ordinal(n);
    if (ord !== null) {
      if (ord < 1 || ord > targets.length) throw new SqlError(SqlState.InvalidColumnReference, `GROUP BY position ${ord} is not in select list`);
      const e = targets[ord - 1]!.expr;
      if (someExpr(e, (x) => x.kind === 'col' && x.index >= AGG_BASE)) throw new SqlError(SqlState.GroupingError, 'aggregate functions are not allowed in GROUP BY');
      return keyIndex(e);
    }
    const byName = outputNameRef(n, targets, ctx.scope, true);
    if (byName >= 0) return keyIndex(targets[byName]!.expr);
    return keyIndex(resolveUnknown(bindExpr(n, ctx), ctx.env));
  };
  // Each item yields a list of alternative sets (cross product across items)
  let combos: number[][] = [[]];
  let hasSets = false;
  for (const item of items) {
    let alts: number[][];
    if ('GroupingSet' in item) {
      hasSets = true;
      alts = groupingSetAlternatives(item.GroupingSet, bindItem);
    } else {
      alts = [[bindItem(item)]];
    }
    const next: number[][] = [];
    for (const c of combos) for (const a of alts) next.push([...c, ...a]);
    combos = next;
  }
  if (!hasSets) return { keys, sets: null };
  return { keys, sets: combos.map((c) => [...new Set(c)]) };
}

function groupingSetAlternatives(gs: import('@pgsql/types').GroupingSet, bindItem: (n: Node) => number): number[][] {
  const content = gs.content ?? [];
  const elem = (n: Node): number[] => {
    if ('RowExpr' in n) return (n.RowExpr.args ?? []).map(bindItem);
    if ('GroupingSet' in n && n.GroupingSet.kind === 'GROUPING_SET_EMPTY') return [];
    return [bindItem(n)];
  };
  switch (gs.kind) {
    case 'GROUPING_SET_EMPTY': return [[]];
    case 'GROUPING_SET_SIMPLE': return [content.flatMap(elem)];
    case 'GROUPING_SET_ROLLUP': {
      const parts = content.map(elem);
      const out: number[][] = [];
      for (let i = parts.length; i >= 0; i--) out.push(parts.slice(0, i).flat());
      return out;
    }
    case 'GROUPING_SET_CUBE': {
      const parts = content.map(elem);
      const out: number[][] = [];
      const n = parts.length;
      for (let mask = (1 << n) - 1; mask >= 0; mask--) {
        const s: number[] = [];
        for (let i = 0; i < n; i++) if (mask & (1 << (n - 1 - i))) s.push(...parts[i]!);
        out.push(s);
      }
      return out;
    }
    case 'GROUPING_SET_SETS': {
      const out: number[][] = [];
      for (const n of content) {
        if ('GroupingSet' in n) out.push(...groupingSetAlternatives(n.GroupingSet, bindItem));
        else out.push(elem(n));
      }
      return out;
    }
    default: return [[]];
  }
}

export function planColumnsToScope(cols: readonly PlanColumn[], alias: string | null, colAliases: readonly string[] = []): ScopeCol[] {
  return cols.map((c, i) => ({
    name: colAliases[i] ?? c.name, table: alias, type: c.type,
    ...(c.tableOid ? { tableOid: c.tableOid, attnum: c.attnum ?? 0 } : {}),
  }));
}

export function typesMatch(a: readonly SqlType[], b: readonly SqlType[]): boolean {
  return a.length === b.length && a.every((t, i) => sameType(t, b[i]!));
}

export type { ResTarget };
