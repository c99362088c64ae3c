// Public API of the function registry: overload resolution for functions,
// operators, aggregates and set-returning functions, following PostgreSQL's
// func_get_detail / func_select_candidate / oper_select_candidate.
import { T, arrayOf, sameType, typeDisplayName, type SqlType, type ScalarType } from '../../core/types.js';
import { SqlError, SqlState } from '../../core/errors.js';
import {
  ANY, functions, operators, aggregates, setFunctions,
  type ScalarFunction, type AggregateFunction, type SetFunction, type EvalContext,
} from './define.js';
import { canCoerce, typeCategory, isPreferredType, tryCommonType } from './coerce.js';
import { registerAll } from './index.js';

export type { EvalContext, ScalarFunction, AggregateFunction, SetFunction, ScalarImpl } from './define.js';
export { ANY } from './define.js';
export { canCoerce, commonType, tryCommonType, typeCategory, isPreferredType, type CoercionContext } from './coerce.js';

export interface ResolvedCall {
  readonly fn: ScalarFunction;
  /** the type each actual argument must be coerced to */
  readonly argTypes: readonly SqlType[];
  readonly returnType: SqlType;
}

let loaded = false;
function ensureLoaded(): void {
  if (!loaded) { loaded = true; registerAll(); }
}

// ---- candidate matching ----------------------------------------------------

/** Anything with a signature: scalar functions, aggregates, SRFs. */
interface Sig {
  readonly argTypes: readonly SqlType[];
  readonly variadic?: SqlType;
  readonly nonArray?: boolean;
}

interface Match<F extends Sig> {
  readonly f: F;
  /** declared type per actual argument (variadic expanded) */
  readonly declared: readonly SqlType[];
  /** resolved element type of anyelement/anyarray, if any position was polymorphic */
  readonly poly: SqlType | undefined;
  readonly hasPoly: boolean;
}

const isUnknown = (t: SqlType): boolean => t.kind === 'scalar' && t.name === 'unknown';
const isAnyEl = (t: SqlType): boolean => t.kind === 'scalar' && t.name === 'anyelement';
const isAnyArr = (t: SqlType): boolean => t.kind === 'scalar' && t.name === 'anyarray';
const isAny = (t: SqlType): boolean => t === ANY;

function expand(f: Sig, n: number): SqlType[] | undefined {
  const fixed = f.argTypes.length;
  // a variadic function needs at least one variadic argument (PG without the VARIADIC keyword)
  if (!f.variadic) return n === fixed ? f.argTypes.slice() : undefined;
  if (n <= fixed) return undefined;
  const out = f.argTypes.slice();
  for (let i = fixed; i < n; i++) out.push(f.variadic);
  return out;
}

function match<F extends Sig>(f: F, actual: readonly SqlType[]): Match<F> | undefined {
  const declared = expand(f, actual.length);
  if (!declared) return undefined;
  const polyTypes: SqlType[] = [];
  let hasPoly = false;
  let hasArrPos = false;
  for (let i = 0; i < actual.length; i++) {
    const d = declared[i]!;
    const a = actual[i]!;
    if (isAny(d)) continue;
    if (isAnyEl(d)) {
      hasPoly = true;
      if (isUnknown(a)) continue;
      if (f.nonArray && a.kind === 'array') return undefined;
      polyTypes.push(a);
      continue;
    }
    if (isAnyArr(d)) {
      hasPoly = true;
      hasArrPos = true;
      if (isUnknown(a)) continue;
      if (a.kind !== 'array') return undefined;
      polyTypes.push(a.elem);
      continue;
    }
    if (isUnknown(a)) continue;
    if (!canCoerce(a, d, 'implicit')) return undefined;
  }
  let poly: SqlType | undefined;
  if (polyTypes.length) {
    // PostgreSQL 15's array functions use anycompatible: unify like select_common_type.
    poly = tryCommonType(polyTypes);
    if (!poly) return undefined;
    if (poly.kind === 'array' && (f.nonArray || hasArrPos)) return undefined;
  }
  return { f, declared, poly, hasPoly };
}

