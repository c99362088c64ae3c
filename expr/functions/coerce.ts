// Cast contexts (pg_cast.castcontext) and select_common_type, following PostgreSQL 15.
import { TYPE_INFO, typeDisplayName, sameType, T, arrayOf, type SqlType, type ScalarTypeName } from '../../core/types.js';
import { SqlError, SqlState } from '../../core/errors.js';

export type CoercionContext = 'implicit' | 'assignment' | 'explicit';

const RANK: Record<CoercionContext, number> = { implicit: 0, assignment: 1, explicit: 2 };
type Ctx = 'i' | 'a' | 'e';
const CTX_RANK: Record<Ctx, number> = { i: 0, a: 1, e: 2 };

// Explicit pg_cast entries (source → target → context). I/O conversion casts
// (to string types: assignment, from string types: explicit) are handled in canCoerce.
const CASTS = new Map<string, Ctx>();
function c(from: ScalarTypeName, targets: string, ctx: Ctx): void {
  for (const t of targets.split(' ')) CASTS.set(`${from}>${t}`, ctx);
}
c('int2', 'int4 int8 float4 float8 numeric oid regclass regtype regproc regnamespace', 'i');
c('int4', 'int8 float4 float8 numeric oid regclass regtype regproc regnamespace', 'i');
c('int4', 'int2', 'a');
c('int4', 'bool char', 'e');
c('int8', 'float4 float8 numeric oid regclass regtype regproc regnamespace', 'i');
c('int8', 'int2 int4', 'a');
c('float4', 'float8', 'i');
c('float4', 'int2 int4 int8 numeric', 'a');
c('float8', 'float4 int2 int4 int8 numeric', 'a');
c('numeric', 'float4 float8', 'i');
c('numeric', 'int2 int4 int8', 'a');
c('bool', 'int4', 'e');
c('char', 'int4', 'e');
c('char', 'text', 'i');
c('char', 'varchar bpchar', 'a');
c('oid', 'regclass regtype regproc regnamespace', 'i');
c('oid', 'int8', 'a');
c('oid', 'int4', 'a');
for (const r of ['regclass', 'regtype', 'regproc', 'regnamespace'] as const) {
  c(r, 'oid', 'i');
  c(r, 'int8', 'a');
  c(r, 'int4', 'a');
}
c('text', 'bpchar varchar name regclass', 'i');
c('text', 'char', 'a');
c('varchar', 'text bpchar name regclass', 'i');
c('varchar', 'char', 'a');
c('bpchar', 'text varchar name', 'i');
c('bpchar', 'char', 'a');
c('name', 'text', 'i');
c('name', 'bpchar varchar', 'a');
c('date', 'timestamp timestamptz', 'i');
c('timestamp', 'timestamptz', 'i');
c('timestamp', 'date time', 'a');
c('timestamptz', 'timestamp date time', 'a');
c('time', 'interval', 'i');
c('interval', 'time', 'a');
c('json', 'jsonb', 'a');
c('jsonb', 'json', 'a');
c('jsonb', 'bool numeric int2 int4 int8 float4 float8', 'e');

const STRINGS = new Set<string>(['text', 'varchar', 'bpchar', 'name']);
const PSEUDO = new Set<string>(['unknown', 'void', 'record', 'anyelement', 'anyarray']);

/** pg_type.typcategory; 'A' for arrays. */
export function typeCategory(t: SqlType): string {
  return t.kind === 'array' ? 'A' : TYPE_INFO[t.name].category;
}

/** pg_type.typispreferred */
export function isPreferredType(t: SqlType): boolean {
  if (t.kind === 'array') return false;
  switch (t.name) {
    case 'bool': case 'text': case 'oid': case 'float8': case 'timestamptz': case 'interval': return true;
    default: return false;
  }
}

