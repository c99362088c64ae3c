// Exact decimal with PostgreSQL numeric semantics: value = digits × 10^-scale, scale ≥ 0 is the
// display scale (dscale) PostgreSQL prints, plus NaN and ±Infinity.
import type { SqlType } from '../types.js';
import { SqlError, SqlState } from '../errors.js';

type Special = 'nan' | 'inf' | '-inf' | null;

const POW10: bigint[] = [1n];
/** 10^n as bigint; cached because scale alignment does this on every operation. */
export function pow10n(n: number): bigint {
  if (n < POW10.length) return POW10[n]!;
  for (let i = POW10.length; i <= n; i++) POW10.push(POW10[i - 1]! * 10n);
  return POW10[n]!;
}

/** PG's NUMERIC_MAX_DISPLAY_SCALE / NUMERIC_MIN_SIG_DIGITS (numeric.c). */
const MAX_DISPLAY_SCALE = 1000;
const MIN_SIG_DIGITS = 16;

function absBig(b: bigint): bigint { return b < 0n ? -b : b; }

/** Number of decimal digits of |b| (0 for 0). */
function digitCount(b: bigint): number {
  if (b === 0n) return 0;
  return absBig(b).toString().length;
}

/** Integer division rounding half away from zero. */
function divRound(n: bigint, d: bigint): bigint {
  if (d < 0n) { n = -n; d = -d; }
  const q = n / d;
  const r = n - q * d;
  if (absBig(r) * 2n >= d) return n < 0n ? q - 1n : q + 1n;
  return q;
}

