// Tests of the Nexmark generator: event mix, determinism and random access, id invariants,
// value domains and event times. Expected values are written out from the Nexmark model, not
// read from config.ts, so a wrong constant there fails here.
import { describe, expect, test } from 'vitest';
import type { Row } from '../../core/datum.js';
import { T } from '../../core/types.js';
import { NexmarkGenerator, eventType, nexmarkColumns, type NexmarkTable } from './generator.js';

const BASE = Date.UTC(2015, 6, 15) * 1000; // 2015-07-15 00:00:00 UTC, µs
const DELAY = 100; // µs between events at the default 10,000 events/s
const TABLES: readonly NexmarkTable[] = ['Person', 'Auction', 'Bid'];
/** position of date_time in each table's rows */
const TIME_COL: Record<NexmarkTable, number> = { Person: 6, Auction: 5, Bid: 5 };

function gen(table: NexmarkTable, from: number, to: number, g = new NexmarkGenerator()): Row[] {
  const out: Row[] = [];
  expect(g.rows(table, from, to, out)).toBe(out.length);
  return out;
}
// Per-datum checks collect problems (calling expect millions of times is slow); each test ends
// with expect(problems).toEqual([]), which shows the first few.
const problems: string[] = [];
function check(ok: boolean, what: string): void {
  if (!ok && problems.length < 10) problems.push(what);
}
function noProblems(): void {
  expect(problems).toEqual([]);
  problems.length = 0;
}
const num = (d: unknown): number => {
  check(typeof d === 'bigint', `not a bigint: ${String(d)}`);
  return Number(d as bigint);
};
const str = (d: unknown): string => {
  check(typeof d === 'string', `not a string: ${String(d)}`);
  return d as string;
};
const time = (d: unknown): number => {
  check(typeof d === 'number' && Number.isInteger(d), `not a timestamp: ${String(d)}`);
  return d as number;
};
/** event number of a default-options row, from its date_time */
const eventOf = (table: NexmarkTable, r: Row): number => (time(r[TIME_COL[table]]) - BASE) / DELAY;

describe('schema', () => {
  test('columns are those of RisingWave\'s nexmark source', () => {
    const shape = (t: NexmarkTable) => nexmarkColumns(t).map((c) => [c.name, c.type.kind === 'scalar' ? c.type.name : 'array']);
    expect(shape('Person')).toEqual([
      ['id', 'int8'], ['name', 'varchar'], ['email_address', 'varchar'], ['credit_card', 'varchar'],
      ['city', 'varchar'], ['state', 'varchar'], ['date_time', 'timestamp'], ['extra', 'varchar'],
    ]);
    expect(shape('Auction')).toEqual([
      ['id', 'int8'], ['item_name', 'varchar'], ['description', 'varchar'], ['initial_bid', 'int8'],
      ['reserve', 'int8'], ['date_time', 'timestamp'], ['expires', 'timestamp'], ['seller', 'int8'],
      ['category', 'int8'], ['extra', 'varchar'],
    ]);
    expect(shape('Bid')).toEqual([
      ['auction', 'int8'], ['bidder', 'int8'], ['price', 'int8'], ['channel', 'varchar'],
      ['url', 'varchar'], ['date_time', 'timestamp'], ['extra', 'varchar'],
    ]);
    expect(nexmarkColumns('Bid')[0]!.type).toBe(T.int8);
    expect(nexmarkColumns('Bid')[5]!.type).toBe(T.timestamp);
    expect(nexmarkColumns('Person')[1]!.type).toBe(T.varchar);
  });

  test('rows have one datum per column', () => {
    const g = new NexmarkGenerator();
    for (const t of TABLES) {
      for (const r of gen(t, 0, 500, g)) check(r.length === nexmarkColumns(t).length, `${t} row of ${r.length}`);
    }
    noProblems();
  });
});

