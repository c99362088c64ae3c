// Window function evaluation over one partition's rows (ranking, offset, value and aggregate
// functions over frames), shared by the batch executor and the dataflow's window operator.
import type { Datum, Row } from '../core/datum.js';
import { SqlError, SqlState } from '../core/errors.js';
import type { WindowCall } from './plan.js';
import { compile, type EvalEnv } from './compile.js';
import { rowKeyFn, compareWithNulls } from '../core/values/compare.js';
import { compareDatums } from '../core/values/io.js';
import { Numeric } from '../core/values/numeric.js';
import { Interval } from '../core/values/interval.js';

/** Groups row indexes by partition keys, each group sorted by the window's ORDER BY. */
export function partition(rows: readonly Row[], call: WindowCall, cx: EvalEnv): number[][] {
  const pk = call.partitionBy.map(compile);
  const keyOf = rowKeyFn(call.partitionBy.map((e) => e.type));
  const groups = new Map<string, number[]>();
  rows.forEach((r, i) => {
    const k = pk.length ? keyOf(pk.map((f) => f(r, cx))) : '';
    const g = groups.get(k);
    if (g) g.push(i); else groups.set(k, [i]);
  });
  const ok = call.orderBy.map((k) => compile(k.expr));
  const parts = [...groups.values()];
  if (ok.length) {
    const keyVals = rows.map((r) => ok.map((f) => f(r, cx)));
    for (const p of parts) p.sort((a, b) => cmpOrder(call, keyVals[a]!, keyVals[b]!));
  }
  return parts;
}

export function cmpOrder(call: WindowCall, a: readonly Datum[], b: readonly Datum[]): number {
  for (let i = 0; i < call.orderBy.length; i++) {
    const k = call.orderBy[i]!;
    const c = compareWithNulls(k.expr.type, a[i]!, b[i]!, k.desc, k.nullsFirst);
    if (c !== 0) return c;
  }
  return 0;
}

export function computeCall(call: WindowCall, part: readonly number[], rows: readonly Row[], out: Datum[], cx: EvalEnv): void {
  const n = part.length;
  const ok = call.orderBy.map((k) => compile(k.expr));
  const orderVals = part.map((i) => ok.map((f) => f(rows[i]!, cx)));
  // peer groups: rows with equal ORDER BY values
  const peerStart = new Array<number>(n);
  const peerEnd = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    peerStart[i] = i > 0 && cmpOrder(call, orderVals[i - 1]!, orderVals[i]!) === 0 ? peerStart[i - 1]! : i;
  }
  for (let i = n - 1; i >= 0; i--) {
    peerEnd[i] = i < n - 1 && cmpOrder(call, orderVals[i + 1]!, orderVals[i]!) === 0 ? peerEnd[i + 1]! : i;
  }
  const args = call.args.map(compile);
  const arg = (k: number, j: number): Datum => args[k]!(rows[part[j]!]!, cx);
  switch (call.fn) {
    case 'row_number': for (let i = 0; i < n; i++) out[part[i]!] = BigInt(i + 1); return;
    case 'rank': for (let i = 0; i < n; i++) out[part[i]!] = BigInt(peerStart[i]! + 1); return;
    case 'dense_rank': {
      let r = 0;
      for (let i = 0; i < n; i++) { if (peerStart[i] === i) r++; out[part[i]!] = BigInt(r); }
      return;
    }
    case 'percent_rank': for (let i = 0; i < n; i++) out[part[i]!] = n > 1 ? peerStart[i]! / (n - 1) : 0; return;
    case 'cume_dist': for (let i = 0; i < n; i++) out[part[i]!] = (peerEnd[i]! + 1) / n; return;
    case 'ntile': {
      for (let i = 0; i < n; i++) {
        const buckets = arg(0, i) as number | null;
        if (buckets === null) { out[part[i]!] = null; continue; }
        if (buckets <= 0) throw new SqlError(SqlState.InvalidParameterValue, 'argument of ntile must be greater than zero');
        const per = Math.floor(n / buckets);
        const extra = n % buckets;
        const big = extra * (per + 1);
        out[part[i]!] = i < big ? Math.floor(i / (per + 1)) + 1 : extra + Math.floor((i - big) / per) + 1;
      }
      return;
    }
    case 'lag': case 'lead': {
      for (let i = 0; i < n; i++) {
        const off = args[1] ? (arg(1, i) as number | null) : 1;
        if (off === null) { out[part[i]!] = null; continue; }
        const j = call.fn === 'lag' ? i - off : i + off;
        out[part[i]!] = j >= 0 && j < n ? arg(0, j) : args[2] ? arg(2, i) : null;
      }
      return;
    }
    default: break;
  }
  // frame-based functions
  const running = call.fn === 'aggregate' ? new RunningFrame(call, part, rows, cx) : null;
  for (let i = 0; i < n; i++) {
    const [s, e] = frameBounds(call, i, n, peerStart, peerEnd, orderVals, cx);
    switch (call.fn) {
      case 'first_value': out[part[i]!] = s <= e ? arg(0, s) : null; break;
      case 'last_value': out[part[i]!] = s <= e ? arg(0, e) : null; break;
      case 'nth_value': {
        const k = arg(1, i) as number | null;
        if (k !== null && k <= 0) throw new SqlError(SqlState.InvalidParameterValue, 'argument of nth_value must be greater than zero');
        out[part[i]!] = k !== null && s + k - 1 <= e ? arg(0, s + k - 1) : null;
        break;
      }
      case 'aggregate': out[part[i]!] = running!.value(s, e); break;
      default: break;
    }
  }
}

