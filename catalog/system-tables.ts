// pg_catalog and information_schema relations, computed from the native catalog when read.
// These are what psql, JDBC and other drivers query to discover schemas, tables and columns.
import { tableOrientation } from './table-options.js';
import { T, TYPE_INFO, arrayOf, typeOid, INT2VECTOR, OIDVECTOR, type SqlType, type ScalarTypeName } from '../core/types.js';
import type { Datum, Row } from '../core/datum.js';
import type { VirtualTable } from './model.js';
import { formatTypeWithMod } from '../core/types.js';
import type { Catalog } from './catalog.js';
import { SYSTEM_VIEWS } from './system-views.js';
import { builtinFunctions, ARRAY_IN, ARRAY_OUT, INT2VECTOR_IN, OIDVECTOR_IN } from './builtin-functions.js';
import { liveColumns, sequenceRange, keyConstraintOid, checkConstraintOid, foreignKeyOid, PG_CATALOG_NAMESPACE, PUBLIC_NAMESPACE, INFORMATION_SCHEMA_NAMESPACE, type RelationDef } from './model.js';

interface SystemTable extends VirtualTable {
  rows(c: Catalog, ctx: SystemContext): Iterable<Row>;
}

/** Session facts some system tables show (pg_stat_activity, pg_settings). */
export interface SystemContext {
  readonly engine: { readonly sessions: ReadonlyMap<number, { readonly user: string; readonly database: string; readonly lastQuery: string; readonly state: string; readonly startedAt: number; readonly startup: Readonly<Record<string, string>> }> ; readonly startTime: number };
  readonly session: { readonly settings: { all(): { name: string; setting: string }[] } };
  /** the stores of a table: its column segments and the rows changed since its last flush (the delta, shown as memtable_rows) */
  readonly storage: {
    segments(rel: RelationDef): readonly { readonly id: number; readonly rows: number; readonly deleted: number; readonly bytes: number }[];
    memtableRows(rel: RelationDef): number;
    /** rows a table or materialized view holds, estimated cheaply (pg_stat_user_tables.n_live_tup) */
    rowEstimate?(rel: RelationDef): number;
  };
  /** a materialized view's maintenance as seen by the process that runs it (null elsewhere, or not built yet) */
  readonly views?: (rel: RelationDef) => { state: string; started: string; rows: number; errors: number; backfillDone: number; backfillTotal: number; backfillMs: number; stateRows: number } | null;
  /** delay from an input commit to its effect in the views (all views move together) */
  readonly viewFreshness?: () => { p50: number; p99: number; commits: number } | null;
  /** a connector relation's ingested offset, watermark (µs) and rows dropped as late */
  readonly sourceOffset?: (rel: RelationDef) => number;
  readonly sourceWatermark?: (rel: RelationDef) => { watermark: number | null; late: number };
  /** records a connector could not decode (skipped) */
  readonly sourceErrors?: (rel: RelationDef) => number;
  /** a Kafka source's partitions as read by this process: next offset, high watermark, lag; and records/s */
  readonly kafkaProgress?: (rel: RelationDef) => { partitions: readonly { partition: number; next: bigint; high: bigint | null; lag: bigint | null }[]; rate: number } | null;
  /** the most recent of those records, with where they were and why */
  readonly sourceErrorLog?: (rel: RelationDef) => readonly { partition: number; offset: string; record: string | null; reason: string; at: number }[];
  /** SUBSCRIBE streams of this process's sessions */
  readonly subscriptions?: () => readonly { pid: number; cursor: string | null; query: string; startedAt: number; delivered: number }[];
}

const tables = new Map<string, SystemTable>();

function table(schema: string, name: string, cols: string, rows: SystemTable['rows']): void {
  const columns = cols.split(',').map((c) => {
    const [n, t] = c.trim().split(/\s+/) as [string, string];
    if (t === 'int2vector' || t === 'oidvector') return { name: n, type: t === 'int2vector' ? INT2VECTOR : OIDVECTOR };
    const isArr = t.endsWith('[]');
    const base = (isArr ? t.slice(0, -2) : t) as ScalarTypeName;
    const type: SqlType = isArr ? arrayOf(T[base as keyof typeof T] as never) : (T[base as keyof typeof T] as SqlType);
    return { name: n, type };
  });
  // trailing columns a row leaves out read NULL (newer catalog columns nothing here fills)
  const width = columns.length;
  const padded: SystemTable['rows'] = function* (c, ctx) {
    for (const r of rows(c, ctx)) yield r.length < width ? [...r, ...new Array<null>(width - r.length).fill(null)] : r;
  };
  tables.set(`${schema}.${name}`, { schema, name, columns, rows: padded });
}

const views = new Map(SYSTEM_VIEWS.map((v) => [`${v.schema}.${v.name}`, v]));

/** A system relation: a computed base table, or a view whose SQL the binder expands. */
export function findSystemTable(schema: string | null, name: string): VirtualTable | undefined {
  const key = `${schema ?? 'pg_catalog'}.${name}`;
  const view = views.get(key);
  if (view) return { schema: view.schema, name: view.name, columns: [], sql: view.sql };
  return tables.get(key);
}

