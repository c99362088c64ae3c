// SQLite's select1-5 corpus against Eddy: target ≥ 99% of records (PostgreSQL 15 passes 100%).
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { repoRoot, startEddy } from '../harness/server.js';
import type { EddyServer } from '../harness/server.js';
import { runAndReport } from './report.js';

const dir = path.resolve(repoRoot(), '..', 'shared', 'slt', 'sqlite');
const files = [1, 2, 3, 4, 5].map((n) => path.join(dir, `select${n}.test`));
let eddy: EddyServer;

beforeAll(async () => {
  eddy = await startEddy();
});
afterAll(async () => {
  await eddy?.stop();
});

test('sqlite select1-5 pass rate ≥ 99%', { timeout: 900_000 }, async () => {
  const { rate, total } = await runAndReport('sqlite select1-5', files, { port: eddy.port }, { statementTimeoutMs: 30_000 });
  expect(total.total).toBeGreaterThan(10_000);
  expect(rate).toBeGreaterThanOrEqual(99);
});
