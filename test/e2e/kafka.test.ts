// Kafka sources and sinks against a real broker (KRaft, test/harness/kafka.ts): JSON records from a
// three-partition topic feed a materialized view that equals the records produced; undecodable
// records are counted and skipped without losing the good ones around them; and ingestion is
// exactly once across kill -9: offsets are stored in the commit of the rows they produced;
// changelog formats (upsert, Debezium, Canal, Maxwell) keep keyed tables equal to the upstream
// state; INCLUDE metadata columns; kafka sinks whose topic, replayed by key, equals the view.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { startEddy, type EddyServer } from '../harness/server.js';
import { startKafka, type KafkaBroker } from '../harness/kafka.js';
import { mulberry32 } from '../harness/prng.js';
import { KafkaSourceReader, kafkaOptions } from '../../connectors/kafka/source.js';

let broker: KafkaBroker;
let eddy: EddyServer;
let producer: Producer;

beforeAll(async () => {
  [broker, eddy] = await Promise.all([startKafka(), startEddy()]);
  const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 3 }], waitForLeaders: true });
  await admin.disconnect();
  producer = kafka.producer();
  await producer.connect();
}, 900_000);
afterAll(async () => { await producer?.disconnect(); await eddy?.stop(); await broker?.stop(); });

/** undecodable records produced into the topic (consumed and skipped: ingested_offset counts them) */
const BAD_RECORDS = 3;
/** produced records: id -> (customer, amount in cents) */
const expected = new Map<number, { cust: string; cents: number }>();
let nextId = 1;
const rnd = mulberry32(11);

async function produce(n: number): Promise<void> {
  const messages = [];
  for (let i = 0; i < n; i++) {
    const id = nextId++;
    const cust = `c${Math.floor(rnd() * 7)}`;
    const cents = Math.floor(rnd() * 100_000);
    expected.set(id, { cust, cents });
    messages.push({ key: String(id), value: JSON.stringify({ id, cust, amount: (cents / 100).toFixed(2), at: new Date(1_700_000_000_000 + id * 1000).toISOString() }) });
  }
  await producer.send({ topic: 'orders', messages });
}

