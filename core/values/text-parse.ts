// Input functions (typinput): PostgreSQL 15's accepted syntax and error messages per type.
import type { ScalarType, SqlType } from '../types.js';
import { typeDisplayName } from '../types.js';
import type { Datum } from '../datum.js';
import type { ValueSettings } from './settings.js';
import { SqlError, SqlState } from '../errors.js';
import { Numeric } from './numeric.js';
import { Interval, adjustIntervalForTypmod, bareNumberUnit, intervalTypmodRange, rint, USECS_PER_DAY, USECS_PER_HOUR, USECS_PER_MINUTE, USECS_PER_SEC } from './interval.js';
import { Jsonb, parseJson, validateJson } from './json.js';
import {
  daysInMonth, daysToYmd, localToUtc, parseFixedOffset, isValidTimeZone, ymdToDays, utcToLocal,
  MIN_DATE_DAYS, MAX_DATE_DAYS, timestampInRange,
} from './datetime.js';
import { applyTypmod, roundMicros, roundTimestampMicros } from './typmod.js';

function syntax(typeLabel: string, text: string, code: string = SqlState.InvalidTextRepresentation): SqlError {
  return new SqlError(code, `invalid input syntax for type ${typeLabel}: "${text}"`);
}

/**
 * PostgreSQL input function. `nowMicros` is the transaction start time used for 'now', 'today',
 * 'tomorrow', 'yesterday' (defaults to the wall clock when the caller has none).
 */
export function parseText(type: SqlType, text: string, s: ValueSettings, nowMicros?: number): Datum {
  if (type.kind === 'array') return parseArray(type.elem, text, s, nowMicros);
  switch (type.name) {
    case 'bool': return parseBool(text);
    case 'int2': return parseInt16(text);
    case 'int4': return parseInt32(text);
    case 'int8': return parseInt64(text);
    case 'float4': return parseFloat4(text);
    case 'float8': return parseFloat8(text);
    case 'numeric': {
      const n = Numeric.fromString(text);
      return type.typmod >= 4 ? n.applyTypmod(type.typmod) : n;
    }
    case 'text': case 'unknown': return text;
    case 'varchar': case 'bpchar':
      return type.typmod >= 4 ? applyTypmod(type, text, false) : text;
    case 'name': return truncateName(text);
    case 'char': return firstChar(text);
    case 'bytea': return parseBytea(text);
    case 'uuid': return parseUuid(text);
    case 'date': return parseDate(text, s, nowMicros);
    // time(p)/timestamp(p): the input function rounds to the declared precision
    case 'time': return type.typmod >= 0 ? roundMicros(parseTime(text), type.typmod) : parseTime(text);
    case 'timestamp': return type.typmod >= 0 ? roundTimestampMicros(parseTimestamp(text, s, nowMicros), type.typmod) : parseTimestamp(text, s, nowMicros);
    case 'timestamptz': return type.typmod >= 0 ? roundTimestampMicros(parseTimestamptz(text, s, nowMicros), type.typmod) : parseTimestamptz(text, s, nowMicros);
    case 'interval': {
      if (type.typmod < 0) return parseInterval(text, s.intervalStyle);
      return adjustIntervalForTypmod(parseInterval(text, s.intervalStyle, bareNumberUnit(intervalTypmodRange(type.typmod))), type.typmod);
    }
    case 'json': validateJson(text); return text;
    case 'jsonb': return new Jsonb(parseJson(text));
    case 'oid': case 'regclass': case 'regtype': case 'regproc': case 'regnamespace':
      return parseOid(text, type.name);
    case 'void': return null;
    default:
      throw new SqlError(SqlState.FeatureNotSupported, `cannot accept a value of type ${typeDisplayName(type)}`);
  }
}

// ---------------------------------------------------------------- bool / integers / floats

function isSpace(c: number): boolean { return c === 32 || (c >= 9 && c <= 13); }

/** boolin: any unique prefix of true/false/yes/no, on/off (2+ chars), 1/0; trimmed, case-insensitive. */
export function parseBool(text: string): boolean {
  let i = 0;
  let e = text.length;
  while (i < e && isSpace(text.charCodeAt(i))) i++;
  while (e > i && isSpace(text.charCodeAt(e - 1))) e--;
  const len = e - i;
  if (len === 1) {
    switch (text.charCodeAt(i) | 0x20) {
      case 116: return true; // t
      case 102: return false; // f
      case 121: return true; // y
      case 110: return false; // n
      default:
        if (text[i] === '1') return true;
        if (text[i] === '0') return false;
    }
  } else if (len > 1) {
    const w = text.slice(i, e).toLowerCase();
    if ('true'.startsWith(w)) return true;
    if ('false'.startsWith(w)) return false;
    if ('yes'.startsWith(w)) return true;
    if ('no'.startsWith(w)) return false;
    if (w === 'on') return true;
    if (w === 'of' || w === 'off') return false;
  }
  throw syntax('boolean', text);
}

/** pg_strtoint: whitespace, sign, decimal digits; no regex on this hot path. */
function parseIntText(text: string, min: number, max: number, label: string): number {
  let i = 0;
  const n = text.length;
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  let neg = false;
  const c0 = text.charCodeAt(i);
  if (c0 === 45) { neg = true; i++; } else if (c0 === 43) i++;
  const start = i;
  let v = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
    i++;
  }
  if (i === start) throw syntax(label, text);
  const digitsEnd = i;
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  if (i !== n) throw syntax(label, text);
  if (neg) v = -v;
  if (v < min || v > max || digitsEnd - start > 16) {
    throw new SqlError(SqlState.NumericValueOutOfRange, `value "${text}" is out of range for type ${label}`);
  }
  return v === 0 ? 0 : v;
}
export function parseInt16(text: string): number { return parseIntText(text, -32768, 32767, 'smallint'); }
export function parseInt32(text: string): number { return parseIntText(text, -2147483648, 2147483647, 'integer'); }

