// Arithmetic and bitwise operators on integers, floats and numeric (PostgreSQL int.c,
// int8.c, float.c, numeric.c), with PG's overflow and division-by-zero errors.
import type { Datum } from '../../core/datum.js';
import { Numeric } from '../../core/values/numeric.js';
import { op } from './define.js';
import {
  divByZero, intOutOfRange, bigintOutOfRange, smallintOutOfRange, floatOverflow, floatUnderflow,
} from './errors.js';

const I8_MIN = -(2n ** 63n);
const I8_MAX = 2n ** 63n - 1n;

export function chk2(r: number): number {
  if (r > 32767 || r < -32768) throw smallintOutOfRange();
  return r | 0;
}
export function chk4(r: number): number {
  if (r > 2147483647 || r < -2147483648) throw intOutOfRange();
  return r | 0;
}
export function chk8(r: bigint): bigint {
  if (r > I8_MAX || r < I8_MIN) throw bigintOutOfRange();
  return r;
}

/** float8 result checks (float.c float_overflow_error / float_underflow_error). */
export function chkF8(r: number, infOk: boolean, zeroOk: boolean): number {
  if (r === Infinity || r === -Infinity) { if (!infOk) throw floatOverflow(); }
  else if (r === 0 && !zeroOk) throw floatUnderflow();
  return r;
}
const isInf = (x: number): boolean => x === Infinity || x === -Infinity;

type IntT = 'int2' | 'int4' | 'int8';
const WIDTH: Record<IntT, number> = { int2: 2, int4: 4, int8: 8 };

