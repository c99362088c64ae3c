// Changelog formats of Kafka records for primary-keyed tables:
//   FORMAT UPSERT ENCODE JSON    the value is the new row; a null value (tombstone) deletes the key
//                                the record's key names (a JSON object, or the bare value of a
//                                one-column key)
//   FORMAT DEBEZIUM ENCODE JSON  {op, before, after} with or without the schema envelope
//                                ({schema, payload}); c / r / u upsert `after`, d deletes `before`
//   FORMAT CANAL ENCODE JSON     {type: INSERT | UPDATE | DELETE, data: [rows], old, isDdl}: each
//                                row of data upserted, or deleted; DDL records carry no change
//   FORMAT MAXWELL ENCODE JSON   {type: insert | update | delete, data: row, old}
// A change is the row to upsert or the key row (primary-key columns set, others NULL) to delete.
import type { Row } from '../../core/datum.js';
import { SqlError, SqlState } from '../../core/errors.js';
import { isJsonObject, jsonObjectRow, parseJson, type DecodeColumn, type FieldSchema, type FieldSchemas } from './json-decode.js';

export type Change = { readonly kind: 'upsert'; readonly row: Row } | { readonly kind: 'delete'; readonly row: Row };
/** a record's changes, in order (none for records that change nothing) */
export type ChangeDecoder = (key: Buffer | null, value: Buffer | null) => Change[];

export const CHANGELOG_FORMATS = ['upsert', 'debezium', 'canal', 'maxwell'] as const;
export type ChangelogFormat = (typeof CHANGELOG_FORMATS)[number];

export function cdcDecoder(format: ChangelogFormat, columns: readonly DecodeColumn[], pk: readonly number[]): ChangeDecoder {
  const toRow = jsonObjectRow(columns);
  const bad = (m: string): never => { throw new SqlError(SqlState.InvalidTextRepresentation, m); };
  const object = (v: unknown, what: string): Record<string, unknown> => (isJsonObject(v) ? v : bad(`${what} is not a JSON object`));
  const checkKey = (row: Row): Row => {
    for (const c of pk) if (row[c] === null || row[c] === undefined) bad(`primary key column "${columns[c]!.name}" is missing`);
    return row;
  };
  if (format === 'upsert') {
    return (key, value) => {
      if (value !== null) return [{ kind: 'upsert', row: checkKey(toRow(object(parseJson(value), 'value'))) }];
      if (key === null) bad('a tombstone without a key');
      const k = parseJson(key!);
      const keyObject = isJsonObject(k) ? k : pk.length === 1 ? { [columns[pk[0]!]!.name]: k } : bad('the key is not a JSON object');
      return [{ kind: 'delete', row: checkKey(toRow(keyObject)) }];
    };
  }
  if (format === 'canal') {
    return (_key, value) => {
      if (value === null) return [];
      const e = object(parseJson(value), 'value');
      if (e['isDdl'] === true) return [];
      const type = String(e['type'] ?? '').toUpperCase();
      const data = Array.isArray(e['data']) ? e['data'] : bad('"data" is not an array');
      if (type === 'INSERT' || type === 'UPDATE') return data.map((d) => ({ kind: 'upsert' as const, row: checkKey(toRow(object(d, 'a "data" row'))) }));
      if (type === 'DELETE') return data.map((d) => ({ kind: 'delete' as const, row: checkKey(toRow(object(d, 'a "data" row'))) }));
      return bad(`unknown Canal type ${JSON.stringify(e['type'])}`);
    };
  }
  if (format === 'maxwell') {
    return (_key, value) => {
      if (value === null) return [];
      const e = object(parseJson(value), 'value');
      const type = String(e['type'] ?? '').toLowerCase();
      if (type === 'insert' || type === 'update' || type === 'bootstrap-insert') return [{ kind: 'upsert', row: checkKey(toRow(object(e['data'], '"data"'))) }];
      if (type === 'delete') return [{ kind: 'delete', row: checkKey(toRow(object(e['data'], '"data"'))) }];
      // bootstrap-start / bootstrap-complete and DDL records change no row
      if (type.startsWith('bootstrap') || type.startsWith('table-') || type.startsWith('database-')) return [];
      return bad(`unknown Maxwell type ${JSON.stringify(e['type'])}`);
    };
  }
  return (_key, value) => {
    // a tombstone after a delete (Debezium's log compaction marker) carries nothing new
    if (value === null) return [];
    const outer = object(parseJson(value), 'value');
    const enveloped = isJsonObject(outer['payload']);
    const e = enveloped ? outer['payload'] as Record<string, unknown> : outer;
    const op = e['op'];
    if (op === 'c' || op === 'r' || op === 'u') return [{ kind: 'upsert', row: checkKey(toRow(object(e['after'], '"after"'), enveloped ? rowSchema(outer['schema'], 'after') : undefined)) }];
    if (op === 'd') return [{ kind: 'delete', row: checkKey(toRow(object(e['before'], '"before"'), enveloped ? rowSchema(outer['schema'], 'before') : undefined)) }];
    return bad(`unknown Debezium op ${JSON.stringify(op)}`);
  };
}

/** the Connect schemas of the row fields of an envelope's `before` or `after` struct */
function rowSchema(schema: unknown, side: 'before' | 'after'): FieldSchemas | undefined {
  if (!isJsonObject(schema) || !Array.isArray(schema['fields'])) return undefined;
  const struct = schema['fields'].find((f) => isJsonObject(f) && f['field'] === side);
  if (!isJsonObject(struct) || !Array.isArray(struct['fields'])) return undefined;
  const out = new Map<string, FieldSchema>();
  for (const f of struct['fields']) if (isJsonObject(f) && typeof f['field'] === 'string') out.set(f['field'], f as FieldSchema);
  return out;
}
