// Applies DDL commands (catalog/commands.ts, bound from SQL by planner/bind-ddl.ts) to a draft of
// the catalog that the transaction commits together with its row changes; ALTER TABLE and CREATE
// INDEX also rewrite the table's stored rows.
import { normalizeTableOptions } from '../../catalog/table-options.js';
import { connectorSource } from '../../connectors/registry.js';
import { T, sameType, typeDisplayName, type SqlType } from '../../core/types.js';
import type { Row } from '../../core/datum.js';
import { csvDecoder } from '../../connectors/kafka/csv-decode.js';
import { resetSourceOptions } from './kafka-ingest.js';
import { SqlError, SqlState, type SqlNotice } from '../../core/errors.js';
import type { CatalogData, ColumnDef, CommentDef, IndexDef, RelationDef, SequenceDef } from '../../catalog/model.js';
import { liveColumns, PG_CLASS_OID, PG_NAMESPACE_OID } from '../../catalog/model.js';
import type { Catalog } from '../../catalog/catalog.js';
import type { DdlCommand, AlterAction, ColumnSpec, KeySpec, QualifiedName, RoleOptions } from '../../catalog/commands.js';
import { bindDefaults } from '../../planner/bind-dml.js';
import { checkGenerationSql, generationColumns, generationInputs, renameGenerationInput } from '../../planner/generated.js';
import { compile } from '../../expr/compile.js';
import { storedPassword } from './scram.js';
import type { SqlSession } from './session.js';
import { TxnReader, type WriteLayer } from './txn.js';
import { constraintNames, notEnforced, referencingKeys, resolveForeignKey } from './foreign-keys.js';

export interface DdlResult {
  readonly tag: string;
  readonly catalog: CatalogData | null;
  readonly clear: RelationDef[];
  readonly notices: SqlNotice[];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer U)[] ? U[] : T[K] };

class Draft {
  data: Mutable<CatalogData>;
  constructor(base: CatalogData) {
    this.data = { ...base, schemas: [...base.schemas], relations: [...base.relations], sequences: [...base.sequences], roles: [...base.roles] };
  }
  oid(): number { const o = this.data.nextOid; this.data.nextOid = o + 1; return o; }
  replace(rel: RelationDef, next: RelationDef): void {
    this.data.relations = this.data.relations.map((r) => (r.oid === rel.oid ? next : r));
  }
  names(schema: string): Set<string> {
    const s = new Set<string>();
    for (const r of this.data.relations) if (r.schema === schema) { s.add(r.name); for (const i of r.indexes) s.add(i.name); }
    for (const q of this.data.sequences) if (q.schema === schema) s.add(q.name);
    return s;
  }
}

