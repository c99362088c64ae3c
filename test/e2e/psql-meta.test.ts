// psql's describe commands beyond \dt / \d: each runs the catalog queries psql 15 sends and
// must succeed and show the objects.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startEddy, type EddyServer } from '../harness/server.js';

const run = promisify(execFile);
let eddy: EddyServer;

beforeAll(async () => {
  eddy = await startEddy();
  await psql('CREATE TABLE meta_t (id serial PRIMARY KEY, v text UNIQUE, n numeric(5,1) CHECK (n > 0)); CREATE VIEW meta_v AS SELECT id FROM meta_t; CREATE INDEX meta_n ON meta_t (n)');
  await psql('CREATE MATERIALIZED VIEW meta_mv AS SELECT count(*) AS n FROM meta_t');
  await psql("CREATE SOURCE meta_s (id int) WITH (connector = 'datagen', fields.id.kind = 'sequence', fields.id.end = '3')");
});
afterAll(async () => { await eddy?.stop(); });

async function psql(command: string): Promise<string> {
  const { stdout } = await run('psql', ['-h', '127.0.0.1', '-p', String(eddy.port), '-U', 'eddy', '-d', 'eddy', '-X', '-v', 'ON_ERROR_STOP=1', '-c', command], { timeout: 30_000 });
  return stdout;
}

test.each([
  ['\\d+ meta_t', ['nextval(\'meta_t_id_seq\'::regclass)', '"meta_t_pkey" PRIMARY KEY, btree (id)', '"meta_n" btree (n)', 'CHECK (n > 0)']],
  ['\\d+ meta_v', ['View definition:', 'FROM meta_t']],
  ['\\di', ['meta_t_pkey', 'meta_n']],
  ['\\dv', ['meta_v']],
  ['\\ds', ['meta_t_id_seq']],
  ['\\du', ['eddy', 'Superuser']],
  ['\\dx', ['List of installed extensions']],
  ['\\l+', ['eddy', 'UTF8']],
  ['\\dn+', ['public']],
  ['\\dt+', ['meta_t']],
  ['\\sv meta_v', ['CREATE OR REPLACE VIEW public.meta_v AS']],
  ['\\dm', ['meta_mv', 'materialized view']],
  ['\\d+ meta_mv', ['Materialized view "public.meta_mv"', 'View definition:']],
  ['\\d meta_s', ['Foreign table "public.meta_s"', 'Server: datagen', "connector 'datagen'"]],
  ['\\d', ['meta_s', 'foreign table', 'meta_mv']],
])('%s', async (command, expected) => {
  const out = await psql(command);
  for (const e of expected) expect(out).toContain(e);
});
