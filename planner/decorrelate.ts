// Rewrites subqueries in expressions into joins, so that a view's query is a tree of relational
// operators the dataflow can maintain: [NOT] EXISTS (correlated by equalities) becomes a semi
// (anti) join, x IN (uncorrelated subquery) a semi join, an uncorrelated scalar subquery a
// LEFT JOIN against its one-row result, a scalar aggregate correlated by equalities
// (SELECT count(*) FROM t2 WHERE t2.k = t1.k) a LEFT JOIN against the aggregate grouped by the
// correlated columns, and a lookup by a table's whole primary key a LEFT JOIN on the key.
// Anything else is left as is (and rejected later).
import { T } from '../core/types.js';
import type { Datum } from '../core/datum.js';
import { someExpr, mapExpr, type Expr } from '../expr/ir.js';
import type { Plan, AggCall } from '../expr/plan.js';
import { mapPlanExprs, mapPlanInputs } from './plan-walk.js';
import { splitAnd, andOf, hashJoin } from './bind-from.js';
import { resolveOperator } from '../expr/functions/registry.js';
import { livePosition } from '../catalog/model.js';

export function decorrelate(p: Plan): Plan {
  const q = mapPlanInputs(p, decorrelate);
  if (q.kind === 'scan' && q.filter && hasSubquery(q.filter)) {
    const parts = splitAnd(q.filter, []);
    const plain = parts.filter((c) => !hasSubquery(c));
    const scan: Plan = { ...q, filter: plain.length ? andOf(plain) : null };
    return filterWithSubqueries(scan, parts.filter(hasSubquery));
  }
  if (q.kind === 'filter' && hasSubquery(q.predicate)) return filterWithSubqueries(q.input, splitAnd(q.predicate, []));
  if (q.kind === 'project' && q.exprs.some(hasSubquery)) {
    const { input, rewrite } = joinScalars(q.input, q.exprs);
    return { ...q, input, exprs: q.exprs.map(rewrite) };
  }
  return q;
}

function hasSubquery(e: Expr): boolean {
  return someExpr(e, (x) => x.kind === 'subquery' || x.kind === 'subqueryCmp');
}

/** input filtered by conjuncts, some with subqueries */
function filterWithSubqueries(input: Plan, conjuncts: readonly Expr[]): Plan {
  const width = input.columns.length;
  let cur = input;
  const rest: Expr[] = [];
  for (const c of conjuncts) {
    const joined = existenceJoin(cur, c);
    if (joined) cur = joined;
    else rest.push(c);
  }
  if (rest.length === 0) return cur;
  const { input: withScalars, rewrite } = joinScalars(cur, rest);
  const filtered: Plan = { kind: 'filter', input: withScalars, predicate: rewrite(andOf(rest)), columns: withScalars.columns };
  if (withScalars.columns.length === width) return filtered;
  // drop the columns the scalar subqueries added
  return { kind: 'project', input: filtered, exprs: input.columns.map((c, i) => ({ kind: 'col', index: i, type: c.type })), columns: input.columns };
}

/** [NOT] EXISTS (...) or x IN (...) as a semi / anti join, or null */
function existenceJoin(left: Plan, c: Expr): Plan | null {
  const negated = c.kind === 'not';
  const e = negated ? c.arg : c;
  const width = left.columns.length;
  if (e.kind === 'subquery' && e.mode === 'exists') {
    const split = correlation(e.plan);
    if (!split) return null;
    const conds = split.conds.map((x) => toJoinLayout(x, width));
    return hashJoin(negated ? 'anti' : 'semi', left, width, decorrelate(split.inner), conds);
  }
  if (e.kind === 'subqueryCmp' && !negated && !e.all && !e.correlated && e.ops.every((f) => f.name === '=')) {
    const conds: Expr[] = e.args.map((a, i) => ({
      kind: 'call', fn: e.ops[i]!, type: T.bool,
      args: [a, { kind: 'col', index: width + i, type: e.plan.columns[i]!.type }],
    }));
    return hashJoin('semi', left, width, decorrelate(e.plan), conds);
  }
  return null;
}

/**
 * A correlated subquery as an uncorrelated inner plan plus the conditions (over the outer row's
 * columns as `outer` depth 1 and the inner plan's columns) that tie it to the outer row, or null
 * when outer references appear anywhere but in the top filter.
 */
function correlation(sub: Plan): { inner: Plan; conds: Expr[] } | null {
  let node = sub;
  while (node.kind === 'project' || node.kind === 'sort') node = node.input;
  if (node.kind === 'scan') node = keyAccessAsFilter(node);
  else if (node.kind === 'filter' && node.input.kind === 'scan') node = { ...node, input: keyAccessAsFilter(node.input) };
  let base: Plan;
  let parts: Expr[];
  if (node.kind === 'filter') { base = node.input; parts = splitAnd(node.predicate, []); }
  else if (node.kind === 'scan' && node.filter) { base = { ...node, filter: null }; parts = splitAnd(node.filter, []); }
  else { base = node; parts = []; }
  const outerRef = (x: Expr): boolean => someExpr(x, (y) => y.kind === 'outer');
  const innerOnly = parts.filter((x) => !outerRef(x));
  const conds = parts.filter(outerRef);
  if (conds.some((x) => someExpr(x, (y) => (y.kind === 'outer' && y.depth !== 1) || y.kind === 'subquery' || y.kind === 'subqueryCmp'))) return null;
  const inner: Plan = innerOnly.length ? { kind: 'filter', input: base, predicate: andOf(innerOnly), columns: base.columns } : base;
  if (refersOutward(inner)) return null;
  return { inner, conds };
}

