// One client session: statement sequencing, transactions, prepared statements and portals.
// It binds each statement against the catalog snapshot the transaction sees, runs it with the
// batch executor, and turns results into QueryEvents for pgwire.
import { T, typeFromOid, type SqlType } from '../../core/types.js';
import type { Datum, Row } from '../../core/datum.js';
import { type SqlNotice, SqlError, SqlState } from '../../core/errors.js';
import { utf8Text } from '../../core/utf8-text.js';
import { parseText, decodeBinary } from '../../core/values/io.js';
import type { ValueSettings } from '../../core/values/settings.js';
import { parseSql, type ParsedStatement } from '../../planner/parse.js';
import type { BoundDml, BoundInsert } from '../../expr/dml.js';
import type { BindEnv } from '../../planner/scope.js';
import { classify, bindQuery, bindDml, bindDdlRef, type Statement, type TransactionAction } from '../../planner/statement.js';
import { cacheable, parameterize } from '../../planner/parameterize.js';
import { explain } from '../../planner/explain.js';
import type { Plan } from '../../expr/plan.js';
import { Catalog } from '../../catalog/catalog.js';
import type { CatalogData, RelationDef } from '../../catalog/model.js';
import { findSystemTable } from '../../catalog/system-tables.js';
import type { ExecContext } from '../../exec/context.js';
import { run, runToArray } from '../../exec/run.js';
import { executeDml, insertRows } from '../../exec/dml.js';
import type { EvalContext } from '../../expr/functions/registry.js';
import type { Engine } from './engine.js';
import { WriteLayer, TxnReader } from './txn.js';
import type { ReadSnapshot } from '../../storage/store.js';
import { Settings } from './settings.js';
import { LockWait } from './locks.js';
import { executeDdl, createTableAs } from './ddl.js';
import { bindCreateMaterializedView, bindViewQuery } from '../../planner/materialized-view.js';
import { regName } from '../../planner/bind-expr.js';
import { dataflowLines } from '../../planner/explain-dataflow.js';
import { buildCircuit } from '../../dataflow/build.js';
import { intoTableOptions, isIntoSink } from './sink-into.js';
import { sinkConnector } from '../../connectors/sinks.js';
import { someScan } from '../../planner/plan-walk.js';
import { copyFrom, copyTo, copyTarget, copyLine, CopyCollector, type CopyData } from './copy.js';
import type { Subscription } from './subscription.js';
import { literalKind, type CachedPlan } from './plan-cache.js';
import type {
  Session, QueryEvent, ResultColumn, StatementDescription, TransactionStatus,
} from './types.js';

interface Txn {
  layer: WriteLayer;
  catalog: CatalogData | null;
  clear: RelationDef[];
  explicit: boolean;
  failed: boolean;
  startedAt: number;
  readOnly: boolean;
  savepoints: { name: string; base: WriteLayer }[];
}

/** What a statement produces: columns (null for commands) and rows, then a tag. */
export interface StatementResult {
  readonly columns: readonly ResultColumn[] | null;
  readonly rows: Row[];
  readonly tag: string;
  readonly events?: QueryEvent[];
}

interface Prepared {
  readonly sql: string;
  readonly parsed: ParsedStatement | null;
  readonly paramTypes: SqlType[];
  readonly columns: readonly ResultColumn[] | null;
  bound: { version: number; plan: Plan | BoundDml } | null;
}

interface Portal {
  readonly stmt: Prepared;
  readonly params: Datum[];
  result: StatementResult | null;
  cursor: number;
}

const nowMicros = (): number => Date.now() * 1000;
/** how often a standalone statement is re-run after losing a write-write race */
const MAX_STATEMENT_RETRIES = 50;

/** A time setting such as statement_timeout: '250', '250ms', '2s', '1min', '1h' (plain numbers are ms). */
function durationMs(v: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?\s*$/i.exec(v);
  if (!m) return 0;
  const n = Number(m[1]);
  const unit = (m[2] ?? 'ms').toLowerCase();
  const factor: Record<string, number> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };
  return Math.ceil(n * (factor[unit] ?? 1));
}

export class SqlSession implements Session {
  readonly settings: Settings;
  private txn: Txn | null = null;
  private readonly prepared = new Map<string, Prepared>();
  private readonly portals = new Map<string, Portal>();
  /** SQL cursors: the rows of a query (run at DECLARE), or a subscription's stream (DECLARE ... FOR SUBSCRIBE) */
  private readonly cursors = new Map<string, { columns: readonly ResultColumn[]; rows: Row[]; pos: number; subscription?: Subscription }>();
  private canceled = false;
  private deadline = 0;
  readonly user: string;
  readonly database: string;
  readonly startedAt = Date.now();
  lastQuery = '';
  state: 'idle' | 'active' = 'idle';
  /** the running statement's read snapshot */
  private snapshot: ReadSnapshot | null = null;
  /** COPY FROM STDIN data received for the statement about to run */
  pendingCopyData: CopyData | null = null;
  /**
   * An implicit transaction block spanning several statements: the extended protocol's (until
   * Sync) or a multi-statement simple Query's (until its end), as in PostgreSQL.
   */
  private implicitBlock = false;
  /** notices raised while a statement runs (backfill progress), sent before it completes */
  private readonly liveNotices: SqlNotice[] = [];
  private wakeNotices: (() => void) | null = null;

  private liveNotice(message: string): void {
    this.liveNotices.push({ severity: 'NOTICE', code: '00000', message });
    this.wakeNotices?.();
  }

  /** runs a statement, yielding the notices it raises while it runs */
  private async *runWithNotices(p: ParsedStatement): AsyncGenerator<QueryEvent, StatementResult> {
    let settled = false;
    const run = this.runStatement(p, [], null);
    void run.then(() => undefined, () => undefined).finally(() => { settled = true; this.wakeNotices?.(); });
    for (;;) {
      while (this.liveNotices.length) yield { kind: 'notice', notice: this.liveNotices.shift()! };
      if (settled) break;
      await new Promise<void>((res) => { this.wakeNotices = res; });
      this.wakeNotices = null;
    }
    return await run;
  }

