// JSON values. `json` Datums are kept as their verbatim text; `jsonb` Datums are Jsonb, a parsed,
// normalized tree. Numbers are Numeric (jsonb numbers are PG numerics: '1.50' prints 1.50,
// 1e2 prints 100), objects are Maps kept in jsonb key order (shorter keys first, then bytewise),
// with duplicate keys resolved last-wins.
import { SqlError, SqlState } from '../errors.js';
import { Numeric } from './numeric.js';

export type JsonObject = Map<string, JsonValue>;
export type JsonValue = null | boolean | string | Numeric | JsonValue[] | JsonObject;

export class Jsonb {
  constructor(readonly value: JsonValue) {}
  toString(): string { return jsonToText(this.value); }
}

/** jsonb key order: shorter first, then by UTF-8 bytes (= code point order). */
export function compareJsonKeys(a: string, b: string): number {
  const la = utf8Length(a);
  const lb = utf8Length(b);
  if (la !== lb) return la - lb;
  return compareCodePoints(a, b);
}

/** Compare strings by Unicode code point (UTF-8 byte order), not UTF-16 units. */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      // surrogates (D800–DFFF) encode code points above FFFF, so they sort after E000–FFFF
      if (x >= 0xd800 && y >= 0xd800) {
        const xs = x <= 0xdfff;
        const ys = y <= 0xdfff;
        if (xs !== ys) return xs ? 1 : -1;
      }
      return x < y ? -1 : 1;
    }
  }
  return a.length - b.length < 0 ? -1 : a.length === b.length ? 0 : 1;
}

export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) { n += 4; i++; }
    else n += 3;
  }
  return n;
}

/** Build a jsonb object from entries: last duplicate wins, keys in jsonb order. */
export function jsonObject(entries: Iterable<readonly [string, JsonValue]>): JsonObject {
  const tmp = new Map<string, JsonValue>();
  for (const [k, v] of entries) tmp.set(k, v);
  return sortObject(tmp);
}
function sortObject(m: Map<string, JsonValue>): JsonObject {
  let prev: string | null = null;
  let sorted = true;
  for (const k of m.keys()) {
    if (prev !== null && compareJsonKeys(prev, k) >= 0) { sorted = false; break; }
    prev = k;
  }
  if (sorted) return m;
  return new Map([...m.entries()].sort((x, y) => compareJsonKeys(x[0], y[0])));
}

// ---------------------------------------------------------------- parsing

function jsonError(detail: string, code: string = SqlState.InvalidTextRepresentation): SqlError {
  return new SqlError(code, 'invalid input syntax for type json', { detail });
}

