// Vectorized selection over a loaded segment: delete bitmap and pushed-down comparisons of a
// column with a constant run over the typed arrays and produce a selection vector (the offsets
// of qualifying rows); zone maps decide whether a segment is read at all.
import type { LoadedSegment, ZoneMap } from './segment-format.js';
import type { Bitmap } from './delete-bitmaps.js';

export type CompareOp = '<' | '<=' | '=' | '>=' | '>' | '<>';

/**
 * `column op value` with SQL semantics (NULL never qualifies); value is of the column's JS type,
 * or for a numeric(p, s) column (`scale` set) a bound on the unscaled value.
 */
export interface ScanPredicate {
  readonly col: number;
  readonly op: CompareOp;
  readonly value: number | bigint;
  readonly scale?: number;
}

/** A numeric datum as an unscaled number of `scale` (NaN sorts above everything, as in PostgreSQL). */
function unscaledOf(d: unknown, scale: number): number {
  const n = d as { special: string | null; digits: bigint; scale: number };
  if (n.special === 'nan' || n.special === 'inf') return Infinity;
  if (n.special === '-inf') return -Infinity;
  return n.scale <= scale ? Number(n.digits * 10n ** BigInt(scale - n.scale)) : Number(n.digits) / 10 ** (n.scale - scale);
}

/** false when no row of a segment can satisfy every predicate, judging by its zone maps */
export function zonesMayMatch(zones: readonly ZoneMap[], width: number, preds: readonly ScanPredicate[]): boolean {
  for (const p of preds) {
    // a column added after the segment was written is NULL in all its rows
    if (p.col >= width) return false;
    const z = zones[p.col];
    // no zone map kept (e.g. a decimal column stored in the general layout): cannot rule it out
    if (z === 'none') continue;
    // zone-mapped column with no non-null value: nothing compares true
    if (z === null || z === undefined) return false;
    const [lo, hi] = z;
    const v = p.value;
    switch (p.op) {
      case '=': if (v < lo || v > hi) return false; break;
      case '<': if (lo >= v) return false; break;
      case '<=': if (lo > v) return false; break;
      case '>': if (hi <= v) return false; break;
      case '>=': if (hi < v) return false; break;
      case '<>': if (lo === v && hi === v) return false; break;
    }
  }
  return true;
}

function test(op: CompareOp, x: number | bigint, v: number | bigint): boolean {
  switch (op) {
    case '<': return x < v;
    case '<=': return x <= v;
    case '=': return x === v;
    case '>=': return x >= v;
    case '>': return x > v;
    case '<>': return x !== v;
  }
}

type NumberValues = Int32Array | Float64Array | Int8Array;

/**
 * Rows i < n with `vals[i] op v` into sel (the first predicate, over a whole segment). One loop
 * per operator, so the comparison is not dispatched per row (this loop is most of a filtered
 * count's time); NULLs are skipped only when the column has any.
 */
function firstNumbers(op: CompareOp, vals: NumberValues, valid: Uint8Array | null, n: number, v: number, sel: Uint32Array): number {
  let c = 0;
  if (valid !== null) {
    for (let i = 0; i < n; i++) if ((valid[i >> 3]! & (1 << (i & 7))) !== 0 && test(op, vals[i]!, v)) sel[c++] = i;
    return c;
  }
  switch (op) {
    case '<': for (let i = 0; i < n; i++) if (vals[i]! < v) sel[c++] = i; break;
    case '<=': for (let i = 0; i < n; i++) if (vals[i]! <= v) sel[c++] = i; break;
    case '=': for (let i = 0; i < n; i++) if (vals[i]! === v) sel[c++] = i; break;
    case '>=': for (let i = 0; i < n; i++) if (vals[i]! >= v) sel[c++] = i; break;
    case '>': for (let i = 0; i < n; i++) if (vals[i]! > v) sel[c++] = i; break;
    case '<>': for (let i = 0; i < n; i++) if (vals[i]! !== v) sel[c++] = i; break;
  }
  return c;
}

