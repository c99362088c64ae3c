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
import { Jsonb, jsonFromPlain } from '../../core/values/json.js';
import { Numeric } from '../../core/values/numeric.js';

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

/**
 * A field's Kafka Connect schema, as Debezium's schema envelope gives it: the logical type (name)
 * says how a value is encoded (a decimal's base64 bytes and scale, a timestamp's unit).
 */
export interface FieldSchema { readonly type?: string; readonly name?: string; readonly parameters?: Readonly<Record<string, string>> }
export type FieldSchemas = ReadonlyMap<string, FieldSchema>;

/** a JSON object as a row of the columns (`schemas`: the fields' Connect schemas, when the record has them) */
export function jsonObjectRow(columns: readonly DecodeColumn[]): (o: Record<string, unknown>, schemas?: FieldSchemas) => Row {
  const convert = columns.map((c) => converter(c.type));
  return (o, schemas) => {
    let lower: Map<string, unknown> | null = null;
    return columns.map((c, i) => {
      let key = c.name;
      let v = o[key];
      if (v === undefined) {
        lower ??= new Map(Object.keys(o).map((k) => [k.toLowerCase(), k]));
        key = (lower.get(c.name.toLowerCase()) as string | undefined) ?? key;
        v = o[key];
      }
      if (v === undefined || v === null) return null;
      try {
        return convert[i]!(v, schemas?.get(key));
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        throw new SqlError(e instanceof SqlError ? e.code : SqlState.InvalidTextRepresentation, `field "${c.name}": ${msg}`);
      }
    });
  };
}

type Converter = (v: unknown, schema?: FieldSchema) => Datum;

const text = (type: SqlType, s: string): Datum => parseText(type, s, DEFAULT_VALUE_SETTINGS);

function converter(type: SqlType): Converter {
  const name = type.kind === 'scalar' ? type.name : '';
  switch (name) {
    case 'jsonb':
    case 'json': {
      // Debezium sends JSON columns as text (logical type io.debezium.data.Json): their value is that JSON
      const value = (v: unknown, s?: FieldSchema): unknown => (typeof v === 'string' && s?.name === 'io.debezium.data.Json' ? parseJsonText(v) : v);
      return name === 'jsonb' ? (v, s) => new Jsonb(jsonFromPlain(value(v, s))) : (v, s) => JSON.stringify(value(v, s));
    }
    case 'bool':
      return (v) => (typeof v === 'boolean' ? v : text(type, String(v)));
    // the common cases straight from the JSON value (the same result as the text input, without the text)
    case 'int2':
    case 'int4': {
      const lo = name === 'int2' ? -32768 : -2147483648;
      const hi = name === 'int2' ? 32767 : 2147483647;
      return (v) => (typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi ? v | 0 : text(type, String(v)));
    }
    case 'int8':
      return (v) => (typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : text(type, String(v)));
    case 'float8':
      return (v) => (typeof v === 'number' ? v : text(type, String(v)));
    case 'text':
      return (v) => (typeof v === 'string' ? v : text(type, typeof v === 'object' ? JSON.stringify(v) : String(v)));
    case 'numeric':
      return (v, s) => text(type, decimalText(v, s, type.typmod));
    case 'bytea':
      // Connect's bytes are base64
      return (v, s) => (typeof v === 'string' && s?.type === 'bytes' ? new Uint8Array(Buffer.from(v, 'base64')) : text(type, String(v)));
    // Debezium writes dates as days since 1970, timestamps and times as counts of ms, µs or ns
    case 'date':
      return (v) => text(type, typeof v === 'number' ? new Date(v * 86_400_000).toISOString().slice(0, 10) : String(v));
    case 'timestamp':
    case 'timestamptz':
      return (v, s) => {
        if (typeof v !== 'number') return text(type, String(v));
        const micros = toMicros(v, s?.name, Math.abs(v) >= 1e17 ? 'ns' : Math.abs(v) >= 1e14 ? 'us' : 'ms');
        const iso = new Date(Math.floor(micros / 1000)).toISOString().replace('Z', '') + String(Math.round(((micros % 1000) + 1000) % 1000)).padStart(3, '0');
        return text(type, name === 'timestamptz' ? iso + '+00' : iso);
      };
    case 'time':
      return (v, s) => {
        if (typeof v !== 'number') return text(type, String(v));
        // without a schema: MicroTime, Debezium's default for PostgreSQL's and MySQL's time
        const micros = toMicros(v, s?.name, 'us');
        const secs = Math.floor(micros / 1e6);
        const frac = String(Math.round(micros - secs * 1e6)).padStart(6, '0');
        return text(type, `${Math.floor(secs / 3600)}:${String(Math.floor(secs / 60) % 60).padStart(2, '0')}:${String(secs % 60).padStart(2, '0')}.${frac}`);
      };
  }
  return (v) => {
    if (typeof v === 'object') {
      if (type.kind === 'array' && Array.isArray(v)) {
        const elem = converter(type.elem);
        return v.map((x) => (x === null ? null : elem(x)));
      }
      throw new SqlError(SqlState.InvalidTextRepresentation, `expected a scalar, got ${JSON.stringify(v).slice(0, 60)}`);
    }
    return text(type, String(v));
  };
}

