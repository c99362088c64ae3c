// Unit tests of the sqllogictest runner against a scripted fake server (no database needed).
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { parseSlt } from './parser.js';
import { runSltFile } from './runner.js';

function msg(type: string, body: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeInt32BE(body.length + 4);
  return Buffer.concat([Buffer.from(type), len, body]);
}
const cstr = (s: string): Buffer => Buffer.from(s + '\0');
const int16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const int32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const ready = msg('Z', Buffer.from('I'));
function rowDesc(cols: string[]): Buffer {
  return msg('T', Buffer.concat([int16(cols.length), ...cols.map((c) => Buffer.concat([cstr(c), int32(0), int16(0), int32(25), int16(-1), int32(-1), int16(0)]))]));
}
function dataRow(vals: (string | null)[]): Buffer {
  return msg('D', Buffer.concat([int16(vals.length), ...vals.map((v) => (v === null ? int32(-1) : Buffer.concat([int32(Buffer.byteLength(v)), Buffer.from(v)])))]));
}

/** Answers: 'SELECT bad' with a DataRow whose length field is garbage; 'SELECT two' with rows; anything else with "OK". */
let server: net.Server;
let port = 0;
beforeAll(async () => {
  server = net.createServer((sock) => {
    let started = false;
    let buf = Buffer.alloc(0);
    sock.on('error', () => undefined);
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (!started) {
        if (buf.length < 4 || buf.length < buf.readInt32BE(0)) return;
        buf = buf.subarray(buf.readInt32BE(0));
        started = true;
        sock.write(Buffer.concat([msg('R', int32(0)), msg('K', Buffer.concat([int32(1), int32(2)])), ready]));
      }
      while (buf.length >= 5 && buf.length >= 1 + buf.readInt32BE(1)) {
        const type = String.fromCharCode(buf[0] ?? 0);
        const body = buf.subarray(5, 1 + buf.readInt32BE(1));
        buf = buf.subarray(1 + buf.readInt32BE(1));
        if (type !== 'Q') continue;
        const sql = body.toString('utf8').replace(/\0$/, '');
        if (sql === 'SELECT bad') {
          const broken = dataRow(['x']);
          broken.writeInt16BE(3, 5); // claims 3 columns, carries 1: the parser reads past the end
          sock.write(Buffer.concat([rowDesc(['a']), broken]));
        } else if (sql === 'SELECT two') {
          sock.write(Buffer.concat([rowDesc(['a', 'b']), dataRow(['2', 'b']), dataRow(['1', null]), dataRow(['3', '']), msg('C', cstr('SELECT 3')), ready]));
        } else {
          sock.write(Buffer.concat([msg('C', cstr('SELECT 0')), ready]));
        }
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as net.AddressInfo).port;
});
afterAll(() => {
  server.close();
});

function tmpFile(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slt-unit-'));
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
}

test('a malformed message fails the record, not the run', async () => {
  const f = tmpFile('bad.slt', 'query T\nSELECT bad\n----\nx\n\nstatement ok\nSELECT ok\n');
  const s = await runSltFile(f, { port }, { isolate: 'none', statementTimeoutMs: 5000 });
  expect(s.fatal).toBeUndefined();
  expect(s.failed).toBe(1);
  expect(s.passed).toBe(1);
  expect(s.failures[0]?.actual).toMatch(/malformed message|terminated/);
});

test('rs dialect: rows per line, NULL, (empty), rowsort', async () => {
  const f = tmpFile('rows.slt', 'query IT rowsort\nSELECT two\n----\n1 NULL\n2 b\n3 (empty)\n\nquery IT\nSELECT two\n----\n2 b\n1 NULL\n3 (empty)\n');
  const s = await runSltFile(f, { port }, { isolate: 'none' });
  expect(s.failures).toEqual([]);
  expect(s.passed).toBe(2);
});

test('sqlite dialect: value per line, hashing, I/T formatting', async () => {
  // values after rowsort: 1 NULL 2 b 3 (empty)
  const values = ['1', 'NULL', '2', 'b', '3', '(empty)'];
  const { createHash } = await import('node:crypto');
  const h = createHash('md5');
  for (const v of values) h.update(v + '\n');
  const text = `query IT rowsort\nSELECT two\n----\n${values.join('\n')}\n\nquery IT rowsort\nSELECT two\n----\n6 values hashing to ${h.digest('hex')}\n\nskipif postgresql\nquery I\nSELECT two\n----\n9\n\nonlyif mysql\nstatement ok\nSELECT x\n\nhalt\n\nstatement ok\nSELECT never\n`;
  const s = await runSltFile(tmpFile('x.test', text), { port }, { isolate: 'none' });
  expect(s.failures).toEqual([]);
  expect({ passed: s.passed, skipped: s.skipped, total: s.total }).toEqual({ passed: 2, skipped: 2, total: 4 });
});

test('parser: multi-line error blocks and control records', () => {
  const recs = parseSlt(
    'statement error\nselect 1/0\n----\ndb error: ERROR: x\n\nCaused by:\n  division by zero\n\n\nsleep 1s\n\nsystem ok\necho hi\n\nconnection other\nquery I nosort lbl\nselect 1\n----\n1\n',
  );
  expect(recs.map((r) => r.kind)).toEqual(['statement', 'sleep', 'ignored', 'query']);
  const st = recs[0];
  expect(st?.kind === 'statement' ? st.errorMessage : null).toBe('db error: ERROR: x\n\nCaused by:\n  division by zero');
  const q = recs[3];
  expect(q?.kind === 'query' ? [q.connection, q.label, q.sort] : null).toEqual(['other', 'lbl', 'nosort']);
});
