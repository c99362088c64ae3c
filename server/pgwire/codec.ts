// Framing and encoding of PostgreSQL v3 protocol messages.
// MessageReader cuts a byte stream into frames; BodyReader parses one frame's fields;
// MessageWriter appends backend messages into one growable buffer that is flushed in a single write.
import { isUtf8 } from 'node:buffer';
import { isShortAscii } from '../../core/utf8-text.js';

/** A malformed frame: the connection must answer 08P01 FATAL and close. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

export interface Frame {
  /** message type byte; 0 for the startup-phase packets that have none */
  readonly type: number;
  /** the message body after the length word */
  readonly body: Buffer;
}

const EMPTY = Buffer.alloc(0);
/** PostgreSQL's MAX_STARTUP_PACKET_LENGTH */
const MAX_STARTUP_LENGTH = 10000;

/**
 * Splits incoming chunks into frames. Buffers handed out in frames are never written to again
 * (leftover bytes are concatenated into fresh buffers), so queued frames stay valid.
 */
export class MessageReader {
  /** true until the startup packet (which has no type byte) has been read */
  startup = true;
  private buf: Buffer = EMPTY;
  private pos = 0;
  /** partial frame pieces: concatenated once `need` bytes are there, so a big frame costs one copy */
  private parts: Buffer[] = [];
  private partsLen = 0;
  private need = 0;

  constructor(private readonly maxMessageSize: number) {}

  /** Bytes received but not yet returned as frames. */
  get buffered(): number {
    return this.parts.length > 0 ? this.partsLen : this.buf.length - this.pos;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.parts.length === 0 && this.pos >= this.buf.length) {
      this.buf = chunk;
      this.pos = 0;
      return;
    }
    if (this.parts.length === 0) {
      const rest = this.buf.subarray(this.pos);
      this.parts.push(rest);
      this.partsLen = rest.length;
      this.buf = EMPTY;
      this.pos = 0;
    }
    // concatenated lazily in next(), once enough bytes for the pending frame are there
    this.parts.push(chunk);
    this.partsLen += chunk.length;
  }

  /** The next complete frame, or null if more bytes are needed. Throws ProtocolError on a bad length. */
  next(): Frame | null {
    if (this.parts.length > 0) {
      if (this.partsLen < this.need) return null;
      this.buf = Buffer.concat(this.parts, this.partsLen);
      this.pos = 0;
      this.parts = [];
      this.partsLen = 0;
    }
    const buf = this.buf;
    const pos = this.pos;
    const avail = buf.length - pos;
    const hdr = this.startup ? 4 : 5;
    if (avail < hdr) {
      this.need = hdr;
      return null;
    }
    const type = this.startup ? 0 : buf[pos]!;
    const len = buf.readInt32BE(pos + hdr - 4);
    if (this.startup) {
      if (len < 8 || len > MAX_STARTUP_LENGTH) throw new ProtocolError('invalid length of startup packet');
    } else if (len < 4 || len > this.maxMessageSize) {
      throw new ProtocolError(`invalid message length ${len}`);
    }
    const total = len + hdr - 4;
    if (avail < total) {
      this.need = total;
      return null;
    }
    this.need = 0;
    this.pos = pos + total;
    if (this.pos === buf.length) {
      this.buf = EMPTY;
      this.pos = 0;
    }
    return { type, body: buf.subarray(pos + hdr, pos + total) };
  }
}