export function systemRows(qualified: string, c: Catalog, ctx: SystemContext): Iterable<Row> {
  const t = tables.get(qualified);
  return t ? t.rows(c, ctx) : [];
}

function tableOrientationName(options: Readonly<Record<string, string>>): string {
  const o = tableOrientation(options);
  return o.row && o.column ? 'row,column' : o.row ? 'row' : 'column';
}

const nsOid = (c: Catalog, schema: string): number => c.schema(schema)?.oid ?? PUBLIC_NAMESPACE;
// sources show as foreign tables (psql lists them under \\d)
/** what the catalog tables show: every relation but sinks (eddy_sinks lists those) */
const relationsOf = (c: Catalog): RelationDef[] => c.relations().filter((r) => r.kind !== 'sink');
const relkind = (r: RelationDef): string => (r.kind === 'view' ? 'v' : r.kind === 'matview' ? 'm' : r.kind === 'source' ? 'f' : 'r');

table('pg_catalog', 'pg_namespace', 'oid oid, nspname name, nspowner oid, nspacl text[]', (c) =>
  c.schemas().map((s) => [s.oid, s.name, 10, null]));

table('pg_catalog', 'pg_class', 'oid oid, relname name, relnamespace oid, reltype oid, reloftype oid, relowner oid, relam oid, relfilenode oid, reltablespace oid, relpages int4, reltuples float4, relallvisible int4, reltoastrelid oid, relhasindex bool, relisshared bool, relpersistence char, relkind char, relnatts int2, relchecks int2, relhasrules bool, relhastriggers bool, relhassubclass bool, relrowsecurity bool, relforcerowsecurity bool, relispopulated bool, relreplident char, relispartition bool, relrewrite oid, relfrozenxid int8, relminmxid int8, relacl text[], reloptions text[], relpartbound text', function* (c) {
  // relhastriggers: PostgreSQL enforces foreign keys with triggers, and psql shows a table's
  // foreign keys (its own and referencing ones) only when the flag is set
  const withKeys = new Set<number>();
  for (const r of relationsOf(c)) for (const fk of r.foreignKeys ?? []) { withKeys.add(r.oid); withKeys.add(fk.refRelation); }
  for (const r of relationsOf(c)) {
    yield [r.oid, r.name, nsOid(c, r.schema), 0, 0, 10, r.kind === 'view' ? 0 : 2, r.oid, 0, 0, -1, 0, 0, r.indexes.length > 0, false, 'p', relkind(r),
      liveColumns(r).length, r.checks.length, r.kind === 'view', withKeys.has(r.oid), false, false, false, true, 'd', false, 0, 0n, 0n, null, null, null];
    for (const i of r.indexes) {
      yield [i.oid, i.name, nsOid(c, r.schema), 0, 0, 10, 403, i.oid, 0, 0, -1, 0, 0, false, false, 'p', 'i', i.columns.length, 0, false, false, false, false, false, true, 'n', false, 0, 0n, 0n, null, null, null];
    }
  }
  for (const q of c.sequences()) {
    yield [q.oid, q.name, nsOid(c, q.schema), 0, 0, 10, 0, q.oid, 0, 0, -1, 0, 0, false, false, 'p', 'S', 3, 0, false, false, false, false, false, true, 'n', false, 0, 0n, 0n, null, null, null];
  }
});

table('pg_catalog', 'pg_attribute', 'attrelid oid, attname name, atttypid oid, attstattarget int4, attlen int2, attnum int2, attndims int4, attcacheoff int4, atttypmod int4, attbyval bool, attalign char, attstorage char, attcompression char, attnotnull bool, atthasdef bool, atthasmissing bool, attidentity char, attgenerated char, attisdropped bool, attislocal bool, attinhcount int4, attcollation oid, attacl text[], attoptions text[], attfdwoptions text[], attmissingval text', function* (c) {
  for (const r of relationsOf(c)) {
    const cols = liveColumns(r);
    for (let i = 0; i < cols.length; i++) {
      const col = cols[i]!;
      // attstorage: fixed-length types are 'plain', varlena ones 'extended' (numeric: 'main')
      const storage = typLen(col.type) > 0 ? 'p' : col.type.kind === 'scalar' && col.type.name === 'numeric' ? 'm' : 'x';
      yield [r.oid, col.name, typeOid(col.type), -1, typLen(col.type), i + 1, col.type.kind === 'array' ? 1 : 0, -1, col.type.typmod, typLen(col.type) > 0 && typLen(col.type) <= 8, 'i', storage, '', col.notNull, col.defaultSql !== null || col.generatedSql !== undefined, false, '', col.generatedSql !== undefined ? 's' : '', false, true, 0, isText(col.type) ? 100 : 0, null, null, null];
    }
    for (const idx of r.indexes) {
      for (let i = 0; i < idx.columns.length; i++) {
        const col = r.columns[idx.columns[i]!]!;
        yield [idx.oid, col.name, typeOid(col.type), -1, typLen(col.type), i + 1, 0, -1, col.type.typmod, false, 'i', 'p', '', false, false, false, '', '', false, true, 0, 0, null, null, null];
      }
    }
  }
});

