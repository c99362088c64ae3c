// Stored generated columns side by side with a real PostgreSQL 15: every statement of the script
// gives the same rows, or the same error (SQLSTATE, message, detail, hint, position), and the same
// notices on both servers; COPY through psql leaves generated columns out of its default column
// list and refuses them by name, as PostgreSQL does.
import { execFile } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startEddy, type EddyServer } from '../harness/server.js';
import { startPostgres, type PostgresServer } from '../harness/postgres.js';
import { requireOnPath } from './target.js';

let eddy: EddyServer;
let postgres: PostgresServer;
const clients: { eddy?: pg.Client; postgres?: pg.Client } = {};
const notices: { eddy: string[]; postgres: string[] } = { eddy: [], postgres: [] };

beforeAll(async () => {
  requireOnPath('psql', 'apt-get install postgresql-client');
  [eddy, postgres] = await Promise.all([startEddy(), startPostgres()]);
  for (const [name, port] of [['eddy', eddy.port], ['postgres', postgres.port]] as const) {
    const c = new pg.Client({ host: '127.0.0.1', port, user: 'eddy', database: 'eddy' });
    await c.connect();
    c.on('notice', (n) => notices[name].push(`${n.message}${n.detail ? ` / ${n.detail}` : ''}`));
    clients[name] = c;
  }
}, 120_000);
afterAll(async () => {
  await clients.eddy?.end().catch(() => undefined);
  await clients.postgres?.end().catch(() => undefined);
  await eddy?.stop();
  await postgres?.stop();
});

type Outcome = { rows: unknown[]; command: string } | { error: Record<string, string | undefined> };

async function outcome(c: pg.Client, sql: string): Promise<Outcome> {
  try {
    const r = await c.query(sql);
    return { rows: r.rows, command: r.command };
  } catch (e) {
    const err = e as pg.DatabaseError;
    return { error: { code: err.code, message: err.message, detail: err.detail, hint: err.hint, position: err.position } };
  }
}

/** runs each statement on both servers; outcomes and notices must be equal */
async function sameOnBoth(script: readonly string[]): Promise<void> {
  for (const sql of script) {
    notices.eddy.length = 0;
    notices.postgres.length = 0;
    const want = await outcome(clients.postgres!, sql);
    const got = await outcome(clients.eddy!, sql);
    expect(got, sql).toEqual(want);
    expect(notices.eddy, sql).toEqual(notices.postgres);
  }
}

test('writes compute generated columns; writing them is refused (428C9)', async () => {
  await sameOnBoth([
    'CREATE TABLE g (id int PRIMARY KEY, a int, b int GENERATED ALWAYS AS (a * 2) STORED, t text)',
    'INSERT INTO g VALUES (1, 1)',
    "INSERT INTO g VALUES (2, 2, DEFAULT, 'two'), (3, NULL, DEFAULT, 'three') RETURNING *",
    'INSERT INTO g (id, a) SELECT x, x * 10 FROM generate_series(4, 6) AS x RETURNING b',
    'INSERT INTO g VALUES (7, 1, 5)',
    'INSERT INTO g (id, a, b) VALUES (7, 1, DEFAULT), (8, 1, 2)',
    'INSERT INTO g SELECT 7, 1, 2',
    'INSERT INTO g (b) SELECT 2',
    'UPDATE g SET b = 3',
    'UPDATE g SET (a, b) = (5, 6) WHERE id = 1',
    'UPDATE g SET b = DEFAULT, a = a + 100 WHERE id <= 2 RETURNING id, a, b',
    "INSERT INTO g VALUES (1, 7) ON CONFLICT (id) DO UPDATE SET a = excluded.b, t = 'upserted' RETURNING *",
    'INSERT INTO g VALUES (1, 7) ON CONFLICT (id) DO UPDATE SET b = 5',
    'INSERT INTO g VALUES (1, 8) ON CONFLICT (id) DO UPDATE SET b = DEFAULT, a = g.a + excluded.a RETURNING *',
    'INSERT INTO g VALUES (9, 9) ON CONFLICT DO NOTHING RETURNING b',
    'SELECT * FROM g ORDER BY id',
    'CREATE VIEW g_v AS SELECT id, b FROM g WHERE b >= 40',
    'SELECT * FROM g_v ORDER BY id',
    'CREATE TABLE g_nn (a int, b int GENERATED ALWAYS AS (a * 10) STORED NOT NULL CHECK (b < 50))',
    'INSERT INTO g_nn VALUES (NULL)',
    'INSERT INTO g_nn VALUES (10)',
    'INSERT INTO g_nn VALUES (2), (3) RETURNING *',
    'UPDATE g_nn SET a = 9 WHERE a = 3',
    'CREATE TABLE g_div (a int, b int GENERATED ALWAYS AS (100 / a) STORED)',
    'INSERT INTO g_div VALUES (0)',
    'INSERT INTO g_div VALUES (NULL), (4) RETURNING *',
  ]);
});

