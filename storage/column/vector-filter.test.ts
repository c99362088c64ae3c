// selectRows against a row-at-a-time evaluation of the same predicates: every operator, on int,
// float and bigint columns, with and without NULLs and deleted rows.
import { expect, test } from 'vitest';
import { selectRows, type CompareOp, type ScanPredicate } from './vector-filter.js';
import type { LoadedSegment } from './segment-format.js';
import type { Bitmap } from './delete-bitmaps.js';
import { mulberry32 } from '../../test/harness/prng.js';

const OPS: CompareOp[] = ['<', '<=', '=', '>=', '>', '<>'];

test('selectRows equals a row-by-row evaluation for every operator and column kind', () => {
  const rnd = mulberry32(3);
  const n = 500;
  const ints = Int32Array.from({ length: n }, () => Math.floor(rnd() * 20) - 10);
  const floats = Float64Array.from({ length: n }, () => Math.floor(rnd() * 40) / 4);
  const bigs = BigInt64Array.from({ length: n }, () => BigInt(Math.floor(rnd() * 20)));
  const valid = new Uint8Array(Math.ceil(n / 8)).map(() => Math.floor(rnd() * 256));
  const isValid = (i: number) => (valid[i >> 3]! & (1 << (i & 7))) !== 0;
  const column = (values: Int32Array | Float64Array | BigInt64Array, nulls: boolean) => ({ values, valid: nulls ? valid : null, datum: (i: number) => (nulls && !isValid(i) ? null : values[i]!) });
  const seg = { rows: n, columns: [column(ints, false), column(floats, true), column(bigs, false), column(ints, true)] } as unknown as LoadedSegment;
  const deletedOffsets = [3, 17, 250, 499];
  const none = { isEmpty: true, toUint32Array: () => new Uint32Array(0) } as unknown as Bitmap;
  const some = { isEmpty: false, toUint32Array: () => Uint32Array.from(deletedOffsets) } as unknown as Bitmap;
  const holds = (op: CompareOp, x: number | bigint, v: number | bigint) => ({ '<': x < v, '<=': x <= v, '=': x === v, '>=': x >= v, '>': x > v, '<>': x !== v })[op];
  let checked = 0;
  for (const deleted of [none, some]) {
    for (const op1 of OPS) {
      for (const op2 of OPS) {
        for (const [c1, c2] of [[0, 1], [1, 0], [3, 2], [2, 3]] as const) {
          const value = (c: number) => (c === 2 ? 5n : c === 1 ? 2.5 : 0);
          const preds: ScanPredicate[] = [{ col: c1, op: op1, value: value(c1) }, { col: c2, op: op2, value: value(c2) }];
          const want: number[] = [];
          for (let i = 0; i < n; i++) {
            if (deleted === some && deletedOffsets.includes(i)) continue;
            if (preds.every((p) => { const d = seg.columns[p.col]!.datum(i) as number | bigint | null; return d !== null && holds(p.op, d, p.value); })) want.push(i);
          }
          expect([...selectRows(seg, deleted, preds)], `${c1} ${op1} / ${c2} ${op2}`).toEqual(want);
          checked++;
        }
      }
    }
  }
  expect(checked).toBe(2 * 36 * 4);
});
