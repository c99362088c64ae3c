import { describe, expect, it } from 'vitest';
import { BodyReader, MessageReader, MessageWriter, ProtocolError } from './codec.js';
import { frame, startupPacket } from './testkit.js';

describe('MessageReader', () => {
  it('reassembles frames from arbitrary chunking, pushed with or without reads in between', () => {
    let seed = 7;
    const rnd = (): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
    const frames: Buffer[] = [];
    for (let i = 0; i < 300; i++) {
      const body = Buffer.alloc(Math.floor(rnd() * (i % 50 === 0 ? 100_000 : 300)), i & 0xff);
      frames.push(frame(String.fromCharCode(65 + (i % 26)), body));
    }
    const stream = Buffer.concat([startupPacket({ user: 'u' }), ...frames]);
    for (let round = 0; round < 5; round++) {
      const r = new MessageReader(1 << 20);
      const got: { type: number; body: Buffer }[] = [];
      let pos = 0;
      while (pos < stream.length) {
        const n = 1 + Math.floor(rnd() * (round === 0 ? 3 : 20_000));
        r.push(stream.subarray(pos, pos + n));
        pos += n;
        // sometimes several pushes happen while the connection is busy with a previous message
        if (rnd() < 0.5) continue;
        for (let f = r.next(); f; f = r.next()) {
          got.push(f);
          if (r.startup) r.startup = false;
        }
      }
      for (let f = r.next(); f; f = r.next()) { got.push(f); r.startup = false; }
      expect(got.length).toBe(301);
      expect(got[0]!.type).toBe(0);
      for (let i = 0; i < 300; i++) {
        expect(got[i + 1]!.type).toBe(frames[i]![0]);
        expect(got[i + 1]!.body.equals(frames[i]!.subarray(5))).toBe(true);
      }
      expect(r.buffered).toBe(0);
    }
  });

  it('rejects bad lengths', () => {
    const r = new MessageReader(1000);
    r.startup = false;
    r.push(Buffer.from([0x51, 0, 0, 0x10, 0]));
    expect(() => r.next()).toThrow(ProtocolError);
    const r2 = new MessageReader(1000);
    r2.startup = false;
    r2.push(Buffer.from([0x51, 0, 0, 0, 3]));
    expect(() => r2.next()).toThrow(ProtocolError);
    const r3 = new MessageReader(1000);
    r3.push(Buffer.from([0, 0, 0, 4]));
    expect(() => r3.next()).toThrow(ProtocolError);
  });
});

describe('BodyReader', () => {
  it('throws ProtocolError on truncation and invalid UTF-8', () => {
    expect(() => new BodyReader(Buffer.from([1])).int16()).toThrow(ProtocolError);
    expect(() => new BodyReader(Buffer.from('abc')).cstring()).toThrow(ProtocolError);
    expect(() => new BodyReader(Buffer.from([0xc3, 0x28, 0])).cstring()).toThrow(ProtocolError);
    expect(new BodyReader(Buffer.from('h\u00e9llo\0', 'utf8')).cstring()).toBe('h\u00e9llo');
    expect(() => new BodyReader(Buffer.from([1, 2])).bytes(3)).toThrow(ProtocolError);
  });
});

describe('MessageWriter', () => {
  it('frames messages and grows', () => {
    const w = new MessageWriter();
    const big = 'x'.repeat(100_000);
    w.commandComplete('SELECT 1');
    w.beginDataRow(3);
    w.fieldText(big);
    w.fieldNull();
    w.fieldBytes(Buffer.from([1, 2]));
    w.endMessage();
    w.readyForQuery('I');
    const out = w.take()!;
    expect(out.subarray(0, 14).toString('latin1')).toBe('C\0\0\0\x0dSELECT 1\0');
    const d = out.subarray(14);
    expect(d[0]).toBe(0x44);
    expect(d.readInt32BE(1)).toBe(4 + 2 + 4 + 100_000 + 4 + 4 + 2);
    expect(out.subarray(out.length - 6).toString('latin1')).toBe('Z\0\0\0\x05I');
    expect(w.take()).toBeNull();
    // the buffer handed out must not be reused for later messages
    const copy = Buffer.from(out);
    w.commandComplete('X'.repeat(50_000));
    w.take();
    expect(out.equals(copy)).toBe(true);
  });
});
