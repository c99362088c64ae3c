// String functions and operators (varlena.c, oracle_compat.c, like.c, regexp.c).
import { createHash } from 'node:crypto';
import type { Datum } from '../../core/datum.js';
import { SqlError, SqlState } from '../../core/errors.js';
import { Numeric } from '../../core/values/numeric.js';
import { DEFAULT_VALUE_SETTINGS, type ValueSettings } from '../../core/values/settings.js';
import { castDatum } from '../../core/values/io.js';
import { T, type SqlType } from '../../core/types.js';
import { fn, op, type ScalarImpl } from './define.js';
import {
  charLength, chars, cpSlice, hasSurrogates, utf8ByteLength, utf8Bytes, datumToText, invalidRegex,
} from './text-util.js';

const str = (d: Datum): string => d as string;
const int = (d: Datum): number => d as number;

/** $1::text, as PG's SQL-language wrappers (anytextcat, quote_literal(anyelement)) do: bool gives 'true' */
function castToText(t: SqlType, d: Datum, s: ValueSettings): string {
  if (t.kind === 'scalar' && t.name === 'bool') return d ? 'true' : 'false';
  return castDatum(t, T.text, d, s) as string;
}

// ---- LIKE -------------------------------------------------------------------

const likeCache = new Map<string, RegExp>();
/** Translate a LIKE pattern (backslash escape) to an anchored RegExp. */
export function likeRegex(pattern: string, ci: boolean): RegExp {
  const key = (ci ? 'i' : 's') + pattern;
  let re = likeCache.get(key);
  if (re) return re;
  let src = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      i++;
      if (i >= pattern.length) {
        throw new SqlError(SqlState.InvalidEscapeSequence, 'LIKE pattern must not end with escape character');
      }
      src += escapeRe(pattern[i]!);
    } else if (c === '%') src += '[\\s\\S]*';
    else if (c === '_') src += '[\\s\\S]';
    else src += escapeRe(c);
  }
  src += '$';
  re = new RegExp(src, ci ? 'iu' : 'u');
  if (likeCache.size > 1000) likeCache.clear();
  likeCache.set(key, re);
  return re;
}
function escapeRe(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? '\\' + c : c;
}
/** like_escape(pattern, escape): rewrite to the default backslash escape. */
export function likeEscape(pattern: string, esc: string): string {
  if (esc === '\\') return pattern;
  if (charLength(esc) > 1) throw new SqlError(SqlState.InvalidEscapeSequence, 'invalid escape string', { hint: 'Escape string must be empty or one character.' });
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (esc !== '' && c === esc) {
      i++;
      if (i >= pattern.length) throw new SqlError(SqlState.InvalidEscapeSequence, 'LIKE pattern must not end with escape character');
      out += '\\' + pattern[i]!;
    } else if (c === '\\') out += '\\\\';
    else out += c;
  }
  return out;
}

/** similar_to_escape: SQL SIMILAR TO pattern → POSIX regex anchored on both ends (regexp.c similar_escape) */
export function similarEscape(pat: string, esc: string | null): string {
  if (esc !== null && charLength(esc) > 1) {
    throw new SqlError(SqlState.InvalidEscapeSequence, 'invalid escape string', { hint: 'Escape string must be empty or one character.' });
  }
  const e = esc === null ? '\\' : esc;
  let out = '^(?:';
  let afterEscape = false;
  let inBracket = false;
  for (const c of pat) {
    if (afterEscape) {
      out += c === '"' ? '' : '\\' + c;
      afterEscape = false;
    } else if (e !== '' && c === e) {
      afterEscape = true;
    } else if (inBracket) {
      if (c === '\\') out += '\\';
      out += c;
      if (c === ']') inBracket = false;
    } else if (c === '[') { out += c; inBracket = true; }
    else if (c === '%') out += '.*';
    else if (c === '_') out += '.';
    else if (c === '(') out += '(?:';
    else if (c === '\\' || c === '.' || c === '^' || c === '$') out += '\\' + c;
    else out += c;
  }
  return out + ')$';
}

// ---- POSIX regular expressions ---------------------------------------------

const CLASSES: Record<string, string> = {
  alpha: 'a-zA-Z', digit: '0-9', alnum: 'a-zA-Z0-9', upper: 'A-Z', lower: 'a-z', space: '\\s',
  punct: '!-\\/:-@\\[-`{-~', xdigit: '0-9A-Fa-f', word: '\\w', blank: ' \\t', cntrl: '\\x00-\\x1f\\x7f',
  print: '\\x20-\\x7e', graph: '\\x21-\\x7e',
};
const reCache = new Map<string, RegExp>();

