// connector = 'kafka': a topic's records, read with kafkajs from the offsets Eddy stored with the
// rows it ingested (exactly once: a restart resumes at the stored offsets, whatever the consumer
// group committed). Records gather in a buffer the source runner drains into commits; the reader
// pauses while the buffer is full. Options (RisingWave's names):
//   topic, properties.bootstrap.server, scan.startup.mode = 'earliest' | 'latest' | 'timestamp'
//   (partitions with no stored offset; 'timestamp' with scan.startup.timestamp.millis),
//   properties.* (client settings: connectors/kafka/client-config.ts)
import { Kafka, logLevel, type Consumer, type IHeaders } from 'kafkajs';
import { SqlError, SqlState } from '../../core/errors.js';
import { kafkaClientConfig, type KafkaClientConfig } from './client-config.js';

export interface KafkaOptions {
  readonly topic: string;
  readonly client: KafkaClientConfig;
  /** the consumer group's name starts with it (groups are for monitoring only) */
  readonly groupPrefix: string;
  readonly startup: 'earliest' | 'latest' | 'timestamp';
  /** scan.startup.timestamp.millis: the first record at or after it, per partition */
  readonly startupMillis: number | null;
}

export function kafkaOptions(options: Readonly<Record<string, string>>): KafkaOptions {
  const topic = options['topic'];
  if (!topic) throw new SqlError(SqlState.InvalidParameterValue, 'a kafka source needs topic', { hint: "WITH (connector = 'kafka', topic = '...', properties.bootstrap.server = 'host:port')" });
  const client = kafkaClientConfig(options, 'source');
  const mode = (options['scan.startup.mode'] ?? 'earliest').toLowerCase();
  if (mode !== 'earliest' && mode !== 'latest' && mode !== 'timestamp') throw new SqlError(SqlState.InvalidParameterValue, `invalid value for scan.startup.mode: "${mode}"`, { hint: "Use 'earliest', 'latest' or 'timestamp' (with scan.startup.timestamp.millis)." });
  const millisText = options['scan.startup.timestamp.millis'];
  const startupMillis = millisText === undefined ? null : Number(millisText);
  if (mode === 'timestamp' && !(startupMillis !== null && Number.isInteger(startupMillis) && startupMillis >= 0)) {
    throw new SqlError(SqlState.InvalidParameterValue, `scan.startup.mode = 'timestamp' needs scan.startup.timestamp.millis (ms since 1970), not "${millisText ?? ''}"`);
  }
  const groupPrefix = options['properties.group.id.prefix'] ?? options['properties.group.id'] ?? 'eddy';
  return { topic, client, groupPrefix, startup: mode, startupMillis };
}

export interface KafkaRecord {
  readonly partition: number;
  readonly offset: bigint;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** the record's timestamp, ms since 1970 */
  readonly timestamp: number;
  /** the record's headers, in order (a name may repeat) */
  readonly headers: readonly (readonly [string, Buffer])[];
}

const NO_HEADERS: readonly (readonly [string, Buffer])[] = [];

function headerList(h: IHeaders | undefined): readonly (readonly [string, Buffer])[] {
  if (!h) return NO_HEADERS;
  const out: [string, Buffer][] = [];
  for (const [name, v] of Object.entries(h)) {
    for (const x of Array.isArray(v) ? v : [v]) if (x !== undefined) out.push([name, typeof x === 'string' ? Buffer.from(x) : x]);
  }
  return out.length ? out : NO_HEADERS;
}

/** records buffered at most before the reader pauses */
const MAX_BUFFERED = 50_000;

export class KafkaSourceReader {
  private consumer: Consumer | null = null;
  private readonly buffer: KafkaRecord[] = [];
  private paused = false;
  private stopped = false;
  /** the last failure of the reader, shown by the runner */
  lastError: unknown = null;
  /** per partition, the broker's high watermark (the next offset to be written) as last fetched */
  readonly highWatermarks = new Map<number, bigint>();

  /** `offsets`: per partition, the next offset to read (stored with the ingested rows) */
  constructor(private readonly opts: KafkaOptions, private readonly groupId: string, private readonly offsets: ReadonlyMap<number, bigint>) {}

  async start(): Promise<void> {
    const c = this.opts.client;
    const kafka = new Kafka({ ...c.client, clientId: c.clientId, brokers: [...c.brokers], logLevel: logLevel.NOTHING });
    // where partitions without a stored offset start: the earliest or latest record, or the first at the timestamp
    const startAt = new Map(this.offsets);
    if (this.opts.startup === 'timestamp') {
      const admin = kafka.admin();
      await admin.connect();
      try {
        for (const p of await admin.fetchTopicOffsetsByTimestamp(this.opts.topic, this.opts.startupMillis!)) {
          if (!startAt.has(p.partition)) startAt.set(p.partition, BigInt(p.offset));
        }
      } finally {
        await admin.disconnect();
      }
    }
    const consumer = kafka.consumer({ maxWaitTimeInMs: 100, ...c.consumer, groupId: this.groupId, allowAutoTopicCreation: false });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic: this.opts.topic, fromBeginning: this.opts.startup === 'earliest' });
    // every assignment starts at Eddy's stored offsets, not the group's committed ones
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      const assigned = e.payload.memberAssignment[this.opts.topic] ?? [];
      for (const p of assigned) {
        const at = startAt.get(p);
        if (at !== undefined) consumer.seek({ topic: this.opts.topic, partition: p, offset: at.toString() });
      }
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        this.highWatermarks.set(batch.partition, BigInt(batch.highWatermark));
        for (const m of batch.messages) this.buffer.push({ partition: batch.partition, offset: BigInt(m.offset), key: m.key, value: m.value, timestamp: Number(m.timestamp), headers: headerList(m.headers) });
        if (this.buffer.length >= MAX_BUFFERED && !this.paused && !this.stopped) {
          this.paused = true;
          consumer.pause([{ topic: this.opts.topic }]);
        }
      },
    });
  }

  /** the buffered records, oldest first, at most `max` */
  drain(max: number): KafkaRecord[] {
    const out = this.buffer.splice(0, max);
    if (this.paused && this.buffer.length < MAX_BUFFERED / 2 && this.consumer) {
      this.paused = false;
      this.consumer.resume([{ topic: this.opts.topic }]);
    }
    return out;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    try { await this.consumer?.disconnect(); } catch { /* closing anyway */ }
    this.consumer = null;
  }
}
