// ORDER BY ... LIMIT n [OFFSET m]: the rows at positions m .. m+n-1 of the sort order.
// Class: non-linear; state: every input row (a bag), and the rows last emitted. A step that
// changes the input recomputes the window of the order and emits the difference (ties are
// broken by the rows' identity, so the choice among equal keys is stable across steps).
import type { Datum, Row } from '../../core/datum.js';
import type { SqlType } from '../../core/types.js';
import { compareWithNulls } from '../../core/values/compare.js';
import { emptyDelta, push, rowKey, RowBag, type Delta } from '../../core/delta.js';
import { compile, type Compiled } from '../../expr/compile.js';
import type { SortKey } from '../../expr/plan.js';
import { guarded, type Operator, type StepContext } from '../context.js';

export class TopNOp implements Operator {
  private readonly all = new RowBag();
  private readonly keyFns: Compiled[];
  private readonly types: SqlType[];
  /** sort key values by row identity */
  private readonly sortKeys = new Map<string, Datum[]>();
  private emitted = new RowBag();

  constructor(private readonly input: Operator, private readonly keys: readonly SortKey[], private readonly limit: number | null, private readonly offset: number) {
    this.keyFns = keys.map((k) => compile(k.expr));
    this.types = keys.map((k) => k.expr.type);
  }

  stateSize(): number { return this.all.size; }

  step(cx: StepContext): Delta {
    const d = this.input.step(cx);
    if (d.rows.length === 0) return emptyDelta();
    for (let i = 0; i < d.rows.length; i++) {
      const r = d.rows[i]!;
      const id = rowKey(r);
      if (!this.sortKeys.has(id)) {
        const vals: Datum[] = [];
        for (const f of this.keyFns) { const v = guarded(f, r, d.weights[i]!, cx); vals.push(v === undefined ? null : v); }
        this.sortKeys.set(id, vals);
      }
      const { after } = this.all.add(r, d.weights[i]!, id);
      if (after === 0) this.sortKeys.delete(id);
    }
    const entries = [...this.all].map((e) => ({ ...e, id: rowKey(e.row) }));
    entries.sort((x, y) => this.compare(x.id, y.id));
    const next = new RowBag();
    let pos = 0;
    const end = this.limit === null ? Infinity : this.offset + this.limit;
    for (const e of entries) {
      if (pos >= end) break;
      const from = Math.max(pos, this.offset);
      const to = Math.min(pos + e.count, end);
      if (to > from) next.add(e.row, to - from, e.id);
      pos += e.count;
    }
    const out = emptyDelta();
    for (const e of this.emitted) { const diff = next.count(rowKey(e.row)) - e.count; if (diff < 0) push(out, e.row, diff); }
    for (const e of next) { const diff = e.count - this.emitted.count(rowKey(e.row)); if (diff > 0) push(out, e.row, diff); }
    this.emitted = next;
    return out;
  }

  private compare(a: string, b: string): number {
    const ka = this.sortKeys.get(a)!;
    const kb = this.sortKeys.get(b)!;
    for (let i = 0; i < this.keys.length; i++) {
      const k = this.keys[i]!;
      const c = compareWithNulls(this.types[i]!, ka[i] ?? null, kb[i] ?? null, k.desc, k.nullsFirst);
      if (c !== 0) return c;
    }
    return a < b ? -1 : a > b ? 1 : 0;
  }
}
