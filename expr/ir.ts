// Scalar expressions as plain data. The binder resolves names to column positions and
// functions to registry entries; exec/compile.ts turns an Expr into a closure once.
import type { SqlType } from '../core/types.js';
import type { Datum } from '../core/datum.js';
import type { ScalarFunction } from './functions/registry.js';
import type { Plan } from './plan.js';

export type Expr =
  /** column of the current input row */
  | { readonly kind: 'col'; readonly index: number; readonly type: SqlType }
  /** column of an enclosing query's row (correlated subquery); depth 1 = the immediately enclosing query */
  | { readonly kind: 'outer'; readonly depth: number; readonly index: number; readonly type: SqlType }
  | { readonly kind: 'const'; readonly value: Datum; readonly type: SqlType }
  /** $n, index is 0-based */
  | { readonly kind: 'param'; readonly index: number; readonly type: SqlType }
  | { readonly kind: 'call'; readonly fn: ScalarFunction; readonly args: readonly Expr[]; readonly type: SqlType }
  | { readonly kind: 'cast'; readonly arg: Expr; readonly type: SqlType; readonly explicit: boolean }
  | { readonly kind: 'and' | 'or'; readonly args: readonly Expr[]; readonly type: SqlType }
  | { readonly kind: 'not'; readonly arg: Expr; readonly type: SqlType }
  | { readonly kind: 'isNull'; readonly arg: Expr; readonly negate: boolean; readonly type: SqlType }
  /** IS [NOT] TRUE / FALSE / UNKNOWN */
  | { readonly kind: 'isBool'; readonly arg: Expr; readonly test: 'true' | 'false' | 'unknown'; readonly negate: boolean; readonly type: SqlType }
  | { readonly kind: 'case'; readonly whens: readonly { readonly cond: Expr; readonly result: Expr }[]; readonly otherwise: Expr; readonly type: SqlType }
  | { readonly kind: 'coalesce'; readonly args: readonly Expr[]; readonly type: SqlType }
  | { readonly kind: 'greatest' | 'least'; readonly args: readonly Expr[]; readonly type: SqlType }
  | { readonly kind: 'nullif'; readonly left: Expr; readonly right: Expr; readonly eq: ScalarFunction; readonly type: SqlType }
  /** x [NOT] IN (list): eq is the resolved equality for each element (already coerced) */
  | { readonly kind: 'inList'; readonly arg: Expr; readonly list: readonly Expr[]; readonly eq: ScalarFunction; readonly negate: boolean; readonly type: SqlType }
  /** x IS [NOT] DISTINCT FROM y */
  | { readonly kind: 'distinct'; readonly left: Expr; readonly right: Expr; readonly eq: ScalarFunction; readonly negate: boolean; readonly type: SqlType }
  /** x op ANY/ALL (array) */
  | { readonly kind: 'anyAll'; readonly arg: Expr; readonly array: Expr; readonly op: ScalarFunction; readonly all: boolean; readonly type: SqlType }
  | { readonly kind: 'subquery'; readonly mode: 'scalar' | 'exists' | 'array'; readonly plan: Plan; readonly correlated: boolean; readonly type: SqlType }
  /** x op ANY/ALL (subquery), IN (subquery) = '= ANY' */
  | { readonly kind: 'subqueryCmp'; readonly args: readonly Expr[]; readonly ops: readonly ScalarFunction[]; readonly all: boolean; readonly plan: Plan; readonly correlated: boolean; readonly type: SqlType }
  | { readonly kind: 'array'; readonly args: readonly Expr[]; readonly type: SqlType }
  | { readonly kind: 'subscript'; readonly arg: Expr; readonly index: Expr; readonly upper: Expr | null; readonly slice: boolean; readonly type: SqlType }
  /** (record).field */
  | { readonly kind: 'field'; readonly arg: Expr; readonly index: number; readonly type: SqlType }
  /** ROW(...) as a value, only for comparisons and IN */
  | { readonly kind: 'row'; readonly args: readonly Expr[]; readonly type: SqlType };

export type ExprKind = Expr['kind'];

export function exprType(e: Expr): SqlType {
  return e.type;
}

