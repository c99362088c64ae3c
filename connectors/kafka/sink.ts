// CREATE SINK ... WITH (connector = 'kafka', topic, properties.bootstrap.server, primary_key)
// FORMAT PLAIN | UPSERT | DEBEZIUM ENCODE JSON: each maintenance round's change of the sink's
// query, sent before the round's commit moves the sink's positions (at least once; a consumer
// that keys by the primary key sees each key's latest state: idempotent per key).
//   PLAIN     every inserted row as a JSON object (needs force_append_only = 'true': deletes and
//             the old side of updates are dropped)
//   UPSERT    key {primary key columns}, value the row, or null (a tombstone) when the key goes
//   DEBEZIUM  key as UPSERT, value {before, after, op: c | u | d}
import { Kafka, logLevel, type Producer } from 'kafkajs';
import type { Datum, Row } from '../../core/datum.js';
import type { Delta } from '../../core/delta.js';
import { rowKey } from '../../core/delta.js';
import type { SqlType } from '../../core/types.js';
import { SqlError, SqlState } from '../../core/errors.js';
import { formatText } from '../../core/values/io.js';
import { DEFAULT_VALUE_SETTINGS } from '../../core/values/settings.js';
import { Numeric } from '../../core/values/numeric.js';
import { Jsonb } from '../../core/values/json.js';
import type { SinkColumn, SinkConnector } from '../sinks.js';
import { kafkaClientConfig } from './client-config.js';

type Format = 'plain' | 'upsert' | 'debezium';

export function kafkaSink(options: Readonly<Record<string, string>>, columns: readonly SinkColumn[]): SinkConnector {
  const topic = options['topic'];
  if (!topic) throw new SqlError(SqlState.InvalidParameterValue, 'a kafka sink needs topic');
  const client = kafkaClientConfig(options, 'sink');
  const format = (options['format'] ?? 'plain') as Format;
  if (!['plain', 'upsert', 'debezium'].includes(format)) throw new SqlError(SqlState.FeatureNotSupported, `FORMAT ${format.toUpperCase()} is not supported for kafka sinks`);
  if ((options['encode'] ?? 'json') !== 'json') throw new SqlError(SqlState.FeatureNotSupported, `ENCODE ${(options['encode'] ?? '').toUpperCase()} is not supported for kafka sinks`);
  if (format === 'plain' && options['force_append_only'] !== 'true') {
    throw new SqlError(SqlState.InvalidParameterValue, 'FORMAT PLAIN sinks take inserts only', { hint: "Add force_append_only = 'true' (deletes and the old side of updates are dropped), or use FORMAT UPSERT / DEBEZIUM with primary_key." });
  }
  const keyNames = (options['primary_key'] ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  if (format !== 'plain' && keyNames.length === 0) throw new SqlError(SqlState.InvalidParameterValue, `FORMAT ${format.toUpperCase()} sinks need primary_key = 'col[, col]'`);
  const keyAt = keyNames.map((n) => {
    const i = columns.findIndex((c) => c.name === n);
    if (i < 0) throw new SqlError(SqlState.UndefinedColumn, `primary_key column "${n}" is not a column of the sink`);
    return i;
  });
  const toJson = (row: Row): Record<string, unknown> => Object.fromEntries(columns.map((c, i) => [c.name, jsonValue(c.type, row[i] ?? null)]));
  const keyJson = (row: Row): string => JSON.stringify(Object.fromEntries(keyAt.map((i) => [columns[i]!.name, jsonValue(columns[i]!.type, row[i] ?? null)])));
  let producer: Promise<Producer> | null = null;
  const connect = (): Promise<Producer> => {
    producer ??= (async () => {
      const kafka = new Kafka({ ...client.client, clientId: options['properties.client.id'] ?? 'eddy-sink', brokers: [...client.brokers], logLevel: logLevel.NOTHING });
      const p = kafka.producer({ allowAutoTopicCreation: true, ...client.producer, idempotent: true, maxInFlightRequests: 1 });
      await p.connect();
      return p;
    })().catch((e: unknown) => { producer = null; throw e; });
    return producer;
  };
  return {
    async write(change: Delta): Promise<void> {
      const messages: { key: string | null; value: string | null }[] = [];
      if (format === 'plain') {
        for (let i = 0; i < change.rows.length; i++) for (let n = 0; n < change.weights[i]!; n++) messages.push({ key: null, value: JSON.stringify(toJson(change.rows[i]!)) });
      } else {
        // per key: the row that went and the row that came (the change is consolidated: a row
        // is either removed or added, never both)
        const byKey = new Map<string, { before: Row | null; after: Row | null }>();
        for (let i = 0; i < change.rows.length; i++) {
          const row = change.rows[i]!;
          const k = rowKey(keyAt.map((c) => row[c] ?? null));
          const e = byKey.get(k) ?? { before: null, after: null };
          if (change.weights[i]! > 0) e.after = row; else e.before = row;
          byKey.set(k, e);
        }
        for (const { before, after } of byKey.values()) {
          const anyRow = (after ?? before)!;
          const key = keyJson(anyRow);
          if (format === 'upsert') messages.push({ key, value: after ? JSON.stringify(toJson(after)) : null });
          else if (before || after) messages.push({ key, value: JSON.stringify({ before: before ? toJson(before) : null, after: after ? toJson(after) : null, op: before && after ? 'u' : after ? 'c' : 'd' }) });
        }
      }
      if (messages.length === 0) return;
      const p = await connect();
      for (let i = 0; i < messages.length; i += 5000) await p.send({ topic, messages: messages.slice(i, i + 5000) });
    },
    async close(): Promise<void> {
      const p = producer;
      producer = null;
      try { await (await p)?.disconnect(); } catch { /* closing anyway */ }
    },
  };
}

/** a datum as JSON: numbers as numbers (large integers and numerics beyond doubles as text), booleans, text; other types as their text form */
function jsonValue(type: SqlType, d: Datum): unknown {
  if (d === null) return null;
  if (typeof d === 'number' || typeof d === 'boolean' || typeof d === 'string') return type.kind === 'scalar' && ['int2', 'int4', 'float4', 'float8', 'bool', 'text', 'varchar', 'bpchar', 'name'].includes(type.name) ? d : formatText(type, d, DEFAULT_VALUE_SETTINGS);
  if (typeof d === 'bigint') return Number.isSafeInteger(Number(d)) ? Number(d) : d.toString();
  if (d instanceof Numeric) { const s = d.toString(); const n = Number(s); return String(n) === s ? n : s; }
  if (d instanceof Jsonb) return JSON.parse(d.toString()) as unknown;
  return formatText(type, d, DEFAULT_VALUE_SETTINGS);
}
