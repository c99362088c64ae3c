// A small lexer for the simple-query plan cache: finds the numeric and string literals of a
// statement and builds a key with them masked out, so `... WHERE aid = 17` and `... WHERE aid = 42`
// share one bound plan. It follows PostgreSQL's lexical rules for what it accepts and gives up
// (returns null) on anything it does not model (E'', $$, U&, B'', X'', nested quoting).

export interface Literal {
  /** offset of the literal's first character (the opening quote for strings) */
  readonly start: number;
  readonly end: number;
  readonly kind: 'number' | 'string';
  /** the literal's value text: digits as written, or the unescaped string */
  readonly value: string;
}

export interface Scanned {
  readonly key: string;
  readonly literals: readonly Literal[];
}

const isIdentStart = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 128;
const isIdentChar = (c: number): boolean => isIdentStart(c) || (c >= 48 && c <= 57) || c === 36;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

export function scanLiterals(sql: string): Scanned | null {
  const literals: Literal[] = [];
  let key = '';
  let last = 0;
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (c === 45 && sql.charCodeAt(i + 1) === 45) { // -- comment
      const e = sql.indexOf('\n', i);
      i = e < 0 ? n : e + 1;
      continue;
    }
    if (c === 47 && sql.charCodeAt(i + 1) === 42) return null; // /* */ comments: not modelled
    if (c === 39) { // 'string'
      let j = i + 1;
      let value = '';
      for (;;) {
        if (j >= n) return null;
        const ch = sql.charCodeAt(j);
        if (ch === 39) {
          if (sql.charCodeAt(j + 1) === 39) { value += "'"; j += 2; continue; }
          break;
        }
        value += sql[j];
        j++;
      }
      // adjacent string literals separated by a newline are concatenated by PostgreSQL: give up
      if (/^\s*\n\s*'/.test(sql.slice(j + 1, j + 40))) return null;
      key += sql.slice(last, i) + '\u0002';
      literals.push({ start: i, end: j + 1, kind: 'string', value });
      i = j + 1;
      last = i;
      continue;
    }
    if (c === 34) { // "identifier"
      const e = sql.indexOf('"', i + 1);
      if (e < 0) return null;
      i = e + 1;
      continue;
    }
    if (c === 36) return null; // $1 parameters or $$ quoting: leave to the normal path
    if (isIdentStart(c)) {
      let j = i + 1;
      while (j < n && isIdentChar(sql.charCodeAt(j))) j++;
      // E'..', B'..', X'..', U&'..', N'..' prefixes
      if (j < n && (sql.charCodeAt(j) === 39 || sql.charCodeAt(j) === 38)) return null;
      i = j;
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(sql.charCodeAt(i + 1)))) {
      let j = i;
      while (j < n && isDigit(sql.charCodeAt(j))) j++;
      if (sql.charCodeAt(j) === 46) { j++; while (j < n && isDigit(sql.charCodeAt(j))) j++; }
      if (sql.charCodeAt(j) === 101 || sql.charCodeAt(j) === 69) return null; // exponents: rare, not modelled
      if (j < n && (isIdentStart(sql.charCodeAt(j)) || sql.charCodeAt(j) === 95)) return null; // 1abc, 1_000
      key += sql.slice(last, i) + '\u0001';
      literals.push({ start: i, end: j, kind: 'number', value: sql.slice(i, j) });
      i = j;
      last = i;
      continue;
    }
    i++;
  }
  key += sql.slice(last);
  return { key, literals };
}
