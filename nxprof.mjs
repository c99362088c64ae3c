// temporary profiling driver
import pg from 'pg';
import { NEXMARK_COLUMNS, NEXMARK_QUERIES } from './dist/test/e2e/nexmark-queries.js';
const [name, eventsArg] = process.argv.slice(2);
const events = Number(eventsArg);
const q = NEXMARK_QUERIES.find((x) => x.name === name);
const c = new pg.Client({ port: 55433, host: '127.0.0.1', user: 'eddy', database: 'eddy' });
await c.connect();
const t0 = Date.now();
for (const rel of q.reads) {
  const type = rel[0].toUpperCase() + rel.slice(1);
  await c.query(`CREATE SOURCE ${rel} (${NEXMARK_COLUMNS[rel]}) WITH (connector = 'nexmark', nexmark.table.type = '${type}', nexmark.event.num = '${events}', nexmark.min.event.gap.in.ns = '0')`);
}
await c.query(`CREATE MATERIALIZED VIEW ${name} AS ${q.sql}`);
for (;;) { const o = (await c.query('SELECT min(ingested_offset) AS o FROM eddy_sources')).rows[0].o; if (Number(o) >= events) break; await new Promise((r) => setTimeout(r, 200)); }
await c.query('FLUSH');
const s = (Date.now() - t0) / 1000;
console.log(`${name}: ${s}s ${(events / s).toFixed(0)} ev/s`);
await c.end();
