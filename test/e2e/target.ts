// Which server an e2e test talks to. Normally Eddy; EDDY_TEST_TARGET=postgres runs the same test
// against a real PostgreSQL 15, which is how the tests themselves are validated.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import pg from 'pg';
import { startEddy } from '../harness/server.js';
import { startPostgres } from '../harness/postgres.js';

export interface Target {
  readonly name: 'eddy' | 'postgres';
  readonly port: number;
  client(): Promise<pg.Client>;
  stop(): Promise<void>;
  /** Eddy's stdout/stderr so far (empty for PostgreSQL), for failure messages. */
  logs(): string;
}

export async function startTarget(): Promise<Target> {
  const newClient = async (port: number): Promise<pg.Client> => {
    const c = new pg.Client({ host: '127.0.0.1', port, user: 'eddy', database: 'eddy' });
    await c.connect();
    return c;
  };
  if (process.env.EDDY_TEST_TARGET === 'postgres') {
    const p = await startPostgres();
    return { name: 'postgres', port: p.port, client: () => newClient(p.port), stop: () => p.stop(), logs: () => '' };
  }
  const e = await startEddy();
  return {
    name: 'eddy',
    port: e.port,
    client: () => newClient(e.port),
    stop: () => e.stop(),
    logs: () => {
      const o = e.output();
      return `--- eddy stdout ---\n${o.stdout.slice(-3000)}\n--- eddy stderr ---\n${o.stderr.slice(-3000)}`;
    },
  };
}

/** Fails (never skips) when a tool the test needs is missing. */
export function requireExecutable(file: string, hint: string): string {
  if (!fs.existsSync(file)) throw new Error(`required tool missing: ${file} (${hint})`);
  return file;
}

/** Resolves a command on PATH; throws when absent. */
export function requireOnPath(cmd: string, hint: string): string {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(`required tool missing on PATH: ${cmd} (${hint})`);
  }
}
