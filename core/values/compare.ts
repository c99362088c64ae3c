// Total order and hash keys of non-null Datums, per type (PostgreSQL btree semantics, C collation).
import type { SqlType } from '../types.js';
import type { Datum } from '../datum.js';
import type { Numeric } from './numeric.js';
import type { Interval } from './interval.js';
import { compareCodePoints, compareJson, jsonKey, type Jsonb } from './json.js';

export { compareCodePoints };

/** float8/float4 btree order: NaN after everything and equal to itself; -0 = 0. */
export function compareFloats(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) return 0;
  const an = Number.isNaN(a);
  const bn = Number.isNaN(b);
  return an ? (bn ? 0 : 1) : -1;
}

/** bpchar compares ignoring trailing spaces. */
export function trimTrailingSpaces(s: string): string {
  let e = s.length;
  while (e > 0 && s.charCodeAt(e - 1) === 32) e--;
  return e === s.length ? s : s.slice(0, e);
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

function compareArrays(elem: SqlType, a: readonly Datum[], b: readonly Datum[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    // NULL elements sort after non-null ones (array_cmp)
    if (x === null || y === null) {
      if (x === null && y === null) continue;
      return x === null ? 1 : -1;
    }
    const c = Array.isArray(x) && Array.isArray(y)
      ? compareArrays(elem, x as readonly Datum[], y as readonly Datum[])
      : compareDatums(elem, x, y);
    if (c !== 0) return c;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

export function compareDatums(type: SqlType, a: Datum, b: Datum): number {
  if (type.kind === 'array') return compareArrays(type.elem, a as readonly Datum[], b as readonly Datum[]);
  switch (type.name) {
    case 'int2': case 'int4': case 'oid': case 'regclass': case 'regtype': case 'regproc': case 'regnamespace':
    case 'date': case 'time': case 'timestamp': case 'timestamptz':
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case 'int8':
      return (a as bigint) < (b as bigint) ? -1 : (a as bigint) > (b as bigint) ? 1 : 0;
    case 'float4': case 'float8': return compareFloats(a as number, b as number);
    case 'numeric': return (a as Numeric).cmp(b as Numeric);
    case 'bool': return a === b ? 0 : a ? 1 : -1;
    case 'bpchar': return compareCodePoints(trimTrailingSpaces(a as string), trimTrailingSpaces(b as string));
    case 'text': case 'varchar': case 'name': case 'char': case 'json': case 'unknown':
      return compareCodePoints(a as string, b as string);
    case 'uuid': return a === b ? 0 : (a as string) < (b as string) ? -1 : 1;
    case 'bytea': return compareBytes(a as Uint8Array, b as Uint8Array);
    case 'interval': return (a as Interval).cmp(b as Interval);
    case 'jsonb': return compareJson((a as Jsonb).value, (b as Jsonb).value);
    default:
      return compareUnknown(a, b);
  }
}

/** Fallback for pseudo-types: by JS type, then value. */
function compareUnknown(a: Datum, b: Datum): number {
  if (typeof a === 'number' && typeof b === 'number') return compareFloats(a, b);
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

const HEX = '0123456789abcdef';

/** Equal per compareDatums ⇒ equal key (numeric 1.0 ≡ 1.00, float -0 ≡ 0, bpchar trailing spaces). */
export function datumKey(type: SqlType, d: Datum): string | number {
  if (type.kind === 'array') {
    const walk = (a: readonly Datum[]): string => {
      let out = '[';
      for (let i = 0; i < a.length; i++) {
        const x = a[i]!;
        if (i) out += ',';
        if (x === null) out += 'N';
        else if (Array.isArray(x)) out += walk(x as readonly Datum[]);
        else out += JSON.stringify(datumKey(type.elem, x));
      }
      return out + ']';
    };
    return walk(d as readonly Datum[]);
  }
  switch (type.name) {
    case 'int2': case 'int4': case 'oid': case 'regclass': case 'regtype': case 'regproc': case 'regnamespace':
    case 'date': case 'time': case 'timestamp': case 'timestamptz':
      return d as number;
    case 'float4': case 'float8': {
      const n = d as number;
      return n === 0 ? 0 : n !== n ? 'NaN' : n;
    }
    case 'int8': {
      const b = d as bigint;
      return b >= -9007199254740991n && b <= 9007199254740991n ? Number(b) : b.toString();
    }
    case 'numeric': return (d as Numeric).key();
    case 'bool': return d ? 1 : 0;
    case 'bpchar': return trimTrailingSpaces(d as string);
    case 'text': case 'varchar': case 'name': case 'char': case 'json': case 'uuid': case 'unknown':
      return d as string;
    case 'bytea': {
      const b = d as Uint8Array;
      let out = 'x';
      for (let i = 0; i < b.length; i++) out += HEX[b[i]! >> 4]! + HEX[b[i]! & 15]!;
      return out;
    }
    case 'interval': return (d as Interval).key();
    case 'jsonb': return jsonKey((d as Jsonb).value);
    default:
      return typeof d === 'string' || typeof d === 'number' ? d : String(d);
  }
}

/** SQL equality of two non-null values of one type. */
export function datumsEqual(type: SqlType, a: Datum, b: Datum): boolean {
  return compareDatums(type, a, b) === 0;
}

/** ORDER BY comparison of one key, NULLs placed as NULLS FIRST/LAST says. */
export function compareWithNulls(type: SqlType, a: Datum, b: Datum, desc: boolean, nullsFirst: boolean): number {
  if (a === null || b === null) {
    if (a === null && b === null) return 0;
    return (a === null) === nullsFirst ? -1 : 1;
  }
  const c = compareDatums(type, a, b);
  return desc ? -c : c;
}

/** A string key per row such that rows equal under SQL grouping (NULLs equal) have equal keys. */
export function rowKeyFn(types: readonly SqlType[]): (row: readonly Datum[]) => string {
  const n = types.length;
  if (n === 1) {
    const t = types[0]!;
    return (row) => { const v = row[0] ?? null; return v === null ? '\u0000N' : String(datumKey(t, v)); };
  }
  return (row) => {
    let s = '';
    for (let i = 0; i < n; i++) {
      const v = row[i] ?? null;
      s += v === null ? '\u0000N' : String(datumKey(types[i]!, v));
      s += '\u0001';
    }
    return s;
  };
}
