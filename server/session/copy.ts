// COPY ... FROM STDIN and COPY ... TO STDOUT in PostgreSQL's text and CSV formats.
import { T, type SqlType } from '../../core/types.js';
import type { ValueSettings } from '../../core/values/settings.js';
import type { Datum, Row } from '../../core/datum.js';
import { SqlError, SqlState } from '../../core/errors.js';
import { parseText, formatText } from '../../core/values/io.js';
import { bindQuery, type Statement, type CopySpec } from '../../planner/statement.js';
import type { Plan } from '../../expr/plan.js';
import { bindChecks, bindDefaults, type BoundInsert } from '../../planner/bind-dml.js';
import { insertRows } from '../../exec/dml.js';
import { csvRecords, type CsvDialect } from '../../core/csv.js';
import { bulkLoad, bulkLoadable, type BulkInput } from './copy-bulk.js';
import { packedCsvPlan, packCsvRecords, packable, csvRecordEnd, type PackedCsvPlan } from './copy-packed.js';
import type { BulkInsert } from '../../storage/bulk-insert.js';
import type { RelationDef } from '../../catalog/model.js';
import type { CopyInTarget } from './types.js';
import type { SqlSession, StatementResult } from './session.js';
import type { WriteLayer } from './txn.js';

type CopyCommand = Extract<Statement, { kind: 'copy' }>;

/** COPY FROM STDIN's data as received: blocks of bytes, cut anywhere (mid-record, mid-character) */
export class CopyData {
  constructor(readonly blocks: readonly Buffer[]) {}

  /**
   * The data as strings that each end at a record's end: no single string holds it all (V8
   * strings stop at about 512 MB) and no copy of it all is made.
   */
  *pieces(csv: CsvDialect | null): Generator<string> {
    for (const piece of this.bytePieces(csv)) yield piece.toString('utf8');
  }

  /** the same pieces as bytes */
  *bytePieces(csv: CsvDialect | null): Generator<Buffer> {
    let carry: Buffer | null = null;
    for (let block of this.blocks) {
      if (carry) {
        // the record cut off at the end of the last block, finished on its own: no copy of the whole block
        const nl = block.indexOf(10);
        const quoteFree = !csv || (carry.indexOf(csv.quote.charCodeAt(0)) < 0 && block.subarray(0, nl).indexOf(csv.quote.charCodeAt(0)) < 0);
        if (nl >= 0 && quoteFree) {
          yield Buffer.concat([carry, block.subarray(0, nl + 1)]);
          block = block.subarray(nl + 1);
          carry = null;
        }
      }
      const buf: Buffer = carry ? Buffer.concat([carry, block]) : block;
      const cut = lastRecordEnd(buf, csv);
      if (cut > 0) yield buf.subarray(0, cut);
      carry = cut < buf.length ? buf.subarray(cut) : null;
    }
    if (carry) yield carry;
  }
}

/**
 * The offset just past the last newline that ends a record (0: none). In text format every
 * newline does; in CSV one inside a quoted field does not. A newline byte is never part of a
 * multibyte UTF-8 character, so the cut is also a character boundary.
 */
function lastRecordEnd(buf: Buffer, csv: CsvDialect | null): number {
  if (!csv) return buf.lastIndexOf(10) + 1;
  const q = csv.quote.charCodeAt(0);
  // most data quotes nothing: then every newline ends a record
  if (buf.indexOf(q) < 0) return buf.lastIndexOf(10) + 1;
  const e = csv.escape.charCodeAt(0);
  let inQuotes = false;
  let last = 0;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i]!;
    if (inQuotes) {
      if (b === e && e !== q && buf[i + 1] === q) i++;
      else if (b === q) inQuotes = false;
    } else if (b === q) inQuotes = true;
    else if (b === 10) last = i + 1;
  }
  return last;
}

const BLOCK = 4 << 20;

