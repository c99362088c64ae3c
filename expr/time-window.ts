// TUMBLE / HOP window assignment, shared by the batch executor and the dataflow: the windows of
// `size` µs starting at multiples of `hop` µs (since 1970) that contain time t.
import type { Datum, Row } from '../core/datum.js';

/** appends to `out` the input row extended with (window_start, window_end) for each window holding its time */
export function windowRows(row: Row, t: Datum, hop: number, size: number, out: Row[]): void {
  if (t === null || typeof t !== 'number' || !Number.isFinite(t)) {
    // no time, no window (infinite timestamps fall in none either)
    if (hop === size) out.push([...row, null, null]);
    return;
  }
  const last = Math.floor(t / hop) * hop;
  for (let s = last; s > t - size; s -= hop) out.push([...row, s, s + size]);
}
