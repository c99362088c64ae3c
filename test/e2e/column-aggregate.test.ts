// Differential test of vectorized aggregation over the column store: the same random data
// (inserts, updates, deletes, some flushed into segments with deleted rows, some still in the
// memtable) in a row-store table and in column-store tables; every aggregate query must give
// the same answer on all of them (the row-store table runs the row-at-a-time executor).
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startEddy, type EddyServer } from '../harness/server.js';
import { mulberry32 } from '../harness/prng.js';

let eddy: EddyServer;
// no idle flush: the last rounds' rows must stay in the memtable
beforeAll(async () => { eddy = await startEddy({ env: { EDDY_IDLE_FLUSH_MS: '3600000' } }); });
afterAll(async () => { await eddy?.stop(); });

const TABLES = { agg_r: `orientation = 'row'`, agg_rc: `orientation = 'row,column', memtable_rows = 3000`, agg_c: `orientation = 'column', memtable_rows = 2000` };
const COLUMNS = 'id int PRIMARY KEY, g int, k text, big bigint, amount numeric(10,2), wide numeric(18,4), f float8, d date, ts timestamp, b bool';

const QUERIES = [
  'SELECT count(*) FROM {t}',
  'SELECT sum(id), avg(id), count(id), min(id), max(id) FROM {t}',
  'SELECT k, sum(id) FROM {t} GROUP BY k ORDER BY k',
  'SELECT count(*), count(g), count(k), sum(g), avg(g), min(g), max(g) FROM {t}',
  'SELECT sum(big), avg(big), min(big), max(big) FROM {t}',
  'SELECT sum(amount), avg(amount), count(amount) FROM {t}',
  'SELECT sum(wide), avg(wide) FROM {t}',
  'SELECT sum(f), avg(f) FROM {t}',
  'SELECT min(d), max(d), min(ts), max(ts) FROM {t}',
  'SELECT k, count(*), sum(amount), avg(amount), min(g), max(ts) FROM {t} GROUP BY k ORDER BY k',
  'SELECT g, count(*), sum(big) FROM {t} GROUP BY g ORDER BY g',
  'SELECT k, g, count(*) FROM {t} GROUP BY k, g ORDER BY k, g',
  "SELECT date_trunc('hour', ts) AS h, count(*), sum(amount) FROM {t} GROUP BY 1 ORDER BY 1",
  "SELECT date_trunc('day', ts) AS h, count(*) FROM {t} GROUP BY 1 ORDER BY 1",
  "SELECT date_trunc('month', ts) AS h, count(*) FROM {t} GROUP BY 1 ORDER BY 1",
  'SELECT count(DISTINCT g), count(DISTINCT k), count(DISTINCT big) FROM {t}',
  'SELECT k, count(DISTINCT g) FROM {t} GROUP BY k ORDER BY k',
  'SELECT count(*), sum(amount) FROM {t} WHERE g < 20 AND id >= 100',
  'SELECT count(*) FROM {t} WHERE g < 20 AND amount > 50',
  'SELECT count(*), sum(amount) FROM {t} WHERE amount > 5000.005',
  'SELECT count(*) FROM {t} WHERE amount >= 2500.5 AND amount <= 7000',
  'SELECT count(*) FROM {t} WHERE amount <> 100 AND amount < 9000.999',
  'SELECT k, count(*) FROM {t} WHERE amount = 1234.5 OR amount = 77 GROUP BY k ORDER BY k',
  'SELECT id, amount FROM {t} WHERE amount < 300 AND amount > 250.5 ORDER BY id',
  'SELECT count(*) FROM {t} WHERE amount > NULL::numeric',
  "SELECT count(*) FROM {t} WHERE amount < 'NaN'::numeric",
  'SELECT k, sum(g) FROM {t} WHERE d >= DATE \'2026-03-01\' GROUP BY k ORDER BY k',
  'SELECT count(*) FROM {t} WHERE id > 100000',
  'SELECT k, count(*) FROM {t} WHERE id > 100000 GROUP BY k',
  'SELECT g % 3 AS m, count(*), max(k) FROM {t} GROUP BY 1 ORDER BY 1',
  "SELECT k, string_agg(id::text, ',' ORDER BY id) FROM {t} WHERE g = 1 GROUP BY k ORDER BY k",
  'SELECT bool_and(b), bool_or(b), max(k), min(k) FROM {t}',
  'SELECT count(*) FILTER (WHERE b), sum(g) FILTER (WHERE k = \'k1\') FROM {t}',
  'SELECT user_g, total FROM (SELECT g AS user_g, sum(amount) AS total FROM {t} GROUP BY g) s ORDER BY total DESC NULLS LAST, user_g LIMIT 5',
  'SELECT k, avg(f), sum(f) FROM {t} GROUP BY k HAVING count(*) > 10 ORDER BY k',
];

function rowSql(rnd: () => number, id: number): string {
  const maybe = (s: string): string => (rnd() < 0.1 ? 'NULL' : s);
  const g = Math.floor(rnd() * 40);
  return `(${id}, ${maybe(String(g))}, ${maybe(`'k${Math.floor(rnd() * 6)}'`)}, ${maybe(String(BigInt(Math.floor(rnd() * 1e6)) * 1_000_000n))}, `
    + `${maybe((Math.floor(rnd() * 1e6) / 100).toFixed(2))}, ${maybe((Math.floor(rnd() * 1e9) / 1e4).toFixed(4))}, ${maybe(String(Math.floor(rnd() * 4000) / 4))}, `
    + `${maybe(`DATE '2026-01-01' + ${Math.floor(rnd() * 120)}`)}, ${maybe(`TIMESTAMP '2026-01-01' + interval '1 second' * ${Math.floor(rnd() * 120 * 86400)}`)}, ${maybe(rnd() < 0.5 ? 'true' : 'false')})`;
}

