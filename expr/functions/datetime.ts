// Date/time operators and functions (date.c, timestamp.c, formatting.c).
// Timestamps are µs since 1970 (UTC for timestamptz); calendar work on timestamptz
// happens in the session time zone (ctx.settings.timeZone), as in PostgreSQL.
import type { Datum } from '../../core/datum.js';
import { SqlError, SqlState } from '../../core/errors.js';
import { Interval, rint } from '../../core/values/interval.js';
import { Numeric } from '../../core/values/numeric.js';
import {
  USECS_PER_DAY, daysToYmd, ymdToDays, daysInMonth, dayOfWeek, splitTimestamp, makeTimestamp,
  timestampInRange, utcToLocal, localToUtc, zoneOffsetMicros, formatOffset, MIN_DATE_DAYS, MAX_DATE_DAYS,
  type TimestampParts,
} from '../../core/values/datetime.js';
import {
  timestampPlusInterval, timestampMinusInterval, timestamptzPlusInterval, timestamptzMinusInterval, timestampDiff,
  age as coreAge,
} from '../../core/values/io.js';
import { fn, op, type EvalContext } from './define.js';

const USECS_PER_HOUR = 3_600_000_000;
const USECS_PER_MINUTE = 60_000_000;
const USECS_PER_SEC = 1_000_000;

const tsOutOfRange = (): SqlError => new SqlError(SqlState.DatetimeFieldOverflow, 'timestamp out of range');
const dateOutOfRange = (): SqlError => new SqlError(SqlState.DatetimeFieldOverflow, 'date out of range');

function chkTs(t: number): number {
  if (Number.isFinite(t) && !timestampInRange(t)) throw tsOutOfRange();
  return t;
}
function chkDate(d: number): number {
  if (Number.isFinite(d) && (d < MIN_DATE_DAYS || d > MAX_DATE_DAYS)) throw dateOutOfRange();
  return d;
}

/** timestamp ± interval (months clamped to month end, then days, then µs) */
export function addIntervalLocal(t: number, iv: Interval, sign: 1 | -1): number {
  return sign === 1 ? timestampPlusInterval(t, iv) : timestampMinusInterval(t, iv);
}
function addIntervalTz(t: number, iv: Interval, sign: 1 | -1, zone: string): number {
  return sign === 1 ? timestamptzPlusInterval(t, iv, zone) : timestamptzMinusInterval(t, iv, zone);
}

// ---- field names ----------------------------------------------------------------

const UNIT_ALIASES: Record<string, string> = {
  microsecond: 'microseconds', microseconds: 'microseconds', us: 'microseconds', usec: 'microseconds', usecs: 'microseconds',
  microsecon: 'microseconds',
  millisecond: 'milliseconds', milliseconds: 'milliseconds', ms: 'milliseconds', msec: 'milliseconds', msecs: 'milliseconds',
  millisecon: 'milliseconds',
  second: 'second', seconds: 'second', s: 'second', sec: 'second', secs: 'second',
  minute: 'minute', minutes: 'minute', m: 'minute', min: 'minute', mins: 'minute',
  hour: 'hour', hours: 'hour', h: 'hour', hr: 'hour', hrs: 'hour',
  day: 'day', days: 'day', d: 'day',
  week: 'week', weeks: 'week', w: 'week',
  month: 'month', months: 'month', mon: 'month', mons: 'month',
  quarter: 'quarter', qtr: 'quarter',
  year: 'year', years: 'year', y: 'year', yr: 'year', yrs: 'year',
  decade: 'decade', decades: 'decade', dec: 'decade', decs: 'decade',
  century: 'century', centuries: 'century', c: 'century', cent: 'century',
  millennium: 'millennium', millennia: 'millennium', mil: 'millennium', mils: 'millennium', millenniums: 'millennium',
  epoch: 'epoch', dow: 'dow', isodow: 'isodow', doy: 'doy', isoyear: 'isoyear', julian: 'julian', j: 'julian',
  timezone: 'timezone', timezone_h: 'timezone_hour', timezone_hour: 'timezone_hour', timezone_m: 'timezone_minute',
  timezone_minute: 'timezone_minute',
};
function unitOf(s: string): string | undefined {
  return UNIT_ALIASES[s.toLowerCase().trim()];
}
const TYPE_NAMES = {
  timestamp: 'timestamp without time zone', timestamptz: 'timestamp with time zone', date: 'date',
  interval: 'interval', time: 'time without time zone',
} as const;
type DtKind = keyof typeof TYPE_NAMES;
function unitNotRecognized(u: string, k: DtKind): SqlError {
  return new SqlError(SqlState.InvalidParameterValue, `unit "${u}" not recognized for type ${TYPE_NAMES[k]}`);
}
function unitNotSupported(u: string, k: DtKind): SqlError {
  return new SqlError(SqlState.FeatureNotSupported, `unit "${u}" not supported for type ${TYPE_NAMES[k]}`);
}

// ---- date_trunc ---------------------------------------------------------------------

function truncLocal(unitText: string, t: number, k: DtKind): number {
  const u = unitOf(unitText);
  if (!u) throw unitNotRecognized(unitText, k);
  if (!Number.isFinite(t)) return t;
  const p = splitTimestamp(t);
  switch (u) {
    case 'microseconds': return t;
    case 'milliseconds': return t - (p.us % 1000);
    case 'second': return t - p.us;
    case 'minute': return makeTimestamp(p.y, p.m, p.d, p.hh, p.mm);
    case 'hour': return makeTimestamp(p.y, p.m, p.d, p.hh);
    case 'day': return makeTimestamp(p.y, p.m, p.d);
    case 'week': {
      const days = Math.floor(t / USECS_PER_DAY);
      const isoDow = (dayOfWeek(days) + 6) % 7; // Monday = 0
      return (days - isoDow) * USECS_PER_DAY;
    }
    case 'month': return makeTimestamp(p.y, p.m, 1);
    case 'quarter': return makeTimestamp(p.y, Math.floor((p.m - 1) / 3) * 3 + 1, 1);
    case 'year': return makeTimestamp(p.y, 1, 1);
    case 'decade': return makeTimestamp(p.y > 0 ? Math.floor(p.y / 10) * 10 : -Math.floor((8 - (p.y - 1)) / 10) * 10, 1, 1);
    case 'century': return makeTimestamp(p.y > 0 ? Math.floor((p.y + 99) / 100) * 100 - 99 : -Math.floor((99 - (p.y - 1)) / 100) * 100 - 99, 1, 1);
    case 'millennium': return makeTimestamp(p.y > 0 ? Math.floor((p.y + 999) / 1000) * 1000 - 999 : -Math.floor((999 - (p.y - 1)) / 1000) * 1000 - 999, 1, 1);
    default: throw unitNotSupported(unitText, k);
  }
}

/**
 * timestamptz_trunc_internal: truncate the local time; units of a day and longer re-resolve the
 * zone offset for the result, shorter units keep the input's offset (so DST-ambiguous hours stay
 * distinct).
 */
function truncTz(unitText: string, t: number, zone: string): number {
  if (!Number.isFinite(t)) { truncLocal(unitText, 0, 'timestamptz'); return t; }
  const u = unitOf(unitText);
  const off = zoneOffsetMicros(zone, t);
  const local = truncLocal(unitText, t + off, 'timestamptz');
  if (u === 'microseconds' || u === 'milliseconds' || u === 'second' || u === 'minute' || u === 'hour') return local - off;
  return localToUtc(zone, local);
}