function invalidNumeric(s: string): SqlError {
  return new SqlError(SqlState.InvalidTextRepresentation, `invalid input syntax for type numeric: "${s}"`);
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

export class Numeric {
  private constructor(readonly digits: bigint, readonly scale: number, readonly special: Special = null) {}

  static readonly NaN = new Numeric(0n, 0, 'nan');
  static readonly Infinity = new Numeric(0n, 0, 'inf');
  static readonly NegInfinity = new Numeric(0n, 0, '-inf');
  static readonly ZERO = new Numeric(0n, 0);
  static readonly ONE = new Numeric(1n, 0);

  /** digits × 10^-scale; scale must be ≥ 0. */
  static of(digits: bigint, scale = 0): Numeric {
    if (scale < 0) return new Numeric(digits * pow10n(-scale), 0);
    return new Numeric(digits, scale);
  }
  static fromBigInt(b: bigint): Numeric { return new Numeric(b, 0); }
  static fromInt(n: number): Numeric { return new Numeric(BigInt(n), 0); }

  /** numeric_in: surrounding whitespace, sign, digits with optional point and exponent, NaN/Infinity. */
  static fromString(s: string): Numeric {
    const r = Numeric.tryParse(s);
    if (r === null) throw invalidNumeric(s);
    return r;
  }

  /** Like fromString but returns null instead of throwing (used by callers probing input). */
  static tryParse(s: string): Numeric | null {
    let i = 0;
    let end = s.length;
    while (i < end && isSpace(s.charCodeAt(i))) i++;
    while (end > i && isSpace(s.charCodeAt(end - 1))) end--;
    if (i === end) return null;
    let neg = false;
    let signed = false;
    const c0 = s.charCodeAt(i);
    if (c0 === 45 /* - */ || c0 === 43 /* + */) { neg = c0 === 45; signed = true; i++; }
    const c = s.charCodeAt(i);
    if (!(c >= 48 && c <= 57) && c !== 46) {
      const word = s.slice(i, end).toLowerCase();
      if (word === 'nan') return signed ? null : Numeric.NaN;
      if (word === 'infinity' || word === 'inf') return neg ? Numeric.NegInfinity : Numeric.Infinity;
      return null;
    }
    const intStart = i;
    while (i < end && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
    const intDigits = s.slice(intStart, i);
    let fracDigits = '';
    if (i < end && s.charCodeAt(i) === 46) {
      i++;
      const fs = i;
      while (i < end && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
      fracDigits = s.slice(fs, i);
    }
    if (intDigits.length === 0 && fracDigits.length === 0) return null;
    let exp = 0;
    if (i < end && (s.charCodeAt(i) === 101 || s.charCodeAt(i) === 69)) {
      i++;
      let eneg = false;
      if (i < end && (s.charCodeAt(i) === 45 || s.charCodeAt(i) === 43)) { eneg = s.charCodeAt(i) === 45; i++; }
      const es = i;
      while (i < end && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
      if (i === es) return null;
      const ev = Number(s.slice(es, i));
      // PG rejects exponents beyond ±NUMERIC_MAX_PRECISION*... as invalid syntax
      if (ev > 1000 + 1000) return null;
      exp = eneg ? -ev : ev;
    }
    if (i !== end) return null;
    let mant = BigInt((intDigits || '0') + fracDigits);
    let scale = fracDigits.length - exp;
    if (scale < 0) { mant *= pow10n(-scale); scale = 0; }
    if (neg) mant = -mant;
    return new Numeric(mant, scale);
  }

  /**
   * A float as numeric. Without `precision`: shortest text that round-trips (JS number printing).
   * With precision p: PostgreSQL's float→numeric cast, which formats with %.{p}g
   * (p = 15 for float8, 6 for float4).
   */
  static fromNumber(n: number, precision?: number): Numeric {
    if (Number.isNaN(n)) return Numeric.NaN;
    if (n === Infinity) return Numeric.Infinity;
    if (n === -Infinity) return Numeric.NegInfinity;
    if (Number.isInteger(n) && Math.abs(n) <= Number.MAX_SAFE_INTEGER && precision === undefined) {
      return new Numeric(BigInt(n), 0);
    }
    if (precision === undefined) return Numeric.fromString(n.toExponential());
    return Numeric.fromString(formatG(n, precision));
  }

  get isNaN(): boolean { return this.special === 'nan'; }
  get isFinite(): boolean { return this.special === null; }
  get isInfinite(): boolean { return this.special === 'inf' || this.special === '-inf'; }
  /** -1, 0, 1 (NaN gives 0 — callers check isNaN first where it matters). */
  sign(): number {
    if (this.special === 'inf') return 1;
    if (this.special === '-inf') return -1;
    if (this.special === 'nan') return 0;
    return this.digits > 0n ? 1 : this.digits < 0n ? -1 : 0;
  }
  isZero(): boolean { return this.special === null && this.digits === 0n; }

  /** Mantissa rescaled to `scale` (≥ this.scale); exact. */
  private at(scale: number): bigint {
    return scale === this.scale ? this.digits : this.digits * pow10n(scale - this.scale);
  }

  add(o: Numeric): Numeric {
    if (this.special !== null || o.special !== null) return addSpecial(this, o, 1);
    const s = Math.max(this.scale, o.scale);
    return new Numeric(this.at(s) + o.at(s), s);
  }
  sub(o: Numeric): Numeric {
    if (this.special !== null || o.special !== null) return addSpecial(this, o, -1);
    const s = Math.max(this.scale, o.scale);
    return new Numeric(this.at(s) - o.at(s), s);
  }
  mul(o: Numeric): Numeric {
    if (this.special !== null || o.special !== null) {
      if (this.isNaN || o.isNaN) return Numeric.NaN;
      const sa = this.sign();
      const sb = o.sign();
      if (sa === 0 || sb === 0) return Numeric.NaN; // Inf × 0
      return sa * sb > 0 ? Numeric.Infinity : Numeric.NegInfinity;
    }
    return new Numeric(this.digits * o.digits, this.scale + o.scale);
  }

  /** numeric_div: result scale per PG's select_div_scale, rounded half away from zero. */
  div(o: Numeric): Numeric {
    if (this.special !== null || o.special !== null) {
      if (this.isNaN || o.isNaN) return Numeric.NaN;
      if (this.isInfinite) {
        if (o.isInfinite) return Numeric.NaN;
        if (o.isZero()) throw divisionByZero();
        return this.sign() * o.sign() > 0 ? Numeric.Infinity : Numeric.NegInfinity;
      }
      return Numeric.ZERO; // finite / ±Inf
    }
    if (o.digits === 0n) throw divisionByZero();
    const rscale = this.selectDivScale(o);
    // this/o = d1·10^-s1 / (d2·10^-s2); result mantissa at rscale = d1·10^(s2+rscale) / (d2·10^s1)
    const num = this.digits * pow10n(o.scale + rscale);
    const den = o.digits * pow10n(this.scale);
    return new Numeric(divRound(num, den), rscale);
  }

  /** Division with an explicit result scale (rounded), for functions that choose their own scale. */
  divScale(o: Numeric, rscale: number): Numeric {
    if (this.special !== null || o.special !== null) return this.div(o);
    if (o.digits === 0n) throw divisionByZero();
    const num = this.digits * pow10n(o.scale + Math.max(rscale, 0));
    const den = o.digits * pow10n(this.scale);
    return new Numeric(divRound(num, den), Math.max(rscale, 0));
  }

  /** PG's div(a, b): truncated integer quotient, scale 0. */
  divTrunc(o: Numeric): Numeric {
    if (this.special !== null || o.special !== null) {
      if (this.isNaN || o.isNaN) return Numeric.NaN;
      if (this.isInfinite) {
        if (o.isZero()) throw divisionByZero();
        if (o.isInfinite) return Numeric.NaN;
        return this.sign() * o.sign() > 0 ? Numeric.Infinity : Numeric.NegInfinity;
      }
      return Numeric.ZERO;
    }
    if (o.digits === 0n) throw divisionByZero();
    const s = Math.max(this.scale, o.scale);
    return new Numeric(this.at(s) / o.at(s), 0);
  }

  /** numeric_mod: sign of the dividend, scale max of both. */
  mod(o: Numeric): Numeric {
    if (this.special !== null || o.special !== null) {
      if (this.isNaN || o.isNaN) return Numeric.NaN;
      if (this.isInfinite) {
        if (o.isZero()) throw divisionByZero();
        return Numeric.NaN;
      }
      return this; // finite % ±Inf
    }
    if (o.digits === 0n) throw divisionByZero();
    const s = Math.max(this.scale, o.scale);
    return new Numeric(this.at(s) % o.at(s), s);
  }

  neg(): Numeric {
    if (this.special === 'inf') return Numeric.NegInfinity;
    if (this.special === '-inf') return Numeric.Infinity;
    if (this.special === 'nan') return this;
    return new Numeric(-this.digits, this.scale);
  }
  abs(): Numeric {
    if (this.special === '-inf') return Numeric.Infinity;
    if (this.special !== null) return this;
    return this.digits < 0n ? new Numeric(-this.digits, this.scale) : this;
  }

  /** Total order: -Inf < finite < Inf < NaN, NaN = NaN (PG's btree order). */
  cmp(o: Numeric): number {
    if (this.special !== null || o.special !== null) {
      const d = specialRank(this) - specialRank(o);
      return d < 0 ? -1 : d > 0 ? 1 : 0;
    }
    if (this.scale === o.scale) return this.digits < o.digits ? -1 : this.digits > o.digits ? 1 : 0;
    const s = Math.max(this.scale, o.scale);
    const a = this.at(s);
    const b = o.at(s);
    return a < b ? -1 : a > b ? 1 : 0;
  }
  equals(o: Numeric): boolean { return this.cmp(o) === 0; }

  /** round(x, s): half away from zero; s < 0 rounds left of the point and gives scale 0. */
  round(scale: number): Numeric {
    if (this.special !== null) return this;
    if (scale >= this.scale) return new Numeric(this.at(scale), scale);
    const q = divRound(this.digits, pow10n(this.scale - scale));
    if (scale >= 0) return new Numeric(q, scale);
    return new Numeric(q * pow10n(-scale), 0);
  }
  /** trunc(x, s): toward zero. */
  trunc(scale: number): Numeric {
    if (this.special !== null) return this;
    if (scale >= this.scale) return new Numeric(this.at(scale), scale);
    const q = this.digits / pow10n(this.scale - scale);
    if (scale >= 0) return new Numeric(q, scale);
    return new Numeric(q * pow10n(-scale), 0);
  }
  /** ceil/floor give scale 0 like PG. */
  ceil(): Numeric {
    if (this.special !== null) return this;
    const p = pow10n(this.scale);
    let q = this.digits / p;
    if (this.digits > 0n && q * p !== this.digits) q += 1n;
    return new Numeric(q, 0);
  }
  floor(): Numeric {
    if (this.special !== null) return this;
    const p = pow10n(this.scale);
    let q = this.digits / p;
    if (this.digits < 0n && q * p !== this.digits) q -= 1n;
    return new Numeric(q, 0);
  }

  /** PG 13's min_scale(): smallest scale that represents the value exactly. */
  minScale(): number {
    if (this.special !== null || this.digits === 0n) return 0;
    let d = this.digits;
    let s = this.scale;
    while (s > 0 && d % 10n === 0n) { d /= 10n; s--; }
    return s;
  }
  /** trim_scale(): drop trailing fractional zeros. */
  trimScale(): Numeric {
    if (this.special !== null) return this;
    const s = this.minScale();
    return s === this.scale ? this : new Numeric(this.digits / pow10n(this.scale - s), s);
  }
  /** Same scale-independent value, for hashing: '1.0' and '1.00' give the same key. */
  key(): string {
    if (this.special !== null) return this.special;
    const t = this.trimScale();
    return t.scale === 0 ? t.digits.toString() : `${t.digits}e-${t.scale}`;
  }

  /**
   * Base-10000 weight and leading digit of |value| as PG stores it (weight 0 = units group).
   * Needed to reproduce PG's scale choices (division, sqrt, ...). Zero gives weight 0, digit 0.
   */
  baseWeight(): { weight: number; first: number } {
    if (this.special !== null || this.digits === 0n) return { weight: 0, first: 0 };
    const a = absBig(this.digits);
    const e10 = digitCount(a) - 1 - this.scale; // decimal exponent of the leading digit
    const weight = Math.floor(e10 / 4);
    const shift = this.scale + 4 * weight;
    const first = shift >= 0 ? a / pow10n(shift) : a * pow10n(-shift);
    return { weight, first: Number(first) };
  }

  private selectDivScale(o: Numeric): number {
    const a = this.baseWeight();
    const b = o.baseWeight();
    let qweight = a.weight - b.weight;
    if (a.first <= b.first) qweight--;
    let rscale = MIN_SIG_DIGITS - qweight * 4;
    rscale = Math.max(rscale, this.scale, o.scale, 0);
    return Math.min(rscale, MAX_DISPLAY_SCALE);
  }

  /** numeric_sqrt: scale chosen like PG (≥ 16 significant digits, ≥ input scale), rounded. */
  sqrt(): Numeric {
    if (this.special === 'nan' || this.special === 'inf') return this;
    if (this.sign() < 0) {
      throw new SqlError('2201F', 'cannot take square root of a negative number');
    }
    const { weight } = this.baseWeight();
    const sweight = Math.trunc(((weight + 1) * 4) / 2) - 1;
    const rscale = Math.min(Math.max(MIN_SIG_DIGITS - sweight, this.scale, 0), MAX_DISPLAY_SCALE);
    if (this.digits === 0n) return new Numeric(0n, rscale);
    // floor(sqrt) with one guard digit, then round half up
    const n = this.digits * pow10n(2 * (rscale + 1) - this.scale);
    const r = isqrt(n);
    return new Numeric((r + 5n) / 10n, rscale);
  }

  /** numeric → float8 the way PG does it (strtod of the text form). */
  toNumber(): number {
    if (this.special === 'nan') return NaN;
    if (this.special === 'inf') return Infinity;
    if (this.special === '-inf') return -Infinity;
    if (this.scale === 0 && this.digits >= -9007199254740991n && this.digits <= 9007199254740991n) return Number(this.digits);
    return Number(this.toString());
  }

  /** numeric → int8: rounds half away from zero; 22003 'bigint out of range'. */
  toBigInt(): bigint {
    return this.toIntegerChecked(-(2n ** 63n), 2n ** 63n - 1n, 'bigint');
  }

  /**
   * Rounds to an integer and range-checks it with PG's messages for the target type label
   * ('smallint' | 'integer' | 'bigint').
   */
  toIntegerChecked(min: bigint, max: bigint, label: string): bigint {
    if (this.special === 'nan') throw new SqlError(SqlState.FeatureNotSupported, `cannot convert NaN to ${label}`);
    if (this.special !== null) throw new SqlError(SqlState.FeatureNotSupported, `cannot convert infinity to ${label}`);
    const v = this.scale === 0 ? this.digits : divRound(this.digits, pow10n(this.scale));
    if (v < min || v > max) throw new SqlError(SqlState.NumericValueOutOfRange, `${label} out of range`);
    return v;
  }

  /** numeric_out: plain notation keeping the display scale (2.50 stays 2.50). */
  toString(): string {
    if (this.special !== null) return this.special === 'nan' ? 'NaN' : this.special === 'inf' ? 'Infinity' : '-Infinity';
    if (this.scale === 0) return this.digits.toString();
    const neg = this.digits < 0n;
    let s = (neg ? -this.digits : this.digits).toString();
    if (s.length <= this.scale) s = '0'.repeat(this.scale - s.length + 1) + s;
    const p = s.length - this.scale;
    const out = s.slice(0, p) + '.' + s.slice(p);
    return neg ? '-' + out : out;
  }

  /** this × 10^k exactly (k may be negative; scale grows as needed). */
  mulPow10(k: number): Numeric {
    if (this.special !== null) return this;
    if (k >= 0) {
      if (k <= this.scale) return new Numeric(this.digits, this.scale - k);
      return new Numeric(this.digits * pow10n(k - this.scale), 0);
    }
    return new Numeric(this.digits, this.scale - k);
  }

  /** Number of significant integer digits (for numeric(p,s) overflow checks). */
  integerDigits(): number {
    if (this.special !== null || this.digits === 0n) return 0;
    return Math.max(0, digitCount(this.digits) - this.scale);
  }

  /**
   * numeric(p,s) coercion (apply_typmod): round to s, then 22003 'numeric field overflow' when
   * the value needs more than p-s integer digits. typmod is PG's encoded ((p<<16)|s)+4; -1 = none.
   */
  applyTypmod(typmod: number): Numeric {
    if (typmod < 4) return this;
    const { precision, scale } = decodeNumericTypmod(typmod);
    if (this.special !== null) {
      if (this.special === 'nan') return this;
      throw new SqlError(SqlState.NumericValueOutOfRange, 'numeric field overflow', {
        detail: `A field with precision ${precision}, scale ${scale} cannot hold an infinite value.`,
      });
    }
    const r = this.round(scale);
    const maxDigits = precision - scale; // digits allowed left of the point
    if (r.digits !== 0n) {
      const intDigits = digitCount(r.digits) - r.scale;
      if (intDigits > maxDigits) {
        throw new SqlError(SqlState.NumericValueOutOfRange, 'numeric field overflow', {
          detail: `A field with precision ${precision}, scale ${scale} must round to an absolute value less than ${maxDigits > 0 ? '10^' + maxDigits : '1'}.`,
        });
      }
    }
    return r;
  }
}

/** Decode numeric typmod → precision and (possibly negative, PG 15) scale. */
export function decodeNumericTypmod(typmod: number): { precision: number; scale: number } {
  const t = typmod - 4;
  const precision = (t >> 16) & 0xffff;
  // PG 15 stores scale in the low 11 bits, sign-extended
  const scale = ((t & 0x7ff) ^ 1024) - 1024;
  return { precision, scale };
}
/**
 * numeric(p, s) with 1 <= p <= 15 and 0 <= s <= p: every value is an integer number of 10^-s
 * below 10^15, exact in a float64 (the column store's decimal layout); null for other types.
 */
export function fixedDecimal(type: SqlType): { precision: number; scale: number } | null {
  if (type.kind !== 'scalar' || type.name !== 'numeric' || type.typmod < 4) return null;
  const d = decodeNumericTypmod(type.typmod);
  return d.precision >= 1 && d.precision <= 15 && d.scale >= 0 && d.scale <= d.precision ? d : null;
}

export function encodeNumericTypmod(precision: number, scale: number): number {
  return ((precision << 16) | (scale & 0x7ff)) + 4;
}

/** floor(sqrt(n)) for n ≥ 0 (Newton's method on bigint). */
export function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  // Newton's method from a power of two above the root decreases monotonically to floor(sqrt)
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

function divisionByZero(): SqlError {
  return new SqlError(SqlState.DivisionByZero, 'division by zero');
}

function specialRank(n: Numeric): number {
  switch (n.special) {
    case '-inf': return -2;
    case 'inf': return 2;
    case 'nan': return 3;
    default: return n.digits < 0n ? -1 : n.digits > 0n ? 1 : 0;
  }
}

function addSpecial(a: Numeric, b: Numeric, sign: 1 | -1): Numeric {
  if (a.isNaN || b.isNaN) return Numeric.NaN;
  const bb = sign < 0 ? b.neg() : b;
  if (a.isInfinite && bb.isInfinite) return a.special === bb.special ? a : Numeric.NaN;
  return a.isInfinite ? a : bb;
}

/** C's printf("%.{p}g") for finite n: trailing zeros removed, exponent form outside [-4, p). */
export function formatG(n: number, p: number): string {
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const e = n.toExponential(p - 1); // d.ddd…e±x, correctly rounded
  const ei = e.indexOf('e');
  const exp = Number(e.slice(ei + 1));
  if (exp < -4 || exp >= p) {
    let m = e.slice(0, ei);
    if (m.includes('.')) m = m.replace(/\.?0+$/, '');
    const ae = Math.abs(exp);
    return `${m}e${exp < 0 ? '-' : '+'}${ae < 10 ? '0' + ae : ae}`;
  }
  let f = n.toFixed(Math.max(0, p - 1 - exp));
  if (f.includes('.')) f = f.replace(/\.?0+$/, '');
  return f;
}
