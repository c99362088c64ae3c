// Vectorized aggregation straight over column-store chunks: GROUP BY and aggregates of a
// column scan read the typed column arrays through the scan's selection vector instead of
// materializing rows. Group keys that are columns (dictionary codes for strings) or
// date_trunc(unit, timestamp column) with a fixed-size unit are computed inline; count, sum,
// avg, min and max over integer, exact-decimal and float8 columns accumulate in plain numbers
// (spilling to bigint before they could lose precision). Anything else in the same query still
// works: other aggregates and key expressions are evaluated per row on a scratch row of just
// the columns they use, with the registry's own aggregate functions.
import type { Datum, Row } from '../core/datum.js';
import type { SqlType } from '../core/types.js';
import type { Expr } from '../expr/ir.js';
import type { Plan, AggCall } from '../expr/plan.js';
import { exprChildren } from '../expr/ir.js';
import { Numeric, fixedDecimal } from '../core/values/numeric.js';
import roaring from 'roaring';
import { SqlError, SqlState } from '../core/errors.js';
import type { ExecContext, ColumnChunk, ColumnData, ColumnarRead } from './context.js';
import { compile, type Compiled } from '../expr/compile.js';
import { evaluatePredicates } from './columnar-predicates.js';
import { rowKeyFn } from './sort.js';
import { EMPTY, type Batch, BATCH_SIZE } from './run.js';

type AggregatePlan = Extract<Plan, { kind: 'aggregate' }>;
type ScanPlan = Extract<Plan, { kind: 'scan' }>;

const FIXED_UNITS: Record<string, number> = {
  microseconds: 1, milliseconds: 1_000, second: 1_000_000, minute: 60_000_000, hour: 3_600_000_000, day: 86_400_000_000,
};

/** How one group key is computed. */
type KeySpec =
  | { readonly kind: 'col'; readonly col: number }
  | { readonly kind: 'trunc'; readonly col: number; readonly unit: number }
  | { readonly kind: 'expr'; readonly fn: Compiled };

/** How one aggregate accumulates. */
type AggSpec =
  | { readonly kind: 'count'; readonly col: number | null }
  | { readonly kind: 'sum' | 'avg'; readonly col: number; readonly arg: 'int' | 'int8' | 'dec' | 'float'; readonly scale: number; readonly fast: boolean; readonly perRow: number }
  | { readonly kind: 'min' | 'max'; readonly col: number }
  | { readonly kind: 'countDistinct'; readonly col: number }
  | { readonly kind: 'generic'; readonly call: AggCall; readonly args: readonly Compiled[] };

const MAX_CHUNK_ROWS = 65536;
const { RoaringBitmap32 } = roaring;

function colRefs(e: Expr, into: Set<number>): boolean {
  if (e.kind === 'col') { into.add(e.index); return true; }
  if (e.kind === 'outer' || e.kind === 'subquery' || e.kind === 'subqueryCmp') return false;
  for (const c of exprChildren(e)) if (!colRefs(c, into)) return false;
  return true;
}

function scalarName(t: SqlType): string {
  return t.kind === 'scalar' ? t.name : 'array';
}

function keySpec(e: Expr): KeySpec {
  if (e.kind === 'col') return { kind: 'col', col: e.index };
  if (e.kind === 'call' && e.fn.name === 'date_trunc' && e.args.length === 2) {
    const [u, c] = e.args as [Expr, Expr];
    if (u.kind === 'const' && typeof u.value === 'string' && c.kind === 'col' && scalarName(c.type) === 'timestamp') {
      const unit = FIXED_UNITS[u.value.toLowerCase()];
      if (unit !== undefined) return { kind: 'trunc', col: c.index, unit };
    }
  }
  return { kind: 'expr', fn: compile(e) };
}