const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;
export function parseInt64(text: string): bigint {
  let i = 0;
  let e = text.length;
  while (i < e && isSpace(text.charCodeAt(i))) i++;
  while (e > i && isSpace(text.charCodeAt(e - 1))) e--;
  let j = i;
  const c0 = text.charCodeAt(j);
  if (c0 === 45 || c0 === 43) j++;
  if (j === e) throw syntax('bigint', text);
  for (let k = j; k < e; k++) {
    const c = text.charCodeAt(k);
    if (c < 48 || c > 57) throw syntax('bigint', text);
  }
  // short inputs are exact as doubles; avoid BigInt parsing cost on the common path
  if (e - j <= 15) {
    let v = 0;
    for (let k = j; k < e; k++) v = v * 10 + (text.charCodeAt(k) - 48);
    return BigInt(c0 === 45 ? -v : v);
  }
  const v = BigInt(text.slice(i, e));
  if (v < INT8_MIN || v > INT8_MAX) {
    throw new SqlError(SqlState.NumericValueOutOfRange, `value "${text}" is out of range for type bigint`);
  }
  return v;
}

/** strtod-like validation: decimal float syntax or NaN/Infinity spellings. Returns null if invalid. */
function scanFloat(text: string): number | null {
  let i = 0;
  let e = text.length;
  while (i < e && isSpace(text.charCodeAt(i))) i++;
  while (e > i && isSpace(text.charCodeAt(e - 1))) e--;
  if (i === e) return null;
  const t = text.slice(i, e);
  const c = t.charCodeAt(t.length - 1);
  if (c >= 48 && c <= 57 || c === 46) {
    let k = 0;
    const c0 = t.charCodeAt(0);
    if (c0 === 43 || c0 === 45) k++;
    let digits = 0;
    while (k < t.length && t.charCodeAt(k) >= 48 && t.charCodeAt(k) <= 57) { k++; digits++; }
    if (k < t.length && t.charCodeAt(k) === 46) {
      k++;
      while (k < t.length && t.charCodeAt(k) >= 48 && t.charCodeAt(k) <= 57) { k++; digits++; }
    }
    if (digits === 0) return null;
    if (k < t.length && (t.charCodeAt(k) | 0x20) === 101) {
      k++;
      if (k < t.length && (t.charCodeAt(k) === 43 || t.charCodeAt(k) === 45)) k++;
      const es = k;
      while (k < t.length && t.charCodeAt(k) >= 48 && t.charCodeAt(k) <= 57) k++;
      if (k === es) return null;
    }
    if (k === t.length) return Number(t);
  }
  if (/^[+-]?0x[0-9a-f]+$/i.test(t)) {
    // strtod accepts hexadecimal
    const neg = t.charCodeAt(0) === 45;
    const v = Number(t.replace(/^[+-]/, ''));
    return neg ? -v : v;
  }
  switch (t.toLowerCase()) {
    case 'nan': case '+nan': case '-nan': return NaN;
    case 'infinity': case '+infinity': case 'inf': case '+inf': return Infinity;
    case '-infinity': case '-inf': return -Infinity;
    default: return null;
  }
}
function isZeroLiteral(text: string): boolean {
  return !/[1-9]/.test(text.replace(/[eE][+-]?\d+\s*$/, ''));
}
export function parseFloat8(text: string): number {
  const v = scanFloat(text);
  if (v === null) throw syntax('double precision', text);
  if ((v === Infinity || v === -Infinity) && /\d/.test(text)) {
    throw new SqlError(SqlState.NumericValueOutOfRange, `"${text}" is out of range for type double precision`);
  }
  if (v === 0 && !isZeroLiteral(text)) {
    throw new SqlError(SqlState.NumericValueOutOfRange, `"${text}" is out of range for type double precision`);
  }
  return v;
}
export function parseFloat4(text: string): number {
  const v = scanFloat(text);
  if (v === null) throw syntax('real', text);
  const f = Math.fround(v);
  if (((f === Infinity || f === -Infinity) && /\d/.test(text)) || (f === 0 && !isZeroLiteral(text))) {
    throw new SqlError(SqlState.NumericValueOutOfRange, `"${text}" is out of range for type real`);
  }
  return f;
}

function parseOid(text: string, name: string): number {
  const label = name === 'oid' ? 'oid' : name;
  const t = text.trim();
  if (!/^[+-]?\d+$/.test(t)) {
    if (name !== 'oid') throw new SqlError(SqlState.FeatureNotSupported, `${name} input by name is resolved by the catalog: "${text}"`);
    throw syntax(label, text);
  }
  const v = Number(t);
  if (v > 4294967295 || v < -2147483648) throw new SqlError(SqlState.NumericValueOutOfRange, `value "${text}" is out of range for type ${label}`);
  return v < 0 ? v + 4294967296 : v;
}

// ---------------------------------------------------------------- strings

/** name: truncated to NAMEDATALEN-1 = 63 bytes at a character boundary. */
export function truncateName(s: string): string {
  if (s.length <= 21) return s; // ≤ 63 bytes whatever the characters
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const w = c < 0x80 ? 1 : c < 0x800 ? 2 : (c >= 0xd800 && c <= 0xdbff) ? 4 : 3;
    if (bytes + w > 63) return s.slice(0, i);
    bytes += w;
    if (w === 4) i++;
  }
  return s;
}
function firstChar(s: string): string {
  if (s.length === 0) return '';
  const cp = s.codePointAt(0)!;
  return String.fromCodePoint(cp);
}

// ---------------------------------------------------------------- bytea / uuid

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** byteain: '\x' hex (whitespace between byte pairs allowed) or escape format. */
export function parseBytea(text: string): Uint8Array {
  if (text.length >= 2 && text.charCodeAt(0) === 92 && (text.charCodeAt(1) | 0x20) === 120) {
    const out = new Uint8Array((text.length - 2) >> 1);
    let n = 0;
    let i = 2;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (isSpace(c)) { i++; continue; }
      const hi = hexVal(c);
      if (hi < 0) throw new SqlError(SqlState.InvalidParameterValue, `invalid hexadecimal digit: "${text[i]}"`);
      if (i + 1 >= text.length) throw new SqlError(SqlState.InvalidParameterValue, 'invalid hexadecimal data: odd number of digits');
      const lo = hexVal(text.charCodeAt(i + 1));
      if (lo < 0) throw new SqlError(SqlState.InvalidParameterValue, `invalid hexadecimal digit: "${text[i + 1]}"`);
      out[n++] = (hi << 4) | lo;
      i += 2;
    }
    return n === out.length ? out : out.slice(0, n);
  }
  const bytes = Buffer.from(text, 'utf8');
  const out = new Uint8Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c !== 92) { out[n++] = c; continue; }
    if (bytes[i + 1] === 92) { out[n++] = 92; i++; continue; }
    const a = bytes[i + 1];
    const b = bytes[i + 2];
    const d = bytes[i + 3];
    if (a !== undefined && b !== undefined && d !== undefined && a >= 48 && a <= 51 && b >= 48 && b <= 55 && d >= 48 && d <= 55) {
      out[n++] = ((a - 48) << 6) | ((b - 48) << 3) | (d - 48);
      i += 3;
      continue;
    }
    throw new SqlError(SqlState.InvalidTextRepresentation, 'invalid input syntax for type bytea');
  }
  return out.slice(0, n);
}

