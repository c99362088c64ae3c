// Write path side by side with PostgreSQL: COPY of a wide keyed table, then random upserts in
// batches over the wire (INSERT ... ON CONFLICT DO UPDATE). Writes rows/s and the Eddy/PG ratio
// to docs/benchmarks.md. The storage issue targets: upserts Eddy >= 2x PG, COPY Eddy >= PG.
// Usage: npm run bench:upsert [-- --rows 5000000 --upserts 1000000 --batch 1000]
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEddy } from '../test/harness/server.js';
import { startPostgres } from '../test/harness/postgres.js';
import { machineLine, publishSection } from './report.js';
import { mulberry32 } from '../test/harness/prng.js';

const run = promisify(execFile);
const { values } = parseArgs({ options: { rows: { type: 'string' }, upserts: { type: 'string' }, batch: { type: 'string' } } });
const rowCount = Number(values.rows ?? 5_000_000);
const upsertCount = Number(values.upserts ?? 1_000_000);
const batch = Number(values.batch ?? 1000);

const DDL = 'CREATE TABLE bench_upsert (id int PRIMARY KEY, a int, b bigint, c double precision, d text, e boolean, f int)';


async function writeCsv(file: string): Promise<void> {
  const out = createWriteStream(file);
  const rnd = mulberry32(1);
  let chunk = '';
  for (let id = 1; id <= rowCount; id++) {
    chunk += `${id},${(rnd() * 1e6) | 0},${id * 7},${(rnd() * 1000).toFixed(3)},name-${id % 997},${id % 2 === 0 ? 't' : 'f'},${id % 100}\n`;
    if (chunk.length > 1 << 20) { if (!out.write(chunk)) await once(out, 'drain'); chunk = ''; }
  }
  out.end(chunk);
  await once(out, 'finish');
}

/** COPY through psql's \copy (client-side file, streamed over the wire); returns seconds. */
async function copy(port: number, file: string): Promise<number> {
  const psql = ['-h', '127.0.0.1', '-p', String(port), '-U', 'eddy', '-d', 'eddy', '-v', 'ON_ERROR_STOP=1', '-q'];
  await run('psql', [...psql, '-c', 'DROP TABLE IF EXISTS bench_upsert']);
  await run('psql', [...psql, '-c', DDL]);
  const t = process.hrtime.bigint();
  await run('psql', [...psql, '-c', `\\copy bench_upsert FROM '${file}' WITH (FORMAT csv)`], { maxBuffer: 1 << 20 });
  return Number(process.hrtime.bigint() - t) / 1e9;
}

/** Random-key upserts, one multi-row INSERT ... ON CONFLICT per batch, each its own transaction. */
async function upserts(port: number): Promise<number> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'eddy', database: 'eddy', password: 'eddy' });
  await client.connect();
  const rnd = mulberry32(2);
  const tuples: string[] = [];
  for (let i = 0; i < batch; i++) {
    const p = i * 4;
    // partial-column upsert: a, c, d are replaced; b, e, f keep their values on conflict
    tuples.push(`($${p + 1}::int, $${p + 2}::int, 0, $${p + 3}::float8, $${p + 4}::text, false, 0)`);
  }
  const sql = `INSERT INTO bench_upsert VALUES ${tuples.join(',')} ON CONFLICT (id) DO UPDATE SET a = excluded.a, c = excluded.c, d = excluded.d`;
  const t = process.hrtime.bigint();
  for (let done = 0; done < upsertCount; done += batch) {
    const params: unknown[] = [];
    const seen = new Set<number>();
    for (let i = 0; i < batch; i++) {
      // PostgreSQL rejects a key twice in one statement; draw again on a repeat
      let id: number;
      do { id = 1 + Math.floor(rnd() * rowCount * 1.05); } while (seen.has(id));
      seen.add(id);
      params.push(id, (rnd() * 1e6) | 0, rnd() * 1000, `upd-${done + i}`);
    }
    await client.query({ name: 'upsert', text: sql, values: params });
  }
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  const n = await client.query('SELECT count(*)::int AS n FROM bench_upsert');
  console.log(`port ${port}: ${n.rows[0].n} rows after upserts`);
  await client.end();
  return seconds;
}

const dir = mkdtempSync(path.join(tmpdir(), 'eddy-bench-upsert-'));
const csv = path.join(dir, 'rows.csv');
await writeCsv(csv);
const eddy = await startEddy({ startTimeoutMs: 60_000 });
// PostgreSQL as installed (fsync on: a commit is on disk when acknowledged, as in Eddy) is the
// peer; the test harness's fsync=off server is measured too, for reference
const pgDurable = await startPostgres({ durable: true });
const pgNoSync = await startPostgres();
try {
  const copyEddy = await copy(eddy.port, csv);
  const copyPg = await copy(pgDurable.port, csv);
  const copyPgNoSync = await copy(pgNoSync.port, csv);
  console.log(`COPY ${rowCount}: Eddy ${copyEddy.toFixed(1)} s, PostgreSQL ${copyPg.toFixed(1)} s (fsync off: ${copyPgNoSync.toFixed(1)} s)`);
  const upEddy = await upserts(eddy.port);
  const upPg = await upserts(pgDurable.port);
  const upPgNoSync = await upserts(pgNoSync.port);
  console.log(`${upsertCount} upserts: Eddy ${upEddy.toFixed(1)} s, PostgreSQL ${upPg.toFixed(1)} s (fsync off: ${upPgNoSync.toFixed(1)} s)`);
  const rate = (n: number, s: number): string => (n / s).toFixed(0);
  publishSection('Write path', [
    `## Write path: COPY and upserts (${new Date().toISOString().slice(0, 10)})`,
    '',
    `${machineLine()} Table: id int primary key + 6 columns. PostgreSQL 15 with its default`,
    'durability (fsync on, shared_buffers 128MB) is the peer; the last columns are the same server',
    'with fsync off, as the test harness runs it (not durable: a crash can lose acknowledged commits).',
    '',
    '| benchmark | Eddy rows/s | PostgreSQL rows/s | ratio Eddy/PG | target | PG fsync off rows/s | ratio |',
    '|---|---|---|---|---|---|---|',
    `| COPY ${rowCount} rows (psql \\copy, CSV) | ${rate(rowCount, copyEddy)} | ${rate(rowCount, copyPg)} | ${(copyPg / copyEddy).toFixed(2)} | ≥ 1 | ${rate(rowCount, copyPgNoSync)} | ${(copyPgNoSync / copyEddy).toFixed(2)} |`,
    `| ${upsertCount} random upserts, batches of ${batch} (INSERT ... ON CONFLICT DO UPDATE, 3 of 6 columns) | ${rate(upsertCount, upEddy)} | ${rate(upsertCount, upPg)} | ${(upPg / upEddy).toFixed(2)} | ≥ 2 | ${rate(upsertCount, upPgNoSync)} | ${(upPgNoSync / upEddy).toFixed(2)} |`,
    '',
  ]);
} finally {
  await eddy.destroy();
  await pgDurable.stop();
  await pgNoSync.stop();
  rmSync(dir, { recursive: true, force: true });
}