describe('event mix', () => {
  test('50,000 events are exactly 1000 people, 3000 auctions and 46000 bids', () => {
    const g = new NexmarkGenerator();
    const counts: Record<NexmarkTable, number> = { Person: 0, Auction: 0, Bid: 0 };
    for (let n = 0; n < 50_000; n++) counts[eventType(n)]++;
    expect(counts).toEqual({ Person: 1000, Auction: 3000, Bid: 46000 });
    expect(gen('Person', 0, 50_000, g).length).toBe(1000);
    expect(gen('Auction', 0, 50_000, g).length).toBe(3000);
    expect(gen('Bid', 0, 50_000, g).length).toBe(46000);
  });

  test('each group of 50 events is 1 person, then 3 auctions, then 46 bids', () => {
    for (const group of [0, 50, 5000, 1e12]) {
      const types = Array.from({ length: 50 }, (_, i) => eventType(group + i));
      expect(types).toEqual(['Person', 'Auction', 'Auction', 'Auction', ...Array<NexmarkTable>(46).fill('Bid')]);
    }
  });

  test('rows(t) yields exactly the events of type t, in event order', () => {
    const g = new NexmarkGenerator();
    const seen = new Map<number, NexmarkTable>();
    for (const t of TABLES) {
      let prev = -1;
      for (const r of gen(t, 0, 20_000, g)) {
        const n = eventOf(t, r);
        check(Number.isInteger(n) && eventType(n) === t, `${t} row at event ${n}`);
        check(n > prev, `${t} event ${n} after ${prev}`);
        prev = n;
        check(!seen.has(n), `event ${n} twice`);
        seen.set(n, t);
      }
    }
    noProblems();
    expect(seen.size).toBe(20_000);
  });

  test('unaligned ranges count the events of the type inside them', () => {
    const g = new NexmarkGenerator();
    for (const [from, to] of [[0, 0], [0, 1], [1, 4], [3, 5], [7, 123], [49, 51], [1234, 1234], [99_999, 100_321]] as const) {
      for (const t of TABLES) {
        let expected = 0;
        for (let n = from; n < to; n++) if (eventType(n) === t) expected++;
        const rows = gen(t, from, to, g);
        expect(rows.length).toBe(expected);
        for (const r of rows) {
          const n = eventOf(t, r);
          check(n >= from && n < to, `${t} event ${n} outside [${from}, ${to})`);
        }
      }
    }
    noProblems();
  });

  test('row(t, n) rejects an event of another type, and bad numbers', () => {
    const g = new NexmarkGenerator();
    expect(() => g.row('Bid', 0)).toThrow(/Person/);
    expect(() => g.row('Person', 1)).toThrow(/Auction/);
    expect(() => g.row('Auction', 4)).toThrow(/Bid/);
    expect(() => g.row('Bid', -4)).toThrow();
    expect(() => g.row('Bid', 4.5)).toThrow();
    expect(() => g.rows('Bid', -1, 10, [])).toThrow();
    expect(() => eventType(Number.NaN)).toThrow();
  });
});

describe('determinism and random access', () => {
  test('the same seed gives the same rows; another seed different rows', () => {
    for (const t of TABLES) {
      const a = gen(t, 0, 5000, new NexmarkGenerator({ seed: 42 }));
      const b = gen(t, 0, 5000, new NexmarkGenerator({ seed: 42 }));
      const c = gen(t, 0, 5000, new NexmarkGenerator({ seed: 43 }));
      expect(b).toEqual(a);
      expect(c.length).toBe(a.length);
      expect(c).not.toEqual(a);
      // not just one field: nearly every row differs somewhere other than id and time
      const differing = a.filter((r, i) => JSON.stringify(r.map(String).filter((_, j) => j !== 0 && j !== TIME_COL[t]))
        !== JSON.stringify(c[i]!.map(String).filter((_, j) => j !== 0 && j !== TIME_COL[t]))).length;
      expect(differing / a.length).toBeGreaterThan(0.95);
    }
    expect(gen('Bid', 0, 1000)).toEqual(gen('Bid', 0, 1000, new NexmarkGenerator({ seed: 0 })));
  });

  test('row(t, n) equals the row rows(t, n, n+1) produces', () => {
    const g = new NexmarkGenerator({ seed: 7 });
    for (const n of [0, 1, 2, 3, 4, 49, 50, 51, 1234, 98_765, 123_456_789]) {
      const t = eventType(n);
      const out: Row[] = [];
      expect(g.rows(t, n, n + 1, out)).toBe(1);
      expect(g.row(t, n)).toEqual(out[0]);
      expect(new NexmarkGenerator({ seed: 7 }).row(t, n)).toEqual(out[0]);
      for (const other of TABLES) if (other !== t) expect(g.rows(other, n, n + 1, [])).toBe(0);
    }
  });

  test('a range equals its pieces, generated in any order (resume at any offset)', () => {
    for (const t of TABLES) {
      const whole = gen(t, 0, 1000);
      expect([...gen(t, 0, 500), ...gen(t, 500, 1000)]).toEqual(whole);
      // uneven chunks, generated backwards by one generator
      const cuts = [0, 3, 17, 50, 51, 333, 334, 777, 999, 1000];
      const g = new NexmarkGenerator();
      const pieces: Row[][] = [];
      for (let i = cuts.length - 2; i >= 0; i--) pieces[i] = gen(t, cuts[i]!, cuts[i + 1]!, g);
      expect(pieces.flat()).toEqual(whole);
    }
    // a resumed generator far from 0 equals a generator that produced everything before
    const g = new NexmarkGenerator({ seed: 5 });
    gen('Bid', 0, 200_000, g);
    expect(gen('Bid', 200_000, 200_500, g)).toEqual(gen('Bid', 200_000, 200_500, new NexmarkGenerator({ seed: 5 })));
  });

  test('rows appends to out', () => {
    const g = new NexmarkGenerator();
    const out: Row[] = [['marker']];
    expect(g.rows('Auction', 0, 100, out)).toBe(6);
    expect(out.length).toBe(7);
    expect(out[0]).toEqual(['marker']);
  });
});

