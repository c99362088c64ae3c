// The project's own sqllogictest suites (test/slt/**/*.slt, sqllogictest-rs format). Expected
// results were generated against PostgreSQL 15, so every record must pass.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { repoRoot, startEddy } from '../harness/server.js';
import type { EddyServer } from '../harness/server.js';
import { runAndReport } from './report.js';
import { collectSltFiles } from './runner.js';

const files = collectSltFiles([path.join(repoRoot(), 'test', 'slt')]).filter((f) => f.endsWith('.slt'));
let eddy: EddyServer;

beforeAll(async () => {
  eddy = await startEddy();
});
afterAll(async () => {
  await eddy?.stop();
});

describe('project slt suites', () => {
  test('suites exist', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const file of files) {
    test(path.relative(repoRoot(), file), async () => {
      const { files: stats } = await runAndReport(path.basename(file), [file], { port: eddy.port }, { statementTimeoutMs: 30_000 }, 50);
      const s = stats[0];
      expect(s?.fatal).toBeUndefined();
      expect(s?.failures ?? []).toEqual([]);
    });
  }
});
