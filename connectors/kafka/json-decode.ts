// FORMAT PLAIN ENCODE JSON: a record's value, a JSON object, as a row of the source's columns.
// Columns map to fields by name (case-insensitively when no field matches exactly); missing fields
// are NULL; scalar fields convert as PostgreSQL's text input would (so '2024-01-01' fills a date
// column); json / jsonb columns keep the field's JSON. A record that is not an object, or a field
// that does not convert, is an error the caller records (the record is not ingested).
import type { Datum, Row } from '../../core/datum.js';
import type { SqlType } from '../../core/types.js';
import { SqlError, SqlState } from '../../core/errors.js';
import { parseText } from '../../core/values/io.js';
import { DEFAULT_VALUE_SETTINGS } from '../../core/values/settings.js';
import { Jsonb, type JsonValue } from '../../core/values/json.js';

export interface DecodeColumn { readonly name: string; readonly type: SqlType }

/** a record's bytes as JSON (any value) */
export function parseJson(value: Buffer): unknown {
  try {
    return JSON.parse(value.toString('utf8'));
  } catch (e) {
    throw new SqlError(SqlState.InvalidTextRepresentation, `invalid JSON: ${(e as Error).message}`);
  }
}

export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function jsonRowDecoder(columns: readonly DecodeColumn[]): (value: Buffer | null) => Row {
  const toRow = jsonObjectRow(columns);
  return (value) => {
    if (value === null) throw new SqlError(SqlState.InvalidTextRepresentation, 'record has no value');
    const obj = parseJson(value);
    if (!isJsonObject(obj)) throw new SqlError(SqlState.InvalidTextRepresentation, 'record is not a JSON object');
    return toRow(obj);
  };
}

/** a JSON object as a row of the columns */
export function jsonObjectRow(columns: readonly DecodeColumn[]): (o: Record<string, unknown>) => Row {
  const convert = columns.map((c) => converter(c.type));
  return (o) => {
    let lower: Map<string, unknown> | null = null;
    return columns.map((c, i) => {
      let v = o[c.name];
      if (v === undefined) {
        lower ??= new Map(Object.entries(o).map(([k, x]) => [k.toLowerCase(), x]));
        v = lower.get(c.name.toLowerCase());
      }
      if (v === undefined || v === null) return null;
      try {
        return convert[i]!(v);
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        throw new SqlError(e instanceof SqlError ? e.code : SqlState.InvalidTextRepresentation, `field "${c.name}": ${msg}`);
      }
    });
  };
}

function converter(type: SqlType): (v: unknown) => Datum {
  if (type.kind === 'scalar' && (type.name === 'jsonb')) return (v) => new Jsonb(v as JsonValue);
  if (type.kind === 'scalar' && type.name === 'json') return (v) => JSON.stringify(v);
  if (type.kind === 'scalar' && type.name === 'bool') {
    return (v) => (typeof v === 'boolean' ? v : parseText(type, String(v), DEFAULT_VALUE_SETTINGS));
  }
  const name = type.kind === 'scalar' ? type.name : '';
  // Debezium writes dates as days since 1970 and timestamps as milli- or microseconds since 1970
  if (name === 'date') return (v) => parseText(type, typeof v === 'number' ? new Date(v * 86_400_000).toISOString().slice(0, 10) : String(v), DEFAULT_VALUE_SETTINGS);
  if (name === 'timestamp' || name === 'timestamptz') {
    return (v) => {
      if (typeof v !== 'number') return parseText(type, String(v), DEFAULT_VALUE_SETTINGS);
      const micros = Math.abs(v) >= 1e14 ? v : v * 1000;
      const iso = new Date(Math.floor(micros / 1000)).toISOString().replace('Z', '') + String(Math.round(((micros % 1000) + 1000) % 1000)).padStart(3, '0');
      return parseText(type, name === 'timestamptz' ? iso + '+00' : iso, DEFAULT_VALUE_SETTINGS);
    };
  }
  return (v) => {
    if (typeof v === 'object') {
      if (type.kind === 'array' && Array.isArray(v)) return v.map((x) => (x === null ? null : converter(type.elem)(x)));
      throw new SqlError(SqlState.InvalidTextRepresentation, `expected a scalar, got ${JSON.stringify(v).slice(0, 60)}`);
    }
    return parseText(type, String(v), DEFAULT_VALUE_SETTINGS);
  };
}
