// Project: computes the output columns of each row. Class: linear, no state.
import type { Datum } from '../../core/datum.js';
import { emptyDelta, push, type Delta } from '../../core/delta.js';
import { compile, type Compiled } from '../../expr/compile.js';
import type { Expr } from '../../expr/ir.js';
import { guarded, type Operator, type StepContext } from '../context.js';

export class ProjectOp implements Operator {
  private readonly exprs: Compiled[];
  constructor(private readonly input: Operator, exprs: readonly Expr[]) {
    this.exprs = exprs.map((e) => compile(e));
  }

  step(cx: StepContext): Delta {
    const d = this.input.step(cx);
    const out = emptyDelta();
    const n = this.exprs.length;
    rows: for (let i = 0; i < d.rows.length; i++) {
      const r = d.rows[i]!;
      const w = d.weights[i]!;
      const o = new Array<Datum>(n);
      for (let j = 0; j < n; j++) {
        const v = guarded(this.exprs[j]!, r, w, cx);
        if (v === undefined) continue rows;
        o[j] = v;
      }
      push(out, o, w);
    }
    return out;
  }
}
