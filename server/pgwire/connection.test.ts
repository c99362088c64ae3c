import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { FakeFactory, RawClient, dataRowOf, errorFieldsOf, i32, msg, startupPacket } from './testkit.js';
import { startPgServer } from './server.js';
import { makeScramVerifier } from './auth.js';

// The real value I/O belongs to another module; these tests only check the protocol.
vi.mock('../../core/values/io.js', () => ({
  formatText: (_t: unknown, d: unknown) => {
    if (d === 'unencodable') throw Object.assign(new Error('cannot output this value'), { code: '22000' });
    return String(d);
  },
  encodeBinary: (_t: unknown, d: unknown) => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(Number(d));
    return b;
  },
}));

let factory: FakeFactory;
let server: { port: number; close(): Promise<void> };
const logs: string[] = [];

beforeAll(async () => {
  factory = new FakeFactory();
  factory.auth = {
    pw: { method: 'password', secret: 'sekret' },
    md5user: { method: 'md5', secret: 'md5pass' },
    scram: { method: 'scram-sha-256', secret: 'scrampass' },
    scramv: { method: 'scram-sha-256', secret: await makeScramVerifier('verifierpass') },
    nopw: { method: 'md5' },
    md5stored: { method: 'md5', secret: 'md5' + createHash('md5').update('storedpw' + 'md5stored').digest('hex') },
  };
  server = await startPgServer({ host: '127.0.0.1', port: 0, factory, log: (m) => logs.push(m) });
});
afterAll(async () => {
  await server.close();
});

async function client(user = 'alice', password?: string): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port: server.port, user, database: 'db', password });
  await c.connect();
  return c;
}

describe('simple query', () => {
  it('returns rows and the command tag', async () => {
    const c = await client();
    const r = await c.query('SELECT 3');
    expect(r.rows).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(r.command).toBe('SELECT');
    expect(r.rowCount).toBe(3);
    expect(r.fields[0]?.dataTypeID).toBe(23);
    await c.end();
  });

  it('streams a large result', async () => {
    const c = await client();
    const r = await c.query('SELECT 50000');
    expect(r.rows.length).toBe(50000);
    expect(r.rows[49999]).toEqual({ n: 50000 });
    await c.end();
  });

  it('handles several statements in one query', async () => {
    const c = await client();
    const r = (await c.query('SELECT 1; SELECT 2')) as unknown as pg.QueryResult[];
    expect(r.length).toBe(2);
    expect(r[1]?.rows).toEqual([{ n: 1 }, { n: 2 }]);
    await c.end();
  });

  it('reports SqlError fields and stays usable', async () => {
    const c = await client();
    const err = await c.query('ERROR 23505').then(() => null, (e: unknown) => e as pg.DatabaseError);
    expect(err?.code).toBe('23505');
    expect(err?.message).toBe('boom');
    expect(err?.detail).toBe('some detail');
    expect(err?.hint).toBe('some hint');
    expect(err?.position).toBe('3');
    expect(err?.table).toBe('t');
    expect(err?.constraint).toBe('c1');
    expect(err?.severity).toBe('ERROR');
    expect((await c.query('SELECT 1')).rows).toEqual([{ n: 1 }]);
    await c.end();
  });

  it('maps non-SqlErrors to XX000', async () => {
    const c = await client();
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const err = await c.query('CRASH').then(() => null, (e: unknown) => e as pg.DatabaseError);
    spy.mockRestore();
    expect(err?.code).toBe('XX000');
    await c.end();
  });

  it('stops a multi-statement query at the first error', async () => {
    const raw = await RawClient.ready(server.port);
    raw.send(msg.query('SELECT 1; ERROR 22012; SELECT 2'));
    const m = await raw.until('Z');
    expect(m.map((x) => x.type).join('')).toBe('TDCEZ');
    raw.close();
  });

  it('answers an empty query with EmptyQueryResponse', async () => {
    const raw = await RawClient.ready(server.port);
    raw.send(msg.query('  '));
    const m = await raw.until('Z');
    expect(m.map((x) => x.type).join('')).toBe('IZ');
    raw.close();
  });

  it('passes notices and transaction status', async () => {
    const raw = await RawClient.ready(server.port);
    raw.send(msg.query('BEGIN; NOTICE'));
    const m = await raw.until('Z');
    expect(m.map((x) => x.type).join('')).toBe('CNCZ');
    expect(errorFieldsOf(m[1]!.body)['M']).toBe('hello notice');
    expect(m[3]!.body.toString()).toBe('T');
    raw.close();
  });
});

