// Decoding of Kafka records without a broker: Debezium's encodings (binary decimals with and
// without the schema envelope, date / time / timestamp units, JSON columns), ENCODE CSV with and
// without headers, and the properties.* translation into kafkajs settings.
import { expect, test } from 'vitest';
import { T, scalar } from '../../core/types.js';
import { formatText } from '../../core/values/io.js';
import { DEFAULT_VALUE_SETTINGS } from '../../core/values/settings.js';
import type { Datum, Row } from '../../core/datum.js';
import { cdcDecoder } from './cdc.js';
import { csvDecoder } from './csv-decode.js';
import { kafkaClientConfig } from './client-config.js';
import type { DecodeColumn } from './json-decode.js';

const numeric = (p: number, s: number) => scalar('numeric', ((p << 16) | s) + 4);
const show = (cols: readonly DecodeColumn[], row: Row) => row.map((d: Datum, i) => (d === null ? null : formatText(cols[i]!.type, d, DEFAULT_VALUE_SETTINGS)));
/** base64 of a big-endian two's complement integer, as Kafka Connect writes a decimal's unscaled value */
function unscaledBase64(n: bigint): string {
  const bytes: number[] = [];
  let x = n;
  do { bytes.unshift(Number(x & 0xffn)); x >>= 8n; } while (!(x === 0n && (bytes[0]! & 0x80) === 0) && !(x === -1n && (bytes[0]! & 0x80) !== 0));
  return Buffer.from(bytes).toString('base64');
}

const cols: DecodeColumn[] = [
  { name: 'id', type: T.int4 }, { name: 'price', type: numeric(10, 2) }, { name: 'amount', type: T.numeric },
  { name: 'day', type: T.date }, { name: 'at', type: T.timestamp }, { name: 'tod', type: scalar('time') }, { name: 'doc', type: T.jsonb },
];

test('Debezium with the schema envelope: decimals by their schema scale, times by their logical type', () => {
  const decode = cdcDecoder('debezium', cols, [0]);
  const field = (f: string, type: string, name?: string, parameters?: Record<string, string>) => ({ field: f, type, ...(name ? { name } : {}), ...(parameters ? { parameters } : {}) });
  const rowSchema = [
    field('id', 'int32'), field('price', 'bytes', 'org.apache.kafka.connect.data.Decimal', { scale: '2' }),
    field('amount', 'struct', 'io.debezium.data.VariableScaleDecimal'), field('day', 'int32', 'io.debezium.time.Date'),
    field('at', 'int64', 'io.debezium.time.NanoTimestamp'), field('tod', 'int32', 'io.debezium.time.Time'), field('doc', 'string', 'io.debezium.data.Json'),
  ];
  const schema = { type: 'struct', fields: [{ type: 'struct', field: 'before', fields: rowSchema }, { type: 'struct', field: 'after', fields: rowSchema }] };
  const after = {
    id: 7, price: unscaledBase64(-12345n), amount: { scale: 3, value: unscaledBase64(1234567n) }, day: 19723,
    at: 1_700_000_000_123_456_789, tod: 3_723_500, doc: '{"b": [1, 2], "a": "x"}',
  };
  const [change] = decode(null, Buffer.from(JSON.stringify({ schema, payload: { op: 'c', before: null, after } })));
  expect(change!.kind).toBe('upsert');
  expect(show(cols, change!.row)).toEqual(['7', '-123.45', '1234.567', '2024-01-01', '2023-11-14 22:13:20.123457', '01:02:03.5', '{"a": "x", "b": [1, 2]}']);
});

test('Debezium without a schema: a binary decimal takes the column\'s scale; µs timestamps; text stays text', () => {
  const decode = cdcDecoder('debezium', cols, [0]);
  const after = { id: 1, price: unscaledBase64(99n), amount: '5.50', day: '2024-02-29', at: 1_700_000_000_000_000, tod: 1_000_000, doc: { k: 1 } };
  const [change] = decode(null, Buffer.from(JSON.stringify({ op: 'u', before: null, after })));
  expect(show(cols, change!.row)).toEqual(['1', '0.99', '5.50', '2024-02-29', '2023-11-14 22:13:20', '00:00:01', '{"k": 1}']);
  // a binary decimal for a numeric column without a scale cannot be read: the error says why
  expect(() => decode(null, Buffer.from(JSON.stringify({ op: 'c', after: { id: 2, amount: 'AQ==' } })))).toThrow(/schema envelope or a numeric\(p, s\)/);
  // a delete: the before row's key
  const [del] = decode(null, Buffer.from(JSON.stringify({ op: 'd', before: { id: 1 }, after: null })));
  expect(del!.kind).toBe('delete');
  expect(del!.row[0]).toBe(1);
});

