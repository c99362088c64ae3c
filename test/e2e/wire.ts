// A minimal raw PostgreSQL v3 protocol client for tests that need control over the bytes on the
// wire (pipelining, fuzzing) which node-pg does not give.
import net from 'node:net';

export interface BackendMessage {
  readonly type: string;
  readonly body: Buffer;
}

function cstr(s: string): Buffer {
  return Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]);
}

function int16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

/** A typed frontend message: type byte + int32 length (including itself) + body. */
export function frame(type: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(type, 'latin1'), int32(body.length + 4), body]);
}

export function startupMessage(params: Record<string, string> = { user: 'eddy', database: 'eddy' }): Buffer {
  const parts: Buffer[] = [int32(196608)];
  for (const [k, v] of Object.entries(params)) parts.push(cstr(k), cstr(v));
  parts.push(Buffer.from([0]));
  const body = Buffer.concat(parts);
  return Buffer.concat([int32(body.length + 4), body]);
}

export const msg = {
  query: (sql: string): Buffer => frame('Q', cstr(sql)),
  parse: (name: string, sql: string, types: number[] = []): Buffer =>
    frame('P', Buffer.concat([cstr(name), cstr(sql), int16(types.length), ...types.map(int32)])),
  bind: (portal: string, stmt: string, params: (string | null)[] = []): Buffer => {
    const vals = params.map((p) => (p === null ? int32(-1) : Buffer.concat([int32(Buffer.byteLength(p)), Buffer.from(p)])));
    return frame('B', Buffer.concat([cstr(portal), cstr(stmt), int16(0), int16(params.length), ...vals, int16(0)]));
  },
  describePortal: (portal: string): Buffer => frame('D', Buffer.concat([Buffer.from('P'), cstr(portal)])),
  describeStatement: (name: string): Buffer => frame('D', Buffer.concat([Buffer.from('S'), cstr(name)])),
  execute: (portal: string, maxRows = 0): Buffer => frame('E', Buffer.concat([cstr(portal), int32(maxRows)])),
  close: (kind: 'S' | 'P', name: string): Buffer => frame('C', Buffer.concat([Buffer.from(kind), cstr(name)])),
  sync: (): Buffer => frame('S', Buffer.alloc(0)),
  flush: (): Buffer => frame('H', Buffer.alloc(0)),
  terminate: (): Buffer => frame('X', Buffer.alloc(0)),
};

/** Socket wrapper that splits the backend byte stream into messages. */
export class WireConn {
  private buf = Buffer.alloc(0);
  private readonly queue: BackendMessage[] = [];
  private waiters: (() => void)[] = [];
  private closed = false;
  readonly socket: net.Socket;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      while (this.buf.length >= 5) {
        const len = this.buf.readInt32BE(1);
        if (this.buf.length < 1 + len) break;
        this.queue.push({ type: String.fromCharCode(this.buf[0] ?? 0), body: this.buf.subarray(5, 1 + len) });
        this.buf = this.buf.subarray(1 + len);
      }
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  static async connect(port: number): Promise<WireConn> {
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => resolve(s));
      s.once('error', reject);
    });
    socket.setNoDelay(true);
    return new WireConn(socket);
  }

  /** Connects and completes startup (trust auth) up to the first ReadyForQuery. */
  static async open(port: number): Promise<WireConn> {
    const c = await WireConn.connect(port);
    c.send(startupMessage());
    await c.readUntil('Z', 10_000);
    return c;
  }

  send(data: Buffer): void {
    this.socket.write(data);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async next(timeoutMs: number): Promise<BackendMessage | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.queue.shift();
      if (m !== undefined) return m;
      if (this.closed) return null;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no backend message within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Collects messages up to and including the first of type `until`; throws if the server hangs up first. */
  async readUntil(until: string, timeoutMs: number): Promise<BackendMessage[]> {
    const out: BackendMessage[] = [];
    for (;;) {
      const m = await this.next(timeoutMs);
      if (m === null) throw new Error(`connection closed while waiting for '${until}' (got ${out.map((x) => x.type).join('')})`);
      out.push(m);
      if (m.type === until) return out;
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Text of a DataRow's columns. */
export function dataRowValues(body: Buffer): (string | null)[] {
  const n = body.readInt16BE(0);
  const out: (string | null)[] = [];
  let off = 2;
  for (let k = 0; k < n; k++) {
    const len = body.readInt32BE(off);
    off += 4;
    if (len < 0) out.push(null);
    else {
      out.push(body.subarray(off, off + len).toString('utf8'));
      off += len;
    }
  }
  return out;
}

/** Fields of an ErrorResponse / NoticeResponse keyed by their code letter (C = SQLSTATE, M = message). */
export function errorFields(body: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let off = 0;
  while (off < body.length && body[off] !== 0) {
    const code = String.fromCharCode(body[off] ?? 0);
    const end = body.indexOf(0, off + 1);
    out[code] = body.subarray(off + 1, end).toString('utf8');
    off = end + 1;
  }
  return out;
}
