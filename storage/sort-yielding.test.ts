// Sorting in runs with the event loop let in: the same order as one Array.prototype.sort call,
// and other work gets to run while a large sort goes on.
import { describe, it, expect } from 'vitest';
import { sortYielding } from './sort-yielding.js';
import { mulberry32 } from '../test/harness/prng.js';

describe('sortYielding', () => {
  it('sorts as Array.prototype.sort does, across several runs', async () => {
    const rnd = mulberry32(7);
    for (const n of [0, 1, 1000, 65536, 65537, 300_000]) {
      // latin1 key ids: shared prefixes, bytes 0..255, repeats
      const ids = Array.from({ length: n }, () => String.fromCharCode(0, 0, 64, (rnd() * 256) | 0, (rnd() * 256) | 0, (rnd() * 256) | 0));
      const want = [...ids].sort();
      expect(await sortYielding(ids)).toEqual(want);
    }
  });

  it('lets other work run while it sorts', async () => {
    const ids = Array.from({ length: 400_000 }, (_, i) => String((i * 7919) % 400_000));
    let ticks = 0;
    const timer = setInterval(() => { ticks++; }, 0);
    await sortYielding(ids);
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(2);
  });
});
