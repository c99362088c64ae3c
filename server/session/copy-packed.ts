// COPY ... CSV into a bulk load without row objects: the bytes of each record are read field by
// field and written straight into the load's MessagePack rows and keys, the same bytes the row
// codec would write for the parsed values (storage/packed-rows.ts). Integers, floats, booleans and
// text take that path; a field of any other type goes through its input function on its own.
//
// Anything unusual hands the rest of the piece to the general parser (copy.ts), which then reads
// it as it always does and reports errors with their line: quoted fields, carriage returns, a
// missing or extra field, a NULL in a NOT NULL column, a number it does not take at a glance,
// the end marker. So the fast path needs no error messages of its own, and gets nothing wrong
// that the general path gets right.
import { isUtf8 } from 'node:buffer';
import type { Datum } from '../../core/datum.js';
import type { SqlType } from '../../core/types.js';
import type { ValueSettings } from '../../core/values/settings.js';
import { parseText } from '../../core/values/io.js';
import type { CopySpec } from '../../planner/statement.js';
import type { RelationDef } from '../../catalog/model.js';
import type { RowChecks } from '../../expr/dml.js';
import { toStored } from '../../storage/row-codec.js';
import { rowKeyView, float64KeyPrefix, putOrderedF64 } from '../../storage/key-codec.js';
import type { BulkInsert } from '../../storage/bulk-insert.js';
import type { PackWriter } from '../../storage/packed-rows.js';

/** how a column's field is read: 'any' through the type's input function */
type FieldKind = 'int4' | 'int8' | 'float8' | 'bool' | 'text' | 'any';

export interface PackedCsvPlan {
  readonly rel: RelationDef;
  readonly types: readonly SqlType[];
  readonly kinds: readonly FieldKind[];
  readonly notNull: readonly boolean[];
  /** the primary key's columns, and per column its place in the key (-1: none) */
  readonly pk: readonly number[];
  readonly pkTypes: readonly SqlType[];
  readonly pkPos: readonly number[];
  /** a key of one number column: its bytes before the number (key-codec's float64KeyPrefix), else null */
  readonly numberKey: Buffer | null;
  readonly delim: number;
  readonly quote: number;
  readonly nullBytes: Buffer;
  readonly settings: ValueSettings;
}

function fieldKind(t: SqlType): FieldKind {
  if (t.kind === 'array') return 'any';
  switch (t.name) {
    case 'int4': return 'int4';
    case 'int8': return 'int8';
    case 'float8': return 'float8';
    case 'bool': return 'bool';
    // varchar(n) and friends check lengths in their input function
    case 'text': return 'text';
    case 'varchar': return t.typmod === -1 ? 'text' : 'any';
    default: return 'any';
  }
}

/**
 * The plan for a COPY that may take the packed path: CSV, every column in table order (no
 * defaults to compute), no CHECK constraints or generated columns (nothing evaluated per row), a
 * primary key, one-byte ASCII delimiter and quote. Else null: the general path.
 */
export function packedCsvPlan(rel: RelationDef, cols: readonly number[], o: CopySpec, checks: RowChecks, settings: ValueSettings): PackedCsvPlan | null {
  if (!o.csv || !rel.primaryKey || checks.checks.length || checks.generated.length) return null;
  if (cols.length !== rel.columns.length || cols.some((c, i) => c !== i)) return null;
  const ascii = (s: string): boolean => s.length === 1 && s.charCodeAt(0) < 128;
  if (!ascii(o.delimiter) || !ascii(o.quote) || !/^[\x20-\x7e]*$/.test(o.nullString)) return null;
  const types = rel.columns.map((c) => c.type);
  const pk = rel.primaryKey;
  const pkPos = types.map((_, c) => pk.indexOf(c));
  const notNull = types.map((_, c) => checks.notNull.includes(c));
  return {
    rel, types, kinds: types.map(fieldKind), notNull, pk, pkTypes: pk.map((c) => types[c]!), pkPos,
    numberKey: float64KeyPrefix(rel.oid, pk.map((c) => types[c]!)),
    delim: o.delimiter.charCodeAt(0), quote: o.quote.charCodeAt(0), nullBytes: Buffer.from(o.nullString, 'latin1'), settings,
  };
}

/** powers of ten that are exact doubles (a decimal with at most 15 digits divided by one is correctly rounded) */
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** whether the packer may read the piece: valid UTF-8 (text fields are copied as they are) */
export function packable(piece: Buffer): boolean {
  return isUtf8(piece);
}

/**
 * Packs the records of `piece` (whole records, valid UTF-8) into `load`, from offset `from` on.
 * Returns the offset of the first record it left for the general parser (piece.length: none).
 * `header`: the first record is a header line to skip.
 */