/** How an aggregate runs vectorized; null when it cannot (DISTINCT, FILTER or ORDER BY of other kinds). */
function aggSpec(call: AggCall): AggSpec | null {
  const name = call.agg.name;
  const arg = call.args[0];
  if (call.distinct) {
    if (name === 'count' && !call.filter && arg?.kind === 'col' && ['int2', 'int4', 'int8', 'date', 'text', 'varchar'].includes(scalarName(arg.type))) return { kind: 'countDistinct', col: arg.index };
    return null;
  }
  const generic = (): AggSpec | null => (call.filter || call.orderBy.length ? null : { kind: 'generic', call, args: call.args.map(compile) });
  if (call.filter || call.orderBy.length) return null;
  if (name === 'count' && call.args.length === 0) return { kind: 'count', col: null };
  if (!arg || arg.kind !== 'col' || call.args.length !== 1) return generic();
  const t = scalarName(arg.type);
  if (name === 'count') return { kind: 'count', col: arg.index };
  if (name === 'sum' || name === 'avg') {
    const dec = fixedDecimal(arg.type);
    const kind = t === 'int2' || t === 'int4' ? 'int' : t === 'int8' ? 'int8' : t === 'float8' ? 'float' : t === 'numeric' && dec !== null ? 'dec' : null;
    // typed sums stay exact in a float64 for a whole chunk: |value| * rows per chunk < 2^52
    const fast = kind === 'int' || kind === 'float' || (kind === 'dec' && 10 ** dec!.precision * MAX_CHUNK_ROWS < SPILL);
    // the most one row adds to a typed sum: an int, or a decimal's digits at its scale
    const perRow = kind === 'int' ? 2 ** 31 : kind === 'dec' ? 10 ** dec!.precision : 0;
    return kind ? { kind: name, col: arg.index, arg: kind, scale: dec?.scale ?? 0, fast, perRow } : generic();
  }
  if ((name === 'min' || name === 'max') && ['int2', 'int4', 'int8', 'date', 'time', 'timestamp', 'timestamptz'].includes(t)) return { kind: name, col: arg.index };
  return generic();
}

/** Per-aggregate accumulators, indexed by group id. */
interface Acc {
  /** counts and number sums in typed arrays (grown as groups come: see newGroup) */
  n: Float64Array;
  /** integer-valued sums (int, scaled decimals): exact while below 2^53, moved into `big` before */
  s: Float64Array;
  /** how much |s| of any group may have grown since the last spill check (see spillCheck) */
  sinceCheck: number;
  readonly big: bigint[];
  /** values that are not plain numbers (e.g. a NaN numeric read row by row) */
  readonly extra: (Numeric | null)[];
  readonly ext: (number | bigint | null)[];
  readonly sets: Set<unknown>[];
  /** count(DISTINCT int) of a single group: a roaring bitmap filled a chunk at a time */
  bits?: InstanceType<typeof RoaringBitmap32>;
  readonly states: unknown[];
}

const SPILL = 2 ** 52;
/** after a spill check every |sum| is below this */
const CHECKED = 2 ** 51;

/**
 * Keeps the typed sums exact: before a chunk could carry some group's sum past 2^53, sums of at
 * least CHECKED move into bigint. Checked only as often as the bound on what chunks added
 * requires (a pass over every group after each chunk had cost ~15 ms of a 5M-row, 100k-group
 * query).
 */
export function spillCheck(acc: Pick<Acc, 's' | 'sinceCheck' | 'big'>, groups: number, chunkBound: number): void {
  if (CHECKED + acc.sinceCheck + chunkBound < 2 ** 53) { acc.sinceCheck += chunkBound; return; }
  const s = acc.s;
  for (let g = 0; g < groups; g++) if (Math.abs(s[g]!) >= CHECKED) { acc.big[g]! += BigInt(s[g]!); s[g] = 0; }
  acc.sinceCheck = chunkBound;
}

/**
 * The most a chunk of `count` rows can add to one group's typed sum (0: nothing). Float sums
 * are not exact anyway and never spill (finalValue reads only `s` for them); int8 and decimals
 * read row by row go to bigint directly.
 */