/** uuid_in: 32 hex digits, optional braces, optional '-' after any group of 4 digits. */
export function parseUuid(text: string): string {
  let i = 0;
  let e = text.length;
  const braces = text.charCodeAt(0) === 123;
  if (braces) {
    if (text.charCodeAt(e - 1) !== 125) throw syntax('uuid', text);
    i = 1; e--;
  }
  let out = '';
  let nd = 0;
  for (; i < e; i++) {
    const c = text.charCodeAt(i);
    const h = hexVal(c);
    if (h >= 0) {
      out += text[i]!.toLowerCase();
      nd++;
      if (nd === 8 || nd === 12 || nd === 16 || nd === 20) out += '-';
      continue;
    }
    if (c === 45 && nd % 4 === 0 && nd > 0 && nd < 32 && i + 1 < e && text.charCodeAt(i - 1) !== 45) continue;
    throw syntax('uuid', text);
  }
  if (nd !== 32) throw syntax('uuid', text);
  return out;
}

// ---------------------------------------------------------------- date / time

const MONTHS: Record<string, number> = {
  jan: 1, january: 1, feb: 2, february: 2, mar: 3, march: 3, apr: 4, april: 4, may: 5, jun: 6, june: 6,
  jul: 7, july: 7, aug: 8, august: 8, sep: 9, sept: 9, september: 9, oct: 10, october: 10, nov: 11, november: 11,
  dec: 12, december: 12,
};
const WEEKDAYS = new Set(['sun', 'mon', 'tue', 'tues', 'wed', 'wednesday', 'thu', 'thur', 'thurs', 'fri', 'sat',
  'sunday', 'monday', 'tuesday', 'thursday', 'friday', 'saturday']);
/** A few zone abbreviations PG knows by default (offset seconds east). */
const ZONE_ABBREVS: Record<string, number> = {
  utc: 0, gmt: 0, z: 0, zulu: 0, ut: 0,
  est: -5 * 3600, edt: -4 * 3600, cst: -6 * 3600, cdt: -5 * 3600, mst: -7 * 3600, mdt: -6 * 3600,
  pst: -8 * 3600, pdt: -7 * 3600, cet: 3600, cest: 7200, eet: 7200, eest: 10800, wet: 0, west: 3600,
  bst: 3600, ist: 7200, jst: 9 * 3600, msk: 3 * 3600, akst: -9 * 3600, akdt: -8 * 3600, hst: -10 * 3600,
  aest: 10 * 3600, aedt: 11 * 3600, nzst: 12 * 3600, nzdt: 13 * 3600,
};

interface ParsedDateTime {
  kind: 'value' | 'special';
  special?: 'epoch' | 'infinity' | '-infinity' | 'now' | 'today' | 'tomorrow' | 'yesterday' | 'allballs';
  hasDate: boolean;
  y: number; m: number; d: number;
  hasTime: boolean;
  us: number; // time of day in µs (may be 24:00:00)
  /** explicit zone: fixed offset seconds east, or a zone name resolved later */
  offset: number | null;
  zoneName: string | null;
}

class DtError extends Error {
  constructor(readonly kind: 'syntax' | 'range' | 'tz') { super(kind); }
}

function monthDayYear(style: string): 'mdy' | 'dmy' | 'ymd' {
  const u = style.toUpperCase();
  if (u.includes('DMY') || (u.includes('EURO') || u.includes('GERMAN')) && !u.includes('MDY')) return 'dmy';
  if (u.includes('YMD')) return 'ymd';
  return 'mdy';
}

