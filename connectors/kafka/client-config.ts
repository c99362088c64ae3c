// `properties.*` options of Kafka sources and sinks: RisingWave passes them to librdkafka by their
// librdkafka/Java-client names; Eddy's client is kafkajs, so each supported name is translated to
// its kafkajs setting. A name that has no kafkajs equivalent is an error at CREATE time rather
// than a setting silently ignored (a user who sets sasl.password expects it to be used).
import { readFileSync } from 'node:fs';
import type { ConsumerConfig, KafkaConfig, ProducerConfig, SASLOptions } from 'kafkajs';
import { SqlError, SqlState } from '../../core/errors.js';

export interface KafkaClientConfig {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** everything of the client but brokers, clientId and logLevel */
  readonly client: Omit<KafkaConfig, 'brokers' | 'clientId' | 'logLevel'>;
  readonly consumer: Omit<ConsumerConfig, 'groupId'>;
  readonly producer: ProducerConfig;
}

type Setter = (value: string, out: Draft) => void;
interface Draft {
  client: Record<string, unknown>;
  consumer: Record<string, unknown>;
  producer: Record<string, unknown>;
  ssl: Record<string, unknown>;
  sasl: Record<string, unknown>;
  protocol: string | null;
}

const ms = (name: string, set: (v: number, d: Draft) => void): Setter => (value, d) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw invalid(name, value, 'a whole number of milliseconds');
  set(n, d);
};
const bytes = (name: string, set: (v: number, d: Draft) => void): Setter => (value, d) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw invalid(name, value, 'a positive number of bytes');
  set(n, d);
};
const file = (name: string, set: (v: string, d: Draft) => void): Setter => (value, d) => {
  try {
    set(readFileSync(value, 'utf8'), d);
  } catch (e) {
    throw new SqlError(SqlState.InvalidParameterValue, `properties.${name}: cannot read "${value}": ${(e as Error).message}`);
  }
};

/** the librdkafka / Java client names Eddy understands, and where each goes */
const PROPERTIES: Record<string, Setter> = {
  'client.id': () => { /* read directly */ },
  'bootstrap.server': () => { /* read directly */ },
  'bootstrap.servers': () => { /* read directly */ },
  // consumer groups are for monitoring only (offsets live in Eddy's storage); a group id is accepted as a prefix
  'group.id': () => { /* read directly */ },
  'group.id.prefix': () => { /* read directly */ },
  'security.protocol': (v, d) => {
    const p = v.toUpperCase();
    if (!['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'].includes(p)) throw invalid('security.protocol', v, 'PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL');
    d.protocol = p;
  },
  'sasl.mechanism': (v, d) => {
    const m = v.toLowerCase();
    if (!['plain', 'scram-sha-256', 'scram-sha-512'].includes(m)) throw invalid('sasl.mechanism', v, 'PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512');
    d.sasl['mechanism'] = m;
  },
  'sasl.username': (v, d) => { d.sasl['username'] = v; },
  'sasl.password': (v, d) => { d.sasl['password'] = v; },
  'ssl.ca.location': file('ssl.ca.location', (v, d) => { d.ssl['ca'] = [v]; }),
  'ssl.certificate.location': file('ssl.certificate.location', (v, d) => { d.ssl['cert'] = v; }),
  'ssl.key.location': file('ssl.key.location', (v, d) => { d.ssl['key'] = v; }),
  'ssl.key.password': (v, d) => { d.ssl['passphrase'] = v; },
  'ssl.endpoint.identification.algorithm': (v, d) => {
    // 'none' (librdkafka) or '' (Java client) turns host name verification off
    if (v === '' || v.toLowerCase() === 'none') d.ssl['checkServerIdentity'] = () => undefined;
    else if (v.toLowerCase() !== 'https') throw invalid('ssl.endpoint.identification.algorithm', v, "'https' or 'none'");
  },
  'enable.ssl.certificate.verification': (v, d) => { d.ssl['rejectUnauthorized'] = bool('enable.ssl.certificate.verification', v); },
  'socket.connection.setup.timeout.ms': ms('socket.connection.setup.timeout.ms', (n, d) => { d.client['connectionTimeout'] = n; }),
  'request.timeout.ms': ms('request.timeout.ms', (n, d) => { d.client['requestTimeout'] = n; }),
  'retry.backoff.ms': ms('retry.backoff.ms', (n, d) => { d.client['retry'] = { ...(d.client['retry'] as object | undefined), initialRetryTime: n }; }),
  'retries': (v, d) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw invalid('retries', v, 'a whole number');
    d.client['retry'] = { ...(d.client['retry'] as object | undefined), retries: n };
  },
  'session.timeout.ms': ms('session.timeout.ms', (n, d) => { d.consumer['sessionTimeout'] = n; }),
  'heartbeat.interval.ms': ms('heartbeat.interval.ms', (n, d) => { d.consumer['heartbeatInterval'] = n; }),
  'fetch.wait.max.ms': ms('fetch.wait.max.ms', (n, d) => { d.consumer['maxWaitTimeInMs'] = n; }),
  'fetch.max.wait.ms': ms('fetch.max.wait.ms', (n, d) => { d.consumer['maxWaitTimeInMs'] = n; }),
  'fetch.min.bytes': bytes('fetch.min.bytes', (n, d) => { d.consumer['minBytes'] = n; }),
  'fetch.max.bytes': bytes('fetch.max.bytes', (n, d) => { d.consumer['maxBytes'] = n; }),
  'max.partition.fetch.bytes': bytes('max.partition.fetch.bytes', (n, d) => { d.consumer['maxBytesPerPartition'] = n; }),
  'topic.metadata.refresh.interval.ms': ms('topic.metadata.refresh.interval.ms', (n, d) => { d.consumer['metadataMaxAge'] = n; d.producer['metadataMaxAge'] = n; }),
  'metadata.max.age.ms': ms('metadata.max.age.ms', (n, d) => { d.consumer['metadataMaxAge'] = n; d.producer['metadataMaxAge'] = n; }),
  'isolation.level': (v, d) => {
    const l = v.toLowerCase();
    if (l !== 'read_committed' && l !== 'read_uncommitted') throw invalid('isolation.level', v, 'read_committed or read_uncommitted');
    d.consumer['readUncommitted'] = l === 'read_uncommitted';
  },
  'allow.auto.create.topics': (v, d) => { d.producer['allowAutoTopicCreation'] = bool('allow.auto.create.topics', v); },
};