test('ENCODE CSV: positional without a header; with headers per partition, by name', () => {
  const c: DecodeColumn[] = [{ name: 'id', type: T.int4 }, { name: 'name', type: T.text }, { name: 'score', type: T.float8 }];
  const positional = csvDecoder(c, {}, {});
  expect(positional.decode(0, Buffer.from('1,"a, b",2.5\n2,,3\n'))).toEqual([[1, 'a, b', 2.5], [2, null, 3]]);
  expect(positional.decode(0, Buffer.from('3,"",1'))).toEqual([[3, '', 1]]);
  expect(() => positional.decode(0, Buffer.from('1,2'))).toThrow(/expected 3 fields, got 2/);
  expect(() => positional.decode(0, Buffer.from('x,a,1'))).toThrow(/field "id"/);

  const headed = csvDecoder(c, { 'encode.without_header': 'false', 'encode.delimiter': ';' }, {});
  expect(headed.decode(0, Buffer.from('score;ID\n1.5;10'))).toEqual([[10, null, 1.5]]);
  expect(headed.takeChangedHeaders()).toEqual({ 0: [2, 0] });
  expect(headed.takeChangedHeaders()).toBeNull();
  // another partition has no header yet: by position
  expect(headed.decode(1, Buffer.from('4;d;2'))).toEqual([[4, 'd', 2]]);
  expect(headed.decode(0, Buffer.from('2;11'))).toEqual([[11, null, 2]]);
  // a restart restores the headers kept with the offsets
  const restarted = csvDecoder(c, { 'encode.without_header': 'false', 'encode.delimiter': ';' }, { 0: [2, 0] });
  expect(restarted.decode(0, Buffer.from('3;12'))).toEqual([[12, null, 3]]);
  expect(() => csvDecoder(c, { 'encode.delimiter': ',,' }, {})).toThrow(/delimiter/);
  expect(() => csvDecoder(c, { 'encode.without_header': 'maybe' }, {})).toThrow(/without_header/);
});

test('properties.* become kafkajs settings; unknown or invalid ones are errors', () => {
  const base = { 'properties.bootstrap.server': 'a:1, b:2' };
  const cfg = kafkaClientConfig({
    ...base, 'properties.security.protocol': 'SASL_SSL', 'properties.sasl.mechanism': 'SCRAM-SHA-512', 'properties.sasl.username': 'u', 'properties.sasl.password': 'p',
    'properties.fetch.max.bytes': '1048576', 'properties.session.timeout.ms': '45000', 'properties.isolation.level': 'read_uncommitted', 'properties.client.id': 'me',
  }, 'source');
  expect(cfg.brokers).toEqual(['a:1', 'b:2']);
  expect(cfg.clientId).toBe('me');
  expect(cfg.client.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'u', password: 'p' });
  expect(cfg.client.ssl).toBe(true);
  expect(cfg.consumer).toMatchObject({ maxBytes: 1048576, sessionTimeout: 45000, readUncommitted: true });
  expect(() => kafkaClientConfig({ ...base, 'properties.linger.mss': '5' }, 'sink')).toThrow(/unsupported Kafka client property "properties.linger.mss"/);
  expect(() => kafkaClientConfig({ ...base, 'properties.fetch.max.bytes': 'lots' }, 'source')).toThrow(/invalid value for properties.fetch.max.bytes/);
  expect(() => kafkaClientConfig({ ...base, 'properties.security.protocol': 'SASL_PLAINTEXT' }, 'source')).toThrow(/needs properties.sasl.mechanism/);
  expect(() => kafkaClientConfig({ ...base, 'properties.ssl.ca.location': '/nonexistent/ca.pem' }, 'source')).toThrow(/cannot read/);
  expect(() => kafkaClientConfig({}, 'source')).toThrow(/needs properties.bootstrap.server/);
});