/** Tokenize and decode a date/time string (a practical subset of PG's ParseDateTime/DecodeDateTime). */
function decodeDateTime(text: string, s: ValueSettings, wantDate: boolean, mode: 'date' | 'time' | 'timestamp' = wantDate ? 'timestamp' : 'date'): ParsedDateTime {
  const r: ParsedDateTime = { kind: 'value', hasDate: false, y: 0, m: 0, d: 0, hasTime: false, us: 0, offset: null, zoneName: null };
  const t = text.trim().toLowerCase();
  switch (t) {
    case 'epoch': case 'infinity': case '-infinity': case 'now': case 'today': case 'tomorrow': case 'yesterday': case 'allballs':
      r.kind = 'special'; r.special = t; return r;
    case '+infinity':
      r.kind = 'special'; r.special = 'infinity'; return r;
    default: break;
  }
  // ISO fast path: YYYY-MM-DD[( |T)HH:MM[:SS[.f]]][zone]
  let rest = t;
  const iso = /^(\d{4,})-(\d{1,2})-(\d{1,2})/.exec(t);
  let bc = false;
  const nums: number[] = [];
  let monthFromName = 0;
  let textMonthFirst = false;
  if (iso) {
    r.hasDate = true;
    r.y = Number(iso[1]); r.m = Number(iso[2]); r.d = Number(iso[3]);
    rest = t.slice(iso[0].length);
    if (rest.startsWith('t')) rest = ' ' + rest.slice(1);
  }
  // a 'T' glued to a time ('T03:04:05') is the ISO time designator
  if (rest.charCodeAt(0) === 116 && rest.charCodeAt(1) >= 48 && rest.charCodeAt(1) <= 57) rest = rest.slice(1);
  // remaining tokens
  const tokRe = /\s*(?:(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d*))?)?|([+-]\d{1,2}(?::?\d{2}(?::\d{2})?)?)(?![\d-])|(\d+)(?:[-/.](\d+|[a-z]+)(?:[-/.](\d+))?)?|([a-z][a-z_/+\-0-9]*)|(,)|(\.))/y;
  let pos = 0;
  while (pos < rest.length) {
    tokRe.lastIndex = pos;
    const m = tokRe.exec(rest);
    if (!m) {
      if (/^\s*$/.test(rest.slice(pos))) break;
      throw new DtError('syntax');
    }
    pos = tokRe.lastIndex;
    if (m[1] !== undefined) {
      if (r.hasTime) throw new DtError('syntax');
      const hh = Number(m[1]);
      const mi = Number(m[2]);
      const ss = m[3] !== undefined ? Number(m[3]) : 0;
      const frac = m[4] ? Number('0.' + m[4]) : 0;
      if (mi > 59 || ss > 60 || hh > 24 || (hh === 24 && (mi > 0 || ss > 0 || frac > 0))) throw new DtError('range');
      r.hasTime = true;
      r.us = ((hh * 60 + mi) * 60 + ss) * USECS_PER_SEC + rint(frac * 1e6);
    } else if (m[5] !== undefined) {
      if (!r.hasTime && !r.hasDate && nums.length === 0) throw new DtError('syntax');
      const off = parseFixedOffset(m[5].length === 5 && !m[5].includes(':') ? m[5].slice(0, 3) + ':' + m[5].slice(3) : m[5]);
      if (off === null) throw new DtError('tz');
      r.offset = off;
    } else if (m[6] !== undefined) {
      if (m[7] !== undefined) {
        // 2024/01/02, 01/02/2024, 1-Jan-2024, 2024.01.02
        if (r.hasDate) throw new DtError('syntax');
        const a = m[6];
        const b = m[7];
        const c = m[8];
        if (/^[a-z]+$/.test(b)) {
          const mo = MONTHS[b];
          if (mo === undefined || c === undefined) throw new DtError('syntax');
          r.m = mo;
          if (a.length >= 3) { r.y = Number(a); r.d = Number(c); } else { r.d = Number(a); r.y = fixYear(c); }
        } else if (c !== undefined) {
          if (a.length >= 3) { r.y = Number(a); r.m = Number(b); r.d = Number(c); }
          else {
            const order = monthDayYear(s.dateStyle);
            if (order === 'dmy') { r.d = Number(a); r.m = Number(b); } else { r.m = Number(a); r.d = Number(b); }
            r.y = fixYear(c);
          }
        } else if (a.length >= 3 && b.length === 3) {
          // year.day-of-year
          const doy = Number(b);
          if (doy < 1 || doy > (daysInMonth(Number(a), 2) === 29 ? 366 : 365)) throw new DtError('range');
          const dd = daysToYmd(ymdToDays(Number(a), 1, 1) + doy - 1);
          r.y = dd.y; r.m = dd.m; r.d = dd.d;
        } else throw new DtError('syntax');
        r.hasDate = true;
      } else if (m[6].length === 8 && !r.hasDate && nums.length === 0 && !monthFromName) {
        r.y = Number(m[6].slice(0, 4)); r.m = Number(m[6].slice(4, 6)); r.d = Number(m[6].slice(6));
        r.hasDate = true;
      } else if (m[6].length === 6 && !r.hasTime && (r.hasDate || (mode === 'time' && nums.length === 0))) {
        r.hasTime = true;
        const hh = Number(m[6].slice(0, 2)); const mi = Number(m[6].slice(2, 4)); const ss = Number(m[6].slice(4));
        if (hh > 24 || mi > 59 || ss > 60) throw new DtError('range');
        r.us = ((hh * 60 + mi) * 60 + ss) * USECS_PER_SEC;
      } else {
        nums.push(Number(m[6]));
        if (m[6].length >= 3) nums[nums.length - 1] = -1 - Number(m[6]); // mark as a year (encoded)
      }
    } else if (m[9] !== undefined) {
      const w = m[9];
      const named = /^([a-z]+)-(\d+)-(\d+)$/.exec(w);
      const julian = /^j(\d+)$/.exec(w);
      if (named && MONTHS[named[1]!] !== undefined && !r.hasDate) {
        // Jan-08-1999
        r.m = MONTHS[named[1]!]!; r.d = Number(named[2]); r.y = fixYear(named[3]!);
        r.hasDate = true;
        continue;
      }
      if (julian && !r.hasDate) {
        // Julian day number: JD 2440588 is 1970-01-01
        const dd = daysToYmd(Number(julian[1]) - 2440588);
        r.y = dd.y; r.m = dd.m; r.d = dd.d;
        r.hasDate = true;
        continue;
      }
      const mo = MONTHS[w.replace(/\.$/, '')];
      if (mo !== undefined && !r.hasDate && !monthFromName) {
        monthFromName = mo;
        if (nums.length === 0) textMonthFirst = true;
      } else if (w === 'bc' || w === 'b.c.') bc = true;
      else if (w === 'ad' || w === 'a.d.') bc = false;
      else if (w === 'am' || w === 'pm') {
        if (!r.hasTime) throw new DtError('syntax');
        const hh = Math.floor(r.us / USECS_PER_HOUR);
        if (hh > 12 || hh === 0 && w === 'pm' && false) throw new DtError('range');
        if (w === 'pm' && hh < 12) r.us += 12 * USECS_PER_HOUR;
        if (w === 'am' && hh === 12) r.us -= 12 * USECS_PER_HOUR;
      } else if (WEEKDAYS.has(w)) {
        // day-of-week names are accepted and ignored
      } else if (w === 't') {
        // ISO separator ('T03:04:05' alone is accepted too)
      } else if (/^(?:utc|gmt)[+-]\d/.test(w)) {
        // POSIX style 'UTC+3' means 3 hours west of UTC
        const off = parseFixedOffset(w.slice(3));
        if (off === null) throw new DtError('tz');
        r.offset = -off;
      } else if (ZONE_ABBREVS[w] !== undefined) {
        r.offset = ZONE_ABBREVS[w]!;
      } else {
        const name = text.trim().slice(text.trim().toLowerCase().indexOf(w), text.trim().toLowerCase().indexOf(w) + w.length);
        if (!isValidTimeZone(name)) throw new DtError('syntax');
        r.zoneName = name;
      }
    } else if (m[10] !== undefined || m[11] !== undefined) {
      // separators
    }
  }
  if (monthFromName || nums.length > 0) {
    if (r.hasDate && nums.length > 0) throw new DtError('syntax');
    if (!r.hasDate) {
      const plain = nums.map((n) => (n < 0 ? -1 - n : n));
      const isYear = nums.map((n) => n < 0);
      if (monthFromName) {
        if (plain.length !== 2) throw new DtError('syntax');
        r.m = monthFromName;
        // 'Jan 8 1999' / '8 Jan 1999' / '1999 Jan 8'
        if (isYear[0]) { r.y = plain[0]!; r.d = plain[1]!; }
        else if (isYear[1] || textMonthFirst) { r.d = plain[0]!; r.y = isYear[1] ? plain[1]! : fixYear(String(plain[1])); }
        else { r.d = plain[0]!; r.y = fixYear(String(plain[1])); }
        r.hasDate = true;
      } else if (plain.length === 3 && isYear[0]) {
        r.y = plain[0]!; r.m = plain[1]!; r.d = plain[2]!; r.hasDate = true;
      } else {
        throw new DtError('syntax');
      }
    }
  }
  // there is no year 0: '0000-01-01' is out of range, 1 BC is astronomical year 0
  if (r.hasDate && r.y <= 0) throw new DtError('range');
  if (bc) {
    if (!r.hasDate) throw new DtError('syntax');
    r.y = 1 - r.y;
  }
  if (r.hasDate) {
    if (r.m < 1 || r.m > 12 || r.d < 1 || r.d > daysInMonth(r.y, r.m)) throw new DtError('range');
  } else if (wantDate) throw new DtError('syntax');
  return r;
}
function fixYear(s: string): number {
  const y = Number(s);
  if (s.length <= 2) return y < 70 ? 2000 + y : 1900 + y;
  return y;
}