function invalid(name: string, value: string, expected: string): SqlError {
  return new SqlError(SqlState.InvalidParameterValue, `invalid value for properties.${name}: "${value}"`, { hint: `Expected ${expected}.` });
}
function bool(name: string, v: string): boolean {
  const l = v.toLowerCase();
  if (l === 'true' || l === 'false') return l === 'true';
  throw invalid(name, v, 'true or false');
}

/** the client settings a relation's options ask for (errors 22023 on unknown or invalid properties) */
export function kafkaClientConfig(options: Readonly<Record<string, string>>, role: 'source' | 'sink'): KafkaClientConfig {
  const servers = options['properties.bootstrap.server'] ?? options['properties.bootstrap.servers'];
  if (!servers) throw new SqlError(SqlState.InvalidParameterValue, `a kafka ${role} needs properties.bootstrap.server`, { hint: "WITH (connector = 'kafka', topic = '...', properties.bootstrap.server = 'host:port')" });
  const d: Draft = { client: {}, consumer: {}, producer: {}, ssl: {}, sasl: {}, protocol: null };
  for (const [key, value] of Object.entries(options)) {
    if (!key.startsWith('properties.')) continue;
    const name = key.slice('properties.'.length);
    const set = PROPERTIES[name];
    if (!set) {
      throw new SqlError(SqlState.InvalidParameterValue, `unsupported Kafka client property "${key}"`, {
        hint: `Supported: ${Object.keys(PROPERTIES).map((k) => `properties.${k}`).join(', ')}.`,
      });
    }
    set(value, d);
  }
  const protocol = d.protocol ?? (Object.keys(d.sasl).length ? 'SASL_PLAINTEXT' : Object.keys(d.ssl).length ? 'SSL' : 'PLAINTEXT');
  const client: Record<string, unknown> = { ...d.client };
  if (protocol === 'SSL' || protocol === 'SASL_SSL') client['ssl'] = Object.keys(d.ssl).length ? d.ssl : true;
  if (protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL') {
    const { mechanism, username, password } = d.sasl;
    if (!mechanism || username === undefined || password === undefined) {
      throw new SqlError(SqlState.InvalidParameterValue, `security.protocol ${protocol} needs properties.sasl.mechanism, properties.sasl.username and properties.sasl.password`);
    }
    client['sasl'] = { mechanism, username, password } as SASLOptions;
  } else if (Object.keys(d.sasl).length) {
    throw new SqlError(SqlState.InvalidParameterValue, `properties.sasl.* need properties.security.protocol = 'SASL_PLAINTEXT' or 'SASL_SSL', not '${protocol}'`);
  }
  return {
    brokers: servers.split(',').map((s) => s.trim()).filter(Boolean),
    clientId: options['properties.client.id'] ?? 'eddy',
    client: client as KafkaClientConfig['client'],
    consumer: d.consumer as KafkaClientConfig['consumer'],
    producer: d.producer as ProducerConfig,
  };
}
