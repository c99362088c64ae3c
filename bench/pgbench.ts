// pgbench -S (select-only point lookups) against Eddy and PostgreSQL side by side, simple and
// prepared protocol. Writes TPS and the Eddy/PostgreSQL ratio to docs/benchmarks.md.
// Usage: npm run bench:pgbench [-- --scale 10 --seconds 30 --clients 8 --threads 2]
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { cpus } from 'node:os';
import { startEddy } from '../test/harness/server.js';
import { startPostgres } from '../test/harness/postgres.js';
import { machineLine, publishSection } from './report.js';

const run = promisify(execFile);
const { values } = parseArgs({ options: { scale: { type: 'string' }, seconds: { type: 'string' }, clients: { type: 'string' }, threads: { type: 'string' }, workers: { type: 'string' }, runs: { type: 'string' } } });
const scale = Number(values.scale ?? 10);
const seconds = Number(values.seconds ?? 15);
/** runs per cell, alternating Eddy and PostgreSQL; the median is reported (the machine is noisy) */
const runs = Number(values.runs ?? 3);
const clients = Number(values.clients ?? 8);
const threads = Number(values.threads ?? 2);
// Eddy's server processes (--workers); PostgreSQL uses a process per connection on all cores
const workers = Number(values.workers ?? cpus().length);

async function load(port: number): Promise<number> {
  const t = Date.now();
  // pgbench's own initialization: drop, create, client-side generate (COPY), vacuum, primary keys
  await run('pgbench', ['-i', '-q', '-s', String(scale), '-h', '127.0.0.1', '-p', String(port), '-U', 'eddy', 'eddy'], { maxBuffer: 64 << 20 });
  return (Date.now() - t) / 1000;
}

async function tps(port: number, mode: 'simple' | 'prepared'): Promise<number> {
  const { stdout } = await run('pgbench', ['-S', '-n', '-T', String(seconds), '-c', String(clients), '-j', String(threads), '-M', mode,
    '-h', '127.0.0.1', '-p', String(port), '-U', 'eddy', 'eddy'], { maxBuffer: 64 << 20 });
  const m = /tps = ([\d.]+)/.exec(stdout);
  if (!m) throw new Error(`no tps in pgbench output:\n${stdout}`);
  return Number(m[1]);
}

const eddy = await startEddy({ args: ['--workers', String(workers)] });
const pg = await startPostgres();
try {
  const loadEddy = await load(eddy.port);
  const loadPg = await load(pg.port);
  const rows: string[] = [];
  const median = (xs: number[]): number => { const v = [...xs].sort((a, b) => a - b); return v[Math.floor(v.length / 2)]!; };
  for (const mode of ['simple', 'prepared'] as const) {
    const e: number[] = [];
    const p: number[] = [];
    for (let i = 0; i < runs; i++) {
      e.push(await tps(eddy.port, mode));
      p.push(await tps(pg.port, mode));
    }
    const me = median(e);
    const mp = median(p);
    rows.push(`| pgbench -S -M ${mode} (scale ${scale}, -c ${clients} -j ${threads}, median of ${runs} x ${seconds}s, Eddy --workers ${workers}) | ${me.toFixed(0)} | ${mp.toFixed(0)} | ${(me / mp).toFixed(2)} |`);
    console.log(rows[rows.length - 1], 'runs:', e.map((x) => x.toFixed(0)).join('/'), 'vs', p.map((x) => x.toFixed(0)).join('/'));
  }
  rows.push(`| pgbench -i load, scale ${scale} (seconds, lower is better) | ${loadEddy.toFixed(1)} | ${loadPg.toFixed(1)} | ${(loadPg / loadEddy).toFixed(2)} |`);
  publishSection('pgbench select-only', [
    `## pgbench select-only (${new Date().toISOString().slice(0, 10)})`,
    '',
    machineLine(),
    '',
    '| benchmark | Eddy TPS | PostgreSQL TPS | ratio Eddy/PG |',
    '|---|---|---|---|',
    ...rows,
    '',
  ]);
} finally {
  await eddy.destroy();
  await pg.stop();
}
