// The simple-query plan cache. Point lookups sent as plain SQL (`SELECT ... WHERE id = 42`)
// differ only in their literals, so Eddy binds such a statement once with its literals turned
// into typed parameters and reuses the plan, skipping parse and bind for the next ones.
// Only statements whose meaning cannot depend on a literal's exact value are cached: plain
// SELECT (no GROUP BY, DISTINCT, set operations or WITH), INSERT ... VALUES, UPDATE, DELETE.
import type { Node } from '@pgsql/types';
import { T, type SqlType } from '../../core/types.js';
import type { Plan } from '../../expr/plan.js';
import type { BoundDml } from '../../planner/bind-dml.js';
import type { ResultColumn } from './types.js';
import { scanLiterals, type Literal } from './literal-scan.js';

export interface CachedPlan {
  readonly stmt: Node;
  readonly sql: string;
  readonly version: number;
  readonly plan: Plan | BoundDml;
  readonly columns: readonly ResultColumn[] | null;
  /** final parameter types; parameter i is literal slots[i] */
  readonly paramTypes: readonly SqlType[];
  readonly slots: readonly number[];
  /** literals kept as constants (by literal index) and the text they must have */
  readonly fixed: ReadonlyMap<number, string>;
  /** the natural type class of each parameter's literal; a literal of another class misses */
  readonly kinds: readonly string[];
}

/** int4 / int8 / numeric for numbers as PostgreSQL's lexer types them, 'string' for strings */
export function literalKind(l: Literal): string {
  if (l.kind === 'string') return 'string';
  if (l.value.includes('.')) return 'numeric';
  const n = BigInt(l.value);
  return n < 2n ** 31n ? 'int4' : n < 2n ** 63n ? 'int8' : 'numeric';
}

const MAX_ENTRIES = 2000;

export class PlanCache {
  private readonly entries = new Map<string, CachedPlan | 'uncacheable'>();

  /** A cached plan for this SQL, and the literal values for its parameters. */
  lookup(sql: string, scope: string, version: number): { entry: CachedPlan; values: string[] } | { key: string; literals: readonly Literal[] } | null {
    const scanned = scanLiterals(sql);
    if (!scanned || scanned.literals.length === 0) return null;
    const key = scope + '\u0000' + scanned.key;
    const e = this.entries.get(key);
    if (e === 'uncacheable') return null;
    if (e && e.version === version) {
      let ok = true;
      for (const [i, text] of e.fixed) if (scanned.literals[i]!.value !== text) { ok = false; break; }
      for (let k = 0; ok && k < e.slots.length; k++) if (literalKind(scanned.literals[e.slots[k]!]!) !== e.kinds[k]) ok = false;
      if (ok) return { entry: e, values: e.slots.map((s) => scanned.literals[s]!.value) };
    }
    return { key, literals: scanned.literals };
  }

  store(key: string, entry: CachedPlan | 'uncacheable'): void {
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, entry);
  }
}

/** Whether a statement may be cached, judged on its parse tree. */
export function cacheable(stmt: Node): boolean {
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
export function parameterize(stmt: Node, literals: readonly Literal[]): { stmt: Node; paramTypes: SqlType[]; slots: number[] } {
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
  return { stmt: visit(stmt, '') as Node, paramTypes, slots };
}
