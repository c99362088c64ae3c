// COPY FROM that loads in bulk (a COPY of its own transaction, of more rows than a segment holds,
// into a table with a row store): rows reach the row store, the column segments and the binlog
// in one commit. Checked through psql: every read agrees (row store lookups, column scans,
// binlog), a duplicate key or bad field anywhere fails the whole COPY and leaves nothing (no rows,
// no binlog entries, no segment files), unflushed changes are kept, views follow, kill -9 after
// the acknowledgment loses nothing, and inside a transaction block COPY is part of it.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startEddy, type EddyServer } from '../harness/server.js';
import { mulberry32 } from '../harness/prng.js';
import { requireOnPath } from './target.js';

const run = promisify(execFile);
let eddy: EddyServer;
let c: pg.Client;
let psqlBin: string;

beforeAll(async () => {
  psqlBin = requireOnPath('psql', 'apt-get install postgresql-client');
  eddy = await startEddy();
  c = await eddy.client();
});
afterAll(async () => {
  await c?.end();
  await eddy?.destroy();
});

/** runs a psql script (COPY data inline); rejects with psql's stderr */
async function psql(script: string): Promise<string> {
  const args = ['-h', '127.0.0.1', '-p', String(eddy.port), '-U', 'eddy', '-d', 'eddy', '-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-f', '-'];
  const p = run(psqlBin, args, { timeout: 60_000, maxBuffer: 1 << 24 });
  p.child.stdin!.end(script);
  try {
    return (await p).stdout;
  } catch (e) {
    throw new Error((e as { stderr?: string }).stderr ?? String(e));
  }
}

const copyScript = (table: string, lines: readonly string[]): string => `COPY ${table} FROM STDIN WITH (FORMAT csv);\n${lines.join('\n')}\n\\.\n`;

/** CSV lines id,a,b,c,d for the ids given */
const lines = (ids: readonly number[]): string[] => ids.map((id) => `${id},${id * 3},name-${id % 17},${id / 4},${id * 1000003}`);

const DDL = (name: string): string => `CREATE TABLE ${name} (id int PRIMARY KEY, a int, b text, c double precision, d bigint) WITH (memtable_rows = 500)`;

async function n(sql: string): Promise<number> {
  return Number((await c.query(sql)).rows[0].n);
}

function segmentFiles(): Set<string> {
  return new Set(fs.readdirSync(path.join(eddy.dataDir, 'segments')).filter((f) => f.endsWith('.arrow')));
}

async function manifestFiles(): Promise<Set<string>> {
  return new Set(((await c.query('SELECT segment_id FROM eddy_segments')).rows as { segment_id: string }[]).map((r) => `${r.segment_id}.arrow`));
}

/** segment files neither there before nor in the manifest (a failed load's), and temp files */
async function orphans(before: ReadonlySet<string>): Promise<string[]> {
  const manifest = await manifestFiles();
  const tmp = fs.readdirSync(path.join(eddy.dataDir, 'segments')).filter((f) => f.endsWith('.tmp'));
  return [...segmentFiles()].filter((f) => !before.has(f) && !manifest.has(f)).concat(tmp);
}

