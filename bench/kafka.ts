// Kafka (JSON) into an aggregate materialized view: a real broker on the same machine (the test
// harness's KRaft broker), --events JSON records produced into a topic of --partitions
// partitions beforehand, then a source and a GROUP BY view created; events/s = records / time
// until the view has consumed them all. One Eddy process (one JavaScript thread reads, decodes,
// ingests and maintains), so this is per core; the broker runs beside it on the other core.
// Compared with RisingWave's Kafka-based per-core figure for a passthrough/aggregate (q0: 118k).
// Usage: npm run bench:kafka [-- --events 1000000 --partitions 4 --repeat 3] (the median of the runs, each a fresh server over the same topic)
import { parseArgs } from 'node:util';
import { startEddy } from '../test/harness/server.js';
import { startKafka, topicProducer } from '../test/harness/kafka.js';
import { anonRssMb, cpuSeconds, machineLine, peakRssMb, publishSection } from './report.js';

const { values } = parseArgs({ options: { events: { type: 'string' }, partitions: { type: 'string' }, repeat: { type: 'string' } } });
const repeat = Number(values.repeat ?? 1);
const events = Number(values.events ?? 1_000_000);
const partitions = Number(values.partitions ?? 4);

const broker = await startKafka();
try {
  const producer = await topicProducer(broker, 'bench', partitions);
  const t0 = Date.now();
  const BATCH = 10_000;
  for (let at = 0; at < events; at += BATCH) {
    const messages = [];
    for (let i = at; i < Math.min(events, at + BATCH); i++) {
      messages.push({ value: JSON.stringify({ id: i, user_id: i % 10_007, category: `c${i % 50}`, amount: (i % 1000) / 10, ts: new Date(1_700_000_000_000 + i).toISOString() }) });
    }
    await producer.send({ topic: 'bench', messages });
  }
  await producer.disconnect();
  const produceSeconds = (Date.now() - t0) / 1000;
  console.log(`produced ${events} records in ${produceSeconds.toFixed(1)} s`);

  const runs: { seconds: number; cpu: number; anonMb: number; rssMb: number }[] = [];
  for (let run = 0; run < repeat; run++) {
    const eddy = await startEddy({ startTimeoutMs: 60_000 });
    try {
      const c = await eddy.client();
      const started = Date.now();
      const cpu0 = cpuSeconds(eddy.pid);
      await c.query(`CREATE SOURCE bench (id bigint, user_id int, category text, amount numeric, ts timestamptz) WITH (connector = 'kafka', topic = 'bench',
        properties.bootstrap.server = '${broker.bootstrap}', scan.startup.mode = 'earliest') FORMAT PLAIN ENCODE JSON`);
      await c.query('CREATE MATERIALIZED VIEW bench_by_category AS SELECT category, count(*) AS n, sum(amount) AS total, count(DISTINCT user_id) AS users FROM bench GROUP BY category');
      let anonMb = 0;
      for (;;) {
        anonMb = Math.max(anonMb, anonRssMb(eddy.pid));
        const n = Number((await c.query("SELECT ingested_offset AS n FROM eddy_sources WHERE name = 'bench'")).rows[0].n);
        if (n >= events) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      await c.query('FLUSH');
      const seconds = (Date.now() - started) / 1000;
      const cpu = cpuSeconds(eddy.pid) - cpu0;
      const total = Number((await c.query('SELECT sum(n) AS n FROM bench_by_category')).rows[0].n);
      if (total !== events) throw new Error(`the view counted ${total} of ${events} records`);
      runs.push({ seconds, cpu, anonMb, rssMb: peakRssMb(eddy.pid) });
      await c.end();
      console.log(`kafka -> aggregate view: ${seconds.toFixed(1)} s, ${(events / seconds).toFixed(0)} events/s, ${(events / cpu).toFixed(0)} per server CPU-second, peak anonymous ${anonMb.toFixed(0)} MB`);
    } finally {
      await eddy.destroy();
    }
  }
  const m = [...runs].sort((a, b) => a.seconds - b.seconds)[Math.floor(runs.length / 2)]!;
  const rate = events / m.seconds;
  publishSection('Kafka (JSON) into an aggregate view', [
    `## Kafka (JSON) into an aggregate view (${new Date().toISOString().slice(0, 10)})`,
    '',
    `${machineLine()} A real Apache Kafka broker (KRaft, the test harness's) on the same machine; ${events} JSON records (5 fields) produced beforehand into a topic of ${partitions} partitions; then \`CREATE SOURCE ... FORMAT PLAIN ENCODE JSON\` and a view with count, sum and count(DISTINCT) per category (\`npm run bench:kafka\`). One Eddy process: reading, decoding, exactly-once commits (rows with offsets) and view maintenance share one JavaScript thread, so events/s is per core; the broker uses the other core. The median of ${repeat} run${repeat === 1 ? '' : 's'}, each a fresh server over the same topic; "per server CPU-second": records / the CPU time the Eddy process used, all its threads.`,
    '',
    '| records | seconds | Eddy events/s | runs (events/s) | per server CPU-second | peak anonymous MB | peak RSS MB | RisingWave /core (Nexmark q0 from Kafka) |',
    '|---|---|---|---|---|---|---|---|',
    `| ${events} | ${m.seconds.toFixed(1)} | ${(rate / 1000).toFixed(1)}k | ${runs.map((r) => `${(events / r.seconds / 1000).toFixed(1)}k`).join(', ')} | ${(events / m.cpu / 1000).toFixed(1)}k | ${m.anonMb.toFixed(0)} | ${m.rssMb.toFixed(0)} | 118.0k |`,
    '',
  ]);
} finally {
  await broker.stop();
}