function isExactAll(m: Match<Sig>, actual: readonly SqlType[]): boolean {
  for (let i = 0; i < actual.length; i++) {
    const d = m.declared[i]!;
    if (isAny(d) || isAnyEl(d) || isAnyArr(d)) return false;
    if (!sameType(d, actual[i]!)) return false;
  }
  return true;
}

/** func_select_candidate: narrow several matching candidates down to one, or report ambiguity. */
function selectCandidate<F extends Sig>(cands: Match<F>[], actual: readonly SqlType[]): Match<F>[] {
  if (cands.length <= 1) return cands;
  const n = actual.length;
  const known = actual.map((t) => !isUnknown(t));
  const keepBest = (score: (m: Match<F>) => number): void => {
    let best = -1;
    let kept: Match<F>[] = [];
    for (const m of cands) {
      const s = score(m);
      if (s > best) { best = s; kept = [m]; } else if (s === best) kept.push(m);
    }
    cands = kept;
  };
  // (a) most exact matches on known inputs
  keepBest((m) => {
    let s = 0;
    for (let i = 0; i < n; i++) if (known[i] && sameType(m.declared[i]!, actual[i]!)) s++;
    return s;
  });
  if (cands.length === 1) return cands;
  // (b) most positions accepting exact or preferred types of the input's category
  keepBest((m) => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      if (!known[i]) continue;
      const d = m.declared[i]!;
      const a = actual[i]!;
      if (sameType(d, a) || (isPreferredType(d) && typeCategory(d) === typeCategory(a))) s++;
    }
    return s;
  });
  if (cands.length === 1) return cands;
  // (c) resolve unknown positions by category, preferring string, then preferred types
  if (known.some((k) => !k)) {
    let resolved = true;
    const slotCat: string[] = [];
    const slotPref: boolean[] = [];
    for (let i = 0; i < n; i++) {
      if (known[i]) continue;
      let cat: string | undefined;
      let pref = false;
      let conflict = false;
      for (const m of cands) {
        const d = m.declared[i]!;
        const dc = typeCategory(d);
        const dp = isPreferredType(d);
        if (cat === undefined) { cat = dc; pref = dp; }
        else if (dc === cat) pref ||= dp;
        else if (dc === 'S') { cat = dc; pref = dp; }
        else conflict = true;
      }
      if (conflict && cat !== 'S') { resolved = false; break; }
      slotCat[i] = cat ?? 'X';
      slotPref[i] = pref;
    }
    if (resolved) {
      const kept = cands.filter((m) => {
        for (let i = 0; i < n; i++) {
          if (known[i]) continue;
          const d = m.declared[i]!;
          if (typeCategory(d) !== slotCat[i]) return false;
          if (slotPref[i] && !isPreferredType(d)) return false;
        }
        return true;
      });
      if (kept.length) {
        cands = kept;
        if (cands.length === 1) return cands;
      }
    }
    // (d) unknowns take the type of the known inputs when those all agree
    const knownTypes = actual.filter((_, i) => known[i]);
    if (knownTypes.length && knownTypes.every((t) => sameType(t, knownTypes[0]!))) {
      const k = knownTypes[0]!;
      const replaced = actual.map((t, i) => (known[i] ? t : k));
      // re-match with the unknowns typed, so polymorphic consistency is checked too
      const kept = cands.filter((m) => match(m.f, replaced) !== undefined);
      if (kept.length === 1) return kept;
    }
  }
  return cands;
}

function finalTypes(m: Match<Sig>, actual: readonly SqlType[]): { argTypes: SqlType[]; elem: SqlType | undefined } {
  let elem = m.poly;
  if (m.hasPoly && !elem) {
    throw new SqlError(SqlState.DatatypeMismatch, `could not determine polymorphic type because input has type unknown`);
  }
  const argTypes: SqlType[] = [];
  for (let i = 0; i < actual.length; i++) {
    const d = m.declared[i]!;
    const a = actual[i]!;
    if (isAny(d)) argTypes.push(isUnknown(a) ? T.text : a);
    else if (isAnyEl(d)) argTypes.push(elem!);
    else if (isAnyArr(d)) argTypes.push(arrayOf(elem as ScalarType));
    else argTypes.push(d);
  }
  if (elem && elem.kind === 'array') elem = elem.elem; // never nest: anyelement bound to an array
  return { argTypes, elem };
}

