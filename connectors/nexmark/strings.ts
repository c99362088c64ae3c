// The generator's string values: the fixed word lists (names, cities, states, hot channels),
// random words, credit card numbers, bid channels/urls and the `extra` padding.
// Word lists and the channel/url scheme follow the Nexmark references (Beam PersonGenerator,
// Flink nexmark BidGenerator, RisingWave nexmark-rs config/utils); like RisingWave, whose column
// names this connector uses and whose queries filter on lower-case states (q3: state = 'or'),
// person names, cities and states are lower case.
import { Buffer } from 'node:buffer';
import { CHANNEL_COUNT } from './config.js';
import { EventRng } from './prng.js';

export const US_STATES: readonly string[] = ['az', 'ca', 'id', 'or', 'wa', 'wy'];
export const US_CITIES: readonly string[] = [
  'phoenix', 'los angeles', 'san francisco', 'boise', 'portland', 'bend', 'redmond', 'seattle', 'kent', 'cheyenne',
];
export const FIRST_NAMES: readonly string[] = [
  'peter', 'paul', 'luke', 'john', 'saul', 'vicky', 'kate', 'julie', 'sarah', 'deiter', 'walter',
];
export const LAST_NAMES: readonly string[] = [
  'shultz', 'abrams', 'spencer', 'white', 'bartels', 'walton', 'smith', 'jones', 'noris',
];
export const HOT_CHANNELS: readonly string[] = ['Google', 'Facebook', 'Baidu', 'Apple'];

/** Every "first last" combination, so a person's name costs no allocation: index first * LAST_NAMES.length + last. */
export const FULL_NAMES: readonly string[] = FIRST_NAMES.flatMap((f) => LAST_NAMES.map((l) => `${f} ${l}`));

/** Shortest random word (before trimming). */
const MIN_STRING_LENGTH = 3;
const SPACE = 0x20;
const UNDERSCORE = 0x5f;
/** 13 · 26 equally likely symbols: the first 26 are the delimiter (probability 1/13), the rest 'a'..'z' in turn. */
const SYMBOL_COUNT = 13 * 26;
const word = Buffer.alloc(256);

/**
 * A random word of MIN_STRING_LENGTH .. maxLength-1 characters (maxLength <= 256): lower-case
 * letters, each character being `delimiter` instead with probability 1/13; trimmed of spaces when
 * the delimiter is a space (Beam's StringsGenerator.nextString).
 */
export function randomWord(rng: EventRng, maxLength: number, delimiter = SPACE): string {
  const len = MIN_STRING_LENGTH + rng.int(maxLength - MIN_STRING_LENGTH);
  for (let i = 0; i < len; i++) {
    const s = rng.int(SYMBOL_COUNT);
    word[i] = s < 26 ? delimiter : 97 + (s % 26);
  }
  let start = 0;
  let end = len;
  if (delimiter === SPACE) {
    while (start < end && word[start] === SPACE) start++;
    while (end > start && word[end - 1] === SPACE) end--;
  }
  return word.toString('latin1', start, end);
}

let digits4: string[] | undefined;
/** "dddd dddd dddd dddd": four random groups of four digits. */
export function creditCard(rng: EventRng): string {
  const d = digits4 ??= Array.from({ length: 10_000 }, (_, i) => String(i).padStart(4, '0'));
  return `${d[rng.int(10_000)]!} ${d[rng.int(10_000)]!} ${d[rng.int(10_000)]!} ${d[rng.int(10_000)]!}`;
}

// `extra` padding. The references fill it with independent random letters; generating ~70
// letters per bid dominates the cost of a bid, so instead `extra` is a window, at a random offset,
// of one fixed text of random letters. Its length follows the reference distribution exactly;
// its content is random letters as before (windows of one text rather than independent draws).
// V8 represents such a substring as a slice of the text, so a bid's extra allocates no characters.
const POOL_LENGTH = 1 << 17;
const POOL: string = (() => {
  const rng = new EventRng();
  rng.reset(0x6e65786d, 0x61726b); // fixed: the text is the same for every seed
  const chunk: number[] = new Array<number>(4096);
  const parts: string[] = [];
  for (let done = 0; done < POOL_LENGTH; done += chunk.length) {
    for (let i = 0; i < chunk.length; i++) chunk[i] = 97 + rng.int(26);
    parts.push(String.fromCharCode.apply(null, chunk));
  }
  return parts.join('');
})();

/**
 * Padding so that `currentSize` + its length is on average `averageSize`: empty when already
 * larger, else uniform in [rest - δ, rest + δ) with rest = averageSize - currentSize and
 * δ = round(rest / 5) (Beam's StringsGenerator.nextExtra).
 */
export function extraPadding(rng: EventRng, currentSize: number, averageSize: number): string {
  if (currentSize > averageSize) return '';
  const rest = averageSize - currentSize;
  const delta = Math.round(rest * 0.2);
  const size = rest - delta + (delta === 0 ? 0 : rng.int(2 * delta));
  const at = rng.int(POOL_LENGTH - size + 1);
  return POOL.substring(at, at + size);
}

// Bid channels and urls (Flink nexmark BidGenerator, RisingWave nexmark-rs utils): a hot channel
// is one of HOT_CHANNELS with its own url; any other channel is "channel-<k>", k < CHANNEL_COUNT,
// whose url is a random base url followed, for 9 channels in 10, by "&channel_id=<k bit-reversed>".
// Urls depend only on the channel (fixed derivation, independent of the seed), so a channel
// always has the same url, and are built once, on first use.

function baseUrl(rng: EventRng): string {
  return `https://www.nexmark.com/${randomWord(rng, 5, UNDERSCORE)}/${randomWord(rng, 5, UNDERSCORE)}/${randomWord(rng, 5, UNDERSCORE)}/item.htm?query=1`;
}

/** The 32 bits of x in reverse order, as an unsigned integer. */
export function reverseBits32(x: number): number {
  x = ((x >>> 1) & 0x55555555) | ((x & 0x55555555) << 1);
  x = ((x >>> 2) & 0x33333333) | ((x & 0x33333333) << 2);
  x = ((x >>> 4) & 0x0f0f0f0f) | ((x & 0x0f0f0f0f) << 4);
  x = ((x >>> 8) & 0x00ff00ff) | ((x & 0x00ff00ff) << 8);
  return ((x >>> 16) | (x << 16)) >>> 0;
}

export interface ChannelTable {
  readonly hotUrls: readonly string[];
  readonly names: readonly string[];
  readonly urls: readonly string[];
}

let channels: ChannelTable | undefined;
export function channelTable(): ChannelTable {
  if (channels) return channels;
  const rng = new EventRng();
  const hotUrls = HOT_CHANNELS.map((_, i) => {
    rng.reset(0x686f74, i);
    return baseUrl(rng);
  });
  const names: string[] = new Array<string>(CHANNEL_COUNT);
  const urls: string[] = new Array<string>(CHANNEL_COUNT);
  for (let k = 0; k < CHANNEL_COUNT; k++) {
    rng.reset(0x6368616e, k);
    let url = baseUrl(rng);
    // abs of the bit-reversed channel number read as a signed 32-bit integer
    if (rng.int(10) > 0) url += `&channel_id=${Math.abs(reverseBits32(k) | 0)}`;
    names[k] = `channel-${k}`;
    urls[k] = url;
  }
  channels = { hotUrls, names, urls };
  return channels;
}
