// What one step of a circuit sees: the changes of its input relations in this step, and where
// evaluation errors go. Expressions evaluate in an environment without parameters or outer rows
// (a view's query has neither) and without subqueries (the planner decorrelates or rejects them).
import type { Datum, Row } from '../core/datum.js';
import { SqlError, SqlState } from '../core/errors.js';
import { push, type Delta } from '../core/delta.js';
import type { EvalEnv, Compiled } from '../expr/compile.js';
import type { EvalContext } from '../expr/functions/registry.js';

export interface StepContext {
  /** the change of each input relation (by oid) in this step; absent = no change */
  readonly inputs: ReadonlyMap<number, Delta>;
  /** the first step: constant inputs (VALUES, a global aggregate's empty group) emit now */
  readonly initial: boolean;
  readonly env: EvalEnv;
  /**
   * Evaluation errors of this step as a delta of [sqlstate, message] rows: an input row whose
   * expression fails adds its error with its weight, and its deletion retracts it.
   */
  readonly errors: Delta;
  /** watermarks of the input sources (µs): no row older than this will arrive any more */
  readonly watermarks?: ReadonlyMap<number, number>;
}

/** An operator of a circuit: turns its inputs' changes into the change of its output. */
export interface Operator {
  step(cx: StepContext): Delta;
  /** rows (or groups) of state it holds, for monitoring and memory bounds */
  stateSize?(): number;
}

/**
 * An output column whose values follow a source's event time: once the source's watermark
 * reaches value + slack, no more input rows can have that value (window_end: slack 0,
 * window_start: the window size, the event time itself: 1 µs).
 */
export interface TimeColumn {
  readonly rel: number;
  readonly slack: number;
}

export function dataflowEnv(evalCtx: EvalContext): EvalEnv {
  return {
    params: [], evalCtx, outer: [], subqueryCache: new Map(),
    runPlan: () => { throw new SqlError(SqlState.FeatureNotSupported, 'subqueries cannot run inside a dataflow'); },
  };
}

/**
 * Evaluates `f` on `row`; an evaluation error (a SqlError such as division by zero) is recorded
 * with the row's weight and the row is dropped (undefined), so one bad row never stops a view.
 */
export function guarded(f: Compiled, row: Row, weight: number, cx: StepContext): Datum | undefined {
  try {
    return f(row, cx.env);
  } catch (err) {
    if (!(err instanceof SqlError)) throw err;
    push(cx.errors, [err.code, err.message], weight);
    return undefined;
  }
}
