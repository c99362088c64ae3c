// OLAP on the events table side by side: Eddy (column store), PostgreSQL 15 and DuckDB
// (@duckdb/node-api in this Node process), same data loaded from one CSV. Each query runs
// `--repeat` times per system after a warm-up; medians and ratios go to docs/benchmarks.md.
// Targets (storage issue): each query >= 3x faster than PostgreSQL, within 5x of DuckDB.
// Usage: npm run bench:olap [-- --rows 5000000 --repeat 5]
import { execFile } from 'node:child_process';
import { promisify, parseArgs } from 'node:util';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { DuckDBInstance } from '@duckdb/node-api';
import { startEddy } from '../test/harness/server.js';
import { startPostgres } from '../test/harness/postgres.js';
import { machineLine, publishSection } from './report.js';
import { mulberry32 } from '../test/harness/prng.js';

const run = promisify(execFile);
const { values } = parseArgs({ options: { rows: { type: 'string' }, repeat: { type: 'string' } } });
const rowCount = Number(values.rows ?? 5_000_000);
const repeat = Number(values.repeat ?? 5);

const DDL = 'CREATE TABLE events (id bigint PRIMARY KEY, user_id int NOT NULL, category text NOT NULL, amount numeric(10,2) NOT NULL, ts timestamp NOT NULL)';
const QUERIES: readonly [string, string][] = [
  ['count with a filter', `SELECT count(*) FROM events WHERE user_id < 20000 AND amount > 500`],
  ['GROUP BY category, sum/avg', `SELECT category, sum(amount), avg(amount) FROM events GROUP BY category ORDER BY category`],
  ['count(DISTINCT user_id)', `SELECT count(DISTINCT user_id) FROM events`],
  ["GROUP BY date_trunc('hour', ts)", `SELECT date_trunc('hour', ts) AS h, count(*) FROM events GROUP BY 1 ORDER BY 1`],
  ['top-10 users by sum(amount)', `SELECT user_id, sum(amount) AS total FROM events GROUP BY user_id ORDER BY total DESC, user_id LIMIT 10`],
];

async function writeCsv(file: string): Promise<void> {
  const out = createWriteStream(file);
  const rnd = mulberry32(7);
  const start = Date.UTC(2026, 0, 1) / 1000;
  let chunk = '';
  for (let id = 1; id <= rowCount; id++) {
    const user = 1 + Math.floor(rnd() * 100_000);
    const cat = `cat-${Math.floor(rnd() * rnd() * 20)}`;
    const amount = (Math.floor(rnd() * 100_000) / 100).toFixed(2);
    const ts = new Date((start + Math.floor(rnd() * 30 * 86400)) * 1000).toISOString().replace('T', ' ').slice(0, 19);
    chunk += `${id},${user},${cat},${amount},${ts}\n`;
    if (chunk.length > 1 << 20) { if (!out.write(chunk)) await once(out, 'drain'); chunk = ''; }
  }
  out.end(chunk);
  await once(out, 'finish');
}

