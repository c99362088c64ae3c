// A flush writes the row store ahead of the transaction that moves the applied mark
// (row-flush.ts): readers keep their snapshots, TRUNCATE and DROP in the same process wait for
// the flush, in another process they fail with 40001 while its mark is there, and the mark of a
// process that died goes when the store opens.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import { Store, type StoredRelation, type RowWrite } from './store.js';
import { encodeKey } from './key-codec.js';
import { T } from '../core/types.js';

const TYPES = [T.int4, T.int4, T.text];

function table(oid: number, column: boolean): StoredRelation {
  return { oid, name: `t${oid}`, types: TYPES, pkName: `t${oid}_pkey`, orientation: { row: true, column }, flushRows: 100, indexes: [] };
}

const keyOf = (rel: StoredRelation, id: number): Buffer => encodeKey(rel.oid, [T.int4], [id]);
const upsert = (rel: StoredRelation, id: number, v: number): RowWrite => ({ rel, key: keyOf(rel, id), row: [id, v, `v${v}`] });
const remove = (rel: StoredRelation, id: number): RowWrite => ({ rel, key: keyOf(rel, id), row: null });

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-rowflush-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** writes a row-flush mark as another process would (the store must be closed) */
async function putMark(dir: string, oid: number, mark: { pid: number; process: string }): Promise<void> {
  const raw = open({ path: dir, maxDbs: 16, pageSize: 16384 });
  await raw.openDB({ name: 'meta', keyEncoding: 'ordered-binary', encoding: 'msgpack' }).put(`rowFlush:${oid}`, mark);
  await raw.close();
}

const rowsOf = (store: Store, rel: StoredRelation, snap?: ReturnType<Store['snapshot']>): unknown[] => [...store.scan(rel, undefined, snap)].map(([, r]) => r);

describe('row store writes ahead of a flush', () => {
  for (const column of [false, true]) {
    it(`keep every snapshot's view and end up in the row store (${column ? 'row,column' : 'row'})`, async () => {
      await withDir(async (dir) => {
        const store = new Store(dir, { noSync: true });
        try {
          const rel = table(32001 + Number(column), column);
          await store.commit({ rows: Array.from({ length: 300 }, (_, i) => upsert(rel, i + 1, 0)) });
          await store.flush(rel);
          await store.commit({ rows: [...Array.from({ length: 100 }, (_, i) => upsert(rel, 2 * i + 1, 1)), remove(rel, 2), upsert(rel, 1000, 1)] });
          const before = store.snapshot();
          const seen = rowsOf(store, rel, before);
          expect(seen).toHaveLength(300);
          await store.flush(rel);
          expect(store.deltaRows(rel)).toBe(0);
          // the old snapshot reads what it read before the flush; a new one the flushed versions
          expect(rowsOf(store, rel, before)).toEqual(seen);
          expect(store.get(rel, keyOf(rel, 1), before)).toEqual([1, 1, 'v1']);
          before.done();
          expect(store.get(rel, keyOf(rel, 2))).toBeUndefined();
          expect(store.get(rel, keyOf(rel, 1000))).toEqual([1000, 1, 'v1']);
          expect(store.countRows(rel)).toBe(300);
          if (column) expect([...store.columnScan(rel, { columns: null, predicates: [] })]).toHaveLength(300);
        } finally {
          await store.close();
        }
      });
    });
  }

  it('TRUNCATE and DROP in the same process wait for the flush; the table is empty after', async () => {
    await withDir(async (dir) => {
      const store = new Store(dir, { noSync: true });
      try {
        for (const [oid, drop] of [[32011, false], [32012, true]] as const) {
          const rel = table(oid, false);
          // a bulk commit goes straight into the stores; the next one waits in the delta
          await store.commit({ rows: Array.from({ length: 500 }, (_, i) => upsert(rel, i + 1, 0)) });
          await store.commit({ rows: Array.from({ length: 50 }, (_, i) => upsert(rel, 10 * i + 1, 1)) });
          // the flush marks the table before it returns to the event loop: the TRUNCATE comes after
          const flushed = store.flush(rel);
          const cleared = store.commit({ rows: [], clearRelations: [rel], ...(drop ? { droppedRelations: [rel.oid] } : {}) });
          expect(await flushed).toBe(50);
          await cleared;
          expect(rowsOf(store, rel)).toEqual([]);
          expect(store.countRows(rel)).toBe(0);
          if (!drop) {
            await store.commit({ rows: [upsert(rel, 7, 7)] });
            await store.flush(rel);
            expect(rowsOf(store, rel)).toEqual([[7, 7, 'v7']]);
          }
        }
      } finally {
        await store.close();
      }
    });
  });

  it("another process's flush mark holds TRUNCATE and DROP back, then fails them with 40001 if it stays; a dead process's mark goes when the store opens", async () => {
    await withDir(async (dir) => {
      const rel = table(32021, true);
      let store = new Store(dir, { noSync: true });
      await store.commit({ rows: [upsert(rel, 1, 1)] });
      await store.close();
      // as another worker process leaves it mid-flush: a live pid that is not this process
      await putMark(dir, rel.oid, { pid: process.ppid, process: 'another' });
      store = new Store(dir, { noSync: true, flushWaitMs: 300 });
      try {
        const t0 = Date.now();
        await expect(store.commit({ rows: [], clearRelations: [rel] })).rejects.toMatchObject({ code: '40001', message: expect.stringMatching(/a flush of the table is running/) });
        // it retried for the while it was given before giving up
        expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
        await expect(store.commit({ rows: [], droppedRelations: [rel.oid] })).rejects.toMatchObject({ code: '40001' });
        // ordinary writes go on
        await store.commit({ rows: [upsert(rel, 2, 2)] });
      } finally {
        await store.close();
      }
      // the process dies (a pid nobody has): the next opening removes its mark
      await putMark(dir, rel.oid, { pid: 0x3ffffe, process: 'gone' });
      store = new Store(dir, { noSync: true });
      try {
        await store.commit({ rows: [], clearRelations: [rel] });
        expect(store.countRows(rel)).toBe(0);
      } finally {
        await store.close();
      }
    });
  });
});
