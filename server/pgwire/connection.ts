// One client connection: startup, authentication, then the simple/extended query state machine.
// Messages are handled strictly one after another (each handler may be async); output is batched
// in a MessageWriter and written when we are about to wait for input, at Sync/Flush, or when large.
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { TYPE_INFO, typeOid } from '../../core/types.js';
import type { SqlType } from '../../core/types.js';
import { SqlError, SqlState } from '../../core/errors.js';
import type { SqlNotice } from '../../core/errors.js';
import type { Row } from '../../core/datum.js';
import { encodeBinary, formatText } from '../../core/values/io.js';
import type { ValueSettings } from '../../core/values/settings.js';
import type { QueryEvent, ResultColumn, Session, SessionFactory } from '../session/types.js';
import { BodyReader, MessageReader, MessageWriter, ProtocolError } from './codec.js';
import type { ErrorFieldList, FieldDescription, Frame } from './codec.js';
import { ScramProtocolError, ScramServer, md5Response, mockScramKeys, passwordMatches, safeEqual, scramKeysFor } from './auth.js';

export interface ConnectionOptions {
  readonly factory: SessionFactory;
  readonly tls?: { readonly key: Buffer; readonly cert: Buffer } | undefined;
  /** Largest accepted message body (bytes). */
  readonly maxMessageSize: number;
  /** If set, the connection is refused with this error once the startup packet is read (e.g. 53300). */
  readonly rejectWith?: SqlError | undefined;
  readonly log: (msg: string) => void;
  /** Called exactly once when the connection is gone. */
  readonly onClose: () => void;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 3 << 16;

/** Flush while streaming once this much output is pending. */
const FLUSH_THRESHOLD = 64 * 1024;
/** Stop reading from the socket while this much unprocessed input is queued. */
const INPUT_HIGH_WATER = 1024 * 1024;

interface PortalInfo {
  readonly columns: readonly ResultColumn[] | null;
  /** per-column format codes, already expanded to the column count */
  readonly formats: readonly number[];
}

/** Closes the connection after the ErrorResponse was sent. */
class FatalError extends Error {
  constructor(readonly error: SqlError) {
    super(error.message);
  }
}

export class Connection {
  private sock: Socket;
  private readonly reader: MessageReader;
  private readonly out = new MessageWriter();
  private session: Session | null = null;
  private closed = false;
  private sessionClosed = false;
  private waiter: (() => void) | null = null;
  private paused = false;
  private skipUntilSync = false;
  private readonly portals = new Map<string, PortalInfo>();
  /** COPY FROM STDIN in progress: failed if the connection dies */
  private copyTarget: { fail(message: string): void } | null = null;

  constructor(socket: Socket, private readonly opts: ConnectionOptions) {
    this.sock = socket;
    this.reader = new MessageReader(opts.maxMessageSize);
    this.attach(socket);
    socket.on('close', this.onSocketClose);
    this.run().catch((err: unknown) => {
      // last line of defence: an exception here would otherwise be an unhandled rejection
      this.logInternal(err);
      try { this.destroy(); } catch { /* socket already gone */ }
    });
  }

  /** Server shutdown or fatal error: drop the connection. */
  destroy(): void {
    this.sock.destroy();
    this.onSocketClose();
  }

  // --- socket plumbing ----------------------------------------------------------------------

  private readonly onData = (chunk: Buffer): void => {
    try {
      this.reader.push(chunk);
      if (this.reader.buffered > INPUT_HIGH_WATER && !this.paused) {
        this.paused = true;
        this.sock.pause();
      }
      this.wake();
    } catch (err) {
      this.opts.log(`pgwire: data handler failed: ${String(err)}`);
      this.destroy();
    }
  };

  private readonly onSocketError = (err: Error): void => {
    // 'close' follows; a reset by the client is routine
    if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET' && (err as NodeJS.ErrnoException).code !== 'EPIPE') {
      this.opts.log(`pgwire: socket error: ${err.message}`);
    }
  };

