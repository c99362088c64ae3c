// Deltas (Z-sets): the one currency of change inside the dataflow. A delta is a bag of rows
// with integer weights: insert +1, delete -1, update (old, -1) + (new, +1). Weights of equal
// rows add up; a row whose weight sums to 0 is no change at all.
import type { Datum, Row } from './datum.js';
import { Numeric } from './values/numeric.js';
import { Interval } from './values/interval.js';
import { Jsonb } from './values/json.js';

export interface Delta {
  readonly rows: Row[];
  readonly weights: number[];
}

export function emptyDelta(): Delta {
  return { rows: [], weights: [] };
}

export function push(d: Delta, row: Row, weight: number): void {
  d.rows.push(row);
  d.weights.push(weight);
}

/** appends all of `src` (times `sign`) to `into` */
export function append(into: Delta, src: Delta, sign = 1): void {
  for (let i = 0; i < src.rows.length; i++) {
    into.rows.push(src.rows[i]!);
    into.weights.push(src.weights[i]! * sign);
  }
}

/**
 * A string that identifies a value exactly (not SQL equality: numeric 1.0 and 1.00 differ, as
 * they print differently), so that a retraction cancels exactly the row it retracts.
 */
export function datumIdentity(d: Datum): string {
  if (d === null) return 'N';
  switch (typeof d) {
    case 'boolean': return d ? 't' : 'f';
    case 'number': return Object.is(d, -0) ? '-0' : String(d);
    case 'bigint': return d.toString() + 'n';
    case 'string': return JSON.stringify(d);
    default: break;
  }
  if (d instanceof Numeric) return 'm' + d.toString();
  if (d instanceof Interval) return `i${d.months}:${d.days}:${d.micros}`;
  if (d instanceof Jsonb) return 'j' + d.toString();
  if (d instanceof Uint8Array) return 'x' + Buffer.from(d).toString('hex');
  if (Array.isArray(d)) return '[' + (d as readonly Datum[]).map(datumIdentity).join(',') + ']';
  return 'o' + JSON.stringify(d);
}

/** The identity of a whole row (see datumIdentity). */
export function rowKey(r: readonly Datum[]): string {
  let s = '';
  for (let i = 0; i < r.length; i++) {
    if (i) s += ',';
    s += datumIdentity(r[i] ?? null);
  }
  return s;
}

/**
 * A change to store or deliver: rows that cancel out are dropped (consolidate), but an
 * insert-only change (every weight positive, e.g. a round of an append-only source) has nothing
 * to cancel and is returned as it is, without computing every row's identity.
 */
export function consolidateChange(d: Delta): Delta {
  for (let i = 0; i < d.weights.length; i++) if (d.weights[i]! <= 0) return consolidate(d);
  return d;
}

/** Sums the weights of equal rows and drops rows whose weight is 0; first-seen order is kept. */
export function consolidate(d: Delta): Delta {
  if (d.rows.length <= 1) return d.weights[0] === 0 ? emptyDelta() : d;
  const at = new Map<string, number>();
  const rows: Row[] = [];
  const weights: number[] = [];
  for (let i = 0; i < d.rows.length; i++) {
    const k = rowKey(d.rows[i]!);
    const j = at.get(k);
    if (j === undefined) {
      at.set(k, rows.length);
      rows.push(d.rows[i]!);
      weights.push(d.weights[i]!);
    } else {
      weights[j]! += d.weights[i]!;
    }
  }
  const out = emptyDelta();
  for (let i = 0; i < rows.length; i++) if (weights[i] !== 0) push(out, rows[i]!, weights[i]!);
  return out;
}

/** A multiset of rows by identity: the integral of a stream of deltas. */
export class RowBag {
  private readonly entries = new Map<string, { row: Row; count: number }>();

  get size(): number { return this.entries.size; }

  /** adds `weight` copies of `row`; returns the row's count before and after */
  add(row: Row, weight: number, key: string = rowKey(row)): { before: number; after: number } {
    const e = this.entries.get(key);
    const before = e ? e.count : 0;
    const after = before + weight;
    if (after === 0) this.entries.delete(key);
    else if (e) e.count = after;
    else this.entries.set(key, { row, count: after });
    return { before, after };
  }

  count(key: string): number {
    return this.entries.get(key)?.count ?? 0;
  }

  /** each distinct row with its count (counts may be negative while a step is half applied) */
  *[Symbol.iterator](): IterableIterator<{ row: Row; count: number }> {
    yield* this.entries.values();
  }
}
