// Durability of the column store under SIGKILL while memtables flush and segments compact all
// the time (tiny flush threshold, constant upserts, partial-column upserts and deletes).
// After every restart: each acknowledged change is there, the two tables written in one
// transaction are identical (column store vs column store + row store), full scans (column
// store) agree with primary-key lookups (row store / location index), no half-written segment
// file is left, and each binlog is gap-free from 1 and replays to the table's content.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startEddy, type EddyServer } from '../harness/server.js';
import { mulberry32 } from '../harness/prng.js';

const WRITERS = 3;
const KEYS_PER_WRITER = 400;
const CRASHES = Number(process.env.EDDY_COLUMN_CRASH_ROUNDS ?? '50');
const TABLES = ['cc_rc', 'cc_c'] as const;
let eddy: EddyServer;
const writerErrors: string[] = [];

/** a key's state: its columns, or null when deleted/absent */
type State = { a: number; b: number } | null;

interface Ledger {
  /** last acknowledged state per key */
  readonly acked: Map<number, State>;
  /** state sent by a statement not acknowledged when the server died (per key) */
  readonly inflight: Map<number, State>;
}

beforeAll(async () => {
  eddy = await startEddy({ env: { EDDY_SEGMENT_GRACE_MS: '0' } });
  const c = await eddy.client();
  await c.query(`CREATE TABLE cc_rc (id int PRIMARY KEY, a int NOT NULL, b int NOT NULL) WITH (orientation = 'row,column', memtable_rows = 150)`);
  await c.query(`CREATE TABLE cc_c (id int PRIMARY KEY, a int NOT NULL, b int NOT NULL) WITH (orientation = 'column', memtable_rows = 150)`);
  await c.end();
});
afterAll(async () => {
  await eddy?.stop();
});

async function writer(w: number, seed: number, ledger: Ledger, stop: { v: boolean }): Promise<void> {
  const rnd = mulberry32(seed);
  const c = new pg.Client({ host: '127.0.0.1', port: eddy.port, user: 'eddy', database: 'eddy' });
  c.on('error', () => undefined);
  try { await c.connect(); } catch { return; }
  const base = w * KEYS_PER_WRITER;
  try {
    while (!stop.v) {
      const ids = [...new Set(Array.from({ length: 1 + Math.floor(rnd() * 40) }, () => base + Math.floor(rnd() * KEYS_PER_WRITER)))];
      const kind = rnd();
      const next = new Map<number, State>();
      let sql: string[];
      let params: unknown[];
      const cur = (id: number): State => (ledger.inflight.has(id) ? ledger.inflight.get(id)! : ledger.acked.get(id) ?? null);
      if (kind < 0.15) {
        for (const id of ids) next.set(id, null);
        sql = TABLES.map((t) => `DELETE FROM ${t} WHERE id = ANY($1::int[])`);
        params = [ids];
      } else if (kind < 0.45) {
        // partial-column upsert: a changes, b is kept (new rows get b = -1)
        const a = Math.floor(rnd() * 1e6);
        for (const id of ids) next.set(id, { a, b: cur(id)?.b ?? -1 });
        sql = TABLES.map((t) => `INSERT INTO ${t} SELECT x, $2::int, -1 FROM unnest($1::int[]) x ON CONFLICT (id) DO UPDATE SET a = EXCLUDED.a`);
        params = [ids, a];
      } else {
        const a = Math.floor(rnd() * 1e6);
        const b = Math.floor(rnd() * 1e6);
        for (const id of ids) next.set(id, { a, b });
        sql = TABLES.map((t) => `INSERT INTO ${t} SELECT x, $2::int, $3::int FROM unnest($1::int[]) x ON CONFLICT (id) DO UPDATE SET a = EXCLUDED.a, b = EXCLUDED.b`);
        params = [ids, a, b];
      }
      for (const [id, s] of next) ledger.inflight.set(id, s);
      await c.query('BEGIN');
      for (const q of sql) await c.query(q, params);
      await c.query('COMMIT');
      for (const [id, s] of next) { ledger.inflight.delete(id); ledger.acked.set(id, s); }
    }
  } catch (e) {
    // killed under us: the in-flight statement is undecided; anything else is a failure
    if (!stop.v) writerErrors.push(String(e));
  } finally {
    await c.end().catch(() => undefined);
  }
}

type Rows = Map<number, { a: number; b: number }>;

async function readAll(c: pg.Client, table: string): Promise<Rows> {
  const out: Rows = new Map();
  for (const r of (await c.query(`SELECT id, a, b FROM ${table}`)).rows as { id: number; a: number; b: number }[]) {
    if (out.has(r.id)) throw new Error(`${table}: id ${r.id} present twice`);
    out.set(r.id, { a: r.a, b: r.b });
  }
  return out;
}

