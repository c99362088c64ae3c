// Binds the FROM clause and WHERE into a join tree. Inner joins and comma lists are flattened
// into items plus conjuncts, then joined greedily along equi-join predicates (hash joins) with
// single-table predicates pushed into scans, where primary-key and index lookups are chosen.
// The result's row layout always equals the scope's column order.
import { systemTableOid } from './system-oids.js';
import type { Node, RangeVar, JoinExpr, RangeFunction, RangeSubselect } from '@pgsql/types';
import { T, sameType } from '../core/types.js';
import { SqlError, SqlState } from '../core/errors.js';
import { resolveSetFunction, tryCommonType, type ScalarFunction } from '../expr/functions/registry.js';
import { castDatum } from '../core/values/io.js';
import { someExpr, mapExpr, type Expr } from '../expr/ir.js';
import type { Plan, PlanColumn, Access, JoinType } from '../expr/plan.js';
import { Scope, type BindEnv, type ScopeCol } from './scope.js';
import { bindExpr, coerce, coerceBool, resolveUnknown, makeOp, str, pos, type ExprCtx } from './bind-expr.js';
import { bindSelect, planColumnsToScope } from './bind-select.js';
import { parseSql } from './parse.js';
import { liveColumns, type RelationDef } from '../catalog/model.js';

interface Item {
  plan: Plan;
  readonly start: number;
  readonly width: number;
  /** the item's plan refers to earlier items' columns (LATERAL) */
  readonly lateral: boolean;
}

const BOOL = T.bool;

export interface PreboundItem { readonly plan: Plan; readonly cols: readonly ScopeCol[] }

export function bindFrom(from: readonly Node[], where: Node | null, scope: Scope, env: BindEnv, pre: readonly PreboundItem[] = []): Plan {
  const items: Item[] = [];
  const conj: Expr[] = [];
  for (const p of pre) {
    const start = scope.cols.length;
    scope.add(p.cols);
    items.push({ plan: p.plan, start, width: p.cols.length, lateral: false });
  }
  for (const n of from) collect(n, items, conj, scope, env);
  if (where) {
    const ctx: ExprCtx = { env, scope, aggs: null, windows: null, clause: 'WHERE' };
    splitAnd(coerceBool(bindExpr(where, ctx), env, 'WHERE'), conj);
  }
  if (items.length === 0) {
    const single: Plan = { kind: 'single', columns: [] };
    return conj.length ? { kind: 'filter', input: single, predicate: andOf(conj), columns: [] } : single;
  }
  return planJoins(items, conj, scope);
}

export function splitAnd(e: Expr, out: Expr[]): Expr[] {
  if (e.kind === 'and') for (const a of e.args) splitAnd(a, out);
  else out.push(e);
  return out;
}

export function andOf(list: readonly Expr[]): Expr {
  return list.length === 1 ? list[0]! : { kind: 'and', args: list, type: BOOL };
}

function isInnerJoin(j: JoinExpr): boolean {
  return j.jointype === 'JOIN_INNER' || j.jointype === undefined;
}

function collect(n: Node, items: Item[], conj: Expr[], scope: Scope, env: BindEnv): void {
  if ('JoinExpr' in n && isInnerJoin(n.JoinExpr)) {
    const j = n.JoinExpr;
    const lStart = scope.cols.length;
    collect(j.larg!, items, conj, scope, env);
    const rStart = scope.cols.length;
    collect(j.rarg!, items, conj, scope, env);
    for (const c of joinConditions(j, lStart, rStart, scope, env, 'inner')) splitAnd(c, conj);
    applyJoinAlias(j, lStart, scope);
    return;
  }
  items.push(bindItem(n, scope, env));
}

