// SUBSCRIBE (Materialize's syntax) through the wire protocol: a cursor read with FETCH by node-pg
// while other sessions write (the stream, replayed, equals the final view), a query's own
// dataflow (join + aggregate over tables), SNAPSHOT / PROGRESS / AS OF, COPY (SUBSCRIBE ...) TO
// STDOUT in psql ended by a cancel, subscriptions freed on CLOSE, ROLLBACK and disconnect, a
// subscriber that does not read while a writer goes on, and the errors of bad statements.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Client } from 'pg';
import { startEddy, type EddyServer } from '../harness/server.js';
import { mulberry32 } from '../harness/prng.js';
import { requireOnPath } from './target.js';

let eddy: EddyServer;
let admin: Client;

beforeAll(async () => {
  eddy = await startEddy();
  admin = await eddy.client();
  await admin.query('CREATE TABLE acct (id int PRIMARY KEY, grp int, bal int)');
  await admin.query('CREATE TABLE grp (id int PRIMARY KEY, name text)');
  await admin.query("INSERT INTO grp VALUES (0, 'zero'), (1, 'one'), (2, 'two'), (3, 'three')");
  await admin.query('INSERT INTO acct SELECT g, g % 4, g * 10 FROM generate_series(1, 40) g');
  await admin.query('CREATE MATERIALIZED VIEW totals AS SELECT grp, sum(bal) AS total, count(*) AS n FROM acct GROUP BY grp');
});

afterAll(async () => { await admin?.end(); await eddy?.stop(); });

type Bag = Map<string, number>;

/** applies stream rows (eddy_timestamp, [eddy_progressed,] eddy_diff, columns...) to a multiset of column tuples */
function apply(bag: Bag, rows: unknown[][], progress: boolean): void {
  for (const r of rows) {
    if (progress && r[1] === true) continue;
    const diff = Number(r[progress ? 2 : 1]);
    const key = JSON.stringify(r.slice(progress ? 3 : 2));
    const n = (bag.get(key) ?? 0) + diff;
    if (n === 0) bag.delete(key); else bag.set(key, n);
  }
}

function bagOf(rows: unknown[][]): Bag {
  const bag: Bag = new Map();
  for (const r of rows) { const k = JSON.stringify(r); bag.set(k, (bag.get(k) ?? 0) + 1); }
  return bag;
}

const sorted = (b: Bag): [string, number][] => [...b].sort((x, y) => (x[0] < y[0] ? -1 : 1));

/** random inserts, updates and deletes on acct, `n` transactions */
async function writeRandomly(c: Client, n: number, seed: number): Promise<void> {
  const rnd = mulberry32(seed);
  for (let i = 0; i < n; i++) {
    await c.query('BEGIN');
    for (let k = 0; k < 3; k++) {
      const id = 1 + Math.floor(rnd() * 60);
      const op = rnd();
      if (op < 0.4) await c.query('INSERT INTO acct VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET bal = excluded.bal', [id, Math.floor(rnd() * 4), Math.floor(rnd() * 1000)]);
      else if (op < 0.7) await c.query('UPDATE acct SET bal = bal + $2, grp = $3 WHERE id = $1', [id, Math.floor(rnd() * 50) - 25, Math.floor(rnd() * 4)]);
      else await c.query('DELETE FROM acct WHERE id = $1', [id]);
    }
    await c.query('COMMIT');
  }
}

/** FETCHes until the replayed stream equals `want()` (checked once the writers are done) */
async function follow(sub: Client, cursor: string, bag: Bag, progress: boolean, want: () => Promise<Bag>, writing: Promise<void>): Promise<{ timestamps: bigint[]; progressRows: number }> {
  const timestamps: bigint[] = [];
  let progressRows = 0;
  let done = false;
  void writing.then(() => { done = true; });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const r = await sub.query({ text: `FETCH 500 ${cursor} WITH (timeout = '100ms')`, rowMode: 'array' });
    for (const row of r.rows as unknown[][]) {
      timestamps.push(BigInt(row[0] as string));
      if (progress && row[1] === true) progressRows++;
    }
    apply(bag, r.rows, progress);
    if (done && r.rows.length === 0) {
      const w = await want();
      if (JSON.stringify(sorted(bag)) === JSON.stringify(sorted(w))) return { timestamps, progressRows };
    }
    expect(Date.now() < deadline, 'the stream did not converge to the view').toBe(true);
  }
}

