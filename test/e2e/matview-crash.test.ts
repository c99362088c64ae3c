// kill -9 while sources ingest and views are maintained: after each restart, once ingestion has
// finished, every view equals its query run as a batch SELECT over the same (deterministic)
// data, i.e. what an uninterrupted run computes; the view over a source saw each event once.
// Views resume from the operator state committed with them, never rebuilt from their inputs.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Client } from 'pg';
import { startEddy, type EddyServer } from '../harness/server.js';

const N = 40_000;
const VIEWS: [string, string][] = [
  ['crash_by_grp', 'SELECT grp, count(*) AS n, sum(v) AS s, min(v) AS lo, max(v) AS hi FROM crash_t GROUP BY grp'],
  ['crash_join', 'SELECT a.grp, count(*) AS n FROM crash_t a JOIN crash_dim d ON d.id = a.grp WHERE d.on_list GROUP BY a.grp'],
  ['crash_top', 'SELECT id, v FROM crash_t ORDER BY v DESC, id LIMIT 10'],
  ['crash_src', 'SELECT count(*) AS n, count(DISTINCT id) AS d, sum(id) AS s FROM crash_events'],
];

let eddy: EddyServer;
beforeAll(async () => {
  eddy = await startEddy();
  const c = await eddy.client();
  await c.query(`CREATE TABLE crash_t (id int PRIMARY KEY, grp int, v int) WITH (connector = 'datagen',
    fields.id.kind = 'sequence', fields.id.end = '${N}', fields.grp.min = '1', fields.grp.max = '20', fields.v.min = '0', fields.v.max = '100000',
    datagen.rows.per.second = '8000')`);
  await c.query(`CREATE SOURCE crash_events (id int) WITH (connector = 'datagen', fields.id.kind = 'sequence', fields.id.end = '${N}', datagen.rows.per.second = '8000')`);
  await c.query('CREATE TABLE crash_dim (id int PRIMARY KEY, on_list boolean)');
  await c.query('INSERT INTO crash_dim SELECT g, g % 3 <> 0 FROM generate_series(1, 20) g');
  for (const [name, sql] of VIEWS) await c.query(`CREATE MATERIALIZED VIEW ${name} AS ${sql}`);
  await c.end();
}, 60_000);
afterAll(async () => { await eddy?.stop(); });

async function rows(c: Client, sql: string): Promise<string[]> {
  return (await c.query({ text: sql, rowMode: 'array' })).rows.map((r: unknown[]) => JSON.stringify(r)).sort();
}

test('views are correct after kill -9 during ingestion and maintenance', async () => {
  for (let k = 0; k < 5; k++) {
    await new Promise((r) => setTimeout(r, 300 + Math.floor(Math.random() * 700)));
    await eddy.kill();
    await eddy.restart();
    // a change to a dimension table between crashes
    const c = await eddy.client();
    await c.query('UPDATE crash_dim SET on_list = NOT on_list WHERE id = $1', [1 + k]);
    await c.end();
  }
  const c = await eddy.client();
  const deadline = Date.now() + 120_000;
  while (Number((await c.query('SELECT count(*) AS n FROM crash_t')).rows[0].n) < N) {
    expect(Date.now() < deadline, 'ingestion did not finish').toBe(true);
    await new Promise((r) => setTimeout(r, 100));
  }
  let srcDone = false;
  while (!srcDone) {
    expect(Date.now() < deadline, 'the source did not finish').toBe(true);
    srcDone = (await c.query('SELECT n FROM crash_src')).rows[0].n === String(N);
    if (!srcDone) await new Promise((r) => setTimeout(r, 100));
  }
  for (const [name, sql] of VIEWS.slice(0, 3)) expect(await rows(c, `SELECT * FROM ${name}`), name).toEqual(await rows(c, sql));
  expect((await c.query('SELECT n, d, s FROM crash_src')).rows[0]).toEqual({ n: String(N), d: String(N), s: String((N * (N + 1)) / 2) });
  // each restart continued from the state stored with the views, none recomputed them
  expect((await c.query('SELECT DISTINCT started FROM eddy_materialized_views')).rows).toEqual([{ started: 'resumed' }]);
  await c.end();
}, 240_000);
