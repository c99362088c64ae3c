// Stored SQL expressions (DEFAULT, CHECK, generation expressions): an AST node as SQL text, and
// the text parsed back into an AST node.
import type { Node } from '@pgsql/types';
import { deparseSync } from 'pgsql-deparser';
import { SqlError, SqlState } from '../core/errors.js';
import { parseSql } from './parse.js';

const cache = new Map<string, Node>();

export function parseExpr(sql: string): Node {
  let n = cache.get(sql);
  if (!n) {
    const stmt = parseSql(`SELECT ${sql}`)[0]?.stmt;
    const t = stmt && 'SelectStmt' in stmt ? stmt.SelectStmt.targetList?.[0] : undefined;
    if (!t || !('ResTarget' in t) || !t.ResTarget.val) throw new SqlError(SqlState.InternalError, `cannot parse stored expression: ${sql}`);
    n = t.ResTarget.val;
    cache.set(sql, n);
  }
  return n;
}

/** An expression's SQL text, as stored for DEFAULT, CHECK and generated columns. */
export function exprSql(n: Node): string {
  return deparseSync({ SelectStmt: { targetList: [{ ResTarget: { val: n } }], limitOption: 'LIMIT_OPTION_DEFAULT', op: 'SETOP_NONE' } } as unknown as Node)
    .replace(/^SELECT\s+/i, '').replace(/;\s*$/, '');
}
