// Bound INSERT / UPDATE / DELETE as plain data: what planner/bind-dml.ts produces and
// exec/dml.ts executes.
import type { Expr } from './ir.js';
import type { Plan, PlanColumn } from './plan.js';
import type { RelationDef, IndexDef } from '../catalog/model.js';

export interface Returning { readonly exprs: readonly Expr[]; readonly columns: readonly PlanColumn[] }

export interface RowChecks {
  /** NOT NULL columns */
  readonly notNull: readonly number[];
  /** CHECK constraints over the new row */
  readonly checks: readonly { readonly name: string; readonly expr: Expr }[];
  /** stored generated columns: computed over the new row before the checks */
  readonly generated: readonly { readonly col: number; readonly expr: Expr }[];
}

export interface BoundInsert {
  readonly kind: 'insert';
  readonly table: RelationDef;
  /** rows whose columns are `targetCols` in order */
  readonly source: Plan;
  readonly targetCols: readonly number[];
  /** per table column: the DEFAULT expression (or null) used when the column is not a target */
  readonly defaults: readonly (Expr | null)[];
  readonly checks: RowChecks;
  readonly onConflict: null | {
    readonly action: 'nothing' | 'update';
    /** the arbiter: primary key (null) or a unique index */
    readonly index: IndexDef | null;
    /** SET col = expr over [existing row, excluded row] */
    readonly sets: readonly { readonly col: number; readonly expr: Expr }[];
    readonly where: Expr | null;
  };
  /** over the new (or updated) row */
  readonly returning: Returning | null;
}

export interface BoundUpdate {
  readonly kind: 'update';
  readonly table: RelationDef;
  /** rows: [table columns..., storage key, other FROM columns...] */
  readonly source: Plan;
  readonly sets: readonly { readonly col: number; readonly expr: Expr }[];
  readonly checks: RowChecks;
  /** over [new row, key, other FROM columns] */
  readonly returning: Returning | null;
}

export interface BoundDelete {
  readonly kind: 'delete';
  readonly table: RelationDef;
  readonly source: Plan;
  readonly returning: Returning | null;
}

export type BoundDml = BoundInsert | BoundUpdate | BoundDelete;
