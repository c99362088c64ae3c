// Binds parsed scalar expressions (libpg-query AST) to Expr IR: resolves column names
// through scopes, functions and operators through the registry, and inserts the casts
// PostgreSQL's coercion rules call for. Aggregates and window calls found along the way are
// handed to collectors and replaced by placeholders the SELECT binder rewrites later.
import type { Node, FuncCall, A_Expr, SubLink, TypeCast } from '@pgsql/types';
import { T, TYPE_INFO, arrayOf, recordOf, sameType, typeDisplayName, typeFromOid, formatTypeWithMod, type SqlType } from '../core/types.js';
import { systemTableOid } from './system-oids.js';
import { typeAlias } from './type-names.js';
import type { Datum } from '../core/datum.js';
import { SqlError, SqlState } from '../core/errors.js';
import { parseText, castDatum, applyTypmod } from '../core/values/io.js';
import type { Expr } from '../expr/ir.js';
import {
  resolveFunction, resolveOperator, resolveAggregate, isAggregateName, canCoerce, commonType,
  isSetFunctionName, resolveSetFunction,
  type ScalarFunction, type CoercionContext, type SetFunction,
} from '../expr/functions/registry.js';
import type { AggCall, WindowCall, SortKey, Plan, SrfCall } from '../expr/plan.js';
import { ORDERED_SET_AGGREGATES } from '../expr/functions/ordered-set-aggregates.js';
import { functionName, functionOid } from '../catalog/builtin-functions.js';
import { Scope, type BindEnv } from './scope.js';
import { resolveTypeName, typeNameParts } from './type-names.js';
import { bindSubquery } from './bind-select.js';
import { bindWindowCall } from './bind-window.js';
import { sessionFunction } from './session-functions.js';
import { catalogFunction } from './catalog-functions.js';
import { positionalArgs } from './named-args.js';
import { parseExpr } from './parse-expr.js';

/** Column indexes at or above these mark placeholders for aggregates and window calls. */
export const AGG_BASE = 1_000_000_000;
export const WIN_BASE = 2_000_000_000;
/** Placeholder for GROUPING(...) calls: AGG_BASE/2 + i */
export const GROUPING_BASE = 500_000_000;
/** placeholders for set-returning functions in a SELECT list */
export const SRF_BASE = 3_000_000_000;

export interface ExprCtx {
  readonly env: BindEnv;
  readonly scope: Scope;
  /** where aggregates are allowed, they are collected here */
  readonly aggs: AggCall[] | null;
  readonly windows: WindowCall[] | null;
  /** GROUPING(args) calls, collected as arg lists */
  readonly groupings?: Expr[][] | null;
  /** describes the clause for "aggregate functions are not allowed in X" */
  readonly clause: string;
  /** set-returning functions, where allowed (the SELECT list) */
  readonly srfs?: SrfCall[] | null;
  /** WINDOW w AS (...) definitions of the current SELECT */
  readonly namedWindows?: ReadonlyMap<string, import('@pgsql/types').WindowDef>;
}

export function pos(loc: number | undefined): { position?: number } {
  return loc === undefined || loc < 0 ? {} : { position: loc + 1 };
}

export function str(n: Node): string {
  if ('String' in n) return n.String.sval ?? '';
  throw new SqlError(SqlState.SyntaxError, 'expected a name');
}

const BOOL = T.bool;

