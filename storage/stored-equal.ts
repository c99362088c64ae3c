// Equality of values in the row codec's stored form.
import type { Stored } from './row-codec.js';

/** Equality of stored values (msgpack may hand back small int8 values as numbers). */
export function storedEqual(a: Stored | Stored[] | undefined, b: Stored | Stored[] | undefined): boolean {
  // the same value (a commit that knows the version is the one read compares it with itself)
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  if (a === null || b === null) return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b)) return false;
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) if (!storedEqual(a[i] ?? null, b[i] ?? null)) return false;
    return true;
  }
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    return (typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number') && BigInt(a) === BigInt(b);
  }
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && Buffer.from(a).equals(Buffer.from(b));
  }
  return Object.is(a, b);
}
