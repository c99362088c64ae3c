// Differential test of incremental view maintenance: the corpus of views is created on Eddy,
// random transactions change their input tables, and after every commit (and FLUSH) each view
// holds exactly what its query returns when run as a batch SELECT on Eddy, and what the same
// query returns on PostgreSQL after the same statements. Operator state is kept to a handful of
// rows in memory per view, so every round reads evicted state back from storage; after
// kill -9 every view resumes from its stored state and the input since its last checkpoint.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Client } from 'pg';
import { startEddy, type EddyServer } from '../harness/server.js';
import { startPostgres, type PostgresServer } from '../harness/postgres.js';
import { mulberry32 } from '../harness/prng.js';
import pg from 'pg';
import { TABLES, VIEWS, oracleSql, randomChange, rowsOf } from './matview-corpus.js';

let eddy: EddyServer;
let pgServer: PostgresServer;
let e: Client;
let p: Client;

beforeAll(async () => {
  [eddy, pgServer] = await Promise.all([startEddy({ env: { EDDY_STATE_CACHE_ROWS: '3' } }), startPostgres()]);
  e = await eddy.client();
  p = new pg.Client({ connectionString: pgServer.url });
  await p.connect();
  for (const sql of TABLES) { await e.query(sql); await p.query(sql); }
  // some data exists before the views: they start from a backfill
  const rnd = mulberry32(7);
  const nextId = { v: 1 };
  for (let i = 0; i < 40; i++) { const sql = randomChange(rnd, nextId); await e.query(sql); await p.query(sql); }
  for (const view of VIEWS) await e.query(`CREATE MATERIALIZED VIEW ${view.name} AS ${view.sql}`);
}, 120_000);

afterAll(async () => {
  await e?.end();
  await p?.end();
  await Promise.all([eddy?.stop(), pgServer?.stop()]);
});

async function checkAll(step: number, log: readonly string[]): Promise<void> {
  await e.query('FLUSH');
  for (const view of VIEWS) {
    const got = await rowsOf(e, `SELECT * FROM ${view.name}`);
    const batch = await rowsOf(e, oracleSql(view));
    expect(got, `${view.name} vs batch SELECT after step ${step}; statements:\n${log.slice(-12).join('\n')}`).toEqual(batch);
    const gotLoose = await rowsOf(e, `SELECT * FROM ${view.name}`, true);
    const postgres = await rowsOf(p, oracleSql(view, true), true);
    expect(gotLoose, `${view.name} vs PostgreSQL after step ${step}; statements:\n${log.slice(-12).join('\n')}`).toEqual(postgres);
  }
}

test(`${VIEWS.length} views equal their queries after every random transaction`, async () => {
  const rnd = mulberry32(42);
  const nextId = { v: 60 };
  const log: string[] = [];
  await checkAll(0, log);
  for (let step = 1; step <= 40; step++) {
    const n = 1 + Math.floor(rnd() * 4);
    const stmts = Array.from({ length: n }, () => randomChange(rnd, nextId));
    log.push(`-- step ${step}`, ...stmts);
    for (const c of [e, p]) {
      await c.query('BEGIN');
      for (const sql of stmts) await c.query(sql);
      await c.query('COMMIT');
    }
    await checkAll(step, log);
  }
}, 300_000);

test('views resume from their stored state after kill -9 and keep up after it', async () => {
  // state is written at checkpoints (each second): the last changes are replayed into it
  await eddy.kill();
  await eddy.restart();
  await e.end().catch(() => undefined);
  e = await eddy.client();
  await checkAll(0, []);
  const started = (await e.query('SELECT started, count(*)::int AS n FROM eddy_materialized_views GROUP BY started')).rows;
  expect(started).toEqual([{ started: 'resumed', n: VIEWS.length }]);
  const rnd = mulberry32(99);
  const nextId = { v: 500 };
  const log: string[] = [];
  for (let step = 1; step <= 5; step++) {
    const sql = randomChange(rnd, nextId);
    log.push(sql);
    await e.query(sql);
    await p.query(sql);
    await checkAll(step, log);
  }
}, 120_000);
