// Output functions (typoutput): the text PostgreSQL 15 sends for each type.
import type { SqlType } from '../types.js';
import type { Datum } from '../datum.js';
import type { ValueSettings } from './settings.js';
import { Numeric } from './numeric.js';
import { Interval, intervalParts } from './interval.js';
import { Jsonb, jsonToText } from './json.js';
import { daysToYmd, formatOffset, parseFixedOffset, utcToLocal, USECS_PER_DAY } from './datetime.js';
import { SqlError, SqlState } from '../errors.js';

export function formatText(type: SqlType, d: Datum, s: ValueSettings): string {
  if (type.kind === 'array') return type.vector ? (d as readonly Datum[]).map((x) => formatText(type.elem, x, s)).join(' ') : formatArray(type.elem, d as readonly Datum[], s);
  switch (type.name) {
    case 'bool': return d ? 't' : 'f';
    case 'regclass': case 'regtype': case 'regproc': case 'regnamespace':
      return s.regName ? s.regName(type.name, Number(d)) : String(d);
    case 'int2': case 'int4': case 'oid':
      return String(d);
    case 'int8': return String(d);
    case 'float8': return formatFloat8(d as number, s.extraFloatDigits);
    case 'float4': return formatFloat4(d as number, s.extraFloatDigits);
    case 'numeric': return (d as Numeric).toString();
    case 'text': case 'varchar': case 'bpchar': case 'name': case 'char': case 'uuid': case 'json': case 'unknown':
      return d as string;
    case 'bytea': return formatBytea(d as Uint8Array, s.byteaOutput);
    case 'date': return isIsoStyle(s.dateStyle) ? formatDate(d as number) : formatDateStyled(d as number, s.dateStyle);
    case 'time': return formatTime(d as number);
    case 'timestamp': return isIsoStyle(s.dateStyle) ? formatTimestamp(d as number) : formatTimestampStyled(d as number, null, s.dateStyle);
    case 'timestamptz': return isIsoStyle(s.dateStyle) ? formatTimestamptz(d as number, s.timeZone) : formatTimestampStyled(d as number, s.timeZone, s.dateStyle);
    case 'interval': return formatInterval(d as Interval, s.intervalStyle);
    case 'jsonb': return jsonToText((d as Jsonb).value);
    case 'void': return '';
    case 'record': return formatRecord(type, d as readonly Datum[], s);
    default:
      if (typeof d === 'string') return d;
      throw new SqlError(SqlState.FeatureNotSupported, `cannot output values of type ${type.name}`);
  }
}

// ---------------------------------------------------------------- floats

/** float8out: shortest round-trip digits, exponent form when exp < -4 or ≥ 15 (like PG's Ryu path). */
export function formatFloat8(n: number, extraFloatDigits = 1): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  if (extraFloatDigits <= 0) return formatGPg(n, 15 + extraFloatDigits);
  if (Number.isInteger(n) && Math.abs(n) < 1e15) return Object.is(n, -0) ? '-0' : String(n);
  // below 2^52 no ≤17-digit decimal can sit exactly between two doubles, so V8's shortest is PG's
  if (Math.abs(n) < 4503599627370496) return shortestToPg(n.toExponential(), 15);
  return shortestToPg(shortestDigits(n, 53, n.toExponential()), 15);
}

/** float4out: shortest digits that round-trip through float32, exponent form outside [-4, 6). */
export function formatFloat4(n: number, extraFloatDigits = 1): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  const f = Math.fround(n);
  if (extraFloatDigits <= 0) return formatGPg(f, 6 + extraFloatDigits);
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  return shortestToPg(shortestDigits(f, 24, '0e+0'), 6);
}