/** Translate a PostgreSQL ARE/ERE to a JS RegExp; flags: PG flag letters (i, g, n, s, x ...). */
export function posixRegex(pattern: string, pgFlags: string, global = false): RegExp {
  const key = pgFlags + (global ? 'G' : '') + '\u0000' + pattern;
  let re = reCache.get(key);
  if (re) return re;
  let ci = false;
  let newline = false;
  let expanded = false;
  for (const f of pgFlags) {
    switch (f) {
      case 'i': ci = true; break;
      case 'c': ci = false; break;
      case 'g': break;
      case 'n': case 'w': newline = true; break;
      case 'p': case 's': case 't': case 'b': case 'e': case 'q': break;
      case 'x': expanded = true; break;
      default:
        throw new SqlError(SqlState.InvalidParameterValue, `invalid regular expression option: "${f}"`);
    }
  }
  let src = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) {
      const n = pattern[i + 1]!;
      i++;
      if (n === 'm') src += '\\b(?=\\w)';
      else if (n === 'M') src += '\\b(?<=\\w)';
      else if (n === 'y') src += '\\b';
      else if (n === 'Y') src += '\\B';
      else if (n === 'A') src += '^';
      else if (n === 'Z') src += '$';
      else src += '\\' + n;
    } else if (c === '[') {
      // bracket expression: translate [:class:] and keep a leading ] literal
      let j = i + 1;
      let body = '';
      if (pattern[j] === '^') { body += '^'; j++; }
      if (pattern[j] === ']') { body += '\\]'; j++; }
      for (; j < pattern.length && pattern[j] !== ']'; j++) {
        if (pattern[j] === '[' && pattern[j + 1] === ':') {
          const end = pattern.indexOf(':]', j + 2);
          if (end < 0) throw invalidRegex('brackets [] not balanced');
          const cls = CLASSES[pattern.slice(j + 2, end)];
          if (!cls) throw invalidRegex('invalid character class');
          body += cls;
          j = end + 1;
        } else if (pattern[j] === '\\') {
          body += '\\' + (pattern[j + 1] ?? '\\');
          j++;
        } else if (pattern[j] === '[') body += '\\[';
        else body += pattern[j]!;
      }
      if (j >= pattern.length) throw invalidRegex('brackets [] not balanced');
      src += '[' + body + ']';
      i = j;
    } else if (expanded && /\s/.test(c)) {
      continue;
    } else if (expanded && c === '#') {
      while (i < pattern.length && pattern[i] !== '\n') i++;
    } else src += c;
  }
  let flags = newline ? 'm' : 's';
  if (ci) flags += 'i';
  if (global) flags += 'g';
  try {
    re = new RegExp(src, flags);
  } catch (e) {
    throw invalidRegex(pgRegexMessage(e instanceof Error ? e.message : String(e)));
  }
  if (reCache.size > 1000) reCache.clear();
  reCache.set(key, re);
  return re;
}

/** Map V8's RegExp syntax errors onto the messages of PostgreSQL's regcomp. */
function pgRegexMessage(m: string): string {
  if (/Unterminated group|Unmatched '\)'/.test(m)) return 'parentheses () not balanced';
  if (/Unterminated character class/.test(m)) return 'brackets [] not balanced';
  if (/Nothing to repeat/.test(m)) return 'quantifier operand invalid';
  if (/numbers out of order|Incomplete quantifier/.test(m)) return 'invalid repetition count(s)';
  if (/\\ at end of pattern/.test(m)) return 'invalid escape \\ sequence';
  if (/Range out of order|Invalid character class/.test(m)) return 'invalid character range';
  return m.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '');
}

/** PG replacement string (\1..\9, \&) → JS replacement ($1, $&). */
function jsReplacement(r: string): string {
  let out = '';
  for (let i = 0; i < r.length; i++) {
    const c = r[i]!;
    if (c === '$') out += '$$';
    else if (c === '\\' && i + 1 < r.length) {
      const n = r[i + 1]!;
      if (n >= '1' && n <= '9') { out += '$' + n; i++; }
      else if (n === '&') { out += '$&'; i++; }
      else { out += n; i++; }
    } else out += c;
  }
  return out;
}

export function regexpReplace(s: string, pat: string, rep: string, flags: string): string {
  const re = posixRegex(pat, flags, flags.includes('g'));
  return s.replace(re, jsReplacement(rep));
}
/** regexp_match: captures (or the whole match) as text[], NULL when no match */
export function regexpMatch(s: string, pat: string, flags: string): Datum {
  if (flags.includes('g')) {
    throw new SqlError(SqlState.InvalidParameterValue, 'regexp_match() does not support the "global" option',
      { hint: 'Use the regexp_matches function instead.' });
  }
  const m = posixRegex(pat, flags).exec(s);
  if (!m) return null;
  return matchArray(m);
}
export function matchArray(m: RegExpExecArray): Datum[] {
  if (m.length === 1) return [m[0]];
  return m.slice(1).map((x) => (x === undefined ? null : x));
}
export function regexpSplit(s: string, pat: string, flags: string): string[] {
  if (flags.includes('g')) {
    throw new SqlError(SqlState.InvalidParameterValue, 'regexp_split_to_array() does not support the "global" option');
  }
  const re = posixRegex(pat, flags, true);
  const out: string[] = [];
  let last = 0;
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  let charSplit = false;
  while ((m = re.exec(s)) !== null) {
    if (m[0].length === 0) {
      // zero-length matches split between characters but never at the very start or end
      if (m.index >= s.length) break;
      charSplit = false;
      if (m.index === last) {
        // split off one character
        const cp = s.codePointAt(m.index)!;
        const w = cp > 0xffff ? 2 : 1;
        out.push(s.slice(last, m.index + w));
        last = m.index + w;
        charSplit = true;
        re.lastIndex = last;
        continue;
      }
      out.push(s.slice(last, m.index));
      last = m.index;
      re.lastIndex = m.index + 1;
      continue;
    }
    charSplit = false;
    out.push(s.slice(last, m.index));
    last = m.index + m[0].length;
  }
  if (!(charSplit && last >= s.length)) out.push(s.slice(last));
  return out;
}


// ---- PG 15 regexp_substr / regexp_instr / regexp_count / positional regexp_replace ----------