test('a cursor over SUBSCRIBE to a view streams every change in commit order; replayed it equals the view', async () => {
  const sub = await eddy.client();
  const w1 = await eddy.client();
  const w2 = await eddy.client();
  await sub.query('BEGIN');
  await sub.query('DECLARE c CURSOR FOR SUBSCRIBE totals WITH (PROGRESS)');
  const first = await sub.query({ text: 'FETCH ALL c', rowMode: 'array' });
  expect(first.fields.map((f) => f.name)).toEqual(['eddy_timestamp', 'eddy_progressed', 'eddy_diff', 'grp', 'total', 'n']);
  const bag: Bag = new Map();
  apply(bag, first.rows, true);
  // the snapshot is the view as it is
  expect(sorted(bag)).toEqual(sorted(bagOf((await admin.query({ text: 'SELECT * FROM totals', rowMode: 'array' })).rows)));
  const writing = Promise.all([writeRandomly(w1, 40, 1), writeRandomly(w2, 40, 2)]).then(() => admin.query('FLUSH')).then(() => undefined);
  const { timestamps, progressRows } = await follow(sub, 'c', bag, true,
    async () => bagOf((await admin.query({ text: 'SELECT * FROM totals', rowMode: 'array' })).rows), writing);
  for (let i = 1; i < timestamps.length; i++) expect(timestamps[i]! >= timestamps[i - 1]!).toBe(true);
  expect(progressRows).toBeGreaterThan(1);
  const listed = (await admin.query("SELECT cursor_name, query FROM eddy_subscriptions")).rows;
  expect(listed).toEqual([{ cursor_name: 'c', query: 'SELECT * FROM totals' }]);
  await sub.query('COMMIT');
  // the transaction's end closed the cursor and its subscription
  expect((await admin.query('SELECT count(*)::int AS n FROM eddy_subscriptions')).rows[0].n).toBe(0);
  await Promise.all([sub.end(), w1.end(), w2.end()]);
}, 120_000);

test('SUBSCRIBE to a query runs its own dataflow (join + aggregate over tables); SNAPSHOT = false starts with the next change', async () => {
  const sub = await eddy.client();
  const w = await eddy.client();
  const query = 'SELECT g.name, count(*) AS n, sum(a.bal) AS s FROM acct a JOIN grp g ON g.id = a.grp WHERE a.bal > 100 GROUP BY g.name';
  await sub.query('BEGIN');
  await sub.query(`DECLARE s CURSOR FOR SUBSCRIBE (${query})`);
  const bag: Bag = new Map();
  apply(bag, (await sub.query({ text: 'FETCH ALL s', rowMode: 'array' })).rows, false);
  expect(sorted(bag)).toEqual(sorted(bagOf((await admin.query({ text: query, rowMode: 'array' })).rows)));
  await sub.query('DECLARE quiet CURSOR FOR SUBSCRIBE acct WITH (SNAPSHOT = false)');
  expect((await sub.query("FETCH ALL quiet WITH (timeout = '200ms')")).rows).toEqual([]);
  const writing = writeRandomly(w, 30, 3);
  await follow(sub, 's', bag, false, async () => bagOf((await admin.query({ text: query, rowMode: 'array' })).rows), writing);
  // the quiet cursor saw the changes only: replayed onto the table as it was, they give the table
  const changes = (await sub.query({ text: 'FETCH ALL quiet', rowMode: 'array' })).rows as unknown[][];
  expect(changes.length).toBeGreaterThan(0);
  await sub.query('ROLLBACK');
  expect((await admin.query('SELECT count(*)::int AS n FROM eddy_subscriptions')).rows[0].n).toBe(0);
  await Promise.all([sub.end(), w.end()]);
}, 120_000);

