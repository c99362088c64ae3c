import { describe, it, expect } from 'vitest';
import { T } from '../../core/types.js';
import { Interval } from '../../core/values/interval.js';
import { Numeric } from '../../core/values/numeric.js';
import { makeTimestamp, ymdToDays } from '../../core/values/datetime.js';
import { callFn, callOp, errOf, ctx } from './test-util.js';
import type { EvalContext } from './registry.js';

const ts = (y: number, m: number, d: number, hh = 0, mi = 0, ss = 0, us = 0): number => makeTimestamp(y, m, d, hh, mi, ss, us);
const iv = (months: number, days: number, micros: number): Interval => new Interval(months, days, micros);
const H = 3_600_000_000;
const ny: EvalContext = { ...ctx, settings: { ...ctx.settings, timeZone: 'America/New_York' } };
const t = T.text;

describe('datetime operators', () => {
  it('timestamp/date arithmetic', () => {
    expect(callOp('+', T.timestamp, T.interval, [ts(2024, 1, 31, 10), iv(1, 0, 0)])).toBe(ts(2024, 2, 29, 10));
    expect(callOp('+', T.date, T.interval, [ymdToDays(2024, 2, 29), iv(12, 0, 0)])).toBe(ts(2025, 2, 28));
    expect(callOp('-', T.timestamp, T.timestamp, [ts(2024, 3, 1), ts(2024, 2, 28, 1)])).toEqual(iv(0, 1, 23 * H));
    expect(callOp('-', T.date, T.date, [ymdToDays(2024, 3, 1), ymdToDays(2024, 2, 1)])).toBe(29);
    expect(callOp('+', T.date, T.int4, [ymdToDays(2024, 2, 28), 2])).toBe(ymdToDays(2024, 3, 1));
    expect(callOp('*', T.interval, T.float8, [iv(0, 1, 0), 1.5])).toEqual(iv(0, 1, 12 * H));
    // DST: adding a day keeps local wall-clock time
    expect(callOp('+', T.timestamptz, T.interval, [ts(2024, 3, 9, 17), iv(0, 1, 0)], ny)).toBe(ts(2024, 3, 10, 16));
  });
});

describe('datetime functions', () => {
  it('date_trunc', () => {
    expect(callFn('date_trunc', [t, T.timestamp], ['week', ts(2024, 1, 18, 13, 14, 15)])).toBe(ts(2024, 1, 15));
    expect(callFn('date_trunc', [t, T.timestamp], ['quarter', ts(2024, 5, 18)])).toBe(ts(2024, 4, 1));
    expect(callFn('date_trunc', [t, T.timestamp], ['century', ts(2024, 5, 18)])).toBe(ts(2001, 1, 1));
    expect(callFn('date_trunc', [t, T.interval], ['hour', iv(0, 1, 3 * H + 45 * 60e6 + 12e6)])).toEqual(iv(0, 1, 3 * H));
    expect(callFn('date_trunc', [t, T.timestamptz], ['day', ts(2024, 3, 10, 16)], ny)).toBe(ts(2024, 3, 10, 5));
    expect(errOf(() => callFn('date_trunc', [t, T.timestamptz], ['foo', 0])))
      .toBe('22023 unit "foo" not recognized for type timestamp with time zone');
  });
  it('extract / date_part', () => {
    const x = ts(2024, 1, 15, 12, 30, 45, 500000);
    expect(String(callFn('extract', [t, T.timestamp], ['second', x]))).toBe('45.500000');
    expect(String(callFn('extract', [t, T.timestamp], ['epoch', ts(2024, 1, 15, 12, 30, 45)]))).toBe('1705321845.000000');
    expect(String(callFn('extract', [t, T.timestamp], ['milliseconds', x]))).toBe('45500.000');
    expect(String(callFn('extract', [t, T.timestamp], ['microseconds', x]))).toBe('45500000');
    expect(String(callFn('extract', [t, T.date], ['year', ymdToDays(2024, 1, 15)]))).toBe('2024');
    expect(String(callFn('extract', [t, T.date], ['epoch', ymdToDays(2024, 1, 15)]))).toBe('1705276800');
    expect(String(callFn('extract', [t, T.interval], ['epoch', iv(12, 2, 3_500_000)]))).toBe('31730403.500000');
    expect(String(callFn('extract', [t, T.date], ['dow', ymdToDays(2024, 1, 15)]))).toBe('1');
    expect(String(callFn('extract', [t, T.date], ['week', ymdToDays(2024, 1, 1)]))).toBe('1');
    expect(callFn('date_part', [t, T.timestamp], ['second', x])).toBe(45.5);
    expect(String(callFn('extract', [t, T.timestamptz], ['hour', ts(2024, 3, 10, 12)], ny))).toBe('8');
    expect(String(callFn('extract', [t, T.timestamptz], ['timezone', ts(2024, 3, 10, 12)], ny))).toBe('-14400');
    expect(errOf(() => callFn('extract', [t, T.date], ['hour', 0]))).toBe('0A000 unit "hour" not supported for type date');
    expect(errOf(() => callFn('extract', [t, T.timestamp], ['timezone', 0])))
      .toBe('0A000 unit "timezone" not supported for type timestamp without time zone');
  });
  it('to_char', () => {
    expect(callFn('to_char', [T.timestamp, t], [ts(2024, 1, 5, 14, 3, 9, 123456),
      'YYYY-MM-DD HH24:MI:SS.MS US AM Mon Month Dy Day D DDD WW IW Q FMMonth FMDD HH12 am Y,YYY CC J "lit" TZ DDth']))
      .toBe('2024-01-05 14:03:09.123 123456 PM Jan January   Fri Friday    6 005 01 01 1 January 5 02 pm 2,024 21 2460315 lit  05th');
    expect(callFn('to_char', [T.timestamp, t], [ts(2024, 1, 5, 14, 3, 9), 'Day, DD Month YYYY HH12:MI:SS PM']))
      .toBe('Friday   , 05 January   2024 02:03:09 PM');
    expect(callFn('to_char', [T.interval, t], [iv(0, 1, 25 * H + 3 * 60e6 + 4e6), 'HH24:MI:SS DD'])).toBe('25:03:04 01');
    expect(callFn('to_char', [T.timestamptz, t], [ts(2024, 1, 5, 14, 3, 9), 'TZ OF'])).toBe('UTC +00');
    expect(callFn('to_char', [T.timestamptz, t], [ts(2024, 3, 10, 12), 'HH24 TZ OF'], ny)).toBe('08 EDT -04');
  });
  it('to_char numbers', () => {
    const n = (s: string): Numeric => Numeric.fromString(s);
    const cases: [string, string, string][] = [
      ['12', '999', '  12'], ['-12', '999', ' -12'], ['0.5', '9.99', '  .50'], ['0.5', 'FM9.99', '.5'],
      ['1234.5', 'FM9,999.00', '1,234.50'], ['1234.5', '9,999.99', ' 1,234.50'], ['12345', '999', ' ###'],
      ['-0.5', '0.9', '-0.5'], ['5', '00', ' 05'], ['-5', 'S99', ' -5'], ['5', '99MI', ' 5 '], ['-5', '99MI', ' 5-'],
      ['-5', '99PR', ' <5>'], ['148.5', 'FM999.999', '148.5'], ['3', 'FM999th', '3rd'],
    ];
    for (const [v, f, want] of cases) expect([v, f, callFn('to_char', [T.numeric, t], [n(v), f])]).toEqual([v, f, want]);
  });
  it('parsing and constructors', () => {
    expect(callFn('to_date', [t, t], ['05 Jan 2024', 'DD Mon YYYY'])).toBe(ymdToDays(2024, 1, 5));
    expect(callFn('to_timestamp', [t, t], ['2024-01-05 14:03:09', 'YYYY-MM-DD HH24:MI:SS'])).toBe(ts(2024, 1, 5, 14, 3, 9));
    expect(callFn('to_timestamp', [T.float8], [1.5])).toBe(1_500_000);
    expect(callFn('make_interval', [T.int4, T.int4, T.int4, T.int4, T.int4, T.int4, T.float8], [1, 2, 3, 4, 5, 6, 7.5]))
      .toEqual(iv(14, 25, 5 * H + 6 * 60e6 + 7.5e6));
    expect(callFn('make_date', [T.int4, T.int4, T.int4], [2024, 2, 29])).toBe(ymdToDays(2024, 2, 29));
    expect(errOf(() => callFn('make_date', [T.int4, T.int4, T.int4], [2023, 2, 29]))).toBe('22008 date field value out of range: 2023-02-29');
    expect(callFn('age', [T.timestamp, T.timestamp], [ts(2024, 1, 1), ts(2024, 3, 15, 12)])).toEqual(iv(-2, -14, -12 * H));
    expect(callFn('age', [T.timestamp, T.timestamp], [ts(2024, 3, 1), ts(2023, 1, 31, 10)])).toEqual(iv(13, 0, 14 * H));
    expect(callFn('now', [], [])).toBe(ctx.txnTimestamp);
  });
});

