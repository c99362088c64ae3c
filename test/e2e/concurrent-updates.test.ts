// Concurrent writers never lose updates: autocommit UPDATEs of the same row from several sessions
// all count (a statement that lost a race is re-run on the newer data, like PostgreSQL's READ
// COMMITTED); in explicit transactions the later committer gets 40001 instead of overwriting.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type pg from 'pg';
import { startEddy, type EddyServer } from '../harness/server.js';

let eddy: EddyServer;
const clients: pg.Client[] = [];
beforeAll(async () => {
  eddy = await startEddy();
  for (let i = 0; i < 4; i++) clients.push(await eddy.client());
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

test('a transaction that updated a row another transaction changed first fails with 40001', async () => {
  const [a, b] = clients as [pg.Client, pg.Client];
  await a.query('BEGIN');
  await b.query('BEGIN');
  await a.query('UPDATE counter SET v = v + 10 WHERE id = 2');
  await b.query('UPDATE counter SET v = v + 100 WHERE id = 2');
  await a.query('COMMIT');
  await expect(b.query('COMMIT')).rejects.toMatchObject({ code: '40001' });
  const r = await a.query('SELECT v FROM counter WHERE id = 2');
  expect(r.rows[0].v).toBe(10);
});
