// Transcendental numeric functions (ln, log, exp, power) with PostgreSQL's result-scale rules
// (numeric.c: estimate_ln_dweight, numeric_exp, numeric_log, power_var, power_var_int). Values
// are computed in bigint fixed point with guard digits, then rounded half away from zero.
import { SqlError, SqlState } from '../errors.js';
import { Numeric, isqrt, pow10n } from './numeric.js';

const MIN_SIG_DIGITS = 16;
const MAX_DISPLAY_SCALE = 1000;
const MAX_RESULT_SCALE = 2000;
const GUARD = 12;

function clampScale(r: number): number {
  return Math.min(Math.max(r, 0), MAX_DISPLAY_SCALE);
}
function abs(b: bigint): bigint { return b < 0n ? -b : b; }
function decDigits(b: bigint): number { return b === 0n ? 0 : abs(b).toString().length; }
/** Decimal exponent of the leading digit (value ≈ d × 10^e, 1 ≤ d < 10). */
function exp10(n: Numeric): number { return decDigits(n.digits) - 1 - n.scale; }
/** n × 10^w as fixed point with w fractional digits (truncated). */
function toFixed(n: Numeric, w: number): bigint {
  const sh = w - n.scale;
  return sh >= 0 ? n.digits * pow10n(sh) : n.digits / pow10n(-sh);
}

function logError(msg: string): SqlError {
  return new SqlError('2201E', msg);
}
function overflow(): SqlError {
  return new SqlError(SqlState.NumericValueOutOfRange, 'value overflows numeric format');
}

/** First two base-10000 digits and the weight of |n| (PG's NumericVar view). */
function baseDigits(n: Numeric): { weight: number; d0: number; d1: number | null } {
  const { weight, first } = n.baseWeight();
  // the group after the first: digits at decimal positions 4(weight-1) .. 4(weight-1)+3
  const a = abs(n.digits);
  const shift = n.scale + 4 * (weight - 1);
  const upto = shift >= 0 ? a / pow10n(shift) : a * pow10n(-shift);
  const d1 = Number(upto % 10000n);
  // PG strips trailing zero groups, so a zero second group at the end means ndigits = 1
  const rest = shift > 0 ? a % pow10n(shift) : 0n;
  const hasMore = d1 !== 0 || rest !== 0n;
  return { weight, d0: first, d1: hasMore ? d1 : null };
}

const POINT_NINE = Numeric.fromString('0.9');
const ONE_POINT_ONE = Numeric.fromString('1.1');

/** estimate_ln_dweight: approximate decimal weight of ln(n). */
export function estimateLnDweight(n: Numeric): number {
  if (n.sign() <= 0) return 0;
  if (n.cmp(POINT_NINE) >= 0 && n.cmp(ONE_POINT_ONE) <= 0) {
    const x = n.sub(Numeric.ONE);
    if (x.isZero()) return 0;
    const { weight, first } = x.baseWeight();
    return weight * 4 + Math.trunc(Math.log10(first));
  }
  const { weight, d0, d1 } = baseDigits(n);
  let digits = d0;
  let dweight = weight * 4;
  if (d1 !== null) { digits = digits * 10000 + d1; dweight -= 4; }
  const lnVar = Math.log(digits) + dweight * 2.302585092994046;
  return Math.trunc(Math.log10(Math.abs(lnVar)));
}

// ---------------------------------------------------------------- fixed-point kernels

/** ln(m) for m at scale w (m > 0, near [1, 10)), result at scale w. */
function lnCore(m: bigint, w: number): bigint {
  const one = pow10n(w);
  let r = 0;
  // square roots bring m close to 1 so the atanh series converges quickly
  while (abs(m - one) * 100n > one) { m = isqrt(m * one); r++; }
  const z = ((m - one) * one) / (m + one);
  const z2 = (z * z) / one;
  let term = z;
  let sum = z;
  for (let k = 3; ; k += 2) {
    term = (term * z2) / one;
    const t = term / BigInt(k);
    if (t === 0n) break;
    sum += t;
  }
  return (2n * sum) << BigInt(r);
}

