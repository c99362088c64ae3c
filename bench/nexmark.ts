// Nexmark throughput: each query as a materialized view over nexmark sources (no storage) that
// generate --events events as fast as possible; events/s = events / time until the view has
// consumed them all, in one server process (one JavaScript thread: generation, ingestion and
// view maintenance share it), and the server's peak resident memory. Compared with the
// published per-core figures of Flink 1.13 and RisingWave.
// Usage: npm run bench:nexmark [-- --events 1000000 --queries q0,q1,q2 --with "orientation = 'row'" --sink --heap 512]
// (--with: storage options of the views; default: the defaults of CREATE MATERIALIZED VIEW;
//  --sink: each query as CREATE SINK ... WITH (connector = 'blackhole') instead of a view, as the
//  published Flink and RisingWave runs measure it: the dataflow without storing its result;
//  --heap MB: the server's V8 heap limit, to show a query runs in bounded memory)
import { parseArgs } from 'node:util';
import { startEddy } from '../test/harness/server.js';
import { NEXMARK_COLUMNS, NEXMARK_QUERIES } from '../test/e2e/nexmark-queries.js';
import { anonRssMb, machineLine, peakRssMb, publishSection } from './report.js';

const { values } = parseArgs({ options: { events: { type: 'string' }, queries: { type: 'string' }, with: { type: 'string' }, sink: { type: 'boolean' }, heap: { type: 'string' } } });
const asSink = values.sink ?? false;
const viewOptions = values.with ? ` WITH (${values.with})` : '';
const events = Number(values.events ?? 1_000_000);
const wanted = values.queries ? new Set(values.queries.split(',')) : null;

/** published events/s per core: Flink 1.13 (Nexmark repository) and RisingWave (its performance report) */
const PUBLISHED: Record<string, { flink?: number; risingwave?: number }> = {
  q0: { flink: 155_000, risingwave: 118_000 }, q1: { flink: 158_000, risingwave: 119_000 }, q2: { flink: 175_000, risingwave: 127_000 },
  q3: { flink: 152_000 }, q5: { risingwave: 5_200 }, q7: { risingwave: 20_300 },
};


interface Result { name: string; seconds: number; rate: number; rssMb: number; anonMb: number; rows: number }

async function runQuery(name: string, sql: string, reads: readonly string[]): Promise<Result> {
  const eddy = await startEddy({ startTimeoutMs: 60_000, ...(values.heap ? { heapMb: Number(values.heap) } : {}) });
  try {
    const c = await eddy.client();
    const t0 = Date.now();
    for (const rel of reads) {
      const type = rel[0]!.toUpperCase() + rel.slice(1);
      await c.query(`CREATE SOURCE ${rel} (${NEXMARK_COLUMNS[rel as keyof typeof NEXMARK_COLUMNS]}) WITH (connector = 'nexmark',
        nexmark.table.type = '${type}', nexmark.event.num = '${events}', nexmark.min.event.gap.in.ns = '0')`);
    }
    await c.query(asSink ? `CREATE SINK ${name} AS ${sql} WITH (connector = 'blackhole')` : `CREATE MATERIALIZED VIEW ${name}${viewOptions} AS ${sql}`);
    let anonMb = 0;
    for (;;) {
      anonMb = Math.max(anonMb, anonRssMb(eddy.pid));
      const o = (await c.query("SELECT min(ingested_offset) AS o FROM eddy_sources")).rows[0].o;
      if (Number(o) >= events) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await c.query('FLUSH');
    const seconds = (Date.now() - t0) / 1000;
    anonMb = Math.max(anonMb, anonRssMb(eddy.pid));
    const rows = Number((await c.query(asSink
      ? `SELECT rows_delivered AS rows FROM eddy_sinks WHERE sinkname = '${name}'`
      : `SELECT rows FROM eddy_materialized_views WHERE matviewname = '${name}'`)).rows[0].rows);
    const rssMb = peakRssMb(eddy.pid);
    await c.end();
    return { name, seconds, rate: events / seconds, rssMb, anonMb, rows };
  } finally {
    await eddy.destroy();
  }
}

const results: Result[] = [];
for (const query of NEXMARK_QUERIES) {
  if (!query.sql || (wanted && !wanted.has(query.name))) continue;
  const r = await runQuery(query.name, query.sql, query.reads);
  console.log(`${r.name}: ${r.seconds.toFixed(1)} s, ${r.rate.toFixed(0)} events/s, peak RSS ${r.rssMb.toFixed(0)} MB (anonymous ${r.anonMb.toFixed(0)} MB), ${r.rows} ${asSink ? 'rows delivered' : 'view rows'}`);
  results.push(r);
}

const k = (n: number | undefined): string => (n === undefined ? '' : `${(n / 1000).toFixed(1)}k`);
const target = asSink ? "into a blackhole sink (CREATE SINK ... WITH (connector = 'blackhole'), as Flink's and RisingWave's published runs measure: the dataflow without storing its result)"
  : `as materialized views stored with ${values.with ? `WITH (${values.with})` : 'the default orientation (row and column store)'}`;
publishSection(asSink ? 'Nexmark q0-q22 into a blackhole sink' : 'Nexmark q0-q22 as materialized views', [
  `## Nexmark q0-q22 ${asSink ? 'into a blackhole sink' : 'as materialized views'} (${new Date().toISOString().slice(0, 10)})`,
  '',
  `${machineLine()} ${events} events per query from the built-in nexmark source (no storage), ${target}. One server process: generation, ingestion and maintenance share one JavaScript thread, so events/s is per core. Operator state is in storage with at most 100,000 rows per query cached in memory; peak RSS includes LMDB's memory-mapped file pages (reclaimable page cache), anonymous is the process's own memory (heap and buffers), sampled every 200 ms.`,
  '',
  `| query | seconds | Eddy events/s | peak RSS MB | peak anonymous MB | ${asSink ? 'rows delivered' : 'view rows'} | Flink 1.13 /core | RisingWave /core |`,
  '|---|---|---|---|---|---|---|---|',
  ...results.map((r) => `| ${r.name} | ${r.seconds.toFixed(1)} | ${k(r.rate)} | ${r.rssMb.toFixed(0)} | ${r.anonMb.toFixed(0)} | ${r.rows} | ${k(PUBLISHED[r.name]?.flink)} | ${k(PUBLISHED[r.name]?.risingwave)} |`),
  '',
  ...NEXMARK_QUERIES.filter((q) => !q.sql).map((q) => `${q.name}: not run (${q.why}).`),
  '',
]);