/** checks everything; returns how many segments the tables have */
async function verify(ledger: Ledger, round: string): Promise<number> {
  const c = await eddy.client();
  try {
    const rc = await readAll(c, 'cc_rc');
    const col = await readAll(c, 'cc_c');
    const problems: string[] = [];
    // one transaction wrote both tables: they are identical
    expect([...col.entries()].sort((x, y) => x[0] - y[0]), `${round}: tables differ`).toEqual([...rc.entries()].sort((x, y) => x[0] - y[0]));
    const keys = new Set([...ledger.acked.keys(), ...ledger.inflight.keys(), ...rc.keys()]);
    for (const id of keys) {
      const got = rc.get(id) ?? null;
      const acked = ledger.acked.get(id) ?? null;
      const same = (s: State): boolean => (s === null ? got === null : got !== null && got.a === s.a && got.b === s.b);
      if (!same(acked) && !(ledger.inflight.has(id) && same(ledger.inflight.get(id)!))) {
        problems.push(`id ${id}: ${JSON.stringify(got)}, acknowledged ${JSON.stringify(acked)}, in flight ${JSON.stringify(ledger.inflight.get(id))}`);
      }
    }
    expect(problems.slice(0, 10), `${round}: ${problems.length} problems`).toEqual([]);
    // settle: what is there now is the state every later check starts from
    for (const id of keys) ledger.acked.set(id, rc.get(id) ?? null);
    ledger.inflight.clear();
    // point lookups (row store for cc_rc, location index + memtable for cc_c) agree with the scans
    const sample = [...keys].slice(0, 60);
    for (const t of TABLES) {
      for (const id of sample) {
        const r = (await c.query(`SELECT a, b FROM ${t} WHERE id = $1`, [id])).rows[0] as { a: number; b: number } | undefined;
        expect(r ?? null, `${round}: ${t} lookup ${id}`).toEqual(rc.get(id) ?? null);
      }
    }
    // binlogs: 1..n without gaps or duplicates, replaying to the table's content
    for (const t of TABLES) {
      const log = (await c.query(`SELECT seq, op, id, a, b FROM eddy_binlog('${t}') ORDER BY seq`)).rows as { seq: string; op: string; id: number; a: number; b: number }[];
      log.forEach((e, i) => expect(Number(e.seq), `${round}: ${t} binlog seq at ${i}`).toBe(i + 1));
      const replay: Rows = new Map();
      for (const e of log) {
        if (e.op === 'INSERT' || e.op === 'UPDATE_AFTER') replay.set(e.id, { a: e.a, b: e.b });
        else if (e.op === 'DELETE') replay.delete(e.id);
      }
      expect([...replay.entries()].sort((x, y) => x[0] - y[0]), `${round}: ${t} binlog replay`).toEqual([...rc.entries()].sort((x, y) => x[0] - y[0]));
    }
    // every segment in the manifest has its file; no half-written file survived recovery. Flushes
    // and compactions keep running while this looks, so only segments registered both before
    // and after the directory listing count, and a .tmp file only if it is not being written now.
    const segDir = path.join(eddy.dataDir, 'segments');
    const manifest = async (): Promise<Set<string>> => new Set(((await c.query('SELECT segment_id FROM eddy_segments')).rows as { segment_id: string }[]).map((r) => r.segment_id));
    const before = await manifest();
    const files = new Set(fs.readdirSync(segDir));
    const segs = await manifest();
    const stray = [...files].filter((f) => {
      if (/^\d+\.arrow$/.test(f)) return false;
      try { return fs.statSync(path.join(segDir, f)).mtimeMs < Date.now() - 5000; } catch { return false; }
    });
    expect(stray, `${round}: stray files`).toEqual([]);
    for (const id of segs) if (before.has(id)) expect(files.has(`${id}.arrow`), `${round}: segment ${id} file`).toBe(true);
    return segs.size;
  } finally {
    await c.end();
  }
}

test(`column store: acknowledged writes survive ${CRASHES} SIGKILLs during flushes and compactions`, { timeout: 900_000 }, async () => {
  const ledger: Ledger = { acked: new Map(), inflight: new Map() };
  const rnd = mulberry32(4242);
  let flushedBefore = 0;
  for (let round = 1; round <= CRASHES; round++) {
    const stop = { v: false };
    const writers = Array.from({ length: WRITERS }, (_, w) => writer(w, round * 100 + w, ledger, stop));
    await new Promise((r) => setTimeout(r, 100 + Math.floor(rnd() * 900)));
    await eddy.kill();
    stop.v = true;
    await Promise.all(writers);
    await eddy.restart();
    flushedBefore = Math.max(flushedBefore, await verify(ledger, `after SIGKILL round ${round}`));
  }
  expect(writerErrors.filter((e) => !/ECONNRESET|Connection terminated|EPIPE|ECONNREFUSED/.test(e))).toEqual([]);
  // the kills did land while segments existed (flushes and compactions were happening)
  expect(flushedBefore).toBeGreaterThan(0);
  await eddy.restart();
  await verify(ledger, 'after clean restart');
});
