#!/usr/bin/env node
// Eddy's entry point: `npm start -- --port 5433 --data-dir ./data`.
import { parseArgs } from 'node:util';
import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadParser } from '../planner/parse.js';
import { startPgServer } from './pgwire/server.js';
import { Engine } from './session/engine.js';

const { values } = parseArgs({
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    'data-dir': { type: 'string' },
    auth: { type: 'string' },
    password: { type: 'string' },
    'max-connections': { type: 'string' },
    'tls-key': { type: 'string' },
    'tls-cert': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
  allowPositionals: false,
});

if (values.help) {
  process.stdout.write(`Usage: npm start -- [--host H] [--port P] [--data-dir D] [--auth trust|password|md5|scram-sha-256] [--password PW]
                 [--max-connections N] [--tls-key FILE --tls-cert FILE]
Environment: EDDY_HOST, EDDY_PORT, EDDY_DATA_DIR, EDDY_AUTH, EDDY_PASSWORD (password of the eddy role)\n`);
  process.exit(0);
}

const host = values.host ?? process.env['EDDY_HOST'] ?? '127.0.0.1';
const port = Number(values.port ?? process.env['EDDY_PORT'] ?? 5433);
const dataDir = resolve(values['data-dir'] ?? process.env['EDDY_DATA_DIR'] ?? 'data');
const auth = (values.auth ?? process.env['EDDY_AUTH'] ?? 'trust') as 'trust' | 'password' | 'md5' | 'scram-sha-256';

mkdirSync(dataDir, { recursive: true });
await loadParser();
const engine = Engine.open({ dataDir, auth });
const bootstrapPassword = values.password ?? process.env['EDDY_PASSWORD'];
if (bootstrapPassword) await engine.setRolePassword('eddy', bootstrapPassword);
const tls = values['tls-key'] && values['tls-cert'] ? { key: readFileSync(values['tls-key']), cert: readFileSync(values['tls-cert']) } : undefined;
const server = await startPgServer({
  host, port, factory: engine,
  ...(tls ? { tls } : {}),
  maxConnections: Number(values['max-connections'] ?? process.env['EDDY_MAX_CONNECTIONS'] ?? 1000),
});
process.stdout.write(`Eddy listening on ${host}:${server.port} (data in ${dataDir})\n`);
process.stdout.write(`Connect with: psql -h ${host} -p ${server.port} -U eddy eddy\n`);

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await server.close();
  await engine.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
