// Test support for the pgwire tests: a fake SessionFactory and a raw-frame client.
// Not used by production code.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { T, typeFromOid } from '../../core/types.js';
import type { SqlType } from '../../core/types.js';
import { SqlError } from '../../core/errors.js';
import type { Row } from '../../core/datum.js';
import { DEFAULT_VALUE_SETTINGS } from '../../core/values/settings.js';
import type {
  AuthRequirement, CopyInTarget, QueryEvent, ResultColumn, Session, SessionFactory, StatementDescription, TransactionStatus,
} from '../session/types.js';

const col = (name: string, type: SqlType): ResultColumn => ({ name, type, tableOid: 0, attnum: 0 });

interface Stmt { sql: string; paramTypes: SqlType[] }
interface Portal { stmt: Stmt; params: (string | null)[]; pos: number; rows: Row[] | null; columns: ResultColumn[] | null }

export class FakeFactory implements SessionFactory {
  readonly sessions = new Map<number, FakeSession>();
  readonly cancels: [number, number][] = [];
  auth: Record<string, AuthRequirement> = {};
  private nextPid = 1000;

  authFor(user: string, _database: string): AuthRequirement {
    if (user === 'nologin') throw new SqlError('28000', `role "${user}" is not permitted to log in`);
    return this.auth[user] ?? { method: 'trust' };
  }
  create(startupParams: Readonly<Record<string, string>>): Session {
    const s = new FakeSession(this.nextPid++, startupParams);
    this.sessions.set(s.processId, s);
    return s;
  }
  cancel(processId: number, secretKey: number): void {
    this.cancels.push([processId, secretKey]);
    const s = this.sessions.get(processId);
    if (s && s.secretKey === secretKey) s.cancel();
  }
}

export class FakeSession implements Session {
  readonly secretKey: number;
  closed = false;
  failedMarks = 0;
  syncs = 0;
  copied: string[] = [];
  rowsYielded = 0;
  private cancelled: (() => void) | null = null;
  private tx: TransactionStatus = 'I';
  private stmts = new Map<string, Stmt>();
  private portals = new Map<string, Portal>();

  constructor(readonly processId: number, readonly params: Readonly<Record<string, string>>) {
    this.secretKey = (processId * 7919) | 0;
  }
  valueSettings() { return DEFAULT_VALUE_SETTINGS; }
  initialParameterStatus(): ReadonlyArray<readonly [string, string]> {
    return [['server_version', '16.0'], ['client_encoding', 'UTF8'], ['DateStyle', 'ISO, MDY'], ['integer_datetimes', 'on']];
  }
  transactionStatus(): TransactionStatus { return this.tx; }

  async *simpleQuery(sql: string): AsyncIterable<QueryEvent> {
    for (const raw of sql.split(';')) {
      const stmt = raw.trim();
      if (stmt === '') continue;
      yield* this.run(stmt, [], 0, null);
    }
  }

