// Kafka sources under stress, against a broker and an Eddy of their own (so this file runs beside
// kafka.test.ts): a million JSON records ingested exactly once while Eddy is killed with SIGKILL at
// random points and restarted on its data directory, the views' counts and sums exact at the end;
// and a topic that gains partitions while a source reads it (and while Eddy is down): the new
// partitions are read from their first record, also by a source that started at 'latest', and
// after kill -9 every partition resumes at its stored offset.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { CompressionTypes, Kafka, logLevel, type Admin, type Message, type Producer } from 'kafkajs';
import type pg from 'pg';
import { startEddy, type EddyServer } from '../harness/server.js';
import { startKafka, type KafkaBroker } from '../harness/kafka.js';
import { mulberry32 } from '../harness/prng.js';

let broker: KafkaBroker;
let eddy: EddyServer;
let kafka: Kafka;
let admin: Admin;

beforeAll(async () => {
  [broker, eddy] = await Promise.all([startKafka(), startEddy({ startTimeoutMs: 60_000 })]);
  kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  admin = kafka.admin();
  await admin.connect();
}, 900_000);
afterAll(async () => { await admin?.disconnect(); await eddy?.stop(); await broker?.stop(); });

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * An idempotent producer: a send the client retries (a partition's leader not there yet, after
 * the topic grew) is not written twice, so the topic holds each record once and the views can be
 * held to exactly what was sent.
 */
async function newProducer(): Promise<Producer> {
  const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  return producer;
}

/** the random seed of this run (EDDY_KAFKA_SEED replays one): record values, partitions, kill delays */
const SEED = Number(process.env['EDDY_KAFKA_SEED'] ?? Date.now() % 1_000_000);

async function withClient<T>(f: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = await eddy.client();
  try { return await f(c); } finally { await c.end(); }
}

/** the source's partitions as Eddy reports them, for failure messages */
async function progress(source: string): Promise<string> {
  try {
    return await withClient(async (c) => JSON.stringify((await c.query('SELECT partition, next_offset, high_watermark, lag FROM eddy_source_partitions WHERE source = $1 ORDER BY partition', [source])).rows));
  } catch (e) {
    return String(e);
  }
}

async function ingested(c: pg.Client, source: string): Promise<number> {
  return Number((await c.query('SELECT ingested_offset AS n FROM eddy_sources WHERE name = $1', [source])).rows[0]?.n ?? 0);
}

/** polls `read` (after a FLUSH) until it equals `want`; then asserts it does (a readable diff when it never did) */
async function eventually(read: (c: pg.Client) => Promise<unknown>, want: unknown, timeoutMs: number, what: string): Promise<void> {
  await withClient(async (c) => {
    const deadline = Date.now() + timeoutMs;
    let got: unknown;
    for (;;) {
      await c.query('FLUSH');
      got = await read(c);
      if (JSON.stringify(got) === JSON.stringify(want) || Date.now() > deadline) break;
      await sleep(200);
    }
    expect(got, `${what} (seed ${SEED})\n${eddy.output().stderr.slice(-2000)}`).toEqual(want);
  });
}

