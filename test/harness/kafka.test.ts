// The test harness's Kafka broker: a real broker in KRaft mode that kafkajs produces to and
// consumes from (the base of the Kafka connector tests).
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { startKafka, type KafkaBroker } from './kafka.js';

let broker: KafkaBroker;
beforeAll(async () => { broker = await startKafka(); }, 900_000);
afterAll(async () => { await broker?.stop(); });

test('a produced message is consumed back, across partitions', async () => {
  const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'harness', numPartitions: 3 }], waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'harness', messages: Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: JSON.stringify({ i }) })) });
  const consumer = kafka.consumer({ groupId: 'harness-test' });
  await consumer.connect();
  await consumer.subscribe({ topic: 'harness', fromBeginning: true });
  const seen: number[] = [];
  const partitions = new Set<number>();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${seen.length} of 30 messages came back`)), 60_000);
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        seen.push((JSON.parse(message.value!.toString()) as { i: number }).i);
        partitions.add(partition);
        if (seen.length === 30) { clearTimeout(timer); resolve(); }
      },
    });
  });
  expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
  expect(partitions.size).toBeGreaterThan(1);
  const offsets = await admin.fetchTopicOffsets('harness');
  expect(offsets.reduce((n, o) => n + Number(o.high), 0)).toBe(30);
  await Promise.all([consumer.disconnect(), producer.disconnect(), admin.disconnect()]);
}, 120_000);
