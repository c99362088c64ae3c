// PackWriter's MessagePack reads back (through msgpackr, as the databases decode) as what was written.
import { describe, it, expect } from 'vitest';
import { unpack } from 'msgpackr';
import { PackWriter } from './packed-rows.js';
import type { Stored } from './row-codec.js';
import { mulberry32 } from '../test/harness/prng.js';

describe('PackWriter', () => {
  it('round-trips every kind of stored value at the edges of each encoding', () => {
    const rnd = mulberry32(99);
    const ints = [0, 1, 127, 128, 255, 256, 65535, 65536, 2 ** 31 - 1, -(2 ** 31), -1, -32, -33, -128, -129, -32768, -32769, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, -(2 ** 53) + 1];
    const floats = [0.5, -0.25, 1e300, -1e-300, Math.PI, Number.MAX_VALUE, Number.MIN_VALUE];
    const bigs = [0n, 1n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 123456789012345n];
    const strings = ['', 'a', 'x'.repeat(31), 'x'.repeat(32), 'é'.repeat(11), 'é'.repeat(16), '日本'.repeat(40), 'y'.repeat(255), 'y'.repeat(256), 'z'.repeat(70000), '😀'.repeat(20)];
    const values: Stored[] = [null, true, false, ...ints, ...floats, ...bigs, ...strings, new Uint8Array([1, 2, 0, 255]), new Uint8Array(300).fill(7), [], [1, 'a', null], Array.from({ length: 20 }, (_, i) => i)];
    for (let i = 0; i < 200; i++) values.push(Array.from({ length: 1 + Math.floor(rnd() * 8) }, () => values[Math.floor(rnd() * values.length)]!));
    const w = new PackWriter(16);
    const at: number[] = [];
    for (const v of values) { at.push(w.len); w.value(v); }
    at.push(w.len);
    const bytes = w.take();
    values.forEach((v, i) => {
      const got = unpack(bytes.subarray(at[i]!, at[i + 1]!)) as Stored;
      const norm = (x: Stored): unknown => (x instanceof Uint8Array ? [...x] : Array.isArray(x) ? x.map(norm) : x);
      expect(norm(got), `value ${i}`).toEqual(norm(v));
    });
  });
});