describe('ids and references', () => {
  // Walk events 0 .. N-1 in order with the people and auctions generated so far.
  const N = 150_000;
  const g = new NexmarkGenerator({ seed: 3 });
  const byEvent = new Map<number, [NexmarkTable, Row]>();
  for (const t of TABLES) for (const r of gen(t, 0, N, g)) byEvent.set(eventOf(t, r), [t, r]);

  test('person and auction ids are dense: the k-th is 1000 + k', () => {
    expect(byEvent.size).toBe(N);
    let people = 0;
    let auctions = 0;
    for (let n = 0; n < N; n++) {
      const [t, r] = byEvent.get(n)!;
      if (t === 'Person') check(num(r[0]) === 1000 + people++, `person ${people} at event ${n}: id ${String(r[0])}`);
      if (t === 'Auction') check(num(r[0]) === 1000 + auctions++, `auction ${auctions} at event ${n}: id ${String(r[0])}`);
    }
    noProblems();
    expect(people).toBe(N / 50);
    expect(auctions).toBe((N / 50) * 3);
  });

  test('bids reference recent auctions and active people, at most 10 ids ahead', () => {
    let people = 0;
    let auctions = 0;
    let bids = 0;
    let existingAuction = 0;
    let existingBidder = 0;
    let hotAuction = 0;
    let hotBidder = 0;
    let otherBidders = 0;
    let otherAuctions = 0;
    let oldBidder = 0;
    let oldAuction = 0;
    for (let n = 0; n < N; n++) {
      const [t, r] = byEvent.get(n)!;
      if (t === 'Person') { people++; continue; }
      if (t === 'Auction') { auctions++; continue; }
      bids++;
      const lastPerson = 1000 + people - 1;
      const lastAuction = 1000 + auctions - 1;
      const auction = num(r[0]);
      const bidder = num(r[1]);
      // in flight: one of the last 100 auctions (or one of the next 10, not generated yet)
      check(auction >= Math.max(1000, lastAuction - 100) && auction <= lastAuction + 10, `bid ${n}: auction ${auction}, last ${lastAuction}`);
      // active: one of the last 1000 people (or one of the next 10)
      check(bidder >= Math.max(1000, lastPerson - 999) && bidder <= lastPerson + 10, `bid ${n}: bidder ${bidder}, last ${lastPerson}`);
      if (auction <= lastAuction) existingAuction++;
      if (bidder <= lastPerson) existingBidder++;
      // hot auction: first of the batch of 100 holding the latest auction; hot bidder: second person of the batch
      const isHotAuction = auction === 1000 + Math.floor((lastAuction - 1000) / 100) * 100;
      const isHotBidder = bidder === 1000 + Math.floor((lastPerson - 1000) / 100) * 100 + 1;
      if (isHotAuction) hotAuction++;
      if (isHotBidder) hotBidder++;
      if (people > 1000) {
        if (!isHotBidder) {
          otherBidders++;
          if (bidder < lastPerson - 500) oldBidder++;
        }
        if (!isHotAuction) {
          otherAuctions++;
          if (auction < lastAuction - 50) oldAuction++;
        }
      }
    }
    noProblems();
    expect(bids).toBe((N / 50) * 46);
    // most references are to rows already generated; a few (the lead) to rows generated soon after
    expect(existingAuction / bids).toBeGreaterThan(0.95);
    expect(existingAuction).toBeLessThan(bids);
    expect(existingBidder / bids).toBeGreaterThan(0.95);
    expect(existingBidder).toBeLessThan(bids);
    // P(hot auction) = 1 - 1/2, P(hot bidder) = 1 - 1/4 (plus the odd random pick of the same id)
    expect(hotAuction / bids).toBeGreaterThan(0.49);
    expect(hotAuction / bids).toBeLessThan(0.53);
    expect(hotBidder / bids).toBeGreaterThan(0.74);
    expect(hotBidder / bids).toBeLessThan(0.77);
    // other (non-hot) picks spread uniformly over the whole window: the 1000 active people + 10
    // ahead (499 of those 1010 are more than 500 back), the 100 in-flight auctions + 10 ahead
    // (50 of those 111 are more than 50 back)
    expect(oldBidder / otherBidders).toBeGreaterThan(0.47);
    expect(oldBidder / otherBidders).toBeLessThan(0.52);
    expect(oldAuction / otherAuctions).toBeGreaterThan(0.42);
    expect(oldAuction / otherAuctions).toBeLessThan(0.48);
  });

  test('an auction\'s seller is an active person (at most 10 ahead), hot 3 times in 4', () => {
    let people = 0;
    let auctions = 0;
    let hot = 0;
    let existing = 0;
    for (let n = 0; n < N; n++) {
      const [t, r] = byEvent.get(n)!;
      if (t === 'Person') { people++; continue; }
      if (t !== 'Auction') continue;
      auctions++;
      const lastPerson = 1000 + people - 1;
      const seller = num(r[7]);
      check(seller >= Math.max(1000, lastPerson - 999) && seller <= lastPerson + 10, `auction ${n}: seller ${seller}, last ${lastPerson}`);
      if (seller <= lastPerson) existing++;
      if (seller === 1000 + Math.floor((lastPerson - 1000) / 100) * 100) hot++;
    }
    noProblems();
    expect(existing / auctions).toBeGreaterThan(0.97);
    expect(hot / auctions).toBeGreaterThan(0.72);
    expect(hot / auctions).toBeLessThan(0.78);
  });

  test('ids stay exact far from event 0', () => {
    const g2 = new NexmarkGenerator();
    const k = 20_000_000_000; // group number
    expect(g2.row('Person', 50 * k)[0]).toBe(BigInt(1000 + k));
    expect(g2.row('Auction', 50 * k + 1)[0]).toBe(BigInt(1000 + 3 * k));
    expect(g2.row('Auction', 50 * k + 3)[0]).toBe(BigInt(1002 + 3 * k));
    for (const r of gen('Bid', 50 * k, 50 * k + 500, g2)) {
      const auction = num(r[0]);
      check(auction >= 1000 + 3 * k + 2 - 100 && auction <= 1000 + 3 * (k + 9) + 2 + 10, `auction ${auction}`);
      check(num(r[1]) >= 1000 + k - 999 && num(r[1]) <= 1000 + k + 9 + 10, `bidder ${String(r[1])}`);
    }
    noProblems();
  });
});

