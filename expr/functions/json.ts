// JSON functions and operators (json.c, jsonb.c, jsonfuncs.c). json Datums are verbatim
// text, so json operators slice the original text (PG keeps json formatting); jsonb Datums
// are Jsonb trees from core/values/json.ts.
import type { Datum, DatumArray } from '../../core/datum.js';
import { T, type SqlType } from '../../core/types.js';
import { SqlError, SqlState } from '../../core/errors.js';
import { Numeric } from '../../core/values/numeric.js';
import type { ValueSettings } from '../../core/values/settings.js';
import {
  Jsonb, jsonObject, parseJson, quoteJsonString, jsonToText, jsonTypeof, jsonbContains,
  type JsonValue, type JsonObject,
} from '../../core/values/json.js';
import { splitTimestamp, utcToLocal, zoneOffsetMicros, formatOffset } from '../../core/values/datetime.js';
import { formatText } from '../../core/values/io.js';
import { fn, op } from './define.js';
import { datumToText } from './text-util.js';

const jv = (d: Datum): JsonValue => (d as Jsonb).value;
const jb = (v: JsonValue): Jsonb => new Jsonb(v);
const isObj = (v: JsonValue): v is JsonObject => v instanceof Map;

// ---- Datum → JSON ---------------------------------------------------------------

function p2(n: number): string { return n < 10 ? '0' + n : String(n); }
function isoYear(y: number): string {
  if (y > 0) return String(y).padStart(4, '0');
  return String(1 - y).padStart(4, '0');
}
function frac(us: number): string {
  if (!us) return '';
  return '.' + String(us).padStart(6, '0').replace(/0+$/, '');
}
/** JsonEncodeDateTime: XSD style 2024-01-05T14:03:09(.ffffff)(+00:00) */
export function jsonDateTime(t: SqlType, d: Datum, s: ValueSettings): string {
  if (t.kind !== 'scalar') return '';
  const x = d as number;
  if (!Number.isFinite(x)) return x > 0 ? 'infinity' : '-infinity';
  switch (t.name) {
    case 'date': {
      const p = splitTimestamp(x * 86_400_000_000);
      return `${isoYear(p.y)}-${p2(p.m)}-${p2(p.d)}${p.y <= 0 ? ' BC' : ''}`;
    }
    case 'timestamp': {
      const p = splitTimestamp(x);
      return `${isoYear(p.y)}-${p2(p.m)}-${p2(p.d)}T${p2(p.hh)}:${p2(p.mm)}:${p2(p.ss)}${frac(p.us)}${p.y <= 0 ? ' BC' : ''}`;
    }
    case 'timestamptz': {
      const off = zoneOffsetMicros(s.timeZone, x) / 1_000_000;
      const p = splitTimestamp(utcToLocal(s.timeZone, x));
      let o = formatOffset(off);
      if (!o.includes(':')) o += ':00';
      return `${isoYear(p.y)}-${p2(p.m)}-${p2(p.d)}T${p2(p.hh)}:${p2(p.mm)}:${p2(p.ss)}${frac(p.us)}${o}${p.y <= 0 ? ' BC' : ''}`;
    }
    default: return '';
  }
}

/** to_jsonb(value of type t) */
export function toJsonValue(t: SqlType, d: Datum, s: ValueSettings): JsonValue {
  if (d === null) return null;
  if (t.kind === 'array') {
    const conv = (x: Datum): JsonValue => (Array.isArray(x) ? (x as DatumArray).map(conv) : toJsonValue(t.elem, x, s));
    return (d as DatumArray).map(conv);
  }
  switch (t.name) {
    case 'record': {
      // a row value: an object of its named fields (whole-row references, ROW(...))
      const fields = t.fields ?? [];
      return jsonObject((d as DatumArray).map((v, i) => [fields[i]?.name ?? `f${i + 1}`, toJsonValue(fields[i]?.type ?? T.text, v, s)] as const));
    }
    case 'bool': return d as boolean;
    case 'int2': case 'int4': case 'oid': return Numeric.fromInt(d as number);
    case 'int8': return Numeric.fromBigInt(d as bigint);
    case 'float4': case 'float8': {
      const x = d as number;
      if (!Number.isFinite(x)) return datumToText(t, x, s);
      return Numeric.fromString(datumToText(t, x, s));
    }
    case 'numeric': {
      const n = d as Numeric;
      return n.isFinite ? n : n.toString();
    }
    case 'json': return parseJson(d as string);
    case 'jsonb': return (d as Jsonb).value;
    case 'text': case 'varchar': case 'bpchar': case 'name': case 'char': case 'unknown': case 'uuid': return d as string;
    case 'date': case 'timestamp': case 'timestamptz': return jsonDateTime(t, d, s);
    default: return formatText(t, d, s);
  }
}