class Parser {
  i = 0;
  constructor(readonly s: string, readonly forJsonb: boolean) {}

  ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.i++;
      else break;
    }
  }
  tokenAt(): string {
    const m = /^[A-Za-z0-9_\-+.]+|^./su.exec(this.s.slice(this.i));
    return m ? m[0] : '';
  }
  fail(): never {
    if (this.i >= this.s.length) throw jsonError('The input string ended unexpectedly.');
    throw jsonError(`Token "${this.tokenAt()}" is invalid.`);
  }
  value(): JsonValue {
    this.ws();
    const s = this.s;
    const c = s.charCodeAt(this.i);
    switch (c) {
      case 123: return this.object();
      case 91: return this.array();
      case 34: return this.string();
      case 116: return this.word('true', true);
      case 102: return this.word('false', false);
      case 110: return this.word('null', null);
      default:
        if (c === 45 || (c >= 48 && c <= 57)) return this.number();
        return this.fail();
    }
  }
  word(w: string, v: JsonValue): JsonValue {
    const tok = this.tokenAt();
    if (tok !== w) this.fail();
    this.i += w.length;
    return v;
  }
  number(): Numeric {
    const s = this.s;
    const start = this.i;
    const m = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    m.lastIndex = start;
    const r = m.exec(s);
    if (!r) this.fail();
    const end = start + r[0].length;
    // a number glued to letters ("1abc", "01") is one invalid token in PG's lexer
    if (end < s.length && /[A-Za-z0-9_.]/.test(s[end]!)) {
      const t = /[A-Za-z0-9_.+-]*/y;
      t.lastIndex = start;
      const tok = t.exec(s)?.[0] ?? '';
      throw jsonError(`Token "${tok}" is invalid.`);
    }
    this.i = end;
    return Numeric.fromString(r[0]);
  }
  string(): string {
    const s = this.s;
    let i = this.i + 1;
    let out = '';
    let chunk = i;
    for (;;) {
      if (i >= s.length) throw jsonError('The input string ended unexpectedly.');
      const c = s.charCodeAt(i);
      if (c === 34) break;
      if (c < 0x20) {
        throw jsonError(`Character with value 0x${c.toString(16).padStart(2, '0')} must be escaped.`);
      }
      if (c === 92) {
        out += s.slice(chunk, i);
        const e = s[i + 1];
        switch (e) {
          case '"': out += '"'; break;
          case '\\': out += '\\'; break;
          case '/': out += '/'; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'n': out += '\n'; break;
          case 'r': out += '\r'; break;
          case 't': out += '\t'; break;
          case 'u': {
            const hex = s.slice(i + 2, i + 6);
            if (!/^[0-9A-Fa-f]{4}$/.test(hex)) throw jsonError('"\\u" must be followed by four hexadecimal digits.');
            const code = parseInt(hex, 16);
            if (code === 0 && this.forJsonb) {
              throw new SqlError(SqlState.UntranslatableCharacter, 'unsupported Unicode escape sequence', { detail: '\\u0000 cannot be converted to text.' });
            }
            if (code >= 0xd800 && code <= 0xdbff) {
              const lo = /^\\u([dD][c-fC-F][0-9A-Fa-f]{2})/.exec(s.slice(i + 6, i + 12));
              if (!lo) throw new SqlError(SqlState.InvalidTextRepresentation, 'invalid input syntax for type json', { detail: 'Unicode high surrogate must not follow a high surrogate.' });
              out += String.fromCharCode(code, parseInt(lo[1]!, 16));
              i += 6;
            } else if (code >= 0xdc00 && code <= 0xdfff) {
              throw jsonError('Unicode low surrogate must follow a high surrogate.');
            } else {
              out += String.fromCharCode(code);
            }
            i += 4;
            break;
          }
          default:
            throw jsonError(`Escape sequence "\\${e ?? ''}" is invalid.`);
        }
        i += 2;
        chunk = i;
        continue;
      }
      i++;
    }
    out += s.slice(chunk, i);
    this.i = i + 1;
    return out;
  }
  array(): JsonValue[] {
    this.i++;
    const out: JsonValue[] = [];
    this.ws();
    if (this.s.charCodeAt(this.i) === 93) { this.i++; return out; }
    for (;;) {
      out.push(this.value());
      this.ws();
      const c = this.s.charCodeAt(this.i);
      if (c === 44) { this.i++; continue; }
      if (c === 93) { this.i++; return out; }
      this.fail();
    }
  }
  object(): JsonObject {
    this.i++;
    const out = new Map<string, JsonValue>();
    this.ws();
    if (this.s.charCodeAt(this.i) === 125) { this.i++; return out; }
    for (;;) {
      this.ws();
      if (this.s.charCodeAt(this.i) !== 34) this.fail();
      const k = this.string();
      this.ws();
      if (this.s.charCodeAt(this.i) !== 58) this.fail();
      this.i++;
      const v = this.value();
      out.delete(k); // last wins
      out.set(k, v);
      this.ws();
      const c = this.s.charCodeAt(this.i);
      if (c === 44) { this.i++; continue; }
      if (c === 125) { this.i++; return this.forJsonb ? sortObject(out) : out; }
      this.fail();
    }
  }
}