function dtError(e: unknown, label: string, text: string): never {
  if (e instanceof DtError) {
    if (e.kind === 'tz') throw new SqlError(SqlState.InvalidTimeZoneDisplacementValue, `time zone displacement out of range: "${text}"`);
    if (e.kind === 'range') throw new SqlError(SqlState.DatetimeFieldOverflow, `date/time field value out of range: "${text}"`);
    throw new SqlError(SqlState.InvalidDatetimeFormat, `invalid input syntax for type ${label}: "${text}"`);
  }
  throw e;
}

function nowOr(nowMicros: number | undefined): number {
  return nowMicros ?? Date.now() * 1000;
}

export function parseDate(text: string, s: ValueSettings, nowMicros?: number): number {
  let r: ParsedDateTime;
  try { r = decodeDateTime(text, s, false); } catch (e) { dtError(e, 'date', text); }
  if (r.kind === 'special') {
    const todayLocal = (): number => Math.floor(utcToLocal(s.timeZone, nowOr(nowMicros)) / USECS_PER_DAY);
    switch (r.special) {
      case 'epoch': return 0;
      case 'infinity': return Infinity;
      case '-infinity': return -Infinity;
      case 'now': case 'today': return todayLocal();
      case 'tomorrow': return todayLocal() + 1;
      case 'yesterday': return todayLocal() - 1;
      default: throw new SqlError(SqlState.InvalidDatetimeFormat, `invalid input syntax for type date: "${text}"`);
    }
  }
  if (!r.hasDate) throw new SqlError(SqlState.InvalidDatetimeFormat, `invalid input syntax for type date: "${text}"`);
  const days = ymdToDays(r.y, r.m, r.d);
  if (days < MIN_DATE_DAYS || days > MAX_DATE_DAYS) throw new SqlError(SqlState.DatetimeFieldOverflow, `date out of range: "${text}"`);
  return days;
}

export function parseTime(text: string): number {
  const t = text.trim().toLowerCase();
  if (t === 'allballs') return 0;
  let r: ParsedDateTime;
  try { r = decodeDateTime(text, { timeZone: 'UTC', dateStyle: 'ISO', intervalStyle: 'postgres', extraFloatDigits: 1, byteaOutput: 'hex' }, false, 'time'); } catch (e) { dtError(e, 'time', text); }
  if (r.kind === 'special' || !r.hasTime) {
    throw new SqlError(SqlState.InvalidDatetimeFormat, `invalid input syntax for type time: "${text}"`);
  }
  return r.us;
}

function specialTimestamp(r: ParsedDateTime, s: ValueSettings, nowMicros: number | undefined, tz: boolean): number {
  const now = nowOr(nowMicros);
  // for timestamp (no zone) 'now'/'today' are local wall-clock values in the session zone
  const localNow = utcToLocal(s.timeZone, now);
  const midnight = Math.floor(localNow / USECS_PER_DAY) * USECS_PER_DAY;
  const toResult = (local: number): number => (tz ? localToUtc(s.timeZone, local) : local);
  switch (r.special) {
    case 'epoch': return 0;
    case 'infinity': return Infinity;
    case '-infinity': return -Infinity;
    case 'now': return tz ? now : localNow;
    case 'today': return toResult(midnight);
    case 'tomorrow': return toResult(midnight + USECS_PER_DAY);
    case 'yesterday': return toResult(midnight - USECS_PER_DAY);
    default: return NaN;
  }
}

/**
 * Fast path for the canonical 'YYYY-MM-DD[ T]HH:MM:SS[.ffffff]' form (what PG and drivers emit):
 * local µs, or NaN when the text is not exactly that shape (then the general parser decides).
 */
