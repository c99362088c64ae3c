// sqllogictest runner over the PostgreSQL wire protocol (node-pg, simple query protocol).
// One connection per file (plus named ones for `connection <name>` records).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { dialectForPath, parseSlt } from './parser.js';
import type { Dialect, QueryRecord, SltRecord, SortMode, StatementRecord } from './parser.js';

export interface ConnectionTarget {
  host?: string;
  port: number;
  user?: string;
  database?: string;
}

export interface RunOptions {
  /** Engine name for skipif/onlyif; default 'postgresql'. */
  engine?: string;
  /** Force a dialect; default: `.test` → sqlite, otherwise sqllogictest-rs. */
  dialect?: Dialect;
  /** Per statement timeout in ms (client side: CancelRequest, then reconnect); default 30 s. */
  statementTimeoutMs?: number;
  /** Follow `include` records (relative to the file); default false: RisingWave's .slt.part files run on their own. */
  followIncludes?: boolean;
  /**
   * How files are kept apart: 'database' (default) runs each file in a fresh database created with
   * CREATE DATABASE (dropped afterwards); if the server refuses, leftover public tables and views are
   * dropped before the file instead. 'none' shares everything.
   */
  isolate?: 'database' | 'none';
  /** After this many statement timeouts in one file the rest of the file counts as failed, unrun; default 3. */
  maxTimeoutsPerFile?: number;
  /** Called for each failure as it happens. */
  onFailure?: (file: string, failure: Failure) => void;
}

export interface Failure {
  readonly line: number;
  readonly sql: string;
  readonly expected: string;
  readonly actual: string;
}

export interface FileStats {
  readonly file: string;
  total: number;
  passed: number;
  failed: number;
  skipped: number;
  failures: Failure[];
  /** Set when the file could not be run at all (e.g. connection refused). */
  fatal?: string;
  ms: number;
}

type Cell = string | null;

interface QueryOutcome {
  readonly columns: number;
  readonly rows: Cell[][];
  readonly rowCount: number | null;
}

class SqlError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

class TimeoutError extends Error {}
const TIMEOUT_PREFIX = 'error: timed out after';

/**
 * A socket that turns exceptions thrown by pg's protocol parser (a malformed message from the
 * server under test) into a socket error: the query then fails instead of the whole run crashing.
 */
class GuardedSocket extends net.Socket {
  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (event !== 'data') return super.emit(event, ...args);
    try {
      return super.emit(event, ...args);
    } catch (e) {
      const err = new Error(`malformed message from server: ${e instanceof Error ? e.message : String(e)}`);
      this.destroy(err);
      return false;
    }
  }
}

export function guardedStream(): net.Socket {
  return new GuardedSocket();
}

/** Every value arrives as the server's text: comparing the wire output is the point. */
const rawTypes = {
  getTypeParser: () => (v: string): string => v,
};

/** One backend connection with a client-side timeout that cancels the running statement. */
class Conn {
  private client: pg.Client | null = null;
  constructor(private readonly target: ConnectionTarget) {}

  private async open(): Promise<pg.Client> {
    if (this.client !== null) return this.client;
    const c = new pg.Client({
      host: this.target.host ?? '127.0.0.1',
      port: this.target.port,
      user: this.target.user ?? 'eddy',
      database: this.target.database ?? 'eddy',
      types: rawTypes,
      stream: guardedStream,
    });
    // An 'error' event without a listener would crash the process when the server goes away.
    c.on('error', () => {
      if (this.client === c) this.client = null;
    });
    c.on('end', () => {
      if (this.client === c) this.client = null;
    });
    await c.connect();
    this.client = c;
    return c;
  }

