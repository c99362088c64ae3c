// Classifies a parsed statement into a Statement command: plain data for the session, with
// opaque references to the parts planner/ binds later (queries, DML, DDL). The libpg-query AST
// stays inside planner/: the session sees commands and calls back here to bind.
import type { FetchStmt, Node } from '@pgsql/types';
import type { SubscribeNode, SubscribeSpec } from './subscribe-syntax.js';
import { SqlError, SqlState } from '../core/errors.js';
import type { QualifiedName, DdlCommand } from '../catalog/commands.js';
import type { Plan } from '../expr/plan.js';
import type { BoundDml } from '../expr/dml.js';
import type { ParsedStatement } from './parse.js';
import { chooseScans } from './column-scan.js';
import { bindSelect } from './bind-select.js';
import { bindInsert, bindUpdate, bindDelete } from './bind-dml.js';
import { bindDdl, isDdl, defOptions } from './bind-ddl.js';
import { Scope, type BindEnv } from './scope.js';

/** A query inside a statement (SELECT, cursor, COPY (query), CREATE TABLE AS, EXPLAIN). */
export interface QueryRef { readonly node: unknown }
/** An INSERT / UPDATE / DELETE statement. */
export interface DmlRef { readonly node: unknown }
/** A DDL statement and its text. */
export interface DdlRef { readonly node: unknown; readonly sql: string; readonly streaming?: ParsedStatement['streaming'] }

export interface CopySpec {
  readonly csv: boolean;
  readonly delimiter: string;
  readonly nullString: string;
  readonly header: boolean;
  readonly quote: string;
  readonly escape: string;
}

export type TransactionAction = 'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollbackTo';

export type Statement =
  | { readonly kind: 'select'; readonly query: QueryRef }
  | { readonly kind: 'dml'; readonly dml: DmlRef }
  | { readonly kind: 'ddl'; readonly ddl: DdlRef }
  | {
    readonly kind: 'createTableAs'; readonly target: QualifiedName; readonly columnNames: readonly string[];
    readonly ifNotExists: boolean; readonly withData: boolean; readonly materialized: boolean; readonly query: QueryRef;
    /** WITH (...) storage options (orientation, memtable_rows, ...); a sink's connector options */
    readonly options: Readonly<Record<string, string>>;
    /** CREATE SINK: maintained as a materialized view, its changes go to a connector */
    readonly sink?: { readonly format: { readonly format: string; readonly encode: string; readonly options: Readonly<Record<string, string>> } | null };
  }
  /** readOnly: BEGIN READ ONLY / READ WRITE (null: the session default) */
  | { readonly kind: 'transaction'; readonly action: TransactionAction; readonly savepoint: string; readonly readOnly?: boolean | null }
  /** SET / RESET; value null = DEFAULT / RESET; name '' with resetAll */
  | { readonly kind: 'set'; readonly name: string; readonly value: string | null; readonly reset: boolean; readonly resetAll: boolean }
  /** SET TRANSACTION ... / SET SESSION CHARACTERISTICS AS TRANSACTION ... */
  | { readonly kind: 'setTransaction'; readonly readOnly: boolean | null }
  | { readonly kind: 'show'; readonly name: string }
  | { readonly kind: 'explain'; readonly target: DmlRef | QueryRef; readonly isDml: boolean }
  /** EXPLAIN CREATE MATERIALIZED VIEW: the view's dataflow */
  | {
    readonly kind: 'explainDataflow'; readonly target: QualifiedName; readonly columnNames: readonly string[];
    readonly ifNotExists: boolean; readonly options: Readonly<Record<string, string>>; readonly query: QueryRef;
  }
  | {
    readonly kind: 'copy'; readonly from: boolean; readonly table: QualifiedName | null; readonly columns: readonly string[];
    readonly query: QueryRef | null; readonly file: string | null; readonly options: CopySpec;
  }
  | { readonly kind: 'declareCursor'; readonly name: string; readonly hold: boolean; readonly query: QueryRef }
  /** FETCH; timeoutMs (FETCH ... WITH (timeout = ...)): how long a subscription cursor waits for rows */
  | { readonly kind: 'fetch'; readonly name: string; readonly count: number; readonly move: boolean; readonly forward: boolean; readonly timeoutMs?: number | null }
  /** SUBSCRIBE, through COPY (SUBSCRIBE ...) TO STDOUT, DECLARE c CURSOR FOR SUBSCRIBE ..., or on its own */
  | { readonly kind: 'subscribe'; readonly spec: SubscribeSpec; readonly via: 'plain' | 'copy' | 'cursor'; readonly cursor: string | null }
  | { readonly kind: 'closeCursor'; readonly name: string | null }
  | { readonly kind: 'discard' }
  | { readonly kind: 'deallocate'; readonly name: string | null }
  /** accepted without effect: CHECKPOINT, VACUUM, ANALYZE, LOCK, LISTEN, ... */
  | { readonly kind: 'noop'; readonly tag: string }
  /** VACUUM [table, ...]: flush and compact the column store of the tables (all when none are named) */
  | { readonly kind: 'vacuum'; readonly tables: readonly QualifiedName[] }
  /** FLUSH (RisingWave): wait until materialized views reflect every commit made before it */
  | { readonly kind: 'flush' }
  /** REFRESH MATERIALIZED VIEW: Eddy's views are maintained; it waits until the view reflects every earlier commit */
  | { readonly kind: 'refresh'; readonly target: QualifiedName };

