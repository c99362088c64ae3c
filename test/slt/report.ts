// Shared pieces of the slt vitest files: run a list of files against a server and log the rates.
import { formatFileLine, passRate, runSltFiles, sumStats } from './runner.js';
import type { ConnectionTarget, FileStats, RunOptions, TotalStats } from './runner.js';

export async function runAndReport(
  title: string,
  files: readonly string[],
  target: ConnectionTarget,
  opts: RunOptions = {},
  maxFailuresShown = 10,
): Promise<{ files: FileStats[]; total: TotalStats; rate: number }> {
  const all = await runSltFiles(files, target, opts, (s) => {
    // console.log is captured per test by vitest and shown in CI output.
    const lines = [formatFileLine(s)];
    for (const f of s.failures.slice(0, maxFailuresShown)) {
      lines.push(`    line ${f.line}: ${f.sql.split('\n').join(' ').slice(0, 200)}`);
      lines.push(`      expected: ${f.expected.split('\n').slice(0, 6).join(' | ').slice(0, 300)}`);
      lines.push(`      actual:   ${f.actual.split('\n').slice(0, 6).join(' | ').slice(0, 300)}`);
    }
    console.log(lines.join('\n'));
  });
  const total = sumStats(all);
  const rate = passRate(total);
  console.log(
    `[${title}] TOTAL ${rate.toFixed(2)}%  passed ${total.passed} failed ${total.failed} skipped ${total.skipped} records ${total.total} files ${total.files}` +
      (total.fatal ? ` fatal ${total.fatal}` : ''),
  );
  return { files: all, total, rate };
}
