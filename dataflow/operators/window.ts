// Window functions (ROW_NUMBER, RANK, LAG/LEAD, running aggregates, ...). Class: non-linear;
// state: the rows of each partition (a bag). A step computes the window functions of every
// partition its changes touch before and after the change and emits the difference. Rows
// ordered before the first changed row keep their values when no function looks ahead of the
// current row (LAG, ROW_NUMBER, RANK, running aggregates), so only rows from there on (back to
// their peer group, and back as far as a LEAD or a frame's FOLLOWING reaches) are compared and
// emitted: appending to a partition in its order costs little more than sorting it.
import type { Datum, Row } from '../../core/datum.js';
import { SqlError, SqlState } from '../../core/errors.js';
import type { SqlType } from '../../core/types.js';
import { datumKey } from '../../core/values/compare.js';
import { datumIdentity, emptyDelta, push, rowKey, type Delta } from '../../core/delta.js';
import { compile, type Compiled } from '../../expr/compile.js';
import { exprKey } from '../../expr/ir.js';
import type { WindowCall } from '../../expr/plan.js';
import { cmpOrder, computeCall } from '../../expr/window-eval.js';
import { guarded, type Operator, type StepContext } from '../context.js';
import { BagState } from '../state/bag-state.js';
import type { StateStore } from '../state/state-store.js';

/** One partition's rows in window order with the functions' values (null: the computation failed). */
interface Evaluated {
  readonly rows: Row[];
  readonly ids: string[];
  /** per call, row indexes in its order */
  readonly orders: number[][];
  readonly results: Datum[][] | null;
  readonly error: SqlError | null;
}

export class WindowOp implements Operator {
  private readonly partKeys: Compiled[];
  /** partition key -> its rows */
  private readonly parts: BagState;
  private readonly types: SqlType[];
  /** per call, its ORDER BY expressions */
  private readonly orderKeys: Compiled[][];
  /** how many rows after the current one a value may depend on (Infinity: the whole partition); null: the calls order rows differently */
  private readonly reach: number | null;

  constructor(state: StateStore, private readonly input: Operator, private readonly calls: readonly WindowCall[]) {
    this.parts = new BagState(state);
    const first = calls[0]!.partitionBy.map(exprKey).join(',');
    if (calls.some((c) => c.partitionBy.map(exprKey).join(',') !== first)) {
      throw new Error('a window operator computes calls of one PARTITION BY (build.ts chains one per partitioning)');
    }
    this.partKeys = calls[0]!.partitionBy.map((e) => compile(e));
    this.types = calls[0]!.partitionBy.map((e) => e.type);
    this.orderKeys = calls.map((c) => c.orderBy.map((k) => compile(k.expr)));
    const orderKey = (c: WindowCall): string => c.orderBy.map((k) => `${exprKey(k.expr)} ${k.desc} ${k.nullsFirst}`).join(',');
    this.reach = calls.every((c) => orderKey(c) === orderKey(calls[0]!)) ? Math.max(...calls.map(lookAhead)) : null;
  }

  stateSize(): number { return this.parts.size(); }

  step(cx: StepContext): Delta {
    const d = this.input.step(cx);
    const out = emptyDelta();
    if (d.rows.length === 0) return out;
    // the changed rows of each partition
    const changes = new Map<string, number[]>();
    rows: for (let i = 0; i < d.rows.length; i++) {
      const r = d.rows[i]!;
      let k = '';
      for (let j = 0; j < this.partKeys.length; j++) {
        const v = guarded(this.partKeys[j]!, r, d.weights[i]!, cx);
        if (v === undefined) continue rows;
        k += (v === null ? '\u0000N' : String(datumKey(this.types[j]!, v))) + '\u0001';
      }
      let at = changes.get(k);
      if (!at) { at = []; changes.set(k, at); }
      at.push(i);
    }
    // the output of a partition is a function of its rows: computed before and after the change
    // (no copy of the output is kept), the difference is the change of the output
    for (const [k, at] of changes) {
      const changed = new Set<string>();
      const before = this.evaluate(k, cx);
      for (const i of at) {
        const id = rowKey(d.rows[i]!);
        changed.add(id);
        this.parts.add(k, d.rows[i]!, d.weights[i]!, id);
      }
      const after = this.evaluate(k, cx);
      // a failed computation contributes no rows and its error (counted as +1 when the rows before the change were computed)
      if (before.error) push(cx.errors, [before.error.code, before.error.message], -1);
      if (after.error) push(cx.errors, [after.error.code, after.error.message], 1);
      const from = before.results && after.results ? Math.min(this.unchangedUpTo(before, changed, cx), this.unchangedUpTo(after, changed, cx)) : 0;
      const old = outputFrom(before, from);
      const now = outputFrom(after, from);
      for (const [id, e] of old) { const diff = (now.get(id)?.count ?? 0) - e.count; if (diff < 0) push(out, e.row, diff); }
      for (const [id, e] of now) { const diff = e.count - (old.get(id)?.count ?? 0); if (diff > 0) push(out, e.row, diff); }
    }
    return out;
  }

