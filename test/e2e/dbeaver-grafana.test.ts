// The catalog surface DBeaver's PostgreSQL plugin and Grafana's PostgreSQL data source read when
// they connect, browse a schema, open a table and build panels (statements written here after
// what those tools ask: the relations, columns and functions they touch, in the protocol they
// use: DBeaver extended with parameters through pgjdbc, Grafana simple queries). Each statement
// runs against Eddy and a real PostgreSQL 15: both must answer, with the same result columns.
import { afterAll, beforeAll, expect, test } from 'vitest';
import pg from 'pg';
import { startEddy, type EddyServer } from '../harness/server.js';
import { startPostgres, type PostgresServer } from '../harness/postgres.js';

let eddy: EddyServer;
let postgres: PostgresServer;

beforeAll(async () => { [eddy, postgres] = await Promise.all([startEddy(), startPostgres()]); }, 120_000);
afterAll(async () => { await eddy?.stop(); await postgres?.stop(); });

type Probe = readonly [name: string, sql: string, params: ((ids: Ids) => unknown[]) | null];
interface Ids { table: number; schema: number }

const SEARCH_PATH_SCHEMAS = `SELECT CASE WHEN trim(parts[n]) = '"$user"' THEN user ELSE trim(parts[n]) END
  FROM generate_series(array_lower(string_to_array(current_setting('search_path'), ','), 1), array_upper(string_to_array(current_setting('search_path'), ','), 1)) AS n,
       string_to_array(current_setting('search_path'), ',') parts`;

