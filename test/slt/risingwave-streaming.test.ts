// RisingWave's streaming e2e files (tables, materialized views, views on views, TUMBLE/HOP,
// aggregates, joins, FLUSH) against Eddy: every record must pass.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { repoRoot, startEddy } from '../harness/server.js';
import type { EddyServer } from '../harness/server.js';
import { runAndReport } from './report.js';
import { collectSltFiles } from './runner.js';

const dir = path.resolve(repoRoot(), '..', 'shared', 'slt', 'risingwave', 'e2e_test', 'streaming');
let eddy: EddyServer;

beforeAll(async () => { eddy = await startEddy(); });
afterAll(async () => { await eddy?.stop(); });

test('risingwave e2e_test/streaming passes', { timeout: 300_000 }, async () => {
  expect(fs.existsSync(dir), `${dir} is missing`).toBe(true);
  const files = collectSltFiles([dir]);
  expect(files.length).toBeGreaterThanOrEqual(5);
  const { total, files: stats } = await runAndReport('risingwave streaming', files, { port: eddy.port }, { statementTimeoutMs: 30_000 }, 20);
  expect(total.files).toBe(files.length);
  expect(stats.flatMap((s) => s.failures ?? [])).toEqual([]);
  expect(total.failed).toBe(0);
});
