// Resolves a parsed TypeName (e.g. `varchar(10)`, `numeric(12,2)[]`, `double precision`) to a SqlType.
import type { TypeName, Node } from '@pgsql/types';
import { scalar, arrayOf, typeDisplayName, type SqlType, type ScalarTypeName } from '../core/types.js';
import { SqlError, SqlState } from '../core/errors.js';

const ALIASES: Record<string, ScalarTypeName> = {
  bool: 'bool', boolean: 'bool',
  int2: 'int2', smallint: 'int2', smallserial: 'int2', serial2: 'int2',
  int4: 'int4', int: 'int4', integer: 'int4', serial: 'int4', serial4: 'int4',
  int8: 'int8', bigint: 'int8', bigserial: 'int8', serial8: 'int8',
  float4: 'float4', real: 'float4', float8: 'float8', 'double precision': 'float8', float: 'float8',
  numeric: 'numeric', decimal: 'numeric',
  text: 'text', varchar: 'varchar', 'character varying': 'varchar',
  bpchar: 'bpchar', char: 'bpchar', character: 'bpchar', name: 'name', '"char"': 'char',
  bytea: 'bytea', date: 'date', time: 'time', timetz: 'time', 'time without time zone': 'time',
  timestamp: 'timestamp', 'timestamp without time zone': 'timestamp',
  timestamptz: 'timestamptz', 'timestamp with time zone': 'timestamptz',
  interval: 'interval', uuid: 'uuid', json: 'json', jsonb: 'jsonb',
  // RisingWave's names
  double: 'float8', string: 'text',
  oid: 'oid', regclass: 'regclass', regtype: 'regtype', regproc: 'regproc', regprocedure: 'regproc', regnamespace: 'regnamespace',
  unknown: 'unknown', void: 'void', record: 'record', anyelement: 'anyelement', anyarray: 'anyarray',
  xid: 'int8', cid: 'int4', tid: 'text', int2vector: 'text', oidvector: 'text', regoper: 'oid', regoperator: 'oid', regrole: 'oid',
  pg_node_tree: 'text', aclitem: 'text', cstring: 'text', regconfig: 'oid', inet: 'text', cidr: 'text',
};

/** canonical scalar name for an alias such as 'integer' or 'character varying' */
export function typeAlias(name: string): string {
  return ALIASES[name] ?? name;
}

export function isSerialName(name: string): 'int2' | 'int4' | 'int8' | null {
  switch (name) {
    case 'smallserial': case 'serial2': return 'int2';
    case 'serial': case 'serial4': return 'int4';
    case 'bigserial': case 'serial8': return 'int8';
    default: return null;
  }
}

export function typeNameParts(tn: TypeName): string[] {
  return (tn.names ?? []).map((n) => ('String' in n ? (n.String.sval ?? '') : ''));
}

function intConst(n: Node): number | null {
  if ('A_Const' in n) {
    const c = n.A_Const;
    if (c.ival) return c.ival.ival ?? 0;
  }
  return null;
}

export function resolveTypeName(tn: TypeName): SqlType {
  const parts = typeNameParts(tn);
  let base = parts[parts.length - 1]!.toLowerCase();
  if (parts.length === 2 && parts[0] !== 'pg_catalog' && parts[0] !== 'public' && parts[0] !== 'information_schema') {
    throw new SqlError(SqlState.UndefinedObject, `type "${parts.join('.')}" does not exist`, { position: (tn.location ?? 0) + 1 });
  }
  // information_schema domains
  if (parts[0] === 'information_schema') {
    if (base === 'cardinal_number') base = 'int4';
    else if (base === 'sql_identifier' || base === 'character_data' || base === 'yes_or_no') base = 'text';
    else if (base === 'time_stamp') base = 'timestamptz';
  }
  const name = ALIASES[base];
  if (!name) throw new SqlError(SqlState.UndefinedObject, `type "${base}" does not exist`, { position: (tn.location ?? 0) + 1 });
  const mods = (tn.typmods ?? []).map(intConst);
  let typmod = -1;
  if (name === 'varchar' || name === 'bpchar') {
    const n = mods[0];
    if (n !== undefined && n !== null) {
      if (n < 1) throw new SqlError(SqlState.InvalidParameterValue, `length for type ${name === 'varchar' ? 'varchar' : 'char'} must be at least 1`);
      typmod = n + 4;
    } else if (name === 'bpchar' && base !== 'bpchar') typmod = 1 + 4;
  } else if (name === 'numeric' && mods.length > 0) {
    const p = mods[0] ?? 0;
    const s = mods[1] ?? 0;
    if (p < 1 || p > 1000) throw new SqlError(SqlState.InvalidParameterValue, `NUMERIC precision ${p} must be between 1 and 1000`);
    typmod = ((p << 16) | (s & 0xffff)) + 4;
  } else if (name === 'interval' && mods.length > 0) {
    // INTERVAL '12' HOUR [TO ...] [(p)]: the grammar gives the field mask, then the precision
    const range = mods[0] ?? 0x7fff;
    const p = mods[1] ?? 0xffff;
    if (p !== 0xffff && (p < 0 || p > 6)) throw new SqlError(SqlState.InvalidParameterValue, `INTERVAL(${p}) precision must be between 0 and 6`);
    typmod = ((range & 0x7fff) << 16) | (p & 0xffff);
  } else if (base === 'float' && mods.length > 0) {
    const p = mods[0] ?? 53;
    const t = p <= 24 ? scalar('float4') : scalar('float8');
    return tn.arrayBounds?.length ? arrayOf(t) : t;
  }
  const t = scalar(name, typmod);
  return tn.arrayBounds && tn.arrayBounds.length > 0 ? arrayOf(t) : t;
}

export { formatTypeWithMod } from '../core/types.js';
