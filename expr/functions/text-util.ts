// Helpers shared by string, regex and array functions: code-point aware string
// slicing (PostgreSQL counts characters, JS strings are UTF-16) and Datum → text.
import type { Datum } from '../../core/datum.js';
import type { SqlType } from '../../core/types.js';
import type { ValueSettings } from '../../core/values/settings.js';
import { formatText } from '../../core/values/io.js';
import { SqlError, SqlState } from '../../core/errors.js';

const SURROGATE = /[\uD800-\uDFFF]/;

export function hasSurrogates(s: string): boolean {
  return SURROGATE.test(s);
}
/** characters of s as code points (only materialised when surrogates are present) */
export function chars(s: string): string[] {
  return Array.from(s);
}
export function charLength(s: string): number {
  if (!hasSurrogates(s)) return s.length;
  let n = 0;
  for (const _ of s) n++;
  return n;
}
/** substring by 0-based code point offsets [from, to) */
export function cpSlice(s: string, from: number, to?: number): string {
  if (!hasSurrogates(s)) return s.slice(from, to);
  return chars(s).slice(from, to).join('');
}
/** UTF-8 byte length without encoding (one implementation, in core/values/json.ts) */
export { utf8Length as utf8ByteLength } from '../../core/values/json.js';

export function utf8Bytes(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** The text output of a value (typoutput), with fast paths for the common representations. */
export function datumToText(t: SqlType, d: Datum, s: ValueSettings): string {
  if (t.kind === 'scalar') {
    switch (t.name) {
      case 'text': case 'varchar': case 'bpchar': case 'name': case 'char': case 'unknown': case 'uuid': case 'json':
        return d as string;
      case 'int2': case 'int4': case 'int8': case 'oid': return String(d);
      case 'bool': return d ? 't' : 'f';
      case 'numeric': return String(d);
      default: break;
    }
  }
  return formatText(t, d, s);
}

export function invalidRegex(msg: string): SqlError {
  return new SqlError(SqlState.InvalidRegularExpression, `invalid regular expression: ${msg}`);
}
