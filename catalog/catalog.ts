// An immutable view of the catalog with name lookups. DDL builds a new CatalogData and a new
// Catalog; statements in flight keep the snapshot they started with.
import { SqlError, SqlState } from '../core/errors.js';
import type { CatalogData, RelationDef, SchemaDef, SequenceDef, RoleDef } from './model.js';
import { PG_CATALOG_NAMESPACE, INFORMATION_SCHEMA_NAMESPACE } from './model.js';

export class Catalog {
  private readonly relByName = new Map<string, RelationDef>();
  private readonly relByOid = new Map<number, RelationDef>();
  private readonly schemaByName = new Map<string, SchemaDef>();
  private readonly seqByName = new Map<string, SequenceDef>();
  private readonly indexByName = new Map<string, { rel: RelationDef; index: RelationDef['indexes'][number] }>();

  constructor(readonly data: CatalogData) {
    for (const s of data.schemas) this.schemaByName.set(s.name, s);
    this.schemaByName.set('pg_catalog', { oid: PG_CATALOG_NAMESPACE, name: 'pg_catalog' });
    this.schemaByName.set('information_schema', { oid: INFORMATION_SCHEMA_NAMESPACE, name: 'information_schema' });
    for (const r of data.relations) {
      this.relByName.set(r.schema + '.' + r.name, r);
      this.relByOid.set(r.oid, r);
      for (const i of r.indexes) this.indexByName.set(r.schema + '.' + i.name, { rel: r, index: i });
    }
    for (const s of data.sequences) this.seqByName.set(s.schema + '.' + s.name, s);
  }

  schema(name: string): SchemaDef | undefined { return this.schemaByName.get(name); }
  schemas(): SchemaDef[] { return [...this.schemaByName.values()]; }
  relationByOid(oid: number): RelationDef | undefined { return this.relByOid.get(oid); }
  relations(): readonly RelationDef[] { return this.data.relations; }
  sequences(): readonly SequenceDef[] { return this.data.sequences; }
  roles(): readonly RoleDef[] { return this.data.roles; }
  role(name: string): RoleDef | undefined { return this.data.roles.find((r) => r.name === name); }

  /** Finds a relation by optional schema and name along the search path. */
  findRelation(schema: string | null, name: string, searchPath: readonly string[]): RelationDef | undefined {
    if (schema !== null) return this.relByName.get(schema + '.' + name);
    for (const s of searchPath) {
      const r = this.relByName.get(s + '.' + name);
      if (r) return r;
    }
    return undefined;
  }

  findSequence(schema: string | null, name: string, searchPath: readonly string[]): SequenceDef | undefined {
    if (schema !== null) return this.seqByName.get(schema + '.' + name);
    for (const s of searchPath) {
      const q = this.seqByName.get(s + '.' + name);
      if (q) return q;
    }
    return undefined;
  }

  findIndex(schema: string | null, name: string, searchPath: readonly string[]): { rel: RelationDef; index: RelationDef['indexes'][number] } | undefined {
    if (schema !== null) return this.indexByName.get(schema + '.' + name);
    for (const s of searchPath) {
      const q = this.indexByName.get(s + '.' + name);
      if (q) return q;
    }
    return undefined;
  }

  requireSchema(name: string): SchemaDef {
    const s = this.schema(name);
    if (!s) throw new SqlError(SqlState.UndefinedSchema, `schema "${name}" does not exist`);
    return s;
  }
}
