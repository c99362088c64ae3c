// Mathematical functions (float.c, numeric.c, int.c) with PostgreSQL's result scales and errors.
import type { Datum } from '../../core/datum.js';
import { Numeric, pow10n, isqrt } from '../../core/values/numeric.js';
import { numericLn, numericLog, numericExp, numericPower } from '../../core/values/io.js';
import { SqlError, SqlState } from '../../core/errors.js';
import { fn, op } from './define.js';
import { chk2, chk4, chk8, chkF8 } from './arithmetic.js';
import { divByZero, floatOverflow, floatUnderflow } from './errors.js';

const num = (d: Datum): Numeric => d as Numeric;
const f8 = (d: Datum): number => d as number;

/** C rint(): round half to even, as float8 round() does. */
export function rint(x: number): number {
  if (!Number.isFinite(x)) return x;
  const r = Math.round(x);
  if (Math.abs(x % 1) === 0.5 && r % 2 !== 0) return r - 1;
  return r === 0 && x < 0 ? -0 : r;
}

const invalidArgPower = (msg: string): SqlError => new SqlError('2201F', msg);
const invalidArgLog = (msg: string): SqlError => new SqlError('2201E', msg);

/** decimal exponent of |x|: floor(log10|x|), for finite non-zero numerics */
function decWeight(n: Numeric): number {
  const s = n.abs().toString();
  const [ip, fp = ''] = s.split('.');
  if (ip !== '0') return ip!.length - 1;
  const m = /^0*/.exec(fp)!;
  return -(m[0].length + 1);
}


export function numericSqrt(a: Numeric): Numeric {
  if (a.isNaN) return a;
  if (a.sign() < 0) throw invalidArgPower('cannot take square root of a negative number');
  if (a.isInfinite) return a;
  // zero has base-10000 weight 0 in PG, giving rscale 15
  if (a.isZero()) return Numeric.of(0n, 0).round(Math.max(15, a.scale));
  // PG: sweight = (weight+1)*DEC_DIGITS/2 - 1 with base-10000 weight
  const w10000 = Math.floor(decWeight(a) / 4);
  const sweight = Math.trunc(((w10000 + 1) * 4) / 2) - 1;
  const rscale = Math.min(Math.max(16 - sweight, a.scale, 0), 1000);
  return numericSqrtScale(a, rscale);
}

/** sqrt of a finite non-negative numeric rounded (half up) to rscale digits */
export function numericSqrtScale(a: Numeric, rscale: number): Numeric {
  if (!a.isFinite) return a;
  // sqrt(D·10^-s) at scale r+1: isqrt(D·10^(2(r+1)-s)), then round half up to r
  const e = 2 * (rscale + 1) - a.scale;
  const radicand = e >= 0 ? a.digits * pow10n(e) : a.digits / pow10n(-e);
  const r1 = isqrt(radicand);
  return Numeric.of((r1 + 5n) / 10n, rscale);
}

function f8pow(x: number, y: number): number {
  if (x === 0 && y < 0) throw invalidArgPower('zero raised to a negative power is undefined');
  if (x < 0 && !Number.isInteger(y) && Number.isFinite(y)) {
    throw invalidArgPower('a negative number raised to a non-integer power yields a complex result');
  }
  if (Number.isNaN(x)) return y === 0 ? 1 : NaN;
  if (Number.isNaN(y)) return x === 1 ? 1 : NaN;
  const r = Math.pow(x, y);
  if (x === -1 && !Number.isFinite(y)) return 1; // PG: (-1) ^ ±Inf = 1
  if (!Number.isFinite(r) && Number.isFinite(x) && Number.isFinite(y)) throw floatOverflow();
  if (r === 0 && x !== 0 && Number.isFinite(x) && Number.isFinite(y)) throw floatUnderflow();
  return r;
}

function gcdBig(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b) { [a, b] = [b, a % b]; }
  return a;
}

