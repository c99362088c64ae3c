// The delta: a table's changes since its last flush, kept in memory and nowhere else but the
// binlog. A commit appends its changes to the table's binlog (one sequential LMDB write per 1024
// rows) and sets the delete bits of superseded segment rows; it does not touch the row store's
// B-tree or the column memtable. A flush later applies the delta to the row store (one sorted
// pass) and writes it into column segments, and moves the table's applied mark forward. This is
// PostgreSQL's WAL-then-checkpoint split: random page writes leave the commit path.
//
// The binlog is the write-ahead log: every entry after a table's applied mark is the delta, so
// recovery after kill -9 is reading that tail again (time proportional to the unflushed buffer,
// not to the table). Each process keeps its own copy of the delta and catches up from the binlog
// through its reader's snapshot, so worker processes sharing the data directory agree, and a
// reader sees exactly the versions its snapshot holds: a version is visible if its sequence
// number is after the snapshot's applied mark (older ones are in the stores) and at or before
// its binlog head.
import type { Stored } from './row-codec.js';
import { keyId } from './key-id.js';

/** A key's versions, newest first. row null: deleted. */
interface Version {
  readonly seq: number;
  readonly row: Stored[] | null;
  prev: Version | null;
}

interface KeyVersions {
  readonly key: Buffer;
  top: Version;
}

/** What one reader sees of a table: entries with applied < seq <= head. */
export interface DeltaBounds {
  readonly applied: number;
  readonly head: number;
  /** a bulk load is writing the table (storage/staged-load.ts): its row store is not the reader's */
  readonly loading?: boolean;
}

export class TableDelta {
  private readonly keys = new Map<string, KeyVersions>();
  /** every entry with base < seq <= head has been added */
  head: number;
  /** entries at or below base are not held (applied to the stores before this copy started) */
  base: number;
  /** the highest applied mark a prune has been scheduled for (DeltaSet) */
  pruneScheduled = 0;
  private sortedIds: string[] | null = null;

  constructor(start: number) {
    this.head = start;
    this.base = start;
  }

  /** keys with versions held */
  get size(): number { return this.keys.size; }

  /** Adds the entry `seq` (the next after head); earlier or repeated numbers are ignored. */
  add(seq: number, key: Buffer, row: Stored[] | null, id: string = keyId(key)): void {
    if (seq <= this.head) return;
    this.head = seq;
    const kv = this.keys.get(id);
    if (kv) kv.top = { seq, row, prev: kv.top };
    else { this.keys.set(id, { key, top: { seq, row, prev: null } }); this.sortedIds = null; }
  }

  /** Notes that entries up to `seq` were read with nothing to add (UPDATE_BEFORE entries, applied ones). */
  skipTo(seq: number): void {
    if (seq > this.head) this.head = seq;
  }

  /**
   * Adds entries older than base (a reader whose snapshot has an earlier applied mark than this
   * copy started from), in ascending order: they go under the versions already held.
   */
  addOlder(entries: readonly { seq: number; key: Buffer; row: Stored[] | null }[], newBase: number): void {
    for (let i = entries.length - 1; i >= 0; i--) {
      const { seq, key, row } = entries[i]!;
      const id = keyId(key);
      const kv = this.keys.get(id);
      if (!kv) { this.keys.set(id, { key, top: { seq, row, prev: null } }); this.sortedIds = null; continue; }
      let v = kv.top;
      while (v.prev) v = v.prev;
      v.prev = { seq, row, prev: null };
    }
    this.base = newBase;
  }

  /**
   * The version of a key a reader with `b` sees: a row, null (deleted in the delta), or undefined
   * (not in the delta for this reader: the stores have the answer).
   */
  visible(id: string, b: DeltaBounds): Stored[] | null | undefined {
    const kv = this.keys.get(id);
    if (!kv) return undefined;
    for (let v: Version | null = kv.top; v; v = v.prev) {
      if (v.seq > b.head) continue;
      return v.seq > b.applied ? v.row : undefined;
    }
    return undefined;
  }

  /** the key's newest version whatever the reader (inside a commit, after catching up) */
  latest(id: string, applied: number): Stored[] | null | undefined {
    const v = this.keys.get(id)?.top;
    return v && v.seq > applied ? v.row : undefined;
  }

  /** whether the key has a version after `seq` (a flush: was it changed after the flushed state?) */
  changedAfter(id: string, seq: number): boolean {
    const v = this.keys.get(id)?.top;
    return v !== undefined && v.seq > seq;
  }

  /** Every key a reader sees in the delta, with its row (null: deleted), in no particular order. */
  *entries(b: DeltaBounds): Generator<[Buffer, Stored[] | null, string]> {
    for (const [id, kv] of this.keys) {
      const r = this.visible(id, b);
      if (r !== undefined) yield [kv.key, r, id];
    }
  }

  /** The same in key order (row-store scans merge it with the B-tree's order). */
  *sorted(b: DeltaBounds, from?: Buffer, to?: Buffer): Generator<[Buffer, Stored[] | null, string]> {
    // latin1 key ids compare char by char as the keys' bytes do
    this.sortedIds ??= [...this.keys.keys()].sort();
    const ids = this.sortedIds;
    let i = 0;
    if (from) {
      const f = keyId(from);
      let lo = 0, hi = ids.length;
      while (lo < hi) { const m = (lo + hi) >>> 1; if (ids[m]! < f) lo = m + 1; else hi = m; }
      i = lo;
    }
    const t = to ? keyId(to) : null;
    for (; i < ids.length; i++) {
      const id = ids[i]!;
      if (t !== null && id >= t) break;
      const kv = this.keys.get(id);
      if (!kv) continue;
      const r = this.visible(id, b);
      if (r !== undefined) yield [kv.key, r, id];
    }
  }

  /** Drops versions at or below `applied` (flushed into the stores, and no reader needs them). */
  prune(applied: number): void {
    for (const [id, kv] of this.keys) {
      if (kv.top.seq <= applied) { this.keys.delete(id); this.sortedIds = null; continue; }
      for (let v = kv.top; v.prev; v = v.prev) if (v.prev.seq <= applied) { v.prev = null; break; }
    }
    if (applied > this.base) this.base = applied;
  }
}
