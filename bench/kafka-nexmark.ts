// Nexmark q0, q5 and q7 with the bids read from Kafka instead of the built-in generator: a real
// broker on the same machine (the test harness's KRaft broker); the bids of the Nexmark events
// 0..E-1 (made by Eddy's own generator, connectors/nexmark/, so they are the very rows the
// generator benchmark ingests) produced beforehand as JSON records into a `bid` topic of
// --partitions partitions; then, per query, a fresh server, `CREATE SOURCE bid (...)` with the
// generator's bid columns and the query of test/e2e/nexmark-queries.ts unchanged, as a blackhole
// sink (as RisingWave's published runs measure; --views: materialized views). events/s = bid
// records / time until the source has consumed them all and the dataflow caught up (FLUSH). One
// Eddy process (one JavaScript thread reads, decodes, ingests and maintains), so it is per core;
// the broker runs beside it on the other core. The same queries over the generator with the same
// events run in the same invocation for comparison (--no-generator skips them).
// Usage: npm run bench:kafka-nexmark [-- --events 1000000 --partitions 4 --queries q0,q5,q7 --views --no-generator --repeat 3]
//   --events: bid records (the events 0..E-1 hold exactly that many bids; E ≈ events / 0.92)
//   --profile DIR: run the server with --cpu-prof, writing DIR/<query>-kafka.cpuprofile (slows it down)
//   --no-publish: print, do not write docs/benchmarks.md
//   --trace: print the progress of each run (records ingested, memory, CPU) as it goes
import { parseArgs } from 'node:util';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { startEddy } from '../test/harness/server.js';
import { startKafka, topicProducer } from '../test/harness/kafka.js';
import { NEXMARK_COLUMNS, NEXMARK_QUERIES } from '../test/e2e/nexmark-queries.js';
import { NexmarkGenerator } from '../connectors/nexmark/generator.js';
import type { Row } from '../core/datum.js';
import { anonRssMb, cpuSeconds, machineLine, peakRssMb, publishSection } from './report.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string' }, partitions: { type: 'string' }, queries: { type: 'string' }, views: { type: 'boolean' },
    'no-generator': { type: 'boolean' }, profile: { type: 'string' }, 'no-publish': { type: 'boolean' }, note: { type: 'string' }, repeat: { type: 'string' }, trace: { type: 'boolean' },
  },
});
const bids = Number(values.events ?? 1_000_000);
const partitions = Number(values.partitions ?? 4);
const queries = (values.queries ?? 'q0,q5,q7').split(',');
const asSink = !values.views;
const withGenerator = !values['no-generator'];
/** Kafka runs per query (each a fresh server over the same topic); the median by time is reported */
const repeat = Number(values.repeat ?? 1);

/** RisingWave's published Kafka-based events/s per core (its performance report) */
const RISINGWAVE: Record<string, number> = { q0: 118_000, q5: 5_200, q7: 20_300 };

