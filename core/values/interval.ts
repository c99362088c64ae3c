// PostgreSQL interval: three independent fields, because a month and a day have no fixed length
// until applied to a timestamp. Ordering and equality treat 1 month = 30 days, 1 day = 24 hours.
import { SqlError, SqlState } from '../errors.js';

export const USECS_PER_SEC = 1_000_000;
export const USECS_PER_MINUTE = 60_000_000;
export const USECS_PER_HOUR = 3_600_000_000;
export const USECS_PER_DAY = 86_400_000_000;
const DAYS_PER_MONTH = 30;

export class Interval {
  constructor(readonly months: number, readonly days: number, readonly micros: number) {}

  static readonly ZERO = new Interval(0, 0, 0);

  add(o: Interval): Interval {
    return checked(this.months + o.months, this.days + o.days, this.micros + o.micros);
  }
  sub(o: Interval): Interval {
    return checked(this.months - o.months, this.days - o.days, this.micros - o.micros);
  }
  negate(): Interval {
    return checked(-this.months || 0, -this.days || 0, -this.micros || 0);
  }

  /**
   * interval_mul: fractional months cascade into days and fractional days into time, exactly as
   * PG does (month fraction × 30 days, day fraction × 24h), rounding micros.
   */
  mul(factor: number): Interval {
    if (Number.isNaN(factor)) throw outOfRange();
    const monthsF = this.months * factor;
    const daysF = this.days * factor;
    if (!Number.isFinite(monthsF) || !Number.isFinite(daysF) || Math.abs(monthsF) > 2147483647 || Math.abs(daysF) > 2147483647) throw outOfRange();
    const months = Math.trunc(monthsF) || 0;
    let days = Math.trunc(daysF) || 0;
    // interval_mul: fractional months → days (30 per month), fractional days → seconds, each
    // rounded to 6 decimals (TSROUND) to hide binary floating-point artifacts
    const monthRemainderDays = roundTo((monthsF - months) * DAYS_PER_MONTH, 1e-6);
    let secRemainder = roundTo((daysF - days + monthRemainderDays - Math.trunc(monthRemainderDays)) * 86400, 1e-6);
    if (Math.abs(secRemainder) >= 86400) {
      const carry = Math.trunc(secRemainder / 86400);
      days += carry;
      secRemainder -= carry * 86400;
    }
    days += Math.trunc(monthRemainderDays);
    const micros = rint(this.micros * factor + secRemainder * USECS_PER_SEC);
    if (!Number.isFinite(micros)) throw outOfRange();
    return checked(months, days, micros);
  }
  div(factor: number): Interval {
    if (factor === 0) throw new SqlError(SqlState.DivisionByZero, 'division by zero');
    return this.mul(1 / factor);
  }

  /** Comparable span: whole days (months as 30 days) plus micros within the day. */
  private span(): { d: number; us: number } {
    const dayCarry = Math.floor(this.micros / USECS_PER_DAY);
    return { d: this.months * DAYS_PER_MONTH + this.days + dayCarry, us: this.micros - dayCarry * USECS_PER_DAY };
  }
  /** interval_cmp: PG's 30-day-month, 24-hour-day rule. */
  cmp(o: Interval): number {
    if (this.months === o.months && this.days === o.days) return this.micros < o.micros ? -1 : this.micros > o.micros ? 1 : 0;
    const a = this.span();
    const b = o.span();
    if (a.d !== b.d) return a.d < b.d ? -1 : 1;
    return a.us < b.us ? -1 : a.us > b.us ? 1 : 0;
  }
  equals(o: Interval): boolean { return this.cmp(o) === 0; }
  /** Equal per cmp ⇒ equal key. */
  key(): string {
    const s = this.span();
    return `${s.d}:${s.us}`;
  }
  /** Total length in microseconds with 30-day months (for extract(epoch) etc. use 365.25-day years instead). */
  approxMicros(): number {
    return (this.months * DAYS_PER_MONTH + this.days) * USECS_PER_DAY + this.micros;
  }

