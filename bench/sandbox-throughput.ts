/**
 * Sandbox throughput: records per second through the batch endpoints of each sandbox,
 * driven by the unmodified official clients the way Baton's adapters drive them
 * (HubSpot batch create/update/read/upsert, 100 inputs a call; Salesforce sObject
 * Collections create/update/retrieve, 200 records a call). The target is 5,000 records/s
 * per operation: the sandbox must never be what limits Baton's own benchmarks.
 *
 * Each sandbox runs alone in a child process (the client would otherwise share its event
 * loop), one after the other, with the fault hooks installed and idle, as in every test.
 *
 *   npx tsc -p bench/tsconfig.json && node dist/bench/sandbox-throughput.js [--records N] [--concurrency N] [--no-write] [--strict]
 *
 * Writes its section of BENCHMARKS.md (other sections are kept).
 */
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@hubspot/api-client';
import { Connection } from 'jsforce';
import { fmt, gitCommit, machineFacts, repoRoot, writeSection } from './report';
import { z } from 'zod';

export const TARGET_RECORDS_PER_SECOND = 5_000;
const HUBSPOT_BATCH = 100;
const SALESFORCE_BATCH = 200;
const SECTION = 'sandbox-throughput';

export interface ThroughputOptions {
  /** Records per operation. */
  records: number;
  /** Calls in flight at once. */
  concurrency: number;
  /** Update BENCHMARKS.md. */
  write: boolean;
}

export interface Measurement {
  sandbox: 'HubSpot' | 'Salesforce';
  operation: string;
  perCall: number;
  records: number;
  calls: number;
  ms: number;
  /** Milliseconds per call. */
  p50: number;
  p95: number;
}

export const DEFAULTS: ThroughputOptions = { records: 20_000, concurrency: 4, write: true };

const recordsPerSecond = (m: Measurement): number => (m.records / m.ms) * 1000;

/** The operations slower than the target, as "HubSpot batch/upsert". */
export function belowTarget(results: readonly Measurement[]): string[] {
  return results
    .filter((m) => recordsPerSecond(m) < TARGET_RECORDS_PER_SECOND)
    .map((m) => `${m.sandbox} ${m.operation}`);
}

// ---------------------------------------------------------------------------------------
// The sandboxes, each in a child process.

const served = z.object({ url: z.string(), accessToken: z.string() });
type Served = z.infer<typeof served>;
type SandboxKind = 'hubspot' | 'salesforce';

/** Child side: start one empty sandbox, report where it listens, close when told. */
async function serve(kind: SandboxKind): Promise<void> {
  const sandbox =
    kind === 'hubspot'
      ? await (await import('@baton/crm-sandbox')).startHubSpotSandbox({ preset: 'empty' })
      : await (await import('@baton/crm-sandbox')).startSalesforceSandbox({ preset: 'empty' });
  process.send?.({ url: sandbox.url, accessToken: sandbox.accessToken } satisfies Served);
  process.once('disconnect', () => {
    void sandbox.close().then(() => process.exit(0));
  });
}