const dv = new DataView(new ArrayBuffer(8));
/** x = m × 2^e exactly, for finite x > 0. */
function exactBinary(x: number): { m: bigint; e: number } {
  dv.setFloat64(0, x);
  const hi = dv.getUint32(0);
  const lo = dv.getUint32(4);
  const exp = (hi >>> 20) & 0x7ff;
  const mant = BigInt(hi & 0xfffff) * 4294967296n + BigInt(lo);
  return exp === 0 ? { m: mant, e: -1074 } : { m: mant + 4503599627370496n, e: exp - 1075 };
}
/** '-d.ddde±x' → d×10^k */
function exactDecimal(s: string): { d: bigint; k: number } {
  const ei = s.indexOf('e');
  let mant = s.slice(0, ei).replace('-', '');
  const dot = mant.indexOf('.');
  let k = Number(s.slice(ei + 1));
  if (dot >= 0) { k -= mant.length - dot - 1; mant = mant.slice(0, dot) + mant.slice(dot + 1); }
  return { d: BigInt(mant), k };
}
function eqScaled(d: bigint, k: number, r: bigint, f: number): boolean {
  // d×10^k == r×2^f ?
  const a = d * (k > 0 ? 10n ** BigInt(k) : 1n) * (f < 0 ? 1n << BigInt(-f) : 1n);
  const b = r * (f > 0 ? 1n << BigInt(f) : 1n) * (k < 0 ? 10n ** BigInt(-k) : 1n);
  return a === b;
}
/** True if decimal `s` is exactly the binary value x. */
function isExactly(s: string, x: number): boolean {
  if (Number(s) !== x) return false;
  const { m, e } = exactBinary(Math.abs(x));
  const { d, k } = exactDecimal(s);
  return eqScaled(d, k, m, e);
}
/**
 * True if decimal `s` lies exactly halfway between |x| and a neighbouring binary value of a
 * `bits`-bit significand. PostgreSQL's Ryu never prints such a boundary value (it treats the
 * rounding interval as open), so those need more digits.
 */
function isMidpoint(s: string, x: number, bits: number): boolean {
  let { m, e } = exactBinary(Math.abs(x));
  const len = m.toString(2).length;
  if (len < bits) return false; // subnormal: never reached with ≤17 digits
  const shift = len - bits;
  m >>= BigInt(shift);
  e += shift;
  const { d, k } = exactDecimal(s);
  if (eqScaled(d, k, 2n * m + 1n, e - 1)) return true;
  const pow2 = m === 1n << BigInt(bits - 1);
  return pow2 ? eqScaled(d, k, 4n * m - 1n, e - 2) : eqScaled(d, k, 2n * m - 1n, e - 1);
}

/**
 * Shortest 'd.ddde±x' digits that read back as x (float32 when bits = 24), choosing like Ryu
 * in PostgreSQL: nearest candidate, ties at the last digit to even, exact boundaries excluded.
 */
function shortestDigits(x: number, bits: 24 | 53, hint: string): string {
  const back = bits === 24 ? (v: number): number => Math.fround(v) : (v: number): number => v;
  const maxP = bits === 24 ? 9 : 17;
  const startP = Math.max(1, hint.replace(/^-/, '').indexOf('e') - (hint.includes('.') ? 1 : 0));
  for (let p = startP; p <= maxP; p++) {
    let cand = x.toExponential(p - 1);
    if (back(Number(cand)) !== x) continue;
    const finer = x.toExponential(p);
    const ei = finer.indexOf('e');
    if (finer.charCodeAt(ei - 1) === 53 /* 5 */ && isExactly(finer, x)) {
      // exact tie at this length: toExponential rounded half up, Ryu rounds half to even
      const lastUp = cand.charCodeAt(cand.indexOf('e') - 1) - 48;
      if (lastUp % 2 === 1) {
        const down = finer.slice(0, ei - 1).replace(/\.$/, '') + finer.slice(ei);
        if (back(Number(down)) === x) cand = down;
      }
    }
    if (Math.abs(x) >= (bits === 24 ? 8388608 : 4503599627370496) && isMidpoint(cand, x, bits)) continue;
    return cand;
  }
  return x.toExponential(maxP - 1);
}

/** 'd.ddde±x' (JS toExponential) → PG's layout: fixed for -4 ≤ exp < limit, else 'd.ddde+XX'. */
function shortestToPg(e: string, limit: number): string {
  const ei = e.indexOf('e');
  const exp = Number(e.slice(ei + 1));
  let mant = e.slice(0, ei);
  let neg = false;
  if (mant.charCodeAt(0) === 45) { neg = true; mant = mant.slice(1); }
  const digits = mant.length > 1 ? mant[0]! + mant.slice(2) : mant;
  let out: string;
  if (exp < -4 || exp >= limit) {
    const ae = Math.abs(exp);
    out = (digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits) + 'e' + (exp < 0 ? '-' : '+') + (ae < 10 ? '0' + ae : ae);
  } else if (exp < 0) {
    out = '0.' + '0'.repeat(-exp - 1) + digits;
  } else if (digits.length <= exp + 1) {
    out = digits + '0'.repeat(exp + 1 - digits.length);
  } else {
    out = digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
  }
  return neg ? '-' + out : out;
}

