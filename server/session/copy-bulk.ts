// COPY FROM as a bulk load: a COPY that is a transaction of its own, into a table with a row
// store and no secondary index, writes its rows through storage's BulkInsert (segments as it
// reads, one encoding per row, one commit) instead of the transaction's write set. A COPY of
// fewer rows than a segment holds goes the ordinary way: it would only make a small segment.
import type { Row } from '../../core/datum.js';
import type { RelationDef } from '../../catalog/model.js';
import type { BoundInsert } from '../../planner/bind-dml.js';
import { insertRows, newRowBuilder, pkViolation } from '../../exec/dml.js';
import type { ExecContext } from '../../exec/context.js';
import { segmentRows } from '../../storage/column/layout.js';
import { rowKeyView } from '../../storage/key-codec.js';
import type { Engine } from './engine.js';
import type { WriteLayer } from './txn.js';
import type { BulkInsert } from '../../storage/bulk-insert.js';

/** whether a COPY of its own transaction into `rel` may load in bulk */
export function bulkLoadable(engine: Engine, rel: RelationDef, layer: WriteLayer): boolean {
  if (rel.kind !== 'table' || layer.touches(rel.oid)) return false;
  // unique indexes need a check per row against the others; any index an entry per row
  if (rel.indexes.some((i) => !i.primary)) return false;
  return engine.storedRel(rel).orientation.row;
}

/** what a bulk load reads: row objects of the target columns, or a filler that packs rows into the load itself */
export type BulkInput =
  | { readonly rows: Iterator<Row> }
  /** `add` takes a row of the target columns (defaults and checks applied) for what `fill` does not pack itself */
  | { readonly fill: (load: BulkInsert, add: (src: Row) => void) => Promise<void> };

/** Loads the input (rows of the target columns) into the table and commits; returns how many. */
export async function bulkLoad(engine: Engine, b: BoundInsert, input: BulkInput, cx: ExecContext, durable: boolean): Promise<number> {
  const rel = b.table;
  const sr = engine.storedRel(rel);
  const w = cx.writer!;
  const newRow = newRowBuilder(b, cx);
  const threshold = segmentRows(sr);
  // the load copies each key at once: a primary key is encoded without a buffer of its own
  const pk = rel.primaryKey;
  const pkTypes = pk?.map((c) => rel.columns[c]!.type);
  const keyOf = pk ? (row: Row): Uint8Array => rowKeyView(rel.oid, pkTypes!, pk, row) : (row: Row): Uint8Array => w.keyFor(rel, row);
  let load: BulkInsert;
  if ('rows' in input) {
    // a small COPY is an ordinary insert
    const rows = input.rows;
    const first: Row[] = [];
    let r = rows.next();
    for (; !r.done && first.length < threshold; r = rows.next()) first.push(r.value);
    if (r.done) return insertRows(b, first, cx).count;
    load = engine.store.bulkInsert(sr, (row) => pkViolation(rel, row, cx));
    try {
      for (const src of first) { const row = newRow(src); load.add(keyOf(row), row); }
      first.length = 0;
      for (; !r.done; r = rows.next()) {
        const row = newRow(r.value);
        load.add(keyOf(row), row);
        // now and then the event loop: segment files answer, staged chunks are written
        if ((load.count & 0xffff) === 0) await load.breathe();
      }
    } catch (err) {
      await load.abandon();
      throw err;
    }
  } else {
    load = engine.store.bulkInsert(sr, (row) => pkViolation(rel, row, cx));
    try {
      await input.fill(load, (src) => { const row = newRow(src); load.add(keyOf(row), row); });
    } catch (err) {
      await load.abandon();
      throw err;
    }
    // fewer rows than a segment: an ordinary insert after all (they were never sealed)
    if (load.count < threshold) {
      const rows = load.unsealedRows();
      await load.abandon();
      return insertRows(b, rows, cx).count;
    }
  }
  return commitLoad(engine, rel, load, w, durable);
}

async function commitLoad(engine: Engine, rel: RelationDef, load: BulkInsert, w: NonNullable<ExecContext['writer']>, durable: boolean): Promise<number> {
  const sr = load.rel;
  let committed = false;
  try {
    // the table's delta must be empty for a bulk commit: flush it, and again if a commit came between
    for (let attempt = 0; attempt < 3 && !committed; attempt++) {
      committed = await engine.store.commitBulk(load, Date.now() * 1000, durable);
      if (!committed) await engine.store.flush(sr);
    }
    if (committed) {
      engine.committedRows();
      return load.count;
    }
    // other sessions keep writing to the table: the rows go into the transaction's write set after all
    let n = 0;
    for (const [key, row] of load.decoded()) {
      if (w.getStorage(rel, key) !== undefined) throw load.duplicate(row);
      w.insert(rel, key, row, true);
      n++;
    }
    return n;
  } finally {
    if (!committed) await load.abandon();
  }
}