function truncInterval(unitText: string, iv: Interval): Interval {
  const u = unitOf(unitText);
  if (!u) throw unitNotRecognized(unitText, 'interval');
  let { months, days, micros } = iv;
  const yr = Math.trunc(months / 12);
  switch (u) {
    case 'millennium': return new Interval(Math.trunc(yr / 1000) * 12000, 0, 0);
    case 'century': return new Interval(Math.trunc(yr / 100) * 1200, 0, 0);
    case 'decade': return new Interval(Math.trunc(yr / 10) * 120, 0, 0);
    case 'year': return new Interval(yr * 12, 0, 0);
    case 'quarter': return new Interval(yr * 12 + Math.trunc((months % 12) / 3) * 3, 0, 0);
    case 'month': return new Interval(months, 0, 0);
    case 'day': return new Interval(months, days, 0);
    case 'hour': micros = Math.trunc(micros / USECS_PER_HOUR) * USECS_PER_HOUR; break;
    case 'minute': micros = Math.trunc(micros / USECS_PER_MINUTE) * USECS_PER_MINUTE; break;
    case 'second': micros = Math.trunc(micros / USECS_PER_SEC) * USECS_PER_SEC; break;
    case 'milliseconds': micros = Math.trunc(micros / 1000) * 1000; break;
    case 'microseconds': break;
    case 'week':
      throw new SqlError(SqlState.FeatureNotSupported, `unit "${unitText}" not supported for type interval`,
        { detail: 'Months usually have fractional weeks.' });
    default: throw unitNotSupported(unitText, 'interval');
  }
  return new Interval(months, days, micros || 0);
}

// ---- extract / date_part ---------------------------------------------------------------

/** ISO 8601 week number and ISO year of a day number */
function isoWeek(days: number): { week: number; year: number } {
  const isoDow = ((dayOfWeek(days) + 6) % 7) + 1; // 1..7, Monday = 1
  const thursday = days - isoDow + 4;
  const { y } = daysToYmd(thursday);
  const jan1 = ymdToDays(y, 1, 1);
  return { week: Math.floor((thursday - jan1) / 7) + 1, year: y };
}

type FieldValue = { v: number; scale: number } | { num: Numeric };

/** extract(unit from timestamp) in local wall-clock terms; tzOffsetSec for timestamptz */
function extractTs(unitText: string, local: number, utc: number, k: DtKind, tzOffsetSec: number | null): FieldValue {
  const u = unitOf(unitText);
  if (!u) throw unitNotRecognized(unitText, k);
  if (!Number.isFinite(local)) {
    switch (u) {
      case 'epoch': case 'year': case 'decade': case 'century': case 'millennium': case 'julian': case 'isoyear':
        return { num: local > 0 ? Numeric.Infinity : Numeric.NegInfinity };
      default: return { num: Numeric.NaN }; // PG returns NULL; callers map NaN sentinel below
    }
  }
  const p = splitTimestamp(local);
  const days = Math.floor(local / USECS_PER_DAY);
  const isDate = k === 'date';
  const timeUnit = (): void => { if (isDate) throw unitNotSupported(unitText, k); };
  switch (u) {
    case 'microseconds': timeUnit(); return { v: p.ss * USECS_PER_SEC + p.us, scale: 0 };
    case 'milliseconds': timeUnit(); return { num: Numeric.of(BigInt(p.ss * USECS_PER_SEC + p.us), 3) };
    case 'second': timeUnit(); return { num: Numeric.of(BigInt(p.ss * USECS_PER_SEC + p.us), 6) };
    case 'minute': timeUnit(); return { v: p.mm, scale: 0 };
    case 'hour': timeUnit(); return { v: p.hh, scale: 0 };
    case 'day': return { v: p.d, scale: 0 };
    case 'month': return { v: p.m, scale: 0 };
    case 'quarter': return { v: Math.floor((p.m - 1) / 3) + 1, scale: 0 };
    case 'year': return { v: p.y > 0 ? p.y : p.y - 1, scale: 0 };
    case 'decade': return { v: p.y >= 0 ? Math.floor(p.y / 10) : -Math.floor((8 - (p.y - 1)) / 10), scale: 0 };
    case 'century': return { v: p.y > 0 ? Math.floor((p.y + 99) / 100) : -Math.floor((99 - (p.y - 1)) / 100), scale: 0 };
    case 'millennium': return { v: p.y > 0 ? Math.floor((p.y + 999) / 1000) : -Math.floor((999 - (p.y - 1)) / 1000), scale: 0 };
    case 'dow': return { v: dayOfWeek(days), scale: 0 };
    case 'isodow': return { v: dayOfWeek(days) === 0 ? 7 : dayOfWeek(days), scale: 0 };
    case 'doy': return { v: days - ymdToDays(p.y, 1, 1) + 1, scale: 0 };
    case 'week': return { v: isoWeek(days).week, scale: 0 };
    case 'isoyear': { const y = isoWeek(days).year; return { v: y > 0 ? y : y - 1, scale: 0 }; }
    case 'julian': {
      const jd = days + 2440588;
      if (isDate) return { v: jd, scale: 0 };
      const frac = Numeric.of(BigInt(local - days * USECS_PER_DAY), 0).div(Numeric.of(BigInt(USECS_PER_DAY), 0));
      return { num: Numeric.fromInt(jd).add(frac) };
    }
    case 'epoch':
      if (isDate) return { v: days * 86400, scale: 0 };
      return { num: Numeric.of(BigInt(utc), 6) };
    case 'timezone':
      if (tzOffsetSec === null) throw unitNotSupported(unitText, k);
      return { v: tzOffsetSec, scale: 0 };
    case 'timezone_hour':
      if (tzOffsetSec === null) throw unitNotSupported(unitText, k);
      return { v: Math.trunc(tzOffsetSec / 3600), scale: 0 };
    case 'timezone_minute':
      if (tzOffsetSec === null) throw unitNotSupported(unitText, k);
      return { v: Math.trunc((tzOffsetSec % 3600) / 60), scale: 0 };
    default: throw unitNotSupported(unitText, k);
  }
}

function extractInterval(unitText: string, iv: Interval): FieldValue {
  const u = unitOf(unitText);
  if (!u) throw unitNotRecognized(unitText, 'interval');
  const m = iv.months, us = iv.micros;
  switch (u) {
    case 'microseconds': return { v: us % USECS_PER_MINUTE, scale: 0 };
    case 'milliseconds': return { num: Numeric.of(BigInt(us % USECS_PER_MINUTE), 3) };
    case 'second': return { num: Numeric.of(BigInt(us % USECS_PER_MINUTE), 6) };
    case 'minute': return { v: Math.trunc((us % USECS_PER_HOUR) / USECS_PER_MINUTE), scale: 0 };
    case 'hour': return { v: Math.trunc(us / USECS_PER_HOUR), scale: 0 };
    case 'day': return { v: iv.days, scale: 0 };
    case 'month': return { v: m % 12, scale: 0 };
    case 'quarter': return { v: Math.trunc((m % 12) / 3) + 1, scale: 0 };
    case 'year': return { v: Math.trunc(m / 12), scale: 0 };
    case 'decade': return { v: Math.trunc(m / 120), scale: 0 };
    case 'century': return { v: Math.trunc(m / 1200), scale: 0 };
    case 'millennium': return { v: Math.trunc(m / 12000), scale: 0 };
    case 'epoch': {
      // PG: years count 365.25 days (31557600 s), remaining months 30 days
      const total = BigInt(Math.trunc(m / 12)) * 31_557_600_000_000n
        + BigInt((m % 12) * 30 + iv.days) * 86_400_000_000n + BigInt(us);
      return { num: Numeric.of(total, 6) };
    }
    default: throw unitNotSupported(unitText, 'interval');
  }
}