function sumBound(a: AggSpec, count: number): number {
  return (a.kind === 'sum' || a.kind === 'avg') && (a.arg === 'int' || a.fast) ? count * a.perRow : 0;
}

/** scratch arrays reused across chunks and queries (filled and read without a yield between) */
let gidScratch = new Int32Array(0);
let bucketScratch = new Float64Array(0);

function scratchGids(n: number): Int32Array {
  if (gidScratch.length < n) gidScratch = new Int32Array(Math.max(n, MAX_CHUNK_ROWS));
  return gidScratch.subarray(0, n);
}

function scratchBuckets(n: number): Float64Array {
  if (bucketScratch.length < n) bucketScratch = new Float64Array(Math.max(n, MAX_CHUNK_ROWS));
  return bucketScratch.subarray(0, n);
}

function grown(a: Float64Array, size: number): Float64Array {
  if (a.length >= size) return a;
  const b = new Float64Array(Math.max(size, a.length * 2));
  b.set(a);
  return b;
}

/**
 * A vectorized run of an aggregate over a column scan, or null when the plan or the transaction
 * state does not allow it (then the row-at-a-time aggregate runs).
 */
export function tryColumnAggregate(plan: AggregatePlan, cx: ExecContext): Generator<Batch> | null {
  if (plan.groupingSets || plan.input.kind !== 'scan') return null;
  const scan: ScanPlan = plan.input;
  if (!scan.columnar || !cx.tables.columnChunks) return null;
  const used = new Set<number>();
  // comparisons the scan cannot do on typed arrays are evaluated per selected row
  const residual = scan.columnar.exact || !scan.filter ? null : scan.filter;
  for (const e of [...(residual ? [residual] : []), ...plan.groupKeys, ...plan.aggs.flatMap((a) => [...a.args, ...(a.filter ? [a.filter] : []), ...a.orderBy.map((k) => k.expr)])]) {
    if (!colRefs(e, used)) return null;
  }
  const predicates = evaluatePredicates(scan.columnar.predicates, cx);
  // a comparison with NULL is never true: no row qualifies
  if (predicates === 'none') return emit(plan, [], [], []);
  if (predicates === null) return null;
  if (plan.aggs.some((a) => aggSpec(a) === null)) return null;
  const chunks = cx.tables.columnChunks(scan.table, { columns: [...used].sort((a, b) => a - b), predicates });
  if (!chunks) return null;
  return aggregateChunks(plan, chunks, [...used], residual ? compile(residual) : null, cx);
}

