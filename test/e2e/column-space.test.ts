// Space: compaction and DROP TABLE give the disk space of column segments back.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startEddy, type EddyServer } from '../harness/server.js';

let eddy: EddyServer;
beforeAll(async () => { eddy = await startEddy({ env: { EDDY_SEGMENT_GRACE_MS: '0' } }); });
afterAll(async () => { await eddy?.stop(); });

function segmentBytes(): number {
  const dir = path.join(eddy.dataDir, 'segments');
  return fs.readdirSync(dir).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
}

test('compaction and DROP TABLE remove segment files', async () => {
  const c = await eddy.client();
  try {
    await c.query(`CREATE TABLE space_t (id int PRIMARY KEY, v int, s text) WITH (orientation = 'column', memtable_rows = 10000)`);
    await c.query(`INSERT INTO space_t SELECT g, g, repeat('x', 40) || g FROM generate_series(1, 100000) g`);
    await c.query('VACUUM space_t');
    const loaded = segmentBytes();
    expect(loaded).toBeGreaterThan(100000 * 40);
    const before = (await c.query(`SELECT segments, deleted_rows FROM eddy_storage WHERE tablename = 'space_t'`)).rows[0];
    expect(before).toEqual({ segments: '10', deleted_rows: '0' });

    // rewrite every row three times: without compaction the table would take 4x the space
    for (let i = 0; i < 3; i++) {
      await c.query(`UPDATE space_t SET v = v + 1`);
      await c.query('VACUUM space_t');
    }
    const after = (await c.query(`SELECT segments, deleted_rows, segment_rows FROM eddy_storage WHERE tablename = 'space_t'`)).rows[0];
    expect(after).toEqual({ segments: '10', deleted_rows: '0', segment_rows: '100000' });
    expect(segmentBytes()).toBeLessThan(loaded * 1.5);
    expect((await c.query('SELECT count(*)::int AS n, sum(v)::bigint AS s FROM space_t')).rows[0]).toEqual({ n: 100000, s: String(100000 * 100001 / 2 + 3 * 100000) });

    await c.query('DROP TABLE space_t');
    await c.query('VACUUM');
    expect(segmentBytes()).toBe(0);
  } finally {
    await c.end();
  }
});