  constructor(readonly engine: Engine, readonly processId: number, readonly secretKey: number, readonly startup: Readonly<Record<string, string>>) {
    this.settings = new Settings(startup);
    this.user = startup['user'] ?? 'eddy';
    this.database = startup['database'] ?? this.user;
  }

  valueSettings(): ValueSettings {
    const base = this.settings.valueSettings();
    if (this.regSettings?.base !== base) this.regSettings = { base, value: { ...base, regName: (kind, oid) => regName(kind, oid, { catalog: this.catalog(), searchPath: this.settings.searchPath(this.user) }) } };
    return this.regSettings.value;
  }
  /** the value settings with reg* names resolved through this session's catalog, for the current settings */
  private regSettings: { base: ValueSettings; value: ValueSettings } | null = null;
  initialParameterStatus(): ReadonlyArray<readonly [string, string]> { return this.settings.reported(); }
  transactionStatus(): TransactionStatus {
    if (!this.txn || !this.txn.explicit) return 'I';
    return this.txn.failed ? 'E' : 'T';
  }

  catalog(): Catalog {
    return this.txn?.catalog ? new Catalog(this.txn.catalog) : this.engine.catalog;
  }

  bindEnv(params: SqlType[]): BindEnv {
    const catalog = this.catalog();
    return {
      catalog, searchPath: this.settings.searchPath(this.user), settings: this.valueSettings(), params,
      user: this.user, database: this.database, processId: this.processId,
      findVirtual: (schema, name) => findSystemTable(schema, name), viewDepth: 0,
      getSetting: (name) => this.settings.get(name), startTime: this.engine.startTime, sequences: this.engine.sequences,
      setSetting: (name, value) => {
        const report = this.settings.set(name, value);
        if (report) this.pendingStatus.push(report);
        return this.settings.get(name);
      },
    };
  }

  /** ParameterStatus changes made by set_config() in the statement running, sent with its result */
  private readonly pendingStatus: [string, string][] = [];

  // ---- transactions ------------------------------------------------------------

  private beginImplicit(): Txn {
    if (!this.txn) {
      const readOnly = this.settings.get('default_transaction_read_only') === 'on';
      this.txn = { layer: new WriteLayer(null), catalog: null, clear: [], explicit: false, failed: false, startedAt: nowMicros(), readOnly, savepoints: [] };
    }
    return this.txn;
  }

  private async commitTxn(): Promise<void> {
    const t = this.txn;
    this.txn = null;
    if (!t) return;
    if (t.explicit) this.closeCursors();
    try {
      // synchronous_commit = off acknowledges before the flush to disk, as in PostgreSQL
      if (!t.failed) await this.engine.commit(t.layer, t.catalog, t.clear, this.settings.get('synchronous_commit') !== 'off');
    } finally {
      // row locks end with the transaction, once its writes are visible
      this.engine.locks.releaseAll(t);
    }
  }

  /**
   * An error aborts the transaction block: it can only roll back now, so its row locks go at once
   * (as in PostgreSQL) and others waiting for them proceed.
   */
  private failTxn(): void {
    if (!this.txn) return;
    this.txn.failed = true;
    this.engine.locks.releaseAll(this.txn);
  }

  /** Ends the current transaction without committing (rollback): its writes vanish, its locks go. */
  private endTxn(): void {
    if (this.txn) this.engine.locks.releaseAll(this.txn);
    // a rollback closes the cursors the transaction block declared
    if (this.txn?.explicit) this.closeCursors();
    this.txn = null;
  }

  /** closes SQL cursors (all, or one): a subscription behind one stops */
  private closeCursors(name?: string): boolean {
    const names = name === undefined ? [...this.cursors.keys()] : [name];
    let found = false;
    for (const n of names) {
      const c = this.cursors.get(n);
      if (!c) continue;
      found = true;
      if (c.subscription) this.engine.endSubscription(c.subscription);
      this.cursors.delete(n);
    }
    return found;
  }

