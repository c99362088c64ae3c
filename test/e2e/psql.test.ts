// psql against the server: plain queries, scripts, the catalog queries behind \dt \d \dn \l, \copy.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { requireOnPath, startTarget } from './target.js';
import type { Target } from './target.js';

const run = promisify(execFile);
let target: Target;
let psqlBin: string;
let tmp: string;

beforeAll(async () => {
  psqlBin = requireOnPath('psql', 'apt-get install postgresql-client');
  target = await startTarget();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-psql-'));
});
afterAll(async () => {
  await target?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

async function psql(args: string[], input?: string): Promise<string> {
  const base = ['-h', '127.0.0.1', '-p', String(target.port), '-U', 'eddy', '-d', 'eddy', '-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1'];
  try {
    const p = run(psqlBin, [...base, ...args], { env: { ...process.env, PGCONNECT_TIMEOUT: '10' }, timeout: 60_000 });
    if (input !== undefined) {
      p.child.stdin?.end(input);
    }
    const { stdout } = await p;
    return stdout;
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    throw new Error(`psql ${args.join(' ')} failed: ${err.message}\nstdout: ${err.stdout ?? ''}\nstderr: ${err.stderr ?? ''}\n${target.logs()}`);
  }
}

describe('psql', () => {
  test('-c runs a query', async () => {
    expect(await psql(['-c', 'SELECT 1 + 1'])).toBe('2\n');
  });

  test('-f runs a script', async () => {
    const script = path.join(tmp, 'setup.sql');
    fs.writeFileSync(
      script,
      [
        'CREATE TABLE psql_items (id int PRIMARY KEY, label text NOT NULL, price numeric(10,2));',
        `INSERT INTO psql_items VALUES (1, 'one', 1.50), (2, 'two', 2.25);`,
        '-- a comment line',
        'SELECT label FROM psql_items ORDER BY id;',
        '',
      ].join('\n'),
    );
    const out = await psql(['-q', '-f', script]);
    expect(out).toBe('one\ntwo\n');
  });

  test('\\dt lists the table', async () => {
    const out = await psql(['-c', '\\dt']);
    expect(out).toMatch(/public\|psql_items\|table\|/);
  });

  test('\\d shows the columns', async () => {
    const out = await psql(['-c', '\\d psql_items']);
    expect(out).toContain('id|integer');
    expect(out).toContain('label|text');
    expect(out).toContain('price|numeric(10,2)');
    // -t hides the footer (Indexes:), so the primary key is checked through \di instead.
    expect(await psql(['-c', '\\di'])).toMatch(/public\|psql_items_pkey\|index\|/);
  });

  test('\\dn lists public', async () => {
    const out = await psql(['-c', '\\dn']);
    expect(out).toMatch(/^public\|/m);
  });

  test('\\l lists the database', async () => {
    const out = await psql(['-c', '\\l']);
    expect(out).toMatch(/^eddy\|/m);
  });

  test('\\copy in and out', async () => {
    const inFile = path.join(tmp, 'in.csv');
    const lines = ['id,label,price'];
    for (let i = 100; i < 1100; i++) lines.push(`${i},"label, ${i}",${(i / 4).toFixed(2)}`);
    fs.writeFileSync(inFile, lines.join('\n') + '\n');
    await psql(['-c', `\\copy psql_items FROM '${inFile}' WITH (FORMAT csv, HEADER true)`]);
    expect(await psql(['-c', 'SELECT count(*), sum(price) FROM psql_items'])).toBe('1002|149878.75\n');

    const outFile = path.join(tmp, 'out.csv');
    await psql(['-c', `\\copy (SELECT id, label, price FROM psql_items WHERE id >= 100 ORDER BY id) TO '${outFile}' WITH (FORMAT csv, HEADER true)`]);
    expect(fs.readFileSync(outFile, 'utf8')).toBe(fs.readFileSync(inFile, 'utf8'));

    // text format from stdin, with NULLs (\N) and an escaped tab
    await psql(['-c', 'CREATE TABLE psql_text (a int, b text)']);
    await psql(['-c', '\\copy psql_text FROM STDIN'], '1\tx\\ty\n2\t\\N\n\\.\n');
    expect(await psql(['-c', `SELECT a, coalesce(b, 'NULL') FROM psql_text ORDER BY a`])).toBe('1|x\ty\n2|NULL\n');
    const textOut = path.join(tmp, 'out.txt');
    await psql(['-c', `\\copy psql_text TO '${textOut}'`]);
    expect(fs.readFileSync(textOut, 'utf8').split('\n').sort().join('\n')).toBe(['', '1\tx\\ty', '2\t\\N'].join('\n'));
  });

  test('errors make psql exit non-zero with the message', async () => {
    await expect(psql(['-c', 'SELECT * FROM psql_missing'])).rejects.toThrow(/relation "psql_missing" does not exist/);
  });
});
