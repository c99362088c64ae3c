// Aggregate functions. States are mutable objects created by init() and updated in place
// by step()/retract() (which also return them), so per-row work allocates nothing for the
// common numeric aggregates.
import type { Datum, DatumArray } from '../../core/datum.js';
import { T, type SqlType } from '../../core/types.js';
import { SqlError, SqlState } from '../../core/errors.js';
import { Numeric } from '../../core/values/numeric.js';
import { Interval } from '../../core/values/interval.js';
import { Jsonb, jsonObject, quoteJsonString, type JsonValue } from '../../core/values/json.js';
import { DEFAULT_VALUE_SETTINGS, type ValueSettings } from '../../core/values/settings.js';
import { ANY, parseType, registerAggregate, type AggregateFunction, type EvalContext } from './define.js';
import { comparatorFor } from './comparison.js';
import { chk8 } from './arithmetic.js';
import { numericSqrtScale } from './math.js';
import { toJsonText, toJsonValue } from './json.js';
import { datumToText } from './text-util.js';
import { arrayDims } from './array.js';

interface AggDef {
  name: string;
  args: string[];
  ret: string | ((args: readonly SqlType[]) => SqlType);
  strict?: boolean;
  init: () => unknown;
  step: (s: unknown, a: readonly Datum[]) => unknown;
  final: (s: unknown, ctx?: EvalContext) => Datum;
  retract?: (s: unknown, a: readonly Datum[]) => unknown;
  bind?: (argTypes: readonly SqlType[], returnType: SqlType) => AggregateFunction;
  nonArray?: boolean;
}

function agg(d: AggDef): AggregateFunction {
  const a: AggregateFunction = {
    name: d.name,
    argTypes: d.args.map(parseType),
    returnType: typeof d.ret === 'string' ? parseType(d.ret) : d.ret,
    strict: d.strict ?? true,
    init: d.init,
    step: d.step,
    final: d.final,
    ...(d.retract ? { retract: d.retract } : {}),
    ...(d.bind ? { bind: d.bind } : {}),
    ...(d.nonArray ? { nonArray: true } : {}),
  };
  registerAggregate(a);
  return a;
}

/**
 * Fallback settings for aggregates that format values (json_agg of timestamptz) when the
 * executor calls final(state) without an EvalContext.
 */
let aggSettings: ValueSettings = DEFAULT_VALUE_SETTINGS;
export function setAggregateSettings(s: ValueSettings): void { aggSettings = s; }

// ---- counting & summing -------------------------------------------------------

interface Count { n: number }
interface IntSum { n: number; s: number; b: bigint }
const SAFE = 2 ** 52;

function intSumStep(st: IntSum, v: number): void {
  st.n++;
  st.s += v;
  if (st.s > SAFE || st.s < -SAFE) { st.b += BigInt(st.s); st.s = 0; }
}
function intSumRetract(st: IntSum, v: number): void {
  st.n--;
  st.s -= v;
  if (st.s > SAFE || st.s < -SAFE) { st.b += BigInt(st.s); st.s = 0; }
}
const intSumTotal = (st: IntSum): bigint => st.b + BigInt(st.s);

interface BigSum { n: number; s: bigint }
interface NumSum { n: number; s: Numeric }
interface FloatSum { n: number; s: number }
interface IvSum { n: number; s: Interval }

function numericAvg(sum: Numeric, n: number): Numeric {
  return sum.div(Numeric.fromInt(n));
}

// ---- variance -----------------------------------------------------------------

/** float8_accum: Youngs-Cramer, like PostgreSQL, for identical rounding */
interface FloatVar { n: number; sx: number; sxx: number }
function floatVarStep(st: FloatVar, x: number): void {
  const oldN = st.n;
  st.n += 1;
  st.sx += x;
  if (oldN > 0) {
    const tmp = x * st.n - st.sx;
    st.sxx += (tmp * tmp) / (st.n * oldN);
    if (!Number.isFinite(st.sxx) && Number.isFinite(x)) { /* overflow leaves Inf like PG's NaN/Inf handling */ }
  } else if (!Number.isFinite(x)) {
    st.sxx = NaN;
  }
}
function floatVarFinal(st: FloatVar, kind: 'samp' | 'pop', sqrt: boolean): Datum {
  if (st.n === 0) return null;
  if (kind === 'samp' && st.n <= 1) return null;
  const v = st.sxx / (kind === 'samp' ? st.n - 1 : st.n);
  return sqrt ? Math.sqrt(v) : v;
}

