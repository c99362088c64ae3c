// Binds DDL statements (libpg-query AST) into DdlCommand data (catalog/commands.ts): resolves type
// names, turns column constraints into table-level keys and checks, stores expressions as SQL text,
// and binds a view's query to learn its columns. Applying the command is the session's job.
import type { Node, CreateStmt, Constraint, AlterTableStmt, DropStmt, IndexStmt, RenameStmt, ViewStmt, RangeVar } from '@pgsql/types';
import { T } from '../core/types.js';
import { SqlError, SqlState } from '../core/errors.js';
import { deparseSync } from 'pgsql-deparser';
import type { ParsedStatement } from './parse.js';
import type { DdlCommand, ColumnSpec, KeySpec, CheckSpec, ForeignKeySpec, AlterAction, RoleOptions, QualifiedName } from '../catalog/commands.js';
import { resolveTypeName, typeNameParts, isSerialName } from './type-names.js';
import { bindSelect } from './bind-select.js';
import { proctimeOptions, watermarkOptions } from './watermark.js';
import { Scope, type BindEnv } from './scope.js';
import { exprSql } from './parse-expr.js';
import { bindGenerationExpr, generationSql, type GenerationColumn } from './generated.js';

const DDL_KINDS = new Set(['CreateStmt', 'DropStmt', 'IndexStmt', 'ViewStmt', 'CreateSchemaStmt', 'AlterTableStmt', 'RenameStmt', 'TruncateStmt', 'CreateRoleStmt', 'AlterRoleStmt', 'DropRoleStmt', 'CommentStmt', 'CreateSeqStmt', 'GrantStmt', 'GrantRoleStmt', 'AlterDefaultPrivilegesStmt', 'CreateExtensionStmt', 'CreatedbStmt', 'AlterSourceResetStmt']);

export function isDdl(stmt: Node): boolean {
  return DDL_KINDS.has(Object.keys(stmt)[0] ?? '');
}

const qn = (rv: RangeVar | undefined): QualifiedName => ({ schema: rv?.schemaname ?? null, name: rv?.relname ?? '' });

export { exprSql };

export function bindDdl(stmt: Node, sql: string, env: BindEnv, streaming?: ParsedStatement['streaming']): DdlCommand {
  if ('CreateSchemaStmt' in stmt) return { kind: 'createSchema', name: stmt.CreateSchemaStmt.schemaname!, ifNotExists: stmt.CreateSchemaStmt.if_not_exists ?? false };
  if ('CreateStmt' in stmt) return bindCreateTable(stmt.CreateStmt, env, streaming);
  if ('ViewStmt' in stmt) return bindCreateView(stmt.ViewStmt, sql, env);
  if ('IndexStmt' in stmt) return bindCreateIndex(stmt.IndexStmt);
  if ('DropStmt' in stmt) return bindDrop(stmt.DropStmt, streaming?.sink ?? false);
  if ('TruncateStmt' in stmt) {
    return { kind: 'truncate', tables: (stmt.TruncateStmt.relations ?? []).flatMap((r) => ('RangeVar' in r ? [qn(r.RangeVar)] : [])) };
  }
  if ('RenameStmt' in stmt) return bindRename(stmt.RenameStmt);
  if ('AlterTableStmt' in stmt) return bindAlterTable(stmt.AlterTableStmt);
  if ('AlterSourceResetStmt' in (stmt as object)) {
    // not PostgreSQL grammar: planner/streaming-ddl.ts parseSourceReset
    const r = (stmt as unknown as { AlterSourceResetStmt: { schema: string | null; name: string; options: Record<string, string> } }).AlterSourceResetStmt;
    return { kind: 'resetSource', target: { schema: r.schema, name: r.name }, options: r.options };
  }
  if ('CreateRoleStmt' in stmt) {
    const s = stmt.CreateRoleStmt;
    return { kind: 'createRole', name: s.role!, isUser: s.stmt_type === 'ROLESTMT_USER', options: roleOptions(s.options ?? []) };
  }
  if ('AlterRoleStmt' in stmt) {
    const s = stmt.AlterRoleStmt;
    return { kind: 'alterRole', name: s.role && 'rolename' in s.role ? (s.role.rolename ?? '') : '', options: roleOptions(s.options ?? []) };
  }
  if ('DropRoleStmt' in stmt) {
    const names = (stmt.DropRoleStmt.roles ?? []).map((r) => ('RoleSpec' in r ? (r.RoleSpec.rolename ?? '') : ''));
    return { kind: 'dropRole', names, ifExists: stmt.DropRoleStmt.missing_ok ?? false };
  }
  if ('CommentStmt' in stmt) {
    const c = stmt.CommentStmt;
    const kinds: Record<string, Extract<DdlCommand, { kind: 'comment' }>['objectType']> = {
      OBJECT_TABLE: 'table', OBJECT_VIEW: 'view', OBJECT_MATVIEW: 'matview', OBJECT_FOREIGN_TABLE: 'source', OBJECT_INDEX: 'index',
      OBJECT_SEQUENCE: 'sequence', OBJECT_COLUMN: 'column', OBJECT_SCHEMA: 'schema',
    };
    const objectType = kinds[c.objtype ?? ''];
    // comments on other kinds of objects (functions, roles, ...) are accepted and not kept
    if (!objectType) return { kind: 'noop', tag: 'COMMENT' };
    const o = c.object;
    const names = o && 'List' in o ? keyNames(o.List.items) : o && 'String' in o ? [o.String.sval ?? ''] : [];
    return { kind: 'comment', objectType, names, comment: c.comment ?? null };
  }
  if ('GrantStmt' in stmt) return { kind: 'noop', tag: stmt.GrantStmt.is_grant ? 'GRANT' : 'REVOKE' };
  if ('GrantRoleStmt' in stmt) return { kind: 'noop', tag: 'GRANT ROLE' };
  if ('AlterDefaultPrivilegesStmt' in stmt) return { kind: 'noop', tag: 'ALTER DEFAULT PRIVILEGES' };
  if ('CreateExtensionStmt' in stmt) throw new SqlError(SqlState.FeatureNotSupported, `extension "${stmt.CreateExtensionStmt.extname}" is not available`);
  if ('CreatedbStmt' in stmt) throw new SqlError(SqlState.FeatureNotSupported, 'CREATE DATABASE is not supported: Eddy serves one database');
  if ('CreateSeqStmt' in stmt) return { kind: 'createSequence', target: qn(stmt.CreateSeqStmt.sequence), ifNotExists: stmt.CreateSeqStmt.if_not_exists ?? false };
  throw new SqlError(SqlState.FeatureNotSupported, `${Object.keys(stmt)[0]} is not supported`);
}