  async run(sql: string, timeoutMs: number): Promise<QueryOutcome> {
    const c = await this.open();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimeoutError(`timed out after ${timeoutMs} ms`)), timeoutMs);
    });
    const q = c.query({ text: sql, rowMode: 'array' }) as unknown as Promise<pg.QueryArrayResult | pg.QueryArrayResult[]>;
    try {
      const res = await Promise.race([q, timeout]);
      // Several statements in one record: the last one's result is the record's result.
      const results = Array.isArray(res) ? res : [res];
      let last: pg.QueryArrayResult | undefined;
      for (const r of results) if (r.fields.length > 0 || last === undefined) last = r;
      const lastAny = results[results.length - 1];
      if (last === undefined) return { columns: 0, rows: [], rowCount: null };
      return {
        columns: last.fields.length,
        rows: last.rows.map((r) => r.map((v: unknown) => (v === null || v === undefined ? null : String(v)))),
        rowCount: lastAny?.rowCount ?? null,
      };
    } catch (e) {
      if (e instanceof TimeoutError) {
        await this.cancelOrDrop(c, q);
        throw e;
      }
      const err = e as { message?: string; code?: string };
      throw new SqlError(err.message ?? String(e), err.code);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends a CancelRequest; if the statement still does not finish, drops the connection. */
  private async cancelOrDrop(c: pg.Client, q: Promise<unknown>): Promise<void> {
    const keyed = c as unknown as { processID?: number; secretKey?: number };
    if (typeof keyed.processID === 'number' && typeof keyed.secretKey === 'number') {
      await sendCancel(this.target.host ?? '127.0.0.1', this.target.port, keyed.processID, keyed.secretKey).catch(() => undefined);
    }
    const settled = await Promise.race([
      q.then(
        () => true,
        () => true,
      ),
      new Promise<boolean>((r) => setTimeout(() => r(false), 5000)),
    ]);
    if (!settled) {
      this.client = null;
      await c.end().catch(() => undefined);
      (c as unknown as { connection?: { stream?: net.Socket } }).connection?.stream?.destroy();
    }
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = null;
    if (c !== null) {
      await Promise.race([c.end().catch(() => undefined), new Promise((r) => setTimeout(r, 2000))]);
    }
  }
}

/** CancelRequest: length 16, code 80877102, pid, key on a fresh connection. */
export async function sendCancel(host: string, port: number, pid: number, key: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const sock = net.connect({ host, port }, () => {
      const buf = Buffer.alloc(16);
      buf.writeInt32BE(16, 0);
      buf.writeInt32BE(80877102, 4);
      buf.writeInt32BE(pid, 8);
      buf.writeInt32BE(key, 12);
      sock.end(buf);
    });
    sock.on('error', reject);
    sock.on('close', () => resolve());
    sock.setTimeout(5000, () => sock.destroy());
  });
}

// ---- value formatting ------------------------------------------------------------------------

/** sqlite's runner: I = integer, R = '%.3f', T = text with '(empty)' and non-printables as '@'. */
function formatSqlite(v: Cell, type: string): string {
  if (v === null) return 'NULL';
  if (type === 'I') {
    if (/^[+-]?\d+$/.test(v)) return String(BigInt(v));
    if (v === 't' || v === 'true') return '1';
    if (v === 'f' || v === 'false') return '0';
    const n = Number(v);
    if (Number.isFinite(n)) return String(Math.trunc(n)).replace(/^-0$/, '0');
    // sqlite's sqlite3_column_int64 on non-numeric text.
    return '0';
  }
  if (type === 'R') {
    const n = Number(v);
    if (Number.isNaN(n)) return v;
    return n.toFixed(3);
  }
  if (v === '') return '(empty)';
  // eslint-disable-next-line no-control-regex
  return v.replace(/[\x00-\x1f\x7f-\uffff]/g, '@');
}

/** sqllogictest-rs (postgres engines): values as the server prints them, empty → '(empty)'. */
function formatRs(v: Cell): string {
  if (v === null) return 'NULL';
  if (v === '') return '(empty)';
  return v;
}

/** sqllogictest-rs' default normalizer: trim, collapse whitespace runs. */
function normalizeLine(s: string): string {
  return s.trim().split(/\s+/).join(' ');
}

