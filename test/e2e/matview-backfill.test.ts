// Backfill of a materialized view over existing rows: progress arrives as NOTICEs while CREATE
// runs, eddy_materialized_views shows it, and the view equals its query when CREATE returns.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startEddy, type EddyServer } from '../harness/server.js';

let eddy: EddyServer;
beforeAll(async () => { eddy = await startEddy(); });
afterAll(async () => { await eddy?.stop(); });

test('CREATE MATERIALIZED VIEW reports backfill progress while it runs', async () => {
  const c = await eddy.client();
  await c.query('CREATE TABLE bf (id int PRIMARY KEY, g int, v int)');
  await c.query('INSERT INTO bf SELECT i, i % 1000, i % 7 FROM generate_series(1, 400000) i');
  const notices: { message: string; at: number }[] = [];
  c.on('notice', (n) => notices.push({ message: n.message ?? '', at: Date.now() }));
  const sql = 'SELECT a.g, count(*) AS n, count(DISTINCT b.v) AS d FROM bf a JOIN bf b ON b.id = a.id GROUP BY a.g';
  await c.query(`CREATE MATERIALIZED VIEW bf_v AS ${sql}`);
  const done = Date.now();
  const progress = notices.filter((n) => n.message.startsWith('backfilling materialized view "bf_v"'));
  // a 400k-row join backfill takes seconds here: progress is reported during it, not only at the end
  expect(progress.length).toBeGreaterThan(0);
  expect(progress[0]!.at).toBeLessThan(done);
  expect(notices.at(-1)!.message).toMatch(/^materialized view "bf_v" backfilled from 400000 input rows in \d+ ms: 1000 rows$/);
  const p = (await c.query("SELECT state, rows, backfill_rows_done, backfill_rows_total FROM eddy_materialized_views WHERE matviewname = 'bf_v'")).rows[0];
  expect(p).toEqual({ state: 'running', rows: '1000', backfill_rows_done: '400000', backfill_rows_total: '400000' });
  const view = (await c.query({ text: 'SELECT * FROM bf_v', rowMode: 'array' })).rows.map((r: unknown[]) => JSON.stringify(r)).sort();
  const batch = (await c.query({ text: sql, rowMode: 'array' })).rows.map((r: unknown[]) => JSON.stringify(r)).sort();
  expect(view).toEqual(batch);
  await c.end();
}, 120_000);
