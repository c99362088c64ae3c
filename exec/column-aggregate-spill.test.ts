// Typed sums of the vectorized aggregate stay exact: spillCheck() moves sums into bigint before
// any chunk could carry one past 2^53, even when every chunk adds the most it can to a group.
import { describe, it, expect } from 'vitest';
import { spillCheck } from './column-aggregate.js';

describe('vectorized sum spill checks', () => {
  for (const [name, perRow, rows] of [['int4', 2 ** 31, 65536], ['numeric(10,2)', 10 ** 10, 65536], ['int4 rows of the delta', 2 ** 31, 4096]] as const) {
    it(`keep ${name} sums exact at the worst case`, () => {
      const groups = 3;
      const acc = { s: new Float64Array(groups), sinceCheck: 0, big: new Array<bigint>(groups).fill(0n) };
      const want = new Array<bigint>(groups).fill(0n);
      let checks = 0;
      // group 2 climbs to just under the spill threshold, waits for a check (which leaves it), then
      // takes the most every chunk: the hardest case for the bound
      let phase: 'fill' | 'wait' | 'run' = 'fill';
      const chunks = Math.ceil(2 ** 55 / (rows * perRow));
      for (let chunk = 0; chunk < chunks; chunk++) {
        const bound = rows * perRow;
        const before = acc.sinceCheck;
        spillCheck(acc, groups, bound);
        const checked = acc.sinceCheck <= before;
        if (checked) checks++;
        if (phase === 'wait' && checked) phase = 'run';
        for (let g = 0; g < groups; g++) {
          // an odd amount just under the bound (odd integers past 2^53 are not representable)
          let add = g === 0 ? bound - 1 : g === 1 ? -(bound - 1) : 0;
          if (g === 2) {
            if (phase === 'fill' && acc.s[2]! + 2 * bound >= 2 ** 51) phase = 'wait';
            if (phase !== 'wait') add = bound - 1;
          }
          acc.s[g]! += add;
          want[g]! += BigInt(add);
          expect(Math.abs(acc.s[g]!)).toBeLessThan(2 ** 53);
        }
      }
      expect(phase).toBe('run');
      for (let g = 0; g < groups; g++) expect(acc.big[g]! + BigInt(acc.s[g]!)).toBe(want[g]);
      // and not a pass over the groups for every chunk
      expect(checks).toBeLessThan(chunks / 2);
    });
  }
});
