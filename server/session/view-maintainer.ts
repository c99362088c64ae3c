// Keeps materialized views up to date: one process (the one doing storage maintenance) runs
// every view's circuit. A round reads one snapshot, takes each input table's binlog entries
// since the last round as deltas, steps all circuits (upstream views first, so a view on a view
// gets its input's change in the same round), and writes all views' changes plus the binlog
// positions they reached in one commit: every reader sees all views at the same input state.
//
// Operator state (dataflow/state) is written at checkpoints (every second) in such a commit,
// with the positions it reflects: after a restart (clean or kill -9) a view resumes from its
// stored state, the input since the checkpoint is replayed into it without output (the view's
// rows have it), and rounds go on from the views' positions, with no recomputation. A view is built
// from a snapshot of its inputs only when it is new, or when its stored state cannot be used
// (not finished building, an upstream view rebuilt, a circuit of another shape); then its stored
// rows are corrected to the result.
import type { Row } from '../../core/datum.js';
import { T } from '../../core/types.js';
import { consolidate, consolidateChange, emptyDelta, push, rowKey, RowBag, type Delta } from '../../core/delta.js';
import { DEFAULT_VALUE_SETTINGS } from '../../core/values/settings.js';
import { encodeKey } from '../../storage/key-codec.js';
import type { Store, StoredRelation, RowWrite, ReadSnapshot, StateWrite } from '../../storage/store.js';
import type { Catalog } from '../../catalog/catalog.js';
import { liveColumns, type RelationDef } from '../../catalog/model.js';
import type { Plan } from '../../expr/plan.js';
import { buildCircuit, type Circuit } from '../../dataflow/build.js';
import { dataflowEnv, type StepContext } from '../../dataflow/context.js';
import { StateStore, type StateBackend } from '../../dataflow/state/state-store.js';
import { sinkConnector, type SinkConnector } from '../../connectors/sinks.js';
import { errorsNote } from './txn.js';
import { binlogDelta, deltaContents, relationContents, type RelationContents } from './relation-changes.js';
import { watermarkCounter } from './source-runner.js';
import { intoTableWrites, isIntoSink } from './sink-into.js';

export interface MaintainerHost {
  readonly store: Store;
  /** the current catalog (reloaded from storage when another process changed it) */
  currentCatalog(): Catalog;
  storedRel(rel: RelationDef): StoredRelation;
  /** the plan of a materialized view's query */
  viewPlan(rel: RelationDef): Plan;
  /** a number never handed out before (durable blocks: unique across restarts) */
  rowId(): bigint;
}

/** what a view's maintenance looks like from outside (eddy_materialized_views) */
export interface ViewProgress {
  state: 'backfilling' | 'running';
  /** how this process started the view's dataflow: built from its inputs, or resumed from stored state */
  started: 'built' | 'resumed';
  backfillDone: number;
  backfillTotal: number;
  backfillMs: number;
}

/** operator state rows a view keeps in memory (the rest is read from storage when needed) */
const DEFAULT_STATE_CACHE_ROWS = 100_000;

/**
 * How often operator state is written (a checkpoint): in between, rounds commit view rows and
 * positions only, and state changes gather in memory, so that a page of state is written once
 * per checkpoint rather than once per round. After a crash, the input since the last checkpoint
 * is replayed into the state (not into the views, which have it).
 */
const DEFAULT_CHECKPOINT_MS = 1000;

/** input rows after which a backfill commits the operator state it has built so far */
const BACKFILL_COMMIT_ROWS = 200_000;

interface ViewRuntime {
  readonly rel: RelationDef;
  readonly circuit: Circuit;
  readonly progress: ViewProgress;
  /** rows the view holds (its rows themselves live only in storage) */
  rows: number;
  /** evaluation errors of rows currently in its inputs, as [sqlstate, message] rows */
  readonly errors: RowBag;
  /** a sink's connector (its changes go there instead of storage) */
  readonly sink: SinkConnector | null;
  /** a sink INTO a table: its changes become partial-column upserts of that table (sink-into.ts) */
  readonly into: boolean;
}