test('generation expressions are checked as PostgreSQL checks them', async () => {
  const bad = (col: string): string => `CREATE TABLE g_bad (a int, ${col})`;
  await sameOnBoth([
    bad('b int DEFAULT 1 GENERATED ALWAYS AS (a * 2) STORED'),
    bad('b int GENERATED ALWAYS AS (a * 2) STORED DEFAULT 1'),
    bad('b int GENERATED ALWAYS AS (a) STORED, c int GENERATED ALWAYS AS (b * 2) STORED'),
    bad('b int GENERATED ALWAYS AS (b) STORED'),
    bad('b int GENERATED ALWAYS AS (x * 2) STORED'),
    bad('b int GENERATED ALWAYS AS (g_bad.x) STORED'),
    bad('b float8 GENERATED ALWAYS AS (random()) STORED'),
    bad('b timestamptz GENERATED ALWAYS AS (now()) STORED'),
    bad('t timestamptz, b text GENERATED ALWAYS AS (t::text) STORED'),
    bad('t timestamp, b timestamptz GENERATED ALWAYS AS (t::timestamptz) STORED'),
    bad('b int GENERATED ALWAYS AS ((SELECT 1)) STORED'),
    bad('b bool GENERATED ALWAYS AS (a IN (SELECT 1)) STORED'),
    bad('b int GENERATED ALWAYS AS (sum(a)) STORED'),
    bad('b int GENERATED ALWAYS AS (row_number() OVER ()) STORED'),
    bad('b int GENERATED ALWAYS AS (generate_series(1, a)) STORED'),
    bad('b int GENERATED BY DEFAULT AS (a * 2) STORED'),
    bad('b int GENERATED ALWAYS AS (a) STORED GENERATED ALWAYS AS (a) STORED'),
    bad('b int GENERATED ALWAYS AS IDENTITY GENERATED ALWAYS AS (a) STORED'),
    bad('b serial GENERATED ALWAYS AS (a) STORED'),
    bad('b bool GENERATED ALWAYS AS (g_bad IS NULL) STORED'),
    bad('b int GENERATED ALWAYS AS (a::text) STORED'),
    bad("b int GENERATED ALWAYS AS (a || 'x') STORED"),
    "SELECT count(*) FROM pg_class WHERE relname = 'g_bad'",
    // immutable after all: int || text is int::text || text, casts of constants
    `CREATE TABLE g_ok (a int, d date, b text GENERATED ALWAYS AS (a || 'x') STORED, c date GENERATED ALWAYS AS (d + 1) STORED,
       e bool GENERATED ALWAYS AS (d > '2020-01-01') STORED, f int GENERATED ALWAYS AS (g_ok.a + 1) STORED)`,
    "INSERT INTO g_ok VALUES (4, '2024-02-28') RETURNING *",
  ]);
});

test('catalog: attgenerated, pg_attrdef, information_schema', async () => {
  await sameOnBoth([
    'CREATE TABLE g_cat (a int, b int GENERATED ALWAYS AS (a + 1) STORED, c text DEFAULT \'d\')',
    "SELECT attname, attgenerated, atthasdef FROM pg_attribute WHERE attrelid = 'g_cat'::regclass AND attnum > 0 ORDER BY attnum",
    "SELECT adnum, pg_get_expr(adbin, adrelid, true) AS e FROM pg_attrdef WHERE adrelid = 'g_cat'::regclass ORDER BY adnum",
    "SELECT column_name, column_default, is_generated, is_updatable FROM information_schema.columns WHERE table_name = 'g_cat' ORDER BY ordinal_position",
  ]);
});

