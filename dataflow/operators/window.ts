// Window functions (ROW_NUMBER, RANK, LAG/LEAD, running aggregates, ...). Class: non-linear;
// state: the rows of each partition (a bag) and the rows last emitted for it. A step recomputes
// the window functions of every partition its changes touch and emits the difference, so the
// work per change is proportional to the partition, not the table (per-group top-N filters
// ROW_NUMBER() <= n on top of this).
import type { Datum, Row } from '../../core/datum.js';
import { SqlError, SqlState } from '../../core/errors.js';
import type { SqlType } from '../../core/types.js';
import { datumKey } from '../../core/values/compare.js';
import { emptyDelta, push, rowKey, RowBag, type Delta } from '../../core/delta.js';
import { compile, type Compiled } from '../../expr/compile.js';
import { exprKey } from '../../expr/ir.js';
import type { WindowCall } from '../../expr/plan.js';
import { partition, computeCall } from '../../expr/window-eval.js';
import { guarded, type Operator, type StepContext } from '../context.js';

interface Partition {
  readonly key: string;
  readonly rows: RowBag;
  emitted: Row[];
  /** the error its last computation raised (held in the step's errors until it computes again) */
  error: Row | null;
}

export class WindowOp implements Operator {
  private readonly partKeys: Compiled[];
  private readonly parts = new Map<string, Partition>();

  private readonly types: SqlType[];

  constructor(private readonly input: Operator, private readonly calls: readonly WindowCall[]) {
    const first = calls[0]!.partitionBy.map(exprKey).join(',');
    if (calls.some((c) => c.partitionBy.map(exprKey).join(',') !== first)) {
      throw new SqlError(SqlState.FeatureNotSupported, 'window functions with different PARTITION BY clauses are not supported in materialized views yet');
    }
    this.partKeys = calls[0]!.partitionBy.map((e) => compile(e));
    this.types = calls[0]!.partitionBy.map((e) => e.type);
  }

  stateSize(): number {
    let n = 0;
    for (const p of this.parts.values()) n += p.rows.size;
    return n;
  }

  step(cx: StepContext): Delta {
    const d = this.input.step(cx);
    const out = emptyDelta();
    if (d.rows.length === 0) return out;
    const touched = new Set<Partition>();
    rows: for (let i = 0; i < d.rows.length; i++) {
      const r = d.rows[i]!;
      let k = '';
      for (let j = 0; j < this.partKeys.length; j++) {
        const v = guarded(this.partKeys[j]!, r, d.weights[i]!, cx);
        if (v === undefined) continue rows;
        k += (v === null ? '\u0000N' : String(datumKey(this.types[j]!, v))) + '\u0001';
      }
      let p = this.parts.get(k);
      if (!p) { p = { key: k, rows: new RowBag(), emitted: [], error: null }; this.parts.set(k, p); }
      p.rows.add(r, d.weights[i]!);
      touched.add(p);
    }
    for (const p of touched) {
      if (p.error) { push(cx.errors, p.error, -1); p.error = null; }
      const next = this.compute(p, cx);
      const before = new RowBag();
      for (const r of p.emitted) before.add(r, 1);
      const after = new RowBag();
      for (const r of next) after.add(r, 1);
      for (const e of before) { const diff = after.count(rowKey(e.row)) - e.count; if (diff < 0) push(out, e.row, diff); }
      for (const e of after) { const diff = e.count - before.count(rowKey(e.row)); if (diff > 0) push(out, e.row, diff); }
      p.emitted = next;
      if (p.rows.size === 0) this.parts.delete(p.key);
    }
    return out;
  }

  /** the partition's rows with their window function values */
  private compute(p: Partition, cx: StepContext): Row[] {
    // rows in a fixed order (by identity), so that ties in ORDER BY resolve the same way every time
    const entries = [...p.rows].map((e) => ({ ...e, id: rowKey(e.row) })).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const rows: Row[] = [];
    for (const e of entries) for (let n = 0; n < e.count; n++) rows.push(e.row);
    if (rows.length === 0) return [];
    const results: Datum[][] = this.calls.map(() => new Array<Datum>(rows.length).fill(null));
    try {
      this.calls.forEach((call, ci) => {
        for (const part of partition(rows, call, cx.env)) computeCall(call, part, rows, results[ci]!, cx.env);
      });
    } catch (err) {
      if (!(err instanceof SqlError)) throw err;
      // the partition contributes no rows while its computation fails
      p.error = [err.code, err.message];
      push(cx.errors, p.error, 1);
      return [];
    }
    return rows.map((r, i) => [...r, ...results.map((col) => col[i]!)]);
  }
}
