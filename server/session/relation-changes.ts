// A relation's contents and changes as the dataflow consumes them (Z-set deltas of live-column
// rows): its rows in a snapshot, read in chunks, and its binlog entries after a position.
// Shared by the view maintainer (views and sinks) and SUBSCRIBE.
import type { Row } from '../../core/datum.js';
import { emptyDelta, push, type Delta } from '../../core/delta.js';
import { BinlogEvent, type Store, type StoredRelation, type ReadSnapshot, type BinlogEntry } from '../../storage/store.js';
import type { RelationDef } from '../../catalog/model.js';
import { liveProjector } from './txn.js';

/** input rows per chunk of a relation's contents: the event loop gets a turn between chunks */
export const CONTENTS_CHUNK = 20_000;

/** A relation's contents to feed a circuit: how many rows, and the rows as deltas of insertions. */
export interface RelationContents {
  readonly total: number;
  chunks(): Iterable<Delta>;
}

/** a binlog event as a Z-set weight: insertions and new versions +1, deletions and old versions -1 */
export function eventWeight(e: BinlogEvent): number {
  return e === BinlogEvent.Insert || e === BinlogEvent.UpdateAfter ? 1 : -1;
}

/**
 * All rows of a table or materialized view in the snapshot, as insertions, read in chunks as the
 * caller steps (a large table is never in memory whole); a source's are the events its binlog retains.
 */
export function relationContents(store: Store, sr: StoredRelation, rel: RelationDef, snap: ReadSnapshot): RelationContents {
  const proj = liveProjector(rel);
  const entries: Iterable<[Row, number]> = rel.kind === 'source'
    ? mapIter(store.binlog(sr, 0, snap), (e): [Row, number] => [e.row, eventWeight(e.event)])
    : mapIter(store.scan(sr, undefined, snap), ([, row]): [Row, number] => [row, 1]);
  return {
    total: rel.kind === 'source' ? store.binlogHead(rel.oid, snap) : store.countRows(sr),
    *chunks() {
      let d = emptyDelta();
      for (const [row, w] of entries) {
        push(d, proj ? proj(row) : row, w);
        if (d.rows.length >= CONTENTS_CHUNK) { yield d; d = emptyDelta(); }
      }
      if (d.rows.length) yield d;
    },
  };
}

/** a delta as contents, in chunks */
export function deltaContents(d: Delta): RelationContents {
  return {
    total: d.rows.length,
    *chunks() { for (let at = 0; at < d.rows.length; at += CONTENTS_CHUNK) yield { rows: d.rows.slice(at, at + CONTENTS_CHUNK), weights: d.weights.slice(at, at + CONTENTS_CHUNK) }; },
  };
}

/** the binlog entries of a relation after `after` (up to `upTo`), each with its row in live columns */
export function* binlogChanges(store: Store, sr: StoredRelation, rel: RelationDef, after: number, snap: ReadSnapshot, upTo = Infinity): Generator<BinlogEntry> {
  const proj = liveProjector(rel);
  for (const e of store.binlog(sr, after, snap)) {
    if (e.seq > upTo) break;
    yield proj ? { ...e, row: proj(e.row) } : e;
  }
}

/** a relation's binlog entries after `after` (up to `upTo`) as one delta; `commitTimes` collects their commit times */
export function binlogDelta(store: Store, sr: StoredRelation, rel: RelationDef, after: number, snap: ReadSnapshot, commitTimes?: Set<number>, upTo = Infinity): Delta {
  const d = emptyDelta();
  for (const e of binlogChanges(store, sr, rel, after, snap, upTo)) {
    push(d, e.row, eventWeight(e.event));
    commitTimes?.add(e.commitTs);
  }
  return d;
}

function* mapIter<A, B>(xs: Iterable<A>, f: (x: A) => B): Generator<B> {
  for (const x of xs) yield f(x);
}