function typLen(t: SqlType): number { return t.kind === 'array' ? -1 : TYPE_INFO[t.name].len; }
function isText(t: SqlType): boolean { return t.kind === 'scalar' && ['text', 'varchar', 'bpchar', 'name'].includes(t.name); }

const TYPE_NAMES: Record<string, string> = { bpchar: 'bpchar' };
table('pg_catalog', 'pg_type', 'oid oid, typname name, typnamespace oid, typowner oid, typlen int2, typbyval bool, typtype char, typcategory char, typispreferred bool, typisdefined bool, typdelim char, typrelid oid, typsubscript oid, typelem oid, typarray oid, typinput regproc, typoutput regproc, typreceive regproc, typsend regproc, typmodin regproc, typmodout regproc, typanalyze regproc, typalign char, typstorage char, typnotnull bool, typbasetype oid, typtypmod int4, typndims int4, typcollation oid, typdefaultbin text, typdefault text, typacl text[]', function* () {
  // the vector types of the catalogs (pg_index.indkey, pg_proc.proargtypes)
  yield [22, 'int2vector', PG_CATALOG_NAMESPACE, 10, -1, false, 'b', 'A', false, true, ',', 0, 0, 21, 1006, INT2VECTOR_IN, 0, 0, 0, 0, 0, 0, 'i', 'p', false, 0, -1, 0, 0, null, null, null];
  yield [30, 'oidvector', PG_CATALOG_NAMESPACE, 10, -1, false, 'b', 'A', false, true, ',', 0, 0, 26, 1013, OIDVECTOR_IN, 0, 0, 0, 0, 0, 0, 'i', 'p', false, 0, -1, 0, 0, null, null, null];
  for (const [name, info] of Object.entries(TYPE_INFO)) {
    const tt = info.category === 'P' ? 'p' : 'b';
    yield [info.oid, TYPE_NAMES[name] ?? name, PG_CATALOG_NAMESPACE, 10, info.len, info.len > 0 && info.len <= 8, tt, info.category, ['bool', 'text', 'oid', 'float8', 'timestamptz', 'interval'].includes(name), true, ',', 0, 0, 0, info.arrayOid, 0, 0, 0, 0, 0, 0, 0, 'i', 'p', false, 0, -1, 0, ['text', 'varchar', 'bpchar', 'name'].includes(name) ? 100 : 0, null, null, null];
    if (info.arrayOid) {
      // typinput array_in: how drivers (pgjdbc's TypeInfoCache) tell an array type
      yield [info.arrayOid, '_' + name, PG_CATALOG_NAMESPACE, 10, -1, false, 'b', 'A', false, true, ',', 0, 0, info.oid, 0, ARRAY_IN, ARRAY_OUT, 0, 0, 0, 0, 0, 'i', 'x', false, 0, -1, 0, 0, null, null, null];
    }
  }
});

table('pg_catalog', 'pg_database', 'oid oid, datname name, datdba oid, encoding int4, datlocprovider char, datistemplate bool, datallowconn bool, datconnlimit int4, datfrozenxid int8, datminmxid int8, dattablespace oid, datcollate text, datctype text, daticulocale text, datcollversion text, datacl text[]', function* (_c, ctx) {
  const names = new Set<string>(['eddy']);
  for (const s of ctx.engine.sessions.values()) names.add(s.database);
  let oid = 16380;
  for (const n of names) yield [n === 'eddy' ? 16384 - 1 : oid++, n, 10, 6, 'c', false, true, -1, 0n, 0n, 1663, 'C', 'C', null, null, null];
  yield [1, 'template1', 10, 6, 'c', true, true, -1, 0n, 0n, 1663, 'C', 'C', null, null, null];
});

table('pg_catalog', 'pg_index', 'indexrelid oid, indrelid oid, indnatts int2, indnkeyatts int2, indisunique bool, indnullsnotdistinct bool, indisprimary bool, indisexclusion bool, indimmediate bool, indisclustered bool, indisvalid bool, indcheckxmin bool, indisready bool, indislive bool, indisreplident bool, indkey int2vector, indcollation oidvector, indclass oidvector, indoption int2vector, indexprs text, indpred text', function* (c) {
  for (const r of relationsOf(c)) for (const i of r.indexes) {
    yield [i.oid, r.oid, i.columns.length, i.columns.length, i.unique, false, i.primary, false, true, false, true, false, true, true, false, i.columns.map((x) => x + 1), i.columns.map(() => 0), i.columns.map(() => 0), i.columns.map(() => 0), null, null];
  }
});

