// A statement's snapshot holds every commit acknowledged before it, whichever process made it.
// lmdb-js shares one read transaction among a process's reads until the event loop turns or the
// process commits itself; a snapshot taken while another reader holds that transaction joined it
// as it was, before a commit another worker process had just acknowledged (workers.test.ts: a
// count right after concurrent inserts from all workers missed the other worker's last rows).
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Store } from './store.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');

/** another process commits to the data directory (synchronously: this process's event loop does not turn) */
function commitElsewhere(dir: string, counter: number): void {
  const code = `
    import { open } from 'lmdb';
    const root = open({ path: process.argv[1], maxDbs: 16, maxReaders: 4096, pageSize: 16384, mapSize: 2 ** 36, compression: false });
    const meta = root.openDB({ name: 'meta', keyEncoding: 'ordered-binary', encoding: 'msgpack' });
    root.transactionSync(() => {
      meta.put('counter:other', ${counter});
      meta.put('catalogVersion', (meta.get('catalogVersion') ?? 0) + 1);
    });
    await root.close();`;
  execFileSync(process.execPath, ['--input-type=module', '-e', code, dir], { cwd: repo, stdio: 'inherit' });
}

describe('snapshots across processes', () => {
  it('a snapshot taken right after another process committed sees that commit, while older snapshots are held', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-fresh-'));
    const store = new Store(dir, { noSync: true });
    try {
      await store.commit({ rows: [], counters: new Map([['other', 0]]) });
      // all in one turn of the event loop, as a statement that arrives while others run
      const held = store.snapshot();
      expect(store.counter('other', held)).toBe(0);
      const version = store.catalogVersion();
      commitElsewhere(dir, 1);
      const snap = store.snapshot();
      try {
        expect(store.counter('other', snap)).toBe(1);
        // the catalog check at the start of a statement sees the other process's DDL too
        expect(store.catalogVersion()).toBe(version + 1);
        // the older snapshot still reads as of when it was taken
        expect(store.counter('other', held)).toBe(0);
      } finally {
        snap.done();
        held.done();
      }
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
