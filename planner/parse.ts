// The PostgreSQL grammar via libpg-query (WASM). loadParser() must finish before parseSql is used.
import { loadModule, parseSync } from 'libpg-query';
import type { Node, RawStmt } from '@pgsql/types';
import { SqlError, SqlState } from '../core/errors.js';
import { parseSourceReset, rewriteStreamingDdl, type StreamingDdl } from './streaming-ddl.js';
import { parseSubscribeStatement } from './subscribe-syntax.js';

let loaded: Promise<void> | null = null;
export function loadParser(): Promise<void> {
  loaded ??= loadModule();
  return loaded;
}

export interface ParsedStatement {
  readonly stmt: Node;
  /** the statement's own text (for views, logging and the plan cache) */
  readonly sql: string;
  /** offset of the statement in the original string, to make error positions absolute */
  readonly offset: number;
  /** CREATE SOURCE / connector tables: what the rewrite into PostgreSQL grammar took out */
  readonly streaming?: Omit<StreamingDdl, 'sql'>;
}

export function parseSql(sql: string): ParsedStatement[] {
  const streaming = rewriteStreamingDdl(sql);
  // only RisingWave's generated columns rewritten (a plain CREATE TABLE otherwise): every statement of the string stands
  if (streaming && !streaming.source && !streaming.format && !streaming.watermark && !streaming.proctime && !streaming.includes && !streaming.sink) {
    return parseSql(streaming.sql);
  }
  if (streaming) {
    const [stmt] = parseSql(streaming.sql);
    const ok = streaming.sink ? stmt && ('CreateTableAsStmt' in stmt.stmt || 'DropStmt' in stmt.stmt) : stmt && ('CreateStmt' in stmt.stmt || 'DropStmt' in stmt.stmt);
    if (!stmt || !ok) throw new SqlError(SqlState.SyntaxError, `syntax error in ${streaming.sink ? 'CREATE SINK' : 'CREATE SOURCE'}`);
    return [{
      ...stmt, sql: sql.trim(),
      streaming: { source: streaming.source, format: streaming.format, ...(streaming.watermark ? { watermark: streaming.watermark } : {}), ...(streaming.proctime ? { proctime: streaming.proctime } : {}), ...(streaming.includes ? { includes: streaming.includes } : {}), ...(streaming.sink ? { sink: true } : {}) },
    }];
  }
  let result;
  try {
    result = parseSync(sql);
  } catch (err) {
    // no statement at all (only blanks or comments): PostgreSQL answers EmptyQueryResponse (JDBC isValid sends "")
    if ((err as { message?: string }).message === 'Query cannot be empty') return [];
    // FLUSH (RisingWave's wait for materialized views) is not PostgreSQL grammar
    const reset = parseSourceReset(sql);
    if (reset) return [{ stmt: { AlterSourceResetStmt: reset } as unknown as Node, sql: sql.trim(), offset: 0 }];
    if (/^\s*flush\s*;?\s*$/i.test(sql)) return [{ stmt: { FlushStmt: {} } as unknown as Node, sql: 'FLUSH', offset: 0 }];
    // nor SHOW MATERIALIZED VIEWS (the one-word SHOW TABLES / SOURCES / VIEWS parse as SHOW of a setting)
    // nor SUBSCRIBE and the statements that carry it (COPY (SUBSCRIBE ...), DECLARE ... FOR SUBSCRIBE, FETCH ... WITH (timeout))
    const subscribe = parseSubscribeStatement(sql);
    if (subscribe) return [{ stmt: subscribe, sql: sql.trim(), offset: 0 }];
    if (/^\s*show\s+materialized\s+views\s*;?\s*$/i.test(sql)) return [{ stmt: { VariableShowStmt: { name: 'materialized_views' } } as unknown as Node, sql: sql.trim(), offset: 0 }];
    const e = err as { message?: string; sqlDetails?: { cursorPosition?: number } };
    const position = e.sqlDetails?.cursorPosition;
    throw new SqlError(SqlState.SyntaxError, e.message ?? 'syntax error',
      position !== undefined ? { position: position + 1 } : {});
  }
  const stmts = (result.stmts ?? []) as RawStmt[];
  return stmts.map((rs) => {
    const offset = rs.stmt_location ?? 0;
    const len = rs.stmt_len ?? sql.length - offset;
    return { stmt: rs.stmt!, sql: sql.slice(offset, len ? offset + len : undefined).trim(), offset };
  });
}
