// Starts a throwaway real PostgreSQL 15 cluster: the reference the runner and suites are checked against.
// PostgreSQL refuses to run as root, so when we are root the cluster belongs to a system user.
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, sleep } from './net.js';

export const PG_BIN = process.env.EDDY_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const PG_USER = 'eddytest';

export interface PostgresOptions {
  walLevel?: 'logical';
  port?: number;
  /**
   * PostgreSQL's own durability settings (fsync on, default shared_buffers) instead of the test
   * settings (fsync off, 32 MB): write benchmarks compare against a server that, like Eddy,
   * has a commit on disk before it acknowledges it.
   */
  durable?: boolean;
}

export interface PostgresServer {
  readonly port: number;
  readonly dataDir: string;
  /** Superuser role "eddy" exists, database "eddy" exists, trust auth on 127.0.0.1. */
  readonly url: string;
  stop(): Promise<void>;
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function ensureSystemUser(): void {
  try {
    execFileSync('id', ['-u', PG_USER], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--system', '--create-home', '--shell', '/bin/bash', PG_USER], { stdio: 'pipe' });
  }
}

/** argv prefix that runs a command as the cluster owner. */
function asOwner(cmd: string, args: string[]): [string, string[]] {
  if (!isRoot()) return [cmd, args];
  return ['runuser', ['-u', PG_USER, '--', cmd, ...args]];
}

function run(cmd: string, args: string[]): string {
  const [c, a] = asOwner(cmd, args);
  try {
    return execFileSync(c, a, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
  }
}

export async function startPostgres(opts: PostgresOptions = {}): Promise<PostgresServer> {
  const postgres = path.join(PG_BIN, 'postgres');
  if (!fs.existsSync(postgres)) {
    throw new Error(`PostgreSQL 15 not found at ${postgres} (install the postgresql-15 package or set EDDY_PG_BIN)`);
  }
  if (isRoot()) ensureSystemUser();
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-pg-'));
  fs.chmodSync(base, 0o755);
  const dataDir = path.join(base, 'data');
  const sockDir = path.join(base, 'sock');
  fs.mkdirSync(sockDir);
  if (isRoot()) execFileSync('chown', ['-R', `${PG_USER}:`, base]);

  run(path.join(PG_BIN, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync']);
  const port = opts.port ?? (await freePort());
  const settings = [
    `listen_addresses = '127.0.0.1'`,
    `port = ${port}`,
    `unix_socket_directories = '${sockDir}'`,
    ...(opts.durable ? [] : [`fsync = off`, `shared_buffers = 32MB`]),
    `max_connections = 600`,
    `timezone = 'UTC'`,
    `log_min_messages = warning`,
  ];
  if (opts.walLevel === 'logical') settings.push(`wal_level = logical`, `max_replication_slots = 10`, `max_wal_senders = 10`);
  fs.appendFileSync(path.join(dataDir, 'postgresql.conf'), '\n' + settings.join('\n') + '\n');

  const [c, a] = asOwner(postgres, ['-D', dataDir]);
  const proc: ChildProcess = spawn(c, a, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));

  // pg_isready-style wait via psql: ready once it accepts a query.
  const psql = path.join(PG_BIN, 'psql');
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`PostgreSQL exited during startup:\n${log}`);
    try {
      execFileSync(psql, ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-X', '-qAt', '-c', 'SELECT 1'], {
        stdio: 'pipe',
      });
      break;
    } catch {
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(`PostgreSQL did not become ready on port ${port} within 30 s:\n${log}`);
      }
      await sleep(100);
    }
  }
  // Same names as Eddy's defaults so tests and suites can target either server unchanged.
  execFileSync(psql, ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-X', '-q', '-v', 'ON_ERROR_STOP=1',
    '-c', 'CREATE ROLE eddy SUPERUSER LOGIN', '-c', 'CREATE DATABASE eddy OWNER eddy'], { stdio: 'pipe' });

  return {
    port,
    dataDir,
    url: `postgres://eddy@127.0.0.1:${port}/eddy`,
    async stop(): Promise<void> {
      if (proc.exitCode === null && proc.signalCode === null) {
        // pg_ctl as the owner: signalling the runuser wrapper would not reliably reach postgres.
        // "fast" mode aborts open sessions instead of waiting for clients.
        try {
          run(path.join(PG_BIN, 'pg_ctl'), ['-D', dataDir, 'stop', '-m', 'fast', '-w']);
        } catch {
          proc.kill('SIGKILL');
        }
        const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(t);
      }
      fs.rmSync(base, { recursive: true, force: true });
    },
  };
}