/** µs since 1970 as PostgreSQL's text form of a timestamp, 'YYYY-MM-DD HH:MM:SS.ffffff' */
function timestampText(us: number): string {
  const iso = new Date(Math.floor(us / 1000)).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}${String(((us % 1000) + 1000) % 1000).padStart(3, '0')}`;
}

/** a generator bid row (auction, bidder, price, channel, url, date_time, extra) as a JSON record */
function bidJson(r: Row): string {
  return JSON.stringify({
    auction: Number(r[0] as bigint), bidder: Number(r[1] as bigint), price: Number(r[2] as bigint),
    channel: r[3], url: r[4], date_time: timestampText(r[5] as number), extra: r[6],
  });
}

/** cpu: the server's CPU seconds (all threads) over the run, to state events per CPU-second honestly */
interface Run { seconds: number; cpu: number; rows: number; anonMb: number; rssMb: number }

/** one query in a fresh server: the bid source (Kafka or the generator), the query as a sink or view, until it consumed `until` */
async function runQuery(name: string, sql: string, source: string, until: number, profile: string | null): Promise<Run> {
  const nodeArgs = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`, `--cpu-prof-name=${name}-kafka.cpuprofile`] : [];
  const eddy = await startEddy({ startTimeoutMs: 60_000, nodeArgs });
  try {
    const c = await eddy.client();
    const t0 = Date.now();
    const cpu0 = cpuSeconds(eddy.pid);
    await c.query(source);
    await c.query(asSink ? `CREATE SINK ${name} AS ${sql} WITH (connector = 'blackhole')` : `CREATE MATERIALIZED VIEW ${name} AS ${sql}`);
    let anonMb = 0;
    for (;;) {
      anonMb = Math.max(anonMb, anonRssMb(eddy.pid));
      const n = Number((await c.query("SELECT ingested_offset AS n FROM eddy_sources WHERE name = 'bid'")).rows[0].n);
      if (values.trace) console.log(`  ${((Date.now() - t0) / 1000).toFixed(1)} s: ${n} ingested, anonymous ${anonRssMb(eddy.pid).toFixed(0)} MB, CPU ${(cpuSeconds(eddy.pid) - cpu0).toFixed(1)} s`);
      if (n >= until) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await c.query('FLUSH');
    const seconds = (Date.now() - t0) / 1000;
    const cpu = cpuSeconds(eddy.pid) - cpu0;
    anonMb = Math.max(anonMb, anonRssMb(eddy.pid));
    const rows = Number((await c.query(asSink
      ? `SELECT rows_delivered AS rows FROM eddy_sinks WHERE sinkname = '${name}'`
      : `SELECT rows FROM eddy_materialized_views WHERE matviewname = '${name}'`)).rows[0].rows);
    const errors = (await c.query("SELECT count(*) AS n FROM eddy_source_errors")).rows[0].n;
    if (Number(errors) > 0) throw new Error(`${name}: ${String(errors)} records did not decode`);
    const rssMb = peakRssMb(eddy.pid);
    await c.end();
    return { seconds, cpu, rows, anonMb, rssMb };
  } finally {
    await eddy.destroy();
  }
}

/** the machine's 1-minute load average before the run (other work on a shared machine shows here) */
const loadBefore = loadavg()[0]!;
const broker = await startKafka();
const results: { name: string; kafka: Run; gen: Run | null }[] = [];
const allRuns = new Map<string, Run[]>();
let events = 0;
try {
  // the bids of events 0, 1, ... until there are `bids` of them; `events` is the event number after the last
  const producer = await topicProducer(broker, 'bid', partitions);
  const gen = new NexmarkGenerator();
  const tp = Date.now();
  const STEP = 10_000;
  let produced = 0;
  let bytes = 0;
  while (produced < bids) {
    const rows: Row[] = [];
    gen.rows('Bid', events, events + STEP, rows);
    // the last step: only as many events as hold the bids still wanted
    if (produced + rows.length > bids) {
      rows.length = bids - produced;
      let end = events;
      const probe: Row[] = [];
      while (probe.length < rows.length) gen.rows('Bid', end, ++end, probe);
      events = end;
    } else {
      events += STEP;
    }
    const messages = rows.map((r) => ({ value: bidJson(r) }));
    for (const m of messages) bytes += m.value.length;
    await producer.send({ topic: 'bid', messages });
    produced += rows.length;
  }
  await producer.disconnect();
  console.log(`produced ${produced} bids (of events 0..${events - 1}), ${(bytes / produced).toFixed(0)} bytes each on average, in ${((Date.now() - tp) / 1000).toFixed(1)} s`);

  const kafkaSource = `CREATE SOURCE bid (${NEXMARK_COLUMNS.bid}) WITH (connector = 'kafka', topic = 'bid',
    properties.bootstrap.server = '${broker.bootstrap}', scan.startup.mode = 'earliest') FORMAT PLAIN ENCODE JSON`;
  const genSource = `CREATE SOURCE bid (${NEXMARK_COLUMNS.bid}) WITH (connector = 'nexmark',
    nexmark.table.type = 'Bid', nexmark.event.num = '${events}', nexmark.min.event.gap.in.ns = '0')`;
  for (const name of queries) {
    const q = NEXMARK_QUERIES.find((x) => x.name === name);
    if (!q?.sql || q.reads.some((r) => r !== 'bid')) throw new Error(`${name}: not a query over bid alone`);
    const profile = values.profile ? path.resolve(values.profile) : null;
    const runs: Run[] = [];
    for (let i = 0; i < repeat; i++) {
      const r = await runQuery(name, q.sql, kafkaSource, bids, profile);
      console.log(`${name} from Kafka: ${r.seconds.toFixed(1)} s, ${(bids / r.seconds).toFixed(0)} bids/s, ${(bids / r.cpu).toFixed(0)} per server CPU-second, peak anonymous ${r.anonMb.toFixed(0)} MB, ${r.rows} ${asSink ? 'rows delivered' : 'view rows'}`);
      runs.push(r);
    }
    const k = [...runs].sort((a, b) => a.seconds - b.seconds)[Math.floor(runs.length / 2)]!;
    allRuns.set(name, runs);
    let g: Run | null = null;
    if (withGenerator) {
      g = await runQuery(name, q.sql, genSource, events, null);
      console.log(`${name} from the generator: ${g.seconds.toFixed(1)} s, ${(bids / g.seconds).toFixed(0)} bids/s (${(events / g.seconds).toFixed(0)} events/s), peak anonymous ${g.anonMb.toFixed(0)} MB, ${g.rows} ${asSink ? 'rows delivered' : 'view rows'}`);
      // the same bids give the same result: q0's every row, a view's final rows
      if ((name === 'q0' || !asSink) && g.rows !== k.rows) throw new Error(`${name}: ${k.rows} rows from Kafka, ${g.rows} from the generator`);
    }
    results.push({ name, kafka: k, gen: g });
  }
} finally {
  await broker.stop();
}