/**
 * A scan the binder turned into a primary-key or index lookup by values of the outer row, as a
 * full scan filtered by those equalities (the form correlation() takes apart).
 */
function keyAccessAsFilter(scan: Extract<Plan, { kind: 'scan' }>): Plan {
  const access = scan.access;
  if (access.kind === 'full' || !access.keys.some((k) => someExpr(k, (x) => x.kind === 'outer'))) return scan;
  const rel = scan.table;
  const cols = access.kind === 'pk' ? rel.primaryKey! : rel.indexes.find((i) => i.oid === access.indexOid)!.columns;
  const eqs: Expr[] = access.keys.map((k, i) => {
    const col: Expr = { kind: 'col', index: livePosition(rel, cols[i]!), type: rel.columns[cols[i]!]!.type };
    return { kind: 'call', fn: resolveOperator('=', col.type, k.type).fn, args: [col, k], type: T.bool };
  });
  return { ...scan, access: { kind: 'full' }, filter: andOf(scan.filter ? [scan.filter, ...eqs] : eqs) };
}

/** whether a plan refers to rows of an enclosing query */
function refersOutward(p: Plan): boolean {
  let found = false;
  mapPlanExprs(p, (x, depth) => {
    if (x.kind === 'outer' && x.depth > depth) found = true;
    return x;
  });
  return found;
}

/** a correlation condition over [outer row | inner row] */
function toJoinLayout(e: Expr, width: number): Expr {
  return mapExpr(e, (x) => {
    if (x.kind === 'outer') return { kind: 'col', index: x.index, type: x.type };
    if (x.kind === 'col') return { kind: 'col', index: x.index + width, type: x.type };
    return x;
  });
}

/**
 * Joins `input` with the one-row result of each uncorrelated scalar subquery in `exprs` (LEFT
 * JOIN: no row gives NULL) and rewrites the expressions to read the joined column instead.
 */
function joinScalars(input: Plan, exprs: readonly Expr[]): { input: Plan; rewrite: (e: Expr) => Expr } {
  let cur = input;
  const at = new Map<Expr, Expr>();
  for (const e of exprs) {
    someExpr(e, (x) => {
      if (x.kind !== 'subquery' || x.mode !== 'scalar' || at.has(x)) return false;
      const base = cur.columns.length;
      if (!x.correlated) {
        at.set(x, { kind: 'col', index: base, type: x.type });
        cur = hashJoin('left', cur, base, decorrelate(x.plan), []);
        return false;
      }
      const grouped = groupedScalar(x.plan) ?? keyLookupScalar(x.plan);
      if (!grouped) return false;
      cur = hashJoin('left', cur, base, grouped.plan, grouped.conds(base));
      const value: Expr = { kind: 'col', index: base + grouped.value, type: x.type };
      // an outer row without inner rows gets the aggregate of no rows (count: 0), not NULL
      at.set(x, grouped.empty === null ? value : {
        kind: 'case', type: x.type, otherwise: value,
        whens: [{ cond: { kind: 'isNull', arg: { kind: 'col', index: base, type: grouped.plan.columns[0]!.type }, negate: false, type: T.bool }, result: { kind: 'const', value: grouped.empty, type: x.type } }],
      });
      return false;
    });
  }
  const rewrite = (e: Expr): Expr => mapExpr(e, (x) => at.get(x) ?? x);
  return { input: cur, rewrite };
}

/**
 * A correlated scalar subquery that reads one table by its whole primary key (SELECT c.name
 * FROM customers c WHERE c.id = o.cust): at most one row, so a LEFT JOIN on the key gives the
 * same value (NULL without a row). Same result shape as groupedScalar; null for other shapes.
 */
function keyLookupScalar(sub: Plan): { plan: Plan; conds: (base: number) => Expr[]; value: number; empty: Datum } | null {
  const proj = sub.kind === 'project' ? sub : null;
  const body = proj ? proj.input : sub;
  const split = correlation(body);
  if (!split || proj?.exprs.length !== 1) return null;
  let scan = split.inner;
  if (scan.kind === 'filter') scan = scan.input;
  if (scan.kind !== 'scan' || !scan.table.primaryKey) return null;
  const rel = scan.table;
  const pk = rel.primaryKey!.map((c) => livePosition(rel, c));
  const pairs = equalities(split.conds);
  if (!pairs) return null;
  // every key column equals an outer expression
  const covered = pk.every((k) => pairs.some((q) => q.inner.kind === 'col' && q.inner.index === k));
  if (!covered) return null;
  const n = pairs.length;
  const plan: Plan = {
    kind: 'project', input: decorrelate(split.inner),
    exprs: [...pairs.map((q) => q.inner), proj!.exprs[0]!],
    columns: [...pairs.map((q, i) => ({ name: `key${i}`, type: q.inner.type })), proj!.columns[0]!],
  };
  return { plan, value: n, empty: null, conds: (base) => pairs.map((q, i) => joinCond(q, base + i)) };
}

