// STUB: owned by the core/values helper.
export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };
export class Jsonb {
  constructor(readonly value: JsonValue) {}
}