/** all matches of pat in s starting at 1-based character position start */
function regexMatches(s: string, pat: string, flags: string, start: number): RegExpExecArray[] {
  if (start < 1) throw new SqlError(SqlState.InvalidParameterValue, `invalid value for parameter "start": ${start}`);
  const re = posixRegex(pat, flags.replace(/g/g, ''), true);
  const from = hasSurrogates(s) ? chars(s).slice(0, start - 1).join('').length : start - 1;
  re.lastIndex = from;
  const out: RegExpExecArray[] = [];
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    out.push(m);
    if (m[0].length === 0) re.lastIndex++;
  }
  return out;
}
function checkN(n: number, what: string): void {
  if (n <= 0) throw new SqlError(SqlState.InvalidParameterValue, `invalid value for parameter "${what}": ${n}`);
}
function cpIndex(s: string, unitIdx: number): number {
  return hasSurrogates(s) ? charLength(s.slice(0, unitIdx)) : unitIdx;
}
export function regexpSubstr(s: string, pat: string, start = 1, n = 1, flags = '', sub = 0): Datum {
  checkN(n, 'n');
  if (sub < 0) throw new SqlError(SqlState.InvalidParameterValue, `invalid value for parameter "subexpr": ${sub}`);
  const m = regexMatches(s, pat, flags, start)[n - 1];
  if (!m) return null;
  if (sub >= m.length) return null;
  return m[sub] ?? null;
}
export function regexpInstr(s: string, pat: string, start = 1, n = 1, endOption = 0, flags = '', sub = 0): number {
  checkN(n, 'n');
  const m = regexMatches(s, pat, flags, start)[n - 1];
  if (!m || sub >= m.length) return 0;
  let idx = m.index;
  let text = m[0];
  if (sub > 0) {
    const g = m[sub];
    if (g === undefined) return 0;
    // approximate the group's offset by searching inside the whole match
    idx = m.index + m[0].indexOf(g);
    text = g;
  }
  return cpIndex(s, endOption ? idx + text.length : idx) + 1;
}
export function regexpReplaceN(s: string, pat: string, rep: string, start: number, n: number, flags: string): string {
  const all = regexMatches(s, pat, flags, start);
  const global = n === 0 || flags.includes('g');
  const chosen = global ? all : all.slice(n - 1, n);
  if (!chosen.length) return s;
  const jsRep = jsReplacement(rep);
  let out = '';
  let last = 0;
  for (const m of chosen) {
    out += s.slice(last, m.index);
    const single = posixRegex(pat, flags.replace(/g/g, ''));
    out += m[0].replace(single, jsRep);
    last = m.index + m[0].length;
  }
  return out + s.slice(last);
}

/** to_number(text, format): digits are read per 9/0, with separators, decimal point and signs */
export function toNumber(input: string, fmt: string): Numeric {
  const f = fmt.toUpperCase();
  let pos = 0;
  let neg = false;
  let digits = '';
  let frac = '';
  let inFrac = false;
  const skipSpaces = (): void => { while (input[pos] === ' ') pos++; };
  for (let i = 0; i < f.length; i++) {
    const c = f[i]!;
    if (f.startsWith('FM', i)) { i++; continue; }
    if (c === '9' || c === '0') {
      skipSpaces();
      if ((input[pos] === '-' || input[pos] === '+') && !digits && !inFrac) { neg = input[pos] === '-'; pos++; }
      if (input[pos] === '<' && !digits) { neg = true; pos++; }
      if (input[pos] !== undefined && input[pos]! >= '0' && input[pos]! <= '9') {
        if (inFrac) frac += input[pos]; else digits += input[pos];
        pos++;
      }
    } else if (c === '.' || c === 'D') {
      if (input[pos] === '.') pos++;
      inFrac = true;
    } else if (c === ',' || c === 'G') {
      if (input[pos] === ',') pos++;
    } else if (f.startsWith('SG', i) || f.startsWith('PL', i) || f.startsWith('MI', i)) {
      if (input[pos] === '-' || input[pos] === '+') { neg = input[pos] === '-'; pos++; }
      i++;
    } else if (c === 'S') {
      if (input[pos] === '-' || input[pos] === '+') { neg = input[pos] === '-'; pos++; }
    } else if (f.startsWith('PR', i)) {
      if (input[pos] === '>') { neg = true; pos++; }
      i++;
    } else if (c === 'L' || c === '$') {
      if (input[pos] !== undefined && !/[0-9]/.test(input[pos]!)) pos++;
    } else {
      pos++;
    }
  }
  if (!digits && !frac) {
    throw new SqlError(SqlState.InvalidTextRepresentation, `invalid input syntax for type numeric: " "`);
  }
  return Numeric.fromString((neg ? '-' : '') + (digits || '0') + (frac ? '.' + frac : ''));
}

// ---- helpers ------------------------------------------------------------------

function substr(s: string, start: number, len?: number): string {
  if (len !== undefined && len < 0) throw new SqlError('22011', 'negative substring length not allowed');
  const s0 = start - 1;
  const e = len === undefined ? Infinity : s0 + len;
  const from = Math.max(s0, 0);
  if (e <= from) return '';
  return cpSlice(s, from, e === Infinity ? undefined : e);
}

function strpos(h: string, n: string): number {
  const i = h.indexOf(n);
  if (i < 0) return 0;
  return hasSurrogates(h) ? charLength(h.slice(0, i)) + 1 : i + 1;
}

function trimChars(s: string, set: string, left: boolean, right: boolean): string {
  const cs = new Set(chars(set));
  const a = chars(s);
  let i = 0, j = a.length;
  if (left) while (i < j && cs.has(a[i]!)) i++;
  if (right) while (j > i && cs.has(a[j - 1]!)) j--;
  return a.slice(i, j).join('');
}

