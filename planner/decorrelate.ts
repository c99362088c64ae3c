// Rewrites subqueries in expressions into joins, so that a view's query is a tree of relational
// operators the dataflow can maintain: [NOT] EXISTS (correlated by equalities) becomes a semi
// (anti) join, x IN (uncorrelated subquery) a semi join, and an uncorrelated scalar subquery a
// LEFT JOIN against its one-row result. Anything else is left as is (and rejected later).
import { T } from '../core/types.js';
import { someExpr, mapExpr, type Expr } from '../expr/ir.js';
import type { Plan } from '../expr/plan.js';
import { mapPlanExprs, mapPlanInputs } from './plan-walk.js';
import { splitAnd, andOf, hashJoin } from './bind-from.js';

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
  const at = new Map<Expr, number>();
  for (const e of exprs) {
    someExpr(e, (x) => {
      if (x.kind === 'subquery' && x.mode === 'scalar' && !x.correlated && !at.has(x)) {
        at.set(x, cur.columns.length);
        cur = hashJoin('left', cur, cur.columns.length, decorrelate(x.plan), []);
      }
      return false;
    });
  }
  const rewrite = (e: Expr): Expr => mapExpr(e, (x) => {
    const i = at.get(x);
    return i === undefined ? x : { kind: 'col', index: i, type: x.type };
  });
  return { input: cur, rewrite };
}

