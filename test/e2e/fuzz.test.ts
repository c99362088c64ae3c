// Protocol fuzzing: ≥100k random and mutated frontend frames over many connections. The server may
// reject anything (ErrorResponse, closed connection) but must stay up and keep serving clients.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTarget } from './target.js';
import type { Target } from './target.js';
import { frame, msg, startupMessage } from './wire.js';
import { mulberry32 as rng } from '../harness/prng.js';

const FRAMES = Number(process.env.EDDY_FUZZ_FRAMES ?? '100000');
const PER_CONN = 50;
const PARALLEL = 32;
let target: Target;

beforeAll(async () => {
  target = await startTarget();
});
afterAll(async () => {
  await target?.stop();
});


const TYPES = 'QPBEDCSHXFdcfpB\0\xff';
const valid: Buffer[] = [
  msg.query('SELECT 1'),
  msg.query(''),
  msg.query('SELECT $1'),
  msg.query("SELECT 'x' || repeat('y', 100)"),
  msg.parse('s1', 'SELECT $1::int', [23]),
  msg.parse('', 'SELECT 1'),
  msg.bind('', 's1', ['5']),
  msg.bind('p', 'nope', [null, 'x']),
  msg.execute('', 0),
  msg.execute('p', 1),
  msg.describeStatement('s1'),
  msg.describePortal(''),
  msg.close('S', 's1'),
  msg.sync(),
  msg.flush(),
  frame('d', Buffer.from('1\t2\n')),
  frame('c', Buffer.alloc(0)),
  frame('f', Buffer.from('fail\0')),
  frame('p', Buffer.from('password\0')),
];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)] as T;
}

function mutate(r: () => number, b: Buffer): Buffer {
  const out = Buffer.from(b);
  const kind = Math.floor(r() * 6);
  if (kind === 0 && out.length > 0) {
    // flip random bytes
    for (let k = 0; k < 1 + Math.floor(r() * 4); k++) out[Math.floor(r() * out.length)] = Math.floor(r() * 256);
    return out;
  }
  if (kind === 1 && out.length >= 5) {
    // lie about the length: short, long, negative, huge
    out.writeInt32BE(pick(r, [0, 1, 3, 4, out.length + 100, -1, 0x7fffffff, Math.floor(r() * 70000)]), 1);
    return out;
  }
  if (kind === 2) return out.subarray(0, Math.floor(r() * out.length)); // truncated
  if (kind === 3) return Buffer.concat([out, randomBytesFrom(r, Math.floor(r() * 32))]); // trailing junk
  if (kind === 4 && out.length > 5) {
    // drop the trailing NUL terminators / counts
    return frame(String.fromCharCode(out[0] ?? 81), out.subarray(5, out.length - 1));
  }
  return out;
}

function randomBytesFrom(r: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let k = 0; k < n; k++) b[k] = Math.floor(r() * 256);
  return b;
}

function randomFrame(r: () => number): Buffer {
  const x = r();
  if (x < 0.35) return mutate(r, pick(r, valid));
  if (x < 0.55) return pick(r, valid);
  if (x < 0.85) {
    const body = randomBytesFrom(r, Math.floor(r() * 64));
    return frame(TYPES[Math.floor(r() * TYPES.length)] ?? 'Q', body);
  }
  return randomBytesFrom(r, 1 + Math.floor(r() * 48));
}

/** The opening bytes of a connection: valid startup (mostly), SSL/GSS/cancel requests, or garbage. */
function opening(r: () => number): Buffer {
  const x = r();
  if (x < 0.6) return startupMessage();
  if (x < 0.65) return Buffer.from([0, 0, 0, 8, 4, 0xd2, 0x16, 0x2f]); // SSLRequest
  if (x < 0.68) return Buffer.from([0, 0, 0, 8, 4, 0xd2, 0x16, 0x30]); // GSSENCRequest
  if (x < 0.71) return Buffer.from([0, 0, 0, 16, 4, 0xd2, 0x16, 0x2e, 0, 0, 0, 1, 0, 0, 0, 2]); // bogus CancelRequest
  if (x < 0.8) return mutate(r, startupMessage({ user: 'eddy', database: 'eddy', application_name: 'fuzz', options: '-c x=y' }));
  if (x < 0.85) return startupMessage({ user: 'eddy', database: 'no_such_db_' + Math.floor(r() * 1000) });
  return randomBytesFrom(r, 1 + Math.floor(r() * 40));
}

async function fuzzConnection(port: number, seed: number): Promise<void> {
  const r = rng(seed);
  const frames: Buffer[] = [opening(r)];
  for (let k = 1; k < PER_CONN; k++) frames.push(randomFrame(r));
  await new Promise<void>((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    const done = (): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve();
    };
    const timer = setTimeout(done, 3000);
    sock.on('error', done);
    sock.on('close', done);
    sock.on('data', () => undefined);
    sock.on('connect', () => {
      // Half the connections send everything at once, the rest dribble in a few chunks.
      if (r() < 0.5) sock.write(Buffer.concat(frames));
      else for (const f of frames) sock.write(f);
      setTimeout(() => sock.end(), 5 + Math.floor(r() * 50));
    });
  });
}

test(`server survives ${FRAMES} fuzzed frames`, { timeout: 600_000 }, async () => {
  const base = Number(process.env.EDDY_FUZZ_SEED ?? String(Date.now() % 1_000_000));
  console.log(`fuzz seed ${base} (replay with EDDY_FUZZ_SEED=${base})`);
  const conns = Math.ceil(FRAMES / PER_CONN);
  let next = 0;
  const workers = Array.from({ length: PARALLEL }, async () => {
    while (next < conns) {
      const i = next++;
      await fuzzConnection(target.port, base + i);
    }
  });
  await Promise.all(workers);
  const c = await target.client();
  try {
    const r = await c.query('SELECT 1 AS one');
    expect(r.rows).toEqual([{ one: 1 }]);
  } catch (e) {
    throw new Error(`server unusable after fuzzing: ${e instanceof Error ? e.message : String(e)}\n${target.logs()}`);
  } finally {
    await c.end().catch(() => undefined);
  }
});