table('pg_catalog', 'pg_constraint', 'oid oid, conname name, connamespace oid, contype char, condeferrable bool, condeferred bool, convalidated bool, conrelid oid, contypid oid, conindid oid, conparentid oid, confrelid oid, confupdtype char, confdeltype char, confmatchtype char, conislocal bool, coninhcount int4, connoinherit bool, conkey int2[], confkey int2[], conpfeqop oid[], conppeqop oid[], conffeqop oid[], confdelsetcols int2[], conexclop oid[], conbin text', function* (c) {
  for (const r of relationsOf(c)) {
    for (const i of r.indexes) {
      if (!i.unique) continue;
      yield [keyConstraintOid(i.oid), i.name, nsOid(c, r.schema), i.primary ? 'p' : 'u', false, false, true, r.oid, 0, i.oid, 0, 0, ' ', ' ', ' ', true, 0, true, i.columns.map((x) => x + 1), null, null, null, null, null, null, null];
    }
    for (const [k, ch] of r.checks.entries()) {
      yield [checkConstraintOid(r.oid, k), ch.name, nsOid(c, r.schema), 'c', false, false, true, r.oid, 0, 0, 0, 0, ' ', ' ', ' ', true, 0, false, null, null, null, null, null, null, null, ch.sql];
    }
    for (const [k, fk] of (r.foreignKeys ?? []).entries()) {
      // conindid: the referenced table's key the constraint relies on
      const ref = c.relationByOid(fk.refRelation);
      const key = [...fk.refColumns].sort().join(',');
      const index = ref?.indexes.find((i) => i.unique && [...i.columns].sort().join(',') === key);
      yield [foreignKeyOid(r.oid, k), fk.name, nsOid(c, r.schema), 'f', false, false, true, r.oid, 0, index?.oid ?? 0, 0, fk.refRelation, fk.onUpdate, fk.onDelete, 's', true, 0, true,
        fk.columns.map((x) => x + 1), fk.refColumns.map((x) => x + 1), null, null, null, null, null, null];
    }
  }
});

table('pg_catalog', 'pg_attrdef', 'oid oid, adrelid oid, adnum int2, adbin text', function* (c) {
  for (const r of relationsOf(c)) {
    const cols = liveColumns(r);
    // a generated column's expression is its default, as PostgreSQL keeps it (attgenerated tells them apart)
    for (let i = 0; i < cols.length; i++) {
      const expr = cols[i]!.generatedSql ?? cols[i]!.defaultSql;
      if (expr) yield [3_000_000 + r.oid * 64 + i, r.oid, i + 1, expr];
    }
  }
});

table('pg_catalog', 'pg_description', 'objoid oid, classoid oid, objsubid int4, description text', (c) =>
  (c.data.comments ?? []).map((x) => [x.objoid, x.classoid, x.objsubid, x.description]));
table('pg_catalog', 'pg_inherits', 'inhrelid oid, inhparent oid, inhseqno int4, inhdetachpending bool', () => []);
table('pg_catalog', 'pg_am', 'oid oid, amname name, amhandler regproc, amtype char', () => [[2, 'heap', 0, 't'], [403, 'btree', 0, 'i']]);
table('pg_catalog', 'pg_authid', 'oid oid, rolname name, rolsuper bool, rolinherit bool, rolcreaterole bool, rolcreatedb bool, rolcanlogin bool, rolreplication bool, rolbypassrls bool, rolconnlimit int4, rolpassword text, rolvaliduntil timestamptz', (c) =>
  c.roles().map((r) => [r.oid, r.name, r.superuser, true, r.superuser, r.superuser, r.login, false, r.superuser, -1, r.password, null]));
table('pg_catalog', 'pg_settings', 'name text, setting text, unit text, category text, short_desc text, extra_desc text, context text, vartype text, source text, min_val text, max_val text, enumvals text[], boot_val text, reset_val text, sourcefile text, sourceline int4, pending_restart bool', (_c, ctx) =>
  ctx.session.settings.all().map((s) => [s.name, s.setting, null, 'Eddy', '', null, 'user', 'string', 'default', null, null, null, s.setting, s.setting, null, null, false]));
