// GROUP BY with aggregates (and GROUPING SETS). Class: non-linear; state per group: its row
// count and, per aggregate, either a running state (count, sum, avg: they have an inverse, so a
// deletion is applied as retract), a count per distinct value (count(DISTINCT x)), or the bag of
// argument values (min, max, string_agg, other DISTINCT and ORDER BY aggregates: recomputed from
// the bag when the group changes; min/max keep their extreme and recompute only when it is
// deleted, so deleting the current minimum is correct and cheap otherwise). A step emits
// (old row, -1), (new row, +1) for each group whose result changed.
import type { Datum, Row } from '../../core/datum.js';
import type { SqlType } from '../../core/types.js';
import { compareDatums } from '../../core/values/io.js';
import { datumKey, compareWithNulls } from '../../core/values/compare.js';
import { emptyDelta, push, rowKey, type Delta } from '../../core/delta.js';
import { compile, type Compiled } from '../../expr/compile.js';
import type { Expr } from '../../expr/ir.js';
import type { AggCall } from '../../expr/plan.js';
import { guarded, type Operator, type StepContext, type TimeColumn } from '../context.js';
import { KeyedState, type ValueCodec } from '../state/keyed-state.js';
import { BagState } from '../state/bag-state.js';
import { CountState } from '../state/count-state.js';
import type { StateStore } from '../state/state-store.js';

interface AggRuntime {
  readonly call: AggCall;
  readonly args: readonly Compiled[];
  readonly filter: Compiled | null;
  readonly orderBy: readonly Compiled[];
  /** running state with init/step/retract; otherwise the group keeps a bag of argument tuples */
  readonly invertible: boolean;
  /** count(DISTINCT x): a count per distinct value (SQL equality) is enough, no recomputation */
  readonly distinctCount: boolean;
  /** min / max: the extreme is kept and only recomputed from the bag when it is deleted; -1 min, 1 max */
  readonly extreme: -1 | 1 | 0;
}

interface Group {
  /** grouping set index and key values, as a string */
  readonly id: string;
  readonly set: number;
  readonly keys: Datum[];
  /** input rows in the group (weights summed) */
  rows: number;
  readonly states: unknown[];
  /** count(DISTINCT): how many distinct values the group holds (per aggregate; 0 for others) */
  readonly distinct: number[];
  /** min / max: the current extreme (undefined: unknown, recompute from the bag) */
  readonly extremes: (Datum | undefined)[];
  /** the row this group last emitted (null: none) */
  out: Row | null;
}

/** groups on disk: the extremes' "unknown" (undefined) as an empty array, a value as [value] */
const groupCodec: ValueCodec<Group> = {
  encode: (g) => [g.id, g.set, g.keys, g.rows, g.states, g.extremes.map((e) => (e === undefined ? [] : [e])), g.out, g.distinct],
  decode: (x) => {
    const [id, set, keys, rows, states, extremes, out, distinct] = x as [string, number, Datum[], number, unknown[], Datum[][], Row | null, number[]];
    return { id, set, keys, rows, states, extremes: extremes.map((e) => (e.length ? e[0]! : undefined)), out, distinct };
  },
};

/** the state key of aggregate j's values in group g */
const aggKey = (j: number, g: Group): string => `${j}\u0002${g.id}`;

export class AggregateOp implements Operator {
  private readonly keyFns: Compiled[];
  private readonly keyTypes: SqlType[];
  private readonly aggs: AggRuntime[];
  /** grouping sets as lists of group-key positions; one set of all keys without GROUPING SETS */
  private readonly sets: readonly (readonly number[])[];
  private readonly groups: KeyedState<Group>;
  /** per (aggregate, group): the argument tuples of a bag aggregate (min, max, string_agg, ...) */
  private readonly bags: BagState;
  /** per (aggregate, group): count(DISTINCT x)'s values (by SQL-equality key) with the rows holding each */
  private readonly distincts: CountState;
  private readonly grouping: boolean;

  constructor(
    state: StateStore,
    private readonly input: Operator,
    groupKeys: readonly Expr[],
    aggs: readonly AggCall[],
    groupingSets: readonly (readonly number[])[] | null,
    /** group keys that follow a source's event time: groups below its watermark are final */
    private readonly closers: readonly { readonly key: number; readonly time: TimeColumn }[] = [],
  ) {
    this.groups = new KeyedState(state, groupCodec);
    this.bags = new BagState(state);
    this.distincts = new CountState(state);
    this.keyFns = groupKeys.map((e) => compile(e));
    this.keyTypes = groupKeys.map((e) => e.type);
    this.aggs = aggs.map((call) => ({
      call,
      args: call.args.map((e) => compile(e)),
      filter: call.filter ? compile(call.filter) : null,
      orderBy: call.orderBy.map((k) => compile(k.expr)),
      invertible: call.agg.retract !== undefined && !call.distinct && call.orderBy.length === 0,
      distinctCount: call.distinct && call.agg.name === 'count' && call.args.length === 1 && call.orderBy.length === 0,
      extreme: !call.distinct && call.orderBy.length === 0 && call.args.length === 1 && (call.agg.name === 'min' || call.agg.name === 'max') ? (call.agg.name === 'min' ? -1 : 1) : 0,
    }));
    this.grouping = groupingSets !== null;
    this.sets = groupingSets ?? [groupKeys.map((_e, i) => i)];
  }