interface NumVar { n: number; sx: Numeric; sxx: Numeric }
function numVarStep(st: NumVar, x: Numeric): void {
  st.n++;
  st.sx = st.sx.add(x);
  st.sxx = st.sxx.add(x.mul(x));
}
function numVarRetract(st: NumVar, x: Numeric): void {
  st.n--;
  st.sx = st.sx.sub(x);
  st.sxx = st.sxx.sub(x.mul(x));
}
/** numeric_stddev_internal */
function numVarFinal(st: NumVar, kind: 'samp' | 'pop', sqrt: boolean): Datum {
  if (st.n === 0) return null;
  if (kind === 'samp' && st.n <= 1) return null;
  if (st.sx.isNaN || st.sxx.isNaN) return Numeric.NaN;
  const n = Numeric.fromInt(st.n);
  const num = n.mul(st.sxx).sub(st.sx.mul(st.sx));
  if (num.sign() <= 0) return Numeric.ZERO;
  const den = kind === 'samp' ? n.mul(Numeric.fromInt(st.n - 1)) : n.mul(n);
  const v = num.div(den);
  return sqrt ? numericSqrtScale(num.div(den), v.scale) : v;
}

function registerVariance(): void {
  const kinds: [string, 'samp' | 'pop', boolean][] = [
    ['stddev', 'samp', true], ['stddev_samp', 'samp', true], ['stddev_pop', 'pop', true],
    ['variance', 'samp', false], ['var_samp', 'samp', false], ['var_pop', 'pop', false],
  ];
  for (const [name, kind, sqrt] of kinds) {
    for (const t of ['float4', 'float8']) {
      agg({
        name, args: [t], ret: 'float8',
        init: (): FloatVar => ({ n: 0, sx: 0, sxx: 0 }),
        step: (s, a) => { floatVarStep(s as FloatVar, a[0] as number); return s; },
        final: (s) => floatVarFinal(s as FloatVar, kind, sqrt),
      });
    }
    for (const t of ['int2', 'int4', 'int8', 'numeric']) {
      const toNum = t === 'numeric' ? (d: Datum) => d as Numeric
        : t === 'int8' ? (d: Datum) => Numeric.fromBigInt(d as bigint) : (d: Datum) => Numeric.fromInt(d as number);
      agg({
        name, args: [t], ret: 'numeric',
        init: (): NumVar => ({ n: 0, sx: Numeric.ZERO, sxx: Numeric.ZERO }),
        step: (s, a) => { numVarStep(s as NumVar, toNum(a[0]!)); return s; },
        retract: (s, a) => { numVarRetract(s as NumVar, toNum(a[0]!)); return s; },
        final: (s) => numVarFinal(s as NumVar, kind, sqrt),
      });
    }
  }
}

// ---- registration ---------------------------------------------------------------

const MINMAX_TYPES = ['int2', 'int4', 'int8', 'oid', 'float4', 'float8', 'numeric', 'text', 'bpchar', 'date', 'time',
  'timestamp', 'timestamptz', 'interval', 'anyarray'];

interface MinMax { v: Datum; has: boolean }

