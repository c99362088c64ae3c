// FOREIGN KEY constraints are recorded, as PostgreSQL records them, so that clients that read
// them (JDBC getImportedKeys, SQLAlchemy reflection, Metabase's sync, DBeaver's diagrams) see the
// model; Eddy does not enforce them (as RisingWave and Materialize have none, and Snowflake or
// Redshift keep them as informational constraints). CREATE and ALTER say so with a NOTICE.
import { SqlError, SqlState } from '../../core/errors.js';
import { Catalog } from '../../catalog/catalog.js';
import type { CatalogData, ForeignKeyDef, RelationDef } from '../../catalog/model.js';
import type { ForeignKeySpec } from '../../catalog/commands.js';

/**
 * Checks a FOREIGN KEY against the catalog and turns it into its definition: the referenced table
 * exists (or is `self`, being created), the columns exist, the referenced columns are its
 * primary key or a unique constraint, and the types match.
 */
export function resolveForeignKey(spec: ForeignKeySpec, self: RelationDef, data: CatalogData, searchPath: readonly string[], taken: Set<string>): ForeignKeyDef {
  const sameAsSelf = spec.refTable.name === self.name && (spec.refTable.schema === null || spec.refTable.schema === self.schema);
  const ref = sameAsSelf ? self : new Catalog(data).findRelation(spec.refTable.schema, spec.refTable.name, searchPath);
  if (!ref) throw new SqlError(SqlState.UndefinedTable, `relation "${spec.refTable.name}" does not exist`);
  if (ref.kind !== 'table') throw new SqlError(SqlState.WrongObjectType, `referenced relation "${ref.name}" is not a table`);
  const position = (rel: RelationDef, name: string): number => {
    const i = rel.columns.findIndex((c) => c.name === name && !c.dropped);
    if (i < 0) throw new SqlError(SqlState.UndefinedColumn, `column "${name}" referenced in foreign key constraint does not exist`);
    return i;
  };
  const columns = spec.columns.map((n) => position(self, n));
  let refColumns: number[];
  if (spec.refColumns.length === 0) {
    if (!ref.primaryKey) throw new SqlError(SqlState.UndefinedObject, `there is no primary key for referenced table "${ref.name}"`);
    refColumns = [...ref.primaryKey];
  } else {
    refColumns = spec.refColumns.map((n) => position(ref, n));
  }
  const key = [...refColumns].sort().join(',');
  if (!ref.indexes.some((i) => i.unique && [...i.columns].sort().join(',') === key)) {
    throw new SqlError(SqlState.InvalidForeignKey, `there is no unique constraint matching given keys for referenced table "${ref.name}"`);
  }
  if (refColumns.length !== columns.length) throw new SqlError(SqlState.InvalidForeignKey, 'number of referencing and referenced columns for foreign key disagree');
  columns.forEach((c, k) => {
    const a = self.columns[c]!.type;
    const b = ref.columns[refColumns[k]!]!.type;
    const family = (t: typeof a): string => (t.kind === 'array' ? 'array' : ['int2', 'int4', 'int8', 'numeric'].includes(t.name) ? 'number' : ['text', 'varchar', 'bpchar', 'name'].includes(t.name) ? 'text' : t.name);
    if (family(a) !== family(b)) {
      throw new SqlError(SqlState.DatatypeMismatch, `foreign key constraint cannot be implemented`, { detail: `Key columns "${self.columns[c]!.name}" and "${ref.columns[refColumns[k]!]!.name}" are of incompatible types.` });
    }
  });
  let name = spec.name ?? `${self.name}_${spec.columns.join('_')}_fkey`;
  if (spec.name === null) for (let n = 1; taken.has(name); n++) name = `${self.name}_${spec.columns.join('_')}_fkey${n}`;
  else if (taken.has(name)) throw new SqlError(SqlState.DuplicateObject, `constraint "${name}" for relation "${self.name}" already exists`);
  taken.add(name);
  return { name, columns, refRelation: ref.oid, refColumns, onUpdate: spec.onUpdate, onDelete: spec.onDelete };
}

/** constraint names a new constraint of `rel` must not reuse */
export function constraintNames(rel: RelationDef): Set<string> {
  return new Set([...rel.indexes.map((i) => i.name), ...rel.checks.map((c) => c.name), ...(rel.foreignKeys ?? []).map((f) => f.name)]);
}

/** other tables' foreign keys that reference `rel` */
export function referencingKeys(relations: readonly RelationDef[], rel: RelationDef): { rel: RelationDef; key: ForeignKeyDef }[] {
  const out: { rel: RelationDef; key: ForeignKeyDef }[] = [];
  for (const r of relations) if (r.oid !== rel.oid) for (const key of r.foreignKeys ?? []) if (key.refRelation === rel.oid) out.push({ rel: r, key });
  return out;
}

export const notEnforced = (name: string): string => `foreign key constraint "${name}" is recorded for clients but not enforced`;