  private readonly onSocketClose = (): void => {
    if (this.closed) return;
    this.closed = true;
    if (this.copyTarget) {
      try { this.copyTarget.fail('connection closed'); } catch { /* the session is going away anyway */ }
      this.copyTarget = null;
    }
    this.wake();
    void this.closeSession();
    try { this.opts.onClose(); } catch { /* never throw out of an event handler */ }
  };

  private attach(s: Socket): void {
    s.on('data', this.onData);
    s.on('error', this.onSocketError);
  }

  private wake(): void {
    const w = this.waiter;
    if (w) { this.waiter = null; w(); }
  }

  private async closeSession(): Promise<void> {
    if (this.sessionClosed || !this.session) return;
    this.sessionClosed = true;
    try { await this.session.close(); } catch (err) { this.opts.log(`pgwire: session.close failed: ${String(err)}`); }
  }

  /** Sends pending output; returns false if the socket asked us to wait for 'drain'. */
  private flush(): boolean {
    const b = this.out.take();
    if (!b || this.closed) return true;
    return this.sock.write(b);
  }

  /** Flush, then wait for 'drain' (or close) if the socket buffer is full: backpressure while streaming. */
  private async flushAndDrain(): Promise<void> {
    if (this.flush() || this.closed) return;
    await new Promise<void>((resolve) => {
      const done = (): void => { this.sock.off('drain', done); this.sock.off('close', done); resolve(); };
      this.sock.on('drain', done);
      this.sock.on('close', done);
    });
  }

  private async maybeFlush(): Promise<void> {
    if (this.out.length >= FLUSH_THRESHOLD) await this.flushAndDrain();
  }

  /** The next frame, waiting for input if needed; null once the connection is closed. */
  private async nextFrame(): Promise<Frame | null> {
    for (;;) {
      if (this.closed) return null;
      const f = this.reader.next();
      if (f) return f;
      // about to wait: everything produced so far goes out in one write
      this.flush();
      this.out.release();
      if (this.paused) { this.paused = false; this.sock.resume(); }
      await new Promise<void>((resolve) => { this.waiter = resolve; });
    }
  }

  // --- main loop ----------------------------------------------------------------------------

  private async run(): Promise<void> {
    try {
      if (!(await this.startup())) return;
      for (;;) {
        const f = await this.nextFrame();
        if (!f) return;
        if (!(await this.dispatch(f))) return;
      }
    } catch (err) {
      if (this.closed) return;
      if (err instanceof ProtocolError || err instanceof ScramProtocolError) {
        this.fatal(new SqlError(SqlState.ProtocolViolation, err.message));
      } else if (err instanceof FatalError) {
        this.fatal(err.error);
      } else {
        this.logInternal(err);
        this.fatal(new SqlError(SqlState.InternalError, err instanceof Error ? err.message : String(err)));
      }
    }
  }

  private fatal(err: SqlError): void {
    if (this.closed) return;
    this.out.errorResponse(errorFields(err, 'FATAL'));
    this.flush();
    // destroy once our data is out: a silent client must not keep the socket open
    const s = this.sock;
    s.end(() => s.destroy());
    this.onSocketClose();
  }

