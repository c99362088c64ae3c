// Calendar arithmetic (proleptic Gregorian, astronomical years: 1 BC = year 0) and time-zone
// conversion through the IANA database that Intl carries. Dates are days since 1970-01-01,
// timestamps are microseconds since 1970-01-01 00:00 (UTC for timestamptz).
import { SqlError, SqlState } from '../errors.js';

export const USECS_PER_SEC = 1_000_000;
export const USECS_PER_DAY = 86_400_000_000;
/** PostgreSQL's epoch for binary I/O: 2000-01-01 is day 10957 after 1970-01-01. */
export const PG_EPOCH_DAYS = 10957;
export const PG_EPOCH_MICROS = PG_EPOCH_DAYS * USECS_PER_DAY;

/** Days since 1970-01-01 → civil date (H. Hinnant's algorithm; exact for any integer). */
export function daysToYmd(days: number): { y: number; m: number; d: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d };
}

/** Civil date → days since 1970-01-01 (astronomical year numbering). */
export function ymdToDays(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}
const MDAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
export function daysInMonth(y: number, m: number): number {
  return m === 2 && isLeapYear(y) ? 29 : MDAYS[m - 1]!;
}
/** 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(days: number): number {
  return (((days + 4) % 7) + 7) % 7;
}

export interface TimestampParts {
  y: number; m: number; d: number; hh: number; mm: number; ss: number; us: number;
}
/** Microseconds since 1970 → calendar fields (finite input only). */
export function splitTimestamp(micros: number): TimestampParts {
  const days = Math.floor(micros / USECS_PER_DAY);
  let t = micros - days * USECS_PER_DAY;
  const { y, m, d } = daysToYmd(days);
  const hh = Math.floor(t / 3_600_000_000);
  t -= hh * 3_600_000_000;
  const mm = Math.floor(t / 60_000_000);
  t -= mm * 60_000_000;
  const ss = Math.floor(t / 1_000_000);
  const us = t - ss * 1_000_000;
  return { y, m, d, hh, mm, ss, us };
}
export function makeTimestamp(y: number, m: number, d: number, hh = 0, mm = 0, ss = 0, us = 0): number {
  return ymdToDays(y, m, d) * USECS_PER_DAY + ((hh * 60 + mm) * 60 + ss) * USECS_PER_SEC + us;
}

// PG's limits: dates from 4714-11-24 BC to 5874897-12-31, timestamps to 294276-12-31.
export const MIN_DATE_DAYS = ymdToDays(-4713, 11, 24);
export const MAX_DATE_DAYS = ymdToDays(5874897, 12, 31);
export const MIN_TIMESTAMP = MIN_DATE_DAYS * USECS_PER_DAY;
export const END_TIMESTAMP = ymdToDays(294277, 1, 1) * USECS_PER_DAY;
export function timestampInRange(t: number): boolean {
  return t >= MIN_TIMESTAMP && t < END_TIMESTAMP;
}

// ---------------------------------------------------------------- time zones

interface ZoneImpl {
  /** offset east of UTC in seconds at the given UTC instant (ms) */
  offsetAt(utcMs: number): number;
}

const zoneCache = new Map<string, ZoneImpl | null>();

/** '+05', '-08:30', '+05:30:15', 'UTC', 'Z', 'GMT' → seconds east of UTC; null if not a fixed offset. */
export function parseFixedOffset(s: string): number | null {
  const u = s.toUpperCase();
  if (u === 'UTC' || u === 'Z' || u === 'GMT' || u === 'ZULU' || u === 'UCT' || u === 'ETC/UTC' || u === 'ETC/GMT' || u === 'UNIVERSAL') return 0;
  const c = s.charCodeAt(0);
  if (c !== 43 && c !== 45) return null;
  const sign = c === 45 ? -1 : 1;
  const body = s.slice(1);
  let h: number; let m = 0; let sec = 0;
  if (/^\d{1,2}$/.test(body)) h = Number(body);
  else if (/^\d{4}$/.test(body)) { h = Number(body.slice(0, 2)); m = Number(body.slice(2)); }
  else {
    const mm = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(body);
    if (!mm) return null;
    h = Number(mm[1]); m = Number(mm[2]); sec = mm[3] ? Number(mm[3]) : 0;
  }
  if (h > 15 || m > 59 || sec > 59) return null;
  return sign * (h * 3600 + m * 60 + sec);
}

function fixedZone(off: number): ZoneImpl { return { offsetAt: () => off }; }

const MS_LIMIT = 8.64e15;

