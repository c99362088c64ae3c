// Deterministic Nexmark event generator: the Person, Auction and Bid rows of the Nexmark
// benchmark's online-auction model, as positional rows of Eddy datums.
//
// Events are numbered 0, 1, 2, ...; event n is a person, an auction or a bid according to
// n mod 50 (1 : 3 : 46), its event time is baseTime + n · (1e6 / eventsPerSecond) µs, and its
// values come from a pseudo-random stream seeded by (seed, n) alone (prng.ts). Generating event n
// therefore never requires generating earlier events: a source can stop and resume exactly at
// any event number, and any range can be generated in any order or split.
//
// The model (config.ts) follows Apache Beam's Nexmark generator (GeneratorConfig, Person-,
// Auction-, Bid-, Price- and StringsGenerator), with the bid channel/url of the Flink nexmark
// port and RisingWave's nexmark-rs, and RisingWave's column names and types.
import type { Row } from '../../core/datum.js';
import { T, type SqlType } from '../../core/types.js';
import {
  AUCTION_ID_LEAD, AUCTION_PROPORTION, AVG_AUCTION_BYTES, AVG_BID_BYTES, AVG_PERSON_BYTES, CHANNEL_COUNT,
  DEFAULT_BASE_TIME_MICROS, DEFAULT_EVENTS_PER_SECOND, EVENTS_FOR_IN_FLIGHT_AUCTIONS, FIRST_AUCTION_ID,
  FIRST_CATEGORY_ID, FIRST_PERSON_ID, HOT_AUCTION_RATIO, HOT_BATCH, HOT_BIDDER_RATIO, HOT_CHANNEL_RATIO,
  HOT_SELLER_RATIO, NUM_ACTIVE_PEOPLE, NUM_CATEGORIES, NUM_IN_FLIGHT_AUCTIONS, PERSON_ID_LEAD,
  PERSON_PROPORTION, PROPORTION_DENOMINATOR, lastBase0AuctionId, lastBase0PersonId,
} from './config.js';
import { EventRng, seedKey } from './prng.js';
import {
  FIRST_NAMES, FULL_NAMES, HOT_CHANNELS, LAST_NAMES, US_CITIES, US_STATES, channelTable, creditCard, extraPadding, randomWord,
} from './strings.js';

export type NexmarkTable = 'Person' | 'Auction' | 'Bid';

export interface NexmarkOptions {
  /** seed of every pseudo-random choice (a safe integer); default 0 */
  readonly seed?: number;
  /** event-time rate: timestamps advance by 1e6 / eventsPerSecond µs per event; default 10,000 (100 µs) */
  readonly eventsPerSecond?: number;
  /** event time of event 0, µs since 1970-01-01 UTC; default 2015-07-15 00:00:00 UTC */
  readonly baseTimeMicros?: number;
}

export interface NexmarkColumn { readonly name: string; readonly type: SqlType }

const col = (name: string, type: SqlType): NexmarkColumn => Object.freeze({ name, type });
const COLUMNS: Readonly<Record<NexmarkTable, readonly NexmarkColumn[]>> = {
  Person: Object.freeze([
    col('id', T.int8), col('name', T.varchar), col('email_address', T.varchar), col('credit_card', T.varchar),
    col('city', T.varchar), col('state', T.varchar), col('date_time', T.timestamp), col('extra', T.varchar),
  ]),
  Auction: Object.freeze([
    col('id', T.int8), col('item_name', T.varchar), col('description', T.varchar), col('initial_bid', T.int8),
    col('reserve', T.int8), col('date_time', T.timestamp), col('expires', T.timestamp), col('seller', T.int8),
    col('category', T.int8), col('extra', T.varchar),
  ]),
  Bid: Object.freeze([
    col('auction', T.int8), col('bidder', T.int8), col('price', T.int8), col('channel', T.varchar),
    col('url', T.varchar), col('date_time', T.timestamp), col('extra', T.varchar),
  ]),
};

/** the columns of each table, as RisingWave's nexmark source declares them */
export function nexmarkColumns(table: NexmarkTable): readonly NexmarkColumn[] {
  const cols = COLUMNS[table];
  if (!cols) throw new RangeError(`unknown Nexmark table ${String(table)}`);
  return cols;
}

/** The offsets [first, end) within each group of PROPORTION_DENOMINATOR events that hold `table`'s events. */
function offsetsOf(table: NexmarkTable): readonly [number, number] {
  switch (table) {
    case 'Person': return [0, PERSON_PROPORTION];
    case 'Auction': return [PERSON_PROPORTION, PERSON_PROPORTION + AUCTION_PROPORTION];
    case 'Bid': return [PERSON_PROPORTION + AUCTION_PROPORTION, PROPORTION_DENOMINATOR];
    default: throw new RangeError(`unknown Nexmark table ${String(table)}`);
  }
}

function checkEventNumber(n: number, what = 'event number'): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`Nexmark ${what} must be a non-negative safe integer, got ${n}`);
}