async function load(port: number, file: string, after: string[]): Promise<number> {
  const psql = ['-h', '127.0.0.1', '-p', String(port), '-U', 'eddy', '-d', 'eddy', '-v', 'ON_ERROR_STOP=1', '-q'];
  await run('psql', [...psql, '-c', 'DROP TABLE IF EXISTS events']);
  await run('psql', [...psql, '-c', DDL]);
  const t = process.hrtime.bigint();
  await run('psql', [...psql, '-c', `\\copy events FROM '${file}' WITH (FORMAT csv)`], { maxBuffer: 1 << 20 });
  for (const sql of after) await run('psql', [...psql, '-c', sql]);
  return Number(process.hrtime.bigint() - t) / 1e9;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timeAll(exec: (sql: string) => Promise<unknown[]>): Promise<{ ms: number[]; results: string[] }> {
  const ms: number[] = [];
  const results: string[] = [];
  for (const [, sql] of QUERIES) {
    results.push(JSON.stringify(await exec(sql)));
    const times: number[] = [];
    for (let r = 0; r < repeat; r++) {
      const t = process.hrtime.bigint();
      await exec(sql);
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    ms.push(median(times));
  }
  return { ms, results };
}

/** Rows as arrays of strings, numbers normalized, so the three systems' answers can be compared. */
function normalize(rows: unknown[][]): string[][] {
  return rows.map((r) => r.map((v) => {
    if (v instanceof Date) return v.toISOString().replace('T', ' ').slice(0, 19);
    const s = String(v);
    const n = Number(s);
    return s !== '' && Number.isFinite(n) ? n.toFixed(4) : s.replace('T', ' ').slice(0, 19);
  }));
}

const dir = mkdtempSync(path.join(tmpdir(), 'eddy-bench-olap-'));
const csv = path.join(dir, 'events.csv');
await writeCsv(csv);
const eddy = await startEddy({ startTimeoutMs: 60_000 });
const pgServer = await startPostgres();
try {
  const loadEddy = await load(eddy.port, csv, ['VACUUM events']);
  const loadPg = await load(pgServer.port, csv, ['VACUUM ANALYZE events']);
  console.log(`load ${rowCount}: Eddy ${loadEddy.toFixed(1)} s, PostgreSQL ${loadPg.toFixed(1)} s`);

  const client = (port: number): pg.Client => new pg.Client({ host: '127.0.0.1', port, user: 'eddy', database: 'eddy', password: 'eddy' });
  const ec = client(eddy.port);
  const pc = client(pgServer.port);
  await ec.connect();
  await pc.connect();
  const viaPg = (c: pg.Client) => async (sql: string): Promise<unknown[]> => normalize((await c.query({ text: sql, rowMode: 'array' })).rows as unknown[][]);
  const eddyT = await timeAll(viaPg(ec));
  const pgT = await timeAll(viaPg(pc));
  await ec.end();
  await pc.end();

  const duck = await DuckDBInstance.create(':memory:');
  const dc = await duck.connect();
  await dc.run(`CREATE TABLE events AS SELECT * FROM read_csv('${csv}', header = false, columns = {'id': 'BIGINT', 'user_id': 'INTEGER', 'category': 'VARCHAR', 'amount': 'DECIMAL(10,2)', 'ts': 'TIMESTAMP'})`);
  const duckT = await timeAll(async (sql) => normalize((await dc.runAndReadAll(sql)).getRows() as unknown[][]));
  dc.closeSync();

  const rows: string[] = [];
  QUERIES.forEach(([name], i) => {
    const same = eddyT.results[i] === pgT.results[i] && pgT.results[i] === duckT.results[i];
    if (!same) console.log(`results differ for ${name}:\n eddy ${eddyT.results[i]!.slice(0, 300)}\n pg   ${pgT.results[i]!.slice(0, 300)}\n duck ${duckT.results[i]!.slice(0, 300)}`);
    const e = eddyT.ms[i]!, p = pgT.ms[i]!, d = duckT.ms[i]!;
    rows.push(`| ${name} | ${e.toFixed(0)} | ${p.toFixed(0)} | ${d.toFixed(0)} | ${(p / e).toFixed(2)} | ${(e / d).toFixed(1)} | ${same ? 'yes' : 'NO'} |`);
  });
  publishSection('OLAP on the events table', [
    `## OLAP on the events table (${new Date().toISOString().slice(0, 10)})`,
    '',
    `${machineLine()} DuckDB (@duckdb/node-api) in the benchmark's Node process. ${rowCount} rows`,
    `(id bigint, user_id int, category text, amount numeric(10,2), ts timestamp); median of ${repeat} runs after a warm-up, ms,`,
    `client-side time over the wire for Eddy and PostgreSQL. Load (COPY + VACUUM): Eddy ${loadEddy.toFixed(1)} s, PostgreSQL ${loadPg.toFixed(1)} s.`,
    '',
    '| query | Eddy ms | PostgreSQL ms | DuckDB ms | PG/Eddy (target ≥ 3) | Eddy/DuckDB (target ≤ 5) | same result |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ]);
} finally {
  await eddy.destroy();
  await pgServer.stop();
  rmSync(dir, { recursive: true, force: true });
}
