// The columns of rows packed as MessagePack arrays (a bulk load's chunk, storage/packed-rows.ts),
// read in one pass over the bytes into one array per column: no array per row, and none of a
// general decoder's bookkeeping. Scalars are read here, with the values msgpackr's unpack gives
// (64-bit integers as bigints); a row holding anything else (arrays, binary, extensions) is
// unpacked whole by msgpackr.
import { unpack } from 'msgpackr';
import type { Stored } from '../row-codec.js';

export function unpackColumns(width: number, bytes: Uint8Array, rowAt: Uint32Array, n: number): Stored[][] {
  const cols: Stored[][] = Array.from({ length: width }, () => new Array<Stored>(n));
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const r = { at: 0 };
  for (let i = 0; i < n; i++) {
    r.at = rowAt[i]!;
    const len = arrayLength(b, r);
    let ok = len >= 0;
    for (let c = 0; ok && c < width; c++) {
      if (c >= len) { cols[c]![i] = null; continue; }
      const v = scalar(b, dv, r);
      if (v === NOT_SCALAR) ok = false;
      else cols[c]![i] = v;
    }
    if (!ok) {
      const row = unpack(b.subarray(rowAt[i]!, rowAt[i + 1]!)) as Stored[];
      for (let c = 0; c < width; c++) cols[c]![i] = row[c] ?? null;
    }
  }
  return cols;
}

/** the length of the array header at r.at (moved past it), or -1 */
function arrayLength(b: Buffer, r: { at: number }): number {
  const t = b[r.at]!;
  if (t >= 0x90 && t <= 0x9f) { r.at++; return t & 0x0f; }
  if (t === 0xdc) { const n = b.readUInt16BE(r.at + 1); r.at += 3; return n; }
  if (t === 0xdd) { const n = b.readUInt32BE(r.at + 1); r.at += 5; return n; }
  return -1;
}

const NOT_SCALAR = Symbol('not a scalar');

/** the scalar at r.at (moved past it), or NOT_SCALAR (r.at then undefined) */
function scalar(b: Buffer, dv: DataView, r: { at: number }): Stored | typeof NOT_SCALAR {
  const p = r.at;
  const t = b[p]!;
  if (t < 0x80) { r.at = p + 1; return t; }
  if (t >= 0xe0) { r.at = p + 1; return t - 0x100; }
  if (t >= 0xa0 && t <= 0xbf) return str(b, p + 1, t & 0x1f, r);
  switch (t) {
    case 0xc0: r.at = p + 1; return null;
    case 0xc2: r.at = p + 1; return false;
    case 0xc3: r.at = p + 1; return true;
    case 0xcc: r.at = p + 2; return b[p + 1]!;
    case 0xcd: r.at = p + 3; return dv.getUint16(p + 1);
    case 0xce: r.at = p + 5; return dv.getUint32(p + 1);
    case 0xcf: r.at = p + 9; return dv.getBigUint64(p + 1);
    case 0xd0: r.at = p + 2; return dv.getInt8(p + 1);
    case 0xd1: r.at = p + 3; return dv.getInt16(p + 1);
    case 0xd2: r.at = p + 5; return dv.getInt32(p + 1);
    case 0xd3: r.at = p + 9; return dv.getBigInt64(p + 1);
    case 0xca: r.at = p + 5; return dv.getFloat32(p + 1);
    case 0xcb: r.at = p + 9; return dv.getFloat64(p + 1);
    case 0xd9: return str(b, p + 2, b[p + 1]!, r);
    case 0xda: return str(b, p + 3, dv.getUint16(p + 1), r);
    case 0xdb: return str(b, p + 5, dv.getUint32(p + 1), r);
    default: return NOT_SCALAR;
  }
}

function str(b: Buffer, from: number, len: number, r: { at: number }): string {
  r.at = from + len;
  // short ASCII strings (most keys and labels) without a call into native code
  if (len <= 16) {
    let ascii = true;
    for (let i = from; i < from + len; i++) if (b[i]! >= 0x80) { ascii = false; break; }
    if (ascii) {
      let s = '';
      for (let i = from; i < from + len; i++) s += String.fromCharCode(b[i]!);
      return s;
    }
  }
  return b.toString('utf8', from, from + len);
}