/** the type of event `n` */
export function eventType(n: number): NexmarkTable {
  checkEventNumber(n);
  const offset = n % PROPORTION_DENOMINATOR;
  if (offset < PERSON_PROPORTION) return 'Person';
  if (offset < PERSON_PROPORTION + AUCTION_PROPORTION) return 'Auction';
  return 'Bid';
}

const HOT_CHANNEL_COUNT = HOT_CHANNELS.length;
const FIRST_NAME_COUNT = FIRST_NAMES.length;
const LAST_NAME_COUNT = LAST_NAMES.length;

export class NexmarkGenerator {
  private readonly key: number;
  private readonly baseTime: number;
  private readonly eventsPerSecond: number;
  /** µs between events when that is a whole number, else NaN (then timestamps use a division) */
  private readonly wholeDelay: number;
  private readonly rng = new EventRng();

  constructor(options: NexmarkOptions = {}) {
    const seed = options.seed ?? 0;
    if (!Number.isSafeInteger(seed)) throw new RangeError(`Nexmark seed must be a safe integer, got ${seed}`);
    const eps = options.eventsPerSecond ?? DEFAULT_EVENTS_PER_SECOND;
    if (!Number.isFinite(eps) || eps <= 0) throw new RangeError(`Nexmark eventsPerSecond must be positive, got ${eps}`);
    const base = options.baseTimeMicros ?? DEFAULT_BASE_TIME_MICROS;
    if (!Number.isSafeInteger(base)) throw new RangeError(`Nexmark baseTimeMicros must be a safe integer, got ${base}`);
    this.key = seedKey(seed);
    this.baseTime = base;
    this.eventsPerSecond = eps;
    const delay = 1_000_000 / eps;
    this.wholeDelay = Number.isInteger(delay) ? delay : NaN;
  }

  /** appends to `out` the rows of `table` among event numbers [from, to) and returns how many */
  rows(table: NexmarkTable, from: number, to: number, out: Row[]): number {
    checkEventNumber(from, 'range start');
    checkEventNumber(to, 'range end');
    const [first, end] = offsetsOf(table);
    const before = out.length;
    for (let group = Math.floor(from / PROPORTION_DENOMINATOR) * PROPORTION_DENOMINATOR; group < to; group += PROPORTION_DENOMINATOR) {
      const lo = Math.max(group + first, from);
      const hi = Math.min(group + end, to);
      switch (table) {
        case 'Bid': for (let n = lo; n < hi; n++) out.push(this.bid(n)); break;
        case 'Auction': for (let n = lo; n < hi; n++) out.push(this.auction(n)); break;
        default: for (let n = lo; n < hi; n++) out.push(this.person(n)); break;
      }
    }
    return out.length - before;
  }

  /** the row of event n (which must be of `table`'s type) */
  row(table: NexmarkTable, n: number): Row {
    const type = eventType(n);
    if (type !== table) throw new RangeError(`Nexmark event ${n} is a ${type}, not a ${String(table)}`);
    return type === 'Bid' ? this.bid(n) : type === 'Auction' ? this.auction(n) : this.person(n);
  }

  /** event time of event n, µs */
  private timestamp(n: number): number {
    const d = this.wholeDelay;
    return d === d ? this.baseTime + n * d : this.baseTime + Math.floor((n * 1_000_000) / this.eventsPerSecond);
  }

  private person(n: number): Row {
    const rng = this.rng;
    rng.reset(this.key, n);
    const id = lastBase0PersonId(n) + FIRST_PERSON_ID;
    const name = FULL_NAMES[rng.int(FIRST_NAME_COUNT) * LAST_NAME_COUNT + rng.int(LAST_NAME_COUNT)]!;
    const email = `${randomWord(rng, 7)}@${randomWord(rng, 5)}.com`;
    const card = creditCard(rng);
    const city = US_CITIES[rng.int(US_CITIES.length)]!;
    const state = US_STATES[rng.int(US_STATES.length)]!;
    const size = 8 + name.length + email.length + card.length + city.length + state.length;
    const extra = extraPadding(rng, size, AVG_PERSON_BYTES);
    return [personIds.get(id), name, email, card, city, state, this.timestamp(n), extra];
  }

  private auction(n: number): Row {
    const rng = this.rng;
    rng.reset(this.key, n);
    const id = lastBase0AuctionId(n) + FIRST_AUCTION_ID;
    const seller = FIRST_PERSON_ID + (rng.int(HOT_SELLER_RATIO) > 0
      ? Math.floor(lastBase0PersonId(n) / HOT_BATCH) * HOT_BATCH // the batch's first person
      : randomBase0PersonId(rng, n));
    const category = FIRST_CATEGORY_ID + rng.int(NUM_CATEGORIES);
    const initialBid = price(rng);
    const reserve = initialBid + price(rng);
    const time = this.timestamp(n);
    // length uniform in [1, 2·horizon] µs; horizon: until NUM_IN_FLIGHT_AUCTIONS more auctions exist
    const horizon = this.timestamp(n + EVENTS_FOR_IN_FLIGHT_AUCTIONS) - time;
    const expires = time + 1 + rng.long(Math.max(2 * horizon, 1));
    const itemName = randomWord(rng, 20);
    const description = randomWord(rng, 100);
    const size = 8 + itemName.length + description.length + 8 + 8 + 8 + 8 + 8;
    const extra = extraPadding(rng, size, AVG_AUCTION_BYTES);
    return [auctionIds.get(id), itemName, description, small(initialBid), small(reserve), time, expires,
      personIds.get(seller), small(category), extra];
  }

