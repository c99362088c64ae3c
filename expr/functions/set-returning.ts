// Set-returning functions. impl returns a lazy iterable of rows (one Datum per column).
import type { Datum, DatumArray } from '../../core/datum.js';
import { T, arrayOf, type SqlType } from '../../core/types.js';
import { SqlError, SqlState } from '../../core/errors.js';
import { Numeric } from '../../core/values/numeric.js';
import { Interval } from '../../core/values/interval.js';
import { Jsonb, jsonToText, type JsonValue } from '../../core/values/json.js';
import { parseSig, registerSetFunction, type EvalContext, type SetFunction } from './define.js';
import { addIntervalLocal } from './datetime.js';
import { jsonArrayElements } from './json.js';
import { posixRegex, matchArray, regexpSplit } from './string.js';
import { stringToArray, flatten } from './array.js';
import { utcToLocal, localToUtc } from '../../core/values/datetime.js';

type Rows = Iterable<Datum[]>;
type Impl = (args: readonly Datum[], ctx: EvalContext) => Rows;

function srf(sig: string, columns: (args: readonly SqlType[]) => { name: string; type: SqlType }[], impl: Impl,
  o: { strict?: boolean; volatility?: 'immutable' | 'stable' | 'volatile'; bind?: (t: readonly SqlType[]) => Impl } = {}): void {
  const p = parseSig(sig);
  const f: SetFunction = {
    name: p.name, argTypes: p.args, ...(p.variadic ? { variadic: p.variadic } : {}),
    columns, strict: o.strict ?? true, volatility: o.volatility ?? 'immutable', impl,
    ...(o.bind ? { bind: o.bind } : {}),
  };
  registerSetFunction(f);
}
/** a single output column named after the function, like PostgreSQL */
const single = (name: string, t?: SqlType) => (args: readonly SqlType[]) => [{ name, type: t ?? args[0]! }];

const stepZero = (): SqlError => new SqlError(SqlState.InvalidParameterValue, 'step size cannot equal zero');

function* seriesInt(start: number, stop: number, step: number): Rows {
  if (step === 0) throw stepZero();
  if (step > 0) for (let i = start; i <= stop; i += step) yield [i];
  else for (let i = start; i >= stop; i += step) yield [i];
}
function* seriesBig(start: bigint, stop: bigint, step: bigint): Rows {
  if (step === 0n) throw stepZero();
  if (step > 0n) for (let i = start; i <= stop; i += step) yield [i];
  else for (let i = start; i >= stop; i += step) yield [i];
}
function* seriesNum(start: Numeric, stop: Numeric, step: Numeric): Rows {
  for (const [v, what] of [[start, 'start'], [stop, 'stop'], [step, 'step size']] as const) {
    if (v.isNaN) throw new SqlError(SqlState.InvalidParameterValue, `${what} value cannot be NaN`);
    if (v.isInfinite) throw new SqlError(SqlState.InvalidParameterValue, `${what} value cannot be infinity`);
  }
  const dir = step.sign();
  if (dir === 0) throw stepZero();
  for (let i = start; dir > 0 ? i.cmp(stop) <= 0 : i.cmp(stop) >= 0; i = i.add(step)) yield [i];
}
function* seriesTs(start: number, stop: number, step: Interval, tz: string | null): Rows {
  if (step.months === 0 && step.days === 0 && step.micros === 0) {
    throw new SqlError(SqlState.InvalidParameterValue, 'step size cannot equal zero');
  }
  if (!Number.isFinite(start) || !Number.isFinite(stop)) {
    throw new SqlError(SqlState.InvalidParameterValue, 'start and stop values must be finite');
  }
  // direction from the interval's sign (PG compares the step to a zero interval)
  const positive = step.months * 30 * 86_400_000_000 + step.days * 86_400_000_000 + step.micros > 0;
  let t = start;
  while (positive ? t <= stop : t >= stop) {
    yield [t];
    if (tz === null) t = addIntervalLocal(t, step, 1);
    else {
      // timestamptz: calendar steps in the session zone
      const local = addIntervalLocal(utcToLocal(tz, t), new Interval(step.months, step.days, 0), 1);
      t = localToUtc(tz, local) + step.micros;
    }
  }
}