  /** the partition's rows in each call's order (ties by identity, so they resolve the same way every time) and the values */
  private evaluate(k: string, cx: StepContext): Evaluated {
    const rows: Row[] = [];
    const ids: string[] = [];
    for (const [id, e] of this.parts.entries(k)) for (let n = 0; n < e.count; n++) { rows.push(e.row); ids.push(id); }
    const orders: number[][] = [];
    const results: Datum[][] = this.calls.map(() => new Array<Datum>(rows.length).fill(null));
    try {
      this.calls.forEach((call, ci) => {
        const order = ci > 0 && this.reach !== null ? orders[0]! : this.sorted(ci, rows, ids, cx);
        orders.push(order);
        computeCall(call, order, rows, results[ci]!, cx.env);
      });
    } catch (err) {
      if (!(err instanceof SqlError)) throw err;
      return { rows, ids, orders, results: null, error: err };
    }
    return { rows, ids, orders, results, error: null };
  }

  private sorted(ci: number, rows: readonly Row[], ids: readonly string[], cx: StepContext): number[] {
    const call = this.calls[ci]!;
    const keys = this.orderKeys[ci]!;
    const vals = keys.length ? rows.map((r) => keys.map((f) => f(r, cx.env))) : [];
    const order = rows.map((_, i) => i);
    return order.sort((a, b) => {
      const c = keys.length ? cmpOrder(call, vals[a]!, vals[b]!) : 0;
      if (c !== 0) return c;
      const x = ids[a]!, y = ids[b]!;
      return x < y ? -1 : x > y ? 1 : 0;
    });
  }

  /**
   * The number of leading rows (in window order) whose values the change cannot have touched:
   * those before the first changed row, less the look-ahead, less the rest of that row's peer
   * group (0 when the calls order rows differently or look at the whole partition).
   */
  private unchangedUpTo(e: Evaluated, changed: ReadonlySet<string>, cx: StepContext): number {
    if (this.reach === null || this.reach === Infinity) return 0;
    const order = e.orders[0]!;
    let p = 0;
    while (p < order.length && !changed.has(e.ids[order[p]!]!)) p++;
    let cut = Math.max(0, p - this.reach);
    if (cut >= order.length) return order.length;
    const call = this.calls[0]!;
    const keys = this.orderKeys[0]!;
    if (keys.length) {
      const at = (i: number): Datum[] => keys.map((f) => f(e.rows[order[i]!]!, cx.env));
      const here = at(cut);
      while (cut > 0 && cmpOrder(call, at(cut - 1), here) === 0) cut--;
    }
    return cut;
  }
}

/** rows after the current one that a call's value may depend on, in its order */
function lookAhead(c: WindowCall): number {
  switch (c.fn) {
    case 'row_number': case 'rank': case 'dense_rank': return 0;
    case 'percent_rank': case 'cume_dist': case 'ntile': return Infinity;
    case 'lag': case 'lead': {
      // a negative offset looks the other way
      const off = c.args[1] ? constOffset(c.args[1]) : 1;
      const ahead = c.fn === 'lead' ? off : -off;
      return Number.isNaN(off) ? Infinity : Math.max(0, ahead);
    }
    default: break;
  }
  // frame functions: the frame's end
  if (c.orderBy.length === 0) return Infinity;
  const end = c.frame.end;
  switch (end.kind) {
    case 'unboundedPreceding': case 'preceding': return 0;
    case 'currentRow': return 0; // RANGE / GROUPS: the peer group, handled by the cut
    case 'unboundedFollowing': return Infinity;
    case 'following': {
      const off = end.offset;
      const n = constOffset(off);
      return c.frame.mode === 'rows' && n >= 0 ? n : Infinity;
    }
  }
}

/** an integer constant's value; NaN for anything else */
function constOffset(e: WindowCall['args'][number]): number {
  if (e.kind !== 'const') return NaN;
  return typeof e.value === 'number' || typeof e.value === 'bigint' ? Number(e.value) : NaN;
}

/** the output rows (input row + the values) of the rows from position `from` in window order, by identity */
function outputFrom(e: Evaluated, from: number): Map<string, { row: Row; count: number }> {
  const output = new Map<string, { row: Row; count: number }>();
  if (!e.results || e.rows.length === 0) return output;
  const order = e.orders[0]!;
  for (let p = from; p < order.length; p++) {
    const i = order[p]!;
    const vals = e.results.map((col) => col[i]!);
    // the identity of the output row, from the input row's (see rowKey)
    const id = e.ids[i] + ',' + vals.map(datumIdentity).join(',');
    const x = output.get(id);
    if (x) x.count++; else output.set(id, { row: [...e.rows[i]!, ...vals], count: 1 });
  }
  return output;
}
