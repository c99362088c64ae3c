// SUBSCRIBE (Materialize's syntax) is not PostgreSQL grammar, nor are the statements that carry
// it: `COPY (SUBSCRIBE ...) TO STDOUT`, `DECLARE c CURSOR FOR SUBSCRIBE ...` and
// `FETCH n c WITH (timeout = '1s')`. These are recognized here when the real parser rejects a
// statement, and turned into statement nodes of their own for planner/statement.ts.
//
//   SUBSCRIBE [TO] { name | (SELECT ...) } [WITH (SNAPSHOT [= bool], PROGRESS [= bool])] [AS OF t]
import { parseSync } from 'libpg-query';
import type { Node } from '@pgsql/types';
import { SqlError, SqlState } from '../core/errors.js';

export interface SubscribeSpec {
  /** the SELECT whose changes are streamed */
  readonly query: string;
  readonly snapshot: boolean;
  readonly progress: boolean;
  /** AS OF: commit time, µs since 1970 */
  readonly asOf: number | null;
}

export type SubscribeNode =
  | { readonly EddySubscribeStmt: { readonly spec: SubscribeSpec; readonly via: 'plain' | 'copy' | 'cursor'; readonly cursor?: string } }
  | { readonly EddyFetchStmt: { readonly fetch: unknown; readonly timeoutMs: number | null } };

const syntax = (what: string, hint?: string): SqlError => new SqlError(SqlState.SyntaxError, `syntax error in ${what}`, hint ? { hint } : {});

/** the statement as a SUBSCRIBE node, or null when it is none of the SUBSCRIBE forms */
export function parseSubscribeStatement(sql: string): Node | null {
  const text = sql.trim().replace(/;\s*$/, '');
  let m = /^subscribe\b/i.exec(text);
  if (m) return node({ EddySubscribeStmt: { spec: subscribeSpec(text), via: 'plain' } });
  m = /^copy\s*\(\s*(?=subscribe\b)/i.exec(text);
  if (m) {
    const open = text.indexOf('(');
    const close = matchingParen(text, open);
    if (close < 0) throw syntax('COPY (SUBSCRIBE ...)');
    const rest = text.slice(close + 1).trim();
    const to = /^to\s+stdout\b\s*(.*)$/is.exec(rest);
    if (!to) throw syntax('COPY (SUBSCRIBE ...)', 'COPY (SUBSCRIBE ...) TO STDOUT');
    const opts = to[1]!.trim();
    if (opts && !/^(with\s*)?\(\s*format\s+'?text'?\s*\)$/i.test(opts)) {
      throw new SqlError(SqlState.FeatureNotSupported, 'COPY (SUBSCRIBE ...) TO STDOUT supports the text format only');
    }
    return node({ EddySubscribeStmt: { spec: subscribeSpec(text.slice(open + 1, close).trim()), via: 'copy' } });
  }
  m = /^declare\s+("[^"]+"|[\w$]+)\s+(?:no\s+scroll\s+)?cursor\s+(?:without\s+hold\s+)?for\s+(?=subscribe\b)/i.exec(text);
  if (m) return node({ EddySubscribeStmt: { spec: subscribeSpec(text.slice(m[0].length)), via: 'cursor', cursor: identifier(m[1]!) } });
  m = /^((?:fetch|move)\b[\s\S]*?)\s+with\s*\(([^)]*)\)$/i.exec(text);
  if (m) {
    let fetch: unknown;
    try {
      const parsed = parseSync(m[1]!) as { stmts?: { stmt: Node }[] };
      fetch = parsed.stmts?.[0]?.stmt;
    } catch {
      throw syntax('FETCH');
    }
    if (!fetch || !('FetchStmt' in (fetch as object))) throw syntax('FETCH');
    let timeoutMs: number | null = null;
    for (const [k, v] of options(m[2]!, 'FETCH')) {
      if (k !== 'timeout') throw new SqlError(SqlState.InvalidParameterValue, `unrecognized FETCH option "${k}"`, { hint: "FETCH n cursor WITH (timeout = '1s')" });
      timeoutMs = duration(v);
    }
    return node({ EddyFetchStmt: { fetch: (fetch as { FetchStmt: unknown }).FetchStmt, timeoutMs } });
  }
  return null;
}