/** Buffers CopyData until CopyDone, in large blocks (psql sends a message per line) */
export class CopyCollector implements CopyInTarget {
  readonly format = 0 as const;
  private blocks: Buffer[] = [];
  private used = 0;
  failure: string | null = null;
  constructor(readonly columnCount: number, private readonly blockSize = BLOCK) {}
  write(chunk: Uint8Array): void {
    let last = this.blocks[this.blocks.length - 1];
    if (!last || this.used + chunk.length > last.length) {
      if (last) this.blocks[this.blocks.length - 1] = last.subarray(0, this.used);
      last = Buffer.allocUnsafe(Math.max(this.blockSize, chunk.length));
      this.blocks.push(last);
      this.used = 0;
    }
    last.set(chunk, this.used);
    this.used += chunk.length;
  }
  end(): Promise<void> { return Promise.resolve(); }
  fail(message: string): void { this.failure = message; this.blocks = []; }
  data(): CopyData {
    const n = this.blocks.length;
    if (n > 0) this.blocks[n - 1] = this.blocks[n - 1]!.subarray(0, this.used);
    return new CopyData(this.blocks);
  }
}

export function copyTarget(c: CopyCommand, session: SqlSession): { rel: RelationDef; cols: number[] } {
  const t = c.table!;
  const rel = session.catalog().findRelation(t.schema, t.name, session.bindEnv([]).searchPath);
  if (!rel) throw new SqlError(SqlState.UndefinedTable, `relation "${t.name}" does not exist`);
  const names = c.columns;
  // generated columns are not copied: not in the default column list, an error when named (as in PostgreSQL)
  const cols = names.length ? names.map((n) => {
    const i = rel.columns.findIndex((x) => x.name === n);
    if (i < 0) throw new SqlError(SqlState.UndefinedColumn, `column "${n}" of relation "${rel.name}" does not exist`);
    if (rel.columns[i]!.generatedSql !== undefined) throw new SqlError(SqlState.InvalidColumnReference, `column "${n}" is a generated column`, { detail: 'Generated columns cannot be used in COPY.' });
    return i;
  }) : rel.columns.flatMap((x, i) => (x.generatedSql === undefined ? [i] : []));
  return { rel, cols };
}

export async function copyFrom(c: CopyCommand, session: SqlSession, layer: WriteLayer, txn: { readonly startedAt: number }, standalone: boolean): Promise<StatementResult> {
  const data = session.pendingCopyData;
  session.pendingCopyData = null;
  if (data === null) throw new SqlError(SqlState.FeatureNotSupported, 'COPY FROM a file is not supported; use COPY FROM STDIN (or \\copy)');
  const { rel, cols } = copyTarget(c, session);
  if (rel.kind !== 'table') throw new SqlError(SqlState.WrongObjectType, `cannot copy to ${rel.kind === 'matview' ? 'materialized view' : 'view'} "${rel.name}"`);
  const opts = c.options;
  const rows = copyRows(data, opts, rel, cols, session.valueSettings());
  const env = session.bindEnv([]);
  const source: Plan = { kind: 'values', rows: [], columns: cols.map((i) => ({ name: rel.columns[i]!.name, type: rel.columns[i]!.type })) };
  const bound: BoundInsert = { kind: 'insert', table: rel, source, targetCols: cols, defaults: bindDefaults(rel, env), checks: bindChecks(rel, env), onConflict: null, returning: null };
  const cx = session.execContext([], layer, txn, true);
  let count: number;
  if (standalone && bulkLoadable(session.engine, rel, layer)) {
    const durable = session.settings.get('synchronous_commit') !== 'off';
    const plan = packedCsvPlan(rel, cols, opts, bound.checks, session.valueSettings());
    const input: BulkInput = plan
      ? { fill: (load, add) => packCopyData(data, opts, plan, cols, load, add) }
      : { rows };
    count = await bulkLoad(session.engine, bound, input, cx, durable);
  } else {
    count = insertRows(bound, [...rows], cx).count;
  }
  return { columns: null, rows: [], tag: `COPY ${count}` };
}

/**
 * COPY's records as rows of the target columns, each field through its column's input function.
 * The data is parsed piece by piece (CopyData.pieces), up to the end marker `\\.`.
 */
function* copyRows(data: CopyData, opts: CopySpec, rel: RelationDef, cols: readonly number[], settings: ValueSettings): Generator<Row> {
  const conv = recordConverter(rel, cols, settings);
  const end = { seen: false };
  let line = opts.header ? -1 : 0;
  for (const piece of data.pieces(opts.csv ? opts : null)) {
    for (const rec of opts.csv ? csvRecords(piece, opts, end) : textRecords(piece, opts, end)) {
      if (++line === 0) continue;
      yield conv(rec, line);
    }
    if (end.seen) return;
  }
}

