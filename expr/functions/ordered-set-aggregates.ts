// Ordered-set aggregates: percentile_cont(f) / percentile_disc(f) / mode() WITHIN GROUP (ORDER BY x).
// The binder passes the direct argument (the fraction) first and the ordered value last, and
// sorts each group's rows by the WITHIN GROUP key, so these see the values in that order.
import type { Datum } from '../../core/datum.js';
import { T, type SqlType } from '../../core/types.js';
import { SqlError, SqlState } from '../../core/errors.js';
import { Interval } from '../../core/values/interval.js';
import { datumIdentity } from '../../core/delta.js';
import { parseType, registerAggregate, type AggregateFunction } from './define.js';

interface Ordered { fraction: number | null; values: Datum[] }

const init = (): Ordered => ({ fraction: null, values: [] });
const collect = (s: unknown, a: readonly Datum[]): Ordered => {
  const st = s as Ordered;
  if (a.length > 1) st.fraction = a[0] as number;
  st.values.push(a[a.length - 1]!);
  return st;
};

function fractionOf(f: number | null): number {
  if (f === null || !(f >= 0 && f <= 1)) throw new SqlError(SqlState.NumericValueOutOfRange, `percentile value ${f} is not between 0 and 1`);
  return f;
}

/** linear interpolation between the values around the fraction (values in WITHIN GROUP order) */
function continuous(kind: 'float8' | 'interval'): AggregateFunction {
  return {
    name: 'percentile_cont', argTypes: [T.float8, parseType(kind)], returnType: parseType(kind), strict: true, init, step: collect,
    final: (s) => {
      const st = s as Ordered;
      if (st.values.length === 0) return null;
      const pos = fractionOf(st.fraction) * (st.values.length - 1);
      const lo = st.values[Math.floor(pos)]!;
      const hi = st.values[Math.ceil(pos)]!;
      const t = pos - Math.floor(pos);
      if (kind === 'float8') return (lo as number) + ((hi as number) - (lo as number)) * t;
      const a = lo as Interval;
      const b = hi as Interval;
      return t === 0 ? a : a.add(b.sub(a).mul(t));
    },
  };
}

/** the first value whose position in WITHIN GROUP order reaches the fraction */
function discrete(type: SqlType): AggregateFunction {
  return {
    name: 'percentile_disc', argTypes: [T.float8, type], returnType: type, strict: true, init, step: collect,
    final: (s) => {
      const st = s as Ordered;
      if (st.values.length === 0) return null;
      const n = st.values.length;
      const k = Math.max(1, Math.ceil(fractionOf(st.fraction) * n));
      return st.values[k - 1]!;
    },
  };
}

/** the most frequent value; among equally frequent ones the first in WITHIN GROUP order */
function mode(type: SqlType): AggregateFunction {
  return {
    name: 'mode', argTypes: [type], returnType: type, strict: true, init, step: collect,
    final: (s) => {
      const st = s as Ordered;
      let best: Datum = null;
      let bestCount = 0;
      let run = 0;
      let prev: string | null = null;
      // sorted input: equal values are adjacent
      for (const v of st.values) {
        const id = datumIdentity(v);
        run = id === prev ? run + 1 : 1;
        prev = id;
        if (run > bestCount) { bestCount = run; best = v; }
      }
      return best;
    },
  };
}

export const ORDERED_SET_AGGREGATES = new Set(['percentile_cont', 'percentile_disc', 'mode']);

export function registerOrderedSetAggregates(): void {
  registerAggregate(continuous('float8'));
  registerAggregate(continuous('interval'));
  const disc = discrete(T.anyelement);
  registerAggregate({ ...disc, bind: (types) => discrete(types[1]!) });
  const m = mode(T.anyelement);
  registerAggregate({ ...m, bind: (types) => mode(types[0]!) });
}