function isoFast(t: string, allowTail: boolean): { local: number; end: number } | null {
  const n = t.length;
  if (n < 19 || t.charCodeAt(4) !== 45 || t.charCodeAt(7) !== 45 || t.charCodeAt(13) !== 58 || t.charCodeAt(16) !== 58) return null;
  const sep = t.charCodeAt(10);
  if (sep !== 32 && sep !== 84) return null;
  const dig = (i: number): number => {
    const c = t.charCodeAt(i) - 48;
    return c >= 0 && c <= 9 ? c : -100000;
  };
  const y = dig(0) * 1000 + dig(1) * 100 + dig(2) * 10 + dig(3);
  const mo = dig(5) * 10 + dig(6);
  const d = dig(8) * 10 + dig(9);
  const hh = dig(11) * 10 + dig(12);
  const mi = dig(14) * 10 + dig(15);
  const ss = dig(17) * 10 + dig(18);
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 59) return null;
  let i = 19;
  let us = 0;
  if (i < n && t.charCodeAt(i) === 46) {
    i++;
    let scale = 100000;
    const start = i;
    while (i < n && i - start < 6) {
      const c = t.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      us += c * scale;
      scale /= 10;
      i++;
    }
    if (i === start) return null;
    const c = t.charCodeAt(i) - 48;
    if (i < n && c >= 0 && c <= 9) return null; // more than 6 digits: needs rounding
  }
  if (i !== n && !allowTail) return null;
  return { local: ymdToDays(y, mo, d) * USECS_PER_DAY + ((hh * 60 + mi) * 60 + ss) * USECS_PER_SEC + us, end: i };
}

export function parseTimestamp(text: string, s: ValueSettings, nowMicros?: number): number {
  const fast = isoFast(text, false);
  if (fast !== null) return fast.local;
  let r: ParsedDateTime;
  try { r = decodeDateTime(text, s, true); } catch (e) { dtError(e, 'timestamp', text); }
  if (r.kind === 'special') {
    const v = specialTimestamp(r, s, nowMicros, false);
    if (Number.isNaN(v)) throw new SqlError(SqlState.InvalidDatetimeFormat, `invalid input syntax for type timestamp: "${text}"`);
    return v;
  }
  const v = ymdToDays(r.y, r.m, r.d) * USECS_PER_DAY + r.us;
  if (!timestampInRange(v)) throw new SqlError(SqlState.DatetimeFieldOverflow, `timestamp out of range: "${text}"`);
  return v;
}

export function parseTimestamptz(text: string, s: ValueSettings, nowMicros?: number): number {
  const fast = isoFast(text, true);
  if (fast !== null) {
    if (fast.end === text.length) return localToUtc(s.timeZone, fast.local);
    // '+HH', '+HH:MM', 'Z' suffixes
    const off = text.charCodeAt(fast.end) === 90 && fast.end + 1 === text.length ? 0 : parseFixedOffset(text.slice(fast.end));
    if (off !== null && text.charCodeAt(fast.end) !== 32) return fast.local - off * USECS_PER_SEC;
  }
  let r: ParsedDateTime;
  try { r = decodeDateTime(text, s, true); } catch (e) { dtError(e, 'timestamp with time zone', text); }
  if (r.kind === 'special') {
    const v = specialTimestamp(r, s, nowMicros, true);
    if (Number.isNaN(v)) throw new SqlError(SqlState.InvalidDatetimeFormat, `invalid input syntax for type timestamp with time zone: "${text}"`);
    return v;
  }
  const local = ymdToDays(r.y, r.m, r.d) * USECS_PER_DAY + r.us;
  let v: number;
  if (r.offset !== null) v = local - r.offset * USECS_PER_SEC;
  else v = localToUtc(r.zoneName ?? s.timeZone, local);
  if (!timestampInRange(v)) throw new SqlError(SqlState.DatetimeFieldOverflow, `timestamp out of range: "${text}"`);
  return v;
}

// ---------------------------------------------------------------- interval

type Unit = 'us' | 'ms' | 's' | 'min' | 'h' | 'd' | 'w' | 'mon' | 'y' | 'dec' | 'c' | 'mil';
const UNITS: Record<string, Unit> = {
  microsecond: 'us', microseconds: 'us', microsecon: 'us', us: 'us', usec: 'us', usecs: 'us', useconds: 'us',
  millisecond: 'ms', milliseconds: 'ms', millisecon: 'ms', ms: 'ms', msec: 'ms', msecs: 'ms', mseconds: 'ms',
  second: 's', seconds: 's', s: 's', sec: 's', secs: 's',
  minute: 'min', minutes: 'min', m: 'min', min: 'min', mins: 'min',
  hour: 'h', hours: 'h', h: 'h', hr: 'h', hrs: 'h',
  day: 'd', days: 'd', d: 'd',
  week: 'w', weeks: 'w', w: 'w',
  month: 'mon', months: 'mon', mon: 'mon', mons: 'mon',
  year: 'y', years: 'y', y: 'y', yr: 'y', yrs: 'y',
  decade: 'dec', decades: 'dec', dec: 'dec', decs: 'dec',
  century: 'c', centuries: 'c', c: 'c', cent: 'c',
  millennium: 'mil', millennia: 'mil', mil: 'mil', mils: 'mil', millenniums: 'mil',
};

class IntervalAcc {
  months = 0;
  days = 0;
  micros = 0;
  /** AdjustFractDays: fraction × unit-days → whole days, remainder → time. */
  fractDays(frac: number, perUnit: number): void {
    if (frac === 0) return;
    const extra = frac * perUnit;
    const whole = Math.trunc(extra);
    this.days += whole;
    this.micros += rint((extra - whole) * USECS_PER_DAY);
  }
  add(unit: Unit, val: number, frac: number): void {
    switch (unit) {
      case 'us': this.micros += rint(val + frac); break;
      case 'ms': this.micros += rint((val + frac) * 1000); break;
      case 's': this.micros += val * USECS_PER_SEC + rint(frac * USECS_PER_SEC); break;
      case 'min': this.micros += val * USECS_PER_MINUTE + rint(frac * USECS_PER_MINUTE); break;
      case 'h': this.micros += val * USECS_PER_HOUR + rint(frac * USECS_PER_HOUR); break;
      case 'd': this.days += val; this.micros += rint(frac * USECS_PER_DAY); break;
      case 'w': this.days += val * 7; this.fractDays(frac, 7); break;
      case 'mon': this.months += val; this.fractDays(frac, 30); break;
      case 'y': this.months += val * 12 + rint(frac * 12); break;
      case 'dec': this.months += val * 120 + rint(frac * 120); break;
      case 'c': this.months += val * 1200 + rint(frac * 1200); break;
      case 'mil': this.months += val * 12000 + rint(frac * 12000); break;
    }
  }
}