/** ON / USING / NATURAL conditions over scope indexes; hides merged USING columns. */
function joinConditions(j: JoinExpr, lStart: number, rStart: number, scope: Scope, env: BindEnv, type: string): Expr[] {
  const out: Expr[] = [];
  let using: string[] = (j.usingClause ?? []).map(str);
  if (j.isNatural) {
    const lNames = scope.cols.slice(lStart, rStart).filter((c) => !c.hiddenUnqualified).map((c) => c.name);
    const rNames = new Set(scope.cols.slice(rStart).filter((c) => !c.hiddenUnqualified).map((c) => c.name));
    using = lNames.filter((n) => rNames.has(n));
  }
  for (const name of using) {
    const li = findIn(scope, lStart, rStart, name);
    const ri = findIn(scope, rStart, scope.cols.length, name);
    if (li < 0 || ri < 0) throw new SqlError(SqlState.UndefinedColumn, `column "${name}" specified in USING clause does not exist in ${li < 0 ? 'left' : 'right'} table`);
    const l: Expr = { kind: 'col', index: li, type: scope.cols[li]!.type };
    const r: Expr = { kind: 'col', index: ri, type: scope.cols[ri]!.type };
    out.push(makeOp('=', l, r, env));
    // the merged column is visible once, unqualified; RIGHT JOIN keeps the right side's value
    const hide = type === 'right' ? li : ri;
    const c = scope.cols[hide]!;
    scope.cols[hide] = { ...c, hiddenUnqualified: true, hiddenStar: true };
  }
  if (j.quals) {
    const ctx: ExprCtx = { env, scope, aggs: null, windows: null, clause: 'JOIN conditions' };
    out.push(coerceBool(bindExpr(j.quals, ctx), env, 'JOIN/ON'));
  }
  return out;
}

function applyJoinAlias(j: JoinExpr, start: number, scope: Scope): void {
  const alias = j.alias?.aliasname;
  if (!alias) return;
  for (let i = start; i < scope.cols.length; i++) {
    const c = scope.cols[i]!;
    if (!c.hiddenUnqualified) scope.cols[i] = { ...c, table: alias };
  }
}

function findIn(scope: Scope, from: number, to: number, name: string): number {
  for (let i = from; i < to; i++) if (scope.cols[i]!.name === name && !scope.cols[i]!.hiddenUnqualified) return i;
  return -1;
}

function bindItem(n: Node, scope: Scope, env: BindEnv): Item {
  const start = scope.cols.length;
  if ('JoinExpr' in n) {
    const j = n.JoinExpr;
    if (isInnerJoin(j)) {
      const items: Item[] = [];
      const conj: Expr[] = [];
      collect(n, items, conj, scope, env);
      if (items.some((i) => i.lateral)) throw new SqlError(SqlState.FeatureNotSupported, 'LATERAL inside a parenthesized join is not supported');
      return { plan: planJoins(items, conj, scope, start), start, width: scope.cols.length - start, lateral: false };
    }
    const left = bindItem(j.larg!, scope, env);
    const right = bindItem(j.rarg!, scope, env);
    if (right.lateral) throw new SqlError(SqlState.FeatureNotSupported, 'LATERAL on the right of an outer join is not supported');
    const type: JoinType = j.jointype === 'JOIN_LEFT' ? 'left' : j.jointype === 'JOIN_RIGHT' ? 'right' : 'full';
    const conds: Expr[] = [];
    for (const c of joinConditions(j, left.start, right.start, scope, env, type)) splitAnd(c, conds);
    applyJoinAlias(j, start, scope);
    return { plan: makeJoin(type, left, right, conds), start, width: left.width + right.width, lateral: false };
  }
  if ('RangeVar' in n) return bindRangeVar(n.RangeVar, scope, env, start);
  if ('RangeSubselect' in n) return bindRangeSubselect(n.RangeSubselect, scope, env, start);
  if ('RangeFunction' in n) return bindRangeFunction(n.RangeFunction, scope, env, start);
  throw new SqlError(SqlState.FeatureNotSupported, `unsupported FROM item ${Object.keys(n)[0] ?? ''}`);
}

function aliasOf(a: { aliasname?: string; colnames?: Node[] } | undefined): { name: string | null; cols: string[] } {
  return { name: a?.aliasname ?? null, cols: (a?.colnames ?? []).map(str) };
}