  /** Runs one statement with statement-level atomicity inside the current transaction. */
  private async runStatement(p: ParsedStatement, params: Datum[], prepared: Prepared | null): Promise<StatementResult> {
    const cmd = classify(p);
    if (cmd.kind === 'transaction') return this.transactionStatement(cmd.action, cmd.savepoint, cmd.readOnly);
    if (this.txn?.failed) {
      throw new SqlError(SqlState.InFailedSqlTransaction, 'current transaction is aborted, commands ignored until end of transaction block');
    }
    const implicit = !this.txn;
    this.canceled = false;
    const timeout = durationMs(this.settings.get('statement_timeout'));
    this.deadline = timeout > 0 ? Date.now() + timeout : 0;
    const copyData = this.pendingCopyData;
    for (let attempt = 1; ; attempt++) {
      const txn = this.beginImplicit();
      const stmtLayer = new WriteLayer(txn.layer);
      // one read snapshot for the whole statement (PostgreSQL's READ COMMITTED: per statement)
      this.snapshot = this.engine.store.snapshot();
      try {
        const result = await this.dispatch(cmd, params, prepared, stmtLayer, txn);
        stmtLayer.mergeUp();
        if (implicit && !this.implicitBlock) {
          await this.commitTxn();
          // CREATE MATERIALIZED VIEW returns once the view holds the result for the data committed before it
          if (cmd.kind === 'createTableAs' && cmd.materialized) {
            const rel = this.engine.catalog.findRelation(cmd.target.schema, cmd.target.name, this.settings.searchPath(this.user));
            // backfill progress as NOTICEs while it runs (psql prints them as they come)
            const ticker = setInterval(() => {
              const q = rel ? this.engine.views?.progress(rel.oid) : null;
              if (q && q.state === 'backfilling' && q.backfillTotal > 0) this.liveNotice(`backfilling ${rel!.kind === 'sink' ? 'sink' : 'materialized view'} "${rel!.name}": ${q.backfillDone} of ${q.backfillTotal} input rows`);
            }, 500);
            try { await this.engine.flushViews(); } finally { clearInterval(ticker); }
            const p = rel ? this.engine.views?.progress(rel.oid) : null;
            if (p && result.tag === 'CREATE MATERIALIZED VIEW') {
              const notice = { severity: 'NOTICE' as const, code: '00000', message: `materialized view "${rel!.name}" backfilled from ${p.backfillTotal} input rows in ${p.backfillMs} ms: ${p.rows} rows` };
              return { ...result, events: [...(result.events ?? []), { kind: 'notice' as const, notice }] };
            }
          }
        }
        return result;
      } catch (err) {
        const standalone = implicit && !this.implicitBlock;
        if (err instanceof LockWait) {
          // another transaction changed a row this statement wants to change: wait for it to end,
          // then run the statement again on what it committed (READ COMMITTED)
          if (standalone) this.endTxn();
          try {
            await this.engine.locks.wait(txn, err.holder, () => this.checkInterrupt());
          } catch (waitErr) {
            if (!standalone) this.failTxn();
            throw waitErr;
          }
          this.pendingCopyData = copyData;
          continue;
        }
        if (standalone) this.endTxn();
        else this.failTxn();
        // A statement of its own that lost a race to a concurrent commit runs again on the newer
        // data, as PostgreSQL's READ COMMITTED re-evaluates an UPDATE against the new row version.
        if (standalone && err instanceof SqlError && err.code === SqlState.SerializationFailure && attempt < MAX_STATEMENT_RETRIES) {
          this.pendingCopyData = copyData;
          continue;
        }
        throw err;
      } finally {
        this.snapshot?.done();
        this.snapshot = null;
      }
    }
  }

  private async transactionStatement(action: TransactionAction, savepoint: string, readOnly?: boolean | null): Promise<StatementResult> {
    const notice = (message: string, code: string): StatementResult['events'] => [{ kind: 'notice', notice: { severity: 'WARNING', code, message } }];
    switch (action) {
      case 'begin': {
        if (this.txn?.explicit) return { columns: null, rows: [], tag: 'BEGIN', events: notice('there is already a transaction in progress', '25001') };
        const txn = this.beginImplicit();
        txn.explicit = true;
        if (readOnly !== null && readOnly !== undefined) txn.readOnly = readOnly;
        return { columns: null, rows: [], tag: 'BEGIN' };
      }
      case 'commit': {
        if (!this.txn?.explicit) {
          // COMMIT inside an implicit block commits what the block did so far
          if (this.txn && this.implicitBlock && !this.txn.failed) { await this.commitTxn(); return { columns: null, rows: [], tag: 'COMMIT' }; }
          this.endTxn();
          return { columns: null, rows: [], tag: 'COMMIT', events: notice('there is no transaction in progress', '25P01') };
        }
        const failed = this.txn.failed;
        if (failed) { this.endTxn(); return { columns: null, rows: [], tag: 'ROLLBACK' }; }
        await this.commitTxn();
        return { columns: null, rows: [], tag: 'COMMIT' };
      }
      case 'rollback': {
        const had = this.txn?.explicit;
        this.endTxn();
        return { columns: null, rows: [], tag: 'ROLLBACK', ...(had ? {} : { events: notice('there is no transaction in progress', '25P01') }) };
      }
      case 'savepoint': case 'release': case 'rollbackTo': {
        const txn = this.txn;
        const name = savepoint;
        const verb = action === 'savepoint' ? 'SAVEPOINT' : action === 'release' ? 'RELEASE' : 'ROLLBACK';
        if (!txn?.explicit) throw new SqlError(SqlState.NoActiveSqlTransaction, `${verb} can only be used in transaction blocks`);
        if (action === 'savepoint') {
          if (txn.failed) throw new SqlError(SqlState.InFailedSqlTransaction, 'current transaction is aborted, commands ignored until end of transaction block');
          txn.savepoints.push({ name, base: txn.layer });
          txn.layer = new WriteLayer(txn.layer);
          return { columns: null, rows: [], tag: 'SAVEPOINT' };
        }
        let i = txn.savepoints.length - 1;
        while (i >= 0 && txn.savepoints[i]!.name !== name) i--;
        if (i < 0) throw new SqlError('3B001', `savepoint "${name}" does not exist`);
        const sp = txn.savepoints[i]!;
        if (action === 'release') {
          txn.savepoints.length = i;
          return { columns: null, rows: [], tag: 'RELEASE' };
        }
        txn.savepoints.length = i + 1;
        txn.layer = new WriteLayer(sp.base);
        txn.failed = false;
        return { columns: null, rows: [], tag: 'ROLLBACK' };
      }
    }
  }

  // ---- execution ------------------------------------------------------------------

  execContext(params: readonly Datum[], layer: WriteLayer, txn: { readonly startedAt: number }, write: boolean): ExecContext {
    const settings = this.valueSettings();
    const catalog = this.catalog();
    const evalCtx: EvalContext = { settings, txnTimestamp: txn.startedAt, now: nowMicros };
    const locks = this.engine.locks;
    const reader = new TxnReader(this.engine.store, layer, (r) => this.engine.storedRel(r),
      (name) => this.engine.virtualRows(name, catalog, this), this.engine.rowIdAllocator(), this.snapshot ?? undefined,
      write ? (oid, id) => locks.acquire(txn, oid, id) : undefined);
    const cx: ExecContext = {
      params, evalCtx, tables: reader, outer: [], subqueryCache: new Map(), cteCache: new Map(),
      runPlan: (plan, limit) => runToArray(plan, cx, limit),
      checkInterrupt: () => this.checkInterrupt(),
      ...(write ? { writer: reader } : {}),
    };
    return cx;
  }

