// Filter: keeps the rows whose predicate is true, with their weights. Class: linear, no state.
import { emptyDelta, push, type Delta } from '../../core/delta.js';
import { compile, type Compiled } from '../../expr/compile.js';
import type { Expr } from '../../expr/ir.js';
import { guarded, type Operator, type StepContext } from '../context.js';

export class FilterOp implements Operator {
  private readonly pred: Compiled;
  constructor(private readonly input: Operator, predicate: Expr) {
    this.pred = compile(predicate);
  }

  step(cx: StepContext): Delta {
    const d = this.input.step(cx);
    const out = emptyDelta();
    for (let i = 0; i < d.rows.length; i++) {
      if (guarded(this.pred, d.rows[i]!, d.weights[i]!, cx) === true) push(out, d.rows[i]!, d.weights[i]!);
    }
    return out;
  }
}