function* unnestRows(a: DatumArray): Rows {
  for (const x of flatten(a)) yield [x];
}

function jsonbElems(v: JsonValue, fname: string): JsonValue[] {
  if (Array.isArray(v)) return v;
  if (v instanceof Map) throw new SqlError(SqlState.InvalidParameterValue, `cannot extract elements from an object`);
  throw new SqlError(SqlState.InvalidParameterValue, 'cannot extract elements from a scalar');
}
function jsonbEntries(v: JsonValue, fname: string): [string, JsonValue][] {
  if (v instanceof Map) return [...v];
  throw new SqlError(SqlState.InvalidParameterValue, `cannot call ${fname} on ${Array.isArray(v) ? 'an array' : 'a non-object'}`);
}
const asText = (v: JsonValue): Datum => (v === null ? null : typeof v === 'string' ? v : jsonToText(v));

export function registerSetReturning(): void {
  // no table is partitioned: a relation's only ancestor is itself (psql's \d asks for foreign keys through it)
  srf('pg_partition_ancestors(regclass) -> regclass', () => [{ name: 'relid', type: T.regclass }], function* (a) { yield [a[0]!]; });
  srf('generate_series(int4, int4) -> int4', single('generate_series', T.int4), (a) => seriesInt(a[0] as number, a[1] as number, 1));
  srf('generate_series(int4, int4, int4) -> int4', single('generate_series', T.int4), (a) => seriesInt(a[0] as number, a[1] as number, a[2] as number));
  srf('generate_series(int8, int8) -> int8', single('generate_series', T.int8), (a) => seriesBig(a[0] as bigint, a[1] as bigint, 1n));
  srf('generate_series(int8, int8, int8) -> int8', single('generate_series', T.int8), (a) => seriesBig(a[0] as bigint, a[1] as bigint, a[2] as bigint));
  srf('generate_series(numeric, numeric) -> numeric', single('generate_series', T.numeric), (a) => seriesNum(a[0] as Numeric, a[1] as Numeric, Numeric.ONE));
  srf('generate_series(numeric, numeric, numeric) -> numeric', single('generate_series', T.numeric), (a) => seriesNum(a[0] as Numeric, a[1] as Numeric, a[2] as Numeric));
  srf('generate_series(timestamp, timestamp, interval) -> timestamp', single('generate_series', T.timestamp),
    (a) => seriesTs(a[0] as number, a[1] as number, a[2] as Interval, null));
  srf('generate_series(timestamptz, timestamptz, interval) -> timestamptz', single('generate_series', T.timestamptz),
    (a, c) => seriesTs(a[0] as number, a[1] as number, a[2] as Interval, c.settings.timeZone), { volatility: 'stable' });
  // pg_options_to_table(reloptions): 'name=value' entries as (option_name, option_value) rows
  srf('pg_options_to_table(text[]) -> record', () => [{ name: 'option_name', type: T.text }, { name: 'option_value', type: T.text }], function* (a) {
    for (const o of a[0] as DatumArray) {
      if (typeof o !== 'string') continue;
      const i = o.indexOf('=');
      yield i < 0 ? [o, null] : [o.slice(0, i), o.slice(i + 1)];
    }
  }, { volatility: 'stable' });
  srf('generate_subscripts(anyarray, int4) -> int4', single('generate_subscripts', T.int4), function* (a) {
    const arr = a[0] as DatumArray;
    const dim = a[1] as number;
    let cur: Datum = arr;
    for (let d = 1; d < dim; d++) { if (!Array.isArray(cur) || cur.length === 0) return; cur = (cur as DatumArray)[0]!; }
    if (!Array.isArray(cur) || dim < 1) return;
    for (let i = 1; i <= (cur as DatumArray).length; i++) yield [i];
  });
  srf('generate_subscripts(anyarray, int4, bool) -> int4', single('generate_subscripts', T.int4), function* (a) {
    const arr = a[0] as DatumArray;
    const dim = a[1] as number;
    let cur: Datum = arr;
    for (let d = 1; d < dim; d++) { if (!Array.isArray(cur) || cur.length === 0) return; cur = (cur as DatumArray)[0]!; }
    if (!Array.isArray(cur) || dim < 1) return;
    const n = (cur as DatumArray).length;
    if (a[2]) for (let i = n; i >= 1; i--) yield [i];
    else for (let i = 1; i <= n; i++) yield [i];
  });
  srf('unnest(anyarray) -> anyelement', (args) => {
    const t = args[0]!;
    return [{ name: 'unnest', type: t.kind === 'array' ? t.elem : t }];
  }, (a) => unnestRows(a[0] as DatumArray));
  srf('jsonb_array_elements(jsonb) -> jsonb', single('value', T.jsonb), function* (a) {
    for (const v of jsonbElems((a[0] as Jsonb).value, 'jsonb_array_elements')) yield [new Jsonb(v)];
  });
  srf('jsonb_array_elements_text(jsonb) -> text', single('value', T.text), function* (a) {
    for (const v of jsonbElems((a[0] as Jsonb).value, 'jsonb_array_elements_text')) yield [asText(v)];
  });
  srf('json_array_elements(json) -> json', single('value', T.json), function* (a) {
    for (const v of jsonArrayElements(a[0] as string)) yield [v];
  });
  srf('jsonb_each(jsonb) -> jsonb', () => [{ name: 'key', type: T.text }, { name: 'value', type: T.jsonb }], function* (a) {
    for (const [k, v] of jsonbEntries((a[0] as Jsonb).value, 'jsonb_each')) yield [k, new Jsonb(v)];
  });
  srf('jsonb_each_text(jsonb) -> text', () => [{ name: 'key', type: T.text }, { name: 'value', type: T.text }], function* (a) {
    for (const [k, v] of jsonbEntries((a[0] as Jsonb).value, 'jsonb_each_text')) yield [k, asText(v)];
  });
  srf('jsonb_object_keys(jsonb) -> text', single('jsonb_object_keys', T.text), function* (a) {
    for (const [k] of jsonbEntries((a[0] as Jsonb).value, 'jsonb_object_keys')) yield [k];
  });
  srf('regexp_split_to_table(text, text) -> text', single('regexp_split_to_table', T.text), function* (a) {
    for (const s of regexpSplit(a[0] as string, a[1] as string, '')) yield [s];
  });
  srf('regexp_split_to_table(text, text, text) -> text', single('regexp_split_to_table', T.text), function* (a) {
    for (const s of regexpSplit(a[0] as string, a[1] as string, a[2] as string)) yield [s];
  });
  const matches = function* (s: string, pat: string, flags: string): Rows {
    const global = flags.includes('g');
    const re = posixRegex(pat, flags.replace('g', ''), true);
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(s)) !== null) {
      yield [matchArray(m)];
      if (!global) return;
      if (m[0].length === 0) re.lastIndex++;
    }
  };
  srf('regexp_matches(text, text) -> text[]', single('regexp_matches', arrayOf(T.text)), (a) => matches(a[0] as string, a[1] as string, ''));
  srf('regexp_matches(text, text, text) -> text[]', single('regexp_matches', arrayOf(T.text)), (a) => matches(a[0] as string, a[1] as string, a[2] as string));
  srf('string_to_table(text, text) -> text', single('string_to_table', T.text), function* (a) {
    if (a[0] === null) return;
    for (const s of stringToArray(a[0] as string, a[1] as string | null, null)) yield [s];
  }, { strict: false });
  srf('string_to_table(text, text, text) -> text', single('string_to_table', T.text), function* (a) {
    if (a[0] === null) return;
    for (const s of stringToArray(a[0] as string, a[1] as string | null, a[2] as string | null)) yield [s];
  }, { strict: false });
}
