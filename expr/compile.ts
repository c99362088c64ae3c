// Compiles scalar Expr IR into closures, once per expression node (cached by identity).
// Closures take the row and an evaluation environment, so one compiled plan serves every
// execution of a prepared statement with different parameters. Both the batch executor and the
// dataflow use it; subqueries run through the environment (the executor provides runPlan).
import { T, type SqlType } from '../core/types.js';
import type { Datum, Row } from '../core/datum.js';
import { SqlError, SqlState, assertNever } from '../core/errors.js';
import { castDatum, applyTypmod, compareDatums } from '../core/values/io.js';
import type { Expr } from './ir.js';
import type { Plan } from './plan.js';
import type { ScalarFunction, EvalContext } from './functions/registry.js';

/** What compiled expressions read besides the row. */
export interface EvalEnv {
  readonly params: readonly Datum[];
  readonly evalCtx: EvalContext;
  /** rows of enclosing queries for correlated subqueries and LATERAL; last = innermost */
  readonly outer: Row[];
  readonly subqueryCache: Map<object, Row[]>;
  /** runs a subquery's plan to its rows (at most `limit` when > 0); the batch executor provides it */
  runPlan(plan: Plan, limit?: number): Row[];
}

export type Compiled = (row: Row, cx: EvalEnv) => Datum;

const cache = new WeakMap<Expr, Compiled>();

export function compile(e: Expr): Compiled {
  let c = cache.get(e);
  if (!c) { c = build(e); cache.set(e, c); }
  return c;
}

function callFn(fn: ScalarFunction, args: readonly Expr[]): Compiled {
  const impl = fn.impl;
  const strict = fn.strict;
  const n = args.length;
  if (n === 0) return (_r, cx) => impl([], cx.evalCtx);
  if (n === 1) {
    const a0 = compile(args[0]!);
    return (r, cx) => {
      const v = a0(r, cx);
      if (strict && v === null) return null;
      return impl([v], cx.evalCtx);
    };
  }
  if (n === 2) {
    const a0 = compile(args[0]!);
    const a1 = compile(args[1]!);
    return (r, cx) => {
      const v0 = a0(r, cx);
      if (strict && v0 === null) return null;
      const v1 = a1(r, cx);
      if (strict && v1 === null) return null;
      return impl([v0, v1], cx.evalCtx);
    };
  }
  const cs = args.map(compile);
  return (r, cx) => {
    const vals = new Array<Datum>(n);
    for (let i = 0; i < n; i++) {
      const v = cs[i]!(r, cx);
      if (strict && v === null) return null;
      vals[i] = v;
    }
    return impl(vals, cx.evalCtx);
  };
}

