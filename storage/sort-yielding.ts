// Sorting a flush's keys without holding the event loop: a delta of a million keys takes ~0.7 s
// to sort in one call, and every commit would wait that long. The keys are sorted in runs with
// the event loop let in between, then merged a slice at a time.

/** strings per run sorted in one go (~40 ms), and merged between yields */
const RUN = 1 << 16;

const yieldToLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

/** `ids` sorted (code unit order, as Array.prototype.sort), a slice of work at a time; sorts `ids` in place in runs */
export async function sortYielding(ids: string[]): Promise<string[]> {
  if (ids.length <= RUN) return ids.sort();
  const runs: { from: number; to: number }[] = [];
  for (let from = 0; from < ids.length; from += RUN) {
    const to = Math.min(ids.length, from + RUN);
    const run = ids.slice(from, to).sort();
    for (let i = 0; i < run.length; i++) ids[from + i] = run[i]!;
    runs.push({ from, to });
    await yieldToLoop();
  }
  // k-way merge through a binary heap of run heads
  const out = new Array<string>(ids.length);
  const heap: number[] = runs.map((_, r) => r);
  const pos = runs.map((r) => r.from);
  const less = (a: number, b: number): boolean => ids[pos[a]!]! < ids[pos[b]!]!;
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      if (l >= heap.length) return;
      const m = l + 1 < heap.length && less(heap[l + 1]!, heap[l]!) ? l + 1 : l;
      if (!less(heap[m]!, heap[i]!)) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);
  for (let n = 0; n < out.length; n++) {
    const r = heap[0]!;
    out[n] = ids[pos[r]!]!;
    if (++pos[r]! >= runs[r]!.to) { heap[0] = heap[heap.length - 1]!; heap.pop(); }
    if (heap.length) down(0);
    if ((n & (RUN - 1)) === RUN - 1) await yieldToLoop();
  }
  return out;
}