describe('extended query', () => {
  it('binds parameters', async () => {
    const c = await client();
    const r = await c.query('SELECT $1, $2', ['a', null]);
    expect(r.rows).toEqual([{ p1: 'a', p2: null }]);
    await c.end();
  });

  it('uses named prepared statements', async () => {
    const c = await client();
    const r1 = await c.query({ name: 'st1', text: 'SELECT $1', values: ['x'] });
    const r2 = await c.query({ name: 'st1', text: 'SELECT $1', values: ['y'] });
    expect(r1.rows).toEqual([{ p1: 'x' }]);
    expect(r2.rows).toEqual([{ p1: 'y' }]);
    await c.end();
  });

  it('recovers after an error (skips until Sync)', async () => {
    const c = await client();
    const err = await c.query('ERROR $1', ['x']).then(() => null, (e: unknown) => e as pg.DatabaseError);
    expect(err?.code).toBe('42601');
    expect((await c.query('SELECT $1', ['ok'])).rows).toEqual([{ p1: 'ok' }]);
    const s = [...factory.sessions.values()].at(-1)!;
    expect(s.failedMarks).toBe(1);
    await c.end();
  });

  it('discards messages after an error until Sync', async () => {
    const raw = await RawClient.ready(server.port);
    raw.send(msg.bind('', 'missing'), msg.execute(''), msg.parse('', 'SELECT 1'), msg.sync(), msg.parse('', 'SELECT 2'), msg.bind('', ''), msg.execute(''), msg.sync());
    const m = await raw.until('Z');
    expect(m.map((x) => x.type).join('')).toBe('EZ');
    expect(errorFieldsOf(m[0]!.body)['C']).toBe('26000');
    const m2 = await raw.until('Z');
    expect(m2.map((x) => x.type).join('')).toBe('12DDCZ');
    raw.close();
  });

  it('limits rows per Execute with PortalSuspended', async () => {
    const raw = await RawClient.ready(server.port);
    raw.send(msg.parse('s', 'SELECT 5'), msg.bind('p', 's'), msg.describe('P', 'p'),
      msg.execute('p', 2), msg.execute('p', 2), msg.execute('p', 2), msg.sync());
    const m = await raw.until('Z');
    expect(m.map((x) => x.type).join('')).toBe('12TDDsDDsDCZ');
    expect(m.filter((x) => x.type === 'D').map((x) => dataRowOf(x.body)[0])).toEqual(['1', '2', '3', '4', '5']);
    expect(m.find((x) => x.type === 'C')!.body.toString()).toBe('SELECT 5\0');
    raw.close();
  });

  it('describes statements and portals, honours binary result formats', async () => {
    const raw = await RawClient.ready(server.port);
    raw.send(msg.parse('q', 'SELECT 2', []), msg.describe('S', 'q'), msg.bind('b', 'q', [], [1]), msg.describe('P', 'b'),
      msg.execute('b'), msg.close('P', 'b'), msg.close('S', 'q'), msg.parse('', 'BEGIN'), msg.describe('S', ''), msg.sync());
    const m = await raw.until('Z');
    expect(m.map((x) => x.type).join('')).toBe('1tT2TDDC331tnZ');
    const rd = m[4]!.body;
    // last int16 of the single field description is the format code
    expect(rd.readInt16BE(rd.length - 2)).toBe(1);
    expect(m[5]!.body.subarray(6).readInt32BE(0)).toBe(1);
    raw.close();
  });

  it('rejects a result-format count that does not match the columns', async () => {
    const raw = await RawClient.ready(server.port);
    raw.send(msg.parse('', 'SELECT 2'), msg.bind('', '', [], [0, 1, 0]), msg.sync());
    const m = await raw.until('Z');
    expect(m.map((x) => x.type).join('')).toBe('1EZ');
    expect(errorFieldsOf(m[1]!.body)['C']).toBe('08P01');
    raw.close();
  });
});