function trimBytes(b: Uint8Array, set: Uint8Array, left: boolean, right: boolean): Uint8Array {
  const cs = new Set(set);
  let i = 0, j = b.length;
  if (left) while (i < j && cs.has(b[i]!)) i++;
  if (right) while (j > i && cs.has(b[j - 1]!)) j--;
  return b.slice(i, j);
}

function pad(s: string, len: number, fill: string, left: boolean): string {
  if (len <= 0) return '';
  const a = chars(s);
  if (a.length >= len) return a.slice(0, len).join('');
  const f = chars(fill);
  if (f.length === 0) return s;
  let p = '';
  for (let i = 0, n = len - a.length; i < n; i++) p += f[i % f.length]!;
  return left ? p + s : s + p;
}

/** per-character case mapping like PG's towupper/towlower: no multi-character expansions (ß stays ß) */
function caseMap(s: string, upper: boolean): string {
  let ascii = true;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) { ascii = false; break; }
  if (ascii) return upper ? s.toUpperCase() : s.toLowerCase();
  let out = '';
  for (const c of s) {
    const m = upper ? c.toUpperCase() : c.toLowerCase();
    out += [...m].length === 1 ? m : c;
  }
  return out;
}

function initcap(s: string): string {
  let out = '';
  let inWord = false;
  for (const c of s) {
    const alnum = /[\p{L}\p{N}]/u.test(c);
    out += alnum ? caseMap(c, !inWord) : c;
    inWord = alnum;
  }
  return out;
}

// PostgreSQL reserved keywords that force quote_ident/%I quoting (plus a few common col_name keywords)
const KEYWORDS = new Set(('all analyse analyze and any array as asc asymmetric authorization between bigint binary bit boolean both case cast ' +
  'char character check coalesce collate collation column concurrently constraint create cross current_catalog current_date ' +
  'current_role current_schema current_time current_timestamp current_user dec decimal default deferrable desc distinct do else end except exists ' +
  'extract false fetch float for foreign freeze from full grant greatest group grouping having ilike in initially inner inout int integer intersect interval into is isnull join ' +
  'lateral leading least left like limit localtime localtimestamp national natural nchar none normalize not notnull null nullif numeric offset on only or order out outer overlaps overlay placing position precision primary real references returning right row select session_user setof similar smallint some substring symmetric system_user table tablesample then time timestamp to trailing treat trim true union unique user using values varchar variadic verbose when where window with xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable').split(' '));

