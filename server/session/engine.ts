// The engine shared by all sessions: the durable store, the committed catalog, roles and
// authentication, the session registry for CancelRequest, and the commit path.
import { tableOrientation, memtableRows } from '../../catalog/table-options.js';
import { randomInt } from 'node:crypto';
import type { Row } from '../../core/datum.js';
import { SqlError, SqlState } from '../../core/errors.js';
import { Store, type StoredRelation } from '../../storage/store.js';
import { Catalog } from '../../catalog/catalog.js';
import { initialCatalog, sequenceRange, type CatalogData, type RelationDef, type SequenceDef } from '../../catalog/model.js';
import type { AuthRequirement, Session, SessionFactory } from './types.js';
import type { WriteLayer } from './txn.js';
import { SqlSession } from './session.js';
import { systemRows } from '../../catalog/system-tables.js';
import { PlanCache } from './plan-cache.js';
import { LockTable } from './locks.js';
import { storedPassword } from './scram.js';
import { ColumnMaintenance } from './column-maintenance.js';
import { ViewMaintainer, positionCounter, readyCounter } from './view-maintainer.js';
import { SourceRunner, offsetCounter, watermarkCounter, lateCounter } from './source-runner.js';
import { Subscription, type SubscriptionInfo } from './subscription.js';
import { kafkaErrorLogNote, kafkaErrorsCounter, type RecordError } from './kafka-ingest.js';
import type { ResultColumn } from './types.js';
import type { SubscribeSpec } from '../../planner/subscribe-syntax.js';
import { Settings } from './settings.js';
import { findSystemTable } from '../../catalog/system-tables.js';
import { DEFAULT_VALUE_SETTINGS } from '../../core/values/settings.js';
import { bindViewQuery } from '../../planner/materialized-view.js';
import type { Plan } from '../../expr/plan.js';
import { compile } from '../../expr/compile.js';
import { bindGenerated } from '../../planner/generated.js';
import type { BindEnv } from '../../planner/scope.js';
import { dataflowEnv } from '../../dataflow/context.js';

export interface EngineOptions {
  readonly dataDir: string;
  /** 'trust' (default) or a password method required of every role that has a password */
  readonly auth?: 'trust' | 'password' | 'md5' | 'scram-sha-256';
  /** run the column store's background flushes and compactions (one process per data directory) */
  readonly maintenance?: boolean;
  /** how long removed segment files are kept for snapshots of other processes (default 30 s) */
  readonly segmentGraceMs?: number;
  /** flush a memtable below its threshold after this long without writes (default 10 s) */
  readonly idleFlushMs?: number;
  /** materialized views' operator state kept in memory per view, in rows (the rest stays on disk) */
  readonly stateCacheRows?: number;
  /** how often materialized views' operator state is written (ms) */
  readonly checkpointMs?: number;
}

export class Engine implements SessionFactory {
  catalog: Catalog;
  readonly sessions = new Map<number, SqlSession>();
  readonly startTime = Date.now();
  private storedCache = new WeakMap<RelationDef, StoredRelation>();
  /** bumps on every catalog change so cached plans can tell they are stale */
  catalogVersion = 1;
  readonly planCache = new PlanCache();
  readonly locks = new LockTable();
  /** the storage catalog version this process has loaded */
  private storedCatalogVersion: number;

  /**
   * Another process on the same data directory may have changed the catalog: reload it then.
   * Called at the start of each statement; one LMDB read.
   */
  refreshCatalog(): void {
    const v = this.store.catalogVersion();
    if (v === this.storedCatalogVersion) return;
    this.storedCatalogVersion = v;
    const data = this.store.loadCatalog() as CatalogData | undefined;
    if (data) { this.catalog = new Catalog(data); this.catalogVersion++; }
  }

  private constructor(readonly store: Store, readonly options: EngineOptions) {
    const data = store.loadCatalog() as CatalogData | undefined;
    this.catalog = new Catalog(data ?? initialCatalog());
    this.storedCatalogVersion = store.catalogVersion();
  }

