// DDL: CREATE/DROP SCHEMA, TABLE, VIEW, INDEX, ROLE; ALTER TABLE; TRUNCATE. Each statement
// produces a new CatalogData that the transaction commits together with its row changes.
import type { Node, CreateStmt, ColumnDef as AstColumnDef, Constraint, AlterTableStmt, DropStmt, IndexStmt, RenameStmt, ViewStmt } from '@pgsql/types';
import { T, sameType } from '../../core/types.js';
import type { Row } from '../../core/datum.js';
import { SqlError, SqlState, type SqlNotice } from '../../core/errors.js';
import { deparseSync } from 'pgsql-deparser';
import type { CatalogData, ColumnDef, IndexDef, RelationDef, SequenceDef } from '../../catalog/model.js';
import { liveColumns } from '../../catalog/model.js';
import { resolveTypeName, typeNameParts, isSerialName } from '../../planner/type-names.js';
import { bindSelect } from '../../planner/bind-select.js';
import { Scope } from '../../planner/scope.js';
import { bindDefaults } from '../../planner/bind-dml.js';
import { compile } from '../../exec/compile.js';
import { storedPassword } from './scram.js';
import type { SqlSession } from './session.js';
import { TxnReader, type WriteLayer } from './txn.js';

export interface DdlResult {
  readonly tag: string;
  readonly catalog: CatalogData | null;
  readonly clear: RelationDef[];
  readonly notices: SqlNotice[];
}

const DDL_KINDS = new Set(['CreateStmt', 'DropStmt', 'IndexStmt', 'ViewStmt', 'CreateSchemaStmt', 'AlterTableStmt', 'RenameStmt', 'TruncateStmt', 'CreateRoleStmt', 'AlterRoleStmt', 'DropRoleStmt', 'CommentStmt', 'CreateSeqStmt', 'GrantStmt', 'GrantRoleStmt', 'AlterDefaultPrivilegesStmt', 'CreateExtensionStmt', 'CreatedbStmt']);