/** what this maintainer runs: materialized views and sinks */
const maintained = (r: RelationDef): boolean => r.kind === 'matview' || r.kind === 'sink';

/** persisted counters: how far views have consumed a table's binlog, and which views have been built */
export const positionCounter = (tableOid: number): string => `mv:pos:${tableOid}`;
export const readyCounter = (viewOid: number): string => `mv:ready:${viewOid}`;
/** how far the stored operator state has consumed a table's binlog (the last checkpoint) */
export const statePositionCounter = (tableOid: number): string => `mv:spos:${tableOid}`;
/** rows a view holds, and the shape of the circuit whose state is stored (see Circuit.shape) */
const rowsCounter = (viewOid: number): string => `mv:rows:${viewOid}`;
const shapeNote = (viewOid: number): string => `mv:shape:${viewOid}`;


/** a view row's key: its identity, then a unique number (one key per copy of the row) */
const KEY_TYPES = [T.text, T.int8];
const PREFIX_TYPES = [T.text];

export class ViewMaintainer {
  private readonly runtimes = new Map<number, ViewRuntime>();
  /** binlog sequence number up to which the running views have consumed each input table */
  private readonly positions = new Map<number, number>();
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** counters for tests and monitoring */
  readonly stats = { rounds: 0, errors: 0, checkpoints: 0 };
  lastError: unknown = null;

  /** operator state is read from the latest committed state (only this process writes it) */
  private readonly backend: StateBackend;
  /** whether stored state of views that no longer exist has been looked for (once per process) */
  private swept = false;
  /** when operator state was last written (a checkpoint) */
  private lastCheckpoint = 0;
  /** resumed views' state lags their rows: per table, the binlog position their rows reached (replayed without output first) */
  private readonly replayTo = new Map<number, number>();

  constructor(private readonly host: MaintainerHost, private readonly pollMs = 50, private readonly stateCacheRows = DEFAULT_STATE_CACHE_ROWS,
    private readonly checkpointMs = DEFAULT_CHECKPOINT_MS) {
    const store = host.store;
    this.backend = { get: (k) => store.stateGet(k), range: (p) => store.stateRange(p) };
  }