test('a large COPY loads in bulk: row store, column scans and binlog agree, and it survives kill -9', async () => {
  await c.query(DDL('bulk_rc'));
  // in key order for the first 1500 rows, shuffled after: both the appending and the searching row-store writes
  const ids = Array.from({ length: 3000 }, (_, i) => i + 1);
  const rnd = mulberry32(7);
  for (let i = ids.length - 1; i > 1500; i--) { const j = 1500 + Math.floor(rnd() * (i - 1500 + 1)); [ids[i], ids[j]] = [ids[j]!, ids[i]!]; }
  await psql(copyScript('bulk_rc', lines(ids)));
  const check = async (): Promise<void> => {
    expect(await n('SELECT count(*) AS n FROM bulk_rc')).toBe(3000);
    const agg = (await c.query('SELECT sum(a)::int8 AS a, sum(d)::numeric AS d, sum(c) AS c, count(DISTINCT b)::int AS b FROM bulk_rc')).rows[0];
    expect(agg).toEqual({ a: String(3 * 3000 * 3001 / 2), d: String(1000003 * 3000 * 3001 / 2), c: 3000 * 3001 / 2 / 4, b: 17 });
    for (const id of [1, 2, 1500, 1501, 2222, 3000]) {
      expect((await c.query('SELECT id, a, b, c, d FROM bulk_rc WHERE id = $1', [id])).rows).toEqual([{ id, a: id * 3, b: `name-${id % 17}`, c: id / 4, d: String(id * 1000003) }]);
    }
    expect((await c.query('SELECT count(*)::int AS n FROM bulk_rc WHERE a BETWEEN 300 AND 599')).rows[0].n).toBe(100);
  };
  await check();
  // the rows went straight into segments (a segment's worth each), none wait in the delta
  const st = (await c.query(`SELECT segments::int, segment_rows::int, memtable_rows::int FROM eddy_storage WHERE tablename = 'bulk_rc'`)).rows[0];
  expect(st).toEqual({ segments: 6, segment_rows: 3000, memtable_rows: 0 });
  // the binlog: one INSERT per row, numbered 1..3000, each with its row
  const log = (await c.query(`SELECT seq::int, op, id, a FROM eddy_binlog('bulk_rc') ORDER BY seq`)).rows as { seq: number; op: string; id: number; a: number }[];
  expect(log.length).toBe(3000);
  expect(log.every((e, i) => e.seq === i + 1 && e.op === 'INSERT' && e.a === e.id * 3)).toBe(true);
  expect(new Set(log.map((e) => e.id)).size).toBe(3000);
  // merge-on-write over bulk-loaded rows
  await c.query('UPDATE bulk_rc SET a = -1 WHERE id = 2222');
  await c.query('DELETE FROM bulk_rc WHERE id = 1');
  expect((await c.query('SELECT a FROM bulk_rc WHERE id = 2222')).rows).toEqual([{ a: -1 }]);
  expect(await n('SELECT count(*) AS n FROM bulk_rc WHERE a = -1 OR id = 1')).toBe(1);
  await c.query('UPDATE bulk_rc SET a = 2222 * 3 WHERE id = 2222');
  await c.query(`INSERT INTO bulk_rc VALUES (1, 3, 'name-1', 0.25, 1000003)`);
  await c.end();
  await eddy.kill();
  await eddy.restart();
  c = await eddy.client();
  await check();
  const files = segmentFiles();
  expect([...await manifestFiles()].filter((f) => !files.has(f))).toEqual([]);
});

test('a duplicate key anywhere fails the whole COPY with 23505 and leaves nothing behind', async () => {
  await c.query(DDL('bulk_dup'));
  const before = segmentFiles();
  const within = Array.from({ length: 2000 }, (_, i) => i + 1);
  within[1700] = 42; // same key twice in one load, in different segments' worth of rows
  await expect(psql(copyScript('bulk_dup', lines(within)))).rejects.toThrow(/duplicate key value violates unique constraint "bulk_dup_pkey"[\s\S]*Key \(id\)=\(42\) already exists/);
  const inChunk = Array.from({ length: 2000 }, (_, i) => i + 1);
  inChunk[10] = 12; // twice within one segment's worth, out of order
  await expect(psql(copyScript('bulk_dup', lines(inChunk)))).rejects.toThrow(/Key \(id\)=\(12\) already exists/);
  // a key a committed row holds
  await c.query(`INSERT INTO bulk_dup VALUES (1999, 0, 'x', 0, 0)`);
  await expect(psql(copyScript('bulk_dup', lines(Array.from({ length: 2000 }, (_, i) => i + 1))))).rejects.toThrow(/Key \(id\)=\(1999\) already exists/);
  expect((await c.query('SELECT id, a FROM bulk_dup')).rows).toEqual([{ id: 1999, a: 0 }]);
  expect(await n(`SELECT count(*) AS n FROM eddy_binlog('bulk_dup')`)).toBe(1);
  expect(await orphans(before)).toEqual([]);
  // and a good load after the failed ones
  await psql(copyScript('bulk_dup', lines(Array.from({ length: 2000 }, (_, i) => i + 2001))));
  expect(await n('SELECT count(*) AS n FROM bulk_dup')).toBe(2001);
});

test('a bad field mid-load fails the COPY with its line and loads nothing', async () => {
  await c.query(DDL('bulk_bad'));
  const before = segmentFiles();
  const ls = lines(Array.from({ length: 2000 }, (_, i) => i + 1));
  ls[1499] = '1500,abc,x,1,1';
  await expect(psql(copyScript('bulk_bad', ls))).rejects.toThrow(/invalid input syntax for type integer: "abc"[\s\S]*line 1500/);
  ls[1499] = '1500,1,x';
  await expect(psql(copyScript('bulk_bad', ls))).rejects.toThrow(/missing data for column "c"/);
  expect(await n('SELECT count(*) AS n FROM bulk_bad')).toBe(0);
  expect(await orphans(before)).toEqual([]);
});

