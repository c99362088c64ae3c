// Built-in source connectors: datagen rows flow into tables and, through a source's binlog,
// into materialized views; ingestion resumes exactly at the stored offset after kill -9 (no row
// lost, none twice); bad connector options are errors with SQLSTATEs.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startEddy, type EddyServer } from '../harness/server.js';

let eddy: EddyServer;
beforeAll(async () => { eddy = await startEddy(); });
afterAll(async () => { await eddy?.stop(); });

async function until<T>(what: string, f: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: last ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('a datagen source feeds views; its random fields are deterministic', async () => {
  const c = await eddy.client();
  const opts = (name: string): string => `CREATE SOURCE ${name} (id int, grp int, label varchar, at timestamp) WITH (connector = 'datagen',
    fields.id.kind = 'sequence', fields.id.start = '1', fields.id.end = '3000', fields.grp.min = '1', fields.grp.max = '5', fields.grp.seed = '7',
    fields.label.length = '6', datagen.rows.per.second = '100000') FORMAT PLAIN ENCODE JSON`;
  await c.query(opts('gen_a'));
  await c.query(opts('gen_b'));
  await c.query('CREATE MATERIALIZED VIEW gen_a_stats AS SELECT grp, count(*) AS n, sum(id) AS s, count(DISTINCT label) AS labels FROM gen_a GROUP BY grp');
  await c.query('CREATE MATERIALIZED VIEW gen_b_stats AS SELECT grp, count(*) AS n, sum(id) AS s, count(DISTINCT label) AS labels FROM gen_b GROUP BY grp');
  const total = async (v: string): Promise<number> => { await c.query('FLUSH'); return Number((await c.query(`SELECT coalesce(sum(n), 0) AS n FROM ${v}`)).rows[0].n); };
  await until('gen_a to end', () => total('gen_a_stats'), (n) => n === 3000);
  await until('gen_b to end', () => total('gen_b_stats'), (n) => n === 3000);
  const a = (await c.query('SELECT grp, n, s, labels FROM gen_a_stats ORDER BY grp')).rows;
  const b = (await c.query('SELECT grp, n, s, labels FROM gen_b_stats ORDER BY grp')).rows;
  expect(a).toEqual(b);
  expect(a.map((r: { grp: number }) => r.grp)).toEqual([1, 2, 3, 4, 5]);
  expect(a.reduce((x: number, r: { s: string }) => x + Number(r.s), 0)).toBe(3000 * 3001 / 2);
  // a source keeps no rows of its own
  await expect(c.query('SELECT * FROM gen_a')).rejects.toMatchObject({ code: '0A000' });
  await c.end();
});

test('ingestion resumes exactly at its offset after kill -9', async () => {
  const c = await eddy.client();
  await c.query(`CREATE TABLE ingest (id int PRIMARY KEY, v int) WITH (connector = 'datagen',
    fields.id.kind = 'sequence', fields.id.end = '30000', fields.v.min = '0', fields.v.max = '9', datagen.rows.per.second = '6000')`);
  await c.query(`CREATE SOURCE ingest_src (id int) WITH (connector = 'datagen', fields.id.kind = 'sequence', fields.id.end = '30000', datagen.rows.per.second = '6000')`);
  await c.query('CREATE MATERIALIZED VIEW ingest_seen AS SELECT count(*) AS n, count(DISTINCT id) AS d, sum(id) AS s FROM ingest_src');
  await until('some rows', async () => Number((await c.query('SELECT count(*) AS n FROM ingest')).rows[0].n), (n) => n > 3000);
  await c.end();
  await eddy.kill();
  await eddy.restart();
  const d = await eddy.client();
  const n = await until('all rows', async () => Number((await d.query('SELECT count(*) AS n FROM ingest')).rows[0].n), (x) => x === 30000);
  expect(n).toBe(30000);
  const r = (await d.query('SELECT count(DISTINCT id) AS d, min(id) AS lo, max(id) AS hi FROM ingest')).rows[0];
  expect(r).toEqual({ d: '30000', lo: 1, hi: 30000 });
  const seen = await until('the view over the source', async () => { await d.query('FLUSH'); return (await d.query('SELECT n, d, s FROM ingest_seen')).rows[0]; }, (x) => x.n === '30000');
  // every sequence value exactly once: no gap, no duplicate across the crash
  expect(seen).toEqual({ n: '30000', d: '30000', s: String(30000 * 30001 / 2) });
  await d.end();
});

test('bad connector options are errors', async () => {
  const c = await eddy.client();
  await expect(c.query("CREATE SOURCE s1 (id int) WITH (connector = 'nosuch')")).rejects.toMatchObject({ code: '0A000' });
  await expect(c.query("CREATE SOURCE s2 (id int) WITH (connector = 'datagen', fields.id.kind = 'zigzag')")).rejects.toMatchObject({ code: '22023' });
  await expect(c.query('CREATE SOURCE s3 (id int)')).rejects.toMatchObject({ code: '42601' });
  await expect(c.query("CREATE SOURCE s4 (id int) WITH (connector = 'datagen', datagen.rows.per.second = '-1')")).rejects.toMatchObject({ code: '22023' });
  const left = await c.query("SELECT count(*) AS n FROM pg_class WHERE relname LIKE 's_'");
  expect(left.rows[0].n).toBe('0');
  await c.end();
});

test('a PROCTIME() column holds each row\'s ingestion time; misuse is an error', async () => {
  const c = await eddy.client();
  const t0 = Date.now();
  await c.query(`CREATE TABLE gen_p (id int, p_time TIMESTAMPTZ AS PROCTIME(), grp int) WITH (connector = 'datagen',
    fields.id.kind = 'sequence', fields.id.start = '1', fields.id.end = '500', fields.grp.min = '1', fields.grp.max = '3', datagen.rows.per.second = '100000')`);
  const n = await until('rows', async () => Number((await c.query('SELECT count(*) AS n FROM gen_p')).rows[0].n), (v) => v === 500);
  expect(n).toBe(500);
  const cols = (await c.query("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'gen_p' ORDER BY ordinal_position")).rows;
  expect(cols.map((r) => `${r.column_name} ${r.data_type}`)).toEqual(['id integer', 'p_time timestamp with time zone', 'grp integer']);
  const r = (await c.query('SELECT min(p_time) AS lo, max(p_time) AS hi, count(*) FILTER (WHERE p_time IS NULL) AS nulls, min(grp) AS g FROM gen_p')).rows[0];
  expect(r.nulls).toBe('0');
  expect(r.g).toBeGreaterThanOrEqual(1);
  expect((r.lo as Date).getTime()).toBeGreaterThanOrEqual(t0 - 1000);
  expect((r.hi as Date).getTime()).toBeLessThanOrEqual(Date.now() + 1000);
  // a view over it windows by processing time (Nexmark q12's shape)
  await c.query("CREATE MATERIALIZED VIEW gen_p_windows AS SELECT window_start, count(*) AS n FROM TUMBLE(gen_p, p_time, INTERVAL '10' SECOND) GROUP BY window_start");
  await c.query('FLUSH');
  expect((await c.query('SELECT sum(n) AS n FROM gen_p_windows')).rows[0].n).toBe('500');
  await expect(c.query('CREATE TABLE p1 (id int, p_time TIMESTAMPTZ AS PROCTIME())')).rejects.toMatchObject({ code: '0A000' });
  await expect(c.query("CREATE SOURCE p2 (id int, p_time int AS PROCTIME()) WITH (connector = 'datagen')")).rejects.toMatchObject({ code: '42804' });
  await c.end();
});

test('generated columns (RisingWave\'s `name type AS expr`) are computed for the rows a connector makes', async () => {
  const c = await eddy.client();
  const fields = `fields.id.kind = 'sequence', fields.id.start = '1', fields.id.end = '300', datagen.rows.per.second = '100000'`;
  // a table (stored rows, a generated column next to a PROCTIME() one) and a source (through its binlog into a view)
  await c.query(`CREATE TABLE gen_g (id int PRIMARY KEY, sq int AS id * id, bucket varchar AS 'g' || (id % 3)::text, p_time TIMESTAMPTZ AS PROCTIME())
    WITH (connector = 'datagen', ${fields})`);
  await c.query(`CREATE SOURCE gen_gs (id int, bucket varchar AS 'g' || (id % 3)::text, sq bigint AS id::bigint * id) WITH (connector = 'datagen', ${fields})`);
  await c.query('CREATE MATERIALIZED VIEW gen_gs_buckets AS SELECT bucket, count(*) AS n, sum(sq) AS s FROM gen_gs GROUP BY bucket');
  await until('rows', async () => Number((await c.query('SELECT count(*) AS n FROM gen_g')).rows[0].n), (n) => n === 300);
  const wrong = await c.query('SELECT count(*) AS n FROM gen_g WHERE sq IS DISTINCT FROM id * id OR bucket IS DISTINCT FROM \'g\' || (id % 3)::text OR p_time IS NULL');
  expect(wrong.rows[0].n).toBe('0');
  // per bucket: ids i with i % 3 = k, and the sum of their squares
  const want = [0, 1, 2].map((k) => {
    const ids = Array.from({ length: 300 }, (_, i) => i + 1).filter((i) => i % 3 === k);
    return { bucket: `g${k}`, n: String(ids.length), s: String(ids.reduce((a, i) => a + i * i, 0)) };
  });
  const buckets = await until('the view over the source', async () => { await c.query('FLUSH'); return (await c.query('SELECT bucket, n, s FROM gen_gs_buckets ORDER BY bucket')).rows; },
    (rows) => rows.reduce((a: number, r: { n: string }) => a + Number(r.n), 0) === 300);
  expect(buckets).toEqual(want);
  const gen = (await c.query("SELECT attname, attgenerated FROM pg_attribute WHERE attrelid = 'gen_gs'::regclass AND attnum > 0 ORDER BY attnum")).rows;
  expect(gen).toEqual([{ attname: 'id', attgenerated: '' }, { attname: 'bucket', attgenerated: 's' }, { attname: 'sq', attgenerated: 's' }]);
  // a generation expression is checked for a source too
  await expect(c.query(`CREATE SOURCE gen_bad (id int, r float8 AS random()) WITH (connector = 'datagen', ${fields})`)).rejects.toMatchObject({ code: '42P17' });
  await c.end();
});