  static open(options: EngineOptions): Engine {
    const engine = new Engine(new Store(options.dataDir, options.segmentGraceMs !== undefined ? { retireGraceMs: options.segmentGraceMs } : {}), options);
    engine.startBinlogTrimming();
    if (options.maintenance ?? true) {
      engine.maintenance = new ColumnMaintenance(engine.store, () => engine.storedTables(),
        options.idleFlushMs !== undefined ? { idleFlushMs: options.idleFlushMs } : {});
      engine.maintenance.start();
      // rows an older version buffered in its memtable database: into segments before serving
      const migrated = engine.maintenance.migrate();
      const trimmed = engine.ready;
      engine.ready = Promise.all([trimmed, migrated]).then(() => undefined);
      engine.views = new ViewMaintainer({
        store: engine.store,
        currentCatalog: () => { engine.refreshCatalog(); return engine.catalog; },
        storedRel: (r) => engine.storedRel(r),
        viewPlan: (r) => engine.viewPlan(r),
        rowId: engine.rowIdAllocator(),
      }, 50, options.stateCacheRows, options.checkpointMs);
      engine.views.start();
      engine.sources = new SourceRunner({
        store: engine.store,
        currentCatalog: () => { engine.refreshCatalog(); return engine.catalog; },
        storedRel: (r) => engine.storedRel(r),
        rowIdAllocator: () => engine.rowIdAllocator(),
        generatedFill: (r) => engine.generatedFill(r),
        backlog: (oid) => engine.views?.backlog(oid) ?? 0,
        ingested: () => { if (engine.views?.hasViews()) void engine.views.kick(); },
      });
      engine.sources.start();
    }
    return engine;
  }

  /** ingests the built-in connectors' rows; present in the process that does storage maintenance */
  sources: SourceRunner | null = null;

  /** keeps materialized views up to date; present in the process that does storage maintenance */
  views: ViewMaintainer | null = null;

  /** binding outside a session (views, ingestion): default settings, the relation's schema first */
  private backgroundBindEnv(rel: RelationDef): BindEnv {
    const defaults = new Settings({});
    return {
      catalog: this.catalog, searchPath: [rel.schema, 'public'], settings: DEFAULT_VALUE_SETTINGS, params: [],
      user: 'eddy', database: 'eddy', processId: 0, findVirtual: (schema, name) => findSystemTable(schema, name), viewDepth: 0,
      getSetting: (name) => defaults.get(name), startTime: this.startTime, sequences: this.sequences,
    };
  }

  /** the plan of a materialized view's stored query, bound with default settings */
  viewPlan(rel: RelationDef): Plan {
    return bindViewQuery(rel.viewSql!, this.backgroundBindEnv(rel));
  }

  /**
   * For rows a connector ingests: fills a row's generated columns (positions of rel.columns) from
   * its other columns; null when the relation has none.
   */
  generatedFill(rel: RelationDef): ((row: Row) => void) | null {
    const generated = bindGenerated(rel, this.backgroundBindEnv(rel)).map((g) => ({ col: g.col, f: compile(g.expr) }));
    if (generated.length === 0) return null;
    const env = dataflowEnv({ settings: DEFAULT_VALUE_SETTINGS, txnTimestamp: Date.now() * 1000, now: () => Date.now() * 1000 });
    return (row) => { for (const g of generated) row[g.col] = g.f(row, env); };
  }

  /**
   * FLUSH: waits until every materialized view is built and reflects every commit made before
   * the call (in any process on this data directory). The process that maintains views is
   * kicked; other processes watch the positions it persists.
   */
  async flushViews(timeoutMs = 120_000): Promise<void> {
    this.refreshCatalog();
    const views = this.catalog.relations().filter((r) => r.kind === 'matview' || r.kind === 'sink');
    if (views.length === 0) return;
    const deadline = Date.now() + timeoutMs;
    const waitFor = async (done: () => boolean): Promise<void> => {
      while (!done()) {
        if (Date.now() > deadline) {
          const why = this.views?.lastError instanceof Error ? `: ${this.views.lastError.message}` : '';
          throw new SqlError(SqlState.QueryCanceled, `materialized views did not catch up within ${timeoutMs / 1000} s${why}`);
        }
        if (this.views) await this.views.kick();
        if (!done()) await new Promise((r) => setTimeout(r, 5));
      }
    };
    await waitFor(() => views.every((v) => this.store.counter(readyCounter(v.oid)) !== undefined));
    const targets: [number, number][] = [];
    for (const r of this.catalog.relations()) {
      if ((r.kind !== 'table' && r.kind !== 'source') || this.store.counter(positionCounter(r.oid)) === undefined) continue;
      targets.push([r.oid, this.store.binlogHead(r.oid)]);
    }
    await waitFor(() => targets.every(([t, head]) => (this.store.counter(positionCounter(t)) ?? 0) >= head));
    // rows a temporal filter should have retracted by now are retracted before the read
    if (this.views?.due()) await this.views.kick();
  }

