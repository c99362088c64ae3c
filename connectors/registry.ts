// Built-in source connectors by name (WITH (connector = '...')): each turns a relation's columns
// and options into a row generator with a rate. Unknown connectors and bad options are errors
// at CREATE time.
import type { SqlType } from '../core/types.js';
import { SqlError, SqlState } from '../core/errors.js';
import type { RowGenerator } from './generator.js';
import { datagenGenerator } from './datagen.js';
import { nexmarkSource } from './nexmark/source.js';
import { kafkaOptions } from './kafka/source.js';

export interface ConnectorColumn { readonly name: string; readonly type: SqlType }

export interface SourceSpec {
  readonly generator: RowGenerator;
  /** offsets per second to ingest (Infinity: as fast as possible) */
  readonly offsetsPerSecond: number;
}

export function connectorSource(columns: readonly ConnectorColumn[], options: Readonly<Record<string, string>>): SourceSpec {
  const proctime = options['proctime.column'];
  if (proctime === undefined) return builtIn(columns, options);
  // `col TIMESTAMPTZ AS PROCTIME()`: the connector makes the other columns, ingestion adds the time
  const at = columns.findIndex((c) => c.name === proctime);
  if (at < 0) throw new SqlError(SqlState.UndefinedColumn, `column "${proctime}" does not exist`);
  const inner = builtIn(columns.filter((_, i) => i !== at), options);
  return { offsetsPerSecond: inner.offsetsPerSecond, generator: withProcessingTime(inner.generator, at) };
}

/** rows of `inner` with the wall clock (µs) inserted at column `at` when they are generated */
function withProcessingTime(inner: RowGenerator, at: number): RowGenerator {
  return {
    total: inner.total,
    rows(from, to, out) {
      const start = out.length;
      inner.rows(from, to, out);
      const now = Date.now() * 1000;
      for (let i = start; i < out.length; i++) out[i]!.splice(at, 0, now);
    },
  };
}

function builtIn(columns: readonly ConnectorColumn[], options: Readonly<Record<string, string>>): SourceSpec {
  const name = (options['connector'] ?? '').toLowerCase();
  switch (name) {
    case 'datagen': {
      const rate = Number(options['datagen.rows.per.second'] ?? 10);
      if (!(rate > 0)) throw new SqlError(SqlState.InvalidParameterValue, `invalid value for datagen.rows.per.second: "${options['datagen.rows.per.second']}"`);
      return { generator: datagenGenerator(columns, options), offsetsPerSecond: rate };
    }
    case 'nexmark':
      return nexmarkSource(columns, options);
    case 'kafka':
      // a stream, not a generator: the source runner reads it (server/session/kafka-ingest.ts)
      kafkaOptions(options);
      return { offsetsPerSecond: 0, generator: { total: 0, rows() { /* records arrive from the topic */ } } };
    default:
      throw new SqlError(SqlState.FeatureNotSupported, `connector "${name}" is not supported`, { hint: "Built-in connectors: 'datagen', 'nexmark'." });
  }
}
