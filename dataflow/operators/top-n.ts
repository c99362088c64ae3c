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
import { BagState } from '../state/bag-state.js';
import type { StateStore } from '../state/state-store.js';

/** the one key of its bags: the whole input (and the whole output) is one bag */
const ALL = '';

export class TopNOp implements Operator {
  private readonly all: BagState;
  private readonly keyFns: Compiled[];
  private readonly types: SqlType[];
  /** sort key values by row identity (derived from the rows: rebuilt after a restart) */
  private readonly sortKeys = new Map<string, Datum[]>();
  private readonly emitted: BagState;

  constructor(state: StateStore, private readonly input: Operator, private readonly keys: readonly SortKey[], private readonly limit: number | null, private readonly offset: number) {
    this.all = new BagState(state);
    this.emitted = new BagState(state);
    this.keyFns = keys.map((k) => compile(k.expr));
    this.types = keys.map((k) => k.expr.type);
  }

  stateSize(): number { return this.all.size(); }

  step(cx: StepContext): Delta {
    const d = this.input.step(cx);
    if (d.rows.length === 0) return emptyDelta();
    for (let i = 0; i < d.rows.length; i++) {
      const r = d.rows[i]!;
      const id = rowKey(r);
      this.sortKey(r, id, d.weights[i]!, cx);
      const { after } = this.all.add(ALL, r, d.weights[i]!, id);
      if (after === 0) this.sortKeys.delete(id);
    }
    const entries = [...this.all.rows(ALL)].map((e) => ({ ...e, id: rowKey(e.row) }));
    // after a restart the sort keys of stored rows are computed again: their errors were counted already
    const quiet: StepContext = { ...cx, errors: emptyDelta() };
    for (const e of entries) this.sortKey(e.row, e.id, e.count, quiet);
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
    for (const e of [...this.emitted.rows(ALL)]) {
      const id = rowKey(e.row);
      const diff = next.count(id) - e.count;
      if (diff < 0) { push(out, e.row, diff); this.emitted.add(ALL, e.row, diff, id); }
    }
    for (const e of next) {
      const id = rowKey(e.row);
      const diff = e.count - this.emitted.count(ALL, id);
      if (diff > 0) { push(out, e.row, diff); this.emitted.add(ALL, e.row, diff, id); }
    }
    return out;
  }

  /** computes a row's sort key once (errors count with the weight of the change that brought it) */
  private sortKey(r: Row, id: string, w: number, cx: StepContext): void {
    if (this.sortKeys.has(id)) return;
    const vals: Datum[] = [];
    for (const f of this.keyFns) { const v = guarded(f, r, w, cx); vals.push(v === undefined ? null : v); }
    this.sortKeys.set(id, vals);
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