/** waits until the source has consumed n records, then for the views */
async function waitFor(n: number): Promise<void> {
  const c = await eddy.client();
  const deadline = Date.now() + 120_000;
  try {
    for (;;) {
      const got = Number((await c.query("SELECT ingested_offset AS n FROM eddy_sources WHERE name = 'orders'")).rows[0]?.n ?? 0);
      if (got >= n) break;
      if (Date.now() > deadline) throw new Error(`only ${got} of ${n} records ingested\n${eddy.output().stderr.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await c.query('FLUSH');
  } finally {
    await c.end();
  }
}

async function viewMatches(): Promise<void> {
  const want = new Map<string, { n: number; cents: number }>();
  for (const { cust, cents } of expected.values()) {
    const w = want.get(cust) ?? { n: 0, cents: 0 };
    w.n++; w.cents += cents;
    want.set(cust, w);
  }
  const c = await eddy.client();
  const rows = (await c.query('SELECT cust, n, total FROM by_cust ORDER BY cust')).rows as { cust: string; n: string; total: string }[];
  await c.end();
  expect(rows.map((r) => [r.cust, Number(r.n), Math.round(Number(r.total) * 100)]))
    .toEqual([...want].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([k, v]) => [k, v.n, v.cents]));
}

test('JSON records from a three-partition topic feed a view; bad records are counted and skipped', async () => {
  await produce(1500);
  // bad records between good ones: not JSON, not an object, a field that does not convert
  await producer.send({ topic: 'orders', messages: [{ value: 'not json' }, { value: '[1, 2]' }, { value: JSON.stringify({ id: 'x', cust: 'c1', amount: 'lots' }) }] });
  await produce(500);
  const c = await eddy.client();
  await c.query(`CREATE SOURCE orders (id int, cust text, amount numeric, at timestamptz) WITH (connector = 'kafka', topic = 'orders',
    properties.bootstrap.server = '${broker.bootstrap}', scan.startup.mode = 'earliest') FORMAT PLAIN ENCODE JSON`);
  await c.query('CREATE MATERIALIZED VIEW by_cust AS SELECT cust, count(*) AS n, sum(amount) AS total FROM orders GROUP BY cust');
  await c.query('CREATE MATERIALIZED VIEW order_ids AS SELECT count(*) AS n, count(DISTINCT id) AS d FROM orders');
  await waitFor(2000 + BAD_RECORDS);
  await viewMatches();
  expect((await c.query("SELECT bad_records FROM eddy_sources WHERE name = 'orders'")).rows).toEqual([{ bad_records: '3' }]);
  // every record consumed: three partitions, no lag
  const parts = (await c.query("SELECT partition, next_offset, high_watermark, lag FROM eddy_source_partitions WHERE source = 'orders' ORDER BY partition")).rows as { partition: number; next_offset: string; high_watermark: string; lag: string }[];
  expect(parts.map((p) => p.partition)).toEqual([0, 1, 2]);
  expect(parts.reduce((n, p) => n + Number(p.next_offset), 0)).toBe(2000 + BAD_RECORDS);
  expect(parts.every((p) => p.lag === '0' && p.next_offset === p.high_watermark)).toBe(true);
  const errors = (await c.query("SELECT record, reason FROM eddy_source_errors WHERE source = 'orders' ORDER BY recorded, \"offset\"")).rows as { record: string; reason: string }[];
  expect(errors.map((e) => e.record).sort()).toEqual(['[1, 2]', JSON.stringify({ id: 'x', cust: 'c1', amount: 'lots' }), 'not json'].sort());
  expect(errors.map((e) => e.reason).join(' ')).toMatch(/invalid JSON.*|not a JSON object|field "id"/);
  await c.end();
}, 180_000);

test('ingestion is exactly once across kill -9 while records arrive', async () => {
  for (let round = 0; round < 10; round++) {
    const producing = produce(3000);
    await new Promise((r) => setTimeout(r, 100 + (round % 4) * 120));
    await eddy.kill();
    await producing;
    await eddy.restart();
  }
  await waitFor(expected.size + BAD_RECORDS);
  await viewMatches();
  const c = await eddy.client();
  // exactly the produced records: none lost, none twice
  expect((await c.query('SELECT n, d FROM order_ids')).rows).toEqual([{ n: String(expected.size), d: String(expected.size) }]);
  await c.end();
}, 300_000);

/** random changes to an upstream table of accounts; returns its final state */
function randomChanges(n: number, seed: number): { changes: { op: 'c' | 'u' | 'd'; id: number; before: Account | null; after: Account | null }[]; state: Map<number, Account> } {
  const r = mulberry32(seed);
  const state = new Map<number, Account>();
  const changes: { op: 'c' | 'u' | 'd'; id: number; before: Account | null; after: Account | null }[] = [];
  for (let i = 0; i < n; i++) {
    const id = 1 + Math.floor(r() * 60);
    const before = state.get(id) ?? null;
    if (before && r() < 0.3) { state.delete(id); changes.push({ op: 'd', id, before, after: null }); continue; }
    const after: Account = { id, owner: `o${Math.floor(r() * 5)}`, balance: Math.floor(r() * 10_000) / 100, opened: 19_000 + Math.floor(r() * 400) };
    state.set(id, after);
    changes.push({ op: before ? 'u' : 'c', id, before, after });
  }
  return { changes, state };
}
interface Account { id: number; owner: string; balance: number; opened: number }

async function tableEquals(table: string, state: Map<number, Account>): Promise<void> {
  const c = await eddy.client();
  const rows = (await c.query(`SELECT id, owner, balance::float8 AS balance, (opened - DATE '1970-01-01') AS opened FROM ${table} ORDER BY id`)).rows;
  const totals = (await c.query(`SELECT owner, n, total::float8 AS total FROM ${table}_by_owner ORDER BY owner`)).rows;
  await c.end();
  const want = [...state.values()].sort((a, b) => a.id - b.id);
  expect(rows).toEqual(want.map((a) => ({ id: a.id, owner: a.owner, balance: a.balance, opened: a.opened })));
  const byOwner = new Map<string, { n: number; total: number }>();
  for (const a of want) { const t = byOwner.get(a.owner) ?? { n: 0, total: 0 }; t.n++; t.total = Math.round((t.total + a.balance) * 100) / 100; byOwner.set(a.owner, t); }
  expect(totals.map((t: { owner: string; n: string; total: number }) => [t.owner, Number(t.n), t.total])).toEqual([...byOwner].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([o, t]) => [o, t.n, t.total]));
}

test.each(['upsert', 'debezium', 'canal', 'maxwell'] as const)('FORMAT %s ENCODE JSON keeps a primary-keyed table equal to the upstream state', async (format) => {
  const topic = `accounts_${format}`;
  const { changes, state } = randomChanges(1500, { upsert: 5, debezium: 6, canal: 7, maxwell: 8 }[format]);
  // Canal and Maxwell carry MySQL's values as text: dates as 'YYYY-MM-DD'
  const mysql = (a: Account): Record<string, unknown> => ({ ...a, balance: a.balance.toFixed(2), opened: new Date(a.opened * 86_400_000).toISOString().slice(0, 10) });
  const messages = changes.map((ch) => {
    if (format === 'upsert') return { key: JSON.stringify({ id: ch.id }), value: ch.after ? JSON.stringify(ch.after) : null };
    if (format === 'canal') {
      const row = ch.op === 'd' ? ch.before! : ch.after!;
      return { key: null, value: JSON.stringify({ type: { c: 'INSERT', u: 'UPDATE', d: 'DELETE' }[ch.op], isDdl: false, table: 'accounts', pkNames: ['id'], data: [mysql(row)], old: ch.op === 'u' ? [{ balance: ch.before!.balance.toFixed(2) }] : null }) };
    }
    if (format === 'maxwell') {
      const row = ch.op === 'd' ? ch.before! : ch.after!;
      return { key: null, value: JSON.stringify({ database: 'shop', table: 'accounts', type: { c: 'insert', u: 'update', d: 'delete' }[ch.op], ts: 1, data: mysql(row), ...(ch.op === 'u' ? { old: { owner: ch.before!.owner } } : {}) }) };
    }
    // Debezium: dates as days since 1970; half the messages with the schema envelope
    const body = { op: ch.op, before: ch.before, after: ch.after, source: { table: 'accounts' }, ts_ms: 1 };
    return { key: JSON.stringify({ id: ch.id }), value: JSON.stringify(ch.id % 2 ? { schema: {}, payload: body } : body) };
  });
  for (let i = 0; i < messages.length; i += 500) await producer.send({ topic, messages: messages.slice(i, i + 500) });
  const c = await eddy.client();
  await c.query(`CREATE TABLE ${topic} (id int PRIMARY KEY, owner text, balance numeric(10,2), opened date) WITH (connector = 'kafka', topic = '${topic}',
    properties.bootstrap.server = '${broker.bootstrap}') FORMAT ${format.toUpperCase()} ENCODE JSON`);
  await c.query(`CREATE MATERIALIZED VIEW ${topic}_by_owner AS SELECT owner, count(*) AS n, sum(balance) AS total FROM ${topic} GROUP BY owner`);
  const deadline = Date.now() + 60_000;
  while (Number((await c.query(`SELECT ingested_offset AS n FROM eddy_sources WHERE name = '${topic}'`)).rows[0].n) < changes.length) {
    expect(Date.now() < deadline, `ingestion of ${topic} did not finish`).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
  }
  await c.query('FLUSH');
  await expect(c.query(`CREATE SOURCE bad_${format} (id int) WITH (connector = 'kafka', topic = 'x', properties.bootstrap.server = '${broker.bootstrap}') FORMAT ${format.toUpperCase()} ENCODE JSON`))
    .rejects.toMatchObject({ code: '42P16' });
  await c.end();
  await tableEquals(topic, state);
}, 120_000);

test('a join of two changelog topics is right once both sides arrive; a left join shows the base row before its partner', async () => {
  const c = await eddy.client();
  for (const t of ['order_base', 'order_biz']) {
    await c.query(`CREATE TABLE ${t} (${t === 'order_base' ? 'order_id int PRIMARY KEY, customer text, placed date' : 'order_id int PRIMARY KEY, amount numeric(10,2), status text'})
      WITH (connector = 'kafka', topic = '${t}', properties.bootstrap.server = '${broker.bootstrap}') FORMAT UPSERT ENCODE JSON`);
  }
  await c.query(`CREATE MATERIALIZED VIEW order_wide AS SELECT b.order_id, b.customer, z.amount, z.status FROM order_base b LEFT JOIN order_biz z ON z.order_id = b.order_id`);
  await c.query(`CREATE MATERIALIZED VIEW order_paid AS SELECT b.customer, sum(z.amount) AS paid FROM order_base b JOIN order_biz z ON z.order_id = b.order_id WHERE z.status = 'paid' GROUP BY b.customer`);
  const send = (topic: string, rows: object[]): Promise<unknown> => producer.send({ topic, messages: rows.map((r) => ({ key: JSON.stringify({ order_id: (r as { order_id: number }).order_id }), value: JSON.stringify(r) })) });
  const wide = async (): Promise<unknown[]> => { await c.query('FLUSH'); return (await c.query('SELECT order_id, customer, amount, status FROM order_wide ORDER BY order_id')).rows; };
  const until = async (check: () => Promise<boolean>): Promise<void> => {
    const deadline = Date.now() + 30_000;
    while (!(await check())) { expect(Date.now() < deadline, 'the views did not catch up').toBe(true); await new Promise((r) => setTimeout(r, 100)); }
  };
  // the base rows first: the left join shows them without a partner
  await send('order_base', [1, 2, 3].map((id) => ({ order_id: id, customer: id === 2 ? 'bo' : 'al', placed: '2024-05-0' + id })));
  await until(async () => (await wide()).length === 3);
  expect(await wide()).toEqual([1, 2, 3].map((id) => ({ order_id: id, customer: id === 2 ? 'bo' : 'al', amount: null, status: null })));
  // the business rows late and out of order, one updated after its first version
  await send('order_biz', [{ order_id: 3, amount: '30.00', status: 'new' }, { order_id: 1, amount: '10.50', status: 'paid' }]);
  await send('order_biz', [{ order_id: 3, amount: '31.00', status: 'paid' }, { order_id: 2, amount: '5.25', status: 'paid' }]);
  await until(async () => (await wide()).every((r) => (r as { status: string | null }).status === 'paid'));
  expect(await wide()).toEqual([
    { order_id: 1, customer: 'al', amount: '10.50', status: 'paid' },
    { order_id: 2, customer: 'bo', amount: '5.25', status: 'paid' },
    { order_id: 3, customer: 'al', amount: '31.00', status: 'paid' },
  ]);
  expect((await c.query('SELECT customer, paid FROM order_paid ORDER BY customer')).rows).toEqual([{ customer: 'al', paid: '41.50' }, { customer: 'bo', paid: '5.25' }]);
  await c.end();
}, 120_000);

test('INCLUDE key, partition, offset and timestamp add the records\' metadata as columns', async () => {
  await producer.send({ topic: 'meta', messages: [1, 2, 3].map((v) => ({ key: `k${v}`, value: JSON.stringify({ v }), timestamp: String(Date.UTC(2024, 0, v)) })) });
  const c = await eddy.client();
  await c.query(`CREATE SOURCE meta (v int) INCLUDE key AS k INCLUDE partition AS p INCLUDE offset AS o INCLUDE timestamp AS ts
    WITH (connector = 'kafka', topic = 'meta', properties.bootstrap.server = '${broker.bootstrap}') FORMAT PLAIN ENCODE JSON`);
  await c.query("CREATE MATERIALIZED VIEW meta_v AS SELECT v, convert_from(k, 'UTF8') AS k, p, o, ts FROM meta");
  const deadline = Date.now() + 30_000;
  for (;;) {
    await c.query('FLUSH');
    const rows = (await c.query("SELECT v, k, p, o, to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day FROM meta_v ORDER BY v")).rows;
    if (rows.length === 3) {
      expect(rows).toEqual([1, 2, 3].map((v) => ({ v, k: `k${v}`, p: '0', o: String(v - 1), day: `2024-01-0${v}` })));
      break;
    }
    expect(Date.now() < deadline, 'the records did not arrive').toBe(true);
    await new Promise((r) => setTimeout(r, 100));
  }
  const cols = (await c.query("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'meta' ORDER BY ordinal_position")).rows;
  expect(cols.map((r: { column_name: string; data_type: string }) => `${r.column_name} ${r.data_type}`)).toEqual(['v integer', 'k bytea', 'p character varying', 'o character varying', 'ts timestamp with time zone']);
  await c.end();
}, 60_000);

test('a PROCTIME() column of a kafka source holds each record\'s ingestion time', async () => {
  const before = Date.now();
  await producer.send({ topic: 'ptime', messages: [1, 2, 3].map((v) => ({ value: JSON.stringify({ v }) })) });
  const c = await eddy.client();
  await c.query(`CREATE SOURCE ptime (v int, pt TIMESTAMPTZ AS PROCTIME())
    WITH (connector = 'kafka', topic = 'ptime', properties.bootstrap.server = '${broker.bootstrap}') FORMAT PLAIN ENCODE JSON`);
  await c.query("CREATE MATERIALIZED VIEW ptime_v AS SELECT v, extract(epoch FROM pt) * 1000 AS ms FROM ptime");
  const deadline = Date.now() + 30_000;
  for (;;) {
    await c.query('FLUSH');
    const rows = (await c.query('SELECT v, ms FROM ptime_v ORDER BY v')).rows as { v: number; ms: string | null }[];
    if (rows.length === 3) {
      expect(rows.map((r) => r.v)).toEqual([1, 2, 3]);
      for (const r of rows) expect(Number(r.ms)).toBeGreaterThanOrEqual(before - 1);
      for (const r of rows) expect(Number(r.ms)).toBeLessThanOrEqual(Date.now());
      break;
    }
    expect(Date.now() < deadline, 'the records did not arrive').toBe(true);
    await new Promise((r) => setTimeout(r, 100));
  }
  await c.end();
}, 60_000);

test.each(['upsert', 'debezium'] as const)('a FORMAT %s kafka sink: the topic, replayed by key, equals the view', async (format) => {
  const c = await eddy.client();
  const table = `sink_src_${format}`;
  await c.query(`CREATE TABLE ${table} (id int PRIMARY KEY, grp int, v int)`);
  await c.query(`INSERT INTO ${table} SELECT g, g % 7, g FROM generate_series(1, 200) g`);
  await c.query(`CREATE MATERIALIZED VIEW ${table}_agg AS SELECT grp, count(*) AS n, sum(v) AS total FROM ${table} GROUP BY grp`);
  // an aggregate changes its rows: a plain (append-only) sink must be asked for explicitly, a keyed one needs its key
  await expect(c.query(`CREATE SINK bad_plain FROM ${table}_agg WITH (connector = 'kafka', topic = 'x', properties.bootstrap.server = '${broker.bootstrap}') FORMAT PLAIN ENCODE JSON`)).rejects.toMatchObject({ code: '22023' });
  await expect(c.query(`CREATE SINK bad_key FROM ${table}_agg WITH (connector = 'kafka', topic = 'x', properties.bootstrap.server = '${broker.bootstrap}', primary_key = 'nope') FORMAT UPSERT ENCODE JSON`)).rejects.toMatchObject({ code: '42703' });
  await c.query(`CREATE SINK ${table}_out FROM ${table}_agg WITH (connector = 'kafka', topic = '${table}_out', properties.bootstrap.server = '${broker.bootstrap}', primary_key = 'grp') FORMAT ${format.toUpperCase()} ENCODE JSON`);
  const r = mulberry32(format === 'upsert' ? 21 : 22);
  for (let i = 0; i < 60; i++) {
    const id = 1 + Math.floor(r() * 250);
    if (r() < 0.3) await c.query(`DELETE FROM ${table} WHERE id = $1`, [id]);
    else await c.query(`INSERT INTO ${table} VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET grp = excluded.grp, v = excluded.v`, [id, Math.floor(r() * 9), Math.floor(r() * 1000)]);
  }
  await c.query('FLUSH');
  const want = (await c.query(`SELECT grp, n::int AS n, total::int AS total FROM ${table}_agg ORDER BY grp`)).rows as { grp: number; n: number; total: number }[];
  // replay the topic by key: the latest value of each key; a tombstone or a delete removes it
  const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `replay-${format}` });
  await consumer.connect();
  await consumer.subscribe({ topic: `${table}_out`, fromBeginning: true });
  const state = new Map<string, { grp: number; n: number; total: number }>();
  let seen = 0;
  void consumer.run({
    eachMessage: async ({ message }) => {
      seen++;
      const key = message.key!.toString();
      const value = message.value === null ? null : JSON.parse(message.value.toString()) as Record<string, unknown>;
      const row = format === 'upsert' ? value : (value?.['after'] as Record<string, unknown> | null);
      if (row) state.set(key, row as { grp: number; n: number; total: number }); else state.delete(key);
    },
  });
  const deadline = Date.now() + 30_000;
  const current = (): unknown[] => [...state.values()].map((x) => ({ grp: Number(x.grp), n: Number(x.n), total: Number(x.total) })).sort((a, b) => a.grp - b.grp);
  while (JSON.stringify(current()) !== JSON.stringify(want)) {
    expect(Date.now() < deadline, `the sink topic (${seen} messages) did not converge to the view`).toBe(true);
    await new Promise((res) => setTimeout(res, 100));
  }
  expect(current()).toEqual(want);
  await consumer.disconnect();
  await c.query(`DROP SINK ${table}_out`);
  await c.end();
}, 90_000);

test("scan.startup.mode = 'timestamp' starts each partition at the first record at or after the time", async () => {
  await producer.send({ topic: 'timed', messages: [1, 2, 3, 4].map((v) => ({ value: JSON.stringify({ v }), timestamp: String(Date.UTC(2024, 0, v)) })) });
  const c = await eddy.client();
  await expect(c.query(`CREATE SOURCE bad_timed (v int) WITH (connector = 'kafka', topic = 'timed', properties.bootstrap.server = '${broker.bootstrap}', scan.startup.mode = 'timestamp')`))
    .rejects.toMatchObject({ code: '22023' });
  await c.query(`CREATE SOURCE timed (v int) WITH (connector = 'kafka', topic = 'timed', properties.bootstrap.server = '${broker.bootstrap}',
    scan.startup.mode = 'timestamp', scan.startup.timestamp.millis = '${Date.UTC(2024, 0, 3)}') FORMAT PLAIN ENCODE JSON`);
  await c.query('CREATE MATERIALIZED VIEW timed_v AS SELECT count(*) AS n, min(v) AS lo, max(v) AS hi FROM timed');
  const deadline = Date.now() + 30_000;
  for (;;) {
    await c.query('FLUSH');
    const r = (await c.query('SELECT n, lo, hi FROM timed_v')).rows[0] as { n: string; lo: number; hi: number };
    if (r.n === '2') { expect(r).toEqual({ n: '2', lo: 3, hi: 4 }); break; }
    expect(Number(r.n) <= 2 && Date.now() < deadline, `unexpected ${JSON.stringify(r)}`).toBe(true);
    await new Promise((res) => setTimeout(res, 100));
  }
  await c.end();
}, 60_000);

/** polls `sql` (after FLUSH) until it returns `n` rows; returns them */
async function rowsWhen(c: Awaited<ReturnType<EddyServer['client']>>, sql: string, n: number, timeoutMs = 30_000): Promise<Record<string, unknown>[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await c.query('FLUSH');
    const rows = (await c.query(sql)).rows as Record<string, unknown>[];
    if (rows.length >= n) return rows;
    expect(Date.now() < deadline, `only ${rows.length} of ${n} rows from ${sql}`).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('ENCODE CSV with a header, INCLUDE header, properties.* passed to the client, jsonb keeping the raw object', async () => {
  const c = await eddy.client();
  const opts = `connector = 'kafka', topic = 'csv', properties.bootstrap.server = '${broker.bootstrap}'`;
  // properties the client has no setting for, or invalid values, fail at CREATE with 22023
  await expect(c.query(`CREATE SOURCE bad_props (v int) WITH (${opts}, properties.linger.mss = '5') FORMAT PLAIN ENCODE CSV`)).rejects.toMatchObject({ code: '22023', message: expect.stringMatching(/unsupported Kafka client property/) });
  await expect(c.query(`CREATE SOURCE bad_props (v int) WITH (${opts}, properties.fetch.max.bytes = 'x') FORMAT PLAIN ENCODE CSV`)).rejects.toMatchObject({ code: '22023' });
  await expect(c.query(`CREATE SOURCE bad_csv (v int) WITH (${opts}) FORMAT PLAIN ENCODE CSV (delimiter = ';;')`)).rejects.toMatchObject({ code: '22023' });
  await expect(c.query(`CREATE SOURCE bad_enc (v int) WITH (${opts}) FORMAT PLAIN ENCODE XML`)).rejects.toMatchObject({ code: '0A000' });
  await producer.send({ topic: 'csv', messages: [
    { value: 'name|id|score', headers: { trace: 't0' } },
    { value: '"a|b"|1|2.5\nc|2|', headers: { trace: 't1', tenant: 'acme' } },
    { value: 'x|not-a-number|1' },
    { value: 'd|3|4', headers: { tenant: 'zeta' } },
  ] });
  await c.query(`CREATE SOURCE csv (id int, name text, score float8) INCLUDE header AS hdrs INCLUDE header 'tenant' varchar AS tenant INCLUDE header 'trace' AS trace
    WITH (${opts}, properties.client.id = 'eddy-csv-test', properties.fetch.max.bytes = '1048576', properties.session.timeout.ms = '30000')
    FORMAT PLAIN ENCODE CSV (without_header = 'false', delimiter = '|')`);
  await c.query('CREATE MATERIALIZED VIEW csv_v AS SELECT id, name, score, hdrs, tenant, convert_from(trace, \'UTF8\') AS trace FROM csv');
  const rows = await rowsWhen(c, 'SELECT * FROM csv_v ORDER BY id', 3);
  expect(rows).toEqual([
    { id: 1, name: 'a|b', score: 2.5, hdrs: { trace: 't1', tenant: 'acme' }, tenant: 'acme', trace: 't1' },
    { id: 2, name: 'c', score: null, hdrs: { trace: 't1', tenant: 'acme' }, tenant: 'acme', trace: 't1' },
    { id: 3, name: 'd', score: 4, hdrs: { tenant: 'zeta' }, tenant: 'zeta', trace: null },
  ]);
  // the record that does not convert is logged; the header record is not an error
  const errs = (await c.query("SELECT \"offset\", reason FROM eddy_source_errors WHERE source = 'csv'")).rows;
  expect(errs).toEqual([{ offset: '2', reason: expect.stringMatching(/field "id"/) }]);

  // a jsonb column keeps the field's JSON (nested objects and numbers as jsonb, not text)
  await producer.send({ topic: 'docs', messages: [{ value: JSON.stringify({ id: 1, doc: { city: 'Oslo', tags: ['a', 'b'], n: 1.5 } }) }] });
  await c.query(`CREATE SOURCE docs (id int, doc jsonb) WITH (connector = 'kafka', topic = 'docs', properties.bootstrap.server = '${broker.bootstrap}') FORMAT PLAIN ENCODE JSON`);
  await c.query("CREATE MATERIALIZED VIEW docs_v AS SELECT id, doc->>'city' AS city, jsonb_array_length(doc->'tags') AS tags, (doc->'n')::numeric * 2 AS n2, jsonb_typeof(doc->'n') AS t FROM docs");
  expect(await rowsWhen(c, 'SELECT * FROM docs_v', 1)).toEqual([{ id: 1, city: 'Oslo', tags: 2, n2: '3.0', t: 'number' }]);
  await c.end();
}, 90_000);

test('ALTER SOURCE ... RESET TO re-reads from a new position; dependent views follow; a keyed table is rebuilt', async () => {
  const c = await eddy.client();
  const day = (d: number) => Date.UTC(2024, 0, d);
  await producer.send({ topic: 'fix', messages: [1, 2, 3, 4, 5].map((v) => ({ value: JSON.stringify({ v }), timestamp: String(day(v)) })) });
  await c.query(`CREATE SOURCE fix (v int) WITH (connector = 'kafka', topic = 'fix', properties.bootstrap.server = '${broker.bootstrap}') FORMAT PLAIN ENCODE JSON`);
  await c.query('CREATE MATERIALIZED VIEW fix_v AS SELECT count(*) AS n, sum(v) AS s FROM fix');
  const viewIs = async (n: string, sum: string) => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      await c.query('FLUSH');
      const r = (await c.query('SELECT n, s FROM fix_v')).rows[0] as { n: string; s: string | null };
      if (r.n === n && r.s === sum) return;
      expect(Date.now() < deadline, `fix_v is ${JSON.stringify(r)}, not n=${n} s=${sum}`).toBe(true);
      await new Promise((res) => setTimeout(res, 100));
    }
  };
  await viewIs('5', '15');
  // from the third day on: the view holds exactly those records (3 + 4 + 5)
  await c.query(`ALTER SOURCE fix RESET TO (scan.startup.mode = 'timestamp', scan.startup.timestamp.millis = '${day(3)}')`);
  await viewIs('3', '12');
  await producer.send({ topic: 'fix', messages: [{ value: JSON.stringify({ v: 6 }), timestamp: String(day(6)) }] });
  await viewIs('4', '18');
  // and back to the beginning: all six, none twice
  await c.query("ALTER SOURCE fix RESET TO (scan.startup.mode = 'earliest')");
  await viewIs('6', '21');
  expect((await c.query("SELECT ingested_offset FROM eddy_sources WHERE name = 'fix'")).rows[0].ingested_offset).toBe('6');

  // a primary-keyed changelog table: emptied and rebuilt from the topic, its view along
  const kv = (k: number, v: number | null) => ({ key: JSON.stringify({ k }), value: v === null ? null : JSON.stringify({ k, v }) });
  await producer.send({ topic: 'fixkv', messages: [kv(1, 10), kv(2, 20), kv(1, 11), kv(3, 30), kv(2, null)] });
  await c.query(`CREATE TABLE fixkv (k int PRIMARY KEY, v int) WITH (connector = 'kafka', topic = 'fixkv', properties.bootstrap.server = '${broker.bootstrap}') FORMAT UPSERT ENCODE JSON`);
  await c.query('CREATE MATERIALIZED VIEW fixkv_v AS SELECT count(*) AS n, sum(v) AS s FROM fixkv');
  const kvIs = async (rows: { k: number; v: number }[]) => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      await c.query('FLUSH');
      const got = (await c.query('SELECT k, v FROM fixkv ORDER BY k')).rows;
      const view = (await c.query('SELECT n, s FROM fixkv_v')).rows[0];
      const want = { n: String(rows.length), s: rows.length ? String(rows.reduce((a, r) => a + r.v, 0)) : null };
      if (JSON.stringify(got) === JSON.stringify(rows) && JSON.stringify(view) === JSON.stringify(want)) return;
      expect(Date.now() < deadline, `fixkv is ${JSON.stringify(got)} / ${JSON.stringify(view)}`).toBe(true);
      await new Promise((res) => setTimeout(res, 100));
    }
  };
  await kvIs([{ k: 1, v: 11 }, { k: 3, v: 30 }]);
  // a row written meanwhile by hand is not in the topic: the reset (a rebuild from the topic) drops it
  await c.query('INSERT INTO fixkv VALUES (9, 90)');
  await c.query("ALTER TABLE fixkv RESET TO (scan.startup.mode = 'earliest')");
  await kvIs([{ k: 1, v: 11 }, { k: 3, v: 30 }]);

  await expect(c.query("ALTER SOURCE nope RESET TO (scan.startup.mode = 'earliest')")).rejects.toMatchObject({ code: '42P01' });
  await c.query('CREATE TABLE plain_t (a int)');
  await expect(c.query("ALTER TABLE plain_t RESET TO (scan.startup.mode = 'earliest')")).rejects.toMatchObject({ code: '42809' });
  await expect(c.query("ALTER SOURCE fix RESET TO (scan.startup.mode = 'sometime')")).rejects.toMatchObject({ code: '22023' });
  await expect(c.query("ALTER SOURCE fix RESET TO (topic = 'other')")).rejects.toMatchObject({ code: '22023' });
  await c.end();
}, 120_000);

test('generated columns expose nested JSON fields (`city varchar AS doc->\'address\'->>\'city\'`) computed at ingestion', async () => {
  const people = [
    { id: 1, doc: { name: 'ann', age: 31, address: { city: 'Oslo' } } },
    { id: 2, doc: { name: 'bob', age: 40, address: { city: 'Bergen' } } },
    // a top-level "city" in the payload is not read: the column is computed from doc
    { id: 3, doc: { name: 'cid', age: 25, address: { city: 'Oslo' } }, city: 'Trondheim' },
    { id: 4, doc: { name: 'dag', age: 52 } },
    // the generation expression fails ((doc->>'age')::int of 'old'): the record is an error, counted and skipped
    { id: 5, doc: { name: 'eve', age: 'old', address: { city: 'Oslo' } } },
    { id: 6, doc: { name: 'fay', age: 19, address: { city: 'Bergen', zip: '5003' } } },
  ];
  await producer.send({ topic: 'people', messages: people.map((p) => ({ value: JSON.stringify(p) })) });
  const c = await eddy.client();
  const opts = `connector = 'kafka', topic = 'people', properties.bootstrap.server = '${broker.bootstrap}', scan.startup.mode = 'earliest'`;
  await c.query(`CREATE SOURCE people (id int, doc jsonb, city varchar AS doc->'address'->>'city', age int AS (doc->>'age')::int) WITH (${opts}) FORMAT PLAIN ENCODE JSON`);
  await c.query('CREATE MATERIALIZED VIEW people_by_city AS SELECT city, count(*) AS n, sum(age) AS ages FROM people GROUP BY city');
  // the same topic into a table: the generated values are stored with the rows
  await c.query(`CREATE TABLE people_t (id int PRIMARY KEY, doc jsonb, city varchar AS doc->'address'->>'city') WITH (${opts}) FORMAT PLAIN ENCODE JSON`);
  await rowsWhen(c, 'SELECT sum(n) FROM people_by_city HAVING sum(n) = 5', 1);
  const byCity = (await c.query('SELECT city, n, ages FROM people_by_city ORDER BY city NULLS LAST')).rows;
  expect(byCity).toEqual([{ city: 'Bergen', n: '2', ages: '59' }, { city: 'Oslo', n: '2', ages: '56' }, { city: null, n: '1', ages: '52' }]);
  const stored = await rowsWhen(c, 'SELECT id, city FROM people_t ORDER BY id', 6);
  expect(stored).toEqual([1, 2, 3, 4, 5, 6].map((id) => ({ id, city: [null, 'Oslo', 'Bergen', 'Oslo', null, 'Oslo', 'Bergen'][id] })));
  const errs = (await c.query("SELECT \"offset\", reason FROM eddy_source_errors WHERE source = 'people'")).rows;
  expect(errs).toEqual([{ offset: '4', reason: expect.stringMatching(/invalid input syntax for type integer: "old"/) }]);
  const cols = (await c.query("SELECT column_name, is_generated FROM information_schema.columns WHERE table_name = 'people' ORDER BY ordinal_position")).rows;
  expect(cols.map((r: { column_name: string; is_generated: string }) => `${r.column_name} ${r.is_generated}`)).toEqual(['id NEVER', 'doc NEVER', 'city ALWAYS', 'age ALWAYS']);
  // as in any table, an INSERT cannot set the generated column
  await expect(c.query(`INSERT INTO people_t VALUES (7, '{}', 'x')`)).rejects.toMatchObject({ code: '428C9' });
  await c.end();
}, 90_000);

test('a reader stopped while it is still starting reads nothing afterwards (no consumer left behind)', async () => {
  await producer.send({ topic: 'stopping', messages: [1, 2, 3].map((v) => ({ value: JSON.stringify({ v }) })) });
  const opts = kafkaOptions({ topic: 'stopping', 'properties.bootstrap.server': broker.bootstrap });
  // stopped at once, and stopped after each step of its start: a catalog change restarts readers at any moment
  for (const delayMs of [0, 20, 100, 300]) {
    const reader = new KafkaSourceReader(opts, `stop-test-${delayMs}-${Date.now()}`, new Map());
    const starting = reader.start();
    await new Promise((r) => setTimeout(r, delayMs));
    await reader.stop();
    await starting;
    await producer.send({ topic: 'stopping', messages: [{ value: JSON.stringify({ v: 4 }) }] });
    await new Promise((r) => setTimeout(r, 1500));
    expect(reader.drain(1000), `stopped after ${delayMs} ms`).toEqual([]);
    expect((reader as unknown as { consumer: unknown }).consumer, `stopped after ${delayMs} ms`).toBeNull();
  }
}, 60_000);
