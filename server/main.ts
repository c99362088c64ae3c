#!/usr/bin/env node
// Eddy's entry point: `npm start -- --port 5433 --data-dir ./data`.
// With --workers N (N > 1) the primary process forks N server processes that share the port and
// the data directory (LMDB is multi-process safe); each serves its own connections on its own
// core, and catalog changes, sequences and cancel requests are coordinated through storage and
// the primary.
import cluster from 'node:cluster';
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
    workers: { type: 'string' },
    'max-connections': { type: 'string' },
    'tls-key': { type: 'string' },
    'tls-cert': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
  allowPositionals: false,
});

if (values.help) {
  process.stdout.write(`Usage: npm start -- [--host H] [--port P] [--data-dir D] [--auth trust|password|md5|scram-sha-256] [--password PW]
                 [--workers N] [--max-connections N] [--tls-key FILE --tls-cert FILE]
Environment: EDDY_HOST, EDDY_PORT, EDDY_DATA_DIR, EDDY_AUTH, EDDY_PASSWORD (password of the eddy role), EDDY_WORKERS,
             EDDY_SEGMENT_GRACE_MS (how long replaced column segment files are kept for running scans, default 30000),
             EDDY_IDLE_FLUSH_MS (flush a table's memtable after this long without writes, default 10000)\n`);
  process.exit(0);
}

const host = values.host ?? process.env['EDDY_HOST'] ?? '127.0.0.1';
const port = Number(values.port ?? process.env['EDDY_PORT'] ?? 5433);
const dataDir = resolve(values['data-dir'] ?? process.env['EDDY_DATA_DIR'] ?? 'data');
const auth = (values.auth ?? process.env['EDDY_AUTH'] ?? 'trust') as 'trust' | 'password' | 'md5' | 'scram-sha-256';
const workers = Math.max(1, Number(values.workers ?? process.env['EDDY_WORKERS'] ?? 1) || 1);
const bootstrapPassword = values.password ?? process.env['EDDY_PASSWORD'];

interface CancelMessage { readonly type: 'cancel'; readonly processId: number; readonly secretKey: number }
interface ListeningMessage { readonly type: 'listening'; readonly port: number }
type WorkerMessage = CancelMessage | ListeningMessage;

async function serve(): Promise<{ port: number; stop: () => Promise<void> }> {
  await loadParser();
  // one process per data directory writes segment files: the only worker, or the first one
  const grace = process.env['EDDY_SEGMENT_GRACE_MS'];
  const engine = Engine.open({
    dataDir, auth, maintenance: !cluster.isWorker || cluster.worker?.id === 1,
    ...(grace !== undefined ? { segmentGraceMs: Number(grace) } : {}),
    ...(process.env['EDDY_IDLE_FLUSH_MS'] ? { idleFlushMs: Number(process.env['EDDY_IDLE_FLUSH_MS']) } : {}),
    ...(process.env['EDDY_STATE_CACHE_ROWS'] ? { stateCacheRows: Number(process.env['EDDY_STATE_CACHE_ROWS']) } : {}),
    ...(process.env['EDDY_CHECKPOINT_MS'] ? { checkpointMs: Number(process.env['EDDY_CHECKPOINT_MS']) } : {}),
  });
  // with several workers the primary has set it before forking
  if (bootstrapPassword && !cluster.isWorker) await engine.setRolePassword('eddy', bootstrapPassword);
  if (cluster.isWorker) {
    // CancelRequests for sessions of other workers go through the primary
    engine.onForeignCancel = (processId, secretKey) => process.send?.({ type: 'cancel', processId, secretKey } satisfies CancelMessage);
    process.on('message', (m: WorkerMessage) => {
      if (m.type === 'cancel') engine.cancelLocal(m.processId, m.secretKey);
    });
  }
  await engine.ready;
  const tls = values['tls-key'] && values['tls-cert'] ? { key: readFileSync(values['tls-key']), cert: readFileSync(values['tls-cert']) } : undefined;
  const server = await startPgServer({
    host, port, factory: engine,
    ...(tls ? { tls } : {}),
    maxConnections: Number(values['max-connections'] ?? process.env['EDDY_MAX_CONNECTIONS'] ?? 1000),
  });
  return { port: server.port, stop: async () => { await server.close(); await engine.close(); } };
}

function announce(actualPort: number): void {
  process.stdout.write(`Eddy listening on ${host}:${actualPort} (data in ${dataDir}${workers > 1 ? `, ${workers} workers` : ''})\n`);
  process.stdout.write(`Connect with: psql -h ${host} -p ${actualPort} -U eddy eddy\n`);
}

mkdirSync(dataDir, { recursive: true });

if (workers > 1 && cluster.isPrimary) {
  if (bootstrapPassword) {
    const engine = Engine.open({ dataDir, auth, maintenance: false });
    await engine.setRolePassword('eddy', bootstrapPassword);
    await engine.close();
  }
  let ready = 0;
  const procs = Array.from({ length: workers }, () => cluster.fork());
  for (const w of procs) {
    w.on('message', (m: WorkerMessage) => {
      if (m.type === 'listening' && ++ready === workers) announce(m.port);
      if (m.type === 'cancel') for (const other of procs) if (other !== w) other.send(m);
    });
  }
  cluster.on('exit', (w, code, signal) => {
    if (!stopping) {
      process.stderr.write(`Eddy worker ${w.process.pid} exited (${signal ?? code}); stopping\n`);
      void shutdown(1);
    }
  });
  let stopping = false;
  const shutdown = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    for (const w of procs) w.kill('SIGTERM');
    await Promise.all(procs.map((w) => new Promise<void>((r) => (w.isDead() ? r() : w.once('exit', () => r())))));
    process.exit(code);
  };
  process.on('SIGTERM', () => void shutdown(0));
  process.on('SIGINT', () => void shutdown(0));
} else {
  const { port: actualPort, stop } = await serve();
  if (cluster.isWorker) process.send?.({ type: 'listening', port: actualPort } satisfies ListeningMessage);
  else {
    announce(actualPort);
  }
  let stopping = false;
  const onStop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void onStop());
  process.on('SIGINT', () => void onStop());
}