/** Applies one DDL command (bound by planner/bind-ddl.ts) to a draft of the catalog. */
export function executeDdl(cmd: DdlCommand, session: SqlSession, layer: WriteLayer, txn: { readonly startedAt: number }): DdlResult {
  const catalog = session.catalog();
  const draft = new Draft(catalog.data);
  const notices: SqlNotice[] = [];
  const clear: RelationDef[] = [];
  const searchPath = session.bindEnv([]).searchPath;
  const creationSchema = (explicit: string | null): string => {
    if (explicit) { catalog.requireSchema(explicit); return explicit; }
    const s = searchPath.find((n) => n !== 'pg_catalog' && catalog.schema(n));
    if (!s) throw new SqlError(SqlState.UndefinedSchema, 'no schema has been selected to create in');
    return s;
  };
  const notice = (message: string, detail?: string): void => { notices.push({ severity: 'NOTICE', code: '00000', message, ...(detail ? { detail } : {}) }); };
  const done = (tag: string, changed = true): DdlResult => ({ tag, catalog: changed ? draft.data : null, clear, notices });
  const findRel = (q: QualifiedName): RelationDef | undefined => catalog.findRelation(q.schema, q.name, searchPath);
  const reader = (): TxnReader => new TxnReader(session.engine.store, layer, (r) => session.engine.storedRel(r), () => [], session.engine.rowIdAllocator());
  const encryption = session.engine.passwordEncryption();

  switch (cmd.kind) {
    case 'createSchema': {
      if (catalog.schema(cmd.name)) {
        if (cmd.ifNotExists) { notice(`schema "${cmd.name}" already exists, skipping`); return done('CREATE SCHEMA', false); }
        throw new SqlError(SqlState.DuplicateSchema, `schema "${cmd.name}" already exists`);
      }
      draft.data.schemas.push({ oid: draft.oid(), name: cmd.name });
      return done('CREATE SCHEMA');
    }
    case 'createTable': return createTable(cmd, draft, creationSchema(cmd.target.schema), searchPath, notice, done);
    case 'createView': return createView(cmd, draft, creationSchema(cmd.target.schema), findRel(cmd.target), done);
    case 'createMatview': {
      const schema = creationSchema(cmd.target.schema);
      const tag = cmd.sink ? 'CREATE SINK' : 'CREATE MATERIALIZED VIEW';
      if (draft.names(schema).has(cmd.target.name)) {
        if (cmd.ifNotExists) { notice(`relation "${cmd.target.name}" already exists, skipping`); return done(tag, false); }
        throw new SqlError(SqlState.DuplicateTable, `relation "${cmd.target.name}" already exists`);
      }
      const columns: ColumnDef[] = cmd.columns.map((c) => ({ name: c.name, type: c.type, notNull: false, defaultSql: null, dropped: false }));
      draft.data.relations.push({
        oid: draft.oid(), schema, name: cmd.target.name, kind: cmd.sink ? 'sink' : 'matview', columns, primaryKey: null, indexes: [], checks: [],
        viewSql: cmd.sql, options: cmd.sink ? cmd.options : normalizeTableOptions(cmd.options), ...(cmd.dependsOn ? { dependsOn: cmd.dependsOn } : {}),
      });
      return done(tag);
    }
    case 'createIndex': {
      const rel = findRel(cmd.table);
      if (!rel || rel.kind !== 'table') throw new SqlError(SqlState.UndefinedTable, `relation "${cmd.table.name}" does not exist`);
      const cols = cmd.columns.map((name) => {
        const i = rel.columns.findIndex((c) => c.name === name);
        if (i < 0) throw new SqlError(SqlState.UndefinedColumn, `column "${name}" does not exist`);
        return i;
      });
      const name = cmd.name ?? uniqueName(draft.names(rel.schema), `${rel.name}_${cmd.columns.join('_')}_idx`);
      if (draft.names(rel.schema).has(name)) {
        if (cmd.ifNotExists) { notice(`relation "${name}" already exists, skipping`); return done('CREATE INDEX', false); }
        throw new SqlError(SqlState.DuplicateTable, `relation "${name}" already exists`);
      }
      const idx: IndexDef = { oid: draft.oid(), name, columns: cols, unique: cmd.unique, primary: false };
      const next: RelationDef = { ...rel, indexes: [...rel.indexes, idx] };
      draft.replace(rel, next);
      // build: rewrite every row so storage writes the new index entries at commit
      const r = reader();
      const rows = [...r.scanStorage(rel)];
      if (idx.unique) checkDistinct(rows.map(([, row]) => row), cols, rel, name, false);
      for (const [key, row] of rows) r.update(next, key, row);
      return done('CREATE INDEX');
    }
    case 'createSequence': {
      const schema = creationSchema(cmd.target.schema);
      if (draft.names(schema).has(cmd.target.name)) {
        if (cmd.ifNotExists) { notice(`relation "${cmd.target.name}" already exists, skipping`); return done('CREATE SEQUENCE', false); }
        throw new SqlError(SqlState.DuplicateTable, `relation "${cmd.target.name}" already exists`);
      }
      draft.data.sequences.push({ oid: draft.oid(), schema, name: cmd.target.name, start: 1, increment: 1, ownedBy: null });
      return done('CREATE SEQUENCE');
    }
    case 'drop': return dropObjects(cmd, draft, catalog, searchPath, clear, notice, done, layer);
    case 'truncate': {
      for (const q of cmd.tables) {
        const rel = findRel(q);
        if (!rel || rel.kind !== 'table') throw new SqlError(SqlState.UndefinedTable, `relation "${q.name}" does not exist`);
        layer.clearRelationChain(rel.oid);
        clear.push(rel);
      }
      return { tag: 'TRUNCATE TABLE', catalog: null, clear, notices };
    }
    case 'rename': return renameObject(cmd, draft, catalog, searchPath, done);
    case 'resetSource': {
      const rel = findRel(cmd.target);
      if (!rel) throw new SqlError(SqlState.UndefinedTable, `relation "${cmd.target.name}" does not exist`);
      draft.replace(rel, resetSourceOptions(rel, cmd.options));
      return done('ALTER SOURCE');
    }
    case 'alterTable': return alterTable(cmd, draft, findRel(cmd.target), session, reader, notice, done, txn, layer, clear);
    case 'createRole': {
      if (catalog.role(cmd.name)) throw new SqlError(SqlState.DuplicateObject, `role "${cmd.name}" already exists`);
      const o = cmd.options;
      draft.data.roles.push({
        oid: draft.oid(), name: cmd.name, login: o.login ?? cmd.isUser, superuser: o.superuser ?? false,
        password: o.password ? storedPassword(o.password, cmd.name, encryption) : null,
      });
      return done('CREATE ROLE');
    }
    case 'alterRole': {
      if (!catalog.role(cmd.name)) throw new SqlError(SqlState.UndefinedObject, `role "${cmd.name}" does not exist`);
      const o: RoleOptions = cmd.options;
      draft.data.roles = draft.data.roles.map((r) => (r.name !== cmd.name ? r : {
        ...r, login: o.login ?? r.login, superuser: o.superuser ?? r.superuser,
        password: o.password === undefined ? r.password : o.password === null ? null : storedPassword(o.password, cmd.name, encryption),
      }));
      return done('ALTER ROLE');
    }
    case 'dropRole': {
      for (const name of cmd.names) {
        if (!catalog.role(name)) {
          if (cmd.ifExists) continue;
          throw new SqlError(SqlState.UndefinedObject, `role "${name}" does not exist`);
        }
        draft.data.roles = draft.data.roles.filter((x) => x.name !== name);
      }
      return done('DROP ROLE');
    }
    case 'noop': return done(cmd.tag, false);
    case 'comment': {
      draft.data.comments = setComment(draft.data.comments ?? [], commentTarget(cmd, catalog, searchPath), cmd.comment);
      return done('COMMENT');
    }
  }
}

