// Binds `f(...) OVER (...)`: ranking, offset and value functions, and aggregates as window functions.
import type { FuncCall, WindowDef, Node } from '@pgsql/types';
import { T, type SqlType } from '../core/types.js';
import { SqlError, SqlState } from '../core/errors.js';
import { resolveAggregate } from '../expr/functions/registry.js';
import type { Expr } from '../expr/ir.js';
import type { WindowCall, WindowFnKind, WindowFrame, FrameBound, AggCall } from '../expr/plan.js';
import { bindExpr, bindSortKey, coerce, resolveUnknown, pos, type ExprCtx } from './bind-expr.js';

const ROWS = 0x4, GROUPS = 0x8;
const START_UNBOUNDED_PRECEDING = 0x20, END_UNBOUNDED_FOLLOWING = 0x100;
const START_CURRENT_ROW = 0x200, END_CURRENT_ROW = 0x400;
const START_OFFSET_PRECEDING = 0x800, END_OFFSET_PRECEDING = 0x1000;
const START_OFFSET_FOLLOWING = 0x2000, END_OFFSET_FOLLOWING = 0x4000;
const START_UNBOUNDED_FOLLOWING = 0x80, END_UNBOUNDED_PRECEDING = 0x40;

const RANKING: Record<string, WindowFnKind> = {
  row_number: 'row_number', rank: 'rank', dense_rank: 'dense_rank', percent_rank: 'percent_rank',
  cume_dist: 'cume_dist', ntile: 'ntile', lag: 'lag', lead: 'lead', first_value: 'first_value',
  last_value: 'last_value', nth_value: 'nth_value',
};

function resolveDef(def: WindowDef, ctx: ExprCtx): WindowDef {
  const base = def.refname ?? (def.partitionClause || def.orderClause || (def.frameOptions ?? 0) & 1 ? undefined : def.name);
  if (!base) return def;
  const named = ctx.namedWindows?.get(base);
  if (!named) throw new SqlError(SqlState.UndefinedObject, `window "${base}" does not exist`, pos(def.location));
  const parent = resolveDef(named, ctx);
  return {
    ...parent,
    orderClause: def.orderClause ?? parent.orderClause,
    frameOptions: def.frameOptions !== undefined && (def.frameOptions & 1) ? def.frameOptions : parent.frameOptions,
    startOffset: def.startOffset ?? parent.startOffset,
    endOffset: def.endOffset ?? parent.endOffset,
  } as WindowDef;
}

export function bindWindowCall(fc: FuncCall, name: string, ctx: ExprCtx): WindowCall {
  const inner: ExprCtx = { ...ctx, windows: null, clause: 'window function calls' };
  const def = resolveDef(fc.over!, ctx);
  const partitionBy = (def.partitionClause ?? []).map((n) => resolveUnknown(bindExpr(n, inner), ctx.env));
  const orderBy = (def.orderClause ?? []).map((s) => bindSortKey(s, inner));
  const frame = bindFrame(def.frameOptions ?? 1058, def.startOffset, def.endOffset, inner, orderBy[0]?.expr.type ?? null);
  const kind = RANKING[name];
  if (kind) {
    let args = (fc.args ?? []).map((a) => resolveUnknown(bindExpr(a, inner), ctx.env));
    let type: SqlType = T.int8;
    switch (kind) {
      case 'row_number': case 'rank': case 'dense_rank': type = T.int8; break;
      case 'percent_rank': case 'cume_dist': type = T.float8; break;
      case 'ntile': type = T.int4; args = args.map((a) => coerce(a, T.int4, 'implicit', ctx.env)); break;
      case 'lag': case 'lead': {
        if (args.length === 0) throw new SqlError(SqlState.UndefinedFunction, `function ${name}() does not exist`, pos(fc.location));
        type = args[0]!.type;
        if (args[1]) args[1] = coerce(args[1], T.int4, 'implicit', ctx.env);
        if (args[2]) args[2] = coerce(args[2], type, 'implicit', ctx.env);
        break;
      }
      case 'first_value': case 'last_value': type = args[0]!.type; break;
      case 'nth_value': type = args[0]!.type; args[1] = coerce(args[1]!, T.int4, 'implicit', ctx.env); break;
      case 'aggregate': break;
    }
    return { fn: kind, agg: null, args, partitionBy, orderBy, frame, type };
  }
  const aggArgs = fc.agg_star ? [] : (fc.args ?? []).map((a) => resolveUnknown(bindExpr(a, inner), ctx.env));
  const r = resolveAggregate(name, aggArgs.map((a) => a.type));
  if (!r) throw new SqlError(SqlState.WrongObjectType, `function ${name} is not a window function nor an aggregate`, pos(fc.location));
  const agg: AggCall = {
    agg: r.agg, args: aggArgs.map((a, i) => coerce(a, r.argTypes[i] ?? a.type, 'implicit', ctx.env)), distinct: fc.agg_distinct ?? false,
    filter: null, orderBy: [], type: r.returnType,
  };
  if (agg.distinct) throw new SqlError(SqlState.FeatureNotSupported, 'DISTINCT is not implemented for window functions', pos(fc.location));
  return { fn: 'aggregate', agg, args: [], partitionBy, orderBy, frame, type: r.returnType };
}

function bindFrame(opts: number, startOffset: Node | undefined, endOffset: Node | undefined, ctx: ExprCtx, keyType: SqlType | null): WindowFrame {
  const mode = opts & ROWS ? 'rows' : opts & GROUPS ? 'groups' : 'range';
  const bound = (unbP: number, unbF: number, cur: number, offP: number, offF: number, off: Node | undefined, dflt: FrameBound): FrameBound => {
    if (opts & unbP) return { kind: 'unboundedPreceding' };
    if (opts & unbF) return { kind: 'unboundedFollowing' };
    if (opts & cur) return { kind: 'currentRow' };
    // ROWS/GROUPS offsets count rows; RANGE offsets are distances in the ORDER BY key's units
    // (an interval for dates and timestamps), as PostgreSQL's in_range support requires
    const offExpr = (): Expr => {
      const e = bindExpr(off!, ctx);
      if (mode !== 'range') return coerce(e, T.int8, 'implicit', ctx.env);
      if (!keyType) throw new SqlError(SqlState.WindowingError, 'RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column');
      const temporal = keyType.kind === 'scalar' && ['date', 'timestamp', 'timestamptz', 'time'].includes(keyType.name);
      return coerce(e, temporal ? T.interval : keyType, 'implicit', ctx.env);
    };
    if (opts & offP) return { kind: 'preceding', offset: offExpr() };
    if (opts & offF) return { kind: 'following', offset: offExpr() };
    return dflt;
  };
  const start = bound(START_UNBOUNDED_PRECEDING, START_UNBOUNDED_FOLLOWING, START_CURRENT_ROW, START_OFFSET_PRECEDING, START_OFFSET_FOLLOWING, startOffset, { kind: 'unboundedPreceding' });
  const end = bound(END_UNBOUNDED_PRECEDING, END_UNBOUNDED_FOLLOWING, END_CURRENT_ROW, END_OFFSET_PRECEDING, END_OFFSET_FOLLOWING, endOffset, { kind: 'currentRow' });
  return { mode, start, end };
}
