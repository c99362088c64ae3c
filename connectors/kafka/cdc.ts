// Changelog formats of Kafka records for primary-keyed tables:
//   FORMAT UPSERT ENCODE JSON    the value is the new row; a null value (tombstone) deletes the key
//                                the record's key names (a JSON object, or the bare value of a
//                                one-column key)
//   FORMAT DEBEZIUM ENCODE JSON  {op, before, after} with or without the schema envelope
//                                ({schema, payload}); c / r / u upsert `after`, d deletes `before`
// A change is the row to upsert or the key row (primary-key columns set, others NULL) to delete.
import type { Row } from '../../core/datum.js';
import { SqlError, SqlState } from '../../core/errors.js';
import { isJsonObject, jsonObjectRow, parseJson, type DecodeColumn } from './json-decode.js';

export type Change = { readonly kind: 'upsert'; readonly row: Row } | { readonly kind: 'delete'; readonly row: Row };
export type ChangeDecoder = (key: Buffer | null, value: Buffer | null) => Change | null;

export function cdcDecoder(format: 'upsert' | 'debezium', columns: readonly DecodeColumn[], pk: readonly number[]): ChangeDecoder {
  const toRow = jsonObjectRow(columns);
  const bad = (m: string): never => { throw new SqlError(SqlState.InvalidTextRepresentation, m); };
  const object = (v: unknown, what: string): Record<string, unknown> => (isJsonObject(v) ? v : bad(`${what} is not a JSON object`));
  const checkKey = (row: Row): Row => {
    for (const c of pk) if (row[c] === null || row[c] === undefined) bad(`primary key column "${columns[c]!.name}" is missing`);
    return row;
  };
  if (format === 'upsert') {
    return (key, value) => {
      if (value !== null) return { kind: 'upsert', row: checkKey(toRow(object(parseJson(value), 'value'))) };
      if (key === null) bad('a tombstone without a key');
      const k = parseJson(key!);
      const keyObject = isJsonObject(k) ? k : pk.length === 1 ? { [columns[pk[0]!]!.name]: k } : bad('the key is not a JSON object');
      return { kind: 'delete', row: checkKey(toRow(keyObject)) };
    };
  }
  return (_key, value) => {
    // a tombstone after a delete (Debezium's log compaction marker) carries nothing new
    if (value === null) return null;
    const outer = object(parseJson(value), 'value');
    const e = isJsonObject(outer['payload']) ? outer['payload'] : outer;
    const op = e['op'];
    if (op === 'c' || op === 'r' || op === 'u') return { kind: 'upsert', row: checkKey(toRow(object(e['after'], '"after"'))) };
    if (op === 'd') return { kind: 'delete', row: checkKey(toRow(object(e['before'], '"before"'))) };
    return bad(`unknown Debezium op ${JSON.stringify(op)}`);
  };
}
