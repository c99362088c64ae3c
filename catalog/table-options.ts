// Storage options of CREATE TABLE ... WITH (...): validated when the table is created and kept
// in the relation's options as text, like PostgreSQL's reloptions.
import { SqlError, SqlState } from '../core/errors.js';

export interface OrientationOption {
  readonly row: boolean;
  readonly column: boolean;
}

export const DEFAULT_ORIENTATION = 'row,column';
/**
 * rows changed since the last flush (the delta) that make a table flush into its stores; segments
 * hold at most this many rows, and at most 65536 (storage/column/layout.ts). Large, because a
 * flush of keys from all over a table rewrites most of its row-store pages (storage/README.md);
 * the delta keeps rows packed, ~170 bytes a key, so a full one is ~90 MB.
 */
export const DEFAULT_MEMTABLE_ROWS = 524288;

/** Parses 'row' | 'column' | 'row,column' (either order, spaces allowed). */
export function parseOrientation(v: string): OrientationOption {
  const parts = v.split(',').map((p) => p.trim().toLowerCase()).filter((p) => p !== '');
  const row = parts.includes('row');
  const column = parts.includes('column');
  if (parts.length === 0 || parts.some((p) => p !== 'row' && p !== 'column') || parts.length !== new Set(parts).size) {
    throw new SqlError(SqlState.InvalidParameterValue, `invalid value for parameter "orientation": "${v}"`, {
      hint: "Valid values are 'row', 'column' and 'row,column'.",
    });
  }
  return { row, column };
}

/**
 * The orientation of a stored table. Tables created before orientations existed have no option
 * and live in the row store only.
 */
export function tableOrientation(options: Readonly<Record<string, string>>): OrientationOption {
  const v = options['orientation'];
  return v === undefined ? { row: true, column: false } : parseOrientation(v);
}

export function memtableRows(options: Readonly<Record<string, string>>): number {
  const v = options['memtable_rows'];
  return v === undefined ? DEFAULT_MEMTABLE_ROWS : Number(v);
}

/** Validates CREATE TABLE options and fills in the defaults that must be fixed at creation. */
export function normalizeTableOptions(options: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = { ...options };
  const o = parseOrientation(options['orientation'] ?? DEFAULT_ORIENTATION);
  out['orientation'] = o.row && o.column ? 'row,column' : o.row ? 'row' : 'column';
  const m = options['memtable_rows'];
  if (m !== undefined && !(/^\d+$/.test(m.trim()) && Number(m) >= 1)) {
    throw new SqlError(SqlState.InvalidParameterValue, `invalid value for parameter "memtable_rows": "${m}"`, { hint: 'A positive number of rows.' });
  }
  return out;
}