function compareRows(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  for (let k = 0; k < n; k++) {
    const x = a[k] ?? '';
    const y = b[k] ?? '';
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return a.length - b.length;
}

function sortValues(rows: string[][], mode: SortMode): string[] {
  if (mode === 'rowsort') rows = [...rows].sort(compareRows);
  const flat = rows.flat();
  if (mode === 'valuesort') flat.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  return flat;
}

function md5Values(values: readonly string[]): string {
  const h = createHash('md5');
  for (const v of values) h.update(v + '\n');
  return h.digest('hex');
}

const HASH_LINE = /^(\d+) values hashing to ([0-9a-f]{32})$/;

function errorMatches(expected: string | null, message: string): boolean {
  if (expected === null || expected.trim() === '') return true;
  const exp = expected.trim();
  if (message.includes(exp)) return true;
  // sqllogictest-rs treats the message as a regex; multi-line blocks are compared after normalization.
  try {
    if (new RegExp(exp).test(message)) return true;
  } catch {
    /* not a regex: substring only */
  }
  const norm = (s: string): string => s.split(/\s+/).join(' ').trim();
  return norm(message).includes(norm(exp).replace(/^db error: ERROR: /, ''));
}

// ---- running ---------------------------------------------------------------------------------

interface FileState {
  readonly dialect: Dialect;
  readonly conns: Map<string, Conn>;
  readonly labels: Map<string, string>;
  hashThreshold: number;
  timeouts: number;
}

export async function runSltFile(file: string, target: ConnectionTarget, opts: RunOptions = {}): Promise<FileStats> {
  const started = Date.now();
  const stats: FileStats = { file, total: 0, passed: 0, failed: 0, skipped: 0, failures: [], ms: 0 };
  const state: FileState = {
    dialect: opts.dialect ?? dialectForPath(file),
    conns: new Map(),
    labels: new Map(),
    hashThreshold: 0,
    timeouts: 0,
  };
  let fileTarget = target;
  let dropDb: (() => Promise<void>) | null = null;
  try {
    if ((opts.isolate ?? 'database') === 'database') {
      const iso = await isolate(target);
      fileTarget = iso.target;
      dropDb = iso.drop;
    }
    await runRecords(file, parseSlt(fs.readFileSync(file, 'utf8'), opts.engine ?? 'postgresql'), fileTarget, opts, state, stats, 0);
  } catch (e) {
    stats.fatal = e instanceof Error ? e.message : String(e);
  } finally {
    for (const c of state.conns.values()) await c.close();
    if (dropDb !== null) await dropDb().catch(() => undefined);
    stats.ms = Date.now() - started;
  }
  return stats;
}

let isolationCounter = 0;

async function adminQuery<T>(target: ConnectionTarget, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({
    host: target.host ?? '127.0.0.1',
    port: target.port,
    user: target.user ?? 'eddy',
    database: target.database ?? 'eddy',
    types: rawTypes,
    stream: guardedStream,
  });
  c.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  // Isolation must never hang a run: give up after 15 s (the caller treats that as "not supported").
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError('isolation query timed out')), 15_000);
  });
  try {
    return await Promise.race([
      (async () => {
        await c.connect();
        return await fn(c);
      })(),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
    await Promise.race([c.end().catch(() => undefined), new Promise((r) => setTimeout(r, 1000))]);
  }
}

/** A fresh database for one file, or (if the server has no CREATE DATABASE) a cleaned public schema. */
async function isolate(target: ConnectionTarget): Promise<{ target: ConnectionTarget; drop: (() => Promise<void>) | null }> {
  const name = `slt_${process.pid}_${++isolationCounter}`;
  const created = await adminQuery(target, async (c) => {
    try {
      await c.query(`CREATE DATABASE ${name}`);
      return true;
    } catch {
      return false;
    }
  }).catch(() => false);
  if (created) {
    return {
      target: { ...target, database: name },
      drop: () => adminQuery(target, async (c) => void (await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))),
    };
  }
  await adminQuery(target, async (c) => {
    let rels: { rows: string[][] } = { rows: [] };
    try {
      rels = await c.query({
        text: `SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'public'`,
        rowMode: 'array',
      });
    } catch {
      return;
    }
    for (const [relName, relType] of rels.rows) {
      const kind = relType === 'VIEW' ? 'VIEW' : 'TABLE';
      await c.query(`DROP ${kind} IF EXISTS "${String(relName).replace(/"/g, '""')}" CASCADE`).catch(() => undefined);
    }
  }).catch(() => undefined);
  return { target, drop: null };
}

