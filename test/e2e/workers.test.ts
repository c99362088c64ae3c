// Several server processes on one port and one data directory (--workers 2): every connection
// sees the same catalog and data, sequences never repeat, CancelRequests reach the session
// wherever it lives, and everything survives a restart.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type pg from 'pg';
import { startEddy, type EddyServer } from '../harness/server.js';
import { sendCancel } from '../slt/runner.js';

let eddy: EddyServer;
const clients: pg.Client[] = [];

beforeAll(async () => {
  eddy = await startEddy({ args: ['--workers', '2'] });
  for (let i = 0; i < 6; i++) clients.push(await eddy.client());
});
afterAll(async () => {
  for (const c of clients) await c.end().catch(() => undefined);
  await eddy?.stop();
});

test('DDL and data are visible from every connection, on any worker', async () => {
  await clients[0]!.query('CREATE TABLE wk (id serial PRIMARY KEY, who int, note text)');
  for (const [i, c] of clients.entries()) {
    await c.query('INSERT INTO wk (who) VALUES ($1)', [i]);
    expect((await c.query('SELECT count(*)::int AS n FROM wk')).rows[0].n).toBeGreaterThanOrEqual(i + 1);
  }
  await clients[1]!.query('ALTER TABLE wk ADD COLUMN extra int DEFAULT 5');
  for (const c of clients) {
    const r = await c.query('SELECT count(*)::int AS n, min(extra) AS e FROM wk');
    expect(r.rows[0]).toEqual({ n: 6, e: 5 });
  }
});

test('materialized views: created and read from any worker, reads see every earlier commit', async () => {
  // one process maintains views; the others wait for the positions it persists
  await clients[3]!.query('CREATE TABLE wk_src (id int PRIMARY KEY, g int)');
  await clients[4]!.query('INSERT INTO wk_src SELECT i, i % 3 FROM generate_series(1, 30) i');
  await clients[5]!.query('CREATE MATERIALIZED VIEW wk_mv AS SELECT g, count(*) AS n FROM wk_src GROUP BY g');
  for (const [i, c] of clients.entries()) {
    await c.query('INSERT INTO wk_src VALUES ($1, 0)', [100 + i]);
    // the read waits until the view reflects this commit, whichever process made it
    const r = await c.query('SELECT n FROM wk_mv WHERE g = 0');
    expect(r.rows[0].n).toBe(String(10 + i + 1));
  }
});

test('serial values are unique under concurrent inserts from all workers', async () => {
  await Promise.all(clients.map(async (c, i) => {
    for (let k = 0; k < 40; k++) await c.query('INSERT INTO wk (who, note) VALUES ($1, $2)', [i, `k${k}`]);
  }));
  const r = await clients[2]!.query('SELECT count(*)::int AS n, count(DISTINCT id)::int AS d FROM wk');
  expect(r.rows[0]).toEqual({ n: 6 + 240, d: 6 + 240 });
});

