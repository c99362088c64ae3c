// Relational plans as plain data: what the binder produces and the batch executor runs.
// Every node lists its output columns; expressions refer to input columns by position.
import type { SqlType } from '../core/types.js';
import type { Expr } from './ir.js';
import type { AggregateFunction, SetFunction } from './functions/registry.js';
import type { RelationDef } from '../catalog/model.js';

export interface PlanColumn {
  readonly name: string;
  readonly type: SqlType;
  /** source table oid and attnum, for RowDescription */
  readonly tableOid?: number;
  readonly attnum?: number;
}

export interface SortKey {
  readonly expr: Expr;
  readonly desc: boolean;
  readonly nullsFirst: boolean;
}

export interface SrfCall {
  readonly fn: SetFunction;
  readonly args: readonly Expr[];
  /** the SRF's output columns; one column yields its value, several a record */
  readonly outputs: number;
  readonly type: SqlType;
}

export interface AggCall {
  readonly agg: AggregateFunction;
  readonly args: readonly Expr[];
  readonly distinct: boolean;
  readonly filter: Expr | null;
  readonly orderBy: readonly SortKey[];
  readonly type: SqlType;
}

export type WindowFnKind = 'row_number' | 'rank' | 'dense_rank' | 'percent_rank' | 'cume_dist' | 'ntile'
  | 'lag' | 'lead' | 'first_value' | 'last_value' | 'nth_value' | 'aggregate';

export interface WindowFrame {
  readonly mode: 'rows' | 'range' | 'groups';
  readonly start: FrameBound;
  readonly end: FrameBound;
}
export type FrameBound =
  | { readonly kind: 'unboundedPreceding' | 'currentRow' | 'unboundedFollowing' }
  | { readonly kind: 'preceding' | 'following'; readonly offset: Expr };

export interface WindowCall {
  readonly fn: WindowFnKind;
  readonly agg: AggCall | null;
  readonly args: readonly Expr[];
  readonly partitionBy: readonly Expr[];
  readonly orderBy: readonly SortKey[];
  readonly frame: WindowFrame;
  readonly type: SqlType;
}

/** How a table scan finds rows: all, by primary key values, or by a secondary index prefix. */
export type Access =
  | { readonly kind: 'full' }
  | { readonly kind: 'pk'; readonly keys: readonly Expr[] }
  | { readonly kind: 'index'; readonly indexOid: number; readonly keys: readonly Expr[] };

/** A comparison a column-store scan evaluates on the typed column arrays (and its zone maps). */
export type CompareOp = '<' | '<=' | '=' | '>=' | '>' | '<>';
export interface ColumnarPredicate {
  /** column position in the table's live columns */
  readonly col: number;
  readonly op: CompareOp;
  /** a constant or parameter of the column's type */
  readonly value: Expr;
  /** numeric(p, s) columns: s (the store compares unscaled integers) */
  readonly scale?: number;
}
/** A full scan served by the column store: the columns the query uses (null = all) and pushed-down comparisons. */
export interface ColumnarScan {
  readonly columns: readonly number[] | null;
  readonly predicates: readonly ColumnarPredicate[];
  /** the predicates are the whole filter (vectorized operators may then skip evaluating it) */
  readonly exact: boolean;
}

export type JoinType = 'inner' | 'left' | 'right' | 'full' | 'semi' | 'anti';

