// Marks that a process leaves on a table in the meta database while it writes outside the
// usual commit path (staged bulk loads, a flush's row-store writes): they name the process, so
// that a later opening of the store can tell a mark whose process died (kill -9) from one that
// another process on the same data still holds.
import { randomBytes } from 'node:crypto';

export interface ProcessMark {
  readonly pid: number;
  /** this run of the process (a later process may get the same pid) */
  readonly process?: string;
}

const PROCESS_TOKEN = randomBytes(8).toString('hex');

/** the mark of this run of this process */
export function processMark(): ProcessMark {
  return { pid: process.pid, process: PROCESS_TOKEN };
}

/** whether the process that left `mark` still runs */
export function markAlive(mark: ProcessMark): boolean {
  if (mark.pid === process.pid) return mark.process === PROCESS_TOKEN;
  try {
    process.kill(mark.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
