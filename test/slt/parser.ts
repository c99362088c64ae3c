// Parser for sqllogictest files in both dialects we run:
//  - sqlite's original format (.test): query results one VALUE per line, type letters format values;
//  - sqllogictest-rs / RisingWave (.slt, .slt.part): one ROW per line, values separated by spaces.
// The parser only splits records; formatting and comparison live in runner.ts.

export type Dialect = 'sqlite' | 'rs';
export type SortMode = 'nosort' | 'rowsort' | 'valuesort';

interface RecordBase {
  /** 1-based line of the record's first line (after its conditions). */
  readonly line: number;
  /** Named connection (`connection other`), default 'default'. */
  readonly connection: string;
  /** false when a skipif/onlyif guard excludes this engine. */
  readonly enabled: boolean;
}

export interface StatementRecord extends RecordBase {
  readonly kind: 'statement';
  readonly sql: string;
  /** 'ok', 'error' or 'count' (sqllogictest-rs `statement count N`). */
  readonly expect: 'ok' | 'error' | 'count';
  /** For errors: the expected message (regex or substring), possibly multi-line; null = any error. */
  readonly errorMessage: string | null;
  readonly count: number | null;
}

export interface QueryRecord extends RecordBase {
  readonly kind: 'query';
  readonly sql: string;
  readonly types: string;
  readonly sort: SortMode;
  readonly label: string | null;
  /** Lines after `----`, verbatim (empty array when the record has none). */
  readonly expected: readonly string[];
  /** `query error <msg>`: the query must fail. */
  readonly expectError: boolean;
  readonly errorMessage: string | null;
}

export type SltRecord =
  | StatementRecord
  | QueryRecord
  | { readonly kind: 'halt'; readonly line: number; readonly enabled: boolean }
  | { readonly kind: 'hash-threshold'; readonly line: number; readonly value: number }
  | { readonly kind: 'sleep'; readonly line: number; readonly ms: number; readonly enabled: boolean }
  | { readonly kind: 'include'; readonly line: number; readonly path: string; readonly enabled: boolean }
  /** control / system / subtest / unknown directives: counted nowhere, skipped. */
  | { readonly kind: 'ignored'; readonly line: number; readonly text: string };

const RECORD_START = /^(statement|query|halt|hash-threshold|skipif|onlyif|sleep|include|control|system|subtest|connection)\b/;

export function dialectForPath(file: string): Dialect {
  return file.endsWith('.test') ? 'sqlite' : 'rs';
}

function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(s.trim());
  if (m === null) return 0;
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return unit === 'ms' ? n : unit === 'm' ? n * 60_000 : n * 1000;
}