test('a million records, produced while Eddy is killed with SIGKILL at random points, are ingested exactly once', async () => {
  const TOTAL = 1_000_000;
  const PARTITIONS = 6;
  const BATCH = 25_000;
  const GROUPS = 16;
  /** kills while ingesting (and a third as many soon after a restart) */
  const KILLS = 12;
  await admin.createTopics({ topics: [{ topic: 'big', numPartitions: PARTITIONS }], waitForLeaders: true });
  await withClient(async (c) => {
    await c.query(`CREATE SOURCE big (id bigint, g int, v int) WITH (connector = 'kafka', topic = 'big',
      properties.bootstrap.server = '${broker.bootstrap}', scan.startup.mode = 'earliest') FORMAT PLAIN ENCODE JSON`);
    await c.query('CREATE MATERIALIZED VIEW big_totals AS SELECT count(*) AS n, count(DISTINCT id) AS d, sum(v) AS s, sum(id) AS ids FROM big');
    await c.query('CREATE MATERIALIZED VIEW big_by_g AS SELECT g, count(*) AS n, sum(v) AS s FROM big GROUP BY g');
  });

  // the kills: KILLS once the restarted process is ingesting (it has made progress; then a random
  // delay), and every fourth time one soon after a restart instead (the reader joining its group,
  // seeking to the stored offsets)
  const CYCLES = KILLS + Math.floor(KILLS / 3);
  // Eddy ingests ~100k records/s while up: were the million produced at once, the first few
  // restarts would ingest most of it and leave nothing for the later kills to interrupt. So the
  // producer starts LEAD records ahead and then gets a step more after each restart.
  const LEAD = 300_000;
  const STEP = Math.ceil((TOTAL - LEAD) / CYCLES);
  let allowed = LEAD;
  /** set when the test fails before the producer is done: it stops */
  let abandoned = false;

  // what was produced, as the views should count it
  const want = { n: 0, s: 0, ids: 0, byG: Array.from({ length: GROUPS }, () => ({ n: 0, s: 0 })) };
  const rnd = mulberry32(SEED);
  const producer = await newProducer();
  const started = Date.now();
  let produced = 0;
  // records in batches, each to a random partition, concurrently with ingestion and the kills
  const producing = (async () => {
    for (let id = 1; id <= TOTAL;) {
      const n = Math.min(BATCH, TOTAL - id + 1);
      while (produced + n > allowed) {
        if (abandoned) return -1;
        await sleep(10);
      }
      const messages: Message[] = [];
      for (const end = id + n; id < end; id++) {
        const g = Math.floor(rnd() * GROUPS);
        const v = Math.floor(rnd() * 1000);
        want.n++; want.s += v; want.ids += id;
        want.byG[g]!.n++; want.byG[g]!.s += v;
        messages.push({ partition: Math.floor(rnd() * PARTITIONS), value: `{"id":${id},"g":${g},"v":${v}}` });
      }
      await producer.send({ topic: 'big', messages, compression: CompressionTypes.None });
      produced += messages.length;
    }
    return Date.now() - started;
  })();
  producing.catch(() => undefined);

  const killRnd = mulberry32(SEED ^ 0x5eed);
  /** per kill: soon after a restart or while ingesting, records ingested as last seen before it, and produced by then */
  const kills: { early: boolean; ingested: number; produced: number }[] = [];
  try {
    for (let k = 0; kills.filter((x) => !x.early).length < KILLS; k++) {
      const early = k % 4 === 3;
      const c = await eddy.client();
      if (early) {
        await sleep(Math.floor(killRnd() * 300));
        kills.push({ early, ingested: -1, produced });
      } else {
        const before = await ingested(c, 'big');
        const deadline = Date.now() + 60_000;
        let n = before;
        while (n === before) {
          if (Date.now() > deadline) expect.fail(`no progress after ${k} kills (seed ${SEED}; killed at ${JSON.stringify(kills)}): ${await progress('big')}\n${eddy.output().stderr.slice(-2000)}`);
          await sleep(10);
          n = await ingested(c, 'big');
        }
        kills.push({ early, ingested: n, produced });
        await sleep(Math.floor(killRnd() * 200));
      }
      await eddy.kill();
      await c.end().catch(() => undefined);
      await eddy.restart();
      allowed = Math.min(TOTAL, allowed + STEP);
    }
  } catch (e) {
    abandoned = true;
    throw e;
  }
  // the kills after progress came while records were waiting to be ingested
  const report = kills.map((k) => (k.early ? 'early' : `${k.ingested}/${k.produced}`)).join(', ');
  expect(kills.every((k) => k.early || k.ingested < k.produced), `kills at (ingested/produced): ${report}`).toBe(true);
  allowed = TOTAL;
  const produceMs = await producing;
  await producer.disconnect();
  expect(produced).toBe(TOTAL);

  await withClient(async (c) => {
    const deadline = Date.now() + 240_000;
    for (;;) {
      const n = await ingested(c, 'big');
      if (n >= TOTAL) break;
      if (Date.now() > deadline) expect.fail(`only ${n} of ${TOTAL} records ingested (seed ${SEED}): ${await progress('big')}\n${eddy.output().stderr.slice(-2000)}`);
      await sleep(200);
    }
    await c.query('FLUSH');
    // none lost, none twice: the counts and sums equal what was produced, every id once
    expect((await c.query('SELECT n, d, s, ids FROM big_totals')).rows, `seed ${SEED}`).toEqual([{ n: String(want.n), d: String(want.n), s: String(want.s), ids: String(want.ids) }]);
    expect((await c.query('SELECT g, n, s FROM big_by_g ORDER BY g')).rows, `seed ${SEED}`)
      .toEqual(want.byG.map((x, g) => ({ g, n: String(x.n), s: String(x.s) })).filter((x) => x.n !== '0'));
    expect(await ingested(c, 'big')).toBe(TOTAL);
    const parts = (await c.query("SELECT partition, next_offset, lag FROM eddy_source_partitions WHERE source = 'big' ORDER BY partition")).rows as { partition: number; next_offset: string; lag: string | null }[];
    expect(parts.map((p) => p.partition)).toEqual([...Array(PARTITIONS).keys()]);
    expect(parts.reduce((n, p) => n + Number(p.next_offset), 0)).toBe(TOTAL);
  });
  console.log(`1M records: produced in ${(produceMs / 1000).toFixed(1)} s, all ingested after ${((Date.now() - started) / 1000).toFixed(1)} s; ${kills.length} kills at ${report} records ingested/produced (seed ${SEED})`);
}, 600_000);