function intervalSyntax(text: string): SqlError {
  return new SqlError(SqlState.InvalidDatetimeFormat, `invalid input syntax for type interval: "${text}"`);
}

/** interval_in: PG's postgres-style and ISO 8601 inputs ('1 day 02:00', '@ 1 hour ago', 'P1Y2M', '1-2'). */
export function parseInterval(text: string, style = 'postgres', bareUnit: Unit = 's'): Interval {
  const t = text.trim().toLowerCase();
  // sql_standard: a leading '-' applies to every field when no other field carries a sign
  if (style === 'sql_standard' && t.charCodeAt(0) === 45 && !/[+-]/.test(t.slice(1).replace(/e[+-]/g, ''))) {
    return parseInterval(t.slice(1), 'postgres', bareUnit).negate();
  }
  if (t.length === 0) throw intervalSyntax(text);
  // ISO 8601 designator is case-sensitive in PG: 'P1D' yes, 'p1d' no
  if (text.trim().charCodeAt(0) === 80 /* P */) return parseIso8601Interval(t, text);
  const acc = new IntervalAcc();
  let s = (t.charCodeAt(0) === 64 /* @ */ ? t.slice(1) : t).replace(/,/g, ' ');
  let ago = false;
  if (/\sago$/.test(s) || s === 'ago') { ago = true; s = s.slice(0, -3); }
  const re = /\s*(?:([+-]?)(\d+):(\d+)(?::(\d+(?:\.\d*)?))?|([+-]?)(\d+)-(\d+)(?![\d:])|([+-]?\s*(?:\d+(?:\.\d*)?|\.\d+))\s*([a-z]+)?|([a-z]+))/y;
  let pos = 0;
  let any = false;
  let pendingNum: { val: number; frac: number } | null = null;
  let sawTime = false;
  const seen = new Set<string>(); // PG rejects a field given twice ('1 day 1 day')
  const mark = (f: string): void => {
    if (seen.has(f)) throw intervalSyntax(text);
    seen.add(f);
  };
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) {
      if (/^\s*$/.test(s.slice(pos))) break;
      throw intervalSyntax(text);
    }
    pos = re.lastIndex;
    any = true;
    if (m[2] !== undefined) {
      if (sawTime) throw intervalSyntax(text);
      sawTime = true;
      // HH:MM[:SS] — a preceding bare number is days
      if (pendingNum) { mark('d'); acc.add('d', pendingNum.val, pendingNum.frac); pendingNum = null; }
      mark('h'); mark('min'); mark('s'); mark('ms'); mark('us');
      const sign = m[1] === '-' ? -1 : 1;
      const hh = Number(m[2]);
      const mi = Number(m[3]);
      const sec = m[4] !== undefined ? Number(m[4]) : 0;
      if (mi > 59 || sec >= 60) throw fieldOverflow(text);
      acc.micros += sign * (hh * USECS_PER_HOUR + mi * USECS_PER_MINUTE + rint(sec * USECS_PER_SEC));
    } else if (m[6] !== undefined) {
      // SQL-standard year-month 'Y-M'
      const sign = m[5] === '-' ? -1 : 1;
      const mon = Number(m[7]);
      if (mon > 11) throw fieldOverflow(text);
      mark('y'); mark('mon');
      acc.months += sign * (Number(m[6]) * 12 + mon);
    } else if (m[8] !== undefined) {
      if (pendingNum) throw intervalSyntax(text);
      const num = Number(m[8].replace(/\s+/g, ''));
      if (!Number.isFinite(num)) throw intervalSyntax(text);
      const val = Math.trunc(num);
      const frac = num - val;
      if (m[9] !== undefined) {
        const unit = UNITS[m[9]];
        if (unit === undefined) throw intervalSyntax(text);
        mark(unit);
        // fractional seconds count as the millisecond and microsecond fields too
        if (unit === 's' && frac !== 0) { mark('ms'); mark('us'); }
        acc.add(unit, val, frac);
      } else {
        pendingNum = { val, frac };
      }
    } else if (m[10] !== undefined) {
      // a unit word after a bare number separated by nothing numeric, e.g. '5 seconds' handled above
      const unit = UNITS[m[10]];
      if (unit === undefined || !pendingNum) throw intervalSyntax(text);
      mark(unit);
      acc.add(unit, pendingNum.val, pendingNum.frac);
      pendingNum = null;
    }
  }
  if (!any) throw intervalSyntax(text);
  if (pendingNum) {
    // a lone number means seconds (PG: an unlabeled trailing field is seconds)
    mark(bareUnit);
    acc.add(bareUnit, pendingNum.val, pendingNum.frac);
  }
  const sign = ago ? -1 : 1;
  return checkInterval(acc, sign, text);
}

/** 22015 interval_field_overflow */
function fieldOverflow(text: string): SqlError {
  return new SqlError('22015', `interval field value out of range: "${text}"`);
}

function checkInterval(acc: IntervalAcc, sign: number, text: string): Interval {
  const months = sign * acc.months || 0;
  const days = sign * acc.days || 0;
  const micros = sign * acc.micros || 0;
  // micros beyond 2^53 lose precision (Datum contract) but PG's int64 range is accepted
  if (Math.abs(months) > 2147483647 || Math.abs(days) > 2147483647 || !(Math.abs(micros) < 9223372036854775807)) throw fieldOverflow(text);
  return new Interval(months, days, micros);
}

