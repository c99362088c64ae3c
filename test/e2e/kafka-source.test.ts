// Kafka sources against a real broker (KRaft, test/harness/kafka.ts): JSON records from a
// three-partition topic feed a materialized view that equals the records produced; undecodable
// records are counted and skipped without losing the good ones around them; and ingestion is
// exactly once across kill -9: offsets are stored in the commit of the rows they produced.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { startEddy, type EddyServer } from '../harness/server.js';
import { startKafka, type KafkaBroker } from '../harness/kafka.js';
import { mulberry32 } from '../harness/prng.js';

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
  await waitFor(2000);
  await viewMatches();
  expect((await c.query("SELECT bad_records FROM eddy_sources WHERE name = 'orders'")).rows).toEqual([{ bad_records: '3' }]);
  await c.end();
}, 180_000);

test('ingestion is exactly once across kill -9 while records arrive', async () => {
  for (let round = 0; round < 4; round++) {
    const producing = produce(3000);
    await new Promise((r) => setTimeout(r, 150 + round * 100));
    await eddy.kill();
    await producing;
    await eddy.restart();
  }
  await waitFor(expected.size);
  await viewMatches();
  const c = await eddy.client();
  // exactly the produced records: none lost, none twice
  expect((await c.query('SELECT n, d FROM order_ids')).rows).toEqual([{ n: String(expected.size), d: String(expected.size) }]);
  await c.end();
}, 300_000);