function fieldToNumeric(f: FieldValue): Datum {
  if ('num' in f) return f.num.isNaN ? null : f.num;
  return Numeric.fromInt(f.v);
}
function fieldToFloat(f: FieldValue): Datum {
  if ('num' in f) return f.num.isNaN ? null : f.num.toNumber();
  return f.v;
}

// ---- to_char ------------------------------------------------------------------------------

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const ROMAN = ['i', 'ii', 'iii', 'iv', 'v', 'vi', 'vii', 'viii', 'ix', 'x', 'xi', 'xii'];

// longest first so e.g. HH24 wins over HH, and MONTH over MON over MM
const DT_PATTERNS = [
  'A.M.', 'a.m.', 'P.M.', 'p.m.', 'B.C.', 'b.c.', 'A.D.', 'a.d.', 'Y,YYY', 'y,yyy',
  'HH24', 'HH12', 'SSSSS', 'SSSS', 'MONTH', 'Month', 'month', 'IDDD', 'YYYY', 'yyyy', 'IYYY', 'iyyy',
  'FF1', 'FF2', 'FF3', 'FF4', 'FF5', 'FF6', 'ff1', 'ff2', 'ff3', 'ff4', 'ff5', 'ff6',
  'DAY', 'Day', 'day', 'MON', 'Mon', 'mon', 'YYY', 'yyy', 'IYY', 'iyy', 'DDD', 'ddd',
  'HH', 'hh', 'MI', 'mi', 'SS', 'ss', 'MS', 'ms', 'US', 'us', 'AM', 'am', 'PM', 'pm', 'BC', 'bc', 'AD', 'ad',
  'YY', 'yy', 'IY', 'iy', 'MM', 'mm', 'DY', 'Dy', 'dy', 'DD', 'dd', 'ID', 'id', 'WW', 'ww', 'IW', 'iw', 'CC', 'cc',
  'RM', 'rm', 'TZH', 'TZM', 'TZ', 'tz', 'OF', 'of',
  'Y', 'y', 'I', 'i', 'D', 'd', 'W', 'w', 'J', 'j', 'Q', 'q',
];
// Patterns match case-insensitively (hh24 = HH24); the original spelling still decides the
// capitalisation of words such as Month / MONTH / month.
const DT_PATTERNS_UP = [...new Set(DT_PATTERNS.map((p) => p.toUpperCase()))].sort((a, b) => b.length - a.length);
function matchPattern(fmt: string, i: number): string | undefined {
  for (const p of DT_PATTERNS_UP) {
    if (fmt.length - i >= p.length && fmt.slice(i, i + p.length).toUpperCase() === p) return fmt.slice(i, i + p.length);
  }
  return undefined;
}


interface DtFields {
  y: number; m: number; d: number; hh: number; mi: number; ss: number; us: number;
  days: number | null; // day number (null for intervals)
  tzOff: number | null; tzAbbr: string;
  isInterval: boolean;
}

function ordinal(n: number, upper: boolean): string {
  const a = Math.abs(n) % 100;
  let s = 'th';
  if (a < 11 || a > 13) {
    const l = a % 10;
    if (l === 1) s = 'st'; else if (l === 2) s = 'nd'; else if (l === 3) s = 'rd';
  }
  return upper ? s.toUpperCase() : s;
}

function pad(n: number, w: number, fm: boolean): string {
  const neg = n < 0;
  const s = String(Math.abs(n));
  if (fm) return (neg ? '-' : '') + s;
  return (neg ? '-' : '') + s.padStart(w, '0');
}

function caseAs(pattern: string, word: string): string {
  if (pattern === pattern.toUpperCase()) return word.toUpperCase();
  if (pattern[0] === pattern[0]!.toUpperCase()) return word;
  return word.toLowerCase();
}