test('a topic that gains partitions while sources read it: the new ones are read from their start, exactly once, also across kill -9', async () => {
  const topic = 'grow';
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  let producer = await newProducer();
  let nextId = 1;
  /** per source, per partition: count, sum of ids */
  const want = { grow_e: new Map<number, { n: number; s: number }>(), grow_l: new Map<number, { n: number; s: number }>() };
  const produce = async (perPartition: Record<number, number>, forLatest = true): Promise<void> => {
    const messages: Message[] = [];
    for (const [p, n] of Object.entries(perPartition)) {
      for (let i = 0; i < n; i++) {
        const id = nextId++;
        messages.push({ partition: Number(p), value: JSON.stringify({ id }) });
        for (const [src, m] of Object.entries(want)) {
          if (src === 'grow_l' && !forLatest) continue;
          const w = m.get(Number(p)) ?? { n: 0, s: 0 };
          w.n++; w.s += id;
          m.set(Number(p), w);
        }
      }
    }
    await producer.send({ topic, messages });
  };
  const viewRows = (src: 'grow_e' | 'grow_l') => async (c: pg.Client): Promise<unknown> => ({
    view: (await c.query(`SELECT p::int AS p, n::int AS n, d::int AS d, s::int AS s FROM ${src}_v ORDER BY p::int`)).rows,
    partitions: (await c.query('SELECT partition, next_offset::int AS next, lag::int AS lag FROM eddy_source_partitions WHERE source = $1 ORDER BY partition', [src])).rows,
    ingested: await ingested(c, src),
  });
  const expected = (src: 'grow_e' | 'grow_l', offsets: Map<number, number>): unknown => ({
    view: [...want[src]].sort((a, b) => a[0] - b[0]).map(([p, w]) => ({ p, n: w.n, d: w.n, s: w.s })),
    partitions: [...offsets].sort((a, b) => a[0] - b[0]).map(([partition, next]) => ({ partition, next, lag: 0 })),
    ingested: [...want[src].values()].reduce((n, w) => n + w.n, 0),
  });
  /** per partition, the broker's next offset */
  const offsets = async (): Promise<Map<number, number>> => new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]));
  const check = async (what: string): Promise<void> => {
    const high = await offsets();
    await eventually(viewRows('grow_e'), expected('grow_e', high), 60_000, `${what}: the 'earliest' source`);
    await eventually(viewRows('grow_l'), expected('grow_l', high), 60_000, `${what}: the 'latest' source`);
  };

  // records before the sources: the 'earliest' one reads them, the 'latest' one does not
  await produce({ 0: 50 }, false);
  await withClient(async (c) => {
    for (const [src, mode] of [['grow_e', 'earliest'], ['grow_l', 'latest']] as const) {
      await c.query(`CREATE SOURCE ${src} (id int) INCLUDE partition AS p WITH (connector = 'kafka', topic = '${topic}',
        properties.bootstrap.server = '${broker.bootstrap}', scan.startup.mode = '${mode}') FORMAT PLAIN ENCODE JSON`);
      await c.query(`CREATE MATERIALIZED VIEW ${src}_v AS SELECT p, count(*) AS n, count(DISTINCT id) AS d, sum(id) AS s FROM ${src} GROUP BY p`);
    }
    // the 'latest' source has started (its starting offset is stored) before more records come
    const deadline = Date.now() + 30_000;
    while ((await c.query("SELECT 1 FROM eddy_source_partitions WHERE source = 'grow_l'")).rows.length === 0) {
      expect(Date.now() < deadline, "the 'latest' source did not start").toBe(true);
      await sleep(100);
    }
  });
  // killed before it ingested anything: the 'latest' source still reads the records that arrive
  // while Eddy is down (its starting offset was stored), the 'earliest' one everything
  await eddy.kill();
  await produce({ 0: 200 });
  await eddy.restart();
  await check('one partition');

  // three more partitions; records into the new ones and the old one, at once (before the
  // sources can have noticed the new partitions)
  await admin.createPartitions({ topicPartitions: [{ topic, count: 4 }] });
  await producer.disconnect();
  producer = await newProducer();
  await produce({ 0: 100, 1: 150, 2: 120, 3: 90 });
  const grewAt = Date.now();
  await check('after the topic grew to four partitions');
  const noticedMs = Date.now() - grewAt;

  // kill -9: every partition resumes at its stored offset; records arrive meanwhile, also into
  // partitions added while Eddy is down
  await eddy.kill();
  await produce({ 0: 30, 1: 40, 2: 50, 3: 60 });
  await admin.createPartitions({ topicPartitions: [{ topic, count: 6 }] });
  await producer.disconnect();
  producer = await newProducer();
  await produce({ 4: 70, 5: 80, 1: 10 });
  await eddy.restart();
  await check('after kill -9 and two partitions more while down');

  // and once more with records arriving in every partition while Eddy dies and restarts
  const sending = produce({ 0: 500, 1: 500, 2: 500, 3: 500, 4: 500, 5: 500 });
  await sleep(50);
  await eddy.kill();
  await sending;
  await eddy.restart();
  await check('after a kill -9 while records arrived');
  await producer.disconnect();
  console.log(`new partitions were read ${(noticedMs / 1000).toFixed(1)} s after they appeared`);
}, 300_000);

