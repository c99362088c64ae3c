// CSV records as COPY reads them: random records written the way COPY TO writes CSV read back
// as they were, and the line-level edge cases of the format.
import { describe, it, expect } from 'vitest';
import { parseCsv, type CsvDialect } from './csv.js';
import { mulberry32 } from '../test/harness/prng.js';

const CSV: CsvDialect = { delimiter: ',', quote: '"', escape: '"', nullString: '' };

describe('csvRecords', () => {
  it('reads back random records written as COPY TO writes them', () => {
    const rnd = mulberry32(5);
    const pieces = ['a', 'bc', ',', '"', '\n', '\r\n', ' ', 'é', '', 'x"y', '\\.', 'NULL'];
    for (const dialect of [CSV, { ...CSV, nullString: 'NULL' }, { ...CSV, delimiter: '|', escape: '\\' }]) {
      const records: (string | null)[][] = [];
      for (let r = 0; r < 300; r++) {
        const width = 1 + Math.floor(rnd() * 5);
        records.push(Array.from({ length: width }, () => {
          if (rnd() < 0.15) return null;
          let s = '';
          for (let k = Math.floor(rnd() * 4); k > 0; k--) s += pieces[Math.floor(rnd() * pieces.length)]!;
          return s;
        }));
      }
      // a field as COPY TO writes it: quoted when it holds anything special or could read as NULL
      const fieldOf = (v: string | null): string => {
        if (v === null) return dialect.nullString;
        const special = v === '' || v.includes(dialect.delimiter) || v.includes(dialect.quote) || v.includes('\n') || v.includes('\r') || v === dialect.nullString || v === '\\.';
        return special ? dialect.quote + v.split(dialect.quote).join(dialect.escape + dialect.quote) + dialect.quote : v;
      };
      const text = records.map((r) => r.map(fieldOf).join(dialect.delimiter)).join(rnd() < 0.5 ? '\n' : '\r\n') + '\n';
      expect(parseCsv(text, dialect)).toEqual(records);
      // without the last newline too
      expect(parseCsv(text.slice(0, -1), dialect)).toEqual(records);
    }
  });

  it('handles the edges of lines and of the data', () => {
    expect(parseCsv('1,2\r\n3,4\r\n', CSV)).toEqual([['1', '2'], ['3', '4']]);
    expect(parseCsv('1,\n,2\n', CSV)).toEqual([['1', null], [null, '2']]);
    expect(parseCsv('1,2\n\n3', CSV)).toEqual([['1', '2'], [null], ['3']]);
    expect(parseCsv('1,2\n\\.\n3,4\n', CSV)).toEqual([['1', '2']]);
    expect(parseCsv('1,2\n\\.', CSV)).toEqual([['1', '2']]);
    expect(parseCsv('"\\.",x\n', CSV)).toEqual([['\\.', 'x']]);
    expect(parseCsv('a,', CSV)).toEqual([['a', null]]);
    expect(parseCsv('ab"c,d"e,f\n', CSV)).toEqual([['abc,de', 'f']]);
    expect(parseCsv('"",x\n', CSV)).toEqual([['', 'x']]);
    expect(parseCsv('', CSV)).toEqual([]);
  });
});
