// RisingWave's DDL for sources and connector tables is not PostgreSQL grammar:
//   CREATE SOURCE s (...) WITH (connector = 'datagen', fields.v.kind = 'sequence', ...) FORMAT PLAIN ENCODE JSON
// Option names with several dots and the trailing FORMAT ... ENCODE ... clause do not parse, and
// CREATE SOURCE is no statement. This rewrites such a statement into a CREATE TABLE that the real
// parser accepts (option names quoted, FORMAT clause cut off) and says what it cut off.
import { SqlError, SqlState } from '../core/errors.js';

export interface StreamingDdl {
  /** the statement as PostgreSQL grammar */
  readonly sql: string;
  /** CREATE SOURCE (rows are not stored) rather than CREATE TABLE */
  readonly source: boolean;
  /** FORMAT x ENCODE y [(options)], lower-cased */
  readonly format: { readonly format: string; readonly encode: string; readonly options: Readonly<Record<string, string>> } | null;
  /** WATERMARK FOR column AS expression, taken out of the column list */
  readonly watermark?: { readonly column: string; readonly expr: string };
  /** `column type AS PROCTIME()`: the column that holds each row's ingestion time */
  readonly proctime?: string;
  /** INCLUDE key | partition | offset | timestamp | header ['name' [type]] [AS name]: record metadata as extra columns (added last) */
  readonly includes?: readonly Include[];
  /** CREATE SINK / DROP SINK (as CREATE / DROP MATERIALIZED VIEW) */
  readonly sink?: boolean;
}

export interface Include {
  readonly kind: string;
  readonly column: string;
  readonly type: string;
  /** INCLUDE header 'name': the one header the column holds */
  readonly header?: string;
}
const INCLUDE_TYPES: Record<string, string> = { key: 'bytea', partition: 'varchar', offset: 'varchar', timestamp: 'timestamptz' };

const HEAD = /^\s*create\s+(source|table)\b/i;