export function bindExpr(node: Node, ctx: ExprCtx): Expr {
  if ('A_Const' in node) return bindConst(node.A_Const);
  if ('ColumnRef' in node) return bindColumnRef(node.ColumnRef.fields ?? [], node.ColumnRef.location, ctx);
  if ('ParamRef' in node) {
    const n = node.ParamRef.number ?? 0;
    if (n < 1 || n > 65535) throw new SqlError(SqlState.UndefinedParameter, `there is no parameter $${n}`, pos(node.ParamRef.location));
    const params = ctx.env.params;
    while (params.length < n) params.push(T.unknown);
    return { kind: 'param', index: n - 1, type: params[n - 1]! };
  }
  if ('TypeCast' in node) return bindTypeCast(node.TypeCast, ctx);
  if ('A_Expr' in node) return bindAExpr(node.A_Expr, ctx);
  if ('BoolExpr' in node) {
    const b = node.BoolExpr;
    const args = (b.args ?? []).map((a) => coerceBool(bindExpr(a, ctx), ctx.env, b.boolop === 'NOT_EXPR' ? 'NOT' : b.boolop === 'AND_EXPR' ? 'AND' : 'OR'));
    if (b.boolop === 'NOT_EXPR') return { kind: 'not', arg: args[0]!, type: BOOL };
    return { kind: b.boolop === 'AND_EXPR' ? 'and' : 'or', args, type: BOOL };
  }
  if ('NullTest' in node) {
    const arg = bindExpr(node.NullTest.arg!, ctx);
    return { kind: 'isNull', arg: resolveUnknown(arg, ctx.env), negate: node.NullTest.nulltesttype === 'IS_NOT_NULL', type: BOOL };
  }
  if ('BooleanTest' in node) {
    const arg = coerceBool(bindExpr(node.BooleanTest.arg!, ctx), ctx.env, 'IS');
    const t = node.BooleanTest.booltesttype ?? 'IS_TRUE';
    const test = t.includes('TRUE') ? 'true' : t.includes('FALSE') ? 'false' : 'unknown';
    return { kind: 'isBool', arg, test, negate: t.includes('NOT'), type: BOOL };
  }
  if ('CaseExpr' in node) return bindCase(node.CaseExpr, ctx);
  if ('CoalesceExpr' in node) {
    const args = (node.CoalesceExpr.args ?? []).map((a) => bindExpr(a, ctx));
    const t = commonType(args.map((a) => a.type), 'COALESCE');
    return { kind: 'coalesce', args: args.map((a) => coerce(a, t, 'implicit', ctx.env)), type: t };
  }
  if ('MinMaxExpr' in node) {
    const args = (node.MinMaxExpr.args ?? []).map((a) => bindExpr(a, ctx));
    const isG = node.MinMaxExpr.op === 'IS_GREATEST';
    const t = commonType(args.map((a) => a.type), isG ? 'GREATEST' : 'LEAST');
    resolveOperator('<', t, t); // errors if the type has no ordering
    return { kind: isG ? 'greatest' : 'least', args: args.map((a) => coerce(a, t, 'implicit', ctx.env)), type: t };
  }
  if ('FuncCall' in node) return bindFuncCall(node.FuncCall, ctx);
  if ('SubLink' in node) return bindSubLink(node.SubLink, ctx);
  if ('A_ArrayExpr' in node) {
    const elems = (node.A_ArrayExpr.elements ?? []).map((e) => bindExpr(e, ctx));
    if (elems.length === 0) return { kind: 'array', args: [], type: arrayOf(T.text) };
    const t = commonType(elems.map((e) => e.type), 'ARRAY');
    const et = t.kind === 'array' ? t.elem : t;
    return { kind: 'array', args: elems.map((e) => coerce(e, t.kind === 'array' ? t : et, 'implicit', ctx.env)), type: t.kind === 'array' ? t : arrayOf(et) };
  }
  if ('A_Indirection' in node) return bindIndirection(node.A_Indirection.arg!, node.A_Indirection.indirection ?? [], ctx);
  if ('CollateClause' in node) return bindExpr(node.CollateClause.arg!, ctx);
  if ('SQLValueFunction' in node) return bindSqlValueFunction(node.SQLValueFunction.op ?? 'SVFOP_CURRENT_TIMESTAMP', ctx);
  if ('RowExpr' in node) {
    const args = (node.RowExpr.args ?? []).map((a) => resolveUnknown(bindExpr(a, ctx), ctx.env));
    return { kind: 'row', args, type: recordOf(args.map((a, i) => ({ name: `f${i + 1}`, type: a.type }))) };
  }
  if ('GroupingFunc' in node) {
    if (!ctx.groupings) throw new SqlError(SqlState.GroupingError, `arguments to GROUPING must be grouping expressions of the associated query level`);
    const args = (node.GroupingFunc.args ?? []).map((a) => bindExpr(a, { ...ctx, aggs: null, windows: null }));
    ctx.groupings.push(args);
    return { kind: 'col', index: GROUPING_BASE + ctx.groupings.length - 1, type: T.int4 };
  }
  if ('SetToDefault' in node) throw new SqlError(SqlState.FeatureNotSupported, 'DEFAULT is not allowed in this context');
  const kind = Object.keys(node)[0] ?? 'unknown';
  throw new SqlError(SqlState.FeatureNotSupported, `unsupported expression: ${kind}`);
}

function bindConst(c: import('@pgsql/types').A_Const): Expr {
  if (c.isnull) return { kind: 'const', value: null, type: T.unknown };
  if (c.ival !== undefined) return { kind: 'const', value: c.ival.ival ?? 0, type: T.int4 };
  if (c.fval !== undefined) {
    const s = c.fval.fval ?? '0';
    if (/^-?\d+$/.test(s)) {
      const b = BigInt(s);
      if (b >= -(2n ** 63n) && b < 2n ** 63n) return { kind: 'const', value: b, type: T.int8 };
    }
    return { kind: 'const', value: parseText(T.numeric, s, DEFAULT_SETTINGS_FOR_CONST), type: T.numeric };
  }
  if (c.boolval !== undefined) return { kind: 'const', value: c.boolval.boolval ?? false, type: T.bool };
  if (c.sval !== undefined) return { kind: 'const', value: c.sval.sval ?? '', type: T.unknown };
  if (c.bsval !== undefined) return { kind: 'const', value: c.bsval.bsval ?? '', type: T.text };
  return { kind: 'const', value: null, type: T.unknown };
}
import { DEFAULT_VALUE_SETTINGS as DEFAULT_SETTINGS_FOR_CONST } from '../core/values/settings.js';

/** `t` or `t.*` used as a value: a record of the range's visible columns. */
function wholeRow(table: string, ctx: ExprCtx): Expr | null {
  let depth = 0;
  for (let s: Scope | null = ctx.scope; s; s = s.parent, depth++) {
    if (!s.hasTable(table)) continue;
    const args: Expr[] = [];
    const fields: { name: string; type: SqlType }[] = [];
    s.cols.forEach((c, i) => {
      if (c.table !== table || c.hiddenStar) return;
      args.push(depth === 0 ? { kind: 'col', index: i, type: c.type } : { kind: 'outer', depth, index: i, type: c.type });
      fields.push({ name: c.name, type: c.type });
    });
    if (depth > 0) for (let m: Scope | null = ctx.scope, k = 0; m && k < depth; m = m.parent, k++) m.correlated = true;
    return { kind: 'row', args, type: recordOf(fields) };
  }
  return null;
}