  private trimTimer: NodeJS.Timeout | null = null;
  /** present in the process that does the column store's background work */
  maintenance: ColumnMaintenance | null = null;

  /** VACUUM: flush and compact the tables' column stores now (in the process that does maintenance). */
  async vacuum(rels: readonly RelationDef[]): Promise<void> {
    await this.maintenance?.vacuum(rels.map((r) => this.storedRel(r)));
  }

  storedTables(): StoredRelation[] {
    return this.catalog.relations().filter((r) => r.kind === 'table' || r.kind === 'matview').map((r) => this.storedRel(r));
  }

  /** Background work: drop binlog entries older than each table's binlog_ttl (default 7 days). */
  private startBinlogTrimming(): void {
    const run = (): Promise<void> => this.trimBinlogs().then(() => undefined, (err: unknown) => { process.stderr.write(`binlog trim failed: ${String(err)}\n`); });
    this.ready = run();
    this.trimTimer = setInterval(() => void run(), 60_000);
    this.trimTimer.unref();
  }

  /** resolves when start-up work (the first binlog trim) is done; the server accepts connections after it */
  ready: Promise<void> = Promise.resolve();

  async trimBinlogs(): Promise<number> {
    let removed = 0;
    const now = Date.now() * 1000;
    for (const rel of this.catalog.relations()) {
      if (rel.kind === 'view' || rel.kind === 'sink') continue;
      const ttl = binlogTtlMicros(rel.options['binlog_ttl']);
      removed += await this.store.trimBinlog(this.storedRel(rel), now - ttl);
    }
    return removed;
  }

  /**
   * Sequences hand out values from blocks reserved durably in storage, so several server processes
   * on one data directory (and restarts) never repeat a value; like PostgreSQL, values are not
   * transactional and a crash may skip some.
   */
  private readonly seqBlocks = new Map<number, { next: number; end: number; size: number; last: bigint | null }>();

  readonly sequences = {
    next: (oid: number): bigint => {
      const q = this.sequence(oid);
      const b = this.seqBlock(oid);
      if (b.next >= b.end) {
        const start = this.store.allocateBlock('seqn:' + oid, b.size);
        b.next = start;
        b.end = start + b.size;
        b.size = Math.min(b.size * 2, 65536);
      }
      const k = b.next++;
      const value = BigInt(q.start) + BigInt(k) * BigInt(q.increment);
      const { max } = sequenceRange(q);
      if (value > max) throw new SqlError('2200H', `nextval: reached maximum value of sequence "${q.name}" (${max})`);
      b.last = value;
      return b.last;
    },
    current: (oid: number): bigint => {
      const b = this.seqBlock(oid);
      if (b.last === null) throw new SqlError('55000', `currval of sequence "${this.sequence(oid).name}" is not yet defined in this session`);
      return b.last;
    },
    set: (oid: number, value: bigint, called: boolean): bigint => {
      const q = this.sequence(oid);
      const index = Number((value - BigInt(q.start)) / BigInt(q.increment)) + (called ? 1 : 0);
      this.store.allocateBlock('seqn:' + oid, index - (this.store.counter('seqn:' + oid) ?? 0));
      const b = this.seqBlock(oid);
      b.next = b.end = 0;
      if (called) b.last = value;
      return value;
    },
  };

  private sequence(oid: number): SequenceDef {
    const q = this.catalog.sequences().find((x) => x.oid === oid);
    if (!q) throw new SqlError(SqlState.UndefinedTable, `sequence with OID ${oid} does not exist`);
    return q;
  }

  private seqBlock(oid: number): { next: number; end: number; size: number; last: bigint | null } {
    let b = this.seqBlocks.get(oid);
    if (!b) { b = { next: 0, end: 0, size: 16, last: null }; this.seqBlocks.set(oid, b); }
    return b;
  }

  /** Hidden row ids (tables without a primary key) come from durably reserved blocks too. */
  private readonly rowIds = { next: 0, end: 0, size: 1024 };

