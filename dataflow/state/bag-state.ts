// A state table of key -> bag of rows with counts (a join's arrangement: join key -> rows; an
// aggregate's argument values per group; a window's partition rows). On disk each row of a bag
// is its own entry (key | row identity -> row, count), so a change writes only the rows it
// touches, however large the bag. A bag is read whole into the cache on first use.
import type { Row } from '../../core/datum.js';
import { rowKey } from '../../core/delta.js';
import { decodeState, encodeState } from './codec.js';
import { keyBytes, StoredCount, type StateStore, type StateTable } from './state-store.js';
import type { StateWrite } from '../../storage/store-types.js';

export interface BagEntry { row: Row; count: number }
type Bag = Map<string, BagEntry>;

const EMPTY: Bag = new Map();

export class BagState implements StateTable {
  private readonly prefix: Buffer;
  private readonly countKey: Buffer;
  private readonly cache = new Map<string, Bag>();
  private cachedRows = 0;
  /** per key, the row identities changed since the last flush */
  private readonly dirty = new Map<string, Set<string>>();
  private readonly stored: StoredCount;

  constructor(private readonly store: StateStore) {
    this.prefix = store.allocate(this);
    this.countKey = Buffer.concat([this.prefix, Buffer.alloc(4)]);
    this.stored = new StoredCount(store, this.countKey);
  }

  private bagPrefix(k: string): Buffer {
    const kb = keyBytes(k);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(kb.length, 0);
    return Buffer.concat([this.prefix, len, kb]);
  }

  private load(k: string): Bag {
    const c = this.cache.get(k);
    if (c) return c;
    const bag: Bag = new Map();
    const backend = this.store.reader;
    if (backend) {
      for (const [, val] of backend.range(this.bagPrefix(k))) {
        const [rk, row, count] = decodeState(val) as [string, Row, number];
        bag.set(rk, { row, count });
      }
    }
    this.cache.set(k, bag);
    this.cachedRows += bag.size + 1;
    return bag;
  }

  /** the rows of key k with their counts, iterable many times (do not change the bag while iterating) */
  rows(k: string): Iterable<BagEntry> {
    const bag = this.load(k);
    return { [Symbol.iterator]: () => bag.values() };
  }

  /** distinct rows under key k */
  bagSize(k: string): number {
    return this.load(k).size;
  }

  count(k: string, rk: string): number {
    return this.load(k).get(rk)?.count ?? 0;
  }

  /** adds `weight` copies of `row` under key k; returns the row's count before and after */
  add(k: string, row: Row, weight: number, rk: string = rowKey(row)): { before: number; after: number } {
    const bag = this.load(k);
    const e = bag.get(rk);
    const before = e ? e.count : 0;
    const after = before + weight;
    if (after === 0) { bag.delete(rk); this.adjust(-1); this.cachedRows--; }
    else if (e) e.count = after;
    else { bag.set(rk, { row, count: after }); this.adjust(1); this.cachedRows++; }
    if (this.store.persistent) {
      let d = this.dirty.get(k);
      if (!d) { d = new Set(); this.dirty.set(k, d); }
      d.add(rk);
    } else if (bag.size === 0) {
      this.cache.delete(k);
      this.cachedRows--;
    }
    return { before, after };
  }

  /** distinct rows across all keys */
  size(): number { return this.stored.get(); }

  private adjust(d: number): void { this.stored.add(d); }

  flush(out: StateWrite[]): void {
    for (const [k, rks] of this.dirty) {
      const bag = this.cache.get(k) ?? EMPTY;
      const p = this.bagPrefix(k);
      for (const rk of rks) {
        const e = bag.get(rk);
        out.push({ key: Buffer.concat([p, keyBytes(rk)]), value: e ? encodeState([rk, e.row, e.count]) : null });
      }
    }
    this.dirty.clear();
    this.stored.flush(out);
  }

  cached(): number { return this.cachedRows; }

  evict(budget: number): void {
    for (const [k, bag] of this.cache) {
      if (this.cachedRows <= budget) break;
      if (this.dirty.has(k)) continue;
      this.cache.delete(k);
      this.cachedRows -= bag.size + 1;
    }
  }
}
