// DDL as plain data: what planner/bind-ddl.ts makes of CREATE / DROP / ALTER / TRUNCATE / roles
// and server/session/ddl.ts applies to a catalog draft (and, for ALTER TABLE and CREATE INDEX, to
// the stored rows). Names are unresolved (schema may be null: search path); types are resolved.
import type { SqlType } from '../core/types.js';

export interface QualifiedName {
  readonly schema: string | null;
  readonly name: string;
}

export interface ColumnSpec {
  readonly name: string;
  readonly type: SqlType;
  readonly notNull: boolean;
  /** DEFAULT as SQL text */
  readonly defaultSql: string | null;
  /** serial / GENERATED AS IDENTITY: the column owns a sequence that feeds its default */
  readonly ownsSequence: boolean;
  /** GENERATED ALWAYS AS (expr) STORED: the expression as SQL text */
  readonly generatedSql?: string;
}

export interface KeySpec {
  readonly name: string | null;
  readonly columns: readonly string[];
}

export interface CheckSpec {
  readonly name: string;
  readonly sql: string;
}

export type AlterAction =
  | { readonly kind: 'addColumn'; readonly column: ColumnSpec; readonly ifNotExists: boolean }
  | { readonly kind: 'dropColumn'; readonly name: string; readonly ifExists: boolean; readonly cascade?: boolean }
  /** ALTER COLUMN ... DROP EXPRESSION: a generated column becomes a plain one, keeping its values */
  | { readonly kind: 'dropExpression'; readonly name: string; readonly ifExists: boolean }
  | { readonly kind: 'setNotNull'; readonly name: string; readonly notNull: boolean }
  | { readonly kind: 'setDefault'; readonly name: string; readonly sql: string | null }
  | { readonly kind: 'alterType'; readonly name: string; readonly type: SqlType }
  | { readonly kind: 'addCheck'; readonly check: CheckSpec }
  | { readonly kind: 'addKey'; readonly primary: boolean; readonly key: KeySpec }
  | { readonly kind: 'dropConstraint'; readonly name: string }
  /** FOREIGN KEY: recorded, not enforced */
  | { readonly kind: 'addForeignKey'; readonly key: ForeignKeySpec };

/** FOREIGN KEY (columns) REFERENCES table [(columns)]: referenced columns empty = its primary key */
export interface ForeignKeySpec {
  readonly name: string | null;
  readonly columns: readonly string[];
  readonly refTable: QualifiedName;
  readonly refColumns: readonly string[];
  readonly onUpdate: string;
  readonly onDelete: string;
}

export interface RoleOptions {
  readonly login?: boolean;
  readonly superuser?: boolean;
  /** clear text (stored hashed by the server), or null to remove */
  readonly password?: string | null;
}

export type DdlCommand =
  /** ALTER SOURCE s RESET TO (scan.startup.mode = ...): discard what a Kafka relation ingested and read again from there */
  | { readonly kind: 'resetSource'; readonly target: QualifiedName; readonly options: Readonly<Record<string, string>> }
  | { readonly kind: 'createSchema'; readonly name: string; readonly ifNotExists: boolean }
  | {
    readonly kind: 'createTable'; readonly target: QualifiedName; readonly ifNotExists: boolean;
    readonly columns: readonly ColumnSpec[]; readonly primaryKey: KeySpec | null; readonly uniques: readonly KeySpec[];
    readonly checks: readonly CheckSpec[]; readonly options: Readonly<Record<string, string>>;
    readonly foreignKeys?: readonly ForeignKeySpec[];
    /** CREATE SOURCE: rows are not stored, only passed to the views that read it (through its binlog) */
    readonly source?: boolean;
    /** FORMAT ... ENCODE ... of a connector */
    readonly format?: { readonly format: string; readonly encode: string; readonly options: Readonly<Record<string, string>> } | null;
  }
  | {
    readonly kind: 'createView'; readonly target: QualifiedName; readonly replace: boolean;
    readonly columns: readonly { readonly name: string; readonly type: SqlType }[]; readonly sql: string;
  }
  | {
    readonly kind: 'createMatview'; readonly target: QualifiedName; readonly ifNotExists: boolean;
    readonly columns: readonly { readonly name: string; readonly type: SqlType }[]; readonly sql: string;
    readonly options: Readonly<Record<string, string>>;
    /** CREATE SINK: options are the connector's */
    readonly sink?: boolean;
    /** oids of the relations the view reads, set once its dataflow is built */
    readonly dependsOn?: readonly number[];
  }
  | { readonly kind: 'createIndex'; readonly table: QualifiedName; readonly name: string | null; readonly columns: readonly string[]; readonly unique: boolean; readonly ifNotExists: boolean }
  | { readonly kind: 'createSequence'; readonly target: QualifiedName; readonly ifNotExists: boolean }
  | { readonly kind: 'drop'; readonly objectType: 'table' | 'view' | 'matview' | 'source' | 'sink' | 'index' | 'schema' | 'sequence'; readonly names: readonly QualifiedName[]; readonly ifExists: boolean; readonly cascade: boolean }
  | { readonly kind: 'truncate'; readonly tables: readonly QualifiedName[] }
  | { readonly kind: 'rename'; readonly objectType: 'table' | 'view' | 'column' | 'schema' | 'index'; readonly target: QualifiedName; readonly column: string | null; readonly newName: string }
  | { readonly kind: 'alterTable'; readonly target: QualifiedName; readonly ifExists: boolean; readonly actions: readonly AlterAction[] }
  | { readonly kind: 'createRole'; readonly name: string; readonly isUser: boolean; readonly options: RoleOptions }
  | { readonly kind: 'alterRole'; readonly name: string; readonly options: RoleOptions }
  | { readonly kind: 'dropRole'; readonly names: readonly string[]; readonly ifExists: boolean }
  /** statements accepted without effect (COMMENT, GRANT, ...) */
  | { readonly kind: 'noop'; readonly tag: string }
  /** COMMENT ON object IS 'text' | NULL; names: the object's qualified name (a column's last part is the column) */
  | { readonly kind: 'comment'; readonly objectType: 'table' | 'view' | 'matview' | 'source' | 'index' | 'sequence' | 'column' | 'schema'; readonly names: readonly string[]; readonly comment: string | null };