test('a kafka sink resumes after kill -9 without losing a change: the topic, replayed by key, equals the view', async () => {
  const rnd = mulberry32(SEED ^ 0x51c);
  await withClient(async (c) => {
    await c.query('CREATE TABLE sunk (id int PRIMARY KEY, grp int, v int)');
    await c.query('INSERT INTO sunk SELECT g, g % 11, g FROM generate_series(1, 500) g');
    await c.query('CREATE MATERIALIZED VIEW sunk_agg AS SELECT grp, count(*) AS n, sum(v) AS total FROM sunk GROUP BY grp');
    await c.query(`CREATE SINK sunk_out FROM sunk_agg WITH (connector = 'kafka', topic = 'sunk_out', properties.bootstrap.server = '${broker.bootstrap}', primary_key = 'grp') FORMAT UPSERT ENCODE JSON`);
  });
  // writers change the table while Eddy is killed at random moments and restarted
  for (let round = 0; round < 6; round++) {
    const writing = withClient(async (c) => {
      for (let i = 0; i < 200; i++) {
        const id = 1 + Math.floor(rnd() * 600);
        if (rnd() < 0.3) await c.query('DELETE FROM sunk WHERE id = $1', [id]);
        else await c.query('INSERT INTO sunk VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET grp = excluded.grp, v = excluded.v', [id, Math.floor(rnd() * 13), Math.floor(rnd() * 1000)]);
      }
    }).catch(() => undefined); // the connection dies with the server: the writes up to then committed or not
    await sleep(50 + Math.floor(rnd() * 300));
    await eddy.kill();
    await writing;
    await eddy.restart();
  }
  const want = await withClient(async (c) => {
    await c.query('FLUSH');
    return (await c.query('SELECT grp, n::int AS n, total::int AS total FROM sunk_agg ORDER BY grp')).rows as { grp: number; n: number; total: number }[];
  });
  // the topic, replayed by key: the latest value of each key, a tombstone removes it
  const consumer = kafka.consumer({ groupId: `sunk-replay-${SEED}` });
  await consumer.connect();
  await consumer.subscribe({ topic: 'sunk_out', fromBeginning: true });
  const state = new Map<string, { grp: number; n: number; total: number }>();
  void consumer.run({
    eachMessage: async ({ message }) => {
      const key = message.key!.toString();
      if (message.value === null) state.delete(key);
      else state.set(key, JSON.parse(message.value.toString()) as { grp: number; n: number; total: number });
    },
  });
  const current = (): unknown[] => [...state.values()].map((x) => ({ grp: Number(x.grp), n: Number(x.n), total: Number(x.total) })).sort((a, b) => a.grp - b.grp);
  const deadline = Date.now() + 60_000;
  while (JSON.stringify(current()) !== JSON.stringify(want)) {
    if (Date.now() > deadline) expect(current(), `seed ${SEED}`).toEqual(want);
    await sleep(100);
  }
  await consumer.disconnect();
}, 300_000);
