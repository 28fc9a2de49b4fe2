/**
 * Every benchmark, one after the other; each writes its own section of BENCHMARKS.md.
 *   npx tsc -p bench/tsconfig.json && node dist/bench/index.js [--records N] [--concurrency N] [--no-write] [--strict]
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { belowTarget, parseArgs, runSandboxThroughput, TARGET_RECORDS_PER_SECOND } from './sandbox-throughput';

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const results = await runSandboxThroughput(opts);
  const below = belowTarget(results);
  if (below.length > 0) process.stderr.write(`Below ${TARGET_RECORDS_PER_SECOND} records/s: ${below.join(', ')}\n`);
  if (opts.strict && below.length > 0) process.exitCode = 1;
  // The sync benchmark in its own process, so its worker's memory is measured alone.
  const sync = spawnSync(process.execPath, ['--expose-gc', path.join(__dirname, 'sync-throughput.js'), ...(opts.write ? [] : ['--no-write'])], { stdio: 'inherit' });
  if (sync.status !== 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
