// Equi-join (inner, left, right, full, semi, anti) with a residual predicate. Class: bilinear.
// Each side keeps an arrangement: its rows so far (a bag), indexed by the join key.
//   Δ(A ⋈ B) = ΔA ⋈ B + A' ⋈ ΔB, with A' = A + ΔA
// Outer joins add the NULL-padded rows of unmatched rows; whether a row is matched can change
// with either side, so for each join key a step touches, the padded rows of that key are
// recomputed before and after the step and the difference is emitted. Semi and anti joins
// (EXISTS, IN, NOT EXISTS) emit left rows by the same per-key recomputation.
import type { Datum, Row } from '../../core/datum.js';
import type { SqlType } from '../../core/types.js';
import { datumKey } from '../../core/values/compare.js';
import { emptyDelta, push, type Delta } from '../../core/delta.js';
import { compile, type Compiled } from '../../expr/compile.js';
import type { Expr } from '../../expr/ir.js';
import type { JoinType } from '../../expr/plan.js';
import { guarded, type Operator, type StepContext } from '../context.js';
import { BagState } from '../state/bag-state.js';
import type { StateStore } from '../state/state-store.js';

export class JoinOp implements Operator {
  private readonly lk: Compiled[];
  private readonly rk: Compiled[];
  private readonly keyTypes: SqlType[];
  private readonly residual: Compiled | null;
  /** arrangements: join key -> the side's rows (in the view's state store) */
  private readonly left: BagState;
  private readonly right: BagState;
  private readonly keepLeft: boolean;
  private readonly keepRight: boolean;
  private readonly nullsL: Datum[];
  private readonly nullsR: Datum[];

  constructor(
    state: StateStore,
    private readonly type: JoinType,
    private readonly l: Operator,
    private readonly r: Operator,
    leftKeys: readonly Expr[],
    rightKeys: readonly Expr[],
    residual: Expr | null,
    leftWidth: number,
    rightWidth: number,
    /**
     * The right input is a constant (VALUES): it changes only in the first step, so the left
     * side needs no arrangement (inner and left joins): each left change joins the constant.
     */
    private readonly constantRight = false,
  ) {
    this.left = new BagState(state);
    this.right = new BagState(state);
    this.lk = leftKeys.map((e) => compile(e));
    this.rk = rightKeys.map((e) => compile(e));
    this.keyTypes = leftKeys.map((e) => e.type);
    this.residual = residual ? compile(residual) : null;
    this.keepLeft = type === 'left' || type === 'full';
    this.keepRight = type === 'right' || type === 'full';
    this.nullsL = new Array<Datum>(leftWidth).fill(null);
    this.nullsR = new Array<Datum>(rightWidth).fill(null);
  }

  /** the join key of a row (SQL equality), or null when a key column is NULL (matches nothing); undefined: evaluation failed */
  private keyOf(fs: readonly Compiled[], row: Row, w: number, cx: StepContext): string | null | undefined {
    let k = '';
    for (let i = 0; i < fs.length; i++) {
      const v = guarded(fs[i]!, row, w, cx);
      if (v === undefined) return undefined;
      if (v === null) return null;
      k += String(datumKey(this.keyTypes[i]!, v)) + '\u0001';
    }
    return k;
  }

  private matches(joined: Row, w: number, cx: StepContext): boolean {
    return !this.residual || guarded(this.residual, joined, w, cx) === true;
  }

  stateSize(): number {
    return this.left.size() + this.right.size();
  }

  step(cx: StepContext): Delta {
    const dl = this.l.step(cx);
    const dr = this.r.step(cx);
    const out = emptyDelta();
    if (dl.rows.length === 0 && dr.rows.length === 0) return out;
    const lkeys = dl.rows.map((row, i) => this.keyOf(this.lk, row, dl.weights[i]!, cx));
    const rkeys = dr.rows.map((row, i) => this.keyOf(this.rk, row, dr.weights[i]!, cx));
    if (this.type === 'semi' || this.type === 'anti') return this.stepExistence(dl, dr, lkeys, rkeys, cx);
    if (this.constantRight && (this.type === 'inner' || this.type === 'left')) return this.stepAgainstConstant(dl, dr, lkeys, rkeys, cx);

    // keys whose padded (unmatched) rows may change: their padded output before the step
    const touched = new Set<string>();
    if (this.keepLeft || this.keepRight) {
      for (const k of lkeys) if (typeof k === 'string') touched.add(k);
      for (const k of rkeys) if (typeof k === 'string') touched.add(k);
      for (const k of touched) this.padded(k, -1, out, cx);
    }

    // ΔA ⋈ B, then A' = A + ΔA
    for (let i = 0; i < dl.rows.length; i++) {
      const k = lkeys[i];
      const row = dl.rows[i]!;
      const w = dl.weights[i]!;
      if (k === undefined) continue;
      if (k === null) { if (this.keepLeft) push(out, row.concat(this.nullsR), w); continue; }
      for (const e of this.right.rows(k)) { const j = row.concat(e.row); if (this.matches(j, w * e.count, cx)) push(out, j, w * e.count); }
      // A' = A + ΔA without reading A's rows under k (appending to a large cold bag reads nothing)
      this.left.addBlind(k, row, w);
    }
    // A' ⋈ ΔB, then B' = B + ΔB
    for (let i = 0; i < dr.rows.length; i++) {
      const k = rkeys[i];
      const row = dr.rows[i]!;
      const w = dr.weights[i]!;
      if (k === undefined) continue;
      if (k === null) { if (this.keepRight) push(out, this.nullsL.concat(row), w); continue; }
      for (const e of this.left.rows(k)) { const j = e.row.concat(row); if (this.matches(j, w * e.count, cx)) push(out, j, w * e.count); }
      this.right.addBlind(k, row, w);
    }

    for (const k of touched) this.padded(k, 1, out, cx);
    return out;
  }

