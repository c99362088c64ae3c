// Hands bulk-loaded segments to the segment worker thread (segment-worker.ts): one worker per
// process, started on first use and not keeping the process alive. On a machine with one core
// there is nothing to gain from a second thread, so the job runs inline; so it does where the
// compiled worker script is missing (unit tests run the TypeScript sources).
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { runSegmentJob, type SegmentJob, type SegmentJobResult, type SegmentWritten } from './segment-worker.js';

const WORKER_SCRIPT = new URL('./segment-worker.js', import.meta.url);
const INLINE = availableParallelism() < 2 || !existsSync(WORKER_SCRIPT);

type Done = { resolve: (r: SegmentWritten) => void; reject: (e: Error) => void };

export class SegmentWriter {
  private worker: Worker | null = null;
  private readonly waiting = new Map<number, Done>();
  private seq = 0;

  /** writes the segment file of one job; resolves once it is durable */
  write(job: Omit<SegmentJob, 'seq'>): Promise<SegmentWritten> {
    if (INLINE) {
      try { return Promise.resolve(runSegmentJob({ ...job, seq: 0 })); } catch (err) { return Promise.reject(err as Error); }
    }
    const seq = ++this.seq;
    const w = this.start();
    return new Promise((resolve, reject) => {
      this.waiting.set(seq, { resolve, reject });
      if (this.waiting.size === 1) w.ref();
      w.postMessage({ ...job, seq });
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(WORKER_SCRIPT);
    w.unref();
    w.on('message', (r: SegmentJobResult) => {
      const d = this.waiting.get(r.seq);
      if (!d) return;
      this.waiting.delete(r.seq);
      if (this.waiting.size === 0) w.unref();
      if ('error' in r) d.reject(new Error(`segment write failed: ${r.error}`));
      else d.resolve(r);
    });
    w.on('error', (err: Error) => this.fail(err));
    w.on('exit', (code) => this.fail(new Error(`segment worker exited (${code})`)));
    this.worker = w;
    return w;
  }

  /** the worker died: every job it had fails, and the next one starts a new worker */
  private fail(err: Error): void {
    this.worker = null;
    for (const d of this.waiting.values()) d.reject(err);
    this.waiting.clear();
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}
