// A bulk load into an empty table writes its chunks as it goes (staged-load.ts): until it
// commits, every reader sees the table empty and writers to it wait; a load that fails, or whose
// process dies, leaves nothing behind.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import { Store, type StoredRelation, type RowWrite } from './store.js';
import { encodeKey } from './key-codec.js';
import { T } from '../core/types.js';
import type { Row } from '../core/datum.js';

const TYPES = [T.int4, T.int4, T.text];

function table(oid: number, column = true): StoredRelation {
  return { oid, name: `t${oid}`, types: TYPES, pkName: `t${oid}_pkey`, orientation: { row: true, column }, flushRows: 100, indexes: [] };
}

const keyOf = (rel: StoredRelation, id: number): Buffer => encodeKey(rel.oid, [T.int4], [id]);
const insert = (rel: StoredRelation, id: number): RowWrite => ({ rel, key: keyOf(rel, id), row: [id, -id, `new${id}`], insertOnly: true });
const dup = (row: Row): Error => new Error(`duplicate key value: ${String(row[0])}`);

async function withStore(fn: (store: Store, dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-staged-'));
  const store = new Store(dir, { noSync: true });
  try {
    await fn(store, dir);
  } finally {
    await store.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** what readers see of the table */
function visible(store: Store, rel: StoredRelation): unknown {
  const snap = store.snapshot();
  try {
    return {
      get: store.get(rel, keyOf(rel, 1), snap) ?? null,
      scan: [...store.scan(rel, undefined, snap)].length,
      columns: [...store.columnScan(rel, { columns: null, predicates: [] }, snap)].length,
      empty: store.isEmpty(rel, snap),
      binlog: [...store.binlog(rel, 0, snap)].length,
      head: store.binlogHead(rel.oid, snap),
      keys: store.keysWithPrefix(rel, keyOf(rel, 1).subarray(0, 4), 10, snap).length,
    };
  } finally {
    snap.done();
  }
}

const EMPTY = { get: null, scan: 0, columns: 0, empty: true, binlog: 0, head: 0, keys: 0 };

/** lets staged chunks be written */
const settle = async (): Promise<void> => { for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 5)); };

describe('staged bulk loads', () => {
  it("another process's load: its writers fail with 40001 instead of waiting, its readers see the table empty", async () => {
    await withStore(async (store, dir) => {
      const rel = table(31051);
      const load = store.bulkInsert(rel, dup);
      for (let id = 1; id <= 1000; id++) load.add(keyOf(rel, id), [id, id, `r${id}`]);
      await settle();
      // a second store on the same data: what another worker process has
      const other = new Store(dir, { noSync: true });
      try {
        expect(visible(other, rel)).toEqual(EMPTY);
        await expect(other.commit({ rows: [insert(rel, 5000)] })).rejects.toThrow(/could not serialize access: a bulk load/);
        await expect(other.commit({ rows: [], clearRelations: [rel] })).rejects.toThrow(/could not serialize access: a bulk load/);
        await expect(other.commit({ rows: [], droppedRelations: [rel.oid] })).rejects.toThrow(/could not serialize access: a bulk load/);
        expect(await store.commitBulk(load)).toBe(true);
        expect(other.countRows(rel)).toBe(1000);
        await other.commit({ rows: [insert(rel, 5000)] });
        expect(other.get(rel, keyOf(rel, 5000))).toEqual([5000, -5000, 'new5000']);
      } finally {
        await other.close();
      }
    });
  });

  it('are unseen until they commit, and writers to the table wait for them', async () => {
    await withStore(async (store) => {
      for (const rel of [table(31001), table(31011, false)]) {
        const load = store.bulkInsert(rel, dup);
        for (let id = 1; id <= 1050; id++) load.add(keyOf(rel, id), [id, id, `r${id}`]);
        await settle();
        // ten chunks are in the row store and the binlog by now: nobody sees them
        expect(visible(store, rel)).toEqual(EMPTY);
        expect(store.countRows(rel)).toBe(0);
        // a commit to the table waits for the load, then finds its keys taken
        let settled = false;
        const taken = store.commit({ rows: [insert(rel, 5)] }).finally(() => { settled = true; });
        const fresh = store.commit({ rows: [insert(rel, 5000)] });
        await settle();
        expect(settled).toBe(false);
        expect(await store.commitBulk(load)).toBe(true);
        await expect(taken).rejects.toThrow(/duplicate key value/);
        await fresh;
        const after = visible(store, rel) as { scan: number; binlog: number; head: number };
        expect(after).toMatchObject({ get: [1, 1, 'r1'], scan: 1051, empty: false, binlog: 1051, head: 1051 });
        if (rel.orientation.column) expect((visible(store, rel) as { columns: number }).columns).toBe(1051);
        // the binlog: the load's entries in key order, then the insert that waited
        expect([...store.binlog(rel)].map((e) => e.row[0])).toEqual([...Array.from({ length: 1050 }, (_, i) => i + 1), 5000]);
      }
    });
  });

  it('a failed load takes back its rows, binlog entries and mark', async () => {
    await withStore(async (store) => {
      const rel = table(31021);
      const load = store.bulkInsert(rel, dup);
      for (let id = 1; id <= 950; id++) load.add(keyOf(rel, id), [id, id, `r${id}`]);
      // a key the load already wrote, in a later chunk
      load.add(keyOf(rel, 7), [7, 0, 'again']);
      for (let id = 951; id <= 1100; id++) load.add(keyOf(rel, id), [id, id, `r${id}`]);
      await expect(store.commitBulk(load)).rejects.toThrow(/duplicate key value: 7/);
      expect(visible(store, rel)).toEqual(EMPTY);
      // the table takes writes, and a new load, at once
      await store.commit({ rows: [insert(rel, 1)] });
      expect(store.get(rel, keyOf(rel, 1))).toEqual([1, -1, 'new1']);
      const again = store.bulkInsert(rel, dup);
      for (let id = 2; id <= 500; id++) again.add(keyOf(rel, id), [id, id, `r${id}`]);
      // not empty any more: this one writes everything at its commit, once the delta is flushed
      await store.flush(rel);
      expect(await store.commitBulk(again)).toBe(true);
      expect(store.countRows(rel)).toBe(500);
      expect([...store.binlog(rel)].map((e) => e.seq)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    });
  });

  it('a load whose process died is taken back when the store opens', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-staged-'));
    try {
      const rel = table(31031);
      let store = new Store(dir, { noSync: true });
      await store.commit({ rows: [insert(table(31041), 1)] });
      const load = store.bulkInsert(rel, dup);
      for (let id = 1; id <= 1000; id++) load.add(keyOf(rel, id), [id, id, `r${id}`]);
      await settle();
      expect(visible(store, rel)).toEqual(EMPTY);
      // the process goes away mid-load (no abort, no commit); a new one opens the data
      await store.close();
      const raw = open({ path: dir, maxDbs: 16, pageSize: 16384 });
      const meta = raw.openDB({ name: 'meta', keyEncoding: 'ordered-binary', encoding: 'msgpack' });
      const mark = meta.get(`bulkLoad:${rel.oid}`) as { pid: number } | undefined;
      expect(mark?.pid).toBe(process.pid);
      // as a killed process leaves it: a pid nobody has
      await meta.put(`bulkLoad:${rel.oid}`, { ...mark, pid: 0x3ffffe });
      await raw.close();
      store = new Store(dir, { noSync: true });
      try {
        expect(visible(store, rel)).toEqual(EMPTY);
        expect(store.countRows(rel)).toBe(0);
        // nothing of the load is left to read through a later mark either: its rows are gone
        await store.commit({ rows: [insert(rel, 3)] });
        await store.flush(rel);
        expect([...store.scan(rel)].map(([, r]) => r)).toEqual([[3, -3, 'new3']]);
        expect([...store.binlog(rel)].map((e) => e.seq)).toEqual([1]);
        expect(store.get(table(31041), keyOf(table(31041), 1))).toEqual([1, -1, 'new1']);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
