// Temporal filters in materialized views: a conjunct `time > now() - INTERVAL '1 hour'` (or >=,
// or written the other way round) keeps a row only while it is recent. The view cannot
// evaluate now() once; the filter becomes a temporalFilter node with the row's lifetime, which
// the dataflow turns into retractions as time passes (and bounded state: only live rows).
import { T } from '../core/types.js';
import { someExpr, type Expr } from '../expr/ir.js';
import type { Plan } from '../expr/plan.js';
import { compile } from '../expr/compile.js';
import { DEFAULT_VALUE_SETTINGS } from '../core/values/settings.js';
import { splitAnd, andOf } from './bind-from.js';
import { mapPlanInputs } from './plan-walk.js';

const NOW = new Set(['now', 'current_timestamp', 'transaction_timestamp', 'statement_timestamp']);
const isNow = (e: Expr): boolean => e.kind === 'call' && NOW.has(e.fn.name);

/** rewrites the temporal conjuncts of every filter in the plan */
export function extractTemporalFilters(p: Plan): Plan {
  const q = mapPlanInputs(p, extractTemporalFilters);
  if (q.kind === 'filter') return withTemporal(q.input, splitAnd(q.predicate, []));
  if (q.kind === 'scan' && q.filter && someExpr(q.filter, isNow)) return withTemporal({ ...q, filter: null }, splitAnd(q.filter, []));
  return q;
}

function withTemporal(input: Plan, conjuncts: readonly Expr[]): Plan {
  const rest: Expr[] = [];
  const temporal: { time: Expr; lifetime: number; inclusive: boolean }[] = [];
  for (const c of conjuncts) {
    const t = temporalOf(c);
    if (t) temporal.push(t); else rest.push(c);
  }
  let cur: Plan = rest.length ? { kind: 'filter', input, predicate: andOf(rest), columns: input.columns } : input;
  for (const t of temporal) cur = { kind: 'temporalFilter', input: cur, ...t, columns: cur.columns };
  return cur;
}

/** `time > f(now())` with f(now) = now + c and time free of now(): the row lives until time - c */
function temporalOf(c: Expr): { time: Expr; lifetime: number; inclusive: boolean } | null {
  if (c.kind !== 'call' || c.args.length !== 2) return null;
  const op = c.fn.name;
  if (!['>', '>=', '<', '<='].includes(op)) return null;
  let [a, b] = c.args as [Expr, Expr];
  let gt = op === '>' || op === '>=';
  // the side with now() goes right: now() - i < time  ==  time > now() - i
  if (someExpr(a, isNow) && !someExpr(b, isNow)) { [a, b] = [b, a]; gt = !gt; }
  if (!gt || someExpr(a, isNow) || !someExpr(b, isNow)) return null;
  // the now() side must be now() plus a constant: evaluate it at two instants
  if (someExpr(b, (x) => x.kind === 'col' || x.kind === 'outer' || x.kind === 'param' || x.kind === 'subquery' || x.kind === 'subqueryCmp')) return null;
  const f = compile(b);
  const at = (t: number): unknown => f([], {
    params: [], outer: [], subqueryCache: new Map(), runPlan: () => [],
    evalCtx: { settings: DEFAULT_VALUE_SETTINGS, txnTimestamp: t, now: () => t },
  });
  const v0 = at(0);
  const v1 = at(1_000_000_000);
  if (typeof v0 !== 'number' || typeof v1 !== 'number' || v1 - v0 !== 1_000_000_000) return null;
  // time > now + v0  <=>  now < time - v0
  const time: Expr = a.type.kind === 'scalar' && (a.type.name === 'timestamptz' || a.type.name === 'timestamp') ? a : { kind: 'cast', arg: a, type: T.timestamptz, explicit: false };
  return { time, lifetime: -v0, inclusive: op === '>=' || op === '<=' };
}

