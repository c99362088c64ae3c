// A flush writes a table's delta into its row store ahead of the transaction that moves the
// table's applied mark, as lmdb-js batched writes: their B-tree work runs on lmdb-js's write
// thread while the main thread goes on serving statements. Inside the flush's transaction the
// same puts held the main thread ~1.5 s per 262144 keys of a 5M-row table (each touches a
// different 16 KB page at random).
//
// Writing ahead is safe because the versions written are those the delta keeps up to the
// flush's head: a reader whose snapshot sees a written version also sees, in its delta, that
// key's version at or after it, which it reads first; a reader whose snapshot predates the write
// does not see it. A flush that fails or dies before the mark moves leaves versions the next
// flush writes again (the same or newer ones), so the writes need no undo.
//
// What must not happen is a TRUNCATE or DROP between the flush reading the delta and its writes
// landing: the writes would put rows back into a cleared table. So the flush marks the table
// (meta 'rowFlush:<oid>') in a transaction that checks the delta is still the one it read.
// TRUNCATE and DROP in this process wait for the flush; in another process they find the mark
// and retry until it goes (Store.commit), failing with 40001 only if it stays for long. The
// flush's transaction removes the mark; a mark whose process died goes when the store opens.
import { asBinary, type Database, type RootDatabase } from 'lmdb';
import type { Stored } from './row-codec.js';
import type { DeltaBounds, DeltaRow } from './delta.js';
import type { DeltaSet } from './delta-set.js';
import { processMark, markAlive, type ProcessMark } from './process-mark.js';
import { SqlError, SqlState } from '../core/errors.js';

/** a TRUNCATE or DROP met another process's row flush of the table (Store.commit retries it) */
export class FlushRunning extends SqlError {
  constructor() {
    super(SqlState.SerializationFailure, 'could not serialize access: a flush of the table is running');
  }
}

export const rowFlushKey = (oid: number): string => 'rowFlush:' + oid;

export interface RowFlushHost {
  readonly root: RootDatabase;
  readonly rows: Database<Stored[], Buffer>;
  readonly meta: Database<unknown, string>;
  readonly deltas: DeltaSet;
}

export class RowFlushes {
  /** tables whose row store a flush of this process writes ahead: TRUNCATE and DROP wait for these */
  private readonly running = new Map<number, { done: Promise<void>; release: () => void }>();

  constructor(private readonly host: RowFlushHost) {}

  /**
   * Writes `entries` (key order; null removes the key) into the row store once the table is
   * marked, if its delta is still as of `b`. false: it is not (TRUNCATE, DROP), nothing written.
   * Either way the caller must call end() after its transaction.
   */
  async writeAhead(oid: number, b: DeltaBounds, entries: Entries, packed?: PackedRows): Promise<boolean> {
    let release!: () => void;
    this.running.set(oid, { done: new Promise<void>((r) => { release = r; }), release: () => release() });
    const { root, rows, meta, deltas } = this.host;
    const marked = await root.transaction(() => {
      const now = deltas.bounds(oid);
      if (now.applied !== b.applied || now.head < b.head) return false;
      meta.put(rowFlushKey(oid), processMark());
      return true;
    });
    if (!marked) return false;
    await (packed ? putPacked(rows, entries, packed) : putEach(rows, entries));
    return true;
  }

  /** inside the transaction that moves the applied mark */
  unmark(oid: number): void {
    this.host.meta.remove(rowFlushKey(oid));
  }

  /** after the flush's transaction, whatever became of it: a mark still there goes, waiting commits go on */
  async end(oid: number): Promise<void> {
    const run = this.running.get(oid);
    if (!run) return;
    try {
      // the flush failed before or in its transaction
      if (this.host.meta.get(rowFlushKey(oid)) !== undefined) await this.host.root.transaction(() => this.host.meta.remove(rowFlushKey(oid)));
    } finally {
      this.running.delete(oid);
      run.release();
    }
  }

