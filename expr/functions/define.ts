// Storage and declarative registration of functions, operators, aggregates and
// set-returning functions. Category files import only this module (never
// registry.ts) so that registration has no import cycle with resolution.
import { T, scalar, arrayOf, TYPE_INFO, type SqlType, type ScalarTypeName } from '../../core/types.js';
import type { Datum } from '../../core/datum.js';
import type { ValueSettings } from '../../core/values/settings.js';

export interface EvalContext {
  readonly settings: ValueSettings;
  /** statement/transaction start, µs since 1970 UTC */
  readonly txnTimestamp: number;
  /** wall clock µs, for clock_timestamp() */
  now(): number;
}

export type ScalarImpl = (args: readonly Datum[], ctx: EvalContext) => Datum;

/**
 * The pseudo-type "any" (format, concat, num_nulls, to_json...): accepts every
 * input type without coercion. Represented by the 'unknown' scalar in argTypes
 * because SqlType has no "any"; the resolved type of such an argument is the
 * actual argument type (unknown literals become text).
 */
export const ANY: SqlType = T.unknown;

export interface ScalarFunction {
  /** lower-case SQL name, e.g. 'length', or operator symbol '+', '||', '~~' (LIKE) */
  readonly name: string;
  /** may use T.anyelement / T.anyarray polymorphics and ANY */
  readonly argTypes: readonly SqlType[];
  /** trailing variadic element type (concat, format, greatest...) */
  readonly variadic?: SqlType;
  readonly returnType: SqlType | ((args: readonly SqlType[]) => SqlType);
  /** true: any NULL arg → NULL without calling impl */
  readonly strict: boolean;
  readonly volatility: 'immutable' | 'stable' | 'volatile';
  /** pg_proc oid when known */
  readonly oid?: number;
  readonly impl: ScalarImpl;
  /**
   * Polymorphic/"any" functions whose implementation depends on the actual
   * argument types (to_jsonb, concat, array equality...). Resolution calls it
   * once per call site and returns a copy of the function with this impl, so
   * rows never pay for type dispatch.
   */
  readonly bind?: (argTypes: readonly SqlType[], returnType: SqlType) => ScalarImpl;
  /** anyelement positions refuse arrays (PostgreSQL's anynonarray) */
  readonly nonArray?: boolean;
  /** operator kind for operators registered with a single argument */
  readonly isOperator?: boolean;
}

export interface AggregateFunction {
  readonly name: string;
  readonly argTypes: readonly SqlType[];
  readonly returnType: SqlType | ((args: readonly SqlType[]) => SqlType);
  /** true: rows where any arg is NULL are skipped */
  readonly strict: boolean;
  init(): unknown;
  step(state: unknown, args: readonly Datum[]): unknown;
  /** ctx is optional: aggregates that format values (json_agg of timestamptz) use its settings when given */
  final(state: unknown, ctx?: EvalContext): Datum;
  /** optional inverse for incremental maintenance (sum, count, avg); absent for min/max */
  retract?(state: unknown, args: readonly Datum[]): unknown;
  readonly oid?: number;
  /** like ScalarFunction.bind: specialise to the actual argument types once per call site */
  readonly bind?: (argTypes: readonly SqlType[], returnType: SqlType) => AggregateFunction;
  readonly nonArray?: boolean;
}

export interface SetFunction {
  readonly name: string;
  readonly argTypes: readonly SqlType[];
  readonly variadic?: SqlType;
  /** output columns given the resolved argument types */
  readonly columns: (args: readonly SqlType[]) => { name: string; type: SqlType }[];
  readonly strict: boolean;
  readonly volatility: 'immutable' | 'stable' | 'volatile';
  readonly oid?: number;
  readonly impl: (args: readonly Datum[], ctx: EvalContext) => Iterable<Datum[]>;
  readonly bind?: (argTypes: readonly SqlType[]) => (args: readonly Datum[], ctx: EvalContext) => Iterable<Datum[]>;
  readonly nonArray?: boolean;
}