const qn = (rv: { schemaname?: string; relname?: string } | undefined): QualifiedName => ({ schema: rv?.schemaname ?? null, name: rv?.relname ?? '' });
const names = (list: readonly Node[] | undefined): string[] => (list ?? []).map((n) => ('String' in n ? (n.String.sval ?? '') : ''));

export function classify(p: ParsedStatement): Statement {
  const s = p.stmt;
  if ('SelectStmt' in s) {
    if (s.SelectStmt.intoClause) throw new SqlError(SqlState.FeatureNotSupported, 'SELECT INTO is not supported; use CREATE TABLE AS');
    return { kind: 'select', query: { node: s.SelectStmt } };
  }
  if ('InsertStmt' in s || 'UpdateStmt' in s || 'DeleteStmt' in s) return { kind: 'dml', dml: { node: s } };
  if (isDdl(s)) return { kind: 'ddl', ddl: { node: s, sql: p.sql, ...(p.streaming ? { streaming: p.streaming } : {}) } };
  if ('CreateTableAsStmt' in s) {
    const c = s.CreateTableAsStmt;
    const q = c.query!;
    if (!('SelectStmt' in q)) throw new SqlError(SqlState.FeatureNotSupported, 'CREATE TABLE AS supports SELECT only');
    return {
      kind: 'createTableAs', target: qn(c.into?.rel), columnNames: names(c.into?.colNames), ifNotExists: c.if_not_exists ?? false,
      withData: !c.into?.skipData, materialized: c.objtype === 'OBJECT_MATVIEW', query: { node: q.SelectStmt },
      options: defOptions(c.into?.options),
      ...(p.streaming?.sink ? { sink: { format: p.streaming.format } } : {}),
    };
  }
  if ('TransactionStmt' in s) {
    const t = s.TransactionStmt;
    const actions: Record<string, TransactionAction> = {
      TRANS_STMT_BEGIN: 'begin', TRANS_STMT_START: 'begin', TRANS_STMT_COMMIT: 'commit', TRANS_STMT_ROLLBACK: 'rollback',
      TRANS_STMT_SAVEPOINT: 'savepoint', TRANS_STMT_RELEASE: 'release', TRANS_STMT_ROLLBACK_TO: 'rollbackTo',
    };
    const action = actions[t.kind ?? ''];
    if (!action) throw new SqlError(SqlState.FeatureNotSupported, `transaction command ${t.kind ?? ''} is not supported`);
    return { kind: 'transaction', action, savepoint: t.savepoint_name ?? '', readOnly: readOnlyOption(t.options) };
  }
  if ('VariableSetStmt' in s) return classifySet(s.VariableSetStmt);
  if ('FlushStmt' in s) return { kind: 'flush' };
  if ('RefreshMatViewStmt' in s) return { kind: 'refresh', target: qn(s.RefreshMatViewStmt.relation) };
  if ('VariableShowStmt' in s) return { kind: 'show', name: s.VariableShowStmt.name ?? '' };
  if ('ExplainStmt' in s) {
    const q = s.ExplainStmt.query!;
    if ('SelectStmt' in q) return { kind: 'explain', target: { node: q.SelectStmt }, isDml: false };
    if ('InsertStmt' in q || 'UpdateStmt' in q || 'DeleteStmt' in q) return { kind: 'explain', target: { node: q }, isDml: true };
    if ('CreateTableAsStmt' in q && q.CreateTableAsStmt.objtype === 'OBJECT_MATVIEW' && q.CreateTableAsStmt.query && 'SelectStmt' in q.CreateTableAsStmt.query) {
      const c = q.CreateTableAsStmt;
      return {
        kind: 'explainDataflow', target: qn(c.into?.rel), columnNames: names(c.into?.colNames), ifNotExists: false,
        options: defOptions(c.into?.options), query: { node: (c.query as { SelectStmt: unknown }).SelectStmt },
      };
    }
    throw new SqlError(SqlState.FeatureNotSupported, 'EXPLAIN supports SELECT, INSERT, UPDATE, DELETE and CREATE MATERIALIZED VIEW');
  }
  if ('CopyStmt' in s) {
    const c = s.CopyStmt;
    const q = c.query && 'SelectStmt' in c.query ? { node: c.query.SelectStmt } : null;
    if (c.query && !q) throw new SqlError(SqlState.FeatureNotSupported, 'COPY (query) supports SELECT only');
    return {
      kind: 'copy', from: c.is_from ?? false, table: c.relation ? qn(c.relation) : null, columns: names(c.attlist),
      query: q, file: c.filename ?? null, options: copySpec(c.options ?? []),
    };
  }
  if ('DeclareCursorStmt' in s) {
    const d = s.DeclareCursorStmt;
    const q = d.query!;
    if (!('SelectStmt' in q)) throw new SqlError(SqlState.FeatureNotSupported, 'DECLARE supports SELECT only');
    // CURSOR_OPT_HOLD = 0x20
    return { kind: 'declareCursor', name: d.portalname!, hold: ((d.options ?? 0) & 0x20) !== 0, query: { node: q.SelectStmt } };
  }
  if ('EddySubscribeStmt' in s) {
    const n = (s as unknown as Extract<SubscribeNode, { EddySubscribeStmt: unknown }>).EddySubscribeStmt;
    return { kind: 'subscribe', spec: n.spec, via: n.via, cursor: n.cursor ?? null };
  }
  if ('EddyFetchStmt' in s) {
    const n = (s as unknown as Extract<SubscribeNode, { EddyFetchStmt: unknown }>).EddyFetchStmt;
    return { ...fetchCommand(n.fetch as FetchStmt), timeoutMs: n.timeoutMs };
  }
  if ('FetchStmt' in s) return fetchCommand(s.FetchStmt);
  if ('ClosePortalStmt' in s) return { kind: 'closeCursor', name: s.ClosePortalStmt.portalname ?? null };
  if ('DiscardStmt' in s) return { kind: 'discard' };
  if ('DeallocateStmt' in s) return { kind: 'deallocate', name: s.DeallocateStmt.name ?? null };
  if ('CheckPointStmt' in s) return { kind: 'noop', tag: 'CHECKPOINT' };
  if ('VacuumStmt' in s) {
    const v = s.VacuumStmt;
    if (!v.is_vacuumcmd) return { kind: 'noop', tag: 'ANALYZE' };
    return { kind: 'vacuum', tables: (v.rels ?? []).map((r) => qn('VacuumRelation' in r ? r.VacuumRelation.relation : undefined)) };
  }
  if ('LockStmt' in s) return { kind: 'noop', tag: 'LOCK TABLE' };
  if ('ListenStmt' in s) return { kind: 'noop', tag: 'LISTEN' };
  if ('UnlistenStmt' in s) return { kind: 'noop', tag: 'UNLISTEN' };
  if ('NotifyStmt' in s) return { kind: 'noop', tag: 'NOTIFY' };
  throw new SqlError(SqlState.FeatureNotSupported, `${Object.keys(s)[0] ?? 'statement'} is not supported`);
}

