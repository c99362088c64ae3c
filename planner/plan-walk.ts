// Rewrites every expression of a plan tree, including the plans of nested subqueries, telling
// the callback how many query levels deep each expression sits. Used to re-point correlated
// references when the enclosing query's row layout changes (e.g. after aggregation).
import { mapExpr, type Expr } from '../expr/ir.js';
import type { Plan, SortKey, AggCall, WindowCall, Access, FrameBound } from '../expr/plan.js';

export type ExprRewrite = (e: Expr, depth: number) => Expr;

/** Applies f bottom-up to every expression node; depth is 0 for the plan's own level. */
export function mapPlanExprs(p: Plan, f: ExprRewrite, depth = 0): Plan {
  const m = (e: Expr): Expr => mapExprDeep(e, f, depth);
  const sk = (k: SortKey): SortKey => ({ ...k, expr: m(k.expr) });
  const agg = (a: AggCall): AggCall => ({ ...a, args: a.args.map(m), filter: a.filter ? m(a.filter) : null, orderBy: a.orderBy.map(sk) });
  const bound = (b: FrameBound): FrameBound => (b.kind === 'preceding' || b.kind === 'following' ? { ...b, offset: m(b.offset) } : b);
  const win = (w: WindowCall): WindowCall => ({
    ...w, args: w.args.map(m), agg: w.agg ? agg(w.agg) : null, partitionBy: w.partitionBy.map(m), orderBy: w.orderBy.map(sk),
    frame: { ...w.frame, start: bound(w.frame.start), end: bound(w.frame.end) },
  });
  const sub = (q: Plan): Plan => mapPlanExprs(q, f, depth);
  switch (p.kind) {
    case 'scan': {
      const a: Access = p.access.kind === 'full' ? p.access : { ...p.access, keys: p.access.keys.map(m) };
      return { ...p, access: a, filter: p.filter ? m(p.filter) : null };
    }
    case 'virtualScan': case 'single': case 'cteScan': return p;
    case 'timeWindow': case 'temporalFilter': return { ...p, input: sub(p.input), time: m(p.time) };
    case 'binlogScan': return { ...p, after: p.after ? m(p.after) : null };
    case 'values': return { ...p, rows: p.rows.map((r) => r.map(m)) };
    case 'filter': return { ...p, input: sub(p.input), predicate: m(p.predicate) };
    case 'project': return { ...p, input: sub(p.input), exprs: p.exprs.map(m) };
    case 'join': return { ...p, left: sub(p.left), right: sub(p.right), leftKeys: p.leftKeys.map(m), rightKeys: p.rightKeys.map(m), residual: p.residual ? m(p.residual) : null };
    // the right side of LATERAL is one level deeper: it sees the left row as its enclosing row
    case 'lateral': return { ...p, left: sub(p.left), right: mapPlanExprs(p.right, f, depth + 1), residual: p.residual ? m(p.residual) : null };
    case 'aggregate': return { ...p, input: sub(p.input), groupKeys: p.groupKeys.map(m), aggs: p.aggs.map(agg) };
    case 'window': return { ...p, input: sub(p.input), calls: p.calls.map(win) };
    case 'sort': return { ...p, input: sub(p.input), keys: p.keys.map(sk) };
    case 'limit': return { ...p, input: sub(p.input), limit: p.limit ? m(p.limit) : null, offset: p.offset ? m(p.offset) : null };
    case 'distinct': return { ...p, input: sub(p.input), on: p.on ? p.on.map(m) : null };
    case 'setop': return { ...p, left: sub(p.left), right: sub(p.right) };
    case 'functionScan': return { ...p, args: p.args.map(m) };
    case 'recursiveUnion': return { ...p, base: sub(p.base), step: sub(p.step) };
    case 'projectSet': return { ...p, input: sub(p.input), calls: p.calls.map((c) => ({ ...c, args: c.args.map(m) })) };
  }
}

/** Maps an expression and the plans of subqueries inside it (one level deeper). */
export function mapExprDeep(e: Expr, f: ExprRewrite, depth: number): Expr {
  return mapExpr(e, (x) => {
    if (x.kind === 'subquery' || x.kind === 'subqueryCmp') return f({ ...x, plan: mapPlanExprs(x.plan, f, depth + 1) }, depth);
    return f(x, depth);
  });
}

/** whether any table scan in the plan (its subqueries and CTEs included) satisfies `pred` */
export function someScan(p: Plan, pred: (table: Extract<Plan, { kind: 'scan' }>['table']) => boolean): boolean {
  let found = false;
  const seen = new Set<object>();
  const visit = (q: Plan): void => {
    if (found || seen.has(q)) return;
    seen.add(q);
    if (q.kind === 'scan' && pred(q.table)) { found = true; return; }
    if (q.kind === 'cteScan' && q.cte.plan) visit(q.cte.plan);
    for (const k of ['input', 'left', 'right', 'base', 'step'] as const) {
      const c = (q as Partial<Record<typeof k, Plan>>)[k];
      if (c) visit(c);
    }
    // subqueries inside expressions
    mapPlanExprs(q, (e) => {
      if ((e.kind === 'subquery' || e.kind === 'subqueryCmp') && !seen.has(e.plan)) visit(e.plan);
      return e;
    });
  };
  visit(p);
  return found;
}

/** the node with each relational input replaced by f(input); subquery plans are not visited */
export function mapPlanInputs(p: Plan, f: (p: Plan) => Plan): Plan {
  switch (p.kind) {
    case 'filter': case 'project': case 'aggregate': case 'window': case 'sort': case 'limit': case 'distinct': case 'projectSet': case 'timeWindow': case 'temporalFilter':
      return { ...p, input: f(p.input) } as Plan;
    case 'join': case 'lateral': case 'setop':
      return { ...p, left: f(p.left), right: f(p.right) } as Plan;
    default:
      return p;
  }
}
