// Comparison operators = <> < <= > >= for every comparable type, plus comparator helpers
// (min/max aggregates, arrays, greatest/least). Common types get inline comparators so
// the hot path avoids type dispatch; the rest defer to compareDatums (core/values/io.ts).
import type { Datum, DatumArray } from '../../core/datum.js';
import type { SqlType, ScalarTypeName } from '../../core/types.js';
import type { Numeric } from '../../core/values/numeric.js';
import type { Interval } from '../../core/values/interval.js';
import { compareCodePoints, compareJson, type Jsonb } from '../../core/values/json.js';
import { compareDatums } from '../../core/values/io.js';
import { op, type ScalarImpl } from './define.js';

export type Comparator = (a: Datum, b: Datum) => number;

const cmpNum: Comparator = (a, b) => {
  const x = a as number, y = b as number;
  if (x < y) return -1;
  if (x > y) return 1;
  if (x === y) return 0;
  // NaN sorts above everything and equals itself (float8 btree semantics)
  const xn = Number.isNaN(x), yn = Number.isNaN(y);
  return xn === yn ? 0 : xn ? 1 : -1;
};
const cmpBig: Comparator = (a, b) => ((a as bigint) < (b as bigint) ? -1 : (a as bigint) > (b as bigint) ? 1 : 0);
const cmpBool: Comparator = (a, b) => (a === b ? 0 : a ? 1 : -1);
const cmpText: Comparator = (a, b) => compareCodePoints(a as string, b as string);
const rtrim = (s: string): string => s.replace(/ +$/, '');
/** bpchar ignores trailing blanks */
const cmpBpchar: Comparator = (a, b) => compareCodePoints(rtrim(a as string), rtrim(b as string));
const cmpNumeric: Comparator = (a, b) => (a as Numeric).cmp(b as Numeric);
const cmpInterval: Comparator = (a, b) => (a as Interval).cmp(b as Interval);
const cmpJsonb: Comparator = (a, b) => compareJson((a as Jsonb).value, (b as Jsonb).value);
const cmpBytea: Comparator = (a, b) => {
  const x = a as Uint8Array, y = b as Uint8Array;
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
};

/** Total order for non-null values of a type. */
export function comparatorFor(t: SqlType): Comparator {
  if (t.kind === 'array') {
    const ec = comparatorFor(t.elem);
    return (a, b) => compareArrays(a as DatumArray, b as DatumArray, ec);
  }
  switch (t.name) {
    case 'int2': case 'int4': case 'float4': case 'float8': case 'oid': case 'regclass': case 'regtype':
    case 'regproc': case 'regnamespace': case 'date': case 'time': case 'timestamp': case 'timestamptz':
      return cmpNum;
    case 'int8': return cmpBig;
    case 'bool': return cmpBool;
    case 'text': case 'varchar': case 'name': case 'char': case 'uuid': return cmpText;
    case 'bpchar': return cmpBpchar;
    case 'numeric': return cmpNumeric;
    case 'interval': return cmpInterval;
    case 'jsonb': return cmpJsonb;
    case 'bytea': return cmpBytea;
    default: return (a, b) => compareDatums(t, a, b);
  }
}

/** array_cmp: element-wise, NULL elements sort after non-NULL, then shorter first. */
export function compareArrays(a: DatumArray, b: DatumArray, ec: Comparator): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!, y = b[i]!;
    if (x === null || y === null) {
      if (x === null && y === null) continue;
      return x === null ? 1 : -1;
    }
    const c = Array.isArray(x) && Array.isArray(y) ? compareArrays(x, y, ec) : ec(x, y);
    if (c !== 0) return c;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

const COMPARABLE: ScalarTypeName[] = [
  'bool', 'int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'text', 'bpchar', 'name', 'char', 'bytea',
  'date', 'time', 'timestamp', 'timestamptz', 'interval', 'uuid', 'jsonb', 'oid',
];

function registerSet(l: string, r: string, c: Comparator, bind?: (types: readonly SqlType[]) => Comparator): void {
  const mk = (test: (n: number) => boolean): { impl: ScalarImpl; bind?: (types: readonly SqlType[]) => ScalarImpl } => {
    const impl: ScalarImpl = (a) => test(c(a[0]!, a[1]!));
    if (!bind) return { impl };
    return {
      impl,
      bind: (types) => { const cc = bind(types); return (a) => test(cc(a[0]!, a[1]!)); },
    };
  };
  const reg = (o: string, test: (n: number) => boolean): void => {
    const m = mk(test);
    op(`${o}(${l}, ${r}) -> bool`, m.impl, m.bind ? { bind: m.bind } : {});
  };
  reg('=', (n) => n === 0);
  reg('<>', (n) => n !== 0);
  reg('<', (n) => n < 0);
  reg('<=', (n) => n <= 0);
  reg('>', (n) => n > 0);
  reg('>=', (n) => n >= 0);
}

export function registerComparison(): void {
  for (const t of COMPARABLE) registerSet(t, t, comparatorFor({ kind: 'scalar', name: t, typmod: -1 }));
  // cross-type integer comparisons exist in PostgreSQL (int48eq ...) so int4 = int8 needs no cast
  const ints = ['int2', 'int4', 'int8'] as const;
  for (const l of ints) for (const r of ints) {
    if (l === r) continue;
    const lb = l === 'int8', rb = r === 'int8';
    registerSet(l, r, (a, b) => {
      const x = lb ? (a as bigint) : BigInt(a as number);
      const y = rb ? (b as bigint) : BigInt(b as number);
      return x < y ? -1 : x > y ? 1 : 0;
    });
  }
  registerSet('float4', 'float8', cmpNum);
  registerSet('float8', 'float4', cmpNum);
  registerSet('anyarray', 'anyarray', (a, b) => compareArrays(a as DatumArray, b as DatumArray, cmpText),
    (types) => comparatorFor(types[0]!));
}