describe('values', () => {
  const g = new NexmarkGenerator({ seed: 11 });
  const people = gen('Person', 0, 100_000, g);
  const auctions = gen('Auction', 0, 100_000, g);
  const bids = gen('Bid', 0, 100_000, g);

  test('people: names, cities and states from the fixed lists; email and card shapes; padding', () => {
    const first = ['peter', 'paul', 'luke', 'john', 'saul', 'vicky', 'kate', 'julie', 'sarah', 'deiter', 'walter'];
    const last = ['shultz', 'abrams', 'spencer', 'white', 'bartels', 'walton', 'smith', 'jones', 'noris'];
    const cities = ['phoenix', 'los angeles', 'san francisco', 'boise', 'portland', 'bend', 'redmond', 'seattle', 'kent', 'cheyenne'];
    const states = ['az', 'ca', 'id', 'or', 'wa', 'wy'];
    const seenStates = new Set<string>();
    for (const r of people) {
      const [f, l, more] = str(r[1]).split(' ');
      check(first.includes(f!) && last.includes(l!) && more === undefined, `name ${String(r[1])}`);
      check(/^([a-z][a-z ]*[a-z]|[a-z])?@([a-z][a-z ]*[a-z]|[a-z])?\.com$/.test(str(r[2])) && str(r[2]).length <= 6 + 1 + 4 + 4, `email ${String(r[2])}`);
      check(/^\d{4} \d{4} \d{4} \d{4}$/.test(str(r[3])), `card ${String(r[3])}`);
      check(cities.includes(str(r[4])), `city ${String(r[4])}`);
      check(states.includes(str(r[5])), `state ${String(r[5])}`);
      seenStates.add(str(r[5]));
      // extra pads the row toward 200 bytes: rest ± 20%
      const size = 8 + str(r[1]).length + str(r[2]).length + str(r[3]).length + str(r[4]).length + str(r[5]).length;
      const rest = 200 - size;
      const delta = Math.round(rest * 0.2);
      check(/^[a-z]*$/.test(str(r[7])) && str(r[7]).length >= rest - delta && str(r[7]).length < rest + delta,
        `person extra of ${str(r[7]).length} for rest ${rest}`);
    }
    noProblems();
    expect(seenStates.size).toBe(6);
  });

  test('auctions: category in [10, 15), reserve above initial bid, expires after date_time, padding', () => {
    const categories = new Set<number>();
    let lengthSum = 0;
    for (const r of auctions) {
      const category = num(r[8]);
      check(category >= 10 && category < 15, `category ${category}`);
      categories.add(category);
      const initial = num(r[3]);
      const reserve = num(r[4]);
      check(initial >= 100 && initial <= 100_000_000, `initial bid ${initial}`);
      check(reserve - initial >= 100 && reserve - initial <= 100_000_000, `reserve ${reserve} for initial bid ${initial}`);
      const at = time(r[5]);
      const expires = time(r[6]);
      // length uniform in [1, 2·horizon], horizon = 1666 events (until 100 more auctions) · 100 µs
      check(expires > at && expires - at <= 2 * 1666 * DELAY, `expires ${expires} for date_time ${at}`);
      lengthSum += expires - at;
      check(/^([a-z][a-z ]*[a-z]|[a-z])?$/.test(str(r[1])) && str(r[1]).length <= 19, `item_name ${String(r[1])}`);
      check(/^([a-z][a-z ]*[a-z]|[a-z])?$/.test(str(r[2])) && str(r[2]).length <= 99, `description ${String(r[2])}`);
      const rest = 500 - (8 + str(r[1]).length + str(r[2]).length + 40);
      const delta = Math.round(rest * 0.2);
      check(/^[a-z]*$/.test(str(r[9])) && str(r[9]).length >= rest - delta && str(r[9]).length < rest + delta,
        `auction extra of ${str(r[9]).length} for rest ${rest}`);
    }
    noProblems();
    expect([...categories].sort()).toEqual([10, 11, 12, 13, 14]);
    const meanLength = lengthSum / auctions.length;
    expect(meanLength).toBeGreaterThan(1666 * DELAY * 0.95);
    expect(meanLength).toBeLessThan(1666 * DELAY * 1.05);
  });

  test('bids: positive log-uniform prices, channels and urls, padding toward 100 bytes', () => {
    const urlOf = new Map<string, string>();
    let cheap = 0;
    let hot = 0;
    for (const r of bids) {
      const p = num(r[2]);
      check(p >= 100 && p <= 100_000_000, `price ${p}`);
      if (p < 100_000) cheap++; // 10^(6u)·100 < 10^5 iff u < 1/2
      const channel = str(r[3]);
      const url = str(r[4]);
      check(/^https:\/\/www\.nexmark\.com\/[a-z_]{3,4}\/[a-z_]{3,4}\/[a-z_]{3,4}\/item\.htm\?query=1(&channel_id=\d+)?$/.test(url), `url ${url}`);
      if (['Google', 'Facebook', 'Baidu', 'Apple'].includes(channel)) {
        hot++;
        check(!url.includes('channel_id'), `hot channel url ${url}`);
      } else {
        const m = /^channel-(\d+)$/.exec(channel);
        check(m !== null && Number(m[1]) < 10_000, `channel ${channel}`);
        const id = /&channel_id=(\d+)$/.exec(url);
        if (m && id) {
          // |k's 32 bits reversed, read as a signed 32-bit integer|
          const reversed = parseInt(Number(m[1]).toString(2).padStart(32, '0').split('').reverse().join(''), 2);
          check(Number(id[1]) === Math.abs(reversed | 0), `${channel} url ${url}`);
        }
      }
      const known = urlOf.get(channel);
      if (known === undefined) urlOf.set(channel, url);
      else check(url === known, `${channel} has urls ${known} and ${url}`);
      // 100 bytes - 32 fixed = 68, ± round(68 / 5) = 14
      const extra = str(r[6]);
      check(/^[a-z]+$/.test(extra) && extra.length >= 54 && extra.length < 82, `bid extra of ${extra.length}`);
    }
    noProblems();
    expect(cheap / bids.length).toBeGreaterThan(0.48);
    expect(cheap / bids.length).toBeLessThan(0.52);
    expect(hot / bids.length).toBeGreaterThan(0.48);
    expect(hot / bids.length).toBeLessThan(0.52);
    expect(urlOf.size).toBeGreaterThan(4000);
    // channel urls do not depend on the seed
    for (const r of gen('Bid', 0, 2000, new NexmarkGenerator({ seed: 99 }))) {
      const known = urlOf.get(str(r[3]));
      if (known !== undefined) check(r[4] === known, `seed 99: ${String(r[3])} url ${String(r[4])}`);
    }
    noProblems();
  });
});

