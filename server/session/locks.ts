// Row locks for UPDATE / DELETE, as PostgreSQL takes them: a transaction that changes a row holds
// it until it ends; another transaction that wants to change the same row waits, then re-runs its
// statement on the committed result (READ COMMITTED). Waits that would close a cycle fail with
// 40P01. Locks are per server process; across --workers processes the commit-time version check
// (40001) guards instead.
import { SqlError, SqlState } from '../../core/errors.js';

/** Who holds locks: one open transaction. */
export type LockOwner = object;

/** Thrown by a statement that needs a row another transaction holds; the session waits and re-runs it. */
export class LockWait extends Error {
  constructor(readonly holder: LockOwner) {
    super('waiting for a row lock');
  }
}

interface Held {
  /** the locked rows: relation oid, then the row's key id, in pairs */
  readonly keys: (number | string)[];
  readonly released: Promise<void>;
  readonly release: () => void;
}

export class LockTable {
  /** per relation, who holds each row (by key id): no relation-and-key string is built per lock */
  private readonly holders = new Map<number, Map<string, LockOwner>>();
  private readonly held = new Map<LockOwner, Held>();
  private readonly waitingFor = new Map<LockOwner, LockOwner>();

  /** Takes the lock on row `id` of relation `oid`, or throws LockWait when another owner has it. */
  acquire(owner: LockOwner, oid: number, id: string): void {
    let rel = this.holders.get(oid);
    if (rel === undefined) { rel = new Map(); this.holders.set(oid, rel); }
    const h = rel.get(id);
    if (h === owner) return;
    if (h !== undefined) throw new LockWait(h);
    rel.set(id, owner);
    this.entry(owner).keys.push(oid, id);
  }

  private entry(owner: LockOwner): Held {
    let e = this.held.get(owner);
    if (!e) {
      let release!: () => void;
      const released = new Promise<void>((r) => { release = r; });
      e = { keys: [], released, release };
      this.held.set(owner, e);
    }
    return e;
  }

  /** Waits until `holder` ends; 40P01 if that holder (transitively) waits for `owner`. */
  async wait(owner: LockOwner, holder: LockOwner, interrupted: () => void): Promise<void> {
    for (let h: LockOwner | undefined = holder; h !== undefined; h = this.waitingFor.get(h)) {
      if (h === owner) throw new SqlError('40P01', 'deadlock detected', { detail: 'Two transactions wait for rows the other one has changed.', hint: 'See server log for query details.' });
    }
    const e = this.held.get(holder);
    if (!e) return;
    this.waitingFor.set(owner, holder);
    try {
      let done = false;
      void e.released.then(() => { done = true; });
      while (!done) {
        await Promise.race([e.released, new Promise<void>((r) => setTimeout(r, 50))]);
        if (!done) interrupted();
      }
    } finally {
      this.waitingFor.delete(owner);
    }
  }

  /** Ends a transaction's locks and wakes whoever waits for them. */
  releaseAll(owner: LockOwner): void {
    const e = this.held.get(owner);
    this.waitingFor.delete(owner);
    if (!e) return;
    for (let i = 0; i < e.keys.length; i += 2) {
      const rel = this.holders.get(e.keys[i] as number);
      const id = e.keys[i + 1] as string;
      if (rel?.get(id) === owner) {
        rel.delete(id);
        if (rel.size === 0) this.holders.delete(e.keys[i] as number);
      }
    }
    this.held.delete(owner);
    e.release();
  }
}