describe('authentication', () => {
  it('cleartext password', async () => {
    const c = await client('pw', 'sekret');
    expect((await c.query('SELECT 1')).rows).toEqual([{ n: 1 }]);
    await c.end();
  });
  it('md5', async () => {
    const c = await client('md5user', 'md5pass');
    expect((await c.query('SELECT 1')).rows).toEqual([{ n: 1 }]);
    await c.end();
  });
  it('md5 with a stored md5 hash', async () => {
    const c = await client('md5stored', 'storedpw');
    expect((await c.query('SELECT 1')).rows).toEqual([{ n: 1 }]);
    await c.end();
  });
  it('SCRAM-SHA-256 with a clear password', async () => {
    const c = await client('scram', 'scrampass');
    expect((await c.query('SELECT 1')).rows).toEqual([{ n: 1 }]);
    await c.end();
  });
  it('SCRAM-SHA-256 with a stored verifier', async () => {
    const c = await client('scramv', 'verifierpass');
    expect((await c.query('SELECT 1')).rows).toEqual([{ n: 1 }]);
    await c.end();
  });
  it.each([['pw', 'nope'], ['md5user', 'nope'], ['scram', 'nope'], ['scramv', 'nope'], ['nopw', 'x']])('wrong password for %s → 28P01', async (user, password) => {
    const err = await client(user, password).then(() => null, (e: unknown) => e as pg.DatabaseError);
    expect(err?.code).toBe('28P01');
    expect(err?.severity).toBe('FATAL');
  });
  it('authFor errors are FATAL', async () => {
    const err = await client('nologin').then(() => null, (e: unknown) => e as pg.DatabaseError);
    expect(err?.code).toBe('28000');
  });
  it('rejects unsupported protocol versions', async () => {
    const raw = await RawClient.connect(server.port);
    raw.send(startupPacket({ user: 'alice' }, 2 << 16));
    const m = await raw.until('E');
    expect(errorFieldsOf(m[0]!.body)['C']).toBe('08P01');
    await raw.waitClosed();
  });
  it('answers SSLRequest with N without TLS configured, then starts up', async () => {
    const raw = await RawClient.connect(server.port);
    raw.expectRawBytes = 1;
    raw.send(i32(8), i32(80877103));
    raw.send(startupPacket({ user: 'alice' }));
    await raw.until('Z');
    expect(raw.rawPrefix).toEqual(['N'.charCodeAt(0)]);
    raw.close();
  });
  it('passes startup parameters to the factory', async () => {
    const c = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'bob', database: 'thedb', application_name: 'app1' });
    await c.connect();
    const s = [...factory.sessions.values()].at(-1)!;
    expect(s.params['database']).toBe('thedb');
    expect(s.params['application_name']).toBe('app1');
    await c.end();
    await new Promise((r) => setTimeout(r, 50));
    expect(s.closed).toBe(true);
  });
});

describe('cancel', () => {
  it('routes CancelRequest to factory.cancel', async () => {
    const c = await client();
    const pid = (c as unknown as { processID: number }).processID;
    const key = (c as unknown as { secretKey: number }).secretKey;
    const p = c.query('SLEEP').then(() => null, (e: unknown) => e as pg.DatabaseError);
    await new Promise((r) => setTimeout(r, 50));
    const raw = await RawClient.connect(server.port);
    raw.send(i32(16), i32(80877102), i32(pid), i32(key));
    await raw.waitClosed();
    const err = await p;
    expect(err?.code).toBe('57014');
    expect(factory.cancels).toContainEqual([pid, key]);
    await c.end();
  });
});