function bindRangeVar(rv: RangeVar, scope: Scope, env: BindEnv, start: number): Item {
  const name = rv.relname!;
  const schema = rv.schemaname ?? null;
  const alias = aliasOf(rv.alias);
  const rangeName = alias.name ?? name;
  if (schema === null) {
    const cte = scope.findCte(name);
    if (cte) {
      const cols = cte.columns;
      scope.add(planColumnsToScope(cols, rangeName, alias.cols));
      return { plan: { kind: 'cteScan', cte, columns: cols }, start, width: cols.length, lateral: false };
    }
  }
  const rel = env.catalog.findRelation(schema, name, env.searchPath);
  if (rel?.kind === 'sink') throw new SqlError(SqlState.WrongObjectType, `"${name}" is a sink: its changes go to its connector, it cannot be read`);
  if (rel && rel.kind !== 'view') {
    const live = liveColumns(rel);
    const columns: PlanColumn[] = live.map((c) => ({ name: c.name, type: c.type, tableOid: rel.oid, attnum: rel.columns.indexOf(c) + 1 }));
    scope.add(columns.map((c, i) => ({ name: alias.cols[i] ?? c.name, table: rangeName, type: c.type, tableOid: rel.oid, attnum: c.attnum! })));
    return { plan: { kind: 'scan', table: rel, access: { kind: 'full' }, filter: null, columns }, start, width: columns.length, lateral: false };
  }
  if (rel && rel.kind === 'view') {
    if (env.viewDepth > 32) throw new SqlError(SqlState.InvalidRecursion, `infinite recursion detected in view "${name}"`);
    const parsed = parseSql(rel.viewSql!)[0]!.stmt;
    if (!('SelectStmt' in parsed)) throw new SqlError(SqlState.InternalError, 'view is not a SELECT');
    const plan = bindSelect(parsed.SelectStmt, new Scope(null), { ...env, viewDepth: env.viewDepth + 1 });
    const names = liveColumns(rel).map((c) => c.name);
    scope.add(planColumnsToScope(plan.columns, rangeName, alias.cols.length ? alias.cols : names));
    return { plan, start, width: plan.columns.length, lateral: false };
  }
  const v = env.findVirtual(schema, name);
  if (v && v.sql !== undefined) {
    const parsed = parseSql(v.sql)[0]!.stmt;
    if (!('SelectStmt' in parsed)) throw new SqlError(SqlState.InternalError, 'system view is not a SELECT');
    const plan = bindSelect(parsed.SelectStmt, new Scope(null), { ...env, viewDepth: env.viewDepth + 1 });
    scope.add(planColumnsToScope(plan.columns, rangeName, alias.cols));
    return { plan, start, width: plan.columns.length, lateral: false };
  }
  if (v) {
    const columns = v.columns.map((c) => ({ name: c.name, type: c.type }));
    // the catalog relation's OID is known to the scope (the tableoid system column), not sent as the columns' origin
    const oid = systemTableOid(v.schema, v.name, true);
    scope.add(planColumnsToScope(columns, rangeName, alias.cols).map((c) => (oid === undefined ? c : { ...c, tableOid: oid })));
    return { plan: { kind: 'virtualScan', name: `${v.schema}.${v.name}`, columns }, start, width: columns.length, lateral: false };
  }
  throw new SqlError(SqlState.UndefinedTable, `relation "${schema ? schema + '.' : ''}${name}" does not exist`, pos(rv.location));
}

function bindRangeSubselect(rs: RangeSubselect, scope: Scope, env: BindEnv, start: number): Item {
  const q = rs.subquery!;
  if (!('SelectStmt' in q)) throw new SqlError(SqlState.SyntaxError, 'expected SELECT in FROM');
  const lateral = rs.lateral ?? false;
  // A LATERAL subquery sees the earlier FROM items as an enclosing query level.
  const probe = new Scope(lateral ? scope : scope.parent, new Map(scope.ctes));
  const plan = bindSelect(q.SelectStmt, probe, env);
  if (probe.correlated && !lateral) scope.correlated = true;
  const alias = aliasOf(rs.alias);
  scope.add(planColumnsToScope(plan.columns, alias.name, alias.cols));
  return { plan, start, width: plan.columns.length, lateral: lateral && probe.correlated };
}

