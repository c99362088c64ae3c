// Miscellaneous functions: version, uuid, null counting.
import { randomUUID } from 'node:crypto';
import { fn } from './define.js';

export const VERSION_STRING = 'PostgreSQL 15.0 (Eddy 0.1.0) on x86_64-pc-linux-gnu, compiled by TypeScript';

export function registerMisc(): void {
  fn('version() -> text', () => VERSION_STRING, { volatility: 'stable' });
  fn('gen_random_uuid() -> uuid', () => randomUUID(), { volatility: 'volatile' });
  fn('num_nulls(variadic any) -> int4', (a) => { let n = 0; for (const x of a) if (x === null) n++; return n; }, { strict: false });
  fn('num_nonnulls(variadic any) -> int4', (a) => { let n = 0; for (const x of a) if (x !== null) n++; return n; }, { strict: false });
  fn('pg_sleep(float8) -> void', () => null, { volatility: 'volatile' });
  // per-relation scan counters are not kept (pg_stat_user_tables shows them as 0 too)
  fn('pg_stat_get_numscans(oid) -> int8', () => 0n, { volatility: 'stable' });
}
