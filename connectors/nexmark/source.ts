// The nexmark connector (RisingWave's options): a source of one Nexmark table's rows.
//   nexmark.table.type = 'Person' | 'Auction' | 'Bid'   (required)
//   nexmark.event.num = total events over all three tables (default: unbounded)
//   nexmark.min.event.gap.in.ns = ingestion pace, ns between events (default 100000 = 10k/s; 0 = as fast as possible)
//   nexmark.seed (default 0)
// Offsets are event numbers, so a restart resumes at the event after the last one committed.
// Declared columns are matched by name to the table's columns.
import type { Datum, Row } from '../../core/datum.js';
import type { SqlType } from '../../core/types.js';
import { SqlError, SqlState } from '../../core/errors.js';
import type { RowGenerator } from '../generator.js';
import { NexmarkGenerator, nexmarkColumns, type NexmarkTable } from './generator.js';

interface ColumnSpec { readonly name: string; readonly type: SqlType }

const TABLES: Record<string, NexmarkTable> = { person: 'Person', auction: 'Auction', bid: 'Bid' };

export function nexmarkSource(columns: readonly ColumnSpec[], options: Readonly<Record<string, string>>): { generator: RowGenerator; offsetsPerSecond: number } {
  const typeOpt = options['nexmark.table.type'];
  const table = TABLES[(typeOpt ?? '').toLowerCase()];
  if (!table) {
    throw new SqlError(SqlState.InvalidParameterValue, `invalid value for nexmark.table.type: "${typeOpt ?? ''}"`, { hint: "Use 'Person', 'Auction' or 'Bid'." });
  }
  const num = (name: string, dflt: number): number => {
    const v = options[name];
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new SqlError(SqlState.InvalidParameterValue, `invalid value for ${name}: "${v}"`);
    return n;
  };
  const events = options['nexmark.event.num'] === undefined ? null : Math.floor(num('nexmark.event.num', 0));
  const gapNs = num('nexmark.min.event.gap.in.ns', 100_000);
  const seed = Math.floor(num('nexmark.seed', 0));
  const all = nexmarkColumns(table);
  // each declared column: its position among the table's columns and a conversion to the declared type
  const picks = columns.map((c) => {
    const i = all.findIndex((x) => x.name === c.name.toLowerCase());
    if (i < 0) throw new SqlError(SqlState.UndefinedColumn, `column "${c.name}" is not a column of Nexmark's ${table} table`, { hint: `Its columns: ${all.map((x) => x.name).join(', ')}.` });
    return { i, convert: converter(all[i]!.type, c) };
  });
  const gen = new NexmarkGenerator({ seed });
  const scratch: Row[] = [];
  return {
    offsetsPerSecond: gapNs === 0 ? Infinity : 1e9 / gapNs,
    generator: {
      total: events,
      rows(from, to, out) {
        scratch.length = 0;
        gen.rows(table, from, to, scratch);
        for (const r of scratch) {
          const row: Datum[] = new Array<Datum>(picks.length);
          for (let k = 0; k < picks.length; k++) { const p = picks[k]!; row[k] = p.convert(r[p.i] ?? null); }
          out.push(row);
        }
      },
    },
  };
}

function name(t: SqlType): string {
  return t.kind === 'scalar' ? t.name : 'array';
}

/** identity when the declared type stores values as the generator makes them; a few widenings otherwise */
function converter(from: SqlType, to: ColumnSpec): (d: Datum) => Datum {
  const f = name(from);
  const t = name(to.type);
  const same = (a: string, b: string): boolean => a === b || (['varchar', 'text'].includes(a) && ['varchar', 'text'].includes(b)) || (['timestamp', 'timestamptz'].includes(a) && ['timestamp', 'timestamptz'].includes(b));
  if (same(f, t)) return (d) => d;
  if (f === 'int8' && (t === 'int4' || t === 'float8')) return (d) => (d === null ? null : Number(d as bigint));
  if (f === 'int8' && t === 'numeric') throw new SqlError(SqlState.DatatypeMismatch, `declare column "${to.name}" as BIGINT`);
  throw new SqlError(SqlState.DatatypeMismatch, `column "${to.name}" of a Nexmark source must be ${f === 'int8' ? 'BIGINT' : f === 'varchar' ? 'VARCHAR' : 'TIMESTAMP'}, not ${t}`);
}
