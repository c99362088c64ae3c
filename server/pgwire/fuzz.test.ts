// Sends >=100k random and mutated frames; the server must survive and keep serving normal clients.
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { connect } from 'node:net';
import pg from 'pg';
import { FakeFactory, frame, i16, i32, msg, startupPacket } from './testkit.js';
import { startPgServer } from './server.js';
import { mulberry32 as prng } from '../../test/harness/prng.js';

vi.mock('../../core/values/io.js', () => ({
  formatText: (_t: unknown, d: unknown) => String(d),
  encodeBinary: (_t: unknown, d: unknown) => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(Number(d));
    return b;
  },
}));

let server: { port: number; close(): Promise<void> };
const logs: string[] = [];
const factory = new FakeFactory();

beforeAll(async () => {
  server = await startPgServer({ host: '127.0.0.1', port: 0, factory, maxMessageSize: 1 << 20, log: (m) => logs.push(m) });
});
afterAll(async () => {
  await server.close();
});


const TEMPLATES: Buffer[] = [
  msg.query('SELECT 3'), msg.query('SELECT 1; ERROR 22012'), msg.query(''), msg.query('NOTICE'), msg.query('BEGIN'), msg.query('COMMIT'),
  msg.query('COPY t FROM STDIN'), msg.query('COPY t TO STDOUT'), msg.query('CRASH'),
  msg.parse('', 'SELECT 5'), msg.parse('s1', 'SELECT $1', [23]), msg.parse('s2', 'SELECT $1, $2', [0, 25]),
  msg.bind('', ''), msg.bind('p', 's1', ['1']), msg.bind('', 's2', ['a', null], [1]),
  msg.describe('S', 's1'), msg.describe('P', ''), msg.execute('', 2), msg.execute('p'), msg.close('S', 's1'), msg.close('P', 'p'),
  msg.sync(), msg.flush(), msg.copyData('1\t2\n'), msg.copyDone(), msg.copyFail('x'),
  frame('F', Buffer.concat([i32(1), i16(0), i16(0), i16(0)])),
];
const TYPES = 'QPBDECSHXdcfFpz\x00\xff';

function mutate(rnd: () => number, b: Buffer): Buffer {
  const out = Buffer.from(b);
  const n = 1 + Math.floor(rnd() * 3);
  for (let i = 0; i < n; i++) {
    // mostly mutate the body so most frames stay framed and reach the handlers
    const lo = rnd() < 0.85 ? Math.min(5, out.length - 1) : 0;
    const at = lo + Math.floor(rnd() * (out.length - lo));
    out[at] = rnd() < 0.5 ? Math.floor(rnd() * 256) : (rnd() < 0.5 ? 0 : 0xff);
  }
  return out;
}

function randomFrame(rnd: () => number): Buffer {
  const r = rnd();
  const pick = <T,>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  if (r < Number(process.env.FUZZ_VALID ?? 0.8)) return pick(TEMPLATES);
  if (r < 0.95) return mutate(rnd, pick(TEMPLATES));
  if (r < 0.98) {
    const body = Buffer.alloc(Math.floor(rnd() * 40));
    for (let i = 0; i < body.length; i++) body[i] = rnd() < 0.3 ? 0 : Math.floor(rnd() * 256);
    return frame(pick([...TYPES]), body);
  }
  const junk = Buffer.alloc(1 + Math.floor(rnd() * 20));
  for (let i = 0; i < junk.length; i++) junk[i] = Math.floor(rnd() * 256);
  return junk;
}

const MARK = 'MARK4711';
// leaves COPY mode, ends skip-until-Sync, then a query whose error message we recognise
const TRAILER = Buffer.concat([msg.copyDone(), msg.sync(), msg.query(MARK)]);

/** One connection: startup (sometimes mutated), a batch of frames, the trailer; resolves when answered or closed. */
function runBatch(port: number, frames: Buffer[], startup: Buffer): Promise<'answered' | 'closed' | 'stalled'> {
  return new Promise((resolve) => {
    let seen = Buffer.alloc(0);
    let done = false;
    const s = connect(port, '127.0.0.1');
    const finish = (how: 'answered' | 'closed' | 'stalled'): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      resolve(how);
    };
    const timer = setTimeout(() => finish('stalled'), 500);
    s.on('connect', () => s.write(Buffer.concat([startup, ...frames, TRAILER])));
    s.on('data', (c: Buffer) => {
      // keep only a tail: enough to find the marker across chunk boundaries
      seen = Buffer.concat([seen.subarray(Math.max(0, seen.length - 64)), c]);
      if (seen.includes(MARK)) finish('answered');
    });
    s.on('error', () => finish('closed'));
    s.on('close', () => finish('closed'));
  });
}

it('survives 100k random and mutated frames', async () => {
  const rnd = prng(12345);
  const total = Number(process.env.FUZZ_TOTAL ?? 100_000);
  const good = startupPacket({ user: 'fuzz', database: 'db' });
  const outcomes = { answered: 0, closed: 0, stalled: 0 };
  let sent = 0;
  const started = Date.now();
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    // a pool of connections kept busy; each gets a batch of 1..60 frames. A fatal protocol error ends a
    // connection (as in PostgreSQL), so short batches on many connections let most frames reach a handler.
    const worker = async (): Promise<void> => {
      while (sent < total) {
        const n = Math.min(total - sent, 1 + Math.floor(rnd() * 60));
        sent += n;
        const frames: Buffer[] = [];
        for (let i = 0; i < n; i++) frames.push(randomFrame(rnd));
        const startup = rnd() < 0.05 ? mutate(rnd, good) : good;
        outcomes[await runBatch(server.port, frames, startup)]++;
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
  } finally {
    spy.mockRestore();
  }
  expect(sent).toBeGreaterThanOrEqual(total);
  // a normal client still gets answers
  const c = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'after', database: 'db' });
  await c.connect();
  expect((await c.query('SELECT 2')).rows).toEqual([{ n: 1 }, { n: 2 }]);
  expect((await c.query('SELECT $1', ['ok'])).rows).toEqual([{ p1: 'ok' }]);
  await c.end();
  expect(logs.filter((l) => l.includes('handler failed'))).toEqual([]);
  // every session that was created got closed again
  await new Promise((r) => setTimeout(r, 100));
  const open = [...factory.sessions.values()].filter((s) => !s.closed);
  expect(open.length).toBe(0);
  console.log(`fuzz: ${sent} frames in ${Date.now() - started} ms`, outcomes);
}, 60_000);
