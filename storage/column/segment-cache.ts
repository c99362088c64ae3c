// Decoded segments kept in memory, least recently used out first, up to a byte budget.
import type { LoadedSegment } from './segment-format.js';

export class SegmentCache {
  private readonly entries = new Map<number, LoadedSegment>();
  private bytes = 0;

  constructor(private readonly budget: number) {}

  get(id: number): LoadedSegment | undefined {
    const seg = this.entries.get(id);
    if (seg) { this.entries.delete(id); this.entries.set(id, seg); }
    return seg;
  }

  put(id: number, seg: LoadedSegment): void {
    this.delete(id);
    this.entries.set(id, seg);
    this.bytes += seg.bytes;
    for (const [k, s] of this.entries) {
      if (this.bytes <= this.budget || k === id) break;
      this.entries.delete(k);
      this.bytes -= s.bytes;
    }
  }

  delete(id: number): void {
    const seg = this.entries.get(id);
    if (seg) { this.entries.delete(id); this.bytes -= seg.bytes; }
  }
}
