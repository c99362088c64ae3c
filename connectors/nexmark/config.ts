// The constants of the Nexmark generator model, and the id arithmetic that follows from them.
// Values are the defaults of the reference generators (Apache Beam's GeneratorConfig /
// NexmarkConfiguration and model/*Generator, the Flink nexmark port, RisingWave's nexmark-rs
// config): changing one changes the generated data set, so they are fixed, not options.

/** Ids start above 0 so that queries on a small data set still find matches. */
export const FIRST_PERSON_ID = 1000;
export const FIRST_AUCTION_ID = 1000;
export const FIRST_CATEGORY_ID = 10;
/** Auction categories are FIRST_CATEGORY_ID .. FIRST_CATEGORY_ID + NUM_CATEGORIES - 1. */
export const NUM_CATEGORIES = 5;

/** Of every PROPORTION_DENOMINATOR consecutive events, the first is a person, the next three auctions, the rest bids. */
export const PERSON_PROPORTION = 1;
export const AUCTION_PROPORTION = 3;
export const BID_PROPORTION = 46;
export const PROPORTION_DENOMINATOR = PERSON_PROPORTION + AUCTION_PROPORTION + BID_PROPORTION;

/** Auctions a random (non-hot) bid may target: the last NUM_IN_FLIGHT_AUCTIONS ones, plus the lead. */
export const NUM_IN_FLIGHT_AUCTIONS = 100;
/** People a random (non-hot) seller or bidder is drawn from: the last NUM_ACTIVE_PEOPLE ones, plus the lead. */
export const NUM_ACTIVE_PEOPLE = 1000;
/** A random person / auction id may be up to this many ids beyond the last one generated (it appears "soon"). */
export const PERSON_ID_LEAD = 10;
export const AUCTION_ID_LEAD = 10;

/** An event is "hot" unless a draw in [0, ratio) is 0: P(hot) = 1 - 1/ratio. */
export const HOT_AUCTION_RATIO = 2;
export const HOT_SELLER_RATIO = 4;
export const HOT_BIDDER_RATIO = 4;
export const HOT_CHANNEL_RATIO = 2;
/**
 * The hot auction (seller) is the first of the batch of HOT_BATCH ids holding the latest auction
 * (person); the hot bidder is the second person of that batch, so hot bidders and sellers differ.
 */
export const HOT_BATCH = 100;

/** Average sizes, in bytes, that the `extra` column pads each event toward. */
export const AVG_PERSON_BYTES = 200;
export const AVG_AUCTION_BYTES = 500;
export const AVG_BID_BYTES = 100;

/** Non-hot bid channels are channel-0 .. channel-(CHANNEL_COUNT-1). */
export const CHANNEL_COUNT = 10_000;

/** Default event rate: 10,000 events per second, i.e. 100 µs between consecutive events. */
export const DEFAULT_EVENTS_PER_SECOND = 10_000;
/** Default event time of event 0: 2015-07-15 00:00:00 UTC (the reference's fixed base time), in µs. */
export const DEFAULT_BASE_TIME_MICROS = Date.UTC(2015, 6, 15) * 1000;

/**
 * An auction's length is drawn uniformly from [1, 2·horizon], where horizon is the time until the
 * auction NUM_IN_FLIGHT_AUCTIONS auctions later is created, i.e. this many events ahead.
 */
export const EVENTS_FOR_IN_FLIGHT_AUCTIONS = Math.floor((NUM_IN_FLIGHT_AUCTIONS * PROPORTION_DENOMINATOR) / AUCTION_PROPORTION);

/**
 * Base-0 id of the last person generated at or before event `n` (the event's own id if `n` is a
 * person). -1 would mean "none yet", which cannot happen: event 0 is a person.
 */
export function lastBase0PersonId(n: number): number {
  const epoch = Math.floor(n / PROPORTION_DENOMINATOR);
  const offset = n - epoch * PROPORTION_DENOMINATOR;
  return epoch * PERSON_PROPORTION + Math.min(offset, PERSON_PROPORTION - 1);
}

/**
 * Base-0 id of the last auction generated at or before event `n` (the event's own id if `n` is an
 * auction); -1 for event 0, before any auction.
 */
export function lastBase0AuctionId(n: number): number {
  let epoch = Math.floor(n / PROPORTION_DENOMINATOR);
  let offset = n - epoch * PROPORTION_DENOMINATOR;
  if (offset < PERSON_PROPORTION) {
    // a person: the last auction is the last of the previous epoch
    epoch -= 1;
    offset = AUCTION_PROPORTION - 1;
  } else if (offset >= PERSON_PROPORTION + AUCTION_PROPORTION) {
    // a bid: the last auction is the last of this epoch
    offset = AUCTION_PROPORTION - 1;
  } else {
    offset -= PERSON_PROPORTION;
  }
  return epoch * AUCTION_PROPORTION + offset;
}