function intlZone(name: string): ZoneImpl | null {
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: name, hourCycle: 'h23', era: 'short',
      year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
  } catch {
    return null;
  }
  const compute = (ms: number): number => {
    let y = 0, mo = 1, d = 1, h = 0, mi = 0, sec = 0, bc = false;
    for (const p of fmt.formatToParts(ms)) {
      switch (p.type) {
        case 'year': y = Number(p.value); break;
        case 'month': mo = Number(p.value); break;
        case 'day': d = Number(p.value); break;
        case 'hour': h = Number(p.value); break;
        case 'minute': mi = Number(p.value); break;
        case 'second': sec = Number(p.value); break;
        case 'era': bc = p.value.startsWith('B'); break;
        default: break;
      }
    }
    if (bc) y = 1 - y;
    const localSec = ymdToDays(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
    return localSec - Math.floor(ms / 1000);
  };
  // Offsets only change at transitions: a UTC day whose start and end have the same offset is
  // taken to have one offset throughout (zones do not transition twice within a day); other
  // days are resolved per 15 minutes (transitions happen on quarter hours).
  const MIXED = 1e9;
  const days = new Map<number, number>();
  const quarters = new Map<number, number>();
  return {
    offsetAt(utcMs: number): number {
      const ms = Math.max(-MS_LIMIT + 86_400_000, Math.min(MS_LIMIT - 86_400_000, utcMs));
      const day = Math.floor(ms / 86_400_000);
      let off = days.get(day);
      if (off === undefined) {
        const a = compute(day * 86_400_000);
        const b = compute(day * 86_400_000 + 86_399_000);
        off = a === b ? a : MIXED;
        if (days.size > 100_000) days.clear();
        days.set(day, off);
      }
      if (off !== MIXED) return off;
      const q = Math.floor(ms / 900_000);
      let qo = quarters.get(q);
      if (qo === undefined) {
        qo = compute(q * 900_000);
        if (quarters.size > 100_000) quarters.clear();
        quarters.set(q, qo);
      }
      return qo;
    },
  };
}

function resolveZone(zone: string): ZoneImpl {
  let z = zoneCache.get(zone);
  if (z === undefined) {
    const zt = zone.trim();
    let fixed = parseFixedOffset(zt);
    // POSIX 'UTC+3' / 'GMT-5' (as a TimeZone setting): the sign counts hours west of UTC
    const posix = fixed === null ? /^(?:utc|gmt)([+-].+)$/i.exec(zt) : null;
    if (posix) { const o = parseFixedOffset(posix[1]!); if (o !== null) fixed = -o || 0; }
    z = fixed !== null ? fixedZone(fixed) : intlZone(zt);
    zoneCache.set(zone, z);
  }
  if (z === null) throw new SqlError(SqlState.InvalidParameterValue, `time zone "${zone}" not recognized`);
  return z;
}

/** True if the zone name is a fixed offset or known to the IANA database. */
export function isValidTimeZone(zone: string): boolean {
  try { resolveZone(zone); return true; } catch { return false; }
}

/** Offset east of UTC, in µs, that `zone` has at the UTC instant `utcMicros`. */
export function zoneOffsetMicros(zone: string, utcMicros: number): number {
  if (!Number.isFinite(utcMicros)) return 0;
  return resolveZone(zone).offsetAt(Math.floor(utcMicros / 1000)) * USECS_PER_SEC;
}
/** UTC µs → local wall-clock µs in zone. */
export function utcToLocal(zone: string, utcMicros: number): number {
  if (!Number.isFinite(utcMicros)) return utcMicros;
  return utcMicros + zoneOffsetMicros(zone, utcMicros);
}

/**
 * Local wall-clock µs in zone → UTC µs. Like PG, a time repeated by a fall-back transition is read
 * with the offset after it, a time skipped by spring-forward with the offset before it.
 */
export function localToUtc(zone: string, localMicros: number): number {
  if (!Number.isFinite(localMicros)) return localMicros;
  const z = resolveZone(zone);
  const localMs = Math.floor(localMicros / 1000);
  const before = z.offsetAt(localMs - 86_400_000 * 1.5) * USECS_PER_SEC;
  const after = z.offsetAt(localMs + 86_400_000 * 1.5) * USECS_PER_SEC;
  if (before === after) {
    const mid = z.offsetAt(localMs - before / 1000) * USECS_PER_SEC;
    if (mid === before) return localMicros - before;
    return localMicros - mid;
  }
  // PG (DetermineTimeZoneOffset): a repeated local time takes the later offset, a skipped one
  // is read with the offset in force before the transition
  const tAfter = localMicros - after;
  if (z.offsetAt(Math.floor(tAfter / 1000)) * USECS_PER_SEC === after) return tAfter;
  return localMicros - before;
}

/** '+00', '+05:30', '-08', '+00:09:21' as PG prints a UTC offset (seconds east). */
export function formatOffset(offSec: number): string {
  const sign = offSec < 0 ? '-' : '+';
  let a = Math.abs(offSec);
  const h = Math.floor(a / 3600);
  a -= h * 3600;
  const m = Math.floor(a / 60);
  const s = a - m * 60;
  let out = sign + (h < 10 ? '0' : '') + h;
  if (m !== 0 || s !== 0) out += ':' + (m < 10 ? '0' : '') + m;
  if (s !== 0) out += ':' + (s < 10 ? '0' : '') + s;
  return out;
}
