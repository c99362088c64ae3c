// A column segment as an Apache Arrow IPC file: one record batch, one Arrow column per table
// column. Fixed-width SQL types get typed Arrow columns (scans read them as typed arrays);
// strings are Utf8; everything else (numeric, interval, jsonb, arrays, ...) is the row codec's
// stored value packed with msgpack into a Binary column.
import {
  makeData, makeVector, tableToIPC, tableFromIPC, Table,
  Int32, Int64, Float64, Int8, Utf8, Binary, Dictionary, Type, type Vector,
} from 'apache-arrow';
import { Numeric, fixedDecimal } from '../../core/values/numeric.js';
import { pack, unpack } from 'msgpackr';
import type { SqlType } from '../../core/types.js';
import type { Datum } from '../../core/datum.js';
import { fromStored, toStored, type Stored } from '../row-codec.js';

/**
 * How a SQL type is laid out in a segment. 'dec': numeric(p, s) with p <= 15 as exact unscaled
 * integers in a Float64 column (when every value of the segment has scale s); strings of few
 * distinct values are dictionary-encoded (codes + strings).
 */
export type ColumnKind = 'i32' | 'i64' | 'f64' | 'bool' | 'utf8' | 'packed' | 'dec';

/** the scale of numeric(p, s) columns kept as exact unscaled integers, else null */
export function decimalScale(type: SqlType): number | null {
  return fixedDecimal(type)?.scale ?? null;
}

/** unscaled integer of a numeric text with exactly `scale` fraction digits, or null */
function unscaled(text: string, scale: number): number | null {
  const dot = text.indexOf('.');
  if (scale === 0 ? dot >= 0 : dot < 0 || text.length - dot - 1 !== scale) return null;
  const n = Number(scale === 0 ? text : text.slice(0, dot) + text.slice(dot + 1));
  return Number.isSafeInteger(n) ? n : null;
}

function decimalsFit(values: readonly unknown[], scale: number): boolean {
  for (const v of values) if (v !== null && v !== undefined && decimalUnscaled(v, scale) === null) return false;
  return true;
}

function formatUnscaled(u: number, scale: number): Numeric {
  return Numeric.of(BigInt(u), scale);
}

export function columnKind(type: SqlType): ColumnKind {
  if (type.kind === 'array') return 'packed';
  switch (type.name) {
    case 'int2': case 'int4': return 'i32';
    case 'int8': return 'i64';
    // oids exceed int32; dates and timestamps may be ±Infinity
    case 'float4': case 'float8': case 'date': case 'time': case 'timestamp': case 'timestamptz':
    case 'oid': case 'regclass': case 'regtype': case 'regproc': case 'regnamespace': return 'f64';
    case 'bool': return 'bool';
    case 'text': case 'varchar': case 'bpchar': case 'name': case 'char': case 'uuid': case 'json': return 'utf8';
    default: return 'packed';
  }
}

/**
 * min/max of a column's non-null values (zone map; for exact decimals, of the unscaled values);
 * null when the column has no non-null value; 'none' when no zone map is kept for the column.
 */
export type ZoneMap = readonly [number | bigint, number | bigint] | null | 'none';

/** Zone maps are kept for integer-like columns whose JS order is SQL order (not floats: NaN). */
function zoneMapped(type: SqlType): boolean {
  if (type.kind === 'array') return false;
  return ['int2', 'int4', 'int8', 'date', 'time', 'timestamp', 'timestamptz'].includes(type.name);
}

function storedNumber(v: Stored): number {
  return typeof v === 'string' ? Number(v) : Number(v as number | bigint);
}

/** A Binary Arrow column of values already back to back: value i is data[offsets[i] - offsets[0], offsets[i + 1] - offsets[0]) */
export function binaryColumn(data: Uint8Array, offsets: Uint32Array, n: number): Vector {
  const base = offsets[0]!;
  const offs = new Int32Array(n + 1);
  for (let i = 0; i <= n; i++) offs[i] = offsets[i]! - base;
  return makeVector(makeData({ type: new Binary() as never, length: n, nullCount: 0, nullBitmap: null, valueOffsets: offs, data: data.subarray(base, offsets[n]!) } as never));
}

/** A Utf8 or Binary Arrow column built in two passes (sizes, then bytes) instead of value by value. */
function varBinary(values: readonly (string | Uint8Array | null)[], type: Utf8 | Binary): Vector {
  const n = values.length;
  const offsets = new Int32Array(n + 1);
  const valid = new Uint8Array((n + 7) >> 3);
  let nulls = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) nulls++;
    else { valid[i >> 3]! |= 1 << (i & 7); total += typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : v.byteLength; }
    offsets[i + 1] = total;
  }
  const data = Buffer.allocUnsafe(total);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    if (typeof v === 'string') data.write(v, offsets[i]!, 'utf8');
    else data.set(v, offsets[i]!);
  }
  return makeVector(makeData({ type: type as never, length: n, nullCount: nulls, nullBitmap: nulls ? valid : null, valueOffsets: offsets, data } as never));
}