/** keeps the first `count` offsets of sel whose `vals[i] op v` holds; returns how many */
function refineNumbers(op: CompareOp, vals: NumberValues, valid: Uint8Array | null, sel: Uint32Array, count: number, v: number): number {
  let k = 0;
  if (valid !== null) {
    for (let j = 0; j < count; j++) { const i = sel[j]!; if ((valid[i >> 3]! & (1 << (i & 7))) !== 0 && test(op, vals[i]!, v)) sel[k++] = i; }
    return k;
  }
  switch (op) {
    case '<': for (let j = 0; j < count; j++) { const i = sel[j]!; if (vals[i]! < v) sel[k++] = i; } break;
    case '<=': for (let j = 0; j < count; j++) { const i = sel[j]!; if (vals[i]! <= v) sel[k++] = i; } break;
    case '=': for (let j = 0; j < count; j++) { const i = sel[j]!; if (vals[i]! === v) sel[k++] = i; } break;
    case '>=': for (let j = 0; j < count; j++) { const i = sel[j]!; if (vals[i]! >= v) sel[k++] = i; } break;
    case '>': for (let j = 0; j < count; j++) { const i = sel[j]!; if (vals[i]! > v) sel[k++] = i; } break;
    case '<>': for (let j = 0; j < count; j++) { const i = sel[j]!; if (vals[i]! !== v) sel[k++] = i; } break;
  }
  return k;
}

/** refineNumbers for bigint columns (int8) */
function refineBigints(op: CompareOp, vals: BigInt64Array, valid: Uint8Array | null, sel: Uint32Array, count: number, v: bigint): number {
  let k = 0;
  for (let j = 0; j < count; j++) {
    const i = sel[j]!;
    if (valid !== null && (valid[i >> 3]! & (1 << (i & 7))) === 0) continue;
    if (test(op, vals[i]!, v)) sel[k++] = i;
  }
  return k;
}

/** Offsets of rows that are not deleted and satisfy every predicate. */
export function selectRows(seg: LoadedSegment, deleted: Bitmap, preds: readonly ScanPredicate[]): Uint32Array {
  const n = seg.rows;
  let sel = new Uint32Array(n);
  let count = 0;
  let from = 0;
  const first = preds[0];
  const firstCol = first ? seg.columns[first.col] : undefined;
  if (deleted.isEmpty && first && firstCol?.values && !(firstCol.values instanceof BigInt64Array) && typeof first.value === 'number') {
    // no deleted row: the first comparison runs over all rows and makes the selection vector
    count = firstNumbers(first.op, firstCol.values, firstCol.valid, n, first.value, sel);
    from = 1;
  } else if (deleted.isEmpty) {
    for (let i = 0; i < n; i++) sel[i] = i;
    count = n;
  } else {
    const dead = new Uint8Array(n);
    for (const off of deleted.toUint32Array()) if (off < n) dead[off] = 1;
    for (let i = 0; i < n; i++) if (dead[i] === 0) sel[count++] = i;
  }
  for (let pi = from; pi < preds.length && count > 0; pi++) {
    const p = preds[pi]!;
    const col = seg.columns[p.col];
    // a column added after the segment was written: all NULL
    if (!col) return new Uint32Array(0);
    if (!col.values) {
      // decimals this segment keeps in the general layout: compare row by row
      let k = 0;
      for (let j = 0; j < count; j++) {
        const i = sel[j]!;
        const d = col.datum(i);
        if (d !== null && p.scale !== undefined && test(p.op, unscaledOf(d, p.scale), p.value)) sel[k++] = i;
      }
      count = k;
      continue;
    }
    count = col.values instanceof BigInt64Array
      ? refineBigints(p.op, col.values, col.valid, sel, count, p.value as bigint)
      : refineNumbers(p.op, col.values, col.valid, sel, count, p.value as number);
  }
  if (count < n) sel = sel.subarray(0, count);
  return sel;
}

/** The predicates on a decoded row (memtable rows): NULL never qualifies. */
export function rowMatches(row: readonly unknown[], preds: readonly ScanPredicate[]): boolean {
  for (const p of preds) {
    const x = row[p.col];
    if (x === null || x === undefined) return false;
    if (p.scale !== undefined) { if (!test(p.op, unscaledOf(x, p.scale), p.value)) return false; continue; }
    if (typeof x !== 'number' && typeof x !== 'bigint') return false;
    if (!test(p.op, x, p.value)) return false;
  }
  return true;
}