test('AS OF replays history from a past commit time; a subscriber that does not read holds nothing back', async () => {
  const c = await eddy.client();
  await c.query('CREATE TABLE hist (id int PRIMARY KEY, v int)');
  await c.query('INSERT INTO hist VALUES (1, 1), (2, 2)');
  const t = BigInt((await c.query("SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::int8 AS t")).rows[0].t);
  await new Promise((r) => setTimeout(r, 5));
  await c.query('UPDATE hist SET v = 20 WHERE id = 2');
  await c.query('INSERT INTO hist VALUES (3, 3)');
  const sub = await eddy.client();
  await sub.query('BEGIN');
  await sub.query(`DECLARE h CURSOR FOR SUBSCRIBE hist AS OF ${t}`);
  const rows = (await sub.query({ text: "FETCH ALL h WITH (timeout = '500ms')", rowMode: 'array' })).rows as unknown[][];
  // the contents at t, then the two later commits
  const atT = rows.filter((r) => BigInt(r[0] as string) === t).map((r) => r.slice(1));
  expect(atT.sort()).toEqual([['1', 1, 1], ['1', 2, 2]]);
  const later = rows.filter((r) => BigInt(r[0] as string) > t).map((r) => r.slice(1));
  expect(later).toEqual(expect.arrayContaining([['-1', 2, 2], ['1', 2, 20], ['1', 3, 3]]));
  expect(later.length).toBe(3);
  // a subscriber that does not FETCH: the writer is not held back, and nothing is lost
  await sub.query('DECLARE lazy CURSOR FOR SUBSCRIBE hist WITH (SNAPSHOT = false)');
  await sub.query("FETCH ALL lazy WITH (timeout = '0s')");
  const started = Date.now();
  for (let i = 0; i < 20; i++) await c.query(`INSERT INTO hist SELECT g, g FROM generate_series(${100 + i * 500}, ${99 + (i + 1) * 500}) g`);
  expect(Date.now() - started).toBeLessThan(30_000);
  let got = 0;
  for (;;) {
    const r = await sub.query("FETCH 3000 lazy WITH (timeout = '200ms')");
    if (r.rows.length === 0) break;
    got += r.rows.length;
  }
  expect(got).toBe(10_000);
  await sub.query('COMMIT');
  await Promise.all([sub.end(), c.end()]);
}, 120_000);