function bindColumnRef(fields: readonly Node[], location: number | undefined, ctx: ExprCtx): Expr {
  const names: string[] = [];
  for (const f of fields) {
    if ('A_Star' in f) {
      const row = names.length > 0 ? wholeRow(names[names.length - 1]!, ctx) : null;
      if (row) return row;
      throw new SqlError(SqlState.SyntaxError, 'row expansion via "*" is not supported here', pos(location));
    }
    names.push(str(f));
  }
  const name = names[names.length - 1]!;
  const table = names.length >= 2 ? names[names.length - 2]! : null;
  let depth = 0;
  for (let s: Scope | null = ctx.scope; s; s = s.parent, depth++) {
    const i = s.lookupLocal(table, name, location === undefined ? undefined : location + 1);
    if (i >= 0) {
      const col = s.cols[i]!;
      if (depth === 0) return { kind: 'col', index: i, type: col.type };
      for (let m: Scope | null = ctx.scope, k = 0; m && k < depth; m = m.parent, k++) m.correlated = true;
      return { kind: 'outer', depth, index: i, type: col.type };
    }
  }
  // the system column tableoid: the OID of the relation a row comes from (psql's \dd reads it)
  if (name === 'tableoid') {
    for (let s: Scope | null = ctx.scope; s; s = s.parent) {
      const oids = new Set(s.cols.filter((c) => (table === null || c.table === table) && c.tableOid !== undefined).map((c) => c.tableOid!));
      if (oids.size === 1) return { kind: 'const', value: [...oids][0]!, type: T.oid };
    }
  }
  // A whole-row reference `t` used as a value is rare; report like PostgreSQL.
  if (table === null) {
    const row = wholeRow(name, ctx);
    if (row) return row;
    throw new SqlError(SqlState.UndefinedColumn, `column "${name}" does not exist`, pos(location));
  }
  let known = false;
  for (let s: Scope | null = ctx.scope; s; s = s.parent) if (s.hasTable(table)) known = true;
  if (!known) throw new SqlError(SqlState.UndefinedTable, `missing FROM-clause entry for table "${table}"`, pos(location));
  throw new SqlError(SqlState.UndefinedColumn, `column ${table}.${name} does not exist`, pos(location));
}

function bindTypeCast(tc: TypeCast, ctx: ExprCtx): Expr {
  const target = resolveTypeName(tc.typeName!);
  // Array literals like ARRAY[]::int[] take their type from the cast
  if (tc.arg && 'A_ArrayExpr' in tc.arg && target.kind === 'array' && (tc.arg.A_ArrayExpr.elements ?? []).length === 0) {
    return { kind: 'array', args: [], type: target };
  }
  const arg = bindExpr(tc.arg!, ctx);
  return coerce(arg, target, 'explicit', ctx.env, tc.location);
}

/** Converts e to type `to` if the coercion context allows it; folds constants; infers parameter types. */
export function coerce(e: Expr, to: SqlType, context: CoercionContext, env: BindEnv, location?: number): Expr {
  if (sameType(e.type, to) && (to.typmod === -1 || e.type.typmod === to.typmod)) return e;
  if (to.kind === 'scalar' && (to.name === 'anyelement' || to.name === 'anyarray' || to.name === 'unknown')) return e;
  if (e.kind === 'param' && e.type.kind === 'scalar' && e.type.name === 'unknown') {
    env.params[e.index] = to.typmod === -1 ? to : stripTypmod(to);
    const p: Expr = { kind: 'param', index: e.index, type: env.params[e.index]! };
    return to.typmod === -1 ? p : { kind: 'cast', arg: p, type: to, explicit: context === 'explicit' };
  }
  if (e.kind === 'const' && e.type.kind === 'scalar' && e.type.name === 'unknown') {
    if (e.value === null) return { kind: 'const', value: null, type: to };
    if (to.kind === 'scalar' && (to.name === 'regclass' || to.name === 'regtype' || to.name === 'regnamespace' || to.name === 'regproc')) {
      return { kind: 'const', value: regLookup(to.name, e.value as string, env, location), type: to };
    }
    try {
      // an interval's fields say what a bare number means (INTERVAL '12' HOUR): parse with them
      const parseAs = to.kind === 'scalar' && to.name === 'interval' ? to : stripTypmod(to);
      let v = parseText(parseAs, e.value as string, env.settings);
      if (to.typmod !== -1) v = applyTypmod(to, v, context === 'explicit');
      return { kind: 'const', value: v, type: to };
    } catch (err) {
      if (err instanceof SqlError && location !== undefined && err.fields.position === undefined) {
        throw new SqlError(err.code, err.message, { ...err.fields, ...pos(location) });
      }
      throw err;
    }
  }
  if (e.type.kind === 'scalar' && e.type.name.startsWith('reg') && to.kind === 'scalar' && (to.name === 'text' || to.name === 'varchar' || to.name === 'name')) {
    return regToText(e, to, env);
  }
  // text -> regclass / regtype / ...: names resolved through the statement's catalog when the row is evaluated
  if (to.kind === 'scalar' && (to.name === 'regclass' || to.name === 'regtype' || to.name === 'regnamespace' || to.name === 'regproc')
    && e.type.kind === 'scalar' && (e.type.name === 'text' || e.type.name === 'varchar' || e.type.name === 'name' || e.type.name === 'bpchar')) {
    const kind = to.name;
    const fn: ScalarFunction = { name: kind, argTypes: [e.type], returnType: to, strict: true, volatility: 'stable', impl: (a) => regLookup(kind, a[0] as string, env) };
    return { kind: 'call', fn, args: [e], type: to };
  }
  if (!canCoerce(e.type, to, context)) {
    if (context === 'explicit') {
      throw new SqlError(SqlState.CannotCoerce, `cannot cast type ${typeDisplayName(e.type)} to ${typeDisplayName(to)}`, pos(location));
    }
    throw new SqlError(SqlState.DatatypeMismatch, `cannot convert type ${typeDisplayName(e.type)} to ${typeDisplayName(to)}`, pos(location));
  }
  if (e.kind === 'const' && e.value !== null) {
    let v = castDatum(e.type, stripTypmod(to), e.value, env.settings);
    if (to.typmod !== -1) v = applyTypmod(to, v, context === 'explicit');
    return { kind: 'const', value: v, type: to };
  }
  if (e.kind === 'const') return { kind: 'const', value: null, type: to };
  return { kind: 'cast', arg: e, type: to, explicit: context === 'explicit' };
}