  private logInternal(err: unknown): void {
    process.stderr.write(`pgwire: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }

  // --- startup & authentication -------------------------------------------------------------

  /** Returns true once a session is ready for queries. */
  private async startup(): Promise<boolean> {
    let sslDone = false;
    let gssDone = false;
    for (;;) {
      const f = await this.nextFrame();
      if (!f) return false;
      const r = new BodyReader(f.body);
      const code = r.int32();
      if (code === SSL_REQUEST && f.body.length === 4 && !sslDone) {
        sslDone = true;
        if (this.opts.tls && !this.opts.rejectWith) {
          // bytes after SSLRequest but before the handshake would be unencrypted injection (CVE-2021-23214)
          if (this.reader.buffered > 0) throw new ProtocolError('received unencrypted data after SSL request');
          this.upgradeTls(this.opts.tls);
        } else {
          this.out.singleByte('N');
        }
        continue;
      }
      if (code === GSSENC_REQUEST && f.body.length === 4 && !gssDone) {
        gssDone = true;
        this.out.singleByte('N');
        continue;
      }
      if (code === CANCEL_REQUEST && f.body.length === 12) {
        const pid = r.int32();
        const key = r.int32();
        try { this.opts.factory.cancel(pid, key); } catch (err) { this.opts.log(`pgwire: cancel failed: ${String(err)}`); }
        this.sock.end();
        this.onSocketClose();
        return false;
      }
      if (this.opts.rejectWith) throw new FatalError(this.opts.rejectWith);
      if (code >>> 16 !== 3) {
        throw new FatalError(new SqlError(SqlState.ProtocolViolation,
          `unsupported frontend protocol ${code >>> 16}.${code & 0xffff}: server supports 3.0 to 3.0`));
      }
      const params: Record<string, string> = Object.create(null) as Record<string, string>;
      const unsupported: string[] = [];
      for (;;) {
        const name = r.cstring();
        if (name === '') break;
        const value = r.cstring();
        if (name.startsWith('_pq_.')) unsupported.push(name);
        else params[name] = value;
      }
      r.end();
      if (code !== PROTOCOL_3 || unsupported.length > 0) this.out.negotiateProtocolVersion(PROTOCOL_3, unsupported);
      await this.authenticate(params);
      return !this.closed;
    }
  }

  private upgradeTls(tls: { readonly key: Buffer; readonly cert: Buffer }): void {
    this.flush();
    const raw = this.sock;
    raw.off('data', this.onData);
    raw.off('close', this.onSocketClose);
    // 'S' goes out on the raw socket; the client only starts the handshake after reading it
    raw.write(Buffer.from('S'));
    const secure = new TLSSocket(raw, { isServer: true, key: tls.key, cert: tls.cert });
    secure.setNoDelay?.(true);
    this.sock = secure;
    this.attach(secure);
    secure.on('close', this.onSocketClose);
  }

  private async authenticate(params: Record<string, string>): Promise<void> {
    const user = params['user'];
    if (!user) throw new FatalError(new SqlError(SqlState.InvalidAuthorizationSpecification, 'no PostgreSQL user name specified in startup packet'));
    const database = params['database'] || user;
    params['database'] = database;
    let req;
    try {
      req = this.opts.factory.authFor(user, database);
    } catch (err) {
      throw new FatalError(toSqlError(err, (e) => this.logInternal(e)));
    }
    const failed = (): FatalError => new FatalError(new SqlError(SqlState.InvalidPassword, `password authentication failed for user "${user}"`));
    switch (req.method) {
      case 'trust':
        break;
      case 'password': {
        this.out.authenticationCleartextPassword();
        const body = await this.passwordMessage();
        if (body === null) return;
        const r = new BodyReader(body);
        const pw = r.cstring();
        r.end();
        if (req.secret === undefined) throw failed();
        // a stored SCRAM verifier or 'md5…' hash can check a cleartext password too
        if (!(await passwordMatches(pw, user, req.secret))) throw failed();
        break;
      }
      case 'md5': {
        const salt = randomBytes(4);
        this.out.authenticationMD5Password(salt);
        const body = await this.passwordMessage();
        if (body === null) return;
        const r = new BodyReader(body);
        const got = r.cstring();
        r.end();
        if (req.secret === undefined || !safeEqual(got, md5Response(req.secret, user, salt))) throw failed();
        break;
      }
      case 'scram-sha-256': {
        this.out.authenticationSASL(['SCRAM-SHA-256']);
        const initial = await this.passwordMessage();
        if (initial === null) return;
        const r = new BodyReader(initial);
        const mech = r.cstring();
        if (mech !== 'SCRAM-SHA-256') throw new ProtocolError('client selected an invalid SASL authentication mechanism');
        const n = r.int32();
        const clientFirst = r.bytes(n);
        r.end();
        const keys = req.secret === undefined ? mockScramKeys() : await scramKeysFor(req.secret);
        if (this.closed) return;
        const scram = new ScramServer(keys);
        this.out.authenticationSASLContinue(Buffer.from(scram.first(clientFirst.toString('utf8')), 'utf8'));
        const finalMsg = await this.passwordMessage();
        if (finalMsg === null) return;
        const serverFinal = scram.final(finalMsg.toString('utf8'));
        if (serverFinal === null || req.secret === undefined) throw failed();
        this.out.authenticationSASLFinal(Buffer.from(serverFinal, 'utf8'));
        break;
      }
      default:
        throw new FatalError(new SqlError(SqlState.InternalError, 'unknown authentication method'));
    }
    this.out.authenticationOk();
    let session: Session;
    try {
      session = this.opts.factory.create(params);
    } catch (err) {
      throw new FatalError(toSqlError(err, (e) => this.logInternal(e)));
    }
    this.session = session;
    if (this.closed) { await this.closeSession(); return; }
    this.reader.startup = false;
    for (const [k, v] of session.initialParameterStatus()) this.out.parameterStatus(k, v);
    this.out.backendKeyData(session.processId, session.secretKey);
    this.out.readyForQuery(session.transactionStatus());
  }

  /** Waits for a 'p' message (password / SASL response); the reader switches to typed frames first. */
  private async passwordMessage(): Promise<Buffer | null> {
    this.reader.startup = false;
    const f = await this.nextFrame();
    if (!f) return null;
    if (f.type !== 0x70) throw new ProtocolError(`expected password response, got message type ${f.type}`);
    return f.body;
  }

  // --- query phase --------------------------------------------------------------------------

  /** Handles one message; returns false when the connection should end. */
  private async dispatch(f: Frame): Promise<boolean> {
    const session = this.session!;
    const type = f.type;
    if (this.skipUntilSync && type !== 0x53 /* S */ && type !== 0x58 /* X */) {
      // still validate the type so garbage is caught as garbage
      if (!KNOWN_TYPES.has(type)) throw new ProtocolError(`invalid frontend message type ${type}`);
      return true;
    }
    switch (type) {
      case 0x51: { // Q
        const r = new BodyReader(f.body);
        const sql = r.cstring();
        r.end();
        await this.simpleQuery(session, sql);
        return true;
      }
      case 0x50: { // P
        const r = new BodyReader(f.body);
        const name = r.cstring();
        const sql = r.cstring();
        const n = r.int16();
        if (n < 0) throw new ProtocolError('invalid parameter count');
        const oids: number[] = new Array<number>(n);
        for (let i = 0; i < n; i++) oids[i] = r.int32() >>> 0;
        r.end();
        await this.extended(() => {
          session.parse(name, sql, oids);
          this.out.parseComplete();
        });
        return true;
      }
      case 0x42: { // B
        const r = new BodyReader(f.body);
        const portal = r.cstring();
        const stmt = r.cstring();
        const nf = r.int16();
        if (nf < 0) throw new ProtocolError('invalid format count');
        const formats: number[] = new Array<number>(nf);
        for (let i = 0; i < nf; i++) formats[i] = r.int16();
        const np = r.int16();
        if (np < 0) throw new ProtocolError('invalid parameter count');
        const params: (Uint8Array | null)[] = new Array<Uint8Array | null>(np);
        for (let i = 0; i < np; i++) {
          const len = r.int32();
          if (len < -1) throw new ProtocolError('invalid parameter length');
          params[i] = len === -1 ? null : r.bytes(len);
        }
        const nr = r.int16();
        if (nr < 0) throw new ProtocolError('invalid format count');
        const resultFormats: number[] = new Array<number>(nr);
        for (let i = 0; i < nr; i++) resultFormats[i] = r.int16();
        r.end();
        await this.extended(() => {
          if (nf > 1 && nf !== np) {
            throw new SqlError(SqlState.ProtocolViolation, `bind message has ${nf} parameter formats but ${np} parameters`);
          }
          for (const fc of formats) checkFormat(fc);
          for (const fc of resultFormats) checkFormat(fc);
          session.bind(portal, stmt, params, formats);
          const columns = session.describePortal(portal);
          const count = columns ? columns.length : 0;
          if (nr > 1 && nr !== count) {
            session.closePortal(portal);
            throw new SqlError(SqlState.ProtocolViolation, `bind message has ${nr} result formats but query has ${count} columns`);
          }
          this.portals.set(portal, { columns, formats: expandFormats(resultFormats, count) });
          this.out.bindComplete();
        });
        return true;
      }
      case 0x44: { // D
        const r = new BodyReader(f.body);
        const kind = r.byte();
        const name = r.cstring();
        r.end();
        if (kind !== 0x53 && kind !== 0x50) throw new ProtocolError(`invalid DESCRIBE message subtype ${kind}`);
        await this.extended(() => {
          if (kind === 0x53) {
            const d = session.describeStatement(name);
            this.out.parameterDescription(d.paramTypes.map(typeOid));
            if (d.columns) this.out.rowDescription(fieldDescriptions(d.columns, []));
            else this.out.noData();
          } else {
            const columns = session.describePortal(name);
            if (!columns) { this.out.noData(); return; }
            const info = this.portals.get(name);
            this.out.rowDescription(fieldDescriptions(columns, info?.formats ?? []));
          }
        });
        return true;
      }
      case 0x45: { // E
        const r = new BodyReader(f.body);
        const portal = r.cstring();
        const maxRows = r.int32();
        r.end();
        await this.extended(async () => {
          let info = this.portals.get(portal);
          await this.runEvents(session, session.execute(portal, maxRows < 0 ? 0 : maxRows), true, () => {
            // the portal may have been created by SQL (DECLARE), not by Bind: text results
            if (!info) {
              const cols = session.describePortal(portal);
              info = { columns: cols, formats: expandFormats([], cols ? cols.length : 0) };
            }
            return info;
          });
        });
        return true;
      }
      case 0x43: { // C
        const r = new BodyReader(f.body);
        const kind = r.byte();
        const name = r.cstring();
        r.end();
        if (kind !== 0x53 && kind !== 0x50) throw new ProtocolError(`invalid CLOSE message subtype ${kind}`);
        await this.extended(() => {
          if (kind === 0x53) session.closeStatement(name);
          else { session.closePortal(name); this.portals.delete(name); }
          this.out.closeComplete();
        });
        return true;
      }
      case 0x53: { // S
        new BodyReader(f.body).end();
        this.skipUntilSync = false;
        try {
          await session.sync();
        } catch (err) {
          this.out.errorResponse(errorFields(toSqlError(err, (e) => this.logInternal(e)), 'ERROR'));
        }
        const status = session.transactionStatus();
        if (status === 'I') this.portals.clear();
        this.out.readyForQuery(status);
        this.flush();
        return true;
      }
      case 0x48: // H
        new BodyReader(f.body).end();
        this.flush();
        return true;
      case 0x58: // X
        this.flush();
        await this.closeSession();
        this.sock.end();
        this.onSocketClose();
        return false;
      case 0x64: case 0x63: case 0x66: // CopyData/CopyDone/CopyFail outside COPY: ignored, as PostgreSQL does after a failed COPY
        return true;
      case 0x46: // FunctionCall
        this.out.errorResponse(errorFields(new SqlError(SqlState.FeatureNotSupported, 'function call messages are not supported'), 'ERROR'));
        this.out.readyForQuery(session.transactionStatus());
        return true;
      default:
        throw new ProtocolError(`invalid frontend message type ${type}`);
    }
  }

  /** Runs one extended-protocol step; on error: ErrorResponse, markFailed, skip to Sync. */
  private async extended(step: () => void | Promise<void>): Promise<void> {
    try {
      await step();
    } catch (err) {
      if (err instanceof ProtocolError || err instanceof FatalError) throw err;
      if (isFatal(err)) throw new FatalError(err);
      if (this.closed) return;
      this.out.errorResponse(errorFields(toSqlError(err, (e) => this.logInternal(e)), 'ERROR'));
      this.skipUntilSync = true;
      try { this.session?.markFailed(); } catch (e) { this.logInternal(e); }
    }
  }

  private async simpleQuery(session: Session, sql: string): Promise<void> {
    if (sql.trim() === '') {
      this.out.emptyQueryResponse();
    } else {
      try {
        let info: PortalInfo = { columns: null, formats: [] };
        await this.runEvents(session, session.simpleQuery(sql), false, () => info, (cols) => {
          info = { columns: cols, formats: expandFormats([], cols.length) };
        });
      } catch (err) {
        if (err instanceof ProtocolError || err instanceof FatalError) throw err;
        if (isFatal(err)) throw new FatalError(err);
        if (this.closed) return;
        this.out.errorResponse(errorFields(toSqlError(err, (e) => this.logInternal(e)), 'ERROR'));
      }
    }
    if (this.closed) return;
    this.out.readyForQuery(session.transactionStatus());
  }

  /** Translates QueryEvents into messages. */
  private async runEvents(
    session: Session,
    events: AsyncIterable<QueryEvent>,
    extended: boolean,
    portal: () => PortalInfo,
    onColumns?: (cols: readonly ResultColumn[]) => void,
  ): Promise<void> {
    for await (const ev of events) {
      if (this.closed) return; // leaving the loop calls the iterator's return(): the engine stops
      switch (ev.kind) {
        case 'columns':
          if (!extended) {
            onColumns?.(ev.columns);
            this.out.rowDescription(fieldDescriptions(ev.columns, []));
          }
          break;
        case 'rows': {
          const info = portal();
          this.writeRows(ev.rows, info, session.valueSettings());
          await this.maybeFlush();
          break;
        }
        case 'complete':
          this.out.commandComplete(ev.tag);
          break;
        case 'suspended':
          this.out.portalSuspended();
          break;
        case 'empty':
          this.out.emptyQueryResponse();
          break;
        case 'notice':
          this.out.noticeResponse(noticeFields(ev.notice));
          // a notice may report progress of a statement still running: send it now, as PostgreSQL does
          this.flush();
          break;
        case 'parameterStatus':
          this.out.parameterStatus(ev.name, ev.value);
          break;
        case 'copyIn':
          await this.copyIn(ev.target);
          break;
        case 'copyOut': {
          this.out.copyOutResponse(ev.format, new Array<number>(ev.columnCount).fill(ev.format));
          if (ev.live) this.flush();
          for await (const chunk of ev.chunks) {
            if (this.closed) return;
            this.out.copyData(chunk);
            if (ev.live) await this.flushAndDrain();
            else await this.maybeFlush();
          }
          this.out.copyDone();
          break;
        }
        default:
          break;
      }
    }
  }

  private writeRows(rows: readonly Row[], info: PortalInfo, settings: ValueSettings): void {
    const cols = info.columns;
    if (!cols) throw new SqlError(SqlState.InternalError, 'rows for a statement without result columns');
    const n = cols.length;
    const types: SqlType[] = cols.map((c) => c.type);
    const binary: boolean[] = cols.map((_, i) => info.formats[i] === 1);
    const out = this.out;
    for (const row of rows) {
      out.beginDataRow(n);
      try {
        for (let i = 0; i < n; i++) {
          const d = row[i];
          if (d === null || d === undefined) out.fieldNull();
          else if (binary[i]) out.fieldBytes(encodeBinary(types[i]!, d));
          else out.fieldText(formatText(types[i]!, d, settings));
        }
      } catch (err) {
        // a value that cannot be encoded must not leave half a DataRow in the stream
        out.abortMessage();
        throw err;
      }
      out.endMessage();
    }
  }

  private async copyIn(target: { readonly format: 0 | 1; readonly columnCount: number; write(c: Uint8Array): void; end(): Promise<void>; fail(m: string): void }): Promise<void> {
    this.out.copyInResponse(target.format, new Array<number>(target.columnCount).fill(target.format));
    this.flush();
    this.copyTarget = target;
    try {
      for (;;) {
        const f = await this.nextFrame();
        if (!f) return; // onSocketClose already failed the target
        switch (f.type) {
          case 0x64: // CopyData
            target.write(f.body);
            break;
          case 0x63: // CopyDone
            this.copyTarget = null;
            await target.end();
            return;
          case 0x66: { // CopyFail
            const r = new BodyReader(f.body);
            const msg = r.cstring();
            this.copyTarget = null;
            target.fail(msg);
            return;
          }
          case 0x48: case 0x53: // Flush/Sync are ignored during COPY IN, as PostgreSQL does
            break;
          default:
            if (!KNOWN_TYPES.has(f.type)) throw new ProtocolError(`invalid frontend message type ${f.type}`);
            this.copyTarget = null;
            target.fail('unexpected message during COPY');
            throw new SqlError(SqlState.ProtocolViolation, `unexpected message type 0x${f.type.toString(16)} during COPY from stdin`);
        }
      }
    } catch (err) {
      if (this.copyTarget) {
        this.copyTarget = null;
        try { target.fail(err instanceof Error ? err.message : String(err)); } catch { /* already failing */ }
      }
      throw err;
    }
  }
}

const KNOWN_TYPES = new Set([0x51, 0x50, 0x42, 0x44, 0x45, 0x43, 0x53, 0x48, 0x58, 0x64, 0x63, 0x66, 0x46, 0x70]);

function checkFormat(fc: number): void {
  if (fc !== 0 && fc !== 1) throw new SqlError(SqlState.ProtocolViolation, `unsupported format code: ${fc}`);
}

function expandFormats(formats: readonly number[], count: number): number[] {
  if (formats.length === count) return formats.slice();
  const f = formats.length === 1 ? formats[0]! : 0;
  return new Array<number>(count).fill(f);
}

function fieldDescriptions(columns: readonly ResultColumn[], formats: readonly number[]): FieldDescription[] {
  return columns.map((c, i) => ({
    name: c.name,
    tableOid: c.tableOid,
    attnum: c.attnum,
    typeOid: typeOid(c.type),
    typlen: c.type.kind === 'array' ? -1 : TYPE_INFO[c.type.name].len,
    typmod: c.type.typmod,
    format: formats[i] ?? 0,
  }));
}

/** A session error with severity FATAL/PANIC ends the connection after it is reported. */
function isFatal(err: unknown): err is SqlError {
  return err instanceof SqlError && (err.fields.severity === 'FATAL' || err.fields.severity === 'PANIC');
}

function toSqlError(err: unknown, logInternal: (e: unknown) => void): SqlError {
  if (err instanceof SqlError) return err;
  logInternal(err);
  return new SqlError(SqlState.InternalError, err instanceof Error ? err.message : String(err));
}

export function errorFields(err: SqlError, defaultSeverity: 'ERROR' | 'FATAL'): ErrorFieldList {
  const f = err.fields;
  const sev = defaultSeverity === 'FATAL' && f.severity !== 'PANIC' ? 'FATAL' : (f.severity ?? 'ERROR');
  const out: [string, string][] = [['S', sev], ['V', sev], ['C', err.code], ['M', err.message]];
  if (f.detail !== undefined) out.push(['D', f.detail]);
  if (f.hint !== undefined) out.push(['H', f.hint]);
  if (f.position !== undefined) out.push(['P', String(f.position)]);
  if (f.schema !== undefined) out.push(['s', f.schema]);
  if (f.table !== undefined) out.push(['t', f.table]);
  if (f.column !== undefined) out.push(['c', f.column]);
  if (f.dataType !== undefined) out.push(['d', f.dataType]);
  if (f.constraint !== undefined) out.push(['n', f.constraint]);
  return out;
}

function noticeFields(n: SqlNotice): ErrorFieldList {
  const out: [string, string][] = [['S', n.severity], ['V', n.severity], ['C', n.code], ['M', n.message]];
  if (n.detail !== undefined) out.push(['D', n.detail]);
  if (n.hint !== undefined) out.push(['H', n.hint]);
  return out;
}