function bindRangeFunction(rf: RangeFunction, scope: Scope, env: BindEnv, start: number): Item {
  const fns = rf.functions ?? [];
  if (fns.length !== 1) throw new SqlError(SqlState.FeatureNotSupported, 'ROWS FROM with several functions is not supported');
  const first = fns[0]!;
  const call = 'List' in first ? first.List.items?.[0] : undefined;
  if (!call || !('FuncCall' in call)) throw new SqlError(SqlState.SyntaxError, 'expected a function call in FROM');
  const fc = call.FuncCall;
  const parts = (fc.funcname ?? []).map(str);
  const fname = parts[parts.length - 1]!.toLowerCase();
  // Function arguments may refer to earlier FROM items (functions in FROM are implicitly LATERAL).
  const probe = new Scope(scope, new Map(scope.ctes));
  const ctx: ExprCtx = { env, scope: probe, aggs: null, windows: null, clause: 'functions in FROM' };
  if ((fname === 'tumble' || fname === 'hop') && parts.length === 1) return bindTimeWindow(fname, fc.args ?? [], rf, scope, env, start);
  const args = (fc.args ?? []).map((a) => bindExpr(a, ctx));
  if (fname === 'eddy_binlog') return bindBinlog(args, rf, scope, env, start, fc.location);
  const r = resolveSetFunction(fname, args.map((a) => a.type));
  const alias = aliasOf(rf.alias);
  let plan: Plan;
  if (r) {
    const coerced = args.map((a, i) => resolveUnknown(coerce(a, r.argTypes[i] ?? a.type, 'implicit', env), env));
    let columns: PlanColumn[] = r.columns.map((c) => ({ name: c.name, type: c.type }));
    if (columns.length === 1) columns = [{ name: alias.cols[0] ?? alias.name ?? fname, type: columns[0]!.type }];
    if (rf.ordinality) columns.push({ name: 'ordinality', type: T.int8 });
    plan = { kind: 'functionScan', fn: r.fn, args: coerced, ordinality: rf.ordinality ?? false, columns };
  } else {
    // a scalar function in FROM yields one row
    const e = resolveUnknown(bindExpr(call, ctx), env);
    const columns: PlanColumn[] = [{ name: alias.cols[0] ?? alias.name ?? fname, type: e.type }];
    if (rf.ordinality) columns.push({ name: 'ordinality', type: T.int8 });
    const row: Expr[] = rf.ordinality ? [e, { kind: 'const', value: 1n, type: T.int8 }] : [e];
    plan = { kind: 'values', rows: [row], columns };
  }
  scope.add(planColumnsToScope(plan.columns, alias.name ?? fname, alias.cols));
  return { plan, start, width: plan.columns.length, lateral: probe.correlated };
}

/**
 * TUMBLE(relation, time_col, size) and HOP(relation, time_col, hop, size): the relation's rows
 * with the windows they fall in (window_start, window_end).
 */