const k = (n: number | undefined): string => (n === undefined ? '' : `${(n / 1000).toFixed(1)}k`);
const lines = [
  `## Nexmark q0, q5, q7 from Kafka (${new Date().toISOString().slice(0, 10)})`,
  '',
  `${machineLine()} A real Apache Kafka broker (KRaft, the test harness's) on the same machine. The ${bids} bids among Nexmark events 0..${events - 1}, made by Eddy's own generator (the rows \`bench:nexmark\` ingests), produced beforehand as JSON records (timestamps as text) into a \`bid\` topic of ${partitions} partitions; per query a fresh server, \`CREATE SOURCE bid (<the generator's bid columns>) ... FORMAT PLAIN ENCODE JSON\` and the query text of test/e2e/nexmark-queries.ts unchanged, ${asSink ? "into a blackhole sink (`CREATE SINK ... WITH (connector = 'blackhole')`, as RisingWave's published runs measure)" : 'as a materialized view'} (\`npm run bench:kafka-nexmark\`). events/s = bid records / time from CREATE SOURCE until all are consumed and the dataflow caught up (FLUSH); one JavaScript thread reads, decodes, ingests and maintains, so it is per core; the broker uses the other core. Same run, same bids from the built-in generator instead of Kafka for comparison (\`bench:nexmark\` counts all ${events} events, persons and auctions too: events/s in parentheses). Anonymous memory sampled every 200 ms.`,
  '',
  `Kafka figures: the median of ${repeat} run${repeat === 1 ? '' : 's'} (by time; all runs' events/s listed). "per server CPU-second": bids / the CPU time the Eddy process used over the run, all its threads (JavaScript, GC helpers, LMDB), an upper bound on what one core does.`,
  '',
  `| query | Kafka: seconds | Kafka: Eddy events/s | runs (events/s) | per server CPU-second | RisingWave /core (Kafka) | ratio Eddy/RisingWave | peak anonymous MB | ${asSink ? 'rows delivered' : 'view rows'} | generator: seconds | generator: bids/s (events/s) |`,
  '|---|---|---|---|---|---|---|---|---|---|---|',
  ...results.map(({ name, kafka: r, gen: g }) => `| ${name} | ${r.seconds.toFixed(1)} | ${k(bids / r.seconds)} | ${(allRuns.get(name) ?? []).map((x) => k(bids / x.seconds)).join(', ')} | ${k(bids / r.cpu)} | ${k(RISINGWAVE[name])} | ${RISINGWAVE[name] ? `${(bids / r.seconds / RISINGWAVE[name]!).toFixed(2)}x` : ''} | ${r.anonMb.toFixed(0)} | ${r.rows} | ${g ? g.seconds.toFixed(1) : ''} | ${g ? `${k(bids / g.seconds)} (${k(events / g.seconds)})` : ''} |`),
  '',
  `Load average (1 min) before / after the run: ${loadBefore.toFixed(1)} / ${loadavg()[0]!.toFixed(1)} (${cpus().length} cores).`,
  '',
  ...(values.note ? [values.note, ''] : []),
];
if (values['no-publish']) console.log(lines.join('\n'));
else publishSection('Nexmark q0, q5, q7 from Kafka', lines);