  passwordEncryption(): 'scram-sha-256' | 'md5' {
    return this.options.auth === 'md5' ? 'md5' : 'scram-sha-256';
  }

  /** Sets the bootstrap role's password (--password / EDDY_PASSWORD), so password auth has a way in. */
  async setRolePassword(role: string, password: string): Promise<void> {
    const data = this.catalog.data;
    const stored = storedPassword(password, role, this.passwordEncryption());
    const exists = data.roles.some((r) => r.name === role);
    const roles = exists
      ? data.roles.map((r) => (r.name === role ? { ...r, password: stored, login: true } : r))
      : [...data.roles, { oid: data.nextOid, name: role, login: true, superuser: true, password: stored }];
    const next: CatalogData = { ...data, roles, nextOid: exists ? data.nextOid : data.nextOid + 1 };
    await this.store.commit({ rows: [], catalog: next });
    this.catalog = new Catalog(next);
    this.catalogVersion++;
    this.storedCatalogVersion = this.store.catalogVersion();
  }

  rowIdAllocator(): () => bigint {
    return () => {
      const r = this.rowIds;
      if (r.next >= r.end) {
        const start = this.store.allocateBlock('rowid', r.size);
        r.next = start;
        r.end = start + r.size;
        r.size = Math.min(r.size * 2, 1 << 20);
      }
      return BigInt(++r.next);
    };
  }

  storedRel(rel: RelationDef): StoredRelation {
    let s = this.storedCache.get(rel);
    if (!s) {
      s = {
        oid: rel.oid, name: rel.name, types: rel.columns.map((c) => c.type),
        indexes: rel.indexes.filter((i) => !i.primary).map((i) => ({
          oid: i.oid, name: i.name, columns: i.columns, unique: i.unique, columnNames: i.columns.map((c) => rel.columns[c]!.name),
        })),
        pkName: rel.indexes.find((i) => i.primary)?.name ?? null,
        // a source keeps no rows: only its binlog
        orientation: rel.kind === 'source' ? { row: false, column: false } : tableOrientation(rel.options),
        flushRows: memtableRows(rel.options),
      };
      this.storedCache.set(rel, s);
    }
    return s;
  }

  virtualRows(name: string, catalog: Catalog, session: SqlSession): Iterable<Row> {
    return systemRows(name, catalog, {
      engine: this, session,
      storage: {
        segments: (rel) => {
          const sr = this.storedRel(rel);
          return sr.orientation.column ? this.store.columns.segments(rel.oid).map((m) => ({ id: m.id, rows: m.rows, deleted: this.store.columns.bitmaps.read(m.id).size, bytes: m.bytes })) : [];
        },
        memtableRows: (rel) => this.store.deltaRows(this.storedRel(rel)),
        rowEstimate: (rel) => {
          const sr = this.storedRel(rel);
          // the column store's metadata answers at once; a row-only table counts its keys
          if (!sr.orientation.column) return this.store.countRows(sr);
          let n = this.store.deltaRows(sr);
          for (const m of this.store.columns.segments(rel.oid)) n += m.rows - this.store.columns.bitmaps.read(m.id).size;
          return n;
        },
      },
      views: (rel) => this.views?.progress(rel.oid) ?? null,
      viewFreshness: () => this.views?.freshness() ?? null,
      sourceOffset: (rel) => this.store.counter(offsetCounter(rel.oid)) ?? 0,
      sourceWatermark: (rel) => ({ watermark: this.store.counter(watermarkCounter(rel.oid)) ?? null, late: this.store.counter(lateCounter(rel.oid)) ?? 0 }),
      sourceErrors: (rel) => this.store.counter(kafkaErrorsCounter(rel.oid)) ?? 0,
      kafkaProgress: (rel) => this.sources?.kafkaProgress(rel.oid) ?? null,
      sourceErrorLog: (rel) => (this.store.note(kafkaErrorLogNote(rel.oid)) ?? []) as RecordError[],
      subscriptions: () => [...this.subscriptions.values()].map(({ sub, info }) => ({ ...info, startedAt: sub.startedAt, delivered: sub.delivered })),
    });
  }

  /** SUBSCRIBE streams of this process's sessions, by id */
  readonly subscriptions = new Map<number, { readonly sub: Subscription; readonly info: SubscriptionInfo }>();

