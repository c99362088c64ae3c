// Command line front end: `npm run slt -- <files or dirs...> [--port P | --postgres | --eddy] [--verbose]`.
//   --port P        run against a server already listening on 127.0.0.1:P
//   --host H        (default 127.0.0.1)
//   --postgres      start a throwaway real PostgreSQL 15 and run against it (reference run)
//   --eddy          start Eddy (dist/server/main.js) on a temp data dir
//   --dialect D     force 'sqlite' (value per line) or 'rs' (row per line)
//   --timeout MS    per-statement timeout (default 30000)
//   --include       follow `include` records
//   --verbose / -v  print every failure
//   --max-failures N  failures printed per file with --verbose (default 20)
import { startEddy } from '../harness/server.js';
import { startPostgres } from '../harness/postgres.js';
import { collectSltFiles, formatFileLine, passRate, runSltFiles, sumStats } from './runner.js';
import type { Dialect } from './parser.js';

function usage(msg: string): never {
  process.stderr.write(`${msg}\nusage: slt <files or dirs...> (--port P | --postgres | --eddy) [--host H] [--dialect sqlite|rs] [--timeout MS] [--include] [--verbose]\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const paths: string[] = [];
  let port: number | null = null;
  let host = '127.0.0.1';
  let mode: 'port' | 'postgres' | 'eddy' | null = null;
  let verbose = false;
  let dialect: Dialect | undefined;
  let timeout = 30_000;
  let followIncludes = false;
  let maxFailures = 20;
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k] ?? '';
    const next = (): string => {
      const v = argv[++k];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    if (a === '--port') {
      port = Number(next());
      mode = 'port';
    } else if (a === '--host') host = next();
    else if (a === '--postgres') mode = 'postgres';
    else if (a === '--eddy') mode = 'eddy';
    else if (a === '--verbose' || a === '-v') verbose = true;
    else if (a === '--dialect') {
      const d = next();
      if (d !== 'sqlite' && d !== 'rs') usage(`unknown dialect ${d}`);
      dialect = d;
    } else if (a === '--timeout') timeout = Number(next());
    else if (a === '--include') followIncludes = true;
    else if (a === '--max-failures') maxFailures = Number(next());
    else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else paths.push(a);
  }
  if (paths.length === 0) usage('no test files given');
  if (mode === null) usage('say where to run: --port P, --postgres or --eddy');

  let stop: () => Promise<void> = async () => undefined;
  if (mode === 'postgres') {
    const pgsrv = await startPostgres();
    port = pgsrv.port;
    stop = () => pgsrv.stop();
    process.stdout.write(`started PostgreSQL on port ${port}\n`);
  } else if (mode === 'eddy') {
    const eddy = await startEddy();
    port = eddy.port;
    stop = () => eddy.stop();
    process.stdout.write(`started Eddy on port ${port} (data dir ${eddy.dataDir})\n`);
  }
  if (port === null || !Number.isFinite(port)) usage('bad port');

  const files = collectSltFiles(paths);
  try {
    const all = await runSltFiles(files, { host, port }, { statementTimeoutMs: timeout, followIncludes, ...(dialect ? { dialect } : {}) }, (s) => {
      process.stdout.write(formatFileLine(s) + '\n');
      if (verbose) {
        for (const f of s.failures.slice(0, maxFailures)) {
          process.stdout.write(`    line ${f.line}: ${f.sql.replace(/\n/g, '\n      ')}\n      expected: ${f.expected.replace(/\n/g, '\n                ')}\n      actual:   ${f.actual.replace(/\n/g, '\n                ')}\n`);
        }
        if (s.failures.length > maxFailures) process.stdout.write(`    … ${s.failures.length - maxFailures} more failures\n`);
      }
    });
    const t = sumStats(all);
    process.stdout.write(
      `TOTAL ${passRate(t).toFixed(2)}%  passed ${t.passed} failed ${t.failed} skipped ${t.skipped} records ${t.total} files ${t.files}${t.fatal ? ` fatal ${t.fatal}` : ''}\n`,
    );
    process.exitCode = t.failed === 0 && t.fatal === 0 ? 0 : 1;
  } finally {
    await stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(2);
});