function bindTimeWindow(fname: 'tumble' | 'hop', args: readonly Node[], rf: RangeFunction, scope: Scope, env: BindEnv, start: number): Item {
  const want = fname === 'tumble' ? 3 : 4;
  if (args.length !== want) throw new SqlError(SqlState.UndefinedFunction, `${fname.toUpperCase()} takes ${want} arguments: (relation, time column, ${fname === 'tumble' ? 'size' : 'hop, size'})`);
  const rel = args[0]!;
  const relName = 'ColumnRef' in rel ? (rel.ColumnRef.fields ?? []).map(str) : [];
  if (relName.length < 1 || relName.length > 2) throw new SqlError(SqlState.SyntaxError, `the first argument of ${fname.toUpperCase()} must name a table, source or view`);
  const inner = new Scope(scope.parent, new Map(scope.ctes));
  const rv = { relname: relName[relName.length - 1]!, ...(relName.length === 2 ? { schemaname: relName[0]! } : {}), inh: true, relpersistence: 'p' } as RangeVar;
  const item = bindRangeVar(rv, inner, env, 0);
  const ctx: ExprCtx = { env, scope: inner, aggs: null, windows: null, clause: `${fname.toUpperCase()}()` };
  const time = bindExpr(args[1]!, ctx);
  if (!(time.type.kind === 'scalar' && (time.type.name === 'timestamp' || time.type.name === 'timestamptz'))) {
    throw new SqlError(SqlState.DatatypeMismatch, `the time column of ${fname.toUpperCase()} must be a timestamp, not ${time.type.kind === 'scalar' ? time.type.name : 'an array'}`);
  }
  const micros = (n: Node): number => {
    const e = resolveUnknown(coerce(bindExpr(n, ctx), T.interval, 'explicit', env), env);
    if (e.kind !== 'const' || e.value === null) throw new SqlError(SqlState.FeatureNotSupported, `the window sizes of ${fname.toUpperCase()} must be constant intervals`);
    const iv = e.value as unknown as { months: number; days: number; micros: number };
    const us = iv.days * 86_400_000_000 + iv.micros;
    if (iv.months !== 0 || us <= 0) throw new SqlError(SqlState.InvalidParameterValue, `window sizes of ${fname.toUpperCase()} must be positive and without months`);
    return us;
  };
  const size = micros(args[want - 1]!);
  const hop = fname === 'hop' ? micros(args[2]!) : size;
  if (size % hop !== 0) throw new SqlError(SqlState.InvalidParameterValue, 'the window size of HOP must be a multiple of its hop');
  const alias = aliasOf(rf.alias);
  const columns: PlanColumn[] = [...item.plan.columns, { name: 'window_start', type: time.type }, { name: 'window_end', type: time.type }];
  const plan: Plan = { kind: 'timeWindow', input: item.plan, time, hop, size, columns };
  scope.add(planColumnsToScope(columns, alias.name ?? relName[relName.length - 1]!, alias.cols));
  return { plan, start, width: columns.length, lateral: false };
}

/**
 * eddy_binlog('table' [, after_seq]): the table's change log (Hologres event types: 5 INSERT,
 * 2 DELETE, 3 UPDATE_BEFORE, 7 UPDATE_AFTER) with its commit sequence numbers and times.
 */
function bindBinlog(args: readonly Expr[], rf: RangeFunction, scope: Scope, env: BindEnv, start: number, location?: number): Item {
  const nameArg = args[0];
  if (!nameArg || args.length > 2 || nameArg.kind !== 'const' || typeof nameArg.value !== 'string') {
    throw new SqlError(SqlState.UndefinedFunction, 'eddy_binlog takes a table name literal and an optional sequence number', pos(location));
  }
  const parts = nameArg.value.split('.');
  const rel = env.catalog.findRelation(parts.length > 1 ? parts[0]! : null, parts[parts.length - 1]!, env.searchPath);
  if (!rel || rel.kind !== 'table') throw new SqlError(SqlState.UndefinedTable, `relation "${nameArg.value}" does not exist`, pos(location));
  const after = args[1] ? coerce(args[1], T.int8, 'implicit', env) : null;
  const columns: PlanColumn[] = [
    { name: 'seq', type: T.int8 }, { name: 'event_type', type: T.int4 }, { name: 'op', type: T.text }, { name: 'commit_ts', type: T.timestamptz },
    ...liveColumns(rel).map((c) => ({ name: c.name, type: c.type })),
  ];
  const alias = aliasOf(rf.alias);
  scope.add(planColumnsToScope(columns, alias.name ?? 'eddy_binlog', alias.cols));
  return { plan: { kind: 'binlogScan', table: rel, after, columns }, start, width: columns.length, lateral: false };
}

// ---- join planning -------------------------------------------------------------

