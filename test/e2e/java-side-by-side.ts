// Runs a Java client program (test/e2e/java/<Name>.java, compiled against pgjdbc) against a
// server and collects what it prints: "STEP <name> <header>" lines, each followed by its rows
// ("  ..."). Tests run the same program against Eddy and PostgreSQL and compare the steps.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { requireExecutable, requireOnPath } from './target.js';
import { startEddy, type EddyServer } from '../harness/server.js';
import { startPostgres, type PostgresServer } from '../harness/postgres.js';

const run = promisify(execFile);
export const JDBC_JAR = process.env.EDDY_JDBC_JAR ?? '/usr/share/java/postgresql.jar';
const here = path.dirname(fileURLToPath(import.meta.url));

export interface JavaProgram {
  /** step name -> header and rows */
  run(port: number, who: string): Promise<Map<string, string>>;
  dispose(): void;
}

export async function compileJava(className: string): Promise<JavaProgram> {
  requireExecutable(JDBC_JAR, 'apt-get install libpostgresql-jdbc-java');
  requireOnPath('javac', 'apt-get install default-jdk-headless');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `eddy-${className.toLowerCase()}-`));
  await run('javac', ['-cp', JDBC_JAR, '-d', dir, path.join(here, 'java', `${className}.java`)], { timeout: 120_000 });
  return {
    async run(port, who) {
      let stdout = '';
      try {
        // the JVM's time zone is what pgjdbc announces at startup: the same for both servers
        ({ stdout } = await run('java', ['-Duser.timezone=Europe/Berlin', '-cp', `${JDBC_JAR}:${dir}`, className, String(port)], { timeout: 170_000 }));
      } catch (e) {
        const err = e as { stdout?: string; stderr?: string; message: string };
        throw new Error(`${className} against ${who} failed: ${err.message}\nstdout:\n${err.stdout ?? ''}\nstderr:\n${err.stderr ?? ''}`);
      }
      const steps = new Map<string, string>();
      let current = '';
      for (const line of stdout.split('\n')) {
        if (line.startsWith('STEP ')) {
          current = line.slice(5).split(' ')[0]!;
          steps.set(current, line.slice(5));
        } else if (line.startsWith('  ')) steps.set(current, `${steps.get(current)!}\n${line}`);
      }
      return steps;
    },
    dispose() { fs.rmSync(dir, { recursive: true, force: true }); },
  };
}

/** the steps whose output differs, described for an assertion message */
export function differences(fromPg: Map<string, string>, fromEddy: Map<string, string>): string {
  const out: string[] = [];
  for (const [step, want] of fromPg) {
    const got = fromEddy.get(step);
    if (got !== want) out.push(`${step}:\n--- PostgreSQL\n${want}\n--- Eddy\n${got ?? '(missing)'}`);
  }
  return out.join('\n\n');
}

/**
 * A suite that runs the Java program against Eddy and a real PostgreSQL 15 and expects every step
 * to answer the same (the program must print a final "STEP done").
 */
export function javaSideBySideSuite(className: string, title: string, minSteps = 1): void {
  let eddy: EddyServer;
  let pg: PostgresServer;
  let program: JavaProgram;
  beforeAll(async () => {
    program = await compileJava(className);
    [eddy, pg] = await Promise.all([startEddy(), startPostgres()]);
  }, 180_000);
  afterAll(async () => {
    await eddy?.stop();
    await pg?.stop();
    program?.dispose();
  });
  test(title, async () => {
    const fromPg = await program.run(pg.port, 'PostgreSQL');
    const fromEddy = await program.run(eddy.port, 'Eddy');
    expect(fromPg.has('done')).toBe(true);
    expect(fromPg.size).toBeGreaterThanOrEqual(minSteps);
    expect(differences(fromPg, fromEddy)).toBe('');
  }, 400_000);
}