export function quoteIdent(s: string): string {
  if (/^[a-z_][a-z0-9_$]*$/.test(s) && !KEYWORDS.has(s)) return s;
  return '"' + s.replace(/"/g, '""') + '"';
}
export function quoteLiteral(s: string): string {
  const body = s.replace(/'/g, "''");
  if (s.includes('\\')) return "E'" + body.replace(/\\/g, '\\\\') + "'";
  return "'" + body + "'";
}

function toHexBytes(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

function encode(b: Uint8Array, fmt: string): string {
  switch (fmt.toLowerCase()) {
    case 'hex': return toHexBytes(b);
    case 'base64': {
      const s = Buffer.from(b).toString('base64');
      // PG wraps base64 output at 76 characters
      return s.replace(/.{76}(?=.)/g, '$&\n');
    }
    case 'escape': {
      let out = '';
      for (const x of b) {
        if (x === 0x5c) out += '\\\\';
        else if (x === 0 || x >= 0x80) out += '\\' + x.toString(8).padStart(3, '0');
        else out += String.fromCharCode(x);
      }
      return out;
    }
    default:
      throw new SqlError(SqlState.InvalidParameterValue, `unrecognized encoding: "${fmt}"`);
  }
}
function decode(s: string, fmt: string): Uint8Array {
  switch (fmt.toLowerCase()) {
    case 'hex': {
      const t = s.replace(/\s+/g, '');
      if (t.length % 2) throw new SqlError(SqlState.InvalidParameterValue, 'invalid hexadecimal data: odd number of digits');
      const bad = /[^0-9a-fA-F]/.exec(t);
      if (bad) throw new SqlError(SqlState.InvalidParameterValue, `invalid hexadecimal digit: "${bad[0]}"`);
      return new Uint8Array(Buffer.from(t, 'hex'));
    }
    case 'base64': {
      const t = s.replace(/\s+/g, '');
      if (/[^A-Za-z0-9+/=]/.test(t)) {
        const m = /[^A-Za-z0-9+/=]/.exec(t)!;
        throw new SqlError(SqlState.InvalidParameterValue, `invalid symbol "${m[0]}" found while decoding base64 sequence`);
      }
      return new Uint8Array(Buffer.from(t, 'base64'));
    }
    case 'escape': {
      const out: number[] = [];
      for (let i = 0; i < s.length; i++) {
        const c = s[i]!;
        if (c === '\\') {
          if (s[i + 1] === '\\') { out.push(0x5c); i++; continue; }
          const oct = s.slice(i + 1, i + 4);
          if (!/^[0-3][0-7][0-7]$/.test(oct)) throw new SqlError(SqlState.InvalidTextRepresentation, 'invalid input syntax for type bytea');
          out.push(parseInt(oct, 8));
          i += 3;
        } else for (const x of utf8Bytes(c)) out.push(x);
      }
      return new Uint8Array(out);
    }
    default:
      throw new SqlError(SqlState.InvalidParameterValue, `unrecognized encoding: "${fmt}"`);
  }
}

/** format(): %[argpos$][-][width]{s,I,L,%} */
export function formatImpl(fmtStr: string, args: readonly Datum[], types: readonly SqlType[], settings: ValueSettings): string {
  let out = '';
  let next = 0;
  const unrec = (c: string): SqlError => new SqlError(SqlState.InvalidParameterValue, `unrecognized format() type specifier "${c}"`,
    { hint: 'For a single "%" use "%%".' });
  for (let i = 0; i < fmtStr.length; i++) {
    const c = fmtStr[i]!;
    if (c !== '%') { out += c; continue; }
    i++;
    if (i >= fmtStr.length) throw new SqlError(SqlState.InvalidParameterValue, 'unterminated format() type specifier', { hint: 'For a single "%" use "%%".' });
    if (fmtStr[i] === '%') { out += '%'; continue; }
    const m = /^(?:(\d+)\$)?(-)?(\d+|\*)?([a-zA-Z])?/.exec(fmtStr.slice(i))!;
    let argIdx: number;
    if (m[1]) {
      argIdx = Number(m[1]) - 1;
      if (argIdx < 0) throw new SqlError(SqlState.InvalidParameterValue, 'format specifies argument 0, but arguments are numbered from 1');
    } else argIdx = next;
    const left = !!m[2];
    let width = m[3] && m[3] !== '*' ? Number(m[3]) : 0;
    if (m[3] === '*') {
      const w = args[next];
      next++;
      width = w === null || w === undefined ? 0 : Number(w);
      if (!m[1]) argIdx = next;
    }
    const spec = m[4];
    if (!spec) throw new SqlError(SqlState.InvalidParameterValue, 'unterminated format() type specifier', { hint: 'For a single "%" use "%%".' });
    i += m[0].length - 1;
    if (spec !== 's' && spec !== 'I' && spec !== 'L') throw unrec(spec);
    if (argIdx >= args.length) throw new SqlError(SqlState.InvalidParameterValue, 'too few arguments for format()');
    next = argIdx + 1;
    const v = args[argIdx]!;
    let piece: string;
    if (v === null) {
      if (spec === 'I') throw new SqlError(SqlState.NullValueNotAllowed, 'null values cannot be formatted as an SQL identifier');
      piece = spec === 'L' ? 'NULL' : '';
    } else {
      const t = datumToText(types[argIdx]!, v, settings);
      piece = spec === 's' ? t : spec === 'I' ? quoteIdent(t) : quoteLiteral(t);
    }
    if (width < 0) { width = -width; }
    const w = charLength(piece);
    if (width > w) piece = left || (m[3] === '*' && width < 0) ? piece + ' '.repeat(width - w) : ' '.repeat(width - w) + piece;
    out += piece;
  }
  return out;
}

// ---- registration -------------------------------------------------------------

export function registerString(): void {
  const lengthImpl: ScalarImpl = (a) => charLength(str(a[0]!));
  for (const name of ['length', 'char_length', 'character_length']) {
    fn(`${name}(text) -> int4`, lengthImpl);
    fn(`${name}(bpchar) -> int4`, (a) => charLength(str(a[0]!).replace(/ +$/, '')));
  }
  fn('length(bytea) -> int4', (a) => (a[0] as Uint8Array).length);
  fn('octet_length(text) -> int4', (a) => utf8ByteLength(str(a[0]!)));
  fn('octet_length(bytea) -> int4', (a) => (a[0] as Uint8Array).length);
  fn('bit_length(text) -> int4', (a) => 8 * utf8ByteLength(str(a[0]!)));
  fn('bit_length(bytea) -> int4', (a) => 8 * (a[0] as Uint8Array).length);
  fn('lower(text) -> text', (a) => caseMap(str(a[0]!), false));
  fn('upper(text) -> text', (a) => caseMap(str(a[0]!), true));
  fn('initcap(text) -> text', (a) => initcap(str(a[0]!)));
  for (const name of ['substr', 'substring']) {
    fn(`${name}(text, int4) -> text`, (a) => substr(str(a[0]!), int(a[1]!)));
    fn(`${name}(text, int4, int4) -> text`, (a) => substr(str(a[0]!), int(a[1]!), int(a[2]!)));
    fn(`${name}(bytea, int4) -> bytea`, (a) => bsubstr(a[0] as Uint8Array, int(a[1]!)));
    fn(`${name}(bytea, int4, int4) -> bytea`, (a) => bsubstr(a[0] as Uint8Array, int(a[1]!), int(a[2]!)));
  }
  // SUBSTRING(x FROM 'regex'): first capture group, else the whole match
  fn('substring(text, text) -> text', (a) => {
    const m = posixRegex(str(a[1]!), '').exec(str(a[0]!));
    if (!m) return null;
    return m.length > 1 ? (m[1] ?? null) : m[0];
  });
  fn('position(text, text) -> int4', (a) => strpos(str(a[0]!), str(a[1]!)));
  fn('strpos(text, text) -> int4', (a) => strpos(str(a[0]!), str(a[1]!)));
  fn('replace(text, text, text) -> text', (a) => {
    const f = str(a[1]!);
    return f === '' ? str(a[0]!) : str(a[0]!).split(f).join(str(a[2]!));
  });
  fn('split_part(text, text, int4) -> text', (a) => {
    const s = str(a[0]!), d = str(a[1]!);
    let n = int(a[2]!);
    if (n === 0) throw new SqlError(SqlState.InvalidParameterValue, 'field position must not be zero');
    if (d === '') return n === 1 || n === -1 ? s : '';
    const parts = s.split(d);
    if (n < 0) n = parts.length + n + 1;
    return n >= 1 && n <= parts.length ? parts[n - 1]! : '';
  });
  fn('concat(variadic any) -> text', () => '', {
    strict: false, volatility: 'stable',
    bind: (types) => (a, ctx) => {
      let out = '';
      for (let i = 0; i < a.length; i++) { const v = a[i]!; if (v !== null) out += datumToText(types[i]!, v, ctx.settings); }
      return out;
    },
  });
  fn('concat_ws(text, variadic any) -> text', () => '', {
    strict: false, volatility: 'stable',
    bind: (types) => (a, ctx) => {
      const sep = a[0]!;
      if (sep === null) return null;
      const parts: string[] = [];
      for (let i = 1; i < a.length; i++) { const v = a[i]!; if (v !== null) parts.push(datumToText(types[i]!, v, ctx.settings)); }
      return parts.join(sep as string);
    },
  });
  fn('format(text) -> text', (a) => formatImpl(str(a[0]!), [], [], DEFAULT_VALUE_SETTINGS), { strict: false });
  fn('format(text, variadic any) -> text', () => null, {
    strict: false, volatility: 'stable',
    bind: (types) => (a, ctx) => (a[0] === null ? null : formatImpl(str(a[0]!), a.slice(1), types.slice(1), ctx.settings)),
  });
  fn('left(text, int4) -> text', (a) => {
    const s = str(a[0]!), n = int(a[1]!);
    return n >= 0 ? cpSlice(s, 0, n) : cpSlice(s, 0, Math.max(0, charLength(s) + n));
  });
  fn('right(text, int4) -> text', (a) => {
    const s = str(a[0]!), n = int(a[1]!);
    const len = charLength(s);
    return n >= 0 ? cpSlice(s, Math.max(0, len - n)) : cpSlice(s, Math.min(len, -n));
  });
  fn('lpad(text, int4) -> text', (a) => pad(str(a[0]!), int(a[1]!), ' ', true));
  fn('lpad(text, int4, text) -> text', (a) => pad(str(a[0]!), int(a[1]!), str(a[2]!), true));
  fn('rpad(text, int4) -> text', (a) => pad(str(a[0]!), int(a[1]!), ' ', false));
  fn('rpad(text, int4, text) -> text', (a) => pad(str(a[0]!), int(a[1]!), str(a[2]!), false));
  fn('ltrim(text) -> text', (a) => str(a[0]!).replace(/^ +/, ''));
  fn('rtrim(text) -> text', (a) => str(a[0]!).replace(/ +$/, ''));
  fn('btrim(text) -> text', (a) => str(a[0]!).replace(/^ +/, '').replace(/ +$/, ''));
  fn('ltrim(text, text) -> text', (a) => trimChars(str(a[0]!), str(a[1]!), true, false));
  fn('rtrim(text, text) -> text', (a) => trimChars(str(a[0]!), str(a[1]!), false, true));
  fn('btrim(text, text) -> text', (a) => trimChars(str(a[0]!), str(a[1]!), true, true));
  fn('btrim(bytea, bytea) -> bytea', (a) => trimBytes(a[0] as Uint8Array, a[1] as Uint8Array, true, true));
  fn('ltrim(bytea, bytea) -> bytea', (a) => trimBytes(a[0] as Uint8Array, a[1] as Uint8Array, true, false));
  fn('rtrim(bytea, bytea) -> bytea', (a) => trimBytes(a[0] as Uint8Array, a[1] as Uint8Array, false, true));
  fn('repeat(text, int4) -> text', (a) => {
    const n = int(a[1]!);
    const s = str(a[0]!);
    if (n <= 0) return '';
    if (s.length * n > 1073741823) throw new SqlError(SqlState.ProgramLimitExceeded, 'requested length too large');
    return s.repeat(n);
  });
  fn('reverse(text) -> text', (a) => chars(str(a[0]!)).reverse().join(''));
  fn('md5(text) -> text', (a) => createHash('md5').update(str(a[0]!), 'utf8').digest('hex'));
  fn('md5(bytea) -> text', (a) => createHash('md5').update(a[0] as Uint8Array).digest('hex'));
  fn('sha256(bytea) -> bytea', (a) => new Uint8Array(createHash('sha256').update(a[0] as Uint8Array).digest()));
  fn('chr(int4) -> text', (a) => {
    const n = int(a[0]!);
    if (n === 0) throw new SqlError(SqlState.ProgramLimitExceeded, 'null character not permitted');
    if (n < 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) {
      throw new SqlError(SqlState.ProgramLimitExceeded, 'requested character too large for encoding: ' + n);
    }
    return String.fromCodePoint(n);
  });
  fn('ascii(text) -> int4', (a) => { const s = str(a[0]!); return s === '' ? 0 : s.codePointAt(0)!; });
  fn('starts_with(text, text) -> bool', (a) => str(a[0]!).startsWith(str(a[1]!)));
  op('^@(text, text) -> bool', (a) => str(a[0]!).startsWith(str(a[1]!)));
  fn('quote_ident(text) -> text', (a) => quoteIdent(str(a[0]!)));
  fn('parse_ident(text) -> text[]', (a) => parseIdent(str(a[0]!), true));
  fn('parse_ident(text, bool) -> text[]', (a) => parseIdent(str(a[0]!), a[1] as boolean));
  fn('quote_literal(text) -> text', (a) => quoteLiteral(str(a[0]!)));
  fn('quote_literal(anyelement) -> text', () => null, {
    volatility: 'stable', bind: (types) => (a, ctx) => quoteLiteral(castToText(types[0]!, a[0]!, ctx.settings)),
  });
  fn('quote_nullable(text) -> text', (a) => (a[0] === null ? 'NULL' : quoteLiteral(str(a[0]!))), { strict: false });
  fn('quote_nullable(anyelement) -> text', () => null, {
    strict: false, volatility: 'stable',
    bind: (types) => (a, ctx) => (a[0] === null ? 'NULL' : quoteLiteral(castToText(types[0]!, a[0]!, ctx.settings))),
  });
  fn('to_hex(int4) -> text', (a) => (int(a[0]!) >>> 0).toString(16));
  fn('to_hex(int8) -> text', (a) => BigInt.asUintN(64, a[0] as bigint).toString(16));
  fn('translate(text, text, text) -> text', (a) => {
    const from = chars(str(a[1]!)), to = chars(str(a[2]!));
    const map = new Map<string, string | null>();
    from.forEach((c, i) => { if (!map.has(c)) map.set(c, i < to.length ? to[i]! : null); });
    let out = '';
    for (const c of str(a[0]!)) {
      if (map.has(c)) { const r = map.get(c); if (r !== null && r !== undefined) out += r; } else out += c;
    }
    return out;
  });
  fn('encode(bytea, text) -> text', (a) => encode(a[0] as Uint8Array, str(a[1]!)));
  fn('decode(text, text) -> bytea', (a) => decode(str(a[0]!), str(a[1]!)));
  fn('overlay(text, text, int4, int4) -> text', (a) => overlay(str(a[0]!), str(a[1]!), int(a[2]!), int(a[3]!)));
  fn('overlay(text, text, int4) -> text', (a) => overlay(str(a[0]!), str(a[1]!), int(a[2]!), charLength(str(a[1]!))));
  fn('similar_to_escape(text) -> text', (a) => similarEscape(str(a[0]!), null));
  fn('similar_to_escape(text, text) -> text', (a) => similarEscape(str(a[0]!), str(a[1]!)));
  fn('similar_escape(text, text) -> text', (a) => (a[0] === null ? null : similarEscape(str(a[0]!), a[1] as string | null)), { strict: false });
  fn('like_escape(text, text) -> text', (a) => likeEscape(str(a[0]!), str(a[1]!)));
  fn('regexp_replace(text, text, text) -> text', (a) => regexpReplace(str(a[0]!), str(a[1]!), str(a[2]!), ''));
  fn('regexp_replace(text, text, text, text) -> text', (a) => regexpReplace(str(a[0]!), str(a[1]!), str(a[2]!), str(a[3]!)));
  fn('regexp_match(text, text) -> text[]', (a) => regexpMatch(str(a[0]!), str(a[1]!), ''));
  fn('regexp_match(text, text, text) -> text[]', (a) => regexpMatch(str(a[0]!), str(a[1]!), str(a[2]!)));
  fn('regexp_like(text, text) -> bool', (a) => posixRegex(str(a[1]!), '').test(str(a[0]!)));
  fn('regexp_like(text, text, text) -> bool', (a) => posixRegex(str(a[1]!), str(a[2]!)).test(str(a[0]!)));
  fn('regexp_count(text, text) -> int4', (a) => str(a[0]!).match(posixRegex(str(a[1]!), '', true))?.length ?? 0);
  fn('regexp_substr(text, text) -> text', (a) => regexpSubstr(str(a[0]!), str(a[1]!)));
  fn('regexp_substr(text, text, int4) -> text', (a) => regexpSubstr(str(a[0]!), str(a[1]!), int(a[2]!)));
  fn('regexp_substr(text, text, int4, int4) -> text', (a) => regexpSubstr(str(a[0]!), str(a[1]!), int(a[2]!), int(a[3]!)));
  fn('regexp_substr(text, text, int4, int4, text) -> text', (a) => regexpSubstr(str(a[0]!), str(a[1]!), int(a[2]!), int(a[3]!), str(a[4]!)));
  fn('regexp_substr(text, text, int4, int4, text, int4) -> text', (a) =>
    regexpSubstr(str(a[0]!), str(a[1]!), int(a[2]!), int(a[3]!), str(a[4]!), int(a[5]!)));
  fn('regexp_instr(text, text) -> int4', (a) => regexpInstr(str(a[0]!), str(a[1]!)));
  fn('regexp_instr(text, text, int4) -> int4', (a) => regexpInstr(str(a[0]!), str(a[1]!), int(a[2]!)));
  fn('regexp_instr(text, text, int4, int4) -> int4', (a) => regexpInstr(str(a[0]!), str(a[1]!), int(a[2]!), int(a[3]!)));
  fn('regexp_instr(text, text, int4, int4, int4) -> int4', (a) => regexpInstr(str(a[0]!), str(a[1]!), int(a[2]!), int(a[3]!), int(a[4]!)));
  fn('regexp_instr(text, text, int4, int4, int4, text) -> int4', (a) =>
    regexpInstr(str(a[0]!), str(a[1]!), int(a[2]!), int(a[3]!), int(a[4]!), str(a[5]!)));
  fn('regexp_instr(text, text, int4, int4, int4, text, int4) -> int4', (a) =>
    regexpInstr(str(a[0]!), str(a[1]!), int(a[2]!), int(a[3]!), int(a[4]!), str(a[5]!), int(a[6]!)));
  fn('regexp_count(text, text, int4) -> int4', (a) => regexMatches(str(a[0]!), str(a[1]!), '', int(a[2]!)).length);
  fn('regexp_count(text, text, int4, text) -> int4', (a) => regexMatches(str(a[0]!), str(a[1]!), str(a[3]!), int(a[2]!)).length);
  fn('regexp_replace(text, text, text, int4) -> text', (a) => regexpReplaceN(str(a[0]!), str(a[1]!), str(a[2]!), int(a[3]!), 1, ''));
  fn('regexp_replace(text, text, text, int4, int4) -> text', (a) => regexpReplaceN(str(a[0]!), str(a[1]!), str(a[2]!), int(a[3]!), int(a[4]!), ''));
  fn('regexp_replace(text, text, text, int4, int4, text) -> text', (a) =>
    regexpReplaceN(str(a[0]!), str(a[1]!), str(a[2]!), int(a[3]!), int(a[4]!), str(a[5]!)));
  fn('to_number(text, text) -> numeric', (a) => toNumber(str(a[0]!), str(a[1]!)));
  fn('convert_from(bytea, text) -> text', (a) => new TextDecoder('utf-8').decode(a[0] as Uint8Array), { volatility: 'stable' });
  fn('convert_to(text, text) -> bytea', (a) => utf8Bytes(str(a[0]!)), { volatility: 'stable' });
  for (const alg of ['sha224', 'sha384', 'sha512'] as const) {
    fn(`${alg}(bytea) -> bytea`, (a) => new Uint8Array(createHash(alg).update(a[0] as Uint8Array).digest()));
  }
  fn('regexp_split_to_array(text, text) -> text[]', (a) => regexpSplit(str(a[0]!), str(a[1]!), ''));
  fn('regexp_split_to_array(text, text, text) -> text[]', (a) => regexpSplit(str(a[0]!), str(a[1]!), str(a[2]!)));

  // operators
  op('||(text, text) -> text', (a) => str(a[0]!) + str(a[1]!));
  op('||(anyelement, text) -> text', () => null, {
    nonArray: true, volatility: 'stable',
    bind: (types) => (a, ctx) => castToText(types[0]!, a[0]!, ctx.settings) + str(a[1]!),
  });
  op('||(text, anyelement) -> text', () => null, {
    nonArray: true, volatility: 'stable',
    bind: (types) => (a, ctx) => str(a[0]!) + castToText(types[1]!, a[1]!, ctx.settings),
  });
  op('||(bytea, bytea) -> bytea', (a) => {
    const x = a[0] as Uint8Array, y = a[1] as Uint8Array;
    const r = new Uint8Array(x.length + y.length);
    r.set(x); r.set(y, x.length);
    return r;
  });
  op('~~(text, text) -> bool', (a) => likeRegex(str(a[1]!), false).test(str(a[0]!)));
  op('!~~(text, text) -> bool', (a) => !likeRegex(str(a[1]!), false).test(str(a[0]!)));
  op('~~*(text, text) -> bool', (a) => likeRegex(str(a[1]!), true).test(str(a[0]!)));
  op('!~~*(text, text) -> bool', (a) => !likeRegex(str(a[1]!), true).test(str(a[0]!)));
  // bpchar LIKE keeps trailing blanks significant in PG (bpcharlike works on the padded value)
  op('~~(bpchar, text) -> bool', (a) => likeRegex(str(a[1]!), false).test(str(a[0]!)));
  op('!~~(bpchar, text) -> bool', (a) => !likeRegex(str(a[1]!), false).test(str(a[0]!)));
  op('~~*(bpchar, text) -> bool', (a) => likeRegex(str(a[1]!), true).test(str(a[0]!)));
  op('!~~*(bpchar, text) -> bool', (a) => !likeRegex(str(a[1]!), true).test(str(a[0]!)));
  op('~~(bytea, bytea) -> bool', (a) => likeRegex(Buffer.from(a[1] as Uint8Array).toString('latin1'), false).test(Buffer.from(a[0] as Uint8Array).toString('latin1')));
  op('~(text, text) -> bool', (a) => posixRegex(str(a[1]!), '').test(str(a[0]!)));
  op('!~(text, text) -> bool', (a) => !posixRegex(str(a[1]!), '').test(str(a[0]!)));
  op('~*(text, text) -> bool', (a) => posixRegex(str(a[1]!), 'i').test(str(a[0]!)));
  op('!~*(text, text) -> bool', (a) => !posixRegex(str(a[1]!), 'i').test(str(a[0]!)));
}

function bsubstr(b: Uint8Array, start: number, len?: number): Uint8Array {
  if (len !== undefined && len < 0) throw new SqlError('22011', 'negative substring length not allowed');
  const s0 = start - 1;
  const e = len === undefined ? b.length : Math.min(b.length, s0 + len);
  const from = Math.max(0, s0);
  return e <= from ? new Uint8Array(0) : b.slice(from, e);
}

function overlay(s: string, r: string, start: number, len: number): string {
  if (len < 0) throw new SqlError('22011', 'negative substring length not allowed');
  if (start < 1) throw new SqlError('22011', 'negative substring length not allowed');
  return substr(s, 1, start - 1) + r + substr(s, start + len);
}

/** parse_ident: a qualified identifier split into its parts, unquoted parts lower-cased */
function parseIdent(text: string, strict: boolean): string[] {
  const parts: string[] = [];
  let i = 0;
  const bad = (): never => { throw new SqlError(SqlState.InvalidParameterValue, `string is not a valid identifier: "${text}"`); };
  const skipSpace = (): void => { while (i < text.length && /\s/.test(text[i]!)) i++; };
  for (;;) {
    skipSpace();
    if (text[i] === '"') {
      let part = '';
      i++;
      for (;;) {
        if (i >= text.length) bad();
        if (text[i] === '"') { if (text[i + 1] === '"') { part += '"'; i += 2; continue; } i++; break; }
        part += text[i++];
      }
      if (part === '') bad();
      parts.push(part);
    } else {
      const m = /^[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*/.exec(text.slice(i));
      if (!m) bad();
      parts.push(m![0].toLowerCase());
      i += m![0].length;
    }
    skipSpace();
    if (i >= text.length) return parts;
    if (text[i] === '.') { i++; continue; }
    if (strict) bad();
    return parts;
  }
}