function classifySet(s: import('@pgsql/types').VariableSetStmt): Statement {
  const name = s.name ?? '';
  const argText = (): string => (s.args ?? []).map((a) => {
    if ('A_Const' in a) {
      const c = a.A_Const;
      if (c.sval) return c.sval.sval ?? '';
      if (c.ival) return String(c.ival.ival ?? 0);
      if (c.fval) return c.fval.fval ?? '';
      if (c.boolval) return c.boolval.boolval ? 'on' : 'off';
    }
    if ('TypeCast' in a && a.TypeCast.arg && 'A_Const' in a.TypeCast.arg) return a.TypeCast.arg.A_Const.sval?.sval ?? '';
    return '';
  }).join(', ');
  switch (s.kind) {
    case 'VAR_SET_VALUE': case 'VAR_SET_CURRENT': return { kind: 'set', name, value: argText(), reset: false, resetAll: false };
    case 'VAR_SET_DEFAULT': return { kind: 'set', name, value: null, reset: false, resetAll: false };
    case 'VAR_RESET': return { kind: 'set', name, value: null, reset: true, resetAll: false };
    case 'VAR_RESET_ALL': return { kind: 'set', name: '', value: null, reset: true, resetAll: true };
    case 'VAR_SET_MULTI': {
      // SET TRANSACTION ... / SET SESSION CHARACTERISTICS AS TRANSACTION ...: only READ ONLY / WRITE matter here
      const readOnly = readOnlyOption(s.args);
      if (name === 'TRANSACTION') return { kind: 'setTransaction', readOnly };
      // the session's default for the transactions that follow
      if (readOnly !== null) return { kind: 'set', name: 'default_transaction_read_only', value: readOnly ? 'on' : 'off', reset: false, resetAll: false };
      return { kind: 'setTransaction', readOnly: null };
    }
    default: return { kind: 'noop', tag: 'SET' };
  }
}

