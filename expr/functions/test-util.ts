// Test helpers: resolve and invoke functions/operators like the executor would.
import type { SqlType } from '../../core/types.js';
import type { Datum } from '../../core/datum.js';
import { SqlError } from '../../core/errors.js';
import { DEFAULT_VALUE_SETTINGS } from '../../core/values/settings.js';
import { resolveFunction, resolveOperator, type EvalContext, type ResolvedCall } from './registry.js';

export const ctx: EvalContext = {
  settings: DEFAULT_VALUE_SETTINGS,
  txnTimestamp: Date.UTC(2024, 0, 15, 12, 30, 0) * 1000,
  now: () => Date.now() * 1000,
};

export function invoke(r: ResolvedCall, args: readonly Datum[], c: EvalContext = ctx): Datum {
  if (r.fn.strict && args.some((a) => a === null)) return null;
  return r.fn.impl(args, c);
}
export function callFn(name: string, types: readonly SqlType[], args: readonly Datum[], c: EvalContext = ctx): Datum {
  return invoke(resolveFunction(name, types), args, c);
}
export function callOp(name: string, l: SqlType | null, r: SqlType, args: readonly Datum[], c: EvalContext = ctx): Datum {
  return invoke(resolveOperator(name, l, r), args, c);
}
/** 'SQLSTATE message' of the SqlError thrown by f, or 'no error' */
export function errOf(f: () => unknown): string {
  try { f(); } catch (e) { if (e instanceof SqlError) return `${e.code} ${e.message}`; throw e; }
  return 'no error';
}