export function isDdl(stmt: Node): boolean {
  return DDL_KINDS.has(Object.keys(stmt)[0] ?? '');
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

export function executeDdl(stmt: Node, sql: string, session: SqlSession, layer: WriteLayer, txn: { readonly startedAt: number }): DdlResult {
  const catalog = session.catalog();
  const draft = new Draft(catalog.data);
  const notices: SqlNotice[] = [];
  const clear: RelationDef[] = [];
  const env = session.bindEnv([]);
  const searchPath = env.searchPath;
  const creationSchema = (explicit: string | undefined): string => {
    if (explicit) { catalog.requireSchema(explicit); return explicit; }
    const s = searchPath.find((n) => n !== 'pg_catalog' && catalog.schema(n));
    if (!s) throw new SqlError(SqlState.UndefinedSchema, 'no schema has been selected to create in');
    return s;
  };
  const notice = (message: string): void => { notices.push({ severity: 'NOTICE', code: '00000', message }); };
  const done = (tag: string, changed = true): DdlResult => ({ tag, catalog: changed ? draft.data : null, clear, notices });
  const findRel = (rv: { schemaname?: string; relname?: string }): RelationDef | undefined => catalog.findRelation(rv.schemaname ?? null, rv.relname!, searchPath);
  const reader = (): TxnReader => new TxnReader(session.engine.store, layer, (r) => session.engine.storedRel(r), () => [], session.engine.rowIdAllocator());

  if ('CreateSchemaStmt' in stmt) {
    const name = stmt.CreateSchemaStmt.schemaname!;
    if (catalog.schema(name)) {
      if (stmt.CreateSchemaStmt.if_not_exists) { notice(`schema "${name}" already exists, skipping`); return done('CREATE SCHEMA', false); }
      throw new SqlError(SqlState.DuplicateSchema, `schema "${name}" already exists`);
    }
    draft.data.schemas.push({ oid: draft.oid(), name });
    return done('CREATE SCHEMA');
  }
  if ('CreateStmt' in stmt) return createTable(stmt.CreateStmt, draft, creationSchema(stmt.CreateStmt.relation?.schemaname), catalog.findRelation(stmt.CreateStmt.relation?.schemaname ?? null, stmt.CreateStmt.relation!.relname!, searchPath), notice, done);
  if ('ViewStmt' in stmt) return createView(stmt.ViewStmt, sql, draft, creationSchema(stmt.ViewStmt.view?.schemaname), findRel(stmt.ViewStmt.view!), session, done);
  if ('IndexStmt' in stmt) {
    const s = stmt.IndexStmt;
    const rel = findRel(s.relation!);
    if (!rel || rel.kind !== 'table') throw new SqlError(SqlState.UndefinedTable, `relation "${s.relation!.relname}" does not exist`);
    const cols = (s.indexParams ?? []).map((p) => {
      const name = 'IndexElem' in p ? p.IndexElem.name : undefined;
      if (!name) throw new SqlError(SqlState.FeatureNotSupported, 'only indexes on plain columns are supported');
      const i = rel.columns.findIndex((c) => c.name === name);
      if (i < 0) throw new SqlError(SqlState.UndefinedColumn, `column "${name}" does not exist`);
      return i;
    });
    const name = s.idxname ?? uniqueName(draft.names(rel.schema), `${rel.name}_${cols.map((c) => rel.columns[c]!.name).join('_')}_idx`);
    if (draft.names(rel.schema).has(name)) {
      if (s.if_not_exists) { notice(`relation "${name}" already exists, skipping`); return done('CREATE INDEX', false); }
      throw new SqlError(SqlState.DuplicateTable, `relation "${name}" already exists`);
    }
    const idx: IndexDef = { oid: draft.oid(), name, columns: cols, unique: s.unique ?? false, primary: false };
    const next: RelationDef = { ...rel, indexes: [...rel.indexes, idx] };
    draft.replace(rel, next);
    // build: rewrite every row so storage writes the new index entries at commit
    const r = reader();
    if (idx.unique) {
      const seen = new Set<string>();
      for (const [, row] of r.scanStorage(rel)) {
        const vals = cols.map((c) => row[c] ?? null);
        if (vals.some((v) => v === null)) continue;
        const k = JSON.stringify(vals, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
        if (seen.has(k)) throw new SqlError(SqlState.UniqueViolation, `could not create unique index "${name}"`, { detail: `Key (${cols.map((c) => rel.columns[c]!.name).join(', ')}) is duplicated.` });
        seen.add(k);
      }
    }
    for (const [key, row] of [...r.scanStorage(rel)]) r.update(next, key, row);
    return done('CREATE INDEX');
  }
  if ('DropStmt' in stmt) return dropObjects(stmt.DropStmt, draft, catalog, searchPath, clear, notice, done, layer);
  if ('TruncateStmt' in stmt) {
    for (const rv of stmt.TruncateStmt.relations ?? []) {
      if (!('RangeVar' in rv)) continue;
      const rel = findRel(rv.RangeVar);
      if (!rel || rel.kind !== 'table') throw new SqlError(SqlState.UndefinedTable, `relation "${rv.RangeVar.relname}" does not exist`);
      layer.clearRelationChain(rel.oid);
      clear.push(rel);
    }
    return { tag: 'TRUNCATE TABLE', catalog: null, clear, notices };
  }
  if ('RenameStmt' in stmt) return renameObject(stmt.RenameStmt, draft, catalog, searchPath, done);
  if ('AlterTableStmt' in stmt) return alterTable(stmt.AlterTableStmt, draft, findRel(stmt.AlterTableStmt.relation!), session, reader, notice, done, txn, layer);
  if ('CreateRoleStmt' in stmt) {
    const s = stmt.CreateRoleStmt;
    const name = s.role!;
    if (catalog.role(name)) throw new SqlError(SqlState.DuplicateObject, `role "${name}" already exists`);
    const opts = roleOptions(s.options ?? [], name, session.engine.passwordEncryption());
    draft.data.roles.push({ oid: draft.oid(), name, login: opts.login ?? s.stmt_type === 'ROLESTMT_USER', superuser: opts.superuser ?? false, password: opts.password ?? null });
    return done(s.stmt_type === 'ROLESTMT_USER' ? 'CREATE ROLE' : 'CREATE ROLE');
  }
  if ('AlterRoleStmt' in stmt) {
    const s = stmt.AlterRoleStmt;
    const name = s.role && 'rolename' in s.role ? (s.role.rolename ?? '') : '';
    const role = catalog.role(name);
    if (!role) throw new SqlError(SqlState.UndefinedObject, `role "${name}" does not exist`);
    const opts = roleOptions(s.options ?? [], name, session.engine.passwordEncryption());
    draft.data.roles = draft.data.roles.map((r) => (r.name === name ? { ...r, login: opts.login ?? r.login, superuser: opts.superuser ?? r.superuser, password: opts.password !== undefined ? opts.password : r.password } : r));
    return done('ALTER ROLE');
  }
  if ('DropRoleStmt' in stmt) {
    for (const r of stmt.DropRoleStmt.roles ?? []) {
      const name = 'RoleSpec' in r ? (r.RoleSpec.rolename ?? '') : '';
      if (!catalog.role(name)) {
        if (stmt.DropRoleStmt.missing_ok) continue;
        throw new SqlError(SqlState.UndefinedObject, `role "${name}" does not exist`);
      }
      draft.data.roles = draft.data.roles.filter((x) => x.name !== name);
    }
    return done('DROP ROLE');
  }
  if ('CommentStmt' in stmt) return done('COMMENT', false);
  if ('GrantStmt' in stmt) return done(stmt.GrantStmt.is_grant ? 'GRANT' : 'REVOKE', false);
  if ('GrantRoleStmt' in stmt) return done('GRANT ROLE', false);
  if ('AlterDefaultPrivilegesStmt' in stmt) return done('ALTER DEFAULT PRIVILEGES', false);
  if ('CreateExtensionStmt' in stmt) throw new SqlError(SqlState.FeatureNotSupported, `extension "${stmt.CreateExtensionStmt.extname}" is not available`);
  if ('CreatedbStmt' in stmt) throw new SqlError(SqlState.FeatureNotSupported, 'CREATE DATABASE is not supported: Eddy serves one database');
  if ('CreateSeqStmt' in stmt) {
    const s = stmt.CreateSeqStmt;
    const schema = creationSchema(s.sequence?.schemaname);
    const name = s.sequence!.relname!;
    if (draft.names(schema).has(name)) {
      if (s.if_not_exists) { notice(`relation "${name}" already exists, skipping`); return done('CREATE SEQUENCE', false); }
      throw new SqlError(SqlState.DuplicateTable, `relation "${name}" already exists`);
    }
    draft.data.sequences.push({ oid: draft.oid(), schema, name, start: 1, increment: 1, ownedBy: null });
    return done('CREATE SEQUENCE');
  }
  throw new SqlError(SqlState.FeatureNotSupported, `${Object.keys(stmt)[0]} is not supported`);
}

function roleOptions(opts: readonly Node[], user: string, encryption: 'scram-sha-256' | 'md5'): { login?: boolean; superuser?: boolean; password?: string | null } {
  const out: { login?: boolean; superuser?: boolean; password?: string | null } = {};
  for (const o of opts) {
    if (!('DefElem' in o)) continue;
    const d = o.DefElem;
    const arg = d.arg;
    const bool = arg && 'Boolean' in arg ? (arg.Boolean.boolval ?? false) : arg && 'Integer' in arg ? (arg.Integer.ival ?? 0) !== 0 : true;
    if (d.defname === 'canlogin') out.login = bool;
    else if (d.defname === 'superuser') out.superuser = bool;
    else if (d.defname === 'password') {
      const pw = arg && 'String' in arg ? (arg.String.sval ?? null) : null;
      out.password = pw === null ? null : storedPassword(pw, user, encryption);
    }
  }
  return out;
}

function uniqueName(taken: Set<string>, base: string): string {
  let n = base.slice(0, 63);
  for (let i = 1; taken.has(n); i++) n = `${base.slice(0, 60)}${i}`;
  return n;
}

function exprSql(n: Node): string {
  return deparseSync({ SelectStmt: { targetList: [{ ResTarget: { val: n } }], limitOption: 'LIMIT_OPTION_DEFAULT', op: 'SETOP_NONE' } } as unknown as Node).replace(/^SELECT\s+/i, '').replace(/;\s*$/, '');
}

function createTable(s: CreateStmt, draft: Draft, schema: string, existing: RelationDef | undefined, notice: (m: string) => void, done: (tag: string, changed?: boolean) => DdlResult): DdlResult {
  const name = s.relation!.relname!;
  if (existing && existing.schema === schema || draft.names(schema).has(name)) {
    if (s.if_not_exists) { notice(`relation "${name}" already exists, skipping`); return done('CREATE TABLE', false); }
    throw new SqlError(SqlState.DuplicateTable, `relation "${name}" already exists`);
  }
  const oid = draft.oid();
  const columns: ColumnDef[] = [];
  let pk: number[] | null = null;
  const uniques: { name: string | undefined; cols: number[] }[] = [];
  const checks: { name: string; sql: string }[] = [];
  const tableConstraints: Constraint[] = [];
  for (const el of s.tableElts ?? []) {
    if ('Constraint' in el) { tableConstraints.push(el.Constraint); continue; }
    if (!('ColumnDef' in el)) continue;
    const cd: AstColumnDef = el.ColumnDef;
    const cname = cd.colname!;
    if (columns.some((c) => c.name === cname)) throw new SqlError(SqlState.DuplicateColumn, `column "${cname}" specified more than once`);
    const parts = typeNameParts(cd.typeName!);
    const serial = parts.length === 1 ? isSerialName(parts[0]!) : null;
    const type = resolveTypeName(cd.typeName!);
    let notNull = false;
    let defaultSql: string | null = null;
    const idx = columns.length;
    if (serial) {
      const seqName = uniqueName(draft.names(schema), `${name}_${cname}_seq`);
      const seq: SequenceDef = { oid: draft.oid(), schema, name: seqName, start: 1, increment: 1, ownedBy: { relation: oid, column: cname } };
      draft.data.sequences.push(seq);
      defaultSql = `nextval('${schema === 'public' ? '' : schema + '.'}${seqName}'::regclass)`;
      notNull = true;
    }
    for (const c of cd.constraints ?? []) {
      if (!('Constraint' in c)) continue;
      const k = c.Constraint;
      switch (k.contype) {
        case 'CONSTR_NOTNULL': notNull = true; break;
        case 'CONSTR_NULL': notNull = false; break;
        case 'CONSTR_DEFAULT': defaultSql = exprSql(k.raw_expr!); break;
        case 'CONSTR_PRIMARY':
          if (pk) throw new SqlError(SqlState.InvalidTableDefinition, `multiple primary keys for table "${name}" are not allowed`);
          pk = [idx]; notNull = true; break;
        case 'CONSTR_UNIQUE': uniques.push({ name: k.conname, cols: [idx] }); break;
        case 'CONSTR_CHECK': checks.push({ name: k.conname ?? `${name}_${cname}_check`, sql: exprSql(k.raw_expr!) }); break;
        case 'CONSTR_IDENTITY': {
          const seqName = uniqueName(draft.names(schema), `${name}_${cname}_seq`);
          draft.data.sequences.push({ oid: draft.oid(), schema, name: seqName, start: 1, increment: 1, ownedBy: { relation: oid, column: cname } });
          defaultSql = `nextval('${schema === 'public' ? '' : schema + '.'}${seqName}'::regclass)`;
          notNull = true;
          break;
        }
        case 'CONSTR_FOREIGN': break; // accepted, not enforced
        default: break;
      }
    }
    columns.push({ name: cname, type, notNull, defaultSql, dropped: false });
  }
  const colIndex = (n: Node): number => {
    const cn = 'String' in n ? (n.String.sval ?? '') : '';
    const i = columns.findIndex((c) => c.name === cn);
    if (i < 0) throw new SqlError(SqlState.UndefinedColumn, `column "${cn}" named in key does not exist`);
    return i;
  };
  for (const k of tableConstraints) {
    switch (k.contype) {
      case 'CONSTR_PRIMARY':
        if (pk) throw new SqlError(SqlState.InvalidTableDefinition, `multiple primary keys for table "${name}" are not allowed`);
        pk = (k.keys ?? []).map(colIndex);
        for (const c of pk) columns[c] = { ...columns[c]!, notNull: true };
        break;
      case 'CONSTR_UNIQUE': uniques.push({ name: k.conname, cols: (k.keys ?? []).map(colIndex) }); break;
      case 'CONSTR_CHECK': checks.push({ name: k.conname ?? `${name}_check${checks.length ? checks.length : ''}`, sql: exprSql(k.raw_expr!) }); break;
      default: break;
    }
  }
  if (columns.length === 0 && !(s.tableElts ?? []).length) { /* CREATE TABLE t () is allowed */ }
  const taken = draft.names(schema);
  taken.add(name);
  const indexes: IndexDef[] = [];
  if (pk) {
    const pkName = uniqueName(taken, `${name}_pkey`);
    taken.add(pkName);
    indexes.push({ oid: draft.oid(), name: pkName, columns: pk, unique: true, primary: true });
  }
  for (const u of uniques) {
    const uname = u.name ?? uniqueName(taken, `${name}_${u.cols.map((c) => columns[c]!.name).join('_')}_key`);
    taken.add(uname);
    indexes.push({ oid: draft.oid(), name: uname, columns: u.cols, unique: true, primary: false });
  }
  const opts: Record<string, string> = {};
  for (const o of s.options ?? []) {
    if ('DefElem' in o) {
      const a = o.DefElem.arg;
      opts[o.DefElem.defname ?? ''] = a && 'String' in a ? (a.String.sval ?? '') : a && 'Integer' in a ? String(a.Integer.ival ?? 0) : '';
    }
  }
  draft.data.relations.push({ oid, schema, name, kind: 'table', columns, primaryKey: pk, indexes, checks, viewSql: null, options: opts });
  return done('CREATE TABLE');
}

function createView(s: ViewStmt, sql: string, draft: Draft, schema: string, existing: RelationDef | undefined, session: SqlSession, done: (tag: string, changed?: boolean) => DdlResult): DdlResult {
  const name = s.view!.relname!;
  const q = s.query!;
  if (!('SelectStmt' in q)) throw new SqlError(SqlState.SyntaxError, 'view must be a SELECT');
  const plan = bindSelect(q.SelectStmt, new Scope(null), session.bindEnv([]));
  const aliases = (s.aliases ?? []).map((a) => ('String' in a ? (a.String.sval ?? '') : ''));
  const columns: ColumnDef[] = plan.columns.map((c, i) => ({ name: aliases[i] ?? c.name, type: c.type.kind === 'scalar' && c.type.name === 'unknown' ? T.text : c.type, notNull: false, defaultSql: null, dropped: false }));
  let viewSql: string;
  try { viewSql = deparseSync(q); } catch { viewSql = sql.replace(/^[\s\S]*?\bAS\b\s*/i, ''); }
  if (existing && existing.schema === schema) {
    if (!s.replace || existing.kind !== 'view') throw new SqlError(SqlState.DuplicateTable, `relation "${name}" already exists`);
    draft.replace(existing, { ...existing, columns, viewSql });
    return done('CREATE VIEW');
  }
  if (draft.names(schema).has(name)) throw new SqlError(SqlState.DuplicateTable, `relation "${name}" already exists`);
  draft.data.relations.push({ oid: draft.oid(), schema, name, kind: 'view', columns, primaryKey: null, indexes: [], checks: [], viewSql, options: {} });
  return done('CREATE VIEW');
}

function objectName(n: Node): { schema: string | null; name: string } {
  const parts = 'List' in n ? (n.List.items ?? []).map((x) => ('String' in x ? (x.String.sval ?? '') : '')) : 'String' in n ? [n.String.sval ?? ''] : [];
  return parts.length > 1 ? { schema: parts[parts.length - 2]!, name: parts[parts.length - 1]! } : { schema: null, name: parts[0] ?? '' };
}

function dependents(draft: Draft, rel: RelationDef): RelationDef[] {
  // views that mention the relation's name (conservative: a textual check of the stored SQL)
  const re = new RegExp(`\\b${rel.name.replace(/[^\w]/g, '')}\\b`);
  return draft.data.relations.filter((r) => r.kind === 'view' && r.oid !== rel.oid && re.test(r.viewSql ?? ''));
}

function dropObjects(s: DropStmt, draft: Draft, catalog: import('../../catalog/catalog.js').Catalog, searchPath: readonly string[], clear: RelationDef[], notice: (m: string) => void, done: (tag: string, changed?: boolean) => DdlResult, layer: WriteLayer): DdlResult {
  const cascade = s.behavior === 'DROP_CASCADE';
  const type = s.removeType;
  const tag = type === 'OBJECT_VIEW' ? 'DROP VIEW' : type === 'OBJECT_INDEX' ? 'DROP INDEX' : type === 'OBJECT_SCHEMA' ? 'DROP SCHEMA' : type === 'OBJECT_SEQUENCE' ? 'DROP SEQUENCE' : 'DROP TABLE';
  const dropRel = (rel: RelationDef): void => {
    const deps = dependents(draft, rel);
    if (deps.length && !cascade) {
      throw new SqlError(SqlState.DependentObjectsStillExist, `cannot drop ${rel.kind} ${rel.name} because other objects depend on it`,
        { detail: deps.map((d) => `view ${d.name} depends on ${rel.kind} ${rel.name}`).join('\n'), hint: 'Use DROP ... CASCADE to drop the dependent objects too.' });
    }
    for (const d of deps) { notice(`drop cascades to view ${d.name}`); dropRel(d); }
    draft.data.relations = draft.data.relations.filter((r) => r.oid !== rel.oid);
    draft.data.sequences = draft.data.sequences.filter((q) => q.ownedBy?.relation !== rel.oid);
    if (rel.kind === 'table') {
      clear.push(rel);
      layer.clearRelationChain(rel.oid);
    }
  };
  for (const o of s.objects ?? []) {
    const { schema, name } = objectName(o);
    if (type === 'OBJECT_SCHEMA') {
      if (!catalog.schema(name)) {
        if (s.missing_ok) { notice(`schema "${name}" does not exist, skipping`); continue; }
        throw new SqlError(SqlState.UndefinedSchema, `schema "${name}" does not exist`);
      }
      const rels = draft.data.relations.filter((r) => r.schema === name);
      if (rels.length && !cascade) throw new SqlError(SqlState.DependentObjectsStillExist, `cannot drop schema ${name} because other objects depend on it`, { hint: 'Use DROP ... CASCADE to drop the dependent objects too.' });
      for (const r of rels) if (draft.data.relations.includes(r)) dropRel(r);
      draft.data.schemas = draft.data.schemas.filter((x) => x.name !== name);
      continue;
    }
    if (type === 'OBJECT_INDEX') {
      const found = catalog.findIndex(schema, name, searchPath);
      if (!found) {
        if (s.missing_ok) { notice(`index "${name}" does not exist, skipping`); continue; }
        throw new SqlError(SqlState.UndefinedObject, `index "${name}" does not exist`);
      }
      if (found.index.primary || found.index.unique) {
        throw new SqlError(SqlState.DependentObjectsStillExist, `cannot drop index ${name} because constraint ${name} on table ${found.rel.name} requires it`);
      }
      const cur = draft.data.relations.find((r) => r.oid === found.rel.oid)!;
      draft.replace(cur, { ...cur, indexes: cur.indexes.filter((i) => i.oid !== found.index.oid) });
      continue;
    }
    if (type === 'OBJECT_SEQUENCE') {
      const q = catalog.findSequence(schema, name, searchPath);
      if (!q) { if (s.missing_ok) continue; throw new SqlError(SqlState.UndefinedTable, `sequence "${name}" does not exist`); }
      draft.data.sequences = draft.data.sequences.filter((x) => x.oid !== q.oid);
      continue;
    }
    const rel = catalog.findRelation(schema, name, searchPath);
    const want = type === 'OBJECT_VIEW' ? 'view' : 'table';
    if (!rel || rel.kind !== want) {
      if (rel && rel.kind !== want) throw new SqlError(SqlState.WrongObjectType, `"${name}" is not a ${want}`, { hint: `Use DROP ${rel.kind === 'view' ? 'VIEW' : 'TABLE'} to remove a ${rel.kind}.` });
      if (s.missing_ok) { notice(`${want} "${name}" does not exist, skipping`); continue; }
      throw new SqlError(SqlState.UndefinedTable, `${want} "${name}" does not exist`);
    }
    const cur = draft.data.relations.find((r) => r.oid === rel.oid);
    if (cur) dropRel(cur);
  }
  return done(tag);
}

function renameObject(s: RenameStmt, draft: Draft, catalog: import('../../catalog/catalog.js').Catalog, searchPath: readonly string[], done: (tag: string) => DdlResult): DdlResult {
  const rv = s.relation;
  const rel = rv ? catalog.findRelation(rv.schemaname ?? null, rv.relname!, searchPath) : undefined;
  const newname = s.newname!;
  switch (s.renameType) {
    case 'OBJECT_TABLE': case 'OBJECT_VIEW': {
      if (!rel) throw new SqlError(SqlState.UndefinedTable, `relation "${rv?.relname}" does not exist`);
      if (draft.names(rel.schema).has(newname)) throw new SqlError(SqlState.DuplicateTable, `relation "${newname}" already exists`);
      draft.replace(rel, { ...rel, name: newname });
      return done(s.renameType === 'OBJECT_VIEW' ? 'ALTER VIEW' : 'ALTER TABLE');
    }
    case 'OBJECT_COLUMN': {
      if (!rel) throw new SqlError(SqlState.UndefinedTable, `relation "${rv?.relname}" does not exist`);
      const i = rel.columns.findIndex((c) => c.name === s.subname);
      if (i < 0) throw new SqlError(SqlState.UndefinedColumn, `column "${s.subname}" does not exist`);
      if (rel.columns.some((c) => c.name === newname)) throw new SqlError(SqlState.DuplicateColumn, `column "${newname}" of relation "${rel.name}" already exists`);
      draft.replace(rel, { ...rel, columns: rel.columns.map((c, j) => (j === i ? { ...c, name: newname } : c)) });
      return done('ALTER TABLE');
    }
    case 'OBJECT_SCHEMA': {
      const old = s.subname!;
      if (!catalog.schema(old)) throw new SqlError(SqlState.UndefinedSchema, `schema "${old}" does not exist`);
      draft.data.schemas = draft.data.schemas.map((x) => (x.name === old ? { ...x, name: newname } : x));
      draft.data.relations = draft.data.relations.map((r) => (r.schema === old ? { ...r, schema: newname } : r));
      return done('ALTER SCHEMA');
    }
    case 'OBJECT_INDEX': {
      const found = rv ? catalog.findIndex(rv.schemaname ?? null, rv.relname!, searchPath) : undefined;
      if (!found) throw new SqlError(SqlState.UndefinedObject, `index "${rv?.relname}" does not exist`);
      const cur = draft.data.relations.find((r) => r.oid === found.rel.oid)!;
      draft.replace(cur, { ...cur, indexes: cur.indexes.map((i) => (i.oid === found.index.oid ? { ...i, name: newname } : i)) });
      return done('ALTER INDEX');
    }
    default:
      throw new SqlError(SqlState.FeatureNotSupported, `renaming ${s.renameType ?? ''} is not supported`);
  }
}

/** ALTER TABLE rewrites rows for ADD/DROP COLUMN, so stored rows always match the live columns. */
function alterTable(s: AlterTableStmt, draft: Draft, rel0: RelationDef | undefined, session: SqlSession, reader: () => TxnReader, notice: (m: string) => void, done: (tag: string) => DdlResult, txn: { readonly startedAt: number }, layer: WriteLayer): DdlResult {
  if (!rel0) {
    if (s.missing_ok) { notice(`relation "${s.relation?.relname}" does not exist, skipping`); return { ...done('ALTER TABLE'), catalog: null }; }
    throw new SqlError(SqlState.UndefinedTable, `relation "${s.relation?.relname}" does not exist`);
  }
  let rel = rel0;
  const r = reader();
  let rows: [Buffer, Row][] | null = null;
  let rekey = false;
  const load = (): [Buffer, Row][] => (rows ??= [...r.scanStorage(rel0)]);
  for (const c of s.cmds ?? []) {
    if (!('AlterTableCmd' in c)) continue;
    const cmd = c.AlterTableCmd;
    switch (cmd.subtype) {
      case 'AT_AddColumn': {
        const cd = cmd.def && 'ColumnDef' in cmd.def ? cmd.def.ColumnDef : null;
        if (!cd) break;
        const name = cd.colname!;
        if (rel.columns.some((x) => x.name === name)) {
          if (cmd.missing_ok) { notice(`column "${name}" of relation "${rel.name}" already exists, skipping`); break; }
          throw new SqlError(SqlState.DuplicateColumn, `column "${name}" of relation "${rel.name}" already exists`);
        }
        const type = resolveTypeName(cd.typeName!);
        let notNull = false;
        let defaultSql: string | null = null;
        for (const k of cd.constraints ?? []) {
          if (!('Constraint' in k)) continue;
          if (k.Constraint.contype === 'CONSTR_NOTNULL') notNull = true;
          if (k.Constraint.contype === 'CONSTR_DEFAULT') defaultSql = exprSql(k.Constraint.raw_expr!);
          if (k.Constraint.contype === 'CONSTR_PRIMARY' || k.Constraint.contype === 'CONSTR_UNIQUE') throw new SqlError(SqlState.FeatureNotSupported, 'adding a key column with ALTER TABLE is not supported');
        }
        const next: RelationDef = { ...rel, columns: [...rel.columns, { name, type, notNull, defaultSql, dropped: false }] };
        const defaults = bindDefaults(next, session.bindEnv([]));
        const d = defaults[next.columns.length - 1];
        const cx = session.execContext([], layer, txn, false);
        const all = load();
        for (const entry of all) {
          const v = d ? compile(d)([], cx) : null;
          if (v === null && notNull) throw new SqlError(SqlState.NotNullViolation, `column "${name}" of relation "${rel.name}" contains null values`);
          entry[1] = [...entry[1], v];
        }
        rel = next;
        break;
      }
      case 'AT_DropColumn': {
        const i = rel.columns.findIndex((x) => x.name === cmd.name);
        if (i < 0) {
          if (cmd.missing_ok) { notice(`column "${cmd.name}" of relation "${rel.name}" does not exist, skipping`); break; }
          throw new SqlError(SqlState.UndefinedColumn, `column "${cmd.name}" of relation "${rel.name}" does not exist`);
        }
        if (rel.primaryKey?.includes(i)) throw new SqlError(SqlState.DependentObjectsStillExist, `cannot drop column ${cmd.name} of table ${rel.name} because other objects depend on it`);
        const shift = (c: number): number => (c > i ? c - 1 : c);
        rel = {
          ...rel,
          columns: rel.columns.filter((_x, j) => j !== i),
          primaryKey: rel.primaryKey ? rel.primaryKey.map(shift) : null,
          indexes: rel.indexes.filter((x) => !x.columns.includes(i)).map((x) => ({ ...x, columns: x.columns.map(shift) })),
        };
        const all = load();
        for (const entry of all) entry[1] = entry[1].filter((_v, j) => j !== i);
        break;
      }
      case 'AT_SetNotNull': case 'AT_DropNotNull': {
        const i = rel.columns.findIndex((x) => x.name === cmd.name);
        if (i < 0) throw new SqlError(SqlState.UndefinedColumn, `column "${cmd.name}" of relation "${rel.name}" does not exist`);
        if (cmd.subtype === 'AT_SetNotNull' && load().some(([, row]) => row[i] === null)) throw new SqlError(SqlState.NotNullViolation, `column "${cmd.name}" of relation "${rel.name}" contains null values`);
        rel = { ...rel, columns: rel.columns.map((x, j) => (j === i ? { ...x, notNull: cmd.subtype === 'AT_SetNotNull' } : x)) };
        break;
      }
      case 'AT_ColumnDefault': {
        const i = rel.columns.findIndex((x) => x.name === cmd.name);
        if (i < 0) throw new SqlError(SqlState.UndefinedColumn, `column "${cmd.name}" of relation "${rel.name}" does not exist`);
        rel = { ...rel, columns: rel.columns.map((x, j) => (j === i ? { ...x, defaultSql: cmd.def ? exprSql(cmd.def) : null } : x)) };
        break;
      }
      case 'AT_AlterColumnType': {
        const i = rel.columns.findIndex((x) => x.name === cmd.name);
        const cd = cmd.def && 'ColumnDef' in cmd.def ? cmd.def.ColumnDef : null;
        if (i < 0 || !cd) throw new SqlError(SqlState.UndefinedColumn, `column "${cmd.name}" of relation "${rel.name}" does not exist`);
        const type = resolveTypeName(cd.typeName!);
        if (!sameType(type, rel.columns[i]!.type)) throw new SqlError(SqlState.FeatureNotSupported, 'changing a column type is not supported');
        rel = { ...rel, columns: rel.columns.map((x, j) => (j === i ? { ...x, type } : x)) };
        break;
      }
      case 'AT_AddConstraint': {
        const k = cmd.def && 'Constraint' in cmd.def ? cmd.def.Constraint : null;
        if (k?.contype === 'CONSTR_CHECK') { rel = { ...rel, checks: [...rel.checks, { name: k.conname ?? `${rel.name}_check`, sql: exprSql(k.raw_expr!) }] }; break; }
        if (k?.contype === 'CONSTR_FOREIGN') break;
        if (k?.contype === 'CONSTR_PRIMARY' || k?.contype === 'CONSTR_UNIQUE') {
          const primary = k.contype === 'CONSTR_PRIMARY';
          const cur: RelationDef = rel;
          const cols = (k.keys ?? []).map((n) => {
            const cn = 'String' in n ? (n.String.sval ?? '') : '';
            const i = cur.columns.findIndex((x) => x.name === cn);
            if (i < 0) throw new SqlError(SqlState.UndefinedColumn, `column "${cn}" named in key does not exist`);
            return i;
          });
          if (primary && cur.primaryKey) throw new SqlError(SqlState.InvalidTableDefinition, `multiple primary keys for table "${cur.name}" are not allowed`);
          const name = k.conname ?? uniqueName(draft.names(cur.schema), primary ? `${cur.name}_pkey` : `${cur.name}_${cols.map((c) => cur.columns[c]!.name).join('_')}_key`);
          const all = load();
          const seen = new Set<string>();
          for (const [, row] of all) {
            const vals = cols.map((c) => row[c] ?? null);
            if (primary) {
              const nullAt = cols.find((c) => row[c] === null || row[c] === undefined);
              if (nullAt !== undefined) throw new SqlError(SqlState.NotNullViolation, `column "${cur.columns[nullAt]!.name}" of relation "${cur.name}" contains null values`);
            } else if (vals.some((v) => v === null)) continue;
            const key = JSON.stringify(vals, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
            if (seen.has(key)) {
              throw new SqlError(SqlState.UniqueViolation, `could not create unique index "${name}"`,
                { detail: `Key (${cols.map((c) => cur.columns[c]!.name).join(', ')})=(${vals.map(String).join(', ')}) is duplicated.` });
            }
            seen.add(key);
          }
          const idx: IndexDef = { oid: draft.oid(), name, columns: cols, unique: true, primary };
          rel = {
            ...cur,
            columns: primary ? cur.columns.map((x, i) => (cols.includes(i) ? { ...x, notNull: true } : x)) : cur.columns,
            primaryKey: primary ? cols : cur.primaryKey,
            indexes: [...cur.indexes, idx],
          };
          // a new primary key changes every row's storage key (hidden row id → key columns)
          if (primary) rekey = true;
          break;
        }
        throw new SqlError(SqlState.FeatureNotSupported, 'this kind of constraint cannot be added with ALTER TABLE');
      }
      case 'AT_DropConstraint': {
        rel = { ...rel, checks: rel.checks.filter((x) => x.name !== cmd.name) };
        break;
      }
      default:
        throw new SqlError(SqlState.FeatureNotSupported, `ALTER TABLE ${cmd.subtype ?? ''} is not supported`);
    }
  }
  if (liveColumns(rel).length !== rel.columns.length) throw new SqlError(SqlState.InternalError, 'dropped columns left behind');
  draft.replace(rel0, rel);
  const rewritten = rows as [Buffer, Row][] | null;
  if (rewritten && rekey) {
    for (const [key] of rewritten) r.delete(rel0, key);
    for (const [, row] of rewritten) r.insert(rel, r.keyFor(rel, row), row);
  } else if (rewritten) {
    for (const [key, row] of rewritten) r.update(rel, key, row);
  }
  return done('ALTER TABLE');
}

/** CREATE TABLE ... AS SELECT: the table's columns come from the query; the rows are inserted by the caller. */
export function createTableAs(session: SqlSession, rv: { schemaname?: string; relname?: string }, colNames: readonly string[],
  columns: readonly { name: string; type: import('../../core/types.js').SqlType }[], ifNotExists: boolean): { result: DdlResult; rel: RelationDef | null } {
  const catalog = session.catalog();
  const draft = new Draft(catalog.data);
  const env = session.bindEnv([]);
  const schema = rv.schemaname ?? env.searchPath.find((n) => n !== 'pg_catalog' && catalog.schema(n));
  if (!schema || !catalog.schema(schema)) throw new SqlError(SqlState.UndefinedSchema, `schema "${rv.schemaname ?? ''}" does not exist`);
  const name = rv.relname!;
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
  const rel: RelationDef = { oid: draft.oid(), schema, name, kind: 'table', columns: cols, primaryKey: null, indexes: [], checks: [], viewSql: null, options: {} };
  draft.data.relations.push(rel);
  return { result: { tag: 'SELECT', catalog: draft.data, clear: [], notices: [] }, rel };
}
