// SUBSCRIBE (Materialize's syntax): the changes of a relation or query, as they commit, as rows
// (eddy_timestamp, [eddy_progressed,] eddy_diff, columns...). A subscription is a dataflow circuit
// of its own, with its state in memory, that follows the binlogs of the relations the query
// reads: it starts from a snapshot of their contents (emitted when SNAPSHOT = true, the default)
// and then steps once per commit, in commit order. It reads the binlogs only when its consumer
// asks for rows (FETCH, or a COPY stream the socket has room for), so a slow subscriber never
// slows ingestion; one that falls behind the binlog retention gets an error that says so.
//
// eddy_timestamp is the commit time in microseconds since 1970 (non-decreasing along the
// stream); AS OF t starts at time t: the contents then are the contents now less the changes
// committed after t, which the binlogs must still hold.
import type { Datum, Row } from '../../core/datum.js';
import { SqlError, SqlState } from '../../core/errors.js';
import { T } from '../../core/types.js';
import { consolidate, emptyDelta, push, type Delta } from '../../core/delta.js';
import { DEFAULT_VALUE_SETTINGS } from '../../core/values/settings.js';
import type { Store, StoredRelation, ReadSnapshot, BinlogEntry } from '../../storage/store.js';
import type { Catalog } from '../../catalog/catalog.js';
import type { RelationDef } from '../../catalog/model.js';
import type { Plan } from '../../expr/plan.js';
import { buildCircuit, type Circuit } from '../../dataflow/build.js';
import { dataflowEnv, type StepContext } from '../../dataflow/context.js';
import { StateStore } from '../../dataflow/state/state-store.js';
import { binlogChanges, eventWeight, relationContents } from './relation-changes.js';
import { watermarkCounter } from './source-runner.js';
import type { ResultColumn } from './types.js';

export interface SubscribeOptions {
  /** emit the contents at the start (default true) */
  readonly snapshot: boolean;
  /** emit progress rows (eddy_progressed = true): no later row has a smaller timestamp */
  readonly progress: boolean;
  /** start at this commit time (µs) instead of now */
  readonly asOf: number | null;
}

/** who reads a subscription (eddy_subscriptions) */
export interface SubscriptionInfo {
  readonly pid: number;
  /** the cursor it is read through; null: COPY */
  readonly cursor: string | null;
  readonly query: string;
}

export interface SubscriptionHost {
  readonly store: Store;
  readonly catalog: Catalog;
  storedRel(rel: RelationDef): StoredRelation;
}

/** binlog entries a poll reads per relation at most (the rest waits for the next poll) */
const MAX_ENTRIES_PER_POLL = 100_000;
/** rows a subscription holds for its consumer at most (EDDY_SUBSCRIBE_BUFFER_ROWS) */
const MAX_PENDING_ROWS = Number(process.env['EDDY_SUBSCRIBE_BUFFER_ROWS'] ?? 1_000_000);

/** one row change of an input relation */
interface Change { readonly oid: number; readonly commitTs: number; readonly row: Row; readonly weight: number }
/** how often an idle subscription looks for new commits */
const POLL_MS = 20;

let nextId = 1;

export class Subscription {
  readonly id = nextId++;
  readonly columns: readonly ResultColumn[];
  readonly startedAt = Date.now();
  /** rows handed to the consumer so far */
  delivered = 0;
  private readonly circuit: Circuit;
  private readonly inputs: Map<number, { rel: RelationDef; sr: StoredRelation }>;
  /** per input relation, the binlog position consumed */
  private readonly positions = new Map<number, number>();
  private readonly pending: Row[] = [];
  /** how many of `pending` were handed out already */
  private pendingAt = 0;
  private lastTs = 0;
  private started = false;
  private closed = false;
  private readonly env: StepContext['env'];

  constructor(private readonly host: SubscriptionHost, plan: Plan, queryColumns: readonly ResultColumn[], private readonly opts: SubscribeOptions) {
    this.circuit = buildCircuit(plan, new StateStore(0, null));
    this.inputs = new Map();
    for (const oid of this.circuit.inputs) {
      const rel = host.catalog.relationByOid(oid);
      if (!rel) throw new SqlError(SqlState.UndefinedTable, `relation with OID ${oid} does not exist`);
      this.inputs.set(oid, { rel, sr: host.storedRel(rel) });
    }
    const meta = (name: string, type: ResultColumn['type']): ResultColumn => ({ name, type, tableOid: 0, attnum: 0 });
    this.columns = [meta('eddy_timestamp', T.int8), ...(opts.progress ? [meta('eddy_progressed', T.bool)] : []), meta('eddy_diff', T.int8), ...queryColumns];
    this.env = dataflowEnv({ settings: DEFAULT_VALUE_SETTINGS, txnTimestamp: Date.now() * 1000, now: () => Date.now() * 1000 });
  }