  step(cx: StepContext): Delta {
    const d = this.input.step(cx);
    const touched = new Set<Group>();
    const nk = this.keyFns.length;
    if (cx.initial) {
      // a set without keys (no GROUP BY, or the () grouping set) has its row even for no input
      for (let s = 0; s < this.sets.length; s++) if (this.sets[s]!.length === 0) touched.add(this.group(s, `${s}|`, new Array<Datum>(nk).fill(null)));
    }
    const full = new Array<Datum>(nk);
    rows: for (let i = 0; i < d.rows.length; i++) {
      const r = d.rows[i]!;
      const w = d.weights[i]!;
      for (let k = 0; k < nk; k++) {
        const v = guarded(this.keyFns[k]!, r, w, cx);
        if (v === undefined) continue rows;
        full[k] = v;
      }
      // evaluate the aggregates' inputs once, not once per grouping set
      const inputs = this.argsOf(r, w, cx);
      if (inputs === undefined) continue;
      for (let s = 0; s < this.sets.length; s++) {
        const set = this.sets[s]!;
        let gk = `${s}|`;
        const keys = new Array<Datum>(nk).fill(null);
        for (const k of set) {
          const v = full[k] ?? null;
          keys[k] = v;
          gk += v === null ? '\u0000N\u0001' : String(datumKey(this.keyTypes[k]!, v)) + '\u0001';
        }
        const g = this.group(s, gk, keys);
        touched.add(g);
        this.apply(g, inputs, w);
      }
    }
    const out = emptyDelta();
    for (const g of touched) {
      const keyless = this.sets[g.set]!.length === 0;
      const now = g.rows > 0 || keyless ? this.result(g, cx) : null;
      const before = g.out;
      // the group's state changed even when its row did not
      if (g.rows === 0 && !keyless) this.groups.delete(g.id); else this.groups.set(g.id, g);
      if (before && now && rowKey(before) === rowKey(now)) continue;
      if (before) push(out, before, -1);
      if (now) push(out, now, 1);
      g.out = now;
    }
    this.closeGroups(cx);
    return out;
  }

  private readonly cleanedAt = new Map<number, number>();
  /** groups dropped from state because the watermark passed them */
  closed = 0;

  stateSize(): number { return this.groups.size() + this.bags.size() + this.distincts.size(); }

  /** forgets the state of groups no late row can reach any more (their view rows stay) */
  private closeGroups(cx: StepContext): void {
    if (!cx.watermarks || this.closers.length === 0) return;
    for (const c of this.closers) {
      const wm = cx.watermarks.get(c.time.rel);
      if (wm === undefined || wm === this.cleanedAt.get(c.time.rel)) continue;
      this.cleanedAt.set(c.time.rel, wm);
      const done: Group[] = [];
      for (const [, g] of this.groups.entries()) {
        const v = g.keys[c.key];
        if (typeof v === 'number' && v + c.time.slack <= wm && this.sets[g.set]!.includes(c.key)) done.push(g);
      }
      for (const g of done) this.forget(g);
    }
  }

  /** removes a group and its values from state */
  private forget(g: Group): void {
    for (let j = 0; j < this.aggs.length; j++) {
      const a = this.aggs[j]!;
      if (a.invertible) continue;
      const k = aggKey(j, g);
      if (a.distinctCount) { this.distincts.clear(k); continue; }
      for (const e of [...this.bags.rows(k)]) this.bags.add(k, e.row, -e.count);
    }
    this.groups.delete(g.id);
    this.closed++;
  }

  private group(set: number, gk: string, keys: Datum[]): Group {
    let g = this.groups.get(gk);
    if (!g) {
      g = {
        id: gk, set, keys, rows: 0, out: null,
        states: this.aggs.map((a) => (a.invertible ? a.call.agg.init() : null)),
        distinct: this.aggs.map(() => 0),
        extremes: this.aggs.map(() => undefined),
      };
      this.groups.set(gk, g);
    }
    return g;
  }