  /** Runs one statement. For portals, `p` keeps the position so Execute can resume. */
  private async *run(stmt: string, params: (string | null)[], maxRows: number, p: Portal | null): AsyncIterable<QueryEvent> {
    let m: RegExpExecArray | null;
    if (/^SELECT BROKEN$/i.test(stmt)) {
      // the second value fails to encode (see the io mock in connection.test.ts)
      if (!p) yield { kind: 'columns', columns: [col('v', T.text)] };
      yield { kind: 'rows', rows: [['fine'], ['unencodable'], ['never sent']] };
      yield { kind: 'complete', tag: 'SELECT 3' };
      return;
    }
    if ((m = /^SELECT (\d+)$/i.exec(stmt))) {
      const n = Number(m[1]);
      if (!p) yield { kind: 'columns', columns: [col('n', T.int4)] };
      const rows: Row[] = [];
      let pos = p ? p.pos : 0;
      while (pos < n) {
        if (maxRows > 0 && p && pos - p.pos >= maxRows) {
          if (rows.length) yield { kind: 'rows', rows: rows.splice(0) };
          p.pos = pos;
          yield { kind: 'suspended' };
          return;
        }
        rows.push([++pos]);
        this.rowsYielded++;
        if (rows.length >= 1000) yield { kind: 'rows', rows: rows.splice(0) };
      }
      if (rows.length) yield { kind: 'rows', rows };
      if (p) p.pos = pos;
      yield { kind: 'complete', tag: `SELECT ${p ? pos : n}` };
    } else if (/^SELECT \$/i.test(stmt)) {
      yield { kind: 'rows', rows: [params.map((x) => x)] };
      yield { kind: 'complete', tag: 'SELECT 1' };
    } else if ((m = /^ERROR (\w{5})$/i.exec(stmt))) {
      throw new SqlError(m[1]!, 'boom', { detail: 'some detail', hint: 'some hint', position: 3, table: 't', constraint: 'c1' });
    } else if (/^FATAL$/i.test(stmt)) {
      throw new SqlError('57P01', 'terminating connection due to administrator command', { severity: 'FATAL' });
    } else if (/^CRASH$/i.test(stmt)) {
      throw new Error('kaboom');
    } else if (/^NOTICE$/i.test(stmt)) {
      yield { kind: 'notice', notice: { severity: 'NOTICE', code: '00000', message: 'hello notice' } };
      yield { kind: 'complete', tag: 'DO' };
    } else if (/^BEGIN$/i.test(stmt)) {
      this.tx = 'T';
      yield { kind: 'complete', tag: 'BEGIN' };
    } else if (/^COMMIT$/i.test(stmt)) {
      this.tx = 'I';
      yield { kind: 'complete', tag: 'COMMIT' };
    } else if (/^SLEEP$/i.test(stmt)) {
      await new Promise<void>((resolve) => { this.cancelled = resolve; });
      throw new SqlError('57014', 'canceling statement due to user request');
    } else if (/^COPY t FROM STDIN$/i.test(stmt)) {
      const chunks: Buffer[] = [];
      let failure: string | null = null;
      const target: CopyInTarget = {
        format: 0,
        columnCount: 2,
        write: (c) => { chunks.push(Buffer.from(c)); },
        end: async () => { /* stored */ },
        fail: (msg) => { failure = msg; },
      };
      yield { kind: 'copyIn', target };
      if (failure !== null) throw new SqlError('57014', `COPY from stdin failed: ${String(failure)}`);
      const lines = Buffer.concat(chunks).toString('utf8').split('\n').filter((l) => l !== '');
      this.copied.push(...lines);
      yield { kind: 'complete', tag: `COPY ${lines.length}` };
    } else if (/^COPY t TO STDOUT$/i.test(stmt)) {
      async function* chunks(): AsyncIterable<Uint8Array> {
        yield Buffer.from('1\ta\n');
        yield Buffer.from('2\tb\n');
      }
      yield { kind: 'copyOut', format: 0, columnCount: 2, chunks: chunks() };
      yield { kind: 'complete', tag: 'COPY 2' };
    } else {
      throw new SqlError('42601', `syntax error at or near "${stmt.slice(0, 10)}"`, { position: 1 });
    }
  }

