// Chooses the store for each table scan and what a column-store scan reads. Point lookups (by
// primary key or index) stay on the row store; full scans of tables with a column store read
// it vectorized, materializing only the columns the query uses (column pruning, computed top
// down through the plan) and skipping segments by zone maps with the comparisons of the scan's
// filter that can be evaluated on the typed column arrays.
import type { Expr } from '../expr/ir.js';
import { fixedDecimal } from '../core/values/numeric.js';
import { exprChildren } from '../expr/ir.js';
import type { Plan, ColumnarScan, ColumnarPredicate, SortKey, AggCall, CompareOp } from '../expr/plan.js';
import { tableOrientation } from '../catalog/table-options.js';
import { mapPlanExprs } from './plan-walk.js';

type Need = Set<number> | null; // null: every column

/** Column references of an expression; null when it needs the whole row (correlated subqueries). */
function refs(e: Expr, into: Set<number>): boolean {
  if (e.kind === 'col') { into.add(e.index); return true; }
  if ((e.kind === 'subquery' || e.kind === 'subqueryCmp') && e.correlated) return false;
  for (const c of exprChildren(e)) if (!refs(c, into)) return false;
  return true;
}

function needOf(exprs: readonly (Expr | null | undefined)[], base: Need): Need {
  if (base === null) return null;
  const s = new Set(base);
  for (const e of exprs) if (e && !refs(e, s)) return null;
  return s;
}

const sortExprs = (ks: readonly SortKey[]): Expr[] => ks.map((k) => k.expr);
const aggExprs = (a: AggCall): (Expr | null)[] => [...a.args, a.filter, ...sortExprs(a.orderBy)];

function range(n: number): Set<number> {
  return new Set(Array.from({ length: n }, (_, i) => i));
}

function slice(need: Need, from: number, to: number): Need {
  if (need === null) return null;
  const s = new Set<number>();
  for (const i of need) if (i >= from && i < to) s.add(i - from);
  return s;
}

const ZONE_TYPES = new Set(['int2', 'int4', 'int8', 'date', 'time', 'timestamp', 'timestamptz']);
const FLIP: Record<CompareOp, CompareOp> = { '<': '>', '<=': '>=', '=': '=', '>=': '<=', '>': '<', '<>': '<>' };

/** a constant, a parameter, or casts of one (`amount > 500` compares with 500::numeric) */
function isConstant(e: Expr): boolean {
  return e.kind === 'const' || e.kind === 'param' || (e.kind === 'cast' && isConstant(e.arg));
}

function conjuncts(e: Expr): Expr[] {
  return e.kind === 'and' ? e.args.flatMap(conjuncts) : [e];
}

/** `col op const/param` conjuncts of a filter whose comparison can run on a typed column array. */
function pushable(filter: Expr | null): ColumnarPredicate[] {
  if (!filter) return [];
  const out: ColumnarPredicate[] = [];
  for (const c of conjuncts(filter)) {
    if (c.kind !== 'call' || c.args.length !== 2 || !(c.fn.name in FLIP)) continue;
    let [a, b] = c.args as [Expr, Expr];
    let op = c.fn.name as CompareOp;
    if (a.kind !== 'col') { [a, b] = [b, a]; op = FLIP[op]; }
    if (a.kind !== 'col' || !isConstant(b)) continue;
    if (a.type.kind !== 'scalar' || b.type.kind !== 'scalar' || b.type.name !== a.type.name) continue;
    // numeric(p <= 15, s): segments keep exact unscaled integers, compared with exact bounds
    const scale = fixedDecimal(a.type)?.scale ?? null;
    if (scale !== null) out.push({ col: a.index, op, value: b, scale });
    else if (ZONE_TYPES.has(a.type.name)) out.push({ col: a.index, op, value: b });
  }
  return out;
}

function columnar(p: Extract<Plan, { kind: 'scan' }>, need: Need): ColumnarScan | undefined {
  if (p.access.kind !== 'full' || p.withKey || p.table.kind !== 'table') return undefined;
  if (!tableOrientation(p.table.options).column) return undefined;
  const cols = needOf([p.filter], need);
  const predicates = pushable(p.filter);
  return { columns: cols === null ? null : [...cols].sort((x, y) => x - y), predicates, exact: predicates.length === (p.filter ? conjuncts(p.filter).length : 0) };
}

const pruned = new WeakSet<object>();

function prune(p: Plan, need: Need): Plan {
  switch (p.kind) {
    case 'scan': {
      const c = columnar(p, need);
      return c ? { ...p, columnar: c } : p;
    }
    case 'filter': return { ...p, input: prune(p.input, needOf([p.predicate], need)) };
    case 'project': return { ...p, input: prune(p.input, needOf(p.exprs, new Set())) };
    case 'sort': return { ...p, input: prune(p.input, needOf(sortExprs(p.keys), need)) };
    case 'limit': return { ...p, input: prune(p.input, need) };
    case 'distinct': return { ...p, input: prune(p.input, p.on ? needOf(p.on, need) : null) };
    case 'aggregate': return { ...p, input: prune(p.input, needOf([...p.groupKeys, ...p.aggs.flatMap(aggExprs)], new Set())) };
    case 'window': {
      const w = p.input.columns.length;
      const exprs = p.calls.flatMap((c) => [...c.args, ...(c.agg ? aggExprs(c.agg) : []), ...c.partitionBy, ...sortExprs(c.orderBy),
        ...(c.frame.start.kind === 'preceding' || c.frame.start.kind === 'following' ? [c.frame.start.offset] : []),
        ...(c.frame.end.kind === 'preceding' || c.frame.end.kind === 'following' ? [c.frame.end.offset] : [])]);
      return { ...p, input: prune(p.input, needOf(exprs, slice(need, 0, w))) };
    }
    case 'projectSet': {
      const w = p.input.columns.length;
      return { ...p, input: prune(p.input, needOf(p.calls.flatMap((c) => c.args), slice(need, 0, w))) };
    }
    case 'join': {
      if (p.joinType === 'semi' || p.joinType === 'anti') return { ...p, left: prune(p.left, null), right: prune(p.right, null) };
      const lw = p.left.columns.length;
      const joined = needOf([p.residual], need);
      const left = needOf(p.leftKeys, slice(joined, 0, lw));
      const right = needOf(p.rightKeys, slice(joined, lw, lw + p.right.columns.length));
      return { ...p, left: prune(p.left, left), right: prune(p.right, right) };
    }
    case 'lateral': return { ...p, left: prune(p.left, null), right: prune(p.right, null) };
    case 'timeWindow': case 'temporalFilter': return { ...p, input: prune(p.input, null) };
    case 'setop': return { ...p, left: prune(p.left, null), right: prune(p.right, null) };
    case 'recursiveUnion': return { ...p, base: prune(p.base, null), step: prune(p.step, null) };
    case 'cteScan':
      // CTEs are materialized once with all their columns
      if (p.cte.plan && !pruned.has(p.cte)) { pruned.add(p.cte); p.cte.plan = prune(p.cte.plan, null); }
      return p;
    default: return p;
  }
}

/** Annotates the scans of a plan (and of its subqueries) with the store they read. */
export function chooseScans(plan: Plan): Plan {
  const top = prune(plan, range(plan.columns.length));
  return mapPlanExprs(top, (e) => {
    if (e.kind === 'subquery' || e.kind === 'subqueryCmp') return { ...e, plan: prune(e.plan, range(e.plan.columns.length)) };
    return e;
  });
}