export function registerAggregates(): void {
  // count
  agg({
    name: 'count', args: [], ret: 'int8', strict: false,
    init: (): Count => ({ n: 0 }),
    step: (s) => { (s as Count).n++; return s; },
    retract: (s) => { (s as Count).n--; return s; },
    final: (s) => BigInt((s as Count).n),
  });
  agg({
    name: 'count', args: ['any'], ret: 'int8',
    init: (): Count => ({ n: 0 }),
    step: (s) => { (s as Count).n++; return s; },
    retract: (s) => { (s as Count).n--; return s; },
    final: (s) => BigInt((s as Count).n),
  });

  // sum / avg over int2, int4
  for (const t of ['int2', 'int4']) {
    agg({
      name: 'sum', args: [t], ret: 'int8',
      init: (): IntSum => ({ n: 0, s: 0, b: 0n }),
      step: (s, a) => { intSumStep(s as IntSum, a[0] as number); return s; },
      retract: (s, a) => { intSumRetract(s as IntSum, a[0] as number); return s; },
      final: (s) => ((s as IntSum).n === 0 ? null : chk8(intSumTotal(s as IntSum))),
    });
    agg({
      name: 'avg', args: [t], ret: 'numeric',
      init: (): IntSum => ({ n: 0, s: 0, b: 0n }),
      step: (s, a) => { intSumStep(s as IntSum, a[0] as number); return s; },
      retract: (s, a) => { intSumRetract(s as IntSum, a[0] as number); return s; },
      final: (s) => {
        const st = s as IntSum;
        return st.n === 0 ? null : numericAvg(Numeric.fromBigInt(intSumTotal(st)), st.n);
      },
    });
  }
  agg({
    name: 'sum', args: ['int8'], ret: 'numeric',
    init: (): BigSum => ({ n: 0, s: 0n }),
    step: (s, a) => { const st = s as BigSum; st.n++; st.s += a[0] as bigint; return st; },
    retract: (s, a) => { const st = s as BigSum; st.n--; st.s -= a[0] as bigint; return st; },
    final: (s) => ((s as BigSum).n === 0 ? null : Numeric.fromBigInt((s as BigSum).s)),
  });
  agg({
    name: 'avg', args: ['int8'], ret: 'numeric',
    init: (): BigSum => ({ n: 0, s: 0n }),
    step: (s, a) => { const st = s as BigSum; st.n++; st.s += a[0] as bigint; return st; },
    retract: (s, a) => { const st = s as BigSum; st.n--; st.s -= a[0] as bigint; return st; },
    final: (s) => { const st = s as BigSum; return st.n === 0 ? null : numericAvg(Numeric.fromBigInt(st.s), st.n); },
  });
  agg({
    name: 'sum', args: ['numeric'], ret: 'numeric',
    init: (): NumSum => ({ n: 0, s: Numeric.ZERO }),
    step: (s, a) => { const st = s as NumSum; st.n++; st.s = st.s.add(a[0] as Numeric); return st; },
    retract: (s, a) => { const st = s as NumSum; st.n--; st.s = st.s.sub(a[0] as Numeric); return st; },
    final: (s) => ((s as NumSum).n === 0 ? null : (s as NumSum).s),
  });
  agg({
    name: 'avg', args: ['numeric'], ret: 'numeric',
    init: (): NumSum => ({ n: 0, s: Numeric.ZERO }),
    step: (s, a) => { const st = s as NumSum; st.n++; st.s = st.s.add(a[0] as Numeric); return st; },
    retract: (s, a) => { const st = s as NumSum; st.n--; st.s = st.s.sub(a[0] as Numeric); return st; },
    final: (s) => { const st = s as NumSum; return st.n === 0 ? null : numericAvg(st.s, st.n); },
  });
  for (const t of ['float4', 'float8']) {
    // float sums have no inverse in PostgreSQL either: retracting would accumulate rounding error
    agg({
      name: 'sum', args: [t], ret: t,
      init: (): FloatSum => ({ n: 0, s: 0 }),
      step: (s, a) => { const st = s as FloatSum; st.n++; st.s += a[0] as number; return st; },
      final: (s) => ((s as FloatSum).n === 0 ? null : t === 'float4' ? Math.fround((s as FloatSum).s) : (s as FloatSum).s),
    });
    agg({
      name: 'avg', args: [t], ret: 'float8',
      init: (): FloatVar => ({ n: 0, sx: 0, sxx: 0 }),
      step: (s, a) => { floatVarStep(s as FloatVar, a[0] as number); return s; },
      final: (s) => ((s as FloatVar).n === 0 ? null : (s as FloatVar).sx / (s as FloatVar).n),
    });
  }
  agg({
    name: 'sum', args: ['interval'], ret: 'interval',
    init: (): IvSum => ({ n: 0, s: Interval.ZERO }),
    step: (s, a) => { const st = s as IvSum; st.n++; st.s = st.s.add(a[0] as Interval); return st; },
    retract: (s, a) => { const st = s as IvSum; st.n--; st.s = st.s.sub(a[0] as Interval); return st; },
    final: (s) => ((s as IvSum).n === 0 ? null : (s as IvSum).s),
  });
  agg({
    name: 'avg', args: ['interval'], ret: 'interval',
    init: (): IvSum => ({ n: 0, s: Interval.ZERO }),
    step: (s, a) => { const st = s as IvSum; st.n++; st.s = st.s.add(a[0] as Interval); return st; },
    retract: (s, a) => { const st = s as IvSum; st.n--; st.s = st.s.sub(a[0] as Interval); return st; },
    final: (s) => { const st = s as IvSum; return st.n === 0 ? null : st.s.div(st.n); },
  });

  // min / max
  for (const t of MINMAX_TYPES) {
    for (const [name, sign] of [['min', -1], ['max', 1]] as const) {
      const mk = (type: SqlType): AggregateFunction => {
        const cmp = comparatorFor(type);
        return {
          name, argTypes: [parseType(t)], returnType: t === 'anyarray' ? T.anyarray : parseType(t), strict: true,
          init: (): MinMax => ({ v: null, has: false }),
          step: (s, a) => {
            const st = s as MinMax;
            const v = a[0]!;
            if (!st.has || cmp(v, st.v) * sign > 0) { st.v = v; st.has = true; }
            return st;
          },
          final: (s) => (s as MinMax).v,
        };
      };
      const base = mk(parseType(t === 'anyarray' ? 'int4[]' : t));
      registerAggregate({ ...base, bind: (types) => mk(types[0]!) });
    }
  }

  // booleans and bits
  const boolAgg = (name: string, and: boolean): void => {
    agg({
      name, args: ['bool'], ret: 'bool',
      init: () => ({ v: null as boolean | null, t: 0, f: 0 }),
      step: (s, a) => {
        const st = s as { v: boolean | null; t: number; f: number };
        if (a[0]) st.t++; else st.f++;
        return st;
      },
      retract: (s, a) => {
        const st = s as { v: boolean | null; t: number; f: number };
        if (a[0]) st.t--; else st.f--;
        return st;
      },
      final: (s) => {
        const st = s as { t: number; f: number };
        if (st.t + st.f === 0) return null;
        return and ? st.f === 0 : st.t > 0;
      },
    });
  };
  boolAgg('bool_and', true);
  boolAgg('every', true);
  boolAgg('bool_or', false);
  for (const t of ['int2', 'int4']) {
    for (const [name, f] of [['bit_and', (x: number, y: number) => x & y], ['bit_or', (x: number, y: number) => x | y],
      ['bit_xor', (x: number, y: number) => x ^ y]] as const) {
      agg({
        name, args: [t], ret: t,
        init: () => ({ v: null as number | null }),
        step: (s, a) => { const st = s as { v: number | null }; st.v = st.v === null ? (a[0] as number) : f(st.v, a[0] as number); return st; },
        final: (s) => (s as { v: number | null }).v,
      });
    }
  }
  for (const [name, f] of [['bit_and', (x: bigint, y: bigint) => x & y], ['bit_or', (x: bigint, y: bigint) => x | y],
    ['bit_xor', (x: bigint, y: bigint) => x ^ y]] as const) {
    agg({
      name, args: ['int8'], ret: 'int8',
      init: () => ({ v: null as bigint | null }),
      step: (s, a) => { const st = s as { v: bigint | null }; st.v = st.v === null ? (a[0] as bigint) : f(st.v, a[0] as bigint); return st; },
      final: (s) => (s as { v: bigint | null }).v,
    });
  }

  // string_agg: NULL values are skipped; the delimiter preceding each value is that row's
  interface StrAgg { out: string | null }
  agg({
    name: 'string_agg', args: ['text', 'text'], ret: 'text', strict: false,
    init: (): StrAgg => ({ out: null }),
    step: (s, a) => {
      const st = s as StrAgg;
      if (a[0] === null) return st;
      st.out = st.out === null ? (a[0] as string) : st.out + ((a[1] as string | null) ?? '') + (a[0] as string);
      return st;
    },
    final: (s) => (s as StrAgg).out,
  });
  interface BytesAgg { parts: Uint8Array[] | null }
  agg({
    name: 'string_agg', args: ['bytea', 'bytea'], ret: 'bytea', strict: false,
    init: (): BytesAgg => ({ parts: null }),
    step: (s, a) => {
      const st = s as BytesAgg;
      if (a[0] === null) return st;
      if (st.parts === null) st.parts = [a[0] as Uint8Array];
      else { if (a[1] !== null) st.parts.push(a[1] as Uint8Array); st.parts.push(a[0] as Uint8Array); }
      return st;
    },
    final: (s) => {
      const p = (s as BytesAgg).parts;
      if (p === null) return null;
      const out = new Uint8Array(p.reduce((n, x) => n + x.length, 0));
      let o = 0;
      for (const x of p) { out.set(x, o); o += x.length; }
      return out;
    },
  });

  // array_agg (NULLs included)
  interface ListAgg { items: Datum[] | null }
  const listInit = (): ListAgg => ({ items: null });
  const listStep = (s: unknown, a: readonly Datum[]): unknown => {
    const st = s as ListAgg;
    (st.items ??= []).push(a[0]!);
    return st;
  };
  // RisingWave's first_value / last_value aggregates: the value of the first / last row in the
  // aggregate's ORDER BY (NULL values count)
  agg({
    name: 'first_value', args: ['anyelement'], ret: (args) => args[0]!, strict: false,
    init: () => ({ has: false, v: null as Datum }),
    step: (s, a) => { const st = s as { has: boolean; v: Datum }; if (!st.has) { st.has = true; st.v = a[0]!; } return st; },
    final: (s) => (s as { v: Datum }).v,
  });
  agg({
    name: 'last_value', args: ['anyelement'], ret: (args) => args[0]!, strict: false,
    init: () => ({ v: null as Datum }),
    step: (s, a) => { (s as { v: Datum }).v = a[0]!; return s; },
    final: (s) => (s as { v: Datum }).v,
  });
  agg({
    name: 'array_agg', args: ['anyelement'], ret: 'anyarray', strict: false, nonArray: true,
    init: listInit, step: listStep, final: (s) => (s as ListAgg).items,
  });
  agg({
    name: 'array_agg', args: ['anyarray'], ret: (args) => args[0]!, strict: false,
    init: listInit,
    step: (s, a) => {
      const st = s as ListAgg;
      if (a[0] === null) throw new SqlError(SqlState.NullValueNotAllowed, 'cannot accumulate null arrays');
      const v = a[0] as DatumArray;
      if (v.length === 0) throw new SqlError(SqlState.ArraySubscriptError, 'cannot accumulate empty arrays');
      if (st.items && st.items.length && JSON.stringify(arrayDims(st.items[0] as DatumArray)) !== JSON.stringify(arrayDims(v))) {
        throw new SqlError(SqlState.ArraySubscriptError, 'cannot accumulate arrays of different dimensionality');
      }
      (st.items ??= []).push(v);
      return st;
    },
    final: (s) => (s as ListAgg).items,
  });

  // json aggregates
  const jsonAgg = (name: string, jsonb: boolean): void => {
    const mk = (type: SqlType): AggregateFunction => ({
      name, argTypes: [T.anyelement], returnType: jsonb ? T.jsonb : T.json, strict: false,
      init: listInit,
      step: (s, a) => {
        const st = s as ListAgg;
        (st.items ??= []).push(a[0]!);
        return st;
      },
      final: (s, ctx) => {
        const items = (s as ListAgg).items;
        if (items === null) return null;
        const st = ctx?.settings ?? aggSettings;
        if (jsonb) return new Jsonb(items.map((x) => toJsonValue(type, x, st)));
        // PostgreSQL's json_agg starts each array or composite element on a new line
        const sep = type.kind === 'array' || (type.kind === 'scalar' && type.name === 'record') ? ', \n ' : ', ';
        return '[' + items.map((x) => toJsonText(type, x, st)).join(sep) + ']';
      },
    });
    registerAggregate({ ...mk(T.text), bind: (types) => mk(types[0]!) });
  };
  jsonAgg('json_agg', false);
  jsonAgg('jsonb_agg', true);
  const jsonObjAgg = (name: string, jsonb: boolean): void => {
    interface PairAgg { items: [Datum, Datum][] | null }
    const mk = (kt: SqlType, vt: SqlType): AggregateFunction => ({
      name, argTypes: [ANY, ANY], returnType: jsonb ? T.jsonb : T.json, strict: false,
      init: (): PairAgg => ({ items: null }),
      step: (s, a) => {
        const st = s as PairAgg;
        if (a[0] === null) {
          throw new SqlError(SqlState.InvalidParameterValue, jsonb ? 'field name must not be null' : 'field name must not be null');
        }
        (st.items ??= []).push([a[0]!, a[1]!]);
        return st;
      },
      final: (s, ctx) => {
        const items = (s as PairAgg).items;
        if (items === null) return null;
        const st = ctx?.settings ?? aggSettings;
        if (jsonb) {
          return new Jsonb(jsonObject(items.map(([k, v]) => [datumToText(kt, k, st), toJsonValue(vt, v, st)] as [string, JsonValue])));
        }
        return '{ ' + items.map(([k, v]) => quoteJsonString(datumToText(kt, k, st)) + ' : ' + toJsonText(vt, v, st)).join(', ') + ' }';
      },
    });
    registerAggregate({ ...mk(T.text, T.text), bind: (types) => mk(types[0]!, types[1]!) });
  };
  jsonObjAgg('json_object_agg', false);
  jsonObjAgg('jsonb_object_agg', true);

  registerVariance();
}