describe('to_char sign patterns', () => {
  it('PL, SG, MI like PostgreSQL', () => {
    const n = (s: string): Numeric => Numeric.fromString(s);
    const cases: [string, string, string][] = [
      ['123', 'PL999', '+ 123'], ['-123', 'PL999', ' -123'], ['123', '999PL', ' 123+'], ['-123', '999PL', '-123 '],
      ['123', 'SG999', '+123'], ['-123', 'SG999', '-123'], ['123', 'MI999', ' 123'], ['123', '999MI', '123 '],
    ];
    for (const [v, f, want] of cases) expect([v, f, callFn('to_char', [T.numeric, T.text], [n(v), f])]).toEqual([v, f, want]);
  });
});

describe('to_char pattern case', () => {
  it('matches patterns case-insensitively', () => {
    expect(callFn('to_char', [T.timestamp, T.text], [ts(2006, 1, 2, 15, 4, 5, 3000), 'yyyy-mm-dd hh24:mi:ss.ms'])).toBe('2006-01-02 15:04:05.003');
    expect(callFn('to_char', [T.timestamp, T.text], [ts(2006, 1, 2, 15, 4, 5), 'Mon mon MON Day dy'])).toBe('Jan jan JAN Monday    mon');
  });
});

describe('date_trunc across DST fall-back', () => {
  it('keeps the input offset for hour truncation (PG timestamptz_trunc_internal)', () => {
    const pac: EvalContext = { ...ctx, settings: { ...ctx.settings, timeZone: 'US/Pacific' } };
    // 01:40 PDT and 01:40 PST on 2023-11-05
    expect(callFn('date_trunc', [t, T.timestamptz], ['hour', ts(2023, 11, 5, 8, 40)], pac)).toBe(ts(2023, 11, 5, 8));
    expect(callFn('date_trunc', [t, T.timestamptz], ['hour', ts(2023, 11, 5, 9, 40)], pac)).toBe(ts(2023, 11, 5, 9));
    expect(callFn('date_trunc', [t, T.timestamptz, t], ['hour', ts(2023, 4, 1, 15, 58), 'Australia/South'])).toBe(ts(2023, 4, 1, 15, 30));
  });
});
