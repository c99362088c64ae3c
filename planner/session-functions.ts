// Functions whose value comes from the session rather than from their arguments
// (current_database(), current_schema(), pg_backend_pid(), ...): folded to constants at bind time.
import { T, arrayOf, typeDisplayName } from '../core/types.js';
import type { Expr } from '../expr/ir.js';
import type { BindEnv } from './scope.js';
import { formatTypeWithMod } from './type-names.js';

export const SERVER_VERSION = '15.0 (Eddy 0.1.0)';
export const VERSION_STRING = 'PostgreSQL 15.0 (Eddy 0.1.0) on x86_64-pc-linux-gnu, compiled by TypeScript, 64-bit';

export function sessionFunction(name: string, args: readonly Expr[], env: BindEnv): Expr | null {
  const c = (value: string | number | boolean | null, type = T.text): Expr => ({ kind: 'const', value, type });
  switch (name) {
    case 'current_database': return args.length === 0 ? c(env.database, T.name) : null;
    case 'current_catalog': return c(env.database, T.name);
    case 'current_schema': {
      if (args.length !== 0) return null;
      const s = env.searchPath.find((n) => env.catalog.schema(n) && n !== 'pg_catalog');
      return c(s ?? null, T.name);
    }
    case 'current_schemas': {
      if (args.length !== 1) return null;
      const implicit = args[0]!.kind === 'const' && args[0]!.value === true;
      const list = env.searchPath.filter((n) => env.catalog.schema(n));
      const withCat = implicit && !list.includes('pg_catalog') ? ['pg_catalog', ...list] : list;
      return { kind: 'const', value: withCat, type: arrayOf(T.name) };
    }
    case 'current_user': case 'session_user': case 'user': case 'current_role':
      return args.length === 0 ? c(env.user, T.name) : null;
    case 'pg_backend_pid': return args.length === 0 ? c(env.processId, T.int4) : null;
    case 'version': return args.length === 0 ? c(VERSION_STRING) : null;
    case 'pg_typeof':
      if (args.length !== 1) return null;
      return c(args[0]!.type.kind === 'scalar' && args[0]!.type.name === 'unknown' ? 'unknown' : formatTypeWithMod(args[0]!.type).replace(/\(.*\)/, ''), T.text);
    case 'inet_server_addr': return c('127.0.0.1');
    case 'inet_server_port': return c(5432, T.int4);
    case 'pg_is_in_recovery': return args.length === 0 ? c(false, T.bool) : null;
    default: return null;
  }
}

export { typeDisplayName };
