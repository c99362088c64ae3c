// Lowers a relational plan (the same IR the batch executor runs) into a circuit of incremental
// operators, one per plan node. Sources are the scans of tables and materialized views; their
// changes come from binlogs (or from the upstream view's output in the same step).
import type { Datum, Row } from '../core/datum.js';
import { SqlError, SqlState } from '../core/errors.js';
import { compile } from '../expr/compile.js';
import type { Plan, WindowCall } from '../expr/plan.js';
import { T } from '../core/types.js';
import { resolveOperator } from '../expr/functions/registry.js';
import { exprKey, type Expr } from '../expr/ir.js';
import { livePosition, type RelationDef } from '../catalog/model.js';
import type { Operator, TimeColumn } from './context.js';
import { SourceOp, type KeyCondition } from './operators/source.js';
import { FilterOp } from './operators/filter.js';
import { ProjectOp } from './operators/project.js';
import { UnionAllOp } from './operators/union-all.js';
import { ConstantOp } from './operators/constant.js';
import { SetOp } from './operators/set-op.js';
import { JoinOp } from './operators/join.js';
import { AggregateOp } from './operators/aggregate.js';
import { TopNOp } from './operators/top-n.js';
import { WindowOp } from './operators/window.js';
import { TimeWindowOp } from './operators/time-window.js';
import { TemporalFilterOp } from './operators/temporal-filter.js';
import { StateStore } from './state/state-store.js';

export interface Circuit {
  readonly root: Operator;
  /** oids of the relations whose changes feed it */
  readonly inputs: ReadonlySet<number>;
  /** when the circuit must step again without input (a temporal filter's next expiry, µs), or null */
  nextWakeup(): number | null;
  /** rows and groups its operators hold */
  stateSize(): number;
  /** where its operators keep their state */
  readonly state: StateStore;
  /**
   * What its operators and state tables are, in build order: state stored by a circuit of
   * another shape (the same view planned by another version of Eddy) cannot be reused.
   */
  readonly shape: string;
}

/** the layout of stored operator state: stored state of another layout is not reused */
const STATE_FORMAT = 2;

/** Builds the circuit of a plan; operator state goes to `state` (default: memory only). */
export function buildCircuit(plan: Plan, state: StateStore = new StateStore(0, null)): Circuit {
  const b: Builder = { inputs: new Set(), temporal: [], ops: [], time: new WeakMap(), state };
  const root = build(plan, b);
  return {
    root, inputs: b.inputs, state,
    shape: `${STATE_FORMAT}:${b.ops.map((op) => op.constructor.name).join(',')}/${state.tableCount}`,
    nextWakeup: () => {
      let t: number | null = null;
      for (const op of b.temporal) { const e = op.nextExpiry(); if (e !== null && (t === null || e < t)) t = e; }
      return t;
    },
    stateSize: () => b.ops.reduce((n, op) => n + (op.stateSize?.() ?? 0), 0),
  };
}

interface Builder {
  readonly inputs: Set<number>;
  readonly temporal: TemporalFilterOp[];
  readonly ops: Operator[];
  /** per operator: its output columns that follow a source's event time (watermarks) */
  readonly time: WeakMap<Operator, ReadonlyMap<number, TimeColumn>>;
  readonly state: StateStore;
}

/** the column an expression passes through unchanged (a column reference, possibly cast), or -1 */
function passedColumn(e: Expr): number {
  if (e.kind === 'col') return e.index;
  if (e.kind === 'cast' && e.arg.kind === 'col') return e.arg.index;
  return -1;
}

function lineage(b: Builder, op: Operator): ReadonlyMap<number, TimeColumn> {
  return b.time.get(op) ?? new Map();
}

/** registers an operator with its time columns */
function track<O extends Operator>(b: Builder, op: O, time: ReadonlyMap<number, TimeColumn> = new Map()): O {
  b.ops.push(op);
  if (time.size) b.time.set(op, time);
  return op;
}

function build(p: Plan, b: Builder): Operator {
  const op = buildNode(p, b);
  if (!b.ops.includes(op)) track(b, op);
  return op;
}