function computeReturn(
  rt: SqlType | ((args: readonly SqlType[]) => SqlType), argTypes: readonly SqlType[], elem: SqlType | undefined,
): SqlType {
  if (typeof rt === 'function') return rt(argTypes);
  if (isAnyEl(rt)) return elem ?? T.text;
  if (isAnyArr(rt)) return arrayOf((elem ?? T.text) as ScalarType);
  return rt;
}

function argList(types: readonly SqlType[]): string {
  return types.map(typeDisplayName).join(', ');
}

function finish(m: Match<ScalarFunction>, actual: readonly SqlType[]): ResolvedCall {
  const { argTypes, elem } = finalTypes(m, actual);
  const returnType = computeReturn(m.f.returnType, argTypes, elem);
  const fn = m.f.bind ? { ...m.f, impl: m.f.bind(argTypes, returnType) } : m.f;
  return { fn, argTypes, returnType };
}

function candidatesFor<F extends Sig>(list: readonly F[] | undefined, actual: readonly SqlType[]): Match<F>[] {
  const out: Match<F>[] = [];
  if (!list) return out;
  for (const f of list) {
    const m = match(f, actual);
    if (m) out.push(m);
  }
  return out;
}

function pickOne<F extends Sig>(cands: Match<F>[], actual: readonly SqlType[]): Match<F>[] {
  for (const m of cands) if (isExactAll(m, actual)) return [m];
  if (cands.length <= 1) return cands;
  return selectCandidate(cands, actual);
}

// ---- public API -------------------------------------------------------------

/** Resolve a function call by name and actual argument types (unknown for untyped literals). */
export function resolveFunction(name: string, argTypes: readonly SqlType[]): ResolvedCall {
  ensureLoaded();
  const lname = name.toLowerCase();
  const picked = pickOne(candidatesFor(functions.get(lname), argTypes), argTypes);
  if (picked.length === 1) return finish(picked[0]!, argTypes);
  if (picked.length === 0) {
    throw new SqlError(SqlState.UndefinedFunction, `function ${lname}(${argList(argTypes)}) does not exist`,
      { hint: 'No function matches the given name and argument types. You might need to add explicit type casts.' });
  }
  throw new SqlError(SqlState.AmbiguousFunction, `function ${lname}(${argList(argTypes)}) is not unique`,
    { hint: 'Could not choose a best candidate function. You might need to add explicit type casts.' });
}

/** Does any function (scalar, aggregate or set-returning) with this name exist? */
export function functionExists(name: string): boolean {
  ensureLoaded();
  const l = name.toLowerCase();
  return functions.has(l) || aggregates.has(l) || setFunctions.has(l);
}

/** Resolve a binary (left non-null) or prefix (left null) operator. */
export function resolveOperator(opName: string, left: SqlType | null, right: SqlType): ResolvedCall {
  ensureLoaded();
  const actual = left ? [left, right] : [right];
  const all = operators.get(opName);
  // binary_oper_exact: an unknown operand is assumed to have the other operand's type
  if (left && all) {
    let probe: SqlType | undefined;
    if (isUnknown(left) && !isUnknown(right)) probe = right;
    else if (isUnknown(right) && !isUnknown(left)) probe = left;
    if (probe) {
      for (const f of all) {
        if (f.argTypes.length === 2 && sameType(f.argTypes[0]!, probe) && sameType(f.argTypes[1]!, probe)) {
          const m = match(f, [probe, probe]);
          if (m) return finish(m, [probe, probe]);
        }
      }
    }
  }
  const picked = pickOne(candidatesFor(all, actual), actual);
  if (picked.length === 1) return finish(picked[0]!, actual);
  const shown = left ? `${typeDisplayName(left)} ${opName} ${typeDisplayName(right)}` : `${opName} ${typeDisplayName(right)}`;
  if (picked.length === 0) {
    throw new SqlError(SqlState.UndefinedFunction, `operator does not exist: ${shown}`,
      { hint: 'No operator matches the given name and argument types. You might need to add explicit type casts.' });
  }
  throw new SqlError(SqlState.AmbiguousFunction, `operator is not unique: ${shown}`,
    { hint: 'Could not choose a best candidate operator. You might need to add explicit type casts.' });
}

