// A commit that fails part way leaves nothing of what it wrote before the failure: binlog
// chunks, secondary index entries, row-store rows (ordinary and bulk commits alike).
import { describe, it, expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store, type StoredRelation, type RowWrite } from './store.js';
import { encodeKey } from './key-codec.js';
import { T } from '../core/types.js';
import type { Row } from '../core/datum.js';

const TYPES = [T.int4, T.int4, T.text];

function table(oid: number, row: boolean, column: boolean): StoredRelation {
  return {
    oid, name: `t${oid}`, types: TYPES, pkName: `t${oid}_pkey`, orientation: { row, column }, flushRows: 100,
    indexes: [{ oid: oid + 1, name: `t${oid}_u`, columns: [1], unique: true, columnNames: ['u'] }],
  };
}

const keyOf = (rel: StoredRelation, id: number): Buffer => encodeKey(rel.oid, [T.int4], [id]);
const insert = (rel: StoredRelation, id: number, u: number): RowWrite => ({ rel, key: keyOf(rel, id), row: [id, u, `r${id}`], insertOnly: true });

describe('failed commits', () => {
  it('a unique violation found late undoes every earlier write of the commit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-atomic-'));
    const store = new Store(dir, { noSync: true });
    try {
      for (const rel of [table(30001, true, true), table(30011, false, true), table(30021, true, false)]) {
        await store.commit({ rows: [insert(rel, 5, 5)] });
        // more than a binlog chunk of rows before the key that is taken
        const rows = Array.from({ length: 1500 }, (_, i) => insert(rel, 1000 + i, 1000 + i));
        rows.push(insert(rel, 5, 99999));
        await expect(store.commit({ rows })).rejects.toThrow(/duplicate key value violates unique constraint/);
        expect(store.binlogHead(rel.oid)).toBe(1);
        expect([...store.binlog(rel)].map((e) => e.row)).toEqual([[5, 5, 'r5']]);
        expect(store.get(rel, keyOf(rel, 1000))).toBeUndefined();
        expect([...store.indexLookup(rel.indexes[0]!, [T.int4], [1000])]).toEqual([]);
        // the values the failed commit wrote into the unique index are free
        await store.commit({ rows: [insert(rel, 7, 1000)] });
        expect(store.get(rel, keyOf(rel, 7))).toEqual([7, 1000, 'r7']);
        expect(store.binlogHead(rel.oid)).toBe(2);
        expect([...store.binlog(rel)].map((e) => e.seq)).toEqual([1, 2]);
      }
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a bulk load with a taken key writes no row, no binlog entry and no segment', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-atomic-'));
    const store = new Store(dir, { noSync: true });
    try {
      const rel = { ...table(30031, true, true), indexes: [] };
      await store.commit({ rows: [insert(rel, 2900, 0)] });
      await store.flush(rel);
      const load = store.bulkInsert(rel, (row: Row) => new Error(`duplicate key value: ${String(row[0])}`));
      for (let id = 1; id <= 3000; id++) load.add(keyOf(rel, id), [id, id, `r${id}`]);
      await expect(store.commitBulk(load)).rejects.toThrow(/duplicate key value/);
      expect(store.get(rel, keyOf(rel, 1))).toBeUndefined();
      expect(store.binlogHead(rel.oid)).toBe(1);
      expect(store.segments(rel).length).toBe(1);
      const ok = store.bulkInsert(rel, () => new Error('duplicate key value'));
      for (let id = 1; id <= 300; id++) ok.add(keyOf(rel, id), [id, id, `r${id}`]);
      expect(await store.commitBulk(ok)).toBe(true);
      expect(store.get(rel, keyOf(rel, 300))).toEqual([300, 300, 'r300']);
      expect(store.binlogHead(rel.oid)).toBe(301);
      expect(store.segments(rel).length).toBe(4);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