/** Strings as dictionary codes + the distinct strings. */
function dictionaryColumn(strings: readonly (string | null)[], distinct: readonly string[]): Vector {
  const n = strings.length;
  const codeOf = new Map(distinct.map((s, i) => [s, i]));
  const codes = new Int32Array(n);
  const valid = new Uint8Array((n + 7) >> 3);
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    const v = strings[i];
    if (v === null || v === undefined) { nulls++; continue; }
    valid[i >> 3]! |= 1 << (i & 7);
    codes[i] = codeOf.get(v)!;
  }
  const dictionary = varBinary(distinct, new Utf8());
  return makeVector(makeData({ type: new Dictionary(new Utf8(), new Int32()) as never, length: n, nullCount: nulls, nullBitmap: nulls ? valid : null, data: codes, dictionary } as never));
}

function decimalUnscaled(v: unknown, scale: number): number | null {
  if (typeof v === 'object' && v !== null && 'digits' in v) {
    const d = v as Numeric;
    if (d.special === null && d.scale === scale) { const n = Number(d.digits); return Number.isSafeInteger(n) ? n : null; }
    return d.special === null ? unscaled(d.toString(), scale) : null;
  }
  return unscaled(String(v), scale);
}

/**
 * Builds a segment file from rows in the row codec's stored form, or (`datums`) as executor
 * values; returns its bytes and zone maps.
 */
export function encodeSegment(types: readonly SqlType[], rows: readonly (readonly (Stored | Datum)[])[], keys: readonly Uint8Array[], datums = false): { bytes: Uint8Array; zones: ZoneMap[] } {
  return encodeColumns(types, rows.length, (c) => rows.map((r) => r[c]), varBinary(keys, new Binary()), datums);
}

/**
 * The same from columns: `column(c)` is column c's values (stored form, or datums), and the keys
 * are the segment's Binary key column.
 */
export function encodeColumns(types: readonly SqlType[], n: number, column: (c: number) => readonly (Stored | Datum | undefined)[], keyColumn: Vector, datums = false): { bytes: Uint8Array; zones: ZoneMap[] } {
  const cols: Record<string, Vector> = {};
  const zones: ZoneMap[] = [];
  types.forEach((type, c) => {
    const kind = columnKind(type);
    const valid = new Uint8Array((n + 7) >> 3);
    let nulls = 0;
    const isNull = (v: Stored | Datum | undefined): boolean => {
      if (v === null || v === undefined) { nulls++; return true; }
      return false;
    };
    let lo: number | bigint | null = null;
    let hi: number | bigint | null = null;
    const track = (x: number | bigint): void => {
      if (lo === null || x < lo) lo = x;
      if (hi === null || x > hi) hi = x;
    };
    const zoned = zoneMapped(type);
    let decimalZone = false;
    const values = column(c);
    let vec: Vector;
    if (kind === 'i32' || kind === 'i64' || kind === 'f64' || kind === 'bool') {
      const typed = kind === 'i32' ? new Int32Array(n) : kind === 'i64' ? new BigInt64Array(n) : kind === 'f64' ? new Float64Array(n) : new Int8Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (isNull(v)) continue;
        valid[i >> 3]! |= 1 << (i & 7);
        if (kind === 'i64') {
          const b = BigInt(v as number | bigint);
          (typed as BigInt64Array)[i] = b;
          if (zoned) track(b);
        } else if (kind === 'bool') {
          (typed as Int8Array)[i] = v ? 1 : 0;
        } else {
          const x = storedNumber(v as Stored);
          (typed as Int32Array | Float64Array)[i] = x;
          if (zoned && Number.isFinite(x)) track(x);
          // an infinite date/timestamp makes the range unbounded on that side
          else if (zoned) track(x);
        }
      }
      const arrowType = kind === 'i32' ? new Int32() : kind === 'i64' ? new Int64() : kind === 'f64' ? new Float64() : new Int8();
      vec = makeVector(makeData({ type: arrowType as never, length: n, nullCount: nulls, nullBitmap: nulls ? valid : null, data: typed } as never));
    } else if (kind === 'utf8') {
      const strings = values.map((v) => (v === null || v === undefined ? null : String(v)));
      // few distinct values: a dictionary (scans then read codes, not strings)
      const distinct = new Set<string>();
      const limit = Math.min(65536, Math.max(16, n / 4));
      for (const x of strings) if (x !== null && distinct.add(x).size > limit) break;
      vec = distinct.size <= limit ? dictionaryColumn(strings, [...distinct]) : varBinary(strings, new Utf8());
    } else if (decimalScale(type) !== null && decimalsFit(values, decimalScale(type)!)) {
      const scale = decimalScale(type)!;
      const unscaledValues = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (isNull(v)) continue;
        valid[i >> 3]! |= 1 << (i & 7);
        const u = decimalUnscaled(v, scale)!;
        unscaledValues[i] = u;
        track(u);
      }
      decimalZone = true;
      vec = makeVector(makeData({ type: new Float64() as never, length: n, nullCount: nulls, nullBitmap: nulls ? valid : null, data: unscaledValues } as never));
    } else {
      const blobs = values.map((v) => (v === null || v === undefined ? null : (pack(datums ? toStored(type, v as Datum) : v) as Uint8Array)));
      vec = varBinary(blobs, new Binary());
    }
    cols['c' + c] = vec;
    zones.push(zoned || decimalZone ? (lo !== null ? [lo, hi!] : null) : 'none');
  });
  // each row's storage key, so compaction can re-point the primary-key index at the row's new place
  cols['k'] = keyColumn;
  const table = new Table(cols);
  return { bytes: tableToIPC(table, 'file'), zones };
}