export function rewriteStreamingDdl(sql: string): StreamingDdl | null {
  // DROP SOURCE s: sources show as foreign tables, so it is DROP FOREIGN TABLE
  const d = /^\s*drop\s+source\b/i.exec(sql);
  if (d) return { sql: sql.replace(/drop\s+source/i, 'DROP FOREIGN TABLE'), source: true, format: null };
  if (/^\s*drop\s+sink\b/i.test(sql)) return { sql: sql.replace(/drop\s+sink/i, 'DROP MATERIALIZED VIEW'), source: false, format: null, sink: true };
  if (/^\s*create\s+sink\b/i.test(sql)) return rewriteCreateSink(sql);
  const m = HEAD.exec(sql);
  if (!m) return null;
  const source = m[1]!.toLowerCase() === 'source';
  let text = source ? sql.slice(0, m.index) + sql.slice(m.index).replace(/create\s+source/i, 'CREATE TABLE') : sql;
  let format: StreamingDdl['format'] = null;
  const f = /\bformat\s+(\w+)\s+encode\s+(\w+)\s*(\(([^)]*)\))?\s*;?\s*$/i.exec(text);
  if (f && !inQuotes(text, f.index)) {
    format = { format: f[1]!.toLowerCase(), encode: f[2]!.toLowerCase(), options: f[4] ? parseOptions(f[4]) : {} };
    text = text.slice(0, f.index);
  }
  // INCLUDE clauses (between the column list and WITH): the metadata become columns of their own
  const includes: Include[] = [];
  const inc = /\binclude\s+(key|partition|offset|timestamp|header)(?:\s+'((?:[^']|'')*)')?(?:\s+(varchar|text|bytea))?(?:\s+as\s+("?)([\w$]+)\4)?/gi;
  let im: RegExpExecArray | null;
  const spans: [number, number][] = [];
  while ((im = inc.exec(text)) !== null) {
    if (inQuotes(text, im.index)) continue;
    const kind = im[1]!.toLowerCase();
    const header = im[2] === undefined ? undefined : im[2].replace(/''/g, "'");
    if (kind !== 'header' && (header !== undefined || im[3])) throw new SqlError(SqlState.SyntaxError, `INCLUDE ${kind} takes no name or type`);
    const fallback = header === undefined ? `_rw_kafka_${kind}` : `_rw_kafka_header_${header.replace(/\W/g, '_')}`;
    const column = im[5] ? (im[4] ? im[5] : im[5].toLowerCase()) : fallback;
    // the whole header list is a jsonb object {name: value}; one header is its bytes, or its text
    const type = kind === 'header' ? (header === undefined ? 'jsonb' : im[3] && im[3].toLowerCase() !== 'bytea' ? 'varchar' : 'bytea') : INCLUDE_TYPES[kind]!;
    includes.push({ kind, column, type, ...(header !== undefined ? { header } : {}) });
    spans.push([im.index, im.index + im[0].length]);
  }
  if (includes.length) {
    for (const [a, b] of spans.reverse()) text = text.slice(0, a) + text.slice(b);
    const close = text.lastIndexOf(')', spans[spans.length - 1]![0]);
    if (close < 0) throw new SqlError(SqlState.SyntaxError, 'INCLUDE needs a column list before it');
    text = text.slice(0, close) + includes.map((x) => `, "${x.column}" ${x.type}`).join('') + text.slice(close);
  }
  text = quoteDottedOptionNames(text);
  let watermark: StreamingDdl['watermark'];
  const w = /,\s*watermark\s+for\s+("?)(\w+)\1\s+as\s+/i.exec(text);
  if (w && !inQuotes(text, w.index)) {
    // the expression runs to the comma or parenthesis that closes it at its own nesting level
    let i = w.index + w[0].length;
    let depth = 0;
    while (i < text.length) {
      const c = text[i]!;
      if (c === "'") { i = text.indexOf("'", i + 1) + 1 || text.length; continue; }
      if (c === '(') depth++;
      else if (c === ')') { if (depth === 0) break; depth--; }
      else if (c === ',' && depth === 0) break;
      i++;
    }
    watermark = { column: w[2]!.toLowerCase(), expr: text.slice(w.index + w[0].length, i).trim() };
    text = text.slice(0, w.index) + text.slice(i);
  }
  let proctime: string | undefined;
  const p = /([(,]\s*)("?)([\w$]+)\2(\s+[a-z][\w ]*?)\s+as\s+proctime\s*\(\s*\)/i.exec(text);
  if (p && !inQuotes(text, p.index)) {
    proctime = p[2] ? p[3]! : p[3]!.toLowerCase();
    text = text.slice(0, p.index) + p[1]! + p[2]! + p[3]! + p[2]! + p[4]! + text.slice(p.index + p[0].length);
  }
  // `name type AS expr` (RisingWave's generated columns): PostgreSQL's GENERATED ALWAYS AS (expr) STORED
  text = rewriteGeneratedColumns(text);
  if (!source && !format && !watermark && !proctime && text === sql) return null;
  return { sql: text, source, format, ...(watermark ? { watermark } : {}), ...(proctime ? { proctime } : {}), ...(includes.length ? { includes } : {}) };
}

/**
 * CREATE SINK [IF NOT EXISTS] name [INTO table [(columns)]] { FROM relation | AS query } [WITH (options)] [FORMAT ... ENCODE ...]
 * (RisingWave) as CREATE MATERIALIZED VIEW name WITH (options) AS query: a sink is maintained as a
 * view is, its changes go to a connector (or, INTO a table, into that table's rows) instead of
 * its own storage. The INTO target and its columns become the options into.table / into.columns.
 */
function rewriteCreateSink(sql: string): StreamingDdl {
  const syntax = (): never => { throw new SqlError(SqlState.SyntaxError, 'syntax error in CREATE SINK', { hint: 'CREATE SINK name [INTO table [(columns)]] { FROM relation | AS query } [WITH (connector = ...)]' }); };
  const name = String.raw`(?:"[^"]+"|[\w$]+)(?:\.(?:"[^"]+"|[\w$]+))?`;
  const head = new RegExp(String.raw`^\s*create\s+sink\s+(if\s+not\s+exists\s+)?(${name})\s+(?:into\s+(${name})\s*(?:\(([^)]*)\))?\s*)?(from|as)\s+`, 'i').exec(sql) ?? syntax();
  let text = sql.slice(head[0].length);
  let format: StreamingDdl['format'] = null;
  const f = /\bformat\s+(\w+)\s+encode\s+(\w+)\s*(\(([^)]*)\))?\s*;?\s*$/i.exec(text);
  if (f && !inQuotes(text, f.index)) {
    format = { format: f[1]!.toLowerCase(), encode: f[2]!.toLowerCase(), options: f[4] ? parseOptions(f[4]) : {} };
    text = text.slice(0, f.index);
  }
  // the options are the last WITH (...) at the top level, closing the statement
  text = text.replace(/;\s*$/, '').trimEnd();
  // scan forward (quotes skipped) for the top-level parenthesis that closes at the end
  let depth = 0;
  let open = -1;
  let lastOpen = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'" || c === '"') { const end = text.indexOf(c, i + 1); i = end < 0 ? text.length : end; continue; }
    if (c === '(') { if (depth === 0) lastOpen = i; depth++; }
    else if (c === ')') { depth--; if (depth === 0 && i === text.length - 1) open = lastOpen; }
  }
  const w = open < 0 ? null : /\bwith\s*$/i.exec(text.slice(0, open));
  const into = head[3];
  if (!w && !into) syntax();
  const body = (w ? text.slice(0, w.index) : text).trim();
  let options = w ? text.slice(open) : '()';
  if (into) {
    // INTO: the target and its columns, as options of the sink (no connector)
    const cols = head[4] === undefined ? '' : head[4].split(',').map((c) => c.trim()).map((c) => (c.startsWith('"') ? c.slice(1, -1) : c.toLowerCase())).join(',');
    const extra = `"into.table" = '${into.replace(/'/g, "''")}'${head[4] !== undefined ? `, "into.columns" = '${cols.replace(/'/g, "''")}'` : ''}`;
    options = options === '()' || /^\(\s*\)$/.test(options) ? `(${extra})` : `(${extra}, ${options.slice(1)}`;
  }
  const query = head[5]!.toLowerCase() === 'from' ? `SELECT * FROM ${body}` : body;
  const out = `CREATE MATERIALIZED VIEW ${head[1] ? 'IF NOT EXISTS ' : ''}${head[2]} ${quoteDottedOptionNames(`WITH ${options}`)} AS ${query}`;
  return { sql: out, source: false, format, sink: true };
}

