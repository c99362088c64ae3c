// Catalog objects as plain, JSON-serializable data. The whole catalog is persisted as one
// record in storage on every DDL commit (it is small), and read into an immutable Catalog.
import type { SqlType } from '../core/types.js';

export interface ColumnDef {
  readonly name: string;
  readonly type: SqlType;
  readonly notNull: boolean;
  /** DEFAULT expression as SQL text, bound when used */
  readonly defaultSql: string | null;
  /** GENERATED ALWAYS AS (expr) STORED: the expression as SQL text over the row's other columns (absent: not generated) */
  readonly generatedSql?: string;
  /** dropped columns keep their position so stored rows stay positional (like attisdropped) */
  readonly dropped: boolean;
}

export interface IndexDef {
  readonly oid: number;
  readonly name: string;
  /** positions of the indexed columns in the relation */
  readonly columns: readonly number[];
  readonly unique: boolean;
  readonly primary: boolean;
}

export interface CheckDef {
  readonly name: string;
  readonly sql: string;
}

export interface RelationDef {
  readonly oid: number;
  readonly schema: string;
  readonly name: string;
  /** source: rows are not stored, only logged for the views that read it */
  /** sink: CREATE SINK, maintained like a materialized view; its changes go to a connector (options), nothing is stored */
  readonly kind: 'table' | 'view' | 'matview' | 'source' | 'sink';
  readonly columns: readonly ColumnDef[];
  /** primary key column positions, or null: rows are then keyed by a hidden row id */
  readonly primaryKey: readonly number[] | null;
  readonly indexes: readonly IndexDef[];
  readonly checks: readonly CheckDef[];
  /** for views: the defining SELECT */
  readonly viewSql: string | null;
  /** materialized views: the relations their dataflow reads (DROP ... CASCADE follows these) */
  readonly dependsOn?: readonly number[];
  /** FOREIGN KEY constraints: recorded for clients (pg_constraint, JDBC, BI tools), not enforced */
  readonly foreignKeys?: readonly ForeignKeyDef[];
  readonly options: Readonly<Record<string, string>>;
}

export interface ForeignKeyDef {
  readonly name: string;
  /** storage positions of the referencing columns */
  readonly columns: readonly number[];
  readonly refRelation: number;
  /** storage positions of the referenced columns (a primary key or unique constraint) */
  readonly refColumns: readonly number[];
  /** pg_constraint.confupdtype / confdeltype: a = no action, r = restrict, c = cascade, n = set null, d = set default */
  readonly onUpdate: string;
  readonly onDelete: string;
}

export interface SchemaDef {
  readonly oid: number;
  readonly name: string;
}

export interface SequenceDef {
  readonly oid: number;
  readonly schema: string;
  readonly name: string;
  readonly start: number;
  readonly increment: number;
  /** the table column that owns it (serial), if any */
  readonly ownedBy: { readonly relation: number; readonly column: string } | null;
  /** AS type: serial int4, smallserial int2; bigint when absent (CREATE SEQUENCE's default) */
  readonly dataType?: 'int2' | 'int4' | 'int8';
}

/** a sequence's type OID and largest value */
export function sequenceRange(q: SequenceDef): { typeOid: number; max: bigint } {
  switch (q.dataType ?? 'int8') {
    case 'int2': return { typeOid: 21, max: 32767n };
    case 'int4': return { typeOid: 23, max: 2147483647n };
    default: return { typeOid: 20, max: 9223372036854775807n };
  }
}

export interface RoleDef {
  readonly oid: number;
  readonly name: string;
  readonly login: boolean;
  readonly superuser: boolean;
  /** SCRAM-SHA-256 verifier or md5 hash, as PostgreSQL stores them; null = no password */
  readonly password: string | null;
}

export interface CatalogData {
  readonly version: 1;
  readonly nextOid: number;
  readonly schemas: readonly SchemaDef[];
  readonly relations: readonly RelationDef[];
  readonly sequences: readonly SequenceDef[];
  readonly roles: readonly RoleDef[];
  /** COMMENT ON: descriptions of objects (pg_description); absent in catalogs written before comments were kept */
  readonly comments?: readonly CommentDef[];
}

/** A COMMENT ON description, keyed as pg_description keys it. */
export interface CommentDef {
  readonly objoid: number;
  /** the catalog the object lives in: pg_class 1259, pg_namespace 2615 */
  readonly classoid: number;
  /** a column's attnum; 0 for the object itself */
  readonly objsubid: number;
  readonly description: string;
}

export const PG_CLASS_OID = 1259;
export const PG_NAMESPACE_OID = 2615;

/** User objects start above PostgreSQL's reserved OID range. */
export const FIRST_USER_OID = 16384;
export const PG_CATALOG_NAMESPACE = 11;
export const PUBLIC_NAMESPACE = 2200;
export const INFORMATION_SCHEMA_NAMESPACE = 13000;

export function initialCatalog(): CatalogData {
  return {
    version: 1,
    nextOid: FIRST_USER_OID,
    schemas: [{ oid: PUBLIC_NAMESPACE, name: 'public' }],
    relations: [],
    sequences: [],
    roles: [{ oid: 10, name: 'eddy', login: true, superuser: true, password: null }],
  };
}

export function liveColumns(rel: RelationDef): ColumnDef[] {
  return rel.columns.filter((c) => !c.dropped);
}

/** the position among the live columns (what plans and rows index) of storage column c */
export function livePosition(rel: RelationDef, c: number): number {
  let n = 0;
  for (let i = 0; i < c; i++) if (!rel.columns[i]!.dropped) n++;
  return n;
}

/** OIDs of constraints, derived from their table (constraints are not catalog objects of their own). */
export function keyConstraintOid(indexOid: number): number {
  return indexOid + 1_000_000;
}
export function checkConstraintOid(relOid: number, index: number): number {
  return 2_000_000 + relOid * 16 + index;
}
export function foreignKeyOid(relOid: number, index: number): number {
  return 4_000_000 + relOid * 16 + index;
}

/** A system relation as the binder sees it: computed base table, or a view defined in SQL. */
export interface VirtualTable {
  readonly schema: string;
  readonly name: string;
  readonly columns: readonly { readonly name: string; readonly type: SqlType }[];
  /** system views: the defining SELECT, expanded like a user view */
  readonly sql?: string;
}
