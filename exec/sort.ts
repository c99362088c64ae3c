// Sorting and row keys: ORDER BY comparators and the hash keys used by DISTINCT, GROUP BY,
// set operations and hash joins.
import type { SqlType } from '../core/types.js';
import type { Datum, Row } from '../core/datum.js';
import { compareDatums, datumKey } from '../core/values/io.js';
import type { SortKey } from '../expr/plan.js';
import type { ExecContext } from './context.js';
import { compile } from './compile.js';

export function compareWithNulls(type: SqlType, a: Datum, b: Datum, desc: boolean, nullsFirst: boolean): number {
  if (a === null || b === null) {
    if (a === null && b === null) return 0;
    return (a === null) === nullsFirst ? -1 : 1;
  }
  const c = compareDatums(type, a, b);
  return desc ? -c : c;
}

/** Sorts rows by keys (stable, like PostgreSQL's tuplesort for equal keys in input order). */
export function sortRows(rows: Row[], keys: readonly SortKey[], cx: ExecContext): Row[] {
  if (keys.length === 0) return rows;
  const fs = keys.map((k) => compile(k.expr));
  const types = keys.map((k) => k.expr.type);
  const n = keys.length;
  // precompute the key values once per row
  const decorated = rows.map((r) => ({ r, k: fs.map((f) => f(r, cx)) }));
  decorated.sort((x, y) => {
    for (let i = 0; i < n; i++) {
      const key = keys[i]!;
      const c = compareWithNulls(types[i]!, x.k[i]!, y.k[i]!, key.desc, key.nullsFirst);
      if (c !== 0) return c;
    }
    return 0;
  });
  return decorated.map((d) => d.r);
}

/** A string key per row such that rows equal under SQL grouping (NULLs equal) have equal keys. */
export function rowKeyFn(types: readonly SqlType[]): (row: readonly Datum[]) => string {
  const n = types.length;
  if (n === 1) {
    const t = types[0]!;
    return (row) => { const v = row[0] ?? null; return v === null ? '\u0000N' : String(datumKey(t, v)); };
  }
  return (row) => {
    let s = '';
    for (let i = 0; i < n; i++) {
      const v = row[i] ?? null;
      s += v === null ? '\u0000N' : String(datumKey(types[i]!, v));
      s += '\u0001';
    }
    return s;
  };
}