interface Equality { readonly inner: Expr; readonly outer: Expr; readonly fn: Extract<Expr, { kind: 'call' }>['fn']; readonly innerFirst: boolean }

/** correlation conditions as inner expression = outer expression pairs, or null if one is not */
function equalities(conds: readonly Expr[]): Equality[] | null {
  const out: Equality[] = [];
  const outerOnly = (x: Expr): boolean => !someExpr(x, (y) => y.kind === 'col') && someExpr(x, (y) => y.kind === 'outer');
  const innerOnly = (x: Expr): boolean => !someExpr(x, (y) => y.kind === 'outer');
  for (const c of conds) {
    if (c.kind !== 'call' || c.fn.name !== '=' || c.args.length !== 2) return null;
    const [a, b] = c.args as [Expr, Expr];
    if (innerOnly(a) && outerOnly(b)) out.push({ inner: a, outer: b, fn: c.fn, innerFirst: true });
    else if (outerOnly(a) && innerOnly(b)) out.push({ inner: b, outer: a, fn: c.fn, innerFirst: false });
    else return null;
  }
  return out.length ? out : null;
}

/** the join condition of one equality: the outer expression (as a column of the outer row) = the key column at `at` */
function joinCond(q: Equality, at: number): Expr {
  const key: Expr = { kind: 'col', index: at, type: q.inner.type };
  const outer = mapExpr(q.outer, (x) => (x.kind === 'outer' ? { kind: 'col', index: x.index, type: x.type } : x));
  return { kind: 'call', fn: q.fn, type: T.bool, args: q.innerFirst ? [key, outer] : [outer, key] };
}

/** aggregates whose result over no rows is NULL (a missing group reads as NULL already) */
const NULL_ON_EMPTY = new Set(['sum', 'avg', 'min', 'max', 'bool_and', 'bool_or', 'every', 'string_agg', 'array_agg', 'first_value', 'last_value',
  'stddev', 'stddev_samp', 'stddev_pop', 'variance', 'var_samp', 'var_pop', 'bit_and', 'bit_or', 'json_agg', 'jsonb_agg']);

/**
 * A scalar aggregate subquery correlated by equalities (inner expression = outer expression),
 * with at most a projection of the aggregates on top, as the same aggregate grouped by the inner
 * expressions: its plan (group keys first), the join conditions given the outer row's width,
 * the column holding the subquery's value, and the value for no inner rows (null: NULL).
 * Null when the subquery has another shape.
 */
function groupedScalar(sub: Plan): { plan: Plan; conds: (base: number) => Expr[]; value: number; empty: Datum } | null {
  const proj = sub.kind === 'project' ? sub : null;
  const agg = proj ? proj.input : sub;
  if (agg.kind !== 'aggregate' || agg.groupKeys.length > 0 || agg.groupingSets) return null;
  const split = correlation(agg.input);
  if (!split) return null;
  const pairs = equalities(split.conds);
  if (!pairs) return null;
  const inner = pairs.map((q) => q.inner);
  // the value of the subquery over no rows: only a plain aggregate column has a known one
  let empty: Datum = null;
  const valueExpr = proj ? proj.exprs[0]! : ({ kind: 'col', index: 0, type: agg.columns[0]!.type } as Expr);
  if (valueExpr.kind !== 'col' && !(valueExpr.kind === 'cast' && valueExpr.arg.kind === 'col')) {
    if (!agg.aggs.every((a) => NULL_ON_EMPTY.has(a.agg.name))) return null;
  } else {
    const a: AggCall | undefined = agg.aggs[valueExpr.kind === 'col' ? valueExpr.index : (valueExpr.arg as { index: number }).index];
    if (!a) return null;
    if (a.agg.name === 'count') empty = 0n;
    else if (!NULL_ON_EMPTY.has(a.agg.name)) return null;
  }
  const n = inner.length;
  const grouped: Plan = {
    kind: 'aggregate', input: decorrelate(split.inner), groupKeys: inner, aggs: agg.aggs, groupingSets: null,
    columns: [...inner.map((e, i) => ({ name: `key${i}`, type: e.type })), ...agg.columns],
  };
  const shift = (e: Expr): Expr => mapExpr(e, (x) => (x.kind === 'col' ? { ...x, index: x.index + n } : x));
  const plan: Plan = proj
    ? { kind: 'project', input: grouped, exprs: [...inner.map((e, i) => ({ kind: 'col', index: i, type: e.type }) as Expr), ...proj.exprs.map(shift)], columns: [...grouped.columns.slice(0, n), ...proj.columns] }
    : grouped;
  return { plan, value: n, empty, conds: (base) => pairs.map((q, i) => joinCond(q, base + i)) };
}

