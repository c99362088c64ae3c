// Each statement reads one consistent snapshot: while another session moves value between the
// two halves of a table in transactions, a statement that sums the halves in two branches (the
// executor yields to the event loop between them, so commits land in between) always sees the
// invariant total.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startEddy, type EddyServer } from '../harness/server.js';

let eddy: EddyServer;
// replaced segment files go as soon as no snapshot reads them: scans must hold on to theirs
beforeAll(async () => { eddy = await startEddy({ env: { EDDY_SEGMENT_GRACE_MS: '0' } }); });
afterAll(async () => { await eddy?.stop(); });

test('a statement sees all or nothing of each concurrent transaction', async () => {
  const setup = await eddy.client();
  await setup.query('CREATE TABLE acct (id int PRIMARY KEY, v int NOT NULL)');
  await setup.query('INSERT INTO acct SELECT g, 100 FROM generate_series(1, 200000) g');
  await setup.end();
  const total = 200000 * 100;

  const mover = await eddy.client();
  const reader = await eddy.client();
  let stop = false;
  let moves = 0;
  const moving = (async () => {
    while (!stop) {
      const a = 1 + (moves % 100000);
      const b = 100001 + ((moves * 7) % 100000);
      await mover.query('BEGIN');
      await mover.query('UPDATE acct SET v = v - 1 WHERE id = $1', [a]);
      await mover.query('UPDATE acct SET v = v + 1 WHERE id = $1', [b]);
      await mover.query('COMMIT');
      moves++;
    }
  })();
  const sums: number[] = [];
  try {
    for (let i = 0; i < 12; i++) {
      const r = await reader.query(
        'SELECT sum(v) AS s FROM acct WHERE id <= 100000 UNION ALL SELECT sum(v) FROM acct WHERE id > 100000');
      sums.push(r.rows.reduce((acc: number, row: { s: string }) => acc + Number(row.s), 0));
    }
  } finally {
    stop = true;
    await moving;
  }
  expect(moves).toBeGreaterThan(0);
  expect(sums.every((s) => s === total), `sums: ${sums.join(',')}`).toBe(true);
  await mover.end();
  await reader.end();
});

// flushes and compactions run all the time (small memtable): scans keep reading their snapshot's segments
for (const orientation of ['row,column', 'column', 'row']) {
  test(`long scans during heavy upserts see exactly one version of each key (orientation ${orientation})`, async () => {
    const table = `upserted_${orientation.replace(',', '_')}`;
    const setup = await eddy.client();
    await setup.query(`CREATE TABLE ${table} (id int PRIMARY KEY, v int NOT NULL) WITH (orientation = '${orientation}', memtable_rows = 2000)`);
    await setup.query(`INSERT INTO ${table} SELECT g, 0 FROM generate_series(1, 100000) g`);
    await setup.end();
    const writer = await eddy.client();
    const reader = await eddy.client();
    let stop = false;
    let batches = 0;
    const segmentIds = new Set<string>();
    const writing = (async () => {
      while (!stop) {
        const base = (batches * 997) % 99000;
        await writer.query(
          `INSERT INTO ${table} SELECT g, $2::int FROM generate_series($1::int + 1, $1::int + 500) g ON CONFLICT (id) DO UPDATE SET v = excluded.v`,
          [base, batches]);
        batches++;
      }
    })();
    // scan at least 8 times, and (column store) until the writes made new segments: a fast scan
    // must not end the race before the first flush
    const deadline = Date.now() + 60_000;
    const rewritten = () => orientation === 'row' || segmentIds.size > 55 || Date.now() > deadline;
    try {
      for (let i = 0; i < 8 || !rewritten(); i++) {
        const r = await reader.query(`SELECT count(*) AS n, count(DISTINCT id) AS d, min(id) AS lo, max(id) AS hi FROM ${table}`);
        expect(r.rows[0]).toEqual({ n: '100000', d: '100000', lo: 1, hi: 100000 });
        for (const x of (await reader.query(`SELECT segment_id FROM eddy_segments WHERE tablename = '${table}'`)).rows as { segment_id: string }[]) segmentIds.add(x.segment_id);
      }
    } finally {
      stop = true;
      await writing;
    }
    expect(batches).toBeGreaterThan(0);
    // the column store was rewritten while the scans ran (flushes and compactions made new segments)
    if (orientation !== 'row') expect(segmentIds.size).toBeGreaterThan(55);
    await writer.end();
    await reader.end();
  });
}