/** 'name'::regclass and friends: names resolved through the catalog to OIDs. */
function regLookup(kind: 'regclass' | 'regtype' | 'regnamespace' | 'regproc', text: string, env: BindEnv, location?: number): number {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t);
  const parts = t.split('.').map((p) => p.replace(/^"(.*)"$/, '$1'));
  const name = parts[parts.length - 1]!;
  const schema = parts.length > 1 ? parts[0]! : null;
  switch (kind) {
    case 'regclass': {
      const rel = env.catalog.findRelation(schema, name, env.searchPath);
      if (rel) return rel.oid;
      const idx = env.catalog.findIndex(schema, name, env.searchPath);
      if (idx) return idx.index.oid;
      const seq = env.catalog.findSequence(schema, name, env.searchPath);
      if (seq) return seq.oid;
      const sys = systemTableOid(schema, name, env.findVirtual(schema, name) !== undefined);
      if (sys !== undefined) return sys;
      throw new SqlError(SqlState.UndefinedTable, `relation "${t}" does not exist`, pos(location));
    }
    case 'regtype': {
      const info = (TYPE_INFO as Record<string, { oid: number }>)[name] ?? (TYPE_INFO as Record<string, { oid: number }>)[typeAlias(name)];
      if (info) return info.oid;
      throw new SqlError(SqlState.UndefinedObject, `type "${t}" does not exist`, pos(location));
    }
    case 'regnamespace': {
      const s = env.catalog.schema(name);
      if (s) return s.oid;
      throw new SqlError(SqlState.UndefinedSchema, `schema "${t}" does not exist`, pos(location));
    }
    case 'regproc': return functionOid(parts.join('.'));
  }
}

/** regclass / regtype / regnamespace → text prints the object's name, as PostgreSQL's output functions do. */
function regToText(e: Expr, to: SqlType, env: BindEnv): Expr {
  const kind = (e.type as { name: string }).name;
  const fn: ScalarFunction = {
    name: `${kind}out`, argTypes: [e.type], returnType: to, strict: true, volatility: 'stable',
    impl: (a) => regName(kind, Number(a[0]), env),
  };
  return { kind: 'call', fn, args: [e], type: to };
}

/** what a regclass / regtype / regnamespace / regproc value prints as: the object's name (a number if there is none) */
export function regName(kind: string, oid: number, env: Pick<BindEnv, 'catalog' | 'searchPath'>): string {
  const catalog = env.catalog;
  if (kind === 'regclass') {
    const rel = catalog.relationByOid(oid);
    if (rel) return env.searchPath.includes(rel.schema) ? rel.name : `${rel.schema}.${rel.name}`;
    for (const r of catalog.relations()) for (const i of r.indexes) if (i.oid === oid) return i.name;
    const q = catalog.sequences().find((x) => x.oid === oid);
    return q ? q.name : oid === 0 ? '-' : String(oid);
  }
  if (kind === 'regtype') {
    const t = typeFromOid(oid);
    return t ? formatTypeWithMod(t) : oid === 0 ? '-' : String(oid);
  }
  if (kind === 'regnamespace') return catalog.schemas().find((x) => x.oid === oid)?.name ?? String(oid);
  if (kind === 'regproc') return oid === 0 ? '-' : functionName(oid) ?? String(oid);
  return oid === 0 ? '-' : String(oid);
}

export function stripTypmod(t: SqlType): SqlType {
  if (t.typmod === -1) return t;
  return t.kind === 'array' ? { ...t, typmod: -1 } : { kind: 'scalar', name: t.name, typmod: -1 };
}

/** Unknown literals default to text where no context gives them a type. */
export function resolveUnknown(e: Expr, env: BindEnv): Expr {
  if (e.type.kind === 'scalar' && e.type.name === 'unknown') return coerce(e, T.text, 'implicit', env);
  return e;
}

export function coerceBool(e: Expr, env: BindEnv, construct: string): Expr {
  if (e.type.kind === 'scalar' && e.type.name === 'bool') return e;
  if (e.type.kind === 'scalar' && e.type.name === 'unknown') return coerce(e, T.bool, 'implicit', env);
  throw new SqlError(SqlState.DatatypeMismatch, `argument of ${construct} must be type boolean, not type ${typeDisplayName(e.type)}`);
}

/** Builds a call of a resolved operator with coerced arguments. */
export function makeOp(op: string, left: Expr | null, right: Expr, env: BindEnv, location?: number): Expr {
  let r;
  try {
    r = resolveOperator(op, left ? left.type : null, right.type);
  } catch (err) {
    if (err instanceof SqlError && location !== undefined) throw new SqlError(err.code, err.message, { ...err.fields, ...pos(location) });
    throw err;
  }
  const args = left ? [coerce(left, r.argTypes[0]!, 'implicit', env, location), coerce(right, r.argTypes[1]!, 'implicit', env, location)]
    : [coerce(right, r.argTypes[0]!, 'implicit', env, location)];
  return { kind: 'call', fn: r.fn, args, type: r.returnType };
}

function opName(names: readonly Node[] | undefined): string {
  const parts = (names ?? []).map(str);
  return parts[parts.length - 1] ?? '=';
}

