// Delete bitmaps kept as a base plus added-bits records: whatever the mix of commits adding bits
// (past the merge point), whole rewrites and removals, a read equals the bits set so far, and a
// snapshot keeps reading what it saw.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import { DeleteBitmaps, PendingDeletes } from './delete-bitmaps.js';
import { mulberry32 } from '../../test/harness/prng.js';

describe('delete bitmaps', () => {
  it('read back what commits set, across merges, rewrites and removals', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-bitmaps-'));
    const root = open({ path: dir, maxDbs: 2, noSync: true });
    try {
      const bitmaps = new DeleteBitmaps(root.openDB({ name: 'delbits', keyEncoding: 'binary', encoding: 'binary' }));
      const rnd = mulberry32(17);
      const model = new Map<number, Set<number>>([[1, new Set()], [2, new Set()], [300, new Set()]]);
      const check = (): void => {
        for (const [seg, bits] of model) expect([...bitmaps.read(seg).toArray()], `segment ${seg}`).toEqual([...bits].sort((a, b) => a - b));
      };
      for (let step = 0; step < 150; step++) {
        const r = rnd();
        if (r < 0.85) {
          const p = new PendingDeletes();
          for (let i = Math.floor(rnd() * 6); i >= 0; i--) {
            const seg = [1, 2, 300][Math.floor(rnd() * 3)]!;
            const off = Math.floor(rnd() * 5000);
            p.mark(seg, off);
            model.get(seg)!.add(off);
          }
          await root.transaction(() => p.apply(bitmaps));
        } else if (r < 0.95) {
          const seg = [1, 2, 300][Math.floor(rnd() * 3)]!;
          const bits = [1, 2, 3].map(() => Math.floor(rnd() * 100));
          model.set(seg, new Set(bits));
          await root.transaction(() => bitmaps.write(seg, DeleteBitmaps.create(bits)));
        } else {
          const seg = [1, 2, 300][Math.floor(rnd() * 3)]!;
          model.set(seg, new Set());
          await root.transaction(() => bitmaps.remove(seg));
        }
        check();
      }
      // a data directory of an older version: one record keyed by the segment id alone
      const db = root.openDB({ name: 'delbits', keyEncoding: 'binary', encoding: 'binary' });
      const old = Buffer.alloc(4);
      old.writeUInt32BE(500);
      await root.transaction(() => db.put(old, DeleteBitmaps.create([7, 8]).serialize(true) as unknown as Buffer));
      expect(bitmaps.read(500).toArray()).toEqual([7, 8]);
      for (let i = 0; i < 40; i++) {
        const p = new PendingDeletes();
        p.mark(500, 100 + i);
        await root.transaction(() => p.apply(bitmaps));
        p.committed(bitmaps);
        expect(bitmaps.read(500).size).toBe(3 + i);
      }
      expect(bitmaps.read(500).toArray()).toEqual([7, 8, ...Array.from({ length: 40 }, (_, i) => 100 + i)]);
      // the records were merged along the way
      expect([...db.getKeys({ start: old, end: Buffer.from([0, 0, 1, 245]) })].length).toBeLessThanOrEqual(33);

      // another process (an instance of its own) adds bits, then merges: the bitmap this one
      // cached is not served stale
      const other = new DeleteBitmaps(db);
      for (let i = 0; i < 40; i++) {
        const q = new PendingDeletes();
        q.mark(500, 9000 + i);
        await root.transaction(() => q.apply(other));
        q.committed(other);
        expect(bitmaps.read(500).has(9000 + i)).toBe(true);
      }
      expect(bitmaps.read(500).size).toBe(2 + 40 + 40);

      // a snapshot taken before more bits are set keeps its view
      const txn = root.useReadTransaction();
      const before = bitmaps.read(2, { txn, done: () => txn.done() } as never).toArray();
      const p = new PendingDeletes();
      p.mark(2, 99999);
      await root.transaction(() => p.apply(bitmaps));
      expect(bitmaps.read(2, { txn, done: () => txn.done() } as never).toArray()).toEqual(before);
      expect(bitmaps.read(2).has(99999)).toBe(true);
      txn.done();
    } finally {
      await root.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
