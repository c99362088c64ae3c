// A worker thread that encodes and writes the column segments of bulk loads, so that the main
// thread goes on parsing and packing the next rows meanwhile. A job is one segment's rows as
// the load packed them (MessagePack rows and keys, back to back, in key order); the worker writes
// the file (fsynced, renamed into place, directory fsynced) and answers with its zone maps.
import { parentPort } from 'node:worker_threads';
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { unpack } from 'msgpackr';
import type { SqlType } from '../../core/types.js';
import type { Stored } from '../row-codec.js';
import { encodeSegment, type ZoneMap } from './segment-format.js';

export interface SegmentJob {
  readonly seq: number;
  readonly file: string;
  readonly types: readonly SqlType[];
  readonly n: number;
  readonly rows: Uint8Array;
  readonly rowAt: Uint32Array;
  readonly keys: Uint8Array;
  readonly keyAt: Uint32Array;
}

export type SegmentJobResult = { readonly seq: number; readonly zones: ZoneMap[]; readonly bytes: number } | { readonly seq: number; readonly error: string };

/** encodes and writes one segment file; returns its zone maps and size */
export function runSegmentJob(job: SegmentJob): { zones: ZoneMap[]; bytes: number } {
  const rows = new Array<Stored[]>(job.n);
  const keys = new Array<Uint8Array>(job.n);
  const rb = Buffer.from(job.rows.buffer, job.rows.byteOffset, job.rows.byteLength);
  for (let i = 0; i < job.n; i++) {
    rows[i] = unpack(rb.subarray(job.rowAt[i]!, job.rowAt[i + 1]!)) as Stored[];
    keys[i] = job.keys.subarray(job.keyAt[i]!, job.keyAt[i + 1]!);
  }
  const { bytes, zones } = encodeSegment(job.types, rows, keys, false);
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
  return { zones, bytes: bytes.byteLength };
}

parentPort?.on('message', (job: SegmentJob) => {
  let reply: SegmentJobResult;
  try {
    reply = { seq: job.seq, ...runSegmentJob(job) };
  } catch (err) {
    reply = { seq: job.seq, error: err instanceof Error ? err.stack ?? err.message : String(err) };
  }
  parentPort!.postMessage(reply);
});