function formatDt(f: DtFields, fmt: string): string {
  let out = '';
  let i = 0;
  while (i < fmt.length) {
    let fm = false;
    if (fmt.startsWith('FM', i) || fmt.startsWith('fm', i)) { fm = true; i += 2; }
    if (fmt[i] === '"') {
      const end = fmt.indexOf('"', i + 1);
      let lit = fmt.slice(i + 1, end < 0 ? fmt.length : end);
      lit = lit.replace(/\\(.)/g, '$1');
      out += lit;
      i = end < 0 ? fmt.length : end + 1;
      continue;
    }
    if (fmt[i] === '\\' && i + 1 < fmt.length) { out += fmt[i + 1]; i += 2; continue; }
    const pat = matchPattern(fmt, i);
    if (!pat) { if (i < fmt.length) out += fmt[i]; i++; continue; }
    i += pat.length;
    let th: string | null = null;
    if (fmt.startsWith('TH', i) || fmt.startsWith('th', i)) { th = fmt.slice(i, i + 2); i += 2; }
    const yearDisp = f.y > 0 ? f.y : 1 - f.y; // BC years print positive with BC
    const hh12 = f.hh % 12 === 0 ? 12 : f.hh % 12;
    let num: number | null = null;
    let s = '';
    switch (pat.toUpperCase()) {
      case 'HH24': num = f.hh; s = pad(f.hh, 2, fm); break;
      case 'HH12': case 'HH': num = hh12; s = pad(hh12, 2, fm); break;
      case 'MI': num = f.mi; s = pad(f.mi, 2, fm); break;
      case 'SS': num = f.ss; s = pad(f.ss, 2, fm); break;
      case 'MS': num = Math.trunc(f.us / 1000); s = pad(num, 3, fm); break;
      case 'US': num = f.us; s = pad(f.us, 6, fm); break;
      case 'FF1': case 'FF2': case 'FF3': case 'FF4': case 'FF5': case 'FF6': {
        const n = Number(pat[2]);
        s = pad(Math.floor(f.us / 10 ** (6 - n)), n, false);
        break;
      }
      case 'SSSS': case 'SSSSS': num = f.hh * 3600 + f.mi * 60 + f.ss; s = String(num); break;
      case 'AM': case 'PM': s = caseAs(pat, f.hh >= 12 ? 'PM' : 'AM'); break;
      case 'A.M.': case 'P.M.': s = caseAs(pat, f.hh >= 12 ? 'P.M.' : 'A.M.'); break;
      case 'BC': case 'AD': s = caseAs(pat, f.y > 0 ? 'AD' : 'BC'); break;
      case 'B.C.': case 'A.D.': s = caseAs(pat, f.y > 0 ? 'A.D.' : 'B.C.'); break;
      case 'Y,YYY': {
        const y = String(yearDisp).padStart(4, '0');
        s = y.slice(0, y.length - 3) + ',' + y.slice(-3);
        break;
      }
      case 'YYYY': num = yearDisp; s = f.isInterval ? pad(f.y, 4, fm) : pad(yearDisp, 4, fm); break;
      case 'YYY': num = yearDisp % 1000; s = pad(num, 3, fm); break;
      case 'YY': num = yearDisp % 100; s = pad(num, 2, fm); break;
      case 'Y': num = yearDisp % 10; s = String(num); break;
      case 'IYYY': case 'IYY': case 'IY': case 'I': {
        const iy = f.days === null ? f.y : isoWeek(f.days).year;
        const w = pat.length;
        num = w === 4 ? iy : iy % 10 ** w;
        s = pad(num, w, fm || w === 1);
        break;
      }
      case 'MONTH': {
        if (f.isInterval && f.m === 0) { s = ''; break; }
        const w = caseAs(pat, MONTHS[f.m - 1]!);
        s = fm ? w : w.padEnd(9, ' ');
        break;
      }
      case 'MON': s = f.isInterval && f.m === 0 ? '' : caseAs(pat, MONTHS[f.m - 1]!.slice(0, 3)); break;
      case 'MM': num = f.m; s = pad(f.m, 2, fm); break;
      case 'DAY': {
        if (f.days === null) { s = ''; break; }
        const w = caseAs(pat, DAYS[dayOfWeek(f.days)]!);
        s = fm ? w : w.padEnd(9, ' ');
        break;
      }
      case 'DY': s = f.days === null ? '' : caseAs(pat, DAYS[dayOfWeek(f.days)]!.slice(0, 3)); break;
      case 'DDD': num = f.days === null ? f.d : f.days - ymdToDays(f.y, 1, 1) + 1; s = pad(num, 3, fm); break;
      case 'IDDD': {
        if (f.days === null) { s = ''; break; }
        const iy = isoWeek(f.days).year;
        // day of ISO year: days since Monday of ISO week 1
        const jan4 = ymdToDays(iy, 1, 4);
        const week1 = jan4 - ((dayOfWeek(jan4) + 6) % 7);
        num = f.days - week1 + 1;
        s = pad(num, 3, fm);
        break;
      }
      case 'DD': num = f.d; s = pad(f.d, 2, fm); break;
      case 'D': num = f.days === null ? 0 : dayOfWeek(f.days) + 1; s = String(num); break;
      case 'ID': num = f.days === null ? 0 : (dayOfWeek(f.days) === 0 ? 7 : dayOfWeek(f.days)); s = String(num); break;
      case 'WW': num = f.days === null ? 0 : Math.floor((f.days - ymdToDays(f.y, 1, 1)) / 7) + 1; s = pad(num, 2, fm); break;
      case 'IW': num = f.days === null ? 0 : isoWeek(f.days).week; s = pad(num, 2, fm); break;
      case 'W': num = Math.floor((f.d - 1) / 7) + 1; s = String(num); break;
      case 'CC': {
        num = f.isInterval ? Math.trunc(f.y / 100) : f.y > 0 ? Math.floor((f.y + 99) / 100) : -Math.floor((99 - (f.y - 1)) / 100);
        s = pad(num, 2, fm);
        break;
      }
      case 'J': num = (f.days ?? 0) + 2440588; s = String(num); break;
      case 'Q': num = f.isInterval && f.m === 0 ? 0 : Math.floor((f.m - 1) / 3) + 1; s = String(num); break;
      case 'RM': {
        const r = f.m >= 1 ? ROMAN[f.m - 1]! : '';
        const w = pat === 'RM' ? r.toUpperCase() : r;
        s = fm ? w : w.padEnd(4, ' ');
        break;
      }
      case 'TZ': s = f.tzOff === null ? '' : caseAs(pat, f.tzAbbr); break;
      case 'TZH': s = f.tzOff === null ? '' : (f.tzOff < 0 ? '-' : '+') + String(Math.trunc(Math.abs(f.tzOff) / 3600)).padStart(2, '0'); break;
      case 'TZM': s = f.tzOff === null ? '' : String(Math.trunc((Math.abs(f.tzOff) % 3600) / 60)).padStart(2, '0'); break;
      case 'OF': s = f.tzOff === null ? '' : formatOffset(f.tzOff); break;
      default: s = pat;
    }
    if (th && num !== null) s += ordinal(num, th === 'TH');
    out += s;
  }
  return out;
}

function tsFields(local: number, tzOff: number | null, zone: string): DtFields {
  const p = splitTimestamp(local);
  let abbr = '';
  if (tzOff !== null) {
    const fixed = /^(utc|gmt|z|zulu|etc\/utc)$/i.test(zone) ? 'UTC' : null;
    abbr = fixed ?? zoneAbbrev(zone, local - tzOff * USECS_PER_SEC) ?? formatOffset(tzOff);
  }
  return {
    y: p.y, m: p.m, d: p.d, hh: p.hh, mi: p.mm, ss: p.ss, us: p.us,
    days: Math.floor(local / USECS_PER_DAY), tzOff, tzAbbr: abbr, isInterval: false,
  };
}

function zoneAbbrev(zone: string, utcMicros: number): string | null {
  try {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'short' }).formatToParts(new Date(utcMicros / 1000));
    const n = parts.find((p) => p.type === 'timeZoneName')?.value;
    if (!n || /^GMT[+-]/.test(n)) return null;
    return n;
  } catch {
    return null;
  }
}

function intervalFields(iv: Interval): DtFields {
  const hh = Math.trunc(iv.micros / USECS_PER_HOUR);
  let rest = iv.micros - hh * USECS_PER_HOUR;
  const mi = Math.trunc(rest / USECS_PER_MINUTE);
  rest -= mi * USECS_PER_MINUTE;
  const ss = Math.trunc(rest / USECS_PER_SEC);
  return {
    y: Math.trunc(iv.months / 12), m: iv.months % 12, d: iv.days, hh, mi, ss, us: rest - ss * USECS_PER_SEC,
    days: null, tzOff: null, tzAbbr: '', isInterval: true,
  };
}

// ---- to_timestamp / to_date parsing ----------------------------------------------------------------