/** %.{p}g as PG uses when extra_float_digits ≤ 0. */
function formatGPg(n: number, p: number): string {
  const prec = Math.max(1, p);
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const e = n.toExponential(prec - 1);
  const ei = e.indexOf('e');
  const exp = Number(e.slice(ei + 1));
  let m = e.slice(0, ei);
  if (m.includes('.')) m = m.replace(/\.?0+$/, '');
  return shortestToPg(m + 'e' + exp, prec);
}

// ---------------------------------------------------------------- bytea

const HEX = '0123456789abcdef';
export function formatBytea(b: Uint8Array, style = 'hex'): string {
  if (style === 'escape') {
    let out = '';
    for (let i = 0; i < b.length; i++) {
      const c = b[i]!;
      if (c === 92) out += '\\\\';
      else if (c < 0x20 || c > 0x7e) out += '\\' + c.toString(8).padStart(3, '0');
      else out += String.fromCharCode(c);
    }
    return out;
  }
  let out = '\\x';
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    out += HEX[c >> 4]! + HEX[c & 15]!;
  }
  return out;
}

// ---------------------------------------------------------------- date/time

function pad2(n: number): string { return n < 10 ? '0' + n : String(n); }
function padYear(y: number): string {
  const s = String(y);
  return s.length >= 4 ? s : '0'.repeat(4 - s.length) + s;
}
/** '.ffffff' with trailing zeros trimmed; '' when zero. */
function fraction(us: number): string {
  if (us === 0) return '';
  let s = String(us).padStart(6, '0');
  let end = 6;
  while (s.charCodeAt(end - 1) === 48) end--;
  s = s.slice(0, end);
  return '.' + s;
}

/** YYYY-MM-DD, BC years as 'YYYY-MM-DD BC' (year 0 = 1 BC). */
export function formatDate(days: number): string {
  if (days === Infinity) return 'infinity';
  if (days === -Infinity) return '-infinity';
  const { y, m, d } = daysToYmd(days);
  const bc = y <= 0;
  return padYear(bc ? 1 - y : y) + '-' + pad2(m) + '-' + pad2(d) + (bc ? ' BC' : '');
}

export function formatTime(us: number): string {
  const h = Math.floor(us / 3_600_000_000);
  let t = us - h * 3_600_000_000;
  const mi = Math.floor(t / 60_000_000);
  t -= mi * 60_000_000;
  const sec = Math.floor(t / 1_000_000);
  return pad2(h) + ':' + pad2(mi) + ':' + pad2(sec) + fraction(t - sec * 1_000_000);
}

function formatLocal(local: number): { body: string; bc: boolean } {
  const days = Math.floor(local / USECS_PER_DAY);
  const { y, m, d } = daysToYmd(days);
  const bc = y <= 0;
  const body = padYear(bc ? 1 - y : y) + '-' + pad2(m) + '-' + pad2(d) + ' ' + formatTime(local - days * USECS_PER_DAY);
  return { body, bc };
}

export function formatTimestamp(us: number): string {
  if (us === Infinity) return 'infinity';
  if (us === -Infinity) return '-infinity';
  const { body, bc } = formatLocal(us);
  return bc ? body + ' BC' : body;
}

export function formatTimestamptz(us: number, zone: string): string {
  if (us === Infinity) return 'infinity';
  if (us === -Infinity) return '-infinity';
  const local = utcToLocal(zone, us);
  const off = Math.round((local - us) / 1_000_000);
  const { body, bc } = formatLocal(local);
  return body + formatOffset(off) + (bc ? ' BC' : '');
}

// ---------------------------------------------------------------- DateStyle SQL / Postgres / German