function roleOptions(opts: readonly Node[]): RoleOptions {
  const out: { login?: boolean; superuser?: boolean; password?: string | null } = {};
  for (const o of opts) {
    if (!('DefElem' in o)) continue;
    const d = o.DefElem;
    const arg = d.arg;
    const bool = arg && 'Boolean' in arg ? (arg.Boolean.boolval ?? false) : arg && 'Integer' in arg ? (arg.Integer.ival ?? 0) !== 0 : true;
    if (d.defname === 'canlogin') out.login = bool;
    else if (d.defname === 'superuser') out.superuser = bool;
    else if (d.defname === 'password') out.password = arg && 'String' in arg ? (arg.String.sval ?? null) : null;
  }
  return out;
}

/** a FOREIGN KEY / REFERENCES constraint (referencing `columns`) */
function foreignKeySpec(k: Constraint, columns: string[]): ForeignKeySpec {
  if (k.fk_matchtype === 'f' || k.fk_matchtype === 'p') throw new SqlError(SqlState.FeatureNotSupported, 'MATCH FULL and MATCH PARTIAL foreign keys are not supported');
  return {
    name: k.conname ?? null, columns, refTable: qn(k.pktable), refColumns: keyNames(k.pk_attrs),
    onUpdate: k.fk_upd_action || 'a', onDelete: k.fk_del_action || 'a',
  };
}

function keyNames(keys: readonly Node[] | undefined): string[] {
  return (keys ?? []).map((n) => ('String' in n ? (n.String.sval ?? '') : ''));
}

/**
 * A column definition; its column-level constraints are returned separately, and a generation
 * expression also as its AST (checked by the caller, who knows the other columns).
 */
