// Binary wire format end to end: each common type sent as a binary parameter comes back
// byte-identical as a binary result, and as PostgreSQL's text when text is asked for.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTarget, type Target } from './target.js';
import { WireConn, frame, dataRowValues, errorFields } from './wire.js';

let target: Target;
beforeAll(async () => { target = await startTarget(); });
afterAll(async () => { await target?.stop(); });

const i16 = (n: number): Buffer => { const b = Buffer.alloc(2); b.writeInt16BE(n); return b; };
const i32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeInt32BE(n); return b; };
const i64 = (n: bigint): Buffer => { const b = Buffer.alloc(8); b.writeBigInt64BE(n); return b; };
const cstr = (s: string): Buffer => Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]);
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
const tsMicros = Number(Date.UTC(2024, 1, 29, 12, 34, 56, 789) - PG_EPOCH_MS) * 1000;

const cases: { type: string; oid: number; bin: Buffer; text: string }[] = [
  { type: 'bool', oid: 16, bin: Buffer.from([1]), text: 't' },
  { type: 'int2', oid: 21, bin: i16(12345), text: '12345' },
  { type: 'int4', oid: 23, bin: i32(-2), text: '-2' },
  { type: 'int8', oid: 20, bin: i64(9007199254740993n), text: '9007199254740993' },
  { type: 'float4', oid: 700, bin: Buffer.from('3fc00000', 'hex'), text: '1.5' },
  { type: 'float8', oid: 701, bin: Buffer.from('3fb999999999999a', 'hex'), text: '0.1' },
  { type: 'numeric', oid: 1700, bin: Buffer.concat([i16(2), i16(0), i16(0), i16(4), i16(1234), i16(5600)]), text: '1234.5600' },
  { type: 'text', oid: 25, bin: Buffer.from('héllo', 'utf8'), text: 'héllo' },
  { type: 'varchar', oid: 1043, bin: Buffer.from('abc'), text: 'abc' },
  { type: 'bytea', oid: 17, bin: Buffer.from([0, 1, 255]), text: '\\x0001ff' },
  { type: 'date', oid: 1082, bin: i32((Date.UTC(2024, 1, 29) - PG_EPOCH_MS) / 86_400_000), text: '2024-02-29' },
  { type: 'timestamp', oid: 1114, bin: i64(BigInt(tsMicros)), text: '2024-02-29 12:34:56.789' },
  { type: 'timestamptz', oid: 1184, bin: i64(BigInt(tsMicros)), text: '2024-02-29 12:34:56.789+00' },
  { type: 'interval', oid: 1186, bin: Buffer.concat([i64(BigInt((3 * 3600 + 4 * 60 + 5) * 1e6)), i32(2), i32(1)]), text: '1 mon 2 days 03:04:05' },
  { type: 'uuid', oid: 2950, bin: Buffer.from('a0eebc999c0b4ef8bb6d6bb9bd380a11', 'hex'), text: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' },
  { type: 'json', oid: 114, bin: Buffer.from('{"a": 1}'), text: '{"a": 1}' },
  { type: 'jsonb', oid: 3802, bin: Buffer.concat([Buffer.from([1]), Buffer.from('{"a": 1}')]), text: '{"a": 1}' },
];

function bindBinary(param: Buffer, resultFormat: 0 | 1): Buffer {
  return frame('B', Buffer.concat([cstr(''), cstr(''), i16(1), i16(1), i16(1), i32(param.length), param, i16(1), i16(resultFormat)]));
}

function rawColumn(body: Buffer): Buffer | null {
  const len = body.readInt32BE(2);
  return len < 0 ? null : body.subarray(6, 6 + len);
}

test.each(cases)('$type: binary in, binary and text out', async ({ type, oid, bin, text }) => {
  const c = await WireConn.open(target.port);
  try {
    c.send(Buffer.concat([
      frame('P', Buffer.concat([cstr(''), cstr(`SELECT $1::${type}`), i16(1), i32(oid)])),
      bindBinary(bin, 1), frame('E', Buffer.concat([cstr(''), i32(0)])),
      bindBinary(bin, 0), frame('E', Buffer.concat([cstr(''), i32(0)])),
      frame('S', Buffer.alloc(0)),
    ]));
    const msgs = await c.readUntil('Z', 10_000);
    const err = msgs.find((m) => m.type === 'E');
    if (err) throw new Error(`server error: ${JSON.stringify(errorFields(err.body))}`);
    const rows = msgs.filter((m) => m.type === 'D');
    expect(rows).toHaveLength(2);
    expect(rawColumn(rows[0]!.body)!.toString('hex')).toBe(bin.toString('hex'));
    expect(dataRowValues(rows[1]!.body)).toEqual([text]);
  } finally {
    c.close();
  }
});
