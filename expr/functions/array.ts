// Array functions and operators (arrayfuncs.c, array_userfuncs.c). Arrays are Datum[]
// (nested arrays for more dimensions), always with lower bound 1.
import type { Datum, DatumArray } from '../../core/datum.js';
import type { SqlType } from '../../core/types.js';
import { SqlError, SqlState } from '../../core/errors.js';
import { fn, op } from './define.js';
import { comparatorFor, type Comparator } from './comparison.js';
import { datumToText } from './text-util.js';

const arr = (d: Datum): DatumArray => d as DatumArray;

function elemCmp(types: readonly SqlType[], i: number): Comparator {
  const t = types[i]!;
  return comparatorFor(t.kind === 'array' ? t.elem : t);
}

/** dimension lengths of a (possibly nested) array */
export function arrayDims(a: DatumArray): number[] {
  const dims: number[] = [];
  let cur: Datum = a;
  while (Array.isArray(cur)) {
    const c: DatumArray = cur;
    dims.push(c.length);
    if (c.length === 0) break;
    cur = c[0]!;
  }
  if (dims.length === 1 && dims[0] === 0) return [];
  return dims;
}
export function flatten(a: DatumArray, out: Datum[] = []): Datum[] {
  for (const x of a) {
    if (Array.isArray(x)) flatten(x, out); else out.push(x);
  }
  return out;
}

function contains(a: DatumArray, b: DatumArray, c: Comparator): boolean {
  const fa = flatten(a).filter((x) => x !== null);
  for (const y of flatten(b)) {
    if (y === null) return false;
    if (!fa.some((x) => c(x, y) === 0)) return false;
  }
  return true;
}

function checkDims(a: DatumArray, b: DatumArray): void {
  const da = arrayDims(a), db = arrayDims(b);
  if (da.length && db.length && da.length !== db.length && Math.abs(da.length - db.length) !== 1) {
    throw new SqlError(SqlState.ArraySubscriptError, 'cannot concatenate incompatible arrays',
      { detail: `Arrays of ${da.length} and ${db.length} dimensions are not compatible for concatenation.` });
  }
}

export function arrayCat(a: DatumArray | null, b: DatumArray | null): Datum {
  if (a === null) return b;
  if (b === null) return a;
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  checkDims(a, b);
  const da = arrayDims(a).length, db = arrayDims(b).length;
  if (da === db) return [...a, ...b];
  if (da === db + 1) return [...a, b];
  return [a, ...b];
}

function splitString(s: string, delim: string | null, nullStr: string | null): Datum[] {
  if (s === '') return [];
  let parts: string[];
  if (delim === null) parts = Array.from(s);
  else if (delim === '') parts = [s];
  else parts = s.split(delim);
  return parts.map((p) => (nullStr !== null && p === nullStr ? null : p));
}
export { splitString as stringToArray };

