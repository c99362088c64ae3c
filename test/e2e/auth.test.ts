// Password authentication against Eddy: the bootstrap password, CREATE ROLE ... PASSWORD, and
// each method (SCRAM-SHA-256, md5, cleartext) with right and wrong passwords.
import { afterAll, describe, expect, test } from 'vitest';
import pg from 'pg';
import { startEddy, type EddyServer } from '../harness/server.js';

const servers: EddyServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
});

async function connect(port: number, user: string, password: string): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port, user, password, database: 'eddy' });
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

describe.each(['scram-sha-256', 'md5', 'password'] as const)('auth %s', (method) => {
  test('bootstrap password, roles with passwords, wrong passwords rejected with 28P01', async () => {
    const eddy = await startEddy({ args: ['--auth', method], env: { EDDY_PASSWORD: 'boot-secret' } });
    servers.push(eddy);
    const admin = await connect(eddy.port, 'eddy', 'boot-secret');
    await admin.query("CREATE ROLE app LOGIN PASSWORD 'app-secret'");
    const stored = await admin.query("SELECT rolpassword FROM pg_authid WHERE rolname = 'app'");
    expect(stored.rows[0].rolpassword).toMatch(method === 'md5' ? /^md5[0-9a-f]{32}$/ : /^SCRAM-SHA-256\$4096:/);
    await admin.end();

    const app = await connect(eddy.port, 'app', 'app-secret');
    expect((await app.query('SELECT current_user AS u')).rows).toEqual([{ u: 'app' }]);
    await app.end();

    await expect(connect(eddy.port, 'app', 'wrong')).rejects.toMatchObject({ code: '28P01' });
    await expect(connect(eddy.port, 'eddy', 'wrong')).rejects.toMatchObject({ code: '28P01' });
    await expect(connect(eddy.port, 'nobody', 'x')).rejects.toMatchObject({ code: '28000' });
  });
});
