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
// through its reader's snapshot, so worker processes agree and a reader sees exactly the versions
// its snapshot holds: a version is visible if its sequence number is after the snapshot's applied
// mark (older ones are in the stores) and at or before its binlog head.
//
// Versions are kept packed (MessagePack, as the row store and the binlog hold rows) in blocks of
// bytes, one small object per version: a delta of 262144 rows as arrays of values was ~2.5M
// objects that every garbage collection had to copy or mark, and ~400 bytes a row. A read
// unpacks the row it asks for; a flush hands the packed bytes on as they are.
import { unpack } from 'msgpackr';
import type { Stored } from './row-codec.js';
import { keyId } from './key-id.js';
import { PackWriter } from './packed-rows.js';
import { sortYielding } from './sort-yielding.js';
import { KeyFilter } from './key-filter.js';

/** A packed row: bytes [at, end) of buf. */
export interface DeltaRow {
  readonly buf: Buffer;
  readonly at: number;
  readonly end: number;
}

/** A key's versions, newest first. buf null: deleted. */
interface Version {
  readonly seq: number;
  readonly buf: Buffer | null;
  readonly at: number;
  readonly end: number;
  prev: Version | null;
}

/** What one reader sees of a table: entries with applied < seq <= head. */
export interface DeltaBounds {
  readonly applied: number;
  readonly head: number;
  /** a bulk load is writing the table (storage/staged-load.ts): its row store is not the reader's */
  readonly loading?: boolean;
}

/** packed rows go into blocks of this size (a block goes once no version in it is held) */
const BLOCK = 1 << 18;

/** a packed row as its values */
function unpacked(v: Version): Stored[] | null {
  return v.buf === null ? null : (unpack(v.buf.subarray(v.at, v.end)) as Stored[]);
}

export class TableDelta {
  /** key id (keyId) -> newest version */
  private readonly keys = new Map<string, Version>();
  /** every id in keys has its bit set: most absent keys are answered without a Map look-up */
  private readonly filter = new KeyFilter();
  /** every entry with base < seq <= head has been added */
  head: number;
  /** entries at or below base are not held (applied to the stores before this copy started) */
  base: number;
  /** the highest applied mark a prune has been scheduled for (DeltaSet) */
  pruneScheduled = 0;
  private sortedIds: string[] | null = null;
  /** the block packed rows are copied into, and how much of it is used */
  private block: Buffer = Buffer.allocUnsafeSlow(0);
  private used = 0;
  /** rows added as values are packed here first */
  private readonly packer = new PackWriter(1 << 10);

  constructor(start: number) {
    this.head = start;
    this.base = start;
  }

  /** keys with versions held */
  get size(): number { return this.keys.size; }

  /** Adds the entry `seq` (the next after head); earlier or repeated numbers are ignored. */
  add(seq: number, key: Buffer, row: Stored[] | null, id: string = keyId(key)): void {
    if (row === null) { this.push(seq, id, null, 0, 0); return; }
    const p = this.packer;
    p.reset();
    p.value(row);
    this.addPacked(seq, id, p.buf, 0, p.len);
  }

  /** add() of a row already packed: bytes [from, to) of src (copied) */
  addPacked(seq: number, id: string, src: Uint8Array, from: number, to: number): void {
    if (seq <= this.head) return;
    const n = to - from;
    if (this.used + n > this.block.length) {
      this.block = Buffer.allocUnsafeSlow(Math.max(BLOCK, n));
      this.used = 0;
    }
    const b = this.block;
    const at = this.used;
    // a row is a few dozen bytes: a loop beats making a view of it to copy from
    if (n <= 64) { for (let i = 0; i < n; i++) b[at + i] = src[from + i]!; }
    else b.set(src.subarray(from, to), at);
    this.used += n;
    this.push(seq, id, b, at, at + n);
  }

  private push(seq: number, id: string, buf: Buffer | null, at: number, end: number): void {
    if (seq <= this.head) return;
    this.head = seq;
    // a commit asks latest() for the key just before it adds its version: one look-up less
    const prev = id === this.lastId ? this.lastTop : this.filter.mayHave(id) ? this.keys.get(id) ?? null : null;
    this.lastId = null;
    this.keys.set(id, { seq, buf, at, end, prev });
    if (prev === null) this.newKey(id);
  }

  private newKey(id: string): void {
    this.sortedIds = null;
    this.filter.add(id);
    if (this.filter.crowded()) this.filter.rebuild(this.keys.keys(), this.keys.size);
  }

  /** the key latest() looked up last and its newest version then (null: none); cleared by any change */
  private lastId: string | null = null;
  private lastTop: Version | null = null;

  /** Notes that entries up to `seq` were read with nothing to add (UPDATE_BEFORE entries, applied ones). */
  skipTo(seq: number): void {
    if (seq > this.head) this.head = seq;
  }

