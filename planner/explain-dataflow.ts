// EXPLAIN CREATE MATERIALIZED VIEW: the dataflow a view runs, one operator per line with its
// class (DBSP's algebra: linear operators keep no state, bilinear joins keep an arrangement of
// each side, non-linear operators keep state per key) and what feeds it.
import type { Plan } from '../expr/plan.js';
import { exprKey } from '../expr/ir.js';
import { tableOrientation, normalizeTableOptions } from '../catalog/table-options.js';

export function dataflowLines(name: string, options: Readonly<Record<string, string>>, plan: Plan): string[] {
  const o = tableOrientation(normalizeTableOptions(options));
  const store = o.row && o.column ? 'row and column store' : o.row ? 'row store' : 'column store';
  return [`Materialize ${name} (${store}, binlog)`, ...lines(plan, 1)];
}

function lines(p: Plan, depth: number): string[] {
  const pad = '  '.repeat(depth - 1) + '->  ';
  const line = (s: string, children: Plan[]): string[] => [pad + s, ...children.flatMap((c) => lines(c, depth + 1))];
  switch (p.kind) {
    case 'scan': {
      const src = p.table.kind === 'matview' ? `materialized view ${p.table.name} (its changes in the same step)` : `table ${p.table.name} (binlog)`;
      const cond = p.access.kind !== 'full' || p.filter ? ', filtered' : '';
      return line(`Source ${src}${cond} [linear]`, []);
    }
    case 'values': case 'single': case 'functionScan': return line('Constant [emitted once]', []);
    case 'filter': return line('Filter [linear]', [p.input]);
    case 'timeWindow': return line(`${p.hop === p.size ? 'Tumble' : 'Hop'} windows [linear]`, [p.input]);
    case 'temporalFilter': return line(`Temporal Filter (rows leave ${p.lifetime / 1e6} s after their time) [state: live rows by expiry]`, [p.input]);
    case 'project': return line('Map [linear]', [p.input]);
    case 'join': {
      const kind = p.joinType === 'inner' ? 'Join' : p.joinType === 'semi' ? 'Semi Join' : p.joinType === 'anti' ? 'Anti Join' : `${p.joinType[0]!.toUpperCase()}${p.joinType.slice(1)} Join`;
      const on = p.leftKeys.length ? `on ${p.leftKeys.length} key${p.leftKeys.length > 1 ? 's' : ''}` : 'without keys';
      const cls = p.joinType === 'inner' ? 'bilinear: arrangement of each side by key'
        : p.joinType === 'semi' || p.joinType === 'anti' ? 'arrangement of each side, matches recomputed per changed key' : 'bilinear + per-key recompute of unmatched rows';
      return line(`${kind} ${on}${p.residual ? ' with residual' : ''} [${cls}]`, [p.left, p.right]);
    }
    case 'aggregate': {
      const running = (a: (typeof p.aggs)[number]): boolean => a.orderBy.length === 0 && (a.distinct ? a.agg.name === 'count' && a.args.length === 1 : a.agg.retract !== undefined);
      const name = (a: (typeof p.aggs)[number]): string => a.agg.name + (a.distinct ? ' distinct' : '');
      const inc = p.aggs.filter(running).map(name);
      const bag = p.aggs.filter((a) => !running(a)).map(name);
      const parts = [inc.length ? `running: ${inc.join(', ')}` : '', bag.length ? `recomputed from values: ${bag.join(', ')}` : ''].filter(Boolean).join('; ');
      const keys = p.groupingSets ? `${p.groupingSets.length} grouping sets` : p.groupKeys.length ? `group by ${p.groupKeys.length} key${p.groupKeys.length > 1 ? 's' : ''}` : 'global';
      return line(`Aggregate ${keys}${parts ? ` (${parts})` : ''} [non-linear: state per group]`, [p.input]);
    }
    case 'window': {
      const partitionings = new Set(p.calls.map((c) => c.partitionBy.map(exprKey).join(','))).size;
      const fns = p.calls.map((c) => (c.fn === 'aggregate' ? c.agg?.agg.name ?? 'aggregate' : c.fn)).join(', ');
      return line(`Window (${fns})${partitionings > 1 ? ` [${partitionings} partitionings, one operator each]` : ''} [non-linear: each changed partition recomputed from its first changed row]`, [p.input]);
    }
    case 'sort': return lines(p.input, depth);
    case 'limit': return line('TopN [non-linear: all rows kept, window recomputed]', [p.input.kind === 'sort' ? p.input.input : p.input]);
    case 'distinct':
      if (p.on) return line(`Distinct On ${p.on.length} key${p.on.length > 1 ? 's' : ''} (first row per key: row_number() = 1) [non-linear: each changed partition recomputed from its first changed row]`, [p.input.kind === 'sort' ? p.input.input : p.input]);
      return line('Distinct [non-linear: count per row]', [p.input]);
    case 'setop': {
      if (p.op === 'union' && p.all) return line('Union All [linear]', [p.left, p.right]);
      return line(`${p.op === 'union' ? 'Union' : p.op === 'intersect' ? 'Intersect' : 'Except'}${p.all ? ' All' : ''} [non-linear: count per row and side]`, [p.left, p.right]);
    }
    case 'cteScan': return p.cte.plan ? lines(p.cte.plan, depth) : line('CTE', []);
    default: return line(`${p.kind} (not maintainable)`, []);
  }
}