table('pg_catalog', 'pg_stat_activity', 'datid oid, datname name, pid int4, leader_pid int4, usesysid oid, usename name, application_name text, client_addr text, client_hostname text, client_port int4, backend_start timestamptz, xact_start timestamptz, query_start timestamptz, state_change timestamptz, wait_event_type text, wait_event text, state text, backend_xid int8, backend_xmin int8, query_id int8, query text, backend_type text', function* (_c, ctx) {
  for (const [pid, s] of ctx.engine.sessions) {
    yield [16383, s.database, pid, null, 10, s.user, s.startup['application_name'] ?? '', '127.0.0.1', null, null, s.startedAt * 1000, null, null, null, null, null, s.state, null, null, null, s.lastQuery, 'client backend'];
  }
});
// Built-in functions (scalar, aggregate, set-returning) as clients look them up (pg_proc joins to
// pg_type / pg_namespace, \df, JDBC getFunctions). OIDs: PostgreSQL's where the registry knows
// them, else a stable number from the function's position in name order.
table('pg_catalog', 'pg_proc', 'oid oid, proname name, pronamespace oid, proowner oid, prolang oid, procost float4, prorows float4, provariadic oid, prosupport regproc, prokind char, prosecdef bool, proleakproof bool, proisstrict bool, proretset bool, provolatile char, proparallel char, pronargs int2, pronargdefaults int2, prorettype oid, proargtypes oidvector, proallargtypes oid[], proargmodes text[], proargnames text[], proargdefaults text, protrftypes oid[], prosrc text, probin text, prosqlbody text, proconfig text[], proacl text[]', function* () {
  for (const f of builtinFunctions()) {
    yield [f.oid, f.name, PG_CATALOG_NAMESPACE, 10, 12, 1, f.retset ? 1000 : 0, 0, 0, f.kind, false, false, f.strict, f.retset, f.volatility, 's', f.args.length, 0,
      f.ret, f.args, null, null, null, null, null, f.name, null, null, null, null];
  }
});
table('pg_catalog', 'pg_collation', 'oid oid, collname name, collnamespace oid, collowner oid, collprovider char, collisdeterministic bool, collencoding int4, collcollate text, collctype text, colliculocale text, collversion text', () => [[100, 'default', PG_CATALOG_NAMESPACE, 10, 'd', true, -1, null, null], [950, 'C', PG_CATALOG_NAMESPACE, 10, 'c', true, -1, 'C', 'C']]);
table('pg_catalog', 'pg_tablespace', 'oid oid, spcname name, spcowner oid, spcacl text[], spcoptions text[]', () => [[1663, 'pg_default', 10, null, null]]);
table('pg_catalog', 'pg_trigger', 'oid oid, tgrelid oid, tgparentid oid, tgname name, tgfoid oid, tgtype int2, tgenabled char, tgisinternal bool, tgconstrrelid oid, tgconstrindid oid, tgconstraint oid, tgdeferrable bool, tginitdeferred bool, tgnargs int2, tgattr int2vector, tgargs bytea, tgqual text, tgoldtable name, tgnewtable name', () => []);
table('pg_catalog', 'pg_rewrite', 'oid oid, rulename name, ev_class oid, ev_type char, ev_enabled char, is_instead bool, ev_qual text, ev_action text', () => []);
table('pg_catalog', 'pg_policy', 'oid oid, polname name, polrelid oid, polcmd char, polpermissive bool, polroles oid[], polqual text, polwithcheck text', () => []);
table('pg_catalog', 'pg_statistic_ext', 'oid oid, stxrelid oid, stxname name, stxnamespace oid, stxowner oid, stxstattarget int4, stxkeys int2vector, stxkind char[], stxexprs text', () => []);
table('pg_catalog', 'pg_publication', 'oid oid, pubname name, pubowner oid, puballtables bool, pubinsert bool, pubupdate bool, pubdelete bool, pubtruncate bool, pubviaroot bool', () => []);
table('pg_catalog', 'pg_publication_rel', 'oid oid, prpubid oid, prrelid oid, prqual text, prattrs int2[]', () => []);
table('pg_catalog', 'pg_sequence', 'seqrelid oid, seqtypid oid, seqstart int8, seqincrement int8, seqmax int8, seqmin int8, seqcache int8, seqcycle bool', (c) =>
  c.sequences().map((q) => [q.oid, sequenceRange(q).typeOid, BigInt(q.start), BigInt(q.increment), sequenceRange(q).max, 1n, 1n, false]));
table('pg_catalog', 'pg_auth_members', 'roleid oid, member oid, grantor oid, admin_option bool', () => []);
table('pg_catalog', 'pg_publication_namespace', 'oid oid, pnpubid oid, pnnspid oid', () => []);
table('pg_catalog', 'pg_extension', 'oid oid, extname name, extowner oid, extnamespace oid, extrelocatable bool, extversion text, extconfig oid[], extcondition text[]', () => []);
table('pg_catalog', 'pg_foreign_table', 'ftrelid oid, ftserver oid, ftoptions text[]', () => []);
table('pg_catalog', 'pg_partitioned_table', 'partrelid oid, partstrat char, partnatts int2, partdefid oid, partattrs int2[]', () => []);
table('pg_catalog', 'pg_depend', 'classid oid, objid oid, objsubid int4, refclassid oid, refobjid oid, refobjsubid int4, deptype char', () => []);
table('pg_catalog', 'pg_enum', 'oid oid, enumtypid oid, enumsortorder float4, enumlabel name', () => []);
table('pg_catalog', 'pg_range', 'rngtypid oid, rngsubtype oid', () => []);
table('pg_catalog', 'pg_event_trigger', 'oid oid, evtname name, evtevent name, evtowner oid, evtfoid oid, evtenabled char, evttags text[]', () => []);
table('pg_catalog', 'pg_shdescription', 'objoid oid, classoid oid, description text', () => []);

function indexDef(r: RelationDef, i: RelationDef['indexes'][number]): string {
  return `CREATE ${i.unique ? 'UNIQUE ' : ''}INDEX ${i.name} ON ${r.schema}.${r.name} USING btree (${i.columns.map((c) => r.columns[c]!.name).join(', ')})`;
}

// ---- information_schema ----------------------------------------------------------

