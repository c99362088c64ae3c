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

/** the records of `data` one at a time (a bulk load need not hold them all); `end.seen` tells whether the end marker stopped it */
export function* csvRecords(data: string, o: CsvDialect, end: { seen: boolean } = { seen: false }): Generator<(string | null)[]> {
  const delim = o.delimiter.charCodeAt(0);
  const quote = o.quote.charCodeAt(0);
  const n = data.length;
  let i = 0;
  let rec: (string | null)[] = [];
  while (i < n) {
    let c = data.charCodeAt(i);
    if (c !== quote) {
      // an unquoted field (most): one slice up to the delimiter or the end of the line
      const start = i;
      while (i < n && c !== delim && c !== 10 && c !== 13 && c !== quote) c = data.charCodeAt(++i);
      if (c === quote && i < n) {
        // a quote inside an unquoted field: the general path takes the whole field
        i = start;
      } else {
        const field = data.slice(start, i);
        if (c === delim) { rec.push(field === o.nullString ? null : field); i++; if (i === n) { rec.push(o.nullString === '' ? null : ''); yield rec; rec = []; } continue; }
        // end of line (or of the data)
        if (rec.length === 0 && field === '\\.') { end.seen = true; return; }
        if (!(rec.length === 0 && field === '' && i === n)) { rec.push(field === o.nullString ? null : field); yield rec; }
        rec = [];
        if (c === 13 && data.charCodeAt(i + 1) === 10) i++;
        i++;
        continue;
      }
    }
    // a quoted field (or a field with quotes in it), character by character
    let field = '';
    let quoted = false;
    let inQuotes = false;
    for (; i < n; i++) {
      const ch = data[i]!;
      if (inQuotes) {
        if (ch === o.escape && data[i + 1] === o.quote) { field += o.quote; i++; continue; }
        if (ch === o.quote) { inQuotes = false; continue; }
        field += ch;
        continue;
      }
      if (ch === o.quote) { inQuotes = true; quoted = true; continue; }
      if (ch === o.delimiter || ch === '\n' || ch === '\r') break;
      field += ch;
    }
    rec.push(!quoted && field === o.nullString ? null : field);
    if (i >= n) { yield rec; return; }
    const ch = data.charCodeAt(i);
    if (ch === delim) { i++; if (i === n) { rec.push(o.nullString === '' ? null : ''); yield rec; rec = []; } continue; }
    if (ch === 13 && data.charCodeAt(i + 1) === 10) i++;
    i++;
    yield rec;
    rec = [];
  }
  if (rec.length > 0) yield rec;
}