/** Sequential field parser over one message body; every overrun is a ProtocolError. */
export class BodyReader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }
  byte(): number {
    if (this.pos + 1 > this.buf.length) throw new ProtocolError('insufficient data left in message');
    return this.buf[this.pos++]!;
  }
  int16(): number {
    if (this.pos + 2 > this.buf.length) throw new ProtocolError('insufficient data left in message');
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  int32(): number {
    if (this.pos + 4 > this.buf.length) throw new ProtocolError('insufficient data left in message');
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  /** A NUL-terminated string that must be valid UTF-8. */
  cstring(): string {
    const end = this.buf.indexOf(0, this.pos);
    if (end < 0) throw new ProtocolError('invalid string in message');
    const raw = this.buf.subarray(this.pos, end);
    this.pos = end + 1;
    if (!isShortAscii(raw) && !isUtf8(raw)) throw new ProtocolError('invalid byte sequence for encoding "UTF8"');
    return raw.toString('utf8');
  }
  bytes(n: number): Buffer {
    if (n < 0 || this.pos + n > this.buf.length) throw new ProtocolError('insufficient data left in message');
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  rest(): Buffer {
    const b = this.buf.subarray(this.pos);
    this.pos = this.buf.length;
    return b;
  }
  /** PostgreSQL's pq_getmsgend: trailing garbage is a protocol violation. */
  end(): void {
    if (this.pos !== this.buf.length) throw new ProtocolError('invalid message format');
  }
}


export interface FieldDescription {
  readonly name: string;
  readonly tableOid: number;
  readonly attnum: number;
  readonly typeOid: number;
  readonly typlen: number;
  readonly typmod: number;
  readonly format: number;
}

/** Error/notice fields keyed by their protocol field code (S, V, C, M, D, ...). */
export type ErrorFieldList = ReadonlyArray<readonly [string, string]>;

const INITIAL_CAPACITY = 16 * 1024;
/** Flushes smaller than this are copied out so the big buffer can be reused. */
const COPY_OUT_LIMIT = 4096;

/** Builds backend messages into one growable buffer. */
export class MessageWriter {
  // allocated on first use and dropped while idle (release), so idle connections hold no output buffer
  private buf: Buffer = EMPTY;
  private len = 0;
  private msgStart = -1;

  /** Bytes waiting to be flushed. */
  get length(): number {
    return this.len;
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = Math.max(INITIAL_CAPACITY, this.buf.length * 2);
    while (cap < this.len + n) cap *= 2;
    const nb = Buffer.allocUnsafe(cap);
    this.buf.copy(nb, 0, 0, this.len);
    this.buf = nb;
  }

  /**
   * Takes the pending bytes out (or null if none). The returned buffer is owned by the caller:
   * socket.write keeps a reference until it is sent, so our buffer must not be overwritten later.
   */
  take(): Buffer | null {
    if (this.len === 0) return null;
    let out: Buffer;
    if (this.len <= COPY_OUT_LIMIT) {
      out = Buffer.allocUnsafe(this.len);
      this.buf.copy(out, 0, 0, this.len);
    } else {
      out = this.buf.subarray(0, this.len);
      this.buf = EMPTY;
    }
    this.len = 0;
    return out;
  }

  /** Drops the buffer if nothing is pending (called before waiting for input). */
  release(): void {
    if (this.len === 0) this.buf = EMPTY;
  }

  // --- primitives -------------------------------------------------------------------------

  private begin(type: number): void {
    this.ensure(5);
    this.buf[this.len] = type;
    this.msgStart = this.len + 1;
    this.len += 5;
  }
  private finish(): void {
    this.buf.writeInt32BE(this.len - this.msgStart, this.msgStart);
    this.msgStart = -1;
  }
  private i8(v: number): void {
    this.ensure(1);
    this.buf[this.len++] = v;
  }
  private i16(v: number): void {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.len);
    this.len += 2;
  }
  private i32(v: number): void {
    this.ensure(4);
    this.buf.writeInt32BE(v | 0, this.len);
    this.len += 4;
  }
  private str(s: string): void {
    // worst case 3 bytes per UTF-16 unit; avoids a separate byteLength pass
    this.ensure(s.length * 3 + 1);
    this.len += this.buf.write(s, this.len, 'utf8');
    this.buf[this.len++] = 0;
  }
  private raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  // --- authentication -----------------------------------------------------------------------

  authenticationOk(): void {
    this.begin(0x52); this.i32(0); this.finish();
  }
  authenticationCleartextPassword(): void {
    this.begin(0x52); this.i32(3); this.finish();
  }
  authenticationMD5Password(salt: Uint8Array): void {
    this.begin(0x52); this.i32(5); this.raw(salt); this.finish();
  }
  authenticationSASL(mechanisms: readonly string[]): void {
    this.begin(0x52); this.i32(10);
    for (const m of mechanisms) this.str(m);
    this.i8(0);
    this.finish();
  }
  authenticationSASLContinue(data: Uint8Array): void {
    this.begin(0x52); this.i32(11); this.raw(data); this.finish();
  }
  authenticationSASLFinal(data: Uint8Array): void {
    this.begin(0x52); this.i32(12); this.raw(data); this.finish();
  }

  // --- session status -----------------------------------------------------------------------

  parameterStatus(name: string, value: string): void {
    this.begin(0x53); this.str(name); this.str(value); this.finish();
  }
  backendKeyData(processId: number, secretKey: number): void {
    this.begin(0x4b); this.i32(processId); this.i32(secretKey); this.finish();
  }
  readyForQuery(status: 'I' | 'T' | 'E'): void {
    this.begin(0x5a); this.i8(status.charCodeAt(0)); this.finish();
  }
  negotiateProtocolVersion(minor: number, unsupported: readonly string[]): void {
    this.begin(0x76); this.i32(minor); this.i32(unsupported.length);
    for (const o of unsupported) this.str(o);
    this.finish();
  }
  /** The single byte answer to SSLRequest / GSSENCRequest (no framing). */
  singleByte(ch: 'S' | 'N'): void {
    this.i8(ch.charCodeAt(0));
  }

  // --- results ------------------------------------------------------------------------------

  rowDescription(fields: readonly FieldDescription[]): void {
    this.begin(0x54); this.i16(fields.length);
    for (const f of fields) {
      this.str(f.name);
      this.i32(f.tableOid); this.i16(f.attnum); this.i32(f.typeOid);
      this.i16(f.typlen); this.i32(f.typmod); this.i16(f.format);
    }
    this.finish();
  }

  /** DataRow is built field by field: beginDataRow, then one of the field* per column, then endMessage. */
  beginDataRow(columnCount: number): void {
    this.begin(0x44); this.i16(columnCount);
  }
  fieldNull(): void {
    this.i32(-1);
  }
  fieldText(s: string): void {
    this.ensure(4 + s.length * 3);
    const at = this.len;
    const n = this.buf.write(s, at + 4, 'utf8');
    this.buf.writeInt32BE(n, at);
    this.len = at + 4 + n;
  }
  fieldBytes(b: Uint8Array): void {
    this.i32(b.length); this.raw(b);
  }
  endMessage(): void {
    this.finish();
  }
  /** Drops a message begun but not finished (a value failed to encode mid-row). */
  abortMessage(): void {
    if (this.msgStart < 0) return;
    this.len = this.msgStart - 1;
    this.msgStart = -1;
  }

  commandComplete(tag: string): void {
    this.begin(0x43); this.str(tag); this.finish();
  }
  emptyQueryResponse(): void {
    this.begin(0x49); this.finish();
  }
  errorResponse(fields: ErrorFieldList): void {
    this.fields(0x45, fields);
  }
  noticeResponse(fields: ErrorFieldList): void {
    this.fields(0x4e, fields);
  }
  private fields(type: number, fields: ErrorFieldList): void {
    this.begin(type);
    for (const [code, value] of fields) {
      this.i8(code.charCodeAt(0));
      // a NUL inside a field would end it early on the client; PostgreSQL never sends one either
      this.str(value.includes('\0') ? value.replaceAll('\0', '') : value);
    }
    this.i8(0);
    this.finish();
  }

  // --- extended protocol --------------------------------------------------------------------

  parseComplete(): void {
    this.begin(0x31); this.finish();
  }
  bindComplete(): void {
    this.begin(0x32); this.finish();
  }
  closeComplete(): void {
    this.begin(0x33); this.finish();
  }
  noData(): void {
    this.begin(0x6e); this.finish();
  }
  parameterDescription(oids: readonly number[]): void {
    this.begin(0x74); this.i16(oids.length);
    for (const o of oids) this.i32(o);
    this.finish();
  }
  portalSuspended(): void {
    this.begin(0x73); this.finish();
  }

  // --- COPY ---------------------------------------------------------------------------------

  copyInResponse(format: 0 | 1, columnFormats: readonly number[]): void {
    this.copyResponse(0x47, format, columnFormats);
  }
  copyOutResponse(format: 0 | 1, columnFormats: readonly number[]): void {
    this.copyResponse(0x48, format, columnFormats);
  }
  private copyResponse(type: number, format: 0 | 1, columnFormats: readonly number[]): void {
    this.begin(type); this.i8(format); this.i16(columnFormats.length);
    for (const f of columnFormats) this.i16(f);
    this.finish();
  }
  copyData(data: Uint8Array): void {
    this.begin(0x64); this.raw(data); this.finish();
  }
  copyDone(): void {
    this.begin(0x63); this.finish();
  }
}