function parseIso8601Interval(t: string, text: string): Interval {
  const acc = new IntervalAcc();
  // alternative format P0001-02-03T04:05:06
  const alt = /^p(\d+)-(\d+)-(\d+)(?:t(\d+):(\d+):(\d+(?:\.\d*)?))?$/.exec(t);
  if (alt) {
    acc.months = Number(alt[1]) * 12 + Number(alt[2]);
    acc.days = Number(alt[3]);
    if (alt[4] !== undefined) acc.micros = Number(alt[4]) * USECS_PER_HOUR + Number(alt[5]) * USECS_PER_MINUTE + rint(Number(alt[6]) * USECS_PER_SEC);
    return checkInterval(acc, 1, text);
  }
  let inTime = false;
  const re = /(t)|([+-]?\d+(?:\.\d*)?|[+-]?\.\d+)([ymwdhs])/y;
  let pos = 1;
  let any = false;
  while (pos < t.length) {
    re.lastIndex = pos;
    const m = re.exec(t);
    if (!m) throw intervalSyntax(text);
    pos = re.lastIndex;
    if (m[1] !== undefined) { if (inTime) throw intervalSyntax(text); inTime = true; continue; }
    any = true;
    const num = Number(m[2]);
    const val = Math.trunc(num);
    const frac = num - val;
    switch (m[3]) {
      case 'y': acc.add('y', val, frac); break;
      case 'm': acc.add(inTime ? 'min' : 'mon', val, frac); break;
      case 'w': acc.add('w', val, frac); break;
      case 'd': acc.add('d', val, frac); break;
      case 'h': if (!inTime) throw intervalSyntax(text); acc.add('h', val, frac); break;
      case 's': if (!inTime) throw intervalSyntax(text); acc.add('s', val, frac); break;
    }
  }
  if (!any) throw intervalSyntax(text);
  return checkInterval(acc, 1, text);
}

// ---------------------------------------------------------------- arrays

function malformed(text: string, detail: string): SqlError {
  return new SqlError(SqlState.InvalidTextRepresentation, `malformed array literal: "${text}"`, { detail });
}

/** array_in: '{1,2,NULL}', quoted elements with backslash escapes, nested braces, optional '[l:u]=' prefix. */
export function parseArray(elem: ScalarType, text: string, s: ValueSettings, nowMicros?: number): Datum[] {
  let i = 0;
  const n = text.length;
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) === 91 /* [ */) {
    // dimension decoration: bounds are not representable in our Datum, accept and drop them
    const m = /^(\s*(?:\[\s*[+-]?\d+\s*(?::\s*[+-]?\d+\s*)?\])+\s*=\s*)/.exec(text);
    if (!m) throw malformed(text, 'Missing "]" after array dimensions.');
    i = m[0].length;
  }
  if (text.charCodeAt(i) !== 123) {
    throw malformed(text, 'Array value must start with "{" or dimension information.');
  }
  const depthSizes: number[] = [];
  const parseLevel = (depth: number): Datum[] => {
    // at '{'
    i++;
    const out: Datum[] = [];
    let expectElem = true;
    let nested: boolean | null = null;
    for (;;) {
      while (i < n && isSpace(text.charCodeAt(i))) i++;
      if (i >= n) throw malformed(text, 'Unexpected end of input.');
      const c = text.charCodeAt(i);
      if (c === 125 /* } */) {
        if (expectElem && out.length > 0) throw malformed(text, 'Unexpected "}" character.');
        i++;
        break;
      }
      if (!expectElem) {
        if (c !== 44) throw malformed(text, 'Expected "," or "}" character.');
        i++;
        expectElem = true;
        continue;
      }
      if (c === 123) {
        if (nested === false) throw malformed(text, 'Unexpected "{" character.');
        nested = true;
        out.push(parseLevel(depth + 1));
      } else {
        if (nested === true) throw malformed(text, 'Expected "{" character.');
        nested = false;
        let quoted = false;
        let hasQuoting = false; // quotes or backslashes: then NULL is a string, not SQL NULL
        let val = '';
        let trailingStart = -1; // where unquoted trailing whitespace began, to trim it
        let closedAt = -1; // after a closing quote only whitespace may follow
        while (i < n) {
          const ch = text.charCodeAt(i);
          if (!quoted && (ch === 44 || ch === 125)) break;
          if (!quoted && ch === 123) throw malformed(text, 'Unexpected "{" character.');
          if (ch === 92) {
            if (i + 1 >= n) throw malformed(text, 'Unexpected end of input.');
            val += text[i + 1];
            i += 2;
            trailingStart = -1;
            hasQuoting = true;
            continue;
          }
          if (ch === 34) {
            if (!quoted && (val.length > 0 || hasQuoting)) throw malformed(text, 'Unexpected array element.');
            if (quoted) closedAt = i + 1;
            quoted = !quoted;
            hasQuoting = true;
            trailingStart = -1;
            i++;
            continue;
          }
          if (!quoted && closedAt >= 0 && !isSpace(ch)) throw malformed(text, 'Unexpected array element.');
          if (!quoted && isSpace(ch)) {
            if (trailingStart < 0) trailingStart = val.length;
          } else {
            trailingStart = -1;
          }
          val += text[i];
          i++;
        }
        if (quoted) throw malformed(text, 'Unexpected end of input.');
        if (trailingStart >= 0) val = val.slice(0, trailingStart);
        if (!hasQuoting && val.length === 0) throw malformed(text, 'Unexpected "," character.');
        const cell: ArrayCell = { v: val, q: hasQuoting };
        (out as unknown[]).push(cell);
      }
      expectElem = false;
    }
    if (depth > 0 && out.length === 0) throw malformed(text, 'Unexpected "}" character.');
    if (depthSizes[depth] === undefined) depthSizes[depth] = out.length;
    else if (depthSizes[depth] !== out.length) {
      throw malformed(text, 'Multidimensional arrays must have sub-arrays with matching dimensions.');
    }
    return out;
  };
  const tree = parseLevel(0);
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  if (i !== n) throw malformed(text, 'Junk after closing right brace.');
  return convertTree(tree, elem, s, nowMicros);
}

interface ArrayCell { v: string; q: boolean }

function convertTree(tree: Datum[], elem: ScalarType, s: ValueSettings, nowMicros?: number): Datum[] {
  const out: Datum[] = new Array<Datum>(tree.length);
  for (let k = 0; k < tree.length; k++) {
    const x = tree[k] as unknown;
    if (Array.isArray(x)) { out[k] = convertTree(x as Datum[], elem, s, nowMicros); continue; }
    const { v, q } = x as ArrayCell;
    if (!q && v.length === 4 && v.toUpperCase() === 'NULL') out[k] = null;
    else out[k] = parseText(elem, v, s, nowMicros);
  }
  return out;
}
