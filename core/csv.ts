// CSV records as PostgreSQL's COPY ... CSV reads them: fields split by the delimiter, quoted
// fields may hold delimiters, newlines and doubled (or escaped) quotes; an unquoted field equal to
// the null string is NULL (a quoted one is that text). Used by COPY FROM and by ENCODE CSV sources.

export interface CsvDialect {
  readonly delimiter: string;
  readonly quote: string;
  readonly escape: string;
  readonly nullString: string;
}

/** every record of `data`; a line `\.` alone ends the data (COPY's end marker) */
export function parseCsv(data: string, o: CsvDialect): (string | null)[][] {
  return [...csvRecords(data, o)];
}

/** the records of `data` one at a time (a bulk load need not hold them all) */
export function* csvRecords(data: string, o: CsvDialect): Generator<(string | null)[]> {
  let rec: (string | null)[] = [];
  let field = '';
  let quoted = false;
  let inQuotes = false;
  let i = 0;
  const n = data.length;
  const endField = (): void => { rec.push(!quoted && field === o.nullString ? null : field); field = ''; quoted = false; };
  while (i < n) {
    const ch = data[i]!;
    if (inQuotes) {
      if (ch === o.escape && data[i + 1] === o.quote) { field += o.quote; i += 2; continue; }
      if (ch === o.quote) { inQuotes = false; i++; continue; }
      field += ch; i++; continue;
    }
    if (ch === o.quote) { inQuotes = true; quoted = true; i++; continue; }
    if (ch === o.delimiter) { endField(); i++; continue; }
    if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && data[i + 1] === '\n') i++;
      i++;
      if (rec.length === 0 && field === '\\.' && !quoted) break;
      endField(); yield rec; rec = [];
      continue;
    }
    field += ch; i++;
  }
  if (field !== '' || rec.length > 0 || quoted) { if (!(rec.length === 0 && field === '\\.')) { endField(); yield rec; } }
}
