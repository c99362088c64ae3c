import { describe, expect, test } from 'vitest';
import { pack, unpack, Packr } from 'msgpackr';
import { unpackColumns } from './packed-columns.js';
import { PackWriter } from '../packed-rows.js';
import type { Stored } from '../row-codec.js';

/** rows back to back with their offsets, as a bulk load packs them */
function packed(rows: readonly Uint8Array[]): { bytes: Uint8Array; rowAt: Uint32Array } {
  const w = new PackWriter(16);
  const rowAt = new Uint32Array(rows.length + 1);
  rows.forEach((r, i) => { rowAt[i] = w.len; w.raw(r); });
  rowAt[rows.length] = w.len;
  return { bytes: w.take(), rowAt };
}

describe('unpackColumns', () => {
  test('reads every scalar encoding as msgpackr does, and falls back to it for the rest', () => {
    const values: Stored[] = [
      0, 1, 127, 128, 255, 256, 65535, 65536, 2 ** 32 - 1, -1, -32, -33, -128, -129, -32768, -32769, -(2 ** 31),
      2 ** 40, -(2 ** 40), 1.5, -0.25, 1e300, NaN, Infinity, 12345678901234567890n, -5n, 2n ** 63n - 1n,
      null, true, false, '', 'a', 'sixteen chars!!!', 'seventeen chars!!', 'x'.repeat(31), 'y'.repeat(32), 'z'.repeat(300), 'w'.repeat(70000),
      'héllo', '日本語のテキスト', '🎉',
    ];
    const rows: Stored[][] = [];
    for (let i = 0; i < values.length; i++) rows.push([values[i]!, values[(i * 7) % values.length]!, i]);
    // rows the fast reader leaves to msgpackr: arrays, binary
    rows.push([[1, 2, [3]] as unknown as Stored, 'x', 1]);
    rows.push([new Uint8Array([1, 2, 3]) as unknown as Stored, null, 2]);
    // a row narrower than the table (written before ADD COLUMN)
    rows.push([7, 'short'] as Stored[]);
    const f32 = new Packr({ useFloat32: 1 });
    const encoded = rows.map((r, i) => (i === 3 ? f32.pack(r) : pack(r)) as Uint8Array);
    // the load's own writer too
    const w = new PackWriter(64);
    w.arrayHeader(3); w.value('abc'); w.value(123456789n); w.value(-7);
    encoded.push(w.take());
    const { bytes, rowAt } = packed(encoded);
    const cols = unpackColumns(3, bytes, rowAt, encoded.length);
    encoded.forEach((e, i) => {
      const want = unpack(e) as Stored[];
      for (let c = 0; c < 3; c++) expect([i, c, cols[c]![i]]).toEqual([i, c, want[c] ?? null]);
    });
  });
});