/** to_json(value of type t) as json text (PG's datum_to_json: compact arrays, verbatim json) */
export function toJsonText(t: SqlType, d: Datum, s: ValueSettings): string {
  if (d === null) return 'null';
  if (t.kind === 'array') {
    const conv = (x: Datum): string => (x === null ? 'null' : Array.isArray(x) ? '[' + (x as DatumArray).map(conv).join(',') + ']' : toJsonText(t.elem, x, s));
    return '[' + (d as DatumArray).map(conv).join(',') + ']';
  }
  switch (t.name) {
    case 'record': {
      // row_to_json: fields in column order, compact
      const fields = t.fields ?? [];
      return '{' + (d as DatumArray).map((v, i) => `${quoteJsonString(fields[i]?.name ?? `f${i + 1}`)}:${toJsonText(fields[i]?.type ?? T.text, v, s)}`).join(',') + '}';
    }
    case 'bool': return d ? 'true' : 'false';
    case 'int2': case 'int4': case 'int8': case 'oid': return String(d);
    case 'float4': case 'float8': case 'numeric': {
      const txt = datumToText(t, d, s);
      return /^-?\d/.test(txt) ? txt : quoteJsonString(txt);
    }
    case 'json': return d as string;
    case 'jsonb': return jsonToText((d as Jsonb).value);
    case 'date': case 'timestamp': case 'timestamptz': return quoteJsonString(jsonDateTime(t, d, s));
    default: return quoteJsonString(datumToText(t, d, s));
  }
}

// ---- json text scanning (verbatim sub-values) ----------------------------------------------

function skipWs(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) i++; else break;
  }
  return i;
}
function skipString(s: string, i: number): number {
  i++;
  while (i < s.length) {
    const c = s[i];
    if (c === '\\') i += 2;
    else if (c === '"') return i + 1;
    else i++;
  }
  return i;
}
/** index just past the value starting at i (input already validated) */
function skipValue(s: string, i: number): number {
  i = skipWs(s, i);
  const c = s[i];
  if (c === '"') return skipString(s, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    for (; i < s.length; i++) {
      const ch = s[i];
      if (ch === '"') { i = skipString(s, i) - 1; continue; }
      if (ch === '{' || ch === '[') depth++;
      else if (ch === '}' || ch === ']') { depth--; if (depth === 0) return i + 1; }
    }
    return i;
  }
  while (i < s.length && !/[\s,\]}]/.test(s[i]!)) i++;
  return i;
}
type Span = [number, number];
/** top-level members of a json text: object → [key, span][], array → span[], scalar → null */
function jsonMembers(s: string): { kind: 'object'; items: [string, Span][] } | { kind: 'array'; items: Span[] } | { kind: 'scalar' } {
  let i = skipWs(s, 0);
  if (s[i] === '{') {
    const items: [string, Span][] = [];
    i = skipWs(s, i + 1);
    if (s[i] === '}') return { kind: 'object', items };
    for (;;) {
      i = skipWs(s, i);
      const ke = skipString(s, i);
      const key = JSON.parse(s.slice(i, ke)) as string;
      i = skipWs(s, ke) + 1; // ':'
      const vs = skipWs(s, i);
      const ve = skipValue(s, vs);
      items.push([key, [vs, ve]]);
      i = skipWs(s, ve);
      if (s[i] !== ',') break;
      i++;
    }
    return { kind: 'object', items };
  }
  if (s[i] === '[') {
    const items: Span[] = [];
    i = skipWs(s, i + 1);
    if (s[i] === ']') return { kind: 'array', items };
    for (;;) {
      const vs = skipWs(s, i);
      const ve = skipValue(s, vs);
      items.push([vs, ve]);
      i = skipWs(s, ve);
      if (s[i] !== ',') break;
      i++;
    }
    return { kind: 'array', items };
  }
  return { kind: 'scalar' };
}
/** json_array_elements: verbatim element texts */
export function jsonArrayElements(s: string): string[] {
  const m = jsonMembers(s);
  if (m.kind === 'array') return m.items.map(([a, b]) => s.slice(a, b));
  if (m.kind === 'object') throw new SqlError(SqlState.InvalidParameterValue, 'cannot extract elements from an object');
  throw new SqlError(SqlState.InvalidParameterValue, 'cannot extract elements from a scalar');
}
function jsonGetField(s: string, key: string): string | null {
  const m = jsonMembers(s);
  if (m.kind !== 'object') return null;
  let found: Span | null = null;
  for (const [k, sp] of m.items) if (k === key) found = sp; // last duplicate wins, as in PG
  return found ? s.slice(found[0], found[1]) : null;
}
function jsonGetElem(s: string, idx: number): string | null {
  const m = jsonMembers(s);
  if (m.kind !== 'array') return null;
  const n = m.items.length;
  const k = idx < 0 ? n + idx : idx;
  const sp = m.items[k];
  return sp ? s.slice(sp[0], sp[1]) : null;
}
/** ->> on json text: strings are de-quoted, JSON null becomes SQL NULL */
function jsonTextValue(sub: string | null): string | null {
  if (sub === null) return null;
  const t = sub.trim();
  if (t === 'null') return null;
  if (t.startsWith('"')) return JSON.parse(t) as string;
  return t;
}
function jsonGetPath(s: string, path: DatumArray): string | null {
  let cur: string | null = s;
  for (const p of path) {
    if (cur === null || p === null) return null;
    const m = jsonMembers(cur);
    if (m.kind === 'object') cur = jsonGetField(cur, p as string);
    else if (m.kind === 'array') {
      const n = /^-?\d+$/.test(p as string) ? Number(p) : NaN;
      if (Number.isNaN(n)) return null;
      cur = jsonGetElem(cur, n);
    } else return null;
  }
  return cur;
}