/** Parse JSON text (jsonb semantics: normalized objects, Numeric numbers). 22P02 on bad input. */
export function parseJson(text: string): JsonValue {
  const p = new Parser(text, true);
  const v = p.value();
  p.ws();
  if (p.i < text.length) p.fail();
  return v;
}
/** Validate text as `json` input (json_in): same grammar, value kept verbatim by the caller. */
export function validateJson(text: string): void {
  const p = new Parser(text, false);
  p.value();
  p.ws();
  if (p.i < text.length) p.fail();
}
export function parseJsonb(text: string): Jsonb {
  return new Jsonb(parseJson(text));
}

// ---------------------------------------------------------------- output

/** escape_json: PG's JSON string quoting. */
export function quoteJsonString(s: string): string {
  let out = '"';
  let chunk = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c !== 34 && c !== 92) continue;
    out += s.slice(chunk, i);
    switch (c) {
      case 34: out += '\\"'; break;
      case 92: out += '\\\\'; break;
      case 8: out += '\\b'; break;
      case 12: out += '\\f'; break;
      case 10: out += '\\n'; break;
      case 13: out += '\\r'; break;
      case 9: out += '\\t'; break;
      default: out += '\\u' + c.toString(16).padStart(4, '0');
    }
    chunk = i + 1;
  }
  return out + s.slice(chunk) + '"';
}

/** jsonb output: ', ' and ': ' separators, keys in jsonb order, numbers as numeric text. */
export function jsonToText(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return quoteJsonString(v);
  if (v instanceof Numeric) return v.toString();
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) out += (i ? ', ' : '') + jsonToText(v[i]!);
    return out + ']';
  }
  let out = '{';
  let first = true;
  for (const [k, x] of sortObject(v)) {
    out += (first ? '' : ', ') + quoteJsonString(k) + ': ' + jsonToText(x);
    first = false;
  }
  return out + '}';
}

/** json_typeof / jsonb_typeof names. */
export function jsonTypeof(v: JsonValue): 'null' | 'boolean' | 'string' | 'number' | 'array' | 'object' {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'string') return 'string';
  if (v instanceof Numeric) return 'number';
  if (Array.isArray(v)) return 'array';
  return 'object';
}

// ---------------------------------------------------------------- comparison

/** jsonb btree rank: Object > Array > Boolean > Number > String > Null. */
function rank(v: JsonValue): number {
  if (v === null) return 0;
  if (typeof v === 'string') return 1;
  if (v instanceof Numeric) return 2;
  if (typeof v === 'boolean') return 3;
  if (Array.isArray(v)) return 4;
  return 5;
}

/**
 * PG's jsonb ordering (compareJsonbContainers), C collation for strings. At top level a scalar is
 * a one-element "raw scalar" array: arrays compare by element count first, so [] < null < [1, 2]
 * and false > [].
 */
export function compareJson(a: JsonValue, b: JsonValue): number {
  const aArr = Array.isArray(a);
  const bArr = Array.isArray(b);
  const aObj = a instanceof Map;
  const bObj = b instanceof Map;
  if (aObj || bObj) return aObj && bObj ? compareNested(a, b) : aObj ? 1 : -1;
  const na = aArr ? (a as JsonValue[]).length : 1;
  const nb = bArr ? (b as JsonValue[]).length : 1;
  let res = aArr === bArr ? 0 : aArr ? 1 : -1;
  if (na !== nb) res = na > nb ? 1 : -1;
  if (res !== 0) return res;
  return compareNested(a, b);
}