export type Plan =
  /** withKey: a trailing bytea column carries each row's storage key (UPDATE/DELETE targets) */
  | { readonly kind: 'scan'; readonly table: RelationDef; readonly access: Access; readonly filter: Expr | null; readonly withKey?: boolean; readonly columnar?: ColumnarScan; readonly columns: readonly PlanColumn[] }
  /** a system/virtual relation computed from the catalog at execution time */
  | { readonly kind: 'virtualScan'; readonly name: string; readonly columns: readonly PlanColumn[] }
  | { readonly kind: 'values'; readonly rows: readonly (readonly Expr[])[]; readonly columns: readonly PlanColumn[] }
  | { readonly kind: 'filter'; readonly input: Plan; readonly predicate: Expr; readonly columns: readonly PlanColumn[] }
  | { readonly kind: 'project'; readonly input: Plan; readonly exprs: readonly Expr[]; readonly columns: readonly PlanColumn[] }
  /** equi-join keys (leftKeys[i] = rightKeys[i]) use a hash table; residual is evaluated on the joined row */
  | { readonly kind: 'join'; readonly joinType: JoinType; readonly left: Plan; readonly right: Plan; readonly leftKeys: readonly Expr[]; readonly rightKeys: readonly Expr[]; readonly residual: Expr | null; readonly columns: readonly PlanColumn[] }
  /** right side re-evaluated per left row with the left row as outer context (LATERAL) */
  | { readonly kind: 'lateral'; readonly joinType: 'inner' | 'left'; readonly left: Plan; readonly right: Plan; readonly residual: Expr | null; readonly columns: readonly PlanColumn[] }
  /** output: group keys, then aggregates (then a grouping-id column if groupingSets) */
  | { readonly kind: 'aggregate'; readonly input: Plan; readonly groupKeys: readonly Expr[]; readonly aggs: readonly AggCall[]; readonly groupingSets: readonly (readonly number[])[] | null; readonly columns: readonly PlanColumn[] }
  /** output: input columns, then one column per window call */
  | { readonly kind: 'window'; readonly input: Plan; readonly calls: readonly WindowCall[]; readonly columns: readonly PlanColumn[] }
  | { readonly kind: 'sort'; readonly input: Plan; readonly keys: readonly SortKey[]; readonly columns: readonly PlanColumn[] }
  | { readonly kind: 'limit'; readonly input: Plan; readonly limit: Expr | null; readonly offset: Expr | null; readonly columns: readonly PlanColumn[] }
  /** DISTINCT (on = null) or DISTINCT ON (exprs); input is already sorted for DISTINCT ON */
  | { readonly kind: 'distinct'; readonly input: Plan; readonly on: readonly Expr[] | null; readonly columns: readonly PlanColumn[] }
  | { readonly kind: 'setop'; readonly op: 'union' | 'intersect' | 'except'; readonly all: boolean; readonly left: Plan; readonly right: Plan; readonly columns: readonly PlanColumn[] }
  | { readonly kind: 'functionScan'; readonly fn: SetFunction; readonly args: readonly Expr[]; readonly ordinality: boolean; readonly columns: readonly PlanColumn[] }
  /** reads a CTE's materialized result */
  | { readonly kind: 'cteScan'; readonly cte: CteDef; readonly columns: readonly PlanColumn[] }
  /** WITH RECURSIVE: base, then iterate `step` (which reads the working table via cteScan of `cte`) */
  | { readonly kind: 'recursiveUnion'; readonly cte: CteDef; readonly base: Plan; readonly step: Plan; readonly all: boolean; readonly columns: readonly PlanColumn[] }
  /** set-returning functions of a SELECT list: input columns, then one column per call (lockstep, PostgreSQL 10+) */
  | { readonly kind: 'projectSet'; readonly input: Plan; readonly calls: readonly SrfCall[]; readonly columns: readonly PlanColumn[] }
  /** a table's binlog (eddy_binlog('t')): seq, event_type, op, commit_ts, then the row's columns */
  | { readonly kind: 'binlogScan'; readonly table: RelationDef; readonly after: Expr | null; readonly columns: readonly PlanColumn[] }
  /**
   * TUMBLE / HOP windows (RisingWave, Flink): each input row once per window of `size` µs,
   * starting every `hop` µs (hop = size: tumbling), that contains its time; output: the input
   * columns, then window_start and window_end
   */
  | { readonly kind: 'timeWindow'; readonly input: Plan; readonly time: Expr; readonly hop: number; readonly size: number; readonly columns: readonly PlanColumn[] }
  /**
   * A temporal filter of a materialized view (WHERE time > now() - INTERVAL ...): a row passes
   * while now < time + lifetime (µs; `inclusive`: while now <= ...), so rows leave the view as
   * time passes. Only the dataflow runs it; batch queries evaluate now() directly.
   */
  | { readonly kind: 'temporalFilter'; readonly input: Plan; readonly time: Expr; readonly lifetime: number; readonly inclusive: boolean; readonly columns: readonly PlanColumn[] }
  /** one row with no columns (SELECT without FROM) */
  | { readonly kind: 'single'; readonly columns: readonly PlanColumn[] };

/** A CTE is materialized once per execution; the executor keys its cache by this object. */
export interface CteDef {
  readonly name: string;
  plan: Plan | null;
  readonly recursive: boolean;
  columns: readonly PlanColumn[];
}

export type PlanKind = Plan['kind'];