/** Scope column indexes an expression reads at this query level; null if it must stay on top. */
function refsOf(e: Expr): Set<number> | null {
  const s = new Set<number>();
  let blocked = false;
  someExpr(e, (x) => {
    if (x.kind === 'col') s.add(x.index);
    if ((x.kind === 'subquery' || x.kind === 'subqueryCmp') && x.correlated) blocked = true;
    if (x.kind === 'call' && x.fn.volatility === 'volatile') blocked = true;
    return false;
  });
  return blocked ? null : s;
}

function remap(e: Expr, f: (i: number) => number): Expr {
  return mapExpr(e, (x) => (x.kind === 'col' ? { kind: 'col', index: f(x.index), type: x.type } : x));
}

function itemOf(items: readonly Item[], idx: number): number {
  for (let k = 0; k < items.length; k++) {
    const it = items[k]!;
    if (idx >= it.start && idx < it.start + it.width) return k;
  }
  return -1;
}

function planJoins(items: Item[], conj: Expr[], scope: Scope, base = 0): Plan {
  const post: Expr[] = [];
  const pending: { e: Expr; items: Set<number> }[] = [];
  const lateral = items.some((i) => i.lateral);
  const local = new Map<number, Expr[]>();
  for (const c of conj) {
    const refs = refsOf(c);
    if (refs === null || refs.size === 0) { post.push(c); continue; }
    const its = new Set<number>();
    for (const r of refs) its.add(itemOf(items, r));
    if (its.has(-1)) { post.push(c); continue; }
    if (its.size === 1 && !lateral) {
      const k = [...its][0]!;
      const it = items[k]!;
      const list = local.get(k) ?? [];
      list.push(remap(c, (i) => i - it.start));
      local.set(k, list);
      continue;
    }
    pending.push({ e: c, items: its });
  }
  // all of an item's own predicates at once, so the access path sees every one of them
  for (const [k, list] of local) {
    const it = items[k]!;
    it.plan = pushFilter(it.plan, andOf(list));
  }

  // Greedy order: follow equi-join predicates from the first item (source order if LATERAL).
  const order: number[] = [0];
  const joined = new Set<number>([0]);
  // a correlated first item (a function or LATERAL subquery reading an enclosing query) still
  // runs under a lateral node, which provides its (empty) left row at the level it expects
  const first = items[0]!;
  let plan: Plan = first.lateral
    ? { kind: 'lateral', joinType: 'inner', left: { kind: 'single', columns: [] }, right: first.plan, residual: null, columns: first.plan.columns }
    : first.plan;
  while (order.length < items.length) {
    let next = -1;
    if (!lateral) {
      for (let k = 0; k < items.length && next < 0; k++) {
        if (joined.has(k)) continue;
        if (pending.some((p) => p.items.has(k) && [...p.items].every((i) => i === k || joined.has(i)) && isEqui(p.e))) next = k;
      }
      for (let k = 0; k < items.length && next < 0; k++) {
        if (!joined.has(k) && pending.some((p) => p.items.has(k) && [...p.items].every((i) => i === k || joined.has(i)))) next = k;
      }
    }
    for (let k = 0; k < items.length && next < 0; k++) if (!joined.has(k)) next = k;
    // local layout: joined items in order, then `next`
    const offsets = new Map<number, number>();
    let w = 0;
    for (const k of order) { offsets.set(k, w); w += items[k]!.width; }
    const leftWidth = w;
    offsets.set(next, w);
    const toLocal = (i: number): number => {
      const k = itemOf(items, i);
      return offsets.get(k)! + (i - items[k]!.start);
    };
    joined.add(next);
    order.push(next);
    const ready = pending.filter((p) => p.items.has(next) && [...p.items].every((i) => joined.has(i)));
    for (const p of ready) pending.splice(pending.indexOf(p), 1);
    const item = items[next]!;
    const conds = ready.map((p) => remap(p.e, toLocal));
    if (item.lateral) {
      plan = {
        kind: 'lateral', joinType: 'inner', left: plan, right: item.plan, residual: conds.length ? andOf(conds) : null,
        columns: [...plan.columns, ...item.plan.columns],
      };
    } else {
      plan = hashJoin('inner', plan, leftWidth, item.plan, conds);
    }
  }
  // restore the scope's column order
  const identity = order.every((k, i) => k === i);
  if (!identity) {
    const offsets = new Map<number, number>();
    let w = 0;
    for (const k of order) { offsets.set(k, w); w += items[k]!.width; }
    const exprs: Expr[] = [];
    const columns: PlanColumn[] = [];
    items.forEach((it, k) => {
      for (let i = 0; i < it.width; i++) {
        const c = it.plan.columns[i]!;
        exprs.push({ kind: 'col', index: offsets.get(k)! + i, type: c.type });
        columns.push(c);
      }
    });
    plan = { kind: 'project', input: plan, exprs, columns };
  }
  for (const p of pending) post.push(p.e);
  if (post.length) plan = { kind: 'filter', input: plan, predicate: remap(andOf(post), (i) => i - base), columns: plan.columns };
  return plan;
}