  checkInterrupt(): void {
    if (this.canceled) {
      this.canceled = false;
      throw new SqlError(SqlState.QueryCanceled, 'canceling statement due to user request');
    }
    if (this.deadline && Date.now() > this.deadline) {
      throw new SqlError(SqlState.QueryCanceled, 'canceling statement due to statement timeout');
    }
  }

  /**
   * view_consistency = 'strong' (default): a query that reads a materialized view first waits
   * until views reflect every commit made before it, then reads a fresh snapshot, so a session
   * sees its own writes in views (RisingWave's implicit flush, Materialize's strict reads).
   */
  private async viewConsistency(plan: Plan): Promise<void> {
    if (this.settings.get('view_consistency') === 'eventual' || !someScan(plan, (t) => t.kind === 'matview')) return;
    await this.engine.flushViews();
    this.snapshot?.done();
    this.snapshot = this.engine.store.snapshot();
  }

  /** Runs a plan, yielding to the event loop now and then so cancel and timeouts get through. */
  async collect(plan: Plan, cx: ExecContext): Promise<Row[]> {
    const out: Row[] = [];
    let last = Date.now();
    const it = run(plan, cx);
    try {
      for (const b of it) {
        for (const r of b) out.push(r);
        const now = Date.now();
        if (b.length === 0 || now - last > 20) {
          if (now - last > 20) { await new Promise<void>((res) => setImmediate(res)); last = Date.now(); }
          this.checkInterrupt();
        }
      }
    } finally {
      it.return(undefined);
    }
    return out;
  }

  private bindPlanFor(prepared: Prepared | null, build: () => Plan | BoundDml): Plan | BoundDml {
    if (prepared && prepared.bound && prepared.bound.version === this.engine.catalogVersion && !this.txn?.catalog) return prepared.bound.plan;
    const b = build();
    if (prepared && !this.txn?.catalog) prepared.bound = { version: this.engine.catalogVersion, plan: b };
    return b;
  }

