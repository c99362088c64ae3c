// The batch executor: each plan node runs as a generator of row batches (pull model).
// An empty batch is a yield point: the driver may check for cancellation and let the event
// loop breathe, so long queries stay cancelable without making operators async.
import type { Datum, Row } from '../core/datum.js';
import { SqlError, SqlState, assertNever } from '../core/errors.js';
import type { Plan, CompareOp } from '../expr/plan.js';
import type { ExecContext } from './context.js';
import { compile, withOuter, type Compiled } from '../expr/compile.js';
import { windowRows } from '../expr/time-window.js';
import { runHashJoin } from './join.js';
import { runAggregate } from './aggregate.js';
import { tryColumnAggregate } from './column-aggregate.js';
import { evaluatePredicates } from './columnar-predicates.js';
import { runWindow } from './window.js';
import { sortRows, rowKeyFn, TopN } from './sort.js';
import { runSetOp } from './setop.js';

export type Batch = Row[];
export const BATCH_SIZE = 256;
/** a yield point with no rows (see the header comment) */
export const EMPTY: Batch = [];
/** rows examined between yield points when an operator produces little output */
const YIELD_EVERY = 4096;

export function run(plan: Plan, cx: ExecContext): Generator<Batch> {
  switch (plan.kind) {
    case 'single': return single();
    case 'timeWindow': return timeWindow(plan, cx);
    case 'temporalFilter': throw new SqlError(SqlState.InternalError, 'temporal filters run only in materialized views');
    case 'values': return values(plan, cx);
    case 'scan': return scan(plan, cx);
    case 'virtualScan': return fromIterable(cx.tables.virtualRows(plan.name));
    case 'filter': return filter(plan, cx);
    case 'project': return project(plan, cx);
    case 'join': return runHashJoin(plan, cx);
    case 'lateral': return lateral(plan, cx);
    case 'aggregate': return tryColumnAggregate(plan, cx) ?? runAggregate(plan, cx);
    case 'window': return runWindow(plan, cx);
    case 'sort': return sort(plan, cx);
    case 'limit': return limit(plan, cx);
    case 'distinct': return distinct(plan, cx);
    case 'setop': return runSetOp(plan, cx);
    case 'functionScan': return functionScan(plan, cx);
    case 'cteScan': return fromIterable(materializeCte(plan.cte, cx));
    case 'recursiveUnion': return fromIterable(recursive(plan, cx));
    case 'projectSet': return projectSet(plan, cx);
    case 'binlogScan': {
      const after = plan.after ? compile(plan.after)([], cx) : null;
      return fromIterable(cx.tables.binlog(plan.table, after === null ? 0 : Number(after)));
    }
    default: return assertNever(plan, 'plan node');
  }
}

/** Runs a plan to completion (subqueries, CTEs); limit 0 = all rows. */
export function runToArray(plan: Plan, cx: ExecContext, limit = 0): Row[] {
  const out: Row[] = [];
  const it = run(plan, cx);
  try {
    for (const b of it) {
      if (b.length === 0) { cx.checkInterrupt(); continue; }
      for (const r of b) {
        out.push(r);
        if (limit > 0 && out.length >= limit) return out;
      }
    }
  } finally {
    it.return(undefined);
  }
  return out;
}

function* single(): Generator<Batch> { yield [[]]; }

function* timeWindow(plan: Extract<Plan, { kind: 'timeWindow' }>, cx: ExecContext): Generator<Batch> {
  const time = compile(plan.time);
  for (const b of run(plan.input, cx)) {
    if (b.length === 0) { yield b; continue; }
    const out: Row[] = [];
    for (const r of b) windowRows(r, time(r, cx), plan.hop, plan.size, out);
    yield out;
  }
}

function* fromIterable(rows: Iterable<Row>): Generator<Batch> {
  let b: Row[] = [];
  for (const r of rows) {
    b.push(r);
    if (b.length >= BATCH_SIZE) { yield b; b = []; }
  }
  if (b.length) yield b;
}

