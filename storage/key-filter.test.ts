import { expect, test } from 'vitest';
import { KeyFilter } from './key-filter.js';
import { keyId } from './key-id.js';

const id = (n: number): string => { const b = Buffer.alloc(5); b[0] = 0x80; b.writeUInt32BE(n, 1); return keyId(b); };

test('every added id may be there; most others are not, as the filter grows and after a rebuild', () => {
  const f = new KeyFilter();
  const held = new Set<string>();
  for (let n = 0; n < 200_000; n += 2) {
    f.add(id(n));
    held.add(id(n));
    if (f.crowded()) f.rebuild(held, held.size);
  }
  for (const h of held) expect(f.mayHave(h)).toBe(true);
  let passed = 0;
  for (let n = 1; n < 200_000; n += 2) if (f.mayHave(id(n))) passed++;
  // one hash at 16-32 bits per key: a few percent pass
  expect(passed / 100_000).toBeLessThan(0.08);
  // removing most ids and rebuilding: they are gone, the rest stay
  const kept = [...held].slice(0, 1000);
  f.rebuild(kept, kept.length);
  for (const h of kept) expect(f.mayHave(h)).toBe(true);
  let stale = 0;
  for (const h of [...held].slice(1000)) if (f.mayHave(h)) stale++;
  expect(stale / (held.size - 1000)).toBeLessThan(0.08);
});