  private async dispatch(cmd: Statement, params: Datum[], prepared: Prepared | null, layer: WriteLayer, txn: Txn): Promise<StatementResult> {
    const paramTypes = prepared ? prepared.paramTypes.slice() : [];
    const done = (tag: string): StatementResult => ({ columns: null, rows: [], tag });
    switch (cmd.kind) {
      case 'select': {
        const plan = this.bindPlanFor(prepared, () => bindQuery(cmd.query, this.bindEnv(paramTypes))) as Plan;
        await this.viewConsistency(plan);
        const rows = await this.collect(plan, this.execContext(params, layer, txn, false));
        const events: QueryEvent[] = this.pendingStatus.splice(0).map(([name, value]) => ({ kind: 'parameterStatus', name, value }));
        return { columns: resultColumns(plan), rows, tag: `SELECT ${rows.length}`, ...(events.length ? { events } : {}) };
      }
      case 'dml': {
        const bound = this.bindPlanFor(prepared, () => bindDml(cmd.dml, this.bindEnv(paramTypes))) as BoundDml;
        if (txn.readOnly) throw new SqlError(SqlState.ReadOnlySqlTransaction, `cannot execute ${bound.kind.toUpperCase()} in a read-only transaction`);
        const r = executeDml(bound, this.execContext(params, layer, txn, true));
        const verb = bound.kind === 'insert' ? 'INSERT 0' : bound.kind === 'update' ? 'UPDATE' : 'DELETE';
        return { columns: bound.returning ? bound.returning.columns.map(toResultColumn) : null, rows: r.rows ?? [], tag: `${verb} ${r.count}` };
      }
      case 'createTableAs': {
        if (cmd.materialized) {
          const { command, plan } = bindCreateMaterializedView(cmd, this.bindEnv(paramTypes));
          // fails here, before anything is created, on what the dataflow cannot maintain
          const circuit = buildCircuit(plan);
          let ddl = { ...command, dependsOn: [...circuit.inputs] } as typeof command;
          if (cmd.sink && ddl.kind === 'createMatview') {
            const f = cmd.sink.format;
            let options: Record<string, string> = { ...ddl.options, ...(f ? { format: f.format, encode: f.encode, ...f.options } : {}) };
            if (isIntoSink(options)) {
              // INTO a table: it depends on the target, which cannot be dropped under it
              const into = intoTableOptions(options, ddl.columns, this.catalog(), this.bindEnv([]).searchPath, [...circuit.inputs]);
              options = into.options;
              ddl = { ...ddl, dependsOn: [...circuit.inputs, into.target] };
            } else {
              sinkConnector(options, ddl.columns);
            }
            ddl = { ...ddl, options, sink: true };
          }
          const res = executeDdl(ddl, this, layer, txn);
          if (res.catalog) txn.catalog = res.catalog;
          return { ...done(res.tag), ...(res.notices.length ? { events: res.notices.map((n) => ({ kind: 'notice' as const, notice: n })) } : {}) };
        }
        const plan = bindQuery(cmd.query, this.bindEnv(paramTypes));
        const { result, rel } = createTableAs(this, cmd.target, cmd.columnNames, plan.columns, cmd.ifNotExists);
        if (!rel) return { ...done('CREATE TABLE AS'), events: result.notices.map((n) => ({ kind: 'notice' as const, notice: n })) };
        const rows = cmd.withData ? await this.collect(plan, this.execContext(params, layer, txn, false)) : [];
        txn.catalog = result.catalog;
        const bound: BoundInsert = {
          kind: 'insert', table: rel, source: plan, targetCols: rel.columns.map((_x, i) => i), defaults: rel.columns.map(() => null),
          checks: { notNull: [], checks: [], generated: [] }, onConflict: null, returning: null,
        };
        const r = insertRows(bound, rows, this.execContext(params, layer, txn, true));
        return done(`SELECT ${r.count}`);
      }
      case 'flush':
        await this.engine.flushViews();
        return done('FLUSH');
      case 'refresh': {
        const rel = this.catalog().findRelation(cmd.target.schema, cmd.target.name, this.bindEnv([]).searchPath);
        if (!rel) throw new SqlError(SqlState.UndefinedTable, `relation "${cmd.target.name}" does not exist`);
        if (rel.kind !== 'matview') throw new SqlError(SqlState.WrongObjectType, `"${rel.name}" is not a materialized view`);
        await this.engine.flushViews();
        return done('REFRESH MATERIALIZED VIEW');
      }
      case 'ddl': {
        const res = executeDdl(bindDdlRef(cmd.ddl, this.bindEnv(paramTypes)), this, layer, txn);
        if (res.catalog) txn.catalog = res.catalog;
        for (const c of res.clear) txn.clear.push(c);
        return { ...done(res.tag), ...(res.notices.length ? { events: res.notices.map((n) => ({ kind: 'notice' as const, notice: n })) } : {}) };
      }
      case 'set': return this.setStatement(cmd.name, cmd.value, cmd.reset, cmd.resetAll, txn);
      case 'setTransaction':
        if (cmd.readOnly !== null) txn.readOnly = cmd.readOnly;
        return done('SET');
      case 'show': {
        const name = cmd.name;
        // RisingWave's SHOW TABLES | SOURCES | VIEWS | MATERIALIZED VIEWS: the relations of that kind on the search path
        const kinds: Record<string, RelationDef['kind']> = { tables: 'table', sources: 'source', views: 'view', materialized_views: 'matview', sinks: 'sink' };
        const kind = kinds[name.toLowerCase()];
        if (kind) {
          const path = this.settings.searchPath(this.user);
          const names = this.catalog().relations().filter((r) => r.kind === kind && path.includes(r.schema)).map((r) => r.name).sort();
          return { columns: [col('Name', T.text)], rows: names.map((n) => [n]), tag: 'SHOW' };
        }
        if (name.toLowerCase() === 'all') {
          return { columns: [col('name', T.text), col('setting', T.text), col('description', T.text)], rows: this.settings.all().map((x) => [x.name, x.setting, '']), tag: 'SHOW' };
        }
        const v = name === 'transaction_isolation' || name === 'transaction isolation level' ? 'read committed' : this.settings.get(name);
        return { columns: [this.showColumn(name)], rows: [[v]], tag: 'SHOW' };
      }
      case 'explain': {
        const lines = explain(cmd.target, cmd.isDml, this.bindEnv(paramTypes), (t, preds) => this.engine.store.columns.prune(this.engine.storedRel(t), preds));
        return { columns: [col('QUERY PLAN', T.text)], rows: lines.map((l) => [l]), tag: 'EXPLAIN' };
      }
      case 'explainDataflow': {
        const { plan } = bindCreateMaterializedView(cmd, this.bindEnv(paramTypes));
        buildCircuit(plan);
        const lines = dataflowLines(cmd.target.name, cmd.options, plan);
        return { columns: [col('QUERY PLAN', T.text)], rows: lines.map((l) => [l]), tag: 'EXPLAIN' };
      }
      case 'copy': return cmd.from ? copyFrom(cmd, this, layer, txn, !txn.explicit && !this.implicitBlock) : copyTo(cmd, this, layer, txn);
      case 'subscribe': return this.subscribe(cmd, txn);
      case 'declareCursor': {
        // SQL cursors: the query runs at DECLARE; FETCH pages through the rows
        if (this.cursors.has(cmd.name)) throw new SqlError(SqlState.DuplicateCursor, `cursor "${cmd.name}" already exists`);
        if (!txn.explicit && !cmd.hold) throw new SqlError(SqlState.NoActiveSqlTransaction, 'DECLARE CURSOR can only be used in transaction blocks');
        const plan = bindQuery(cmd.query, this.bindEnv(paramTypes));
        const rows = await this.collect(plan, this.execContext(params, layer, txn, false));
        this.cursors.set(cmd.name, { columns: resultColumns(plan), rows, pos: 0 });
        return done('DECLARE CURSOR');
      }
      case 'fetch': {
        const c = this.cursors.get(cmd.name);
        if (!c) throw new SqlError(SqlState.InvalidCursorName, `cursor "${cmd.name}" does not exist`);
        if (!cmd.forward) throw new SqlError(SqlState.FeatureNotSupported, 'only FETCH FORWARD is supported');
        if (c.subscription) {
          // waits for at least one row (until the timeout, if any): the stream has no end
          const rows = await c.subscription.next(cmd.count, cmd.timeoutMs ?? null, () => this.checkSubscriber());
          if (cmd.move) return done(`MOVE ${rows.length}`);
          return { columns: c.columns, rows, tag: `FETCH ${rows.length}` };
        }
        if (cmd.timeoutMs !== undefined) throw new SqlError(SqlState.FeatureNotSupported, 'FETCH ... WITH (timeout) is for cursors over SUBSCRIBE');
        const rows = c.rows.slice(c.pos, c.pos + cmd.count);
        c.pos += rows.length;
        if (cmd.move) return done(`MOVE ${rows.length}`);
        return { columns: c.columns, rows, tag: `FETCH ${rows.length}` };
      }
      case 'closeCursor':
        if (cmd.name === null) this.closeCursors();
        else if (!this.closeCursors(cmd.name)) throw new SqlError(SqlState.InvalidCursorName, `cursor "${cmd.name}" does not exist`);
        return done('CLOSE CURSOR');
      case 'discard':
        this.prepared.clear();
        this.portals.clear();
        return done('DISCARD ALL');
      case 'deallocate':
        if (cmd.name !== null) this.prepared.delete(cmd.name); else this.prepared.clear();
        return done('DEALLOCATE');
      case 'noop': return done(cmd.tag);
      case 'vacuum': {
        if (txn.explicit) throw new SqlError(SqlState.ActiveSqlTransaction, 'VACUUM cannot run inside a transaction block');
        const catalog = this.engine.catalog;
        const path = this.settings.searchPath(this.user);
        const rels = cmd.tables.length === 0 ? catalog.relations().filter((r) => r.kind !== 'view' && r.kind !== 'sink') : cmd.tables.map((t) => {
          const r = catalog.findRelation(t.schema, t.name, path);
          if (!r || r.kind === 'view' || r.kind === 'sink') throw new SqlError(SqlState.UndefinedTable, `relation "${t.name}" does not exist`);
          return r;
        });
        // VACUUM reads nothing through the statement's snapshot; holding it would keep the files it retires
        this.snapshot?.done();
        await this.engine.vacuum(rels);
        return done('VACUUM');
      }
      case 'transaction': return this.transactionStatement(cmd.action, cmd.savepoint, cmd.readOnly);
    }
  }