export const SYSTEM_SCHEMAS = [PG_CATALOG_NAMESPACE, INFORMATION_SCHEMA_NAMESPACE];
export type { Datum };

// Eddy's storage, per table and per column segment (cf. Hologres' and RisingWave's storage views).
table('pg_catalog', 'eddy_storage', 'schemaname name, tablename name, orientation text, segments int8, segment_rows int8, deleted_rows int8, memtable_rows int8, segment_bytes int8', function* (c, ctx) {
  for (const r of relationsOf(c)) {
    if (r.kind === 'view' || r.kind === 'source') continue;
    const segs = ctx.storage.segments(r);
    const sum = (f: (x: (typeof segs)[number]) => number): bigint => BigInt(segs.reduce((n, x) => n + f(x), 0));
    yield [r.schema, r.name, tableOrientationName(r.options), BigInt(segs.length), sum((x) => x.rows), sum((x) => x.deleted), BigInt(ctx.storage.memtableRows(r)), sum((x) => x.bytes)];
  }
});
table('pg_catalog', 'eddy_segments', 'schemaname name, tablename name, segment_id int8, rows int8, deleted_rows int8, bytes int8', function* (c, ctx) {
  for (const r of relationsOf(c)) {
    if (r.kind === 'view' || r.kind === 'source') continue;
    for (const x of ctx.storage.segments(r)) yield [r.schema, r.name, BigInt(x.id), BigInt(x.rows), BigInt(x.deleted), BigInt(x.bytes)];
  }
});

// Materialized views: maintenance state, rows, evaluation errors and backfill progress.
table('pg_catalog', 'eddy_materialized_views', 'schemaname name, matviewname name, state text, started text, rows int8, state_rows int8, errors int8, backfill_rows_done int8, backfill_rows_total int8, backfill_ms int8, freshness_p50_ms float8, freshness_p99_ms float8, definition text', function* (c, ctx) {
  const f = ctx.viewFreshness?.() ?? null;
  for (const r of relationsOf(c)) {
    if (r.kind !== 'matview') continue;
    const p = ctx.views?.(r) ?? null;
    yield [r.schema, r.name, p?.state ?? 'not maintained by this process', p?.started ?? null, p ? BigInt(p.rows) : null, p ? BigInt(p.stateRows) : null, p ? BigInt(p.errors) : null,
      p ? BigInt(p.backfillDone) : null, p ? BigInt(p.backfillTotal) : null, p ? BigInt(p.backfillMs) : null, f?.p50 ?? null, f?.p99 ?? null, r.viewSql];
  }
});

// Sinks (CREATE SINK): connector, maintenance state and the change rows delivered so far.
table('pg_catalog', 'eddy_sinks', 'schemaname name, sinkname name, connector text, format text, state text, started text, rows_delivered int8, state_rows int8, errors int8, definition text', function* (c, ctx) {
  for (const r of c.relations()) {
    if (r.kind !== 'sink') continue;
    const p = ctx.views?.(r) ?? null;
    const format = r.options['format'] ? `${r.options['format']} ${r.options['encode'] ?? ''}`.trim() : null;
    yield [r.schema, r.name, r.options['connector'] ?? (r.options['into.table'] !== undefined ? 'table' : null), format, p?.state ?? 'not maintained by this process', p?.started ?? null,
      p ? BigInt(p.rows) : null, p ? BigInt(p.stateRows) : null, p ? BigInt(p.errors) : null, r.viewSql];
  }
});

// Table statistics: rows are estimated from storage (column segments' live rows and the delta,
// or the row store's keys); scan and tuple counters are not kept and read 0.
const STAT_TABLE_COLUMNS = 'relid oid, schemaname name, relname name, seq_scan int8, seq_tup_read int8, idx_scan int8, idx_tup_fetch int8, n_tup_ins int8, n_tup_upd int8, n_tup_del int8, n_tup_hot_upd int8, n_live_tup int8, n_dead_tup int8, n_mod_since_analyze int8, n_ins_since_vacuum int8, last_vacuum timestamptz, last_autovacuum timestamptz, last_analyze timestamptz, last_autoanalyze timestamptz, vacuum_count int8, autovacuum_count int8, analyze_count int8, autoanalyze_count int8';
function* statTables(c: Catalog, ctx: SystemContext): Generator<Row> {
  for (const r of relationsOf(c)) {
    if (r.kind !== 'table' && r.kind !== 'matview') continue;
    const live = BigInt(ctx.storage.rowEstimate?.(r) ?? 0);
    yield [r.oid, r.schema, r.name, 0n, 0n, r.indexes.length ? 0n : null, r.indexes.length ? 0n : null, 0n, 0n, 0n, 0n, live, 0n, 0n, 0n, null, null, null, null, 0n, 0n, 0n, 0n];
  }
}
table('pg_catalog', 'pg_stat_user_tables', STAT_TABLE_COLUMNS, statTables);
table('pg_catalog', 'pg_stat_all_tables', STAT_TABLE_COLUMNS, statTables);
table('pg_catalog', 'pg_statio_user_tables', 'relid oid, schemaname name, relname name, heap_blks_read int8, heap_blks_hit int8, idx_blks_read int8, idx_blks_hit int8, toast_blks_read int8, toast_blks_hit int8, tidx_blks_read int8, tidx_blks_hit int8', function* (c) {
  for (const r of relationsOf(c)) if (r.kind === 'table' || r.kind === 'matview') yield [r.oid, r.schema, r.name, 0n, 0n, 0n, 0n, null, null, null, null];
});
table('pg_catalog', 'pg_locks', 'locktype text, database oid, relation oid, page int4, tuple int2, virtualxid text, transactionid int8, classid oid, objid oid, objsubid int2, virtualtransaction text, pid int4, mode text, granted bool, fastpath bool, waitstart timestamptz', () => []);
table('pg_catalog', 'pg_available_extensions', 'name name, default_version text, installed_version text, comment text', () => []);
table('pg_catalog', 'pg_timezone_names', 'name text, abbrev text, utc_offset interval, is_dst bool', function* () {
  for (const name of Intl.supportedValuesOf('timeZone')) yield [name, null, null, false];
  yield ['UTC', 'UTC', null, false];
});

