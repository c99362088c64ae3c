// The engine shared by all sessions: the durable store, the committed catalog, roles and
// authentication, the session registry for CancelRequest, and the commit path.
import { randomInt } from 'node:crypto';
import type { Row } from '../../core/datum.js';
import { SqlError, SqlState } from '../../core/errors.js';
import { Store, type StoredRelation } from '../../storage/store.js';
import { Catalog } from '../../catalog/catalog.js';
import { initialCatalog, type CatalogData, type RelationDef } from '../../catalog/model.js';
import type { AuthRequirement, Session, SessionFactory } from './types.js';
import type { WriteLayer } from './txn.js';
import { SqlSession } from './session.js';
import { systemRows } from '../../catalog/system-tables.js';
import { PlanCache } from './plan-cache.js';
import { storedPassword } from './scram.js';

export interface EngineOptions {
  readonly dataDir: string;
  /** 'trust' (default) or a password method required of every role that has a password */
  readonly auth?: 'trust' | 'password' | 'md5' | 'scram-sha-256';
}

export class Engine implements SessionFactory {
  catalog: Catalog;
  readonly sessions = new Map<number, SqlSession>();
  private nextRowId: bigint;
  readonly startTime = Date.now();
  private storedCache = new WeakMap<RelationDef, StoredRelation>();
  /** bumps on every catalog change so cached plans can tell they are stale */
  catalogVersion = 1;
  readonly planCache = new PlanCache();

  private constructor(readonly store: Store, readonly options: EngineOptions) {
    const data = store.loadCatalog() as CatalogData | undefined;
    this.catalog = new Catalog(data ?? initialCatalog());
    this.nextRowId = BigInt(store.counter('rowid') ?? 0);
  }

  static open(options: EngineOptions): Engine {
    return new Engine(new Store(options.dataDir), options);
  }

  private readonly seqValues = new Map<number, { value: bigint; called: boolean }>();

  /** Sequences are not transactional (as in PostgreSQL); their values persist with the next commit. */
  readonly sequences = {
    next: (oid: number): bigint => {
      const st = this.seqState(oid);
      const q = this.catalog.sequences().find((x) => x.oid === oid)!;
      st.value = st.called ? st.value + BigInt(q.increment) : st.value;
      st.called = true;
      return st.value;
    },
    current: (oid: number): bigint => {
      const st = this.seqState(oid);
      if (!st.called) throw new SqlError('55000', 'currval of sequence is not yet defined in this session');
      return st.value;
    },
    set: (oid: number, value: bigint, called: boolean): bigint => {
      const st = this.seqState(oid);
      st.value = value;
      st.called = called;
      return value;
    },
  };

  private seqState(oid: number): { value: bigint; called: boolean } {
    let st = this.seqValues.get(oid);
    if (!st) {
      const q = this.catalog.sequences().find((x) => x.oid === oid);
      if (!q) throw new SqlError(SqlState.UndefinedTable, `sequence with OID ${oid} does not exist`);
      const stored = this.store.counter('seq:' + oid);
      st = stored === undefined ? { value: BigInt(q.start), called: false } : { value: BigInt(stored), called: true };
      this.seqValues.set(oid, st);
    }
    return st;
  }

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
  }

  rowIdAllocator(): () => bigint {
    return () => ++this.nextRowId;
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
      };
      this.storedCache.set(rel, s);
    }
    return s;
  }

  virtualRows(name: string, catalog: Catalog, session: SqlSession): Iterable<Row> {
    return systemRows(name, catalog, { engine: this, session });
  }

  /** Writes a transaction durably; the catalog becomes visible to all sessions after it. */
  async commit(layer: WriteLayer, catalog: CatalogData | null, clear: readonly RelationDef[]): Promise<void> {
    const rows = layer.writes((r) => this.storedRel(r));
    if (rows.length === 0 && catalog === null && clear.length === 0) return;
    const counters = new Map<string, number>([['rowid', Number(this.nextRowId)]]);
    for (const [oid, st] of this.seqValues) if (st.called) counters.set('seq:' + oid, Number(st.value));
    await this.store.commit({
      rows, ...(catalog ? { catalog } : {}), clearRelations: clear.map((r) => this.storedRel(r)), counters,
    });
    if (catalog) {
      this.catalog = new Catalog(catalog);
      this.catalogVersion++;
    }
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
    const s = this.sessions.get(processId);
    if (s && s.secretKey === secretKey) s.cancel();
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}
