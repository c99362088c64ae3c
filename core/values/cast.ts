// Explicit CAST between types, following pg_cast: numeric conversions with PG's rounding and range
// errors, I/O conversion to/from text for every type, date/time conversions in the session zone.
import type { ScalarTypeName, SqlType } from '../types.js';
import { typeDisplayName, sameType } from '../types.js';
import type { Datum } from '../datum.js';
import type { ValueSettings } from './settings.js';
import { SqlError, SqlState } from '../errors.js';
import { Numeric } from './numeric.js';
import { Interval, rint } from './interval.js';
import { Jsonb, jsonToText, jsonTypeof, parseJson, type JsonValue } from './json.js';
import { formatText } from './text-format.js';
import { parseFloat4, parseText, truncateName } from './text-parse.js';
import { applyTypmod } from './typmod.js';
import { trimTrailingSpaces } from './compare.js';
import { localToUtc, timestampInRange, utcToLocal, USECS_PER_DAY } from './datetime.js';

function cannotCast(from: SqlType, to: SqlType): SqlError {
  return new SqlError(SqlState.CannotCoerce, `cannot cast type ${typeDisplayName(from)} to ${typeDisplayName(to)}`);
}
function outOfRange(label: string): SqlError {
  return new SqlError(SqlState.NumericValueOutOfRange, `${label} out of range`);
}

const INT_LABEL = { int2: 'smallint', int4: 'integer', int8: 'bigint' } as const;
const INT_MIN = { int2: -32768, int4: -2147483648 } as const;
const INT_MAX = { int2: 32767, int4: 2147483647 } as const;

/** String-category types: every type has I/O-conversion casts to and from these. */
function isTextual(n: ScalarTypeName): boolean {
  return n === 'text' || n === 'varchar' || n === 'bpchar' || n === 'name' || n === 'unknown';
}
/** "char" is not string category: only casts with text-like types and int4 exist. */
function charCastOk(other: ScalarTypeName): boolean {
  return isTextual(other) || other === 'int4';
}
function isNumber(n: ScalarTypeName): boolean {
  return n === 'int2' || n === 'int4' || n === 'int8' || n === 'float4' || n === 'float8' || n === 'numeric';
}
function isOidLike(n: ScalarTypeName): boolean {
  return n === 'oid' || n === 'regclass' || n === 'regtype' || n === 'regproc' || n === 'regnamespace';
}

/** float → int2/int4 with rint (half to even) and PG's range check. */
export function floatToInt(x: number, to: 'int2' | 'int4'): number {
  if (Number.isNaN(x)) throw outOfRange(INT_LABEL[to]);
  const r = rint(x);
  if (!(r >= INT_MIN[to] && r <= INT_MAX[to])) throw outOfRange(INT_LABEL[to]);
  return r || 0;
}
export function floatToInt8(x: number): bigint {
  if (Number.isNaN(x) || !Number.isFinite(x)) throw outOfRange('bigint');
  const r = rint(x);
  // FLOAT8_FITS_IN_INT64: -2^63 ≤ r < 2^63
  if (r < -9223372036854775808 || r >= 9223372036854775808) throw outOfRange('bigint');
  return BigInt(r);
}

/** Convert one number-family value to another (the pg_cast entries among int2/4/8, float4/8, numeric). */
export function castNumber(from: ScalarTypeName, to: ScalarTypeName, d: Datum): Datum {
  switch (to) {
    case 'int2': case 'int4':
      switch (from) {
        case 'int2': case 'int4': {
          const v = d as number;
          if (v < INT_MIN[to] || v > INT_MAX[to]) throw outOfRange(INT_LABEL[to]);
          return v;
        }
        case 'int8': {
          const v = d as bigint;
          if (v < BigInt(INT_MIN[to]) || v > BigInt(INT_MAX[to])) throw outOfRange(INT_LABEL[to]);
          return Number(v);
        }
        case 'float4': case 'float8': return floatToInt(d as number, to);
        case 'numeric': return Number((d as Numeric).toIntegerChecked(BigInt(INT_MIN[to]), BigInt(INT_MAX[to]), INT_LABEL[to]));
        default: break;
      }
      break;
    case 'int8':
      switch (from) {
        case 'int2': case 'int4': return BigInt(d as number);
        case 'int8': return d;
        case 'float4': case 'float8': return floatToInt8(d as number);
        case 'numeric': return (d as Numeric).toBigInt();
        default: break;
      }
      break;
    case 'float8':
      switch (from) {
        case 'int2': case 'int4': case 'float4': case 'float8': return d as number;
        case 'int8': return Number(d as bigint);
        case 'numeric': {
          const n = d as Numeric;
          const x = n.toNumber();
          // numeric_float8 goes through float8in, so overflow/underflow are errors
          if ((!Number.isFinite(x) && n.isFinite) || (x === 0 && !n.isZero())) {
            throw new SqlError(SqlState.NumericValueOutOfRange, `"${n.toString()}" is out of range for type double precision`);
          }
          return x;
        }
        default: break;
      }
      break;
    case 'float4':
      switch (from) {
        case 'int2': case 'int4': return Math.fround(d as number);
        case 'int8': return Math.fround(Number(d as bigint));
        case 'float4': return d;
        case 'float8': {
          const x = d as number;
          const f = Math.fround(x);
          if (!Number.isFinite(f) && Number.isFinite(x)) throw new SqlError(SqlState.NumericValueOutOfRange, 'value out of range: overflow');
          if (f === 0 && x !== 0) throw new SqlError(SqlState.NumericValueOutOfRange, 'value out of range: underflow');
          return f;
        }
        case 'numeric': {
          const n = d as Numeric;
          if (!n.isFinite) return n.toNumber();
          return parseFloat4(n.toString());
        }
        default: break;
      }
      break;
    case 'numeric':
      switch (from) {
        case 'int2': case 'int4': return Numeric.fromInt(d as number);
        case 'int8': return Numeric.fromBigInt(d as bigint);
        case 'float8': return Numeric.fromNumber(d as number, 15);
        case 'float4': return Numeric.fromNumber(d as number, 6);
        case 'numeric': return d;
        default: break;
      }
      break;
    default: break;
  }
  throw new SqlError(SqlState.InternalError, `internal error: no number cast ${from} → ${to}`);
}