const ln10Cache = new Map<number, bigint>();
function ln10(w: number): bigint {
  let v = ln10Cache.get(w);
  if (v === undefined) { v = lnCore(10n * pow10n(w), w); ln10Cache.set(w, v); }
  return v;
}

/** ln(n) for n > 0 at scale w. */
function lnFixed(n: Numeric, w: number): bigint {
  const e = exp10(n);
  const ww = w + GUARD;
  const m = toFixed(n, ww - e); // n / 10^e at scale ww, in [1, 10)
  const v = lnCore(m, ww) + BigInt(e) * ln10(ww);
  return v / pow10n(GUARD);
}

/** e^x for x at scale w, result at scale w. */
function expFixed(x: bigint, w: number): bigint {
  const one = pow10n(w);
  // halve k times so |y| < 0.01, then square the Taylor sum k times
  let k = 0;
  while ((abs(x) >> BigInt(k)) * 100n > one) k++;
  const y = x / (1n << BigInt(k));
  let sum = one;
  let term = one;
  for (let i = 1n; ; i++) {
    term = (term * y) / one / i;
    if (term === 0n) break;
    sum += term;
  }
  for (let i = 0; i < k; i++) sum = (sum * sum) / one;
  return sum;
}

// ---------------------------------------------------------------- SQL functions

/** numeric ln(x). */
export function numericLn(x: Numeric): Numeric {
  if (x.isNaN) return x;
  if (x.special === 'inf') return x;
  const s = x.sign();
  if (s === 0) throw logError('cannot take logarithm of zero');
  if (s < 0) throw logError('cannot take logarithm of a negative number');
  const rscale = clampScale(Math.max(MIN_SIG_DIGITS - estimateLnDweight(x), x.scale));
  return Numeric.of(lnFixed(x, rscale + 4), rscale + 4).round(rscale);
}

/** numeric log(base, x) (and log(x) = log(10, x)). */
export function numericLog(base: Numeric, x: Numeric): Numeric {
  if (base.isNaN || x.isNaN) return Numeric.NaN;
  const sb = base.sign();
  const sx = x.sign();
  if (sb === 0 || sx === 0) throw logError('cannot take logarithm of zero');
  if (sb < 0 || sx < 0) throw logError('cannot take logarithm of a negative number');
  if (base.isInfinite || x.isInfinite) {
    if (base.isInfinite && x.isInfinite) return Numeric.NaN;
    if (x.isInfinite) return base.cmp(Numeric.ONE) < 0 ? Numeric.NegInfinity : Numeric.Infinity;
    return Numeric.ZERO;
  }
  if (base.cmp(Numeric.ONE) === 0) throw new SqlError(SqlState.DivisionByZero, 'division by zero');
  const resultDweight = estimateLnDweight(x) - estimateLnDweight(base);
  const rscale = clampScale(Math.max(MIN_SIG_DIGITS - resultDweight, base.scale, x.scale));
  const w = rscale + 8 + Math.max(0, exp10(x) > 0 ? Math.ceil(Math.log10(exp10(x) + 1)) : 0);
  const lx = lnFixed(x, w + 10);
  const lb = lnFixed(base, w + 10);
  return Numeric.of(lx, w + 10).divScale(Numeric.of(lb, w + 10), rscale);
}
export function numericLog10(x: Numeric): Numeric {
  return numericLog(Numeric.fromInt(10), x);
}