  /**
   * Up to `max` rows; waits until there is at least one, or `timeoutMs` passed (null: no limit).
   * `check` throws when the consumer is gone or canceled the statement.
   */
  async next(max: number, timeoutMs: number | null, check: () => void): Promise<Row[]> {
    const deadline = timeoutMs === null ? Infinity : Date.now() + timeoutMs;
    for (;;) {
      if (this.closed) throw new SqlError(SqlState.InvalidCursorState, 'the subscription is closed');
      if (this.waiting() > 0) {
        const rows = this.pending.slice(this.pendingAt, this.pendingAt + Math.max(1, Math.min(max, this.waiting())));
        this.pendingAt += rows.length;
        // the rows handed out go once they are most of the buffer (small FETCHes stay cheap)
        if (this.pendingAt > 4096 && this.pendingAt * 2 > this.pending.length) { this.pending.splice(0, this.pendingAt); this.pendingAt = 0; }
        this.delivered += rows.length;
        return rows;
      }
      check();
      if (!this.started) await this.start();
      else this.poll();
      if (this.waiting() > 0) continue;
      const left = deadline - Date.now();
      if (left <= 0) return [];
      await new Promise((r) => setTimeout(r, Math.min(POLL_MS, left)));
    }
  }

  close(): void {
    this.closed = true;
    this.pending.length = 0;
    this.pendingAt = 0;
  }

  /** rows emitted and not yet handed out */
  private waiting(): number { return this.pending.length - this.pendingAt; }

  /** the snapshot: every input's contents (as of AS OF), stepped through the circuit in chunks */
  private async start(): Promise<void> {
    this.started = true;
    const store = this.host.store;
    const snap = store.snapshot();
    const out = emptyDelta();
    const later: Change[] = [];
    let t0 = this.opts.asOf ?? 0;
    try {
      let initial = true;
      const step = (inputs: Map<number, Delta>): void => {
        const d = this.step(inputs, initial, snap);
        initial = false;
        for (let i = 0; i < d.rows.length; i++) push(out, d.rows[i]!, d.weights[i]!);
      };
      let lastYield = Date.now();
      for (const [oid, { rel, sr }] of this.inputs) {
        const head = store.binlogHead(oid, snap);
        this.positions.set(oid, head);
        for (const part of relationContents(store, sr, rel, snap).chunks()) {
          step(new Map([[oid, part]]));
          if (Date.now() - lastYield > 50) { await new Promise((r) => setImmediate(r)); lastYield = Date.now(); }
        }
        if (this.opts.asOf !== null) {
          // AS OF: back out what committed after it; those changes are replayed as updates below
          const after = this.changesAfter(oid, rel, sr, this.opts.asOf, head, snap);
          later.push(...after);
          const undo = emptyDelta();
          for (const c of after) push(undo, c.row, -c.weight);
          if (undo.rows.length) step(new Map([[oid, undo]]));
        } else if (head > 0) {
          // the snapshot's time: the latest commit it holds
          for (const e of store.binlog(sr, head - 1, snap)) { t0 = Math.max(t0, e.commitTs); break; }
        }
      }
      if (initial) step(new Map());
    } finally {
      snap.done();
    }
    if (t0 === 0) t0 = Date.now() * 1000;
    this.lastTs = t0;
    if (this.opts.snapshot) this.emit(consolidate(out), t0);
    if (later.length) this.replay(later);
    if (this.opts.progress) this.emitProgress();
  }

  /** the changes of `rel` committed after `asOf`, up to `head`; an error if the binlog no longer reaches back that far */
  private changesAfter(oid: number, rel: RelationDef, sr: StoredRelation, asOf: number, head: number, snap: ReadSnapshot): Change[] {
    const out: Change[] = [];
    let first = true;
    for (const e of binlogChanges(this.host.store, sr, rel, 0, snap, head)) {
      if (first && e.seq > 1 && e.commitTs > asOf) throw behindRetention(rel);
      first = false;
      if (e.commitTs > asOf) out.push(change(oid, e));
    }
    if (first && head > 0) throw behindRetention(rel);
    return out;
  }

