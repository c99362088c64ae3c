// connector = 'kafka': a topic's records, read with kafkajs from the offsets Eddy stored with the
// rows it ingested (exactly once: a restart resumes at the stored offsets, whatever the consumer
// group committed). Records gather in a buffer the source runner drains into commits; the reader
// pauses while the buffer is full. Options (RisingWave's names):
//   topic, properties.bootstrap.server, scan.startup.mode = 'earliest' | 'latest' | 'timestamp'
//   ('timestamp' with scan.startup.timestamp.millis),
//   properties.* (client settings: connectors/kafka/client-config.ts)
// The startup mode applies to the partitions the topic has when the source first starts: their
// positions are resolved then and stored with the source's offsets. A partition the topic gains
// later (noticed within METADATA_MAX_AGE_MS, on the running reader or after a restart) has no
// stored offset and is read from its first record, whatever the mode: every record in it was
// written after the source started, so all of them are new to the source.
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
  // most records have none: no entries array for them
  let any = false;
  for (const _ in h) { any = true; break; }
  if (!any) return NO_HEADERS;
  const out: [string, Buffer][] = [];
  for (const [name, v] of Object.entries(h)) {
    for (const x of Array.isArray(v) ? v : [v]) if (x !== undefined) out.push([name, typeof x === 'string' ? Buffer.from(x) : x]);
  }
  return out.length ? out : NO_HEADERS;
}

/** records buffered at most before the reader pauses */
const MAX_BUFFERED = 50_000;
/**
 * How old the consumer's topic metadata may get (kafkajs's metadataMaxAge, 5 minutes by
 * default): a partition added to the topic is noticed (the consumer rejoins its group and is
 * assigned it) within this. A metadata request for one topic every few seconds is cheap.
 */
export const METADATA_MAX_AGE_MS = 5_000;

export class KafkaSourceReader {
  private consumer: Consumer | null = null;
  private readonly buffer: KafkaRecord[] = [];
  private paused = false;
  private stopped = false;
  /** the last failure of the reader, shown by the runner */
  lastError: unknown = null;
  /** per partition, the broker's high watermark (the next offset to be written) as last fetched */
  readonly highWatermarks = new Map<number, bigint>();

  /**
   * Positions the startup mode gave the topic's partitions, resolved on the source's first start
   * (nothing stored yet); the ingest stores them with its next commit, so that a partition
   * without a stored offset is afterwards always one the topic gained later.
   */
  readonly startOffsets = new Map<number, bigint>();
  /** per partition, the next offset to read: after the last record buffered, else where it starts */
  private readonly position = new Map<number, bigint>();

  /** `offsets`: per partition, the next offset to read (stored with the ingested rows); none: the source's first start */
  constructor(private readonly opts: KafkaOptions, private readonly groupId: string, private readonly offsets: ReadonlyMap<number, bigint>) {}

  async start(): Promise<void> {
    const c = this.opts.client;
    const kafka = new Kafka({ ...c.client, clientId: c.clientId, brokers: [...c.brokers], logLevel: logLevel.NOTHING });
    const topic = this.opts.topic;
    this.startOffsets.clear();
    this.position.clear();
    for (const [p, o] of this.offsets) this.position.set(p, o);
    if (this.offsets.size === 0) {
      // the first start: the earliest or latest record of each partition, or the first at the timestamp
      const admin = kafka.admin();
      await admin.connect();
      try {
        const resolved = this.opts.startup === 'timestamp'
          ? await admin.fetchTopicOffsetsByTimestamp(topic, this.opts.startupMillis!)
          : (await admin.fetchTopicOffsets(topic)).map((p) => ({ partition: p.partition, offset: this.opts.startup === 'earliest' ? p.low : p.high }));
        for (const p of resolved) {
          this.startOffsets.set(p.partition, BigInt(p.offset));
          this.position.set(p.partition, BigInt(p.offset));
        }
      } finally {
        await admin.disconnect();
      }
    }
    // stopped while starting: no consumer at all (one created after stop() would read forever
    // into a buffer nobody drains)
    if (this.stopped) return;
    // properties.metadata.max.age.ms may set another refresh interval than METADATA_MAX_AGE_MS
    const consumer = kafka.consumer({ maxWaitTimeInMs: 100, metadataMaxAge: METADATA_MAX_AGE_MS, ...c.consumer, groupId: this.groupId, allowAutoTopicCreation: false });
    this.consumer = consumer;
    await consumer.connect();
    if (this.stopped) { await this.stop(); return; }
    // a partition the group has no offset for and that is not sought below starts at its first
    // record: one the topic gained after the source started
    await consumer.subscribe({ topic, fromBeginning: true });
    // every (re)assignment continues each known partition where this reader is, not at the
    // group's committed offsets (there are none) or the default: a rejoin (the topic gained
    // partitions) neither skips nor re-reads records
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      for (const p of e.payload.memberAssignment[topic] ?? []) {
        const at = this.position.get(p);
        if (at !== undefined) consumer.seek({ topic, partition: p, offset: at.toString() });
      }
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        // a stopped reader takes nothing more (its consumer is being disconnected)
        if (this.stopped) return;
        this.highWatermarks.set(batch.partition, BigInt(batch.highWatermark));
        for (const m of batch.messages) this.buffer.push({ partition: batch.partition, offset: BigInt(m.offset), key: m.key, value: m.value, timestamp: Number(m.timestamp), headers: headerList(m.headers) });
        const last = batch.messages[batch.messages.length - 1];
        if (last) this.position.set(batch.partition, BigInt(last.offset) + 1n);
        if (this.buffer.length >= MAX_BUFFERED && !this.paused) {
          this.paused = true;
          consumer.pause([{ topic }]);
        }
      },
    });
    // stopped while the consumer started: stop() found it not yet running or not yet set
    if (this.stopped) await this.stop();
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

  /** after start() failed: lets go of whatever consumer it made, so that start() can run again */
  async abandonStart(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = null;
    this.paused = false;
    try { await consumer?.disconnect(); } catch { /* closing anyway */ }
  }

  /** stops reading for good; safe while start() is still under way (it stops itself then) */
  async stop(): Promise<void> {
    this.stopped = true;
    this.buffer.length = 0;
    const consumer = this.consumer;
    this.consumer = null;
    try { await consumer?.disconnect(); } catch { /* closing anyway */ }
  }
}