function build(e: Expr): Compiled {
  switch (e.kind) {
    case 'col': { const i = e.index; return (r) => r[i] ?? null; }
    case 'outer': {
      const d = e.depth; const i = e.index;
      return (_r, cx) => {
        const o = cx.outer[cx.outer.length - d];
        if (!o) throw new SqlError(SqlState.InternalError, 'internal error: missing outer row');
        return o[i] ?? null;
      };
    }
    case 'const': { const v = e.value; return () => v; }
    case 'param': { const i = e.index; return (_r, cx) => cx.params[i] ?? null; }
    case 'call': return callFn(e.fn, e.args);
    case 'cast': {
      const a = compile(e.arg);
      const from = e.arg.type;
      const to = e.type;
      const explicit = e.explicit;
      const base: SqlType = to.typmod === -1 ? to : to.kind === 'array' ? { kind: 'array', elem: to.elem, typmod: -1 } : { kind: 'scalar', name: to.name, typmod: -1 };
      const withMod = to.typmod !== -1;
      return (r, cx) => {
        const v = a(r, cx);
        if (v === null) return null;
        const c = castDatum(from, base, v, cx.evalCtx.settings);
        return withMod ? applyTypmod(to, c, explicit) : c;
      };
    }
    case 'and': {
      const cs = e.args.map(compile);
      return (r, cx) => {
        let sawNull = false;
        for (const c of cs) {
          const v = c(r, cx);
          if (v === false) return false;
          if (v === null) sawNull = true;
        }
        return sawNull ? null : true;
      };
    }
    case 'or': {
      const cs = e.args.map(compile);
      return (r, cx) => {
        let sawNull = false;
        for (const c of cs) {
          const v = c(r, cx);
          if (v === true) return true;
          if (v === null) sawNull = true;
        }
        return sawNull ? null : false;
      };
    }
    case 'not': { const a = compile(e.arg); return (r, cx) => { const v = a(r, cx); return v === null ? null : !v; }; }
    case 'isNull': {
      const a = compile(e.arg);
      const neg = e.negate;
      if (e.arg.kind === 'row') {
        const parts = e.arg.args.map(compile);
        return (r, cx) => {
          const vals = parts.map((p) => p(r, cx));
          return neg ? vals.every((v) => v !== null) : vals.every((v) => v === null);
        };
      }
      return (r, cx) => (a(r, cx) === null) !== neg;
    }
    case 'isBool': {
      const a = compile(e.arg);
      const want = e.test === 'true' ? true : e.test === 'false' ? false : null;
      const neg = e.negate;
      return (r, cx) => (a(r, cx) === want) !== neg;
    }
    case 'case': {
      const whens = e.whens.map((w) => [compile(w.cond), compile(w.result)] as const);
      const other = compile(e.otherwise);
      return (r, cx) => {
        for (const [c, v] of whens) if (c(r, cx) === true) return v(r, cx);
        return other(r, cx);
      };
    }
    case 'coalesce': {
      const cs = e.args.map(compile);
      return (r, cx) => {
        for (const c of cs) { const v = c(r, cx); if (v !== null) return v; }
        return null;
      };
    }
    case 'greatest': case 'least': {
      const cs = e.args.map(compile);
      const t = e.type;
      const g = e.kind === 'greatest';
      return (r, cx) => {
        let best: Datum = null;
        for (const c of cs) {
          const v = c(r, cx);
          if (v === null) continue;
          if (best === null) { best = v; continue; }
          const cmp = compareDatums(t, v, best);
          if (g ? cmp > 0 : cmp < 0) best = v;
        }
        return best;
      };
    }
    case 'nullif': {
      const l = compile(e.left); const rr = compile(e.right); const eq = e.eq.impl;
      return (r, cx) => {
        const a = l(r, cx);
        const b = rr(r, cx);
        if (a === null || b === null) return a;
        return eq([a, b], cx.evalCtx) === true ? null : a;
      };
    }
    case 'inList': {
      const a = compile(e.arg);
      const items = e.list.map(compile);
      const eq = e.eq.impl;
      const neg = e.negate;
      return (r, cx) => {
        const v = a(r, cx);
        if (v === null) return null;
        let sawNull = false;
        for (const it of items) {
          const x = it(r, cx);
          if (x === null) { sawNull = true; continue; }
          if (eq([v, x], cx.evalCtx) === true) return !neg;
        }
        return sawNull ? null : neg;
      };
    }
    case 'distinct': {
      const l = compile(e.left); const rr = compile(e.right); const eq = e.eq.impl; const neg = e.negate;
      return (r, cx) => {
        const a = l(r, cx);
        const b = rr(r, cx);
        let distinct: boolean;
        if (a === null || b === null) distinct = !(a === null && b === null);
        else distinct = eq([a, b], cx.evalCtx) !== true;
        return neg ? !distinct : distinct;
      };
    }
    case 'anyAll': {
      const a = compile(e.arg); const arr = compile(e.array); const op = e.op.impl; const all = e.all;
      return (r, cx) => {
        const v = a(r, cx);
        const list = arr(r, cx) as Datum[] | null;
        if (list === null) return null;
        if (list.length === 0) return all;
        if (v === null) return null;
        return quantified(v, flatten(list), op, all, cx);
      };
    }
    case 'subquery': return compileSubquery(e);
    case 'subqueryCmp': {
      const args = e.args.map(compile);
      const ops = e.ops.map((o) => o.impl);
      const plan = e.plan;
      const all = e.all;
      const correlated = e.correlated;
      return (r, cx) => {
        const vals = args.map((a) => a(r, cx));
        const rows = correlated ? withOuter(cx, r, () => cx.runPlan(plan)) : cachedRows(cx, e, () => cx.runPlan(plan));
        if (rows.length === 0) return all;
        let sawNull = false;
        for (const row of rows) {
          let res: boolean | null = true;
          for (let i = 0; i < vals.length; i++) {
            const a = vals[i]!; const b = row[i] ?? null;
            const x = a === null || b === null ? null : (ops[i]!([a, b], cx.evalCtx) as boolean | null);
            if (x === false) { res = false; break; }
            if (x === null) res = null;
          }
          if (all) {
            if (res === false) return false;
            if (res === null) sawNull = true;
          } else {
            if (res === true) return true;
            if (res === null) sawNull = true;
          }
        }
        return sawNull ? null : all;
      };
    }
    case 'array': {
      const cs = e.args.map(compile);
      return (r, cx) => cs.map((c) => c(r, cx));
    }
    case 'subscript': {
      const a = compile(e.arg); const i = compile(e.index); const u = e.upper ? compile(e.upper) : null; const slice = e.slice;
      // int2vector / oidvector subscripts start at 0
      const base = e.arg.type.kind === 'array' && e.arg.type.vector ? 0 : 1;
      return (r, cx) => {
        const arr = a(r, cx) as Datum[] | null;
        if (arr === null) return null;
        if (!slice) {
          const k = i(r, cx) as number | null;
          if (k === null) return null;
          return arr[k - base] ?? null;
        }
        const lo = (i(r, cx) as number | null) ?? base;
        const hi = (u ? (u(r, cx) as number | null) : null) ?? arr.length - 1 + base;
        return arr.slice(Math.max(lo, base) - base, Math.max(hi - base + 1, 0));
      };
    }
    case 'field': {
      const a = compile(e.arg); const i = e.index;
      return (r, cx) => { const rec = a(r, cx) as Datum[] | null; return rec === null ? null : (rec[i] ?? null); };
    }
    case 'row': {
      const cs = e.args.map(compile);
      return (r, cx) => cs.map((c) => c(r, cx));
    }
    default: return assertNever(e, 'expression');
  }
}