function bindAExpr(a: A_Expr, ctx: ExprCtx): Expr {
  const env = ctx.env;
  const op = opName(a.name);
  switch (a.kind) {
    case 'AEXPR_OP': {
      const right = bindExpr(a.rexpr!, ctx);
      const left = a.lexpr ? bindExpr(a.lexpr, ctx) : null;
      if (left && left.kind === 'row' && right.kind === 'row') return rowCompare(op, left, right, env, a.location);
      // unary minus of a numeric literal folds into the literal (so -2147483648 is an int4)
      if (!left && op === '-' && right.kind === 'const' && right.value !== null) {
        if (right.type.kind === 'scalar' && right.type.name === 'int8' && right.value === 2147483648n) return { kind: 'const', value: -2147483648, type: T.int4 };
      }
      return makeOp(op, left, right, env, a.location);
    }
    case 'AEXPR_OP_ANY': case 'AEXPR_OP_ALL': {
      const left = bindExpr(a.lexpr!, ctx);
      let arr = bindExpr(a.rexpr!, ctx);
      if (arr.type.kind === 'scalar' && arr.type.name === 'unknown') {
        const et = left.type.kind === 'scalar' && left.type.name !== 'unknown' ? left.type : T.text;
        arr = coerce(arr, arrayOf(et), 'implicit', env);
      }
      if (arr.type.kind !== 'array') throw new SqlError(SqlState.WrongObjectType, `op ANY/ALL (array) requires array on right side`, pos(a.location));
      const r = resolveOperator(op, left.type, arr.type.elem);
      if (!(r.returnType.kind === 'scalar' && r.returnType.name === 'bool')) throw new SqlError(SqlState.WrongObjectType, 'op ANY/ALL (array) requires operator to yield boolean', pos(a.location));
      return {
        kind: 'anyAll', arg: coerce(left, r.argTypes[0]!, 'implicit', env), array: coerce(arr, arrayOf(r.argTypes[1]! as import('../core/types.js').ScalarType), 'implicit', env),
        op: r.fn, all: a.kind === 'AEXPR_OP_ALL', type: BOOL,
      };
    }
    case 'AEXPR_DISTINCT': case 'AEXPR_NOT_DISTINCT': {
      const left = bindExpr(a.lexpr!, ctx);
      const right = bindExpr(a.rexpr!, ctx);
      const eq = makeOp('=', left, right, env, a.location) as Extract<Expr, { kind: 'call' }>;
      return { kind: 'distinct', left: eq.args[0]!, right: eq.args[1]!, eq: eq.fn, negate: a.kind === 'AEXPR_NOT_DISTINCT', type: BOOL };
    }
    case 'AEXPR_NULLIF': {
      const left = bindExpr(a.lexpr!, ctx);
      const right = bindExpr(a.rexpr!, ctx);
      const eq = makeOp('=', left, right, env, a.location) as Extract<Expr, { kind: 'call' }>;
      return { kind: 'nullif', left: eq.args[0]!, right: eq.args[1]!, eq: eq.fn, type: eq.args[0]!.type };
    }
    case 'AEXPR_IN': {
      const left = bindExpr(a.lexpr!, ctx);
      const items = listItems(a.rexpr!).map((n) => bindExpr(n, ctx));
      const negate = op === '<>';
      if (left.kind === 'row') {
        const ors = items.map((it) => rowCompare('=', left, it, env, a.location));
        const any: Expr = { kind: 'or', args: ors, type: BOOL };
        return negate ? { kind: 'not', arg: any, type: BOOL } : any;
      }
      const t = commonType([left.type, ...items.map((i) => i.type)], 'IN');
      const l = coerce(left, t, 'implicit', env);
      const list = items.map((i) => coerce(i, t, 'implicit', env));
      const eq = resolveOperator('=', t, t);
      return { kind: 'inList', arg: l, list, eq: eq.fn, negate, type: BOOL };
    }
    case 'AEXPR_LIKE': case 'AEXPR_ILIKE': {
      const left = bindExpr(a.lexpr!, ctx);
      const right = bindExpr(a.rexpr!, ctx);
      return makeOp(op, left, right, env, a.location);
    }
    case 'AEXPR_SIMILAR': {
      const left = bindExpr(a.lexpr!, ctx);
      let right = a.rexpr!;
      // SIMILAR TO is parsed as `x ~ similar_to_escape(pattern)`
      const rb = bindExpr(right, ctx);
      return makeOp(op, left, rb, env, a.location);
    }
    case 'AEXPR_BETWEEN': case 'AEXPR_NOT_BETWEEN': case 'AEXPR_BETWEEN_SYM': case 'AEXPR_NOT_BETWEEN_SYM': {
      const x = bindExpr(a.lexpr!, ctx);
      const [lo, hi] = listItems(a.rexpr!).map((n) => bindExpr(n, ctx)) as [Expr, Expr];
      const ge = makeOp('>=', x, lo, env, a.location);
      const le = makeOp('<=', x, hi, env, a.location);
      let e: Expr = { kind: 'and', args: [ge, le], type: BOOL };
      if (a.kind === 'AEXPR_BETWEEN_SYM' || a.kind === 'AEXPR_NOT_BETWEEN_SYM') {
        const ge2 = makeOp('>=', x, hi, env, a.location);
        const le2 = makeOp('<=', x, lo, env, a.location);
        e = { kind: 'or', args: [e, { kind: 'and', args: [ge2, le2], type: BOOL }], type: BOOL };
      }
      return a.kind === 'AEXPR_NOT_BETWEEN' || a.kind === 'AEXPR_NOT_BETWEEN_SYM' ? { kind: 'not', arg: e, type: BOOL } : e;
    }
    default:
      throw new SqlError(SqlState.FeatureNotSupported, `unsupported operator expression ${a.kind ?? ''}`, pos(a.location));
  }
}

