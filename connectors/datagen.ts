// The datagen connector (RisingWave's options): each column is a sequence or random values.
//   fields.<col>.kind = 'sequence' | 'random'  (default random)
//   sequence: fields.<col>.start (default 1), fields.<col>.end (the source ends when a sequence does)
//   random:   fields.<col>.min / .max (numbers), .length (strings, default 10), .seed,
//             .max_past (timestamps: seconds before the base time, default 1 day)
//   datagen.rows.per.second (default 10)
// Row n is a pure function of n and the options, so a source can resume at any offset.
import type { Datum, Row } from '../core/datum.js';
import type { SqlType } from '../core/types.js';
import { SqlError, SqlState } from '../core/errors.js';
import { Numeric } from '../core/values/numeric.js';
import type { RowGenerator } from './generator.js';

interface ColumnSpec { readonly name: string; readonly type: SqlType }

type FieldGen = (n: number) => Datum;

const BASE_TIME_MICROS = Date.UTC(2026, 0, 1) * 1000;

export function datagenGenerator(columns: readonly ColumnSpec[], options: Readonly<Record<string, string>>): RowGenerator {
  let total: number | null = null;
  const gens: FieldGen[] = columns.map((c, ci) => {
    const opt = (k: string): string | undefined => options[`fields.${c.name}.${k}`];
    const kind = (opt('kind') ?? 'random').toLowerCase();
    const t = c.type.kind === 'scalar' ? c.type.name : 'array';
    if (kind === 'sequence') {
      const start = Number(opt('start') ?? 1);
      const end = opt('end');
      if (!Number.isFinite(start)) bad(`fields.${c.name}.start`, opt('start')!);
      if (end !== undefined) {
        const count = Number(end) - start + 1;
        if (!Number.isFinite(count) || count < 0) bad(`fields.${c.name}.end`, end);
        total = total === null ? count : Math.min(total, count);
      }
      return (n) => typed(t, start + n, c);
    }
    if (kind !== 'random') throw new SqlError(SqlState.InvalidParameterValue, `invalid value for fields.${c.name}.kind: "${kind}"`, { hint: "Use 'sequence' or 'random'." });
    const seed = Number(opt('seed') ?? ci + 1) >>> 0;
    const min = Number(opt('min') ?? 0);
    const max = Number(opt('max') ?? (t === 'int2' ? 32767 : 1000));
    const length = Number(opt('length') ?? 10);
    const maxPast = Number(opt('max_past') ?? 86_400) * 1e6;
    return (n) => {
      const r = unit(seed, n);
      switch (t) {
        case 'bool': return r < 0.5;
        case 'int2': case 'int4': return Math.floor(min + r * (max - min + 1));
        case 'int8': return BigInt(Math.floor(min + r * (max - min + 1)));
        case 'float4': case 'float8': return min + r * (max - min);
        case 'numeric': return Numeric.fromNumber(Math.round((min + r * (max - min)) * 100) / 100);
        case 'text': case 'varchar': case 'bpchar': return randomString(seed, n, length);
        case 'timestamp': case 'timestamptz': return BASE_TIME_MICROS - Math.floor(r * maxPast);
        case 'date': return Math.floor(BASE_TIME_MICROS / 86_400e6) - Math.floor(r * (maxPast / 86_400e6));
        default: throw new SqlError(SqlState.FeatureNotSupported, `datagen cannot generate values of type ${t} (column ${c.name})`);
      }
    };
  });
  return {
    total,
    rows(from, to, out) {
      for (let n = from; n < to; n++) {
        const row: Datum[] = new Array<Datum>(gens.length);
        for (let i = 0; i < gens.length; i++) row[i] = gens[i]!(n);
        out.push(row as Row);
      }
    },
  };
}

function bad(name: string, v: string): never {
  throw new SqlError(SqlState.InvalidParameterValue, `invalid value for ${name}: "${v}"`);
}

function typed(t: string, v: number, c: ColumnSpec): Datum {
  switch (t) {
    case 'int2': case 'int4': case 'float4': case 'float8': return v;
    case 'int8': return BigInt(v);
    case 'numeric': return Numeric.fromNumber(v);
    case 'text': case 'varchar': case 'bpchar': return String(v);
    case 'timestamp': case 'timestamptz': return BASE_TIME_MICROS + v * 1_000_000;
    default: throw new SqlError(SqlState.FeatureNotSupported, `datagen sequences cannot be of type ${t} (column ${c.name})`);
  }
}

/** a uniform number in [0, 1) from (seed, n): a 32-bit integer hash, so any row can be generated on its own */
function unit(seed: number, n: number): number {
  let h = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul((n % 0x100000000) >>> 0, 0xc2b2ae35) ^ Math.floor(n / 0x100000000)) >>> 0;
  h ^= h >>> 16; h = Math.imul(h, 0x7feb352d); h ^= h >>> 15; h = Math.imul(h, 0x846ca68b); h ^= h >>> 16;
  return (h >>> 0) / 0x100000000;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
function randomString(seed: number, n: number, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += ALPHABET[Math.floor(unit(seed + i * 7919, n) * ALPHABET.length)];
  return s;
}