async function allTables(sql: (t: string) => string): Promise<void> {
  const c = await eddy.client();
  try { for (const t of Object.keys(TABLES)) await c.query(sql(t)); } finally { await c.end(); }
}

test('vectorized aggregates over the column store equal the row-store results', async () => {
  await allTables((t) => `CREATE TABLE ${t} (${COLUMNS}) WITH (${TABLES[t as keyof typeof TABLES]})`);
  const rnd = mulberry32(99);
  let nextId = 1;
  for (let round = 0; round < 6; round++) {
    const values = Array.from({ length: 800 }, () => rowSql(rnd, nextId++)).join(',');
    await allTables((t) => `INSERT INTO ${t} VALUES ${values}`);
    // a NaN makes its segment keep amount in the general layout (compared row by row)
    if (round === 1) await allTables((t) => `INSERT INTO ${t} VALUES (${nextId}, 1, 'k1', 0, 'NaN', 0, 0, NULL, NULL, true)`);
    if (round === 1) nextId++;
    // values right at the bounds of the decimal comparisons below
    if (round === 2) {
      const edge = ['5000.00', '5000.01', '2500.50', '2500.49', '7000.00', '7000.01', '9000.99', '9001.00', '100.00', '77.00', '1234.50', '250.50', '250.51', '299.99']
        .map((a) => `(${nextId++}, 2, 'k2', 0, ${a}, 0, 0, NULL, NULL, false)`).join(',');
      await allTables((t) => `INSERT INTO ${t} VALUES ${edge}`);
    }
    const lo = Math.floor(rnd() * nextId);
    const upd = `g = g + 1, amount = amount * 2, k = CASE WHEN k = 'k0' THEN NULL ELSE k END`;
    await allTables((t) => `UPDATE ${t} SET ${upd} WHERE id BETWEEN ${lo} AND ${lo + 150}`);
    const del = Math.floor(rnd() * nextId);
    await allTables((t) => `DELETE FROM ${t} WHERE id % 17 = ${del % 17} AND id < ${del}`);
    // flush and compact part of the way: later rounds stay in the memtable
    if (round < 4) await allTables((t) => `VACUUM ${t}`);
  }
  const c = await eddy.client();
  try {
    const st = (await c.query(`SELECT tablename, segments, deleted_rows, memtable_rows FROM eddy_storage WHERE tablename LIKE 'agg_%' ORDER BY 1`)).rows;
    for (const r of st.filter((x: { tablename: string }) => x.tablename !== 'agg_r')) {
      expect(Number(r.segments), JSON.stringify(r)).toBeGreaterThan(0);
      expect(Number(r.memtable_rows), JSON.stringify(r)).toBeGreaterThan(0);
    }
    for (const q of QUERIES) {
      // rows as arrays: several aggregates share a column name (count, min, ...)
      const want = (await c.query({ text: q.replaceAll('{t}', 'agg_r'), rowMode: 'array' })).rows;
      if (!q.includes('WHERE')) expect(want.length, q).toBeGreaterThan(0);
      for (const t of ['agg_rc', 'agg_c']) {
        const got = (await c.query({ text: q.replaceAll('{t}', t), rowMode: 'array' })).rows;
        expect(got, `${q} on ${t}`).toEqual(want);
      }
    }
    // with uncommitted writes of its own the transaction sees them (the row path runs)
    await c.query('BEGIN');
    for (const t of Object.keys(TABLES)) await c.query(`UPDATE ${t} SET g = 1000 WHERE id < 50`);
    const want = (await c.query('SELECT g, count(*) FROM agg_r GROUP BY g ORDER BY g')).rows;
    expect((await c.query('SELECT g, count(*) FROM agg_c GROUP BY g ORDER BY g')).rows).toEqual(want);
    expect(want.some((r: { g: number }) => r.g === 1000)).toBe(true);
    await c.query('ROLLBACK');
  } finally {
    await c.end();
  }
});

test('float8 sums past 2^52 and int sums over many segments stay what the row store gives', async () => {
  const c = await eddy.client();
  try {
    for (const [t, opts] of [['big_r', `orientation = 'row'`], ['big_c', `orientation = 'column', memtable_rows = 1000`]]) {
      await c.query(`CREATE TABLE ${t} (id int PRIMARY KEY, g int, f float8, i int) WITH (${opts})`);
      // float sums pass 2^52 within a chunk: they must not be moved into an exact integer sum
      await c.query(`INSERT INTO ${t} SELECT n, n % 3, 3e15 + n * 0.25, 2147483647 - n FROM generate_series(1, 5000) n`);
      await c.query(`VACUUM ${t}`);
    }
    for (const q of ['SELECT sum(f), avg(f), sum(i), avg(i) FROM {t}', 'SELECT g, sum(f), sum(i) FROM {t} GROUP BY g ORDER BY g']) {
      const want = (await c.query({ text: q.replaceAll('{t}', 'big_r'), rowMode: 'array' })).rows;
      expect((await c.query({ text: q.replaceAll('{t}', 'big_c'), rowMode: 'array' })).rows, q).toEqual(want);
    }
  } finally {
    await c.end();
  }
});