test('changes not yet flushed are kept when a bulk load follows them', async () => {
  await c.query(DDL('bulk_delta'));
  await c.query(`INSERT INTO bulk_delta SELECT g, g, 'pre', 0, 0 FROM generate_series(10001, 10100) g`);
  await c.query('UPDATE bulk_delta SET a = 7 WHERE id <= 10010');
  await c.query('DELETE FROM bulk_delta WHERE id > 10090');
  await psql(copyScript('bulk_delta', lines(Array.from({ length: 1200 }, (_, i) => i + 1))));
  expect(await n('SELECT count(*) AS n FROM bulk_delta')).toBe(1290);
  expect(await n('SELECT count(*) AS n FROM bulk_delta WHERE a = 7')).toBe(10);
  expect(await n(`SELECT sum(a) AS n FROM bulk_delta WHERE b <> 'pre'`)).toBe(3 * 1200 * 1201 / 2);
  const seqs = (await c.query(`SELECT seq::int FROM eddy_binlog('bulk_delta') ORDER BY seq`)).rows.map((r) => r.seq as number);
  expect(seqs.every((s, i) => s === i + 1)).toBe(true);
  expect(seqs.length).toBe(100 + 2 * 10 + 10 + 1200);
});

test('defaults, CHECK constraints and tables without a primary key', async () => {
  await c.query(`CREATE TABLE bulk_nopk (a int CHECK (a >= 0), b text DEFAULT 'dflt', n serial) WITH (memtable_rows = 300)`);
  const as = Array.from({ length: 1000 }, (_, i) => String(i % 50));
  await psql(`COPY bulk_nopk (a) FROM STDIN;\n${as.join('\n')}\n\\.\n`);
  expect((await c.query(`SELECT count(*)::int AS n, count(DISTINCT n)::int AS d, min(b) AS b, sum(a)::int AS s FROM bulk_nopk`)).rows[0]).toEqual({ n: 1000, d: 1000, b: 'dflt', s: 20 * (49 * 50 / 2) });
  as[700] = '-5';
  await expect(psql(`COPY bulk_nopk (a) FROM STDIN;\n${as.join('\n')}\n\\.\n`)).rejects.toThrow(/violates check constraint/);
  expect(await n('SELECT count(*) AS n FROM bulk_nopk')).toBe(1000);
});

test('a materialized view follows a bulk load', async () => {
  await c.query(DDL('bulk_mv_src'));
  await c.query(`CREATE MATERIALIZED VIEW bulk_mv AS SELECT b, count(*) AS n, sum(a) AS s FROM bulk_mv_src GROUP BY b`);
  await psql(copyScript('bulk_mv_src', lines(Array.from({ length: 1700 }, (_, i) => i + 1))));
  const want = (await c.query('SELECT b, count(*) AS n, sum(a) AS s FROM bulk_mv_src GROUP BY b ORDER BY b')).rows;
  expect(want.length).toBe(17);
  for (let i = 0; ; i++) {
    const got = (await c.query('SELECT b, n, s FROM bulk_mv ORDER BY b')).rows;
    if (JSON.stringify(got) === JSON.stringify(want)) break;
    if (i > 100) expect(got).toEqual(want);
    await new Promise((r) => setTimeout(r, 100));
  }
});

test('COPY inside a transaction block is part of it', async () => {
  await c.query(DDL('bulk_txn'));
  const data = lines(Array.from({ length: 1200 }, (_, i) => i + 1));
  await psql(`BEGIN;\n${copyScript('bulk_txn', data)}SELECT 1;\nROLLBACK;\n`);
  expect(await n('SELECT count(*) AS n FROM bulk_txn')).toBe(0);
  await psql(`BEGIN;\nINSERT INTO bulk_txn VALUES (5000, 1, 'x', 1, 1);\n${copyScript('bulk_txn', data)}COMMIT;\n`);
  expect(await n('SELECT count(*) AS n FROM bulk_txn')).toBe(1201);
});

test('a table without a column store loads in bulk too', async () => {
  await c.query(`CREATE TABLE bulk_row (id int PRIMARY KEY, a int, b text, c double precision, d bigint) WITH (orientation = 'row', memtable_rows = 400)`);
  const ids = Array.from({ length: 2500 }, (_, i) => 2500 - i);
  await psql(copyScript('bulk_row', lines(ids)));
  expect((await c.query('SELECT count(*)::int AS n, sum(a)::int8 AS a FROM bulk_row')).rows[0]).toEqual({ n: 2500, a: String(3 * 2500 * 2501 / 2) });
  expect((await c.query('SELECT b, d FROM bulk_row WHERE id = 1234')).rows).toEqual([{ b: `name-${1234 % 17}`, d: String(1234 * 1000003) }]);
  const log = (await c.query(`SELECT seq::int, op, id, a FROM eddy_binlog('bulk_row') ORDER BY seq`)).rows as { seq: number; op: string; id: number; a: number }[];
  expect(log.length).toBe(2500);
  expect(log.every((e, i) => e.seq === i + 1 && e.op === 'INSERT' && e.a === e.id * 3)).toBe(true);
  expect(new Set(log.map((e) => e.id)).size).toBe(2500);
});

