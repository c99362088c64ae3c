// Functions that read the catalog or the session (pg_table_is_visible, format_type,
// pg_get_indexdef, current_setting, ...): what psql, JDBC and BI tools call. They are bound per
// statement with the catalog snapshot the statement sees.
import { T, typeFromOid, type SqlType } from '../core/types.js';
import type { Datum } from '../core/datum.js';
import { SqlError, SqlState } from '../core/errors.js';
import type { Expr } from '../expr/ir.js';
import type { ScalarFunction } from '../expr/functions/registry.js';
import { formatTypeWithMod } from './type-names.js';
import { checkConstraintOid, foreignKeyOid, keyConstraintOid, PG_CLASS_OID, PG_NAMESPACE_OID, type ForeignKeyDef, type RelationDef } from '../catalog/model.js';
import type { BindEnv } from './scope.js';
import { coerce, resolveUnknown } from './bind-expr.js';

type Impl = (args: readonly Datum[]) => Datum;

function fn(name: string, argTypes: SqlType[], ret: SqlType, impl: Impl, strict = true): ScalarFunction {
  return { name, argTypes, returnType: ret, strict, volatility: 'stable', impl: (a) => impl(a) };
}

const FK_ACTIONS: Record<string, string> = { r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

/** pg_get_constraintdef of a foreign key, as PostgreSQL prints it */
function foreignKeyDefText(r: RelationDef, fk: ForeignKeyDef, ref: RelationDef | undefined): string {
  const refName = ref ? (ref.schema === 'public' ? ref.name : `${ref.schema}.${ref.name}`) : '???';
  let s = `FOREIGN KEY (${fk.columns.map((k) => r.columns[k]!.name).join(', ')}) REFERENCES ${refName}(${fk.refColumns.map((k) => ref?.columns[k]?.name ?? '?').join(', ')})`;
  if (FK_ACTIONS[fk.onUpdate]) s += ` ON UPDATE ${FK_ACTIONS[fk.onUpdate]}`;
  if (FK_ACTIONS[fk.onDelete]) s += ` ON DELETE ${FK_ACTIONS[fk.onDelete]}`;
  return s;
}

export function catalogFunction(name: string, args: readonly Expr[], env: BindEnv): Expr | null {
  const c = env.catalog;
  const relOf = (oid: Datum) => c.relationByOid(Number(oid));
  const indexOf = (oid: Datum) => {
    for (const r of c.relations()) for (const i of r.indexes) if (i.oid === Number(oid)) return { r, i };
    return undefined;
  };
  const n = args.length;
  const foreignKeyDef = (r: RelationDef, fk: ForeignKeyDef): string => foreignKeyDefText(r, fk, c.relationByOid(fk.refRelation));
  const make = (argTypes: SqlType[], ret: SqlType, impl: Impl, strict = true): Expr => {
    const f = fn(name, argTypes, ret, impl, strict);
    const coerced = args.map((a, i) => resolveUnknown(coerce(a, argTypes[i] ?? a.type, 'implicit', env), env));
    return { kind: 'call', fn: f, args: coerced, type: ret };
  };
  switch (name) {
    case 'pg_table_is_visible': return n === 1 ? make([T.oid], T.bool, (a) => {
      const oid = Number(a[0]);
      const s = relOf(a[0]!)?.schema ?? indexOf(a[0]!)?.r.schema ?? c.sequences().find((q) => q.oid === oid)?.schema;
      return s !== undefined && env.searchPath.includes(s);
    }) : null;
    case 'pg_type_is_visible': case 'pg_function_is_visible': case 'pg_collation_is_visible': case 'pg_opclass_is_visible': case 'pg_opfamily_is_visible': case 'pg_conversion_is_visible': case 'pg_operator_is_visible':
      return n === 1 ? make([T.oid], T.bool, () => true) : null;
    // the sequence a serial column owns, as schema.name (NULL for other columns)
    case 'pg_get_serial_sequence': return n === 2 ? make([T.text, T.text], T.text, (a) => {
      const q = qualifiedName(a[0] as string);
      const rel = c.findRelation(q.schema, q.name, env.searchPath);
      if (!rel) throw new SqlError(SqlState.UndefinedTable, `relation "${a[0] as string}" does not exist`);
      const column = a[1] as string;
      if (!rel.columns.some((x) => x.name === column && !x.dropped)) throw new SqlError(SqlState.UndefinedColumn, `column "${column}" of relation "${rel.name}" does not exist`);
      const seq = c.sequences().find((x) => x.ownedBy?.relation === rel.oid && x.ownedBy.column === column);
      return seq ? `${seq.schema}.${seq.name}` : null;
    }) : null;
    case 'pg_get_userbyid': return n === 1 ? make([T.oid], T.name, (a) => c.roles().find((r) => r.oid === Number(a[0]))?.name ?? 'eddy') : null;
    case 'format_type': return n === 2 ? make([T.oid, T.int4], T.text, (a) => {
      const t = typeFromOid(Number(a[0]));
      if (!t) return '???';
      const mod = a[1] === null ? -1 : Number(a[1]);
      return formatTypeWithMod(t.kind === 'array' ? t : { ...t, typmod: mod });
    }, false) : null;
    case 'pg_get_expr': return n >= 2 ? make(n === 2 ? [T.text, T.oid] : [T.text, T.oid, T.bool], T.text, (a) => a[0] as string) : null;
    case 'pg_get_indexdef': return n >= 1 ? make(n === 1 ? [T.oid] : [T.oid, T.int4, T.bool], T.text, (a) => {
      const x = indexOf(a[0]!);
      if (!x) return null;
      if (n > 1 && Number(a[1]) > 0) return x.r.columns[x.i.columns[Number(a[1]) - 1]!]?.name ?? '';
      return `CREATE ${x.i.unique ? 'UNIQUE ' : ''}INDEX ${x.i.name} ON ${x.r.schema}.${x.r.name} USING btree (${x.i.columns.map((k) => x.r.columns[k]!.name).join(', ')})`;
    }) : null;
    case 'pg_get_constraintdef': return n >= 1 ? make(n === 1 ? [T.oid] : [T.oid, T.bool], T.text, (a) => {
      const oid = Number(a[0]);
      for (const r of c.relations()) {
        for (const i of r.indexes) if (keyConstraintOid(i.oid) === oid) return `${i.primary ? 'PRIMARY KEY' : 'UNIQUE'} (${i.columns.map((k) => r.columns[k]!.name).join(', ')})`;
      }
      for (const r of c.relations()) {
        const k = r.checks.findIndex((_ch, i) => checkConstraintOid(r.oid, i) === oid);
        if (k >= 0) return `CHECK (${r.checks[k]!.sql})`;
        const f = (r.foreignKeys ?? []).findIndex((_fk, i) => foreignKeyOid(r.oid, i) === oid);
        if (f >= 0) return foreignKeyDef(r, r.foreignKeys![f]!);
      }
      return null;
    }) : null;
    case 'pg_get_viewdef': return n >= 1 ? make(n === 1 ? [T.oid] : [T.oid, T.bool], T.text, (a) => relOf(a[0]!)?.viewSql ?? null) : null;
    // COMMENT ON descriptions (obj_description(oid [, catalog name]); shared objects have none)
    case 'obj_description': {
      const comments = c.data.comments ?? [];
      const classes: Record<string, number> = { pg_class: PG_CLASS_OID, pg_namespace: PG_NAMESPACE_OID };
      return make(n === 1 ? [T.oid] : [T.oid, T.name], T.text, (a) => {
        const classoid = n === 1 ? null : classes[String(a[1]).replace(/^pg_catalog\./, '')] ?? -1;
        return comments.find((x) => x.objoid === Number(a[0]) && x.objsubid === 0 && (classoid === null || x.classoid === classoid))?.description ?? null;
      });
    }
    case 'shobj_description': return make(args.map((x) => (x.type.kind === 'scalar' && x.type.name === 'unknown' ? T.text : x.type)), T.text, () => null, false);
    case 'col_description': {
      const comments = c.data.comments ?? [];
      return make([T.oid, T.int4], T.text, (a) => comments.find((x) => x.objoid === Number(a[0]) && x.classoid === PG_CLASS_OID && x.objsubid === Number(a[1]))?.description ?? null);
    }
    case 'pg_encoding_to_char': return n === 1 ? make([T.int4], T.name, () => 'UTF8') : null;
    case 'pg_char_to_encoding': return n === 1 ? make([T.name], T.int4, () => 6) : null;
    case 'has_table_privilege': case 'has_schema_privilege': case 'has_database_privilege': case 'has_column_privilege':
    case 'has_sequence_privilege': case 'has_function_privilege': case 'has_any_column_privilege': case 'pg_has_role':
      return make(args.map((x) => (x.type.kind === 'scalar' && x.type.name === 'unknown' ? T.text : x.type)), T.bool, () => true, false);
    case 'pg_postmaster_start_time': return n === 0 ? { kind: 'const', value: env.startTime * 1000, type: T.timestamptz } : null;
    case 'txid_current': case 'pg_current_xact_id': return n === 0 ? { kind: 'const', value: BigInt(env.startTime), type: T.int8 } : null;
    case 'pg_relation_size': case 'pg_total_relation_size': case 'pg_table_size': case 'pg_indexes_size': case 'pg_database_size': case 'pg_tablespace_size':
      return make(args.map((x) => (x.type.kind === 'scalar' && x.type.name === 'unknown' ? T.regclass : x.type)), T.int8, () => 0n, false);
    case 'pg_size_pretty': return n === 1 ? make([T.int8], T.text, (a) => `${String(a[0])} bytes`) : null;
    // volatile: it sets the value each time it runs
    case 'set_config': {
      if (n !== 3 || !env.setSetting) return null;
      const set = env.setSetting;
      const call = make([T.text, T.text, T.bool], T.text, (a) => set(a[0] as string, a[1] as string), false) as Extract<Expr, { kind: 'call' }>;
      return { ...call, fn: { ...call.fn, volatility: 'volatile' } };
    }
    case 'current_setting': return n >= 1 ? make(n === 1 ? [T.text] : [T.text, T.bool], T.text, (a) => {
      try { return env.getSetting(a[0] as string); } catch (err) { if (a[1] === true) return null; throw err; }
    }) : null;
    case 'pg_get_partkeydef': case 'pg_get_statisticsobjdef_columns': case 'pg_get_triggerdef': case 'pg_get_ruledef': case 'pg_get_function_identity_arguments': case 'pg_get_function_result': case 'pg_get_function_arguments':
      return make(args.map((x) => (x.type.kind === 'scalar' && x.type.name === 'unknown' ? T.text : x.type)), T.text, () => null, false);
    case 'pg_tablespace_location': return make([T.oid], T.text, () => '');
    case 'pg_is_other_temp_schema': case 'pg_relation_is_publishable': return make([T.oid], T.bool, () => false);
    case 'pg_my_temp_schema': return { kind: 'const', value: 0, type: T.oid };
    case 'pg_backend_pid': return { kind: 'const', value: env.processId, type: T.int4 };
    case 'nextval': case 'currval': case 'setval': {
      if (n < 1 || n > 3) return null;
      const seqOid = (d: Datum): number => {
        if (typeof d === 'number') return d;
        const parts = String(d).split('.').map((p) => p.replace(/^"(.*)"$/, '$1'));
        const q = c.findSequence(parts.length > 1 ? parts[0]! : null, parts[parts.length - 1]!, env.searchPath);
        if (!q) throw new SqlError(SqlState.UndefinedTable, `relation "${String(d)}" does not exist`);
        return q.oid;
      };
      const first = args[0]!.type.kind === 'scalar' && args[0]!.type.name === 'regclass' ? T.regclass : T.text;
      const ops = env.sequences;
      const f: ScalarFunction = {
        name, argTypes: n === 1 ? [first] : n === 2 ? [first, T.int8] : [first, T.int8, T.bool], returnType: T.int8, strict: true, volatility: 'volatile',
        impl: (a) => name === 'nextval' ? ops.next(seqOid(a[0]!)) : name === 'currval' ? ops.current(seqOid(a[0]!))
          : ops.set(seqOid(a[0]!), a[1] as bigint, n === 3 ? a[2] === true : true),
      };
      const coerced = args.map((x, i) => resolveUnknown(coerce(x, f.argTypes[i]!, 'implicit', env), env));
      return { kind: 'call', fn: f, args: coerced, type: T.int8 };
    }
    default: return null;
  }
}

/** a relation name as SQL parses it: [schema.]name, unquoted parts lower-cased */
function qualifiedName(text: string): { schema: string | null; name: string } {
  const parts = [...text.trim().matchAll(/"((?:[^"]|"")*)"|([^."]+)/g)].map((m) => (m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]!.trim().toLowerCase()));
  return parts.length > 1 ? { schema: parts[parts.length - 2]!, name: parts[parts.length - 1]! } : { schema: null, name: parts[0] ?? '' };
}
