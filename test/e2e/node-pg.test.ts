// node-postgres: prepared statements, type round trips, many connections, errors, cancel, pipelining.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sendCancel } from '../slt/runner.js';
import { startTarget } from './target.js';
import type { Target } from './target.js';
import { WireConn, dataRowValues, errorFields, msg } from './wire.js';

let target: Target;
let client: pg.Client;

beforeAll(async () => {
  target = await startTarget();
  client = await target.client();
});
afterAll(async () => {
  await client?.end().catch(() => undefined);
  await target?.stop();
});

describe('node-pg', () => {
  test('parameterized and named prepared statements', async () => {
    await client.query('CREATE TABLE np_items (id int PRIMARY KEY, name text, qty int)');
    for (let i = 1; i <= 20; i++) {
      await client.query({ name: 'np_ins', text: 'INSERT INTO np_items VALUES ($1, $2, $3)', values: [i, `item${i}`, i * 3] });
    }
    const r = await client.query({ name: 'np_sel', text: 'SELECT name, qty FROM np_items WHERE id = $1', values: [7] });
    expect(r.rows).toEqual([{ name: 'item7', qty: 21 }]);
    const r2 = await client.query({ name: 'np_sel', text: 'SELECT name, qty FROM np_items WHERE id = $1', values: [8] });
    expect(r2.rows).toEqual([{ name: 'item8', qty: 24 }]);
    const r3 = await client.query('SELECT count(*)::int AS n, sum(qty)::int AS s FROM np_items WHERE id > $1 AND name <> $2', [10, 'item11']);
    expect(r3.rows).toEqual([{ n: 9, s: 3 * (12 + 13 + 14 + 15 + 16 + 17 + 18 + 19 + 20) }]);
    expect(r3.fields.map((f) => f.name)).toEqual(['n', 's']);
    const upd = await client.query('UPDATE np_items SET qty = qty + $1 WHERE id <= $2', [1, 5]);
    expect(upd.rowCount).toBe(5);
    expect(upd.command).toBe('UPDATE');
  });

  test('core types round trip', async () => {
    const r = await client.query(
      `SELECT $1::int2 AS i2, $2::int4 AS i4, $3::int8 AS i8, $4::numeric AS num, $5::float8 AS f8, $6::float4 AS f4,
              $7::text AS txt, $8::varchar AS vc, $9::bool AS b, $10::date AS d, $11::timestamp AS ts,
              $12::int4 AS nul, $13::text AS empty`,
      [-32768, 2147483647, '9223372036854775807', '123456789.000000001', 1.5e300, 0.5, 'üñï\'"\\', 'v', true, '2024-02-29', '2024-02-29 23:59:59.999999', null, ''],
    );
    expect(r.rows[0]).toEqual({
      i2: -32768,
      i4: 2147483647,
      i8: '9223372036854775807',
      num: '123456789.000000001',
      f8: 1.5e300,
      f4: 0.5,
      txt: 'üñï\'"\\',
      vc: 'v',
      b: true,
      d: new Date(2024, 1, 29),
      ts: new Date(2024, 1, 29, 23, 59, 59, 999),
      nul: null,
      empty: '',
    });
    const types = r.fields.map((f) => f.dataTypeID);
    expect(types).toEqual([21, 23, 20, 1700, 701, 700, 25, 1043, 16, 1082, 1114, 23, 25]);
  });

  test('more types round trip', async () => {
    const r = await client.query(
      `SELECT $1::timestamptz AS tz, $2::interval AS iv, $3::bytea AS by, $4::jsonb AS j, $5::int[] AS arr, $6::uuid AS u`,
      ['2024-01-01T10:00:00Z', '1 day 02:03:04', Buffer.from([0, 1, 2, 255]), JSON.stringify({ a: [1, 2, { b: null }] }), [1, null, 3], '00000000-0000-0000-0000-000000000001'],
    );
    const row = r.rows[0] as Record<string, unknown>;
    expect((row.tz as Date).toISOString()).toBe('2024-01-01T10:00:00.000Z');
    expect(row.iv).toMatchObject({ days: 1, hours: 2, minutes: 3, seconds: 4 });
    expect(row.by).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(row.j).toEqual({ a: [1, 2, { b: null }] });
    expect(row.arr).toEqual([1, null, 3]);
    expect(row.u).toBe('00000000-0000-0000-0000-000000000001');
  });

  test('errors carry the SQLSTATE in err.code', async () => {
    await expect(client.query('SELECT * FROM np_missing')).rejects.toMatchObject({ code: '42P01' });
    await expect(client.query('INSERT INTO np_items VALUES (1, $1, 1)', ['dup'])).rejects.toMatchObject({ code: '23505' });
    await expect(client.query('SELECT $1::int', ['x'])).rejects.toMatchObject({ code: '22P02' });
    expect((await client.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
  });

  test('500 concurrent connections', async () => {
    const clients = await Promise.all(
      Array.from({ length: 500 }, async () => {
        const c = new pg.Client({ host: '127.0.0.1', port: target.port, user: 'eddy', database: 'eddy' });
        c.on('error', () => undefined);
        await c.connect();
        return c;
      }),
    );
    try {
      const results = await Promise.all(clients.map((c, i) => c.query('SELECT $1::int * 2 AS v, count(*)::int AS n FROM np_items', [i])));
      results.forEach((r, i) => expect(r.rows[0]).toEqual({ v: i * 2, n: 20 }));
    } finally {
      await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    }
  });

  test('CancelRequest from a second connection stops a long query', async () => {
    const victim = await target.client();
    victim.on('error', () => undefined);
    try {
      const keyed = victim as unknown as { processID: number; secretKey: number };
      expect(typeof keyed.processID).toBe('number');
      const started = Date.now();
      const running = victim.query('SELECT count(*) FROM generate_series(1, 100000000)');
      // the rejection may land while sendCancel is still awaited: mark it handled now
      running.catch(() => undefined);
      await new Promise((r) => setTimeout(r, 300));
      await sendCancel('127.0.0.1', target.port, keyed.processID, keyed.secretKey);
      await expect(running).rejects.toMatchObject({ code: '57014', message: 'canceling statement due to user request' });
      expect(Date.now() - started).toBeLessThan(20_000);
      // the session survives the cancel
      expect((await victim.query('SELECT 42 AS x')).rows).toEqual([{ x: 42 }]);
    } finally {
      await victim.end().catch(() => undefined);
    }
  });

  test('a CancelRequest with a wrong key is ignored', async () => {
    const victim = await target.client();
    try {
      const keyed = victim as unknown as { processID: number; secretKey: number };
      const running = victim.query('SELECT count(*)::int AS n FROM generate_series(1, 2000000)');
      await sendCancel('127.0.0.1', target.port, keyed.processID, (keyed.secretKey ^ 0x5a5a5a5a) | 0);
      expect((await running).rows).toEqual([{ n: 2000000 }]);
    } finally {
      await victim.end().catch(() => undefined);
    }
  });

  test('pipelined extended-protocol and simple queries', async () => {
    const c = await WireConn.open(target.port);
    try {
      const parts: Buffer[] = [msg.parse('pipe_s', 'SELECT $1::int + 1')];
      for (let i = 0; i < 50; i++) parts.push(msg.bind('', 'pipe_s', [String(i)]), msg.execute(''), msg.sync());
      // an error in the middle only fails its own Sync group
      parts.push(msg.parse('', 'SELECT 1/0'), msg.bind('', ''), msg.execute(''), msg.sync());
      parts.push(msg.bind('', 'pipe_s', ['1000']), msg.execute(''), msg.sync());
      parts.push(msg.query('SELECT 7; SELECT 8'));
      c.send(Buffer.concat(parts));
      const values: string[] = [];
      const errors: string[] = [];
      let ready = 0;
      while (ready < 53) {
        const m = await c.next(20_000);
        if (m === null) throw new Error('connection closed during pipeline');
        if (m.type === 'D') values.push(String(dataRowValues(m.body)[0]));
        else if (m.type === 'E') errors.push(errorFields(m.body).C ?? '?');
        else if (m.type === 'Z') ready++;
      }
      expect(values).toEqual([...Array.from({ length: 50 }, (_, i) => String(i + 1)), '1001', '7', '8']);
      expect(errors).toEqual(['22012']);
      // node-pg also queues many queries on one connection without waiting
      const many = await Promise.all(Array.from({ length: 100 }, (_, i) => client.query('SELECT $1::text AS v', [`q${i}`])));
      expect(many.map((r) => (r.rows[0] as { v: string }).v)).toEqual(Array.from({ length: 100 }, (_, i) => `q${i}`));
    } finally {
      c.close();
    }
  });

  test('a text parameter that is not valid UTF-8 fails its Bind with 22021; the connection goes on', async () => {
    const c = await WireConn.open(target.port);
    try {
      const bad = msg.bind('', 'utf_s', ['x']);
      // the parameter's one byte ('x', last before the result-format count) becomes 0xff
      bad[bad.length - 3] = 0xff;
      c.send(Buffer.concat([msg.parse('utf_s', 'SELECT $1::text'), bad, msg.execute(''), msg.sync(), msg.bind('', 'utf_s', ['ok é']), msg.execute(''), msg.sync()]));
      const seen: string[] = [];
      let ready = 0;
      while (ready < 2) {
        const m = await c.next(20_000);
        if (m === null) throw new Error('connection closed');
        if (m.type === 'E') seen.push('error ' + (errorFields(m.body).C ?? '?'));
        else if (m.type === 'D') seen.push('row ' + String(dataRowValues(m.body)[0]));
        else if (m.type === 'Z') ready++;
      }
      expect(seen).toEqual(['error 22021', 'row ok é']);
    } finally {
      c.close();
    }
  });

  test('portal with a row limit suspends and resumes', async () => {
    const c = await WireConn.open(target.port);
    try {
      c.send(Buffer.concat([msg.query('BEGIN')]));
      await c.readUntil('Z', 10_000);
      c.send(Buffer.concat([msg.parse('', 'SELECT g FROM generate_series(1, 10) AS g'), msg.bind('p1', ''), msg.execute('p1', 4), msg.execute('p1', 4), msg.execute('p1', 4), msg.sync()]));
      const got = await c.readUntil('Z', 10_000);
      const types = got.map((m) => m.type).join('');
      expect(types).toBe('12DDDDsDDDDsDDCZ');
      c.send(Buffer.concat([msg.query('COMMIT'), msg.terminate()]));
    } finally {
      c.close();
    }
  });
});