test('unflushed changes made on one worker are read by the others: rows, column scans, point lookups', async () => {
  // each worker keeps its own copy of a table's delta (changes since the last flush), caught up
  // from the binlog; small memtable_rows make flushes happen in between
  const tables = { wd_r: 'row', wd_rc: 'row,column', wd_c: 'column' } as const;
  for (const [t, o] of Object.entries(tables)) await clients[0]!.query(`CREATE TABLE ${t} (id int PRIMARY KEY, v int NOT NULL) WITH (orientation = '${o}', memtable_rows = 300)`);
  const model = new Map<number, number>();
  let seed = 11;
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  for (let round = 0; round < 12; round++) {
    const c = clients[round % clients.length]!;
    const rows: [number, number][] = [];
    for (let i = 0; i < 120; i++) { const id = rnd(400); if (!rows.some((r) => r[0] === id)) rows.push([id, rnd(1000)]); }
    const dels = Array.from({ length: 20 }, () => rnd(400)).filter((id) => !rows.some((r) => r[0] === id));
    for (const t of Object.keys(tables)) {
      await c.query('BEGIN');
      await c.query(`INSERT INTO ${t} VALUES ${rows.map(([id, v]) => `(${id}, ${v})`).join(', ')} ON CONFLICT (id) DO UPDATE SET v = excluded.v`);
      await c.query(`DELETE FROM ${t} WHERE id = ANY($1::int[])`, [dels]);
      await c.query('COMMIT');
    }
    for (const [id, v] of rows) model.set(id, v);
    for (const id of dels) model.delete(id);
    const want = { n: model.size, s: [...model.values()].reduce((a, b) => a + b, 0) };
    const probe = rnd(400);
    for (const r of clients) {
      for (const t of Object.keys(tables)) {
        const agg = (await r.query(`SELECT count(*)::int AS n, coalesce(sum(v), 0)::int AS s FROM ${t}`)).rows[0];
        expect(agg, `round ${round} ${t}`).toEqual(want);
        const got = (await r.query(`SELECT v FROM ${t} WHERE id = $1`, [probe])).rows;
        expect(got, `round ${round} ${t} id ${probe}`).toEqual(model.has(probe) ? [{ v: model.get(probe) }] : []);
      }
    }
  }
});

test('no update is lost between workers: a row changed by another process since it was read is re-checked at commit', async () => {
  // row locks are per process; across processes the commit re-checks the version it computed
  // from (40001, which a single autocommit statement retries by itself)
  await clients[0]!.query('CREATE TABLE wc (id int PRIMARY KEY, v int NOT NULL)');
  await clients[0]!.query('INSERT INTO wc VALUES (1, 0)');
  await Promise.all(clients.map(async (c) => {
    for (let i = 0; i < 60; i++) await c.query('UPDATE wc SET v = v + 1 WHERE id = 1');
  }));
  expect((await clients[1]!.query('SELECT v FROM wc WHERE id = 1')).rows[0].v).toBe(clients.length * 60);
});

test('a key inserted by two workers at once: one insert wins, the other fails with 23505', async () => {
  // the commit looks for the key again when something was logged to the table since it was found absent
  await clients[0]!.query('CREATE TABLE wu (id int PRIMARY KEY, who int)');
  let won = 0;
  await Promise.all(clients.map(async (c, who) => {
    for (let id = 0; id < 40; id++) {
      try {
        await c.query('INSERT INTO wu VALUES ($1, $2)', [id, who]);
        won++;
      } catch (err) {
        expect((err as { code?: string }).code).toBe('23505');
      }
    }
  }));
  expect(won).toBe(40);
  expect((await clients[2]!.query('SELECT count(*)::int AS n FROM wu')).rows[0].n).toBe(40);
});

test('a CancelRequest reaches a session on another worker', async () => {
  for (let round = 0; round < 4; round++) {
    const victim = await eddy.client();
    victim.on('error', () => undefined);
    const keyed = victim as unknown as { processID: number; secretKey: number };
    const running = victim.query('SELECT count(*) FROM generate_series(1, 200000000)');
    running.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
    await sendCancel('127.0.0.1', eddy.port, keyed.processID, keyed.secretKey);
    await expect(running).rejects.toMatchObject({ code: '57014' });
    await victim.end();
  }
});

test('the data survives a restart of all workers', async () => {
  for (const c of clients) await c.end();
  clients.length = 0;
  await eddy.restart();
  const c = await eddy.client();
  clients.push(c);
  const r = await c.query('SELECT count(*)::int AS n, count(DISTINCT id)::int AS d FROM wk');
  expect(r.rows[0]).toEqual({ n: 246, d: 246 });
  const next = await c.query("INSERT INTO wk (who) VALUES (99) RETURNING id");
  expect((await c.query('SELECT count(*)::int AS n FROM wk WHERE id = $1', [next.rows[0].id])).rows[0].n).toBe(1);
});