test('COPY CSV packed field by field stores exactly what the general parser stores', async () => {
  // `gen` has a CHECK constraint, which keeps its COPY on the general parser (server/session/copy-packed.ts)
  const cols = 'id int PRIMARY KEY, a int, b bigint, c double precision, d text, e boolean, f numeric, g date, h varchar(6), i int2, j real';
  await c.query(`CREATE TABLE pk_fast (${cols}) WITH (memtable_rows = 300)`);
  await c.query(`CREATE TABLE pk_gen (${cols}, CHECK (id IS NOT NULL)) WITH (memtable_rows = 300)`);
  const rnd = mulberry32(11);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const ints = ['0', '-0', '7', '-2147483648', '2147483647', '+5', ' 12', '000123', '', '999999999', '-999999999'];
  const bigs = ['0', '-1', '123456789012345', '-123456789012345', '9223372036854775807', '-9223372036854775808', '1234567890123456', ''];
  const floats = ['0', '-0', '-0.0', '1.5', '.5', '5.', '3.141592653589793', '0.1', '123456789012345', '1e10', '-2.5E-3', 'NaN', '-Infinity', '1.7976931348623157e308', '0.000001', ''];
  const texts = ['x', 'héllo wörld', '日本語', '', '"quoted, with comma"', '"line\nbreak"', '"say ""hi"""', 'tab\there', 'NULL', '\\N', 'emoji 🎉'];
  const bools = ['t', 'f', 'true', 'FALSE', 'yes', '0', ''];
  const nums = ['1.50', '-0.001', '123456789.123456789', 'NaN', ''];
  const dates = ['2024-02-29', '1999-12-31', 'infinity', ''];
  const vcs = ['abc', 'abcdef', '', 'x y'];
  const i2s = ['1', '-32768', '32767', ''];
  const reals = ['1.5', '3.4028235e38', '-0.1', ''];
  const ls: string[] = [];
  for (let id = 1; id <= 1500; id++) {
    // every few rows the id goes out of order, so chunks are sorted before they are written
    const key = id % 7 === 0 ? 3000 - id : id;
    ls.push([key, pick(ints), pick(bigs), pick(floats), pick(texts), pick(bools), pick(nums), pick(dates), pick(vcs), pick(i2s), pick(reals)].join(','));
  }
  await psql(copyScript('pk_fast', ls));
  await psql(copyScript('pk_gen', ls));
  const all = async (t: string): Promise<unknown[]> => (await c.query(`SELECT * FROM ${t} ORDER BY id`)).rows;
  const fast = await all('pk_fast');
  expect(fast.length).toBe(1500);
  expect(fast).toEqual(await all('pk_gen'));
  // a column scan and the row store agree too
  const sums = async (t: string): Promise<unknown> => (await c.query(`SELECT count(a)::int AS a, sum(b)::text AS b, count(d)::int AS d, count(*) FILTER (WHERE e)::int AS e FROM ${t}`)).rows[0];
  expect(await sums('pk_fast')).toEqual(await sums('pk_gen'));
  const log = async (t: string): Promise<unknown[]> => (await c.query(`SELECT seq::int, op, id, a, b, c, d, e, f FROM eddy_binlog('${t}') ORDER BY seq`)).rows;
  expect(await log('pk_fast')).toEqual(await log('pk_gen'));
  // errors: the general parser reports them, with the line
  const bad = ls.slice();
  bad[1200] = bad[1200]!.replace(/^(\d+),[^,]*,/, '$1,12x,');
  await expect(psql(copyScript('pk_fast', bad.map((l, i) => l.replace(/^\d+/, String(5000 + i)))))).rejects.toThrow(/invalid input syntax for type integer: "12x"[\s\S]*line 1201/);
  const nullKey = ls.map((l, i) => l.replace(/^\d+/, String(9000 + i)));
  nullKey[900] = nullKey[900]!.replace(/^\d+/, '');
  await expect(psql(copyScript('pk_fast', nullKey))).rejects.toThrow(/null value in column "id" of relation "pk_fast" violates not-null constraint/);
  expect(await n('SELECT count(*) AS n FROM pk_fast')).toBe(1500);
  // chunks of more keys than the load's key buffer starts with (it grows while a row is written)
  await c.query(`CREATE TABLE pk_big (id int PRIMARY KEY, a int, b text, c double precision, d bigint) WITH (memtable_rows = 12000)`);
  await psql(copyScript('pk_big', lines(Array.from({ length: 30_000 }, (_, i) => i + 1))));
  expect(await n('SELECT count(*) AS n FROM pk_big')).toBe(30_000);
  for (const id of [1, 5041, 5042, 10082, 10083, 12001, 27777, 30_000]) expect((await c.query('SELECT a FROM pk_big WHERE id = $1', [id])).rows).toEqual([{ a: id * 3 }]);
  // keys of other types: a float key alone (written in place), and bool + text together
  for (const [cols2, pkCols] of [['k double precision PRIMARY KEY, v text', 'k'], ['flag boolean, name text, v int, PRIMARY KEY (flag, name)', 'flag, name'], ['b bigint PRIMARY KEY, v text', 'b']] as const) {
    await c.query(`CREATE TABLE pk2_fast (${cols2}) WITH (memtable_rows = 300)`);
    await c.query(`CREATE TABLE pk2_gen (${cols2}, CHECK (true)) WITH (memtable_rows = 300)`);
    const rowsOf = pkCols === 'k'
      ? Array.from({ length: 1000 }, (_, i) => `${(i - 500) / 4},v${i}`)
      : pkCols === 'b'
        ? Array.from({ length: 1000 }, (_, i) => `${(i - 500) * 1_000_000_007},v${i}`)
        : Array.from({ length: 1000 }, (_, i) => `${i % 2 ? 't' : 'f'},n${i},${i}`);
    await psql(copyScript('pk2_fast', rowsOf));
    await psql(copyScript('pk2_gen', rowsOf));
    const got = (await c.query(`SELECT * FROM pk2_fast ORDER BY ${pkCols}`)).rows;
    expect(got.length).toBe(1000);
    expect(got).toEqual((await c.query(`SELECT * FROM pk2_gen ORDER BY ${pkCols}`)).rows);
    // a key look-up finds each row (the keys are the general path's)
    const probe = pkCols === 'k' ? 'SELECT v FROM pk2_fast WHERE k = -12.25' : pkCols === 'b' ? 'SELECT v FROM pk2_fast WHERE b = -49000000343' : `SELECT v FROM pk2_fast WHERE flag AND name = 'n7'`;
    expect((await c.query(probe)).rows).toEqual([{ v: pkCols === 'k' ? 'v451' : pkCols === 'b' ? 'v451' : 7 }]);
    await c.query('DROP TABLE pk2_fast');
    await c.query('DROP TABLE pk2_gen');
  }
});

