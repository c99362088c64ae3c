// A one-hash bit filter over key ids: "certainly not here" for most keys a delta does not hold.
// A delta of a million keys is a Map whose look-up of an absent key still reads the hash table's
// bucket, an entry and the stored string (three cache misses on random keys); the filter's
// answer for such a key is one read of one word. Random upserts into a large table mostly ask
// for keys the delta does not have.

/** bits per key the filter keeps at least (one hash: ~1/16 of absent keys pass) */
const BITS_PER_KEY = 16;
const MIN_BITS = 1 << 16;

export class KeyFilter {
  private words = new Int32Array(MIN_BITS >>> 5);
  private mask = MIN_BITS - 1;
  /** keys added since the last rebuild (removed ones are not subtracted: their bits stay set) */
  private added = 0;

  /** false: no key with this id was added since the last rebuild */
  mayHave(id: string): boolean {
    const h = hashId(id) & this.mask;
    return (this.words[h >>> 5]! & (1 << (h & 31))) !== 0;
  }

  /** sets the id's bit (crowded() says when the caller should rebuild with every id held) */
  add(id: string): void {
    const h = hashId(id) & this.mask;
    this.words[h >>> 5]! |= 1 << (h & 31);
    this.added++;
  }

  /** whether the filter has too few bits for the keys added since its last rebuild (the caller rebuilds it) */
  crowded(): boolean {
    return this.added * BITS_PER_KEY > this.mask + 1;
  }

  /** starts again from exactly these ids (after removals, or to grow) */
  rebuild(ids: Iterable<string>, count: number): void {
    let bits = MIN_BITS;
    while (bits < count * BITS_PER_KEY * 2) bits *= 2;
    if (bits !== this.mask + 1) { this.words = new Int32Array(bits >>> 5); this.mask = bits - 1; } else this.words.fill(0);
    this.added = 0;
    for (const id of ids) this.add(id);
  }
}

/** FNV-1a over the id's chars, then mixed so that the low bits depend on every char */
function hashId(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 12);
}