/** numeric exp(x). */
export function numericExp(x: Numeric): Numeric {
  if (x.isNaN) return x;
  if (x.special === 'inf') return x;
  if (x.special === '-inf') return Numeric.ZERO;
  let val = x.toNumber() * 0.434294481903252;
  val = Math.max(-MAX_RESULT_SCALE, Math.min(MAX_RESULT_SCALE, val));
  if (x.toNumber() > MAX_RESULT_SCALE * 3) throw overflow();
  const rscale = clampScale(Math.max(MIN_SIG_DIGITS - Math.trunc(val), x.scale));
  return expTo(x, rscale, val);
}

/** e^x rounded to rscale, given val ≈ log10(e^x). */
function expTo(x: Numeric, rscale: number, val: number): Numeric {
  if (val < -rscale - 2) return Numeric.of(0n, rscale);
  const k = Math.ceil(Math.log2(Math.abs(x.toNumber()) * 100 + 1));
  const w = rscale + GUARD + Math.max(0, Math.ceil(val)) + Math.ceil(k * 0.302) + 2;
  const v = expFixed(toFixed(x, w), w);
  return Numeric.of(v, w).round(rscale);
}

function powerError(msg: string): SqlError {
  return new SqlError('2201F', msg);
}

/** numeric power(base, exp) / base ^ exp. */
export function numericPower(base: Numeric, e: Numeric): Numeric {
  // POSIX pow(): NaN ^ 0 = 1 and 1 ^ NaN = 1, other NaN inputs give NaN
  if (base.isNaN || e.isNaN) {
    if (base.isNaN && e.isZero()) return Numeric.ONE;
    if (e.isNaN && base.isFinite && base.cmp(Numeric.ONE) === 0) return Numeric.ONE;
    return Numeric.NaN;
  }
  const sb = base.sign();
  const se = e.sign();
  const eIsInt = e.isFinite && e.minScale() === 0;
  if (sb === 0 && se < 0) throw powerError('zero raised to a negative power is undefined');
  if (sb < 0 && e.isFinite && !eIsInt) throw powerError('a negative number raised to a non-integer power yields a complex result');
  if (base.isInfinite || e.isInfinite) return powerSpecial(base, e, eIsInt);

  if (eIsInt && e.abs().cmp(Numeric.fromInt(2147483647)) <= 0) return powerInt(base, Number(e.trunc(0).digits), e.scale);

  if (sb === 0) return Numeric.of(0n, MIN_SIG_DIGITS);
  // non-integer exponent: e^(exp × ln(base)), scale chosen from a low-precision estimate
  const lnBase = Math.log(base.toNumber()) || lnApprox(base);
  let val = lnBase * e.toNumber();
  if (Math.abs(val) > MAX_RESULT_SCALE * 3.01) {
    if (val > 0) throw overflow();
    return Numeric.of(0n, MAX_DISPLAY_SCALE);
  }
  val *= 0.434294481903252;
  const rscale = clampScale(Math.max(MIN_SIG_DIGITS - Math.trunc(val), base.scale, e.scale));
  const w = rscale + GUARD + Math.max(0, Math.ceil(val)) + Math.max(0, Math.ceil(Math.log10(Math.abs(e.toNumber()) + 1))) + 4;
  const l = lnFixed(base, w);
  const prod = (l * toFixed(e, w)) / pow10n(w);
  const k = Math.ceil(Math.log2(Math.abs(val * 2.303) * 100 + 1));
  const w2 = w + Math.ceil(k * 0.302) + 2;
  const v = expFixed(prod * pow10n(w2 - w), w2);
  return Numeric.of(v, w2).round(rscale);
}

/** ln for values beyond double range (toNumber gave 0/Infinity). */
function lnApprox(n: Numeric): number {
  const e = exp10(n);
  const lead = Number(toFixed(n, 15 - e)) / 1e15;
  return Math.log(lead) + e * Math.LN10;
}

