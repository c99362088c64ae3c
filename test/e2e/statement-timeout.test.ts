// statement_timeout cancels a long statement with 57014, per session, and the session goes on.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type pg from 'pg';
import { startTarget, type Target } from './target.js';

let target: Target;
let c: pg.Client;
beforeAll(async () => {
  target = await startTarget();
  c = await target.client();
});
afterAll(async () => {
  await c?.end();
  await target?.stop();
});

test('a statement running longer than statement_timeout is canceled', async () => {
  await c.query("SET statement_timeout = '1s'");
  const started = Date.now();
  await expect(c.query('SELECT count(*) FROM generate_series(1, 500000000)'))
    .rejects.toMatchObject({ code: '57014', message: 'canceling statement due to statement timeout' });
  expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  expect(Date.now() - started).toBeLessThan(10_000);
  expect((await c.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  await c.query('RESET statement_timeout');
  expect((await c.query('SHOW statement_timeout')).rows[0].statement_timeout).toBe('0');
});
