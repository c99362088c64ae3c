// pgjdbc: compiles test/e2e/java/EddyJdbcTest.java with javac and runs it against the server.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { requireExecutable, requireOnPath, startTarget } from './target.js';
import type { Target } from './target.js';

const run = promisify(execFile);
const JAR = process.env.EDDY_JDBC_JAR ?? '/usr/share/java/postgresql.jar';
const here = path.dirname(fileURLToPath(import.meta.url));
let target: Target;
let tmp: string;

beforeAll(async () => {
  requireExecutable(JAR, 'apt-get install libpostgresql-jdbc-java');
  requireOnPath('javac', 'apt-get install default-jdk-headless');
  requireOnPath('java', 'apt-get install default-jdk-headless');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-jdbc-'));
  await run('javac', ['-cp', JAR, '-d', tmp, path.join(here, 'java', 'EddyJdbcTest.java')], { timeout: 120_000 });
  target = await startTarget();
});
afterAll(async () => {
  await target?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('JDBC driver round trip', async () => {
  let stdout = '';
  try {
    ({ stdout } = await run('java', ['-cp', `${JAR}:${tmp}`, 'EddyJdbcTest', String(target.port)], { timeout: 110_000 }));
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`EddyJdbcTest failed: ${err.message}\nstdout:\n${err.stdout ?? ''}\nstderr:\n${err.stderr ?? ''}\n${target.logs()}`);
  }
  console.log(stdout);
  const ok = stdout.split('\n').filter((l) => l.startsWith('OK ')).map((l) => l.split(' ')[1]);
  expect(ok).toEqual([
    'connect',
    'create',
    'prepared-insert',
    'batch',
    'prepared-select',
    'parameters',
    'update',
    'error-sqlstate',
    'metadata-tables',
    'metadata-columns',
    'fetch-size',
    'transactions',
    // SUBSCRIBE is Eddy's (Materialize's syntax): checked only against Eddy
    ...(target.name === 'eddy' ? ['subscribe'] : []),
    'done',
  ]);
});

test('JDBC getPrimaryKeys', async () => {
  const { stdout } = await run('java', ['-cp', `${JAR}:${tmp}`, 'EddyJdbcTest', String(target.port), 'primary-keys'], { timeout: 110_000 });
  expect(stdout).toContain('OK metadata-primary-keys');
});
