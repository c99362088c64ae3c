// Sorting and row keys: ORDER BY comparators and the hash keys used by DISTINCT, GROUP BY,
// set operations and hash joins.
import type { SqlType } from '../core/types.js';
import type { Datum, Row } from '../core/datum.js';
import { compareWithNulls, rowKeyFn } from '../core/values/compare.js';
export { compareWithNulls, rowKeyFn };
import type { SortKey } from '../expr/plan.js';
import type { ExecContext } from './context.js';
import { compile } from '../expr/compile.js';


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


/**
 * ORDER BY ... LIMIT n: keeps the first n rows of the sort order in a sorted array. Most rows
 * lose against the current last one with a single comparison; ties keep input order, as the
 * stable full sort would.
 */
export class TopN {
  private readonly fs: ((r: Row, cx: ExecContext) => Datum)[];
  private readonly types: SqlType[];
  private readonly best: { r: Row; k: Datum[] }[] = [];

  constructor(private readonly keys: readonly SortKey[], private readonly n: number, private readonly cx: ExecContext) {
    this.fs = keys.map((k) => compile(k.expr));
    this.types = keys.map((k) => k.expr.type);
  }

  private compare(a: readonly Datum[], b: readonly Datum[]): number {
    for (let i = 0; i < this.keys.length; i++) {
      const key = this.keys[i]!;
      const c = compareWithNulls(this.types[i]!, a[i]!, b[i]!, key.desc, key.nullsFirst);
      if (c !== 0) return c;
    }
    return 0;
  }

  push(r: Row): void {
    if (this.n <= 0) return;
    const k = this.fs.map((f) => f(r, this.cx));
    const best = this.best;
    if (best.length >= this.n && this.compare(k, best[best.length - 1]!.k) >= 0) return;
    // after every element that sorts before or equal to the new one
    let lo = 0;
    let hi = best.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.compare(best[mid]!.k, k) <= 0) lo = mid + 1; else hi = mid;
    }
    best.splice(lo, 0, { r, k });
    if (best.length > this.n) best.pop();
  }

  rows(): Row[] {
    return this.best.map((d) => d.r);
  }
}
