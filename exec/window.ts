// Window functions: partitions the materialized input, orders each partition, and computes
// ranking, offset, value and aggregate functions over frames. Class: blocking.
import type { Datum, Row } from '../core/datum.js';
import type { Plan, WindowCall } from '../expr/plan.js';
import type { ExecContext } from './context.js';
import { run, EMPTY, type Batch, BATCH_SIZE } from './run.js';
import { partition, computeCall } from '../expr/window-eval.js';

export function* runWindow(plan: Extract<Plan, { kind: 'window' }>, cx: ExecContext): Generator<Batch> {
  const rows: Row[] = [];
  for (const b of run(plan.input, cx)) {
    yield EMPTY;
    for (const r of b) rows.push(r);
  }
  const results: Datum[][] = plan.calls.map(() => new Array<Datum>(rows.length).fill(null));
  let outputOrder: number[] = rows.map((_r, i) => i);
  plan.calls.forEach((call, ci) => {
    const parts = partition(rows, call, cx);
    outputOrder = parts.flat();
    for (const p of parts) computeCall(call, p, rows, results[ci]!, cx);
  });
  let out: Row[] = [];
  for (const i of outputOrder) {
    const row = rows[i]!.slice();
    for (let c = 0; c < results.length; c++) row.push(results[c]![i]!);
    out.push(row);
    if (out.length >= BATCH_SIZE) { yield out; out = []; }
  }
  if (out.length) yield out;
}