function flatten(list: readonly Datum[]): Datum[] {
  return list.some(Array.isArray) ? (list as Datum[]).flat(Infinity as 1) as Datum[] : (list as Datum[]);
}

function quantified(v: Datum, list: readonly Datum[], op: ScalarFunction['impl'], all: boolean, cx: EvalEnv): Datum {
  let sawNull = false;
  for (const x of list) {
    if (x === null) { sawNull = true; continue; }
    const res = op([v, x], cx.evalCtx);
    if (res === null) { sawNull = true; continue; }
    if (all && res === false) return false;
    if (!all && res === true) return true;
  }
  return sawNull ? null : all;
}

export function withOuter<R>(cx: EvalEnv, row: Row, f: () => R): R {
  cx.outer.push(row);
  try { return f(); } finally { cx.outer.pop(); }
}

function cachedRows(cx: EvalEnv, key: object, f: () => Row[]): Row[] {
  let rows = cx.subqueryCache.get(key);
  if (!rows) { rows = f(); cx.subqueryCache.set(key, rows); }
  return rows;
}

function compileSubquery(e: Extract<Expr, { kind: 'subquery' }>): Compiled {
  const plan = e.plan;
  const correlated = e.correlated;
  const run = (r: Row, cx: EvalEnv, limit: number): Row[] =>
    correlated ? withOuter(cx, r, () => cx.runPlan(plan, limit)) : cachedRows(cx, e, () => cx.runPlan(plan, limit));
  switch (e.mode) {
    case 'exists': return (r, cx) => run(r, cx, 1).length > 0;
    case 'scalar': return (r, cx) => {
      const rows = run(r, cx, 2);
      if (rows.length > 1) throw new SqlError(SqlState.CardinalityViolation, 'more than one row returned by a subquery used as an expression');
      return rows.length ? (rows[0]![0] ?? null) : null;
    };
    case 'array': return (r, cx) => run(r, cx, 0).map((row) => row[0] ?? null);
  }
}

export const BOOL_TYPE = T.bool;
