// STUB: owned by the core/values helper; replace with the real implementation.
// Exact decimal with PostgreSQL semantics (NaN, ±Infinity, scale rules of numeric division).
export class Numeric {
  private constructor(readonly digits: bigint, readonly scale: number, readonly special: 'nan' | 'inf' | '-inf' | null = null) {}
  static fromString(_s: string): Numeric { throw new Error('not implemented'); }
  static fromNumber(_n: number): Numeric { throw new Error('not implemented'); }
  static fromBigInt(b: bigint): Numeric { return new Numeric(b, 0); }
  add(_o: Numeric): Numeric { throw new Error('not implemented'); }
  sub(_o: Numeric): Numeric { throw new Error('not implemented'); }
  mul(_o: Numeric): Numeric { throw new Error('not implemented'); }
  div(_o: Numeric): Numeric { throw new Error('not implemented'); }
  mod(_o: Numeric): Numeric { throw new Error('not implemented'); }
  neg(): Numeric { throw new Error('not implemented'); }
  abs(): Numeric { throw new Error('not implemented'); }
  cmp(_o: Numeric): number { throw new Error('not implemented'); }
  round(_scale: number): Numeric { throw new Error('not implemented'); }
  trunc(_scale: number): Numeric { throw new Error('not implemented'); }
  toNumber(): number { throw new Error('not implemented'); }
  toBigInt(): bigint { throw new Error('not implemented'); }
  toString(): string { throw new Error('not implemented'); }
}
