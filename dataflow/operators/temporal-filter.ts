// Temporal filter (WHERE time > now() - INTERVAL ...): a row is in the output while the step's
// time is before its expiry (time + lifetime). Class: non-linear in time; state: the live rows
// by expiry (a min-heap), so state holds only rows still in the window. Each step first
// retracts the rows that expired, then applies the input change; `nextExpiry` tells the
// maintainer when to step again without input.
import type { Row } from '../../core/datum.js';
import { emptyDelta, push, rowKey, type Delta } from '../../core/delta.js';
import { compile, type Compiled } from '../../expr/compile.js';
import type { Expr } from '../../expr/ir.js';
import { guarded, type Operator, type StepContext } from '../context.js';
import { KeyedState } from '../state/keyed-state.js';
import type { StateStore } from '../state/state-store.js';

interface Live { row: Row; count: number; expiry: number }

export class TemporalFilterOp implements Operator {
  private readonly time: Compiled;
  private readonly live: KeyedState<Live>;
  /** [expiry, row identity], smallest expiry first; entries of rows gone since are skipped (in memory: rebuilt from the live rows after a restart) */
  private readonly heap: [number, string][] = [];
  private heapBuilt = false;

  constructor(state: StateStore, private readonly input: Operator, time: Expr, private readonly lifetime: number, private readonly inclusive: boolean) {
    this.live = new KeyedState(state);
    this.time = compile(time);
  }

  private buildHeap(): void {
    if (this.heapBuilt) return;
    this.heapBuilt = true;
    for (const [id, l] of this.live.entries()) this.push([l.expiry, id]);
  }

  /** when the next row leaves (µs), or null */
  nextExpiry(): number | null {
    this.buildHeap();
    while (this.heap.length && this.live.get(this.heap[0]![1]) === undefined) this.pop();
    return this.heap.length ? this.heap[0]![0] : null;
  }

  stateSize(): number { return this.live.size(); }

  step(cx: StepContext): Delta {
    this.buildHeap();
    const now = cx.env.evalCtx.txnTimestamp;
    const out = emptyDelta();
    const expired = (expiry: number): boolean => (this.inclusive ? now > expiry : now >= expiry);
    while (this.heap.length && expired(this.heap[0]![0])) {
      const [expiry, id] = this.pop();
      const l = this.live.get(id);
      if (l && l.expiry === expiry) { push(out, l.row, -l.count); this.live.delete(id); }
    }
    const d = this.input.step(cx);
    for (let i = 0; i < d.rows.length; i++) {
      const row = d.rows[i]!;
      const w = d.weights[i]!;
      const t = guarded(this.time, row, w, cx);
      if (t === undefined || t === null || typeof t !== 'number') continue;
      const expiry = t + this.lifetime;
      // a row past its window was retracted when it expired (or never shown)
      if (expired(expiry)) continue;
      const id = rowKey(row);
      const l = this.live.get(id);
      if (l) {
        l.count += w;
        if (l.count === 0) this.live.delete(id); else this.live.touch(id);
      } else if (w !== 0) {
        this.live.set(id, { row, count: w, expiry });
        this.push([expiry, id]);
      }
      push(out, row, w);
    }
    return out;
  }

  private push(e: [number, string]): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]![0] <= h[i]![0]) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }

  private pop(): [number, string] {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l]![0] < h[m]![0]) m = l;
        if (r < h.length && h[r]![0] < h[m]![0]) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top;
  }
}