  /** waits for this process's flushes of these tables (a TRUNCATE or DROP is about to commit) */
  async settled(oids: Iterable<number>): Promise<void> {
    for (const oid of oids) await this.running.get(oid)?.done;
  }

  get busy(): boolean {
    return this.running.size > 0;
  }
}

/**
 * The live entries' rows as the flush packed them for its segments (MessagePack, as the row
 * store keeps them): part k holds live rows [k * size, ...), row j at rows[rowAt[j], rowAt[j + 1]).
 * The bytes must be a plain ArrayBuffer's: lmdb-js takes its address (a SharedArrayBuffer's
 * gave corrupt values).
 */
export interface PackedRows {
  readonly size: number;
  readonly parts: readonly { readonly rows: Uint8Array; readonly rowAt: Uint32Array }[];
}

type Entries = readonly (readonly [Buffer, DeltaRow | null, ...unknown[]])[];

/**
 * Entries (in key order) go in slices of this many, each a write batch of its own: a slice
 * covers one stretch of keys, so each B-tree page is still written about once in all, and the
 * commits that queue meanwhile run between slices instead of waiting for the whole flush
 * (262144 keys of a 5M-row table: ~2 s). 1M upserts into 5M rows, batches of 1000: 16384 per
 * slice ~37 s, 4096 and 1024 ~35 s (1024: p90 batch 45 ms instead of 52).
 */
const SLICE = 1024;

async function putEach(db: Database<Stored[], Buffer>, entries: Entries): Promise<void> {
  for (let from = 0; from < entries.length; from += SLICE) {
    let last: Promise<boolean> | undefined;
    for (let i = from; i < Math.min(from + SLICE, entries.length); i++) {
      const [key, row] = entries[i]!;
      last = row === null ? db.remove(key) : db.put(key, asBinary(row.buf.subarray(row.at, row.end)) as never);
    }
    await last;
  }
}

/**
 * The same writes from the packed rows, without encoding each row again. A batched write takes
 * the address of the bytes between a buffer's `start` and `end` (lmdb-js keeps the buffer until
 * it is written).
 */
async function putPacked(db: Database<Stored[], Buffer>, entries: Entries, packed: PackedRows): Promise<void> {
  const values = packed.parts.map((p) => {
    const bytes = p.rows as Uint8Array & { start?: number; end?: number };
    return { bytes, value: asBinary(bytes) as never, base: bytes.byteOffset, rowAt: p.rowAt };
  });
  /** live entries before the current one: the index into the packed rows */
  let live = 0;
  for (let from = 0; from < entries.length; from += SLICE) {
    let last: Promise<boolean> | undefined;
    try {
      for (let i = from; i < Math.min(from + SLICE, entries.length); i++) {
        const [key, row] = entries[i]!;
        if (row === null) { last = db.remove(key); continue; }
        const v = values[Math.floor(live / packed.size)]!;
        const j = live++ % packed.size;
        v.bytes.start = v.base + v.rowAt[j]!;
        v.bytes.end = v.base + v.rowAt[j + 1]!;
        last = db.put(key, v.value);
      }
    } finally {
      for (const v of values) { delete v.bytes.start; delete v.bytes.end; }
    }
    await last;
  }
}

/** whether a flush (of any process) is writing the table's row store ahead, inside a write transaction */
export function rowFlushRunning(meta: Database<unknown, string>, oid: number): boolean {
  return meta.get(rowFlushKey(oid)) !== undefined;
}

/** When the store opens: marks of flushes whose process is gone are removed. */
export function recoverRowFlushes(root: RootDatabase, meta: Database<unknown, string>): number {
  const dead: string[] = [];
  for (const { key, value } of meta.getRange({ start: 'rowFlush:', end: 'rowFlush;' }) as Iterable<{ key: string; value: ProcessMark }>) {
    if (!markAlive(value)) dead.push(key);
  }
  if (dead.length) root.transactionSync(() => { for (const k of dead) meta.remove(k); });
  return dead.length;
}
