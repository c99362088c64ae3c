// Hash join (inner, left, right, full) on equi-join keys with an optional residual predicate;
// without keys it is a nested loop over the materialized right side. Class: blocking on the
// right (build) side, streaming on the left (probe) side.
import type { Datum, Row } from '../core/datum.js';
import type { Plan } from '../expr/plan.js';
import type { ExecContext } from './context.js';
import { compile } from '../expr/compile.js';
import { run, EMPTY, type Batch } from './run.js';
import { rowKeyFn } from './sort.js';

export function* runHashJoin(plan: Extract<Plan, { kind: 'join' }>, cx: ExecContext): Generator<Batch> {
  const lk = plan.leftKeys.map(compile);
  const rk = plan.rightKeys.map(compile);
  const keyOf = rowKeyFn(plan.leftKeys.map((k) => k.type));
  const residual = plan.residual ? compile(plan.residual) : null;
  const lw = plan.left.columns.length;
  const rw = plan.right.columns.length;
  const type = plan.joinType;
  const keepRight = type === 'right' || type === 'full';
  const keepLeft = type === 'left' || type === 'full';

  // build
  const rights: Row[] = [];
  for (const b of run(plan.right, cx)) {
    yield EMPTY;
    for (const r of b) rights.push(r);
  }
  const matched = keepRight ? new Uint8Array(rights.length) : null;
  const hashed = lk.length > 0;
  const table = new Map<string, number[]>();
  if (hashed) {
    const vals = new Array<Datum>(rk.length);
    for (let i = 0; i < rights.length; i++) {
      const r = rights[i]!;
      let hasNull = false;
      for (let j = 0; j < rk.length; j++) { const v = rk[j]!(r, cx); if (v === null) hasNull = true; vals[j] = v; }
      if (hasNull) continue; // NULL never equals anything
      const k = keyOf(vals);
      const list = table.get(k);
      if (list) list.push(i); else table.set(k, [i]);
    }
  }
  const allIdx = hashed ? null : rights.map((_r, i) => i);
  const nullsR = new Array<Datum>(rw).fill(null);
  const vals = new Array<Datum>(lk.length);

  // probe
  for (const b of run(plan.left, cx)) {
    if (b.length === 0) { yield b; continue; }
    const out: Row[] = [];
    for (const l of b) {
      let cands: number[] | undefined;
      if (hashed) {
        let hasNull = false;
        for (let j = 0; j < lk.length; j++) { const v = lk[j]!(l, cx); if (v === null) hasNull = true; vals[j] = v; }
        cands = hasNull ? undefined : table.get(keyOf(vals));
      } else {
        cands = allIdx!;
      }
      let any = false;
      if (cands) {
        for (const i of cands) {
          const row = l.concat(rights[i]!);
          if (residual && residual(row, cx) !== true) continue;
          any = true;
          if (matched) matched[i] = 1;
          out.push(row);
        }
      }
      if (!any && keepLeft) out.push(l.concat(nullsR));
    }
    yield out;
  }
  if (matched) {
    const nullsL = new Array<Datum>(lw).fill(null);
    const out: Row[] = [];
    for (let i = 0; i < rights.length; i++) if (!matched[i]) out.push(nullsL.concat(rights[i]!));
    if (out.length) yield out;
  }
}