function isIsoStyle(style: string): boolean {
  return style.length >= 3 && (style.charCodeAt(0) | 0x20) === 105 && (style.charCodeAt(1) | 0x20) === 115 && (style.charCodeAt(2) | 0x20) === 111;
}
type Style = 'iso' | 'sql' | 'postgres' | 'german';
function parseStyle(style: string): { main: Style; dmy: boolean } {
  const u = style.toUpperCase();
  const main: Style = u.startsWith('SQL') ? 'sql' : u.startsWith('POSTGRES') ? 'postgres' : u.startsWith('GERMAN') ? 'german' : 'iso';
  return { main, dmy: u.includes('DMY') || u.includes('EURO') };
}
const MON_ABBR = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DOW_ABBR = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** EncodeDateOnly for the non-ISO styles. */
export function formatDateStyled(days: number, dateStyle: string): string {
  if (!Number.isFinite(days)) return formatDate(days);
  const { main, dmy } = parseStyle(dateStyle);
  if (main === 'iso') return formatDate(days);
  const { y, m, d } = daysToYmd(days);
  const bc = y <= 0;
  const yy = padYear(bc ? 1 - y : y);
  let out: string;
  if (main === 'sql') out = dmy ? `${pad2(d)}/${pad2(m)}/${yy}` : `${pad2(m)}/${pad2(d)}/${yy}`;
  else if (main === 'german') out = `${pad2(d)}.${pad2(m)}.${yy}`;
  else out = dmy ? `${pad2(d)}-${pad2(m)}-${yy}` : `${pad2(m)}-${pad2(d)}-${yy}`;
  return bc ? out + ' BC' : out;
}

const abbrevCache = new Map<string, string>();
/** Zone abbreviation as PG prints it ('PDT', 'CET', 'UTC'), else the numeric offset ('+02'). */
function zoneAbbrev(zone: string, utcMicros: number, offSec: number): string {
  if (parseFixedOffset(zone) !== null) return zone.toUpperCase() === 'UTC' || zone.toUpperCase() === 'Z' ? 'UTC' : formatOffset(offSec);
  const key = zone + '|' + offSec;
  let a = abbrevCache.get(key);
  if (a === undefined && offSec % 60 !== 0) a = 'LMT'; // only local mean time has odd seconds
  if (a === undefined) {
    a = formatOffset(offSec);
    // Intl's short names depend on locale; take the first alphabetic one (as tzdata spells it)
    for (const loc of ['en-US', 'en-GB', 'en-IN', 'en-AU', 'en-NZ', 'en-CA', 'en-ZA', 'en-IE', 'ja-JP', 'ko-KR', 'en-SG', 'en-HK']) {
      try {
        const part = new Intl.DateTimeFormat(loc, { timeZone: zone, timeZoneName: 'short' })
          .formatToParts(Math.max(-8.64e15, Math.min(8.64e15, utcMicros / 1000))).find((p) => p.type === 'timeZoneName');
        if (part && /^[A-Z]{2,5}$/.test(part.value)) { a = part.value; break; }
      } catch {
        break;
      }
    }
    abbrevCache.set(key, a);
  }
  return a;
}

/** EncodeDateTime for the non-ISO styles; zone null means timestamp without time zone. */
export function formatTimestampStyled(us: number, zone: string | null, dateStyle: string): string {
  if (!Number.isFinite(us)) return us > 0 ? 'infinity' : '-infinity';
  const { main, dmy } = parseStyle(dateStyle);
  if (main === 'iso') return zone === null ? formatTimestamp(us) : formatTimestamptz(us, zone);
  const local = zone === null ? us : utcToLocal(zone, us);
  const days = Math.floor(local / USECS_PER_DAY);
  const { y, m, d } = daysToYmd(days);
  const bc = y <= 0;
  const yy = padYear(bc ? 1 - y : y);
  const time = formatTime(local - days * USECS_PER_DAY);
  const tz = zone === null ? '' : ' ' + zoneAbbrev(zone, us, Math.round((local - us) / 1_000_000));
  let out: string;
  if (main === 'sql') out = (dmy ? `${pad2(d)}/${pad2(m)}/${yy}` : `${pad2(m)}/${pad2(d)}/${yy}`) + ' ' + time + tz;
  else if (main === 'german') out = `${pad2(d)}.${pad2(m)}.${yy} ${time}${tz}`;
  else {
    const dow = DOW_ABBR[(((days + 4) % 7) + 7) % 7]!;
    const mon = MON_ABBR[m - 1]!;
    out = (dmy ? `${dow} ${pad2(d)} ${mon}` : `${dow} ${mon} ${pad2(d)}`) + ` ${time} ${yy}${tz}`;
  }
  return bc ? out + ' BC' : out;
}

