// Converts rows to and from the plain values LMDB's msgpack encoding stores.
// Columns are positional; a row stored before ADD COLUMN is shorter and reads NULL-padded.
import type { SqlType } from '../core/types.js';
import type { Datum, Row } from '../core/datum.js';
import { Numeric } from '../core/values/numeric.js';
import { Interval } from '../core/values/interval.js';
import { formatText, parseText } from '../core/values/io.js';
import { DEFAULT_VALUE_SETTINGS } from '../core/values/settings.js';

export type Stored = null | boolean | number | bigint | string | Uint8Array | Stored[];

export function toStored(type: SqlType, d: Datum): Stored {
  if (d === null) return null;
  if (type.kind === 'array') {
    const elem = type.elem;
    return (d as readonly Datum[]).map((e) => toStored(elem, e));
  }
  switch (type.name) {
    case 'numeric': return (d as Numeric).toString();
    case 'interval': { const iv = d as Interval; return [iv.months, iv.days, iv.micros]; }
    case 'jsonb': return formatText(type, d, DEFAULT_VALUE_SETTINGS);
    case 'date': case 'timestamp': case 'timestamptz':
      // ±Infinity are not representable in msgpack integers; keep them as strings
      return Number.isFinite(d as number) ? (d as number) : String(d);
    default: return d as Stored;
  }
}

export function fromStored(type: SqlType, v: Stored | undefined): Datum {
  if (v === null || v === undefined) return null;
  if (type.kind === 'array') {
    const elem = type.elem;
    return (v as Stored[]).map((e) => fromStored(elem, e));
  }
  switch (type.name) {
    case 'numeric': return Numeric.fromString(v as string);
    case 'interval': { const a = v as number[]; return new Interval(a[0]!, a[1]!, a[2]!); }
    case 'jsonb': return parseText(type, v as string, DEFAULT_VALUE_SETTINGS);
    case 'int8': return typeof v === 'bigint' ? v : BigInt(v as number);
    case 'date': case 'timestamp': case 'timestamptz':
      return typeof v === 'string' ? Number(v) : (v as number);
    case 'bytea': return v instanceof Uint8Array ? v : new Uint8Array(v as unknown as ArrayLike<number>);
    default: return v as Datum;
  }
}

export function encodeRow(types: readonly SqlType[], row: Row): Stored[] {
  const out = new Array<Stored>(types.length);
  for (let i = 0; i < types.length; i++) out[i] = toStored(types[i]!, row[i] ?? null);
  return out;
}

export function decodeRow(types: readonly SqlType[], stored: readonly Stored[]): Row {
  const out = new Array<Datum>(types.length);
  for (let i = 0; i < types.length; i++) out[i] = fromStored(types[i]!, stored[i]);
  return out;
}