async function runRecords(
  file: string,
  records: readonly SltRecord[],
  target: ConnectionTarget,
  opts: RunOptions,
  state: FileState,
  stats: FileStats,
  depth: number,
): Promise<boolean> {
  const timeoutMs = opts.statementTimeoutMs ?? 30_000;
  const fail = (f: Failure): void => {
    stats.failed++;
    stats.failures.push(f);
    opts.onFailure?.(file, f);
  };
  for (const rec of records) {
    switch (rec.kind) {
      case 'halt':
        if (rec.enabled) return false;
        continue;
      case 'hash-threshold':
        state.hashThreshold = rec.value;
        continue;
      case 'sleep':
        if (rec.enabled) await new Promise((r) => setTimeout(r, rec.ms));
        continue;
      case 'ignored':
        continue;
      case 'include': {
        if (!rec.enabled || !(opts.followIncludes ?? false) || depth > 8) continue;
        const inc = path.resolve(path.dirname(file), rec.path);
        if (!fs.existsSync(inc)) continue;
        const more = parseSlt(fs.readFileSync(inc, 'utf8'), opts.engine ?? 'postgresql');
        if (!(await runRecords(inc, more, target, opts, state, stats, depth + 1))) return false;
        continue;
      }
      case 'statement':
      case 'query':
        break;
    }
    stats.total++;
    if (!rec.enabled) {
      stats.skipped++;
      continue;
    }
    const maxTimeouts = opts.maxTimeoutsPerFile ?? 3;
    if (state.timeouts >= maxTimeouts) {
      // A server that hangs repeatedly would otherwise cost timeout × records.
      if (state.timeouts === maxTimeouts) {
        state.timeouts++;
        fail({ line: rec.line, sql: rec.sql, expected: '(not run)', actual: `rest of file not run after ${maxTimeouts} statement timeouts` });
      } else {
        stats.failed++;
      }
      continue;
    }
    let conn = state.conns.get(rec.connection);
    if (conn === undefined) {
      conn = new Conn(target);
      state.conns.set(rec.connection, conn);
    }
    const failure = rec.kind === 'statement' ? await runStatement(conn, rec, timeoutMs) : await runQuery(conn, rec, timeoutMs, state);
    if (failure === null) stats.passed++;
    else {
      if (failure.actual.startsWith(TIMEOUT_PREFIX)) state.timeouts++;
      fail(failure);
    }
  }
  return true;
}