// ---------------------------------------------------------------- interval

export function formatInterval(iv: Interval, style = 'postgres'): string {
  const p = intervalParts(iv);
  switch (style) {
    case 'iso_8601': return formatIntervalIso(p);
    case 'sql_standard': return formatIntervalSql(iv, p);
    case 'postgres_verbose': return formatIntervalVerbose(p);
    default: return formatIntervalPostgres(p);
  }
}

function secondsText(sec: number, usec: number, fill: boolean): string {
  const a = Math.abs(sec);
  return (fill && a < 10 ? '0' + a : String(a)) + fraction(Math.abs(usec));
}

function formatIntervalPostgres(p: ReturnType<typeof intervalParts>): string {
  let out = '';
  let isZero = true;
  let isBefore = false;
  const part = (v: number, unit: string): void => {
    if (v === 0) return;
    out += (isZero ? '' : ' ') + (isBefore && v > 0 ? '+' : '') + v + ' ' + unit + (v !== 1 ? 's' : '');
    isBefore = v < 0;
    isZero = false;
  };
  part(p.year, 'year');
  part(p.mon, 'mon');
  part(p.day, 'day');
  if (isZero || p.hour !== 0 || p.min !== 0 || p.sec !== 0 || p.usec !== 0) {
    const minus = p.hour < 0 || p.min < 0 || p.sec < 0 || p.usec < 0;
    out += (isZero ? '' : ' ') + (minus ? '-' : isBefore ? '+' : '') + pad2(Math.abs(p.hour)) + ':' + pad2(Math.abs(p.min)) + ':' +
      secondsText(p.sec, p.usec, true);
  }
  return out;
}

function formatIntervalIso(p: ReturnType<typeof intervalParts>): string {
  if (p.year === 0 && p.mon === 0 && p.day === 0 && p.hour === 0 && p.min === 0 && p.sec === 0 && p.usec === 0) return 'PT0S';
  let out = 'P';
  if (p.year) out += p.year + 'Y';
  if (p.mon) out += p.mon + 'M';
  if (p.day) out += p.day + 'D';
  if (p.hour || p.min || p.sec || p.usec) out += 'T';
  if (p.hour) out += p.hour + 'H';
  if (p.min) out += p.min + 'M';
  if (p.sec || p.usec) out += (p.sec < 0 || p.usec < 0 ? '-' : '') + secondsText(p.sec, p.usec, false) + 'S';
  return out;
}

function formatIntervalVerbose(p: ReturnType<typeof intervalParts>): string {
  // PG's AddVerboseIntPart: the first non-zero field decides 'ago'; later fields flip with it
  let out = '@';
  let isZero = true;
  let isBefore = false;
  const part = (v: number, unit: string): void => {
    if (v === 0) return;
    if (isZero) { isBefore = v < 0; v = Math.abs(v); } else if (isBefore) v = -v;
    out += ' ' + v + ' ' + unit + (v === 1 ? '' : 's');
    isZero = false;
  };
  part(p.year, 'year'); part(p.mon, 'mon'); part(p.day, 'day'); part(p.hour, 'hour'); part(p.min, 'min');
  if (p.sec !== 0 || p.usec !== 0) {
    out += ' ';
    if (p.sec < 0 || (p.sec === 0 && p.usec < 0)) {
      if (isZero) isBefore = true;
      else if (!isBefore) out += '-';
    } else if (isBefore) out += '-';
    out += secondsText(p.sec, p.usec, false) + ' sec' + (Math.abs(p.sec) !== 1 || p.usec !== 0 ? 's' : '');
    isZero = false;
  }
  if (isZero) out += ' 0';
  if (isBefore) out += ' ago';
  return out;
}