// ---- storage -------------------------------------------------------------

export const functions = new Map<string, ScalarFunction[]>();
export const operators = new Map<string, ScalarFunction[]>();
export const aggregates = new Map<string, AggregateFunction[]>();
export const setFunctions = new Map<string, SetFunction[]>();

function push<V>(m: Map<string, V[]>, k: string, v: V): void {
  const l = m.get(k);
  if (l) l.push(v); else m.set(k, [v]);
}

// ---- signature parsing ---------------------------------------------------

/** 'int4', 'text[]', 'anyelement', 'anyarray', 'any' → SqlType */
export function parseType(s: string): SqlType {
  s = s.trim();
  if (s === 'any') return ANY;
  if (s.endsWith('[]')) {
    const e = parseType(s.slice(0, -2));
    if (e.kind !== 'scalar') throw new Error(`bad type ${s}`);
    return arrayOf(e);
  }
  if (!(s in TYPE_INFO)) throw new Error(`bad type in signature: ${s}`);
  return scalar(s as ScalarTypeName);
}

interface ParsedSig {
  name: string;
  args: SqlType[];
  variadic?: SqlType;
  ret: SqlType;
}

/** 'name(t1, t2, variadic t3) -> ret' */
export function parseSig(sig: string): ParsedSig {
  const open = sig.indexOf('(');
  const close = sig.lastIndexOf(')');
  const arrow = sig.lastIndexOf('->');
  if (open < 0 || close < open || arrow < close) throw new Error(`bad signature ${sig}`);
  const name = sig.slice(0, open).trim();
  const inner = sig.slice(open + 1, close).trim();
  const args: SqlType[] = [];
  let variadic: SqlType | undefined;
  if (inner) {
    for (const part of inner.split(',')) {
      const p = part.trim();
      if (p.toLowerCase().startsWith('variadic ')) variadic = parseType(p.slice(9));
      else args.push(parseType(p));
    }
  }
  const ret = parseType(sig.slice(arrow + 2));
  return variadic ? { name, args, variadic, ret } : { name, args, ret };
}

export interface FnOptions {
  strict?: boolean;
  volatility?: 'immutable' | 'stable' | 'volatile';
  oid?: number;
  returnType?: (args: readonly SqlType[]) => SqlType;
  bind?: (argTypes: readonly SqlType[], returnType: SqlType) => ScalarImpl;
  nonArray?: boolean;
}

function makeFn(sig: string, impl: ScalarImpl, o: FnOptions): ScalarFunction {
  const p = parseSig(sig);
  const f: ScalarFunction = {
    name: p.name,
    argTypes: p.args,
    ...(p.variadic ? { variadic: p.variadic } : {}),
    returnType: o.returnType ?? p.ret,
    strict: o.strict ?? true,
    volatility: o.volatility ?? 'immutable',
    ...(o.oid !== undefined ? { oid: o.oid } : {}),
    impl,
    ...(o.bind ? { bind: o.bind } : {}),
    ...(o.nonArray ? { nonArray: true } : {}),
  };
  return f;
}

/** Register a scalar function: fn('length(text) -> int4', (a) => ...). */
export function fn(sig: string, impl: ScalarImpl, o: FnOptions = {}): ScalarFunction {
  const f = makeFn(sig, impl, o);
  push(functions, f.name, f);
  return f;
}

/** Register an operator: op('+(int4, int4) -> int4', ...); one argument = prefix operator. */
export function op(sig: string, impl: ScalarImpl, o: FnOptions = {}): ScalarFunction {
  const f = makeFn(sig, impl, o);
  push(operators, f.name, f);
  return f;
}

export function registerAggregate(a: AggregateFunction): void {
  push(aggregates, a.name, a);
}

export function registerSetFunction(f: SetFunction): void {
  push(setFunctions, f.name, f);
}

export function resetRegistry(): void {
  functions.clear(); operators.clear(); aggregates.clear(); setFunctions.clear();
}
