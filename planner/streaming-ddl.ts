// RisingWave's DDL for sources and connector tables is not PostgreSQL grammar:
//   CREATE SOURCE s (...) WITH (connector = 'datagen', fields.v.kind = 'sequence', ...) FORMAT PLAIN ENCODE JSON
// Option names with several dots and the trailing FORMAT ... ENCODE ... clause do not parse, and
// CREATE SOURCE is no statement. This rewrites such a statement into a CREATE TABLE that the real
// parser accepts (option names quoted, FORMAT clause cut off) and says what it cut off.
export interface StreamingDdl {
  /** the statement as PostgreSQL grammar */
  readonly sql: string;
  /** CREATE SOURCE (rows are not stored) rather than CREATE TABLE */
  readonly source: boolean;
  /** FORMAT x ENCODE y [(options)], lower-cased */
  readonly format: { readonly format: string; readonly encode: string; readonly options: Readonly<Record<string, string>> } | null;
  /** WATERMARK FOR column AS expression, taken out of the column list */
  readonly watermark?: { readonly column: string; readonly expr: string };
}

const HEAD = /^\s*create\s+(source|table)\b/i;

export function rewriteStreamingDdl(sql: string): StreamingDdl | null {
  // DROP SOURCE s: sources show as foreign tables, so it is DROP FOREIGN TABLE
  const d = /^\s*drop\s+source\b/i.exec(sql);
  if (d) return { sql: sql.replace(/drop\s+source/i, 'DROP FOREIGN TABLE'), source: true, format: null };
  const m = HEAD.exec(sql);
  if (!m) return null;
  const source = m[1]!.toLowerCase() === 'source';
  let text = source ? sql.slice(0, m.index) + sql.slice(m.index).replace(/create\s+source/i, 'CREATE TABLE') : sql;
  let format: StreamingDdl['format'] = null;
  const f = /\bformat\s+(\w+)\s+encode\s+(\w+)\s*(\(([^)]*)\))?\s*;?\s*$/i.exec(text);
  if (f && !inQuotes(text, f.index)) {
    format = { format: f[1]!.toLowerCase(), encode: f[2]!.toLowerCase(), options: f[4] ? parseOptions(f[4]) : {} };
    text = text.slice(0, f.index);
  }
  text = quoteDottedOptionNames(text);
  let watermark: StreamingDdl['watermark'];
  const w = /,\s*watermark\s+for\s+("?)(\w+)\1\s+as\s+/i.exec(text);
  if (w && !inQuotes(text, w.index)) {
    // the expression runs to the comma or parenthesis that closes it at its own nesting level
    let i = w.index + w[0].length;
    let depth = 0;
    while (i < text.length) {
      const c = text[i]!;
      if (c === "'") { i = text.indexOf("'", i + 1) + 1 || text.length; continue; }
      if (c === '(') depth++;
      else if (c === ')') { if (depth === 0) break; depth--; }
      else if (c === ',' && depth === 0) break;
      i++;
    }
    watermark = { column: w[2]!.toLowerCase(), expr: text.slice(w.index + w[0].length, i).trim() };
    text = text.slice(0, w.index) + text.slice(i);
  }
  if (!source && !format && !watermark && text === sql) return null;
  return { sql: text, source, format, ...(watermark ? { watermark } : {}) };
}

/** whether position i of s is inside a '...' or "..." literal */
function inQuotes(s: string, i: number): boolean {
  let q: string | null = null;
  for (let k = 0; k < i; k++) {
    const c = s[k]!;
    if (q) { if (c === q) q = null; } else if (c === "'" || c === '"') q = c;
  }
  return q !== null;
}

/** WITH (a.b.c = 'x', ...): names with dots become quoted identifiers */
function quoteDottedOptionNames(s: string): string {
  const w = /\bwith\s*\(/i.exec(s);
  if (!w || inQuotes(s, w.index)) return s;
  let out = s.slice(0, w.index + w[0].length);
  let i = w.index + w[0].length;
  let depth = 1;
  let expectName = true;
  while (i < s.length && depth > 0) {
    const c = s[i]!;
    if (c === "'" || c === '"') {
      const end = s.indexOf(c, i + 1);
      const stop = end < 0 ? s.length : end + 1;
      out += s.slice(i, stop);
      i = stop;
      expectName = false;
      continue;
    }
    if (expectName) {
      const name = /^\s*([A-Za-z_][\w]*(?:\.[A-Za-z_0-9][\w]*)+)/.exec(s.slice(i));
      if (name) { out += s.slice(i, i + name[0].length - name[1]!.length) + `"${name[1]}"`; i += name[0].length; expectName = false; continue; }
    }
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 1) expectName = true;
    else if (!/\s/.test(c)) expectName = false;
    out += c;
    i++;
  }
  return out + s.slice(i);
}

function parseOptions(body: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of body.matchAll(/([\w.]+)\s*=\s*'((?:[^']|'')*)'/g)) out[m[1]!.toLowerCase()] = m[2]!.replace(/''/g, "'");
  return out;
}