/** a VALUES list's compiled rows, per plan (a prepared INSERT of many rows runs it again and again) */
const compiledValues = new WeakMap<object, Compiled[][]>();

function* values(plan: Extract<Plan, { kind: 'values' }>, cx: ExecContext): Generator<Batch> {
  let rows = compiledValues.get(plan);
  if (!rows) { rows = plan.rows.map((r) => r.map(compile)); compiledValues.set(plan, rows); }
  const empty: Row = [];
  let b: Row[] = [];
  for (const r of rows) {
    b.push(r.map((c) => c(empty, cx)));
    if (b.length >= BATCH_SIZE) { yield b; b = []; }
  }
  if (b.length) yield b;
}

function* scan(plan: Extract<Plan, { kind: 'scan' }>, cx: ExecContext): Generator<Batch> {
  if (plan.withKey) { yield* keyedScan(plan, cx); return; }
  const pred = plan.filter ? compile(plan.filter) : null;
  const empty: Row = [];
  let source: Iterable<Row>;
  const a = plan.access;
  if (a.kind === 'pk') {
    const key = a.keys.map((k) => compile(k)(empty, cx));
    if (key.some((k) => k === null)) return;
    const row = cx.tables.getByKey(plan.table, key);
    source = row ? [row] : [];
  } else if (a.kind === 'index') {
    const key = a.keys.map((k) => compile(k)(empty, cx));
    if (key.some((k) => k === null)) return;
    source = cx.tables.indexLookup(plan.table, a.indexOid, key);
  } else if (plan.columnar) {
    const preds = evaluatePredicates(plan.columnar.predicates, cx);
    // 'none': a comparison with NULL, no row qualifies; null: run the scan without pushdown (the filter decides)
    if (preds === 'none') return;
    source = cx.tables.scan(plan.table, { columns: plan.columnar.columns, predicates: preds ?? [] });
  } else {
    source = cx.tables.scan(plan.table);
  }
  let b: Row[] = [];
  let seen = 0;
  for (const r of source) {
    if (++seen % YIELD_EVERY === 0) { yield b; b = []; }
    if (pred && pred(r, cx) !== true) continue;
    b.push(r);
    if (b.length >= BATCH_SIZE) { yield b; b = []; }
  }
  if (b.length) yield b;
}

/** A scan that appends each row's storage key (for UPDATE/DELETE). */
function* keyedScan(plan: Extract<Plan, { kind: 'scan' }>, cx: ExecContext): Generator<Batch> {
  const w = cx.writer;
  if (!w) throw new SqlError(SqlState.InternalError, 'internal error: keyed scan outside a writing statement');
  const pred = plan.filter ? compile(plan.filter) : null;
  const empty: Row = [];
  const a = plan.access;
  let source: Iterable<[Buffer, Row]>;
  if (a.kind === 'pk') {
    const key = a.keys.map((k) => compile(k)(empty, cx));
    if (key.some((k) => k === null)) return;
    const hit = w.getByKeyKeyed(plan.table, key);
    source = hit ? [hit] : [];
  } else if (a.kind === 'index') {
    const key = a.keys.map((k) => compile(k)(empty, cx));
    if (key.some((k) => k === null)) return;
    source = w.indexLookupKeyed(plan.table, a.indexOid, key);
  } else {
    source = w.scanKeyed(plan.table);
  }
  // materialize first: the statement's own writes must not feed back into its scan
  const rows: Row[] = [];
  for (const [key, row] of source) {
    const r = row.concat([key]);
    if (pred && pred(r, cx) !== true) continue;
    rows.push(r);
  }
  yield* fromIterable(rows);
}