const DBEAVER: readonly Probe[] = [
  ['keywords', "SELECT string_agg(word, ',') FROM pg_catalog.pg_get_keywords() WHERE catcode = 'R' AND word <> ALL ('{select,from}'::text[])", () => []],
  ['isolation', 'SHOW TRANSACTION ISOLATION LEVEL', () => []],
  ['type-by-oid', 'SELECT t.typname, n.nspname, n.nspname = ANY (current_schemas(true)) AS visible FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace WHERE t.oid = $1', () => [1034]],
  ['is-array', "SELECT typinput = 'pg_catalog.array_in'::regproc AS is_array, typtype, typname FROM pg_catalog.pg_type WHERE oid = $1", () => [1007]],
  ['database', 'SELECT d.oid, d.datname, d.datdba, d.encoding, d.datcollate, d.datctype, d.datistemplate, d.datallowconn, d.datconnlimit, d.dattablespace, d.datacl FROM pg_catalog.pg_database d WHERE d.datname = $1', () => ['eddy']],
  ['context', 'SELECT current_schema(), session_user', () => []],
  ['search-path', 'SHOW search_path', () => []],
  ['setting', 'SELECT name, setting FROM pg_catalog.pg_settings WHERE name = $1', () => ['standard_conforming_strings']],
  ['probes', 'SELECT e.enumtypid, (SELECT reltype FROM pg_catalog.pg_class WHERE 1 <> 1 LIMIT 1) FROM pg_catalog.pg_enum e WHERE 1 <> 1 LIMIT 1', () => []],
  ['types', `SELECT t.oid, t.typname, t.typnamespace, t.typlen, t.typtype, t.typcategory, t.typelem, t.typarray, t.typbasetype, t.typtypmod, t.typndims, t.typcollation,
      ct.relkind, format_type(nullif(t.typbasetype, 0), t.typtypmod) AS base_type_name, td.description
    FROM pg_catalog.pg_type t LEFT JOIN pg_catalog.pg_type elem ON elem.oid = t.typelem LEFT JOIN pg_catalog.pg_class ct ON ct.oid = t.typrelid
      LEFT JOIN pg_catalog.pg_description td ON td.objoid = t.oid
    WHERE t.typname IS NOT NULL AND (ct.relkind IS NULL OR ct.relkind = 'c') AND (elem.typcategory IS NULL OR elem.typcategory <> 'C')`, () => []],
  ['schemas', `SELECT ns.oid, ns.nspname, ns.nspowner, ns.nspacl, sd.description FROM pg_catalog.pg_namespace ns
    LEFT JOIN pg_catalog.pg_description sd ON sd.objoid = ns.oid AND sd.objsubid = 0 AND sd.classoid = 'pg_namespace'::regclass ORDER BY ns.nspname`, () => []],
  ['roles', 'SELECT r.oid, r.rolname, r.rolsuper, r.rolinherit, r.rolcreaterole, r.rolcreatedb, r.rolcanlogin, r.rolreplication, r.rolbypassrls, r.rolconnlimit, r.rolvaliduntil, sh.description FROM pg_catalog.pg_roles r LEFT JOIN pg_catalog.pg_shdescription sh ON sh.objoid = r.oid ORDER BY r.rolname', () => []],
  ['access-methods', 'SELECT a.oid, a.amname, a.amtype FROM pg_catalog.pg_am a ORDER BY 1', () => []],
  ['encodings', 'SELECT v.contoencoding AS id, pg_catalog.pg_encoding_to_char(v.contoencoding) AS name FROM pg_catalog.pg_conversion v GROUP BY v.contoencoding ORDER BY 2', () => []],
  ['collations', 'SELECT co.oid, co.collname, co.collprovider, co.collcollate, co.collctype, co.colliculocale, co.collversion FROM pg_catalog.pg_collation co ORDER BY co.oid', () => []],
  ['languages', 'SELECT lg.oid, lg.lanname, lg.lanpltrusted FROM pg_catalog.pg_language lg ORDER BY lg.oid', () => []],
  ['wrappers', 'SELECT w.oid, w.fdwname, fp.pronamespace FROM pg_catalog.pg_foreign_data_wrapper w LEFT JOIN pg_catalog.pg_proc fp ON fp.oid = w.fdwhandler ORDER BY w.fdwname', () => []],
  ['servers', 'SELECT s.oid, s.srvname, s.srvoptions FROM pg_catalog.pg_foreign_server s ORDER BY s.srvname', () => []],
  ['tablespaces', 'SELECT ts.oid, ts.spcname, pg_tablespace_location(ts.oid) AS location FROM pg_catalog.pg_tablespace ts ORDER BY ts.oid', () => []],
  ['available-extensions', 'SELECT name, default_version, installed_version, comment FROM pg_catalog.pg_available_extensions ORDER BY name', () => []],
  ['event-triggers', 'SELECT et.oid, et.evtname, et.evtevent, et.evtenabled, et.evttags, ed.description FROM pg_catalog.pg_event_trigger et LEFT JOIN pg_catalog.pg_description ed ON ed.objoid = et.oid', () => []],
  ['extensions', `SELECT x.oid, x.extname, x.extversion, xn.nspname, tabs.names FROM pg_catalog.pg_extension x JOIN pg_catalog.pg_namespace xn ON xn.oid = x.extnamespace
    LEFT JOIN (SELECT u.ext, array_agg(cn.nspname || '.' || cc.relname) AS names FROM (SELECT unnest(ex.extconfig) AS rel, ex.oid AS ext FROM pg_catalog.pg_extension ex) u
      JOIN pg_catalog.pg_class cc ON cc.oid = u.rel JOIN pg_catalog.pg_namespace cn ON cn.oid = cc.relnamespace GROUP BY u.ext) tabs ON tabs.ext = x.oid ORDER BY x.oid`, () => []],
  ['database-comment', 'SELECT sd.description FROM pg_catalog.pg_shdescription sd JOIN pg_catalog.pg_database db ON sd.objoid = db.oid WHERE db.datname = $1', () => ['eddy']],
  ['database-size', 'SELECT db.datname, pg_database_size(db.oid) > -1 AS sized FROM pg_catalog.pg_database db WHERE db.datname = $1', () => ['eddy']],
  ['role-members', 'SELECT roleid, member, grantor, admin_option FROM pg_catalog.pg_auth_members WHERE member = $1', () => [10]],
  ['role-settings', 'SELECT rs.setconfig, db.datname FROM pg_catalog.pg_db_role_setting rs LEFT JOIN pg_catalog.pg_database db ON db.oid = rs.setdatabase WHERE rs.setrole = $1', () => [10]],
  ['relations', `SELECT cl.oid, cl.relname, cl.relkind, cl.relowner, cl.reltablespace, cl.relacl, cl.reloptions, cl.relpersistence, cl.relispartition, cl.relhassubclass,
      cl.relrowsecurity, cl.reltuples, cl.relispopulated, rd.description, pg_catalog.pg_get_expr(cl.relpartbound, cl.oid) AS bound, pg_catalog.pg_get_partkeydef(cl.oid) AS partkey
    FROM pg_catalog.pg_class cl LEFT JOIN pg_catalog.pg_description rd ON rd.objoid = cl.oid AND rd.objsubid = 0 AND rd.classoid = 'pg_class'::regclass
    WHERE cl.relnamespace = $1 AND cl.relkind NOT IN ('i', 'I', 'c') ORDER BY cl.relname`, (ids) => [ids.schema]],
  ['columns', `SELECT cl.relname, at.attname, at.atttypid, at.attnum, at.attndims, at.atttypmod, at.attnotnull, at.attidentity, at.attgenerated, at.attcollation, at.attacl,
      at.attfdwoptions, at.attislocal, at.attinhcount, pg_catalog.pg_get_expr(df.adbin, df.adrelid, true) AS default_value, cd.description, dp.objid
    FROM pg_catalog.pg_attribute at JOIN pg_catalog.pg_class cl ON cl.oid = at.attrelid
      LEFT JOIN pg_catalog.pg_attrdef df ON df.adrelid = at.attrelid AND df.adnum = at.attnum
      LEFT JOIN pg_catalog.pg_description cd ON cd.objoid = cl.oid AND cd.objsubid = at.attnum
      LEFT JOIN pg_catalog.pg_depend dp ON dp.refobjid = at.attrelid AND dp.refobjsubid = at.attnum AND dp.deptype = 'i' AND dp.classid = dp.refclassid
    WHERE NOT at.attisdropped AND cl.relkind NOT IN ('i', 'I', 'c') AND cl.oid = $1 ORDER BY at.attnum`, (ids) => [ids.table]],
  ['numbered-attributes', "SELECT row_number() OVER (ORDER BY at.attnum) AS position, at.attname FROM pg_catalog.pg_attribute at WHERE at.attnum > 0 AND NOT at.attisdropped AND at.attrelid = $1 ORDER BY at.attnum", (ids) => [ids.table]],
  ['enum-labels', 'SELECT en.enumlabel FROM pg_catalog.pg_enum en WHERE en.enumtypid = $1 ORDER BY en.enumsortorder', () => [0]],
  ['constraints', `SELECT k.oid, k.conname, k.contype, k.conkey, k.confkey, k.confrelid, k.confupdtype, k.confdeltype, k.confmatchtype, k.condeferrable, k.condeferred, k.conindid,
      t.relname AS table_name, rt.relnamespace AS ref_schema, kd.description,
      CASE WHEN k.contype = 'c' THEN "substring"(pg_get_constraintdef(k.oid), 7) END AS check_source
    FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_class t ON t.oid = k.conrelid LEFT JOIN pg_catalog.pg_class rt ON rt.oid = k.confrelid
      LEFT JOIN pg_catalog.pg_description kd ON kd.objoid = k.oid AND kd.objsubid = 0 AND kd.classoid = 'pg_constraint'::regclass
    WHERE k.conrelid = $1 ORDER BY k.conname`, (ids) => [ids.table]],
  ['referencing-schemas', 'SELECT DISTINCT connamespace FROM pg_catalog.pg_constraint WHERE confrelid = $1', (ids) => [ids.table]],
  ['indexes', `SELECT ix.indexrelid, ix.indisunique, ix.indisprimary, ix.indisexclusion, ix.indimmediate, ix.indisclustered, ix.indisvalid, ix.indclass, ix.indoption, ix.indkey AS keys,
      ic.relname, ic.relam, ic.reltablespace, tc.relname AS table_name, pg_catalog.pg_get_expr(ix.indpred, ix.indrelid) AS predicate,
      pg_catalog.pg_get_expr(ix.indexprs, ix.indrelid, true) AS expressions, pg_catalog.pg_relation_size(ix.indexrelid) AS bytes, pg_catalog.pg_stat_get_numscans(ix.indexrelid) AS scans
    FROM pg_catalog.pg_index ix JOIN pg_catalog.pg_class ic ON ic.oid = ix.indexrelid JOIN pg_catalog.pg_class tc ON tc.oid = ix.indrelid
    WHERE ix.indrelid = $1 ORDER BY ic.relname`, (ids) => [ids.table]],
  ['index-column', 'SELECT pg_catalog.pg_get_indexdef(ix.indexrelid, 1, true) FROM pg_catalog.pg_index ix WHERE ix.indrelid = $1 ORDER BY 1', (ids) => [ids.table]],
  ['functions', `SELECT f.oid, f.proname, f.prokind, f.prorettype, f.proargtypes, f.proargnames, f.proretset, f.provolatile, f.proisstrict, pg_catalog.pg_get_expr(f.proargdefaults, 0) AS defaults, fd.description
    FROM pg_catalog.pg_proc f LEFT JOIN pg_catalog.pg_description fd ON fd.objoid = f.oid AND fd.classoid = 'pg_proc'::regclass AND fd.objsubid = 0
    WHERE f.pronamespace = $1 ORDER BY f.proname`, (ids) => [ids.schema]],
  ['aggregates', 'SELECT ap.proname, ag.aggkind, ag.aggnumdirectargs FROM pg_catalog.pg_aggregate ag JOIN pg_catalog.pg_proc ap ON ap.oid = ag.aggfnoid WHERE ap.pronamespace = $1 ORDER BY ap.proname', (ids) => [ids.schema]],
  ['sequence', 'SELECT start_value, min_value, max_value, increment_by, cycle, cache_size FROM pg_catalog.pg_sequences WHERE schemaname = $1 AND sequencename = $2', () => ['public', 'dv_parent_id_seq']],
  ['inheritance', 'SELECT h.inhrelid, p.relnamespace, p.oid, h.inhseqno FROM pg_catalog.pg_inherits h JOIN pg_catalog.pg_class c ON c.oid = h.inhrelid JOIN pg_catalog.pg_class p ON p.oid = h.inhparent WHERE c.relnamespace = $1', (ids) => [ids.schema]],
  ['sizes', 'SELECT c.relname, pg_catalog.pg_total_relation_size(c.oid) >= 0 AS total, pg_catalog.pg_relation_size(c.oid) >= 0 AS heap FROM pg_catalog.pg_class c WHERE c.relnamespace = $1 AND c.relname LIKE $2 ORDER BY 1', (ids) => [ids.schema, 'dv%']],
  ['default-privileges', 'SELECT da.defaclobjtype, da.defaclacl FROM pg_catalog.pg_default_acl da WHERE da.defaclnamespace = $1', (ids) => [ids.schema]],
  ['triggers', 'SELECT tg.oid, tg.tgname, tg.tgenabled, tp.pronamespace, tgd.description FROM pg_catalog.pg_trigger tg LEFT JOIN pg_catalog.pg_proc tp ON tp.oid = tg.tgfoid LEFT JOIN pg_catalog.pg_description tgd ON tgd.objoid = tg.oid AND tgd.objsubid = 0 WHERE tg.tgrelid = $1 AND NOT tg.tgisinternal', (ids) => [ids.table]],
  ['rules', "SELECT rw.oid, rw.rulename, rw.ev_type FROM pg_catalog.pg_rewrite rw WHERE rw.ev_class = $1 AND rw.rulename <> '_RETURN'::name", (ids) => [ids.table]],
  ['policies', 'SELECT policyname, permissive, roles, cmd, qual FROM pg_catalog.pg_policies WHERE schemaname = $1 AND tablename = $2', () => ['public', 'dv_child']],
  ['partition-bound', 'SELECT pg_get_expr(c.relpartbound, c.oid, true) AS bound FROM pg_catalog.pg_class c WHERE c.relname = $1 AND c.relnamespace = $2', (ids) => ['dv_child', ids.schema]],
  ['view-definition', "SELECT pg_get_viewdef('dv_view'::regclass, true) IS NOT NULL AS defined", () => []],
  ['dependencies', `SELECT DISTINCT d.deptype, d.classid, d.objid, c.relkind, c.relname, k.conname, k.contype, s.typname
    FROM pg_catalog.pg_depend d LEFT JOIN pg_catalog.pg_class c ON c.oid = d.objid LEFT JOIN pg_catalog.pg_constraint k ON k.oid = d.objid
      LEFT JOIN pg_catalog.pg_type s ON s.oid = d.objid LEFT JOIN pg_catalog.pg_language l ON l.oid = d.objid LEFT JOIN pg_catalog.pg_proc p ON p.oid = d.objid
      LEFT JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid LEFT JOIN pg_catalog.pg_trigger g ON g.oid = d.objid
    WHERE d.refobjid = $1 ORDER BY 1, 5`, (ids) => [ids.table]],
  ['rows', 'SELECT * FROM public.dv_child', () => []],
  ['row-count', 'SELECT count(*) FROM public.dv_child', () => []],
  ['sessions', 'SELECT a.pid, a.usename, a.application_name, a.state, a.query FROM pg_catalog.pg_stat_activity a', () => []],
];

