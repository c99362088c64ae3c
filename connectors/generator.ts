// What a built-in source connector is to the engine: a deterministic function from row numbers
// (offsets) to rows. Row n never depends on generating rows before it, so the offset stored with
// the rows a commit ingested is all a restart needs to resume exactly there.
import type { Row } from '../core/datum.js';

export interface RowGenerator {
  /** rows in total (null: unbounded) */
  readonly total: number | null;
  /** appends rows [from, to) to out */
  rows(from: number, to: number, out: Row[]): void;
}
