// Roaring bitmaps (Hologres' and RisingWave's rb_* functions): sets of 32-bit integers kept as
// bytea values in roaring's portable serialization, so a view can keep the distinct users of
// each fine-grained group and queries can roll them up to any dimension (rb_or_agg) and count
// them (rb_cardinality) without re-reading the raw rows.
import roaring from 'roaring';
import type { Datum } from '../../core/datum.js';
import { SqlError, SqlState } from '../../core/errors.js';
import { fn, parseType, registerAggregate, type AggregateFunction } from './define.js';

const { RoaringBitmap32 } = roaring;
type Bitmap = InstanceType<typeof RoaringBitmap32>;

function load(d: Datum): Bitmap {
  try {
    return RoaringBitmap32.deserialize(Buffer.from(d as Uint8Array), true);
  } catch {
    throw new SqlError(SqlState.InvalidBinaryRepresentation, 'invalid roaring bitmap');
  }
}

function save(b: Bitmap): Uint8Array {
  b.runOptimize();
  return new Uint8Array(b.serialize(true));
}

function checkInt(v: number): number {
  if (v < 0) throw new SqlError(SqlState.NumericValueOutOfRange, `roaring bitmaps hold integers from 0 to 4294967295, not ${v}`);
  return v;
}

function bitmapAgg(name: string, arg: string, step: (b: Bitmap, v: Datum) => void, init: () => Bitmap | null = () => new RoaringBitmap32()): AggregateFunction {
  const a: AggregateFunction = {
    name, argTypes: [parseType(arg)], returnType: parseType('bytea'), strict: true,
    init: () => ({ b: null as Bitmap | null, any: false }),
    step: (s, args) => {
      const st = s as { b: Bitmap | null; any: boolean };
      if (!st.any) { st.b = init(); st.any = true; }
      step(st.b ??= new RoaringBitmap32(), args[0]!);
      return st;
    },
    final: (s) => { const st = s as { b: Bitmap | null; any: boolean }; return st.any && st.b ? save(st.b) : null; },
  };
  registerAggregate(a);
  return a;
}

export function registerBitmap(): void {
  bitmapAgg('rb_build_agg', 'int4', (b, v) => { b.add(checkInt(v as number)); });
  bitmapAgg('rb_or_agg', 'bytea', (b, v) => { b.orInPlace(load(v)); });
  // the intersection of all inputs: the first input starts it
  const and: AggregateFunction = {
    name: 'rb_and_agg', argTypes: [parseType('bytea')], returnType: parseType('bytea'), strict: true,
    init: () => ({ b: null as Bitmap | null }),
    step: (s, args) => { const st = s as { b: Bitmap | null }; const x = load(args[0]!); if (st.b) st.b.andInPlace(x); else st.b = x; return st; },
    final: (s) => { const st = s as { b: Bitmap | null }; return st.b ? save(st.b) : null; },
  };
  registerAggregate(and);
  fn('rb_cardinality(bytea) -> int8', (a) => BigInt(load(a[0]!).size));
  fn('rb_build(int4[]) -> bytea', (a) => { const b = new RoaringBitmap32(); for (const v of a[0] as Datum[]) if (v !== null) b.add(checkInt(v as number)); return save(b); });
  fn('rb_to_array(bytea) -> int4[]', (a) => [...load(a[0]!)] as Datum[]);
  fn('rb_or(bytea, bytea) -> bytea', (a) => save(RoaringBitmap32.or(load(a[0]!), load(a[1]!))));
  fn('rb_and(bytea, bytea) -> bytea', (a) => save(RoaringBitmap32.and(load(a[0]!), load(a[1]!))));
  fn('rb_andnot(bytea, bytea) -> bytea', (a) => save(RoaringBitmap32.andNot(load(a[0]!), load(a[1]!))));
  fn('rb_contains(bytea, int4) -> bool', (a) => load(a[0]!).has(a[1] as number));
  fn('rb_or_cardinality(bytea, bytea) -> int8', (a) => BigInt(load(a[0]!).orCardinality(load(a[1]!))));
}
