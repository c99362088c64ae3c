// The function registry (expr/functions) as pg_proc rows: what clients that list functions
// (\df, JDBC getFunctions, DBeaver) or check that one exists see. OIDs are PostgreSQL's where the
// registry records them; the others are numbered in a stable order (name, then argument types)
// from a range no catalog object uses.
import { typeOid, type SqlType } from '../core/types.js';
import { allAggregates, allFunctions, allSetFunctions } from '../expr/functions/registry.js';

export interface BuiltinFunction {
  readonly oid: number;
  readonly name: string;
  /** pg_proc.prokind: f = function, a = aggregate */
  readonly kind: 'f' | 'a';
  readonly args: readonly number[];
  readonly ret: number;
  readonly retset: boolean;
  readonly strict: boolean;
  /** i / s / v */
  readonly volatility: string;
}

const SYNTHETIC_OID_BASE = 6_000_000;

/** type input/output functions clients compare pg_type columns with (PostgreSQL's OIDs) */
export const ARRAY_IN = 750;
export const ARRAY_OUT = 751;
export const INT2VECTOR_IN = 40;
export const OIDVECTOR_IN = 54;
const TYPE_IO: Readonly<Record<string, number>> = { array_in: ARRAY_IN, array_out: ARRAY_OUT, int2vectorin: INT2VECTOR_IN, oidvectorin: OIDVECTOR_IN };

/** a regproc name's OID: a type I/O function or a built-in function; 0 when unknown */
export function functionOid(name: string): number {
  const n = name.replace(/^pg_catalog\./, '').toLowerCase();
  return TYPE_IO[n] ?? builtinFunctions().find((f) => f.name === n)?.oid ?? 0;
}

/** a function OID's name, for regproc output; null when unknown */
export function functionName(oid: number): string | null {
  for (const [name, o] of Object.entries(TYPE_IO)) if (o === oid) return name;
  return builtinFunctions().find((f) => f.oid === oid)?.name ?? null;
}
/** pg_type "any" and "anyelement": polymorphic arguments and results the registry computes */
const ANY = 2276;
const ANYELEMENT = 2283;

let cached: BuiltinFunction[] | null = null;

export function builtinFunctions(): readonly BuiltinFunction[] {
  if (cached) return cached;
  const oidOf = (t: SqlType | undefined): number => {
    if (!t) return ANY;
    if (t.kind === 'scalar' && t.name === 'unknown') return ANY;
    try { return typeOid(t) || ANY; } catch { return ANY; }
  };
  const rows: Omit<BuiltinFunction, 'oid'>[] & { known?: number }[] = [];
  const seen = new Set<string>();
  const add = (f: Omit<BuiltinFunction, 'oid'>, known: number | undefined): void => {
    // operators are registered under their symbols; pg_proc lists named functions
    if (!/^[a-z_][a-z0-9_]*$/.test(f.name)) return;
    const key = `${f.name}(${f.args.join(',')})`;
    if (seen.has(key)) return;
    seen.add(key);
    rows.push(Object.assign(f, { known }));
  };
  for (const f of allFunctions()) {
    add({ name: f.name, kind: 'f', args: f.argTypes.map(oidOf), ret: typeof f.returnType === 'function' ? ANYELEMENT : oidOf(f.returnType), retset: false, strict: f.strict, volatility: f.volatility[0]! }, f.oid);
  }
  for (const a of allAggregates()) {
    add({ name: a.name, kind: 'a', args: a.argTypes.map(oidOf), ret: typeof a.returnType === 'function' ? ANYELEMENT : oidOf(a.returnType), retset: false, strict: a.strict, volatility: 'i' }, a.oid);
  }
  for (const s of allSetFunctions()) {
    add({ name: s.name, kind: 'f', args: s.argTypes.map(oidOf), ret: ANYELEMENT, retset: true, strict: false, volatility: 'i' }, undefined);
  }
  rows.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : x.args.join(',') < y.args.join(',') ? -1 : 1));
  const used = new Set<number>();
  cached = rows.map((r, i) => {
    const known = (r as { known?: number }).known;
    const oid = known !== undefined && !used.has(known) ? known : SYNTHETIC_OID_BASE + i;
    used.add(oid);
    const { known: _k, ...rest } = r as typeof r & { known?: number };
    return { ...rest, oid };
  });
  return cached;
}
