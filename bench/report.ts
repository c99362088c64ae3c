// Writes one benchmark's section into docs/benchmarks.md, replacing that section from an earlier
// run (sections are found by their heading prefix) and keeping every other section as it is.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

const FILE = 'docs/benchmarks.md';

/** The machine line every section starts with: results are only comparable on the same machine. */
export function machineLine(): string {
  return `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}; PostgreSQL 15 (Debian) with default settings, both on loopback.`;
}

/** Replaces the section whose heading starts with `## ${headingPrefix}` (or appends it). */
export function writeSection(headingPrefix: string, section: string): void {
  const marker = `## ${headingPrefix}`;
  const old = existsSync(FILE) ? readFileSync(FILE, 'utf8') : '# Benchmarks\n\nMeasured side by side in one run; ratios > 1 favour Eddy.\n\n';
  const start = old.indexOf(marker);
  let rest = old;
  if (start >= 0) {
    const next = old.indexOf('\n## ', start + marker.length);
    rest = old.slice(0, start) + (next >= 0 ? old.slice(next + 1) : '');
  }
  writeFileSync(FILE, rest.trimEnd() + '\n\n' + section);
}

/** Writes a benchmark's section (its lines joined) into docs/benchmarks.md and prints it. */
export function publishSection(headingPrefix: string, lines: readonly string[]): void {
  const section = lines.join('\n');
  writeSection(headingPrefix, section);
  console.log(section);
}

/** a process's peak resident memory (VmHWM), MB */
export function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** CPU time a process has used so far (user + system, all its threads), seconds */
export function cpuSeconds(pid: number): number {
  // fields 14 and 15 of /proc/<pid>/stat, after the parenthesized command name; clock ticks of 1/100 s
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** a process's anonymous resident memory now (RssAnon: heap, buffers; not mapped files), MB */
export function anonRssMb(pid: number): number {
  try {
    const m = /RssAnon:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}
