// Turns a column scan's pushed-down comparisons into the constants the column store compares
// with: integers and timestamps as they are; for numeric(p, s) columns, exact bounds on the
// unscaled integers the segments hold (x > 12.345 on numeric(10,2) is x_unscaled > 1234).
import type { Row } from '../core/datum.js';
import type { ColumnarPredicate, CompareOp } from '../expr/plan.js';
import type { Numeric } from '../core/values/numeric.js';
import type { ExecContext, ColumnarRead } from './context.js';
import { compile } from '../expr/compile.js';

type Evaluated = ColumnarRead['predicates'][number];

/** floor and ceiling of digits / 10^k */
function floorCeil(digits: bigint, k: number): [bigint, bigint] {
  const d = 10n ** BigInt(k);
  const q = digits / d;
  const exact = q * d === digits;
  if (exact) return [q, q];
  return digits < 0n ? [q - 1n, q] : [q, q + 1n];
}

function decimalBound(col: number, op: CompareOp, v: Numeric, scale: number): Evaluated | null {
  if (v.special !== null) return null;
  if (v.scale <= scale) return { col, op, value: Number(v.digits * 10n ** BigInt(scale - v.scale)), scale };
  const [lo, hi] = floorCeil(v.digits, v.scale - scale);
  if (lo === hi) return { col, op, value: Number(lo), scale };
  // the bound falls between two representable values
  switch (op) {
    case '<': return { col, op: '<', value: Number(hi), scale };
    case '<=': return { col, op: '<=', value: Number(lo), scale };
    case '>': return { col, op: '>', value: Number(lo), scale };
    case '>=': return { col, op: '>=', value: Number(hi), scale };
    case '=': return { col, op: '<', value: -Infinity, scale }; // never equal
    case '<>': return { col, op: '>', value: -Infinity, scale }; // every non-null value
  }
}

/**
 * The predicates with their constants, `'none'` when one compares with NULL (no row qualifies),
 * or null when one cannot be pushed down (e.g. a NaN numeric): then run without pushdown.
 */
export function evaluatePredicates(preds: readonly ColumnarPredicate[], cx: ExecContext): Evaluated[] | 'none' | null {
  const empty: Row = [];
  const out: Evaluated[] = [];
  for (const p of preds) {
    const v = compile(p.value)(empty, cx);
    if (v === null) return 'none';
    if (p.scale !== undefined) {
      const b = decimalBound(p.col, p.op, v as Numeric, p.scale);
      if (!b) return null;
      out.push(b);
    } else if (typeof v === 'number' || typeof v === 'bigint') {
      out.push({ col: p.col, op: p.op, value: v });
    } else {
      return null;
    }
  }
  return out;
}