// ---- jsonb navigation ---------------------------------------------------------------------

function getField(v: JsonValue, key: string): JsonValue | undefined {
  return isObj(v) ? v.get(key) : undefined;
}
function getElem(v: JsonValue, idx: number): JsonValue | undefined {
  // a scalar jsonb is stored as a one-element raw-scalar array, so -> 0 / -> -1 return it
  if (!Array.isArray(v)) return !isObj(v) && (idx === 0 || idx === -1) ? v : undefined;
  const k = idx < 0 ? v.length + idx : idx;
  return k >= 0 && k < v.length ? v[k] : undefined;
}
function getPath(v: JsonValue, path: DatumArray): JsonValue | undefined {
  let cur: JsonValue | undefined = v;
  for (const p of path) {
    if (cur === undefined || p === null) return undefined;
    if (isObj(cur)) cur = cur.get(p as string);
    else if (Array.isArray(cur)) {
      if (!/^\s*-?\d+\s*$/.test(p as string)) return undefined;
      cur = getElem(cur, Number(p));
    } else return undefined;
  }
  return cur;
}
/** ->> text form of a jsonb value: strings unquoted, null → SQL NULL */
export function jsonbText(v: JsonValue | undefined): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  return jsonToText(v);
}

function jsonbConcat(a: JsonValue, b: JsonValue): JsonValue {
  if (isObj(a) && isObj(b)) return jsonObject([...a, ...b]);
  const la = Array.isArray(a) ? a : [a];
  const lb = Array.isArray(b) ? b : [b];
  return [...la, ...lb];
}

