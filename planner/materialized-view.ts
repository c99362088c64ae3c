// CREATE MATERIALIZED VIEW: binds the defining query into a plan the dataflow can maintain and
// turns the statement into a catalog command. The plan is the batch plan without access-path
// choices (no column-store scan specs), checked for what incremental maintenance cannot do yet:
// subqueries in expressions, parameters, and functions whose value changes over time.
import type { SelectStmt, Node } from '@pgsql/types';
import { deparseSync } from 'pgsql-deparser';
import { SqlError, SqlState } from '../core/errors.js';
import { T } from '../core/types.js';
import type { Plan } from '../expr/plan.js';
import type { DdlCommand, QualifiedName } from '../catalog/commands.js';
import { bindSelect } from './bind-select.js';
import { mapPlanExprs } from './plan-walk.js';
import { parseSql } from './parse.js';
import { decorrelate } from './decorrelate.js';
import { extractTemporalFilters } from './temporal-filter.js';
import { Scope, type BindEnv } from './scope.js';

/** stable functions whose value depends on the current time: a view using them would go stale */
const TIME_FUNCTIONS = new Set(['now', 'current_timestamp', 'localtimestamp', 'current_date', 'current_time', 'localtime',
  'statement_timestamp', 'transaction_timestamp', 'timeofday', 'clock_timestamp']);

export function checkIncremental(plan: Plan): void {
  // a view over no relation is a constant: it is evaluated once, so any function may appear
  let reads = false;
  const visit = (p: Plan): void => {
    if (p.kind === 'scan') reads = true;
    for (const c of childrenOf(p)) visit(c);
  };
  visit(plan);
  mapPlanExprs(plan, (e) => {
    if (e.kind === 'subquery' || e.kind === 'subqueryCmp') {
      throw new SqlError(SqlState.FeatureNotSupported, 'subqueries in expressions are not supported in materialized views yet', { hint: 'Write the subquery as a join.' });
    }
    if (e.kind === 'param') throw new SqlError(SqlState.FeatureNotSupported, 'materialized views may not be defined using bound parameters');
    if (reads && e.kind === 'call' && (e.fn.volatility === 'volatile' || TIME_FUNCTIONS.has(e.fn.name))) {
      throw new SqlError(SqlState.FeatureNotSupported, `function ${e.fn.name}() is not supported in materialized views: its result changes without a change of the data`);
    }
    return e;
  });
}

/** the plan of a materialized view's stored query */
export function bindViewQuery(sql: string, env: BindEnv): Plan {
  const parsed = parseSql(sql)[0]!.stmt;
  if (!('SelectStmt' in parsed)) throw new SqlError(SqlState.InternalError, 'materialized view is not a SELECT');
  return incremental(bindSelect(parsed.SelectStmt, new Scope(null), env));
}

/** the batch plan rewritten for the dataflow (subqueries as joins), checked */
function incremental(plan: Plan): Plan {
  const p = extractTemporalFilters(decorrelate(plan));
  checkIncremental(p);
  return p;
}

export interface MaterializedViewSpec {
  readonly target: QualifiedName;
  readonly columnNames: readonly string[];
  readonly ifNotExists: boolean;
  readonly options: Readonly<Record<string, string>>;
  readonly query: { readonly node: unknown };
}

export function bindCreateMaterializedView(spec: MaterializedViewSpec, env: BindEnv): { command: DdlCommand; plan: Plan } {
  const q = spec.query.node as SelectStmt;
  const plan = incremental(bindSelect(q, new Scope(null), env));
  if (spec.columnNames.length > 0 && spec.columnNames.length !== plan.columns.length) {
    throw new SqlError(SqlState.SyntaxError, `the view has ${plan.columns.length} columns but ${spec.columnNames.length} column names were given`);
  }
  const columns = plan.columns.map((c, i) => ({ name: spec.columnNames[i] ?? c.name, type: c.type.kind === 'scalar' && c.type.name === 'unknown' ? T.text : c.type }));
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c.name)) throw new SqlError(SqlState.DuplicateColumn, `column "${c.name}" specified more than once`);
    seen.add(c.name);
  }
  const sql = deparseSync({ SelectStmt: q } as Node);
  return {
    command: { kind: 'createMatview', target: spec.target, ifNotExists: spec.ifNotExists, columns, sql, options: spec.options },
    plan,
  };
}

function childrenOf(p: Plan): Plan[] {
  switch (p.kind) {
    case 'join': case 'lateral': case 'setop': return [p.left, p.right];
    case 'recursiveUnion': return [p.base, p.step];
    case 'cteScan': return p.cte.plan ? [p.cte.plan] : [];
    default: return 'input' in p ? [p.input] : [];
  }
}
