// Stand-in for dist/server/main.js backed by a real PostgreSQL 15 (run as user eddytest; needs root).
// Validates the harness and crash.test.ts before Eddy exists:
//   EDDY_SERVER_MAIN=test/harness/tools/pg-standin.mjs npx vitest run test/e2e/crash.test.ts
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
const a = process.argv.slice(2);
const port = a[a.indexOf('--port') + 1];
const dir = a[a.indexOf('--data-dir') + 1];
const B = '/usr/lib/postgresql/15/bin';
const pgdata = path.join(dir, 'pg');
const as = (cmd, args) => execFileSync('runuser', ['-u', 'eddytest', '--', cmd, ...args], { stdio: 'pipe' });
const pgidFile = path.join(dir, 'pgid');
const pidFile = path.join(pgdata, 'postmaster.pid');
const killOld = () => { if (fs.existsSync(pidFile)) { const pm = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]); try { process.kill(pm, 'SIGKILL'); } catch {} } };
killOld();
execFileSync('sleep', ['0.3']);
if (fs.existsSync(pgidFile)) {
  const pgid = Number(fs.readFileSync(pgidFile, 'utf8'));
  try { process.kill(-pgid, 'SIGKILL'); } catch {}
  for (let i = 0; i < 100; i++) { try { process.kill(-pgid, 0); execFileSync('sleep', ['0.05']); } catch { break; } }
}
if (!fs.existsSync(pgdata)) {
  execFileSync('chown', ['-R', 'eddytest:', dir]);
  as(B + '/initdb', ['-D', pgdata, '-U', 'postgres', '--auth=trust']);
  fs.mkdirSync(path.join(dir, 'sock'));
  execFileSync('chown', ['-R', 'eddytest:', dir]);
}
fs.rmSync(path.join(pgdata, 'postmaster.pid'), { force: true }); // killed postmaster may linger as a zombie
for (const f of fs.existsSync(path.join(dir, 'sock')) ? fs.readdirSync(path.join(dir, 'sock')) : []) fs.rmSync(path.join(dir, 'sock', f), { force: true });
const pg = spawn('runuser', ['-u', 'eddytest', '--', B + '/postgres', '-D', pgdata, '-p', port, '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=600', '-c', `unix_socket_directories=${dir}/sock`], { stdio: ['ignore', 'ignore', 'inherit'] });
fs.writeFileSync(pgidFile, String(pg.pid));
for (;;) {
  try { execFileSync(B + '/psql', ['-h', '127.0.0.1', '-p', port, '-U', 'postgres', '-d', 'postgres', '-c', 'select 1'], { stdio: 'pipe' }); break; } catch { execFileSync('sleep', ['0.1']); }
}
try { execFileSync(B + '/psql', ['-h', '127.0.0.1', '-p', port, '-U', 'postgres', '-d', 'postgres', '-c', 'CREATE ROLE eddy SUPERUSER LOGIN', '-c', 'CREATE DATABASE eddy OWNER eddy'], { stdio: 'pipe' }); } catch {}
// watchdog: when this process dies (SIGKILL), kill the postmaster at once, like a crash.
spawn('bash', ['-c', `while kill -0 ${process.pid} 2>/dev/null; do sleep 0.01; done; kill -9 $(head -1 ${pidFile}) 2>/dev/null`], { detached: true, stdio: 'ignore' }).unref();
console.log(`listening on 127.0.0.1:${port}`);
process.on('SIGTERM', () => { try { as(B + '/pg_ctl', ['-D', pgdata, 'stop', '-m', 'fast']); } catch {} fs.rmSync(pgidFile, { force: true }); process.exit(0); });
setInterval(() => {}, 1000);