function bindColumn(cd: import('@pgsql/types').ColumnDef, table: string): { column: ColumnSpec; primary: boolean; unique: string | null | false; checks: CheckSpec[]; foreignKeys: ForeignKeySpec[]; generated: Node | null } {
  const name = cd.colname!;
  const parts = typeNameParts(cd.typeName!);
  const serial = parts.length === 1 && isSerialName(parts[0]!) !== null;
  const type = resolveTypeName(cd.typeName!);
  let notNull = serial;
  let defaultSql: string | null = null;
  let ownsSequence = serial;
  let primary = false;
  let unique: string | null | false = false;
  const checks: CheckSpec[] = [];
  const foreignKeys: ForeignKeySpec[] = [];
  let generated: Node | null = null;
  let identity = false;
  const conflict = (what: string, k: Constraint): SqlError =>
    new SqlError(SqlState.SyntaxError, `${what} specified for column "${name}" of table "${table}"`, k.location !== undefined && k.location >= 0 ? { position: k.location + 1 } : {});
  for (const c of cd.constraints ?? []) {
    if (!('Constraint' in c)) continue;
    const k = c.Constraint;
    switch (k.contype) {
      case 'CONSTR_NOTNULL': notNull = true; break;
      case 'CONSTR_NULL': notNull = false; break;
      case 'CONSTR_DEFAULT':
        if (generated) throw conflict('both default and generation expression', k);
        defaultSql = exprSql(k.raw_expr!);
        break;
      case 'CONSTR_GENERATED':
        if (generated) throw conflict('multiple generation clauses', k);
        if (defaultSql !== null) throw conflict('both default and generation expression', k);
        if (serial) throw new SqlError(SqlState.SyntaxError, `both default and generation expression specified for column "${name}" of table "${table}"`);
        if (identity) throw conflict('both identity and generation expression', k);
        if (k.generated_kind === 'v') {
          throw new SqlError(SqlState.FeatureNotSupported, 'virtual generated columns are not supported', { hint: 'Write GENERATED ALWAYS AS (...) STORED.', ...(k.location !== undefined ? { position: k.location + 1 } : {}) });
        }
        generated = k.raw_expr!;
        break;
      case 'CONSTR_PRIMARY': primary = true; notNull = true; break;
      case 'CONSTR_UNIQUE': unique = k.conname ?? null; break;
      case 'CONSTR_CHECK': checks.push({ name: k.conname ?? `${table}_${name}_check`, sql: exprSql(k.raw_expr!) }); break;
      case 'CONSTR_IDENTITY':
        if (generated) throw conflict('both identity and generation expression', k);
        identity = true; ownsSequence = true; notNull = true;
        break;
      case 'CONSTR_FOREIGN': foreignKeys.push(foreignKeySpec(k, [name])); break;
      default: break;
    }
  }
  const column: ColumnSpec = { name, type, notNull, defaultSql, ownsSequence, ...(generated ? { generatedSql: generationSql(generated, table) } : {}) };
  return { column, primary, unique, checks, foreignKeys, generated };
}

function bindCreateTable(s: CreateStmt, env: BindEnv, streaming?: ParsedStatement['streaming']): DdlCommand {
  const table = s.relation!.relname!;
  const columns: ColumnSpec[] = [];
  let primaryKey: KeySpec | null = null;
  const uniques: KeySpec[] = [];
  const checks: CheckSpec[] = [];
  const foreignKeys: ForeignKeySpec[] = [];
  const tableConstraints: Constraint[] = [];
  const generated: [number, Node][] = [];
  const twoPrimaries = (): SqlError => new SqlError(SqlState.InvalidTableDefinition, `multiple primary keys for table "${table}" are not allowed`);
  for (const el of s.tableElts ?? []) {
    if ('Constraint' in el) { tableConstraints.push(el.Constraint); continue; }
    if (!('ColumnDef' in el)) continue;
    const b = bindColumn(el.ColumnDef, table);
    if (columns.some((c) => c.name === b.column.name)) throw new SqlError(SqlState.DuplicateColumn, `column "${b.column.name}" specified more than once`);
    if (b.generated) generated.push([columns.length, b.generated]);
    columns.push(b.column);
    if (b.primary) {
      if (primaryKey) throw twoPrimaries();
      primaryKey = { name: null, columns: [b.column.name] };
    }
    if (b.unique !== false) uniques.push({ name: b.unique, columns: [b.column.name] });
    checks.push(...b.checks);
    foreignKeys.push(...b.foreignKeys);
  }
  // generation expressions: over the other columns of the row, checked as PostgreSQL checks them
  if (generated.length) {
    const cols: GenerationColumn[] = columns.map((c) => ({ name: c.name, type: c.type, generated: c.generatedSql !== undefined }));
    for (const [i, node] of generated) bindGenerationExpr(node, table, cols, cols[i]!, env);
  }
  for (const k of tableConstraints) {
    switch (k.contype) {
      case 'CONSTR_PRIMARY':
        if (primaryKey) throw twoPrimaries();
        primaryKey = { name: k.conname ?? null, columns: keyNames(k.keys) };
        break;
      case 'CONSTR_UNIQUE': uniques.push({ name: k.conname ?? null, columns: keyNames(k.keys) }); break;
      case 'CONSTR_CHECK': checks.push({ name: k.conname ?? `${table}_check${checks.length ? checks.length : ''}`, sql: exprSql(k.raw_expr!) }); break;
      case 'CONSTR_FOREIGN': foreignKeys.push(foreignKeySpec(k, keyNames(k.fk_attrs))); break;
      default: break;
    }
  }
  return {
    kind: 'createTable', target: qn(s.relation), ifNotExists: s.if_not_exists ?? false, columns, primaryKey, uniques, checks, foreignKeys,
    options: {
      ...defOptions(s.options),
      ...(streaming?.watermark ? watermarkOptions(streaming.watermark, columns, env) : {}),
      ...(streaming?.proctime ? proctimeOptions(streaming.proctime, columns) : {}),
      // INCLUDE: which added column holds which record metadata
      ...Object.fromEntries((streaming?.includes ?? []).map((x) => (x.header === undefined ? [`include.${x.kind}`, x.column] : [`include.header.${x.column}`, x.header]))),
    },
    source: streaming?.source ?? false, format: streaming?.format ?? null,
  };
}

