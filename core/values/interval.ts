// STUB: owned by the core/values helper.
export class Interval {
  constructor(readonly months: number, readonly days: number, readonly micros: number) {}
}
