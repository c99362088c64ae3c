// Binary wire format (typsend / typreceive) as PostgreSQL 15 defines it.
import type { ScalarType, SqlType } from '../types.js';
import { TYPE_INFO } from '../types.js';
import type { Datum } from '../datum.js';
import { SqlError, SqlState } from '../errors.js';
import { Numeric, pow10n } from './numeric.js';
import { Interval } from './interval.js';
import { Jsonb, jsonToText, parseJson, validateJson } from './json.js';
import { PG_EPOCH_DAYS, PG_EPOCH_MICROS } from './datetime.js';

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

function bad(msg = 'insufficient data left in message'): SqlError {
  return new SqlError(SqlState.InvalidBinaryRepresentation, msg);
}

// PG's special int64 values for ±infinity dates/timestamps
const DT_NOBEGIN = -(2n ** 63n);
const DT_NOEND = 2n ** 63n - 1n;
const DATEVAL_NOBEGIN = -2147483648;
const DATEVAL_NOEND = 2147483647;

const NUMERIC_POS = 0x0000;
const NUMERIC_NEG = 0x4000;
const NUMERIC_NAN = 0xc000;
const NUMERIC_PINF = 0xd000;
const NUMERIC_NINF = 0xf000;

function encodeNumeric(n: Numeric): Uint8Array {
  const out = (ndigits: number, weight: number, sign: number, dscale: number, digits: number[]): Uint8Array => {
    const b = new Uint8Array(8 + 2 * ndigits);
    const v = new DataView(b.buffer);
    v.setInt16(0, ndigits); v.setInt16(2, weight); v.setUint16(4, sign); v.setInt16(6, dscale);
    for (let i = 0; i < ndigits; i++) v.setInt16(8 + 2 * i, digits[i]!);
    return b;
  };
  if (n.special === 'nan') return out(0, 0, NUMERIC_NAN, 0, []);
  // PG reads dscale of a special value out of its header bits, which gives 32 for ±Infinity
  if (n.special === 'inf') return out(0, 0, NUMERIC_PINF, 32, []);
  if (n.special === '-inf') return out(0, 0, NUMERIC_NINF, 32, []);
  const neg = n.digits < 0n;
  let mant = neg ? -n.digits : n.digits;
  if (mant === 0n) return out(0, 0, NUMERIC_POS, n.scale, []);
  // align so the fractional part fills whole base-10000 groups
  const fracGroups = Math.ceil(n.scale / 4);
  mant *= pow10n(fracGroups * 4 - n.scale);
  const groups: number[] = [];
  while (mant > 0n) { groups.push(Number(mant % 10000n)); mant /= 10000n; }
  groups.reverse();
  let weight = groups.length - 1 - fracGroups;
  // strip leading/trailing zero groups (PG's strip_var)
  let start = 0;
  while (start < groups.length && groups[start] === 0) { start++; weight--; }
  let end = groups.length;
  while (end > start && groups[end - 1] === 0) end--;
  const digits = groups.slice(start, end);
  return out(digits.length, weight, neg ? NUMERIC_NEG : NUMERIC_POS, n.scale, digits);
}

function decodeNumeric(b: Uint8Array): Numeric {
  if (b.length < 8) throw bad();
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const ndigits = v.getInt16(0);
  const weight = v.getInt16(2);
  const sign = v.getUint16(4);
  const dscale = v.getInt16(6);
  if (ndigits < 0 || b.length !== 8 + 2 * ndigits) throw bad('invalid length in external "numeric" value');
  if (sign === NUMERIC_NAN) return Numeric.NaN;
  if (sign === NUMERIC_PINF) return Numeric.Infinity;
  if (sign === NUMERIC_NINF) return Numeric.NegInfinity;
  if (sign !== NUMERIC_POS && sign !== NUMERIC_NEG) throw bad('invalid sign in external "numeric" value');
  if (dscale < 0 || dscale > 0x3fff) throw bad('invalid scale in external "numeric" value');
  let mant = 0n;
  for (let i = 0; i < ndigits; i++) {
    const dg = v.getInt16(8 + 2 * i);
    if (dg < 0 || dg >= 10000) throw bad('invalid digit in external "numeric" value');
    mant = mant * 10000n + BigInt(dg);
  }
  // mant × 10000^(weight - ndigits + 1)
  const exp4 = weight - ndigits + 1;
  let value = exp4 >= 0 ? Numeric.of(mant * pow10n(4 * exp4), 0) : Numeric.of(mant, -4 * exp4);
  if (sign === NUMERIC_NEG) value = value.neg();
  // numeric_recv rounds to the declared dscale
  return value.round(dscale);
}

function be(n: number): Uint8Array {
  const b = new Uint8Array(n);
  return b;
}