function isEqui(e: Expr): boolean {
  return e.kind === 'call' && e.fn.name === '=' && e.args.length === 2;
}

/** Builds a join whose conditions are over the local layout [left | right]; extracts hash keys. */
export function hashJoin(type: JoinType, left: Plan, leftWidth: number, right: Plan, conds: readonly Expr[]): Plan {
  const leftKeys: Expr[] = [];
  const rightKeys: Expr[] = [];
  const residual: Expr[] = [];
  for (const c of conds) {
    if (isEqui(c) && c.kind === 'call') {
      const [a, b] = c.args as [Expr, Expr];
      const ra = refsOf(a);
      const rb = refsOf(b);
      const side = (r: Set<number> | null): 'l' | 'r' | null => {
        if (!r || r.size === 0) return null;
        const all = [...r];
        if (all.every((i) => i < leftWidth)) return 'l';
        if (all.every((i) => i >= leftWidth)) return 'r';
        return null;
      };
      const sa = side(ra);
      const sb = side(rb);
      if (sa && sb && sa !== sb) {
        const l = sa === 'l' ? a : b;
        const r = sa === 'l' ? b : a;
        let lk = l;
        let rk = r;
        if (!sameType(l.type, r.type)) {
          const t = tryCommonType([l.type, r.type]);
          if (!t) { residual.push(c); continue; }
          lk = castTo(l, t);
          rk = castTo(r, t);
        }
        leftKeys.push(lk);
        rightKeys.push(remap(rk, (i) => i - leftWidth));
        continue;
      }
    }
    residual.push(c);
  }
  return {
    kind: 'join', joinType: type, left, right, leftKeys, rightKeys,
    // semi and anti joins return the left rows only
    residual: residual.length ? andOf(residual) : null, columns: type === 'semi' || type === 'anti' ? left.columns : [...left.columns, ...right.columns],
  };
}

/**
 * A lookup value converted to the key column's type. Integer narrowing (an int8 value against
 * an int4 key) must not raise 'out of range': such a value simply matches no row.
 */
function keyValue(val: Expr, colType: import('../core/types.js').SqlType): Expr {
  if (sameType(val.type, colType)) return val;
  const narrowing = colType.kind === 'scalar' && (colType.name === 'int2' || colType.name === 'int4') && val.type.kind === 'scalar' && (val.type.name === 'int8' || val.type.name === 'int4');
  if (!narrowing) return castTo(val, colType);
  const from = val.type;
  const fn: ScalarFunction = {
    name: 'key_cast', argTypes: [from], returnType: colType, strict: true, volatility: 'immutable',
    impl: (a, ctx) => {
      try { return castDatum(from, colType, a[0]!, ctx.settings); } catch (err) {
        if (err instanceof SqlError && err.code === SqlState.NumericValueOutOfRange) return null;
        throw err;
      }
    },
  };
  return { kind: 'call', fn, args: [val], type: colType };
}

