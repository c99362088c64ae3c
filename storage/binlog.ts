// Per-table binlogs: every commit's row changes in order, numbered 1, 2, 3, ... per table
// without gaps. A commit's entries for one table are stored as chunks of up to CHUNK entries
// (key: table oid + sequence number of the chunk's first entry; value: commit time and the
// entries), so logging costs one LMDB write per chunk, not one per row. Entries of one chunk
// share a commit, hence a commit time, so trimming by age removes whole chunks.
import { asBinary, type Database } from 'lmdb';
import type { SqlType } from '../core/types.js';
import type { Row } from '../core/datum.js';
import { decodeRow, type Stored } from './row-codec.js';
import { relationRange } from './key-codec.js';
import type { ReadSnapshot } from './store-types.js';

/** Binlog event types, numbered as Hologres numbers them. */
export const BinlogEvent = { Delete: 2, UpdateBefore: 3, Insert: 5, UpdateAfter: 7 } as const;
export type BinlogEvent = (typeof BinlogEvent)[keyof typeof BinlogEvent];

export interface BinlogEntry {
  readonly seq: number;
  readonly event: BinlogEvent;
  /** commit time, µs since 1970 */
  readonly commitTs: number;
  readonly row: Row;
}

/** entries per stored chunk */
export { BINLOG_CHUNK } from './bulk-binlog.js';
import { BINLOG_CHUNK, COUNT_AT } from './bulk-binlog.js';
import { PackWriter } from './packed-rows.js';

/**
 * A stored chunk: [commit µs, [event, row, key][]]. The row's storage key rides along (tables
 * without a primary key have hidden row ids): the binlog is also the tables' write-ahead log,
 * replayed by key (storage/delta.ts). Entries written before keys were logged have none.
 */
type Chunk = [number, [number, Stored[], Buffer?][]];

/** an entry as stored, for replay into the delta */
export interface StoredEntry {
  readonly seq: number;
  readonly event: BinlogEvent;
  readonly row: Stored[];
  readonly key: Buffer | undefined;
}

function chunkKey(oid: number, seq: number): Buffer {
  const b = Buffer.allocUnsafe(12);
  b.writeUInt32BE(oid >>> 0, 0);
  b.writeBigUInt64BE(BigInt(seq), 4);
  return b;
}

export class Binlog {
  constructor(private readonly db: Database<Chunk, Buffer>) {}

  /** A table's entries after sequence number `after` up to its head `upTo`, in order, as of `snap`. */
  *read(oid: number, types: readonly SqlType[], after: number, upTo: number, snap?: ReadSnapshot): Generator<BinlogEntry> {
    for (const [seq, ts, [event, row]] of this.entries(oid, after, upTo, snap)) {
      yield { seq, event: event as BinlogEvent, commitTs: ts, row: decodeRow(types, row) };
    }
  }

  /** A table's entries with after < seq <= upTo, as stored, as of `snap` (or in the write transaction). */
  *readStored(oid: number, after: number, upTo: number, snap?: ReadSnapshot): Generator<StoredEntry> {
    for (const [seq, , [event, row, k]] of this.entries(oid, after, upTo, snap)) {
      yield { seq, event: event as BinlogEvent, row, key: k === undefined ? undefined : Buffer.from(k) };
    }
  }

  /** [seq, commit µs, entry] for after < seq <= upTo, read chunk by chunk */
  private *entries(oid: number, after: number, upTo: number, snap?: ReadSnapshot): Generator<[number, number, Chunk[1][number]]> {
    if (upTo <= after) return;
    const r = relationRange(oid);
    const txn = snap ? { transaction: snap.txn } : {};
    // the chunk holding entry after + 1 starts at or before it
    let start = chunkKey(oid, after + 1);
    for (const { key } of this.db.getRange({ start, end: r.start, reverse: true, limit: 1, ...txn } as never) as Iterable<{ key: Buffer }>) start = Buffer.from(key);
    const end = upTo === Infinity ? r.end : chunkKey(oid, upTo + 1);
    for (const { key, value } of this.db.getRange({ start, end, ...txn } as never) as Iterable<{ key: Buffer; value: Chunk }>) {
      const first = Number(key.readBigUInt64BE(4));
      const [ts, list] = value;
      for (let i = Math.max(0, after + 1 - first); i < list.length && first + i <= upTo; i++) yield [first + i, ts, list[i]!];
    }
  }