  /** per aggregate: its argument tuple (with ORDER BY values appended), or null when the row does not count (FILTER, strict NULL) */
  private argsOf(r: Row, w: number, cx: StepContext): (Datum[] | null)[] | undefined {
    const out: (Datum[] | null)[] = [];
    for (const a of this.aggs) {
      if (a.filter) {
        const f = guarded(a.filter, r, w, cx);
        if (f === undefined) return undefined;
        if (f !== true) { out.push(null); continue; }
      }
      const vals: Datum[] = [];
      let hasNull = false;
      for (const f of a.args) {
        const v = guarded(f, r, w, cx);
        if (v === undefined) return undefined;
        if (v === null) hasNull = true;
        vals.push(v);
      }
      if (hasNull && a.call.agg.strict) { out.push(null); continue; }
      for (const f of a.orderBy) {
        const v = guarded(f, r, w, cx);
        if (v === undefined) return undefined;
        vals.push(v);
      }
      out.push(vals);
    }
    return out;
  }

  private apply(g: Group, inputs: readonly (Datum[] | null)[], w: number): void {
    g.rows += w;
    for (let j = 0; j < this.aggs.length; j++) {
      const vals = inputs[j];
      if (!vals) continue;
      const a = this.aggs[j]!;
      if (a.invertible) {
        const agg = a.call.agg;
        for (let n = 0; n < w; n++) g.states[j] = agg.step(g.states[j], vals);
        for (let n = 0; n > w; n--) g.states[j] = agg.retract!(g.states[j], vals);
      } else if (a.distinctCount) {
        const v = String(datumKey(a.call.args[0]!.type, vals[0]!));
        const { before, after } = this.distincts.add(aggKey(j, g), v, w);
        if (before <= 0 && after > 0) g.distinct[j]!++;
        else if (before > 0 && after <= 0) g.distinct[j]!--;
      } else {
        // min/max with a known extreme do not read the bag: a change that keeps the extreme is
        // written blind (a group's bag of values can be large and evicted from the cache)
        if (a.extreme !== 0 && g.extremes[j] !== undefined) this.bags.addBlind(aggKey(j, g), vals, w);
        else this.bags.add(aggKey(j, g), vals, w);
        if (a.extreme !== 0) {
          const cur = g.extremes[j];
          if (cur !== undefined) {
            const c = cur === null ? 1 : compareDatums(a.call.args[0]!.type, vals[0]!, cur) * a.extreme;
            // a new value beyond the extreme replaces it; deleting the extreme makes it unknown
            if (w > 0 && c > 0) g.extremes[j] = vals[0]!;
            else if (w < 0 && c >= 0) g.extremes[j] = undefined;
          }
        }
      }
    }
  }

  private result(g: Group, cx: StepContext): Row {
    const row: Datum[] = [...g.keys];
    for (let j = 0; j < this.aggs.length; j++) {
      const a = this.aggs[j]!;
      const agg = a.call.agg;
      if (a.invertible) { row.push(agg.final(g.states[j], cx.env.evalCtx)); continue; }
      if (a.distinctCount) { row.push(BigInt(g.distinct[j]!)); continue; }
      if (a.extreme !== 0 && g.extremes[j] !== undefined) { row.push(g.extremes[j]!); continue; }
      const nargs = a.args.length;
      let items: { vals: Datum[]; count: number }[] = [];
      for (const e of this.bags.rows(aggKey(j, g))) items.push({ vals: e.row, count: e.count });
      if (a.call.orderBy.length) {
        const keys = a.call.orderBy;
        items.sort((x, y) => {
          for (let i = 0; i < keys.length; i++) {
            const c = compareWithNulls(keys[i]!.expr.type, x.vals[nargs + i] ?? null, y.vals[nargs + i] ?? null, keys[i]!.desc, keys[i]!.nullsFirst);
            if (c !== 0) return c;
          }
          return 0;
        });
      }
      if (a.call.distinct) {
        // DISTINCT: each value once, equal under SQL equality
        const seen = new Set<string>();
        const types = a.call.args.map((e) => e.type);
        items = items.filter((it) => {
          const k = it.vals.slice(0, nargs).map((v, i) => (v === null ? '\u0000N' : String(datumKey(types[i]!, v)))).join('\u0001');
          if (seen.has(k)) return false;
          seen.add(k);
          return true;
        }).map((it) => ({ vals: it.vals, count: 1 }));
      }
      let state = agg.init();
      for (const it of items) {
        const args = nargs === it.vals.length ? it.vals : it.vals.slice(0, nargs);
        for (let n = 0; n < it.count; n++) state = agg.step(state, args);
      }
      const v = agg.final(state, cx.env.evalCtx);
      if (a.extreme !== 0) g.extremes[j] = v;
      row.push(v);
    }
    if (this.grouping) row.push(g.set);
    return row;
  }
}