test('COPY (SUBSCRIBE ...) TO STDOUT streams to psql until it cancels; a disconnect frees a subscription', async () => {
  const psqlBin = requireOnPath('psql', 'apt-get install postgresql-client');
  await admin.query('CREATE TABLE feed (id int PRIMARY KEY, bal int)');
  await admin.query('INSERT INTO feed SELECT g, g FROM generate_series(1, 10) g');
  const p = spawn(psqlBin, ['-h', '127.0.0.1', '-p', String(eddy.port), '-U', 'eddy', '-d', 'eddy', '-X', '-c', 'COPY (SUBSCRIBE (SELECT id, bal FROM feed WHERE id <= 5)) TO STDOUT'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<number | null>((r) => p.on('exit', (code) => r(code)));
  const deadline = Date.now() + 20_000;
  while ((await admin.query('SELECT count(*)::int AS n FROM eddy_subscriptions WHERE cursor_name IS NULL')).rows[0].n === 0) {
    expect(Date.now() < deadline).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
  }
  await admin.query('UPDATE feed SET bal = -7 WHERE id = 1');
  await admin.query('DELETE FROM feed WHERE id = 2');
  await new Promise((r) => setTimeout(r, 500));
  p.kill('SIGINT'); // psql sends a CancelRequest
  expect(await exited).not.toBe(0);
  expect(err).toContain('canceling statement due to user request');
  const lines = out.trim().split('\n').map((l) => l.split('\t'));
  expect(lines.every((l) => l.length === 4), out).toBe(true);
  // the snapshot (ids 1-5), then the changes
  expect(lines.filter((l) => l[1] === '1').length).toBeGreaterThanOrEqual(6);
  expect(lines.some((l) => l[1] === '1' && l[2] === '1' && l[3] === '-7')).toBe(true);
  expect(lines.some((l) => l[1] === '-1' && l[2] === '2')).toBe(true);
  // a client that goes away without closing its cursor
  const gone = await eddy.client();
  await gone.query('BEGIN');
  await gone.query('DECLARE g CURSOR FOR SUBSCRIBE totals');
  expect((await admin.query('SELECT count(*)::int AS n FROM eddy_subscriptions')).rows[0].n).toBe(1);
  await gone.end();
  const until = Date.now() + 10_000;
  while ((await admin.query('SELECT count(*)::int AS n FROM eddy_subscriptions')).rows[0].n !== 0) {
    expect(Date.now() < until, 'the subscription outlived its connection').toBe(true);
    await new Promise((r) => setTimeout(r, 50));
  }
}, 60_000);

test('bad SUBSCRIBE statements are errors with SQLSTATEs and leave the session usable', async () => {
  const c = await eddy.client();
  await expect(c.query('SUBSCRIBE totals')).rejects.toMatchObject({ code: '0A000' });
  await expect(c.query('COPY (SUBSCRIBE nosuch) TO STDOUT')).rejects.toMatchObject({ code: '42P01' });
  await expect(c.query('COPY (SUBSCRIBE totals) TO STDOUT WITH (FORMAT csv)')).rejects.toMatchObject({ code: '0A000' });
  await expect(c.query('DECLARE c CURSOR FOR SUBSCRIBE totals')).rejects.toMatchObject({ code: '25P01' });
  await expect(c.query('SUBSCRIBE TO (SELECT 1) garbage')).rejects.toMatchObject({ code: '42601' });
  await c.query('BEGIN');
  await expect(c.query('DECLARE c CURSOR FOR SUBSCRIBE totals WITH (colors)')).rejects.toMatchObject({ code: '22023' });
  await c.query('ROLLBACK');
  await c.query('BEGIN');
  await c.query('DECLARE d CURSOR FOR SELECT 1');
  await expect(c.query("FETCH 1 d WITH (timeout = '1s')")).rejects.toMatchObject({ code: '0A000' });
  await c.query('ROLLBACK');
  await c.query('BEGIN');
  await c.query('DECLARE z CURSOR FOR SUBSCRIBE (SELECT 1 / (bal - bal) AS x FROM acct)');
  await expect(c.query('FETCH 1 z')).rejects.toMatchObject({ code: '22012' });
  await c.query('ROLLBACK');
  expect((await c.query('SELECT count(*)::int AS n FROM eddy_subscriptions')).rows[0].n).toBe(0);
  expect((await c.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  await c.end();
});

test('a commit whose change overflows the subscription buffer ends the subscription with an error that says so', async () => {
  const small = await startEddy({ env: { EDDY_SUBSCRIBE_BUFFER_ROWS: '500' } });
  try {
    const c = await small.client();
    await c.query('CREATE TABLE burst (id int PRIMARY KEY)');
    await c.query('BEGIN');
    await c.query('DECLARE b CURSOR FOR SUBSCRIBE burst WITH (SNAPSHOT = false)');
    expect((await c.query("FETCH ALL b WITH (timeout = '0s')")).rows).toEqual([]);
    const w = await small.client();
    await w.query('INSERT INTO burst SELECT g FROM generate_series(1, 2000) g');
    await expect(c.query("FETCH 10 b WITH (timeout = '5s')")).rejects.toMatchObject({ code: '54000', message: expect.stringContaining('subscription buffer exceeded 500 rows') });
    await c.query('ROLLBACK');
    // writers were never held back, and the session goes on
    expect((await w.query('SELECT count(*)::int AS n FROM burst')).rows[0].n).toBe(2000);
    expect((await c.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await Promise.all([c.end(), w.end()]);
  } finally {
    await small.stop();
  }
});