function* aggregateChunks(plan: AggregatePlan, chunks: Iterable<ColumnChunk>, used: readonly number[], residual: Compiled | null, cx: ExecContext): Generator<Batch> {
  const keys = plan.groupKeys.map(keySpec);
  const aggs = plan.aggs.map(aggSpec) as AggSpec[];
  const keyTypes = plan.groupKeys.map((k) => k.type);
  const groupKeyOf = rowKeyFn(keyTypes);
  const groups = new Map<unknown, number>();
  const groupKeys: Datum[][] = [];
  const accs: Acc[] = aggs.map(() => ({ n: new Float64Array(64), s: new Float64Array(64), sinceCheck: 0, big: [], extra: [], ext: [], sets: [], states: [] }));
  const single = keys.length === 1;
  const newGroup = (kv: Datum[]): number => {
    const g = groupKeys.length;
    groupKeys.push(kv);
    aggs.forEach((a, i) => {
      const acc = accs[i]!;
      if (acc.n.length <= g) { acc.n = grown(acc.n, g + 1); acc.s = grown(acc.s, g + 1); }
      acc.big.push(0n); acc.extra.push(null); acc.ext.push(null);
      if (a.kind === 'countDistinct') acc.sets[g] = new Set();
      if (a.kind === 'generic') acc.states[g] = a.call.agg.init();
    });
    return g;
  };
  const groupOf = (kv: Datum[]): number => {
    const k = keys.length === 0 ? '' : single && (typeof kv[0] !== 'object' || kv[0] === null) ? kv[0] : groupKeyOf(kv);
    let g = groups.get(k);
    if (g === undefined) { g = newGroup(kv.slice()); groups.set(k, g); }
    return g;
  };
  if (keys.length === 0) groupOf([]);
  const scratch: Row = [];
  const kv: Datum[] = new Array(keys.length);
  const rowsOf = (chunk: ColumnChunk, i: number): Row => {
    if (chunk.kind === 'rows') return chunk.rows[i]!;
    for (const c of used) scratch[c] = chunk.column(c)?.datum(i) ?? null;
    return scratch;
  };

  const dense: { t: DenseTable | null } = { t: null };
  let examined = 0;
  for (let chunk of chunks) {
    if (++examined % 4 === 0) yield EMPTY;
    if (residual) chunk = filterChunk(chunk, residual, rowsOf, cx);
    const count = chunk.kind === 'rows' ? chunk.rows.length : chunk.sel.length;
    // the offsets of the chunk's rows to use: a segment's selection vector, or 0..n-1 for plain rows
    const sel = chunk.kind === 'rows' ? identity(count) : chunk.sel;
    // 1. a group id per selected row
    const gids = scratchGids(count);
    const dictKey = chunk.kind === 'segment' && single && keys[0]!.kind === 'col' ? chunk.column((keys[0] as { col: number }).col)?.dict : undefined;
    if (keys.length === 0) {
      gids.fill(0);
    } else if (single && chunk.kind === 'segment' && denseGroups(keys[0]!, chunk, count, sel, gids, kv, groupOf, dense)) {
      // integer keys in a narrow range: group ids from a dense table, no hashing per row
    } else if (dictKey) {
      const byCode = new Int32Array(dictKey.strings.length).fill(-1);
      const col = (chunk as Extract<ColumnChunk, { kind: 'segment' }>).column((keys[0] as { col: number }).col)!;
      for (let j = 0; j < count; j++) {
        const i = sel[j]!;
        if (col.valid !== null && (col.valid[i >> 3]! & (1 << (i & 7))) === 0) { kv[0] = null; gids[j] = groupOf(kv); continue; }
        const code = dictKey.codes[i]!;
        let g = byCode[code]!;
        if (g < 0) { kv[0] = dictKey.strings[code]!; g = groupOf(kv); byCode[code] = g; }
        gids[j] = g;
      }
    } else {
      for (let j = 0; j < count; j++) {
        const i = sel[j]!;
        for (let k = 0; k < keys.length; k++) {
          const spec = keys[k]!;
          if (spec.kind === 'expr') { kv[k] = spec.fn(rowsOf(chunk, i), cx); continue; }
          const v = chunk.kind === 'rows' ? chunk.rows[i]![spec.col] ?? null : chunk.column(spec.col)?.datum(i) ?? null;
          kv[k] = spec.kind === 'trunc' && typeof v === 'number' ? Math.floor(v / spec.unit) * spec.unit : v;
        }
        gids[j] = groupOf(kv);
      }
    }
    // 2. each aggregate over the chunk, its typed sums checked for room first
    aggs.forEach((a, ai) => {
      const bound = sumBound(a, count);
      if (bound > 0) spillCheck(accs[ai]!, groupKeys.length, bound);
      accumulate(a, accs[ai]!, chunk, count, sel, gids, rowsOf, cx, keys.length === 0);
    });
  }
  yield* emit(plan, groupKeys, aggs, accs);
}

/**
 * Group ids for a single integer-valued key (an int2/int4 column, a date, or date_trunc buckets of
 * a timestamp) through a table indexed by key - min, when the chunk's keys span a narrow range.
 * Returns false (nothing done) when the key does not qualify.
 */
/** Group ids of a dense key kept across chunks: table[key - lo] (-1: not seen yet). */
interface DenseTable { lo: number; table: Int32Array }

