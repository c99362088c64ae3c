// binlog_ttl: entries older than a table's TTL are trimmed in the background (and at start-up);
// the rows stay, and tables without the option keep the default of 7 days.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startEddy, type EddyServer } from '../harness/server.js';

let eddy: EddyServer;
beforeAll(async () => { eddy = await startEddy(); });
afterAll(async () => { await eddy?.stop(); });

test('old binlog entries are trimmed, rows are kept', async () => {
  const c = await eddy.client();
  await c.query("CREATE TABLE short_log (id int PRIMARY KEY) WITH (binlog_ttl = '1 second')");
  await c.query('CREATE TABLE long_log (id int PRIMARY KEY)');
  await c.query('INSERT INTO short_log VALUES (1), (2)');
  await c.query('INSERT INTO long_log VALUES (1)');
  await c.end();
  await new Promise((r) => setTimeout(r, 1500));
  await eddy.restart(); // trimming runs at start-up and every minute
  const d = await eddy.client();
  const n = async (sql: string): Promise<number> => Number((await d.query(sql)).rows[0].n);
  expect(await n("SELECT count(*) AS n FROM eddy_binlog('short_log')")).toBe(0);
  expect(await n('SELECT count(*) AS n FROM short_log')).toBe(2);
  expect(await n("SELECT count(*) AS n FROM eddy_binlog('long_log')")).toBe(1);
  await d.end();
});
