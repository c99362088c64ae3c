// Rows encoded once, as MessagePack, into one growing buffer: a bulk load writes the same bytes
// to the row store and into its binlog chunks (lmdb's asBinary), instead of encoding each row
// twice into a fresh buffer per row. The encoding is plain MessagePack, read back by the
// databases' msgpack decoder exactly as their own encoder's output: integers that fit 32 bits
// as integers, other numbers as float64, bigints as int64, strings as str, bytes as bin.
import type { Stored } from './row-codec.js';

export class PackWriter {
  buf: Buffer;
  len = 0;
  private dataView: DataView | null = null;

  constructor(initial = 1 << 16) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  private get dv(): DataView {
    const b = this.buf;
    if (this.dataView === null || this.dataView.buffer !== b.buffer || this.dataView.byteOffset !== b.byteOffset) this.dataView = new DataView(b.buffer, b.byteOffset, b.length);
    return this.dataView;
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  /** the bytes written, as an exact-size copy */
  take(): Buffer {
    const out = Buffer.allocUnsafe(this.len);
    this.buf.copy(out, 0, 0, this.len);
    return out;
  }

  /** copies bytes [from, to) of `src` (a packed row inside a binlog entry) */
  rawRange(src: Uint8Array, from: number, to: number): void {
    const n = to - from;
    this.ensure(n);
    const b = this.buf;
    // a row is a few dozen bytes: a loop beats making a view of it to copy from
    if (n <= 64) { let at = this.len; for (let i = from; i < to; i++) b[at++] = src[i]!; }
    else b.set(src.subarray(from, to), this.len);
    this.len += n;
  }

  reset(): void { this.len = 0; }

  /** makes room for n bytes at the end and returns their offset in `buf` (the caller writes them) */
  reserve(n: number): number {
    this.ensure(n);
    const at = this.len;
    this.len += n;
    return at;
  }

  /**
   * The bytes written, in a buffer of their own (its ArrayBuffer holds nothing else: it can be
   * transferred to another thread); the writer is done with them and starts over empty.
   */
  takeOwned(): Buffer {
    const out = this.buf.byteOffset === 0 && this.buf.buffer.byteLength === this.buf.length && this.len > 0
      ? this.buf.subarray(0, this.len)
      : ownCopy(this.buf, this.len);
    this.buf = Buffer.allocUnsafe(0);
    this.dataView = null;
    this.len = 0;
    return out;
  }

  /** the bytes written, without a copy: the writer goes on in a new buffer of the same capacity */
  detach(): Buffer {
    const out = this.buf.subarray(0, this.len);
    this.buf = Buffer.allocUnsafe(this.buf.length);
    this.dataView = null;
    this.len = 0;
    return out;
  }

  arrayHeader(n: number): void {
    this.ensure(5);
    if (n < 16) this.buf[this.len++] = 0x90 | n;
    else if (n < 0x10000) { this.buf[this.len++] = 0xdc; this.buf.writeUInt16BE(n, this.len); this.len += 2; }
    else { this.buf[this.len++] = 0xdd; this.buf.writeUInt32BE(n, this.len); this.len += 4; }
  }

  /** an array16 header whatever the count: its size is fixed, so the count sits at a known offset (bulk-binlog.ts reads it there) */
  array16(n: number): void {
    this.ensure(3);
    this.buf[this.len++] = 0xdc;
    this.buf.writeUInt16BE(n, this.len);
    this.len += 2;
  }

  /** raw bytes already in MessagePack form (a packed row inside a binlog entry) */
  raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  float64(x: number): void {
    this.ensure(9);
    this.buf[this.len++] = 0xcb;
    this.buf.writeDoubleBE(x, this.len);
    this.len += 8;
  }

  value(v: Stored): void {
    if (v === null) { this.ensure(1); this.buf[this.len++] = 0xc0; return; }
    switch (typeof v) {
      case 'boolean': this.ensure(1); this.buf[this.len++] = v ? 0xc3 : 0xc2; return;
      case 'number': this.number(v); return;
      case 'bigint':
        this.ensure(9);
        this.buf[this.len++] = 0xd3;
        // DataView's setter is native; Buffer's writeBigInt64BE shifts BigInts in JavaScript
        this.dv.setBigInt64(this.len, v);
        this.len += 8;
        return;
      case 'string': this.string(v); return;
      default:
        if (v instanceof Uint8Array) { this.bin(v); return; }
        this.arrayHeader(v.length);
        for (const e of v) this.value(e);
    }
  }

  /** a number as the databases' msgpack encoder writes it: an integer if it is one that fits 32 bits, else a float64 */
  number(x: number): void {
    this.ensure(9);
    const b = this.buf;
    if ((x | 0) === x) {
      if (x >= 0 && x < 128) b[this.len++] = x;
      else if (x < 0 && x >= -32) b[this.len++] = x & 0xff;
      else { b[this.len++] = 0xd2; b.writeInt32BE(x, this.len); this.len += 4; }
      return;
    }
    if (x >>> 0 === x) { b[this.len++] = 0xce; b.writeUInt32BE(x, this.len); this.len += 4; return; }
    this.float64(x);
  }

  /** a str of UTF-8 bytes src[from, to) (already valid UTF-8: the caller checked) */
  strBytes(src: Uint8Array, from: number, to: number): void {
    const n = to - from;
    this.ensure(n + 5);
    const b = this.buf;
    if (n < 32) b[this.len++] = 0xa0 | n;
    else if (n < 0x100) { b[this.len++] = 0xd9; b[this.len++] = n; }
    else if (n < 0x10000) { b[this.len++] = 0xda; b.writeUInt16BE(n, this.len); this.len += 2; }
    else { b[this.len++] = 0xdb; b.writeUInt32BE(n, this.len); this.len += 4; }
    // a short text field is copied by a loop: a view per field was ~55 ns of a COPY's 5M rows
    this.rawRange(src, from, to);
  }

  /** an int64 (0xd3) of a safe integer, as a bigint of the same value is written */
  int64(x: number): void {
    this.ensure(9);
    const b = this.buf;
    b[this.len++] = 0xd3;
    const hi = Math.floor(x / 4294967296);
    b.writeInt32BE(hi, this.len);
    b.writeUInt32BE(x - hi * 4294967296, this.len + 4);
    this.len += 8;
  }

  private string(s: string): void {
    // at most 3 bytes per UTF-16 unit; written after the smallest header that may fit, then
    // moved if the byte length needs a larger one
    this.ensure(s.length * 3 + 5);
    const b = this.buf;
    const at = this.len;
    const head = s.length < 32 ? 1 : 5;
    const n = b.write(s, at + head, 'utf8');
    const need = n < 32 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 5;
    if (need !== head) b.copyWithin(at + need, at + head, at + head + n);
    if (need === 1) b[at] = 0xa0 | n;
    else if (need === 2) { b[at] = 0xd9; b[at + 1] = n; }
    else if (need === 3) { b[at] = 0xda; b.writeUInt16BE(n, at + 1); }
    else { b[at] = 0xdb; b.writeUInt32BE(n, at + 1); }
    this.len = at + need + n;
  }

  bin(v: Uint8Array): void {
    this.ensure(v.length + 5);
    const b = this.buf;
    const n = v.length;
    if (n < 0x100) { b[this.len++] = 0xc4; b[this.len++] = n; }
    else if (n < 0x10000) { b[this.len++] = 0xc5; b.writeUInt16BE(n, this.len); this.len += 2; }
    else { b[this.len++] = 0xc6; b.writeUInt32BE(n, this.len); this.len += 4; }
    b.set(v, this.len);
    this.len += n;
  }
}

/** the first n bytes of b in a buffer whose ArrayBuffer is its own (never Node's shared pool) */
function ownCopy(b: Buffer, n: number): Buffer {
  const out = Buffer.from(new ArrayBuffer(n));
  b.copy(out, 0, 0, n);
  return out;
}