function node(n: SubscribeNode): Node {
  return n as unknown as Node;
}

/** `SUBSCRIBE [TO] target [WITH (...)] [AS OF t]` */
function subscribeSpec(text: string): SubscribeSpec {
  const head = /^subscribe\s+(?:to\s+)?/i.exec(text);
  if (!head) throw syntax('SUBSCRIBE');
  let rest = text.slice(head[0].length);
  let query: string;
  if (rest.startsWith('(')) {
    const close = matchingParen(rest, 0);
    if (close < 0) throw syntax('SUBSCRIBE');
    query = rest.slice(1, close).trim();
    if (!/^(select|with|values|table)\b/i.test(query)) throw syntax('SUBSCRIBE', 'SUBSCRIBE (SELECT ...)');
    rest = rest.slice(close + 1).trim();
  } else {
    const name = /^((?:"[^"]+"|[\w$]+)(?:\s*\.\s*(?:"[^"]+"|[\w$]+))?)/.exec(rest);
    if (!name) throw syntax('SUBSCRIBE', 'SUBSCRIBE [TO] { relation | (SELECT ...) }');
    query = `SELECT * FROM ${name[1]}`;
    rest = rest.slice(name[0].length).trim();
  }
  let snapshot = true;
  let progress = false;
  let asOf: number | null = null;
  const w = /^with\s*\(([^)]*)\)\s*/i.exec(rest);
  if (w) {
    for (const [k, v] of options(w[1]!, 'SUBSCRIBE')) {
      if (k === 'snapshot') snapshot = bool(k, v);
      else if (k === 'progress') progress = bool(k, v);
      else throw new SqlError(SqlState.InvalidParameterValue, `unrecognized SUBSCRIBE option "${k}"`, { hint: 'Options: SNAPSHOT, PROGRESS.' });
    }
    rest = rest.slice(w[0].length);
  }
  const a = /^as\s+of\s+(?:at\s+least\s+)?(\d+)\s*/i.exec(rest);
  if (a) { asOf = Number(a[1]); rest = rest.slice(a[0].length); }
  if (rest.trim()) throw syntax('SUBSCRIBE', `unexpected "${rest.trim().slice(0, 30)}"; SUBSCRIBE [TO] target [WITH (SNAPSHOT, PROGRESS)] [AS OF t]`);
  return { query, snapshot, progress, asOf };
}

/** `k [= v], ...` with lower-case names; a bare name has the value 'true' */
function options(list: string, what: string): [string, string][] {
  const out: [string, string][] = [];
  for (const part of list.split(',')) {
    if (!part.trim()) continue;
    const kv = /^\s*([\w.]+)\s*(?:=?\s*('(?:[^']|'')*'|[\w.]+))?\s*$/.exec(part);
    if (!kv) throw syntax(what);
    const v = kv[2] ?? 'true';
    out.push([kv[1]!.toLowerCase(), v.startsWith("'") ? v.slice(1, -1).replace(/''/g, "'") : v]);
  }
  return out;
}

function bool(name: string, v: string): boolean {
  const s = v.toLowerCase();
  if (['true', 'on', '1', 'yes'].includes(s)) return true;
  if (['false', 'off', '0', 'no'].includes(s)) return false;
  throw new SqlError(SqlState.InvalidParameterValue, `${name.toUpperCase()} must be a boolean, not "${v}"`);
}

/** '1s', '250ms', '2 minutes', '0' (seconds) */
function duration(v: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|msec|milliseconds?|s|sec|seconds?|m|min|minutes?)?\s*$/i.exec(v);
  if (!m) throw new SqlError(SqlState.InvalidParameterValue, `invalid timeout "${v}"`, { hint: "e.g. timeout = '1s' or '250ms'" });
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  return unit.startsWith('ms') || unit.startsWith('milli') ? n : unit.startsWith('m') ? n * 60_000 : n * 1000;
}

function identifier(s: string): string {
  return s.startsWith('"') ? s.slice(1, -1) : s.toLowerCase();
}

/** the index of the parenthesis closing the one at `open` (quotes respected), or -1 */
function matchingParen(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const c = s[i]!;
    if (c === "'" || c === '"') { const end = s.indexOf(c, i + 1); if (end < 0) return -1; i = end; continue; }
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}
