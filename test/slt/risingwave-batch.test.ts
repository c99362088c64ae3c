// RisingWave's batch e2e suite against Eddy. Only records the pass rate: the dialect differs from
// PostgreSQL in many places, so the run has to complete, not pass.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { repoRoot, startEddy } from '../harness/server.js';
import type { EddyServer } from '../harness/server.js';
import { runAndReport } from './report.js';
import { collectSltFiles } from './runner.js';

const dir = path.resolve(repoRoot(), '..', 'shared', 'slt', 'risingwave', 'e2e_test', 'batch');
let eddy: EddyServer;

beforeAll(async () => {
  eddy = await startEddy();
});
afterAll(async () => {
  await eddy?.stop();
});

test('risingwave e2e_test/batch completes (pass rate recorded)', { timeout: 1_800_000 }, async () => {
  expect(fs.existsSync(dir), `${dir} is missing`).toBe(true);
  const files = collectSltFiles([dir]);
  const { total, rate } = await runAndReport('risingwave batch', files, { port: eddy.port }, { statementTimeoutMs: 10_000 }, 3);
  const out = path.join(repoRoot(), 'dist', 'slt-risingwave-batch.json');
  fs.writeFileSync(out, JSON.stringify({ rate, ...total, at: new Date().toISOString() }, null, 2));
  expect(total.files).toBe(files.length);
});
