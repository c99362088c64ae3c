// Durability under SIGKILL: every acknowledged write survives, in-flight writes are atomic.
// Only meaningful for Eddy (needs kill/restart of the server), so it always runs against Eddy.
import { createHash } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startEddy } from '../harness/server.js';
import type { EddyServer } from '../harness/server.js';

const WRITERS = 4;
const CRASHES = Number(process.env.EDDY_CRASH_ROUNDS ?? '20');
let eddy: EddyServer;

beforeAll(async () => {
  eddy = await startEddy();
  const c = await eddy.client();
  await c.query('CREATE TABLE crash_t (id bigint PRIMARY KEY, writer int NOT NULL, seq int NOT NULL, payload text NOT NULL, checksum text NOT NULL)');
  await c.end();
});
afterAll(async () => {
  await eddy?.stop();
});

function payloadFor(id: number): string {
  // Varying sizes so rows straddle pages/records differently.
  return `p${id}-`.repeat(1 + (id % 37));
}

function checksum(id: number, writer: number, seq: number, payload: string): string {
  return createHash('sha1').update(`${id}|${writer}|${seq}|${payload}`).digest('hex');
}

interface Ledger {
  /** Acknowledged (autocommit INSERT returned, or COMMIT returned). */
  readonly acked: Set<number>;
  /** Sent but not acknowledged when the server died: may be present or absent, atomically per transaction. */
  readonly inflight: Set<number>;
  /** Ids whose fate has been observed after a restart (present ones must stay, absent ones never appear). */
  readonly settledPresent: Set<number>;
  readonly settledAbsent: Set<number>;
  /** In-flight multi-row transactions: all of them or none must be present. */
  readonly groups: number[][];
}

async function writer(port: number, w: number, seqStart: { v: number }, ledger: Ledger, stop: { v: boolean }): Promise<void> {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'eddy', database: 'eddy' });
  c.on('error', () => undefined);
  try {
    await c.connect();
    // synchronous_commit = off acknowledges before the flush to disk: a crash of the process (not
    // of the machine) must still lose nothing acknowledged
    if (w === WRITERS - 1) await c.query('SET synchronous_commit = off');
  } catch {
    return;
  }
  try {
    while (!stop.v) {
      const seq = seqStart.v++;
      // Every 5th write is a 3-row explicit transaction; the rest are single autocommit INSERTs.
      const multi = seq % 5 === 0;
      const ids = (multi ? [0, 1, 2] : [0]).map((k) => (w + 1) * 100_000_000 + seq * 4 + k);
      for (const id of ids) ledger.inflight.add(id);
      if (multi) ledger.groups.push(ids);
      const values = ids.map((id) => [id, w, seq, payloadFor(id), checksum(id, w, seq, payloadFor(id))]);
      if (multi) {
        await c.query('BEGIN');
        for (const v of values) await c.query('INSERT INTO crash_t VALUES ($1, $2, $3, $4, $5)', v);
        await c.query('COMMIT');
      } else {
        const v = values[0] ?? [];
        await c.query('INSERT INTO crash_t VALUES ($1, $2, $3, $4, $5)', v);
      }
      for (const id of ids) {
        ledger.inflight.delete(id);
        ledger.acked.add(id);
      }
    }
  } catch {
    // The server was killed under us: whatever is in `inflight` stays undecided.
  } finally {
    await c.end().catch(() => undefined);
  }
}

async function verify(ledger: Ledger, round: string): Promise<void> {
  const c = await eddy.client();
  let rows: { id: string; writer: number; seq: number; payload: string; checksum: string }[];
  try {
    rows = (await c.query('SELECT id, writer, seq, payload, checksum FROM crash_t')).rows;
  } finally {
    await c.end();
  }
  const seen = new Set<number>();
  const problems: string[] = [];
  for (const r of rows) {
    const id = Number(r.id);
    if (seen.has(id)) problems.push(`id ${id} present twice`);
    seen.add(id);
    if (r.checksum !== checksum(id, r.writer, r.seq, r.payload)) problems.push(`id ${id}: torn row (checksum mismatch)`);
    if (!ledger.acked.has(id) && !ledger.inflight.has(id) && !ledger.settledPresent.has(id)) problems.push(`id ${id}: never acknowledged nor in flight`);
    if (ledger.settledAbsent.has(id)) problems.push(`id ${id}: was absent after an earlier crash, reappeared`);
  }
  for (const id of ledger.acked) if (!seen.has(id)) problems.push(`acknowledged id ${id} lost`);
  for (const id of ledger.settledPresent) if (!seen.has(id)) problems.push(`id ${id} seen after an earlier crash, lost now`);
  for (const g of ledger.groups) {
    const present = g.filter((id) => seen.has(id)).length;
    if (present !== 0 && present !== g.length) problems.push(`transaction ${g.join(',')} partially present (${present}/${g.length})`);
  }
  expect(problems.slice(0, 20), `${round}: ${problems.length} problems`).toEqual([]);
  // Settle the in-flight ones: from now on their state is fixed.
  for (const id of ledger.inflight) (seen.has(id) ? ledger.settledPresent : ledger.settledAbsent).add(id);
  ledger.inflight.clear();
  ledger.groups.length = 0;
}

test(`acknowledged writes survive ${CRASHES} SIGKILLs`, { timeout: 600_000 }, async () => {
  const ledger: Ledger = { acked: new Set(), inflight: new Set(), settledPresent: new Set(), settledAbsent: new Set(), groups: [] };
  const seqs = Array.from({ length: WRITERS }, () => ({ v: 1 }));
  for (let round = 1; round <= CRASHES; round++) {
    const stop = { v: false };
    const writers = seqs.map((s, w) => writer(eddy.port, w, s, ledger, stop));
    // Kill at a random moment: sometimes right after start, sometimes under sustained load.
    await new Promise((r) => setTimeout(r, 30 + Math.floor(Math.random() * 700)));
    await eddy.kill();
    stop.v = true;
    await Promise.all(writers);
    try {
      await eddy.restart();
    } catch (e) {
      throw new Error(`round ${round}: restart after SIGKILL failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    await verify(ledger, `after SIGKILL round ${round}`);
  }
  const total = ledger.acked.size + ledger.settledPresent.size;
  console.log(`crash test: ${CRASHES} SIGKILLs, ${ledger.acked.size} acknowledged ids, ${ledger.settledPresent.size} in-flight ids kept, ${ledger.settledAbsent.size} in-flight ids dropped`);
  expect(ledger.acked.size).toBeGreaterThan(CRASHES);

  // A clean shutdown and restart keeps everything too.
  await eddy.restart();
  await verify(ledger, 'after clean restart');
  const c = await eddy.client();
  const n = Number((await c.query('SELECT count(*) AS n FROM crash_t')).rows[0].n);
  await c.end();
  expect(n).toBe(total);
});
