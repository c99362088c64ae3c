// psql 15's describe commands print the same on Eddy as on a real PostgreSQL 15 for the same
// objects: each command runs against both servers and the outputs must be equal, character for
// character (tables, views, indexes, sequences, foreign keys both ways, comments, privileges,
// generated columns).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startEddy, type EddyServer } from '../harness/server.js';
import { startPostgres, type PostgresServer } from '../harness/postgres.js';
import { requireOnPath } from './target.js';

const run = promisify(execFile);
let eddy: EddyServer;
let postgres: PostgresServer;

const SETUP = `CREATE TABLE ps_t (id serial PRIMARY KEY, v text UNIQUE, qty int CHECK (qty > 0), at timestamptz DEFAULT now());
  CREATE VIEW ps_v AS SELECT id, v FROM ps_t; CREATE INDEX ps_qty ON ps_t (qty);
  CREATE TABLE ps_c (id int PRIMARY KEY, t int REFERENCES ps_t (id) ON DELETE CASCADE, note varchar(30) NOT NULL DEFAULT 'none');
  COMMENT ON TABLE ps_t IS 'main table'; COMMENT ON COLUMN ps_t.v IS 'the value';
  CREATE SCHEMA ps_s; CREATE TABLE ps_s.other (x bigint, y double precision);
  CREATE TABLE ps_g (id int PRIMARY KEY, qty int, total int GENERATED ALWAYS AS (qty * 2) STORED, label text GENERATED ALWAYS AS (upper(lower(note))) STORED NOT NULL, note text);
  CREATE MATERIALIZED VIEW ps_m AS SELECT qty, count(*) AS n FROM ps_t GROUP BY qty`;

const COMMANDS = ['\\dt', '\\dv', '\\dm', '\\di', '\\ds', '\\d ps_t', '\\d ps_c', '\\d ps_g', '\\d ps_v', '\\d ps_t_pkey', '\\d ps_t_id_seq', '\\dt ps_s.*', '\\d ps_s.other', '\\l eddy', '\\df', '\\dT', '\\z ps_t', '\\dd ps_t'];

async function psql(port: number, command: string): Promise<string> {
  try {
    const { stdout } = await run('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'eddy', '-d', 'eddy', '-X', '-v', 'ON_ERROR_STOP=1', '-c', command], { timeout: 30_000 });
    return stdout;
  } catch (e) {
    return `ERROR ${(e as { stderr?: string }).stderr ?? String(e)}`;
  }
}

beforeAll(async () => {
  requireOnPath('psql', 'apt-get install postgresql-client');
  [eddy, postgres] = await Promise.all([startEddy(), startPostgres()]);
  for (const port of [eddy.port, postgres.port]) expect(await psql(port, SETUP)).not.toMatch(/^ERROR/);
}, 120_000);
afterAll(async () => { await eddy?.stop(); await postgres?.stop(); });

// what psql's tab completion asks (relation names, column names, settings), written after its queries
const COMPLETIONS = [
  `SELECT pg_catalog.quote_ident(c.relname) FROM pg_catalog.pg_class c WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND substring(pg_catalog.quote_ident(c.relname), 1, 3) = 'ps_'
     AND pg_catalog.pg_table_is_visible(c.oid) AND c.relnamespace <> (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = 'pg_catalog')
   UNION SELECT pg_catalog.quote_ident(n.nspname) || '.' FROM pg_catalog.pg_namespace n WHERE substring(pg_catalog.quote_ident(n.nspname) || '.', 1, 3) = 'ps_'
     AND (SELECT pg_catalog.count(*) FROM pg_catalog.pg_namespace WHERE substring(pg_catalog.quote_ident(nspname) || '.', 1, 3) = substring('ps_', 1, pg_catalog.length(pg_catalog.quote_ident(nspname)) + 1)) > 1
   ORDER BY 1 LIMIT 1000`,
  `SELECT pg_catalog.quote_ident(attname) FROM pg_catalog.pg_attribute a, pg_catalog.pg_class c WHERE c.oid = a.attrelid AND a.attnum > 0 AND NOT a.attisdropped
     AND substring(pg_catalog.quote_ident(attname), 1, 0) = '' AND (pg_catalog.quote_ident(relname) = 'ps_t' OR '"' || relname || '"' = 'ps_t') AND pg_catalog.pg_table_is_visible(c.oid) ORDER BY 1 LIMIT 1000`,
  `SELECT pg_catalog.quote_ident(n.nspname) FROM pg_catalog.pg_namespace n WHERE substring(pg_catalog.quote_ident(n.nspname), 1, 2) = 'ps' ORDER BY 1 LIMIT 1000`,
  `SELECT pg_catalog.quote_ident(c.relname) FROM pg_catalog.pg_class c WHERE c.relkind = 'i' AND substring(pg_catalog.quote_ident(c.relname), 1, 4) = 'ps_t' AND pg_catalog.pg_table_is_visible(c.oid) ORDER BY 1 LIMIT 1000`,
];

test.each(COMPLETIONS.map((q, i) => [i, q] as const))('psql tab completion query %i answers as on PostgreSQL', async (_i, query) => {
  const want = await psql(postgres.port, query);
  expect(want).not.toMatch(/^ERROR/);
  expect(await psql(eddy.port, query)).toBe(want);
});

test.each(COMMANDS)('psql %s prints as on PostgreSQL', async (command) => {
  const want = await psql(postgres.port, command);
  expect(want).not.toMatch(/^ERROR/);
  expect(await psql(eddy.port, command)).toBe(want);
});
