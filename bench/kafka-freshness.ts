// End-to-end freshness through Kafka at a steady rate: a real broker on the same machine (the
// test harness's KRaft broker); Eddy reads a topic with `CREATE SOURCE ... FORMAT PLAIN ENCODE
// JSON` into a materialized view that keeps, per key, the count and a sum (--witness max: and the
// max sequence number); a producer in this process sends --rate JSON events/s for --seconds, each
// carrying its sequence number, key and produce time (ms); a subscriber in this process reads the
// view's changes (`DECLARE c CURSOR FOR SUBSCRIBE ... WITH (SNAPSHOT = false)` and FETCH ... WITH
// (timeout)). Every --sample-th event is timed: it is visible once its key's count in the view
// reaches the event's position among its key's events (--witness max: once its key's max(seq)
// reaches its sequence number); a key's events go to one partition in order, so all of them up to
// that one are in. Freshness = that moment minus its produce time, both on this process's clock.
// Reports p50/p99/max over all samples and over those after the first --settle seconds (default
// 5: a cold server compiles and builds its state then), the producer's achieved rate, and the
// server's CPU use.
// Usage: npm run bench:kafka-freshness [-- --rate 10000 --seconds 30 --partitions 4 --keys 1000 --sample 50 --witness count|max --settle 5]
//   --profile DIR: run the server with --cpu-prof, writing DIR/freshness.cpuprofile
//   --trace: per second of the run, the samples' p50 and max freshness
//   --no-publish: print, do not write docs/benchmarks.md; --note TEXT: a line added to the section
import { parseArgs } from 'node:util';
import { cpus, loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Producer } from 'kafkajs';
import { startEddy } from '../test/harness/server.js';
import { startKafka, topicProducer } from '../test/harness/kafka.js';
import { anonRssMb, machineLine, publishSection } from './report.js';

const { values } = parseArgs({
  options: {
    rate: { type: 'string' }, seconds: { type: 'string' }, partitions: { type: 'string' }, keys: { type: 'string' },
    sample: { type: 'string' }, witness: { type: 'string' }, settle: { type: 'string' }, trace: { type: 'boolean' }, profile: { type: 'string' }, 'no-publish': { type: 'boolean' }, note: { type: 'string' },
  },
});
const rate = Number(values.rate ?? 10_000);
const seconds = Number(values.seconds ?? 30);
const partitions = Number(values.partitions ?? 4);
const keys = Number(values.keys ?? 1000);
const sampleEvery = Number(values.sample ?? 50);
/** what shows an event arrived: its key's count (count and sum are O(1) state per key) or max(seq) (which keeps every value) */
const witness = values.witness ?? 'count';
if (witness !== 'count' && witness !== 'max') throw new Error('--witness is count or max');
/** the first seconds (a cold server: JIT, first state) are also reported apart */
const settle = Number(values.settle ?? 5);
/** the producer sends what is due every TICK_MS */
const TICK_MS = 5;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** a process's CPU time so far (user + system), seconds */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100/s)
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** one event: its sequence number, key, produce time and a value to sum */
function event(seq: number, key: number, ms: number): { key: string; value: string } {
  return { key: String(key), value: JSON.stringify({ seq, k: key, amount: seq % 1000, produced_ms: ms }) };
}

