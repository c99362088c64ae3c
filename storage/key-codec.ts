// Order-preserving binary encoding of key values: memcmp order of the encodings equals
// SQL order of the values (ascending, NULLS LAST), so LMDB range scans follow key order.
// Used for primary keys, secondary index keys and the table-id prefix.
import type { SqlType } from '../core/types.js';
import type { Datum } from '../core/datum.js';
import { formatText } from '../core/values/io.js';
import { DEFAULT_VALUE_SETTINGS } from '../core/values/settings.js';

const NOT_NULL = 0x01;
const NULL_LAST = 0xff;

export class KeyWriter {
  private buf = Buffer.allocUnsafe(64);
  private len = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
  u8(b: number): void { this.ensure(1); this.buf[this.len++] = b; }
  u32(n: number): void { this.ensure(4); this.buf.writeUInt32BE(n >>> 0, this.len); this.len += 4; }
  /** float64 with the sign bit flipped (positives) or all bits flipped (negatives). */
  f64(n: number): void {
    this.ensure(8);
    putOrderedF64(this.buf, this.len, n);
    this.len += 8;
  }
  i64(b: bigint): void {
    this.ensure(8);
    this.buf.writeBigInt64BE(b, this.len);
    this.buf[this.len] = this.buf[this.len]! ^ 0x80;
    this.len += 8;
  }
  /** Bytes with 0x00 escaped as 0x00 0xFF and terminated by 0x00 0x00 (keeps prefix order). */
  bytes(b: Uint8Array): void {
    this.ensure(b.length * 2 + 2);
    for (let i = 0; i < b.length; i++) {
      const c = b[i]!;
      this.buf[this.len++] = c;
      if (c === 0) this.buf[this.len++] = 0xff;
    }
    this.buf[this.len++] = 0;
    this.buf[this.len++] = 0;
  }
  string(s: string): void { this.bytes(Buffer.from(s, 'utf8')); }
  datum(type: SqlType, d: Datum): void {
    if (d === null) { this.u8(NULL_LAST); return; }
    this.u8(NOT_NULL);
    if (type.kind === 'array') { this.string(formatText(type, d, DEFAULT_VALUE_SETTINGS)); return; }
    switch (type.name) {
      case 'bool': this.u8(d ? 1 : 0); return;
      case 'int2': case 'int4': case 'oid': case 'regclass': case 'regtype': case 'regproc': case 'regnamespace':
      case 'float4': case 'float8': case 'date': case 'time': case 'timestamp': case 'timestamptz':
        this.f64(d as number); return;
      case 'int8': this.i64(d as bigint); return;
      case 'numeric': {
        // Approximate order by float, exact identity by the normalized digits.
        const s = formatText(type, d, DEFAULT_VALUE_SETTINGS);
        this.f64(Number(s));
        this.string(normalizeNumericText(s));
        return;
      }
      case 'bytea': this.bytes(d as Uint8Array); return;
      case 'text': case 'varchar': case 'bpchar': case 'name': case 'char': case 'uuid': case 'json':
        this.string(d as string); return;
      default:
        this.string(formatText(type, d, DEFAULT_VALUE_SETTINGS));
    }
  }
  finish(): Buffer {
    const out = Buffer.allocUnsafe(this.len);
    this.buf.copy(out, 0, 0, this.len);
    this.len = 0;
    return out;
  }
  /** the bytes written, without a copy: valid until the writer is used again */
  view(): Buffer {
    const out = this.buf.subarray(0, this.len);
    this.len = 0;
    return out;
  }
  reset(): void { this.len = 0; }
}

function normalizeNumericText(s: string): string {
  if (!s.includes('.')) return s;
  s = s.replace(/0+$/, '');
  return s.endsWith('.') ? s.slice(0, -1) : s;
}

/** n as 8 bytes at buf[at] whose memcmp order is numeric order: float64 with the sign bit flipped (positives) or all bits flipped (negatives) */
export function putOrderedF64(buf: Buffer, at: number, n: number): void {
  if (Object.is(n, -0)) n = 0;
  buf.writeDoubleBE(n, at);
  if (buf[at]! & 0x80) {
    for (let i = 0; i < 8; i++) buf[at + i] = ~buf[at + i]! & 0xff;
  } else {
    buf[at] = buf[at]! | 0x80;
  }
}

/**
 * For a key of one column that encodes as an ordered float64 (integers up to 32 bits, floats,
 * dates and times): the key's bytes before that value. A key is then this prefix and
 * putOrderedF64 of the value. null for any other key.
 */
export function float64KeyPrefix(relId: number, types: readonly SqlType[]): Buffer | null {
  if (types.length !== 1 || types[0]!.kind === 'array' || !F64_KEYED.has(types[0]!.name)) return null;
  const probe = encodeKey(relId, types, [0]);
  // 4 bytes of relation id, the not-null marker, 8 bytes of value
  return probe.length === 13 ? probe.subarray(0, 5) : null;
}

const F64_KEYED = new Set(['int2', 'int4', 'float4', 'float8']);

const shared = new KeyWriter();

/** Key of a row in a relation: 4-byte relation id, then the key columns. */
export function encodeKey(relId: number, types: readonly SqlType[], values: readonly Datum[]): Buffer {
  shared.reset();
  shared.u32(relId);
  for (let i = 0; i < types.length; i++) shared.datum(types[i]!, values[i] ?? null);
  return shared.finish();
}

/** Key of a row in a relation from the row itself: the key columns are at positions `cols`. */
export function encodeRowKey(relId: number, types: readonly SqlType[], cols: readonly number[], row: readonly Datum[]): Buffer {
  writeRowKey(relId, types, cols, row);
  return shared.finish();
}

/** encodeRowKey's bytes without a copy, valid until the next key is encoded (a caller that copies them at once) */
export function rowKeyView(relId: number, types: readonly SqlType[], cols: readonly number[], row: readonly Datum[]): Buffer {
  writeRowKey(relId, types, cols, row);
  return shared.view();
}

function writeRowKey(relId: number, types: readonly SqlType[], cols: readonly number[], row: readonly Datum[]): void {
  shared.reset();
  shared.u32(relId);
  for (let i = 0; i < types.length; i++) shared.datum(types[i]!, row[cols[i]!] ?? null);
}

/** Prefix of all keys of a relation, and the exclusive end of its range. */
export function relationRange(relId: number): { start: Buffer; end: Buffer } {
  const start = Buffer.allocUnsafe(4); start.writeUInt32BE(relId >>> 0, 0);
  const end = Buffer.allocUnsafe(4); end.writeUInt32BE((relId + 1) >>> 0, 0);
  return { start, end };
}

/** Exclusive upper bound for all keys starting with prefix. */
export function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) { end[i] = end[i]! + 1; return end.subarray(0, i + 1); }
  }
  return Buffer.concat([prefix, Buffer.from([0xff, 0xff, 0xff, 0xff])]);
}
