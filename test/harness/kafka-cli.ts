// `npm run kafka`: a local Kafka broker (KRaft, the one the tests use) for trying Eddy's Kafka
// path by hand; prints its bootstrap address and runs until interrupted.
// Usage: npm run kafka [-- --port 9092]
import { parseArgs } from 'node:util';
import { startKafka } from './kafka.js';

const { values } = parseArgs({ options: { port: { type: 'string' } } });
const broker = await startKafka({ ...(values.port ? { port: Number(values.port) } : {}), startTimeoutMs: 120_000 });
process.stdout.write(`Kafka ${broker.bootstrap} is up (Ctrl-C stops it and removes its data)\n`);
const stop = (): void => { void broker.stop().then(() => process.exit(0)); };
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
setInterval(() => undefined, 1 << 30);