  private setStatement(name: string, value: string | null, reset: boolean, resetAll: boolean, txn: Txn): StatementResult {
    const events: QueryEvent[] = [];
    const report = (ps: [string, string] | null): void => { if (ps) events.push({ kind: 'parameterStatus', name: ps[0], value: ps[1] }); };
    if (resetAll) return { columns: null, rows: [], tag: 'RESET' };
    if (value === null) {
      report(this.settings.set(name, null));
      return { columns: null, rows: [], tag: reset ? 'RESET' : 'SET', events };
    }
    if (name === 'transaction_isolation' || name === 'default_transaction_isolation') return { columns: null, rows: [], tag: 'SET' };
    if (name === 'transaction_read_only') { txn.readOnly = value === 'on' || value === 'true'; return { columns: null, rows: [], tag: 'SET' }; }
    const v = name.toLowerCase() === 'timezone' && /^(local|default)$/i.test(value) ? 'UTC' : value;
    report(this.settings.set(name, v));
    return { columns: null, rows: [], tag: 'SET', events };
  }

  // ---- Session interface -------------------------------------------------------------

  async *simpleQuery(sql: string): AsyncIterable<QueryEvent> {
    this.lastQuery = sql;
    this.engine.refreshCatalog();
    const cached = this.cachedStatement(sql);
    if (cached) {
      this.state = 'active';
      try {
        const r = await this.runStatement(cached.parsed, cached.params, cached.prepared);
        yield* this.resultEvents(r, true);
      } finally {
        this.state = 'idle';
      }
      return;
    }
    const stmts = parseSql(sql);
    if (stmts.length === 0) { yield { kind: 'empty' }; return; }
    // several statements in one Query run as one implicit transaction (all or nothing)
    const block = stmts.length > 1 && !this.txn;
    if (block) this.implicitBlock = true;
    let ok = false;
    try {
      for (const p of stmts) {
        this.state = 'active';
        try {
          yield* this.copyInEvents(p);
          const r = yield* this.runWithNotices(p);
          yield* this.resultEvents(r, true);
        } finally {
          this.state = 'idle';
        }
      }
      ok = true;
    } finally {
      if (block) await this.endImplicitBlock(ok);
    }
  }

  /** Ends an implicit block: commit when everything succeeded, otherwise discard. */
  private async endImplicitBlock(ok: boolean): Promise<void> {
    if (!this.implicitBlock) return;
    this.implicitBlock = false;
    if (this.txn && !this.txn.explicit) {
      if (ok && !this.txn.failed) await this.commitTxn();
      else this.endTxn();
    }
  }

  /**
   * The simple-query plan cache (plan-cache.ts): a statement that differs from an earlier one only
   * in its literals runs the earlier bound plan with the literals as parameter values.
   */
  private cachedStatement(sql: string): { parsed: ParsedStatement; params: Datum[]; prepared: Prepared } | null {
    if (this.txn?.catalog || this.txn?.failed) return null;
    const cache = this.engine.planCache;
    const version = this.engine.catalogVersion;
    const hit = cache.lookup(sql, `${this.user}|${this.settings.get('search_path')}`, version);
    if (!hit) return null;
    const settings = this.valueSettings();
    const toParams = (types: readonly SqlType[], values: readonly string[]): Datum[] => values.map((v, i) => parseText(types[i]!, v, settings));
    const prepare = (e: CachedPlan): Prepared => ({ sql, parsed: e.stmt, paramTypes: [...e.paramTypes], columns: e.columns, bound: { version: e.version, plan: e.plan } });
    if ('entry' in hit) {
      const prepared = prepare(hit.entry);
      return { parsed: prepared.parsed!, params: toParams(hit.entry.paramTypes, hit.values), prepared };
    }
    const stmts = parseSql(sql);
    const only = stmts.length === 1 ? stmts[0]! : null;
    if (!only || !cacheable(only)) { cache.store(hit.key, 'uncacheable'); return null; }
    const { stmt, paramTypes, slots } = parameterize(only, hit.literals);
    let plan: Plan | BoundDml;
    try {
      const env = this.bindEnv(paramTypes);
      const cmd = classify(stmt);
      if (cmd.kind === 'select') plan = bindQuery(cmd.query, env);
      else if (cmd.kind === 'dml') plan = bindDml(cmd.dml, env);
      else { cache.store(hit.key, 'uncacheable'); return null; }
    } catch {
      // binding with parameters failed where literals may not (or the statement is wrong):
      // the normal path decides and reports
      cache.store(hit.key, 'uncacheable');
      return null;
    }
    const finalTypes = paramTypes.map((t) => (t.kind === 'scalar' && t.name === 'unknown' ? T.text : t));
    // 'name'::regclass and friends are resolved through the catalog at bind time: keep them literal
    if (finalTypes.some((t) => t.kind === 'scalar' && t.name.startsWith('reg'))) { cache.store(hit.key, 'uncacheable'); return null; }
    const fixed = new Map<number, string>();
    hit.literals.forEach((l, i) => { if (!slots.includes(i)) fixed.set(i, l.value); });
    const columns = 'kind' in plan && (plan.kind === 'insert' || plan.kind === 'update' || plan.kind === 'delete')
      ? (plan.returning ? plan.returning.columns.map(toResultColumn) : null)
      : resultColumns(plan as Plan);
    const entry: CachedPlan = { stmt, sql, version, plan, columns, paramTypes: finalTypes, slots, fixed, kinds: slots.map((s) => literalKind(hit.literals[s]!)) };
    cache.store(hit.key, entry);
    const prepared = prepare(entry);
    return { parsed: prepared.parsed!, params: toParams(finalTypes, slots.map((s) => hit.literals[s]!.value)), prepared };
  }