// Catalogs of things Eddy has none of (foreign-data wrappers, policies, default privileges, role
// settings, conversions): present and empty, as on a fresh PostgreSQL, so clients that list them work.
table('pg_catalog', 'pg_foreign_data_wrapper', 'oid oid, fdwname name, fdwowner oid, fdwhandler oid, fdwvalidator oid, fdwacl text[], fdwoptions text[]', () => []);
table('pg_catalog', 'pg_opclass', 'oid oid, opcmethod oid, opcname name, opcnamespace oid, opcowner oid, opcfamily oid, opcintype oid, opcdefault bool, opckeytype oid', () => []);
table('pg_catalog', 'pg_opfamily', 'oid oid, opfmethod oid, opfname name, opfnamespace oid, opfowner oid', () => []);
table('pg_catalog', 'pg_policies', 'schemaname name, tablename name, policyname name, permissive text, roles name[], cmd text, qual text, with_check text', () => []);
table('pg_catalog', 'pg_default_acl', 'oid oid, defaclrole oid, defaclnamespace oid, defaclobjtype char, defaclacl text[]', () => []);
table('pg_catalog', 'pg_db_role_setting', 'setdatabase oid, setrole oid, setconfig text[]', () => []);
table('pg_catalog', 'pg_conversion', 'oid oid, conname name, connamespace oid, conowner oid, conforencoding int4, contoencoding int4, conproc regproc, condefault bool', () => []);
table('pg_catalog', 'pg_language', 'oid oid, lanname name, lanowner oid, lanispl bool, lanpltrusted bool, lanplcallfoid oid, laninline oid, lanvalidator oid, lanacl text[]', () =>
  [[12, 'internal', 10, false, false, 0, 0, 0, null], [13, 'c', 10, false, false, 0, 0, 0, null], [14, 'sql', 10, false, true, 0, 0, 0, null]]);

// Built-in aggregates (pg_proc rows of kind 'a'), as pg_aggregate lists them.
table('pg_catalog', 'pg_aggregate', 'aggfnoid regproc, aggkind char, aggnumdirectargs int2, aggtransfn regproc, aggfinalfn regproc, aggcombinefn regproc, aggserialfn regproc, aggdeserialfn regproc, aggmtransfn regproc, aggminvtransfn regproc, aggmfinalfn regproc, aggfinalextra bool, aggmfinalextra bool, aggfinalmodify char, aggmfinalmodify char, aggsortop oid, aggtranstype oid, aggtransspace int4, aggmtranstype oid, aggmtransspace int4, agginitval text, aggminitval text', function* () {
  for (const f of builtinFunctions()) {
    if (f.kind !== 'a') continue;
    const ordered = ['percentile_cont', 'percentile_disc', 'mode'].includes(f.name);
    yield [f.oid, ordered ? 'o' : 'n', ordered && f.name !== 'mode' ? 1 : 0, 0, 0, 0, 0, 0, 0, 0, 0, false, false, 'r', 'r', 0, 2281, 0, 0, 0, null, null];
  }
});

// Sequences with their definitions (last_value: NULL, as for a sequence this session has not read).
table('pg_catalog', 'pg_sequences', 'schemaname name, sequencename name, sequenceowner name, data_type regtype, start_value int8, min_value int8, max_value int8, increment_by int8, cycle bool, cache_size int8, last_value int8', (c) =>
  c.sequences().map((q) => [q.schema, q.name, 'eddy', sequenceRange(q).typeOid, BigInt(q.start), 1n, sequenceRange(q).max, BigInt(q.increment), false, 1n, null]));

