// Window functions (ROW_NUMBER, RANK, LAG/LEAD, running aggregates, ...). Class: non-linear;
// state: the rows of each partition (a bag). A step computes the window functions of every
// partition its changes touch before and after the change and emits the difference, so the
// work per change is proportional to the partition, not the table (per-group top-N filters
// ROW_NUMBER() <= n on top of this).
import type { Datum, Row } from '../../core/datum.js';
import { SqlError, SqlState } from '../../core/errors.js';
import type { SqlType } from '../../core/types.js';
import { datumKey } from '../../core/values/compare.js';
import { datumIdentity, emptyDelta, push, type Delta } from '../../core/delta.js';
import { compile, type Compiled } from '../../expr/compile.js';
import { exprKey } from '../../expr/ir.js';
import type { WindowCall } from '../../expr/plan.js';
import { partition, computeCall } from '../../expr/window-eval.js';
import { guarded, type Operator, type StepContext } from '../context.js';
import { BagState } from '../state/bag-state.js';
import type { StateStore } from '../state/state-store.js';

export class WindowOp implements Operator {
  private readonly partKeys: Compiled[];
  /** partition key -> its rows */
  private readonly parts: BagState;

  private readonly types: SqlType[];

  constructor(state: StateStore, private readonly input: Operator, private readonly calls: readonly WindowCall[]) {
    this.parts = new BagState(state);
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
    // the changed rows of each partition
    const changes = new Map<string, number[]>();
    rows: for (let i = 0; i < d.rows.length; i++) {
      const r = d.rows[i]!;
      let k = '';
      for (let j = 0; j < this.partKeys.length; j++) {
        const v = guarded(this.partKeys[j]!, r, d.weights[i]!, cx);
        if (v === undefined) continue rows;
        k += (v === null ? '\u0000N' : String(datumKey(this.types[j]!, v))) + '\u0001';
      }
      let at = changes.get(k);
      if (!at) { at = []; changes.set(k, at); }
      at.push(i);
    }
    // the output of a partition is a function of its rows: computed before and after the change
    // (no copy of the output is kept), the difference is the change of the output
    for (const [k, at] of changes) {
      const before = this.compute(k, -1, cx);
      for (const i of at) this.parts.add(k, d.rows[i]!, d.weights[i]!);
      const after = this.compute(k, 1, cx);
      for (const [id, e] of before) { const diff = (after.get(id)?.count ?? 0) - e.count; if (diff < 0) push(out, e.row, diff); }
      for (const [id, e] of after) { const diff = e.count - (before.get(id)?.count ?? 0); if (diff > 0) push(out, e.row, diff); }
    }
    return out;
  }

  /**
   * The partition's output rows (input row + window function values) by identity. A computation
   * that fails contributes no rows and its error with `sign` (+1 after the change, -1 before:
   * the same error was counted when the rows before the change were computed).
   */
  private compute(k: string, sign: number, cx: StepContext): Map<string, { row: Row; count: number }> {
    const output = new Map<string, { row: Row; count: number }>();
    // rows in a fixed order (by identity), so that ties in ORDER BY resolve the same way every time
    const entries = [...this.parts.entries(k)].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const rows: Row[] = [];
    const ids: string[] = [];
    for (const [id, e] of entries) for (let n = 0; n < e.count; n++) { rows.push(e.row); ids.push(id); }
    if (rows.length === 0) return output;
    const results: Datum[][] = this.calls.map(() => new Array<Datum>(rows.length).fill(null));
    try {
      this.calls.forEach((call, ci) => {
        for (const part of partition(rows, call, cx.env)) computeCall(call, part, rows, results[ci]!, cx.env);
      });
    } catch (err) {
      if (!(err instanceof SqlError)) throw err;
      push(cx.errors, [err.code, err.message], sign);
      return output;
    }
    for (let i = 0; i < rows.length; i++) {
      const vals = results.map((col) => col[i]!);
      // the identity of the output row, from the input row's (see rowKey)
      const id = ids[i] + ',' + vals.map(datumIdentity).join(',');
      const e = output.get(id);
      if (e) e.count++; else output.set(id, { row: [...rows[i]!, ...vals], count: 1 });
    }
    return output;
  }
}
