import { describe, expect, it } from 'vitest';
import { T, arrayOf, scalar } from '../types.js';
import type { Datum } from '../datum.js';
import { SqlError } from '../errors.js';
import { DEFAULT_VALUE_SETTINGS as S } from './settings.js';
import {
  applyTypmod, castDatum, compareDatums, datumKey, decodeBinary, encodeBinary, formatText, parseText, canCast,
} from './io.js';
import { Interval } from './interval.js';
import { Numeric } from './numeric.js';
import { Jsonb, compareJsonKeys, jsonObject, jsonToText, jsonbContains, parseJson, type JsonValue } from './json.js';
import {
  daysToYmd, ymdToDays, splitTimestamp, zoneOffsetMicros, localToUtc, utcToLocal, formatOffset, makeTimestamp,
} from './datetime.js';

function err(f: () => unknown): string {
  try { f(); } catch (e) { if (e instanceof SqlError) return `${e.code} ${e.message}`; throw e; }
  return 'no error';
}

describe('datetime helpers', () => {
  it('round-trips the calendar', () => {
    for (const days of [-800000, -719528, -1, 0, 1, 10957, 19723, 2932896]) {
      const { y, m, d } = daysToYmd(days);
      expect(ymdToDays(y, m, d)).toBe(days);
    }
    expect(daysToYmd(0)).toEqual({ y: 1970, m: 1, d: 1 });
    expect(ymdToDays(2000, 1, 1)).toBe(10957);
    expect(daysToYmd(ymdToDays(0, 2, 29))).toEqual({ y: 0, m: 2, d: 29 });
    expect(splitTimestamp(makeTimestamp(2024, 1, 2, 3, 4, 5, 6))).toEqual({ y: 2024, m: 1, d: 2, hh: 3, mm: 4, ss: 5, us: 6 });
    expect(splitTimestamp(-1)).toEqual({ y: 1969, m: 12, d: 31, hh: 23, mm: 59, ss: 59, us: 999999 });
  });
  it('converts zones through Intl', () => {
    const jan = makeTimestamp(2024, 1, 15, 12);
    const jul = makeTimestamp(2024, 7, 15, 12);
    expect(zoneOffsetMicros('Europe/Paris', jan)).toBe(3600e6);
    expect(zoneOffsetMicros('Europe/Paris', jul)).toBe(7200e6);
    expect(zoneOffsetMicros('+05:30', jan)).toBe(19800e6);
    expect(zoneOffsetMicros('UTC', jan)).toBe(0);
    expect(utcToLocal('America/New_York', jan)).toBe(jan - 5 * 3600e6);
    expect(localToUtc('America/New_York', jan - 5 * 3600e6)).toBe(jan);
    // spring-forward gap reads with the earlier offset: 02:30 EST = 07:30 UTC
    expect(localToUtc('America/New_York', makeTimestamp(2024, 3, 10, 2, 30))).toBe(makeTimestamp(2024, 3, 10, 7, 30));
    // fall-back overlap takes the later (standard time) offset: 01:30 EST = 06:30 UTC
    expect(localToUtc('America/New_York', makeTimestamp(2024, 11, 3, 1, 30))).toBe(makeTimestamp(2024, 11, 3, 6, 30));
    expect(formatOffset(0)).toBe('+00');
    expect(formatOffset(-19800)).toBe('-05:30');
    expect(formatOffset(561)).toBe('+00:09:21');
    expect(err(() => zoneOffsetMicros('Mars/Base', 0))).toBe('22023 time zone "Mars/Base" not recognized');
    // POSIX-style settings count hours west of UTC
    expect(formatText(T.timestamptz, makeTimestamp(2024, 1, 2, 3, 4, 5), { ...S, timeZone: 'UTC+3' })).toBe('2024-01-02 00:04:05-03');
    expect(formatText(T.timestamptz, makeTimestamp(2024, 1, 2, 3, 4, 5), { ...S, timeZone: 'GMT-5:30' })).toBe('2024-01-02 08:34:05+05:30');
  });
});

