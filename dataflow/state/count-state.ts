// A state table of (key, value) -> count with point access: count(DISTINCT x) keeps how many
// input rows hold each value of each group, and needs one value's count per change, never the
// whole set (a group can hold millions of distinct values). Disk key: key | value, each part as
// keyBytes, so all values of a key can be removed together (a group closed by a watermark).
import { decodeState, encodeState } from './codec.js';
import { evictGroups, groupPrefix, keyBytes, StoredCount, type StateStore, type StateTable } from './state-store.js';
import type { StateWrite } from '../../storage/store-types.js';

/** a cache entry for a stored value known only by its key bytes (after a clear); never a value key (no NUL in SQL text) */
const STORED = '\u0000stored:';

export class CountState implements StateTable {
  private readonly prefix: Buffer;
  /** cached counts by key and value; 0 = known absent */
  private readonly cache = new Map<string, Map<string, number>>();
  private cachedEntries = 0;
  private readonly dirty = new Map<string, Set<string>>();
  /** keys cleared since the last flush: what storage holds for them is gone */
  private readonly cleared = new Set<string>();
  private readonly stored: StoredCount;

  constructor(private readonly store: StateStore) {
    this.prefix = store.allocate(this);
    this.stored = new StoredCount(store, Buffer.concat([this.prefix, Buffer.alloc(4)]));
  }

  private keyPrefix(k: string): Buffer {
    return groupPrefix(this.prefix, k);
  }

  private values(k: string): Map<string, number> {
    let m = this.cache.get(k);
    if (!m) { m = new Map(); this.cache.set(k, m); this.cachedEntries++; }
    return m;
  }

  get(k: string, v: string): number {
    const m = this.values(k);
    const c = m.get(v);
    if (c !== undefined) return c;
    const b = this.cleared.has(k) ? undefined : this.store.reader?.get(Buffer.concat([this.keyPrefix(k), keyBytes(v)]));
    const n = b === undefined ? 0 : (decodeState(b) as number);
    m.set(v, n);
    this.cachedEntries++;
    return n;
  }

  /** adds w to the count of v under k; returns the count before and after */
  add(k: string, v: string, w: number): { before: number; after: number } {
    const before = this.get(k, v);
    const after = before + w;
    this.values(k).set(v, after);
    if (before === 0 && after !== 0) this.stored.add(1);
    else if (before !== 0 && after === 0) this.stored.add(-1);
    if (this.store.persistent) {
      let d = this.dirty.get(k);
      if (!d) { d = new Set(); this.dirty.set(k, d); }
      d.add(v);
    } else if (after === 0) {
      this.values(k).delete(v);
      this.cachedEntries--;
    }
    return { before, after };
  }

  /** removes every value of k */
  clear(k: string): void {
    const m = this.values(k);
    // the values held now: cached ones as cached, stored ones not cached as stored (all nonzero)
    const cachedBytes = new Set<string>();
    for (const [v, c] of m) {
      if (v.startsWith(STORED)) continue;
      cachedBytes.add(keyBytes(v).toString('hex'));
      if (c !== 0) { this.stored.add(-1); m.set(v, 0); }
    }
    const backend = this.cleared.has(k) ? null : this.store.reader;
    if (backend) {
      const p = this.keyPrefix(k);
      for (const [key] of backend.range(p)) {
        const hex = key.subarray(p.length).toString('hex');
        if (cachedBytes.has(hex) || m.has(STORED + hex)) continue;
        this.stored.add(-1);
        m.set(STORED + hex, 0);
        this.cachedEntries++;
      }
    }
    this.cleared.add(k);
    let d = this.dirty.get(k);
    if (!d) { d = new Set(); this.dirty.set(k, d); }
    for (const v of m.keys()) d.add(v);
  }

  size(): number { return this.stored.get(); }

  flush(out: StateWrite[]): void {
    for (const [k, vs] of this.dirty) {
      const p = this.keyPrefix(k);
      const m = this.cache.get(k);
      // stored values a clear removed first (known by their key bytes), then the counts now
      const order = [...vs].sort((a, b) => Number(b.startsWith(STORED)) - Number(a.startsWith(STORED)));
      for (const v of order) {
        const n = m?.get(v) ?? 0;
        const key = v.startsWith(STORED) ? Buffer.concat([p, Buffer.from(v.slice(STORED.length), 'hex')]) : Buffer.concat([p, keyBytes(v)]);
        out.push({ key, value: n === 0 ? null : encodeState(n) });
        if (n === 0 && m) { m.delete(v); this.cachedEntries--; }
      }
    }
    this.dirty.clear();
    this.cleared.clear();
    this.stored.flush(out);
  }

  cached(): number { return this.cachedEntries; }

  evict(budget: number): void {
    this.cachedEntries -= evictGroups(this.cache, this.dirty, budget, this.cachedEntries);
  }
}