function rowCompare(op: string, left: Extract<Expr, { kind: 'row' }>, right: Expr, env: BindEnv, location?: number): Expr {
  if (right.kind !== 'row' || right.args.length !== left.args.length) {
    throw new SqlError(SqlState.SyntaxError, 'unequal number of entries in row expressions', pos(location));
  }
  const pairs = left.args.map((l, i) => [l, right.args[i]!] as const);
  if (op === '=' || op === '<>') {
    const eqs = pairs.map(([l, r]) => makeOp(op, l, r, env, location));
    return { kind: op === '=' ? 'and' : 'or', args: eqs, type: BOOL };
  }
  // (a,b) < (c,d)  ≡  a < c OR (a = c AND b < d) ...
  const strict = op === '<' || op === '>' ? op : op === '<=' ? '<' : '>';
  let acc: Expr = makeOp(op, pairs[pairs.length - 1]![0], pairs[pairs.length - 1]![1], env, location);
  for (let i = pairs.length - 2; i >= 0; i--) {
    const [l, r] = pairs[i]!;
    acc = { kind: 'or', args: [makeOp(strict, l, r, env, location), { kind: 'and', args: [makeOp('=', l, r, env, location), acc], type: BOOL }], type: BOOL };
  }
  return acc;
}

function listItems(n: Node): Node[] {
  if ('List' in n) return n.List.items ?? [];
  return [n];
}

function bindCase(c: import('@pgsql/types').CaseExpr, ctx: ExprCtx): Expr {
  const env = ctx.env;
  const operand = c.arg ? bindExpr(c.arg, ctx) : null;
  const whens = (c.args ?? []).map((w) => {
    if (!('CaseWhen' in w)) throw new SqlError(SqlState.SyntaxError, 'bad CASE');
    const cond = bindExpr(w.CaseWhen.expr!, ctx);
    return { cond: operand ? makeOp('=', operand, cond, env, w.CaseWhen.location) : coerceBool(cond, env, 'CASE/WHEN'), result: bindExpr(w.CaseWhen.result!, ctx) };
  });
  const otherwise: Expr = c.defresult ? bindExpr(c.defresult, ctx) : { kind: 'const', value: null, type: T.unknown };
  let t = commonType([...whens.map((w) => w.result.type), otherwise.type], 'CASE');
  if (t.kind === 'scalar' && t.name === 'unknown') t = T.text;
  return {
    kind: 'case', whens: whens.map((w) => ({ cond: w.cond, result: coerce(w.result, t, 'implicit', env) })),
    otherwise: coerce(otherwise, t, 'implicit', env), type: t,
  };
}

function bindIndirection(argNode: Node, ind: readonly Node[], ctx: ExprCtx): Expr {
  let e = bindExpr(argNode, ctx);
  for (const i of ind) {
    if ('A_Indices' in i) {
      if (e.type.kind !== 'array') throw new SqlError(SqlState.DatatypeMismatch, `cannot subscript type ${typeDisplayName(e.type)} because it does not support subscripting`);
      const slice = i.A_Indices.is_slice ?? false;
      const lo = i.A_Indices.lidx ? coerce(bindExpr(i.A_Indices.lidx, ctx), T.int4, 'assignment', ctx.env) : { kind: 'const' as const, value: null, type: T.int4 };
      const up = i.A_Indices.uidx ? coerce(bindExpr(i.A_Indices.uidx, ctx), T.int4, 'assignment', ctx.env) : null;
      if (!slice) e = { kind: 'subscript', arg: e, index: up ?? lo, upper: null, slice: false, type: e.type.elem };
      else e = { kind: 'subscript', arg: e, index: lo, upper: up ?? { kind: 'const', value: null, type: T.int4 }, slice: true, type: e.type };
    } else if ('String' in i) {
      const fname = i.String.sval ?? '';
      const fields = e.type.kind === 'scalar' ? e.type.fields : undefined;
      const idx = fields ? fields.findIndex((f) => f.name === fname) : -1;
      if (!fields) throw new SqlError(SqlState.WrongObjectType, `column notation .${fname} applied to type ${typeDisplayName(e.type)}, which is not a composite type`);
      if (idx < 0) throw new SqlError(SqlState.UndefinedColumn, `column "${fname}" not found in data type record`);
      e = { kind: 'field', arg: e, index: idx, type: fields[idx]!.type };
    } else {
      throw new SqlError(SqlState.FeatureNotSupported, 'this kind of field selection is not supported');
    }
  }
  return e;
}

function bindSqlValueFunction(op: string, ctx: ExprCtx): Expr {
  const env = ctx.env;
  const now = (): Expr => ({ kind: 'call', fn: resolveFunction('now', []).fn, args: [], type: T.timestamptz });
  switch (op) {
    case 'SVFOP_CURRENT_DATE': return coerce(now(), T.date, 'explicit', env);
    case 'SVFOP_CURRENT_TIME': case 'SVFOP_CURRENT_TIME_N': case 'SVFOP_LOCALTIME': case 'SVFOP_LOCALTIME_N':
      return coerce(now(), T.time, 'explicit', env);
    case 'SVFOP_CURRENT_TIMESTAMP': case 'SVFOP_CURRENT_TIMESTAMP_N': return now();
    case 'SVFOP_LOCALTIMESTAMP': case 'SVFOP_LOCALTIMESTAMP_N': return coerce(now(), T.timestamp, 'explicit', env);
    case 'SVFOP_CURRENT_ROLE': case 'SVFOP_CURRENT_USER': case 'SVFOP_USER': case 'SVFOP_SESSION_USER':
      return { kind: 'const', value: env.user, type: T.name };
    case 'SVFOP_CURRENT_CATALOG': return { kind: 'const', value: env.database, type: T.name };
    case 'SVFOP_CURRENT_SCHEMA': return sessionFunction('current_schema', [], env)!;
    default: throw new SqlError(SqlState.FeatureNotSupported, `unsupported SQL value function ${op}`);
  }
}