/** Whether a value of type `from` may be converted to `to` in the given context (pg_cast + I/O casts). */
export function canCoerce(from: SqlType, to: SqlType, ctx: CoercionContext): boolean {
  if (sameType(from, to)) return true;
  // Untyped literals and parameters can become anything.
  if (from.kind === 'scalar' && from.name === 'unknown') return true;
  const want = RANK[ctx];
  if (to.kind === 'scalar' && (to.name === 'anyelement')) return true;
  if (to.kind === 'scalar' && to.name === 'anyarray') return from.kind === 'array';
  if (from.kind === 'array' || to.kind === 'array') {
    if (from.kind === 'array' && to.kind === 'array') return canCoerce(from.elem, to.elem, ctx);
    // array → string types via I/O conversion is an assignment cast
    if (from.kind === 'array' && to.kind === 'scalar' && STRINGS.has(to.name)) return want >= 1;
    if (from.kind === 'scalar' && STRINGS.has(from.name) && to.kind === 'array') return want >= 2;
    return false;
  }
  const k = CASTS.get(`${from.name}>${to.name}`);
  if (k !== undefined) return CTX_RANK[k] <= want;
  if (PSEUDO.has(from.name) || PSEUDO.has(to.name)) return false;
  // Automatic I/O conversion casts (PostgreSQL's COERCION_PATH_COERCEVIAIO).
  if (STRINGS.has(to.name)) return want >= 1;
  if (STRINGS.has(from.name)) return want >= 2;
  return false;
}

/**
 * Choose a common type without throwing; undefined when the categories clash or
 * some input cannot be implicitly converted to the choice.
 */
export function tryCommonType(types: readonly SqlType[]): SqlType | undefined {
  const r = selectCommon(types);
  return 'type' in r ? r.type : undefined;
}

/** The select_common_type algorithm, reporting why it fails instead of throwing. */
function selectCommon(types: readonly SqlType[]): { type: SqlType } | { clash: [SqlType, SqlType] } | { uncoercible: [SqlType, SqlType] } {
  let p: SqlType | undefined;
  let allSameMod = true;
  for (const t of types) {
    if (t.kind === 'scalar' && t.name === 'unknown') continue;
    if (!p) { p = t; continue; }
    if (sameType(p, t)) { if (p.typmod !== t.typmod) allSameMod = false; continue; }
    if (typeCategory(p) !== typeCategory(t)) return { clash: [p, t] };
    if (!isPreferredType(p) && canCoerce(p, t, 'implicit') && !canCoerce(t, p, 'implicit')) p = t;
  }
  if (!p) return { type: T.text };
  if (!allSameMod || !sameTypmods(types, p)) p = stripMod(p);
  for (const t of types) if (!canCoerce(t, p, 'implicit')) return { uncoercible: [t, p] };
  return { type: p };
}

/** select_common_typmod: the typmod survives only if every input already has the common type and that typmod */
function sameTypmods(types: readonly SqlType[], p: SqlType): boolean {
  if (p.typmod === -1) return true;
  for (const t of types) if (!sameType(t, p) || t.typmod !== p.typmod) return false;
  return true;
}

function stripMod(t: SqlType): SqlType {
  if (t.kind === 'array') return arrayOf(t.elem);
  return t.typmod === -1 ? t : { kind: 'scalar', name: t.name, typmod: -1 };
}

/** PostgreSQL select_common_type (UNION, CASE, COALESCE, VALUES, IN, ARRAY ...). */
export function commonType(types: readonly SqlType[], construct: string): SqlType {
  const r = selectCommon(types);
  if ('type' in r) return r.type;
  if ('clash' in r) {
    throw new SqlError(SqlState.DatatypeMismatch, `${construct} types ${typeDisplayName(r.clash[0])} and ${typeDisplayName(r.clash[1])} cannot be matched`);
  }
  throw new SqlError(SqlState.CannotCoerce, `${construct} could not convert type ${typeDisplayName(r.uncoercible[0])} to ${typeDisplayName(r.uncoercible[1])}`);
}
