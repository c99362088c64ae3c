// SQLSTATEs and error fields clients rely on.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTarget } from './target.js';
import type { Target } from './target.js';

let target: Target;
let client: pg.Client;

beforeAll(async () => {
  target = await startTarget();
  client = await target.client();
  await client.query('CREATE TABLE err_t (id int PRIMARY KEY, name text NOT NULL, n int)');
  await client.query(`INSERT INTO err_t VALUES (1, 'a', 1)`);
});
afterAll(async () => {
  await client?.end().catch(() => undefined);
  await target?.stop();
});

interface PgError {
  code?: string;
  position?: string;
  message: string;
  severity?: string;
}

async function expectError(sql: string, code: string): Promise<PgError> {
  let caught: PgError | null = null;
  try {
    await client.query(sql);
  } catch (e) {
    caught = e as PgError;
  }
  expect(caught, `expected ${sql} to fail with ${code}`).not.toBeNull();
  const err = caught as PgError;
  expect({ code: err.code, message: err.message }).toMatchObject({ code });
  expect(err.severity).toBe('ERROR');
  // The session stays usable after an error outside a transaction block.
  const ok = await client.query('SELECT 1 AS one');
  expect(ok.rows[0]).toEqual({ one: 1 });
  return err;
}

describe('SQLSTATE codes', () => {
  test('syntax error 42601 with position', async () => {
    const err = await expectError('SELEC 1', '42601');
    expect(err.message).toMatch(/syntax error at or near "SELEC"/);
    expect(err.position).toBe('1');
    const err2 = await expectError('SELECT 1 FROM err_t WHERE', '42601');
    expect(err2.message).toMatch(/syntax error at end of input/);
    expect(Number(err2.position)).toBe(26);
  });
  test('undefined table 42P01', async () => {
    const err = await expectError('SELECT * FROM no_such_table', '42P01');
    expect(err.message).toBe('relation "no_such_table" does not exist');
    expect(err.position).toBe('15');
  });
  test('undefined column 42703', async () => {
    const err = await expectError('SELECT nope FROM err_t', '42703');
    expect(err.message).toBe('column "nope" does not exist');
    expect(err.position).toBe('8');
  });
  test('integer overflow 22003', async () => {
    const err = await expectError('SELECT 2147483647::int + 1', '22003');
    expect(err.message).toBe('integer out of range');
    await expectError('INSERT INTO err_t VALUES (2, $$b$$, 3000000000)', '22003');
  });
  test('division by zero 22012', async () => {
    const err = await expectError('SELECT n / 0 FROM err_t', '22012');
    expect(err.message).toBe('division by zero');
  });
  test('invalid text representation 22P02', async () => {
    const err = await expectError(`SELECT 'abc'::int`, '22P02');
    expect(err.message).toBe('invalid input syntax for type integer: "abc"');
  });
  test('not null violation 23502', async () => {
    const err = await expectError('INSERT INTO err_t (id) VALUES (5)', '23502');
    expect(err.message).toBe('null value in column "name" of relation "err_t" violates not-null constraint');
  });
  test('unique violation 23505', async () => {
    const err = await expectError(`INSERT INTO err_t VALUES (1, 'dup', 0)`, '23505');
    expect(err.message).toBe('duplicate key value violates unique constraint "err_t_pkey"');
    expect((err as { detail?: string }).detail).toBe('Key (id)=(1) already exists.');
  });
  test('errors in the extended protocol carry the same codes', async () => {
    let code: string | undefined;
    try {
      await client.query('SELECT $1::int / 0', [1]);
    } catch (e) {
      code = (e as PgError).code;
    }
    expect(code).toBe('22012');
  });
  test('aborted transaction 25P02 until ROLLBACK', async () => {
    await client.query('BEGIN');
    await client.query('SELECT 1 / 0').catch(() => undefined);
    let code: string | undefined;
    try {
      await client.query('SELECT 1');
    } catch (e) {
      code = (e as PgError).code;
    }
    expect(code).toBe('25P02');
    await client.query('ROLLBACK');
    expect((await client.query('SELECT 2 AS two')).rows[0]).toEqual({ two: 2 });
  });
});