// Dependencies between catalog objects: a serial column's sequence, a table's indexes and
// constraints, a materialized view's inputs ('a' automatic, 'n' normal). classid: pg_class (1259), pg_constraint (2606).
table('pg_catalog', 'pg_depend', 'classid oid, objid oid, objsubid int4, refclassid oid, refobjid oid, refobjsubid int4, deptype char', function* (c) {
  for (const q of c.sequences()) {
    if (!q.ownedBy) continue;
    const rel = c.relationByOid(q.ownedBy.relation);
    const at = rel ? liveColumns(rel).findIndex((x) => x.name === q.ownedBy!.column) : -1;
    if (rel && at >= 0) yield [1259, q.oid, 0, 1259, rel.oid, at + 1, 'a'];
  }
  for (const r of relationsOf(c)) {
    for (const i of r.indexes) {
      yield [1259, i.oid, 0, 1259, r.oid, 0, 'a'];
      if (i.unique) yield [2606, keyConstraintOid(i.oid), 0, 1259, r.oid, 0, 'a'];
    }
    for (const k of r.checks.keys()) yield [2606, checkConstraintOid(r.oid, k), 0, 1259, r.oid, 0, 'a'];
    for (const [k, fk] of (r.foreignKeys ?? []).entries()) {
      yield [2606, foreignKeyOid(r.oid, k), 0, 1259, r.oid, 0, 'a'];
      yield [2606, foreignKeyOid(r.oid, k), 0, 1259, fk.refRelation, 0, 'n'];
    }
    for (const d of r.dependsOn ?? []) yield [1259, r.oid, 0, 1259, d, 0, 'n'];
  }
});

// SUBSCRIBE streams being read: by which session, through which cursor (null: COPY), rows sent so far.
table('pg_catalog', 'eddy_subscriptions', 'pid int4, cursor_name text, query text, started timestamptz, rows_delivered int8', function* (_c, ctx) {
  for (const s of ctx.subscriptions?.() ?? []) yield [s.pid, s.cursor, s.query, s.startedAt * 1000, BigInt(s.delivered)];
});

// Sources and connector tables: connector, format and the offset ingested so far.
table('pg_catalog', 'eddy_sources', 'schemaname name, name name, kind text, connector text, format text, ingested_offset int8, watermark timestamptz, late_rows int8, bad_records int8', function* (c, ctx) {
  for (const r of relationsOf(c)) {
    const connector = r.options['connector'];
    if (connector === undefined) continue;
    const format = r.options['format'] ? `${r.options['format']} ${r.options['encode'] ?? ''}`.trim() : null;
    const w = ctx.sourceWatermark?.(r) ?? { watermark: null, late: 0 };
    yield [r.schema, r.name, r.kind === 'source' ? 'source' : 'table', connector, format, BigInt(ctx.sourceOffset?.(r) ?? 0), w.watermark, BigInt(w.late), BigInt(ctx.sourceErrors?.(r) ?? 0)];
  }
});

// Records a source could not ingest (the most recent 1000 per source): the good ones around them were ingested.
table('pg_catalog', 'eddy_source_errors', 'schemaname name, source name, partition int4, offset int8, record text, reason text, recorded timestamptz', function* (c, ctx) {
  for (const r of relationsOf(c)) {
    if (r.options['connector'] === undefined) continue;
    for (const e of ctx.sourceErrorLog?.(r) ?? []) yield [r.schema, r.name, e.partition, BigInt(e.offset), e.record, e.reason, e.at];
  }
});

// Kafka sources: per partition, the next offset to ingest, the broker's high watermark and the lag
// between them, with the source's records/s over the last minute (as read by this process).
table('pg_catalog', 'eddy_source_partitions', 'schemaname name, source name, partition int4, next_offset int8, high_watermark int8, lag int8, records_per_second float8', function* (c, ctx) {
  for (const r of relationsOf(c)) {
    if (r.options['connector'] !== 'kafka') continue;
    const p = ctx.kafkaProgress?.(r);
    if (p) for (const x of p.partitions) yield [r.schema, r.name, x.partition, x.next, x.high, x.lag, p.rate];
  }
});

// Sources show as foreign tables: one foreign server per connector, the source's options as
// the foreign table's options (psql's \\d on a source reads these).
const CONNECTORS = ['datagen', 'nexmark', 'kafka', 'postgres-cdc'];
const serverOid = (connector: string): number => 13_000 + Math.max(0, CONNECTORS.indexOf(connector.toLowerCase()));
table('pg_catalog', 'pg_foreign_server', 'oid oid, srvname name, srvowner oid, srvfdw oid, srvtype text, srvversion text, srvacl text[], srvoptions text[]', function* (c) {
  const used = new Set(relationsOf(c).filter((r) => r.kind === 'source').map((r) => (r.options['connector'] ?? '').toLowerCase()));
  for (const name of CONNECTORS) if (used.has(name)) yield [serverOid(name), name, 10, 0, 'connector', null, null, null];
});
table('pg_catalog', 'pg_foreign_table', 'ftrelid oid, ftserver oid, ftoptions text[]', function* (c) {
  for (const r of relationsOf(c)) {
    if (r.kind !== 'source') continue;
    yield [r.oid, serverOid(r.options['connector'] ?? ''), Object.entries(r.options).map(([k, v]) => `${k}=${v}`)];
  }
});
