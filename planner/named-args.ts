// Named arguments (`make_interval(days => 3)`): PostgreSQL matches them to the declared
// parameter names and fills defaults. The function registry is positional, so the names and
// defaults of the built-ins that take named arguments are listed here.
import type { Node } from '@pgsql/types';
import { SqlError, SqlState } from '../core/errors.js';

interface NamedSignature {
  readonly params: readonly string[];
  /** SQL text of each parameter's default, null when the parameter is required */
  readonly defaults: readonly (string | null)[];
}

const SIGNATURES: Readonly<Record<string, NamedSignature>> = {
  make_interval: { params: ['years', 'months', 'weeks', 'days', 'hours', 'mins', 'secs'], defaults: ['0', '0', '0', '0', '0', '0', '0.0'] },
  make_date: { params: ['year', 'month', 'day'], defaults: [null, null, null] },
  make_time: { params: ['hour', 'min', 'sec'], defaults: [null, null, null] },
  make_timestamp: { params: ['year', 'month', 'mday', 'hour', 'min', 'sec'], defaults: [null, null, null, null, null, null] },
  make_timestamptz: { params: ['year', 'month', 'mday', 'hour', 'min', 'sec', 'timezone'], defaults: [null, null, null, null, null, null, null] },
  jsonb_set: { params: ['target', 'path', 'new_value', 'create_if_missing'], defaults: [null, null, null, 'true'] },
  jsonb_insert: { params: ['target', 'path', 'new_value', 'insert_after'], defaults: [null, null, null, 'false'] },
};

/**
 * Rewrites a call's arguments into positional order when some are named; `defaultNode` parses a
 * default's SQL text. Returns the arguments unchanged when none is named.
 */
export function positionalArgs(fname: string, args: readonly Node[], defaultNode: (sql: string) => Node, location?: number): readonly Node[] {
  if (!args.some((a) => 'NamedArgExpr' in a)) return args;
  const sig = SIGNATURES[fname];
  const shown = (): string => args.map((a) => ('NamedArgExpr' in a ? `${a.NamedArgExpr.name} => ...` : '...')).join(', ');
  if (!sig) throw new SqlError(SqlState.UndefinedFunction, `function ${fname}(${shown()}) does not exist`, location === undefined ? {} : { position: location + 1 });
  const slots: (Node | null)[] = sig.params.map(() => null);
  let positional = true;
  args.forEach((a, i) => {
    if ('NamedArgExpr' in a) {
      positional = false;
      const k = sig.params.indexOf(a.NamedArgExpr.name ?? '');
      if (k < 0) throw new SqlError(SqlState.UndefinedFunction, `function ${fname}(${shown()}) does not exist`, location === undefined ? {} : { position: location + 1 });
      if (slots[k]) throw new SqlError(SqlState.SyntaxError, `argument name "${a.NamedArgExpr.name}" used more than once`);
      slots[k] = a.NamedArgExpr.arg!;
    } else {
      if (!positional) throw new SqlError(SqlState.SyntaxError, 'positional argument cannot follow named argument');
      slots[i] = a;
    }
  });
  // trailing parameters may be left out when they have defaults; a gap in the middle is filled too
  let last = slots.length - 1;
  while (last >= 0 && slots[last] === null && sig.defaults[last] !== null) last--;
  const out: Node[] = [];
  for (let k = 0; k <= last; k++) {
    const given = slots[k];
    if (given) { out.push(given); continue; }
    const d = sig.defaults[k];
    if (d === null || d === undefined) throw new SqlError(SqlState.UndefinedFunction, `function ${fname}(${shown()}) does not exist`, location === undefined ? {} : { position: location + 1 });
    out.push(defaultNode(d));
  }
  return out;
}
