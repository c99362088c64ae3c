// Comparing short byte strings (encoded keys) in JS: a loop over a few bytes beats a call into
// native code (Buffer.compare) per pair, which cost ~85 ns each when checking millions of keys.

/** bytes[a, aEnd) against bytes[b, bEnd), as Buffer.compare would */
export function compareRanges(bytes: Uint8Array, a: number, aEnd: number, b: number, bEnd: number): number {
  const n = Math.min(aEnd - a, bEnd - b);
  for (let i = 0; i < n; i++) {
    const d = bytes[a + i]! - bytes[b + i]!;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  const l = (aEnd - a) - (bEnd - b);
  return l === 0 ? 0 : l < 0 ? -1 : 1;
}
