// UNION / INTERSECT / EXCEPT [ALL] with SQL's duplicate semantics (NULLs compare equal).
import type { Row } from '../core/datum.js';
import type { Plan } from '../expr/plan.js';
import type { ExecContext } from './context.js';
import { run, runToArray, uniqueRows, type Batch } from './run.js';
import { rowKeyFn } from './sort.js';

export function* runSetOp(plan: Extract<Plan, { kind: 'setop' }>, cx: ExecContext): Generator<Batch> {
  const key = rowKeyFn(plan.columns.map((c) => c.type));
  if (plan.op === 'union') {
    if (plan.all) {
      yield* run(plan.left, cx);
      yield* run(plan.right, cx);
      return;
    }
    const seen = new Set<string>();
    yield* uniqueRows(run(plan.left, cx), key, seen);
    yield* uniqueRows(run(plan.right, cx), key, seen);
    return;
  }
  // count the right side's rows, then stream the left side against the counts
  const counts = new Map<string, number>();
  for (const r of runToArray(plan.right, cx)) {
    const k = key(r);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const emitted = new Set<string>();
  for (const b of run(plan.left, cx)) {
    const out: Row[] = [];
    for (const r of b) {
      const k = key(r);
      const c = counts.get(k) ?? 0;
      if (plan.op === 'intersect') {
        if (plan.all) {
          if (c > 0) { counts.set(k, c - 1); out.push(r); }
        } else if (c > 0 && !emitted.has(k)) { emitted.add(k); out.push(r); }
      } else if (plan.all) {
        if (c > 0) counts.set(k, c - 1); else out.push(r);
      } else if (c === 0 && !emitted.has(k)) { emitted.add(k); out.push(r); }
    }
    yield out;
  }
}
