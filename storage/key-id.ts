/**
 * Map key of a row key. latin1 maps every byte to one char, so it is injective like hex but half
 * as long and much cheaper to build and hash, and such strings compare as the keys' bytes do.
 */
export function keyId(key: Buffer): string {
  return key.toString('latin1');
}