  /**
   * Adds entries older than base (a reader whose snapshot has an earlier applied mark than this
   * copy started from), in ascending order: they go under the versions already held.
   */
  addOlder(entries: readonly { seq: number; key: Buffer; row: Stored[] | null }[], newBase: number): void {
    const p = this.packer;
    this.lastId = null;
    for (let i = entries.length - 1; i >= 0; i--) {
      const { seq, key, row } = entries[i]!;
      let older: Version;
      if (row === null) older = { seq, buf: null, at: 0, end: 0, prev: null };
      else {
        p.reset();
        p.value(row);
        older = { seq, buf: Buffer.from(p.buf.subarray(0, p.len)), at: 0, end: p.len, prev: null };
      }
      const id = keyId(key);
      const top = this.keys.get(id);
      if (!top) { this.keys.set(id, older); this.newKey(id); continue; }
      let v = top;
      while (v.prev) v = v.prev;
      v.prev = older;
    }
    this.base = newBase;
  }

  /** the version a reader with `b` sees (undefined: none in the delta) */
  private find(id: string, b: DeltaBounds): Version | undefined {
    if (!this.filter.mayHave(id)) return undefined;
    for (let v: Version | null = this.keys.get(id) ?? null; v; v = v.prev) {
      if (v.seq > b.head) continue;
      return v.seq > b.applied ? v : undefined;
    }
    return undefined;
  }

  /**
   * The version of a key a reader with `b` sees: a row, null (deleted in the delta), or undefined
   * (not in the delta for this reader: the stores have the answer).
   */
  visible(id: string, b: DeltaBounds): Stored[] | null | undefined {
    const v = this.find(id, b);
    return v === undefined ? undefined : unpacked(v);
  }

  /** the key's newest version whatever the reader (inside a commit, after catching up) */
  latest(id: string, applied: number): Stored[] | null | undefined {
    const v = this.filter.mayHave(id) ? this.keys.get(id) : undefined;
    this.lastId = id;
    this.lastTop = v ?? null;
    return v && v.seq > applied ? unpacked(v) : undefined;
  }

  /** whether the key has a version after `seq` (a flush: was it changed after the flushed state?) */
  changedAfter(id: string, seq: number): boolean {
    const v = this.filter.mayHave(id) ? this.keys.get(id) : undefined;
    return v !== undefined && v.seq > seq;
  }

  /** Every key a reader sees in the delta, with its row (null: deleted), in no particular order. */
  *entries(b: DeltaBounds): Generator<[Buffer, Stored[] | null, string]> {
    for (const id of this.keys.keys()) {
      const v = this.find(id, b);
      if (v !== undefined) yield [Buffer.from(id, 'latin1'), unpacked(v), id];
    }
  }

  /** The same in key order (row-store scans merge it with the B-tree's order). */
  *sorted(b: DeltaBounds, from?: Buffer, to?: Buffer): Generator<[Buffer, Stored[] | null, string]> {
    for (const [key, v, id] of this.sortedPacked(b, from, to)) yield [key, v === null ? null : unpacked(v as Version), id];
  }

  /** sorted() with the rows as packed (a flush writes these bytes into the row store and segments) */
  *sortedPacked(b: DeltaBounds, from?: Buffer, to?: Buffer): Generator<[Buffer, DeltaRow | null, string]> {
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
      const v = this.find(id, b);
      if (v !== undefined) yield [Buffer.from(id, 'latin1'), v.buf === null ? null : (v as DeltaRow), id];
    }
  }

  /**
   * sortedPacked() of every key, sorted without holding the event loop for long (a flush of a
   * million keys). Commits may add versions meanwhile: those are after `b` and not read.
   */
  async sortedPackedYielding(b: DeltaBounds): Promise<[Buffer, DeltaRow | null, string][]> {
    const ids = await sortYielding([...this.keys.keys()]);
    const out: [Buffer, DeltaRow | null, string][] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const v = this.find(id, b);
      if (v !== undefined) out.push([Buffer.from(id, 'latin1'), v.buf === null ? null : (v as DeltaRow), id]);
      if ((i & 0xffff) === 0xffff) await new Promise((r) => setImmediate(r));
    }
    return out;
  }

  /** Drops versions at or below `applied` (flushed into the stores, and no reader needs them). */
  prune(applied: number): void {
    this.lastId = null;
    const before = this.keys.size;
    for (const [id, top] of this.keys) {
      if (top.seq <= applied) { this.keys.delete(id); this.sortedIds = null; continue; }
      for (let v = top; v.prev; v = v.prev) if (v.prev.seq <= applied) { v.prev = null; break; }
    }
    // removed keys leave their bits set: start the filter again once many went
    if (this.keys.size < before) this.filter.rebuild(this.keys.keys(), this.keys.size);
    if (applied > this.base) this.base = applied;
  }
}
