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
import { KeyedState } from '../state/keyed-state.js';
import { BagState } from '../state/bag-state.js';
import type { StateStore } from '../state/state-store.js';

/** what a partition last emitted */
interface Emitted {
  rows: Row[];
  /** the error its last computation raised (held in the step's errors until it computes again) */
  error: Row | null;
}

export class WindowOp implements Operator {
  private readonly partKeys: Compiled[];
  /** partition key -> its rows */
  private readonly parts: BagState;
  private readonly emitted: KeyedState<Emitted>;

  private readonly types: SqlType[];

  constructor(state: StateStore, private readonly input: Operator, private readonly calls: readonly WindowCall[]) {
    this.parts = new BagState(state);
    this.emitted = new KeyedState(state);
    const first = calls[0]!.partitionBy.map(exprKey).join(',');
    if (calls.some((c) => c.partitionBy.map(exprKey).join(',') !== first)) {
      throw new SqlError(SqlState.FeatureNotSupported, 'window functions with different PARTITION BY clauses are not supported in materialized views yet');
    }
    this.partKeys = calls[0]!.partitionBy.map((e) => compile(e));
    this.types = calls[0]!.partitionBy.map((e) => e.type);
  }

  stateSize(): number { return this.parts.size(); }

  step(cx: StepContext): Delta {
    const d = this.input.step(cx);
    const out = emptyDelta();
    if (d.rows.length === 0) return out;
    const touched = new Set<string>();
    rows: for (let i = 0; i < d.rows.length; i++) {
      const r = d.rows[i]!;
      let k = '';
      for (let j = 0; j < this.partKeys.length; j++) {
        const v = guarded(this.partKeys[j]!, r, d.weights[i]!, cx);
        if (v === undefined) continue rows;
        k += (v === null ? '\u0000N' : String(datumKey(this.types[j]!, v))) + '\u0001';
      }
      this.parts.add(k, r, d.weights[i]!);
      touched.add(k);
    }
    for (const k of touched) {
      const p: Emitted = this.emitted.get(k) ?? { rows: [], error: null };
      if (p.error) { push(cx.errors, p.error, -1); p.error = null; }
      const next = this.compute(k, p, cx);
      const before = new RowBag();
      for (const r of p.rows) before.add(r, 1);
      const after = new RowBag();
      for (const r of next) after.add(r, 1);
      for (const e of before) { const diff = after.count(rowKey(e.row)) - e.count; if (diff < 0) push(out, e.row, diff); }
      for (const e of after) { const diff = e.count - before.count(rowKey(e.row)); if (diff > 0) push(out, e.row, diff); }
      p.rows = next;
      if (this.parts.bagSize(k) === 0) this.emitted.delete(k); else this.emitted.set(k, p);
    }
    return out;
  }

  /** the partition's rows with their window function values */
  private compute(k: string, p: Emitted, cx: StepContext): Row[] {
    // rows in a fixed order (by identity), so that ties in ORDER BY resolve the same way every time
    const entries = [...this.parts.rows(k)].map((e) => ({ ...e, id: rowKey(e.row) })).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
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
