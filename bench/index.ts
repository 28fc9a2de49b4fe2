/**
 * Every benchmark, one after the other; each writes its own section of BENCHMARKS.md.
 *   npx tsc -p bench/tsconfig.json && node dist/bench/index.js [--records N] [--concurrency N] [--leads N] [--rate N] [--burst N] [--quick] [--no-write] [--strict]
 *
 * --records and --concurrency size the sandbox benchmark, --leads, --rate and --burst the
 * handover latency. --quick runs every benchmark small, for a check during development,
 * and writes nothing.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { belowTarget, parseArgs, runSandboxThroughput, TARGET_RECORDS_PER_SECOND } from './sandbox-throughput';

/** Flags that size the handover benchmark, with their values. */
const HANDOVER_FLAGS = ['--leads', '--rate', '--burst'];
const QUICK_RECORDS = '2000';

function splitArgs(argv: readonly string[]): { sandbox: string[]; handover: string[]; quick: boolean } {
  const sandbox: string[] = [];
  const handover: string[] = [];
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quick') quick = true;
    else if (HANDOVER_FLAGS.includes(arg)) {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${arg} needs a number`);
      handover.push(arg, value);
    } else sandbox.push(arg);
  }
  if (quick && !sandbox.includes('--records')) sandbox.push('--records', QUICK_RECORDS);
  if (quick && !sandbox.includes('--no-write')) sandbox.push('--no-write');
  return { sandbox, handover, quick };
}

/** Runs a benchmark in its own process, so its worker's memory and CPU are its own. */
function runChild(script: string, args: string[]): boolean {
  const child = spawnSync(process.execPath, ['--expose-gc', path.join(__dirname, script), ...args], {
    stdio: 'inherit',
  });
  return child.status === 0;
}

async function main(): Promise<void> {
  const { sandbox, handover, quick } = splitArgs(process.argv.slice(2));
  const opts = parseArgs(sandbox);
  const results = await runSandboxThroughput(opts);
  const below = belowTarget(results);
  if (below.length > 0) process.stderr.write(`Below ${TARGET_RECORDS_PER_SECOND} records/s: ${below.join(', ')}\n`);
  if (opts.strict && below.length > 0) process.exitCode = 1;
  const common = [...(opts.write ? [] : ['--no-write']), ...(opts.strict ? ['--strict'] : [])];
  const sync = quick ? ['--sizes', '1000', '--pro', '0'] : [];
  if (!runChild('sync-throughput.js', [...sync, ...(opts.write ? [] : ['--no-write'])])) process.exitCode = 1;
  // Fails (non-zero) whenever a lead never got an owner, whatever --strict says.
  if (!runChild('handover-latency.js', [...(quick ? ['--quick'] : []), ...handover, ...common])) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