test('kill -9 in the middle of a staged load: after the restart the table is empty and takes the load again', async () => {
  await c.query(DDL('bulk_kill'));
  const before = segmentFiles();
  const ids = Array.from({ length: 300_000 }, (_, i) => i + 1);
  const script = copyScript('bulk_kill', lines(ids));
  const copying = psql(script).then(() => 'done', () => 'failed');
  // the load is under way once its first segment files appear (written before the commit)
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && [...segmentFiles()].filter((f) => !before.has(f)).length < 3) await new Promise((r) => setTimeout(r, 5));
  await c.end().catch(() => undefined);
  await eddy.kill();
  const outcome = await copying;
  await eddy.restart();
  c = await eddy.client();
  const count = await n('SELECT count(*) AS n FROM bulk_kill');
  // all or nothing: the kill most likely came before the commit
  expect(outcome === 'done' ? count === ids.length : count === 0).toBe(true);
  if (count === 0) {
    expect(await n(`SELECT count(*) AS n FROM eddy_binlog('bulk_kill')`)).toBe(0);
    expect((await c.query('SELECT * FROM bulk_kill WHERE id = 1')).rows).toEqual([]);
    await psql(script);
  }
  expect(await n('SELECT count(*) AS n FROM bulk_kill')).toBe(ids.length);
  expect(await n(`SELECT count(*) AS n FROM eddy_binlog('bulk_kill')`)).toBe(ids.length);
  expect((await c.query('SELECT id, a FROM bulk_kill WHERE id = 123456')).rows).toEqual([{ id: 123456, a: 123456 * 3 }]);
  await c.query(`INSERT INTO bulk_kill VALUES (0, 0, 'zero', 0, 0)`);
  expect(await n('SELECT count(*) AS n FROM bulk_kill')).toBe(ids.length + 1);
}, 120_000);