  /** justify_hours: whole 24h periods of micros move into days. */
  justifyHours(): Interval {
    let days = this.days + Math.trunc(this.micros / USECS_PER_DAY);
    let micros = this.micros % USECS_PER_DAY;
    if (days > 0 && micros < 0) { micros += USECS_PER_DAY; days--; }
    else if (days < 0 && micros > 0) { micros -= USECS_PER_DAY; days++; }
    return new Interval(this.months, days, micros || 0);
  }
  /** justify_days: whole 30-day periods move into months. */
  justifyDays(): Interval {
    let months = this.months + Math.trunc(this.days / DAYS_PER_MONTH);
    let days = this.days % DAYS_PER_MONTH;
    if (months > 0 && days < 0) { days += DAYS_PER_MONTH; months--; }
    else if (months < 0 && days > 0) { days -= DAYS_PER_MONTH; months++; }
    return new Interval(months, days || 0, this.micros);
  }
  /** justify_interval: both, with signs made consistent. */
  justify(): Interval {
    let months = this.months;
    let days = this.days;
    let micros = this.micros;
    months += Math.trunc(days / DAYS_PER_MONTH);
    days = days % DAYS_PER_MONTH;
    days += Math.trunc(micros / USECS_PER_DAY);
    micros = micros % USECS_PER_DAY;
    months += Math.trunc(days / DAYS_PER_MONTH);
    days = days % DAYS_PER_MONTH;
    if (months > 0 && (days < 0 || (days === 0 && micros < 0))) { days += DAYS_PER_MONTH; months--; }
    else if (months < 0 && (days > 0 || (days === 0 && micros > 0))) { days -= DAYS_PER_MONTH; months++; }
    if (days > 0 && micros < 0) { micros += USECS_PER_DAY; days--; }
    else if (days < 0 && micros > 0) { micros -= USECS_PER_DAY; days++; }
    return new Interval(months || 0, days || 0, micros || 0);
  }
}

function roundTo(x: number, q: number): number {
  return rint(x / q) * q;
}
/** C rint(): round half to even. */
export function rint(x: number): number {
  const r = Math.round(x);
  return (Math.abs(x % 1) === 0.5 && r % 2 !== 0) ? r - 1 : r;
}

function outOfRange(): SqlError {
  return new SqlError(SqlState.DatetimeFieldOverflow, 'interval out of range');
}

function checked(months: number, days: number, micros: number): Interval {
  if (months > 2147483647 || months < -2147483648 || days > 2147483647 || days < -2147483648 || !Number.isFinite(micros)) {
    throw outOfRange();
  }
  return new Interval(months, days, micros);
}

/** Interval fields split for display: year, mon, day, hour, min, sec, fractional micros (signs as PG). */
export interface IntervalParts {
  year: number; mon: number; day: number; hour: number; min: number; sec: number; usec: number;
}
export function intervalParts(iv: Interval): IntervalParts {
  const year = Math.trunc(iv.months / 12);
  const mon = iv.months % 12 || 0;
  let t = iv.micros;
  const hour = Math.trunc(t / USECS_PER_HOUR);
  t -= hour * USECS_PER_HOUR;
  const min = Math.trunc(t / USECS_PER_MINUTE);
  t -= min * USECS_PER_MINUTE;
  const sec = Math.trunc(t / USECS_PER_SEC);
  const usec = t - sec * USECS_PER_SEC;
  return { year: year || 0, mon, day: iv.days, hour: hour || 0, min: min || 0, sec: sec || 0, usec: usec || 0 };
}

// ---------------------------------------------------------------- typmod: INTERVAL fields(p)

/** Field bits of PG's interval typmod (datetime.h: MONTH=1, YEAR=2, DAY=3, HOUR=10, MINUTE=11, SECOND=12). */
export const INTERVAL_MASK = { month: 1 << 1, year: 1 << 2, day: 1 << 3, hour: 1 << 10, minute: 1 << 11, second: 1 << 12 } as const;
export const INTERVAL_FULL_RANGE = 0x7fff;
export const INTERVAL_FULL_PRECISION = 0xffff;