function castTo(e: Expr, t: import('../core/types.js').SqlType): Expr {
  return sameType(e.type, t) ? e : { kind: 'cast', arg: e, type: t, explicit: false };
}

function makeJoin(type: JoinType, left: Item, right: Item, conds: readonly Expr[]): Plan {
  const local = conds.map((c) => remap(c, (i) => i - left.start));
  for (const c of local) {
    if (refsOf(c) === null) throw new SqlError(SqlState.FeatureNotSupported, 'correlated subqueries in outer join conditions are not supported');
  }
  return hashJoin(type, left.plan, left.width, right.plan, local);
}

/** Adds a predicate over an item's own columns; table scans pick a key lookup when they can. */
function pushFilter(plan: Plan, pred: Expr): Plan {
  if (plan.kind === 'scan' && plan.access.kind === 'full') {
    const preds = splitAnd(plan.filter ? { kind: 'and', args: [plan.filter, pred], type: BOOL } : pred, []);
    return chooseAccess(plan.table, preds, plan.columns, plan.withKey ?? false);
  }
  if (plan.kind === 'scan') return { ...plan, filter: plan.filter ? { kind: 'and', args: [plan.filter, pred], type: BOOL } : pred };
  if (plan.kind === 'filter') return { ...plan, predicate: { kind: 'and', args: [...splitAnd(plan.predicate, []), pred], type: BOOL } };
  return { kind: 'filter', input: plan, predicate: pred, columns: plan.columns };
}

/** Picks a primary-key or secondary-index lookup from `col = <value without columns>` predicates. */
export function chooseAccess(table: RelationDef, preds: readonly Expr[], columns: readonly PlanColumn[], withKey = false): Plan {
  const live = liveColumns(table);
  const storagePos = live.map((c) => table.columns.indexOf(c));
  const eqs = new Map<number, { e: Expr; pred: Expr }>();
  for (const p of preds) {
    if (!isEqui(p) || p.kind !== 'call') continue;
    const [a, b] = p.args as [Expr, Expr];
    for (const [col, val] of [[a, b], [b, a]] as const) {
      const c = col.kind === 'cast' && !col.explicit && col.arg.kind === 'col' ? col.arg : col;
      if (c.kind === 'col' && !someExpr(val, (x) => x.kind === 'col' || ((x.kind === 'subquery' || x.kind === 'subqueryCmp') && x.correlated))) {
        const sp = storagePos[c.index];
        if (sp === undefined) continue;
        const colType = table.columns[sp]!.type;
        if (!eqs.has(sp) && sameType(c.type, colType)) {
          if (col === c || sameType(val.type, colType)) eqs.set(sp, { e: keyValue(val, colType), pred: p });
        }
      }
    }
  }
  let access: Access = { kind: 'full' };
  const used = new Set<Expr>();
  const pk = table.primaryKey;
  if (pk && pk.every((c) => eqs.has(c))) {
    access = { kind: 'pk', keys: pk.map((c) => eqs.get(c)!.e) };
    for (const c of pk) used.add(eqs.get(c)!.pred);
  } else {
    let best: { oid: number; keys: Expr[]; preds: Expr[] } | null = null;
    for (const idx of table.indexes) {
      if (idx.primary) continue;
      const keys: Expr[] = [];
      const ps: Expr[] = [];
      for (const c of idx.columns) {
        const m = eqs.get(c);
        if (!m) break;
        keys.push(m.e);
        ps.push(m.pred);
      }
      if (keys.length > 0 && (!best || keys.length > best.keys.length)) best = { oid: idx.oid, keys, preds: ps };
    }
    if (best) {
      access = { kind: 'index', indexOid: best.oid, keys: best.keys };
      // index matches are re-checked by the remaining filter only when the index is a prefix match
      for (const p of best.preds) used.add(p);
    }
  }
  const rest = preds.filter((p) => !used.has(p));
  return { kind: 'scan', table, access, filter: rest.length ? andOf(rest) : null, columns, ...(withKey ? { withKey } : {}) };
}

export type { ScopeCol };