describe('text I/O', () => {
  it('formats core types', () => {
    expect(formatText(T.bool, true, S)).toBe('t');
    expect(formatText(T.int8, -5n, S)).toBe('-5');
    expect(formatText(T.float8, 0.1 + 0.2, S)).toBe('0.30000000000000004');
    expect(formatText(T.float8, 1e15, S)).toBe('1e+15');
    expect(formatText(T.float8, 123456.789, S)).toBe('123456.789');
    expect(formatText(T.float8, -0, S)).toBe('-0');
    expect(formatText(T.float4, Math.fround(0.1), S)).toBe('0.1');
    expect(formatText(T.bytea, new Uint8Array([1, 255]), S)).toBe('\\x01ff');
    expect(formatText(T.bytea, new Uint8Array([92, 1, 65]), { ...S, byteaOutput: 'escape' })).toBe('\\\\\\001A');
    expect(formatText(T.date, ymdToDays(0, 1, 1), S)).toBe('0001-01-01 BC');
    expect(formatText(T.timestamptz, makeTimestamp(2024, 1, 2, 3, 4, 5, 500000), S)).toBe('2024-01-02 03:04:05.5+00');
    expect(formatText(T.timestamptz, makeTimestamp(2024, 1, 2, 3, 4, 5), { ...S, timeZone: 'Asia/Kolkata' })).toBe('2024-01-02 08:34:05+05:30');
    expect(formatText(T.interval, new Interval(14, 3, 14706500000), S)).toBe('1 year 2 mons 3 days 04:05:06.5');
    expect(formatText(T.interval, new Interval(0, -1, 7200e6), S)).toBe('-1 days +02:00:00');
    expect(formatText(T.interval, new Interval(0, 0, 0), S)).toBe('00:00:00');
    expect(formatText(T.interval, new Interval(0, 0, 0), { ...S, intervalStyle: 'iso_8601' })).toBe('PT0S');
    expect(formatText(arrayOf(T.text), ['a b', 'x"y', null, '', 'NULL', 'ok'], S)).toBe('{"a b","x\\"y",NULL,"","NULL",ok}');
    expect(formatText(arrayOf(T.int4), [[1, 2], [3, 4]], S)).toBe('{{1,2},{3,4}}');
  });
  it('parses with PG errors', () => {
    expect(err(() => parseText(T.int4, '2147483648', S))).toBe('22003 value "2147483648" is out of range for type integer');
    expect(err(() => parseText(T.int4, 'x1', S))).toBe('22P02 invalid input syntax for type integer: "x1"');
    expect(err(() => parseText(T.int2, '', S))).toBe('22P02 invalid input syntax for type smallint: ""');
    expect(parseText(T.int8, '9223372036854775807', S)).toBe(9223372036854775807n);
    expect(parseText(T.bool, ' YES ', S)).toBe(true);
    expect(err(() => parseText(T.date, 'nope', S))).toBe('22007 invalid input syntax for type date: "nope"');
    expect(err(() => parseText(T.json, '{', S))).toBe('22P02 invalid input syntax for type json');
    expect(parseText(T.timestamp, '2024-01-02 03:04:05', S)).toBe(makeTimestamp(2024, 1, 2, 3, 4, 5));
    expect(parseText(T.timestamptz, '2024-01-02 03:04:05+05:30', S)).toBe(makeTimestamp(2024, 1, 1, 21, 34, 5));
    expect(parseText(T.timestamptz, '2024-07-01 12:00 Europe/Paris', S)).toBe(makeTimestamp(2024, 7, 1, 10));
    expect(parseText(T.timestamptz, 'epoch', S)).toBe(0);
    expect(parseText(T.date, '-infinity', S)).toBe(-Infinity);
    const now = makeTimestamp(2024, 5, 6, 23, 30);
    expect(parseText(T.date, 'today', { ...S, timeZone: 'Europe/Paris' }, now)).toBe(ymdToDays(2024, 5, 7));
    expect(parseText(T.timestamptz, 'now', S, now)).toBe(now);
    expect(parseText(T.timestamp, 'tomorrow', S, now)).toBe(makeTimestamp(2024, 5, 7));
    expect(parseText(T.interval, '2 hours 30 minutes', S)).toEqual(new Interval(0, 0, 9000e6));
    expect(parseText(T.interval, 'P1Y2M3DT4H5M6S', S)).toEqual(new Interval(14, 3, 14706e6));
    expect(parseText(T.bytea, '\\x0102', S)).toEqual(new Uint8Array([1, 2]));
    expect(parseText(T.uuid, 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', S)).toBe('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
    expect(parseText(arrayOf(T.int4), '{1,NULL,3}', S)).toEqual([1, null, 3]);
    expect(parseText(arrayOf(T.text), '{"NULL",NULL}', S)).toEqual(['NULL', null]);
  });
  it('applies varchar/bpchar typmods on input as assignment', () => {
    const vc3 = scalar('varchar', 7);
    expect(err(() => parseText(vc3, 'abcd', S))).toBe('22001 value too long for type character varying(3)');
    expect(parseText(vc3, 'abc  ', S)).toBe('abc');
    expect(parseText(scalar('bpchar', 7), 'a', S)).toBe('a  ');
    expect(applyTypmod(vc3, 'abcdef', true)).toBe('abc');
    expect(applyTypmod(scalar('varchar', 6), '😀😀  ', false)).toBe('😀😀');
    expect(err(() => applyTypmod(scalar('varchar', 6), '😀😀xy', false))).toBe('22001 value too long for type character varying(2)');
  });
});

describe('compare and keys', () => {
  it('orders text by code point (C collation)', () => {
    expect(compareDatums(T.text, '\uffff', '😀')).toBe(-1);
    expect(compareDatums(T.text, 'a', 'ab')).toBe(-1);
    expect(compareDatums(T.text, 'B', 'a')).toBe(-1);
    expect(compareDatums(T.bpchar, 'ab  ', 'ab')).toBe(0);
    expect(datumKey(T.bpchar, 'ab  ')).toBe(datumKey(T.bpchar, 'ab'));
  });
  it('orders floats with NaN last and -0 = 0', () => {
    expect(compareDatums(T.float8, NaN, Infinity)).toBe(1);
    expect(compareDatums(T.float8, NaN, NaN)).toBe(0);
    expect(compareDatums(T.float8, -0, 0)).toBe(0);
    expect(datumKey(T.float8, -0)).toBe(datumKey(T.float8, 0));
    expect(datumKey(T.float8, NaN)).toBe(datumKey(T.float8, NaN));
  });
  it('handles numerics, intervals, arrays, bytea, jsonb', () => {
    expect(datumKey(T.numeric, Numeric.fromString('1.0'))).toBe(datumKey(T.numeric, Numeric.fromString('1.00')));
    expect(compareDatums(T.interval, new Interval(1, 0, 0), new Interval(0, 30, 0))).toBe(0);
    expect(datumKey(T.interval, new Interval(1, 0, 0))).toBe(datumKey(T.interval, new Interval(0, 29, 86400e6)));
    expect(compareDatums(T.interval, new Interval(0, 0, -1), new Interval(0, -1, 86400e6))).toBe(-1);
    expect(compareDatums(arrayOf(T.int4), [1, 2], [1, 2, 3])).toBe(-1);
    expect(compareDatums(arrayOf(T.int4), [1, null], [1, 2])).toBe(1);
    expect(compareDatums(T.bytea, new Uint8Array([1]), new Uint8Array([1, 0]))).toBe(-1);
    expect(compareDatums(T.int8, 2n, 10n)).toBe(-1);
    const j = (s: string): Jsonb => parseText(T.jsonb, s, S) as Jsonb;
    expect(datumKey(T.jsonb, j('{"a":1.0}'))).toBe(datumKey(T.jsonb, j('{"a":1}')));
    expect(datumKey(arrayOf(T.text), ['a,b'])).not.toBe(datumKey(arrayOf(T.text), ['a', 'b']));
  });
});

describe('casts', () => {
  const cast = (from: Parameters<typeof castDatum>[0], to: Parameters<typeof castDatum>[1], d: Datum): Datum => castDatum(from, to, d, S);
  it('follows PG rounding and range rules', () => {
    expect(cast(T.float8, T.int4, 2.5)).toBe(2);
    expect(cast(T.float8, T.int4, 3.5)).toBe(4);
    expect(cast(T.float8, T.int4, -2.5)).toBe(-2);
    expect(cast(T.numeric, T.int4, Numeric.fromString('2.5'))).toBe(3);
    expect(cast(T.numeric, T.int4, Numeric.fromString('-2.5'))).toBe(-3);
    expect(err(() => cast(T.int8, T.int4, 2147483648n))).toBe('22003 integer out of range');
    expect(err(() => cast(T.int4, T.int2, 40000))).toBe('22003 smallint out of range');
    expect(err(() => cast(T.float8, T.int8, 1e19))).toBe('22003 bigint out of range');
    expect((cast(T.float8, T.numeric, 0.1 + 0.2) as Numeric).toString()).toBe('0.3');
    expect(cast(T.bool, T.text, true)).toBe('true');
    expect(cast(T.int4, T.bool, 5)).toBe(true);
    expect(cast(T.text, T.int4, ' 42 ')).toBe(42);
    expect(cast(T.text, scalar('varchar', 7), 'abcdef')).toBe('abc');
    expect(cast(scalar('bpchar', 9), T.text, 'ab   ')).toBe('ab');
    expect(cast(T.int4, T.oid, -1)).toBe(4294967295);
    expect(cast(arrayOf(T.float8), arrayOf(T.int4), [1.5, 2.5, null])).toEqual([2, 2, null]);
    expect(err(() => cast(T.date, T.int4, 1))).toBe('42846 cannot cast type date to integer');
    expect(err(() => cast(T.bool, T.int8, true))).toBe('42846 cannot cast type boolean to bigint');
    expect(canCast(T.bool, T.int8)).toBe(false);
    expect(canCast(T.jsonb, T.numeric)).toBe(true);
  });
  it('converts date/time types in the session zone', () => {
    const s = { ...S, timeZone: 'America/New_York' };
    const d = ymdToDays(2024, 1, 2);
    expect(castDatum(T.date, T.timestamptz, d, s)).toBe(makeTimestamp(2024, 1, 2, 5));
    expect(castDatum(T.timestamptz, T.date, makeTimestamp(2024, 1, 2, 3), s)).toBe(ymdToDays(2024, 1, 1));
    expect(castDatum(T.timestamptz, T.timestamp, makeTimestamp(2024, 1, 2, 3), s)).toBe(makeTimestamp(2024, 1, 1, 22));
    expect(castDatum(T.interval, T.time, new Interval(0, 1, -3600e6), S)).toBe(23 * 3600e6);
  });
});

describe('binary I/O', () => {
  const rt = (t: Parameters<typeof encodeBinary>[0], d: Datum): Datum => decodeBinary(t, encodeBinary(t, d));
  it('round-trips values', () => {
    for (const s of ['0', '0.00', '1.50', '-12345.6789', '1e20', '0.00001', 'NaN', 'Infinity', '123456789.123456789']) {
      const v = Numeric.fromString(s);
      expect((rt(T.numeric, v) as Numeric).toString()).toBe(v.toString());
    }
    expect(rt(T.int8, -9223372036854775808n)).toBe(-9223372036854775808n);
    expect(rt(T.timestamp, makeTimestamp(2024, 1, 2, 3, 4, 5, 6))).toBe(makeTimestamp(2024, 1, 2, 3, 4, 5, 6));
    expect(rt(T.date, Infinity)).toBe(Infinity);
    expect(rt(T.interval, new Interval(-14, 3, 123))).toEqual(new Interval(-14, 3, 123));
    expect(rt(T.uuid, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11')).toBe('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
    expect(rt(arrayOf(T.text), [['a', null], ['', 'd']])).toEqual([['a', null], ['', 'd']]);
    expect(rt(arrayOf(T.int4), [])).toEqual([]);
    const j = parseText(T.jsonb, '{"a":[1.50,null]}', S) as Jsonb;
    expect(jsonToText((rt(T.jsonb, j) as Jsonb).value)).toBe('{"a": [1.50, null]}');
  });
  it('rejects malformed input with 22P03', () => {
    expect(err(() => decodeBinary(T.int4, new Uint8Array(3)))).toMatch(/^22P03/);
    expect(err(() => decodeBinary(T.numeric, new Uint8Array([0, 1, 0, 0, 0, 0, 0, 0])))).toMatch(/^22P03/);
    expect(err(() => decodeBinary(T.jsonb, new Uint8Array([2, 0x7b, 0x7d])))).toMatch(/^22P03/);
  });
});

describe('json', () => {
  it('keeps numeric text and PG key order', () => {
    const v = parseJson('{"b":1, "a":2, "aa":3, "c": [1, 2.50, "x"], "a": 5}');
    expect(jsonToText(v)).toBe('{"a": 5, "b": 1, "c": [1, 2.50, "x"], "aa": 3}');
    expect(compareJsonKeys('b', 'aa')).toBeLessThan(0);
    const o = jsonObject([['zz', null], ['a', true]]);
    expect([...o.keys()]).toEqual(['a', 'zz']);
    expect(jsonToText('a\n"\u0001' as JsonValue)).toBe('"a\\n\\"\\u0001"');
  });
  it('implements @>', () => {
    const c = (a: string, b: string): boolean => jsonbContains(parseJson(a), parseJson(b));
    expect(c('{"a":1,"b":2}', '{"a":1}')).toBe(true);
    expect(c('[1,2,3]', '[3,1]')).toBe(true);
    expect(c('[1,2,3]', '1')).toBe(true);
    expect(c('1', '[1]')).toBe(false);
    expect(c('{"a":{"b":1,"c":2}}', '{"a":{"b":1}}')).toBe(true);
  });
});

describe('datetime arithmetic', () => {
  it('adds intervals with PG calendar rules', async () => {
    const m = await import('./datetime-arith.js');
    expect(m.timestampPlusInterval(makeTimestamp(2024, 1, 31), new Interval(1, 0, 0))).toBe(makeTimestamp(2024, 2, 29));
    expect(m.timestampPlusInterval(makeTimestamp(2024, 3, 31), new Interval(-1, 0, 0))).toBe(makeTimestamp(2024, 2, 29));
    // across DST: +1 day keeps the wall clock, +24 hours does not
    const t = parseText(T.timestamptz, '2024-03-09 12:00', { ...S, timeZone: 'America/New_York' }) as number;
    expect(formatText(T.timestamptz, m.timestamptzPlusInterval(t, new Interval(0, 1, 0), 'America/New_York'), { ...S, timeZone: 'America/New_York' })).toBe('2024-03-10 12:00:00-04');
    expect(formatText(T.timestamptz, m.timestamptzPlusInterval(t, new Interval(0, 0, 86400e6), 'America/New_York'), { ...S, timeZone: 'America/New_York' })).toBe('2024-03-10 13:00:00-04');
    expect(formatText(T.interval, m.timestampDiff(makeTimestamp(2024, 1, 3, 5), makeTimestamp(2024, 1, 1)), S)).toBe('2 days 05:00:00');
    expect(formatText(T.interval, m.age(makeTimestamp(2024, 3, 1), makeTimestamp(2024, 1, 31)), S)).toBe('1 mon 1 day');
    expect(m.timePlusInterval(23 * 3600e6, new Interval(0, 0, 2 * 3600e6))).toBe(3600e6);
  });
  it('prints [[]] as an empty array', () => {
    expect(formatText(arrayOf(T.int4), [[]], S)).toBe('{}');
  });
});

describe('interval typmods', () => {
  it('applies fields and precision like PG', async () => {
    const { intervalTypmod } = await import('./interval.js');
    const iv = (fields: string | null, p: number | null): ReturnType<typeof scalar> => scalar('interval', intervalTypmod(fields, p));
    const cases: [string, string | null, number | null, string][] = [
      ['1 day 2:03:04.5678', 'hour to minute', null, '1 day 02:03:00'],
      ['2', 'hour', null, '02:00:00'],
      ['1 year 2 months 3 days', 'year', null, '1 year'],
      ['1.23456789 seconds', null, 2, '00:00:01.23'],
      ['5', 'year to month', null, '5 mons'],
      ['3', 'day', null, '3 days'],
      ['1 day 2:03:04.5678', 'day to second', 1, '1 day 02:03:04.6'],
      ['-1.5 seconds', null, 0, '-00:00:02'],
      ['100', 'minute', null, '01:40:00'],
      ['1 year 14 months', 'month', null, '2 years 2 mons'],
    ];
    for (const [text, f, p, want] of cases) {
      const t = iv(f, p);
      expect(formatText(t, parseText(t, text, S), S)).toBe(want);
      // explicit cast from an unrestricted interval applies the same adjustment (except bare-number units)
    }
    expect(formatText(T.interval, castDatum(T.interval, iv('day', null), parseText(T.interval, '1 day 05:00', S), S), S)).toBe('1 day');
  });
});

describe('format_type', () => {
  it('prints typmods like PG', async () => {
    const { formatTypeWithTypmod } = await import('./typmod.js');
    const { intervalTypmod } = await import('./interval.js');
    const { encodeNumericTypmod } = await import('./numeric.js');
    const got = [
      scalar('varchar', 7), scalar('numeric', encodeNumericTypmod(5, 2)), scalar('timestamp', 3), scalar('timestamptz', 0),
      scalar('interval', intervalTypmod('hour to minute', null)), scalar('interval', intervalTypmod(null, 2)),
      scalar('interval', intervalTypmod('day to second', 3)), scalar('bpchar', 8), scalar('time', 2),
      scalar('numeric', encodeNumericTypmod(7, 0)), T.varchar, T.numeric, T.bpchar, arrayOf(T.int4),
      arrayOf(scalar('varchar', 9)), scalar('numeric', encodeNumericTypmod(4, -2)), scalar('interval', intervalTypmod('year', null)),
    ].map(formatTypeWithTypmod).join(' | ');
    expect(got).toBe('character varying(3) | numeric(5,2) | timestamp(3) without time zone | timestamp(0) with time zone | interval hour to minute | interval(2) | interval day to second(3) | character(4) | time(2) without time zone | numeric(7,0) | character varying | numeric | bpchar | integer[] | character varying(5)[] | numeric(4,-2) | interval year');
  });
});

describe('time precision', () => {
  it('rounds on input like PG', () => {
    expect(formatText(T.timestamp, parseText(scalar('timestamp', 2), '2024-01-02 03:04:05.123456', S), S)).toBe('2024-01-02 03:04:05.12');
    expect(formatText(T.time, parseText(scalar('time', 1), '03:04:05.55', S), S)).toBe('03:04:05.6');
    expect(formatText(T.timestamptz, parseText(scalar('timestamptz', 0), '2024-01-02 03:04:05.5', S), S)).toBe('2024-01-02 03:04:06+00');
    expect(parseText(scalar('timestamp', 2), '-infinity', S)).toBe(-Infinity);
    expect(formatText(T.time, parseText(scalar('time', 0), '03:04:05.95', S), S)).toBe('03:04:06');
    // half away from zero measured from 2000-01-01, as PG does
    expect(formatText(T.timestamp, parseText(scalar('timestamp', 0), '1969-12-31 23:59:59.5', S), S)).toBe('1969-12-31 23:59:59');
    expect(formatText(T.timestamp, parseText(scalar('timestamp', 0), '1999-12-31 23:59:58.5', S), S)).toBe('1999-12-31 23:59:58');
    expect(formatText(T.timestamp, parseText(scalar('timestamp', 0), '2000-01-01 00:00:00.5', S), S)).toBe('2000-01-01 00:00:01');
  });
});