export function registerArray(): void {
  fn('array_length(anyarray, int4) -> int4', (a) => {
    const dims = arrayDims(arr(a[0]!));
    const d = a[1] as number;
    return d >= 1 && d <= dims.length ? dims[d - 1]! : null;
  });
  fn('array_lower(anyarray, int4) -> int4', (a) => {
    const dims = arrayDims(arr(a[0]!));
    const d = a[1] as number;
    return d >= 1 && d <= dims.length ? 1 : null;
  });
  fn('array_upper(anyarray, int4) -> int4', (a) => {
    const dims = arrayDims(arr(a[0]!));
    const d = a[1] as number;
    return d >= 1 && d <= dims.length ? dims[d - 1]! : null;
  });
  fn('array_ndims(anyarray) -> int4', (a) => { const n = arrayDims(arr(a[0]!)).length; return n === 0 ? null : n; });
  fn('array_dims(anyarray) -> text', (a) => {
    const dims = arrayDims(arr(a[0]!));
    return dims.length === 0 ? null : dims.map((d) => `[1:${d}]`).join('');
  });
  fn('cardinality(anyarray) -> int4', (a) => flatten(arr(a[0]!)).length);
  fn('array_append(anyarray, anyelement) -> anyarray', (a) => [...(a[0] === null ? [] : arr(a[0]!)), a[1]!], { strict: false });
  fn('array_prepend(anyelement, anyarray) -> anyarray', (a) => [a[0]!, ...(a[1] === null ? [] : arr(a[1]!))], { strict: false });
  fn('array_cat(anyarray, anyarray) -> anyarray', (a) => arrayCat(a[0] as DatumArray | null, a[1] as DatumArray | null), { strict: false });
  const position = (types: readonly SqlType[]) => {
    const c = elemCmp(types, 0);
    return (a: readonly Datum[]): Datum => {
      if (a[0] === null) return null;
      const xs = arr(a[0]!);
      if (arrayDims(xs).length > 1) {
        throw new SqlError(SqlState.FeatureNotSupported, 'searching for elements in multidimensional arrays is not supported');
      }
      const v = a[1]!;
      let start = 0;
      if (a.length > 2) {
        if (a[2] === null) throw new SqlError(SqlState.NullValueNotAllowed, 'initial position must not be null');
        start = Math.max(0, (a[2] as number) - 1);
      }
      for (let i = start; i < xs.length; i++) {
        const x = xs[i]!;
        if (v === null ? x === null : x !== null && c(x, v) === 0) return i + 1;
      }
      return null;
    };
  };
  fn('array_position(anyarray, anyelement) -> int4', () => null, { strict: false, bind: position });
  fn('array_position(anyarray, anyelement, int4) -> int4', () => null, { strict: false, bind: position });
  fn('array_positions(anyarray, anyelement) -> int4[]', () => null, {
    strict: false,
    bind: (types) => {
      const c = elemCmp(types, 0);
      return (a) => {
        if (a[0] === null) return null;
        const v = a[1]!;
        const out: number[] = [];
        arr(a[0]!).forEach((x, i) => { if (v === null ? x === null : x !== null && c(x, v) === 0) out.push(i + 1); });
        return out;
      };
    },
  });
  fn('array_remove(anyarray, anyelement) -> anyarray', () => null, {
    strict: false,
    bind: (types) => {
      const c = elemCmp(types, 0);
      return (a) => {
        if (a[0] === null) return null;
        const xs = arr(a[0]!);
        if (arrayDims(xs).length > 1) {
          throw new SqlError(SqlState.FeatureNotSupported, 'removing elements from multidimensional arrays is not supported');
        }
        const v = a[1]!;
        return xs.filter((x) => !(v === null ? x === null : x !== null && c(x, v) === 0));
      };
    },
  });
  fn('array_replace(anyarray, anyelement, anyelement) -> anyarray', () => null, {
    strict: false,
    bind: (types) => {
      const c = elemCmp(types, 0);
      return (a) => {
        if (a[0] === null) return null;
        const v = a[1]!, r = a[2]!;
        const rep = (x: Datum): Datum => (Array.isArray(x) ? (x as DatumArray).map(rep)
          : (v === null ? x === null : x !== null && c(x, v) === 0) ? r : x);
        return arr(a[0]!).map(rep);
      };
    },
  });
  fn('trim_array(anyarray, int4) -> anyarray', (a) => {
    const xs = arr(a[0]!);
    const n = a[1] as number;
    if (n < 0 || n > xs.length) {
      throw new SqlError(SqlState.ArraySubscriptError, 'number of elements to trim must be between 0 and ' + xs.length);
    }
    return xs.slice(0, xs.length - n);
  });
  const toStr = (types: readonly SqlType[]) => {
    const t = types[0]!;
    const et = t.kind === 'array' ? t.elem : t;
    return (a: readonly Datum[], ctx: import('./define.js').EvalContext): Datum => {
      if (a[0] === null || a[1] === null) return null;
      const nullStr = a.length > 2 ? (a[2] as string | null) : null;
      const parts: string[] = [];
      for (const x of flatten(arr(a[0]!))) {
        if (x === null) { if (nullStr !== null) parts.push(nullStr); } else parts.push(datumToText(et, x, ctx.settings));
      }
      return parts.join(a[1] as string);
    };
  };
  fn('array_to_string(anyarray, text) -> text', () => null, { volatility: 'stable', bind: toStr });
  fn('array_to_string(anyarray, text, text) -> text', () => null, { strict: false, volatility: 'stable', bind: toStr });
  // RisingWave's name for array_to_string
  fn('array_join(anyarray, text) -> text', () => null, { volatility: 'stable', bind: toStr });
  fn('array_join(anyarray, text, text) -> text', () => null, { strict: false, volatility: 'stable', bind: toStr });
  fn('string_to_array(text, text) -> text[]', (a) => (a[0] === null ? null : splitString(a[0] as string, a[1] as string | null, null)), { strict: false });
  fn('string_to_array(text, text, text) -> text[]', (a) =>
    (a[0] === null ? null : splitString(a[0] as string, a[1] as string | null, a[2] as string | null)), { strict: false });

  // operators
  const bindC = (f: (x: DatumArray, y: DatumArray, c: Comparator) => boolean) => ({
    bind: (types: readonly SqlType[]) => { const c = elemCmp(types, 0); return (a: readonly Datum[]) => f(arr(a[0]!), arr(a[1]!), c); },
  });
  op('@>(anyarray, anyarray) -> bool', () => null, bindC((x, y, c) => contains(x, y, c)));
  op('<@(anyarray, anyarray) -> bool', () => null, bindC((x, y, c) => contains(y, x, c)));
  op('&&(anyarray, anyarray) -> bool', () => null, bindC((x, y, c) => {
    const fy = flatten(y).filter((v) => v !== null);
    return flatten(x).some((v) => v !== null && fy.some((w) => c(v, w) === 0));
  }));
  op('||(anyarray, anyarray) -> anyarray', (a) => arrayCat(a[0] as DatumArray | null, a[1] as DatumArray | null), { strict: false });
  op('||(anyarray, anyelement) -> anyarray', (a) => [...(a[0] === null ? [] : arr(a[0]!)), a[1]!], { strict: false });
  op('||(anyelement, anyarray) -> anyarray', (a) => [a[0]!, ...(a[1] === null ? [] : arr(a[1]!))], { strict: false });
}
