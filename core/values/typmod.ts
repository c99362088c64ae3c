// Type modifiers: varchar(n), char(n), numeric(p,s), time/timestamp(p), interval(p).
import type { SqlType } from '../types.js';
import { typeDisplayName } from '../types.js';
import type { Datum } from '../datum.js';
import { SqlError, SqlState } from '../errors.js';
import { decodeNumericTypmod, type Numeric } from './numeric.js';
import { adjustIntervalForTypmod, type Interval } from './interval.js';
import { PG_EPOCH_MICROS } from './datetime.js';

/** Length in characters (code points), as PG counts for varchar/bpchar. */
export function charLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) { n--; i++; }
  }
  return n;
}
/** Index in UTF-16 units after the first `chars` code points. */
function sliceChars(s: string, chars: number): string {
  let i = 0;
  let k = 0;
  while (i < s.length && k < chars) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
    k++;
  }
  return s.slice(0, i);
}

function fitString(s: string, n: number, explicit: boolean, label: string): string {
  if (s.length <= n) return s; // code points ≤ UTF-16 units
  const len = charLength(s);
  if (len <= n) return s;
  const head = sliceChars(s, n);
  if (!explicit) {
    for (let i = head.length; i < s.length; i++) {
      if (s.charCodeAt(i) !== 32) throw new SqlError(SqlState.StringDataRightTruncation, `value too long for type ${label}(${n})`);
    }
  }
  return head;
}

/** Pad/trim to char(n). */
export function padBpchar(s: string, n: number, explicit: boolean): string {
  const t = fitString(s, n, explicit, 'character');
  const len = charLength(t);
  return len < n ? t + ' '.repeat(n - len) : t;
}

/** Round µs to `precision` fractional digits (half away from zero, like AdjustTimeForTypmod). */
export function roundMicros(us: number, precision: number): number {
  if (precision >= 6 || precision < 0 || !Number.isFinite(us)) return us;
  const scale = 10 ** (6 - precision);
  const r = Math.floor((Math.abs(us) + scale / 2) / scale) * scale;
  return us < 0 ? -r : r;
}
/** AdjustTimestampForTypmod: half away from zero measured from PG's epoch 2000-01-01. */
export function roundTimestampMicros(us: number, precision: number): number {
  if (precision >= 6 || precision < 0 || !Number.isFinite(us)) return us;
  return roundMicros(us - PG_EPOCH_MICROS, precision) + PG_EPOCH_MICROS;
}

/**
 * Coerce a non-null value to its column/cast typmod. explicit=true is CAST semantics (varchar
 * silently truncates); false is assignment (22001 unless only spaces are cut).
 */
export function applyTypmod(type: SqlType, d: Datum, explicit: boolean): Datum {
  if (d === null) return null;
  if (type.kind === 'array') {
    if (type.elem.typmod < 0 && type.typmod < 0) return d;
    const elem = type.elem.typmod >= 0 ? type.elem : { ...type.elem, typmod: type.typmod };
    const walk = (a: readonly Datum[]): Datum[] => a.map((x) => (x === null ? null : Array.isArray(x) ? walk(x as readonly Datum[]) : applyTypmod(elem, x, explicit)));
    return walk(d as readonly Datum[]);
  }
  const tm = type.typmod;
  if (tm < 0) return d;
  switch (type.name) {
    case 'varchar': return tm >= 4 ? fitString(d as string, tm - 4, explicit, 'character varying') : d;
    case 'bpchar': return tm >= 4 ? padBpchar(d as string, tm - 4, explicit) : d;
    case 'numeric': return (d as Numeric).applyTypmod(tm);
    case 'time': return roundMicros(d as number, tm);
    case 'timestamp': case 'timestamptz': return roundTimestampMicros(d as number, tm);
    case 'interval': return adjustIntervalForTypmod(d as Interval, tm);
    default: return d;
  }
}

const INTERVAL_FIELD_NAMES: ReadonlyArray<readonly [number, string]> = [
  [1 << 2, 'year'], [1 << 1, 'month'], [1 << 3, 'day'], [1 << 10, 'hour'], [1 << 11, 'minute'], [1 << 12, 'second'],
];

/** format_type(oid, typmod): 'character varying(3)', 'numeric(5,2)', 'timestamp(3) without time zone', … */
export function formatTypeWithTypmod(t: SqlType): string {
  if (t.kind === 'array') {
    const elem = t.elem.typmod >= 0 ? t.elem : { ...t.elem, typmod: t.typmod };
    return formatTypeWithTypmod(elem) + '[]';
  }
  const tm = t.typmod;
  const base = typeDisplayName(t);
  if (tm < 0) return t.name === 'bpchar' ? 'bpchar' : base;
  switch (t.name) {
    case 'varchar': case 'bpchar': return `${t.name === 'varchar' ? 'character varying' : 'character'}(${tm - 4})`;
    case 'numeric': {
      const { precision, scale } = decodeNumericTypmod(tm);
      return `numeric(${precision},${scale})`;
    }
    case 'time': return `time(${tm}) without time zone`;
    case 'timestamp': return `timestamp(${tm}) without time zone`;
    case 'timestamptz': return `timestamp(${tm}) with time zone`;
    case 'interval': {
      const range = (tm >> 16) & 0x7fff;
      const p = tm & 0xffff;
      let out = 'interval';
      if (range !== 0x7fff) {
        const names = INTERVAL_FIELD_NAMES.filter(([bit]) => (range & bit) !== 0).map(([, n]) => n);
        out += ' ' + (names.length > 1 ? `${names[0]} to ${names[names.length - 1]}` : names[0] ?? '');
      }
      if (p !== 0xffff) out += `(${p})`;
      return out;
    }
    default: return base;
  }
}