function parseDt(input: string, fmt: string, what: 'timestamp' | 'date'): { local: number; tzOff: number | null } {
  let y = 1970, mo = 1, d = 1, hh = 0, mi = 0, ss = 0, us = 0;
  let pm: boolean | null = null;
  let hour12 = false;
  let doy: number | null = null;
  let tzOff: number | null = null;
  let bc = false;
  let pos = 0;
  const bad = (msg: string): SqlError => new SqlError(SqlState.InvalidDatetimeFormat, msg);
  const skipSpaces = (): void => { while (pos < input.length && input[pos] === ' ') pos++; };
  const readInt = (maxLen: number, name: string): number => {
    skipSpaces();
    const m = new RegExp(`^[+-]?\\d{1,${maxLen}}`).exec(input.slice(pos));
    if (!m) {
      throw new SqlError(SqlState.InvalidDatetimeFormat, `invalid value "${input.slice(pos, pos + maxLen)}" for "${name}"`,
        { detail: 'Value must be an integer.' });
    }
    pos += m[0].length;
    return Number(m[0]);
  };
  const readWord = (list: string[], len: number | null, name: string): number => {
    skipSpaces();
    const rest = input.slice(pos).toLowerCase();
    for (let k = 0; k < list.length; k++) {
      const w = (len ? list[k]!.slice(0, len) : list[k]!).toLowerCase();
      if (rest.startsWith(w)) { pos += w.length; return k; }
    }
    throw bad(`invalid value "${input.slice(pos, pos + (len ?? 9))}" for "${name}"`);
  };
  let i = 0;
  while (i < fmt.length) {
    if (fmt.startsWith('FM', i) || fmt.startsWith('fm', i)) { i += 2; continue; }
    if (fmt[i] === '"') {
      const end = fmt.indexOf('"', i + 1);
      const lit = fmt.slice(i + 1, end < 0 ? fmt.length : end);
      pos += lit.length;
      i = end < 0 ? fmt.length : end + 1;
      continue;
    }
    const pat = matchPattern(fmt, i);
    if (!pat) {
      // separators in the format match any single non-alphanumeric character (or nothing)
      const c = fmt[i]!;
      if (c === ' ') skipSpaces();
      else if (pos < input.length && !/[A-Za-z0-9]/.test(input[pos]!)) pos++;
      i++;
      continue;
    }
    i += pat.length;
    if (fmt.startsWith('TH', i) || fmt.startsWith('th', i)) i += 2;
    switch (pat.toUpperCase()) {
      // without a separator after it, YYYY takes exactly four digits (YYYYMMDD)
      case 'YYYY': case 'IYYY': y = readInt(/[A-Za-z0-9]/.test(fmt[i] ?? ' ') ? 4 : 9, pat); break;
      case 'Y,YYY': { const a = readInt(3, pat); pos++; y = a * 1000 + readInt(3, pat); break; }
      case 'YYY': case 'IYY': { const v = readInt(3, pat); y = v < 100 ? 2000 + v : 1000 + v; break; }
      case 'YY': case 'IY': { const v = readInt(2, pat); y = v < 70 ? 2000 + v : 1900 + v; break; }
      case 'Y': case 'I': y = 2000 + readInt(1, pat); break;
      case 'MM': mo = readInt(2, pat); break;
      case 'MONTH': mo = readWord(MONTHS, null, pat) + 1; break;
      case 'MON': mo = readWord(MONTHS, 3, pat) + 1; break;
      case 'DD': d = readInt(2, pat); break;
      case 'DDD': case 'IDDD': doy = readInt(3, pat); break;
      case 'DAY': readWord(DAYS, null, pat); break;
      case 'DY': readWord(DAYS, 3, pat); break;
      case 'D': case 'ID': readInt(1, pat); break;
      case 'HH24': hh = readInt(2, pat); break;
      case 'HH': case 'HH12': hh = readInt(2, pat); hour12 = true; break;
      case 'MI': mi = readInt(2, pat); break;
      case 'SS': ss = readInt(2, pat); break;
      case 'MS': { skipSpaces(); const m = /^\d{1,3}/.exec(input.slice(pos)); if (!m) throw bad(`invalid value "${input.slice(pos, pos + 3)}" for "MS"`); pos += m[0].length; us += Number(m[0].padEnd(3, '0')) * 1000; break; }
      case 'US': { skipSpaces(); const m = /^\d{1,6}/.exec(input.slice(pos)); if (!m) throw bad(`invalid value "${input.slice(pos, pos + 6)}" for "US"`); pos += m[0].length; us += Number(m[0].padEnd(6, '0')); break; }
      case 'FF1': case 'FF2': case 'FF3': case 'FF4': case 'FF5': case 'FF6': {
        const n = Number(pat[2]);
        const m = new RegExp(`^\\d{1,${n}}`).exec(input.slice(pos));
        if (m) { pos += m[0].length; us = Number(m[0].padEnd(6, '0')); }
        break;
      }
      case 'SSSS': case 'SSSSS': { const v = readInt(5, pat); hh = Math.floor(v / 3600); mi = Math.floor((v % 3600) / 60); ss = v % 60; break; }
      case 'AM': case 'PM': { skipSpaces(); const w = input.slice(pos, pos + 2).toUpperCase(); if (w !== 'AM' && w !== 'PM') throw bad(`invalid value "${input.slice(pos, pos + 2)}" for "${pat}"`); pm = w === 'PM'; pos += 2; break; }
      case 'A.M.': case 'P.M.': { const w = input.slice(pos, pos + 4).toUpperCase(); pm = w === 'P.M.'; pos += 4; break; }
      case 'BC': case 'AD': { const w = input.slice(pos, pos + 2).toUpperCase(); bc = w === 'BC'; pos += 2; break; }
      case 'TZH': {
        const v = readInt(2, pat);
        if (Math.abs(v) > 15) {
          throw new SqlError(SqlState.InvalidTimeZoneDisplacementValue, `time zone displacement out of range: "${input}"`);
        }
        tzOff = (tzOff ?? 0) + v * 3600;
        break;
      }
      case 'TZM': { const v = readInt(2, pat); tzOff = (tzOff ?? 0) + (tzOff !== null && tzOff < 0 ? -v : v) * 60; break; }
      case 'J': { const v = readInt(9, pat); const dd = daysToYmd(v - 2440588); y = dd.y; mo = dd.m; d = dd.d; break; }
      case 'Q': case 'W': case 'WW': case 'IW': case 'CC': readInt(2, pat); break;
      default:
        throw new SqlError(SqlState.FeatureNotSupported, `formatting field "${pat}" is only supported in to_char`);
    }
  }
  if (hour12) {
    if (hh < 1 || hh > 12) {
      throw new SqlError(SqlState.InvalidDatetimeFormat, `hour "${hh}" is invalid for the 12-hour clock`, { hint: 'Use the 24-hour clock, or give an hour between 1 and 12.' });
    }
    if (pm === true && hh < 12) hh += 12;
    if (pm === false && hh === 12) hh = 0;
  } else if (pm !== null) {
    if (pm && hh < 12) hh += 12;
    if (!pm && hh === 12) hh = 0;
  }
  if (bc) y = 1 - y;
  if (doy !== null) {
    const dd = daysToYmd(ymdToDays(y, 1, 1) + doy - 1);
    mo = dd.m; d = dd.d;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) {
    throw new SqlError(SqlState.DatetimeFieldOverflow, `date/time field value out of range: "${input}"`);
  }
  if (hh > 24 || mi > 59 || ss > 60) {
    throw new SqlError(SqlState.DatetimeFieldOverflow, `date/time field value out of range: "${input}"`);
  }
  return { local: makeTimestamp(y, mo, d, hh, mi, ss, us), tzOff };
}

// ---- numeric to_char ----------------------------------------------------------------