/** jsonb → scalar casts (PG 11+): only matching JSON types convert. */
function castFromJsonb(v: JsonValue, to: SqlType): Datum {
  const label = typeDisplayName(to);
  const kind = jsonTypeof(v);
  const fail = (): never => {
    throw new SqlError(SqlState.InvalidParameterValue, `cannot cast jsonb ${kind === 'number' ? 'numeric' : kind} to type ${label}`);
  };
  if (to.kind !== 'scalar') return fail();
  if (to.name === 'bool') {
    if (typeof v !== 'boolean') return fail();
    return v;
  }
  if (!(v instanceof Numeric)) return fail();
  return castNumber('numeric', to.name, v);
}

/** Text of a value as a text-like cast source sees it (bpchar loses trailing spaces, bool is 'true'). */
function toTextForCast(from: SqlType, d: Datum, s: ValueSettings, to?: ScalarTypeName): string {
  if (from.kind === 'scalar') {
    // bool → text/varchar/bpchar is booltext(); bool → name is an I/O conversion
    if (from.name === 'bool') return to === 'name' ? (d ? 't' : 'f') : d ? 'true' : 'false';
    if (from.name === 'bpchar') return trimTrailingSpaces(d as string);
  }
  return formatText(from, d, s);
}

/** CAST(d AS to) for a non-null d of type `from`; `nowMicros` feeds 'now'-like text input. */
export function castDatum(from: SqlType, to: SqlType, d: Datum, s: ValueSettings, nowMicros?: number): Datum {
  if (d === null) return null;
  if (sameType(from, to)) return applyTypmod(to, d, true);
  if (from.kind === 'array' || to.kind === 'array') {
    if (from.kind === 'array' && to.kind === 'array') {
      const walk = (a: readonly Datum[]): Datum[] => a.map((x) => (x === null ? null : Array.isArray(x) ? walk(x as readonly Datum[]) : castDatum(from.elem, to.elem, x, s, nowMicros)));
      return walk(d as readonly Datum[]);
    }
    if (to.kind === 'scalar' && isTextual(to.name)) return applyTypmod(to, formatText(from, d, s), true);
    if (from.kind === 'scalar' && isTextual(from.name)) return applyTypmod(to, parseText(to, toTextForCast(from, d, s), s, nowMicros), true);
    throw cannotCast(from, to);
  }
  const f = from.name;
  const t = to.name;
  if ((f === 'char' && !charCastOk(t)) || (t === 'char' && !charCastOk(f))) throw cannotCast(from, to);
  let r: Datum;
  if (isNumber(f) && isNumber(t)) r = castNumber(f, t, d);
  else if (isTextual(t) || t === 'char') {
    if (isTextual(f) || f === 'char') {
      let str = f === 'bpchar' ? trimTrailingSpaces(d as string) : (d as string);
      if (t === 'name') str = truncateName(str);
      else if (t === 'char') str = str.length === 0 ? '' : String.fromCodePoint(str.codePointAt(0)!);
      r = str;
    } else if (t === 'char' && f === 'int4') {
      const v = d as number;
      if (v < -128 || v > 127) throw outOfRange('"char"');
      r = v === 0 ? '' : String.fromCharCode(v & 0xff);
    } else {
      let str = toTextForCast(from, d, s, t);
      if (t === 'name') str = truncateName(str);
      else if (t === 'char') str = str.length === 0 ? '' : String.fromCodePoint(str.codePointAt(0)!);
      r = str;
    }
  } else if (isTextual(f) || f === 'char') {
    if (f === 'char' && t === 'int4') {
      const str = d as string;
      r = str.length === 0 ? 0 : ((str.charCodeAt(0) << 24) >> 24);
    } else {
      r = parseText(to, toTextForCast(from, d, s), s, nowMicros);
    }
  } else {
    r = castOther(from, to, f, t, d, s);
  }
  return to.typmod >= 0 ? applyTypmod(to, r, true) : r;
}