function* filter(plan: Extract<Plan, { kind: 'filter' }>, cx: ExecContext): Generator<Batch> {
  const pred = compile(plan.predicate);
  for (const b of run(plan.input, cx)) {
    if (b.length === 0) { yield b; continue; }
    const out: Row[] = [];
    for (const r of b) if (pred(r, cx) === true) out.push(r);
    yield out;
  }
}

function* project(plan: Extract<Plan, { kind: 'project' }>, cx: ExecContext): Generator<Batch> {
  const fs = plan.exprs.map(compile);
  const n = fs.length;
  for (const b of run(plan.input, cx)) {
    const out = new Array<Row>(b.length);
    for (let i = 0; i < b.length; i++) {
      const r = b[i]!;
      const o = new Array<Datum>(n);
      for (let j = 0; j < n; j++) o[j] = fs[j]!(r, cx);
      out[i] = o;
    }
    yield out;
  }
}

function* lateral(plan: Extract<Plan, { kind: 'lateral' }>, cx: ExecContext): Generator<Batch> {
  const pred = plan.residual ? compile(plan.residual) : null;
  const rightWidth = plan.right.columns.length;
  for (const b of run(plan.left, cx)) {
    const out: Row[] = [];
    for (const l of b) {
      const rights = withOuter(cx, l, () => runToArray(plan.right, cx));
      let matched = false;
      for (const r of rights) {
        const row = [...l, ...r];
        if (pred && pred(row, cx) !== true) continue;
        matched = true;
        out.push(row);
      }
      if (!matched && plan.joinType === 'left') out.push([...l, ...new Array<Datum>(rightWidth).fill(null)]);
    }
    yield out;
  }
}

/** SELECT-list set-returning functions: each input row yields as many rows as its longest SRF result. */
function* projectSet(plan: Extract<Plan, { kind: 'projectSet' }>, cx: ExecContext): Generator<Batch> {
  const calls = plan.calls.map((c) => ({ c, args: c.args.map(compile) }));
  for (const b of run(plan.input, cx)) {
    if (b.length === 0) { yield b; continue; }
    const out: Row[] = [];
    for (const r of b) {
      const results = calls.map(({ c, args }) => {
        const vals = args.map((f) => f(r, cx));
        if (c.fn.strict && vals.some((v) => v === null)) return [] as Datum[][];
        return [...c.fn.impl(vals, cx.evalCtx)];
      });
      const n = Math.max(0, ...results.map((x) => x.length));
      for (let k = 0; k < n; k++) {
        const row = r.slice();
        results.forEach((res, i) => {
          const v = res[k];
          row.push(v === undefined ? null : calls[i]!.c.outputs === 1 ? (v[0] ?? null) : v);
        });
        out.push(row);
      }
      if (out.length >= BATCH_SIZE) { yield out.splice(0); }
    }
    yield out;
  }
}

/** `bound`: only the first `bound` rows are wanted (ORDER BY ... LIMIT): keep just those while reading */
function* sort(plan: Extract<Plan, { kind: 'sort' }>, cx: ExecContext, bound = Infinity): Generator<Batch> {
  if (Number.isFinite(bound)) {
    const top = new TopN(plan.keys, bound, cx);
    for (const b of run(plan.input, cx)) {
      yield EMPTY;
      for (const r of b) top.push(r);
    }
    yield* fromIterable(top.rows());
    return;
  }
  const rows: Row[] = [];
  for (const b of run(plan.input, cx)) {
    yield EMPTY;
    for (const r of b) rows.push(r);
  }
  yield* fromIterable(sortRows(rows, plan.keys, cx));
}

