// Source: a table's (or materialized view's) change in this step, restricted to the scan's key
// condition and filter. Class: linear (a filter), no state.
import type { Datum, Row } from '../../core/datum.js';
import { compareDatums } from '../../core/values/io.js';
import { emptyDelta, push, type Delta } from '../../core/delta.js';
import type { SqlType } from '../../core/types.js';
import { compile, type Compiled } from '../../expr/compile.js';
import type { Expr } from '../../expr/ir.js';
import { guarded, type Operator, type StepContext } from '../context.js';

/** columns (live positions) that must equal fixed values: a primary-key or index lookup in the batch plan */
export interface KeyCondition {
  readonly columns: readonly number[];
  readonly types: readonly SqlType[];
  readonly values: readonly Expr[];
}

export class SourceOp implements Operator {
  private readonly filter: Compiled | null;
  private keyValues: Datum[] | null = null;

  constructor(readonly relOid: number, private readonly key: KeyCondition | null, filter: Expr | null) {
    this.filter = filter ? compile(filter) : null;
  }

  step(cx: StepContext): Delta {
    const d = cx.inputs.get(this.relOid);
    if (!d || d.rows.length === 0) return emptyDelta();
    if (!this.key && !this.filter) return d;
    if (this.key && !this.keyValues) this.keyValues = this.key.values.map((e) => compile(e)([], cx.env));
    const out = emptyDelta();
    for (let i = 0; i < d.rows.length; i++) {
      const r = d.rows[i]!;
      const w = d.weights[i]!;
      if (this.key && !this.keyMatches(r)) continue;
      if (this.filter && guarded(this.filter, r, w, cx) !== true) continue;
      push(out, r, w);
    }
    return out;
  }

  private keyMatches(r: Row): boolean {
    const k = this.key!;
    for (let i = 0; i < k.columns.length; i++) {
      const v = r[k.columns[i]!] ?? null;
      const want = this.keyValues![i] ?? null;
      if (v === null || want === null || compareDatums(k.types[i]!, v, want) !== 0) return false;
    }
    return true;
  }
}