  private bid(n: number): Row {
    const rng = this.rng;
    rng.reset(this.key, n);
    const auction = FIRST_AUCTION_ID + (rng.int(HOT_AUCTION_RATIO) > 0
      ? Math.floor(lastBase0AuctionId(n) / HOT_BATCH) * HOT_BATCH // the batch's first auction
      : randomBase0AuctionId(rng, n));
    const bidder = FIRST_PERSON_ID + (rng.int(HOT_BIDDER_RATIO) > 0
      ? Math.floor(lastBase0PersonId(n) / HOT_BATCH) * HOT_BATCH + 1 // the batch's second person
      : randomBase0PersonId(rng, n));
    const amount = price(rng);
    const channels = channelTable();
    let channel: string;
    let url: string;
    if (rng.int(HOT_CHANNEL_RATIO) > 0) {
      const i = rng.int(HOT_CHANNEL_COUNT);
      channel = HOT_CHANNELS[i]!;
      url = channels.hotUrls[i]!;
    } else {
      const k = rng.int(CHANNEL_COUNT);
      channel = channels.names[k]!;
      url = channels.urls[k]!;
    }
    const extra = extraPadding(rng, 8 + 8 + 8 + 8, AVG_BID_BYTES);
    return [auctionIds.get(auction), personIds.get(bidder), small(amount), channel, url, this.timestamp(n), extra];
  }
}

// int8 datums are bigints, and allocating a bigint costs more than the rest of a bid. Ids repeat
// (hot auctions and bidders, the recent in-flight auctions and active people), so each kind of
// id goes through a direct-mapped cache indexed by its low bits; small values (categories, low
// prices) come from a table. Bigints are immutable, so sharing one between rows is safe.
const SMALL_COUNT = 1 << 12;
const SMALL: readonly bigint[] = Array.from({ length: SMALL_COUNT }, (_, i) => BigInt(i));
const CACHE_SIZE = 1 << 11;

class BigIntCache {
  private readonly keys = new Float64Array(CACHE_SIZE).fill(-1);
  private readonly values: bigint[] = new Array<bigint>(CACHE_SIZE).fill(0n);
  get(v: number): bigint {
    const i = v & (CACHE_SIZE - 1);
    if (this.keys[i] === v) return this.values[i]!;
    const b = BigInt(v);
    this.keys[i] = v;
    this.values[i] = b;
    return b;
  }
}
const personIds = new BigIntCache();
const auctionIds = new BigIntCache();

function small(v: number): bigint {
  return v < SMALL_COUNT ? SMALL[v]! : BigInt(v);
}

// Prices: round(10^(6u) · 100) with u = r / 2^32 for a uniform 32-bit r, i.e. log-uniform in
// [100, 10^8] cents ($1 .. $1,000,000). 10^(6u) is the product of three table entries, one per
// group of r's bits (11 + 11 + 10), which equals Math.pow(10, 6u) to a few ulps and is ~20x faster.
const PRICE_HI = Float64Array.from({ length: 2048 }, (_, i) => Math.pow(10, (6 * i * 2 ** 21) / 2 ** 32));
const PRICE_MID = Float64Array.from({ length: 2048 }, (_, i) => Math.pow(10, (6 * i * 2 ** 10) / 2 ** 32));
const PRICE_LO = Float64Array.from({ length: 1024 }, (_, i) => Math.pow(10, (6 * i) / 2 ** 32));

/** A price in cents, log-uniform in [100, 10^8]. */
function price(rng: EventRng): number {
  const r = rng.next();
  return Math.round(PRICE_HI[r >>> 21]! * PRICE_MID[(r >>> 10) & 2047]! * PRICE_LO[r & 1023]! * 100);
}

/**
 * A person id (base 0) for a non-hot seller or bidder: uniform among the last NUM_ACTIVE_PEOPLE
 * people generated at or before event n, plus PERSON_ID_LEAD ids not generated yet.
 */
function randomBase0PersonId(rng: EventRng, n: number): number {
  const people = lastBase0PersonId(n) + 1;
  const active = Math.min(people, NUM_ACTIVE_PEOPLE);
  return people - active + rng.int(active + PERSON_ID_LEAD);
}

/**
 * An auction id (base 0) for a non-hot bid: uniform in [last - NUM_IN_FLIGHT_AUCTIONS, last +
 * AUCTION_ID_LEAD] (clamped at 0), where last is the last auction generated at or before event n.
 */
function randomBase0AuctionId(rng: EventRng, n: number): number {
  const last = lastBase0AuctionId(n);
  const min = Math.max(last - NUM_IN_FLIGHT_AUCTIONS, 0);
  return min + rng.int(last - min + 1 + AUCTION_ID_LEAD);
}
