// Property checks over generated values: text and binary round trips, and datumKey agreeing
// with compareDatums, for every scalar type and arrays.
import { describe, expect, it } from 'vitest';
import { T, arrayOf, type SqlType } from '../types.js';
import type { Datum } from '../datum.js';
import { DEFAULT_VALUE_SETTINGS as S } from './settings.js';
import { compareDatums, datumKey, decodeBinary, encodeBinary, formatText, parseText } from './io.js';
import { Numeric } from './numeric.js';
import { Interval } from './interval.js';
import { Jsonb, jsonObject, type JsonValue } from './json.js';

let seed = 1;
const rnd = (): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
const ri = (n: number): number => Math.floor(rnd() * n);
const pick = <X>(xs: readonly X[]): X => xs[ri(xs.length)]!;

function rstr(): string {
  const al = ['a', 'B', ' ', '"', '\\', ',', '{', '}', 'é', '😀', '\uffff', 'NULL', '\t', "'", 'x', '0'];
  let s = '';
  for (let i = ri(5); i > 0; i--) s += pick(al);
  return s;
}
function rjson(depth: number): JsonValue {
  switch (ri(depth > 2 ? 4 : 6)) {
    case 0: return null;
    case 1: return rnd() < 0.5;
    case 2: return rstr();
    case 3: return Numeric.fromString(pick(['0', '1.50', '-2', '1e20', '0.001', '123456789.123456789']));
    case 4: return Array.from({ length: ri(3) }, () => rjson(depth + 1));
    default: return jsonObject(Array.from({ length: ri(3) }, () => [rstr(), rjson(depth + 1)] as const));
  }
}

const GEN: Record<string, () => Datum> = {
  bool: () => rnd() < 0.5,
  int2: () => ri(65536) - 32768,
  int4: () => ri(4294967296) - 2147483648,
  int8: () => BigInt(ri(2 ** 31)) * BigInt(ri(2 ** 31)) * (rnd() < 0.5 ? -1n : 1n),
  float4: () => Math.fround(pick([0, -0, NaN, Infinity, -Infinity, (rnd() - 0.5) * 10 ** (ri(60) - 30)])),
  float8: () => pick([0, -0, NaN, Infinity, -Infinity, (rnd() - 0.5) * 10 ** (ri(600) - 300), ri(1e9) / 1000]),
  numeric: () => pick([Numeric.NaN, Numeric.Infinity, Numeric.NegInfinity, Numeric.of(BigInt(ri(1e9)) * BigInt(ri(1e9)) * (rnd() < 0.5 ? -1n : 1n), ri(20))]),
  text: rstr,
  bytea: () => Uint8Array.from({ length: ri(6) }, () => ri(256)),
  date: () => pick([Infinity, -Infinity, ri(3_000_000) - 2_400_000]),
  time: () => ri(86_400_000_001),
  timestamp: () => pick([Infinity, -Infinity, (ri(2 ** 30) - 2 ** 29) * 1e6 + ri(1e6)]),
  timestamptz: () => pick([Infinity, -Infinity, (ri(2 ** 30) - 2 ** 29) * 1e6 + ri(1e6)]),
  interval: () => new Interval(ri(2000) - 1000, ri(2000) - 1000, (ri(2 ** 30) - 2 ** 29) * 1000 + ri(1000)),
  uuid: () => Array.from({ length: 32 }, () => '0123456789abcdef'[ri(16)]).join('').replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-'),
  jsonb: () => new Jsonb(rjson(0)),
  oid: () => ri(4294967296),
};

function same(t: SqlType, a: Datum, b: Datum): boolean {
  if (a === null || b === null) return a === b;
  return compareDatums(t, a, b) === 0 && Object.is(a, -0) === Object.is(b, -0) && formatText(t, a, S) === formatText(t, b, S);
}

describe('round trips', () => {
  for (const [name, gen] of Object.entries(GEN)) {
    const t = T[name as keyof typeof T];
    it(name, () => {
      for (let i = 0; i < 300; i++) {
        const v = gen();
        const text = formatText(t, v, S);
        const back = parseText(t, text, S);
        if (!same(t, v, back)) expect({ text, back: formatText(t, back, S) }).toEqual({ text, back: text });
        const bin = decodeBinary(t, encodeBinary(t, v));
        if (!same(t, v, bin)) expect(formatText(t, bin, S)).toBe(text);
        // equal keys exactly when equal values
        const w = rnd() < 0.3 ? back : gen();
        expect(compareDatums(t, v, w) === 0).toBe(datumKey(t, v) === datumKey(t, w));
        expect(Math.sign(compareDatums(t, v, w)) + Math.sign(compareDatums(t, w, v)) || 0).toBe(0);
      }
    });
  }
  it('arrays', () => {
    for (const name of ['int4', 'text', 'numeric', 'bytea', 'jsonb', 'interval'] as const) {
      const t = arrayOf(T[name]);
      for (let i = 0; i < 100; i++) {
        const v: Datum[] = Array.from({ length: ri(4) }, () => (rnd() < 0.2 ? null : GEN[name]!()));
        const text = formatText(t, v, S);
        expect(formatText(t, parseText(t, text, S), S)).toBe(text);
        expect(formatText(t, decodeBinary(t, encodeBinary(t, v)), S)).toBe(text);
      }
    }
  });
});