function formatIntervalSql(_iv: Interval, p0: ReturnType<typeof intervalParts>): string {
  const p = { ...p0 };
  const hasNegative = p.year < 0 || p.mon < 0 || p.day < 0 || p.hour < 0 || p.min < 0 || p.sec < 0 || p.usec < 0;
  const hasPositive = p.year > 0 || p.mon > 0 || p.day > 0 || p.hour > 0 || p.min > 0 || p.sec > 0 || p.usec > 0;
  const hasYearMonth = p.year !== 0 || p.mon !== 0;
  const hasDayTime = p.day !== 0 || p.hour !== 0 || p.min !== 0 || p.sec !== 0 || p.usec !== 0;
  const standard = !(hasNegative && hasPositive) && !(hasYearMonth && hasDayTime);
  let out = '';
  if (hasNegative && standard) {
    out = '-';
    p.year = -p.year; p.mon = -p.mon; p.day = -p.day; p.hour = -p.hour; p.min = -p.min; p.sec = -p.sec; p.usec = -p.usec;
  }
  if (!hasNegative && !hasPositive) return '0';
  if (!standard) {
    const ys = p.year < 0 || p.mon < 0 ? '-' : '+';
    const ds = p.day < 0 ? '-' : '+';
    const ss = p.hour < 0 || p.min < 0 || p.sec < 0 || p.usec < 0 ? '-' : '+';
    return out + ys + Math.abs(p.year) + '-' + Math.abs(p.mon) + ' ' + ds + Math.abs(p.day) + ' ' + ss + Math.abs(p.hour) + ':' +
      pad2(Math.abs(p.min)) + ':' + secondsText(p.sec, p.usec, true);
  }
  if (hasYearMonth) return out + p.year + '-' + p.mon;
  if (p.day !== 0) return out + p.day + ' ' + p.hour + ':' + pad2(p.min) + ':' + secondsText(p.sec, p.usec, true);
  return out + p.hour + ':' + pad2(p.min) + ':' + secondsText(p.sec, p.usec, true);
}

// ---------------------------------------------------------------- arrays

/** array_out element quoting: empty, NULL, or containing {}",\ or whitespace → double-quoted. */
function quoteArrayElement(s: string): string {
  if (s.length === 0) return '""';
  let needs = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 123 || c === 125 || c === 34 || c === 44 || c === 92 || c === 32 || (c >= 9 && c <= 13)) { needs = true; break; }
  }
  if (!needs && s.length === 4 && s.toUpperCase() === 'NULL') needs = true;
  if (!needs) return s;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '"' || ch === '\\') out += '\\';
    out += ch;
  }
  return out + '"';
}

export function formatArray(elem: SqlType, arr: readonly Datum[], s: ValueSettings): string {
  // PG has no arrays with an empty inner dimension: [[]] is the empty array '{}'
  if (arr.length > 0 && Array.isArray(arr[0]) && isEmptyNested(arr)) return '{}';
  let out = '{';
  for (let i = 0; i < arr.length; i++) {
    if (i) out += ',';
    const v = arr[i]!;
    if (v === null) out += 'NULL';
    else if (Array.isArray(v)) out += formatArray(elem, v as readonly Datum[], s);
    else out += quoteArrayElement(formatText(elem, v, s));
  }
  return out + '}';
}

function isEmptyNested(arr: readonly Datum[]): boolean {
  const first = arr[0];
  if (!Array.isArray(first)) return arr.length === 0;
  return (first as readonly Datum[]).length === 0 || isEmptyNested(first as readonly Datum[]);
}

/** record_out: (a,b) with fields quoted when empty or holding "(),\\ or whitespace; NULL is empty. */
function formatRecord(type: SqlType, d: readonly Datum[], s: ValueSettings): string {
  const fields = type.kind === 'scalar' ? type.fields : undefined;
  const parts = d.map((v, i) => {
    if (v === null) return '';
    const ft = fields?.[i]?.type;
    const text = ft ? formatText(ft, v, s) : String(v);
    if (text === '' || /[(),"\\\s]/.test(text)) return '"' + text.replace(/(["\\])/g, '$1$1') + '"';
    return text;
  });
  return '(' + parts.join(',') + ')';
}