/** the machine's 1-minute load average before the run (other work on a shared machine shows here) */
const loadBefore = loadavg()[0]!;
const broker = await startKafka();
try {
  const producer: Producer = await topicProducer(broker, 'events', partitions);

  const nodeArgs = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(values.profile)}`, '--cpu-prof-name=freshness.cpuprofile'] : [];
  const eddy = await startEddy({ startTimeoutMs: 60_000, nodeArgs });
  try {
    const c = await eddy.client();
    await c.query(`CREATE SOURCE events (seq bigint, k int, amount bigint, produced_ms bigint) WITH (connector = 'kafka', topic = 'events',
      properties.bootstrap.server = '${broker.bootstrap}', scan.startup.mode = 'earliest') FORMAT PLAIN ENCODE JSON`);
    const viewSql = `SELECT k, count(*) AS n, sum(amount) AS total${witness === 'max' ? ', max(seq) AS seq' : ''} FROM events GROUP BY k`;
    await c.query(`CREATE MATERIALIZED VIEW by_key AS ${viewSql}`);
    // warm-up: one event per key (seq -1) until the view has them all, so the reader is running before the clock starts
    await producer.send({ topic: 'events', messages: Array.from({ length: keys }, (_, k) => event(-1, k, Date.now())) });
    const warm = Date.now();
    for (;;) {
      const n = Number((await c.query('SELECT count(*) AS n FROM by_key')).rows[0].n);
      if (n >= keys) break;
      if (Date.now() - warm > 60_000) throw new Error(`the view has ${n} of ${keys} keys after a minute`);
      await sleep(100);
    }
    console.log(`reader running (warm-up took ${((Date.now() - warm) / 1000).toFixed(1)} s)`);

    // the subscriber: per key, the samples not visible yet (in order: `at` is the witness value that shows it), and each sample's freshness
    const pending = new Map<number, { at: number; produced: number }[]>();
    const freshness: number[] = [];
    /** per sample in `freshness`, when it was produced */
    const producedAt: number[] = [];
    const sub = await eddy.client();
    await sub.query('BEGIN');
    await sub.query('DECLARE c CURSOR FOR SUBSCRIBE by_key WITH (SNAPSHOT = false)');
    let subscribing = true;
    let changes = 0;
    const subscriber = (async () => {
      while (subscribing) {
        const r = await sub.query({ text: "FETCH ALL c WITH (timeout = '200ms')", rowMode: 'array' });
        const now = Date.now();
        for (const row of r.rows as unknown[][]) {
          // eddy_timestamp, eddy_diff, k, n, total[, seq]
          if (Number(row[1]) <= 0) continue;
          changes++;
          const list = pending.get(Number(row[2]));
          if (!list) continue;
          const seen = Number(row[witness === 'max' ? 5 : 3]);
          let i = 0;
          for (; i < list.length && list[i]!.at <= seen; i++) { freshness.push(now - list[i]!.produced); producedAt.push(list[i]!.produced); }
          if (i) list.splice(0, i);
        }
      }
    })();

    // the producer: what is due by the clock every TICK_MS, each send not awaited (acks counted)
    let sent = 0;
    /** per key, the events sent so far (after the warm-up's) */
    const perKey: number[] = [];
    let acked = 0;
    let failed = 0;
    let lastAck = 0;
    let behind = 0;
    const sends: Promise<void>[] = [];
    const cpu0 = cpuSeconds(eddy.pid);
    let anonMb = anonRssMb(eddy.pid);
    const t0 = Date.now();
    const total = Math.round(rate * seconds);
    let nextSample = t0;
    while (sent < total) {
      const now = Date.now();
      const due = Math.min(total, Math.floor(((now - t0) * rate) / 1000));
      if (due - sent > rate / 10) behind++; // more than 100 ms of events due at once: the producer fell behind
      if (due > sent) {
        const messages = [];
        for (let seq = sent; seq < due; seq++) {
          const key = Math.floor(Math.random() * keys);
          if (seq % sampleEvery === 0) {
            let list = pending.get(key);
            if (!list) pending.set(key, (list = []));
            // its key's count once it is in: the warm-up event, the earlier ones, and itself
            list.push({ at: witness === 'max' ? seq : (perKey[key] ?? 0) + 2, produced: now });
          }
          perKey[key] = (perKey[key] ?? 0) + 1;
          messages.push(event(seq, key, now));
        }
        const n = messages.length;
        sent = due;
        sends.push(producer.send({ topic: 'events', messages }).then(() => { acked += n; lastAck = Date.now(); }, () => { failed += n; }));
      }
      if (now >= nextSample) { anonMb = Math.max(anonMb, anonRssMb(eddy.pid)); nextSample = now + 200; }
      await sleep(Math.max(0, t0 + ((sent + 1) * 1000) / rate - Date.now(), TICK_MS));
    }
    await Promise.all(sends);
    const produceSeconds = (lastAck - t0) / 1000;
    const achieved = acked / produceSeconds;
    // until every sample is visible (or half a minute passed)
    const samples = Math.ceil(total / sampleEvery);
    const waitFrom = Date.now();
    while (freshness.length < samples && Date.now() - waitFrom < 30_000) await sleep(50);
    const cpu = (cpuSeconds(eddy.pid) - cpu0) / ((Date.now() - t0) / 1000);
    anonMb = Math.max(anonMb, anonRssMb(eddy.pid));
    subscribing = false;
    await subscriber;
    await sub.query('ROLLBACK');
    await sub.end();
    const n = Number((await c.query('SELECT sum(n) AS n FROM by_key')).rows[0].n) - keys;
    await c.end();
    if (failed) throw new Error(`${failed} events were not acknowledged by the broker`);
    if (n !== total) throw new Error(`the view counted ${n} of ${total} events`);
    if (values.trace) {
      const bySecond = new Map<number, number[]>();
      freshness.forEach((f, i) => { const s = Math.floor((producedAt[i]! - t0) / 1000); bySecond.set(s, [...(bySecond.get(s) ?? []), f]); });
      for (const [s, fs] of [...bySecond].sort((a, b) => a[0] - b[0])) {
        fs.sort((a, b) => a - b);
        console.log(`second ${s}: ${fs.length} samples, p50 ${quantile(fs, 0.5)} ms, max ${fs[fs.length - 1]} ms`);
      }
    }
    const stats = (fs: number[]): { n: number; p50: number; p99: number; max: number } => {
      const sorted = [...fs].sort((a, b) => a - b);
      return { n: sorted.length, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: sorted[sorted.length - 1] ?? NaN };
    };
    const all = stats(freshness);
    const settled = stats(freshness.filter((_, i) => producedAt[i]! - t0 >= settle * 1000));
    console.log(`${total} events in ${produceSeconds.toFixed(1)} s (${achieved.toFixed(0)}/s, ${behind} ticks behind), ${freshness.length}/${samples} samples visible: p50 ${all.p50} ms, p99 ${all.p99} ms, max ${all.max} ms (after ${settle} s: p50 ${settled.p50}, p99 ${settled.p99}, max ${settled.max}); ${changes} view changes; Eddy CPU ${(cpu * 100).toFixed(0)}%, peak anonymous ${anonMb.toFixed(0)} MB`);
    if (freshness.length < samples) throw new Error(`${samples - freshness.length} samples were not visible 30 s after the producer stopped`);
    const lines = [
      `## Kafka end-to-end freshness at a steady rate (${new Date().toISOString().slice(0, 10)})`,
      '',
      `${machineLine()} A real Apache Kafka broker (KRaft, the test harness's) on the same machine; a topic of ${partitions} partitions; \`CREATE SOURCE events ... FORMAT PLAIN ENCODE JSON\` and \`CREATE MATERIALIZED VIEW by_key AS ${viewSql}\` (${keys} keys). The benchmark process produces ${rate} JSON events/s for ${seconds} s (kafkajs, every ${TICK_MS} ms what is due, keyed by k), each with its sequence number and produce time, and reads the view's changes with \`DECLARE c CURSOR FOR SUBSCRIBE by_key\` / \`FETCH ALL c WITH (timeout)\`. Every ${sampleEvery}th event is timed: visible once its key's ${witness === 'max' ? 'max(seq) reaches its sequence number' : "count reaches its position among the key's events"} (a key's events are in one partition, in order); freshness = produce time to the subscriber receiving that change, on one clock (\`npm run bench:kafka-freshness\`). It includes the producer's request to the broker, the source's fetch, its 20 ms ingest tick and commit, view maintenance and the subscription's delivery.`,
      '',
      '| period | events/s asked | achieved events/s | events | samples | p50 ms | p99 ms | max ms | Eddy CPU | peak anonymous MB |',
      '|---|---|---|---|---|---|---|---|---|---|',
      ...([['whole run', all], [`after the first ${settle} s`, settled]] as const).map(([what, r]) =>
        `| ${what} | ${rate} | ${achieved.toFixed(0)} | ${total} | ${r.n} | ${r.p50} | ${r.p99} | ${r.max} | ${(cpu * 100).toFixed(0)}% of a core | ${anonMb.toFixed(0)} |`),
      '',
      "Peers: no published p50/p99 freshness at a stated event rate from RisingWave or Materialize to put a ratio against; both describe their freshness qualitatively as sub-second (Materialize's documentation: \"typically within milliseconds to a few seconds\").",
      '',
      `Load average (1 min) before / after the run: ${loadBefore.toFixed(1)} / ${loadavg()[0]!.toFixed(1)} (${cpus().length} cores).`,
      '',
      ...(values.note ? [values.note, ''] : []),
    ];
    if (values['no-publish']) console.log(lines.join('\n'));
    else publishSection('Kafka end-to-end freshness', lines);
  } finally {
    await producer.disconnect();
    await eddy.destroy();
  }
} finally {
  await broker.stop();
}