  startSubscription(plan: Plan, columns: readonly ResultColumn[], spec: SubscribeSpec, info: SubscriptionInfo, catalog: Catalog): Subscription {
    const sub = new Subscription({ store: this.store, catalog, storedRel: (r) => this.storedRel(r) }, plan, columns,
      { snapshot: spec.snapshot, progress: spec.progress, asOf: spec.asOf });
    this.subscriptions.set(sub.id, { sub, info });
    return sub;
  }

  endSubscription(sub: Subscription): void {
    sub.close();
    this.subscriptions.delete(sub.id);
  }

  /** Writes a transaction durably; the catalog becomes visible to all sessions after it. */
  async commit(layer: WriteLayer, catalog: CatalogData | null, clear: readonly RelationDef[], durable = true): Promise<void> {
    const rows = layer.writes((r) => this.storedRel(r));
    if (rows.length === 0 && catalog === null && clear.length === 0) return;
    // relations gone from the new catalog were dropped: their binlogs go with them
    const dropped = catalog ? clear.filter((r) => !catalog.relations.some((x) => x.oid === r.oid)).map((r) => r.oid) : [];
    await this.store.commit({
      rows, ...(catalog ? { catalog } : {}), clearRelations: clear.map((r) => this.storedRel(r)),
      droppedRelations: dropped, commitTimestamp: Date.now() * 1000, durable,
    });
    if (catalog) {
      this.catalog = new Catalog(catalog);
      this.catalogVersion++;
      this.storedCatalogVersion = this.store.catalogVersion();
    }
    // views follow the commit at once (freshness); the round runs after this commit is acknowledged
    if (this.views && (rows.length > 0 || catalog) && this.views.hasViews()) void this.views.kick();
  }

  /** after rows were committed other than through commit() (a bulk load): views follow them */
  committedRows(): void {
    if (this.views && this.views.hasViews()) void this.views.kick();
  }

  // ---- SessionFactory ----------------------------------------------------------

  authFor(user: string, _database: string): AuthRequirement {
    const role = this.catalog.role(user);
    const method = this.options.auth ?? 'trust';
    if (method === 'trust') return { method: 'trust' };
    if (!role || !role.login) throw new SqlError(SqlState.InvalidAuthorizationSpecification, `role "${user}" does not exist`, { severity: 'FATAL' });
    return role.password ? { method, secret: role.password } : { method };
  }

  create(startupParams: Readonly<Record<string, string>>): Session {
    let pid: number;
    do pid = randomInt(1000, 2 ** 31 - 1); while (this.sessions.has(pid));
    const s = new SqlSession(this, pid, randomInt(1, 2 ** 31 - 1), startupParams);
    this.sessions.set(pid, s);
    return s;
  }

  cancel(processId: number, secretKey: number): void {
    if (this.cancelLocal(processId, secretKey)) return;
    // the session may live in another server process on the same port (--workers)
    this.onForeignCancel?.(processId, secretKey);
  }

  /** Cancels a session of this process; false if it is not here. */
  cancelLocal(processId: number, secretKey: number): boolean {
    const s = this.sessions.get(processId);
    if (!s) return false;
    if (s.secretKey === secretKey) s.cancel();
    return true;
  }

  /** set by the multi-process launcher to forward CancelRequests for sessions of other processes */
  onForeignCancel: ((processId: number, secretKey: number) => void) | null = null;

  async close(): Promise<void> {
    if (this.trimTimer) clearInterval(this.trimTimer);
    await this.sources?.stop();
    await this.views?.stop();
    await this.maintenance?.stop();
    await this.store.close();
  }
}

const DEFAULT_BINLOG_TTL = 7 * 86_400_000_000;

/** binlog_ttl such as '7 days', '12 hours', '30 min', '10 s' or a number of seconds, in µs. */
export function binlogTtlMicros(v: string | undefined): number {
  if (!v) return DEFAULT_BINLOG_TTL;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(d|day|days|h|hour|hours|min|mins|minute|minutes|s|sec|secs|second|seconds)?\s*$/i.exec(v);
  if (!m) return DEFAULT_BINLOG_TTL;
  const unit = (m[2] ?? 's').toLowerCase();
  const perUnit = unit.startsWith('d') ? 86_400 : unit.startsWith('h') ? 3_600 : unit.startsWith('m') ? 60 : 1;
  return Math.round(Number(m[1]) * perUnit * 1_000_000);
}