function widthBucket(op: number, lo: number, hi: number, count: number): number {
  if (count <= 0) throw new SqlError('2201G', 'count must be greater than zero');
  if (Number.isNaN(op) || Number.isNaN(lo) || Number.isNaN(hi)) {
    throw new SqlError('2201G', 'operand, lower bound, and upper bound cannot be NaN');
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new SqlError('2201G', 'lower and upper bounds must be finite');
  if (lo === hi) throw new SqlError('2201G', 'lower bound cannot equal upper bound');
  if (lo < hi) {
    if (op < lo) return 0;
    if (op >= hi) return chk4(count + 1);
    return Math.floor(((op - lo) / (hi - lo)) * count) + 1;
  }
  if (op > lo) return 0;
  if (op <= hi) return chk4(count + 1);
  return Math.floor(((lo - op) / (lo - hi)) * count) + 1;
}

function checkTrig(x: number, r: number): number {
  if (Number.isNaN(r) && !Number.isNaN(x)) throw new SqlError(SqlState.NumericValueOutOfRange, 'input is out of range');
  return r;
}

export function registerMath(): void {
  fn('abs(int2) -> int2', (a) => chk2(Math.abs(a[0] as number)));
  fn('abs(int4) -> int4', (a) => chk4(Math.abs(a[0] as number)));
  fn('abs(int8) -> int8', (a) => { const x = a[0] as bigint; return chk8(x < 0n ? -x : x); });
  fn('abs(float4) -> float4', (a) => Math.abs(f8(a[0]!)));
  fn('abs(float8) -> float8', (a) => Math.abs(f8(a[0]!)));
  fn('abs(numeric) -> numeric', (a) => num(a[0]!).abs());
  for (const n of ['ceil', 'ceiling']) {
    fn(`${n}(float8) -> float8`, (a) => Math.ceil(f8(a[0]!)));
    fn(`${n}(numeric) -> numeric`, (a) => num(a[0]!).ceil());
  }
  fn('floor(float8) -> float8', (a) => Math.floor(f8(a[0]!)));
  fn('floor(numeric) -> numeric', (a) => num(a[0]!).floor());
  fn('round(float8) -> float8', (a) => rint(f8(a[0]!)));
  fn('round(numeric) -> numeric', (a) => num(a[0]!).round(0));
  fn('round(numeric, int4) -> numeric', (a) => num(a[0]!).round(a[1] as number));
  fn('trunc(float8) -> float8', (a) => Math.trunc(f8(a[0]!)));
  fn('trunc(numeric) -> numeric', (a) => num(a[0]!).trunc(0));
  fn('trunc(numeric, int4) -> numeric', (a) => num(a[0]!).trunc(a[1] as number));
  fn('sign(float8) -> float8', (a) => { const x = f8(a[0]!); return x > 0 ? 1 : x < 0 ? -1 : Number.isNaN(x) ? NaN : 0; });
  fn('sign(numeric) -> numeric', (a) => {
    const x = num(a[0]!);
    return x.isNaN ? x : Numeric.fromInt(x.sign());
  });
  fn('sqrt(float8) -> float8', (a) => {
    const x = f8(a[0]!);
    if (x < 0) throw invalidArgPower('cannot take square root of a negative number');
    return Math.sqrt(x);
  });
  fn('sqrt(numeric) -> numeric', (a) => numericSqrt(num(a[0]!)));
  op('|/(float8) -> float8', (a) => {
    const x = f8(a[0]!);
    if (x < 0) throw invalidArgPower('cannot take square root of a negative number');
    return Math.sqrt(x);
  });
  fn('cbrt(float8) -> float8', (a) => Math.cbrt(f8(a[0]!)));
  op('||/(float8) -> float8', (a) => Math.cbrt(f8(a[0]!)));
  for (const n of ['power', 'pow']) {
    fn(`${n}(float8, float8) -> float8`, (a) => f8pow(f8(a[0]!), f8(a[1]!)));
    fn(`${n}(numeric, numeric) -> numeric`, (a) => numericPower(num(a[0]!), num(a[1]!)));
  }
  op('^(float8, float8) -> float8', (a) => f8pow(f8(a[0]!), f8(a[1]!)));
  op('^(numeric, numeric) -> numeric', (a) => numericPower(num(a[0]!), num(a[1]!)));
  fn('exp(float8) -> float8', (a) => {
    const x = f8(a[0]!);
    const r = Math.exp(x);
    if (r === Infinity && Number.isFinite(x)) throw floatOverflow();
    if (r === 0 && Number.isFinite(x)) throw floatUnderflow();
    return r;
  });
  fn('exp(numeric) -> numeric', (a) => numericExp(num(a[0]!)));
  const lnF = (x: number, f: (v: number) => number): number => {
    if (x === 0) throw invalidArgLog('cannot take logarithm of zero');
    if (x < 0) throw invalidArgLog('cannot take logarithm of a negative number');
    return f(x);
  };
  fn('ln(float8) -> float8', (a) => lnF(f8(a[0]!), Math.log));
  fn('ln(numeric) -> numeric', (a) => numericLn(num(a[0]!)));
  fn('log(float8) -> float8', (a) => lnF(f8(a[0]!), Math.log10));
  fn('log10(float8) -> float8', (a) => lnF(f8(a[0]!), Math.log10));
  const ten = Numeric.fromInt(10);
  fn('log(numeric) -> numeric', (a) => numericLog(ten, num(a[0]!)));
  fn('log10(numeric) -> numeric', (a) => numericLog(ten, num(a[0]!)));
  fn('log(numeric, numeric) -> numeric', (a) => numericLog(num(a[0]!), num(a[1]!)));
  fn('mod(int2, int2) -> int2', (a) => { const y = a[1] as number; if (y === 0) throw divByZero(); return ((a[0] as number) % y) | 0; });
  fn('mod(int4, int4) -> int4', (a) => { const y = a[1] as number; if (y === 0) throw divByZero(); return ((a[0] as number) % y) | 0; });
  fn('mod(int8, int8) -> int8', (a) => { const y = a[1] as bigint; if (y === 0n) throw divByZero(); return y === -1n ? 0n : (a[0] as bigint) % y; });
  fn('mod(numeric, numeric) -> numeric', (a) => num(a[0]!).mod(num(a[1]!)));
  fn('div(numeric, numeric) -> numeric', (a) => num(a[0]!).divTrunc(num(a[1]!)));
  fn('pi() -> float8', () => Math.PI);
  fn('random() -> float8', () => Math.random(), { volatility: 'volatile' });
  fn('random_normal() -> float8', () => {
    const u = 1 - Math.random(), v = Math.random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }, { volatility: 'volatile' });
  fn('setseed(float8) -> void', () => null, { volatility: 'volatile' });
  fn('degrees(float8) -> float8', (a) => chkF8(f8(a[0]!) * (180 / Math.PI), !Number.isFinite(f8(a[0]!)), true));
  fn('radians(float8) -> float8', (a) => f8(a[0]!) * (Math.PI / 180));
  const trig: [string, (x: number) => number][] = [
    ['sin', Math.sin], ['cos', Math.cos], ['tan', Math.tan], ['asin', Math.asin], ['acos', Math.acos], ['atan', Math.atan],
    ['sinh', Math.sinh], ['cosh', Math.cosh], ['tanh', Math.tanh], ['asinh', Math.asinh], ['acosh', Math.acosh], ['atanh', Math.atanh],
    ['cot', (x) => 1 / Math.tan(x)],
    ['sind', (x) => sinDeg(x)], ['cosd', (x) => sinDeg(90 - x)], ['tand', (x) => sinDeg(x) / sinDeg(90 - x)],
    ['asind', (x) => Math.asin(x) * 180 / Math.PI], ['acosd', (x) => Math.acos(x) * 180 / Math.PI],
    ['atand', (x) => Math.atan(x) * 180 / Math.PI],
    ['cotd', (x) => sinDeg(90 - x) / sinDeg(x)],
  ];
  for (const [n, f] of trig) {
    fn(`${n}(float8) -> float8`, (a) => { const x = f8(a[0]!); return checkTrig(x, f(x)); });
  }
  fn('atan2(float8, float8) -> float8', (a) => Math.atan2(f8(a[0]!), f8(a[1]!)));
  fn('atan2d(float8, float8) -> float8', (a) => Math.atan2(f8(a[0]!), f8(a[1]!)) * 180 / Math.PI);
  fn('width_bucket(float8, float8, float8, int4) -> int4', (a) => widthBucket(f8(a[0]!), f8(a[1]!), f8(a[2]!), a[3] as number));
  fn('width_bucket(numeric, numeric, numeric, int4) -> int4', (a) =>
    widthBucket(num(a[0]!).toNumber(), num(a[1]!).toNumber(), num(a[2]!).toNumber(), a[3] as number));
  fn('gcd(int4, int4) -> int4', (a) => chk4(Number(gcdBig(BigInt(a[0] as number), BigInt(a[1] as number)))));
  fn('gcd(int8, int8) -> int8', (a) => chk8(gcdBig(a[0] as bigint, a[1] as bigint)));
  fn('gcd(numeric, numeric) -> numeric', (a) => numGcd(num(a[0]!), num(a[1]!)));
  fn('lcm(int4, int4) -> int4', (a) => {
    const x = BigInt(a[0] as number), y = BigInt(a[1] as number);
    if (x === 0n || y === 0n) return 0;
    const r = (x / gcdBig(x, y)) * y;
    return chk4(Number(r < 0n ? -r : r));
  });
  fn('lcm(int8, int8) -> int8', (a) => {
    const x = a[0] as bigint, y = a[1] as bigint;
    if (x === 0n || y === 0n) return 0n;
    const r = (x / gcdBig(x, y)) * y;
    return chk8(r < 0n ? -r : r);
  });
  fn('lcm(numeric, numeric) -> numeric', (a) => {
    const x = num(a[0]!), y = num(a[1]!);
    if (!x.isFinite || !y.isFinite) return Numeric.NaN;
    if (x.isZero() || y.isZero()) return Numeric.of(0n, Math.max(x.scale, y.scale));
    const g = numGcd(x, y);
    return x.mul(y).abs().div(g).round(Math.max(x.scale, y.scale));
  });
  fn('factorial(int8) -> numeric', (a) => {
    const n = a[0] as bigint;
    if (n < 0n) throw new SqlError(SqlState.InvalidParameterValue, 'factorial of a negative number is undefined');
    let r = 1n;
    for (let i = 2n; i <= n; i++) r *= i;
    return Numeric.fromBigInt(r);
  });
  fn('scale(numeric) -> int4', (a) => (num(a[0]!).isFinite ? num(a[0]!).scale : null));
  fn('min_scale(numeric) -> int4', (a) => (num(a[0]!).isFinite ? num(a[0]!).minScale() : null));
  fn('trim_scale(numeric) -> numeric', (a) => num(a[0]!).trimScale());
}

function numGcd(x: Numeric, y: Numeric): Numeric {
  if (!x.isFinite || !y.isFinite) return Numeric.NaN;
  const s = Math.max(x.scale, y.scale);
  const g = gcdBig(x.round(s).digits, y.round(s).digits);
  return Numeric.of(g, s);
}

/** sind() is exact at multiples of 30° in PG */
function sinDeg(x: number): number {
  if (!Number.isFinite(x)) return NaN;
  let d = x % 360;
  if (d < 0) d += 360;
  const exact: Record<number, number> = { 0: 0, 30: 0.5, 90: 1, 150: 0.5, 180: 0, 210: -0.5, 270: -1, 330: -0.5 };
  const e = exact[d];
  if (e !== undefined) return e;
  return Math.sin((d * Math.PI) / 180);
}