/** a plan that reads no relation: its rows never change after the first step */
function isConstant(p: Plan): boolean {
  switch (p.kind) {
    case 'values': case 'single': return true;
    case 'functionScan': return p.fn.volatility !== 'volatile';
    case 'filter': case 'project': case 'sort': case 'distinct': return isConstant(p.input);
    default: return false;
  }
}

function unsupported(what: string): never {
  throw new SqlError(SqlState.FeatureNotSupported, `${what} is not supported in materialized views yet`);
}

/** the scan's primary-key or index lookup as a condition on live column positions */
function keyCondition(rel: RelationDef, access: Extract<Plan, { kind: 'scan' }>['access']): KeyCondition | null {
  if (access.kind === 'full') return null;
  const storageCols = access.kind === 'pk' ? rel.primaryKey! : rel.indexes.find((i) => i.oid === access.indexOid)!.columns.slice(0, access.keys.length);
  return { columns: storageCols.map((c) => livePosition(rel, c)), types: storageCols.map((c) => rel.columns[c]!.type), values: access.keys };
}

function buildNode(p: Plan, b: Builder): Operator {
  switch (p.kind) {
    case 'scan': {
      b.inputs.add(p.table.oid);
      const op = new SourceOp(p.table.oid, keyCondition(p.table, p.access), p.filter);
      // a source with WATERMARK FOR: its event-time column
      const wcol = p.table.options['watermark.column'];
      const at = wcol === undefined ? -1 : p.table.columns.filter((c) => !c.dropped).findIndex((c) => c.name === wcol);
      return track(b, op, at < 0 ? new Map() : new Map([[at, { rel: p.table.oid, slack: 1 }]]));
    }
    case 'values': {
      const rows = p.rows.map((r) => r.map((e) => compile(e)));
      return new ConstantOp((env) => rows.map((r) => r.map((f) => f([], env))));
    }
    case 'single':
      return new ConstantOp(() => [[]]);
    case 'functionScan': {
      const args = p.args.map((e) => compile(e));
      const fn = p.fn;
      const ordinality = p.ordinality;
      return new ConstantOp((env) => {
        const vals = args.map((f) => f([], env));
        if (fn.strict && vals.some((v) => v === null)) return [];
        const out: Row[] = [];
        let i = 0;
        for (const r of fn.impl(vals, env.evalCtx)) out.push(ordinality ? [...(r as Datum[]), ++i] : (r as Datum[]));
        return out;
      });
    }
    case 'filter': {
      const input = build(p.input, b);
      return track(b, new FilterOp(input, p.predicate), lineage(b, input));
    }
    case 'temporalFilter': {
      const input = build(p.input, b);
      const op = track(b, new TemporalFilterOp(b.state, input, p.time, p.lifetime, p.inclusive), lineage(b, input));
      b.temporal.push(op);
      return op;
    }
    case 'timeWindow': {
      const input = build(p.input, b);
      const time = new Map(lineage(b, input));
      const src = time.get(passedColumn(p.time));
      const n = p.input.columns.length;
      // window_start closes a window size after it, window_end when the watermark reaches it
      if (src) { time.set(n, { rel: src.rel, slack: p.size }); time.set(n + 1, { rel: src.rel, slack: 0 }); }
      return track(b, new TimeWindowOp(input, p.time, p.hop, p.size), time);
    }
    case 'project': {
      const input = build(p.input, b);
      const from = lineage(b, input);
      const time = new Map<number, TimeColumn>();
      p.exprs.forEach((e, j) => { const t = from.get(passedColumn(e)); if (t) time.set(j, t); });
      return track(b, new ProjectOp(input, p.exprs), time);
    }
    case 'join': {
      const l = build(p.left, b);
      const r = build(p.right, b);
      const time = new Map(lineage(b, l));
      if (p.joinType !== 'semi' && p.joinType !== 'anti') for (const [c, t] of lineage(b, r)) time.set(c + p.left.columns.length, t);
      return track(b, new JoinOp(b.state, p.joinType, l, r, p.leftKeys, p.rightKeys, p.residual, p.left.columns.length, p.right.columns.length, isConstant(p.right)), time);
    }
    case 'aggregate': {
      const input = build(p.input, b);
      const from = lineage(b, input);
      const closers: { key: number; time: TimeColumn }[] = [];
      p.groupKeys.forEach((e, k) => { const t = from.get(passedColumn(e)); if (t) closers.push({ key: k, time: t }); });
      return track(b, new AggregateOp(b.state, input, p.groupKeys, p.aggs, p.groupingSets, closers), new Map(closers.map((c) => [c.key, c.time])));
    }
    case 'sort':
      // order alone does not change a view's contents
      return build(p.input, b);
    case 'limit': {
      const constant = (e: typeof p.limit): number | null => {
        if (!e) return null;
        if (e.kind !== 'const') unsupported('LIMIT or OFFSET with a non-constant value');
        return e.value === null ? null : Number(e.value);
      };
      const limit = constant(p.limit);
      const offset = constant(p.offset) ?? 0;
      if (p.input.kind === 'sort') return new TopNOp(b.state, build(p.input.input, b), p.input.keys, limit, offset);
      return new TopNOp(b.state, build(p.input, b), [], limit, offset);
    }
    case 'distinct': {
      if (!p.on) return new SetOp(b.state, 'distinct', build(p.input, b), null);
      // DISTINCT ON (keys) keeps the first row of each group in ORDER BY order: ROW_NUMBER() = 1
      // per partition (ties in the order resolve by the rows' identity, stable across steps)
      const sorted = p.input.kind === 'sort' ? p.input : null;
      const base = sorted ? sorted.input : p.input;
      const width = base.columns.length;
      const call: WindowCall = {
        fn: 'row_number', agg: null, args: [], partitionBy: p.on, orderBy: sorted?.keys ?? [], type: T.int8,
        frame: { mode: 'rows', start: { kind: 'unboundedPreceding' }, end: { kind: 'currentRow' } },
      };
      const win = track(b, new WindowOp(b.state, build(base, b), [call]));
      const first: Expr = { kind: 'call', fn: resolveOperator('=', T.int8, T.int8).fn, type: T.bool, args: [{ kind: 'col', index: width, type: T.int8 }, { kind: 'const', value: 1n, type: T.int8 }] };
      const kept = track(b, new FilterOp(win, first));
      return new ProjectOp(kept, base.columns.map((c, i): Expr => ({ kind: 'col', index: i, type: c.type })));
    }
    case 'setop': {
      const l = build(p.left, b);
      const r = build(p.right, b);
      if (p.op === 'union') return p.all ? new UnionAllOp([l, r]) : new SetOp(b.state, 'union', l, r);
      if (p.op === 'intersect') return new SetOp(b.state, p.all ? 'intersectAll' : 'intersect', l, r);
      return new SetOp(b.state, p.all ? 'exceptAll' : 'except', l, r);
    }
    case 'cteScan':
      if (!p.cte.plan) unsupported('a recursive CTE');
      return build(p.cte.plan, b);
    case 'window': {
      // one operator per PARTITION BY, chained (each appends its calls' values to the row), then
      // the values put back in the calls' order
      const groups = new Map<string, number[]>();
      p.calls.forEach((c, i) => {
        const k = c.partitionBy.map(exprKey).join(',');
        const g = groups.get(k);
        if (g) g.push(i); else groups.set(k, [i]);
      });
      let op = build(p.input, b);
      if (groups.size === 1) return new WindowOp(b.state, op, p.calls);
      const width = p.input.columns.length;
      const at = new Array<number>(p.calls.length);
      let next = width;
      for (const idx of groups.values()) {
        op = new WindowOp(b.state, op, idx.map((i) => p.calls[i]!));
        for (const i of idx) at[i] = next++;
      }
      return new ProjectOp(op, p.columns.map((c, j): Expr => ({ kind: 'col', index: j < width ? j : at[j - width]!, type: c.type })));
    }
    case 'lateral': return unsupported('LATERAL');
    case 'recursiveUnion': return unsupported('WITH RECURSIVE');
    case 'projectSet': return unsupported('set-returning functions in the select list');
    case 'virtualScan': return unsupported(`reading system relation ${p.name}`);
    case 'binlogScan': return unsupported('eddy_binlog()');
  }
}
