// psycopg2 (Debian's python3-psycopg2 under /usr/bin/python3: the pyenv python3 on PATH lacks it).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { requireExecutable, startTarget } from './target.js';
import type { Target } from './target.js';

const run = promisify(execFile);
const PYTHON = process.env.EDDY_PYTHON ?? '/usr/bin/python3';
const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'python', 'psycopg2_check.py');
let target: Target;

beforeAll(async () => {
  requireExecutable(PYTHON, 'apt-get install python3');
  try {
    await run(PYTHON, ['-c', 'import psycopg2']);
  } catch {
    throw new Error(`required tool missing: psycopg2 for ${PYTHON} (apt-get install python3-psycopg2)`);
  }
  target = await startTarget();
});
afterAll(async () => {
  await target?.stop();
});

test('psycopg2 round trip', async () => {
  let stdout = '';
  try {
    ({ stdout } = await run(PYTHON, [script, String(target.port)], { timeout: 110_000 }));
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`psycopg2_check.py failed: ${err.message}\nstdout:\n${err.stdout ?? ''}\nstderr:\n${err.stderr ?? ''}\n${target.logs()}`);
  }
  console.log(stdout);
  const ok = stdout.split('\n').filter((l) => l.startsWith('OK ')).map((l) => l.split(' ')[1]);
  // SUBSCRIBE is Eddy's (Materialize's syntax): checked only against Eddy
  const subscribe = target.name === 'eddy' ? ['subscribe'] : [];
  expect(ok).toEqual(['connect', 'create', 'executemany', 'fetch-types', 'parameters', 'fetchmany', 'transactions', 'named-cursor', 'extras', ...subscribe, 'done']);
});