  parse(name: string, sql: string, paramTypeOids: readonly number[]): void {
    if (name !== '' && this.stmts.has(name)) throw new SqlError('42P05', `prepared statement "${name}" already exists`);
    if (/^ERROR/i.test(sql)) throw new SqlError('42601', 'syntax error in parse');
    const count = (sql.match(/\$\d+/g) ?? []).length;
    const paramTypes: SqlType[] = [];
    for (let i = 0; i < count; i++) paramTypes.push(typeFromOid(paramTypeOids[i] ?? 0) ?? T.text);
    this.stmts.set(name, { sql: sql.trim(), paramTypes });
  }
  private stmt(name: string): Stmt {
    const s = this.stmts.get(name);
    if (!s) throw new SqlError('26000', `prepared statement "${name}" does not exist`);
    return s;
  }
  private columnsOf(s: Stmt): ResultColumn[] | null {
    if (/^SELECT \d+$/i.test(s.sql)) return [col('n', T.int4)];
    if (/^SELECT \$/i.test(s.sql)) return s.paramTypes.map((t, i) => col(`p${i + 1}`, t));
    return null;
  }
  describeStatement(name: string): StatementDescription {
    const s = this.stmt(name);
    return { paramTypes: s.paramTypes, columns: this.columnsOf(s) };
  }
  bind(portal: string, statement: string, params: readonly (Uint8Array | null)[], paramFormats: readonly number[]): void {
    const s = this.stmt(statement);
    if (params.length !== s.paramTypes.length) {
      throw new SqlError('08P01', `bind message supplies ${params.length} parameters, but prepared statement "${statement}" requires ${s.paramTypes.length}`);
    }
    const decoded = params.map((b, i) => {
      if (b === null) return null;
      const f = paramFormats.length === 1 ? paramFormats[0] : paramFormats[i] ?? 0;
      if (f === 1) throw new SqlError('0A000', 'binary parameters not supported by fake');
      return Buffer.from(b).toString('utf8');
    });
    this.portals.set(portal, { stmt: s, params: decoded, pos: 0, rows: null, columns: this.columnsOf(s) });
  }
  describePortal(portal: string): readonly ResultColumn[] | null {
    const p = this.portals.get(portal);
    if (!p) throw new SqlError('34000', `portal "${portal}" does not exist`);
    return p.columns;
  }
  async *execute(portal: string, maxRows: number): AsyncIterable<QueryEvent> {
    const p = this.portals.get(portal);
    if (!p) throw new SqlError('34000', `portal "${portal}" does not exist`);
    yield* this.run(p.stmt.sql, p.params, maxRows, p);
  }
  closeStatement(name: string): void { this.stmts.delete(name); }
  closePortal(name: string): void { this.portals.delete(name); }
  async sync(): Promise<void> {
    this.syncs++;
    this.portals.delete('');
  }
  markFailed(): void { this.failedMarks++; }
  cancel(): void {
    const c = this.cancelled;
    this.cancelled = null;
    c?.();
  }
  async close(): Promise<void> { this.closed = true; this.cancel(); }
}

// --- raw frames -------------------------------------------------------------------------------

export function frame(type: string, body: Buffer = Buffer.alloc(0)): Buffer {
  const h = Buffer.alloc(5);
  h[0] = type.charCodeAt(0);
  h.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([h, body]);
}
export function cstr(s: string): Buffer {
  return Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]);
}
export function i16(n: number): Buffer { const b = Buffer.alloc(2); b.writeInt16BE(n); return b; }
export function i32(n: number): Buffer { const b = Buffer.alloc(4); b.writeInt32BE(n); return b; }

export function startupPacket(params: Record<string, string>, version = 196608): Buffer {
  const parts: Buffer[] = [i32(version)];
  for (const [k, v] of Object.entries(params)) parts.push(cstr(k), cstr(v));
  parts.push(Buffer.from([0]));
  const body = Buffer.concat(parts);
  return Buffer.concat([i32(body.length + 4), body]);
}

export const msg = {
  query: (sql: string) => frame('Q', cstr(sql)),
  parse: (name: string, sql: string, oids: number[] = []) => frame('P', Buffer.concat([cstr(name), cstr(sql), i16(oids.length), ...oids.map(i32)])),
  bind: (portal: string, stmt: string, params: (string | null)[] = [], resultFormats: number[] = []) => frame('B', Buffer.concat([
    cstr(portal), cstr(stmt), i16(0), i16(params.length),
    ...params.map((p) => (p === null ? i32(-1) : Buffer.concat([i32(Buffer.byteLength(p)), Buffer.from(p)]))),
    i16(resultFormats.length), ...resultFormats.map(i16),
  ])),
  describe: (kind: 'S' | 'P', name: string) => frame('D', Buffer.concat([Buffer.from(kind), cstr(name)])),
  execute: (portal: string, maxRows = 0) => frame('E', Buffer.concat([cstr(portal), i32(maxRows)])),
  close: (kind: 'S' | 'P', name: string) => frame('C', Buffer.concat([Buffer.from(kind), cstr(name)])),
  sync: () => frame('S'),
  flush: () => frame('H'),
  terminate: () => frame('X'),
  copyData: (s: string | Buffer) => frame('d', typeof s === 'string' ? Buffer.from(s) : s),
  copyDone: () => frame('c'),
  copyFail: (m: string) => frame('f', cstr(m)),
};