export function registerArithmetic(): void {
  const ints: IntT[] = ['int2', 'int4', 'int8'];
  for (const l of ints) {
    for (const r of ints) {
      const res: IntT = WIDTH[l] >= WIDTH[r] ? l : r;
      const sig = (o: string): string => `${o}(${l}, ${r}) -> ${res}`;
      if (res === 'int8') {
        // Operands of narrower types arrive as numbers; widen to bigint.
        const L = l === 'int8', R = r === 'int8';
        const a8 = (x: Datum): bigint => (L ? (x as bigint) : BigInt(x as number));
        const b8 = (x: Datum): bigint => (R ? (x as bigint) : BigInt(x as number));
        op(sig('+'), (a) => chk8(a8(a[0]!) + b8(a[1]!)));
        op(sig('-'), (a) => chk8(a8(a[0]!) - b8(a[1]!)));
        op(sig('*'), (a) => chk8(a8(a[0]!) * b8(a[1]!)));
        op(sig('/'), (a) => {
          const y = b8(a[1]!);
          if (y === 0n) throw divByZero();
          return chk8(a8(a[0]!) / y);
        });
        if (l === r) {
          op(sig('%'), (a) => {
            const y = a[1] as bigint;
            if (y === 0n) throw divByZero();
            if (y === -1n) return 0n; // avoid INT64_MIN % -1 trap, as PG does
            return (a[0] as bigint) % y;
          });
        }
      } else {
        const chk = res === 'int4' ? chk4 : chk2;
        op(sig('+'), (a) => chk((a[0] as number) + (a[1] as number)));
        op(sig('-'), (a) => chk((a[0] as number) - (a[1] as number)));
        // int4 × int4 may exceed 2^53, but any inexact product is far outside int4 range anyway
        op(sig('*'), (a) => chk((a[0] as number) * (a[1] as number)));
        op(sig('/'), (a) => {
          const y = a[1] as number;
          if (y === 0) throw divByZero();
          return chk(Math.trunc((a[0] as number) / y));
        });
        if (l === r) {
          op(sig('%'), (a) => {
            const y = a[1] as number;
            if (y === 0) throw divByZero();
            return ((a[0] as number) % y) | 0;
          });
        }
      }
    }
  }
  // unary, bitwise
  op('-(int2) -> int2', (a) => chk2(-(a[0] as number)));
  op('-(int4) -> int4', (a) => chk4(-(a[0] as number)));
  op('-(int8) -> int8', (a) => chk8(-(a[0] as bigint)));
  op('+(int2) -> int2', (a) => a[0]!);
  op('+(int4) -> int4', (a) => a[0]!);
  op('+(int8) -> int8', (a) => a[0]!);
  op('@(int2) -> int2', (a) => chk2(Math.abs(a[0] as number)));
  op('@(int4) -> int4', (a) => chk4(Math.abs(a[0] as number)));
  op('@(int8) -> int8', (a) => { const x = a[0] as bigint; return chk8(x < 0n ? -x : x); });
  for (const t of ['int2', 'int4'] as const) {
    op(`&(${t}, ${t}) -> ${t}`, (a) => (a[0] as number) & (a[1] as number));
    op(`|(${t}, ${t}) -> ${t}`, (a) => (a[0] as number) | (a[1] as number));
    op(`#(${t}, ${t}) -> ${t}`, (a) => (a[0] as number) ^ (a[1] as number));
    op(`~(${t}) -> ${t}`, (a) => ~(a[0] as number));
    // C shifts on int32 operands: the count is taken modulo 32; int2 results wrap to 16 bits
    op(`<<(${t}, int4) -> ${t}`, t === 'int4'
      ? (a) => (a[0] as number) << (a[1] as number)
      : (a) => ((((a[0] as number) << (a[1] as number)) << 16) >> 16));
    op(`>>(${t}, int4) -> ${t}`, (a) => (a[0] as number) >> (a[1] as number));
  }
  op('&(int8, int8) -> int8', (a) => (a[0] as bigint) & (a[1] as bigint));
  op('|(int8, int8) -> int8', (a) => (a[0] as bigint) | (a[1] as bigint));
  op('#(int8, int8) -> int8', (a) => (a[0] as bigint) ^ (a[1] as bigint));
  op('~(int8) -> int8', (a) => ~(a[0] as bigint));
  op('<<(int8, int4) -> int8', (a) => BigInt.asIntN(64, (a[0] as bigint) << BigInt((a[1] as number) & 63)));
  op('>>(int8, int4) -> int8', (a) => (a[0] as bigint) >> BigInt((a[1] as number) & 63));

  // floats: float8 ops, float4 ops (rounded to single precision), and mixed float4/float8 → float8
  const f8add = (x: number, y: number): number => chkF8(x + y, isInf(x) || isInf(y), true);
  const f8sub = (x: number, y: number): number => chkF8(x - y, isInf(x) || isInf(y), true);
  const f8mul = (x: number, y: number): number => chkF8(x * y, isInf(x) || isInf(y), x === 0 || y === 0);
  const f8div = (x: number, y: number): number => {
    if (y === 0 && !Number.isNaN(x)) throw divByZero();
    return chkF8(x / y, isInf(x), x === 0 || isInf(y));
  };
  for (const [l, r] of [['float8', 'float8'], ['float4', 'float8'], ['float8', 'float4']] as const) {
    op(`+(${l}, ${r}) -> float8`, (a) => f8add(a[0] as number, a[1] as number));
    op(`-(${l}, ${r}) -> float8`, (a) => f8sub(a[0] as number, a[1] as number));
    op(`*(${l}, ${r}) -> float8`, (a) => f8mul(a[0] as number, a[1] as number));
    op(`/(${l}, ${r}) -> float8`, (a) => f8div(a[0] as number, a[1] as number));
  }
  const f4 = (r: number, infOk: boolean, zeroOk: boolean): number => {
    const v = Math.fround(r);
    if (isInf(v) && !infOk) throw floatOverflow();
    if (v === 0 && !zeroOk) throw floatUnderflow();
    return v;
  };
  op('+(float4, float4) -> float4', (a) => { const x = a[0] as number, y = a[1] as number; return f4(x + y, isInf(x) || isInf(y), true); });
  op('-(float4, float4) -> float4', (a) => { const x = a[0] as number, y = a[1] as number; return f4(x - y, isInf(x) || isInf(y), true); });
  op('*(float4, float4) -> float4', (a) => { const x = a[0] as number, y = a[1] as number; return f4(x * y, isInf(x) || isInf(y), x === 0 || y === 0); });
  op('/(float4, float4) -> float4', (a) => {
    const x = a[0] as number, y = a[1] as number;
    if (y === 0 && !Number.isNaN(x)) throw divByZero();
    return f4(x / y, isInf(x), x === 0 || isInf(y));
  });
  op('-(float4) -> float4', (a) => -(a[0] as number));
  op('-(float8) -> float8', (a) => -(a[0] as number));
  op('+(float4) -> float4', (a) => a[0]!);
  op('+(float8) -> float8', (a) => a[0]!);
  op('@(float4) -> float4', (a) => Math.abs(a[0] as number));
  op('@(float8) -> float8', (a) => Math.abs(a[0] as number));

  // numeric
  op('+(numeric, numeric) -> numeric', (a) => (a[0] as Numeric).add(a[1] as Numeric));
  op('-(numeric, numeric) -> numeric', (a) => (a[0] as Numeric).sub(a[1] as Numeric));
  op('*(numeric, numeric) -> numeric', (a) => (a[0] as Numeric).mul(a[1] as Numeric));
  op('/(numeric, numeric) -> numeric', (a) => (a[0] as Numeric).div(a[1] as Numeric));
  op('%(numeric, numeric) -> numeric', (a) => (a[0] as Numeric).mod(a[1] as Numeric));
  op('-(numeric) -> numeric', (a) => (a[0] as Numeric).neg());
  op('+(numeric) -> numeric', (a) => a[0]!);
  op('@(numeric) -> numeric', (a) => (a[0] as Numeric).abs());
}

