// The module arrows of ARCHITECTURE-GUIDE.md §1 (.dependency-cruiser.cjs): a module imports only
// what its arrows reach. Fails with the list of offending imports.
import { execFileSync } from 'node:child_process';
import { expect, test } from 'vitest';
import { repoRoot } from './harness/server.js';

test('imports follow the module map', () => {
  let out = '';
  let failed = false;
  try {
    out = execFileSync(process.execPath, [
      'node_modules/dependency-cruiser/bin/dependency-cruise.mjs', '--config', '.dependency-cruiser.cjs', '--output-type', 'err',
      '{core,expr,catalog,planner,exec,dataflow,storage,connectors,server}/**/*.ts',
    ], { cwd: repoRoot(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    failed = true;
    out = String((err as { stdout?: string }).stdout ?? '') + String((err as { stderr?: string }).stderr ?? '');
  }
  const errors = out.split('\n').filter((l) => /^\s*error /.test(l));
  expect(errors, out).toEqual([]);
  expect(failed, out).toBe(false);
  expect(out).toMatch(/modules/);
});
