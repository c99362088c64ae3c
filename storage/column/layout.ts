// How the column store lays out its LMDB records: the segment manifest, row locations, and
// the databases it keeps.
import type { Database } from 'lmdb';
import type { Stored } from '../row-codec.js';
import type { StoredRelation } from '../store-types.js';
import type { ZoneMap } from './segment-format.js';

/** Most rows per segment written by a flush or compaction. */
export const SEGMENT_ROWS = 65536;

/** A table's segment size: its memtable threshold, up to SEGMENT_ROWS. */
export function segmentRows(rel: StoredRelation): number {
  return Math.max(1, Math.min(rel.flushRows, SEGMENT_ROWS));
}

export interface SegmentMeta {
  readonly id: number;
  readonly rows: number;
  /** table width when written (later ADD COLUMNs read NULL) */
  readonly width: number;
  readonly zones: readonly ZoneMap[];
  readonly bytes: number;
}

export function segmentKey(oid: number, segId: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeUInt32BE(oid >>> 0, 0);
  b.writeUInt32BE(segId >>> 0, 4);
  return b;
}

export function location(segId: number, offset: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeUInt32BE(segId >>> 0, 0);
  b.writeUInt32BE(offset >>> 0, 4);
  return b;
}

export interface ColumnStoreDbs {
  readonly segments: Database<SegmentMeta, Buffer>;
  readonly delbits: Database<Buffer, Buffer>;
  readonly loc: Database<Buffer, Buffer>;
  readonly memtable: Database<Stored[], Buffer>;
}