const GRAFANA: readonly Probe[] = [
  ['ping-comment', '-- ping', null],
  ['ping-empty', ';', null],
  ['version', "SELECT current_setting('server_version_num')::int / 100 AS version", null],
  ['timescaledb', "SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'", null],
  ['schemata', "SELECT schema_name AS name FROM information_schema.schemata WHERE schema_name NOT IN ('information_schema', 'pg_catalog', 'pg_toast') ORDER BY schema_name", null],
  ['tables', `SELECT CASE WHEN quote_ident(table_schema) IN (${SEARCH_PATH_SCHEMAS}) THEN quote_ident(table_name) ELSE quote_ident(table_schema) || '.' || quote_ident(table_name) END AS "table"
    FROM information_schema.tables WHERE quote_ident(table_schema) NOT IN ('information_schema', 'pg_catalog') AND table_name LIKE 'dv%' ORDER BY 1`, null],
  ['columns', `SELECT quote_ident(column_name) AS "column", data_type AS "type" FROM information_schema.columns
    WHERE CASE WHEN array_length(parse_ident('public.dv_parent'), 1) = 2 THEN quote_ident(table_schema) = (parse_ident('public.dv_parent'))[1] AND quote_ident(table_name) = (parse_ident('public.dv_parent'))[2]
      ELSE quote_ident(table_name) = 'dv_parent' AND quote_ident(table_schema) IN (${SEARCH_PATH_SCHEMAS}) END ORDER BY 1`, null],
  ['time-group', `SELECT floor(extract(epoch FROM created) / 300) * 300 AS "time", count(*) AS value FROM dv_parent
    WHERE created BETWEEN '2018-04-12T18:00:00Z' AND '2040-04-12T18:05:00Z' GROUP BY 1 ORDER BY 1`, null],
  ['epoch', 'SELECT extract(epoch FROM created) AS time_sec, name AS metric, id AS value FROM dv_parent WHERE created >= to_timestamp(1523556000) AND created <= to_timestamp(2223556300) ORDER BY 1', null],
  ['builder', 'SELECT name, count(id) FROM dv_parent WHERE id > 0 GROUP BY name ORDER BY name ASC LIMIT 50 ', null],
];

