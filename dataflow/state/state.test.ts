// Operator state tables against a plain model: random changes, flushed into a map that plays
// storage, caches trimmed to a tiny budget after every round, reloaded from "storage" by a
// fresh store (a restart), and the datum classes through the codec.
import { expect, test } from 'vitest';
import { Numeric } from '../../core/values/numeric.js';
import { Interval } from '../../core/values/interval.js';
import { parseJsonb } from '../../core/values/json.js';
import type { StateWrite } from '../../storage/store-types.js';
import { rowKey } from '../../core/delta.js';
import { mulberry32 } from '../../test/harness/prng.js';
import { decodeState, encodeState } from './codec.js';
import { StateStore, type StateBackend } from './state-store.js';
import { KeyedState } from './keyed-state.js';
import { BagState } from './bag-state.js';
import { CountState } from './count-state.js';

/** storage stand-in: a map of hex keys, ranges by scanning in key order */
class MapBackend implements StateBackend {
  readonly data = new Map<string, Buffer>();
  get(key: Buffer): Buffer | undefined { return this.data.get(key.toString('hex')); }
  *range(prefix: Buffer): Iterable<[Buffer, Buffer]> {
    const p = prefix.toString('hex');
    for (const k of [...this.data.keys()].sort()) if (k.startsWith(p)) yield [Buffer.from(k, 'hex'), this.data.get(k)!];
  }
  apply(writes: StateWrite[]): void {
    for (const w of writes) { if (w.value) this.data.set(w.key.toString('hex'), w.value); else this.data.delete(w.key.toString('hex')); }
  }
}

test('datums survive the codec with their classes', () => {
  const v = [{ n: 3, s: Numeric.fromString('12.50'), b: 5n }, new Interval(1, 2, 3), parseJsonb('{"a": [1, 2.5]}'), [null, 'x', 1.7e15, new Uint8Array([1]), -7n, 2n ** 63n - 1n]];
  const r = decodeState(encodeState(v)) as [{ n: number; s: Numeric; b: bigint }, Interval, unknown, unknown[]];
  expect(r[0].s).toBeInstanceOf(Numeric);
  expect(r[0].s.toString()).toBe('12.50');
  expect(r[0].b).toBe(5n);
  expect(r[1]).toEqual(new Interval(1, 2, 3));
  expect(String(r[2])).toBe('{"a": [1, 2.5]}');
  expect(r[3]).toEqual([null, 'x', 1.7e15, new Uint8Array([1]), -7n, 2n ** 63n - 1n]);
});

test('keyed and bag state agree with a model through flushes, evictions and restarts', () => {
  const backend = new MapBackend();
  const rnd = mulberry32(5);
  const keyed = new Map<string, number>();
  const bags = new Map<string, Map<string, number>>();
  // long keys are stored by their hash
  const key = (): string => (rnd() < 0.1 ? 'long'.repeat(50) : 'k') + Math.floor(rnd() * 30);
  let store = new StateStore(7, backend, 10);
  let ks = new KeyedState<number>(store);
  let bs = new BagState(store);
  for (let round = 0; round < 200; round++) {
    for (let i = 0; i < 20; i++) {
      const k = key();
      if (rnd() < 0.5) {
        if (rnd() < 0.3) { ks.delete(k); keyed.delete(k); } else { const v = Math.floor(rnd() * 100); ks.set(k, v); keyed.set(k, v); }
      } else {
        const row = [Math.floor(rnd() * 5), 'r'];
        const w = rnd() < 0.6 ? 1 : -1;
        const m = bags.get(k) ?? new Map<string, number>();
        const rk = rowKey(row);
        const c = (m.get(rk) ?? 0) + w;
        if (c === 0) m.delete(rk); else m.set(rk, c);
        bags.set(k, m);
        if (rnd() < 0.5) bs.add(k, row, w); else bs.addBlind(k, row, w);
      }
    }
    const writes: StateWrite[] = [];
    store.flush(writes);
    backend.apply(writes);
    store.committed();
    // after a commit the caches are trimmed to the budget
    expect(bs.cached() + ks.cached()).toBeLessThanOrEqual(10);
    if (round % 50 === 49) {
      // a restart: everything is read back from storage
      store = new StateStore(7, backend, 10);
      ks = new KeyedState<number>(store);
      bs = new BagState(store);
    }
    for (const k of Array.from({ length: 30 }, (_x, n) => [`k${n}`, `${'long'.repeat(50)}${n}`]).flat()) {
      expect(ks.get(k)).toBe(keyed.get(k));
      const want = [...(bags.get(k) ?? new Map<string, number>())].sort();
      const got = [...bs.rows(k)].map((e) => [rowKey(e.row), e.count] as [string, number]).sort();
      expect(got).toEqual(want);
    }
    expect(ks.size()).toBe(keyed.size);
    expect(new Map(ks.entries())).toEqual(keyed);
    expect(bs.size()).toBe([...bags.values()].reduce((n, m) => n + m.size, 0));
  }
});

test('a row with a float -0 keeps its identity through storage', () => {
  const backend = new MapBackend();
  let store = new StateStore(1, backend, 0);
  let bs = new BagState(store);
  bs.add('k', [-0, 'a'], 2);
  bs.add('k', [0, 'a'], 1);
  const writes: StateWrite[] = [];
  store.flush(writes);
  backend.apply(writes);
  store = new StateStore(1, backend, 0);
  bs = new BagState(store);
  bs.add('k', [-0, 'a'], -2);
  expect([...bs.rows('k')]).toEqual([{ row: [0, 'a'], count: 1, slot: 1, id: '0,"a"' }]);
});

test('count state agrees with a model through flushes, evictions, restarts and clears', () => {
  const backend = new MapBackend();
  const rnd = mulberry32(9);
  const model = new Map<string, number>();
  let store = new StateStore(3, backend, 5);
  let cs = new CountState(store);
  for (let round = 0; round < 100; round++) {
    for (let i = 0; i < 15; i++) {
      const k = `g${Math.floor(rnd() * 4)}`;
      if (rnd() < 0.03) {
        cs.clear(k);
        for (const key of [...model.keys()]) if (key.startsWith(k + '|')) model.delete(key);
        continue;
      }
      const v = rnd() < 0.2 ? `v${'x'.repeat(130)}${Math.floor(rnd() * 5)}` : `v${Math.floor(rnd() * 10)}`;
      const w = rnd() < 0.6 ? 1 : -1;
      const { before, after } = cs.add(k, v, w);
      expect(before).toBe(model.get(`${k}|${v}`) ?? 0);
      if (after === 0) model.delete(`${k}|${v}`); else model.set(`${k}|${v}`, after);
    }
    const writes: StateWrite[] = [];
    store.flush(writes);
    backend.apply(writes);
    store.committed();
    if (round % 25 === 24) { store = new StateStore(3, backend, 5); cs = new CountState(store); }
    for (let g = 0; g < 4; g++) for (let n = 0; n < 10; n++) expect(cs.get(`g${g}`, `v${n}`)).toBe(model.get(`g${g}|v${n}`) ?? 0);
    expect(cs.size()).toBe(model.size);
  }
});
