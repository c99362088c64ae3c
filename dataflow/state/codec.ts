// How operator state becomes bytes: MessagePack (msgpackr) with extensions for the datum classes
// (numeric, interval, jsonb), bigint as int64 (bigint comes back as bigint, number as number).
// State values are rows, counts and aggregate running states (plain objects of datums).
import { Packr, addExtension } from 'msgpackr';
import { Numeric } from '../../core/values/numeric.js';
import { Interval } from '../../core/values/interval.js';
import { Jsonb, parseJsonb } from '../../core/values/json.js';

// extension type numbers are global to msgpackr: 0x40.. is this codec's range
addExtension({ Class: Numeric, type: 0x40, write: (n: Numeric) => n.toString(), read: (s: string) => Numeric.fromString(s) });
addExtension({ Class: Interval, type: 0x41, write: (i: Interval) => [i.months, i.days, i.micros], read: (a: number[]) => new Interval(a[0]!, a[1]!, a[2]!) });
addExtension({ Class: Jsonb, type: 0x42, write: (j: Jsonb) => j.toString(), read: (s: string) => parseJsonb(s) });

const packr = new Packr({ useRecords: false, mapsAsObjects: true, int64AsType: 'bigint', useBigIntExtension: true, moreTypes: true });

export function encodeState(v: unknown): Buffer {
  return packr.pack(v);
}

export function decodeState(b: Buffer | Uint8Array): unknown {
  return packr.unpack(b);
}
