// Recovery after kill -9: the time from starting the server on a crashed data directory to the
// first answered point lookup, for a small and a large table and with a small and a large
// unflushed delta. The delta (changes since the last flush) is read back from the binlog when
// the table is first read, so the time should grow with the unflushed changes and not with the
// table. Usage: npm run bench:recovery [-- --rows 2000000]
import { parseArgs } from 'node:util';
import { startEddy, type EddyServer } from '../test/harness/server.js';
import { publishSection } from './report.js';
import { cpus, totalmem } from 'node:os';

const { values } = parseArgs({ options: { rows: { type: 'string' }, repeat: { type: 'string' } } });
const bigRows = Number(values.rows ?? 2_000_000);
const repeat = Number(values.repeat ?? 5);

interface Case { readonly name: string; readonly flushed: number; readonly unflushed: number }
const cases: Case[] = [
  { name: 'small table, nothing unflushed', flushed: 100_000, unflushed: 0 },
  { name: 'small table, 50k rows unflushed', flushed: 100_000, unflushed: 50_000 },
  { name: `${bigRows / 1e6}M-row table, nothing unflushed`, flushed: bigRows, unflushed: 0 },
  { name: `${bigRows / 1e6}M-row table, 500k rows unflushed`, flushed: bigRows, unflushed: 500_000 },
];

async function timedRecovery(eddy: EddyServer): Promise<number> {
  await eddy.kill();
  const t = process.hrtime.bigint();
  await eddy.restart();
  const c = await eddy.client();
  await c.query('SELECT v FROM rec WHERE id = 42');
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  await c.end();
  return ms;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const lines: string[] = [];
for (const k of cases) {
  const eddy = await startEddy({ startTimeoutMs: 120_000 });
  try {
    const c = await eddy.client();
    // memtable_rows above the unflushed count keeps those rows in the delta (no idle flush before the kill)
    await c.query(`CREATE TABLE rec (id int PRIMARY KEY, v int, s text) WITH (memtable_rows = 1000000)`);
    for (let i = 0; i < k.flushed; i += 500_000) {
      await c.query(`INSERT INTO rec SELECT g, g, 'row ' || g FROM generate_series($1::int + 1, $1::int + $2::int) g`, [i, Math.min(500_000, k.flushed - i)]);
    }
    await c.query('VACUUM rec');
    // in statements of under a segment's worth of rows: one big statement would be a bulk write,
    // straight into the stores, leaving nothing to replay
    for (let i = 0; i < k.unflushed; i += 50_000) await c.query(`UPDATE rec SET v = v + 1 WHERE id > $1 AND id <= $2`, [i, Math.min(k.unflushed, i + 50_000)]);
    const st = (await c.query(`SELECT segment_rows, memtable_rows FROM eddy_storage WHERE tablename = 'rec'`)).rows[0] as { segment_rows: string; memtable_rows: string };
    await c.end();
    const times: number[] = [];
    for (let r = 0; r < repeat; r++) times.push(await timedRecovery(eddy));
    const line = `| ${k.name} | ${st.segment_rows} | ${st.memtable_rows} | ${median(times).toFixed(0)} | ${times.map((x) => x.toFixed(0)).join(', ')} |`;
    console.log(line);
    lines.push(line);
  } finally {
    await eddy.destroy();
  }
}
publishSection('Recovery after kill -9', [
  `## Recovery after kill -9 (${new Date().toISOString().slice(0, 10)})`,
  '',
  `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}.`,
  'Time from starting the server on the killed data directory to the first answered point lookup',
  '(includes process start and loading the SQL parser). Changes since the last flush (the delta) are',
  'read back from the binlog when the table is first read: the time grows with them, not with the table.',
  '',
  '| case | rows in segments | unflushed rows | median ms | runs (ms) |',
  '|---|---|---|---|---|',
  ...lines,
  '',
]);