/** WITH (name = value, ...) as strings */
export function defOptions(list: readonly Node[] | undefined): Record<string, string> {
  const options: Record<string, string> = {};
  for (const o of list ?? []) {
    if ('DefElem' in o) {
      const a = o.DefElem.arg;
      options[o.DefElem.defname ?? ''] = a && 'String' in a ? (a.String.sval ?? '') : a && 'Integer' in a ? String(a.Integer.ival ?? 0) : '';
    }
  }
  return options;
}

function bindCreateView(s: ViewStmt, sql: string, env: BindEnv): DdlCommand {
  const q = s.query!;
  if (!('SelectStmt' in q)) throw new SqlError(SqlState.SyntaxError, 'view must be a SELECT');
  const plan = bindSelect(q.SelectStmt, new Scope(null), env);
  const aliases = (s.aliases ?? []).map((a) => ('String' in a ? (a.String.sval ?? '') : ''));
  if (aliases.length > plan.columns.length) throw new SqlError(SqlState.SyntaxError, 'CREATE VIEW specifies more column names than columns');
  const columns = plan.columns.map((c, i) => ({ name: aliases[i] ?? c.name, type: c.type.kind === 'scalar' && c.type.name === 'unknown' ? T.text : c.type }));
  let viewSql: string;
  try { viewSql = deparseSync(q); } catch { viewSql = sql.replace(/^[\s\S]*?\bAS\b\s*/i, ''); }
  return { kind: 'createView', target: qn(s.view), replace: s.replace ?? false, columns, sql: viewSql };
}

function bindCreateIndex(s: IndexStmt): DdlCommand {
  const columns = (s.indexParams ?? []).map((p) => {
    const name = 'IndexElem' in p ? p.IndexElem.name : undefined;
    if (!name) throw new SqlError(SqlState.FeatureNotSupported, 'only indexes on plain columns are supported');
    return name;
  });
  return { kind: 'createIndex', table: qn(s.relation), name: s.idxname ?? null, columns, unique: s.unique ?? false, ifNotExists: s.if_not_exists ?? false };
}

function objectName(n: Node): QualifiedName {
  const parts = 'List' in n ? (n.List.items ?? []).map((x) => ('String' in x ? (x.String.sval ?? '') : '')) : 'String' in n ? [n.String.sval ?? ''] : [];
  return parts.length > 1 ? { schema: parts[parts.length - 2]!, name: parts[parts.length - 1]! } : { schema: null, name: parts[0] ?? '' };
}

function bindDrop(s: DropStmt, sink: boolean): DdlCommand {
  const t = s.removeType;
  const objectType = sink ? 'sink' : t === 'OBJECT_VIEW' ? 'view' : t === 'OBJECT_MATVIEW' ? 'matview' : t === 'OBJECT_FOREIGN_TABLE' ? 'source' : t === 'OBJECT_INDEX' ? 'index' : t === 'OBJECT_SCHEMA' ? 'schema' : t === 'OBJECT_SEQUENCE' ? 'sequence' : t === 'OBJECT_TABLE' ? 'table' : null;
  if (!objectType) throw new SqlError(SqlState.FeatureNotSupported, `DROP ${String(t).replace('OBJECT_', '')} is not supported`);
  return { kind: 'drop', objectType, names: (s.objects ?? []).map(objectName), ifExists: s.missing_ok ?? false, cascade: s.behavior === 'DROP_CASCADE' };
}

