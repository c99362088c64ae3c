// Nexmark q0-q22 as materialized views over the nexmark connector: the views are created while
// the events arrive, and once every event is in, each view equals its query run as a batch
// SELECT over the same events (stored here in tables, so the batch engine can read them).
// Views keep at most 2000 rows of operator state in memory: joins and windows read the rest from storage.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Client } from 'pg';
import { startEddy, type EddyServer } from '../harness/server.js';
import { NEXMARK_COLUMNS, NEXMARK_QUERIES } from './nexmark-queries.js';

const EVENTS = 20_000;
let eddy: EddyServer;
let c: Client;

beforeAll(async () => {
  eddy = await startEddy({ env: { EDDY_STATE_CACHE_ROWS: '2000' } });
  c = await eddy.client();
  for (const [name, cols] of Object.entries(NEXMARK_COLUMNS)) {
    const type = name[0]!.toUpperCase() + name.slice(1);
    // 20k events/s: the views are maintained while the events arrive, not only backfilled
    await c.query(`CREATE TABLE ${name} (${cols}) WITH (connector = 'nexmark', nexmark.table.type = '${type}',
      nexmark.event.num = '${EVENTS}', nexmark.min.event.gap.in.ns = '50000')`);
  }
  for (const query of NEXMARK_QUERIES) if (query.sql) await c.query(`CREATE MATERIALIZED VIEW nexmark_${query.name} AS ${query.sql}`);
}, 120_000);

afterAll(async () => { await c?.end(); await eddy?.stop(); });

async function rows(sql: string): Promise<string[]> {
  return (await c.query({ text: sql, rowMode: 'array' })).rows.map((r: unknown[]) => JSON.stringify(r, (_k, v: unknown) => (v instanceof Date ? v.toISOString() : v))).sort();
}

test('every Nexmark query view equals its batch evaluation over the same events', async () => {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const done = (await c.query("SELECT min(ingested_offset) AS o FROM eddy_sources WHERE connector = 'nexmark'")).rows[0].o;
    if (Number(done) >= EVENTS) break;
    expect(Date.now() < deadline, 'ingestion did not finish').toBe(true);
    await new Promise((r) => setTimeout(r, 100));
  }
  const counts = (await c.query('SELECT (SELECT count(*) FROM person) AS p, (SELECT count(*) FROM auction) AS a, (SELECT count(*) FROM bid) AS b')).rows[0];
  expect(counts).toEqual({ p: String(EVENTS / 50), a: String((EVENTS / 50) * 3), b: String((EVENTS / 50) * 46) });
  let nonEmpty = 0;
  for (const query of NEXMARK_QUERIES) {
    if (!query.sql) continue;
    const view = await rows(`SELECT * FROM nexmark_${query.name}`);
    const batch = await rows(query.sql);
    expect(view.length, query.name).toBe(batch.length);
    expect(view, query.name).toEqual(batch);
    if (view.length > 0) nonEmpty++;
  }
  // the queries select something from these events (q2 and q8 may legitimately be small)
  expect(nonEmpty).toBeGreaterThanOrEqual(18);
}, 300_000);
