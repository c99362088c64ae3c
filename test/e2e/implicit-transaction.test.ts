// A simple Query with several statements runs as one implicit transaction, as in PostgreSQL:
// an error rolls back the statements before it; explicit BEGIN/COMMIT inside take over.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type pg from 'pg';
import { startTarget, type Target } from './target.js';

let target: Target;
let c: pg.Client;
beforeAll(async () => {
  target = await startTarget();
  c = await target.client();
  await c.query('DROP TABLE IF EXISTS imp');
  await c.query('CREATE TABLE imp (id int PRIMARY KEY)');
});
afterAll(async () => {
  await c?.end();
  await target?.stop();
});

const count = async (): Promise<number> => Number((await c.query('SELECT count(*) AS n FROM imp')).rows[0].n);

test('an error rolls back the earlier statements of the same Query', async () => {
  await expect(c.query('INSERT INTO imp VALUES (1); INSERT INTO imp VALUES (2); SELECT 1/0')).rejects.toMatchObject({ code: '22012' });
  expect(await count()).toBe(0);
});

test('all statements of a successful Query commit together', async () => {
  await c.query('INSERT INTO imp VALUES (1); INSERT INTO imp VALUES (2)');
  expect(await count()).toBe(2);
});

test('COMMIT inside the Query keeps what came before it', async () => {
  await expect(c.query('INSERT INTO imp VALUES (3); COMMIT; INSERT INTO imp VALUES (4); SELECT 1/0')).rejects.toMatchObject({ code: '22012' });
  expect(await count()).toBe(3);
});

test('BEGIN inside the Query leaves an explicit transaction open', async () => {
  await c.query('BEGIN; INSERT INTO imp VALUES (5)');
  await c.query('ROLLBACK');
  expect(await count()).toBe(3);
});

test('DDL is part of the implicit transaction too', async () => {
  await expect(c.query('CREATE TABLE imp2 (a int); INSERT INTO imp2 VALUES (1); SELECT 1/0')).rejects.toMatchObject({ code: '22012' });
  await expect(c.query('SELECT * FROM imp2')).rejects.toMatchObject({ code: '42P01' });
});