/** the most entries a dense group table may have (16 MB) */
const DENSE_MAX = 1 << 22;

function denseGroups(spec: KeySpec, chunk: Extract<ColumnChunk, { kind: 'segment' }>, count: number, sel: Uint32Array,
  gids: Int32Array, kv: Datum[], groupOf: (kv: Datum[]) => number, dense: { t: DenseTable | null }): boolean {
  if (spec.kind === 'expr') return false;
  const col = chunk.column(spec.col);
  if (!col || !col.values || (col.kind !== 'i32' && !(col.kind === 'f64' && spec.kind === 'trunc'))) return false;
  const vals = col.values as Int32Array | Float64Array;
  const unit = spec.kind === 'trunc' ? spec.unit : 1;
  const valid = col.valid;
  if (unit === 1 && col.kind === 'i32' && valid === null && dense.t && oneTablePass(vals as Int32Array, sel, count, gids, kv, groupOf, dense.t)) return true;
  const bucket = scratchBuckets(count);
  let lo = Infinity;
  let hi = -Infinity;
  for (let j = 0; j < count; j++) {
    const i = sel[j]!;
    if (valid !== null && (valid[i >> 3]! & (1 << (i & 7))) === 0) { bucket[j] = NaN; continue; }
    const b = unit === 1 ? vals[i]! : Math.floor(vals[i]! / unit);
    bucket[j] = b;
    if (b < lo) lo = b;
    if (b > hi) hi = b;
  }
  if (lo === Infinity) lo = hi = 0;
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return false;
  // one table for the whole query when the keys of all chunks so far span a bounded range,
  // so each distinct key is hashed once, not once per chunk
  let d = dense.t;
  const newLo = d ? Math.min(d.lo, lo) : lo;
  const newHi = d ? Math.max(d.lo + d.table.length - 1, hi) : hi;
  if (newHi - newLo + 1 <= DENSE_MAX) {
    if (!d || newLo < d.lo || newHi > d.lo + d.table.length - 1) {
      const table = new Int32Array(newHi - newLo + 1).fill(-1);
      if (d) table.set(d.table, d.lo - newLo);
      d = dense.t = { lo: newLo, table };
    }
  } else {
    // keys too spread for one table: a table for this chunk only, if its own range is narrow
    if (hi - lo > Math.max(4 * count, 1024)) return false;
    d = { lo, table: new Int32Array(hi - lo + 1).fill(-1) };
  }
  const table = d.table;
  const base = d.lo;
  let nullGroup = -1;
  for (let j = 0; j < count; j++) {
    const b = bucket[j]!;
    if (Number.isNaN(b)) {
      if (nullGroup < 0) { kv[0] = null; nullGroup = groupOf(kv); }
      gids[j] = nullGroup;
      continue;
    }
    let g = table[b - base]!;
    if (g < 0) { kv[0] = b * unit; g = groupOf(kv); table[b - base] = g; }
    gids[j] = g;
  }
  return true;
}

/**
 * Group ids of an int column without NULLs whose values all fall in the query's table: one
 * pass, no buckets (most chunks, once the first ones have sized the table). false: a value
 * fell outside (the caller's two passes redo the chunk).
 */
function oneTablePass(vals: Int32Array, sel: Uint32Array, count: number, gids: Int32Array, kv: Datum[], groupOf: (kv: Datum[]) => number, d: DenseTable): boolean {
  const table = d.table;
  const base = d.lo;
  const len = table.length;
  for (let j = 0; j < count; j++) {
    const off = vals[sel[j]!]! - base;
    if (off < 0 || off >= len) return false;
    let g = table[off]!;
    if (g < 0) { kv[0] = off + base; g = groupOf(kv); table[off] = g; }
    gids[j] = g;
  }
  return true;
}

let identityCache = new Uint32Array(0);
/** 0, 1, ..., n-1 (shared; read only) */
function identity(n: number): Uint32Array {
  if (identityCache.length < n) { identityCache = new Uint32Array(Math.max(n, 4096)); for (let i = 0; i < identityCache.length; i++) identityCache[i] = i; }
  return identityCache.subarray(0, n);
}

