// CREATE SINK (RisingWave's syntax) with the blackhole connector: the sink's query is maintained
// as a view's is, starting from a snapshot of its input, and every change row is delivered to
// the connector (counted in eddy_sinks); it survives a restart from its stored state; it cannot
// be read; DROP rules as for views; bad sinks are errors with SQLSTATEs.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Client } from 'pg';
import { startEddy, type EddyServer } from '../harness/server.js';

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