function castOther(from: SqlType, to: SqlType, f: ScalarTypeName, t: ScalarTypeName, d: Datum, s: ValueSettings): Datum {
  // bool ↔ int4 only
  if (f === 'bool' && t === 'int4') return d ? 1 : 0;
  if (f === 'int4' && t === 'bool') return (d as number) !== 0;
  // oid family
  if (isOidLike(t)) {
    if (f === 'int4' || f === 'int2') { const v = d as number; return v < 0 ? v + 4294967296 : v; }
    if (f === 'int8') {
      const v = d as bigint;
      if (v < -2147483648n || v > 4294967295n) throw outOfRange('OID');
      const n = Number(v);
      return n < 0 ? n + 4294967296 : n;
    }
    if (isOidLike(f)) return d;
  }
  if (isOidLike(f)) {
    if (t === 'int8') return BigInt(d as number);
    if (t === 'int4') { const v = d as number; return v > 2147483647 ? v - 4294967296 : v; }
  }
  // date/time family
  switch (f) {
    case 'date': {
      const days = d as number;
      if (t === 'timestamp' || t === 'timestamptz') {
        if (!Number.isFinite(days)) return days;
        const local = days * USECS_PER_DAY;
        if (!timestampInRange(local)) throw new SqlError(SqlState.DatetimeFieldOverflow, 'date out of range for timestamp');
        return t === 'timestamp' ? local : localToUtc(s.timeZone, local);
      }
      break;
    }
    case 'timestamp': case 'timestamptz': {
      const us = d as number;
      if (t === 'timestamp' || t === 'timestamptz') {
        if (!Number.isFinite(us)) return us;
        return t === 'timestamp' ? utcToLocal(s.timeZone, us) : localToUtc(s.timeZone, us);
      }
      const local = f === 'timestamptz' ? utcToLocal(s.timeZone, us) : us;
      if (t === 'date') return Number.isFinite(local) ? Math.floor(local / USECS_PER_DAY) : local;
      if (t === 'time') {
        if (!Number.isFinite(local)) throw new SqlError(SqlState.DatetimeFieldOverflow, 'timestamp out of range');
        return local - Math.floor(local / USECS_PER_DAY) * USECS_PER_DAY;
      }
      break;
    }
    case 'time':
      if (t === 'interval') return new Interval(0, 0, d as number);
      break;
    case 'interval':
      if (t === 'time') {
        const r = (d as Interval).micros % USECS_PER_DAY;
        return r < 0 ? r + USECS_PER_DAY : r || 0;
      }
      break;
    case 'json':
      if (t === 'jsonb') return new Jsonb(parseJson(d as string));
      break;
    case 'jsonb':
      if (t === 'json') return jsonToText((d as Jsonb).value);
      if (t === 'bool' || isNumber(t)) return castFromJsonb((d as Jsonb).value, to);
      break;
    default: break;
  }
  throw cannotCast(from, to);
}

/** Whether castDatum supports from → to (explicit), without converting anything. */
export function canCast(from: SqlType, to: SqlType): boolean {
  if (sameType(from, to)) return true;
  if (from.kind === 'array' && to.kind === 'array') return canCast(from.elem, to.elem);
  if (from.kind === 'array') return to.kind === 'scalar' && isTextual(to.name);
  if (to.kind === 'array') return isTextual(from.name);
  const f = from.name;
  const t = to.name;
  if (isNumber(f) && isNumber(t)) return true;
  if (f === 'char') return charCastOk(t);
  if (t === 'char') return charCastOk(f);
  if (isTextual(f) || isTextual(t)) return true;
  if ((f === 'bool' && t === 'int4') || (f === 'int4' && t === 'bool')) return true;
  if (isOidLike(t) && (f === 'int2' || f === 'int4' || f === 'int8' || isOidLike(f))) return true;
  if (isOidLike(f) && (t === 'int4' || t === 'int8')) return true;
  const pairs: Record<string, readonly string[]> = {
    date: ['timestamp', 'timestamptz'],
    timestamp: ['timestamptz', 'date', 'time'],
    timestamptz: ['timestamp', 'date', 'time'],
    time: ['interval'],
    interval: ['time'],
    json: ['jsonb'],
    jsonb: ['json', 'bool', 'int2', 'int4', 'int8', 'float4', 'float8', 'numeric'],
  };
  return pairs[f]?.includes(t) ?? false;
}
