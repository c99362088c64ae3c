// Runtime values. NULL is `null`, never `undefined`. Rows are positional arrays.
//
// SQL type → JS representation (the binder knows the type; a Datum does not describe itself):
//   bool → boolean
//   int2, int4, oid, reg* → number (integral)
//   int8 → bigint
//   float4, float8 → number
//   numeric → Numeric (core/values/numeric.ts, exact decimal)
//   text, varchar, bpchar, name, char, uuid → string (uuid lower-case canonical form)
//   bytea → Uint8Array
//   date → number: days since 1970-01-01 (±Infinity for 'infinity')
//   time → number: microseconds since midnight
//   timestamp, timestamptz → number: microseconds since 1970-01-01 00:00 UTC (±Infinity allowed)
//   interval → Interval { months, days, micros }
//   json → string (the text as given, PostgreSQL keeps json verbatim)
//   jsonb → Jsonb (core/values/json.ts: a parsed, normalized value)
//   arrays → Datum[] (one-dimensional; nested arrays for multi-dimensional)
import type { Numeric } from './values/numeric.js';
import type { Interval } from './values/interval.js';
import type { Jsonb } from './values/json.js';

export type Datum = null | boolean | number | bigint | string | Uint8Array | Numeric | Interval | Jsonb | DatumArray;
export interface DatumArray extends ReadonlyArray<Datum> {}
export type Row = Datum[];