/** One column of a loaded segment: typed values for fixed-width kinds, a per-row getter for all. */
export interface ColumnVector {
  readonly kind: ColumnKind;
  /** 'dec': the column's scale (values are unscaled integers) */
  readonly scale?: number;
  /** dictionary-encoded strings: the code of each row and the distinct strings */
  readonly dict?: { readonly codes: Int32Array; readonly strings: readonly (string | null)[] };
  /** Int32Array | BigInt64Array | Float64Array | Int8Array for fixed-width kinds, else null */
  readonly values: Int32Array | BigInt64Array | Float64Array | Int8Array | null;
  /** Arrow validity bitmap (bit set = not null), or null when the column has no nulls */
  readonly valid: Uint8Array | null;
  /** the Datum at row i (decoded on demand: only touched rows of touched columns are materialized) */
  datum(i: number): Datum;
}

export interface LoadedSegment {
  readonly rows: number;
  /** columns in table order; a table widened by ADD COLUMN after the segment was written reads NULL past its width */
  readonly columns: readonly ColumnVector[];
  readonly bytes: number;
  /** the storage key of row i */
  key(i: number): Buffer;
  /** the key column as stored (Arrow Binary layout), for the segment's primary-key index */
  keyColumn(): { readonly offsets: Int32Array; readonly data: Uint8Array };
}

export function decodeSegment(types: readonly SqlType[], bytes: Uint8Array): LoadedSegment {
  const table = tableFromIPC(bytes);
  const columns: ColumnVector[] = [];
  const keyVec = table.getChild('k')!;
  const width = table.numCols - 1;
  for (let c = 0; c < width && c < types.length; c++) {
    const type = types[c]!;
    const kind = columnKind(type);
    const vec = table.getChildAt(c)!;
    const data = vec.data[0]!;
    const valid = data.nullCount > 0 ? (data.nullBitmap as Uint8Array) : null;
    const isValid = (i: number): boolean => valid === null || (valid[i >> 3]! & (1 << (i & 7))) !== 0;
    if (kind === 'utf8' && data.typeId === Type.Dictionary) {
      const codes = data.values as Int32Array;
      const dictVec = data.dictionary!;
      const strings: (string | null)[] = [];
      for (let k = 0; k < dictVec.length; k++) strings.push(dictVec.get(k) as string | null);
      columns.push({ kind, values: null, valid, dict: { codes, strings }, datum: (i) => (isValid(i) ? strings[codes[i]!]! : null) });
      continue;
    }
    if (kind === 'packed' && decimalScale(type) !== null && data.typeId === Type.Float) {
      const scale = decimalScale(type)!;
      const values = data.values as Float64Array;
      columns.push({ kind: 'dec', scale, values, valid, datum: (i) => (isValid(i) ? formatUnscaled(values[i]!, scale) : null) });
      continue;
    }
    if (kind === 'utf8') {
      // straight from the offsets and bytes: Vector.get goes through a visitor and a TextDecoder per value (~1 µs)
      const offs = data.valueOffsets as Int32Array;
      const bytes = data.values as Uint8Array;
      const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      columns.push({ kind, values: null, valid, datum: (i) => (isValid(i) ? text.toString('utf8', offs[i]!, offs[i + 1]!) : null) });
      continue;
    }
    if (kind === 'packed') {
      columns.push({ kind, values: null, valid, datum: (i) => (isValid(i) ? fromStored(type, unpack(vec.get(i) as Uint8Array) as Stored) : null) });
      continue;
    }
    const values = data.values as Int32Array | BigInt64Array | Float64Array | Int8Array;
    const datum: (i: number) => Datum = kind === 'bool'
      ? (i) => (isValid(i) ? values[i] === 1 : null)
      : (i) => (isValid(i) ? (values[i] as number | bigint) : null);
    columns.push({ kind, values, valid, datum });
  }
  const key = (i: number): Buffer => Buffer.from(keyVec.get(i) as Uint8Array);
  const keyData = keyVec.data[0]!;
  const keyColumn = (): { offsets: Int32Array; data: Uint8Array } => ({ offsets: keyData.valueOffsets as Int32Array, data: keyData.values as Uint8Array });
  return { rows: table.numRows, columns, bytes: bytes.byteLength, key, keyColumn };
}