/** per probe: whether it answered, and its result columns */
async function probeAll(port: number): Promise<Map<string, string>> {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'eddy', database: 'eddy' });
  await c.connect();
  await c.query('DROP VIEW IF EXISTS dv_view; DROP TABLE IF EXISTS dv_child; DROP TABLE IF EXISTS dv_parent');
  await c.query('CREATE TABLE dv_parent (id serial PRIMARY KEY, name text UNIQUE, created timestamptz DEFAULT now())');
  await c.query('CREATE TABLE dv_child (id int PRIMARY KEY, parent int REFERENCES dv_parent, v double precision CHECK (v > 0))');
  await c.query('CREATE INDEX dv_child_v ON dv_child (v)');
  await c.query('CREATE VIEW dv_view AS SELECT id, v FROM dv_child');
  await c.query("INSERT INTO dv_parent (name) VALUES ('a'), ('b'); INSERT INTO dv_child VALUES (1, 1, 2.5), (2, 2, 3.5)");
  const ids: Ids = {
    table: Number((await c.query("SELECT 'dv_child'::regclass::oid AS o")).rows[0].o),
    schema: Number((await c.query("SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = 'public'")).rows[0].oid),
  };
  const out = new Map<string, string>();
  for (const [group, probes] of [['dbeaver', DBEAVER], ['grafana', GRAFANA]] as const) {
    for (const [name, sql, params] of probes) {
      try {
        const r = params === null ? await c.query(sql) : await c.query({ text: sql, values: params(ids) });
        const last = Array.isArray(r) ? r[r.length - 1] : r;
        out.set(`${group}/${name}`, `columns: ${(last?.fields ?? []).map((f: { name: string }) => f.name).join(', ')}`);
      } catch (e) {
        out.set(`${group}/${name}`, `error: ${(e as Error).message}`);
      }
    }
  }
  await c.end();
  return out;
}

test('DBeaver and Grafana metadata queries answer on Eddy as on PostgreSQL', async () => {
  const fromPg = await probeAll(postgres.port);
  const fromEddy = await probeAll(eddy.port);
  // the statements are valid PostgreSQL
  const pgErrors = [...fromPg].filter(([, v]) => v.startsWith('error'));
  expect(pgErrors).toEqual([]);
  const differ = [...fromPg].filter(([k, v]) => fromEddy.get(k) !== v).map(([k, v]) => `${k}\n  PostgreSQL ${v}\n  Eddy       ${fromEddy.get(k)}`);
  expect(differ.join('\n')).toBe('');
}, 120_000);
