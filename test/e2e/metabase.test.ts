// Metabase through pgjdbc (Debian's libpostgresql-jdbc-java, the driver Metabase bundles): the
// connection test, the pool-checkout session statements, sync (schemas, tables with row
// estimates, fields, enums, foreign keys, privileges, the JDBC metadata calls of older versions)
// and the SQL shapes its query processor generates. test/e2e/java/MetabaseSim.java runs them
// against Eddy and a real PostgreSQL 15; every step must answer the same.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startEddy, type EddyServer } from '../harness/server.js';
import { startPostgres, type PostgresServer } from '../harness/postgres.js';
import { requireExecutable, requireOnPath } from './target.js';

const run = promisify(execFile);
const JAR = process.env.EDDY_JDBC_JAR ?? '/usr/share/java/postgresql.jar';
const here = path.dirname(fileURLToPath(import.meta.url));
let eddy: EddyServer;
let pg: PostgresServer;
let tmp: string;

beforeAll(async () => {
  requireExecutable(JAR, 'apt-get install libpostgresql-jdbc-java');
  requireOnPath('javac', 'apt-get install default-jdk-headless');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-metabase-'));
  await run('javac', ['-cp', JAR, '-d', tmp, path.join(here, 'java', 'MetabaseSim.java')], { timeout: 120_000 });
  [eddy, pg] = await Promise.all([startEddy(), startPostgres()]);
}, 180_000);
afterAll(async () => {
  await eddy?.stop();
  await pg?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** step name -> its header and rows */
async function simulate(port: number, who: string): Promise<Map<string, string>> {
  let stdout = '';
  try {
    // the JVM's time zone is what pgjdbc announces at startup: the same for both servers
    ({ stdout } = await run('java', ['-Duser.timezone=Europe/Berlin', '-cp', `${JAR}:${tmp}`, 'MetabaseSim', String(port)], { timeout: 170_000 }));
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`MetabaseSim against ${who} failed: ${err.message}\nstdout:\n${err.stdout ?? ''}\nstderr:\n${err.stderr ?? ''}`);
  }
  const steps = new Map<string, string>();
  let current = '';
  for (const line of stdout.split('\n')) {
    if (line.startsWith('STEP ')) {
      current = line.slice(5).split(' ')[0]!;
      steps.set(current, line.slice(5));
    } else if (line.startsWith('  ')) steps.set(current, `${steps.get(current)!}\n${line}`);
  }
  return steps;
}

test('Metabase sync and generated queries answer as on PostgreSQL', async () => {
  const fromPg = await simulate(pg.port, 'PostgreSQL');
  const fromEddy = await simulate(eddy.port, 'Eddy');
  expect(fromPg.has('done')).toBe(true);
  expect(fromPg.size).toBeGreaterThan(40);
  const differ: string[] = [];
  for (const [step, want] of fromPg) {
    const got = fromEddy.get(step);
    if (got !== want) differ.push(`${step}:\n--- PostgreSQL\n${want}\n--- Eddy\n${got ?? '(missing)'}`);
  }
  expect(differ.join('\n\n')).toBe('');
}, 400_000);
