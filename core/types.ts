// SQL types as plain data, with the PostgreSQL OIDs clients expect on the wire.
// The binder attaches a SqlType to every expression; Datums never describe themselves.

export type ScalarTypeName =
  | 'bool' | 'int2' | 'int4' | 'int8' | 'float4' | 'float8' | 'numeric'
  | 'text' | 'varchar' | 'bpchar' | 'name' | 'char'
  | 'bytea' | 'date' | 'time' | 'timestamp' | 'timestamptz' | 'interval'
  | 'uuid' | 'json' | 'jsonb'
  | 'oid' | 'regclass' | 'regtype' | 'regproc' | 'regnamespace'
  | 'unknown' | 'void' | 'record' | 'anyelement' | 'anyarray';

export interface ScalarType {
  readonly kind: 'scalar';
  readonly name: ScalarTypeName;
  /** PostgreSQL typmod: varchar(n) → n+4, numeric(p,s) → ((p<<16)|s)+4, -1 when unset. */
  readonly typmod: number;
  /** for 'record': the named fields of a composite value (a Datum array in field order) */
  readonly fields?: readonly RecordField[];
}
export interface RecordField {
  readonly name: string;
  readonly type: SqlType;
}
export interface ArrayType {
  readonly kind: 'array';
  readonly elem: ScalarType;
  readonly typmod: number;
  /**
   * int2vector / oidvector (pg_index.indkey, pg_proc.proargtypes): one-dimensional arrays that
   * print as space-separated values and are subscripted from 0
   */
  readonly vector?: true;
}
export type SqlType = ScalarType | ArrayType;

export interface TypeInfo {
  readonly oid: number;
  readonly arrayOid: number;
  /** pg_type.typlen: -1 varlena, -2 cstring */
  readonly len: number;
  /** pg_type.typcategory */
  readonly category: string;
}

export const TYPE_INFO: Readonly<Record<ScalarTypeName, TypeInfo>> = {
  bool: { oid: 16, arrayOid: 1000, len: 1, category: 'B' },
  int2: { oid: 21, arrayOid: 1005, len: 2, category: 'N' },
  int4: { oid: 23, arrayOid: 1007, len: 4, category: 'N' },
  int8: { oid: 20, arrayOid: 1016, len: 8, category: 'N' },
  float4: { oid: 700, arrayOid: 1021, len: 4, category: 'N' },
  float8: { oid: 701, arrayOid: 1022, len: 8, category: 'N' },
  numeric: { oid: 1700, arrayOid: 1231, len: -1, category: 'N' },
  text: { oid: 25, arrayOid: 1009, len: -1, category: 'S' },
  varchar: { oid: 1043, arrayOid: 1015, len: -1, category: 'S' },
  bpchar: { oid: 1042, arrayOid: 1014, len: -1, category: 'S' },
  name: { oid: 19, arrayOid: 1003, len: 64, category: 'S' },
  char: { oid: 18, arrayOid: 1002, len: 1, category: 'Z' },
  bytea: { oid: 17, arrayOid: 1001, len: -1, category: 'U' },
  date: { oid: 1082, arrayOid: 1182, len: 4, category: 'D' },
  time: { oid: 1083, arrayOid: 1183, len: 8, category: 'D' },
  timestamp: { oid: 1114, arrayOid: 1115, len: 8, category: 'D' },
  timestamptz: { oid: 1184, arrayOid: 1185, len: 8, category: 'D' },
  interval: { oid: 1186, arrayOid: 1187, len: 16, category: 'T' },
  uuid: { oid: 2950, arrayOid: 2951, len: 16, category: 'U' },
  json: { oid: 114, arrayOid: 199, len: -1, category: 'U' },
  jsonb: { oid: 3802, arrayOid: 3807, len: -1, category: 'U' },
  oid: { oid: 26, arrayOid: 1028, len: 4, category: 'N' },
  regclass: { oid: 2205, arrayOid: 2210, len: 4, category: 'N' },
  regtype: { oid: 2206, arrayOid: 2211, len: 4, category: 'N' },
  regproc: { oid: 24, arrayOid: 1008, len: 4, category: 'N' },
  regnamespace: { oid: 4089, arrayOid: 4090, len: 4, category: 'N' },
  unknown: { oid: 705, arrayOid: 0, len: -2, category: 'X' },
  void: { oid: 2278, arrayOid: 0, len: 4, category: 'P' },
  record: { oid: 2249, arrayOid: 2287, len: -1, category: 'P' },
  anyelement: { oid: 2283, arrayOid: 0, len: 4, category: 'P' },
  anyarray: { oid: 2277, arrayOid: 0, len: -1, category: 'P' },
};