  /** For COPY FROM STDIN: hand pgwire a target and wait for the data before running. */
  private *copyInEvents(p: ParsedStatement): Generator<QueryEvent> {
    const cmd = classify(p);
    if (cmd.kind !== 'copy' || !cmd.from || cmd.file !== null) return;
    if (this.txn?.failed) return;
    const { cols } = copyTarget(cmd, this);
    const collector = new CopyCollector(cols.length);
    yield { kind: 'copyIn', target: collector };
    if (collector.failure !== null) throw new SqlError(SqlState.QueryCanceled, `COPY from stdin failed: ${collector.failure}`);
    this.pendingCopyData = collector.data();
  }

  private *resultEvents(r: StatementResult, withColumns: boolean): Generator<QueryEvent> {
    for (const e of r.events ?? []) {
      if (e.kind === 'copyIn' || e.kind === 'copyOut') continue;
      yield e;
    }
    const copyEvent = r.events?.find((e) => e.kind === 'copyIn' || e.kind === 'copyOut');
    if (copyEvent) yield copyEvent;
    if (withColumns && r.columns) yield { kind: 'columns', columns: r.columns };
    if (r.rows.length) yield { kind: 'rows', rows: r.rows };
    yield { kind: 'complete', tag: r.tag };
  }

  parse(name: string, sql: string, paramTypeOids: readonly number[]): void {
    this.engine.refreshCatalog();
    if (name !== '' && this.prepared.has(name)) throw new SqlError(SqlState.DuplicatePreparedStatement, `prepared statement "${name}" already exists`);
    const stmts = parseSql(sql);
    if (stmts.length > 1) throw new SqlError(SqlState.SyntaxError, 'cannot insert multiple commands into a prepared statement');
    const paramTypes: SqlType[] = paramTypeOids.map((oid) => (oid === 0 ? T.unknown : typeFromOid(oid) ?? T.unknown));
    const parsed = stmts[0] ?? null;
    let columns: readonly ResultColumn[] | null = null;
    let bound: Prepared['bound'] = null;
    if (parsed) {
      const cmd = classify(parsed);
      const env = this.bindEnv(paramTypes);
      if (cmd.kind === 'select') {
        const plan = bindQuery(cmd.query, env);
        columns = resultColumns(plan);
        bound = { version: this.engine.catalogVersion, plan };
      } else if (cmd.kind === 'dml') {
        const b = bindDml(cmd.dml, env);
        columns = b.returning ? b.returning.columns.map(toResultColumn) : null;
        bound = { version: this.engine.catalogVersion, plan: b };
      } else if (cmd.kind === 'show') {
        columns = [this.showColumn(cmd.name)];
      } else if (cmd.kind === 'explain' || cmd.kind === 'explainDataflow') {
        columns = [col('QUERY PLAN', T.text)];
      } else if (cmd.kind === 'fetch') {
        columns = this.cursors.get(cmd.name)?.columns ?? null;
      }
      // parameters nothing constrained are text, as PostgreSQL resolves unknowns
      for (let i = 0; i < paramTypes.length; i++) if (paramTypes[i]!.kind === 'scalar' && (paramTypes[i] as { name: string }).name === 'unknown') paramTypes[i] = T.text;
    }
    this.prepared.set(name, { sql, parsed, paramTypes, columns, bound: this.txn?.catalog ? null : bound });
  }

  describeStatement(name: string): StatementDescription {
    const p = this.getPrepared(name);
    return { paramTypes: p.paramTypes, columns: p.columns };
  }

  private getPrepared(name: string): Prepared {
    const p = this.prepared.get(name);
    if (!p) throw new SqlError(SqlState.InvalidSqlStatementName, `prepared statement "${name}" does not exist`);
    return p;
  }

  bind(portal: string, statement: string, params: readonly (Uint8Array | null)[], paramFormats: readonly number[]): void {
    this.engine.refreshCatalog();
    const p = this.getPrepared(statement);
    if (params.length !== p.paramTypes.length) {
      throw new SqlError(SqlState.ProtocolViolation, `bind message supplies ${params.length} parameters, but prepared statement "${statement}" requires ${p.paramTypes.length}`);
    }
    const settings = this.valueSettings();
    const values = params.map((raw, i) => {
      if (raw === null) return null;
      const fmt = paramFormats.length === 0 ? 0 : paramFormats.length === 1 ? paramFormats[0]! : (paramFormats[i] ?? 0);
      const t = p.paramTypes[i]!;
      if (fmt === 1) return decodeBinary(t, raw);
      const text = utf8Text(raw);
      if (text === null) throw new SqlError(SqlState.CharacterNotInRepertoire, 'invalid byte sequence for encoding "UTF8"', { detail: `Bind parameter $${i + 1} is not valid UTF-8.` });
      return parseText(t, text, settings);
    });
    if (this.txn?.failed) throw new SqlError(SqlState.InFailedSqlTransaction, 'current transaction is aborted, commands ignored until end of transaction block');
    this.portals.set(portal, { stmt: p, params: values, result: null, cursor: 0 });
  }