  /** Removes the chunks of entries committed before `beforeMicros`; returns how many entries went. */
  oldChunks(oid: number, beforeMicros: number, keepAfter = Infinity): { keys: Buffer[]; entries: number } {
    const r = relationRange(oid);
    const keys: Buffer[] = [];
    let entries = 0;
    for (const { key, value } of this.db.getRange({ start: r.start, end: r.end }) as Iterable<{ key: Buffer; value: Chunk }>) {
      if (value[0] >= beforeMicros) break;
      // the delta (entries not yet applied to the stores) is never trimmed
      if (Number(key.readBigUInt64BE(4)) + value[1].length - 1 > keepAfter) break;
      keys.push(Buffer.from(key));
      entries += value[1].length;
    }
    return { keys, entries };
  }

  /** inside a write transaction */
  remove(keys: readonly Buffer[]): void {
    for (const k of keys) this.db.remove(k);
  }

  /** inside a write transaction: the chunks of entries past `seq` (a bulk load's that did not commit) */
  removeAfter(oid: number, seq: number): void {
    const r = relationRange(oid);
    for (const key of this.db.getKeys({ start: chunkKey(oid, seq + 1), end: r.end }) as Iterable<Buffer>) this.db.remove(key);
  }

  /** inside a write transaction: a dropped table's whole log */
  drop(oid: number): void {
    const r = relationRange(oid);
    for (const key of this.db.getKeys({ start: r.start, end: r.end })) this.db.remove(key);
  }

  /** inside a write transaction: one chunk already in stored form (PackWriter: [commit µs, entries]), its first entry numbered `first` */
  appendPacked(oid: number, first: number, chunk: Buffer): void {
    this.db.putSync(chunkKey(oid, first), asBinary(chunk) as never);
  }

}

/**
 * One commit's entries for one table, packed into chunks (the stored form) as they come, each
 * written once it holds BINLOG_CHUNK entries; finish() writes the last. Rows already packed (the
 * versions the delta keeps) are copied, not packed again.
 */
export class ChunkPacker {
  private readonly w = new PackWriter(1 << 16);
  /** entries in the open chunk */
  private n = 0;

  /** `next`: the sequence number of the next entry */
  constructor(private readonly binlog: Binlog, private readonly oid: number, private readonly ts: number, private first: number) {}

  /** the sequence number the next entry gets */
  get next(): number { return this.first + this.n; }

  /** an entry whose row is given as values; returns its sequence number */
  entry(event: BinlogEvent, row: Stored[], key?: Buffer): number {
    this.open(key);
    this.w.number(event);
    this.w.value(row);
    return this.close(key);
  }

  /** an entry whose row is bytes [from, to) of src, already packed; returns its sequence number */
  entryPacked(event: BinlogEvent, src: Uint8Array, from: number, to: number, key?: Buffer): number {
    this.open(key);
    this.w.number(event);
    this.w.rawRange(src, from, to);
    return this.close(key);
  }

  /** writes the open chunk (inside the commit's write transaction) */
  finish(): void {
    if (this.n === 0) return;
    this.w.buf.writeUInt16BE(this.n, COUNT_AT);
    this.binlog.appendPacked(this.oid, this.first, this.w.take());
    this.first += this.n;
    this.n = 0;
    this.w.reset();
  }

  private open(key: Buffer | undefined): void {
    if (this.n === 0) {
      this.w.arrayHeader(2);
      this.w.float64(this.ts);
      // the count is filled in when the chunk is written
      this.w.array16(0);
    }
    this.w.arrayHeader(key ? 3 : 2);
  }

  private close(key: Buffer | undefined): number {
    if (key) this.w.bin(key);
    const seq = this.first + this.n++;
    if (this.n >= BINLOG_CHUNK) this.finish();
    return seq;
  }
}
