// A worker thread that encodes and writes the column segments of bulk loads, so that the main
// thread goes on parsing and packing the next rows meanwhile. A job is one segment's rows as
// the load packed them (MessagePack rows and keys, back to back, in key order); the worker writes
// the file (fsynced, renamed into place, directory fsynced) and answers with its zone maps and
// the rows' binlog chunks (storage/bulk-binlog.ts), packed while it has the rows at hand.
import { parentPort } from 'node:worker_threads';
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SqlType } from '../../core/types.js';
import { encodeColumns, binaryColumn, type ZoneMap } from './segment-format.js';
import { unpackColumns } from './packed-columns.js';
import { packBinlogChunks, type PackedBinlog } from '../bulk-binlog.js';

export interface SegmentJob {
  readonly seq: number;
  readonly file: string;
  readonly types: readonly SqlType[];
  readonly n: number;
  readonly rows: Uint8Array;
  readonly rowAt: Uint32Array;
  readonly keys: Uint8Array;
  readonly keyAt: Uint32Array;
  /** false: no binlog chunks (default: packed with the segment) */
  readonly binlog?: boolean;
}

export interface SegmentWritten {
  readonly zones: ZoneMap[];
  readonly bytes: number;
  /** the rows' binlog chunks; null for a job that asked for none (a flush: its rows are logged already) */
  readonly binlog: PackedBinlog | null;
}
export type SegmentJobResult = ({ readonly seq: number } & SegmentWritten) | { readonly seq: number; readonly error: string };

/** encodes and writes one segment file; returns its zone maps and size, and the rows' binlog chunks */
export function runSegmentJob(job: SegmentJob): SegmentWritten {
  const cols = unpackColumns(job.types.length, job.rows, job.rowAt, job.n);
  const { bytes, zones } = encodeColumns(job.types, job.n, (c) => cols[c]!, binaryColumn(job.keys, job.keyAt, job.n));
  const tmp = job.file + '.tmp';
  try {
    const fd = openSync(tmp, 'w');
    try { writeSync(fd, bytes); fsyncSync(fd); } finally { closeSync(fd); }
    renameSync(tmp, job.file);
  } catch (err) {
    // a full disk, say: no half-written file stays behind
    try { unlinkSync(tmp); } catch { /* never made */ }
    throw err;
  }
  const dfd = openSync(dirname(job.file), 'r');
  try { fsyncSync(dfd); } finally { closeSync(dfd); }
  return { zones, bytes: bytes.byteLength, binlog: job.binlog === false ? null : packBinlogChunks(job.n, job.rows, job.rowAt, job.keys, job.keyAt) };
}

parentPort?.on('message', (job: SegmentJob) => {
  let reply: SegmentJobResult;
  const transfer: ArrayBuffer[] = [];
  try {
    const r = runSegmentJob(job);
    // the binlog chunks move to the main thread without a copy (their buffer holds nothing else)
    if (r.binlog) transfer.push(r.binlog.bytes.buffer as ArrayBuffer);
    reply = { seq: job.seq, ...r };
  } catch (err) {
    reply = { seq: job.seq, error: err instanceof Error ? err.stack ?? err.message : String(err) };
  }
  parentPort!.postMessage(reply, transfer);
});