describe('event time', () => {
  test('date_time of event n is base + n · 100 µs by default, non-decreasing over all tables', () => {
    const g = new NexmarkGenerator();
    const times: number[] = [];
    for (const t of TABLES) {
      for (const r of gen(t, 0, 10_000, g)) times[eventOf(t, r)] = time(r[TIME_COL[t]]);
    }
    expect(times.length).toBe(10_000);
    for (let n = 0; n < 10_000; n++) {
      check(times[n] === BASE + n * DELAY, `event ${n} at ${times[n]}`);
      if (n > 0) check(times[n]! >= times[n - 1]!, `event ${n} before event ${n - 1}`);
    }
    noProblems();
    expect(g.row('Person', 0)[6]).toBe(1_436_918_400_000_000);
    expect(g.row('Bid', 1_000_004)[5]).toBe(BASE + 100_000_400);
  });

  test('eventsPerSecond and baseTimeMicros set the clock', () => {
    const g = new NexmarkGenerator({ eventsPerSecond: 1000, baseTimeMicros: 5_000_000 });
    expect(g.row('Person', 0)[6]).toBe(5_000_000);
    expect(g.row('Auction', 51)[5]).toBe(5_000_000 + 51 * 1000);
    expect(g.row('Bid', 999)[5]).toBe(5_000_000 + 999 * 1000);
    // auction length scales with the rate: horizon 1666 events · 1000 µs
    for (const r of gen('Auction', 0, 20_000, g)) {
      const length = time(r[6]) - time(r[5]);
      check(length > 0 && length <= 2 * 1666 * 1000, `auction length ${length}`);
    }
    noProblems();
    // a rate that does not divide a second: whole microseconds, ⌊n · 10^6 / 3⌋
    const slow = new NexmarkGenerator({ eventsPerSecond: 3, baseTimeMicros: 0 });
    let prev = -1;
    for (const r of gen('Bid', 0, 1000, slow)) {
      const at = time(r[5]);
      check(at >= prev, `bid at ${at} after ${prev}`);
      prev = at;
    }
    noProblems();
    expect(slow.row('Bid', 4)[5]).toBe(1_333_333);
    expect(slow.row('Bid', 6)[5]).toBe(2_000_000);
    expect(() => new NexmarkGenerator({ eventsPerSecond: 0 })).toThrow();
    expect(() => new NexmarkGenerator({ seed: 1.5 })).toThrow();
  });
});
