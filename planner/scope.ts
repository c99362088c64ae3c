// Name scopes of the binder: the columns visible at a point of a query, in row-layout order,
// and the chain to enclosing queries for correlated references.
import type { SqlType } from '../core/types.js';
import { SqlError, SqlState } from '../core/errors.js';
import type { CteDef } from '../expr/plan.js';
import type { Catalog } from '../catalog/catalog.js';
import type { ValueSettings } from '../core/values/settings.js';

export interface ScopeCol {
  readonly name: string;
  /** range alias (table name or alias); null for unnamed columns */
  readonly table: string | null;
  readonly type: SqlType;
  readonly tableOid?: number;
  readonly attnum?: number;
  /** merged away by JOIN USING/NATURAL: reachable only qualified */
  readonly hiddenUnqualified?: boolean;
  /** not expanded by `*` (e.g. USING duplicates) */
  readonly hiddenStar?: boolean;
}

export type { VirtualTable } from '../catalog/model.js';
import type { VirtualTable } from '../catalog/model.js';

/** Statement-wide binding state. */
export interface BindEnv {
  readonly catalog: Catalog;
  readonly searchPath: readonly string[];
  readonly settings: ValueSettings;
  /** parameter types; entries are 'unknown' until inferred from use */
  readonly params: SqlType[];
  readonly user: string;
  readonly database: string;
  readonly processId: number;
  /** system relations (pg_catalog, information_schema) */
  findVirtual(schema: string | null, name: string): VirtualTable | undefined;
  /** nesting depth of view expansion (guards against recursive views) */
  readonly viewDepth: number;
  /** current_setting() */
  getSetting(name: string): string;
  /** set_config(): sets a session setting when the call runs, returns its new value */
  setSetting?(name: string, value: string): string;
  /** server start, ms since 1970 */
  readonly startTime: number;
  /** sequence operations (nextval/currval/setval), by sequence oid */
  readonly sequences: SequenceOps;
}

export interface SequenceOps {
  next(oid: number): bigint;
  current(oid: number): bigint;
  set(oid: number, value: bigint, called: boolean): bigint;
}

export class Scope {
  readonly cols: ScopeCol[] = [];
  /** set when a name resolved through this scope to an enclosing one */
  correlated = false;
  constructor(readonly parent: Scope | null, readonly ctes: Map<string, CteDef> = new Map(parent?.ctes ?? [])) {}

  add(cols: readonly ScopeCol[]): void { for (const c of cols) this.cols.push(c); }

  findCte(name: string): CteDef | undefined { return this.ctes.get(name); }

  /** Resolves [table.]column in this scope only: index, or -1 if absent. */
  lookupLocal(table: string | null, name: string, position: number | undefined): number {
    let found = -1;
    for (let i = 0; i < this.cols.length; i++) {
      const c = this.cols[i]!;
      if (c.name !== name) continue;
      if (table !== null ? c.table !== table : c.hiddenUnqualified) continue;
      if (found >= 0) {
        throw new SqlError(SqlState.AmbiguousColumn, `column reference "${table ? table + '.' : ''}${name}" is ambiguous`,
          position !== undefined ? { position } : {});
      }
      found = i;
    }
    return found;
  }

  hasTable(table: string): boolean {
    return this.cols.some((c) => c.table === table);
  }
}
