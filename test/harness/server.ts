// Starts the Eddy server as a child process for end-to-end tests.
// The server is the compiled dist/server/main.js: tests exercise exactly what ships.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort } from './net.js';

export interface EddyOptions {
  /** Reuse an existing data directory (e.g. after a crash); default: a fresh temp dir. */
  dataDir?: string;
  port?: number;
  env?: Record<string, string>;
  args?: string[];
  /** options for node itself, before the server's script (e.g. --cpu-prof) */
  nodeArgs?: string[];
  /** the server's V8 heap limit, MB (default 8192, as npm start) */
  heapMb?: number;
  /** How long to wait for the `listening on` line; default 30 s. */
  startTimeoutMs?: number;
}

export interface EddyServer {
  readonly port: number;
  readonly dataDir: string;
  readonly url: string;
  /** pid of the current server process (changes on restart). */
  readonly pid: number;
  /** A connected node-pg client (user eddy, database eddy). The caller ends it. */
  client(): Promise<pg.Client>;
  /** SIGTERM and wait for exit (SIGKILL after 10 s). */
  stop(): Promise<void>;
  /** stop(), then remove the data directory if the harness created it (it is removed at exit anyway) */
  destroy(): Promise<void>;
  /** SIGKILL and wait for exit: simulates a crash. */
  kill(): Promise<void>;
  /** Stops (clean) if running, then starts again on the same port and data dir. */
  restart(): Promise<void>;
  /** Everything the current and previous processes wrote, for diagnostics. */
  output(): { stdout: string; stderr: string };
}

/** Root of the repository: this file lives in test/harness/ (source) or dist/test/harness/ (compiled). */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error('cannot locate the repository root (package.json) from ' + fileURLToPath(import.meta.url));
}

/** The server entry point; EDDY_SERVER_MAIN overrides it (e.g. to test the harness with a stand-in). */
export function eddyMainPath(): string {
  return process.env.EDDY_SERVER_MAIN ?? path.join(repoRoot(), 'dist', 'server', 'main.js');
}

/** Process groups of servers still running: killed if the test process exits without stopping them. */
const liveGroups = new Set<number>();
/** data directories the harness made: removed when the test process exits (benchmarks write gigabytes) */
const createdDirs = new Set<string>();
process.once('exit', () => {
  for (const pid of liveGroups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  for (const dir of createdDirs) {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      /* best effort */
    }
  }
});

function tail(s: string, n = 4000): string {
  return s.length > n ? '…' + s.slice(-n) : s;
}

export async function startEddy(opts: EddyOptions = {}): Promise<EddyServer> {
  const main = eddyMainPath();
  if (!fs.existsSync(main)) {
    throw new Error(`${main} does not exist: run \`npm run build\` first (npm test does it)`);
  }
  const port = opts.port ?? (await freePort());
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-data-'));
  if (!opts.dataDir) createdDirs.add(dataDir);
  const startTimeoutMs = opts.startTimeoutMs ?? 30_000;
  let stdout = '';
  let stderr = '';
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  const launch = async (): Promise<void> => {
    // the same heap limit `npm start` gives the server, unless the caller sets one
    // the young generation as npm start sizes it (bulk loads and upserts allocate fast)
    const args = [`--max-old-space-size=${opts.heapMb ?? 8192}`, '--max-semi-space-size=64', ...(opts.nodeArgs ?? []), main, '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir, ...(opts.args ?? [])];
    const proc = spawn(process.execPath, args, {
      env: { ...process.env, EDDY_PORT: String(port), EDDY_DATA_DIR: dataDir, ...(opts.env ?? {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Own process group, so kill() takes down any helper processes too, like a machine crash would.
      detached: true,
    });
    child = proc;
    if (proc.pid !== undefined) liveGroups.add(proc.pid);
    let exitInfo: string | null = null;
    exited = new Promise<void>((resolve) => {
      proc.once('exit', (code, signal) => {
        if (proc.pid !== undefined) liveGroups.delete(proc.pid);
        exitInfo = `code=${String(code)} signal=${String(signal)}`;
        resolve();
      });
    });
    let outSoFar = '';
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new Error(
            `Eddy did not print "listening on 127.0.0.1:${port}" within ${startTimeoutMs} ms.\n` +
              `--- stdout ---\n${tail(outSoFar)}\n--- stderr ---\n${tail(stderr)}`,
          ),
        );
      }, startTimeoutMs);
      proc.stdout.setEncoding('utf8');
      proc.stderr.setEncoding('utf8');
      proc.stdout.on('data', (chunk: string) => {
        stdout += chunk;
        outSoFar += chunk;
        if (outSoFar.includes(`listening on 127.0.0.1:${port}`)) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.stderr.on('data', (chunk: string) => {
        stderr += chunk;
      });
      proc.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`cannot spawn Eddy: ${err.message}`));
      });
      proc.once('exit', () => {
        clearTimeout(timer);
        // Give the stream a tick to flush the last chunks before reporting.
        setImmediate(() =>
          reject(
            new Error(
              `Eddy exited before it was ready (${exitInfo ?? '?'}).\n` +
                `--- stdout ---\n${tail(outSoFar)}\n--- stderr ---\n${tail(stderr)}`,
            ),
          ),
        );
      });
    });
    await ready;
  };

  const signalAndWait = async (signal: NodeJS.Signals): Promise<void> => {
    const proc: ChildProcess | null = child;
    if (proc === null || proc.exitCode !== null || proc.signalCode !== null) return;
    if (signal === 'SIGKILL' && proc.pid !== undefined) {
      try {
        process.kill(-proc.pid, 'SIGKILL');
      } catch {
        proc.kill('SIGKILL');
      }
    } else {
      proc.kill(signal);
    }
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10_000).unref());
    if ((await Promise.race([exited.then(() => 'done' as const), timeout])) === 'timeout') {
      proc.kill('SIGKILL');
      await exited;
    }
  };

  await launch();
  const url = `postgres://eddy@127.0.0.1:${port}/eddy`;
  return {
    port,
    dataDir,
    url,
    get pid(): number {
      return (child as ChildProcess | null)?.pid ?? -1;
    },
    async client(): Promise<pg.Client> {
      const c = new pg.Client({ host: '127.0.0.1', port, user: 'eddy', database: 'eddy' });
      // Without a listener, a server going away (crash tests) would crash the test process; queries still reject.
      c.on('error', () => undefined);
      await c.connect();
      return c;
    },
    stop: () => signalAndWait('SIGTERM'),
    async destroy(): Promise<void> {
      await signalAndWait('SIGTERM');
      if (createdDirs.delete(dataDir)) fs.rmSync(dataDir, { recursive: true, force: true });
    },
    kill: () => signalAndWait('SIGKILL'),
    async restart(): Promise<void> {
      await signalAndWait('SIGTERM');
      await launch();
    },
    output: () => ({ stdout, stderr }),
  };
}