export function parseSlt(text: string, engine = 'postgresql'): SltRecord[] {
  const lines = text.split(/\r?\n/);
  const records: SltRecord[] = [];
  let i = 0;
  const at = (k: number): string => lines[k] ?? '';
  const isBlank = (k: number): boolean => k < lines.length && at(k).trim() === '';

  // Reads SQL lines up to a blank line or `----`; returns the SQL and whether `----` followed.
  const readSql = (): { sql: string; hasResults: boolean } => {
    const sqlLines: string[] = [];
    while (i < lines.length && at(i).trim() !== '' && at(i) !== '----') {
      sqlLines.push(at(i));
      i++;
    }
    let hasResults = false;
    if (i < lines.length && at(i) === '----') {
      hasResults = true;
      i++;
    }
    return { sql: sqlLines.join('\n'), hasResults };
  };
  const readResults = (): string[] => {
    const out: string[] = [];
    while (i < lines.length && at(i).trim() !== '') {
      out.push(at(i));
      i++;
    }
    return out;
  };
  // Multi-line expected error messages (sqllogictest-rs) may contain single blank lines; they end at
  // two blank lines, at EOF, or where the next line after one blank line starts a new record.
  const readErrorBlock = (): string => {
    const out: string[] = [];
    while (i < lines.length) {
      if (isBlank(i)) {
        if (i + 1 >= lines.length || isBlank(i + 1) || RECORD_START.test(at(i + 1)) || at(i + 1).startsWith('#')) break;
      }
      out.push(at(i));
      i++;
    }
    return out.join('\n').trim();
  };

  while (i < lines.length) {
    const raw = at(i);
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) {
      i++;
      continue;
    }
    let enabled = true;
    let connection = 'default';
    // Conditions and connection selectors prefix the record they apply to.
    for (;;) {
      const l = at(i).trim();
      const words = l.split(/\s+/);
      if (words[0] === 'skipif' && i < lines.length) {
        if ((words[1] ?? '') === engine) enabled = false;
        i++;
      } else if (words[0] === 'onlyif' && i < lines.length) {
        if ((words[1] ?? '') !== engine) enabled = false;
        i++;
      } else if (words[0] === 'connection' && i < lines.length) {
        connection = words[1] ?? 'default';
        i++;
      } else if (l.startsWith('#') && i < lines.length) {
        i++;
      } else break;
    }
    if (i >= lines.length) break;
    const line = i + 1;
    const header = at(i).trim();
    const words = header.split(/\s+/);
    const head = words[0] ?? '';
    i++;
    switch (head) {
      case 'statement': {
        const what = words[1] ?? 'ok';
        const { sql, hasResults } = readSql();
        if (what === 'error') {
          let msg: string | null = words.slice(2).join(' ').trim() || null;
          // Keep the original spacing of the message after "statement error ".
          if (msg !== null) msg = header.replace(/^statement\s+error\s+/, '');
          if (hasResults) {
            const block = readErrorBlock();
            msg = block === '' ? msg : block;
          }
          records.push({ kind: 'statement', line, connection, enabled, sql, expect: 'error', errorMessage: msg, count: null });
        } else if (what === 'count') {
          if (hasResults) readResults();
          records.push({ kind: 'statement', line, connection, enabled, sql, expect: 'count', errorMessage: null, count: Number(words[2] ?? '0') });
        } else {
          if (hasResults) readResults();
          records.push({ kind: 'statement', line, connection, enabled, sql, expect: 'ok', errorMessage: null, count: null });
        }
        break;
      }
      case 'query': {
        if (words[1] === 'error') {
          let msg: string | null = header.replace(/^query\s+error\s*/, '') || null;
          const { sql, hasResults } = readSql();
          if (hasResults) {
            const block = readErrorBlock();
            msg = block === '' ? msg : block;
          }
          records.push({ kind: 'query', line, connection, enabled, sql, types: '', sort: 'nosort', label: null, expected: [], expectError: true, errorMessage: msg });
          break;
        }
        const types = words[1] ?? '';
        let sort: SortMode = 'nosort';
        let label: string | null = null;
        for (const w of words.slice(2)) {
          if (w === 'nosort' || w === 'rowsort' || w === 'valuesort') sort = w;
          else if (w === 'sort') sort = 'rowsort';
          else if (label === null && !/^(retry|backoff|\d+s?)$/.test(w)) label = w;
        }
        const { sql, hasResults } = readSql();
        const expected = hasResults ? readResults() : [];
        records.push({ kind: 'query', line, connection, enabled, sql, types, sort, label, expected, expectError: false, errorMessage: null });
        break;
      }
      case 'halt':
        records.push({ kind: 'halt', line, enabled });
        break;
      case 'hash-threshold':
        records.push({ kind: 'hash-threshold', line, value: Number(words[1] ?? '0') });
        break;
      case 'sleep':
        records.push({ kind: 'sleep', line, ms: parseDuration(words[1] ?? '0'), enabled });
        break;
      case 'include':
        records.push({ kind: 'include', line, path: words.slice(1).join(' '), enabled });
        break;
      default: {
        // control, system, subtest and anything unknown: skip the whole block.
        const text = [header];
        while (i < lines.length && at(i).trim() !== '') {
          text.push(at(i));
          i++;
        }
        records.push({ kind: 'ignored', line, text: text.join('\n') });
      }
    }
  }
  return records;
}
