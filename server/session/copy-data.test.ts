// COPY data split into pieces at record ends: whatever the block size and wherever the messages
// cut the bytes (inside quoted fields, inside multibyte characters), the records read piece by
// piece are the records of the whole.
import { describe, it, expect } from 'vitest';
import { CopyCollector } from './copy.js';
import { csvRecords, parseCsv, type CsvDialect } from '../../core/csv.js';
import { mulberry32 } from '../../test/harness/prng.js';

describe('CopyData.pieces', () => {
  it('cuts only where a record ends', () => {
    const rnd = mulberry32(11);
    const pieces = ['a', 'é', '日本', ',', '"', '\n', '\r\n', '\\', 'x'];
    for (const dialect of [
      { delimiter: ',', quote: '"', escape: '"', nullString: '' },
      { delimiter: ',', quote: '"', escape: '\\', nullString: '' },
    ] as CsvDialect[]) {
      const field = (): string => {
        let v = '';
        for (let k = Math.floor(rnd() * 5); k > 0; k--) v += pieces[Math.floor(rnd() * pieces.length)]!;
        if (!/[,"\n\r\\]/.test(v)) return v;
        return dialect.quote + v.replace(/["\\]/g, (c) => (c === dialect.quote ? dialect.escape + c : dialect.escape === '\\' ? '\\\\' : c)) + dialect.quote;
      };
      const text = Array.from({ length: 400 }, () => Array.from({ length: 3 }, field).join(',')).join('\n') + '\n';
      const whole = parseCsv(text, dialect);
      const bytes = Buffer.from(text, 'utf8');
      for (const block of [7, 64, 1000]) {
        const c = new CopyCollector(3, block);
        // messages of random sizes, as a client may send them
        for (let i = 0; i < bytes.length;) { const n = 1 + Math.floor(rnd() * 40); c.write(bytes.subarray(i, i + n)); i += n; }
        const got = [...c.data().pieces(dialect)];
        expect(got.length).toBeGreaterThan(1);
        expect(got.flatMap((p) => [...csvRecords(p, dialect)])).toEqual(whole);
      }
    }
  });
});
