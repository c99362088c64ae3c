// UNION ALL: the sum of its inputs' changes. Class: linear, no state.
import { append, emptyDelta, type Delta } from '../../core/delta.js';
import type { Operator, StepContext } from '../context.js';

export class UnionAllOp implements Operator {
  constructor(private readonly inputs: readonly Operator[]) {}

  step(cx: StepContext): Delta {
    const out = emptyDelta();
    for (const i of this.inputs) append(out, i.step(cx));
    return out;
  }
}
