// The binlog survives kill -9 exactly like the rows it describes: after each crash and restart,
// the table's sequence numbers run 1, 2, 3, ... with no gap and no duplicate, and every stored row
// has exactly one INSERT event.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startEddy, type EddyServer } from '../harness/server.js';

let eddy: EddyServer;
beforeAll(async () => { eddy = await startEddy(); });
afterAll(async () => { await eddy?.stop(); });

test('binlog continuity across SIGKILLs', async () => {
  const setup = await eddy.client();
  await setup.query('CREATE TABLE bc (id int PRIMARY KEY, w int)');
  await setup.end();
  let next = 0;
  for (let round = 0; round < 4; round++) {
    const writers = await Promise.all([eddy.client(), eddy.client()]);
    for (const w of writers) w.on('error', () => undefined);
    let stop = false;
    const loops = writers.map(async (w, k) => {
      while (!stop) {
        const id = ++next;
        try { await w.query('INSERT INTO bc VALUES ($1, $2)', [id, k]); } catch { return; }
      }
    });
    await new Promise((r) => setTimeout(r, 400 + Math.floor(Math.random() * 400)));
    await eddy.kill();
    stop = true;
    await Promise.all(loops);
    await eddy.restart();
    const c = await eddy.client();
    const log = await c.query("SELECT seq, op, id FROM eddy_binlog('bc') ORDER BY seq");
    const seqs = log.rows.map((r: { seq: string }) => BigInt(r.seq));
    seqs.forEach((s, i) => expect(s).toBe(BigInt(i + 1)));
    const inserted = log.rows.filter((r: { op: string }) => r.op === 'INSERT').map((r: { id: number }) => r.id);
    expect(new Set(inserted).size).toBe(inserted.length);
    const rows = await c.query('SELECT id FROM bc ORDER BY id');
    expect(inserted.slice().sort((a: number, b: number) => a - b)).toEqual(rows.rows.map((r: { id: number }) => r.id));
    await c.end();
  }
});