export interface BackendMessage { type: string; body: Buffer }

/** A minimal frontend over a raw socket, for tests that need exact control of frames. */
export class RawClient {
  readonly messages: BackendMessage[] = [];
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;
  /** bytes received before the first typed message (e.g. the 'N' answer to SSLRequest) */
  rawPrefix: number[] = [];
  expectRawBytes = 0;

  private constructor(readonly socket: Socket) {
    socket.on('data', (c: Buffer) => {
      this.buf = Buffer.concat([this.buf, c]);
      while (this.expectRawBytes > 0 && this.buf.length > 0) {
        this.rawPrefix.push(this.buf[0]!);
        this.buf = this.buf.subarray(1);
        this.expectRawBytes--;
      }
      while (this.buf.length >= 5) {
        const len = this.buf.readInt32BE(1);
        if (this.buf.length < len + 1) break;
        this.messages.push({ type: String.fromCharCode(this.buf[0]!), body: this.buf.subarray(5, len + 1) });
        this.buf = this.buf.subarray(len + 1);
      }
      this.notify();
    });
    socket.on('close', () => { this.closed = true; this.notify(); });
    socket.on('error', () => { /* close follows */ });
  }
  private notify(): void {
    const w = this.waiters.splice(0);
    for (const f of w) f();
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  /** Connects, sends a trust startup and waits for ReadyForQuery. */
  static async ready(port: number, params: Record<string, string> = { user: 'alice', database: 'db' }): Promise<RawClient> {
    const c = await RawClient.connect(port);
    c.send(startupPacket(params));
    await c.until('Z');
    return c;
  }

  send(...bufs: Buffer[]): void {
    this.socket.write(Buffer.concat(bufs));
  }

  /** Waits for a message of the given type (returns everything received up to and including it). */
  async until(type: string, timeoutMs = 5000): Promise<BackendMessage[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.messages.findIndex((m) => m.type === type);
      if (i >= 0) return this.messages.splice(0, i + 1);
      if (this.closed) throw new Error(`connection closed while waiting for '${type}'; got ${this.messages.map((m) => m.type).join('')}`);
      if (Date.now() > deadline) throw new Error(`timeout waiting for '${type}'; got ${this.messages.map((m) => m.type).join('')}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  async waitClosed(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('timeout waiting for close');
      await new Promise<void>((resolve) => { this.waiters.push(resolve); setTimeout(resolve, 50); });
    }
  }

  close(): void { this.socket.destroy(); }
}

/** Parses ErrorResponse/NoticeResponse fields. */
export function errorFieldsOf(body: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < body.length && body[pos] !== 0) {
    const code = String.fromCharCode(body[pos]!);
    const end = body.indexOf(0, pos + 1);
    out[code] = body.toString('utf8', pos + 1, end);
    pos = end + 1;
  }
  return out;
}

/** DataRow values as text (null for NULL). */
export function dataRowOf(body: Buffer): (string | null)[] {
  const n = body.readInt16BE(0);
  const out: (string | null)[] = [];
  let pos = 2;
  for (let i = 0; i < n; i++) {
    const len = body.readInt32BE(pos);
    pos += 4;
    if (len < 0) { out.push(null); continue; }
    out.push(body.toString('utf8', pos, pos + len));
    pos += len;
  }
  return out;
}
