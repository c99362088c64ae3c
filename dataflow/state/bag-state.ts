// A state table of key -> bag of rows with counts (a join's arrangement: join key -> rows; an
// aggregate's argument values per group; a window's partition rows). On disk each row of a bag
// is its own entry, so a change writes only the rows it touches, however large the bag. A bag
// is read whole into the cache when it is read; a change to a bag that is not cached can be
// written blind (addBlind: a join appending to its own side only probes the other side), so
// that appending to large, cold bags reads nothing.
//
// An entry's disk key is the bag's key and a slot number (unique in the table, from a stored
// sequence), not the row's identity, which can be long. The value holds the row and a count.
// Blind writes put a row's count change in a new slot, so a bag may hold a row in several
// slots; reading the bag sums them (and rewrites them as one slot at the next flush). The
// identity is computed again from the row when read, so it is stored only for the rare row it
// would not survive: a float -0, which MessagePack writes as 0.
import type { Row } from '../../core/datum.js';
import { rowKey } from '../../core/delta.js';
import { decodeState, encodeState } from './codec.js';
import { evictGroups, groupPrefix, keyBytes, StoredCount, type StateStore, type StateTable } from './state-store.js';
import type { StateWrite } from '../../storage/store-types.js';

export interface BagEntry { row: Row; count: number }
interface Slot extends BagEntry { readonly slot: number; readonly id: string }

export class BagState implements StateTable {
  private readonly prefix: Buffer;
  /** cached bags: every row of the key, by identity */
  private readonly cache = new Map<string, Map<string, Slot>>();
  private cachedRows = 0;
  /** per cached key, the slots changed since the last flush (null: removed) */
  private readonly dirty = new Map<string, Map<number, Slot | null>>();
  /** per key not cached, count changes written blind since the last flush */
  private readonly pending = new Map<string, Map<string, BagEntry>>();
  /** stored slots (rows, counting a row held in several slots once per slot) */
  private readonly stored: StoredCount;
  /** the next slot number */
  private readonly slots: StoredCount;

  constructor(private readonly store: StateStore) {
    this.prefix = store.allocate(this);
    const meta = Buffer.concat([this.prefix, Buffer.alloc(4)]);
    this.stored = new StoredCount(store, meta);
    this.slots = new StoredCount(store, Buffer.concat([meta, Buffer.from([1])]));
  }

  private bagPrefix(k: string): Buffer {
    return groupPrefix(this.prefix, k);
  }

  private newSlot(): number {
    const s = this.slots.get();
    this.slots.add(1);
    return s;
  }

  private markDirty(k: string, slot: number, e: Slot | null): void {
    if (!this.store.persistent) return;
    let d = this.dirty.get(k);
    if (!d) { d = new Map(); this.dirty.set(k, d); }
    d.set(slot, e);
  }

  private load(k: string): Map<string, Slot> {
    const c = this.cache.get(k);
    if (c) return c;
    const bag = new Map<string, Slot>();
    this.cache.set(k, bag);
    this.cachedRows++;
    const backend = this.store.reader;
    if (backend) {
      for (const [key, val] of backend.range(this.bagPrefix(k))) {
        const slot = key.readUInt32BE(key.length - 8) * 2 ** 32 + key.readUInt32BE(key.length - 4);
        const [row, count, id] = decodeState(val) as [Row, number, string | undefined];
        const rk = id ?? rowKey(row);
        const e = bag.get(rk);
        if (!e) { bag.set(rk, { row, count, slot, id: rk }); this.cachedRows++; continue; }
        // the row in a second slot (blind writes): one entry, the other slot goes
        e.count += count;
        this.markDirty(k, slot, null);
        this.stored.add(-1);
        if (e.count === 0) { bag.delete(rk); this.markDirty(k, e.slot, null); this.stored.add(-1); this.cachedRows--; } else this.markDirty(k, e.slot, e);
      }
    }
    const blind = this.pending.get(k);
    if (blind) {
      this.pending.delete(k);
      for (const [rk, e] of blind) this.add(k, e.row, e.count, rk);
    }
    return bag;
  }