function jsonbSet(target: JsonValue, path: DatumArray, nv: JsonValue, create: boolean, level = 0): JsonValue {
  if (level >= path.length) return nv;
  const p = path[level];
  if (p === null) {
    throw new SqlError(SqlState.NullValueNotAllowed, `path element at position ${level + 1} is null`);
  }
  const key = p as string;
  const last = level === path.length - 1;
  if (isObj(target)) {
    const cur = target.get(key);
    if (cur === undefined) {
      if (!last || !create) return target;
      return jsonObject([...target, [key, nv]]);
    }
    const out = new Map(target);
    out.set(key, jsonbSet(cur, path, nv, create, level + 1));
    return out;
  }
  if (Array.isArray(target)) {
    if (!/^\s*-?\d+\s*$/.test(key)) {
      throw new SqlError(SqlState.InvalidTextRepresentation, `path element at position ${level + 1} is not an integer: "${key}"`);
    }
    let idx = Number(key);
    const n = target.length;
    if (idx < 0) idx += n;
    if (idx >= 0 && idx < n) {
      const out = target.slice();
      out[idx] = jsonbSet(target[idx]!, path, nv, create, level + 1);
      return out;
    }
    if (!last || !create) return target;
    return idx < 0 ? [nv, ...target] : [...target, nv];
  }
  if (level === 0) throw new SqlError(SqlState.InvalidParameterValue, 'cannot set path in scalar');
  return target;
}

function jsonbDeletePath(target: JsonValue, path: DatumArray, level = 0): JsonValue {
  if (level >= path.length) return target;
  const key = path[level] as string;
  const last = level === path.length - 1;
  if (isObj(target)) {
    const cur = target.get(key);
    if (cur === undefined) return target;
    const out = new Map(target);
    if (last) out.delete(key); else out.set(key, jsonbDeletePath(cur, path, level + 1));
    return out;
  }
  if (Array.isArray(target)) {
    if (!/^\s*-?\d+\s*$/.test(key)) return target;
    let idx = Number(key);
    if (idx < 0) idx += target.length;
    if (idx < 0 || idx >= target.length) return target;
    const out = target.slice();
    if (last) out.splice(idx, 1); else out[idx] = jsonbDeletePath(target[idx]!, path, level + 1);
    return out;
  }
  return target;
}

function stripNulls(v: JsonValue): JsonValue {
  if (isObj(v)) {
    const out = new Map<string, JsonValue>();
    for (const [k, x] of v) if (x !== null) out.set(k, stripNulls(x));
    return out;
  }
  if (Array.isArray(v)) return v.map(stripNulls);
  return v;
}

export function jsonbPretty(v: JsonValue, indent = ''): string {
  const inner = indent + '    ';
  if (isObj(v)) {
    if (v.size === 0) return '{\n' + indent + '}';
    const parts = [...v].map(([k, x]) => inner + quoteJsonString(k) + ': ' + jsonbPretty(x, inner));
    return '{\n' + parts.join(',\n') + '\n' + indent + '}';
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return '[\n' + indent + ']';
    return '[\n' + v.map((x) => inner + jsonbPretty(x, inner)).join(',\n') + '\n' + indent + ']';
  }
  return jsonToText(v);
}

function arrayLength(v: JsonValue): number {
  if (Array.isArray(v)) return v.length;
  if (isObj(v)) throw new SqlError(SqlState.InvalidParameterValue, 'cannot get array length of a non-array');
  throw new SqlError(SqlState.InvalidParameterValue, 'cannot get array length of a scalar');
}

function keyExists(v: JsonValue, k: string): boolean {
  if (isObj(v)) return v.has(k);
  if (Array.isArray(v)) return v.some((x) => x === k);
  return typeof v === 'string' && v === k;
}

function buildObjectArgsCheck(n: number, name: string): void {
  if (n % 2 !== 0) {
    throw new SqlError(SqlState.InvalidParameterValue, 'argument list must have even number of elements',
      { hint: `The arguments of ${name}() must consist of alternating keys and values.` });
  }
}
/** object keys print like their JSON text, so true becomes "true" */
function keyText(t: SqlType, d: Datum, s: ValueSettings, pos: number, jsonb: boolean): string {
  if (d === null) {
    if (jsonb) throw new SqlError(SqlState.InvalidParameterValue, `argument ${pos + 1}: key must not be null`);
    throw new SqlError(SqlState.InvalidParameterValue, `argument ${pos + 1} cannot be null`, { hint: 'Object keys should be text.' });
  }
  if (t.kind === 'scalar' && t.name === 'bool') return d ? 'true' : 'false';
  return datumToText(t, d, s);
}

