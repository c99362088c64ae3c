// CREATE SINK (RisingWave's syntax) with the blackhole connector: the sink's query is maintained
// as a view's is, starting from a snapshot of its input, and every change row is delivered to
// the connector (counted in eddy_sinks); it survives a restart from its stored state; it cannot
// be read; DROP rules as for views; bad sinks are errors with SQLSTATEs.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Client } from 'pg';
import { startEddy, type EddyServer } from '../harness/server.js';
import { mulberry32 } from '../harness/prng.js';

let eddy: EddyServer;
let c: Client;
beforeAll(async () => {
  eddy = await startEddy();
  c = await eddy.client();
  await c.query('CREATE TABLE sk_t (id int PRIMARY KEY, g int, v int)');
  await c.query('INSERT INTO sk_t SELECT i, i % 3, i FROM generate_series(1, 30) i');
}, 60_000);
afterAll(async () => { await c?.end(); await eddy?.stop(); });

async function delivered(name: string): Promise<Record<string, unknown>> {
  await c.query('FLUSH');
  return (await c.query('SELECT connector, format, state, rows_delivered, errors FROM eddy_sinks WHERE sinkname = $1', [name])).rows[0];
}

test('a sink delivers the snapshot of its query, then its changes', async () => {
  await c.query(`CREATE SINK sk_agg AS SELECT g, count(*) AS n, sum(v) AS s FROM sk_t GROUP BY g
    WITH (connector = 'blackhole', type = 'append-only', force_append_only = 'true')`);
  // the snapshot: one row per group
  expect(await delivered('sk_agg')).toEqual({ connector: 'blackhole', format: null, state: 'running', rows_delivered: '3', errors: '0' });
  // an insert changes one group: its old row out, its new row in
  await c.query('INSERT INTO sk_t VALUES (31, 0, 31)');
  expect((await delivered('sk_agg')).rows_delivered).toBe('5');
  // a change that leaves the result as it is delivers nothing
  await c.query('UPDATE sk_t SET v = v + 1 WHERE id = 1');
  await c.query('UPDATE sk_t SET v = v - 1 WHERE id = 1');
  expect((await delivered('sk_agg')).rows_delivered).toBe('9');
  await c.query(`CREATE SINK sk_plain FROM sk_t WITH (connector = 'blackhole') FORMAT PLAIN ENCODE JSON`);
  expect(await delivered('sk_plain')).toEqual({ connector: 'blackhole', format: 'plain json', state: 'running', rows_delivered: '31', errors: '0' });
  expect((await c.query('SHOW SINKS')).rows).toEqual([{ Name: 'sk_agg' }, { Name: 'sk_plain' }]);
});

test('a sink resumes after a restart from its stored state', async () => {
  await eddy.restart();
  await c.end().catch(() => undefined);
  c = await eddy.client();
  await c.query('DELETE FROM sk_t WHERE id = 31');
  const rows = (await c.query("SELECT sinkname, started, rows_delivered FROM eddy_sinks ORDER BY sinkname")).rows;
  await c.query('FLUSH');
  const after = (await c.query("SELECT sinkname, started, rows_delivered FROM eddy_sinks ORDER BY sinkname")).rows;
  expect(rows.length).toBe(2);
  // group 0 changes back (2 rows), the plain sink gets the delete (1 row)
  expect(after).toEqual([{ sinkname: 'sk_agg', started: 'resumed', rows_delivered: '11' }, { sinkname: 'sk_plain', started: 'resumed', rows_delivered: '32' }]);
});

test('a sink is not a relation: it cannot be read, and it is dropped with DROP SINK', async () => {
  await expect(c.query('SELECT * FROM sk_agg')).rejects.toMatchObject({ code: '42809' });
  expect((await c.query("SELECT count(*)::int AS n FROM pg_class WHERE relname LIKE 'sk_%' AND relkind <> 'r'")).rows[0].n).toBe(1); // the primary key index
  await expect(c.query('DROP TABLE sk_t')).rejects.toMatchObject({ code: '2BP01' });
  await expect(c.query('DROP MATERIALIZED VIEW sk_agg')).rejects.toMatchObject({ code: '42809' });
  await c.query('DROP SINK sk_agg');
  await c.query('DROP SINK IF EXISTS sk_agg');
  await expect(c.query('DROP SINK sk_agg')).rejects.toMatchObject({ code: '42P01' });
  const res = await c.query('DROP TABLE sk_t CASCADE');
  expect(res.command).toBe('DROP');
  expect((await c.query('SELECT count(*)::int AS n FROM eddy_sinks')).rows[0].n).toBe(0);
});

test('bad sinks are errors', async () => {
  await c.query('CREATE TABLE sk_u (id int PRIMARY KEY)');
  await expect(c.query("CREATE SINK bad1 FROM sk_u WITH (connector = 'nowhere')")).rejects.toMatchObject({ code: '0A000' });
  await expect(c.query('CREATE SINK bad2 FROM sk_u WITH (type = \'upsert\')')).rejects.toMatchObject({ code: '22023' });
  await expect(c.query("CREATE SINK bad3 FROM sk_u")).rejects.toMatchObject({ code: '42601' });
  await expect(c.query("CREATE SINK bad4 FROM no_such_table WITH (connector = 'blackhole')")).rejects.toMatchObject({ code: '42P01' });
  await expect(c.query("CREATE SINK bad5 AS SELECT id, random() FROM sk_u WITH (connector = 'blackhole')")).rejects.toMatchObject({ code: '0A000' });
  expect((await c.query('SELECT count(*)::int AS n FROM eddy_sinks')).rows[0].n).toBe(0);
});