test('ALTER TABLE: ADD, DROP (CASCADE), RENAME, SET DEFAULT, DROP EXPRESSION', async () => {
  await sameOnBoth([
    'CREATE TABLE g_alt (a int, b int GENERATED ALWAYS AS (a + 1) STORED, c int GENERATED ALWAYS AS (a + 2) STORED, d text)',
    "INSERT INTO g_alt (a, d) VALUES (1, 'x'), (2, 'y')",
    'ALTER TABLE g_alt ALTER COLUMN b SET DEFAULT 3',
    'ALTER TABLE g_alt ALTER COLUMN b DROP DEFAULT',
    'ALTER TABLE g_alt ADD COLUMN e int GENERATED ALWAYS AS (a * 100) STORED NOT NULL',
    'ALTER TABLE g_alt ADD COLUMN f int GENERATED ALWAYS AS (c) STORED',
    'ALTER TABLE g_alt ADD COLUMN f float8 GENERATED ALWAYS AS (random()) STORED',
    'ALTER TABLE g_alt ADD COLUMN f int DEFAULT 1 GENERATED ALWAYS AS (a) STORED',
    'ALTER TABLE g_alt ADD COLUMN f int GENERATED ALWAYS AS (zz) STORED',
    'SELECT * FROM g_alt ORDER BY a',
    'ALTER TABLE g_alt DROP COLUMN a',
    'ALTER TABLE g_alt RENAME COLUMN a TO aa',
    "SELECT adnum, pg_get_expr(adbin, adrelid, true) AS e FROM pg_attrdef WHERE adrelid = 'g_alt'::regclass ORDER BY adnum",
    "INSERT INTO g_alt (aa, d) VALUES (3, 'z') RETURNING *",
    'ALTER TABLE g_alt ALTER COLUMN e DROP EXPRESSION',
    'ALTER TABLE g_alt ALTER COLUMN d DROP EXPRESSION',
    'ALTER TABLE g_alt ALTER COLUMN d DROP EXPRESSION IF EXISTS',
    'UPDATE g_alt SET e = 7 WHERE aa = 3 RETURNING e',
    'ALTER TABLE g_alt DROP COLUMN aa CASCADE',
    "SELECT attname FROM pg_attribute WHERE attrelid = 'g_alt'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
    'SELECT * FROM g_alt ORDER BY e',
    'CREATE TABLE g_one (a int, b int GENERATED ALWAYS AS (a + 1) STORED, c int)',
    'ALTER TABLE g_one DROP COLUMN a CASCADE',
  ]);
});

async function psql(port: number, command: string, input?: string): Promise<string> {
  return new Promise((resolve) => {
    const child = execFile('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'eddy', '-d', 'eddy', '-X', '-c', command], { timeout: 30_000 },
      (err, stdout, stderr) => resolve(err ? `ERROR ${stderr.replace(/^psql:[^:]*:\d+: /gm, '')}` : stdout));
    if (input !== undefined) child.stdin!.end(input);
  });
}

test('COPY leaves generated columns out and refuses them by name; psql \\d shows them', async () => {
  await sameOnBoth(['CREATE TABLE g_copy (a int, b int GENERATED ALWAYS AS (a + 1) STORED, c text)']);
  for (const port of [eddy.port, postgres.port]) {
    expect(await psql(port, 'COPY g_copy FROM STDIN', '1\tx\n2\t\\N\n\\.\n')).toBe('COPY 2\n');
  }
  for (const [command, input] of [
    ['COPY g_copy TO STDOUT', undefined], ['COPY g_copy (c, a) TO STDOUT', undefined], ['COPY g_copy (b) TO STDOUT', undefined],
    ['COPY g_copy (a, b) FROM STDIN', '3\t4\n\\.\n'], ['SELECT * FROM g_copy ORDER BY a', undefined], ['\\d g_copy', undefined],
  ] as const) {
    expect(await psql(eddy.port, command, input), command).toBe(await psql(postgres.port, command, input));
  }
});