/**
 * ALTER SOURCE name RESET TO (scan.startup.mode = '...', ...) (also ALTER TABLE for a table with
 * a connector): Eddy's statement for re-consumption, as a node of its own (not PostgreSQL grammar).
 */
export function parseSourceReset(sql: string): { schema: string | null; name: string; options: Record<string, string> } | null {
  const m = /^\s*alter\s+(?:source|table)\s+(?:("[^"]+"|[\w$]+)\.)?("[^"]+"|[\w$]+)\s+reset\s+to\s*\(([^)]*)\)\s*;?\s*$/i.exec(sql);
  if (!m) return null;
  const ident = (x: string): string => (x.startsWith('"') ? x.slice(1, -1) : x.toLowerCase());
  const body = m[3]!;
  const options = parseOptions(body);
  // every name = 'value' pair must have been understood
  if (body.trim() && Object.keys(options).length !== body.split(',').length) throw new SqlError(SqlState.SyntaxError, "syntax error in ALTER SOURCE ... RESET TO: options are name = 'value' pairs");
  return { schema: m[1] ? ident(m[1]) : null, name: ident(m[2]!), options };
}

/** words that make a column definition PostgreSQL's own before its AS (GENERATED ... AS IDENTITY, DEFAULT CAST ...) */
const NOT_A_TYPE = /\b(generated|default|identity|constraint|not|null|primary|unique|check|references|collate)\b/i;
/** table elements that are not column definitions */
const NOT_A_COLUMN = /^\s*(constraint|primary|unique|check|foreign|exclude|like|watermark)\b/i;

/**
 * In the column list of CREATE TABLE / SOURCE, RisingWave's `name type AS expr` becomes
 * `name type GENERATED ALWAYS AS (expr) STORED`. The list is split at its top-level commas
 * (quotes and parentheses skipped); an element is rewritten when it has a top-level AS after a
 * name and a type only. `AS PROCTIME()` is taken out before this.
 */
