// Metabase through pgjdbc (Debian's libpostgresql-jdbc-java, the driver Metabase bundles): the
// connection test, the pool-checkout session statements, sync (schemas, tables with row
// estimates, fields, enums, foreign keys, privileges, the JDBC metadata calls of older versions)
// and the SQL shapes its query processor generates. test/e2e/java/MetabaseSim.java runs them
// against Eddy and a real PostgreSQL 15; every step must answer the same.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startEddy, type EddyServer } from '../harness/server.js';
import { startPostgres, type PostgresServer } from '../harness/postgres.js';
import { compileJava, differences, type JavaProgram } from './java-side-by-side.js';

let eddy: EddyServer;
let pg: PostgresServer;
let sim: JavaProgram;

beforeAll(async () => {
  sim = await compileJava('MetabaseSim');
  [eddy, pg] = await Promise.all([startEddy(), startPostgres()]);
}, 180_000);
afterAll(async () => {
  await eddy?.stop();
  await pg?.stop();
  sim?.dispose();
});

test('Metabase sync and generated queries answer as on PostgreSQL', async () => {
  const fromPg = await sim.run(pg.port, 'PostgreSQL');
  const fromEddy = await sim.run(eddy.port, 'Eddy');
  expect(fromPg.has('done')).toBe(true);
  expect(fromPg.size).toBeGreaterThan(40);
  expect(differences(fromPg, fromEddy)).toBe('');
}, 400_000);