export function isAggregateName(name: string): boolean {
  ensureLoaded();
  return aggregates.has(name.toLowerCase());
}

/** undefined if no aggregate of that name exists (then it's a scalar function). Throws 42883/42725 otherwise. */
export function resolveAggregate(
  name: string, argTypes: readonly SqlType[],
): { agg: AggregateFunction; argTypes: readonly SqlType[]; returnType: SqlType } | undefined {
  ensureLoaded();
  const lname = name.toLowerCase();
  const list = aggregates.get(lname);
  if (!list) return undefined;
  const picked = pickOne(candidatesFor(list, argTypes), argTypes);
  if (picked.length === 1) {
    const m = picked[0]!;
    const { argTypes: at, elem } = finalTypes(m, argTypes);
    const returnType = computeReturn(m.f.returnType, at, elem);
    const agg = m.f.bind ? m.f.bind(at, returnType) : m.f;
    return { agg, argTypes: at, returnType };
  }
  const shown = argTypes.length ? argList(argTypes) : '*';
  if (picked.length === 0) {
    throw new SqlError(SqlState.UndefinedFunction, `function ${lname}(${shown}) does not exist`,
      { hint: 'No function matches the given name and argument types. You might need to add explicit type casts.' });
  }
  throw new SqlError(SqlState.AmbiguousFunction, `function ${lname}(${shown}) is not unique`,
    { hint: 'Could not choose a best candidate function. You might need to add explicit type casts.' });
}

export interface ResolvedSetCall {
  readonly fn: SetFunction;
  readonly argTypes: readonly SqlType[];
  readonly columns: { name: string; type: SqlType }[];
}

/** undefined if no set-returning function of that name exists. Throws 42883/42725 otherwise. */
export function resolveSetFunction(name: string, argTypes: readonly SqlType[]): ResolvedSetCall | undefined {
  ensureLoaded();
  const lname = name.toLowerCase();
  const list = setFunctions.get(lname);
  if (!list) return undefined;
  const picked = pickOne(candidatesFor(list, argTypes), argTypes);
  if (picked.length === 1) {
    const m = picked[0]!;
    const { argTypes: at } = finalTypes(m, argTypes);
    const fn = m.f.bind ? { ...m.f, impl: m.f.bind(at) } : m.f;
    return { fn, argTypes: at, columns: m.f.columns(at) };
  }
  if (picked.length === 0) {
    throw new SqlError(SqlState.UndefinedFunction, `function ${lname}(${argList(argTypes)}) does not exist`,
      { hint: 'No function matches the given name and argument types. You might need to add explicit type casts.' });
  }
  throw new SqlError(SqlState.AmbiguousFunction, `function ${lname}(${argList(argTypes)}) is not unique`,
    { hint: 'Could not choose a best candidate function. You might need to add explicit type casts.' });
}

export function isSetFunctionName(name: string): boolean {
  ensureLoaded();
  return setFunctions.has(name.toLowerCase());
}

export function allFunctions(): readonly ScalarFunction[] {
  ensureLoaded();
  return [...functions.values()].flat();
}
export function allOperators(): readonly ScalarFunction[] {
  ensureLoaded();
  return [...operators.values()].flat();
}
export function allAggregates(): readonly AggregateFunction[] {
  ensureLoaded();
  return [...aggregates.values()].flat();
}
export function allSetFunctions(): readonly SetFunction[] {
  ensureLoaded();
  return [...setFunctions.values()].flat();
}
