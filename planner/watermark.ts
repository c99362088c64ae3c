// WATERMARK FOR col AS col - INTERVAL '...' (RisingWave): a source's event-time column and how
// far behind the newest event the watermark trails. Kept in the relation's options as
// 'watermark.column' and 'watermark.delay' (µs). And `col TIMESTAMPTZ AS PROCTIME()`: a column
// that the connector leaves out and ingestion fills with the wall clock ('proctime.column').
import { SqlError, SqlState } from '../core/errors.js';
import { T } from '../core/types.js';
import type { ColumnSpec } from '../catalog/commands.js';
import { bindExpr, coerce, resolveUnknown } from './bind-expr.js';
import { parseSql } from './parse.js';
import { Scope, type BindEnv } from './scope.js';

export function watermarkOptions(w: { column: string; expr: string }, columns: readonly ColumnSpec[], env: BindEnv): Record<string, string> {
  const col = columns.find((c) => c.name === w.column);
  if (!col) throw new SqlError(SqlState.UndefinedColumn, `column "${w.column}" of the watermark does not exist`);
  if (!(col.type.kind === 'scalar' && (col.type.name === 'timestamp' || col.type.name === 'timestamptz'))) {
    throw new SqlError(SqlState.DatatypeMismatch, `the watermark column "${col.name}" must be a timestamp`);
  }
  const stmt = parseSql(`SELECT ${w.expr}`)[0]!.stmt;
  const target = 'SelectStmt' in stmt ? stmt.SelectStmt.targetList?.[0] : undefined;
  const e = target && 'ResTarget' in target ? target.ResTarget.val : undefined;
  const isCol = (n: unknown): boolean => {
    const f = n && typeof n === 'object' && 'ColumnRef' in n ? (n as { ColumnRef: { fields?: { String?: { sval?: string } }[] } }).ColumnRef.fields ?? [] : [];
    return f.length === 1 && f[0]?.String?.sval?.toLowerCase() === col.name;
  };
  let delay = 0;
  if (e && isCol(e)) delay = 0;
  else if (e && 'A_Expr' in e && e.A_Expr.kind === 'AEXPR_OP' && (e.A_Expr.name ?? []).some((n) => 'String' in n && n.String.sval === '-') && isCol(e.A_Expr.lexpr)) {
    const ctx = { env, scope: new Scope(null), aggs: null, windows: null, clause: 'WATERMARK' };
    const iv = resolveUnknown(coerce(bindExpr(e.A_Expr.rexpr!, ctx), T.interval, 'explicit', env), env);
    const v = iv.kind === 'const' ? (iv.value as unknown as { months: number; days: number; micros: number } | null) : null;
    if (!v || v.months !== 0) throw new SqlError(SqlState.FeatureNotSupported, 'the watermark delay must be a constant interval without months');
    delay = v.days * 86_400_000_000 + v.micros;
  } else {
    throw new SqlError(SqlState.FeatureNotSupported, `WATERMARK FOR ${col.name} AS ... must be "${col.name}" or "${col.name} - INTERVAL '...'"`);
  }
  return { 'watermark.column': col.name, 'watermark.delay': String(delay) };
}

export function proctimeOptions(column: string, columns: readonly ColumnSpec[]): Record<string, string> {
  const col = columns.find((c) => c.name === column);
  if (!col) throw new SqlError(SqlState.UndefinedColumn, `column "${column}" does not exist`);
  if (!(col.type.kind === 'scalar' && (col.type.name === 'timestamp' || col.type.name === 'timestamptz'))) {
    throw new SqlError(SqlState.DatatypeMismatch, `the PROCTIME() column "${col.name}" must be TIMESTAMPTZ`);
  }
  return { 'proctime.column': col.name };
}
