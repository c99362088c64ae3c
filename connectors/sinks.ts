// Sink connectors by name (CREATE SINK ... WITH (connector = '...')): where a sink's changes go.
// The view maintainer steps a sink's dataflow like a view's and hands each round's change of
// its output to the connector after the round's commit. Unknown connectors and bad options are
// errors at CREATE time.
import { SqlError, SqlState } from '../core/errors.js';
import type { Delta } from '../core/delta.js';
import type { SqlType } from '../core/types.js';
import { kafkaSink } from './kafka/sink.js';

export interface SinkConnector {
  /** takes one round's change of the sink's query (rows with weights, in commit order); done once delivered */
  write(change: Delta): void | Promise<void>;
  /** lets go of connections (the sink was dropped, or its maintenance restarts) */
  close?(): Promise<void>;
}

/** a column of a sink's query */
export interface SinkColumn { readonly name: string; readonly type: SqlType }

/** 'blackhole' (RisingWave, Flink): discards what it gets; measures a dataflow without a destination */
const blackhole: SinkConnector = { write: () => undefined };

export function sinkConnector(options: Readonly<Record<string, string>>, columns: readonly SinkColumn[]): SinkConnector {
  const name = (options['connector'] ?? '').toLowerCase();
  switch (name) {
    case 'blackhole': return blackhole;
    case 'kafka': return kafkaSink(options, columns);
    case '': throw new SqlError(SqlState.InvalidParameterValue, 'a sink needs a connector', { hint: "WITH (connector = 'blackhole')" });
    default: throw new SqlError(SqlState.FeatureNotSupported, `sink connector "${name}" is not supported`, { hint: "Built-in sink connectors: 'blackhole', 'kafka'." });
  }
}