const scalarCache = new Map<ScalarTypeName, ScalarType>();
/** A scalar type without typmod; instances are shared so they can be compared by identity or name. */
export function scalar(name: ScalarTypeName, typmod = -1): ScalarType {
  if (typmod !== -1) return { kind: 'scalar', name, typmod };
  let t = scalarCache.get(name);
  if (!t) { t = Object.freeze({ kind: 'scalar', name, typmod: -1 }); scalarCache.set(name, t); }
  return t;
}
/** A composite (row) type with named fields; its values are Datum arrays. */
export function recordOf(fields: readonly RecordField[]): ScalarType {
  return { kind: 'scalar', name: 'record', typmod: -1, fields };
}

export function arrayOf(elem: ScalarType): ArrayType {
  return { kind: 'array', elem, typmod: -1 };
}

export const T = {
  bool: scalar('bool'), int2: scalar('int2'), int4: scalar('int4'), int8: scalar('int8'),
  float4: scalar('float4'), float8: scalar('float8'), numeric: scalar('numeric'),
  text: scalar('text'), varchar: scalar('varchar'), bpchar: scalar('bpchar'), name: scalar('name'), char: scalar('char'),
  bytea: scalar('bytea'), date: scalar('date'), time: scalar('time'), timestamp: scalar('timestamp'),
  timestamptz: scalar('timestamptz'), interval: scalar('interval'), uuid: scalar('uuid'),
  json: scalar('json'), jsonb: scalar('jsonb'), oid: scalar('oid'), regclass: scalar('regclass'),
  regtype: scalar('regtype'), regproc: scalar('regproc'), regnamespace: scalar('regnamespace'),
  unknown: scalar('unknown'), void: scalar('void'), record: scalar('record'),
  anyelement: scalar('anyelement'), anyarray: scalar('anyarray'),
} as const;

/** int2vector (OID 22) and oidvector (OID 30) */
export const INT2VECTOR: ArrayType = { kind: 'array', elem: scalar('int2'), typmod: -1, vector: true };
export const OIDVECTOR: ArrayType = { kind: 'array', elem: scalar('oid'), typmod: -1, vector: true };
const VECTOR_OIDS = { int2: 22, oid: 30 } as const;

export function typeOid(t: SqlType): number {
  if (t.kind === 'array' && t.vector) return VECTOR_OIDS[t.elem.name as keyof typeof VECTOR_OIDS];
  return t.kind === 'array' ? TYPE_INFO[t.elem.name].arrayOid : TYPE_INFO[t.name].oid;
}

const byOid = new Map<number, SqlType>();
for (const [name, info] of Object.entries(TYPE_INFO) as [ScalarTypeName, TypeInfo][]) {
  byOid.set(info.oid, scalar(name));
  if (info.arrayOid) byOid.set(info.arrayOid, arrayOf(scalar(name)));
}
byOid.set(22, INT2VECTOR);
byOid.set(30, OIDVECTOR);
export function typeFromOid(oid: number): SqlType | undefined {
  return byOid.get(oid);
}

export function sameType(a: SqlType, b: SqlType): boolean {
  if (a.kind === 'array') return b.kind === 'array' && a.elem.name === b.elem.name;
  return b.kind === 'scalar' && a.name === b.name;
}

/** Name as format_type() prints it without typmod, e.g. 'integer', 'character varying', 'text[]'. */
export function typeDisplayName(t: SqlType): string {
  if (t.kind === 'array') return t.vector ? `${t.elem.name}vector` : typeDisplayName(t.elem) + '[]';
  switch (t.name) {
    case 'bool': return 'boolean';
    case 'int2': return 'smallint';
    case 'int4': return 'integer';
    case 'int8': return 'bigint';
    case 'float4': return 'real';
    case 'float8': return 'double precision';
    case 'varchar': return 'character varying';
    case 'bpchar': return 'character';
    case 'char': return '"char"';
    case 'time': return 'time without time zone';
    case 'timestamp': return 'timestamp without time zone';
    case 'timestamptz': return 'timestamp with time zone';
    default: return t.name;
  }
}

export function isNumericType(t: SqlType): boolean {
  return t.kind === 'scalar' && TYPE_INFO[t.name].category === 'N' && !t.name.startsWith('reg') && t.name !== 'oid';
}
export function isStringType(t: SqlType): boolean {
  return t.kind === 'scalar' && TYPE_INFO[t.name].category === 'S';
}

/** format_type(): name with typmod, as psql's \d shows it. */
export function formatTypeWithMod(t: SqlType): string {
  if (t.kind === 'array') return t.vector ? typeDisplayName(t) : formatTypeWithMod(t.elem) + '[]';
  const m = t.typmod;
  switch (t.name) {
    case 'varchar': return m >= 4 ? `character varying(${m - 4})` : 'character varying';
    case 'bpchar': return m >= 4 ? `character(${m - 4})` : 'character';
    case 'numeric': return m >= 4 ? `numeric(${(m - 4) >> 16},${(m - 4) & 0xffff})` : 'numeric';
    default: break;
  }
  return typeDisplayName(t);
}
