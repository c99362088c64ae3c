// The simple-query plan cache. Point lookups sent as plain SQL (`SELECT ... WHERE id = 42`)
// differ only in their literals, so Eddy binds such a statement once with its literals turned
// into typed parameters and reuses the plan, skipping parse and bind for the next ones.
// Only statements whose meaning cannot depend on a literal's exact value are cached: plain
// SELECT (no GROUP BY, DISTINCT, set operations or WITH), INSERT ... VALUES, UPDATE, DELETE.
import type { SqlType } from '../../core/types.js';
import type { Plan } from '../../expr/plan.js';
import type { BoundDml } from '../../planner/bind-dml.js';
import type { ResultColumn } from './types.js';
import { scanLiterals, type Literal } from '../../planner/literal-scan.js';
import type { ParsedStatement } from '../../planner/parse.js';

export interface CachedPlan {
  readonly stmt: ParsedStatement;
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

