// ORDER BY ... LIMIT's top-N keeps exactly the rows (and order) of the full stable sort.
import { describe, it, expect } from 'vitest';
import { sortRows, TopN } from './sort.js';
import { T } from '../core/types.js';
import type { Row } from '../core/datum.js';
import type { SortKey } from '../expr/plan.js';
import type { ExecContext } from './context.js';
import { mulberry32 } from '../test/harness/prng.js';

const cx = {} as ExecContext;
const col = (index: number, type = T.int4): SortKey['expr'] => ({ kind: 'col', index, type });

describe('top-N', () => {
  it('equals the first n rows of the full sort, with ties, NULLs and either direction', () => {
    const rnd = mulberry32(5);
    for (let trial = 0; trial < 200; trial++) {
      const rows: Row[] = Array.from({ length: Math.floor(rnd() * 300) }, (_, i) => [rnd() < 0.1 ? null : Math.floor(rnd() * 20), i, BigInt(Math.floor(rnd() * 5))]);
      const keys: SortKey[] = [
        { expr: col(0), desc: rnd() < 0.5, nullsFirst: rnd() < 0.5 },
        ...(rnd() < 0.5 ? [{ expr: col(2, T.int8), desc: rnd() < 0.5, nullsFirst: false }] : []),
      ];
      const n = Math.floor(rnd() * 40);
      const top = new TopN(keys, n, cx);
      for (const r of rows) top.push(r);
      expect(top.rows()).toEqual(sortRows([...rows], keys, cx).slice(0, n));
    }
  });
});