test('sinks INTO a wide table each fill their own columns (partial-column upserts); the table equals a full join of their queries', async () => {
  await c.query('CREATE TABLE w_users (id int PRIMARY KEY, name text NOT NULL)');
  await c.query('CREATE TABLE w_orders (id int PRIMARY KEY, user_id int, amount numeric)');
  await c.query('CREATE TABLE wide (id int PRIMARY KEY, name text, total numeric, cnt bigint, note text)');
  await c.query('CREATE SINK w_name INTO wide (id, name) FROM w_users');
  await c.query('CREATE SINK w_tot INTO wide (id, total, cnt) AS SELECT user_id, sum(amount), count(*) FROM w_orders GROUP BY user_id');
  await c.query('CREATE MATERIALIZED VIEW wide_v AS SELECT count(*) AS n, sum(total) AS total FROM wide');
  const expected = `SELECT coalesce(u.id, o.user_id) AS id, u.name, o.total, o.cnt FROM w_users u
    FULL JOIN (SELECT user_id, sum(amount) AS total, count(*) AS cnt FROM w_orders GROUP BY user_id) o ON u.id = o.user_id ORDER BY 1`;
  const next = mulberry32(5);
  const rnd = (n: number) => Math.floor(next() * n);
  let nextOrder = 1;
  for (let step = 0; step < 12; step++) {
    for (let i = 0; i < 15; i++) {
      const op = rnd(6);
      const uid = rnd(12);
      if (op === 0) await c.query('INSERT INTO w_users VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name', [uid, `u${uid}-${step}`]);
      else if (op === 1) await c.query('DELETE FROM w_users WHERE id = $1', [uid]);
      else if (op === 2 || op === 3) await c.query('INSERT INTO w_orders VALUES ($1, $2, $3)', [nextOrder++, uid, (rnd(10_000) / 100).toFixed(2)]);
      else if (op === 4) await c.query('DELETE FROM w_orders WHERE id = $1', [1 + rnd(nextOrder)]);
      else await c.query('UPDATE w_orders SET user_id = $1 WHERE id = $2', [uid, 1 + rnd(nextOrder)]);
    }
    await c.query('FLUSH');
    await c.query('FLUSH');
    const got = (await c.query('SELECT id, name, total, cnt FROM wide ORDER BY id')).rows;
    expect(got, `step ${step}`).toEqual((await c.query(expected)).rows);
    // a view over the wide table follows it
    await c.query('FLUSH');
    const v = (await c.query('SELECT n, total FROM wide_v')).rows[0];
    expect(v).toEqual((await c.query('SELECT count(*) AS n, sum(total) AS total FROM wide')).rows[0]);
  }
  // a column no sink fills keeps what a user wrote there, across later changes of the sinks' columns
  const someone = (await c.query('SELECT id FROM wide WHERE name IS NOT NULL ORDER BY id LIMIT 1')).rows[0].id as number;
  await c.query('UPDATE wide SET note = $1 WHERE id = $2', ['vip', someone]);
  await c.query('UPDATE w_users SET name = $1 WHERE id = $2', ['renamed', someone]);
  await c.query('FLUSH');
  await c.query('FLUSH');
  expect((await c.query('SELECT name, note FROM wide WHERE id = $1', [someone])).rows).toEqual([{ name: 'renamed', note: 'vip' }]);
  expect((await c.query("SELECT connector, state FROM eddy_sinks WHERE sinkname = 'w_name'")).rows).toEqual([{ connector: 'table', state: 'running' }]);

  // errors at CREATE, and the target cannot be dropped under its sinks
  await c.query('CREATE TABLE nokey (id int, v int)');
  await expect(c.query('CREATE SINK bad1 INTO nokey FROM w_users')).rejects.toMatchObject({ code: '42P16' });
  await expect(c.query('CREATE SINK bad2 INTO wide (id, nope) FROM w_users')).rejects.toMatchObject({ code: '42703' });
  await expect(c.query('CREATE SINK bad3 INTO wide (id, cnt) FROM w_users')).rejects.toMatchObject({ code: '42804' });
  await expect(c.query('CREATE SINK bad4 INTO wide (name) AS SELECT name FROM w_users')).rejects.toMatchObject({ code: '42P10' });
  await expect(c.query('CREATE SINK bad5 INTO w_users (id) AS SELECT id FROM w_orders')).rejects.toMatchObject({ code: '23502' });
  await expect(c.query('CREATE SINK bad6 INTO nothere FROM w_users')).rejects.toMatchObject({ code: '42P01' });
  await expect(c.query('DROP TABLE wide')).rejects.toMatchObject({ code: '2BP01' });
  await c.query('DROP SINK w_name');
  await c.query('DROP SINK w_tot');
  await c.query('DROP MATERIALIZED VIEW wide_v');
  await c.query('DROP TABLE wide');
}, 120_000);
