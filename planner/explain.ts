// EXPLAIN: the batch plan as an indented tree, one line per node.
import type { Plan, ColumnarScan, CompareOp } from '../expr/plan.js';
import type { RelationDef } from '../catalog/model.js';
import type { Expr } from '../expr/ir.js';
import { tableOrientation } from '../catalog/table-options.js';
import type { BindEnv } from './scope.js';
import { bindQuery, bindDml, type QueryRef, type DmlRef } from './statement.js';

/** How many of a table's column segments zone maps let a scan skip (constants only), from the current manifest. */
export type SegmentPruner = (table: RelationDef, predicates: readonly { col: number; op: CompareOp; value: number | bigint }[]) => { segments: number; skipped: number };

export function explain(target: QueryRef | DmlRef, isDml: boolean, env: BindEnv, pruner?: SegmentPruner): string[] {
  if (!isDml) return planLines(bindQuery(target, env), 0, pruner);
  const b = bindDml(target, env);
  const head = `${b.kind === 'insert' ? 'Insert on' : b.kind === 'update' ? 'Update on' : 'Delete on'} ${b.table.name}`;
  return [head, ...planLines(b.source, 1, pruner)];
}

function columnScanLines(p: Extract<Plan, { kind: 'scan' }>, c: ColumnarScan, pad: string, pruner?: SegmentPruner): string[] {
  const live = p.table.columns.filter((col) => !col.dropped);
  const detail = pad.replace('->  ', '    ') + '  ';
  const out = [`${pad}Column Scan on ${p.table.name}${p.filter ? ' (filtered)' : ''}`];
  out.push(`${detail}Columns: ${c.columns === null ? '*' : c.columns.length === 0 ? '(none)' : c.columns.map((i) => live[i]?.name ?? '?').join(', ')}`);
  if (c.predicates.length) {
    const show = (e: Expr): string => (e.kind === 'param' ? '$' + (e.index + 1) : e.kind === 'const' ? String(e.value) : e.kind === 'cast' ? show(e.arg) : '?');
    out.push(`${detail}Zone Map Filter: ${c.predicates.map((q) => `${live[q.col]?.name ?? '?'} ${q.op} ${show(q.value)}`).join(' AND ')}`);
  }
  if (pruner) {
    const consts = c.predicates.flatMap((q) => (q.value.kind === 'const' && (typeof q.value.value === 'number' || typeof q.value.value === 'bigint') ? [{ col: q.col, op: q.op, value: q.value.value }] : []));
    const toStorage = live.map((col) => p.table.columns.indexOf(col));
    const r = pruner(p.table, consts.map((q) => ({ ...q, col: toStorage[q.col]! })));
    out.push(`${detail}Segments: ${r.segments - r.skipped} of ${r.segments} read, ${r.skipped} skipped by zone maps`);
  }
  return out;
}

export function planLines(p: Plan, depth = 0, pruner?: SegmentPruner): string[] {
  const pad = depth === 0 ? '' : '  '.repeat(depth - 1) + '->  ';
  const line = (s: string, children: Plan[]): string[] => [pad + s, ...children.flatMap((c) => planLines(c, depth + 1, pruner))];
  switch (p.kind) {
    case 'scan': {
      const a = p.access;
      if (p.columnar) return columnScanLines(p, p.columnar, pad, pruner);
      const rowStore = tableOrientation(p.table.options).row ? '' : ' (column store)';
      const what = a.kind === 'pk' ? `Primary Key Lookup on ${p.table.name}${rowStore}` : a.kind === 'index'
        ? `Index Scan using ${p.table.indexes.find((i) => i.oid === a.indexOid)?.name ?? '?'} on ${p.table.name}${rowStore}` : `Seq Scan on ${p.table.name}${rowStore}`;
      return line(what + (p.filter ? ' (filtered)' : ''), []);
    }
    case 'virtualScan': return line(`System Table Scan on ${p.name}`, []);
    case 'values': return line(`Values Scan (${p.rows.length} rows)`, []);
    case 'single': return line('Result', []);
    case 'timeWindow': return line(p.hop === p.size ? 'Tumble' : 'Hop', [p.input]);
    case 'temporalFilter': return line('Temporal Filter', [p.input]);
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