function filterChunk(chunk: ColumnChunk, pred: Compiled, rowsOf: (chunk: ColumnChunk, i: number) => Row, cx: ExecContext): ColumnChunk {
  if (chunk.kind === 'rows') return { kind: 'rows', rows: chunk.rows.filter((r) => pred(r, cx) === true) };
  const sel = chunk.sel;
  const kept = new Uint32Array(sel.length);
  let n = 0;
  for (let j = 0; j < sel.length; j++) if (pred(rowsOf(chunk, sel[j]!), cx) === true) kept[n++] = sel[j]!;
  return { kind: 'segment', sel: kept.subarray(0, n), column: chunk.column };
}

function typedView(col: ColumnData | null): (Int32Array | Float64Array | BigInt64Array | null) {
  if (!col || !col.values || col.values instanceof Int8Array) return null;
  return col.values;
}

function accumulate(a: AggSpec, acc: Acc, chunk: ColumnChunk, count: number, sel: Uint32Array, gids: Int32Array,
  rowsOf: (chunk: ColumnChunk, i: number) => Row, cx: ExecContext, oneGroup: boolean): void {
  if (a.kind === 'generic') {
    for (let j = 0; j < count; j++) {
      const row = rowsOf(chunk, sel[j]!);
      const args = a.args.map((f) => f(row, cx));
      if (a.call.agg.strict && args.some((x) => x === null)) continue;
      const g = gids[j]!;
      acc.states[g] = a.call.agg.step(acc.states[g], args);
    }
    return;
  }
  if (a.kind === 'count' && a.col === null) {
    for (let j = 0; j < count; j++) acc.n[gids[j]!]!++;
    return;
  }
  const colIdx = (a as { col: number }).col;
  const col = chunk.kind === 'segment' ? chunk.column(colIdx) : null;
  const valid = col?.valid ?? null;
  const typed = typedView(col);
  const isNull = (i: number): boolean => (chunk.kind === 'rows' ? chunk.rows[i]![colIdx] === null : col === null || (valid !== null && (valid[i >> 3]! & (1 << (i & 7))) === 0));
  const datum = (i: number): Datum => (chunk.kind === 'rows' ? chunk.rows[i]![colIdx] ?? null : col?.datum(i) ?? null);
  switch (a.kind) {
    case 'count':
      for (let j = 0; j < count; j++) if (!isNull(sel[j]!)) acc.n[gids[j]!]!++;
      return;
    case 'countDistinct':
      if (col !== null && col.kind === 'i32' && oneGroup) {
        // one group: the chunk's int32 values go into a roaring bitmap in one native call (as uint32, a bijection)
        const vals = col.values as Int32Array;
        const buf = new Uint32Array(count);
        let m = 0;
        for (let j = 0; j < count; j++) { const i = sel[j]!; if (valid === null || (valid[i >> 3]! & (1 << (i & 7))) !== 0) buf[m++] = vals[i]! >>> 0; }
        (acc.bits ??= new RoaringBitmap32()).addMany(buf.subarray(0, m));
        return;
      }
      for (let j = 0; j < count; j++) { const i = sel[j]!; if (!isNull(i)) acc.sets[gids[j]!]!.add(datum(i)); }
      return;
    case 'min': case 'max': {
      const less = a.kind === 'min';
      for (let j = 0; j < count; j++) {
        const i = sel[j]!;
        if (isNull(i)) continue;
        const v = typed ? typed[i]! : (datum(i) as number | bigint);
        const g = gids[j]!;
        const cur = acc.ext[g];
        if (cur === null || cur === undefined || (less ? v < cur : v > cur)) acc.ext[g] = v;
      }
      return;
    }
    case 'sum': case 'avg': {
      // typed fast path: int2/int4 (i32), exact decimals of this column's scale (dec), float8 (f64)
      const fast = a.fast && typed !== null && (a.arg === 'int' ? col!.kind === 'i32' : a.arg === 'dec' ? col!.kind === 'dec' && col!.scale === a.scale : a.arg === 'float' ? col!.kind === 'f64' : false);
      if (fast) {
        const vals = typed as Int32Array | Float64Array;
        const { n, s } = acc;
        if (valid === null) {
          for (let j = 0; j < count; j++) { const g = gids[j]!; n[g]!++; s[g]! += vals[sel[j]!]!; }
        } else {
          for (let j = 0; j < count; j++) {
            const i = sel[j]!;
            if ((valid[i >> 3]! & (1 << (i & 7))) === 0) continue;
            const g = gids[j]!; n[g]!++; s[g]! += vals[i]!;
          }
        }
        return;
      }
      for (let j = 0; j < count; j++) {
        const i = sel[j]!;
        const v = datum(i);
        if (v === null) continue;
        const g = gids[j]!;
        acc.n[g]!++;
        if (a.arg === 'float' || a.arg === 'int') acc.s[g]! += v as number;
        else if (a.arg === 'int8') acc.big[g]! += v as bigint;
        else {
          const x = v as Numeric;
          if (x.special === null && x.scale <= a.scale) acc.big[g]! += x.digits * 10n ** BigInt(a.scale - x.scale);
          else acc.extra[g] = (acc.extra[g] ?? Numeric.ZERO).add(x);
        }
      }
      return;
    }
  }
}