async function runStatement(conn: Conn, rec: StatementRecord, timeoutMs: number): Promise<Failure | null> {
  try {
    const out = await conn.run(rec.sql, timeoutMs);
    if (rec.expect === 'error') {
      return { line: rec.line, sql: rec.sql, expected: `error ${rec.errorMessage ?? ''}`.trim(), actual: 'statement succeeded' };
    }
    if (rec.expect === 'count' && out.rowCount !== rec.count) {
      return { line: rec.line, sql: rec.sql, expected: `count ${String(rec.count)}`, actual: `count ${String(out.rowCount)}` };
    }
    return null;
  } catch (e) {
    const msg = describeError(e);
    if (rec.expect === 'error' && !(e instanceof TimeoutError) && errorMatches(rec.errorMessage, errorText(e))) return null;
    return { line: rec.line, sql: rec.sql, expected: rec.expect === 'error' ? `error ${rec.errorMessage ?? ''}`.trim() : 'ok', actual: msg };
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function describeError(e: unknown): string {
  if (e instanceof SqlError) return `error ${e.code ?? '?'}: ${e.message}`;
  return `error: ${errorText(e)}`;
}

async function runQuery(conn: Conn, rec: QueryRecord, timeoutMs: number, state: FileState): Promise<Failure | null> {
  let out: QueryOutcome;
  try {
    out = await conn.run(rec.sql, timeoutMs);
  } catch (e) {
    if (rec.expectError && !(e instanceof TimeoutError) && errorMatches(rec.errorMessage, errorText(e))) return null;
    return { line: rec.line, sql: rec.sql, expected: rec.expectError ? `error ${rec.errorMessage ?? ''}` : rec.expected.join('\n'), actual: describeError(e) };
  }
  if (rec.expectError) {
    return { line: rec.line, sql: rec.sql, expected: `error ${rec.errorMessage ?? ''}`.trim(), actual: 'query succeeded' };
  }
  const mismatch = (actual: string): Failure => ({ line: rec.line, sql: rec.sql, expected: rec.expected.join('\n'), actual });

  if (state.dialect === 'sqlite') {
    const formatted = out.rows.map((r) => r.map((v, k) => formatSqlite(v, rec.types[k] ?? 'T')));
    const values = sortValues(formatted, rec.sort);
    const first = rec.expected[0] ?? '';
    const hm = HASH_LINE.exec(first.trim());
    if (hm !== null && rec.expected.length === 1) {
      const hash = md5Values(values);
      const actual = `${values.length} values hashing to ${hash}`;
      if (rec.label !== null) {
        const prev = state.labels.get(rec.label);
        if (prev === undefined) state.labels.set(rec.label, hash);
        else if (prev !== hash) return mismatch(`${actual} (label ${rec.label} previously hashed to ${prev})`);
      }
      return actual === first.trim() ? null : mismatch(actual);
    }
    if (rec.label !== null) {
      const hash = md5Values(values);
      const prev = state.labels.get(rec.label);
      if (prev === undefined) state.labels.set(rec.label, hash);
      else if (prev !== hash) return mismatch(`values differ from label ${rec.label}`);
    }
    const expectedValues = rec.expected.map((l) => l.trim());
    if (arraysEqual(values, expectedValues)) return null;
    // Some files written for other engines put a whole row on one line: accept that layout too.
    const rowLines = sortedRowLines(formatted, rec.sort);
    const expectedRows = rec.sort === 'rowsort' ? [...rec.expected.map(normalizeLine)].sort() : rec.expected.map(normalizeLine);
    if (arraysEqual(rowLines, expectedRows)) return null;
    return mismatch(values.length > 64 ? `${values.length} values hashing to ${md5Values(values)}` : values.join('\n'));
  }

  // sqllogictest-rs: one row per line, values separated by spaces, whitespace-normalized comparison.
  const formatted = out.rows.map((r) => r.map(formatRs));
  let actualLines: string[];
  let expectedLines = rec.expected.map(normalizeLine);
  if (rec.sort === 'valuesort') {
    actualLines = formatted.flat().map(normalizeLine).sort();
    expectedLines = expectedLines.flatMap((l) => l.split(' ')).sort();
  } else {
    actualLines = formatted.map((r) => normalizeLine(r.join(' ')));
    if (rec.sort === 'rowsort') {
      actualLines.sort();
      expectedLines = [...expectedLines].sort();
    }
  }
  const hm = rec.expected.length === 1 ? HASH_LINE.exec((rec.expected[0] ?? '').trim()) : null;
  if (hm !== null) {
    const values = sortValues(formatted, rec.sort);
    const actual = `${values.length} values hashing to ${md5Values(values)}`;
    return actual === (rec.expected[0] ?? '').trim() ? null : mismatch(actual);
  }
  return arraysEqual(actualLines, expectedLines) ? null : mismatch(actualLines.join('\n'));
}

function sortedRowLines(rows: string[][], mode: SortMode): string[] {
  const lines = rows.map((r) => normalizeLine(r.join(' ')));
  return mode === 'nosort' ? lines : lines.sort();
}

function arraysEqual(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

// ---- directories -----------------------------------------------------------------------------

/** Expands files and directories (recursively) into test files, sorted for a stable order. */
export function collectSltFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    const st = fs.statSync(p);
    if (st.isDirectory()) {
      for (const name of fs.readdirSync(p).sort()) walk(path.join(p, name));
    } else if (/\.(test|slt|slt\.part)$/.test(p)) {
      out.push(p);
    }
  };
  for (const p of paths) walk(p);
  return out;
}

export interface TotalStats {
  files: number;
  total: number;
  passed: number;
  failed: number;
  skipped: number;
  fatal: number;
}

export function sumStats(all: readonly FileStats[]): TotalStats {
  const t: TotalStats = { files: all.length, total: 0, passed: 0, failed: 0, skipped: 0, fatal: 0 };
  for (const s of all) {
    t.total += s.total;
    t.passed += s.passed;
    t.failed += s.failed;
    t.skipped += s.skipped;
    if (s.fatal !== undefined) t.fatal++;
  }
  return t;
}

/** Pass rate over the records that ran (skipped ones excluded), in percent. */
export function passRate(s: { passed: number; failed: number }): number {
  const ran = s.passed + s.failed;
  return ran === 0 ? 100 : (100 * s.passed) / ran;
}

export function formatFileLine(s: FileStats): string {
  const rate = passRate(s).toFixed(2).padStart(6);
  const extra = s.fatal !== undefined ? `  FATAL: ${s.fatal}` : '';
  return `${rate}%  ${String(s.passed).padStart(6)}/${String(s.passed + s.failed).padEnd(6)} skipped ${String(s.skipped).padEnd(5)} ${(s.ms / 1000).toFixed(1)}s  ${s.file}${extra}`;
}

export async function runSltFiles(
  files: readonly string[],
  target: ConnectionTarget,
  opts: RunOptions = {},
  onFile?: (s: FileStats) => void,
): Promise<FileStats[]> {
  const all: FileStats[] = [];
  for (const f of files) {
    const s = await runSltFile(f, target, opts);
    onFile?.(s);
    all.push(s);
  }
  return all;
}
