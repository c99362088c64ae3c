// Point lookups while a writer upserts: pgbench -S (prepared) reads pgbench_accounts by primary
// key, first alone, then while one client upserts random accounts at a target rate (default
// 20k rows/s, batches of 200). Reports read TPS and per-lookup p50/p99 latency (from pgbench's
// per-transaction log) next to the read-only figures, and the write rate actually reached;
// Eddy and PostgreSQL side by side. Usage: npm run bench:lookup [-- --scale 10 --seconds 15 --rate 20000]
import { execFile } from 'node:child_process';
import { promisify, parseArgs } from 'node:util';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEddy } from '../test/harness/server.js';
import { startPostgres } from '../test/harness/postgres.js';
import { machineLine, publishSection } from './report.js';
import { mulberry32 } from '../test/harness/prng.js';

const run = promisify(execFile);
const { values } = parseArgs({ options: { scale: { type: 'string' }, seconds: { type: 'string' }, rate: { type: 'string' }, clients: { type: 'string' }, workers: { type: 'string' } } });
const scale = Number(values.scale ?? 10);
const seconds = Number(values.seconds ?? 15);
const rate = Number(values.rate ?? 20_000);
const clients = Number(values.clients ?? 4);
const workers = Number(values.workers ?? cpus().length);
const BATCH = 200;

interface Reads { tps: number; p50: number; p99: number }

async function reads(port: number): Promise<Reads> {
  const dir = mkdtempSync(path.join(tmpdir(), 'eddy-lookup-'));
  try {
    const { stdout } = await run('pgbench', ['-S', '-n', '-M', 'prepared', '-T', String(seconds), '-c', String(clients), '-j', '2', '-l', '--log-prefix', path.join(dir, 'tx'),
      '-h', '127.0.0.1', '-p', String(port), '-U', 'eddy', 'eddy'], { maxBuffer: 64 << 20 });
    const m = /tps = ([\d.]+)/.exec(stdout);
    if (!m) throw new Error(`no tps in pgbench output:\n${stdout}`);
    // per-transaction log lines: client_id transaction_no latency_us script_no epoch_s epoch_us
    const lat: number[] = [];
    for (const f of readdirSync(dir)) for (const line of readFileSync(path.join(dir, f), 'utf8').split('\n')) { const p = line.split(' '); if (p.length >= 3) lat.push(Number(p[2])); }
    lat.sort((a, b) => a - b);
    const q = (x: number): number => lat[Math.min(lat.length - 1, Math.floor(lat.length * x))]! / 1000;
    return { tps: Number(m[1]), p50: q(0.5), p99: q(0.99) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Upserts random accounts at `rate` rows/s until stopped; returns the rows/s reached. */
async function writer(port: number, stop: { v: boolean }): Promise<number> {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'eddy', database: 'eddy', password: 'eddy' });
  await c.connect();
  const rnd = mulberry32(3);
  const accounts = scale * 100_000;
  const tuples = Array.from({ length: BATCH }, (_, i) => `($${2 * i + 1}::int, 1, $${2 * i + 2}::int, '')`).join(',');
  const sql = `INSERT INTO pgbench_accounts (aid, bid, abalance, filler) VALUES ${tuples} ON CONFLICT (aid) DO UPDATE SET abalance = excluded.abalance`;
  const t0 = Date.now();
  let rows = 0;
  while (!stop.v) {
    const due = t0 + (rows / rate) * 1000;
    if (Date.now() < due) { await new Promise((r) => setTimeout(r, due - Date.now())); continue; }
    const ids = new Set<number>();
    while (ids.size < BATCH) ids.add(1 + Math.floor(rnd() * accounts));
    const params: number[] = [];
    for (const id of ids) params.push(id, Math.floor(rnd() * 10000));
    await c.query({ name: 'up', text: sql, values: params });
    rows += BATCH;
  }
  const reached = rows / ((Date.now() - t0) / 1000);
  await c.end();
  return reached;
}

async function cell(port: number): Promise<{ alone: Reads; writing: Reads; writeRate: number }> {
  const alone = await reads(port);
  const stop = { v: false };
  const w = writer(port, stop);
  const writing = await reads(port);
  stop.v = true;
  return { alone, writing, writeRate: await w };
}

const eddy = await startEddy({ args: ['--workers', String(workers)] });
const pgServer = await startPostgres();
try {
  for (const port of [eddy.port, pgServer.port]) {
    await run('pgbench', ['-i', '-q', '-s', String(scale), '-h', '127.0.0.1', '-p', String(port), '-U', 'eddy', 'eddy'], { maxBuffer: 64 << 20 });
  }
  const e = await cell(eddy.port);
  const p = await cell(pgServer.port);
  const f = (r: Reads): string => `${r.tps.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)}`;
  publishSection('Point lookups under writes', [
    `## Point lookups under writes (${new Date().toISOString().slice(0, 10)})`,
    '',
    `${machineLine()} pgbench -S -M prepared, scale ${scale}, ${clients} clients, ${seconds} s per run; the writer`,
    `upserts random pgbench_accounts rows in batches of ${BATCH} aiming at ${rate} rows/s. Eddy --workers ${workers}.`,
    '',
    '| system | read-only TPS | p50 ms | p99 ms | TPS while writing | p50 ms | p99 ms | write rows/s reached |',
    '|---|---|---|---|---|---|---|---|',
    `| Eddy | ${f(e.alone)} | ${f(e.writing)} | ${e.writeRate.toFixed(0)} |`,
    `| PostgreSQL | ${f(p.alone)} | ${f(p.writing)} | ${p.writeRate.toFixed(0)} |`,
    '',
    `Eddy keeps ${(100 * e.writing.tps / e.alone.tps).toFixed(0)}% of its read-only TPS while writing (PostgreSQL ${(100 * p.writing.tps / p.alone.tps).toFixed(0)}%); p99 goes from ${e.alone.p99.toFixed(2)} to ${e.writing.p99.toFixed(2)} ms.`,
    '',
  ]);
} finally {
  await eddy.destroy();
  await pgServer.stop();
}