/**
 * COPY ... CSV packed into a bulk load (copy-packed.ts), piece by piece; what the packer leaves
 * of a piece goes through the general parser into `add`. Line numbers count records, as copyRows does.
 */
async function packCopyData(data: CopyData, opts: CopySpec, plan: PackedCsvPlan, cols: readonly number[], load: BulkInsert, add: (src: Row) => void): Promise<void> {
  const conv = recordConverter(plan.rel, cols, plan.settings);
  const end = { seen: false };
  let header = opts.header;
  let line = 0;
  const quote = opts.quote.charCodeAt(0);
  const escape = opts.escape.charCodeAt(0);
  /** the general parser's records of bytes [from, to) of a piece, into `add` */
  const general = (piece: Buffer, from: number, to: number, skipHeader: boolean): void => {
    let skip = skipHeader;
    for (const rec of csvRecords(piece.toString('utf8', from, to), opts, end)) {
      if (skip) { skip = false; continue; }
      add(conv(rec, ++line));
    }
  };
  for (const piece of data.bytePieces(opts)) {
    if (!packable(piece)) {
      general(piece, 0, piece.length, header);
    } else {
      // the packer's records, and each record it leaves through the general parser, one at a time
      for (let at = 0; at < piece.length && !end.seen;) {
        const before = load.count;
        const stop = packCsvRecords(plan, piece, at, load, header && at === 0);
        line += load.count - before;
        if (stop >= piece.length) break;
        const next = csvRecordEnd(piece, stop, quote, escape);
        // a header the packer did not skip is that record
        general(piece, stop, next, header && stop === 0);
        at = next;
      }
    }
    header = false;
    if (end.seen) return;
    // between pieces, the event loop: segment files answer, staged chunks are written
    await load.breathe();
  }
}

/** turns a parsed record into a row of the target columns (`line` for error details); the record's array becomes the row */
function recordConverter(rel: RelationDef, cols: readonly number[], settings: ValueSettings): (rec: (string | null)[], line: number) => Row {
  const types = cols.map((i) => rel.columns[i]!.type);
  /** 4: int4, 8: int8, 0: anything else */
  const intKinds = types.map((t) => (t.kind === 'array' ? 0 : t.name === 'int4' ? 4 : t.name === 'int8' ? 8 : 0));
  return (rec, line) => {
    if (rec.length !== cols.length) {
      throw new SqlError('22P04', rec.length < cols.length ? `missing data for column "${rel.columns[cols[rec.length]!]!.name}"` : 'extra data after last expected column',
        { detail: `COPY ${rel.name}, line ${line}` });
    }
    const row: Datum[] = rec;
    for (let i = 0; i < rec.length; i++) {
      const v = rec[i]!;
      if (v === null) { row[i] = null; continue; }
      const kind = intKinds[i]!;
      if (kind !== 0) {
        // bulk loads are mostly integers: plain digits skip the general input function
        const n = plainInt(v);
        if (n !== undefined) { row[i] = kind === 4 ? n : BigInt(n); continue; }
      }
      try { row[i] = parseText(types[i]!, v, settings); } catch (err) {
        if (err instanceof SqlError) throw new SqlError(err.code, err.message, { ...err.fields, detail: `COPY ${rel.name}, line ${line}, column ${rel.columns[cols[i]!]!.name}: "${v}"` });
        throw err;
      }
    }
    return row;
  };
}

function* textRecords(data: string, o: CopySpec, end: { seen: boolean }): Generator<(string | null)[]> {
  const lines = data.split('\n');
  const nullString = o.nullString;
  for (let li = 0; li < lines.length; li++) {
    let line = lines[li]!;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line === '\\.') { end.seen = true; return; }
    if (line === '' && li === lines.length - 1) break;
    const fields: (string | null)[] = line.split(o.delimiter);
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      fields[i] = f === nullString ? null : unescapeText(f);
    }
    yield fields;
  }
}

/**
 * An optionally signed run of at most 9 decimal digits (always within int4), else undefined so
 * that the general input function handles (and reports) everything else.
 */