describe('COPY', () => {
  it('COPY FROM STDIN', async () => {
    const raw = await RawClient.ready(server.port);
    raw.send(msg.query('COPY t FROM STDIN'));
    const m = await raw.until('G');
    expect(m.at(-1)!.body).toEqual(Buffer.from([0, 0, 2, 0, 0, 0, 0]));
    raw.send(msg.copyData('1\ta\n2\t'), msg.copyData('b\n3\tc\n'), msg.copyDone());
    const m2 = await raw.until('Z');
    expect(m2.map((x) => x.type).join('')).toBe('CZ');
    expect(m2[0]!.body.toString()).toBe('COPY 3\0');
    const s = [...factory.sessions.values()].at(-1)!;
    expect(s.copied).toEqual(['1\ta', '2\tb', '3\tc']);
    raw.close();
  });

  it('CopyFail gives an error and the connection stays usable', async () => {
    const raw = await RawClient.ready(server.port);
    raw.send(msg.query('COPY t FROM STDIN'));
    await raw.until('G');
    raw.send(msg.copyData('1\ta\n'), msg.copyFail('client gave up'));
    const m = await raw.until('Z');
    expect(m.map((x) => x.type).join('')).toBe('EZ');
    expect(errorFieldsOf(m[0]!.body)['M']).toContain('client gave up');
    raw.send(msg.query('SELECT 1'));
    expect((await raw.until('Z')).map((x) => x.type).join('')).toBe('TDCZ');
    raw.close();
  });

  it('COPY FROM STDIN in the extended protocol', async () => {
    const raw = await RawClient.ready(server.port);
    raw.send(msg.parse('', 'COPY t FROM STDIN'), msg.bind('', ''), msg.execute(''), msg.flush());
    expect((await raw.until('G')).map((x) => x.type).join('')).toBe('12G');
    // Sync/Flush during copy-in are ignored, as in PostgreSQL
    raw.send(msg.copyData('9\tz\n'), msg.sync(), msg.copyDone(), msg.sync());
    const m = await raw.until('Z');
    expect(m.map((x) => x.type).join('')).toBe('CZ');
    raw.close();
  });

  it('COPY TO STDOUT', async () => {
    const raw = await RawClient.ready(server.port);
    raw.send(msg.query('COPY t TO STDOUT'));
    const m = await raw.until('Z');
    expect(m.map((x) => x.type).join('')).toBe('HddcCZ');
    expect(m[1]!.body.toString()).toBe('1\ta\n');
    raw.close();
  });
});

