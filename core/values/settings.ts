// Session settings that change how values are printed and parsed.
export interface ValueSettings {
  /** IANA zone name or a fixed offset such as 'UTC', '+02'; used for timestamptz I/O */
  readonly timeZone: string;
  /** e.g. 'ISO, MDY' */
  readonly dateStyle: string;
  /** 'postgres' | 'iso_8601' | 'sql_standard' | 'postgres_verbose' */
  readonly intervalStyle: string;
  /** PostgreSQL extra_float_digits; >0 means shortest-exact output (the default of 1 in PG 12+) */
  readonly extraFloatDigits: number;
  /** 'hex' | 'escape' */
  readonly byteaOutput: string;
  /** how a session prints regclass / regtype / regnamespace / regproc values: by name, from its catalog (absent: the number) */
  readonly regName?: (kind: string, oid: number) => string;
}
export const DEFAULT_VALUE_SETTINGS: ValueSettings = Object.freeze({
  timeZone: 'UTC', dateStyle: 'ISO, MDY', intervalStyle: 'postgres', extraFloatDigits: 1, byteaOutput: 'hex',
});