function compareNested(a: JsonValue, b: JsonValue): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0: return 0;
    case 1: return compareCodePoints(a as string, b as string);
    case 2: return (a as Numeric).cmp(b as Numeric);
    case 3: return (a === b) ? 0 : a ? 1 : -1;
    case 4: {
      const x = a as JsonValue[];
      const y = b as JsonValue[];
      if (x.length !== y.length) return x.length < y.length ? -1 : 1;
      for (let i = 0; i < x.length; i++) {
        const c = compareNested(x[i]!, y[i]!);
        if (c !== 0) return c;
      }
      return 0;
    }
    default: {
      const x = sortObject(a as JsonObject);
      const y = sortObject(b as JsonObject);
      if (x.size !== y.size) return x.size < y.size ? -1 : 1;
      const ix = x.entries();
      const iy = y.entries();
      for (;;) {
        const ex = ix.next();
        const ey = iy.next();
        if (ex.done || ey.done) return 0;
        // keys are visited in storage order but compared as plain strings
        const kc = compareCodePoints(ex.value[0], ey.value[0]);
        if (kc !== 0) return kc < 0 ? -1 : 1;
        const vc = compareNested(ex.value[1], ey.value[1]);
        if (vc !== 0) return vc;
      }
    }
  }
}
export function jsonEquals(a: JsonValue, b: JsonValue): boolean {
  return compareJson(a, b) === 0;
}
/** Key for hashing: equal per compareJson ⇒ equal key (numbers normalized by scale). */
export function jsonKey(v: JsonValue): string {
  if (v === null) return 'n';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof Numeric) return '#' + v.key();
  if (Array.isArray(v)) return '[' + v.map(jsonKey).join(',') + ']';
  let out = '{';
  for (const [k, x] of sortObject(v)) out += JSON.stringify(k) + ':' + jsonKey(x) + ',';
  return out + '}';
}

/** jsonb @> (JsonbDeepContains), including PG's rule that a top-level array contains a bare scalar. */
export function jsonbContains(a: JsonValue, b: JsonValue): boolean {
  if (Array.isArray(a) && !Array.isArray(b) && !(b instanceof Map)) {
    return a.some((x) => !Array.isArray(x) && !(x instanceof Map) && jsonEquals(x, b));
  }
  return contains(a, b);
}
function contains(a: JsonValue, b: JsonValue): boolean {
  if (a instanceof Map) {
    if (!(b instanceof Map)) return false;
    for (const [k, bv] of b) {
      if (!a.has(k)) return false;
      const av = a.get(k)!;
      if (isContainer(bv)) {
        if (!isContainer(av) || Array.isArray(av) !== Array.isArray(bv)) return false;
        if (!contains(av, bv)) return false;
      } else if (isContainer(av) || !jsonEquals(av, bv)) return false;
    }
    return true;
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b)) return false;
    for (const bv of b) {
      if (isContainer(bv)) {
        if (!a.some((av) => isContainer(av) && Array.isArray(av) === Array.isArray(bv) && contains(av, bv))) return false;
      } else if (!a.some((av) => !isContainer(av) && jsonEquals(av, bv))) return false;
    }
    return true;
  }
  if (isContainer(b)) return false;
  return jsonEquals(a, b);
}
function isContainer(v: JsonValue): v is JsonValue[] | JsonObject {
  return Array.isArray(v) || v instanceof Map;
}

/** Convert a JSON tree to a plain JS value (numbers as JS numbers) — for tests and debugging. */
export function jsonToPlain(v: JsonValue): unknown {
  if (v instanceof Numeric) return v.toNumber();
  if (Array.isArray(v)) return v.map(jsonToPlain);
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, jsonToPlain(x)]));
  return v;
}
/** Plain JS value → JsonValue (numbers via shortest text). */
export function jsonFromPlain(x: unknown): JsonValue {
  if (x === null || x === undefined) return null;
  if (typeof x === 'boolean' || typeof x === 'string') return x;
  if (typeof x === 'number') return Numeric.fromNumber(x);
  if (typeof x === 'bigint') return Numeric.fromBigInt(x);
  if (x instanceof Numeric) return x;
  if (Array.isArray(x)) return x.map(jsonFromPlain);
  if (x instanceof Map) return jsonObject([...x].map(([k, v]) => [String(k), jsonFromPlain(v)] as const));
  if (typeof x === 'object') return jsonObject(Object.entries(x).map(([k, v]) => [k, jsonFromPlain(v)] as const));
  return String(x);
}
