// A constant relation (VALUES, SELECT without FROM, a set-returning function of constants): its
// rows appear once, in the first step, and never change. Class: linear (a constant), no state.
import type { Row } from '../../core/datum.js';
import { emptyDelta, push, type Delta } from '../../core/delta.js';
import type { EvalEnv } from '../../expr/compile.js';
import type { Operator, StepContext } from '../context.js';

export class ConstantOp implements Operator {
  constructor(private readonly rows: (env: EvalEnv) => Iterable<Row>) {}

  step(cx: StepContext): Delta {
    const out = emptyDelta();
    if (cx.initial) for (const r of this.rows(cx.env)) push(out, r, 1);
    return out;
  }
}