async function startChild(kind: SandboxKind): Promise<{ sandbox: Served; child: ChildProcess }> {
  const child = fork(__filename, ['--serve', kind], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
  const sandbox = await new Promise<Served>((resolve, reject) => {
    child.once('message', (m) => resolve(served.parse(m)));
    child.once('exit', (code) =>
      reject(new Error(`the ${kind} sandbox exited with code ${String(code)} before it listened`)),
    );
  });
  return { sandbox, child };
}

async function stopChild(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.disconnect();
  await exited;
}

// ---------------------------------------------------------------------------------------
// Driving calls.

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Runs one call per batch, `concurrency` at a time; each call returns how many records it handled. */
async function measure<T>(
  sandbox: Measurement['sandbox'],
  operation: string,
  perCall: number,
  batches: readonly T[][],
  concurrency: number,
  call: (batch: T[]) => Promise<number>,
): Promise<Measurement> {
  const durations: number[] = [];
  let next = 0;
  let records = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < batches.length) {
      const batch = batches[next++]!;
      const t = performance.now();
      const handled = await call(batch);
      durations.push(performance.now() - t);
      if (handled !== batch.length)
        throw new Error(`${sandbox} ${operation}: ${handled} of ${batch.length} records succeeded`);
      records += handled;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const ms = performance.now() - started;
  durations.sort((a, b) => a - b);
  return {
    sandbox,
    operation,
    perCall,
    records,
    calls: batches.length,
    ms,
    p50: percentile(durations, 50),
    p95: percentile(durations, 95),
  };
}

// ---------------------------------------------------------------------------------------
// HubSpot: @hubspot/api-client, no retries, no limiter.

async function benchHubSpot(sandbox: Served, opts: ThroughputOptions): Promise<Measurement[]> {
  const contacts = new Client({ accessToken: sandbox.accessToken, basePath: sandbox.url, numberOfApiCallRetries: 0 })
    .crm.contacts;
  const emails = (from: number, n: number, tag: string): string[] =>
    Array.from({ length: n }, (_, i) => `${tag}${from + i}@bench.example`);

  const create = async (batch: string[]): Promise<string[]> => {
    const res = await contacts.batchApi.create({
      inputs: batch.map((email, i) => ({
        properties: { email, firstname: 'Bench', lastname: `Contact ${i}`, company: 'Bench Inc' },
        associations: [],
      })),
    });
    return res.results.map((r) => r.id);
  };

  // Warm-up (not measured): the JIT and the sockets.
  const warm = emails(0, HUBSPOT_BATCH * 10, 'warm');
  for (const batch of chunks(warm, HUBSPOT_BATCH)) await create(batch);

  const all = emails(0, opts.records, 'c');
  const ids: string[] = [];
  const results: Measurement[] = [];
  results.push(
    await measure(
      'HubSpot',
      'batch/create',
      HUBSPOT_BATCH,
      chunks(all, HUBSPOT_BATCH),
      opts.concurrency,
      async (batch) => {
        const created = await create(batch);
        ids.push(...created);
        return created.length;
      },
    ),
  );
  results.push(
    await measure(
      'HubSpot',
      'batch/update',
      HUBSPOT_BATCH,
      chunks(ids, HUBSPOT_BATCH),
      opts.concurrency,
      async (batch) => {
        const res = await contacts.batchApi.update({
          inputs: batch.map((id) => ({ id, properties: { lastname: 'Updated', jobtitle: 'Buyer' } })),
        });
        return res.results.length;
      },
    ),
  );
  results.push(
    await measure(
      'HubSpot',
      'batch/read',
      HUBSPOT_BATCH,
      chunks(ids, HUBSPOT_BATCH),
      opts.concurrency,
      async (batch) => {
        const res = await contacts.batchApi.read({
          inputs: batch.map((id) => ({ id })),
          properties: ['email', 'firstname', 'lastname'],
          propertiesWithHistory: [],
        });
        return res.results.length;
      },
    ),
  );
  // Half the upserts update existing contacts, half create new ones.
  const upserts = emails(Math.floor(opts.records / 2), opts.records, 'c');
  results.push(
    await measure(
      'HubSpot',
      'batch/upsert',
      HUBSPOT_BATCH,
      chunks(upserts, HUBSPOT_BATCH),
      opts.concurrency,
      async (batch) => {
        const res = await contacts.batchApi.upsert({
          inputs: batch.map((email) => ({ id: email, idProperty: 'email', properties: { firstname: 'Upserted' } })),
        });
        return res.results.length;
      },
    ),
  );
  return results;
}

// ---------------------------------------------------------------------------------------
// Salesforce: jsforce, sObject Collections.

async function benchSalesforce(sandbox: Served, opts: ThroughputOptions): Promise<Measurement[]> {
  const conn = new Connection({ instanceUrl: sandbox.url, accessToken: sandbox.accessToken, version: '62.0' });
  const leads = (from: number, n: number, tag: string) =>
    Array.from({ length: n }, (_, i) => ({
      FirstName: 'Bench',
      LastName: `Lead ${from + i}`,
      Company: 'Bench Inc',
      Email: `${tag}${from + i}@bench.example`,
    }));
  const succeeded = (results: readonly { success: boolean }[]): number => results.filter((r) => r.success).length;

  const create = async (batch: ReturnType<typeof leads>): Promise<string[]> => {
    const res = await conn.sobject('Lead').create(batch, { allOrNone: false });
    return res.flatMap((r) => (r.success ? [r.id] : []));
  };

  for (const batch of chunks(leads(0, SALESFORCE_BATCH * 5, 'warm'), SALESFORCE_BATCH)) await create(batch);

  const ids: string[] = [];
  const results: Measurement[] = [];
  results.push(
    await measure(
      'Salesforce',
      'collections create',
      SALESFORCE_BATCH,
      chunks(leads(0, opts.records, 'l'), SALESFORCE_BATCH),
      opts.concurrency,
      async (batch) => {
        const created = await create(batch);
        ids.push(...created);
        return created.length;
      },
    ),
  );
  results.push(
    await measure(
      'Salesforce',
      'collections update',
      SALESFORCE_BATCH,
      chunks(ids, SALESFORCE_BATCH),
      opts.concurrency,
      async (batch) => {
        return succeeded(
          await conn.sobject('Lead').update(
            batch.map((Id) => ({ Id, Title: 'Buyer' })),
            { allOrNone: false },
          ),
        );
      },
    ),
  );
  results.push(
    await measure(
      'Salesforce',
      'collections retrieve',
      SALESFORCE_BATCH,
      chunks(ids, SALESFORCE_BATCH),
      opts.concurrency,
      async (batch) => {
        const records = await conn.retrieve('Lead', batch, {
          fields: ['Id', 'Email', 'FirstName', 'LastName', 'Company'],
        });
        return records.filter((r) => r !== null).length;
      },
    ),
  );
  return results;
}

// ---------------------------------------------------------------------------------------
// Report.

const COLUMNS = [
  'sandbox',
  'operation',
  'per call',
  'records',
  'calls',
  'seconds',
  'records/s',
  'call p50 ms',
  'call p95 ms',
] as const;

function rows(results: readonly Measurement[]): string[][] {
  return results.map((m) => [
    m.sandbox,
    m.operation,
    String(m.perCall),
    fmt(m.records),
    fmt(m.calls),
    fmt(m.ms / 1000, 2),
    fmt(recordsPerSecond(m)),
    fmt(m.p50, 1),
    fmt(m.p95, 1),
  ]);
}

function textTable(results: readonly Measurement[]): string {
  const body = rows(results);
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...body.map((r) => r[i]?.length ?? 0)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(COLUMNS), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

function markdownTable(results: readonly Measurement[]): string {
  const align = COLUMNS.map((_, i) => (i < 2 ? '---' : '---:'));
  return [COLUMNS, align, ...rows(results)].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

/** The script and arguments this run was started with, relative to the repository. */
function commandLine(root: string): string {
  const script = process.argv[1] ? path.relative(root, process.argv[1]) : 'dist/bench/sandbox-throughput.js';
  return [script, ...process.argv.slice(2)].join(' ');
}

function section(
  results: readonly Measurement[],
  opts: ThroughputOptions,
  root: string,
  loadAtStart: readonly number[],
): string {
  const slowest = Math.min(...results.map(recordsPerSecond));
  const commit = gitCommit(root);
  return [
    '## Sandbox throughput',
    '',
    `Records per second through the batch endpoints of each sandbox, driven by the official clients (\`@hubspot/api-client\`, \`jsforce\`); each sandbox runs alone in a child process with its fault hooks installed and idle (the default). ${fmt(opts.records)} records per operation, ${opts.concurrency} calls in flight, after a warm-up. Target: at least ${fmt(TARGET_RECORDS_PER_SECOND)} records/s for every operation.`,
    '',
    'Command:',
    '',
    '```sh',
    `npx tsc -p bench/tsconfig.json && node ${commandLine(root)}`,
    '```',
    '',
    `Measured ${new Date().toISOString()}${commit ? ` at commit \`${commit}\`` : ''} on:`,
    '',
    ...machineFacts(loadAtStart),
    '',
    markdownTable(results),
    '',
    `Slowest operation: ${fmt(slowest)} records/s, ${slowest >= TARGET_RECORDS_PER_SECOND ? 'above' : 'BELOW'} the target of ${fmt(TARGET_RECORDS_PER_SECOND)}.`,
  ].join('\n');
}

// ---------------------------------------------------------------------------------------

const positive = z.coerce.number().int().positive();

export function parseArgs(argv: readonly string[]): ThroughputOptions & { strict: boolean } {
  const opts = { ...DEFAULTS, strict: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--records') opts.records = positive.parse(argv[++i]);
    else if (arg === '--concurrency') opts.concurrency = positive.parse(argv[++i]);
    else if (arg === '--no-write') opts.write = false;
    else if (arg === '--strict') opts.strict = true;
    else throw new Error(`unknown argument ${String(arg)} (use --records N, --concurrency N, --no-write, --strict)`);
  }
  return opts;
}

/** Runs both sandboxes one after the other; prints the table and (by default) writes BENCHMARKS.md. */
export async function runSandboxThroughput(opts: ThroughputOptions = DEFAULTS): Promise<Measurement[]> {
  const loadAtStart = os.loadavg();
  const results: Measurement[] = [];
  for (const [kind, bench] of [
    ['hubspot', benchHubSpot],
    ['salesforce', benchSalesforce],
  ] as const) {
    const { sandbox, child } = await startChild(kind);
    try {
      results.push(...(await bench(sandbox, opts)));
    } finally {
      await stopChild(child);
    }
  }
  process.stdout.write(
    `\nSandbox throughput (${fmt(opts.records)} records per operation, ${opts.concurrency} calls in flight)\n\n${textTable(results)}\n\n`,
  );
  if (opts.write) {
    const root = repoRoot();
    process.stdout.write(
      `Wrote ${path.relative(process.cwd(), writeSection(root, SECTION, section(results, opts, root, loadAtStart))) || 'BENCHMARKS.md'}\n`,
    );
  }
  return results;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args[0] === '--serve') {
    void serve(z.enum(['hubspot', 'salesforce']).parse(args[1]));
  } else {
    const opts = parseArgs(args);
    runSandboxThroughput(opts).then(
      (results) => {
        const below = belowTarget(results);
        if (below.length > 0)
          process.stderr.write(`Below ${TARGET_RECORDS_PER_SECOND} records/s: ${below.join(', ')}\n`);
        process.exitCode = opts.strict && below.length > 0 ? 1 : 0;
      },
      (err: unknown) => {
        process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
        process.exitCode = 1;
      },
    );
  }
}
