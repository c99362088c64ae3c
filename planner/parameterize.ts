// Literal parameterization for the simple-query plan cache (server/session/plan-cache.ts): decides
// whether a statement's plan can be shared across literal values, and rewrites its literals into
// typed parameters.
import type { Node } from '@pgsql/types';
import { T, type SqlType } from '../core/types.js';
import type { Literal } from './literal-scan.js';
import type { ParsedStatement } from './parse.js';

/** Whether a statement may be cached, judged on its parse tree. */
export function cacheable(p: ParsedStatement): boolean {
  const stmt = p.stmt;
  if ('SelectStmt' in stmt) {
    const s = stmt.SelectStmt;
    return (!s.op || s.op === 'SETOP_NONE') && !s.groupClause?.length && !s.havingClause && s.distinctClause === undefined
      && !s.withClause && !s.valuesLists && !s.windowClause?.length && !s.intoClause && !s.lockingClause?.length;
  }
  if ('InsertStmt' in stmt) {
    const sel = stmt.InsertStmt.selectStmt;
    return !stmt.InsertStmt.withClause && !!sel && 'SelectStmt' in sel && !!sel.SelectStmt.valuesLists;
  }
  if ('UpdateStmt' in stmt) return !stmt.UpdateStmt.withClause;
  if ('DeleteStmt' in stmt) return !stmt.DeleteStmt.withClause;
  return false;
}

/**
 * Copies the tree with literals replaced by parameters where the literal's value cannot change
 * the plan's shape. Returns the new tree, the parameter types to bind with, and for each
 * parameter the index of the literal it stands for.
 */
export function parameterize(p: ParsedStatement, literals: readonly Literal[]): { stmt: ParsedStatement; paramTypes: SqlType[]; slots: number[] } {
  const stmt = p.stmt;
  const byStart = new Map<number, number>();
  literals.forEach((l, i) => byStart.set(l.start, i));
  const paramTypes: SqlType[] = [];
  const slots: number[] = [];
  // positions whose literal is structural: ORDER BY / DISTINCT ON ordinals, type modifiers
  const keep = new Set<object>();
  const visit = (v: unknown, parentKey: string): unknown => {
    if (Array.isArray(v)) return v.map((x) => visit(x, parentKey));
    if (v === null || typeof v !== 'object') return v;
    if (keep.has(v)) return v;
    const o = v as Record<string, unknown>;
    if ('SortBy' in o) {
      const sb = o['SortBy'] as Record<string, unknown>;
      if (sb['node'] && typeof sb['node'] === 'object' && 'A_Const' in (sb['node'] as object)) keep.add(sb['node'] as object);
    }
    if ('typmods' in o && Array.isArray(o['typmods'])) for (const m of o['typmods'] as object[]) keep.add(m);
    // a literal cast to a type with modifiers may mean something else by them (INTERVAL '12' HOUR)
    if ('TypeCast' in o) {
      const tc = o['TypeCast'] as { arg?: object; typeName?: { typmods?: unknown[] } };
      if (tc.arg && 'A_Const' in tc.arg && (tc.typeName?.typmods?.length ?? 0) > 0) keep.add(tc.arg);
    }
    if ('A_Const' in o && parentKey !== 'typmods') {
      const c = o['A_Const'] as { ival?: { ival?: number }; fval?: { fval?: string }; sval?: { sval?: string }; location?: number };
      const li = c.location !== undefined ? byStart.get(c.location) : undefined;
      if (li !== undefined && (c.ival !== undefined || c.fval !== undefined || c.sval !== undefined)) {
        let t: SqlType = T.unknown;
        if (c.ival !== undefined) t = T.int4;
        else if (c.fval !== undefined) t = /^\d+$/.test(c.fval.fval ?? '') && BigInt(c.fval.fval ?? '0') < 2n ** 63n ? T.int8 : T.numeric;
        paramTypes.push(t);
        slots.push(li);
        return { ParamRef: { number: paramTypes.length, location: c.location } };
      }
      return v;
    }
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) out[k] = visit(x, k);
    return out;
  };
  return { stmt: { ...p, stmt: visit(stmt, '') as Node }, paramTypes, slots };
}