/** to_char(number, format) for the common patterns: 9 0 . , D G S MI PL SG PR FM th EEEE(basic) */
export function toCharNumber(value: Numeric, fmt: string): string {
  const upper = fmt.toUpperCase();
  const fm = upper.includes('FM');
  let intDigits = 0, fracDigits = 0, seenPoint = false;
  let hasS = false, hasMI = false, hasPR = false, hasPL = false, hasSG = false;
  let th: string | null = null;
  for (let i = 0; i < fmt.length; i++) {
    const c = upper[i]!;
    if (c === '9' || c === '0') { if (seenPoint) fracDigits++; else intDigits++; }
    else if (c === '.' || c === 'D') seenPoint = true;
    else if (upper.startsWith('SG', i)) { hasSG = true; i++; }
    else if (c === 'S') hasS = true;
    else if (upper.startsWith('MI', i)) { hasMI = true; i++; }
    else if (upper.startsWith('PR', i)) { hasPR = true; i++; }
    else if (upper.startsWith('PL', i)) { hasPL = true; i++; }
    else if (upper.startsWith('TH', i)) { th = fmt.slice(i, i + 2); i++; }
    else if (upper.startsWith('FM', i)) i++;
  }
  if (value.isNaN) return ' NaN';
  const neg = value.sign() < 0;
  const r = value.abs().round(fracDigits);
  const str = r.toString();
  const [ip, fp = ''] = str.split('.');
  let intStr = ip === '0' ? '' : ip!;
  // a zero value with no decimal point in the format still prints its last digit
  if (intStr === '' && !/[.D]/.test(upper)) intStr = '0';
  const overflow = intStr.length > intDigits;
  let fracStr = fp.padEnd(fracDigits, '0');
  if (overflow) {
    intStr = '#'.repeat(intDigits);
    fracStr = '#'.repeat(fracDigits);
  }
  // Walk the format, placing integer digits right-aligned into 9/0 positions.
  let out = '';
  let intPos = 0; // index of the current integer digit position
  let started = false;
  let fracPos = 0;
  seenPoint = false;
  const firstDigit = upper.search(/[90.D]/);
  const leadingS = hasS && upper.indexOf('S') < firstDigit;
  const signChar = leadingS ? (neg ? '-' : '+') : neg ? '-' : (fm ? '' : ' ');
  // PL prints its own '+' but keeps the usual sign slot (PG: PL999 → '+ 123')
  let signPlaced = (hasS && !leadingS) || hasMI || hasPR || hasSG;
  const placeSign = (): void => {
    if (!signPlaced) { out += signChar; signPlaced = true; }
  };
  // where the first integer digit goes
  const firstDigitAt = intDigits - intStr.length;
  let lastZeroFracKept = fracDigits; // for FM trailing-zero trimming of 9 fraction positions
  const fracChars: { c: string; nine: boolean }[] = [];
  for (let i = 0; i < fmt.length; i++) {
    const c = upper[i]!;
    if (upper.startsWith('FM', i) || upper.startsWith('TH', i)) { i++; continue; }
    if (c === '9' || c === '0') {
      if (!seenPoint) {
        const digitIdx = intPos - firstDigitAt;
        if (digitIdx >= 0) {
          if (!started) { placeSign(); started = true; }
          out += intStr[digitIdx]!;
        } else if (c === '0' || started) {
          if (!started) { placeSign(); started = true; }
          out += '0';
        } else if (!fm) out += ' ';
        intPos++;
      } else {
        fracChars.push({ c: fracStr[fracPos] ?? '0', nine: c === '9' });
        fracPos++;
        out += '\u0000';
      }
    } else if (c === '.' || c === 'D') {
      if (!started) { placeSign(); started = true; }
      seenPoint = true;
      out += '.';
    } else if (c === ',' || c === 'G') {
      if (started) out += ',';
      else if (!fm) out += ' ';
    } else if (upper.startsWith('SG', i)) {
      out += neg ? '-' : '+';
      i++;
    } else if (c === 'S') {
      if (!leadingS) out += neg ? '-' : '+';
    } else if (upper.startsWith('MI', i)) {
      out += neg ? '-' : (fm ? '' : ' ');
      i++;
    } else if (upper.startsWith('PL', i)) {
      out += neg ? ' ' : '+';
      i++;
    } else if (upper.startsWith('SG', i)) {
      out += neg ? '-' : '+';
      i++;
    } else if (upper.startsWith('PR', i)) {
      i++;
    } else {
      out += fmt[i];
    }
  }
  if (!started) placeSign();
  // fill fraction digits; FM trims trailing zeros in 9 positions
  if (fm) {
    lastZeroFracKept = fracChars.length;
    while (lastZeroFracKept > 0 && fracChars[lastZeroFracKept - 1]!.nine && fracChars[lastZeroFracKept - 1]!.c === '0') lastZeroFracKept--;
  }
  let k = 0;
  out = out.replace(/\u0000/g, () => {
    const fc = fracChars[k]!;
    const keep = k < lastZeroFracKept;
    k++;
    return keep ? fc.c : '';
  });
  if (fm && out.endsWith('.') && fracDigits > 0) out = out.slice(0, -1) + (fracChars.length && lastZeroFracKept === 0 ? '.' : '');
  if (hasPR) out = neg ? out.replace(/^( *)/, '$1<') + '>' : (fm ? out : out + ' ');
  if (th && !neg) {
    const n = Number(r.trunc(0).toString());
    out += ordinal(n, th === 'TH');
  }
  return out;
}

// ---- registration ------------------------------------------------------------------------

const tz = (ctx: EvalContext): string => ctx.settings.timeZone;

function localDate(ctx: EvalContext, utc: number): number {
  return Math.floor(utcToLocal(tz(ctx), utc) / USECS_PER_DAY);
}

function makeTs(y: number, mo: number, d: number, h: number, mi: number, sec: number): number {
  if (mo < 1 || mo > 12 || d < 1 || y === 0 || d > daysInMonth(y < 0 ? y + 1 : y, mo)) {
    throw new SqlError(SqlState.DatetimeFieldOverflow, `date field value out of range: ${y}-${pad(mo, 2, false)}-${pad(d, 2, false)}`);
  }
  if (h < 0 || h > 24 || mi < 0 || mi > 59 || sec < 0 || sec > 60 || (h === 24 && (mi > 0 || sec > 0))) {
    throw new SqlError(SqlState.DatetimeFieldOverflow, `time field value out of range: ${h}:${pad(mi, 2, false)}:${pad(sec, 2, false)}`);
  }
  const yy = y < 0 ? y + 1 : y; // make_date(-44, ...) means 44 BC
  return chkTs(makeTimestamp(yy, mo, d, h, mi, 0, 0) + Math.round(sec * USECS_PER_SEC));
}

