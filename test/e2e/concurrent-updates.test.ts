// Concurrent writers never lose updates, as in PostgreSQL's READ COMMITTED: an UPDATE of a row
// another open transaction changed waits for that transaction, then applies to its result; two
// transactions waiting for each other's rows get 40P01.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type pg from 'pg';
import { startTarget, type Target } from './target.js';

let eddy: Target;
const clients: pg.Client[] = [];
beforeAll(async () => {
  eddy = await startTarget();
  for (let i = 0; i < 4; i++) clients.push(await eddy.client());
  await clients[0]!.query('DROP TABLE IF EXISTS counter');
  await clients[0]!.query('CREATE TABLE counter (id int PRIMARY KEY, v int NOT NULL)');
  await clients[0]!.query('INSERT INTO counter VALUES (1, 0), (2, 0)');
});
afterAll(async () => {
  for (const c of clients) await c.end().catch(() => undefined);
  await eddy?.stop();
});

test('autocommit increments from 4 sessions all count', async () => {
  await Promise.all(clients.map(async (c) => {
    for (let i = 0; i < 150; i++) await c.query('UPDATE counter SET v = v + 1 WHERE id = 1');
  }));
  const r = await clients[0]!.query('SELECT v FROM counter WHERE id = 1');
  expect(r.rows[0].v).toBe(600);
});

test('an UPDATE waits for the transaction holding the row, then applies to its result', async () => {
  const [a, b] = clients as [pg.Client, pg.Client];
  await a.query('BEGIN');
  await b.query('BEGIN');
  await a.query('UPDATE counter SET v = v + 10 WHERE id = 2');
  let bDone = false;
  const bUpdate = b.query('UPDATE counter SET v = v + 100 WHERE id = 2').then((r) => { bDone = true; return r; });
  await new Promise((r) => setTimeout(r, 300));
  expect(bDone).toBe(false); // blocked behind a
  await a.query('COMMIT');
  expect((await bUpdate).rowCount).toBe(1);
  await b.query('COMMIT');
  const r = await a.query('SELECT v FROM counter WHERE id = 2');
  expect(r.rows[0].v).toBe(110);
});

test('two transactions waiting for each other: one gets 40P01, the other goes on', async () => {
  const [a, b] = clients as [pg.Client, pg.Client];
  await a.query('BEGIN');
  await b.query('BEGIN');
  await a.query('UPDATE counter SET v = v + 1 WHERE id = 1');
  await b.query('UPDATE counter SET v = v + 1 WHERE id = 2');
  const aWaits = a.query('UPDATE counter SET v = v + 1 WHERE id = 2');
  aWaits.catch(() => undefined);
  await new Promise((r) => setTimeout(r, 200));
  const bWaits = b.query('UPDATE counter SET v = v + 1 WHERE id = 1');
  bWaits.catch(() => undefined);
  const results = await Promise.allSettled([aWaits, bWaits]);
  const failed = results.filter((x) => x.status === 'rejected') as PromiseRejectedResult[];
  expect(failed).toHaveLength(1);
  expect((failed[0]!.reason as { code: string }).code).toBe('40P01');
  await a.query('ROLLBACK');
  await b.query('ROLLBACK');
});