/**
 * Typmod for INTERVAL [fields] [(p)]: fields like 'year', 'day to second', 'hour to minute'
 * (null = all fields), precision null = full. Throws 22023 on unknown field specs.
 */
export function intervalTypmod(fields: string | null, precision: number | null): number {
  let range = INTERVAL_FULL_RANGE;
  if (fields !== null) {
    const f = fields.trim().toLowerCase().split(/\s+to\s+/);
    const order = ['year', 'month', 'day', 'hour', 'minute', 'second'] as const;
    const a = order.indexOf(f[0] as (typeof order)[number]);
    const b = f.length > 1 ? order.indexOf(f[1] as (typeof order)[number]) : a;
    if (a < 0 || b < a || f.length > 2) throw new SqlError(SqlState.InvalidParameterValue, `invalid INTERVAL type modifier`);
    range = 0;
    for (let i = a; i <= b; i++) range |= INTERVAL_MASK[order[i]!];
  }
  const p = precision === null ? INTERVAL_FULL_PRECISION : precision;
  if (p !== INTERVAL_FULL_PRECISION && (p < 0 || p > 6)) {
    throw new SqlError(SqlState.InvalidParameterValue, `INTERVAL(${p}) precision must be between 0 and 6`);
  }
  return ((range & 0x7fff) << 16) | (p & 0xffff);
}
export function intervalTypmodRange(typmod: number): number {
  return typmod < 0 ? INTERVAL_FULL_RANGE : (typmod >> 16) & 0x7fff;
}
export function intervalTypmodPrecision(typmod: number): number {
  return typmod < 0 ? INTERVAL_FULL_PRECISION : typmod & 0xffff;
}

/** AdjustIntervalForTypmod: drop fields below the declared range, round fractional seconds. */
export function adjustIntervalForTypmod(iv: Interval, typmod: number): Interval {
  if (typmod < 0) return iv;
  const range = intervalTypmodRange(typmod);
  const precision = intervalTypmodPrecision(typmod);
  const M = INTERVAL_MASK;
  let { months, days, micros } = iv;
  const truncTo = (unit: number): number => Math.trunc(micros / unit) * unit || 0;
  if (range === INTERVAL_FULL_RANGE) {
    // nothing
  } else if (range === M.year) {
    months = Math.trunc(months / 12) * 12 || 0; days = 0; micros = 0;
  } else if (range === M.month || range === (M.year | M.month)) {
    days = 0; micros = 0;
  } else if (range === M.day) {
    micros = 0;
  } else if (range === M.hour || range === (M.day | M.hour)) {
    micros = truncTo(USECS_PER_HOUR);
  } else if (range === M.minute || range === (M.day | M.hour | M.minute) || range === (M.hour | M.minute)) {
    micros = truncTo(USECS_PER_MINUTE);
  }
  if (precision !== INTERVAL_FULL_PRECISION && precision < 6) {
    const scale = 10 ** (6 - precision);
    const r = Math.floor((Math.abs(micros) + scale / 2) / scale) * scale;
    micros = micros < 0 ? -r : r;
  }
  return months === iv.months && days === iv.days && micros === iv.micros ? iv : new Interval(months, days, micros);
}

/** Unit of a bare number in interval input under a field range ('2' as INTERVAL HOUR = 2 hours). */
export function bareNumberUnit(range: number): 'y' | 'mon' | 'd' | 'h' | 'min' | 's' {
  const M = INTERVAL_MASK;
  switch (range) {
    case M.year: return 'y';
    case M.month: case M.year | M.month: return 'mon';
    case M.day: return 'd';
    case M.hour: case M.day | M.hour: return 'h';
    case M.minute: case M.hour | M.minute: case M.day | M.hour | M.minute: return 'min';
    default: return 's';
  }
}