function* limit(plan: Extract<Plan, { kind: 'limit' }>, cx: ExecContext): Generator<Batch> {
  const empty: Row = [];
  const lim = plan.limit ? compile(plan.limit)(empty, cx) : null;
  const off = plan.offset ? compile(plan.offset)(empty, cx) : null;
  let remaining = lim === null ? Infinity : Number(lim);
  let skip = off === null ? 0 : Number(off);
  if (remaining < 0) throw new SqlError(SqlState.InvalidRowCountInLimitClause, 'LIMIT must not be negative');
  if (skip < 0) throw new SqlError(SqlState.InvalidRowCountInResultOffsetClause, 'OFFSET must not be negative');
  if (remaining === 0) return;
  const source = plan.input.kind === 'sort' && remaining + skip <= 1000 ? sort(plan.input, cx, remaining + skip) : run(plan.input, cx);
  for (const b of source) {
    if (b.length === 0) { yield b; continue; }
    let start = 0;
    if (skip > 0) { start = Math.min(skip, b.length); skip -= start; }
    if (start >= b.length) continue;
    const take = Math.min(b.length - start, remaining);
    yield b.slice(start, start + take);
    remaining -= take;
    if (remaining <= 0) return;
  }
}

function* distinct(plan: Extract<Plan, { kind: 'distinct' }>, cx: ExecContext): Generator<Batch> {
  if (plan.on) {
    const ons = plan.on.map(compile);
    const key = rowKeyFn(plan.on.map((e) => e.type));
    let prev: string | null = null;
    for (const b of run(plan.input, cx)) {
      const out: Row[] = [];
      for (const r of b) {
        const k = key(ons.map((f) => f(r, cx)));
        if (k === prev) continue;
        prev = k;
        out.push(r);
      }
      yield out;
    }
    return;
  }
  yield* uniqueRows(run(plan.input, cx), rowKeyFn(plan.columns.map((c) => c.type)), new Set<string>());
}

/** Passes on the rows whose key is not in `seen` yet (DISTINCT, UNION). */
export function* uniqueRows(source: Iterable<Batch>, key: (r: Row) => string, seen: Set<string>): Generator<Batch> {
  for (const b of source) {
    const out: Row[] = [];
    for (const r of b) {
      const k = key(r);
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(r);
    }
    yield out;
  }
}

function* functionScan(plan: Extract<Plan, { kind: 'functionScan' }>, cx: ExecContext): Generator<Batch> {
  const empty: Row = [];
  const args = plan.args.map((a) => compile(a)(empty, cx));
  if (plan.fn.strict && args.some((a) => a === null)) return;
  let b: Row[] = [];
  let n = 0;
  for (const r of plan.fn.impl(args, cx.evalCtx)) {
    n++;
    b.push(plan.ordinality ? [...r, BigInt(n)] : r);
    if (b.length >= BATCH_SIZE) { yield b; b = []; }
  }
  if (b.length) yield b;
}

function materializeCte(cte: Extract<Plan, { kind: 'cteScan' }>['cte'], cx: ExecContext): Row[] {
  let rows = cx.cteCache.get(cte);
  if (!rows) {
    if (!cte.plan) throw new SqlError(SqlState.InvalidRecursion, `recursive reference to query "${cte.name}" must not appear within its non-recursive term`);
    rows = runToArray(cte.plan, cx);
    cx.cteCache.set(cte, rows);
  }
  return rows;
}

function recursive(plan: Extract<Plan, { kind: 'recursiveUnion' }>, cx: ExecContext): Row[] {
  const key = rowKeyFn(plan.columns.map((c) => c.type));
  const seen = new Set<string>();
  const result: Row[] = [];
  const add = (rows: Row[]): Row[] => {
    if (plan.all) { for (const r of rows) result.push(r); return rows; }
    const fresh: Row[] = [];
    for (const r of rows) {
      const k = key(r);
      if (seen.has(k)) continue;
      seen.add(k);
      fresh.push(r);
      result.push(r);
    }
    return fresh;
  };
  let working = add(runToArray(plan.base, cx));
  let iterations = 0;
  while (working.length > 0) {
    cx.cteCache.set(plan.cte, working);
    const next = runToArray(plan.step, cx);
    cx.cteCache.delete(plan.cte);
    working = add(next);
    if (++iterations % 64 === 0) cx.checkInterrupt();
  }
  return result;
}
