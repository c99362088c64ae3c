// FORMAT PLAIN ENCODE CSV [(delimiter = ',', without_header = 'true' | 'false')]: a record's value
// holds one or more CSV lines, each a row. Without a header, fields fill the columns by position.
// With a header (without_header = 'false'), a line whose fields are all column names is the
// header of its partition: it is not a row, and the partition's following lines fill the columns
// it names (the others are NULL); until a partition's header arrives its lines go by position.
// The headers seen are kept with the source's offsets, so a restart maps the same way.
// Fields convert as PostgreSQL's text input; an unquoted empty field is NULL (as COPY CSV).
import type { Row } from '../../core/datum.js';
import { SqlError, SqlState } from '../../core/errors.js';
import { parseCsv, type CsvDialect } from '../../core/csv.js';
import { parseText } from '../../core/values/io.js';
import { DEFAULT_VALUE_SETTINGS } from '../../core/values/settings.js';
import type { DecodeColumn } from './json-decode.js';

export interface CsvDecoder {
  /** the rows of a record's value, from partition `partition` */
  decode(partition: number, value: Buffer | null): Row[];
  /** per partition, the column positions its header named (for the offsets note); null when none changed since the last call */
  takeChangedHeaders(): Record<string, number[]> | null;
}

export function csvDecoder(columns: readonly DecodeColumn[], options: Readonly<Record<string, string>>, headers: Readonly<Record<string, number[]>>): CsvDecoder {
  const delimiter = options['encode.delimiter'] ?? ',';
  if ([...delimiter].length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new SqlError(SqlState.InvalidParameterValue, `invalid CSV delimiter ${JSON.stringify(delimiter)}`, { hint: 'One character, not a quote or a newline.' });
  }
  const withoutHeader = (options['encode.without_header'] ?? 'true').toLowerCase();
  if (withoutHeader !== 'true' && withoutHeader !== 'false') throw new SqlError(SqlState.InvalidParameterValue, `invalid value for without_header: "${withoutHeader}"`, { hint: "'true' or 'false'" });
  const hasHeader = withoutHeader === 'false';
  const dialect: CsvDialect = { delimiter, quote: '"', escape: '"', nullString: '' };
  const byName = new Map(columns.map((c, i) => [c.name.toLowerCase(), i]));
  const positional = columns.map((_, i) => i);
  const mapping = new Map<number, number[]>(Object.entries(headers).map(([p, at]) => [Number(p), at]));
  let changed = false;
  return {
    decode(partition, value) {
      if (value === null) throw new SqlError(SqlState.InvalidTextRepresentation, 'record has no value');
      const rows: Row[] = [];
      for (const fields of parseCsv(value.toString('utf8'), dialect)) {
        if (fields.length === 1 && fields[0] === null) continue; // a blank line
        if (hasHeader && fields.every((f) => f !== null && byName.has(f.trim().toLowerCase()))) {
          mapping.set(partition, fields.map((f) => byName.get(f!.trim().toLowerCase())!));
          changed = true;
          continue;
        }
        const at = mapping.get(partition) ?? positional;
        if (fields.length !== at.length) {
          throw new SqlError(SqlState.InvalidTextRepresentation, `expected ${at.length} fields, got ${fields.length}`);
        }
        const row: Row = new Array(columns.length).fill(null);
        for (let i = 0; i < fields.length; i++) {
          const f = fields[i]!;
          if (f === null) continue;
          const c = columns[at[i]!]!;
          try {
            row[at[i]!] = parseText(c.type, f, DEFAULT_VALUE_SETTINGS);
          } catch (e) {
            throw new SqlError(e instanceof SqlError ? e.code : SqlState.InvalidTextRepresentation, `field "${c.name}": ${e instanceof Error ? e.message : String(e)}`);
          }
        }
        rows.push(row);
      }
      return rows;
    },
    takeChangedHeaders() {
      if (!changed) return null;
      changed = false;
      return Object.fromEntries([...mapping].map(([p, at]) => [String(p), at]));
    },
  };
}
