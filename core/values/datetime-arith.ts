// Date/time arithmetic with PostgreSQL's calendar rules: months are added on the calendar
// (clamping the day to the month's end), days on the calendar in local time, then the time part
// as absolute microseconds (timestamp_pl_interval / timestamptz_pl_interval / timestamp_mi).
import { SqlError, SqlState } from '../errors.js';
import { Interval } from './interval.js';
import {
  USECS_PER_DAY, daysInMonth, daysToYmd, localToUtc, timestampInRange, utcToLocal, ymdToDays,
  MIN_DATE_DAYS, MAX_DATE_DAYS,
} from './datetime.js';

function tsOutOfRange(): SqlError {
  return new SqlError(SqlState.DatetimeFieldOverflow, 'timestamp out of range');
}
function checkTs(t: number): number {
  if (!timestampInRange(t)) throw tsOutOfRange();
  return t;
}

/** Add calendar months to local µs, clamping the day of month (Jan 31 + 1 mon = Feb 29/28). */
export function addMonthsLocal(local: number, months: number): number {
  if (months === 0) return local;
  const days = Math.floor(local / USECS_PER_DAY);
  const tod = local - days * USECS_PER_DAY;
  const { y, m, d } = daysToYmd(days);
  const total = y * 12 + (m - 1) + months;
  const ny = Math.floor(total / 12);
  const nm = total - ny * 12 + 1;
  const nd = Math.min(d, daysInMonth(ny, nm));
  return ymdToDays(ny, nm, nd) * USECS_PER_DAY + tod;
}

/** timestamp + interval. */
export function timestampPlusInterval(ts: number, iv: Interval): number {
  if (!Number.isFinite(ts)) return ts;
  let t = addMonthsLocal(ts, iv.months);
  t += iv.days * USECS_PER_DAY;
  t += iv.micros;
  return checkTs(t);
}
export function timestampMinusInterval(ts: number, iv: Interval): number {
  return timestampPlusInterval(ts, iv.negate());
}

/** timestamptz + interval: months and days move the wall clock in `zone`, micros are absolute. */
export function timestamptzPlusInterval(ts: number, iv: Interval, zone: string): number {
  if (!Number.isFinite(ts)) return ts;
  let t = ts;
  if (iv.months !== 0) t = localToUtc(zone, addMonthsLocal(utcToLocal(zone, t), iv.months));
  if (iv.days !== 0) t = localToUtc(zone, utcToLocal(zone, t) + iv.days * USECS_PER_DAY);
  t += iv.micros;
  return checkTs(t);
}
export function timestamptzMinusInterval(ts: number, iv: Interval, zone: string): number {
  return timestamptzPlusInterval(ts, iv.negate(), zone);
}

/** timestamp - timestamp (and timestamptz - timestamptz): micros difference, justified into days. */
export function timestampDiff(a: number, b: number): Interval {
  if (!Number.isFinite(a) || !Number.isFinite(b)) {
    throw new SqlError(SqlState.DatetimeFieldOverflow, 'cannot subtract infinite timestamps');
  }
  return new Interval(0, 0, a - b).justifyHours();
}

/** date + integer days. */
export function datePlusDays(d: number, n: number): number {
  if (!Number.isFinite(d)) return d;
  const r = d + n;
  if (r < MIN_DATE_DAYS || r > MAX_DATE_DAYS) throw new SqlError(SqlState.DatetimeFieldOverflow, 'date out of range');
  return r;
}
/** date - date = integer days. */
export function dateDiff(a: number, b: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b)) {
    throw new SqlError(SqlState.DatetimeFieldOverflow, 'cannot subtract infinite dates');
  }
  return a - b;
}
/** date + interval = timestamp (date at midnight, then timestamp + interval). */
export function datePlusInterval(d: number, iv: Interval): number {
  if (!Number.isFinite(d)) return d;
  return timestampPlusInterval(d * USECS_PER_DAY, iv);
}
/** time + interval wraps around midnight (time_pl_interval). */
export function timePlusInterval(t: number, iv: Interval): number {
  const r = (t + iv.micros) % USECS_PER_DAY;
  return r < 0 ? r + USECS_PER_DAY : r;
}

/** age(a, b): symbolic difference in years/months/days and time, PG's field-borrowing rules. */
export function age(a: number, b: number): Interval {
  if (!Number.isFinite(a) || !Number.isFinite(b)) {
    throw new SqlError(SqlState.DatetimeFieldOverflow, 'cannot subtract infinite timestamps');
  }
  const split = (t: number): { y: number; m: number; d: number; us: number } => {
    const days = Math.floor(t / USECS_PER_DAY);
    const { y, m, d } = daysToYmd(days);
    return { y, m, d, us: t - days * USECS_PER_DAY };
  };
  const x = split(a);
  const z = split(b);
  let us = x.us - z.us;
  let d = x.d - z.d;
  let m = x.m - z.m;
  let y = x.y - z.y;
  // flip so we borrow on positive values, then flip back (timestamp_age)
  const neg = a < b;
  if (neg) { us = -us; d = -d; m = -m; y = -y; }
  while (us < 0) { us += USECS_PER_DAY; d--; }
  while (d < 0) {
    // PG borrows the length of the earlier timestamp's month
    const ref = neg ? x : z;
    d += daysInMonth(ref.y, ref.m);
    m--;
  }
  while (m < 0) { m += 12; y--; }
  if (neg) { us = -us; d = -d; m = -m; y = -y; }
  return new Interval(y * 12 + m || 0, d || 0, us || 0);
}