describe('robustness', () => {
  it('closes the connection on a bad message type with 08P01 FATAL', async () => {
    const raw = await RawClient.ready(server.port);
    raw.send(Buffer.from([0x7a, 0, 0, 0, 4]));
    const m = await raw.until('E');
    expect(errorFieldsOf(m[0]!.body)).toMatchObject({ S: 'FATAL', C: '08P01' });
    await raw.waitClosed();
  });

  it('rejects a huge length', async () => {
    const raw = await RawClient.ready(server.port);
    raw.send(Buffer.from([0x51, 0x7f, 0xff, 0xff, 0xff]));
    const m = await raw.until('E');
    expect(errorFieldsOf(m[0]!.body)['C']).toBe('08P01');
    await raw.waitClosed();
  });

  it('rejects invalid UTF-8 in a query', async () => {
    const raw = await RawClient.ready(server.port);
    raw.send(Buffer.concat([Buffer.from([0x51, 0, 0, 0, 7]), Buffer.from([0x53, 0xff, 0x00])]));
    const m = await raw.until('E');
    expect(errorFieldsOf(m[0]!.body)['C']).toBe('08P01');
    await raw.waitClosed();
  });

  it('handles frames split into single bytes', async () => {
    const raw = await RawClient.ready(server.port);
    const bytes = Buffer.concat([msg.query('SELECT 2'), msg.parse('', 'SELECT 1'), msg.bind('', ''), msg.execute(''), msg.sync()]);
    for (const b of bytes) {
      raw.send(Buffer.from([b]));
      await new Promise((r) => setImmediate(r));
    }
    const m1 = await raw.until('Z');
    expect(m1.map((x) => x.type).join('')).toBe('TDDCZ');
    const m2 = await raw.until('Z');
    expect(m2.map((x) => x.type).join('')).toBe('12DCZ');
    raw.close();
  });

  it('refuses connections over maxConnections with 53300', async () => {
    const f = new FakeFactory();
    const s = await startPgServer({ host: '127.0.0.1', port: 0, factory: f, maxConnections: 1, log: () => {} });
    const c1 = new pg.Client({ host: '127.0.0.1', port: s.port, user: 'a' });
    await c1.connect();
    const c2 = new pg.Client({ host: '127.0.0.1', port: s.port, user: 'a' });
    const err = await c2.connect().then(() => null, (e: unknown) => e as pg.DatabaseError);
    expect(err?.code).toBe('53300');
    await c1.end();
    await new Promise((r) => setTimeout(r, 50));
    const c3 = new pg.Client({ host: '127.0.0.1', port: s.port, user: 'a' });
    await c3.connect();
    await c3.end();
    await s.close();
  });

  it('a FATAL session error ends the connection', async () => {
    const raw = await RawClient.ready(server.port);
    raw.send(msg.query('FATAL'));
    const m = await raw.until('E');
    expect(errorFieldsOf(m[0]!.body)).toMatchObject({ S: 'FATAL', C: '57P01' });
    await raw.waitClosed();
  });

  it('applies backpressure while streaming rows to a slow client', async () => {
    const raw = await RawClient.ready(server.port);
    const s = [...factory.sessions.values()].at(-1)!;
    raw.socket.pause();
    raw.send(msg.query('SELECT 2000000'));
    // ~30 MB of DataRows: the producer must stall once the socket buffers are full
    let before = -1;
    for (let i = 0; i < 50 && s.rowsYielded !== before; i++) {
      before = s.rowsYielded;
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(s.rowsYielded).toBe(before);
    expect(s.rowsYielded).toBeLessThan(2_000_000);
    let rows = 0;
    let done = false;
    raw.socket.removeAllListeners('data');
    let tail = Buffer.alloc(0);
    raw.socket.on('data', (c: Buffer) => {
      let b = tail.length ? Buffer.concat([tail, c]) : c;
      while (b.length >= 5) {
        const len = b.readInt32BE(1);
        if (b.length < len + 1) break;
        if (b[0] === 0x44) rows++;
        if (b[0] === 0x5a) done = true;
        b = b.subarray(len + 1);
      }
      tail = b;
    });
    raw.socket.resume();
    while (!done) await new Promise((r) => setTimeout(r, 20));
    expect(rows).toBe(2_000_000);
    raw.close();
  });

  it('closes sessions when the socket dies mid-query', async () => {
    const raw = await RawClient.ready(server.port);
    const s = [...factory.sessions.values()].at(-1)!;
    raw.send(msg.query('SLEEP'));
    await new Promise((r) => setTimeout(r, 30));
    raw.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(s.closed).toBe(true);
  });
});

describe('TLS', () => {
  let keyPem: Buffer | null = null;
  let certPem: Buffer | null = null;
  try {
    const dir = mkdtempSync(join(tmpdir(), 'pgwire-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'),
      '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
    keyPem = readFileSync(join(dir, 'k.pem'));
    certPem = readFileSync(join(dir, 'c.pem'));
  } catch {
    // no openssl: the test is skipped
  }
  it.skipIf(!keyPem)('upgrades SSLRequest to TLS', async () => {
    const f = new FakeFactory();
    const s = await startPgServer({ host: '127.0.0.1', port: 0, factory: f, tls: { key: keyPem!, cert: certPem! }, log: () => {} });
    const c = new pg.Client({ host: '127.0.0.1', port: s.port, user: 'a', ssl: { rejectUnauthorized: false } });
    await c.connect();
    expect((await c.query('SELECT 2')).rows).toEqual([{ n: 1 }, { n: 2 }]);
    await c.end();
    await s.close();
  });
});

describe('a value that fails to encode', () => {
  it('sends an error instead of half a DataRow, and the connection stays usable', async () => {
    const c = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'eddy', database: 'eddy' });
    await c.connect();
    try {
      await expect(c.query('SELECT BROKEN')).rejects.toThrow(/cannot output this value/);
      expect((await c.query('SELECT 2')).rows.map((r: { n: number }) => r.n)).toEqual([1, 2]);
    } finally {
      await c.end();
    }
  });
});