  /** polls for commits of other processes; commits of this process kick a round directly */
  start(): void {
    this.timer = setInterval(() => { if (this.hasViews() && this.behind()) void this.kick(); }, this.pollMs);
    this.timer.unref();
    if (this.hasViews()) void this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.wakeup) clearTimeout(this.wakeup);
    await this.running?.catch(() => undefined);
    // a clean stop leaves no input to replay: the state of what the views hold is written
    if (this.runtimes.size && this.replayTo.size === 0) {
      const state: StateWrite[] = [];
      const counters = new Map<string, number>();
      for (const rt of this.runtimes.values()) rt.circuit.state.flush(state);
      for (const [t, pos] of this.positions) counters.set(statePositionCounter(t), pos);
      await this.host.store.commit({ rows: [], state, counters, durable: true });
    }
    await Promise.all([...this.runtimes.values()].map((rt) => rt.sink?.close?.()));
  }

  /**
   * Binlog entries of a table committed but not yet consumed by the running views (0 when no
   * running view reads it): the source runner holds back while it is large, so that a round's
   * input (read whole into memory) stays bounded when ingestion outruns maintenance.
   */
  backlog(tableOid: number): number {
    const pos = this.positions.get(tableOid);
    return pos === undefined ? 0 : Math.max(0, this.host.store.binlogHead(tableOid) - pos);
  }

  hasViews(): boolean {
    return this.host.currentCatalog().relations().some(maintained);
  }

  /** whether an input table has binlog entries no round has consumed, or a view is not built */
  private behind(): boolean {
    const catalog = this.host.currentCatalog();
    for (const r of catalog.relations()) if (maintained(r) && !this.runtimes.has(r.oid)) return true;
    for (const [t, pos] of this.positions) if (this.host.store.binlogHead(t) > pos) return true;
    return false;
  }

  /** Runs a round soon; resolves when a round that started after this call has finished. */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running.then(() => this.kick());
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.round();
        } while (this.again && !this.stopped);
      } catch (err) {
        this.stats.errors++;
        this.lastError = err;
        process.stderr.write(`materialized view maintenance failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  private async round(): Promise<void> {
    const catalog = this.host.currentCatalog();
    const views = upstreamFirst(catalog.relations().filter(maintained), (oid) => this.inputsOf(oid, catalog));
    const live = new Set(views.map((v) => v.oid));
    const store = this.host.store;
    // the state of dropped views goes with the next commit (a restart finds what a crash left)
    const clearState: Buffer[] = [];
    for (const [oid, rt] of [...this.runtimes]) if (!live.has(oid)) { this.runtimes.delete(oid); void rt.sink?.close?.(); clearState.push(StateStore.ownerPrefix(oid)); }
    if (!this.swept) {
      this.swept = true;
      for (const oid of store.stateOwners()) if (!live.has(oid)) clearState.push(StateStore.ownerPrefix(oid));
    }
    if (views.length === 0) {
      this.positions.clear();
      if (clearState.length) await store.commit({ rows: [], clearState, durable: false });
      return;
    }
    this.stats.rounds++;
    const counters = new Map<string, number>();
    const notes = new Map<string, unknown>();
    const snap = store.snapshot();
    try {
      const fresh = new Set<number>();
      // views resume from stored state only when none is running (start-up, or after a failed
      // round): all of them replay the same input since the last checkpoint
      const startup = this.runtimes.size === 0;
      for (const v of views) {
        if (this.runtimes.has(v.oid)) continue;
        const circuit = buildCircuit(this.host.viewPlan(v), new StateStore(v.oid, this.backend, this.stateCacheRows));
        const rt: ViewRuntime = {
          rel: v, circuit, rows: 0, errors: new RowBag(),
          sink: v.kind === 'sink' && !isIntoSink(v.options) ? sinkConnector(v.options, liveColumns(v)) : null, into: v.kind === 'sink' && isIntoSink(v.options),
          progress: { state: 'backfilling', started: 'built', backfillDone: 0, backfillTotal: 0, backfillMs: 0 },
        };
        this.runtimes.set(v.oid, rt);
        if (startup && this.resume(rt, fresh, catalog, snap)) continue;
        fresh.add(v.oid);
        notes.set(shapeNote(v.oid), circuit.shape);
      }
      // whatever state a view being built has stored (an unfinished build) goes first: its
      // backfill commits state as it goes, so that memory stays bounded while it runs
      if (fresh.size) await store.commit({ rows: [], clearState: [...fresh].map((oid) => StateStore.ownerPrefix(oid)), durable: false });
      const tables = new Set<number>();
      for (const rt of this.runtimes.values()) for (const i of rt.circuit.inputs) if (catalog.relationByOid(i)?.kind !== 'matview') tables.add(i);
      const heads = new Map<number, number>();
      for (const t of tables) heads.set(t, store.binlogHead(t, snap));
      const tableDeltas = new Map<number, Delta>();
      const commitTimes = new Set<number>();
      for (const t of tables) {
        const pos = this.positions.get(t);
        if (pos !== undefined && heads.get(t)! > pos) tableDeltas.set(t, this.changes(t, catalog, pos, snap, commitTimes));
      }

      const env = dataflowEnv({ settings: DEFAULT_VALUE_SETTINGS, txnTimestamp: Date.now() * 1000, now: () => Date.now() * 1000 });
      if (this.replayTo.size) this.replay(views, fresh, catalog, snap, env, tableDeltas, commitTimes, heads);
      // sources' watermarks as of the snapshot: operators drop state no late row can reach
      const watermarks = new Map<number, number>();
      for (const t of tables) { const w = store.counter(watermarkCounter(t), snap); if (w !== undefined) watermarks.set(t, w); }
      const viewDeltas = new Map<number, Delta>();
      const writes: RowWrite[] = [];
      const sinkChanges: [SinkConnector, Delta][] = [];
      const intoChanges: { sink: RelationDef; delta: Delta }[] = [];
      for (const v of views) {
        const rt = this.runtimes.get(v.oid)!;
        const isFresh = fresh.has(v.oid);
        const errors = emptyDelta();
        let out: Delta;
        if (isFresh) {
          const contents = new Map<number, RelationContents>();
          for (const i of rt.circuit.inputs) {
            const rel = catalog.relationByOid(i)!;
            contents.set(i, rel.kind === 'matview' ? deltaContents(this.viewContents(rel, fresh.has(i), viewDeltas.get(i), snap)) : relationContents(this.host.store, this.host.storedRel(rel), rel, snap));
          }
          out = await this.backfill(rt, contents, env, errors, watermarks);
        } else {
          const inputs = new Map<number, Delta>();
          for (const i of rt.circuit.inputs) inputs.set(i, (catalog.relationByOid(i)!.kind === 'matview' ? viewDeltas.get(i) : tableDeltas.get(i)) ?? emptyDelta());
          out = consolidateChange(rt.circuit.root.step({ inputs, initial: false, env, errors, watermarks }));
        }
        for (let i = 0; i < errors.rows.length; i++) rt.errors.add(errors.rows[i]!, errors.weights[i]!);
        if (isFresh || errors.rows.length > 0) {
          const list = [...rt.errors].map((x) => [x.row[0], x.row[1], x.count]);
          notes.set(errorsNote(v.oid), list.length ? list : undefined);
        }
        viewDeltas.set(v.oid, out);
        if (rt.sink || rt.into) {
          // a sink's change goes to its connector or its target table, not to storage
          for (const w of out.weights) rt.rows += Math.abs(w);
          if (out.rows.length) { if (rt.sink) sinkChanges.push([rt.sink, out]); else intoChanges.push({ sink: v, delta: out }); }
          if (isFresh) counters.set(readyCounter(v.oid), 1);
          continue;
        }
        const sr = this.host.storedRel(v);
        if (isFresh) {
          rt.rows = out.weights.reduce((n, w) => n + w, 0);
          this.reconcile(sr, out, snap, writes);
          counters.set(readyCounter(v.oid), 1);
        } else {
          for (let i = 0; i < out.rows.length; i++) {
            const w = out.weights[i]!;
            rt.rows += w;
            this.rowWrites(sr, rowKey(out.rows[i]!), out.rows[i]!, w, snap, writes);
          }
        }
      }
      if (intoChanges.length) intoTableWrites(intoChanges, catalog, store, (r) => this.host.storedRel(r), snap, writes);
      for (const t of tables) { this.positions.set(t, heads.get(t)!); counters.set(positionCounter(t), heads.get(t)!); }
      for (const t of [...this.positions.keys()]) if (!tables.has(t)) this.positions.delete(t);
      for (const rt of this.runtimes.values()) counters.set(rowsCounter(rt.rel.oid), rt.rows);
      // a checkpoint: every view's state, consistent with the positions of this round (a new
      // view's state is complete only with it, and the positions are shared by all views)
      const state: StateWrite[] = [];
      const checkpoint = fresh.size > 0 || Date.now() - this.lastCheckpoint >= this.checkpointMs;
      if (checkpoint) {
        for (const rt of this.runtimes.values()) rt.circuit.state.flush(state);
        for (const t of tables) counters.set(statePositionCounter(t), heads.get(t)!);
        this.lastCheckpoint = Date.now();
        this.stats.checkpoints++;
      }
      snap.done();
      // sinks get the round's change before the commit that moves their positions: after a crash
      // in between they get it again (at least once), never not at all
      for (const [sink, change] of sinkChanges) await sink.write(change);
      // not waiting for the disk: a machine crash may lose the last rounds, but views, their
      // state and positions are in one commit, so what survives is consistent and resumes
      await store.commit({ rows: writes, counters, notes, state, clearState, durable: false });
      for (const rt of this.runtimes.values()) rt.circuit.state.committed();
      this.scheduleWakeup();
      const visible = Date.now();
      for (const ts of commitTimes) this.delays.push(visible - ts / 1000);
      if (this.delays.length > 20_000) this.delays.splice(0, this.delays.length - 10_000);
    } catch (err) {
      // cached state may be ahead of storage now: the next round resumes from stored state
      for (const rt of this.runtimes.values()) void rt.sink?.close?.();
      this.runtimes.clear();
      this.positions.clear();
      this.replayTo.clear();
      throw err;
    } finally {
      snap.done();
    }
  }

  /**
   * Whether a view can continue from its stored state: it was built, its circuit has the shape
   * of the stored state, no view it reads is being rebuilt, and the positions of its input
   * tables are stored (they are those of the state). Sets its row count, errors and positions.
   */
  private resume(rt: ViewRuntime, fresh: ReadonlySet<number>, catalog: Catalog, snap: ReadSnapshot): boolean {
    const store = this.host.store;
    const oid = rt.rel.oid;
    if (store.counter(readyCounter(oid), snap) === undefined || store.note(shapeNote(oid), snap) !== rt.circuit.shape) return false;
    const positions = new Map<number, [number, number]>();
    for (const i of rt.circuit.inputs) {
      const rel = catalog.relationByOid(i);
      if (!rel) return false;
      if (rel.kind === 'matview') { if (fresh.has(i)) return false; continue; }
      const rows = store.counter(positionCounter(i), snap);
      const state = store.counter(statePositionCounter(i), snap);
      if (rows === undefined || state === undefined || state > rows) return false;
      positions.set(i, [state, rows]);
    }
    for (const [t, [state, rows]] of positions) {
      if (this.positions.has(t)) continue;
      this.positions.set(t, state);
      if (rows > state) this.replayTo.set(t, rows);
    }
    rt.rows = store.counter(rowsCounter(oid), snap) ?? 0;
    const errs = store.note(errorsNote(oid), snap) as [string, string, number][] | undefined;
    for (const [code, msg, n] of errs ?? []) rt.errors.add([code, msg], n);
    rt.progress.state = 'running';
    rt.progress.started = 'resumed';
    return true;
  }

  /**
   * After a restart: the input between the last checkpoint and what the views hold is stepped
   * through the resumed circuits (upstream views first, as in a round) so their state catches
   * up; their output and errors are dropped, the views' rows and error counts have them.
   */
  private replay(views: readonly RelationDef[], fresh: ReadonlySet<number>, catalog: Catalog, snap: ReadSnapshot, env: StepContext['env'],
    tableDeltas: Map<number, Delta>, commitTimes: Set<number>, heads: ReadonlyMap<number, number>): void {
    const deltas = new Map<number, Delta>();
    for (const [t, to] of this.replayTo) {
      const from = this.positions.get(t)!;
      deltas.set(t, this.changes(t, catalog, from, snap, undefined, to));
      this.positions.set(t, to);
      // this round's change of the table starts where the views' rows are
      tableDeltas.delete(t);
      if (heads.get(t)! > to) tableDeltas.set(t, this.changes(t, catalog, to, snap, commitTimes));
    }
    this.replayTo.clear();
    const outputs = new Map<number, Delta>();
    for (const v of views) {
      if (fresh.has(v.oid)) continue;
      const rt = this.runtimes.get(v.oid)!;
      const inputs = new Map<number, Delta>();
      for (const i of rt.circuit.inputs) inputs.set(i, (catalog.relationByOid(i)?.kind === 'matview' ? outputs.get(i) : deltas.get(i)) ?? emptyDelta());
      outputs.set(v.oid, consolidate(rt.circuit.root.step({ inputs, initial: false, env, errors: emptyDelta() })));
    }
  }

  /**
   * A new view's first step: its inputs' contents fed in chunks (the result is the same as one
   * step: every operator is incremental), with progress recorded and the event loop served
   * between chunks. Returns the view's whole output.
   */
  private async backfill(rt: ViewRuntime, inputs: ReadonlyMap<number, RelationContents>, env: StepContext['env'], errors: Delta, watermarks: ReadonlyMap<number, number>): Promise<Delta> {
    const p = rt.progress;
    const started = Date.now();
    p.state = 'backfilling';
    p.backfillDone = 0;
    p.backfillTotal = [...inputs.values()].reduce((n, d) => n + d.total, 0);
    const out = emptyDelta();
    let initial = true;
    let lastYield = Date.now();
    let committedAt = 0;
    const step = (oid: number | null, part: Delta): void => {
      const d = rt.circuit.root.step({ inputs: oid === null ? new Map() : new Map([[oid, part]]), initial, env, errors, watermarks });
      initial = false;
      for (let i = 0; i < d.rows.length; i++) push(out, d.rows[i]!, d.weights[i]!);
    };
    for (const [oid, input] of inputs) {
      for (const part of input.chunks()) {
        step(oid, part);
        p.backfillDone += part.rows.length;
        if (p.backfillDone - committedAt >= BACKFILL_COMMIT_ROWS) {
          // operator state so far to storage (the view is not ready yet: a crash rebuilds it)
          const state: StateWrite[] = [];
          rt.circuit.state.flush(state);
          await this.host.store.commit({ rows: [], state, durable: false });
          rt.circuit.state.committed();
          committedAt = p.backfillDone;
          lastYield = Date.now();
        }
        if (Date.now() - lastYield > 50) { await new Promise((r) => setImmediate(r)); lastYield = Date.now(); }
      }
    }
    // a view without input rows still takes its first step (constants, a global aggregate's row)
    if (initial) step(null, emptyDelta());
    p.state = 'running';
    p.backfillMs = Date.now() - started;
    return consolidate(out);
  }

  /** progress of the views this process maintains */
  progress(viewOid: number): (ViewProgress & { rows: number; errors: number; stateRows: number }) | null {
    const rt = this.runtimes.get(viewOid);
    if (!rt) return null;
    let errors = 0;
    for (const e of rt.errors) errors += e.count;
    return { ...rt.progress, rows: rt.rows, errors, stateRows: rt.circuit.stateSize() };
  }

  private wakeup: NodeJS.Timeout | null = null;

  /** whether a temporal filter has rows whose time is up (a round would retract them) */
  due(): boolean {
    const now = Date.now() * 1000;
    for (const rt of this.runtimes.values()) { const w = rt.circuit.nextWakeup(); if (w !== null && w <= now) return true; }
    return false;
  }

  /** temporal filters retract rows as time passes: step again when the next row expires */
  private scheduleWakeup(): void {
    let t: number | null = null;
    for (const rt of this.runtimes.values()) { const w = rt.circuit.nextWakeup(); if (w !== null && (t === null || w < t)) t = w; }
    if (this.wakeup) { clearTimeout(this.wakeup); this.wakeup = null; }
    if (t === null || this.stopped) return;
    this.wakeup = setTimeout(() => { this.wakeup = null; void this.kick(); }, Math.max(0, Math.ceil(t / 1000 - Date.now())) + 1);
    this.wakeup.unref();
  }

  private inputsOf(oid: number, catalog: Catalog): number[] {
    const rt = this.runtimes.get(oid);
    if (rt) return [...rt.circuit.inputs];
    // not built yet: the relations its definition reads, recorded at CREATE
    return [...(catalog.relationByOid(oid)?.dependsOn ?? [])];
  }

  /** a table's binlog entries after `after` (up to `upTo`) as a delta of live-column rows */
  private changes(oid: number, catalog: Catalog, after: number, snap: ReadSnapshot, commitTimes?: Set<number>, upTo = Infinity): Delta {
    const rel = catalog.relationByOid(oid)!;
    return binlogDelta(this.host.store, this.host.storedRel(rel), rel, after, snap, commitTimes, upTo);
  }

  /** delays (ms) from input commits to their effect being visible in the views, most recent last */
  private readonly delays: number[] = [];

  /** freshness: percentiles of the delay from an input commit to its effect in the views */
  freshness(): { p50: number; p99: number; commits: number } | null {
    if (this.delays.length === 0) return null;
    const s = [...this.delays].sort((a, b) => a - b);
    const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
    return { p50: at(0.5), p99: at(0.99), commits: s.length };
  }

  /** forgets the freshness samples (benchmarks measure one phase at a time) */
  resetFreshness(): void { this.delays.length = 0; }

  /**
   * A view that reads another view starts from the other's rows after this round: its full
   * output when it was built in this round too, else its stored rows plus this round's change.
   */
  private viewContents(rel: RelationDef, upstreamFresh: boolean, change: Delta | undefined, snap: ReadSnapshot): Delta {
    if (upstreamFresh) return change ?? emptyDelta();
    const d = emptyDelta();
    for (const [, row] of this.host.store.scan(this.host.storedRel(rel), undefined, snap)) push(d, row, 1);
    if (change) for (let i = 0; i < change.rows.length; i++) push(d, change.rows[i]!, change.weights[i]!);
    return consolidate(d);
  }

  /** writes that turn a view's stored rows into `target` (a consolidated delta of positive counts) */
  private reconcile(sr: StoredRelation, target: Delta, snap: ReadSnapshot, writes: RowWrite[]): void {
    const stored = new Map<string, { row: Row; keys: Buffer[] }>();
    for (const [key, row] of this.host.store.scan(sr, undefined, snap)) {
      const rk = rowKey(row);
      const e = stored.get(rk);
      if (e) e.keys.push(key); else stored.set(rk, { row, keys: [key] });
    }
    const want = new Map<string, number>();
    for (let i = 0; i < target.rows.length; i++) {
      const rk = rowKey(target.rows[i]!);
      want.set(rk, target.weights[i]!);
      const have = stored.get(rk)?.keys.length ?? 0;
      for (let n = have; n < target.weights[i]!; n++) writes.push({ rel: sr, key: this.newKey(sr, rk), row: target.rows[i]!, fresh: true });
    }
    for (const [rk, e] of stored) {
      const keep = want.get(rk) ?? 0;
      for (const key of e.keys.slice(keep)) writes.push({ rel: sr, key, row: null });
    }
  }

  /**
   * Stores a change of a view row's count. Each copy of a row is stored under its own key: the
   * row's identity and a number never used before, so an insert needs no lookup; a delete finds
   * the keys of the row's copies by the identity prefix.
   */
  private rowWrites(sr: StoredRelation, rk: string, row: Row, weight: number, snap: ReadSnapshot, writes: RowWrite[]): void {
    for (let n = 0; n < weight; n++) writes.push({ rel: sr, key: this.newKey(sr, rk), row, fresh: true });
    if (weight < 0) {
      const keys = this.host.store.keysWithPrefix(sr, encodeKey(sr.oid, PREFIX_TYPES, [rk]), -weight, snap);
      if (keys.length < -weight) throw new Error(`materialized view ${sr.name} holds ${keys.length} copies of a row its dataflow retracts ${-weight} times`);
      for (const key of keys) writes.push({ rel: sr, key, row: null });
    }
  }

  private newKey(sr: StoredRelation, rk: string): Buffer {
    return encodeKey(sr.oid, KEY_TYPES, [rk, this.host.rowId()]);
  }
}

/** views ordered so that every view comes after the views it reads */
function upstreamFirst(views: RelationDef[], inputsOf: (oid: number) => number[]): RelationDef[] {
  const byOid = new Map(views.map((v) => [v.oid, v]));
  const out: RelationDef[] = [];
  const state = new Map<number, 'visiting' | 'done'>();
  const visit = (v: RelationDef): void => {
    if (state.get(v.oid)) return;
    state.set(v.oid, 'visiting');
    for (const i of inputsOf(v.oid)) { const u = byOid.get(i); if (u && !state.get(i)) visit(u); }
    state.set(v.oid, 'done');
    out.push(v);
  };
  for (const v of views) visit(v);
  return out;
}

/** a new view's input: its rows in chunks, and how many there are (for progress) */
