// A bulk load's binlog entries, packed ahead of its commit: chunks of up to BINLOG_CHUNK INSERT
// entries in the binlog's stored form ([commit µs, [[event, row, key], ...]]), built from the
// load's packed rows and keys (on the segment worker thread for a table with a column store).
// The commit only stamps the commit time into each chunk and writes it under its sequence number.
import { PackWriter } from './packed-rows.js';

/** entries per stored binlog chunk (storage/binlog.ts) */
export const BINLOG_CHUNK = 1024;

/** offset of the commit time (a float64) in a packed chunk: after [fixarray(2), float64 marker] */
const TS_AT = 2;
/** offset of the entry count (array16) */
export const COUNT_AT = 11;
const INSERT = 5;

export interface PackedBinlog {
  /** the chunks back to back */
  readonly bytes: Uint8Array;
  /** chunk i is bytes [at[i], at[i + 1]) */
  readonly at: Uint32Array;
}

export function packBinlogChunks(n: number, rows: Uint8Array, rowAt: Uint32Array, keys: Uint8Array, keyAt: Uint32Array): PackedBinlog {
  const chunks = Math.ceil(n / BINLOG_CHUNK);
  const w = new PackWriter(Math.max(1024, rowAt[n]! + keyAt[n]! + n * 4 + chunks * 16));
  const at = new Uint32Array(chunks + 1);
  for (let c = 0; c < chunks; c++) {
    at[c] = w.len;
    const from = c * BINLOG_CHUNK;
    const to = Math.min(n, from + BINLOG_CHUNK);
    w.arrayHeader(2);
    w.float64(0);
    w.array16(to - from);
    for (let i = from; i < to; i++) {
      w.arrayHeader(3);
      w.value(INSERT);
      w.rawRange(rows, rowAt[i]!, rowAt[i + 1]!);
      w.bin(keys.subarray(keyAt[i]!, keyAt[i + 1]!));
    }
  }
  at[chunks] = w.len;
  return { bytes: w.takeOwned(), at };
}

/** the entries a packed chunk holds */
export function chunkEntries(chunk: Uint8Array): number {
  return (chunk[COUNT_AT]! << 8) | chunk[COUNT_AT + 1]!;
}

/** stamps the commit time into a packed chunk */
export function stampChunk(chunk: Buffer, commitMicros: number): void {
  chunk.writeDoubleBE(commitMicros, TS_AT);
}