function funcName(fc: FuncCall): { schema: string | null; name: string } {
  const parts = (fc.funcname ?? []).map(str);
  return { schema: parts.length > 1 ? parts[0]! : null, name: parts[parts.length - 1]!.toLowerCase() };
}

function bindFuncCall(fc: FuncCall, ctx: ExprCtx): Expr {
  const { name } = funcName(fc);
  const env = ctx.env;
  if (fc.over) {
    if (!ctx.windows) throw new SqlError(SqlState.WindowingError, `window functions are not allowed in ${ctx.clause}`, pos(fc.location));
    const call = bindWindowCall(fc, name, ctx);
    ctx.windows.push(call);
    return { kind: 'col', index: WIN_BASE + ctx.windows.length - 1, type: call.type };
  }
  if (fc.agg_star || isAggregateName(name) && !isScalarOverload(name, fc)) {
    return bindAggregate(fc, name, ctx);
  }
  const argNodes = positionalArgs(name, fc.args ?? [], parseExpr, fc.location);
  const args = argNodes.map((a) => bindExpr(a, { ...ctx, srfs: null }));
  if (isSetFunctionName(name) || name === '_pg_expandarray') return bindSetReturning(fc, name, args, ctx);
  const special = sessionFunction(name, args, env) ?? catalogFunction(name, args, env);
  if (special) return special;
  let r;
  try {
    r = resolveFunction(name, args.map((a) => a.type));
  } catch (err) {
    if (err instanceof SqlError) throw new SqlError(err.code, err.message, { ...err.fields, ...pos(fc.location) });
    throw err;
  }
  const coerced = args.map((a, i) => coerce(a, r.argTypes[i] ?? a.type, 'implicit', env, fc.location));
  return { kind: 'call', fn: r.fn, args: coerced.map((a) => resolveUnknown(a, env)), type: r.returnType };
}

function bindSetReturning(fc: FuncCall, name: string, args: Expr[], ctx: ExprCtx): Expr {
  if (!ctx.srfs) throw new SqlError(SqlState.FeatureNotSupported, `set-returning functions are not allowed in ${ctx.clause}`, pos(fc.location));
  let call: SrfCall;
  if (name === '_pg_expandarray') {
    const a = resolveUnknown(args[0]!, ctx.env);
    if (a.type.kind !== 'array') throw new SqlError(SqlState.UndefinedFunction, `function _pg_expandarray(${typeDisplayName(a.type)}) does not exist`, pos(fc.location));
    const fields = [{ name: 'x', type: a.type.elem }, { name: 'n', type: T.int4 }];
    const fn: SetFunction = {
      name, argTypes: [a.type], strict: true, volatility: 'immutable', columns: () => fields,
      impl: (v) => (v[0] as Datum[]).map((x, i) => [x, i + 1]),
    };
    call = { fn, args: [a], outputs: 2, type: recordOf(fields) };
  } else {
    const r = resolveSetFunction(name, args.map((a) => a.type));
    if (!r) throw new SqlError(SqlState.UndefinedFunction, `function ${name} does not exist`, pos(fc.location));
    const coerced = args.map((a, i) => resolveUnknown(coerce(a, r.argTypes[i] ?? a.type, 'implicit', ctx.env), ctx.env));
    const type = r.columns.length === 1 ? r.columns[0]!.type : recordOf(r.columns);
    call = { fn: r.fn, args: coerced, outputs: r.columns.length, type };
  }
  ctx.srfs.push(call);
  return { kind: 'col', index: SRF_BASE + ctx.srfs.length - 1, type: call.type };
}

function isScalarOverload(_name: string, _fc: FuncCall): boolean {
  return false;
}

