// Writing a bulk load's sealed chunks (storage/bulk-insert.ts) inside a write transaction: the
// rows into the row store, the packed binlog chunks into the binlog. Used by the commit of a
// load (store.ts) and by a staged load as it goes (staged-load.ts).
import { asBinary, type Database } from 'lmdb';
import { unpack } from 'msgpackr';
import type { Stored } from './row-codec.js';
import type { Binlog } from './binlog.js';
import type { BulkChunk } from './bulk-insert.js';
import type { PackedBinlog } from './bulk-binlog.js';
import { stampChunk, chunkEntries } from './bulk-binlog.js';

const APPEND = { append: true };
const NO_OVERWRITE = { noOverwrite: true };

/**
 * Puts a chunk's rows. Keys past the last in the database (a load in key order into the newest
 * table) are appended while `append` holds: LMDB skips the search and fills pages whole; the
 * first key it refuses ends appending. A key already there throws `duplicate(its row)`.
 * Returns whether appending still holds.
 */
export function putChunkRows(db: Database<Stored[], Buffer>, c: BulkChunk, append: boolean, duplicate: (stored: Stored[]) => Error): boolean {
  // one value object for all the chunk's rows: lmdb-js writes the bytes between a buffer's
  // `start` and `end` (offsets from its ArrayBuffer's start), so no view is made per row
  const rows = c.rows as Buffer & { start?: number; end?: number };
  const value = asBinary(rows) as never;
  const base = rows.byteOffset;
  const keys = c.keys;
  try {
    for (let i = 0; i < c.n; i++) {
      const key = keyBuffer(keys, c.keyAt[i]!, c.keyAt[i + 1]!);
      rows.start = base + c.rowAt[i]!;
      rows.end = base + c.rowAt[i + 1]!;
      if (!append || !(db.putSync(key, value, APPEND) as unknown as boolean)) {
        append = false;
        if (!(db.putSync(key, value, NO_OVERWRITE) as unknown as boolean)) throw duplicate(unpack(rows.subarray(c.rowAt[i]!, c.rowAt[i + 1]!)) as Stored[]);
      }
    }
  } finally {
    delete rows.start;
    delete rows.end;
  }
  return append;
}

/**
 * Buffers keys are copied into for a synchronous put, one per key length: lmdb-js copies a key
 * when it is called, and a view per row (5M rows of a COPY) cost ~0.4 s of allocation.
 */
const scratch: Buffer[] = [];

function keyBuffer(keys: Buffer, from: number, to: number): Buffer {
  const n = to - from;
  if (n > 64) return keys.subarray(from, to);
  const b = scratch[n] ??= Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = keys[from + i]!;
  return b;
}

/** Writes packed binlog chunks stamped with `commitMicros`, numbered from `first`; returns the next number. */
export function appendBinlogChunks(binlogs: Binlog, oid: number, first: number, packed: PackedBinlog, commitMicros: number): number {
  let seq = first;
  const { bytes, at } = packed;
  for (let k = 0; k + 1 < at.length; k++) {
    const chunk = Buffer.from(bytes.buffer, bytes.byteOffset + at[k]!, at[k + 1]! - at[k]!);
    stampChunk(chunk, commitMicros);
    binlogs.appendPacked(oid, seq, chunk);
    seq += chunkEntries(chunk);
  }
  return seq;
}