function frameBounds(call: WindowCall, i: number, n: number, peerStart: readonly number[], peerEnd: readonly number[],
  orderVals: readonly (readonly Datum[])[], cx: EvalEnv): [number, number] {
  const f = call.frame;
  const hasOrder = call.orderBy.length > 0;
  const offsetValue = (e: import('../expr/ir.js').Expr, isStart: boolean): Datum => {
    const v = compile(e)([], cx);
    const which = isStart ? 'starting' : 'ending';
    if (v === null) throw new SqlError(SqlState.NullValueNotAllowed, `frame ${which} offset must not be null`);
    const negative = typeof v === 'number' ? v < 0 : typeof v === 'bigint' ? v < 0n : v instanceof Numeric ? v.sign() < 0
      : v instanceof Interval ? v.months < 0 || v.days < 0 || v.micros < 0 : false;
    if (negative) throw new SqlError(SqlState.InvalidParameterValue, `frame ${which} offset must not be negative`);
    return v;
  };
  const rowsOffset = (e: import('../expr/ir.js').Expr, isStart: boolean): number => Number(offsetValue(e, isStart) as number | bigint);
  const bound = (b: typeof f.start, isStart: boolean): number => {
    switch (b.kind) {
      case 'unboundedPreceding': return 0;
      case 'unboundedFollowing': return n - 1;
      case 'currentRow':
        if (f.mode === 'rows') return i;
        if (!hasOrder) return isStart ? 0 : n - 1;
        return isStart ? peerStart[i]! : peerEnd[i]!;
      case 'preceding': case 'following': {
        const sign = b.kind === 'preceding' ? -1 : 1;
        if (f.mode === 'rows') return i + sign * rowsOffset(b.offset, isStart);
        if (f.mode === 'groups') return groupsBound(i, sign * rowsOffset(b.offset, isStart), isStart, n, peerStart, peerEnd);
        return rangeBound(call, i, n, orderVals, offsetValue(b.offset, isStart), sign, isStart);
      }
    }
  };
  const s = Math.max(0, bound(f.start, true));
  const e = Math.min(n - 1, bound(f.end, false));
  return [s, e];
}

/** GROUPS frames: move `delta` peer groups from the current row's group. */
function groupsBound(i: number, delta: number, isStart: boolean, n: number, peerStart: readonly number[], peerEnd: readonly number[]): number {
  let g = peerStart[i]!;
  if (delta < 0) {
    for (let k = 0; k < -delta; k++) { if (g === 0) return isStart ? 0 : -1; g = peerStart[g - 1]!; }
  } else {
    for (let k = 0; k < delta; k++) { const next = peerEnd[g]! + 1; if (next >= n) return isStart ? n : n - 1; g = next; }
  }
  return isStart ? g : peerEnd[g]!;
}

