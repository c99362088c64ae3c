// The generator's pseudo-random numbers: one short, independent stream per (seed, event number),
// so event n is generated without generating events 0 .. n-1 (a source resumes at any offset).
//
// Construction (counter-based, 32-bit integer arithmetic only, no allocation):
//   - `seedKey(seed)` hashes the user seed to 32 bits.
//   - `reset(key, n)` derives two 32-bit words from (key, n): a starting counter and a stream key.
//     For a fixed seed key and fixed high bits of n, the stream key is a bijection of the low
//     32 bits of n, so no two events of one 2^32-event block share a stream key.
//   - each draw advances the counter by the golden-ratio Weyl constant 0x9E3779B9 and returns
//     fmix32(counter XOR stream key), where fmix32 is MurmurHash3's 32-bit finalizer (an
//     invertible avalanche mix). This is the 32-bit cousin of splitmix64: a Weyl sequence
//     passed through a strong mixer; per stream the outputs are a bijection of the counter, so
//     a stream does not repeat within 2^32 draws (an event uses fewer than 300).
// Not cryptographic; good enough to pick ids, lengths and letters uniformly.

const GAMMA = 0x9e3779b9;
const INV_2_32 = 1 / 4294967296;
const INV_2_53 = 1 / 9007199254740992;

/** MurmurHash3's fmix32: a bijective 32-bit avalanche mix; returns an unsigned 32-bit integer. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit key for a seed (any safe integer, negative included). */
export function seedKey(seed: number): number {
  const lo = seed >>> 0; // ToUint32: the seed modulo 2^32
  const hi = Math.floor(seed / 4294967296) >>> 0;
  return fmix32(fmix32(hi ^ 0x5bd1e995) ^ lo ^ 0x1b873593);
}

/** A resettable stream of pseudo-random numbers; one instance is reused for every event. */
export class EventRng {
  private counter = 0;
  private key = 0;

  /** Positions this stream at the start of event `n`'s numbers for the seed key `seedKey`. */
  reset(seedKeyValue: number, n: number): void {
    const lo = n >>> 0;
    const hi = Math.floor(n / 4294967296) >>> 0;
    const h = fmix32(seedKeyValue ^ fmix32(hi + GAMMA));
    this.key = fmix32(lo ^ h);
    this.counter = fmix32(Math.imul(lo, 0xcc9e2d51) ^ h ^ 0x27d4eb2f) | 0;
  }

  /** An unsigned 32-bit integer. */
  next(): number {
    this.counter = (this.counter + GAMMA) | 0;
    return fmix32(this.counter ^ this.key);
  }

  /** A double in [0, 1) with 32 random bits. */
  unit(): number {
    return this.next() * INV_2_32;
  }

  /** An integer in [0, bound), for 1 <= bound <= 2^21 (exact uniform up to 2^-32 bias). */
  int(bound: number): number {
    return Math.floor(this.next() * INV_2_32 * bound);
  }

  /** An integer in [0, bound), for 1 <= bound <= 2^53 (53 random bits). */
  long(bound: number): number {
    const a = this.next() >>> 5; // 27 bits
    const b = this.next() >>> 6; // 26 bits
    const r = Math.floor((a * 67108864 + b) * INV_2_53 * bound);
    return r < bound ? r : bound - 1;
  }
}
