// Lowers a relational plan (the same IR the batch executor runs) into a circuit of incremental
// operators, one per plan node. Sources are the scans of tables and materialized views; their
// changes come from binlogs (or from the upstream view's output in the same step).
import type { Datum, Row } from '../core/datum.js';
import { SqlError, SqlState } from '../core/errors.js';
import { compile } from '../expr/compile.js';
import type { Plan } from '../expr/plan.js';
import type { RelationDef } from '../catalog/model.js';
import type { Operator } from './context.js';
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

export interface Circuit {
  readonly root: Operator;
  /** oids of the relations whose changes feed it */
  readonly inputs: ReadonlySet<number>;
  /** when the circuit must step again without input (a temporal filter's next expiry, µs), or null */
  nextWakeup(): number | null;
}

export function buildCircuit(plan: Plan): Circuit {
  const inputs = new Set<number>();
  const temporal: TemporalFilterOp[] = [];
  const root = build(plan, inputs, temporal);
  return {
    root, inputs,
    nextWakeup: () => {
      let t: number | null = null;
      for (const op of temporal) { const e = op.nextExpiry(); if (e !== null && (t === null || e < t)) t = e; }
      return t;
    },
  };
}

function unsupported(what: string): never {
  throw new SqlError(SqlState.FeatureNotSupported, `${what} is not supported in materialized views yet`);
}

/** the scan's primary-key or index lookup as a condition on live column positions */
function keyCondition(rel: RelationDef, access: Extract<Plan, { kind: 'scan' }>['access']): KeyCondition | null {
  if (access.kind === 'full') return null;
  const storageCols = access.kind === 'pk' ? rel.primaryKey! : rel.indexes.find((i) => i.oid === access.indexOid)!.columns.slice(0, access.keys.length);
  const live: number[] = [];
  let n = 0;
  const liveAt = rel.columns.map((c) => (c.dropped ? -1 : n++));
  for (const c of storageCols) live.push(liveAt[c]!);
  return { columns: live, types: storageCols.map((c) => rel.columns[c]!.type), values: access.keys };
}

function build(p: Plan, inputs: Set<number>, temporal: TemporalFilterOp[]): Operator {
  switch (p.kind) {
    case 'scan':
      inputs.add(p.table.oid);
      return new SourceOp(p.table.oid, keyCondition(p.table, p.access), p.filter);
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
    case 'filter':
      return new FilterOp(build(p.input, inputs, temporal), p.predicate);
    case 'temporalFilter': {
      const op = new TemporalFilterOp(build(p.input, inputs, temporal), p.time, p.lifetime, p.inclusive);
      temporal.push(op);
      return op;
    }
    case 'timeWindow':
      return new TimeWindowOp(build(p.input, inputs, temporal), p.time, p.hop, p.size);
    case 'project':
      return new ProjectOp(build(p.input, inputs, temporal), p.exprs);
    case 'join':
      return new JoinOp(p.joinType, build(p.left, inputs, temporal), build(p.right, inputs, temporal), p.leftKeys, p.rightKeys, p.residual,
        p.left.columns.length, p.right.columns.length);
    case 'aggregate':
      return new AggregateOp(build(p.input, inputs, temporal), p.groupKeys, p.aggs, p.groupingSets);
    case 'sort':
      // order alone does not change a view's contents
      return build(p.input, inputs, temporal);
    case 'limit': {
      const constant = (e: typeof p.limit): number | null => {
        if (!e) return null;
        if (e.kind !== 'const') unsupported('LIMIT or OFFSET with a non-constant value');
        return e.value === null ? null : Number(e.value);
      };
      const limit = constant(p.limit);
      const offset = constant(p.offset) ?? 0;
      if (p.input.kind === 'sort') return new TopNOp(build(p.input.input, inputs, temporal), p.input.keys, limit, offset);
      return new TopNOp(build(p.input, inputs, temporal), [], limit, offset);
    }
    case 'distinct':
      if (p.on) unsupported('DISTINCT ON');
      return new SetOp('distinct', build(p.input, inputs, temporal), null);
    case 'setop': {
      const l = build(p.left, inputs, temporal);
      const r = build(p.right, inputs, temporal);
      if (p.op === 'union') return p.all ? new UnionAllOp([l, r]) : new SetOp('union', l, r);
      if (p.op === 'intersect') return new SetOp(p.all ? 'intersectAll' : 'intersect', l, r);
      return new SetOp(p.all ? 'exceptAll' : 'except', l, r);
    }
    case 'cteScan':
      if (!p.cte.plan) unsupported('a recursive CTE');
      return build(p.cte.plan, inputs, temporal);
    case 'window': return new WindowOp(build(p.input, inputs, temporal), p.calls);
    case 'lateral': return unsupported('LATERAL');
    case 'recursiveUnion': return unsupported('WITH RECURSIVE');
    case 'projectSet': return unsupported('set-returning functions in the select list');
    case 'virtualScan': return unsupported(`reading system relation ${p.name}`);
    case 'binlogScan': return unsupported('eddy_binlog()');
  }
}
