// EXPLAIN: the batch plan as an indented tree, one line per node.
import type { Plan } from '../expr/plan.js';
import type { BindEnv } from './scope.js';
import { bindQuery, bindDml, type QueryRef, type DmlRef } from './statement.js';

export function explain(target: QueryRef | DmlRef, isDml: boolean, env: BindEnv): string[] {
  if (!isDml) return planLines(bindQuery(target, env));
  const b = bindDml(target, env);
  const head = `${b.kind === 'insert' ? 'Insert on' : b.kind === 'update' ? 'Update on' : 'Delete on'} ${b.table.name}`;
  return [head, ...planLines(b.source, 1)];
}

export function planLines(p: Plan, depth = 0): string[] {
  const pad = depth === 0 ? '' : '  '.repeat(depth - 1) + '->  ';
  const line = (s: string, children: Plan[]): string[] => [pad + s, ...children.flatMap((c) => planLines(c, depth + 1))];
  switch (p.kind) {
    case 'scan': {
      const a = p.access;
      const what = a.kind === 'pk' ? `Primary Key Lookup on ${p.table.name}` : a.kind === 'index'
        ? `Index Scan using ${p.table.indexes.find((i) => i.oid === a.indexOid)?.name ?? '?'} on ${p.table.name}` : `Seq Scan on ${p.table.name}`;
      return line(what + (p.filter ? ' (filtered)' : ''), []);
    }
    case 'virtualScan': return line(`System Table Scan on ${p.name}`, []);
    case 'values': return line(`Values Scan (${p.rows.length} rows)`, []);
    case 'single': return line('Result', []);
    case 'filter': return line('Filter', [p.input]);
    case 'project': return line('Project', [p.input]);
    case 'join': return line(`${p.leftKeys.length ? 'Hash' : 'Nested Loop'} ${p.joinType === 'inner' ? '' : p.joinType[0]!.toUpperCase() + p.joinType.slice(1) + ' '}Join${p.leftKeys.length ? ` (${p.leftKeys.length} keys)` : ''}`, [p.left, p.right]);
    case 'lateral': return line('Nested Loop (lateral)', [p.left, p.right]);
    case 'aggregate': return line(p.groupingSets ? 'MixedAggregate' : p.groupKeys.length ? 'HashAggregate' : 'Aggregate', [p.input]);
    case 'window': return line('WindowAgg', [p.input]);
    case 'sort': return line('Sort', [p.input]);
    case 'limit': return line('Limit', [p.input]);
    case 'distinct': return line(p.on ? 'Unique (DISTINCT ON)' : 'HashAggregate (DISTINCT)', [p.input]);
    case 'setop': return line(`${p.op === 'union' ? (p.all ? 'Append' : 'Union') : p.op === 'intersect' ? 'Intersect' : 'Except'}${p.all ? ' All' : ''}`, [p.left, p.right]);
    case 'functionScan': return line(`Function Scan on ${p.fn.name}`, []);
    case 'cteScan': return line(`CTE Scan on ${p.cte.name}`, []);
    case 'recursiveUnion': return line('Recursive Union', [p.base, p.step]);
    case 'projectSet': return line('ProjectSet', [p.input]);
    case 'binlogScan': return line(`Binlog Scan on ${p.table.name}`, []);
  }
}