/**
 * RANGE frames with an offset (one ORDER BY column): the frame holds the rows whose key lies
 * within `offset` of the current row's key; NULL keys are peers of each other only.
 */
function rangeBound(call: WindowCall, i: number, n: number, orderVals: readonly (readonly Datum[])[], offset: Datum, sign: number, isStart: boolean): number {
  if (call.orderBy.length !== 1) throw new SqlError(SqlState.WindowingError, 'RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column');
  const key = call.orderBy[0]!;
  const type = key.expr.type;
  const cur = orderVals[i]![0] ?? null;
  const keyAt = (j: number): Datum => orderVals[j]![0] ?? null;
  if (cur === null) {
    // the NULL peer group
    let j = i;
    if (isStart) { while (j > 0 && keyAt(j - 1) === null) j--; } else { while (j < n - 1 && keyAt(j + 1) === null) j++; }
    return j;
  }
  // the frame edge in key terms: preceding = towards the start of the ordering
  const target = shiftKey(type, cur, offset, key.desc ? -sign : sign);
  const inside = (j: number): boolean => {
    const v = keyAt(j);
    if (v === null) return false;
    const c = compareDatums(type, v, target);
    const ordered = key.desc ? -c : c;
    return isStart ? ordered >= 0 : ordered <= 0;
  };
  if (isStart) {
    let j = 0;
    while (j < n && !inside(j)) j++;
    return j;
  }
  let j = n - 1;
  while (j >= 0 && !inside(j)) j--;
  return j;
}

function shiftKey(type: import('../core/types.js').SqlType, key: Datum, offset: Datum, sign: number): Datum {
  if (offset instanceof Interval) {
    if (offset.months !== 0) throw new SqlError(SqlState.FeatureNotSupported, 'RANGE offsets with months are not supported');
    const micros = offset.days * 86_400_000_000 + offset.micros;
    const isDate = type.kind === 'scalar' && type.name === 'date';
    return (key as number) + sign * (isDate ? micros / 86_400_000_000 : micros);
  }
  if (typeof key === 'bigint') return key + BigInt(sign) * BigInt(offset as number | bigint);
  if (key instanceof Numeric) {
    const o = offset instanceof Numeric ? offset : typeof offset === 'bigint' ? Numeric.fromBigInt(offset) : Numeric.fromNumber(offset as number);
    return sign > 0 ? key.add(o) : key.sub(o);
  }
  return (key as number) + sign * Number(offset as number | bigint);
}

/**
 * An aggregate over each row's frame. Frames that keep their start and grow at the end (running
 * totals: UNBOUNDED PRECEDING or a fixed start, the default frame with ORDER BY) continue the
 * previous row's state instead of aggregating the frame again, so a partition costs O(rows), not
 * O(rows²); the rows are stepped in the same order as a fresh aggregation would, so the result is
 * the same. Other frames are aggregated from their start.
 */
class RunningFrame {
  private readonly args: ((r: Row, cx: EvalEnv) => Datum)[];
  private state: unknown = null;
  private start = -1;
  /** the last row stepped into `state` */
  private end = -1;

  constructor(private readonly call: WindowCall, private readonly part: readonly number[], private readonly rows: readonly Row[], private readonly cx: EvalEnv) {
    this.args = call.agg!.args.map(compile);
  }

  value(s: number, e: number): Datum {
    const a = this.call.agg!.agg;
    if (this.state === null || s !== this.start || e < this.end) {
      this.state = a.init();
      this.start = s;
      this.end = s - 1;
    }
    for (let j = this.end + 1; j <= e; j++) {
      const r = this.rows[this.part[j]!]!;
      const vals = this.args.map((f) => f(r, this.cx));
      if (a.strict && vals.some((v) => v === null)) continue;
      this.state = a.step(this.state, vals);
    }
    if (e > this.end) this.end = e;
    const v = a.final(this.state, this.cx.evalCtx);
    // list aggregates hand out their state's array, which the next rows would extend
    return Array.isArray(v) ? v.slice() : v;
  }
}