function copySpec(opts: readonly Node[]): CopySpec {
  let csv = false;
  let delimiter: string | null = null;
  let nullString: string | null = null;
  let header = false;
  let quote = '"';
  let escape: string | null = null;
  for (const o of opts) {
    if (!('DefElem' in o)) continue;
    const d = o.DefElem;
    const a = d.arg;
    const v = a && 'String' in a ? (a.String.sval ?? '') : a && 'Integer' in a ? String(a.Integer.ival ?? 0) : a && 'Boolean' in a ? String(a.Boolean.boolval ?? false) : 'true';
    switch (d.defname) {
      case 'format':
        if (v.toLowerCase() === 'binary') throw new SqlError(SqlState.FeatureNotSupported, 'COPY BINARY is not supported');
        csv = v.toLowerCase() === 'csv';
        break;
      case 'delimiter': delimiter = v; break;
      case 'null': nullString = v; break;
      case 'header': header = v === 'true' || v === 'on' || v === '1' || v === 'match'; break;
      case 'quote': quote = v; break;
      case 'escape': escape = v; break;
      default: break;
    }
  }
  return { csv, delimiter: delimiter ?? (csv ? ',' : '\t'), nullString: nullString ?? (csv ? '' : '\\N'), header, quote, escape: escape ?? quote };
}

// ---- binding the parts a command refers to ---------------------------------------------------

export function bindQuery(q: QueryRef, env: BindEnv): Plan {
  return chooseScans(bindSelect(q.node as import('@pgsql/types').SelectStmt, new Scope(null), env));
}

export function bindDml(d: DmlRef, env: BindEnv): BoundDml {
  const stmt = d.node as Node;
  if ('InsertStmt' in stmt) return bindInsert(stmt.InsertStmt, env);
  if ('UpdateStmt' in stmt) return bindUpdate(stmt.UpdateStmt, env);
  if ('DeleteStmt' in stmt) return bindDelete(stmt.DeleteStmt, env);
  throw new SqlError(SqlState.InternalError, 'not a DML statement');
}

export function bindDdlRef(d: DdlRef, env: BindEnv): DdlCommand {
  return bindDdl(d.node as Node, d.sql, env, d.streaming);
}

/** transaction_read_only among BEGIN / SET TRANSACTION options: true, false, or null when absent */
function readOnlyOption(options: readonly Node[] | undefined): boolean | null {
  for (const a of options ?? []) {
    if ('DefElem' in a && a.DefElem.defname === 'transaction_read_only') {
      const v = a.DefElem.arg;
      return !!(v && 'A_Const' in v && v.A_Const.ival && (v.A_Const.ival.ival ?? 0) === 1);
    }
  }
  return null;
}

function fetchCommand(f: FetchStmt): Extract<Statement, { kind: 'fetch' }> {
  return { kind: 'fetch', name: f.portalname ?? '', count: f.howMany === undefined ? 1 : Number(f.howMany), move: f.ismove ?? false, forward: !f.direction || f.direction === 'FETCH_FORWARD' };
}