function plainInt(v: string): number | undefined {
  const n = v.length;
  const neg = n > 0 && v.charCodeAt(0) === 45;
  let i = neg ? 1 : 0;
  if (n === i || n - i > 9) return undefined;
  let x = 0;
  for (; i < n; i++) {
    const c = v.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return undefined;
    x = x * 10 + c;
  }
  // `| 0` also turns -0 into 0
  return (neg ? -x : x) | 0;
}

function unescapeText(f: string): string {
  if (!f.includes('\\')) return f;
  return f.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/g, (_m, c: string) => {
    switch (c[0]) {
      case 'b': return '\b'; case 'f': return '\f'; case 'n': return '\n'; case 'r': return '\r'; case 't': return '\t'; case 'v': return '\v';
      case 'x': return String.fromCharCode(parseInt(c.slice(1), 16));
      default: return /^[0-7]+$/.test(c) ? String.fromCharCode(parseInt(c, 8)) : c;
    }
  });
}

export async function copyTo(c: CopyCommand, session: SqlSession, layer: WriteLayer, txn: { readonly startedAt: number }): Promise<StatementResult> {
  if (c.file !== null) throw new SqlError(SqlState.FeatureNotSupported, 'COPY TO a file is not supported; use COPY TO STDOUT (or \\copy)');
  const opts = c.options;
  let plan: Plan;
  if (c.query) {
    plan = bindQuery(c.query, session.bindEnv([]));
  } else {
    const { rel, cols } = copyTarget(c, session);
    const all = rel.columns.map((col, i) => ({ name: col.name, type: col.type, tableOid: rel.oid, attnum: i + 1 }));
    if (rel.kind !== 'table') throw new SqlError(SqlState.WrongObjectType, `cannot copy from ${rel.kind === 'matview' ? 'materialized view' : 'view'} "${rel.name}"`, { hint: 'Try the COPY (SELECT ...) TO variant.' });
    const scan: Plan = { kind: 'scan', table: rel, access: { kind: 'full' }, filter: null, columns: all };
    plan = { kind: 'project', input: scan, exprs: cols.map((i) => ({ kind: 'col' as const, index: i, type: rel.columns[i]!.type })), columns: cols.map((i) => all[i]!) };
  }
  const rows = await session.collect(plan, session.execContext([], layer, txn, false));
  const settings = session.valueSettings();
  const types = plan.columns.map((col) => col.type);
  const lines: string[] = [];
  if (opts.header && opts.csv) lines.push(plan.columns.map((col) => csvField(col.name, opts)).join(opts.delimiter) + '\n');
  for (const r of rows) lines.push(copyLine(r, types, settings, opts));
  const chunks = async function* (): AsyncIterable<Uint8Array> {
    const BATCH = 1000;
    for (let i = 0; i < lines.length; i += BATCH) yield Buffer.from(lines.slice(i, i + BATCH).join(''), 'utf8');
  };
  return { columns: null, rows: [] as Row[], tag: `COPY ${rows.length}`, events: [{ kind: 'copyOut', format: 0, columnCount: types.length, chunks: chunks() }] };
}

/** one row as a line of COPY TO output (text or CSV, per the options) */
export function copyLine(r: Row, types: readonly SqlType[], settings: ValueSettings, opts: CopySpec = TEXT_FORMAT): string {
  return r.map((v: Datum, i: number) => {
    if (v === null) return opts.nullString;
    const s = formatText(types[i] ?? T.text, v, settings);
    return opts.csv ? csvField(s, opts) : escapeText(s, opts.delimiter);
  }).join(opts.delimiter) + '\n';
}

/** COPY's default format: text, tab-separated, \N for NULL */
const TEXT_FORMAT: CopySpec = { csv: false, delimiter: '\t', nullString: '\\N', header: false, quote: '"', escape: '"' };

function escapeText(s: string, delim: string): string {
  let out = '';
  for (const ch of s) {
    if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === delim) out += '\\' + ch;
    else out += ch;
  }
  return out;
}

function csvField(s: string, o: CopySpec): string {
  if (s === '' || s.includes(o.delimiter) || s.includes(o.quote) || s.includes('\n') || s.includes('\r') || s === o.nullString || s === '\\.') {
    return o.quote + s.split(o.quote).join(o.escape + o.quote) + o.quote;
  }
  return s;
}