  describePortal(portal: string): readonly ResultColumn[] | null {
    const p = this.portals.get(portal);
    if (!p) throw new SqlError(SqlState.InvalidCursorName, `portal "${portal}" does not exist`);
    return p.stmt.columns;
  }

  async *execute(portal: string, maxRows: number): AsyncIterable<QueryEvent> {
    const p = this.portals.get(portal);
    if (!p) throw new SqlError(SqlState.InvalidCursorName, `portal "${portal}" does not exist`);
    if (!p.stmt.parsed) { yield { kind: 'empty' }; return; }
    if (!p.result) {
      this.lastQuery = p.stmt.sql;
      this.state = 'active';
      const isTxnStmt = classify(p.stmt.parsed).kind === 'transaction';
      if (!this.txn && !isTxnStmt) this.implicitBlock = true;
      try {
        yield* this.copyInEvents(p.stmt.parsed);
        p.result = await this.runStatement(p.stmt.parsed, p.params, p.stmt);
      } finally {
        this.state = 'idle';
      }
      if (isTxnStmt) this.implicitBlock = false;
      for (const e of p.result.events ?? []) yield e;
    }
    const r = p.result;
    const remaining = r.rows.length - p.cursor;
    if (maxRows > 0 && remaining > maxRows) {
      yield { kind: 'rows', rows: r.rows.slice(p.cursor, p.cursor + maxRows) };
      p.cursor += maxRows;
      yield { kind: 'suspended' };
      return;
    }
    if (remaining > 0) yield { kind: 'rows', rows: p.cursor === 0 ? r.rows : r.rows.slice(p.cursor) };
    p.cursor = r.rows.length;
    yield { kind: 'complete', tag: r.tag };
  }

  closeStatement(name: string): void { this.prepared.delete(name); }
  closePortal(name: string): void { this.portals.delete(name); }

  async sync(): Promise<void> {
    this.portals.delete('');
    await this.endImplicitBlock(true);
  }

  markFailed(): void {
    if (this.txn?.explicit) this.failTxn();
    else if (this.implicitBlock) { this.endTxn(); this.implicitBlock = false; }
  }

  cancel(): void { this.canceled = true; }

  /**
   * SUBSCRIBE: through a cursor (FETCH reads it), or COPY (SUBSCRIBE ...) TO STDOUT, a copy
   * stream that ends only when the client cancels it or goes away.
   */
  private subscribe(cmd: Extract<Statement, { kind: 'subscribe' }>, txn: Txn): StatementResult {
    if (cmd.via === 'plain') {
      throw new SqlError(SqlState.FeatureNotSupported, 'SUBSCRIBE streams rows without end: read it through COPY or a cursor',
        { hint: 'COPY (SUBSCRIBE v) TO STDOUT, or BEGIN; DECLARE c CURSOR FOR SUBSCRIBE v; FETCH 100 c;' });
    }
    if (cmd.via === 'cursor') {
      const name = cmd.cursor!;
      if (this.cursors.has(name)) throw new SqlError(SqlState.DuplicateCursor, `cursor "${name}" already exists`);
      if (!txn.explicit) throw new SqlError(SqlState.NoActiveSqlTransaction, 'DECLARE CURSOR can only be used in transaction blocks');
    }
    const env = this.bindEnv([]);
    let plan: Plan;
    try {
      plan = bindViewQuery(cmd.spec.query, env);
    } catch (err) {
      // positions point into the query SUBSCRIBE was turned into, not the statement sent
      if (err instanceof SqlError && err.fields.position !== undefined) { const { position: _, ...fields } = err.fields; throw new SqlError(err.code, err.message, fields); }
      throw err;
    }
    const sub = this.engine.startSubscription(plan, resultColumns(plan), cmd.spec, { pid: this.processId, cursor: cmd.cursor, query: cmd.spec.query }, env.catalog);
    if (cmd.via === 'cursor') {
      this.cursors.set(cmd.cursor!, { columns: sub.columns, rows: [], pos: 0, subscription: sub });
      return { columns: null, rows: [], tag: 'DECLARE CURSOR' };
    }
    const types = sub.columns.map((c) => c.type);
    const settings = this.valueSettings();
    const engine = this.engine;
    const check = (): void => this.checkSubscriber();
    const chunks = async function* (): AsyncIterable<Uint8Array> {
      try {
        for (;;) {
          const rows = await sub.next(1000, 100, check);
          if (rows.length) yield Buffer.from(rows.map((r) => copyLine(r, types, settings)).join(''), 'utf8');
        }
      } finally {
        engine.endSubscription(sub);
      }
    };
    return { columns: null, rows: [], tag: 'COPY 0', events: [{ kind: 'copyOut', format: 0, columnCount: types.length, chunks: chunks(), live: true }] };
  }

  private closed = false;

  /** SHOW's result column: the parameter's own spelling, as PostgreSQL names it (TimeZone, DateStyle) */
  private showColumn(name: string): ResultColumn {
    return col(name.toLowerCase() === 'transaction isolation level' ? 'transaction_isolation' : this.settings.canonicalName(name), T.text);
  }

  /** a subscription read stops when its client cancels the statement or goes away */
  private checkSubscriber(): void {
    if (this.closed) throw new SqlError(SqlState.ConnectionFailure, 'the subscriber disconnected');
    this.checkInterrupt();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.closeCursors();
    this.endTxn();
    this.engine.sessions.delete(this.processId);
  }

}


function col(name: string, type: SqlType): ResultColumn {
  return { name, type, tableOid: 0, attnum: 0 };
}

function toResultColumn(c: import('../../expr/plan.js').PlanColumn): ResultColumn {
  return { name: c.name, type: c.type, tableOid: c.tableOid ?? 0, attnum: c.attnum ?? 0 };
}

export function resultColumns(plan: Plan): ResultColumn[] {
  return plan.columns.map(toResultColumn);
}