  /** reads the inputs' new binlog entries and steps the circuit once per commit */
  private poll(): void {
    const store = this.host.store;
    const entries: Change[] = [];
    let caughtUp = true;
    const snap = store.snapshot();
    try {
      for (const [oid, { rel, sr }] of this.inputs) {
        const pos = this.positions.get(oid)!;
        const head = store.binlogHead(oid, snap);
        if (head <= pos) continue;
        const upTo = Math.min(head, pos + MAX_ENTRIES_PER_POLL);
        if (upTo < head) caughtUp = false;
        let expect = pos + 1;
        for (const e of binlogChanges(store, sr, rel, pos, snap, upTo)) {
          if (e.seq !== expect) throw behindRetention(rel);
          expect++;
          entries.push(change(oid, e));
        }
        if (expect <= upTo) throw behindRetention(rel);
        this.positions.set(oid, upTo);
      }
      if (entries.length) this.replay(entries, snap);
    } finally {
      snap.done();
    }
    // temporal filters retract rows as time passes, without a commit
    const wake = this.circuit.nextWakeup();
    const now = Date.now() * 1000;
    if (wake !== null && wake <= now) this.emit(consolidate(this.step(new Map(), false, null)), Math.max(now, this.lastTs));
    if (this.opts.progress && entries.length && caughtUp) this.emitProgress();
    if (this.waiting() > MAX_PENDING_ROWS) {
      throw new SqlError(SqlState.ProgramLimitExceeded, `subscription buffer exceeded ${MAX_PENDING_ROWS} rows`, { hint: 'The changes of the last commits are too large to hold for this subscriber; subscribe to a narrower query, or raise EDDY_SUBSCRIBE_BUFFER_ROWS.' });
    }
  }

  /** steps the circuit once per commit time of the changes, in time order, emitting each output */
  private replay(changes: readonly Change[], snap: ReadSnapshot | null = null): void {
    const byTime = new Map<number, Map<number, Delta>>();
    for (const c of changes) {
      let m = byTime.get(c.commitTs);
      if (!m) { m = new Map(); byTime.set(c.commitTs, m); }
      let d = m.get(c.oid);
      if (!d) { d = emptyDelta(); m.set(c.oid, d); }
      push(d, c.row, c.weight);
    }
    for (const ts of [...byTime.keys()].sort((a, b) => a - b)) {
      this.emit(consolidate(this.step(byTime.get(ts)!, false, snap)), Math.max(ts, this.lastTs));
    }
  }

  private step(inputs: Map<number, Delta>, initial: boolean, snap: ReadSnapshot | null): Delta {
    const watermarks = new Map<number, number>();
    if (snap) for (const oid of this.inputs.keys()) { const w = this.host.store.counter(watermarkCounter(oid), snap); if (w !== undefined) watermarks.set(oid, w); }
    const errors = emptyDelta();
    const d = this.circuit.root.step({ inputs, initial, env: this.env, errors, watermarks });
    // an evaluation error (division by zero, a bad cast) ends the subscription, as a query's would
    const e = consolidate(errors);
    for (let i = 0; i < e.rows.length; i++) if (e.weights[i]! > 0) throw new SqlError(String(e.rows[i]![0]) as SqlState, String(e.rows[i]![1]));
    return d;
  }

  private emit(d: Delta, ts: number): void {
    this.lastTs = ts;
    const stamp = BigInt(ts);
    for (let i = 0; i < d.rows.length; i++) {
      const w = d.weights[i]!;
      if (w === 0) continue;
      const meta: Datum[] = this.opts.progress ? [stamp, false, BigInt(w)] : [stamp, BigInt(w)];
      this.pending.push([...meta, ...d.rows[i]!]);
    }
  }

  /** a progress row: every change with a timestamp below this one has been emitted */
  private emitProgress(): void {
    const width = this.columns.length - 3;
    this.pending.push([BigInt(this.lastTs + 1), true, null, ...new Array<Datum>(width).fill(null)]);
  }
}

function change(oid: number, e: BinlogEntry): Change {
  return { oid, commitTs: e.commitTs, row: e.row, weight: eventWeight(e.event) };
}

function behindRetention(rel: RelationDef): SqlError {
  return new SqlError(SqlState.ObjectNotInPrerequisiteState, `the subscription fell behind the binlog of "${rel.name}": changes it needs were trimmed`,
    { hint: 'Changes are kept for the relation\'s binlog_ttl; subscribe again (with a snapshot), or raise binlog_ttl.' });
}
