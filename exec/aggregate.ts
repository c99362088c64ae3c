// Hash aggregation with GROUP BY, GROUPING SETS, DISTINCT / FILTER / ORDER BY inside aggregates.
// Class: blocking; state is one accumulator per (group, aggregate).
import type { Datum, Row } from '../core/datum.js';
import type { Plan, AggCall } from '../expr/plan.js';
import type { ExecContext } from './context.js';
import { compile, type Compiled } from '../expr/compile.js';
import { run, EMPTY, type Batch, BATCH_SIZE } from './run.js';
import { rowKeyFn, sortRows } from './sort.js';

interface AggRuntime {
  readonly call: AggCall;
  readonly args: readonly Compiled[];
  readonly filter: Compiled | null;
  readonly distinctKey: ((row: readonly Datum[]) => string) | null;
  /** aggregates with ORDER BY or DISTINCT buffer their argument rows until the group is final */
  readonly buffered: boolean;
  readonly orderBy: readonly Compiled[];
}

interface Group {
  readonly keys: Datum[];
  readonly states: unknown[];
  readonly buffers: (Datum[][] | null)[];
}

export function* runAggregate(plan: Extract<Plan, { kind: 'aggregate' }>, cx: ExecContext): Generator<Batch> {
  const keyFns = plan.groupKeys.map(compile);
  const aggs: AggRuntime[] = plan.aggs.map((call) => ({
    call,
    args: call.args.map(compile),
    filter: call.filter ? compile(call.filter) : null,
    distinctKey: call.distinct ? rowKeyFn(call.args.map((a) => a.type)) : null,
    buffered: call.distinct || call.orderBy.length > 0,
    orderBy: call.orderBy.map((k) => compile(k.expr)),
  }));
  const sets = plan.groupingSets;
  const nk = keyFns.length;

  if (!sets) {
    const groups = new Map<string, Group>();
    const keyOf = rowKeyFn(plan.groupKeys.map((k) => k.type));
    const kv = new Array<Datum>(nk);
    for (const b of run(plan.input, cx)) {
      if (b.length === 0) { yield b; continue; }
      yield EMPTY;
      for (const r of b) {
        for (let i = 0; i < nk; i++) kv[i] = keyFns[i]!(r, cx);
        const k = nk === 0 ? '' : keyOf(kv);
        let g = groups.get(k);
        if (!g) { g = newGroup(kv.slice(), aggs); groups.set(k, g); }
        accumulate(g, aggs, r, cx);
      }
    }
    // no GROUP BY: exactly one row, even for empty input
    if (nk === 0 && groups.size === 0) groups.set('', newGroup([], aggs));
    yield* emit(groups.values(), aggs, cx, null);
    return;
  }

  // GROUPING SETS: materialize the input once, aggregate it per set
  const rows: Row[] = [];
  for (const b of run(plan.input, cx)) {
    if (b.length === 0) { yield b; continue; }
    for (const r of b) rows.push(r);
  }
  const allKeys = rows.map((r) => keyFns.map((f) => f(r, cx)));
  for (let s = 0; s < sets.length; s++) {
    const inSet = sets[s]!;
    const types = inSet.map((i) => plan.groupKeys[i]!.type);
    const keyOf = rowKeyFn(types);
    const groups = new Map<string, Group>();
    for (let ri = 0; ri < rows.length; ri++) {
      const full = allKeys[ri]!;
      const kv = new Array<Datum>(nk).fill(null);
      for (const i of inSet) kv[i] = full[i]!;
      const k = keyOf(inSet.map((i) => full[i]!));
      let g = groups.get(k);
      if (!g) { g = newGroup(kv, aggs); groups.set(k, g); }
      accumulate(g, aggs, rows[ri]!, cx);
    }
    if (inSet.length === 0 && groups.size === 0) groups.set('', newGroup(new Array<Datum>(nk).fill(null), aggs));
    yield* emit(groups.values(), aggs, cx, s);
  }
}

function newGroup(keys: Datum[], aggs: readonly AggRuntime[]): Group {
  return {
    keys,
    states: aggs.map((a) => a.call.agg.init()),
    buffers: aggs.map((a) => (a.buffered ? [] : null)),
  };
}

function accumulate(g: Group, aggs: readonly AggRuntime[], r: Row, cx: ExecContext): void {
  for (let j = 0; j < aggs.length; j++) {
    const a = aggs[j]!;
    if (a.filter && a.filter(r, cx) !== true) continue;
    const n = a.args.length;
    const vals = new Array<Datum>(n);
    let hasNull = false;
    for (let i = 0; i < n; i++) { const v = a.args[i]!(r, cx); vals[i] = v; if (v === null) hasNull = true; }
    if (hasNull && a.call.agg.strict) continue;
    const buf = g.buffers[j];
    if (buf) {
      for (const o of a.orderBy) vals.push(o(r, cx));
      buf.push(vals);
    } else {
      g.states[j] = a.call.agg.step(g.states[j], vals);
    }
  }
}

function* emit(groups: Iterable<Group>, aggs: readonly AggRuntime[], cx: ExecContext, setIndex: number | null): Generator<Batch> {
  let out: Row[] = [];
  for (const g of groups) {
    const row: Datum[] = [...g.keys];
    for (let j = 0; j < aggs.length; j++) {
      const a = aggs[j]!;
      let state = g.states[j];
      const buf = g.buffers[j];
      if (buf) {
        let items = buf;
        const n = a.args.length;
        if (a.orderBy.length) {
          const keys = a.call.orderBy.map((k, i) => ({ ...k, expr: { kind: 'col' as const, index: n + i, type: k.expr.type } }));
          items = sortRows(items, keys, cx);
        }
        if (a.distinctKey) {
          const seen = new Set<string>();
          items = items.filter((v) => {
            const k = a.distinctKey!(v.slice(0, n));
            if (seen.has(k)) return false;
            seen.add(k);
            return true;
          });
        }
        for (const v of items) state = a.call.agg.step(state, n === v.length ? v : v.slice(0, n));
      }
      row.push(a.call.agg.final(state, cx.evalCtx));
    }
    if (setIndex !== null) row.push(setIndex);
    out.push(row);
    if (out.length >= BATCH_SIZE) { yield out; out = []; }
  }
  if (out.length) yield out;
}