export function isConst(e: Expr): e is Extract<Expr, { kind: 'const' }> {
  return e.kind === 'const';
}

/** Visits direct children (not subquery plans). */
export function exprChildren(e: Expr): Expr[] {
  switch (e.kind) {
    case 'col': case 'outer': case 'const': case 'param': case 'subquery': return [];
    case 'call': return [...e.args];
    case 'cast': case 'not': case 'isNull': case 'isBool': case 'field': return [e.arg];
    case 'and': case 'or': case 'coalesce': case 'greatest': case 'least': case 'array': case 'row': return [...e.args];
    case 'case': return [...e.whens.flatMap((w) => [w.cond, w.result]), e.otherwise];
    case 'nullif': case 'distinct': return [e.left, e.right];
    case 'inList': return [e.arg, ...e.list];
    case 'anyAll': return [e.arg, e.array];
    case 'subqueryCmp': return [...e.args];
    case 'subscript': return e.upper ? [e.arg, e.index, e.upper] : [e.arg, e.index];
  }
}

/** Rebuilds an expression bottom-up with `f` applied to every node (children first). */
export function mapExpr(e: Expr, f: (e: Expr) => Expr): Expr {
  const m = (x: Expr): Expr => mapExpr(x, f);
  let n: Expr;
  switch (e.kind) {
    case 'col': case 'outer': case 'const': case 'param': case 'subquery': n = e; break;
    case 'call': n = { ...e, args: e.args.map(m) }; break;
    case 'cast': case 'not': case 'isNull': case 'isBool': case 'field': n = { ...e, arg: m(e.arg) }; break;
    case 'and': case 'or': case 'coalesce': case 'greatest': case 'least': case 'array': case 'row': n = { ...e, args: e.args.map(m) }; break;
    case 'case': n = { ...e, whens: e.whens.map((w) => ({ cond: m(w.cond), result: m(w.result) })), otherwise: m(e.otherwise) }; break;
    case 'nullif': case 'distinct': n = { ...e, left: m(e.left), right: m(e.right) }; break;
    case 'inList': n = { ...e, arg: m(e.arg), list: e.list.map(m) }; break;
    case 'anyAll': n = { ...e, arg: m(e.arg), array: m(e.array) }; break;
    case 'subqueryCmp': n = { ...e, args: e.args.map(m) }; break;
    case 'subscript': n = { ...e, arg: m(e.arg), index: m(e.index), upper: e.upper ? m(e.upper) : null }; break;
  }
  return f(n);
}

export function someExpr(e: Expr, pred: (e: Expr) => boolean): boolean {
  if (pred(e)) return true;
  return exprChildren(e).some((c) => someExpr(c, pred));
}

/** A canonical string for structural equality (GROUP BY matching, DISTINCT ON, dedup). */
export function exprKey(e: Expr): string {
  switch (e.kind) {
    case 'col': return `c${e.index}`;
    case 'outer': return `o${e.depth}.${e.index}`;
    case 'const': return `k${typeKey(e.type)}:${constKey(e.value)}`;
    case 'param': return `p${e.index}`;
    case 'call': return `f${e.fn.name}/${e.fn.argTypes.map(typeKey).join(',')}(${e.args.map(exprKey).join(',')})`;
    case 'cast': return `cast(${exprKey(e.arg)} as ${typeKey(e.type)})`;
    case 'subquery': case 'subqueryCmp': return `sq${subqueryIds.get(e.plan) ?? assignId(e.plan)}`;
    default: return `${e.kind}(${exprChildren(e).map(exprKey).join(',')})${'negate' in e ? String(e.negate) : ''}${'test' in e ? e.test : ''}${'all' in e ? String(e.all) : ''}`;
  }
}
const subqueryIds = new WeakMap<object, number>();
let nextSubqueryId = 1;
function assignId(p: object): number { const id = nextSubqueryId++; subqueryIds.set(p, id); return id; }
function typeKey(t: SqlType): string { return t.kind === 'array' ? t.elem.name + '[]' : t.name; }
function constKey(v: Datum): string {
  if (v === null) return 'null';
  if (typeof v === 'bigint') return v.toString() + 'n';
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (typeof v === 'object') return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)) + String(v);
  return JSON.stringify(v);
}
