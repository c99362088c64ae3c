// Text that arrives as bytes (protocol strings, text-format parameters) must be valid UTF-8, as
// PostgreSQL checks it before any input function sees it.
import { isUtf8 } from 'node:buffer';

/** whether every byte is ASCII; long inputs answer false and go to the native check */
export function isShortAscii(b: Uint8Array): boolean {
  // short strings dominate (names, parameters); a plain loop beats the native call's overhead there
  if (b.length > 64) return false;
  for (let i = 0; i < b.length; i++) if (b[i]! >= 0x80) return false;
  return true;
}

/** the bytes as a string, or null if they are not valid UTF-8 */
export function utf8Text(raw: Uint8Array): string | null {
  const b = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  // ASCII decodes the same as latin1, which needs no decoding state
  if (isShortAscii(b)) return b.toString('latin1');
  return isUtf8(b) ? b.toString('utf8') : null;
}