export function packCsvRecords(plan: PackedCsvPlan, piece: Buffer, from: number, load: BulkInsert, header: boolean): number {
  const { kinds, types, notNull, pkPos, delim, quote, nullBytes } = plan;
  const width = kinds.length;
  const rows = load.rowWriter;
  const keys = load.keyWriter;
  const pkRow: Datum[] = new Array<Datum>(width).fill(null);
  const n = piece.length;
  let i = from;
  if (header) {
    const nl = piece.indexOf(10, from);
    if (nl < 0 || piece.subarray(from, nl).includes(quote) || piece.subarray(from, nl).includes(13)) return from;
    i = nl + 1;
  }
  while (i < n) {
    const start = i;
    // the end marker \. is the general parser's
    if (piece[i] === 92 && piece[i + 1] === 46) return start;
    load.beginRow();
    rows.arrayHeader(width);
    let ok = true;
    for (let c = 0; c < width; c++) {
      const s = i;
      let b = 0;
      while (i < n) {
        b = piece[i]!;
        if (b === delim || b === 10 || b === quote || b === 13) break;
        i++;
      }
      const e = i;
      // the field must end with a delimiter, or with the line for the last one
      if (i < n ? (b !== (c === width - 1 ? 10 : delim)) : c !== width - 1) { ok = false; break; }
      i++;
      if (e - s === nullBytes.length && piece.compare(nullBytes, 0, nullBytes.length, s, e) === 0) {
        if (notNull[c]) { ok = false; break; }
        rows.value(null);
        if (pkPos[c]! >= 0) pkRow[c] = null;
        continue;
      }
      if (!packField(plan, rows, kinds[c]!, types[c]!, piece, s, e, c, pkRow)) { ok = false; break; }
    }
    if (!ok) { load.abortRow(); return start; }
    const k = plan.numberKey;
    if (k !== null && typeof pkRow[plan.pk[0]!] === 'number') {
      // the common key, written in place
      keys.raw(k);
      // reserve() may move the buffer: take it after
      const at = keys.reserve(8);
      putOrderedF64(keys.buf, at, pkRow[plan.pk[0]!] as number);
    } else {
      keys.raw(rowKeyView(plan.rel.oid, plan.pkTypes, plan.pk, pkRow));
    }
    load.endRow();
  }
  return n;
}

/** writes the field bytes [s, e) of column c as its stored value; false: leave the record to the general parser */
function packField(plan: PackedCsvPlan, w: PackWriter, kind: FieldKind, type: SqlType, b: Buffer, s: number, e: number, c: number, pkRow: Datum[]): boolean {
  switch (kind) {
    case 'int4': {
      const x = plainInt(b, s, e, 9);
      if (x === null) break;
      w.number(x);
      if (plan.pkPos[c]! >= 0) pkRow[c] = x;
      return true;
    }
    case 'int8': {
      const x = plainInt(b, s, e, 15);
      if (x === null) break;
      w.int64(x);
      if (plan.pkPos[c]! >= 0) pkRow[c] = BigInt(x);
      return true;
    }
    case 'float8': {
      const x = plainDecimal(b, s, e);
      if (x === null) break;
      w.number(x);
      if (plan.pkPos[c]! >= 0) pkRow[c] = x;
      return true;
    }
    case 'bool': {
      if (e - s !== 1) break;
      const ch = b[s]!;
      if (ch !== 116 && ch !== 102) break;
      w.value(ch === 116);
      if (plan.pkPos[c]! >= 0) pkRow[c] = ch === 116;
      return true;
    }
    case 'text':
      w.strBytes(b, s, e);
      if (plan.pkPos[c]! >= 0) pkRow[c] = b.toString('utf8', s, e);
      return true;
    case 'any':
      break;
  }
  // through the type's input function; an error is the general parser's to report
  let d: Datum;
  try { d = parseText(type, b.toString('utf8', s, e), plan.settings); } catch { return false; }
  w.value(toStored(type, d));
  if (plan.pkPos[c]! >= 0) pkRow[c] = d;
  return true;
}

/** an optional minus and 1 to `max` digits (max <= 15: a safe integer), else null */
function plainInt(b: Buffer, s: number, e: number, max: number): number | null {
  const neg = b[s] === 45;
  let i = neg ? s + 1 : s;
  if (i === e || e - i > max) return null;
  let x = 0;
  for (; i < e; i++) {
    const d = b[i]! - 48;
    if (d < 0 || d > 9) return null;
    x = x * 10 + d;
  }
  return neg && x !== 0 ? -x : x;
}

/**
 * An optional minus, digits, and an optional point with more digits, 15 digits at most in all,
 * else null. Exact: the digits are an integer below 2^53 and the power of ten a double, so one
 * division rounds correctly, as Number() of the text does.
 */
function plainDecimal(b: Buffer, s: number, e: number): number | null {
  const neg = b[s] === 45;
  let i = neg ? s + 1 : s;
  let m = 0;
  let digits = 0;
  let scale = -1;
  for (; i < e; i++) {
    const ch = b[i]!;
    if (ch === 46) {
      if (scale >= 0) return null;
      scale = 0;
      continue;
    }
    const d = ch - 48;
    if (d < 0 || d > 9) return null;
    m = m * 10 + d;
    digits++;
    if (scale >= 0) scale++;
  }
  if (digits === 0 || digits > 15) return null;
  const x = scale > 0 ? m / POW10[scale]! : m;
  return neg ? -x : x;
}

/** the offset just past the CSV record that starts at `start` (its newline is outside quotes), or the piece's end */
export function csvRecordEnd(piece: Buffer, start: number, quote: number, escape: number): number {
  let inQuotes = false;
  for (let i = start; i < piece.length; i++) {
    const b = piece[i]!;
    if (inQuotes) {
      if (b === escape && escape !== quote && piece[i + 1] === quote) i++;
      else if (b === quote) inQuotes = false;
    } else if (b === quote) inQuotes = true;
    else if (b === 10) return i + 1;
  }
  return piece.length;
}