export function rewriteGeneratedColumns(text: string): string {
  const head = /^\s*create\s+(?:table|source)\s+(?:if\s+not\s+exists\s+)?(?:"(?:[^"]|"")+"|[\w$]+)(?:\s*\.\s*(?:"(?:[^"]|"")+"|[\w$]+))?\s*\(/i.exec(text);
  if (!head) return text;
  const open = head.index + head[0].length;
  // element boundaries: top-level commas up to the closing parenthesis
  const parts: [number, number][] = [];
  let depth = 0;
  let start = open;
  let i = open;
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'" || c === '"') { const end = text.indexOf(c, i + 1); if (end < 0) return text; i = end; continue; }
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') { if (depth === 0) break; depth--; }
    else if (c === ',' && depth === 0) { parts.push([start, i]); start = i + 1; }
  }
  if (i >= text.length) return text;
  parts.push([start, i]);
  let out = text;
  for (const [a, b] of parts.reverse()) {
    const elem = text.slice(a, b);
    const as = topLevelAs(elem);
    if (as < 0 || NOT_A_COLUMN.test(elem)) continue;
    const before = elem.slice(0, as);
    const expr = elem.slice(as + 2).trim();
    // a name and a type (words, a parenthesized modifier, array brackets), nothing else
    if (!/^\s*(?:"(?:[^"]|"")+"|[\w$]+)\s+[a-z_][\w\s]*(?:\([\d\s,]*\))?[\w\s]*(?:\[\d*\]\s*)*$/i.test(before)) continue;
    if (NOT_A_TYPE.test(before.replace(/"(?:[^"]|"")*"/g, '""')) || expr === '') continue;
    out = out.slice(0, a) + `${before.trimEnd()} GENERATED ALWAYS AS (${expr}) STORED` + (/\s$/.test(elem) ? ' ' : '') + out.slice(b);
  }
  return out;
}

/** offset of the first AS keyword of s outside quotes and parentheses, or -1 */
function topLevelAs(s: string): number {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "'" || c === '"') { const end = s.indexOf(c, i + 1); if (end < 0) return -1; i = end; continue; }
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (depth === 0 && (c === 'a' || c === 'A') && /^as\b/i.test(s.slice(i, i + 3)) && (i === 0 || /[\s)"]/.test(s[i - 1]!))) return i;
  }
  return -1;
}

/** whether position i of s is inside a '...' or "..." literal */
function inQuotes(s: string, i: number): boolean {
  let q: string | null = null;
  for (let k = 0; k < i; k++) {
    const c = s[k]!;
    if (q) { if (c === q) q = null; } else if (c === "'" || c === '"') q = c;
  }
  return q !== null;
}

/** WITH (a.b.c = 'x', ...): names with dots become quoted identifiers */
function quoteDottedOptionNames(s: string): string {
  const w = /\bwith\s*\(/i.exec(s);
  if (!w || inQuotes(s, w.index)) return s;
  let out = s.slice(0, w.index + w[0].length);
  let i = w.index + w[0].length;
  let depth = 1;
  let expectName = true;
  while (i < s.length && depth > 0) {
    const c = s[i]!;
    if (c === "'" || c === '"') {
      const end = s.indexOf(c, i + 1);
      const stop = end < 0 ? s.length : end + 1;
      out += s.slice(i, stop);
      i = stop;
      expectName = false;
      continue;
    }
    if (expectName) {
      const name = /^\s*([A-Za-z_][\w]*(?:\.[A-Za-z_0-9][\w]*)+)/.exec(s.slice(i));
      if (name) { out += s.slice(i, i + name[0].length - name[1]!.length) + `"${name[1]}"`; i += name[0].length; expectName = false; continue; }
    }
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 1) expectName = true;
    else if (!/\s/.test(c)) expectName = false;
    out += c;
    i++;
  }
  return out + s.slice(i);
}

function parseOptions(body: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of body.matchAll(/([\w.]+)\s*=\s*'((?:[^']|'')*)'/g)) out[m[1]!.toLowerCase()] = m[2]!.replace(/''/g, "'");
  return out;
}