  /** the right side's change first (the constant, in the first step), then each left change against it */
  private stepAgainstConstant(dl: Delta, dr: Delta, lkeys: (string | null | undefined)[], rkeys: (string | null | undefined)[], cx: StepContext): Delta {
    const out = emptyDelta();
    for (let i = 0; i < dr.rows.length; i++) { const k = rkeys[i]; if (typeof k === 'string') this.right.add(k, dr.rows[i]!, dr.weights[i]!); }
    for (let i = 0; i < dl.rows.length; i++) {
      const k = lkeys[i];
      const row = dl.rows[i]!;
      const w = dl.weights[i]!;
      if (k === undefined) continue;
      let matched = false;
      if (k !== null) for (const e of this.right.rows(k)) { const j = row.concat(e.row); if (this.matches(j, w * e.count, cx)) { push(out, j, w * e.count); matched = true; } }
      if (!matched && this.keepLeft) push(out, row.concat(this.nullsR), w);
    }
    return out;
  }

  private stepExistence(dl: Delta, dr: Delta, lkeys: (string | null | undefined)[], rkeys: (string | null | undefined)[], cx: StepContext): Delta {
    const out = emptyDelta();
    const touched = new Set<string>();
    for (const k of lkeys) if (typeof k === 'string') touched.add(k);
    for (const k of rkeys) if (typeof k === 'string') touched.add(k);
    for (const k of touched) this.existing(k, -1, out, cx);
    for (let i = 0; i < dl.rows.length; i++) {
      const k = lkeys[i];
      if (k === undefined) continue;
      // a NULL key matches nothing: such a row is never in a semi join and always in an anti join
      if (k === null) { if (this.type === 'anti') push(out, dl.rows[i]!, dl.weights[i]!); continue; }
      this.left.add(k, dl.rows[i]!, dl.weights[i]!);
    }
    for (let i = 0; i < dr.rows.length; i++) { const k = rkeys[i]; if (typeof k === 'string') this.right.add(k, dr.rows[i]!, dr.weights[i]!); }
    for (const k of touched) this.existing(k, 1, out, cx);
    return out;
  }

  /** emits (with `sign`) the left rows of key k that have (semi) or lack (anti) a matching right row */
  private existing(k: string, sign: number, out: Delta, cx: StepContext): void {
    if (this.left.bagSize(k) === 0) return;
    const ls = this.left.rows(k);
    const rs = this.right.bagSize(k) ? this.right.rows(k) : null;
    const quiet: StepContext = { ...cx, errors: emptyDelta() };
    const want = this.type === 'semi';
    for (const a of ls) {
      let matched = false;
      if (rs) for (const b of rs) if (this.matches(a.row.concat(b.row), 1, quiet)) { matched = true; break; }
      if (matched === want) push(out, a.row, sign * a.count);
    }
  }

  /** emits (with `sign`) the NULL-padded rows of key k: rows of one side that match no row of the other */
  private padded(k: string, sign: number, out: Delta, cx: StepContext): void {
    const ls = this.left.bagSize(k) ? this.left.rows(k) : null;
    const rs = this.right.bagSize(k) ? this.right.rows(k) : null;
    // evaluation errors of the residual were already recorded by the matching pass: do not count them again
    const quiet: StepContext = { ...cx, errors: emptyDelta() };
    if (this.keepLeft && ls) {
      for (const a of ls) {
        let matched = false;
        if (rs) for (const b of rs) if (this.matches(a.row.concat(b.row), 1, quiet)) { matched = true; break; }
        if (!matched) push(out, a.row.concat(this.nullsR), sign * a.count);
      }
    }
    if (this.keepRight && rs) {
      for (const b of rs) {
        let matched = false;
        if (ls) for (const a of ls) if (this.matches(a.row.concat(b.row), 1, quiet)) { matched = true; break; }
        if (!matched) push(out, this.nullsL.concat(b.row), sign * b.count);
      }
    }
  }
}
