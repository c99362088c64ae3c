// TUMBLE / HOP: each row once per window that holds its time, with window_start and window_end
// appended. Class: linear (a flat-map), no state.
import type { Row } from '../../core/datum.js';
import { emptyDelta, push, type Delta } from '../../core/delta.js';
import { compile, type Compiled } from '../../expr/compile.js';
import type { Expr } from '../../expr/ir.js';
import { windowRows } from '../../expr/time-window.js';
import { guarded, type Operator, type StepContext } from '../context.js';

export class TimeWindowOp implements Operator {
  private readonly time: Compiled;
  constructor(private readonly input: Operator, time: Expr, private readonly hop: number, private readonly size: number) {
    this.time = compile(time);
  }

  step(cx: StepContext): Delta {
    const d = this.input.step(cx);
    const out = emptyDelta();
    const rows: Row[] = [];
    for (let i = 0; i < d.rows.length; i++) {
      const t = guarded(this.time, d.rows[i]!, d.weights[i]!, cx);
      if (t === undefined) continue;
      rows.length = 0;
      windowRows(d.rows[i]!, t, this.hop, this.size, rows);
      for (const r of rows) push(out, r, d.weights[i]!);
    }
    return out;
  }
}
