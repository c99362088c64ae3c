// Each process keeps its own copy of a table's delta. When another process flushes, a copy that
// fell behind starts again from the new applied mark; readers of this process whose snapshots are
// older then need the versions below it. A reader older than the flush and one taken between the
// flush's read of the delta and its commit must each see exactly the versions of its snapshot,
// in whichever order they ask.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store, type StoredRelation, type RowWrite } from './store.js';
import { encodeKey } from './key-codec.js';
import { T } from '../core/types.js';

const rel: StoredRelation = {
  oid: 30101, name: 't30101', types: [T.int4, T.int4, T.text], pkName: 't30101_pkey', orientation: { row: true, column: false }, flushRows: 1000, indexes: [],
};
const keyOf = (id: number): Buffer => encodeKey(rel.oid, [T.int4], [id]);
const insert = (id: number, v: number): RowWrite => ({ rel, key: keyOf(id), row: [id, v, `r${id}`], insertOnly: true });

describe('delta copies and older readers', () => {
  it('readers from before and from during another process flush see their own versions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-older-'));
    // two stores on one directory: each keeps its own copy of the delta, as two worker processes do
    const here = new Store(dir, { noSync: true });
    const other = new Store(dir, { noSync: true });
    try {
      await here.commit({ rows: [insert(1, 10)] });
      const before = here.snapshot();
      await other.commit({ rows: [insert(2, 20)] });
      const during = here.snapshot();
      await other.flush(rel);
      await other.commit({ rows: [insert(3, 30)] });
      const after = here.snapshot();
      try {
        // the newest reader first: this process's copy starts again from the flush's mark
        expect(here.get(rel, keyOf(3), after)).toEqual([3, 30, 'r3']);
        expect(here.get(rel, keyOf(2), after)).toEqual([2, 20, 'r2']);
        // then the oldest: it sees only the first row
        expect(here.get(rel, keyOf(1), before)).toEqual([1, 10, 'r1']);
        expect(here.get(rel, keyOf(2), before)).toBeUndefined();
        // then the one between: it sees the row the flush applied, which its snapshot's stores lack
        expect(here.get(rel, keyOf(2), during)).toEqual([2, 20, 'r2']);
        expect(here.get(rel, keyOf(1), during)).toEqual([1, 10, 'r1']);
        expect(here.get(rel, keyOf(3), during)).toBeUndefined();
      } finally {
        after.done();
        during.done();
        before.done();
      }
    } finally {
      await other.close();
      await here.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
