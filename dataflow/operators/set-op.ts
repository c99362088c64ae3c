// DISTINCT, UNION, INTERSECT [ALL], EXCEPT [ALL]: each distinct row's output count is a function
// of its counts in the inputs (DISTINCT: min(n, 1); INTERSECT ALL: min(l, r); ...). Class:
// non-linear; state: the count of every distinct row per input. A step recomputes the output
// count of the rows its changes touch and emits the difference.
import type { Row } from '../../core/datum.js';
import { emptyDelta, push, rowKey, RowBag, type Delta } from '../../core/delta.js';
import type { Operator, StepContext } from '../context.js';

export type SetOpKind = 'distinct' | 'union' | 'intersect' | 'intersectAll' | 'except' | 'exceptAll';

const outputCount: Record<SetOpKind, (l: number, r: number) => number> = {
  distinct: (l) => (l > 0 ? 1 : 0),
  union: (l, r) => (l + r > 0 ? 1 : 0),
  intersect: (l, r) => (l > 0 && r > 0 ? 1 : 0),
  intersectAll: (l, r) => Math.max(0, Math.min(l, r)),
  except: (l, r) => (l > 0 && r <= 0 ? 1 : 0),
  exceptAll: (l, r) => Math.max(0, l - r),
};

export class SetOp implements Operator {
  private readonly left = new RowBag();
  private readonly right = new RowBag();
  private readonly f: (l: number, r: number) => number;

  constructor(kind: SetOpKind, private readonly l: Operator, private readonly r: Operator | null) {
    this.f = outputCount[kind];
  }

  stateSize(): number { return this.left.size + this.right.size; }

  step(cx: StepContext): Delta {
    const dl = this.l.step(cx);
    const dr = this.r ? this.r.step(cx) : emptyDelta();
    if (dl.rows.length === 0 && dr.rows.length === 0) return emptyDelta();
    // counts before the step of every touched row
    const touched = new Map<string, { row: Row; before: number }>();
    const note = (row: Row, k: string): void => {
      if (!touched.has(k)) touched.set(k, { row, before: this.f(this.left.count(k), this.right.count(k)) });
    };
    for (let i = 0; i < dl.rows.length; i++) { const k = rowKey(dl.rows[i]!); note(dl.rows[i]!, k); this.left.add(dl.rows[i]!, dl.weights[i]!, k); }
    for (let i = 0; i < dr.rows.length; i++) { const k = rowKey(dr.rows[i]!); note(dr.rows[i]!, k); this.right.add(dr.rows[i]!, dr.weights[i]!, k); }
    const out = emptyDelta();
    for (const [k, t] of touched) {
      const diff = this.f(this.left.count(k), this.right.count(k)) - t.before;
      if (diff !== 0) push(out, t.row, diff);
    }
    return out;
  }
}