function bindRename(s: RenameStmt): DdlCommand {
  const map: Record<string, 'table' | 'view' | 'column' | 'schema' | 'index'> = {
    OBJECT_TABLE: 'table', OBJECT_VIEW: 'view', OBJECT_MATVIEW: 'view', OBJECT_COLUMN: 'column', OBJECT_SCHEMA: 'schema', OBJECT_INDEX: 'index',
  };
  const objectType = map[s.renameType ?? ''];
  if (!objectType) throw new SqlError(SqlState.FeatureNotSupported, `renaming ${s.renameType ?? ''} is not supported`);
  const target = objectType === 'schema' ? { schema: null, name: s.subname ?? '' } : qn(s.relation);
  return { kind: 'rename', objectType, target, column: objectType === 'column' ? (s.subname ?? null) : null, newName: s.newname! };
}

function bindAlterTable(s: AlterTableStmt): DdlCommand {
  const table = s.relation?.relname ?? '';
  const actions: AlterAction[] = [];
  for (const c of s.cmds ?? []) {
    if (!('AlterTableCmd' in c)) continue;
    const cmd = c.AlterTableCmd;
    const name = cmd.name ?? '';
    switch (cmd.subtype) {
      case 'AT_AddColumn': {
        const cd = cmd.def && 'ColumnDef' in cmd.def ? cmd.def.ColumnDef : null;
        if (!cd) break;
        const b = bindColumn(cd, table);
        if (b.primary || b.unique !== false) throw new SqlError(SqlState.FeatureNotSupported, 'adding a key column with ALTER TABLE is not supported');
        if (b.column.ownsSequence) throw new SqlError(SqlState.FeatureNotSupported, 'adding a serial column with ALTER TABLE is not supported');
        actions.push({ kind: 'addColumn', column: b.column, ifNotExists: cmd.missing_ok ?? false });
        for (const ch of b.checks) actions.push({ kind: 'addCheck', check: ch });
        break;
      }
      case 'AT_DropColumn': actions.push({ kind: 'dropColumn', name, ifExists: cmd.missing_ok ?? false, cascade: cmd.behavior === 'DROP_CASCADE' }); break;
      case 'AT_DropExpression': actions.push({ kind: 'dropExpression', name, ifExists: cmd.missing_ok ?? false }); break;
      case 'AT_SetNotNull': actions.push({ kind: 'setNotNull', name, notNull: true }); break;
      case 'AT_DropNotNull': actions.push({ kind: 'setNotNull', name, notNull: false }); break;
      case 'AT_ColumnDefault': actions.push({ kind: 'setDefault', name, sql: cmd.def ? exprSql(cmd.def) : null }); break;
      case 'AT_AlterColumnType': {
        const cd = cmd.def && 'ColumnDef' in cmd.def ? cmd.def.ColumnDef : null;
        if (!cd) throw new SqlError(SqlState.SyntaxError, 'missing type in ALTER COLUMN TYPE');
        actions.push({ kind: 'alterType', name, type: resolveTypeName(cd.typeName!) });
        break;
      }
      case 'AT_AddConstraint': {
        const k = cmd.def && 'Constraint' in cmd.def ? cmd.def.Constraint : null;
        if (k?.contype === 'CONSTR_CHECK') actions.push({ kind: 'addCheck', check: { name: k.conname ?? `${table}_check`, sql: exprSql(k.raw_expr!) } });
        else if (k?.contype === 'CONSTR_FOREIGN') actions.push({ kind: 'addForeignKey', key: foreignKeySpec(k, keyNames(k.fk_attrs)) });
        else if (k?.contype === 'CONSTR_PRIMARY' || k?.contype === 'CONSTR_UNIQUE') {
          actions.push({ kind: 'addKey', primary: k.contype === 'CONSTR_PRIMARY', key: { name: k.conname ?? null, columns: keyNames(k.keys) } });
        } else throw new SqlError(SqlState.FeatureNotSupported, 'this kind of constraint cannot be added with ALTER TABLE');
        break;
      }
      case 'AT_DropConstraint': actions.push({ kind: 'dropConstraint', name }); break;
      default:
        throw new SqlError(SqlState.FeatureNotSupported, `ALTER TABLE ${cmd.subtype ?? ''} is not supported`);
    }
  }
  return { kind: 'alterTable', target: qn(s.relation), ifExists: s.missing_ok ?? false, actions };
}