export function registerJson(): void {
  const txt = (d: Datum): string => d as string;
  fn('to_json(anyelement) -> json', () => null, {
    volatility: 'stable', bind: (types) => (a, c) => toJsonText(types[0]!, a[0]!, c.settings),
  });
  fn('row_to_json(anyelement) -> json', () => null, {
    volatility: 'stable', bind: (types) => (a, c) => toJsonText(types[0]!, a[0]!, c.settings),
  });
  fn('to_jsonb(anyelement) -> jsonb', () => null, {
    volatility: 'stable', bind: (types) => (a, c) => jb(toJsonValue(types[0]!, a[0]!, c.settings)),
  });
  fn('array_to_json(anyarray) -> json', () => null, {
    volatility: 'stable', bind: (types) => (a, c) => toJsonText(types[0]!, a[0]!, c.settings),
  });
  fn('json_build_object() -> json', () => '{}');
  fn('jsonb_build_object() -> jsonb', () => jb(new Map()));
  fn('json_build_array() -> json', () => '[]');
  fn('jsonb_build_array() -> jsonb', () => jb([]));
  fn('json_build_object(variadic any) -> json', () => null, {
    strict: false, volatility: 'stable',
    bind: (types) => {
      return (a, c) => {
        buildObjectArgsCheck(types.length, 'json_build_object');
        const parts: string[] = [];
        for (let i = 0; i < a.length; i += 2) {
          parts.push(quoteJsonString(keyText(types[i]!, a[i]!, c.settings, i, false)) + ' : ' + toJsonText(types[i + 1]!, a[i + 1]!, c.settings));
        }
        return '{' + parts.join(', ') + '}';
      };
    },
  });
  fn('jsonb_build_object(variadic any) -> jsonb', () => null, {
    strict: false, volatility: 'stable',
    bind: (types) => {
      return (a, c) => {
        buildObjectArgsCheck(types.length, 'jsonb_build_object');
        const entries: [string, JsonValue][] = [];
        for (let i = 0; i < a.length; i += 2) {
          entries.push([keyText(types[i]!, a[i]!, c.settings, i, true), toJsonValue(types[i + 1]!, a[i + 1]!, c.settings)]);
        }
        return jb(jsonObject(entries));
      };
    },
  });
  fn('json_build_array(variadic any) -> json', () => null, {
    strict: false, volatility: 'stable',
    bind: (types) => (a, c) => '[' + a.map((x, i) => toJsonText(types[i]!, x, c.settings)).join(', ') + ']',
  });
  fn('jsonb_build_array(variadic any) -> jsonb', () => null, {
    strict: false, volatility: 'stable',
    bind: (types) => (a, c) => jb(a.map((x, i) => toJsonValue(types[i]!, x, c.settings))),
  });
  fn('json_object(text[]) -> json', (a) => {
    const arr = a[0] as DatumArray;
    if (arr.length % 2) throw new SqlError('2202E', 'array must have even number of elements');
    const parts: string[] = [];
    for (let i = 0; i < arr.length; i += 2) {
      parts.push(quoteJsonString(arr[i] as string) + ' : ' + (arr[i + 1] === null ? 'null' : quoteJsonString(arr[i + 1] as string)));
    }
    return '{' + parts.join(', ') + '}';
  });
  fn('jsonb_object(text[]) -> jsonb', (a) => {
    const arr = a[0] as DatumArray;
    if (arr.length % 2) throw new SqlError('2202E', 'array must have even number of elements');
    const e: [string, JsonValue][] = [];
    for (let i = 0; i < arr.length; i += 2) e.push([arr[i] as string, arr[i + 1] as string | null]);
    return jb(jsonObject(e));
  });
  fn('jsonb_typeof(jsonb) -> text', (a) => jsonTypeof(jv(a[0]!)));
  fn('json_typeof(json) -> text', (a) => {
    const s = txt(a[0]!).trim();
    const c = s[0];
    return c === '{' ? 'object' : c === '[' ? 'array' : c === '"' ? 'string' : s === 'null' ? 'null' : s === 'true' || s === 'false' ? 'boolean' : 'number';
  });
  fn('jsonb_array_length(jsonb) -> int4', (a) => arrayLength(jv(a[0]!)));
  fn('json_array_length(json) -> int4', (a) => {
    const m = jsonMembers(txt(a[0]!));
    if (m.kind === 'array') return m.items.length;
    if (m.kind === 'object') throw new SqlError(SqlState.InvalidParameterValue, 'cannot get array length of a non-array');
    throw new SqlError(SqlState.InvalidParameterValue, 'cannot get array length of a scalar');
  });
  // navigation operators
  op('->(jsonb, text) -> jsonb', (a) => { const r = getField(jv(a[0]!), txt(a[1]!)); return r === undefined ? null : jb(r); });
  op('->(jsonb, int4) -> jsonb', (a) => { const r = getElem(jv(a[0]!), a[1] as number); return r === undefined ? null : jb(r); });
  op('->>(jsonb, text) -> text', (a) => jsonbText(getField(jv(a[0]!), txt(a[1]!))));
  op('->>(jsonb, int4) -> text', (a) => jsonbText(getElem(jv(a[0]!), a[1] as number)));
  op('#>(jsonb, text[]) -> jsonb', (a) => { const r = getPath(jv(a[0]!), a[1] as DatumArray); return r === undefined ? null : jb(r); });
  op('#>>(jsonb, text[]) -> text', (a) => jsonbText(getPath(jv(a[0]!), a[1] as DatumArray)));
  op('->(json, text) -> json', (a) => jsonGetField(txt(a[0]!), txt(a[1]!)));
  op('->(json, int4) -> json', (a) => jsonGetElem(txt(a[0]!), a[1] as number));
  op('->>(json, text) -> text', (a) => jsonTextValue(jsonGetField(txt(a[0]!), txt(a[1]!))));
  op('->>(json, int4) -> text', (a) => jsonTextValue(jsonGetElem(txt(a[0]!), a[1] as number)));
  op('#>(json, text[]) -> json', (a) => jsonGetPath(txt(a[0]!), a[1] as DatumArray));
  op('#>>(json, text[]) -> text', (a) => jsonTextValue(jsonGetPath(txt(a[0]!), a[1] as DatumArray)));
  fn('jsonb_extract_path(jsonb, variadic text) -> jsonb', (a) => {
    const r = getPath(jv(a[0]!), a.slice(1));
    return r === undefined ? null : jb(r);
  });
  fn('jsonb_extract_path_text(jsonb, variadic text) -> text', (a) => jsonbText(getPath(jv(a[0]!), a.slice(1))));
  fn('json_extract_path(json, variadic text) -> json', (a) => jsonGetPath(txt(a[0]!), a.slice(1)));
  fn('json_extract_path_text(json, variadic text) -> text', (a) => jsonTextValue(jsonGetPath(txt(a[0]!), a.slice(1))));
  // containment / existence / modification
  op('@>(jsonb, jsonb) -> bool', (a) => jsonbContains(jv(a[0]!), jv(a[1]!)));
  op('<@(jsonb, jsonb) -> bool', (a) => jsonbContains(jv(a[1]!), jv(a[0]!)));
  op('?(jsonb, text) -> bool', (a) => keyExists(jv(a[0]!), txt(a[1]!)));
  op('?|(jsonb, text[]) -> bool', (a) => (a[1] as DatumArray).some((k) => k !== null && keyExists(jv(a[0]!), k as string)));
  op('?&(jsonb, text[]) -> bool', (a) => (a[1] as DatumArray).every((k) => k === null || keyExists(jv(a[0]!), k as string)));
  op('||(jsonb, jsonb) -> jsonb', (a) => jb(jsonbConcat(jv(a[0]!), jv(a[1]!))));
  op('-(jsonb, text) -> jsonb', (a) => {
    const v = jv(a[0]!), k = txt(a[1]!);
    if (isObj(v)) { if (!v.has(k)) return a[0]!; const m = new Map(v); m.delete(k); return jb(m); }
    if (Array.isArray(v)) return jb(v.filter((x) => x !== k));
    throw new SqlError(SqlState.InvalidParameterValue, 'cannot delete from scalar');
  });
  op('-(jsonb, text[]) -> jsonb', (a) => {
    const v = jv(a[0]!);
    const keys = new Set((a[1] as DatumArray).filter((k) => k !== null) as string[]);
    if (isObj(v)) return jb(new Map([...v].filter(([k]) => !keys.has(k))));
    if (Array.isArray(v)) return jb(v.filter((x) => !(typeof x === 'string' && keys.has(x))));
    throw new SqlError(SqlState.InvalidParameterValue, 'cannot delete from scalar');
  });
  op('-(jsonb, int4) -> jsonb', (a) => {
    const v = jv(a[0]!);
    if (isObj(v)) throw new SqlError(SqlState.InvalidParameterValue, 'cannot delete from object using integer index');
    if (!Array.isArray(v)) throw new SqlError(SqlState.InvalidParameterValue, 'cannot delete from scalar');
    let i = a[1] as number;
    if (i < 0) i += v.length;
    if (i < 0 || i >= v.length) return a[0]!;
    const out = v.slice(); out.splice(i, 1);
    return jb(out);
  });
  op('#-(jsonb, text[]) -> jsonb', (a) => {
    const v = jv(a[0]!);
    if (!isObj(v) && !Array.isArray(v)) throw new SqlError(SqlState.InvalidParameterValue, 'cannot delete path in scalar');
    return jb(jsonbDeletePath(v, a[1] as DatumArray));
  });
  fn('jsonb_set(jsonb, text[], jsonb) -> jsonb', (a) => jb(jsonbSet(jv(a[0]!), a[1] as DatumArray, jv(a[2]!), true)));
  fn('jsonb_set(jsonb, text[], jsonb, bool) -> jsonb', (a) => jb(jsonbSet(jv(a[0]!), a[1] as DatumArray, jv(a[2]!), a[3] as boolean)));
  fn('jsonb_insert(jsonb, text[], jsonb) -> jsonb', (a) => jb(jsonbInsert(jv(a[0]!), a[1] as DatumArray, jv(a[2]!), false)));
  fn('jsonb_insert(jsonb, text[], jsonb, bool) -> jsonb', (a) => jb(jsonbInsert(jv(a[0]!), a[1] as DatumArray, jv(a[2]!), a[3] as boolean)));
  fn('jsonb_pretty(jsonb) -> text', (a) => jsonbPretty(jv(a[0]!)));
  fn('jsonb_strip_nulls(jsonb) -> jsonb', (a) => jb(stripNulls(jv(a[0]!))));
  fn('json_strip_nulls(json) -> json', (a) => toJsonTextFromValue(stripNullsOrdered(txt(a[0]!))));
  fn('jsonb_exists(jsonb, text) -> bool', (a) => keyExists(jv(a[0]!), txt(a[1]!)));
  fn('jsonb_contains(jsonb, jsonb) -> bool', (a) => jsonbContains(jv(a[0]!), jv(a[1]!)));
}