/** 23505 if two rows share non-null values in `cols` (or, for a primary key, 23502 on a NULL). */
function checkDistinct(rows: readonly Row[], cols: readonly number[], rel: RelationDef, name: string, primary: boolean): void {
  const seen = new Set<string>();
  for (const row of rows) {
    const vals = cols.map((c) => row[c] ?? null);
    if (primary) {
      const nullAt = cols.find((c) => row[c] === null || row[c] === undefined);
      if (nullAt !== undefined) throw new SqlError(SqlState.NotNullViolation, `column "${rel.columns[nullAt]!.name}" of relation "${rel.name}" contains null values`);
    } else if (vals.some((v) => v === null)) continue;
    const key = JSON.stringify(vals, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    if (seen.has(key)) {
      throw new SqlError(SqlState.UniqueViolation, `could not create unique index "${name}"`,
        { detail: `Key (${cols.map((c) => rel.columns[c]!.name).join(', ')})=(${vals.map(String).join(', ')}) is duplicated.` });
    }
    seen.add(key);
  }
}

function uniqueName(taken: Set<string>, base: string): string {
  let n = base.slice(0, 63);
  for (let i = 1; taken.has(n); i++) n = `${base.slice(0, 60)}${i}`;
  return n;
}

function columnIndexes(columns: readonly { name: string }[], names: readonly string[]): number[] {
  return names.map((cn) => {
    const i = columns.findIndex((c) => c.name === cn);
    if (i < 0) throw new SqlError(SqlState.UndefinedColumn, `column "${cn}" named in key does not exist`);
    return i;
  });
}

/** storage options, plus a connector's options (validated by building its generator) and its FORMAT */
function tableOptions(cmd: Extract<DdlCommand, { kind: 'createTable' }>, columns: readonly ColumnDef[]): Record<string, string> {
  const connector = cmd.options['connector'];
  if (cmd.source && connector === undefined) {
    throw new SqlError(SqlState.SyntaxError, 'CREATE SOURCE needs WITH (connector = ...)', { hint: "Built-in connectors: 'datagen', 'nexmark'." });
  }
  // FORMAT x ENCODE y (name = value, ...): the encoding's own options are kept as encode.name
  const format: Record<string, string> = cmd.format
    ? { format: cmd.format.format, encode: cmd.format.encode, ...Object.fromEntries(Object.entries(cmd.format.options).map(([k, v]) => [`encode.${k}`, v])) }
    : {};
  if (cmd.options['proctime.column'] !== undefined && connector === undefined) {
    throw new SqlError(SqlState.FeatureNotSupported, 'PROCTIME() columns are filled by a connector at ingestion', { hint: 'For a table written by INSERT, use DEFAULT now().' });
  }
  // a connector produces the columns that are not generated; ingestion computes the others
  const produced = columns.filter((c) => c.generatedSql === undefined);
  if (connector !== undefined) connectorSource(produced, cmd.options);
  const changelog = cmd.format && ['upsert', 'debezium', 'canal', 'maxwell'].includes(cmd.format.format);
  if (changelog && (cmd.source || !cmd.primaryKey)) {
    throw new SqlError(SqlState.InvalidTableDefinition, `FORMAT ${cmd.format!.format.toUpperCase()} needs a table with a primary key`, { hint: 'CREATE TABLE t (..., PRIMARY KEY (...)) WITH (connector = ...) FORMAT ...' });
  }
  const generatedKey = changelog ? cmd.primaryKey!.columns.find((n) => columns.find((c) => c.name === n)?.generatedSql !== undefined) : undefined;
  if (generatedKey !== undefined) {
    throw new SqlError(SqlState.FeatureNotSupported, `the primary key of a FORMAT ${cmd.format!.format.toUpperCase()} table cannot contain the generated column "${generatedKey}"`);
  }
  if (cmd.format && !['plain', 'upsert', 'debezium', 'canal', 'maxwell'].includes(cmd.format.format)) throw new SqlError(SqlState.FeatureNotSupported, `FORMAT ${cmd.format.format.toUpperCase()} is not supported yet`);
  if (cmd.format && cmd.format.encode === 'csv') {
    if (cmd.format.format !== 'plain' || connector !== 'kafka') throw new SqlError(SqlState.FeatureNotSupported, 'ENCODE CSV is supported for FORMAT PLAIN kafka sources and tables');
    csvDecoder(produced.map((c) => ({ name: c.name, type: c.type })), format, {});
  } else if (cmd.format && cmd.format.encode !== 'json') {
    throw new SqlError(SqlState.FeatureNotSupported, `ENCODE ${cmd.format.encode.toUpperCase()} is not supported`, { hint: 'ENCODE JSON, or ENCODE CSV for FORMAT PLAIN.' });
  }
  // a source stores no rows: it has no storage options
  if (cmd.source) return { ...cmd.options, ...format };
  return { ...normalizeTableOptions(cmd.options), ...format };
}

function createTable(cmd: Extract<DdlCommand, { kind: 'createTable' }>, draft: Draft, schema: string, searchPath: readonly string[], notice: (m: string) => void, done: (tag: string, changed?: boolean) => DdlResult): DdlResult {
  const name = cmd.target.name;
  if (draft.names(schema).has(name)) {
    if (cmd.ifNotExists) { notice(`relation "${name}" already exists, skipping`); return done('CREATE TABLE', false); }
    throw new SqlError(SqlState.DuplicateTable, `relation "${name}" already exists`);
  }
  const oid = draft.oid();
  const columns: ColumnDef[] = cmd.columns.map((c: ColumnSpec) => {
    let defaultSql = storedDefault(c.defaultSql, c.type);
    if (c.ownsSequence) {
      const seqName = uniqueName(draft.names(schema), `${name}_${c.name}_seq`);
      const dataType = c.type.kind === 'scalar' && (c.type.name === 'int2' || c.type.name === 'int4') ? c.type.name : 'int8';
      const seq: SequenceDef = { oid: draft.oid(), schema, name: seqName, start: 1, increment: 1, ownedBy: { relation: oid, column: c.name }, dataType };
      draft.data.sequences.push(seq);
      defaultSql = `nextval('${schema === 'public' ? '' : schema + '.'}${seqName}'::regclass)`;
    }
    return { name: c.name, type: c.type, notNull: c.notNull, defaultSql, dropped: false, ...(c.generatedSql !== undefined ? { generatedSql: c.generatedSql } : {}) };
  });
  const pk = cmd.primaryKey ? columnIndexes(columns, cmd.primaryKey.columns) : null;
  if (pk) for (const c of pk) columns[c] = { ...columns[c]!, notNull: true };
  const taken = draft.names(schema);
  taken.add(name);
  const indexes: IndexDef[] = [];
  if (pk) {
    const pkName = cmd.primaryKey!.name ?? uniqueName(taken, `${name}_pkey`);
    taken.add(pkName);
    indexes.push({ oid: draft.oid(), name: pkName, columns: pk, unique: true, primary: true });
  }
  for (const u of cmd.uniques) {
    const cols = columnIndexes(columns, u.columns);
    const uname = u.name ?? uniqueName(taken, `${name}_${u.columns.join('_')}_key`);
    taken.add(uname);
    indexes.push({ oid: draft.oid(), name: uname, columns: cols, unique: true, primary: false });
  }
  const options = tableOptions(cmd, columns);
  const rel: RelationDef = { oid, schema, name, kind: cmd.source ? 'source' : 'table', columns, primaryKey: pk, indexes, checks: [...cmd.checks], viewSql: null, options };
  const fks = cmd.foreignKeys ?? [];
  if (fks.length && cmd.source) throw new SqlError(SqlState.FeatureNotSupported, 'a source cannot have foreign keys');
  const names = constraintNames(rel);
  const foreignKeys = fks.map((f) => resolveForeignKey(f, rel, draft.data, searchPath, names));
  for (const f of foreignKeys) notice(notEnforced(f.name));
  draft.data.relations.push(foreignKeys.length ? { ...rel, foreignKeys } : rel);
  return done(cmd.source ? 'CREATE SOURCE' : 'CREATE TABLE');
}

function createView(cmd: Extract<DdlCommand, { kind: 'createView' }>, draft: Draft, schema: string, existing: RelationDef | undefined, done: (tag: string, changed?: boolean) => DdlResult): DdlResult {
  const name = cmd.target.name;
  const columns: ColumnDef[] = cmd.columns.map((c) => ({ name: c.name, type: c.type, notNull: false, defaultSql: null, dropped: false }));
  if (existing && existing.schema === schema) {
    if (!cmd.replace || existing.kind !== 'view') throw new SqlError(SqlState.DuplicateTable, `relation "${name}" already exists`);
    draft.replace(existing, { ...existing, columns, viewSql: cmd.sql });
    return done('CREATE VIEW');
  }
  if (draft.names(schema).has(name)) throw new SqlError(SqlState.DuplicateTable, `relation "${name}" already exists`);
  draft.data.relations.push({ oid: draft.oid(), schema, name, kind: 'view', columns, primaryKey: null, indexes: [], checks: [], viewSql: cmd.sql, options: {} });
  return done('CREATE VIEW');
}

/** how PostgreSQL names a relation's kind in messages */
function kindName(rel: Pick<RelationDef, 'kind'>): string {
  return rel.kind === 'matview' ? 'materialized view' : rel.kind;
}

function dependents(draft: Draft, rel: RelationDef): RelationDef[] {
  // views that mention the relation's name (conservative: a textual check of the stored SQL)
  const re = new RegExp(`\\b${rel.name.replace(/[^\w]/g, '')}\\b`);
  return draft.data.relations.filter((r) => {
    if (r.oid === rel.oid || (r.kind !== 'view' && r.kind !== 'matview' && r.kind !== 'sink')) return false;
    // a materialized view knows the relations it reads; plain views it read were expanded into them
    if (r.dependsOn && rel.kind !== 'view') return r.dependsOn.includes(rel.oid);
    return re.test(r.viewSql ?? '');
  });
}

function dropObjects(cmd: Extract<DdlCommand, { kind: 'drop' }>, draft: Draft, catalog: Catalog, searchPath: readonly string[], clear: RelationDef[], notice: (m: string) => void, done: (tag: string, changed?: boolean) => DdlResult, layer: WriteLayer): DdlResult {
  const cascade = cmd.cascade;
  const type = cmd.objectType;
  const missingOk = cmd.ifExists;
  const tag = type === 'matview' ? 'DROP MATERIALIZED VIEW' : `DROP ${type.toUpperCase()}`;
  const dropRel = (rel: RelationDef): void => {
    const deps = dependents(draft, rel);
    if (deps.length && !cascade) {
      throw new SqlError(SqlState.DependentObjectsStillExist, `cannot drop ${rel.kind} ${rel.name} because other objects depend on it`,
        { detail: deps.map((d) => `${kindName(d)} ${d.name} depends on ${kindName(rel)} ${rel.name}`).join('\n'), hint: 'Use DROP ... CASCADE to drop the dependent objects too.' });
    }
    for (const d of deps) { notice(`drop cascades to ${kindName(d)} ${d.name}`); dropRel(d); }
    const refs = referencingKeys(draft.data.relations, rel);
    if (refs.length && !cascade) {
      throw new SqlError(SqlState.DependentObjectsStillExist, `cannot drop table ${rel.name} because other objects depend on it`,
        { detail: refs.map((x) => `constraint ${x.key.name} on table ${x.rel.name} depends on table ${rel.name}`).join('\n'), hint: 'Use DROP ... CASCADE to drop the dependent objects too.' });
    }
    for (const x of refs) {
      notice(`drop cascades to constraint ${x.key.name} on table ${x.rel.name}`);
      const now = draft.data.relations.find((r) => r.oid === x.rel.oid)!;
      draft.replace(now, { ...now, foreignKeys: (now.foreignKeys ?? []).filter((k) => k.refRelation !== rel.oid) });
    }
    draft.data.relations = draft.data.relations.filter((r) => r.oid !== rel.oid);
    if (draft.data.comments) draft.data.comments = draft.data.comments.filter((x) => x.objoid !== rel.oid && !rel.indexes.some((i) => i.oid === x.objoid));
    draft.data.sequences = draft.data.sequences.filter((q) => q.ownedBy?.relation !== rel.oid);
    // a sink stores nothing (its operator state goes with the maintainer's next round)
    if (rel.kind !== 'view' && rel.kind !== 'sink') {
      clear.push(rel);
      layer.clearRelationChain(rel.oid);
    }
  };
  for (const { schema, name } of cmd.names) {
    if (type === 'schema') {
      if (!catalog.schema(name)) {
        if (missingOk) { notice(`schema "${name}" does not exist, skipping`); continue; }
        throw new SqlError(SqlState.UndefinedSchema, `schema "${name}" does not exist`);
      }
      const rels = draft.data.relations.filter((r) => r.schema === name);
      if (rels.length && !cascade) throw new SqlError(SqlState.DependentObjectsStillExist, `cannot drop schema ${name} because other objects depend on it`, { hint: 'Use DROP ... CASCADE to drop the dependent objects too.' });
      for (const r of rels) if (draft.data.relations.includes(r)) dropRel(r);
      draft.data.schemas = draft.data.schemas.filter((x) => x.name !== name);
      continue;
    }
    if (type === 'index') {
      const found = catalog.findIndex(schema, name, searchPath);
      if (!found) {
        if (missingOk) { notice(`index "${name}" does not exist, skipping`); continue; }
        throw new SqlError(SqlState.UndefinedObject, `index "${name}" does not exist`);
      }
      if (found.index.primary || found.index.unique) {
        throw new SqlError(SqlState.DependentObjectsStillExist, `cannot drop index ${name} because constraint ${name} on table ${found.rel.name} requires it`);
      }
      const cur = draft.data.relations.find((r) => r.oid === found.rel.oid)!;
      draft.replace(cur, { ...cur, indexes: cur.indexes.filter((i) => i.oid !== found.index.oid) });
      continue;
    }
    if (type === 'sequence') {
      const q = catalog.findSequence(schema, name, searchPath);
      if (!q) { if (missingOk) continue; throw new SqlError(SqlState.UndefinedTable, `sequence "${name}" does not exist`); }
      draft.data.sequences = draft.data.sequences.filter((x) => x.oid !== q.oid);
      continue;
    }
    const rel = catalog.findRelation(schema, name, searchPath);
    const want = type === 'view' ? 'view' : type === 'matview' ? 'matview' : type === 'source' ? 'source' : type === 'sink' ? 'sink' : 'table';
    if (!rel || rel.kind !== want) {
      if (rel && rel.kind !== want) {
        throw new SqlError(SqlState.WrongObjectType, `"${name}" is not a ${kindName({ kind: want })}`, { hint: `Use DROP ${kindName(rel).toUpperCase()} to remove a ${kindName(rel)}.` });
      }
      if (missingOk) { notice(`${kindName({ kind: want })} "${name}" does not exist, skipping`); continue; }
      throw new SqlError(SqlState.UndefinedTable, `${kindName({ kind: want })} "${name}" does not exist`);
    }
    const cur = draft.data.relations.find((r) => r.oid === rel.oid);
    if (cur) dropRel(cur);
  }
  return done(tag);
}

function renameObject(cmd: Extract<DdlCommand, { kind: 'rename' }>, draft: Draft, catalog: Catalog, searchPath: readonly string[], done: (tag: string) => DdlResult): DdlResult {
  const t = cmd.target;
  const newname = cmd.newName;
  switch (cmd.objectType) {
    case 'table': case 'view': case 'column': {
      const rel = catalog.findRelation(t.schema, t.name, searchPath);
      if (!rel) throw new SqlError(SqlState.UndefinedTable, `relation "${t.name}" does not exist`);
      if (cmd.objectType !== 'column') {
        if (draft.names(rel.schema).has(newname)) throw new SqlError(SqlState.DuplicateTable, `relation "${newname}" already exists`);
        draft.replace(rel, { ...rel, name: newname });
        return done(cmd.objectType === 'view' ? 'ALTER VIEW' : 'ALTER TABLE');
      }
      const i = rel.columns.findIndex((c) => c.name === cmd.column);
      if (i < 0) throw new SqlError(SqlState.UndefinedColumn, `column "${cmd.column ?? ''}" does not exist`);
      if (rel.columns.some((c) => c.name === newname)) throw new SqlError(SqlState.DuplicateColumn, `column "${newname}" of relation "${rel.name}" already exists`);
      // generation expressions name their inputs: they follow the rename
      const old = rel.columns[i]!.name;
      const renamed = (c: ColumnDef): ColumnDef => (c.generatedSql !== undefined && generationInputs(c.generatedSql).has(old)
        ? { ...c, generatedSql: renameGenerationInput(c.generatedSql, old, newname) } : c);
      draft.replace(rel, { ...rel, columns: rel.columns.map((c, j) => (j === i ? { ...c, name: newname } : renamed(c))) });
      return done('ALTER TABLE');
    }
    case 'schema': {
      const old = t.name;
      if (!catalog.schema(old)) throw new SqlError(SqlState.UndefinedSchema, `schema "${old}" does not exist`);
      draft.data.schemas = draft.data.schemas.map((x) => (x.name === old ? { ...x, name: newname } : x));
      draft.data.relations = draft.data.relations.map((r) => (r.schema === old ? { ...r, schema: newname } : r));
      return done('ALTER SCHEMA');
    }
    case 'index': {
      const found = catalog.findIndex(t.schema, t.name, searchPath);
      if (!found) throw new SqlError(SqlState.UndefinedObject, `index "${t.name}" does not exist`);
      const cur = draft.data.relations.find((r) => r.oid === found.rel.oid)!;
      draft.replace(cur, { ...cur, indexes: cur.indexes.map((i) => (i.oid === found.index.oid ? { ...i, name: newname } : i)) });
      return done('ALTER INDEX');
    }
  }
}

/** ALTER TABLE rewrites rows for ADD/DROP COLUMN, so stored rows always match the live columns. */
function alterTable(cmd: Extract<DdlCommand, { kind: 'alterTable' }>, draft: Draft, rel0: RelationDef | undefined, session: SqlSession, reader: () => TxnReader, notice: (m: string, detail?: string) => void, done: (tag: string) => DdlResult, txn: { readonly startedAt: number }, layer: WriteLayer, clear: RelationDef[]): DdlResult {
  if (!rel0) {
    if (cmd.ifExists) { notice(`relation "${cmd.target.name}" does not exist, skipping`); return { ...done('ALTER TABLE'), catalog: null }; }
    throw new SqlError(SqlState.UndefinedTable, `relation "${cmd.target.name}" does not exist`);
  }
  let rel = rel0;
  const r = reader();
  let rows: [Buffer, Row][] | null = null;
  let rekey = false;
  const load = (): [Buffer, Row][] => (rows ??= [...r.scanStorage(rel0)]);
  const column = (name: string): number => {
    const i = rel.columns.findIndex((x) => x.name === name);
    if (i < 0) throw new SqlError(SqlState.UndefinedColumn, `column "${name}" of relation "${rel.name}" does not exist`);
    return i;
  };
  for (const action of cmd.actions) {
    const a: AlterAction = action;
    switch (a.kind) {
      case 'addColumn': {
        const c = a.column;
        if (rel.columns.some((x) => x.name === c.name)) {
          if (a.ifNotExists) { notice(`column "${c.name}" of relation "${rel.name}" already exists, skipping`); break; }
          throw new SqlError(SqlState.DuplicateColumn, `column "${c.name}" of relation "${rel.name}" already exists`);
        }
        const added: ColumnDef = {
          name: c.name, type: c.type, notNull: c.notNull, defaultSql: storedDefault(c.defaultSql, c.type), dropped: false,
          ...(c.generatedSql !== undefined ? { generatedSql: c.generatedSql } : {}),
        };
        const next: RelationDef = { ...rel, columns: [...rel.columns, added] };
        // a generated column is computed from each row's other columns, a default evaluated per row
        const d = c.generatedSql !== undefined
          ? checkGenerationSql(c.generatedSql, rel.name, generationColumns(next), session.bindEnv([]))
          : bindDefaults(next, session.bindEnv([]))[next.columns.length - 1];
        const f = d ? compile(d) : null;
        const cx = session.execContext([], layer, txn, false);
        for (const entry of load()) {
          const v = f ? f(entry[1], cx) : null;
          if (v === null && c.notNull) throw new SqlError(SqlState.NotNullViolation, `column "${c.name}" of relation "${rel.name}" contains null values`);
          entry[1] = [...entry[1], v];
        }
        rel = next;
        break;
      }
      case 'dropColumn': {
        const i0 = rel.columns.findIndex((x) => x.name === a.name);
        if (i0 < 0) {
          if (a.ifExists) { notice(`column "${a.name}" of relation "${rel.name}" does not exist, skipping`); break; }
          throw new SqlError(SqlState.UndefinedColumn, `column "${a.name}" of relation "${rel.name}" does not exist`);
        }
        // generated columns computed from it depend on it: an error, or (CASCADE) they go first
        const dependent = rel.columns.filter((x, j) => j !== i0 && x.generatedSql !== undefined && generationInputs(x.generatedSql).has(a.name));
        if (dependent.length) {
          const lines = dependent.map((x) => `column ${x.name} of table ${rel.name}`);
          if (!a.cascade) {
            throw new SqlError(SqlState.DependentObjectsStillExist, `cannot drop column ${a.name} of table ${rel.name} because other objects depend on it`,
              { detail: lines.map((l) => `${l} depends on column ${a.name} of table ${rel.name}`).join('\n'), hint: 'Use DROP ... CASCADE to drop the dependent objects too.' });
          }
          if (lines.length === 1) notice(`drop cascades to ${lines[0]!}`);
          else notice(`drop cascades to ${lines.length} other objects`, lines.map((l) => `drop cascades to ${l}`).join('\n'));
        }
        for (const name of [...dependent.map((x) => x.name), a.name]) {
          const i = rel.columns.findIndex((x) => x.name === name);
          if (rel.primaryKey?.includes(i)) throw new SqlError(SqlState.DependentObjectsStillExist, `cannot drop column ${name} of table ${rel.name} because other objects depend on it`);
          const current: RelationDef = rel;
          const refs = referencingKeys(draft.data.relations, current);
          const blocking = refs.find((x) => x.key.refColumns.includes(i));
          if (blocking) {
            throw new SqlError(SqlState.DependentObjectsStillExist, `cannot drop column ${name} of table ${rel.name} because other objects depend on it`,
              { detail: `constraint ${blocking.key.name} on table ${blocking.rel.name} depends on column ${name} of table ${rel.name}` });
          }
          const shift = (c: number): number => (c > i ? c - 1 : c);
          // the column's description goes, later columns' move down with their attnums
          if (draft.data.comments) {
            draft.data.comments = draft.data.comments.filter((x) => !(x.objoid === current.oid && x.classoid === PG_CLASS_OID && x.objsubid === i + 1))
              .map((x) => (x.objoid === current.oid && x.classoid === PG_CLASS_OID && x.objsubid > i + 1 ? { ...x, objsubid: x.objsubid - 1 } : x));
          }
          // other tables' keys that reference this one follow the shift of its columns
          for (const x of refs) {
            const now = draft.data.relations.find((r) => r.oid === x.rel.oid)!;
            draft.replace(now, { ...now, foreignKeys: (now.foreignKeys ?? []).map((k) => (k.refRelation === current.oid ? { ...k, refColumns: k.refColumns.map(shift) } : k)) });
          }
          rel = {
            ...rel,
            columns: rel.columns.filter((_x, j) => j !== i),
            primaryKey: rel.primaryKey ? rel.primaryKey.map(shift) : null,
            indexes: rel.indexes.filter((x) => !x.columns.includes(i)).map((x) => ({ ...x, columns: x.columns.map(shift) })),
            // its own keys over the column go with it
            foreignKeys: (rel.foreignKeys ?? []).filter((k) => !k.columns.includes(i))
              .map((k) => ({ ...k, columns: k.columns.map(shift), refColumns: k.refRelation === current.oid ? k.refColumns.map(shift) : k.refColumns })),
          };
          for (const entry of load()) entry[1] = entry[1].filter((_v, j) => j !== i);
        }
        break;
      }
      case 'dropExpression': {
        const i = column(a.name);
        if (rel.columns[i]!.generatedSql === undefined) {
          const message = `column "${a.name}" of relation "${rel.name}" is not a stored generated column`;
          if (a.ifExists) { notice(`${message}, skipping`); break; }
          throw new SqlError(SqlState.ObjectNotInPrerequisiteState, message);
        }
        // the stored values stay: the column becomes a plain one
        rel = { ...rel, columns: rel.columns.map((x, j) => (j === i ? { name: x.name, type: x.type, notNull: x.notNull, defaultSql: null, dropped: x.dropped } : x)) };
        break;
      }
      case 'setNotNull': {
        const i = column(a.name);
        if (a.notNull && load().some(([, row]) => row[i] === null)) throw new SqlError(SqlState.NotNullViolation, `column "${a.name}" of relation "${rel.name}" contains null values`);
        rel = { ...rel, columns: rel.columns.map((x, j) => (j === i ? { ...x, notNull: a.notNull } : x)) };
        break;
      }
      case 'setDefault': {
        const i = column(a.name);
        if (rel.columns[i]!.generatedSql !== undefined) {
          throw new SqlError(SqlState.SyntaxError, `column "${a.name}" of relation "${rel.name}" is a generated column`,
            a.sql === null ? { hint: 'Use ALTER TABLE ... ALTER COLUMN ... DROP EXPRESSION instead.' } : {});
        }
        rel = { ...rel, columns: rel.columns.map((x, j) => (j === i ? { ...x, defaultSql: storedDefault(a.sql, x.type) } : x)) };
        break;
      }
      case 'alterType': {
        const i = column(a.name);
        if (!sameType(a.type, rel.columns[i]!.type)) throw new SqlError(SqlState.FeatureNotSupported, 'changing a column type is not supported');
        rel = { ...rel, columns: rel.columns.map((x, j) => (j === i ? { ...x, type: a.type } : x)) };
        break;
      }
      case 'addCheck': rel = { ...rel, checks: [...rel.checks, a.check] }; break;
      case 'addKey': {
        const cur: RelationDef = rel;
        const key: KeySpec = a.key;
        const cols = columnIndexes(cur.columns, key.columns);
        if (a.primary && cur.primaryKey) throw new SqlError(SqlState.InvalidTableDefinition, `multiple primary keys for table "${cur.name}" are not allowed`);
        const name = key.name ?? uniqueName(draft.names(cur.schema), a.primary ? `${cur.name}_pkey` : `${cur.name}_${key.columns.join('_')}_key`);
        checkDistinct(load().map(([, row]) => row), cols, cur, name, a.primary);
        const idx: IndexDef = { oid: draft.oid(), name, columns: cols, unique: true, primary: a.primary };
        rel = {
          ...cur,
          columns: a.primary ? cur.columns.map((x, i) => (cols.includes(i) ? { ...x, notNull: true } : x)) : cur.columns,
          primaryKey: a.primary ? cols : cur.primaryKey,
          indexes: [...cur.indexes, idx],
        };
        // a new primary key changes every row's storage key (hidden row id → key columns)
        if (a.primary) rekey = true;
        break;
      }
      case 'dropConstraint': {
        const known = constraintNames(rel).has(a.name);
        if (!known) throw new SqlError(SqlState.UndefinedObject, `constraint "${a.name}" of relation "${rel.name}" does not exist`);
        rel = { ...rel, checks: rel.checks.filter((x) => x.name !== a.name), foreignKeys: (rel.foreignKeys ?? []).filter((x) => x.name !== a.name) };
        break;
      }
      case 'addForeignKey': {
        const key = resolveForeignKey(a.key, rel, draft.data, session.bindEnv([]).searchPath, constraintNames(rel));
        notice(notEnforced(key.name));
        rel = { ...rel, foreignKeys: [...(rel.foreignKeys ?? []), key] };
        break;
      }
    }
  }
  if (liveColumns(rel).length !== rel.columns.length) throw new SqlError(SqlState.InternalError, 'dropped columns left behind');
  draft.replace(rel0, rel);
  const rewritten = rows as [Buffer, Row][] | null;
  if (rewritten && rekey) {
    // a new primary key re-keys every row: clear the stored table (rows and index entries) at
    // commit and write each row once under its new key, instead of a delete plus an insert per row
    clear.push(rel0);
    layer.clearRelationChain(rel0.oid);
    for (const [, row] of rewritten) r.insertRewritten(rel, r.keyFor(rel, row), row);
  } else if (rewritten) {
    for (const [key, row] of rewritten) r.update(rel, key, row);
  }
  return done('ALTER TABLE');
}

/** CREATE TABLE ... AS SELECT: the table's columns come from the query; the rows are inserted by the caller. */
export function createTableAs(session: SqlSession, target: QualifiedName, colNames: readonly string[],
  columns: readonly { name: string; type: import('../../core/types.js').SqlType }[], ifNotExists: boolean): { result: DdlResult; rel: RelationDef | null } {
  const catalog = session.catalog();
  const draft = new Draft(catalog.data);
  const env = session.bindEnv([]);
  const schema = target.schema ?? env.searchPath.find((n) => n !== 'pg_catalog' && catalog.schema(n));
  if (!schema || !catalog.schema(schema)) throw new SqlError(SqlState.UndefinedSchema, `schema "${target.schema ?? ''}" does not exist`);
  const name = target.name;
  if (draft.names(schema).has(name)) {
    if (ifNotExists) {
      return { result: { tag: 'CREATE TABLE AS', catalog: null, clear: [], notices: [{ severity: 'NOTICE', code: '42P07', message: `relation "${name}" already exists, skipping` }] }, rel: null };
    }
    throw new SqlError(SqlState.DuplicateTable, `relation "${name}" already exists`);
  }
  if (colNames.length > columns.length) throw new SqlError(SqlState.SyntaxError, 'too many column names were specified');
  const cols: ColumnDef[] = columns.map((c, i) => ({
    name: colNames[i] ?? c.name, type: c.type.kind === 'scalar' && c.type.name === 'unknown' ? T.text : c.type, notNull: false, defaultSql: null, dropped: false,
  }));
  const seen = new Set<string>();
  for (const c of cols) {
    if (seen.has(c.name)) throw new SqlError(SqlState.DuplicateColumn, `column "${c.name}" specified more than once`);
    seen.add(c.name);
  }
  const rel: RelationDef = { oid: draft.oid(), schema, name, kind: 'table', columns: cols, primaryKey: null, indexes: [], checks: [], viewSql: null, options: normalizeTableOptions({}) };
  draft.data.relations.push(rel);
  return { result: { tag: 'SELECT', catalog: draft.data, clear: [], notices: [] }, rel };
}

/** the pg_description key of a COMMENT ON target */
function commentTarget(cmd: Extract<DdlCommand, { kind: 'comment' }>, catalog: Catalog, searchPath: readonly string[]): Omit<CommentDef, 'description'> {
  const names = cmd.names;
  if (cmd.objectType === 'schema') {
    const schema = catalog.schema(names[0]!);
    if (!schema) throw new SqlError(SqlState.UndefinedSchema, `schema "${names[0]!}" does not exist`);
    return { objoid: schema.oid, classoid: PG_NAMESPACE_OID, objsubid: 0 };
  }
  const relNames = cmd.objectType === 'column' ? names.slice(0, -1) : names;
  const name = relNames[relNames.length - 1]!;
  const schema = relNames.length > 1 ? relNames[relNames.length - 2]! : null;
  if (cmd.objectType === 'index') {
    const found = catalog.findIndex(schema, name, searchPath);
    if (!found) throw new SqlError(SqlState.UndefinedObject, `index "${name}" does not exist`);
    return { objoid: found.index.oid, classoid: PG_CLASS_OID, objsubid: 0 };
  }
  if (cmd.objectType === 'sequence') {
    const q = catalog.findSequence(schema, name, searchPath);
    if (!q) throw new SqlError(SqlState.UndefinedTable, `relation "${name}" does not exist`);
    return { objoid: q.oid, classoid: PG_CLASS_OID, objsubid: 0 };
  }
  const rel = catalog.findRelation(schema, name, searchPath);
  if (!rel) throw new SqlError(SqlState.UndefinedTable, `relation "${name}" does not exist`);
  if (cmd.objectType === 'column') {
    const column = names[names.length - 1]!;
    const at = liveColumns(rel).findIndex((c) => c.name === column);
    if (at < 0) throw new SqlError(SqlState.UndefinedColumn, `column "${column}" of relation "${rel.name}" does not exist`);
    return { objoid: rel.oid, classoid: PG_CLASS_OID, objsubid: at + 1 };
  }
  const wanted = cmd.objectType === 'table' ? ['table'] : [cmd.objectType];
  if (!wanted.includes(rel.kind)) throw new SqlError(SqlState.WrongObjectType, `"${rel.name}" is not a ${cmd.objectType === 'matview' ? 'materialized view' : cmd.objectType === 'source' ? 'source' : cmd.objectType}`);
  return { objoid: rel.oid, classoid: PG_CLASS_OID, objsubid: 0 };
}

/** the comments with one object's description replaced (NULL or '' removes it, as in PostgreSQL) */
function setComment(comments: readonly CommentDef[], key: Omit<CommentDef, 'description'>, text: string | null): CommentDef[] {
  const rest = comments.filter((x) => !(x.objoid === key.objoid && x.classoid === key.classoid && x.objsubid === key.objsubid));
  return text === null || text === '' ? rest : [...rest, { ...key, description: text }];
}

/**
 * A column default as PostgreSQL shows it (pg_get_expr, psql's \d, information_schema): a string
 * literal carries its cast to the column's type ('none'::character varying); other expressions
 * are kept as written.
 */
function storedDefault(sql: string | null, type: SqlType): string | null {
  if (sql === null || !/^'(?:[^']|'')*'$/.test(sql.trim())) return sql;
  const name = type.kind === 'scalar' && type.name === 'bpchar' ? 'bpchar' : typeDisplayName(type.kind === 'array' ? type : { ...type, typmod: -1 });
  return `${sql.trim()}::${name}`;
}
