// Starts a throwaway real Apache Kafka broker in KRaft mode (one node, broker and controller) on
// free loopback ports: its jars come from Maven Central through Maven (test/harness/kafka/pom.xml)
// into a cache folder, fetched once; the log directory is formatted and removed afterwards. A test
// that needs a broker calls startKafka() and fails if it cannot get one.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { freePort, sleep } from './net.js';
import { repoRoot } from './server.js';

const run = promisify(execFile);
const POM = path.join(repoRoot(), 'test', 'harness', 'kafka', 'pom.xml');
export const KAFKA_VERSION = '3.7.1';

export interface KafkaBroker {
  /** host:port for clients */
  readonly bootstrap: string;
  readonly port: number;
  stop(): Promise<void>;
  /** what the broker printed, for diagnostics */
  output(): string;
}

/** the folder with the broker's jars, fetched with Maven on first use */
export async function kafkaJars(): Promise<string> {
  const cache = process.env.EDDY_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'eddy');
  const dir = path.join(cache, `kafka-${KAFKA_VERSION}`);
  if (fs.existsSync(path.join(dir, '.complete'))) return dir;
  fs.mkdirSync(dir, { recursive: true });
  try {
    await run('mvn', ['-q', '-B', '-f', POM, 'dependency:copy-dependencies', `-DoutputDirectory=${dir}`, '-DincludeScope=runtime'], { timeout: 600_000, maxBuffer: 16 << 20 });
  } catch (e) {
    throw new Error(`cannot fetch the Kafka broker's jars with Maven (install maven; Maven Central must be reachable): ${(e as Error).message}`);
  }
  fs.writeFileSync(path.join(dir, '.complete'), KAFKA_VERSION);
  return dir;
}

export async function startKafka(opts: { port?: number; startTimeoutMs?: number } = {}): Promise<KafkaBroker> {
  const jars = await kafkaJars();
  const port = opts.port ?? (await freePort());
  const controllerPort = await freePort();
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-kafka-'));
  const logs = path.join(base, 'logs');
  const config = path.join(base, 'server.properties');
  fs.writeFileSync(config, [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${logs}`,
    'num.partitions=1',
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=true',
    '',
  ].join('\n'));
  const classpath = path.join(jars, '*');
  const java = ['-Xms128m', '-Xmx512m', '-XX:+UseSerialGC', '-cp', classpath];
  // a cluster id: 16 random bytes, URL-safe base64 without padding (what kafka-storage random-uuid prints)
  const clusterId = randomBytes(16).toString('base64url');
  // as --cluster-id=<id>: an id may start with '-', which would read as an option
  await run('java', [...java, 'kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, '-c', config], { timeout: 120_000 });
  let out = '';
  const proc: ChildProcess = spawn('java', [...java, '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn', 'kafka.Kafka', config], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const keep = (d: Buffer): void => { out = (out + d.toString()).slice(-20_000); };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  let exited = false;
  const exit = new Promise<void>((resolve) => proc.once('exit', () => { exited = true; resolve(); }));
  const stop = async (): Promise<void> => {
    if (!exited) {
      try { process.kill(-proc.pid!, 'SIGTERM'); } catch { /* gone */ }
      const timer = setTimeout(() => { try { process.kill(-proc.pid!, 'SIGKILL'); } catch { /* gone */ } }, 15_000);
      await exit;
      clearTimeout(timer);
    }
    fs.rmSync(base, { recursive: true, force: true });
  };
  liveBrokers.add(proc);
  void exit.then(() => liveBrokers.delete(proc));
  // ready once a client gets the cluster's metadata
  const admin = new Kafka({ brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  for (;;) {
    if (exited) { await stop(); throw new Error(`the Kafka broker exited while starting:\n${out}`); }
    try {
      await admin.connect();
      await admin.describeCluster();
      await admin.disconnect();
      break;
    } catch {
      if (Date.now() > deadline) { await stop(); throw new Error(`the Kafka broker did not start within ${opts.startTimeoutMs ?? 60_000} ms:\n${out}`); }
      await sleep(250);
    }
  }
  return { bootstrap: `127.0.0.1:${port}`, port, stop, output: () => out };
}

/** brokers still running are killed if the test process exits without stopping them */
const liveBrokers = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of liveBrokers) {
    try { process.kill(-p.pid!, 'SIGKILL'); } catch { /* gone */ }
  }
});

/** creates a topic of `partitions` partitions on the broker (waiting for its leaders) and returns a connected producer */
export async function topicProducer(broker: KafkaBroker, topic: string, partitions: number): Promise<Producer> {
  const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  const producer = kafka.producer();
  await producer.connect();
  return producer;
}
