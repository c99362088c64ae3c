// pgjdbc side by side: every common type through prepared statements in both directions,
// ResultSetMetaData, ParameterMetaData, DatabaseMetaData (type info, functions, keys, indexes,
// columns) and a cursor read with a fetch size, against Eddy and a real PostgreSQL 15
// (test/e2e/java/JdbcCompat.java). Every step must answer the same.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startEddy, type EddyServer } from '../harness/server.js';
import { startPostgres, type PostgresServer } from '../harness/postgres.js';
import { compileJava, differences, type JavaProgram } from './java-side-by-side.js';

let eddy: EddyServer;
let pg: PostgresServer;
let program: JavaProgram;

beforeAll(async () => {
  program = await compileJava('JdbcCompat');
  [eddy, pg] = await Promise.all([startEddy(), startPostgres()]);
}, 180_000);
afterAll(async () => {
  await eddy?.stop();
  await pg?.stop();
  program?.dispose();
});

test('pgjdbc sees Eddy as it sees PostgreSQL', async () => {
  const fromPg = await program.run(pg.port, 'PostgreSQL');
  const fromEddy = await program.run(eddy.port, 'Eddy');
  expect(fromPg.has('done')).toBe(true);
  expect(differences(fromPg, fromEddy)).toBe('');
}, 400_000);