function* emit(plan: AggregatePlan, groupKeys: Datum[][], aggs: AggSpec[], accs: Acc[]): Generator<Batch> {
  // GROUP BY with no rows: no groups; no GROUP BY: one row even for empty input
  if (groupKeys.length === 0 && plan.groupKeys.length === 0) {
    const r = plan.aggs.map((call) => (call.agg.name === 'count' ? 0n : call.agg.final(call.agg.init())));
    yield [r];
    return;
  }
  let out: Row[] = [];
  for (let g = 0; g < groupKeys.length; g++) {
    const row: Row = [...groupKeys[g]!];
    aggs.forEach((a, ai) => row.push(finalValue(a, accs[ai]!, g)));
    out.push(row);
    if (out.length >= BATCH_SIZE) { yield out; out = []; }
  }
  if (out.length) yield out;
}

function finalValue(a: AggSpec, acc: Acc, g: number): Datum {
  switch (a.kind) {
    case 'count': return BigInt(acc.n[g]!);
    case 'countDistinct': {
      if (!acc.bits) return BigInt(acc.sets[g]!.size);
      // values read row by row (memtable) went to the set; count the union
      let n = acc.bits.size;
      for (const v of acc.sets[g]!) if (!acc.bits.has((v as number) >>> 0)) n++;
      return BigInt(n);
    }
    case 'min': case 'max': return acc.ext[g] ?? null;
    case 'generic': return a.call.agg.final(acc.states[g]);
    case 'sum': case 'avg': {
      const n = acc.n[g]!;
      if (n === 0) return null;
      if (a.arg === 'float') return a.kind === 'sum' ? acc.s[g]! : acc.s[g]! / n;
      const total = acc.big[g]! + BigInt(acc.s[g]!);
      let sum: Numeric;
      if (a.arg === 'int') {
        if (a.kind === 'sum') {
          if (total > 9223372036854775807n || total < -9223372036854775808n) throw new SqlError(SqlState.NumericValueOutOfRange, 'bigint out of range');
          return total;
        }
        sum = Numeric.fromBigInt(total);
      } else if (a.arg === 'int8') {
        sum = Numeric.fromBigInt(total);
      } else {
        sum = Numeric.of(total, a.scale);
        const extra = acc.extra[g];
        if (extra) sum = sum.add(extra);
      }
      return a.kind === 'sum' ? sum : sum.div(Numeric.fromInt(n));
    }
  }
}