  /** the rows of key k with their counts, iterable many times (do not change the bag while iterating) */
  rows(k: string): Iterable<BagEntry> {
    const bag = this.load(k);
    return { [Symbol.iterator]: () => bag.values() };
  }

  /** the rows of key k by identity (do not change the bag while iterating) */
  entries(k: string): Iterable<[string, BagEntry]> {
    return this.load(k).entries();
  }

  /** distinct rows under key k */
  bagSize(k: string): number {
    return this.load(k).size;
  }

  count(k: string, rk: string): number {
    return this.load(k).get(rk)?.count ?? 0;
  }

  /** adds `weight` copies of `row` under key k (rk: its identity, rowKey(row), when known); returns the row's count before and after */
  add(k: string, row: Row, weight: number, rk: string = rowKey(row)): { before: number; after: number } {
    const bag = this.load(k);
    let e = bag.get(rk);
    const before = e ? e.count : 0;
    const after = before + weight;
    if (after === 0) {
      if (e) { bag.delete(rk); this.markDirty(k, e.slot, null); this.stored.add(-1); this.cachedRows--; }
    } else if (e) {
      e.count = after;
      this.markDirty(k, e.slot, e);
    } else {
      e = { row, count: after, slot: this.store.persistent ? this.newSlot() : 0, id: rk };
      bag.set(rk, e);
      this.markDirty(k, e.slot, e);
      this.stored.add(1);
      this.cachedRows++;
    }
    if (bag.size === 0 && !this.store.persistent) { this.cache.delete(k); this.cachedRows--; }
    return { before, after };
  }

  /** adds like add() without reading the bag when it is not cached (the change is merged when it is read) */
  addBlind(k: string, row: Row, weight: number, rk: string = rowKey(row)): void {
    if (this.cache.has(k) || !this.store.persistent) { this.add(k, row, weight, rk); return; }
    let p = this.pending.get(k);
    if (!p) { p = new Map(); this.pending.set(k, p); }
    const e = p.get(rk);
    if (!e) p.set(rk, { row, count: weight });
    else if ((e.count += weight) === 0) p.delete(rk);
  }

  /** stored rows across all keys */
  size(): number { return this.stored.get(); }

  private slotKey(p: Buffer, slot: number): Buffer {
    const key = Buffer.allocUnsafe(p.length + 8);
    p.copy(key, 0);
    key.writeUInt32BE(Math.floor(slot / 2 ** 32), p.length);
    key.writeUInt32BE(slot >>> 0, p.length + 4);
    return key;
  }

  private static value(e: BagEntry, id: string): Buffer {
    return encodeState(hasNegativeZero(e.row) ? [e.row, e.count, id] : [e.row, e.count]);
  }

  flush(out: StateWrite[]): void {
    for (const [k, slots] of this.dirty) {
      const p = this.bagPrefix(k);
      for (const [slot, e] of slots) out.push({ key: this.slotKey(p, slot), value: e === null ? null : BagState.value(e, e.id) });
    }
    this.dirty.clear();
    for (const [k, blind] of this.pending) {
      const p = this.bagPrefix(k);
      for (const [rk, e] of blind) {
        out.push({ key: this.slotKey(p, this.newSlot()), value: BagState.value(e, rk) });
        this.stored.add(1);
      }
    }
    this.pending.clear();
    this.stored.flush(out);
    this.slots.flush(out);
  }

  cached(): number { return this.cachedRows; }

  evict(budget: number): void {
    this.cachedRows -= evictGroups(this.cache, this.dirty, budget, this.cachedRows);
  }
}

function hasNegativeZero(row: readonly unknown[]): boolean {
  for (const v of row) {
    if (v === 0 && Object.is(v, -0)) return true;
    if (Array.isArray(v) && hasNegativeZero(v)) return true;
  }
  return false;
}