export function registerDatetime(): void {
  const N = (d: Datum): number => d as number;
  const I = (d: Datum): Interval => d as Interval;
  // date arithmetic
  op('+(date, int4) -> date', (a) => chkDate(N(a[0]!) + N(a[1]!)));
  op('+(int4, date) -> date', (a) => chkDate(N(a[0]!) + N(a[1]!)));
  op('-(date, int4) -> date', (a) => chkDate(N(a[0]!) - N(a[1]!)));
  op('-(date, date) -> int4', (a) => {
    const x = N(a[0]!), y = N(a[1]!);
    if (!Number.isFinite(x) || !Number.isFinite(y)) throw new SqlError(SqlState.DatetimeFieldOverflow, 'cannot subtract infinite dates');
    return x - y;
  });
  op('+(date, interval) -> timestamp', (a) => addIntervalLocal(N(a[0]!) * USECS_PER_DAY, I(a[1]!), 1));
  op('+(interval, date) -> timestamp', (a) => addIntervalLocal(N(a[1]!) * USECS_PER_DAY, I(a[0]!), 1));
  op('-(date, interval) -> timestamp', (a) => addIntervalLocal(N(a[0]!) * USECS_PER_DAY, I(a[1]!), -1));
  op('+(date, time) -> timestamp', (a) => chkTs(N(a[0]!) * USECS_PER_DAY + N(a[1]!)));
  op('+(time, date) -> timestamp', (a) => chkTs(N(a[1]!) * USECS_PER_DAY + N(a[0]!)));
  // time
  const wrapTime = (t: number): number => ((t % USECS_PER_DAY) + USECS_PER_DAY) % USECS_PER_DAY;
  op('+(time, interval) -> time', (a) => wrapTime(N(a[0]!) + I(a[1]!).micros));
  op('+(interval, time) -> time', (a) => wrapTime(N(a[1]!) + I(a[0]!).micros));
  op('-(time, interval) -> time', (a) => wrapTime(N(a[0]!) - I(a[1]!).micros));
  op('-(time, time) -> interval', (a) => new Interval(0, 0, N(a[0]!) - N(a[1]!)));
  // timestamp
  op('+(timestamp, interval) -> timestamp', (a) => addIntervalLocal(N(a[0]!), I(a[1]!), 1));
  op('+(interval, timestamp) -> timestamp', (a) => addIntervalLocal(N(a[1]!), I(a[0]!), 1));
  op('-(timestamp, interval) -> timestamp', (a) => addIntervalLocal(N(a[0]!), I(a[1]!), -1));
  op('-(timestamp, timestamp) -> interval', (a) => timestampDiff(N(a[0]!), N(a[1]!)));
  op('+(timestamptz, interval) -> timestamptz', (a, c) => addIntervalTz(N(a[0]!), I(a[1]!), 1, tz(c)), { volatility: 'stable' });
  op('+(interval, timestamptz) -> timestamptz', (a, c) => addIntervalTz(N(a[1]!), I(a[0]!), 1, tz(c)), { volatility: 'stable' });
  op('-(timestamptz, interval) -> timestamptz', (a, c) => addIntervalTz(N(a[0]!), I(a[1]!), -1, tz(c)), { volatility: 'stable' });
  op('-(timestamptz, timestamptz) -> interval', (a) => timestampDiff(N(a[0]!), N(a[1]!)));
  // interval
  op('+(interval, interval) -> interval', (a) => I(a[0]!).add(I(a[1]!)));
  op('-(interval, interval) -> interval', (a) => I(a[0]!).sub(I(a[1]!)));
  op('-(interval) -> interval', (a) => I(a[0]!).negate());
  op('+(interval) -> interval', (a) => a[0]!);
  op('*(interval, float8) -> interval', (a) => I(a[0]!).mul(N(a[1]!)));
  op('*(float8, interval) -> interval', (a) => I(a[1]!).mul(N(a[0]!)));
  op('/(interval, float8) -> interval', (a) => I(a[0]!).div(N(a[1]!)));

  // current time
  fn('now() -> timestamptz', (_a, c) => c.txnTimestamp, { volatility: 'stable' });
  fn('current_timestamp() -> timestamptz', (_a, c) => c.txnTimestamp, { volatility: 'stable' });
  fn('transaction_timestamp() -> timestamptz', (_a, c) => c.txnTimestamp, { volatility: 'stable' });
  fn('statement_timestamp() -> timestamptz', (_a, c) => c.txnTimestamp, { volatility: 'stable' });
  fn('clock_timestamp() -> timestamptz', (_a, c) => c.now(), { volatility: 'volatile' });
  fn('timeofday() -> text', (_a, c) => new Date(c.now() / 1000).toString(), { volatility: 'volatile' });
  fn('current_date() -> date', (_a, c) => localDate(c, c.txnTimestamp), { volatility: 'stable' });
  fn('localtimestamp() -> timestamp', (_a, c) => utcToLocal(tz(c), c.txnTimestamp), { volatility: 'stable' });
  fn('localtime() -> time', (_a, c) => wrapTime(utcToLocal(tz(c), c.txnTimestamp)), { volatility: 'stable' });
  fn('current_time() -> time', (_a, c) => wrapTime(utcToLocal(tz(c), c.txnTimestamp)), { volatility: 'stable' });

  // date_trunc
  fn('date_trunc(text, timestamp) -> timestamp', (a) => truncLocal(a[0] as string, N(a[1]!), 'timestamp'));
  fn('date_trunc(text, timestamptz) -> timestamptz', (a, c) => truncTz(a[0] as string, N(a[1]!), tz(c)), { volatility: 'stable' });
  fn('date_trunc(text, timestamptz, text) -> timestamptz', (a) => truncTz(a[0] as string, N(a[1]!), a[2] as string));
  fn('date_trunc(text, interval) -> interval', (a) => truncInterval(a[0] as string, I(a[1]!)));

  // extract / date_part
  const exTs = (a: readonly Datum[]): FieldValue => extractTs(a[0] as string, N(a[1]!), N(a[1]!), 'timestamp', null);
  const exTz = (a: readonly Datum[], c: EvalContext): FieldValue => {
    const t = N(a[1]!);
    const off = Number.isFinite(t) ? zoneOffsetMicros(tz(c), t) / USECS_PER_SEC : 0;
    return extractTs(a[0] as string, Number.isFinite(t) ? t + off * USECS_PER_SEC : t, t, 'timestamptz', off);
  };
  const exDate = (a: readonly Datum[]): FieldValue => {
    const d = N(a[1]!);
    return extractTs(a[0] as string, d * USECS_PER_DAY, d * USECS_PER_DAY, 'date', null);
  };
  const exTime = (a: readonly Datum[]): FieldValue => {
    const u = unitOf(a[0] as string);
    if (!u) throw unitNotRecognized(a[0] as string, 'time');
    if (!['microseconds', 'milliseconds', 'second', 'minute', 'hour', 'epoch'].includes(u)) throw unitNotSupported(a[0] as string, 'time');
    if (u === 'epoch') return { num: Numeric.of(BigInt(N(a[1]!)), 6) };
    return extractTs(a[0] as string, N(a[1]!), N(a[1]!), 'time', null);
  };
  const exIv = (a: readonly Datum[]): FieldValue => extractInterval(a[0] as string, I(a[1]!));
  fn('extract(text, timestamp) -> numeric', (a) => fieldToNumeric(exTs(a)));
  fn('extract(text, timestamptz) -> numeric', (a, c) => fieldToNumeric(exTz(a, c)), { volatility: 'stable' });
  fn('extract(text, date) -> numeric', (a) => fieldToNumeric(exDate(a)));
  fn('extract(text, time) -> numeric', (a) => fieldToNumeric(exTime(a)));
  fn('extract(text, interval) -> numeric', (a) => fieldToNumeric(exIv(a)));
  fn('date_part(text, timestamp) -> float8', (a) => fieldToFloat(exTs(a)));
  fn('date_part(text, timestamptz) -> float8', (a, c) => fieldToFloat(exTz(a, c)), { volatility: 'stable' });
  // PG's date_part(text, date) is SQL: date_part($1, $2::timestamp), so time units give 0
  fn('date_part(text, date) -> float8', (a) => {
    const d = N(a[1]!);
    return fieldToFloat(extractTs(a[0] as string, d * USECS_PER_DAY, d * USECS_PER_DAY, 'timestamp', null));
  });
  fn('date_part(text, time) -> float8', (a) => fieldToFloat(exTime(a)));
  fn('date_part(text, interval) -> float8', (a) => fieldToFloat(exIv(a)));

  // age
  fn('age(timestamp, timestamp) -> interval', (a) => coreAge(N(a[0]!), N(a[1]!)));
  fn('age(timestamptz, timestamptz) -> interval', (a, c) => coreAge(utcToLocal(tz(c), N(a[0]!)), utcToLocal(tz(c), N(a[1]!))), { volatility: 'stable' });
  fn('age(timestamp) -> interval', (a, c) => coreAge(localDate(c, c.txnTimestamp) * USECS_PER_DAY, N(a[0]!)), { volatility: 'stable' });
  fn('age(timestamptz) -> interval', (a, c) => coreAge(localDate(c, c.txnTimestamp) * USECS_PER_DAY, utcToLocal(tz(c), N(a[0]!))), { volatility: 'stable' });

  // to_char
  const infText = (t: number): string | null => (Number.isFinite(t) ? null : '');
  fn('to_char(timestamp, text) -> text', (a) => {
    const t = N(a[0]!);
    if (infText(t) !== null) return null;
    return formatDt(tsFields(t, null, 'UTC'), a[1] as string);
  });
  fn('to_char(timestamptz, text) -> text', (a, c) => {
    const t = N(a[0]!);
    if (infText(t) !== null) return null;
    const offUs = zoneOffsetMicros(tz(c), t);
    return formatDt(tsFields(t + offUs, offUs / USECS_PER_SEC, tz(c)), a[1] as string);
  }, { volatility: 'stable' });
  fn('to_char(interval, text) -> text', (a) => formatDt(intervalFields(I(a[0]!)), a[1] as string));
  fn('to_char(numeric, text) -> text', (a) => toCharNumber(a[0] as Numeric, a[1] as string));
  fn('to_char(int4, text) -> text', (a) => toCharNumber(Numeric.fromInt(N(a[0]!)), a[1] as string));
  fn('to_char(int8, text) -> text', (a) => toCharNumber(Numeric.fromBigInt(a[0] as bigint), a[1] as string));
  fn('to_char(float8, text) -> text', (a) => toCharNumber(Numeric.fromNumber(N(a[0]!), 15), a[1] as string));
  fn('to_char(float4, text) -> text', (a) => toCharNumber(Numeric.fromNumber(N(a[0]!), 6), a[1] as string));

  // parsing
  fn('to_timestamp(float8) -> timestamptz', (a) => {
    const x = N(a[0]!);
    if (Number.isNaN(x)) throw new SqlError(SqlState.InvalidParameterValue, 'timestamp cannot be NaN');
    if (!Number.isFinite(x)) return x;
    return chkTs(Math.round(x * USECS_PER_SEC));
  });
  fn('to_timestamp(text, text) -> timestamptz', (a, c) => {
    const r = parseDt(a[0] as string, a[1] as string, 'timestamp');
    return chkTs(r.tzOff !== null ? r.local - r.tzOff * USECS_PER_SEC : localToUtc(tz(c), r.local));
  }, { volatility: 'stable' });
  fn('to_date(text, text) -> date', (a) => {
    const r = parseDt(a[0] as string, a[1] as string, 'date');
    return chkDate(Math.floor(r.local / USECS_PER_DAY));
  }, { volatility: 'stable' });

  // constructors
  fn('make_date(int4, int4, int4) -> date', (a) => Math.floor(makeTs(N(a[0]!), N(a[1]!), N(a[2]!), 0, 0, 0) / USECS_PER_DAY));
  fn('make_time(int4, int4, float8) -> time', (a) => {
    const h = N(a[0]!), m = N(a[1]!), s = N(a[2]!);
    if (h < 0 || h > 24 || m < 0 || m > 59 || s < 0 || s > 60 || (h === 24 && (m > 0 || s > 0))) {
      throw new SqlError(SqlState.DatetimeFieldOverflow, `time field value out of range: ${h}:${pad(m, 2, false)}:${pad(s, 2, false)}`);
    }
    return (h * 60 + m) * USECS_PER_MINUTE + Math.round(s * USECS_PER_SEC);
  });
  fn('make_timestamp(int4, int4, int4, int4, int4, float8) -> timestamp', (a) =>
    makeTs(N(a[0]!), N(a[1]!), N(a[2]!), N(a[3]!), N(a[4]!), N(a[5]!)));
  fn('make_timestamptz(int4, int4, int4, int4, int4, float8) -> timestamptz', (a, c) =>
    chkTs(localToUtc(tz(c), makeTs(N(a[0]!), N(a[1]!), N(a[2]!), N(a[3]!), N(a[4]!), N(a[5]!)))), { volatility: 'stable' });
  fn('make_timestamptz(int4, int4, int4, int4, int4, float8, text) -> timestamptz', (a) =>
    chkTs(localToUtc(a[6] as string, makeTs(N(a[0]!), N(a[1]!), N(a[2]!), N(a[3]!), N(a[4]!), N(a[5]!)))));
  const mi = ['int4', 'int4', 'int4', 'int4', 'int4', 'int4', 'float8'];
  for (let n = 0; n <= 7; n++) {
    fn(`make_interval(${mi.slice(0, n).join(', ')}) -> interval`, (a) => {
      const g = (k: number): number => (k < a.length ? N(a[k]!) : 0);
      const secs = g(6);
      if (!Number.isFinite(secs)) throw new SqlError(SqlState.DatetimeFieldOverflow, 'interval out of range');
      return new Interval(g(0) * 12 + g(1), g(2) * 7 + g(3),
        rint((g(4) * 3600 + g(5) * 60) * USECS_PER_SEC + secs * USECS_PER_SEC));
    });
  }
  fn('date(timestamp) -> date', (a) => { const t = N(a[0]!); return Number.isFinite(t) ? Math.floor(t / USECS_PER_DAY) : t; });
  fn('date(timestamptz) -> date', (a, c) => { const t = N(a[0]!); return Number.isFinite(t) ? localDate(c, t) : t; }, { volatility: 'stable' });
  // AT TIME ZONE
  fn('timezone(text, timestamptz) -> timestamp', (a) => utcToLocal(a[0] as string, N(a[1]!)));
  fn('timezone(text, timestamp) -> timestamptz', (a) => localToUtc(a[0] as string, N(a[1]!)));
  fn('timezone(interval, timestamptz) -> timestamp', (a) => { const t = N(a[1]!); return Number.isFinite(t) ? t + I(a[0]!).micros : t; });
  fn('timezone(interval, timestamp) -> timestamptz', (a) => { const t = N(a[1]!); return Number.isFinite(t) ? t - I(a[0]!).micros : t; });
  fn('justify_days(interval) -> interval', (a) => I(a[0]!).justifyDays());
  fn('justify_hours(interval) -> interval', (a) => I(a[0]!).justifyHours());
  fn('justify_interval(interval) -> interval', (a) => I(a[0]!).justify());
  fn('isfinite(date) -> bool', (a) => Number.isFinite(N(a[0]!)));
  fn('isfinite(timestamp) -> bool', (a) => Number.isFinite(N(a[0]!)));
  fn('isfinite(timestamptz) -> bool', (a) => Number.isFinite(N(a[0]!)));
  fn('isfinite(interval) -> bool', () => true);
  fn('date_bin(interval, timestamp, timestamp) -> timestamp', (a) => dateBin(I(a[0]!), N(a[1]!), N(a[2]!)));
  fn('date_bin(interval, timestamptz, timestamptz) -> timestamptz', (a) => dateBin(I(a[0]!), N(a[1]!), N(a[2]!)));
}

function dateBin(stride: Interval, t: number, origin: number): number {
  if (stride.months !== 0) throw new SqlError(SqlState.FeatureNotSupported, 'timestamps cannot be binned into intervals containing months or years');
  const s = stride.days * USECS_PER_DAY + stride.micros;
  if (s <= 0) throw new SqlError(SqlState.InvalidParameterValue, 'stride must be greater than zero');
  if (!Number.isFinite(t)) return t;
  const delta = t - origin;
  let bins = Math.trunc(delta / s);
  if (delta < 0 && delta % s !== 0) bins--;
  return chkTs(origin + bins * s);
}