function jsonbInsert(target: JsonValue, path: DatumArray, nv: JsonValue, after: boolean): JsonValue {
  if (path.length === 0) return target;
  const parentPath = path.slice(0, -1);
  const key = path[path.length - 1] as string;
  const parent = getPath(target, parentPath);
  if (parent === undefined) return target;
  let updated: JsonValue;
  if (isObj(parent)) {
    if (parent.has(key)) throw new SqlError(SqlState.InvalidParameterValue, 'cannot replace existing key', { hint: 'Try using the function jsonb_set to replace key value.' });
    updated = jsonObject([...parent, [key, nv]]);
  } else if (Array.isArray(parent)) {
    let idx = Number(key);
    if (idx < 0) idx += parent.length;
    idx = Math.max(0, Math.min(parent.length, idx + (after ? 1 : 0)));
    updated = [...parent.slice(0, idx), nv, ...parent.slice(idx)];
  } else return target;
  return parentPath.length ? jsonbSet(target, parentPath, updated, false) : updated;
}

/** json_strip_nulls keeps key order: work on an ordered plain tree */
type Plain = null | boolean | string | number | Plain[] | { [k: string]: Plain };
function stripNullsOrdered(s: string): Plain {
  const strip = (v: Plain): Plain => {
    if (Array.isArray(v)) return v.map(strip);
    if (v !== null && typeof v === 'object') {
      const o: { [k: string]: Plain } = {};
      for (const [k, x] of Object.entries(v)) if (x !== null) o[k] = strip(x);
      return o;
    }
    return v;
  };
  return strip(JSON.parse(s) as Plain);
}
function toJsonTextFromValue(v: Plain): string {
  return JSON.stringify(v);
}
