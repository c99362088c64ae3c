// DISTINCT, UNION, INTERSECT [ALL], EXCEPT [ALL]: each distinct row's output count is a function
// of its counts in the inputs (DISTINCT: min(n, 1); INTERSECT ALL: min(l, r); ...). Class:
// non-linear; state: the count of every distinct row per input. A step recomputes the output
// count of the rows its changes touch and emits the difference.
import type { Row } from '../../core/datum.js';
import { emptyDelta, push, rowKey, type Delta } from '../../core/delta.js';
import type { Operator, StepContext } from '../context.js';
import { KeyedState } from '../state/keyed-state.js';
import type { StateStore } from '../state/state-store.js';

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
  /** row identity -> the row's count in each input */
  private readonly counts: KeyedState<{ row: Row; l: number; r: number }>;
  private readonly f: (l: number, r: number) => number;

  constructor(state: StateStore, kind: SetOpKind, private readonly l: Operator, private readonly r: Operator | null) {
    this.counts = new KeyedState(state);
    this.f = outputCount[kind];
  }

  stateSize(): number { return this.counts.size(); }

  step(cx: StepContext): Delta {
    const dl = this.l.step(cx);
    const dr = this.r ? this.r.step(cx) : emptyDelta();
    if (dl.rows.length === 0 && dr.rows.length === 0) return emptyDelta();
    // counts before the step of every touched row
    const touched = new Map<string, { c: { row: Row; l: number; r: number }; before: number }>();
    const note = (row: Row): { row: Row; l: number; r: number } => {
      const k = rowKey(row);
      let t = touched.get(k);
      if (!t) {
        const c = this.counts.get(k) ?? { row, l: 0, r: 0 };
        t = { c, before: this.f(c.l, c.r) };
        touched.set(k, t);
      }
      return t.c;
    };
    for (let i = 0; i < dl.rows.length; i++) note(dl.rows[i]!).l += dl.weights[i]!;
    for (let i = 0; i < dr.rows.length; i++) note(dr.rows[i]!).r += dr.weights[i]!;
    const out = emptyDelta();
    for (const [k, t] of touched) {
      const diff = this.f(t.c.l, t.c.r) - t.before;
      if (diff !== 0) push(out, t.c.row, diff);
      if (t.c.l === 0 && t.c.r === 0) this.counts.delete(k); else this.counts.set(k, t.c);
    }
    return out;
  }
}
