// A state table of key -> value (an aggregate's groups, a window's partitions). Values handed
// out are the cached objects themselves: an operator that changes one in place calls set() (or
// touch()) so the change is written with the round.
import { decodeState, encodeState } from './codec.js';
import { keyBytes, StoredCount, type StateStore, type StateTable } from './state-store.js';
import type { StateWrite } from '../../storage/store-types.js';

export interface ValueCodec<V> {
  encode(v: V): unknown;
  decode(x: unknown): V;
}

const identity: ValueCodec<never> = { encode: (v) => v, decode: (x) => x as never };

export class KeyedState<V> implements StateTable {
  private readonly prefix: Buffer;
  private readonly countKey: Buffer;
  /** cached values; null = known absent (deleted, or not on disk) */
  private readonly cache = new Map<string, V | null>();
  private readonly dirty = new Set<string>();
  private readonly stored: StoredCount;

  constructor(private readonly store: StateStore, private readonly codec: ValueCodec<V> = identity) {
    this.prefix = store.allocate(this);
    this.countKey = Buffer.concat([this.prefix, Buffer.from([0])]);
    this.stored = new StoredCount(store, this.countKey);
  }

  private keyOf(k: string): Buffer {
    return Buffer.concat([this.prefix, keyBytes(k)]);
  }

  get(k: string): V | undefined {
    const c = this.cache.get(k);
    if (c !== undefined) return c ?? undefined;
    const backend = this.store.reader;
    if (!backend) return undefined;
    const b = backend.get(this.keyOf(k));
    const v = b === undefined ? null : this.codec.decode((decodeState(b) as [string, unknown])[1]);
    this.cache.set(k, v);
    return v ?? undefined;
  }

  set(k: string, v: V): void {
    if (this.get(k) === undefined) this.adjust(1);
    this.cache.set(k, v);
    if (this.store.persistent) this.dirty.add(k);
  }

  /** the value of k was changed in place */
  touch(k: string): void {
    if (this.store.persistent) this.dirty.add(k);
  }

  delete(k: string): void {
    if (this.get(k) === undefined) return;
    this.adjust(-1);
    if (this.store.persistent) { this.cache.set(k, null); this.dirty.add(k); } else this.cache.delete(k);
  }

  /** how many keys it holds */
  size(): number { return this.stored.get(); }

  private adjust(d: number): void { this.stored.add(d); }

  /** every key and value (stored and cached); do not change the state while iterating */
  *entries(): Generator<[string, V]> {
    const backend = this.store.reader;
    if (backend) {
      for (const [key, val] of backend.range(this.prefix)) {
        if (key.length === this.countKey.length && key[this.prefix.length] === 0) continue;
        const [k, x] = decodeState(val) as [string, unknown];
        if (this.cache.has(k)) continue;
        yield [k, this.codec.decode(x)];
      }
    }
    for (const [k, v] of this.cache) if (v !== null) yield [k, v];
  }

  flush(out: StateWrite[]): void {
    for (const k of this.dirty) {
      const v = this.cache.get(k);
      out.push({ key: this.keyOf(k), value: v === null || v === undefined ? null : encodeState([k, this.codec.encode(v)]) });
    }
    this.dirty.clear();
    this.stored.flush(out);
  }

  cached(): number { return this.cache.size; }

  evict(budget: number): void {
    for (const k of this.cache.keys()) {
      if (this.cache.size <= budget) break;
      if (!this.dirty.has(k)) this.cache.delete(k);
    }
  }
}
