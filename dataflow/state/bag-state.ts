// A state table of key -> bag of rows with counts (a join's arrangement: join key -> rows; an
// aggregate's argument values per group; a window's partition rows). On disk each row of a bag
// is its own entry, so a change writes only the rows it touches, however large the bag. A bag
// is read whole into the cache on first use. An entry's disk key is the bag's key and a slot
// number given when the row entered the bag (not the row's identity, which can be long): the
// value holds the row and its count (the identity is computed again when the bag is read, so
// it is stored only for the rare row it would not survive: a float -0, which MessagePack
// writes as 0).
import type { Row } from '../../core/datum.js';
import { rowKey } from '../../core/delta.js';
import { decodeState, encodeState } from './codec.js';
import { keyBytes, StoredCount, type StateStore, type StateTable } from './state-store.js';
import type { StateWrite } from '../../storage/store-types.js';

export interface BagEntry { row: Row; count: number }
interface Slot extends BagEntry { readonly slot: number; readonly id: string }
interface Bag {
  readonly entries: Map<string, Slot>;
  /** the slot number of the next row that enters the bag */
  nextSlot: number;
}

export class BagState implements StateTable {
  private readonly prefix: Buffer;
  private readonly countKey: Buffer;
  private readonly cache = new Map<string, Bag>();
  private cachedRows = 0;
  /** per key, the slots changed since the last flush (null: removed) */
  private readonly dirty = new Map<string, Map<number, Slot | null>>();
  private readonly stored: StoredCount;

  constructor(private readonly store: StateStore) {
    this.prefix = store.allocate(this);
    this.countKey = Buffer.concat([this.prefix, Buffer.alloc(4)]);
    this.stored = new StoredCount(store, this.countKey);
  }

  private bagPrefix(k: string): Buffer {
    const kb = keyBytes(k);
    const p = Buffer.allocUnsafe(this.prefix.length + 4 + kb.length);
    this.prefix.copy(p, 0);
    p.writeUInt32BE(kb.length, this.prefix.length);
    kb.copy(p, this.prefix.length + 4);
    return p;
  }

  private load(k: string): Bag {
    const c = this.cache.get(k);
    if (c) return c;
    const bag: Bag = { entries: new Map(), nextSlot: 0 };
    const backend = this.store.reader;
    if (backend) {
      for (const [key, val] of backend.range(this.bagPrefix(k))) {
        const slot = key.readUInt32BE(key.length - 4);
        const [row, count, id] = decodeState(val) as [Row, number, string | undefined];
        const rk = id ?? rowKey(row);
        bag.entries.set(rk, { row, count, slot, id: rk });
        if (slot >= bag.nextSlot) bag.nextSlot = slot + 1;
      }
    }
    this.cache.set(k, bag);
    this.cachedRows += bag.entries.size + 1;
    return bag;
  }

  /** the rows of key k with their counts, iterable many times (do not change the bag while iterating) */
  rows(k: string): Iterable<BagEntry> {
    const bag = this.load(k);
    return { [Symbol.iterator]: () => bag.entries.values() };
  }

  /** the rows of key k by identity (do not change the bag while iterating) */
  entries(k: string): Iterable<[string, BagEntry]> {
    return this.load(k).entries.entries();
  }

  /** distinct rows under key k */
  bagSize(k: string): number {
    return this.load(k).entries.size;
  }

  count(k: string, rk: string): number {
    return this.load(k).entries.get(rk)?.count ?? 0;
  }

  /** adds `weight` copies of `row` under key k (rk: its identity, rowKey(row), when known); returns the row's count before and after */
  add(k: string, row: Row, weight: number, rk: string = rowKey(row)): { before: number; after: number } {
    const bag = this.load(k);
    let e = bag.entries.get(rk);
    const before = e ? e.count : 0;
    const after = before + weight;
    if (after === 0) {
      if (e) { bag.entries.delete(rk); this.stored.add(-1); this.cachedRows--; }
    } else if (e) {
      e.count = after;
    } else {
      e = { row, count: after, slot: bag.nextSlot++, id: rk };
      bag.entries.set(rk, e);
      this.stored.add(1);
      this.cachedRows++;
    }
    if (e && this.store.persistent) {
      let d = this.dirty.get(k);
      if (!d) { d = new Map(); this.dirty.set(k, d); }
      d.set(e.slot, after === 0 ? null : e);
    } else if (bag.entries.size === 0) {
      this.cache.delete(k);
      this.cachedRows--;
    }
    return { before, after };
  }

  /** distinct rows across all keys */
  size(): number { return this.stored.get(); }

  flush(out: StateWrite[]): void {
    for (const [k, slots] of this.dirty) {
      const p = this.bagPrefix(k);
      for (const [slot, e] of slots) {
        const key = Buffer.allocUnsafe(p.length + 4);
        p.copy(key, 0);
        key.writeUInt32BE(slot, p.length);
        out.push({ key, value: e === null ? null : encodeState(hasNegativeZero(e.row) ? [e.row, e.count, e.id] : [e.row, e.count]) });
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
      this.cachedRows -= bag.entries.size + 1;
    }
  }
}


function hasNegativeZero(row: readonly unknown[]): boolean {
  for (const v of row) {
    if (v === 0 && Object.is(v, -0)) return true;
    if (Array.isArray(v) && hasNegativeZero(v)) return true;
  }
  return false;
}