/** power_var_int: integer exponent, exact arithmetic, PG's scale choice. */
function powerInt(base: Numeric, exp: number, expDscale: number): Numeric {
  let f = 0;
  if (!base.isZero()) {
    // base ≈ f × 10^p from its first base-10000 digits (up to 16 decimal digits), like PG
    const { weight } = base.baseWeight();
    const a = abs(base.digits);
    const shift = base.scale + 4 * (weight - 3); // four groups = 16 digits
    const lead = shift >= 0 ? a / pow10n(shift) : a * pow10n(-shift);
    let groups = [Number(lead / 1000000000000n % 10000n), Number(lead / 100000000n % 10000n), Number(lead / 10000n % 10000n), Number(lead % 10000n)];
    // PG strips trailing zero groups before using them
    while (groups.length > 1 && groups[groups.length - 1] === 0) groups = groups.slice(0, -1);
    let ff = groups[0]!;
    let p = weight * 4;
    for (let i = 1; i < groups.length; i++) { ff = ff * 10000 + groups[i]!; p -= 4; }
    f = exp * (Math.log10(ff) + p);
  }
  if (f > 32768 * 4) throw overflow();
  if (f + 1 < -MAX_DISPLAY_SCALE) return Numeric.of(0n, MAX_DISPLAY_SCALE);
  // PG 15 (power_var): integer exponents get scale max(16, base dscale), whatever the magnitude
  void expDscale;
  const rscale = clampScale(Math.max(MIN_SIG_DIGITS, base.scale));
  if (exp === 0) return Numeric.of(pow10n(rscale), rscale);
  const n = Math.abs(exp);
  const estDigits = decDigits(base.digits) * n;
  let exact: Numeric;
  if (estDigits <= 200000) {
    exact = Numeric.of(base.digits ** BigInt(n), base.scale * n);
  } else {
    // too large to expand exactly: go through exp/ln with enough digits
    return numericPowerViaLn(base, exp, rscale, f);
  }
  if (exp > 0) return exact.round(rscale);
  return Numeric.ONE.divScale(exact, rscale);
}

function numericPowerViaLn(base: Numeric, exp: number, rscale: number, f: number): Numeric {
  const neg = base.sign() < 0 && exp % 2 !== 0;
  const b = base.abs();
  const w = rscale + GUARD + Math.max(0, Math.ceil(f)) + Math.ceil(Math.log10(Math.abs(exp) + 1)) + 4;
  const prod = lnFixed(b, w) * BigInt(exp);
  const k = Math.ceil(Math.log2(Math.abs(f * 2.303) * 100 + 1));
  const w2 = w + Math.ceil(k * 0.302) + 2;
  const v = Numeric.of(expFixed(prod * pow10n(w2 - w), w2), w2).round(rscale);
  return neg ? v.neg() : v;
}

/** PG 15 numeric_power rules for infinite inputs. */
function powerSpecial(base: Numeric, e: Numeric, eIsInt: boolean): Numeric {
  const sb = base.sign();
  const se = e.sign();
  if (e.isInfinite) {
    if (base.isFinite && base.cmp(Numeric.ONE) === 0) return Numeric.ONE;
    if (base.isFinite && base.abs().cmp(Numeric.ONE) === 0) return Numeric.ONE; // -1 ^ ±Inf = 1
    const absCmp = base.abs().cmp(Numeric.ONE);
    if (sb === 0) return se > 0 ? Numeric.ZERO : (() => { throw powerError('zero raised to a negative power is undefined'); })();
    if (se > 0) return absCmp > 0 ? Numeric.Infinity : Numeric.ZERO;
    return absCmp > 0 ? Numeric.ZERO : Numeric.Infinity;
  }
  // base is ±Infinity, exponent finite
  if (se === 0) return Numeric.ONE;
  if (sb > 0) return se > 0 ? Numeric.Infinity : Numeric.ZERO;
  if (se < 0) return Numeric.ZERO;
  if (!eIsInt) throw powerError('a negative number raised to a non-integer power yields a complex result');
  const odd = e.trunc(0).digits % 2n !== 0n;
  return odd ? Numeric.NegInfinity : Numeric.Infinity;
}