function bindAggregate(fc: FuncCall, name: string, ctx: ExprCtx): Expr {
  if (!ctx.aggs) {
    throw new SqlError(SqlState.GroupingError, `aggregate functions are not allowed in ${ctx.clause}`, pos(fc.location));
  }
  // Arguments of an aggregate are evaluated per input row: no nested aggregates
  const inner: ExprCtx = { ...ctx, aggs: null, windows: null, clause: 'aggregate function calls' };
  let args = fc.agg_star ? [] : (fc.args ?? []).map((a) => bindExpr(a, inner));
  if (fc.agg_star && name !== 'count') throw new SqlError(SqlState.SyntaxError, `${name}(*) must be used with count`, pos(fc.location));
  args = args.map((a) => resolveUnknown(a, ctx.env));
  // an ordered-set aggregate (percentile_cont(f) WITHIN GROUP (ORDER BY x)): the direct arguments,
  // then the ordered value; the group's rows are sorted by the WITHIN GROUP key
  if (fc.agg_within_group || ORDERED_SET_AGGREGATES.has(name)) {
    if (!fc.agg_within_group) throw new SqlError(SqlState.WrongObjectType, `WITHIN GROUP is required for ordered-set aggregate ${name}`, pos(fc.location));
    if (!ORDERED_SET_AGGREGATES.has(name)) throw new SqlError(SqlState.WrongObjectType, `${name} is not an ordered-set aggregate, so it cannot have WITHIN GROUP`, pos(fc.location));
    const keys = (fc.agg_order ?? []).map((s) => bindSortKey(s, inner));
    if (keys.length !== 1) throw new SqlError(SqlState.FeatureNotSupported, 'ordered-set aggregates take one WITHIN GROUP sort key');
    const direct = args.map((a) => coerce(a, T.float8, 'implicit', ctx.env));
    let value = keys[0]!.expr;
    // percentile_cont interpolates: numbers as double precision, intervals as intervals
    if (name === 'percentile_cont' && !(value.type.kind === 'scalar' && value.type.name === 'interval')) value = coerce(value, T.float8, 'implicit', ctx.env);
    const all = [...direct, value];
    const r = resolveAggregate(name, all.map((a) => a.type));
    if (!r) throw new SqlError(SqlState.UndefinedFunction, `function ${name} does not exist`, pos(fc.location));
    const filter = fc.agg_filter ? coerceBool(bindExpr(fc.agg_filter, inner), ctx.env, 'FILTER') : null;
    const call: AggCall = { agg: r.agg, args: all, distinct: false, filter, orderBy: [{ ...keys[0]!, expr: value }], type: r.returnType };
    ctx.aggs.push(call);
    return { kind: 'col', index: AGG_BASE + ctx.aggs.length - 1, type: r.returnType };
  }
  const r = resolveAggregate(name, args.map((a) => a.type));
  if (!r) throw new SqlError(SqlState.UndefinedFunction, `function ${name} does not exist`, pos(fc.location));
  const coerced = args.map((a, i) => coerce(a, r.argTypes[i] ?? a.type, 'implicit', ctx.env));
  const filter = fc.agg_filter ? coerceBool(bindExpr(fc.agg_filter, inner), ctx.env, 'FILTER') : null;
  const orderBy: SortKey[] = (fc.agg_order ?? []).map((s) => bindSortKey(s, inner));
  const call: AggCall = { agg: r.agg, args: coerced, distinct: fc.agg_distinct ?? false, filter, orderBy, type: r.returnType };
  ctx.aggs.push(call);
  return { kind: 'col', index: AGG_BASE + ctx.aggs.length - 1, type: r.returnType };
}

export function bindSortKey(s: Node, ctx: ExprCtx): SortKey {
  if (!('SortBy' in s)) throw new SqlError(SqlState.SyntaxError, 'expected a sort key');
  const sb = s.SortBy;
  const e = resolveUnknown(bindExpr(sb.node!, ctx), ctx.env);
  return sortKeyOf(e, sb.sortby_dir, sb.sortby_nulls);
}

export function sortKeyOf(expr: Expr, dir: string | undefined, nulls: string | undefined): SortKey {
  const desc = dir === 'SORTBY_DESC';
  const nullsFirst = nulls === 'SORTBY_NULLS_FIRST' ? true : nulls === 'SORTBY_NULLS_LAST' ? false : desc;
  return { expr, desc, nullsFirst };
}

function bindSubLink(sl: SubLink, ctx: ExprCtx): Expr {
  const env = ctx.env;
  const kind = sl.subLinkType ?? 'EXPR_SUBLINK';
  const { plan, correlated } = bindSubquery(sl.subselect!, ctx.scope, env);
  switch (kind) {
    case 'EXISTS_SUBLINK': return { kind: 'subquery', mode: 'exists', plan, correlated, type: BOOL };
    case 'EXPR_SUBLINK': {
      if (plan.columns.length !== 1) throw new SqlError(SqlState.SyntaxError, 'subquery must return only one column', pos(sl.location));
      return { kind: 'subquery', mode: 'scalar', plan, correlated, type: plan.columns[0]!.type };
    }
    case 'ARRAY_SUBLINK': {
      if (plan.columns.length !== 1) throw new SqlError(SqlState.SyntaxError, 'subquery must return only one column', pos(sl.location));
      const t = plan.columns[0]!.type;
      return { kind: 'subquery', mode: 'array', plan, correlated, type: t.kind === 'array' ? t : arrayOf(t) };
    }
    case 'ANY_SUBLINK': case 'ALL_SUBLINK': {
      const op = sl.operName ? opName(sl.operName) : '=';
      const test = bindExpr(sl.testexpr!, ctx);
      const lefts = test.kind === 'row' ? [...test.args] : [test];
      if (lefts.length !== plan.columns.length) {
        throw new SqlError(SqlState.SyntaxError, lefts.length < plan.columns.length ? 'subquery has too many columns' : 'subquery has too few columns', pos(sl.location));
      }
      const args: Expr[] = [];
      const ops: ScalarFunction[] = [];
      const rightExprs: Expr[] = [];
      let needCast = false;
      lefts.forEach((l, i) => {
        const rt = plan.columns[i]!.type;
        const r = resolveOperator(op, l.type, rt);
        args.push(coerce(l, r.argTypes[0]!, 'implicit', env));
        const col: Expr = { kind: 'col', index: i, type: rt };
        const c = coerce(col, r.argTypes[1]!, 'implicit', env);
        if (c !== col) needCast = true;
        rightExprs.push(c);
        ops.push(r.fn);
      });
      // the subquery's columns are cast to the operator's argument types in a projection on top
      const sub: Plan = needCast ? { kind: 'project', input: plan, exprs: rightExprs, columns: plan.columns.map((c, i) => ({ name: c.name, type: rightExprs[i]!.type })) } : plan;
      return { kind: 'subqueryCmp', args, ops, all: kind === 'ALL_SUBLINK', plan: sub, correlated, type: BOOL };
    }
    default:
      throw new SqlError(SqlState.FeatureNotSupported, `unsupported subquery kind ${kind}`, pos(sl.location));
  }
}

/** Evaluates a constant (no column/param) expression at bind time, e.g. LIMIT 10, DEFAULT now(). */
export function constValue(e: Expr): Datum | undefined {
  return e.kind === 'const' ? e.value : undefined;
}

export { typeNameParts };
