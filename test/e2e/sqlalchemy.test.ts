// SQLAlchemy 1.4 with psycopg2 (Debian's python3-sqlalchemy under /usr/bin/python3): engine
// connect, inspector reflection (schemas, tables, views, materialized views, columns, primary and
// foreign keys, indexes, unique constraints), Core and ORM writes and queries, server-side cursors.
// The same script runs against Eddy and a real PostgreSQL 15; both must report the same.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startEddy, type EddyServer } from '../harness/server.js';
import { startPostgres, type PostgresServer } from '../harness/postgres.js';
import { requireExecutable } from './target.js';

const run = promisify(execFile);
const PYTHON = process.env.EDDY_PYTHON ?? '/usr/bin/python3';
const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'python', 'sqlalchemy_check.py');
let eddy: EddyServer;
let pg: PostgresServer;

beforeAll(async () => {
  requireExecutable(PYTHON, 'apt-get install python3');
  try {
    await run(PYTHON, ['-c', 'import sqlalchemy, psycopg2']);
  } catch {
    throw new Error(`required tool missing: SQLAlchemy for ${PYTHON} (apt-get install python3-sqlalchemy python3-psycopg2)`);
  }
  [eddy, pg] = await Promise.all([startEddy(), startPostgres()]);
}, 120_000);
afterAll(async () => { await eddy?.stop(); await pg?.stop(); });

async function check(port: number, who: string): Promise<Record<string, unknown>> {
  try {
    const { stdout } = await run(PYTHON, [script, String(port)], { timeout: 110_000 });
    return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`sqlalchemy_check.py against ${who} failed: ${err.message}\nstdout:\n${err.stdout ?? ''}\nstderr:\n${err.stderr ?? ''}`);
  }
}

test('SQLAlchemy sees Eddy as it sees PostgreSQL', async () => {
  const fromPg = await check(pg.port, 'PostgreSQL');
  const fromEddy = await check(eddy.port, 'Eddy');
  // the script itself must have seen something (not two empty answers)
  expect(fromPg['tables']).toEqual(['sa_customer', 'sa_order']);
  const differ = Object.keys(fromPg).filter((k) => JSON.stringify(fromEddy[k]) !== JSON.stringify(fromPg[k]))
    .map((k) => `${k}:\n  PostgreSQL ${JSON.stringify(fromPg[k])}\n  Eddy       ${JSON.stringify(fromEddy[k])}`);
  expect(differ.join('\n')).toBe('');
  expect(Object.keys(fromEddy).sort()).toEqual(Object.keys(fromPg).sort());
}, 240_000);
