// Operator state that outlives the process and need not fit in memory. Each stateful operator
// asks its circuit's StateStore for keyed tables (KeyedState: key -> value; BagState: key -> bag
// of rows; CountState: (key, value) -> count). Reads go to a bounded in-memory cache, then to
// storage; changes stay in memory (dirty) until the view maintainer writes them at a checkpoint,
// in a commit with the binlog positions they reflect. Clean entries are evicted past the cache
// budget: memory is bounded by the budget plus the changes of one checkpoint interval, not by
// the state's size.
//
// Keys on disk: owner (the view's oid, 4 bytes) | table number (2 bytes) | the entry's key.
// A StateStore without a backend keeps everything in memory (EXPLAIN, validation at CREATE).
import { hash } from 'node:crypto';
import type { StateWrite } from '../../storage/store-types.js';
import { decodeState, encodeState } from './codec.js';

/** where persisted state is read from (storage/store.ts: latest committed state) */
export interface StateBackend {
  get(key: Buffer): Buffer | undefined;
  range(prefix: Buffer): Iterable<[Buffer, Buffer]>;
}

/** a state table's part of a StateStore: changes out, cache trimmed */
export interface StateTable {
  /** moves this round's changes into `out` (they are clean afterwards) */
  flush(out: StateWrite[]): void;
  /** drops clean cached entries beyond `budget` cached entries (rows for bags) */
  evict(budget: number): void;
  /** entries cached now (rows for bags) */
  cached(): number;
}

/** the bytes of a key component: short strings as they are, long ones by a 160-bit hash (LMDB keys are at most ~2 kB) */
export function keyBytes(s: string): Buffer {
  const len = Buffer.byteLength(s, 'utf8');
  if (len <= 120) {
    const b = Buffer.allocUnsafe(1 + len);
    b[0] = 1;
    b.write(s, 1, 'utf8');
    return b;
  }
  const b = Buffer.allocUnsafe(21);
  b[0] = 2;
  (hash('sha1', s, 'buffer') as Buffer).copy(b, 1);
  return b;
}

/** a table's prefix, then the length and bytes of key k: all entries under k share it */
export function groupPrefix(tablePrefix: Buffer, k: string): Buffer {
  const kb = keyBytes(k);
  const p = Buffer.allocUnsafe(tablePrefix.length + 4 + kb.length);
  tablePrefix.copy(p, 0);
  p.writeUInt32BE(kb.length, tablePrefix.length);
  kb.copy(p, tablePrefix.length + 4);
  return p;
}

/**
 * Drops clean groups (key -> map of entries) from a cache, oldest first, until `cached()` is
 * within the budget; returns how many cache entries went (a group counts its size plus one).
 */
export function evictGroups(cache: Map<string, Map<string, unknown>>, dirty: ReadonlyMap<string, unknown>, budget: number, cached: number): number {
  let gone = 0;
  for (const [k, m] of cache) {
    if (cached - gone <= budget) break;
    if (dirty.has(k)) continue;
    cache.delete(k);
    gone += m.size + 1;
  }
  return gone;
}

export class StateStore {
  private readonly tables: StateTable[] = [];
  private nextTable = 0;

  /**
   * @param owner the view's oid (the first four bytes of every key)
   * @param backend persisted state; null: memory only, nothing is ever evicted
   * @param budget cached entries across this store's tables before clean ones are evicted
   */
  constructor(readonly owner: number, private readonly backend: StateBackend | null, private readonly budget = 100_000) {}

  /** where tables read stored state from (null: nothing stored to read) */
  get reader(): StateBackend | null { return this.backend; }

  /** the commit with this store's flushed changes is done: caches can shrink */
  committed(): void {
    this.evict();
  }

  /** the key prefix of the next state table (tables are numbered in build order, stable for a given plan) */
  allocate(t: StateTable): Buffer {
    this.tables.push(t);
    const p = Buffer.alloc(6);
    p.writeUInt32BE(this.owner, 0);
    p.writeUInt16BE(this.nextTable++, 4);
    return p;
  }

  get persistent(): boolean { return this.backend !== null; }

  /** how many state tables the circuit has (part of its shape: a different shape cannot reuse stored state) */
  get tableCount(): number { return this.nextTable; }

  /** this round's changes of every table, for the commit */
  flush(out: StateWrite[]): void {
    for (const t of this.tables) t.flush(out);
  }

  /** after the commit: trims the caches to the budget */
  private evict(): void {
    if (!this.backend) return;
    let total = 0;
    for (const t of this.tables) total += t.cached();
    if (total <= this.budget) return;
    // each table keeps a share of the budget proportional to its size
    for (const t of this.tables) t.evict(Math.floor((this.budget * t.cached()) / total));
  }

  /** the key prefix of all of an owner's state */
  static ownerPrefix(owner: number): Buffer {
    const p = Buffer.alloc(4);
    p.writeUInt32BE(owner, 0);
    return p;
  }
}

/** how many entries a state table holds, stored under its own key (read once, written when changed) */
export class StoredCount {
  private n: number | null = null;
  private changed = false;

  constructor(private readonly store: StateStore, private readonly key: Buffer) {}

  get(): number {
    if (this.n === null) {
      const b = this.store.reader?.get(this.key);
      this.n = b === undefined ? 0 : (decodeState(b) as number);
    }
    return this.n;
  }

  add(d: number): void {
    this.n = this.get() + d;
    this.changed = true;
  }

  flush(out: StateWrite[]): void {
    if (this.changed && this.store.persistent) out.push({ key: this.key, value: encodeState(this.n ?? 0) });
    this.changed = false;
  }
}