/** a count of ms, µs or ns (by the Connect logical type, else `fallback`) in µs */
function toMicros(v: number, logical: string | undefined, fallback: 'ms' | 'us' | 'ns'): number {
  const unit = logical === undefined ? fallback
    : /Nano(Timestamp|Time)$/.test(logical) ? 'ns'
      : /Micro(Timestamp|Time)$/.test(logical) ? 'us'
        : /(\.Timestamp|\.Time)$/.test(logical) ? 'ms' : fallback;
  return unit === 'ms' ? v * 1000 : unit === 'ns' ? v / 1000 : v;
}

/**
 * A decimal's text. Debezium's precise mode writes the unscaled value as base64 big-endian two's
 * complement bytes, its scale in the schema (org.apache.kafka.connect.data.Decimal), or
 * {scale, value} (io.debezium.data.VariableScaleDecimal); without a schema the column's declared
 * scale (numeric(p, s)) is the only scale there is. Numbers and numeric text pass through.
 */
function decimalText(v: unknown, s: FieldSchema | undefined, typmod: number): string {
  if (typeof v === 'number') return String(v);
  if (isJsonObject(v) && typeof v['value'] === 'string' && v['scale'] !== undefined) return unscaled(v['value'], Number(v['scale']));
  if (typeof v !== 'string') throw new SqlError(SqlState.InvalidTextRepresentation, `expected a decimal, got ${JSON.stringify(v).slice(0, 60)}`);
  if (s?.name === 'org.apache.kafka.connect.data.Decimal') return unscaled(v, Number(s.parameters?.['scale'] ?? 0));
  if (Numeric.tryParse(v) !== null) return v;
  if (typmod >= 4 && /^[A-Za-z0-9+/]+={0,2}$/.test(v)) return unscaled(v, (typmod - 4) & 0xffff);
  // the reason is the message: it is what eddy_source_errors shows
  throw new SqlError(SqlState.InvalidTextRepresentation, `invalid input syntax for type numeric: "${v.slice(0, 60)}" (a Debezium binary decimal needs the schema envelope or a numeric(p, s) column that gives its scale)`);
}

function unscaled(base64: string, scale: number): string {
  if (!Number.isInteger(scale) || scale < 0) throw new SqlError(SqlState.InvalidTextRepresentation, `invalid decimal scale ${scale}`);
  const bytes = Buffer.from(base64, 'base64');
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  if (bytes.length && bytes[0]! & 0x80) n -= 1n << BigInt(bytes.length * 8);
  return Numeric.of(n, scale).toString();
}

function parseJsonText(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    throw new SqlError(SqlState.InvalidTextRepresentation, 'invalid JSON in an io.debezium.data.Json field');
  }
}