export function encodeBinary(type: SqlType, d: Datum): Uint8Array {
  if (type.kind === 'array') return encodeArray(type.elem, d as readonly Datum[]);
  switch (type.name) {
    case 'bool': return Uint8Array.of(d ? 1 : 0);
    case 'int2': { const b = be(2); new DataView(b.buffer).setInt16(0, d as number); return b; }
    case 'int4': { const b = be(4); new DataView(b.buffer).setInt32(0, d as number); return b; }
    case 'oid': case 'regclass': case 'regtype': case 'regproc': case 'regnamespace': {
      const b = be(4); new DataView(b.buffer).setUint32(0, d as number); return b;
    }
    case 'int8': { const b = be(8); new DataView(b.buffer).setBigInt64(0, d as bigint); return b; }
    case 'float4': { const b = be(4); new DataView(b.buffer).setFloat32(0, d as number); return b; }
    case 'float8': { const b = be(8); new DataView(b.buffer).setFloat64(0, d as number); return b; }
    case 'numeric': return encodeNumeric(d as Numeric);
    case 'text': case 'varchar': case 'bpchar': case 'name': case 'json': case 'unknown':
      return enc.encode(d as string);
    case 'char': {
      const s = d as string;
      return s.length === 0 ? new Uint8Array(0) : Uint8Array.of(enc.encode(s)[0]!);
    }
    case 'bytea': return d as Uint8Array;
    case 'date': {
      const b = be(4);
      const days = d as number;
      new DataView(b.buffer).setInt32(0, days === Infinity ? DATEVAL_NOEND : days === -Infinity ? DATEVAL_NOBEGIN : days - PG_EPOCH_DAYS);
      return b;
    }
    case 'time': { const b = be(8); new DataView(b.buffer).setBigInt64(0, BigInt(d as number)); return b; }
    case 'timestamp': case 'timestamptz': {
      const b = be(8);
      const us = d as number;
      new DataView(b.buffer).setBigInt64(0, us === Infinity ? DT_NOEND : us === -Infinity ? DT_NOBEGIN : BigInt(us) - BigInt(PG_EPOCH_MICROS));
      return b;
    }
    case 'interval': {
      const iv = d as Interval;
      const b = be(16);
      const v = new DataView(b.buffer);
      v.setBigInt64(0, BigInt(iv.micros)); v.setInt32(8, iv.days); v.setInt32(12, iv.months);
      return b;
    }
    case 'uuid': {
      const s = (d as string).replace(/-/g, '');
      const b = be(16);
      for (let i = 0; i < 16; i++) b[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
      return b;
    }
    case 'jsonb': {
      const t = enc.encode(jsonToText((d as Jsonb).value));
      const b = be(t.length + 1);
      b[0] = 1;
      b.set(t, 1);
      return b;
    }
    case 'void': return new Uint8Array(0);
    default:
      throw new SqlError(SqlState.FeatureNotSupported, `no binary output function available for type ${type.name}`);
  }
}

function need(buf: Uint8Array, n: number, type: string): DataView {
  if (buf.length !== n) throw bad(buf.length < n ? 'insufficient data left in message' : `incorrect binary data format in ${type}`);
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}
function utf8(buf: Uint8Array): string {
  // PG text cannot hold NUL bytes
  if (buf.indexOf(0) >= 0) throw new SqlError(SqlState.CharacterNotInRepertoire, 'invalid byte sequence for encoding "UTF8": 0x00');
  try { return dec.decode(buf); } catch {
    throw new SqlError(SqlState.CharacterNotInRepertoire, 'invalid byte sequence for encoding "UTF8"');
  }
}

export function decodeBinary(type: SqlType, buf: Uint8Array): Datum {
  if (type.kind === 'array') return decodeArray(type.elem, buf);
  switch (type.name) {
    case 'bool': need(buf, 1, 'bool'); return buf[0] !== 0;
    case 'int2': return need(buf, 2, 'int2').getInt16(0);
    case 'int4': return need(buf, 4, 'int4').getInt32(0);
    case 'oid': case 'regclass': case 'regtype': case 'regproc': case 'regnamespace':
      return need(buf, 4, type.name).getUint32(0);
    case 'int8': return need(buf, 8, 'int8').getBigInt64(0);
    case 'float4': return need(buf, 4, 'float4').getFloat32(0);
    case 'float8': return need(buf, 8, 'float8').getFloat64(0);
    case 'numeric': return decodeNumeric(buf);
    case 'text': case 'varchar': case 'bpchar': case 'name': case 'unknown': return utf8(buf);
    case 'char': return buf.length === 0 ? '' : String.fromCharCode(buf[0]!);
    case 'json': { const s = utf8(buf); validateJson(s); return s; }
    case 'bytea': return buf.slice();
    case 'date': {
      const v = need(buf, 4, 'date').getInt32(0);
      return v === DATEVAL_NOEND ? Infinity : v === DATEVAL_NOBEGIN ? -Infinity : v + PG_EPOCH_DAYS;
    }
    case 'time': {
      const v = Number(need(buf, 8, 'time').getBigInt64(0));
      if (v < 0 || v > 86_400_000_000) throw new SqlError(SqlState.NumericValueOutOfRange, 'time out of range');
      return v;
    }
    case 'timestamp': case 'timestamptz': {
      const v = need(buf, 8, type.name).getBigInt64(0);
      if (v === DT_NOEND) return Infinity;
      if (v === DT_NOBEGIN) return -Infinity;
      return Number(v) + PG_EPOCH_MICROS;
    }
    case 'interval': {
      const v = need(buf, 16, 'interval');
      return new Interval(v.getInt32(12), v.getInt32(8), Number(v.getBigInt64(0)));
    }
    case 'uuid': {
      need(buf, 16, 'uuid');
      let s = '';
      for (let i = 0; i < 16; i++) {
        s += buf[i]!.toString(16).padStart(2, '0');
        if (i === 3 || i === 5 || i === 7 || i === 9) s += '-';
      }
      return s;
    }
    case 'jsonb': {
      if (buf.length < 1) throw bad();
      if (buf[0] !== 1) throw bad(`unsupported jsonb version number ${buf[0]}`);
      return new Jsonb(parseJson(utf8(buf.subarray(1))));
    }
    default:
      throw new SqlError(SqlState.FeatureNotSupported, `no binary input function available for type ${type.name}`);
  }
}

// ---------------------------------------------------------------- arrays

function dims(a: readonly Datum[]): number[] {
  const out: number[] = [a.length];
  let cur: readonly Datum[] = a;
  while (cur.length > 0 && Array.isArray(cur[0])) {
    cur = cur[0] as readonly Datum[];
    out.push(cur.length);
  }
  return out;
}

function encodeArray(elem: ScalarType, a: readonly Datum[]): Uint8Array {
  const ds = a.length === 0 ? [] : dims(a);
  const parts: (Uint8Array | null)[] = [];
  let hasNull = false;
  const walk = (x: readonly Datum[], depth: number): void => {
    for (const v of x) {
      if (depth < ds.length - 1) { walk(v as readonly Datum[], depth + 1); continue; }
      if (v === null) { hasNull = true; parts.push(null); continue; }
      parts.push(encodeBinary(elem, v));
    }
  };
  walk(a, 0);
  let size = 12 + 8 * ds.length;
  for (const p of parts) size += 4 + (p === null ? 0 : p.length);
  const b = new Uint8Array(size);
  const v = new DataView(b.buffer);
  v.setInt32(0, ds.length); v.setInt32(4, hasNull ? 1 : 0); v.setUint32(8, TYPE_INFO[elem.name].oid);
  let off = 12;
  for (const n of ds) { v.setInt32(off, n); v.setInt32(off + 4, 1); off += 8; }
  for (const p of parts) {
    if (p === null) { v.setInt32(off, -1); off += 4; continue; }
    v.setInt32(off, p.length); b.set(p, off + 4); off += 4 + p.length;
  }
  return b;
}

function decodeArray(elem: ScalarType, buf: Uint8Array): Datum[] {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.length < 12) throw bad();
  const ndim = v.getInt32(0);
  const flags = v.getInt32(4);
  const elemOid = v.getUint32(8);
  if (ndim < 0 || ndim > 6) throw bad(`invalid number of dimensions: ${ndim}`);
  if (flags !== 0 && flags !== 1) throw bad('invalid array flags');
  if (elemOid !== TYPE_INFO[elem.name].oid) {
    throw new SqlError(SqlState.DatatypeMismatch, 'binary data has array element type ' + elemOid + ' instead of expected ' + TYPE_INFO[elem.name].oid);
  }
  let off = 12;
  const ds: number[] = [];
  for (let i = 0; i < ndim; i++) {
    if (off + 8 > buf.length) throw bad();
    const n = v.getInt32(off);
    if (n < 0) throw bad('array size exceeds the maximum allowed');
    ds.push(n);
    off += 8; // lower bounds are not representable; dropped
  }
  if (ndim === 0 || ds.includes(0)) return [];
  const readElem = (): Datum => {
    if (off + 4 > buf.length) throw bad();
    const len = v.getInt32(off);
    off += 4;
    if (len === -1) return null;
    if (len < 0 || off + len > buf.length) throw bad('insufficient data left in message');
    const d = decodeBinary(elem, buf.subarray(off, off + len));
    off += len;
    return d;
  };
  const build = (depth: number): Datum[] => {
    const out: Datum[] = [];
    for (let i = 0; i < ds[depth]!; i++) out.push(depth === ds.length - 1 ? readElem() : build(depth + 1));
    return out;
  };
  const r = build(0);
  if (off !== buf.length) throw bad('incorrect binary data format in array');
  return r;
}
