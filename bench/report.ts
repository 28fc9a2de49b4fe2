import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Shared by the benchmarks: machine facts, the commit, and their sections of BENCHMARKS.md. */

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Machine facts as `nproc` and `free` report them (the os module when they are missing). */
export function machineFacts(loadAtStart: readonly number[]): string[] {
  const run = (cmd: string, args: string[]): string | undefined => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return undefined;
    }
  };
  const nproc = run('nproc', []) ?? String(os.cpus().length);
  const free = run('free', ['-h'])?.split('\n') ?? [];
  const heads = free[0]?.trim().split(/\s+/) ?? [];
  const values = free
    .find((l) => l.startsWith('Mem:'))
    ?.trim()
    .split(/\s+/)
    .slice(1);
  const mem =
    values && values.length === heads.length ? heads.map((h, i) => `${h} ${values[i] ?? ''}`).join(', ') : undefined;
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return [
    `- CPU: ${cpu}; \`nproc\`: ${nproc}`,
    `- Memory (\`free -h\`): ${mem ?? `total ${fmt(os.totalmem() / 2 ** 30, 1)} GiB`}`,
    `- Node ${process.version}, ${os.platform()} ${os.release()}`,
    // Other work on the machine moves these figures a lot; the load says how busy it was.
    `- Load average at the start (1, 5, 15 min): ${loadAtStart.map((l) => l.toFixed(2)).join(', ')}`,
  ];
}

export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('no package.json above the benchmark');
    dir = up;
  }
  return dir;
}

export function gitCommit(root: string): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

/** True when the working tree differs from the commit, so the figures describe more than it holds. */
export function gitDirty(root: string): boolean {
  try {
    // BENCHMARKS.md itself changes as each benchmark of a run writes its section.
    const changed = execFileSync('git', ['status', '--porcelain'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.endsWith(' BENCHMARKS.md'));
    return changed.length > 0;
  } catch {
    return false;
  }
}

/** Replaces this benchmark's section of BENCHMARKS.md (between its markers), keeping the rest. */
export function writeSection(root: string, name: string, markdown: string): string {
  const file = path.join(root, 'BENCHMARKS.md');
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const current = existsSync(file)
    ? readFileSync(file, 'utf8')
    : '# Benchmarks\n\nWritten by the benchmarks in `bench/` (`npm run bench`); each keeps its own section up to date.\n';
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  const next =
    from !== -1 && to > from
      ? `${current.slice(0, from)}${block}${current.slice(to + end.length)}`
      : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, next);
  return file;
}
