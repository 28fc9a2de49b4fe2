/**
 * Two-way delta sync through the full stack: the worker (in this process) on a real
 * Temporal dev server, both CRM sandboxes in a child process (`baton sandbox`), the store
 * on SQLite. For each size, N changed records in each direction: records/s, API calls
 * against the minimum the batch sizes allow, and the worker's peak memory. Then, under the
 * `hubspot-pro` profile, HubSpot-bound throughput as a share of the rate-limit ceiling.
 *
 *   npm run build && npx tsc -p bench/tsconfig.json && node --expose-gc dist/bench/sync-throughput.js [--sizes 10000,100000] [--pro 40000] [--no-write]
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, bundleWorkflowCode } from '@temporalio/worker';
import { createHubSpotClient } from '../src/crm/hubspot/client';
import { createSalesforceConnection } from '../src/crm/salesforce/client';
import { freePort } from '../src/dev/ports';
import { openStore } from '../src/store';
import { findTemporalBinary } from '../src/dev/temporal-binaries';
import { createBatonWorker, workflowsPath } from '../src/worker';
import { deltaSync } from '../workflows';
import type { DeltaSyncResult } from '../workflows/delta-sync/api';
import { BATON_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { fmt, gitCommit, machineFacts, repoRoot, writeSection } from './report';

const SECTION = 'sync-throughput';

interface Sandboxes {
  hubspotUrl: string;
  salesforceUrl: string;
  child: ChildProcess;
}

async function startSandboxes(root: string, profile?: string): Promise<Sandboxes> {
  const [hp, sp] = [await freePort(), await freePort()];
  const args = [
    path.join(root, 'bin', 'baton.js'),
    'sandbox',
    '--preset',
    'empty',
    '--hubspot-port',
    String(hp),
    '--salesforce-port',
    String(sp),
    ...(profile ? ['--profile', profile, '--seed', '1'] : []),
  ];
  const child = spawn(process.execPath, ['--max-old-space-size=8192', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Salesforce sandbox')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`baton sandbox exited (${code})`)));
  });
  return { hubspotUrl: `http://127.0.0.1:${hp}`, salesforceUrl: `http://127.0.0.1:${sp}`, child };
}

async function requestCounts(url: string): Promise<Record<string, number>> {
  return ((await (await fetch(`${url}/__sandbox/stats`)).json()) as { requests: Record<string, number> }).requests;
}

function diff(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) if (v - (before[k] ?? 0) > 0) out[k] = v - (before[k] ?? 0);
  return out;
}
const total = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

/**
 * Samples the worker's memory while `work` runs: RSS and heap every 50 ms (garbage
 * included, so they follow the collector's pace), and once a second the live heap right
 * after a full collection, which is what the sync keeps: flat when nothing piles up per record.
 */
async function withPeakMemory<T>(
  work: () => Promise<T>,
): Promise<{ value: T; peakRssMb: number; peakHeapMb: number; peakLiveHeapMb: number }> {
  let peakRss = 0;
  let peakHeap = 0;
  let peakLive = 0;
  const gc = (globalThis as { gc?: () => void }).gc;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const sampleLive = () => {
    if (!gc) return;
    gc();
    peakLive = Math.max(peakLive, process.memoryUsage().heapUsed);
  };
  gc?.();
  sample();
  const timer = setInterval(sample, 50);
  const liveTimer = setInterval(sampleLive, 1_000);
  try {
    const value = await work();
    sample();
    return { value, peakRssMb: peakRss / 2 ** 20, peakHeapMb: peakHeap / 2 ** 20, peakLiveHeapMb: peakLive / 2 ** 20 };
  } finally {
    clearInterval(timer);
    clearInterval(liveTimer);
  }
}

interface Row {
  size: number;
  direction: string;
  profile: string;
  records: number;
  seconds: number;
  calls: number;
  minimum: number;
  peakRssMb: number;
  peakHeapMb: number;
  peakLiveHeapMb: number;
  rejected: number;
  ceiling?: number;
}

/** hubspot-pro: 190 requests in any 10 s (packages/crm-sandbox/src/faults/config.ts). */
const PRO_LIMIT = { max: 190, intervalMs: 10_000 };

/**
 * The fastest `calls` requests can go under a rolling limit, starting from an empty window:
 * any max + 1 of them span more than one interval, so call k goes no earlier than
 * ⌊k / max⌋ intervals after the first.
 */
function fastestSeconds(calls: number, limit: { max: number; intervalMs: number }): number {
  return (Math.floor((calls - 1) / limit.max) * limit.intervalMs) / 1000;
}

async function parallel<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i] as T);
      }
    }),
  );
}

async function measure(
  root: string,
  env: TestWorkflowEnvironment,
  bundle: Awaited<ReturnType<typeof bundleWorkflowCode>>,
  size: number,
  profile: string | undefined,
): Promise<Row[]> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-bench-'));
  const sandboxes = await startSandboxes(root, profile);
  const store = await openStore(`sqlite://${path.join(tmp, 'baton.db')}`);
  const pro = profile === 'hubspot-pro';
  // The worker's client paces itself to the limits the sandbox reports, as in production.
  const hubspot = createHubSpotClient({ basePath: sandboxes.hubspotUrl, accessToken: 'hubspot-sandbox-token' });
  const loader = createHubSpotClient({ basePath: sandboxes.hubspotUrl, accessToken: 'hubspot-sandbox-token' });
  const salesforce = createSalesforceConnection({
    instanceUrl: sandboxes.salesforceUrl,
    accessToken: 'salesforce-sandbox-token',
    version: '62.0',
  });
  const rows: Row[] = [];
  let run = 0;
  // A worker runs once: each cycle gets its own (creating one takes milliseconds with a prebuilt bundle).
  const sync = async () => {
    const taskQueue = `bench-${size}-${profile ?? 'ideal'}-${run++}`;
    const worker = await createBatonWorker({
      temporal: env.nativeConnection,
      namespace: 'default',
      taskQueue,
      hubspot,
      salesforce,
      store,
      mappingsDir: path.join(root, 'test', 'fixtures', 'mappings', 'two-way'),
      workflowBundle: bundle,
    });
    return worker.runUntil(
      env.client.workflow.execute(deltaSync, {
        workflowId: taskQueue,
        taskQueue,
        args: [{ mapping: 'contact', searchLagMs: 0 }],
      }),
    );
  };

  const stamp = Date.now();
  try {
    const hubspotBatches = Array.from({ length: Math.ceil(size / 100) }, (_, b) => b);
    const salesforceBatches = Array.from({ length: Math.ceil(size / 200) }, (_, b) => b);
    if (!pro) {
      // HubSpot → Salesforce: N new contacts.
      await parallel(hubspotBatches, 8, async (b) => {
        const n = Math.min(100, size - b * 100);
        await loader.crm.contacts.batchApi.create({
          inputs: Array.from({ length: n }, (_, j) => ({
            properties: {
              email: `h${stamp}.${b * 100 + j}@bench.example`,
              firstname: 'Bench',
              lastname: `H${b * 100 + j}`,
              company: 'Bench Co',
              jobtitle: 'Tester',
            },
            associations: [],
          })),
        });
      });
      const [h0, s0] = [await requestCounts(sandboxes.hubspotUrl), await requestCounts(sandboxes.salesforceUrl)];
      const started = process.hrtime.bigint();
      const m = await withPeakMemory(sync);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const calls =
        total(diff(await requestCounts(sandboxes.hubspotUrl), h0)) +
        total(diff(await requestCounts(sandboxes.salesforceUrl), s0));
      // Per 200 records: one search page, one SOQL match query, one Collections create.
      const minimum = 3 * Math.ceil(size / 200);
      rows.push({
        size,
        direction: 'HubSpot → Salesforce (create)',
        profile: profile ?? 'ideal',
        records: m.value.to_salesforce.created,
        seconds,
        calls,
        minimum,
        peakRssMb: m.peakRssMb,
        peakHeapMb: m.peakHeapMb,
        peakLiveHeapMb: m.peakLiveHeapMb,
        rejected: m.value.to_salesforce.rejected,
      });
      await sync(); // the Leads come back as echoes once
    }

    // Salesforce → HubSpot: N new Leads.
    await parallel(salesforceBatches, 4, async (b) => {
      const n = Math.min(200, size - b * 200);
      await salesforce.sobject('Lead').create(
        Array.from({ length: n }, (_, j) => ({
          Email: `s${stamp}.${b * 200 + j}@bench.example`,
          FirstName: 'Bench',
          LastName: `S${b * 200 + j}`,
          Company: 'Bench Co',
          Title: 'Buyer',
        })),
        { allOrNone: false },
      );
    });
    const [h1, s1] = [await requestCounts(sandboxes.hubspotUrl), await requestCounts(sandboxes.salesforceUrl)];
    const started = process.hrtime.bigint();
    const m = await withPeakMemory<DeltaSyncResult>(sync);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const hubspotCalls = total(diff(await requestCounts(sandboxes.hubspotUrl), h1));
    const calls = hubspotCalls + total(diff(await requestCounts(sandboxes.salesforceUrl), s1));
    // Per 2,000 records one SOQL page; per 100 one HubSpot match read and one batch create; plus the empty HubSpot search.
    const minimum = Math.ceil(size / 2000) + 2 * Math.ceil(size / 100) + 1;
    const row: Row = {
      size,
      direction: 'Salesforce → HubSpot (create)',
      profile: profile ?? 'ideal',
      records: m.value.to_hubspot.created,
      seconds,
      calls,
      minimum,
      peakRssMb: m.peakRssMb,
      peakHeapMb: m.peakHeapMb,
      peakLiveHeapMb: m.peakLiveHeapMb,
      rejected: m.value.to_hubspot.rejected,
    };
    // Pro ceiling: the HubSpot calls the batch sizes make necessary (per 100 records one match
    // read and one batch create, plus the empty search) sent as fast as 190 per 10 s allows.
    if (pro) {
      const fastest = fastestSeconds(2 * Math.ceil(size / 100) + 1, PRO_LIMIT);
      if (fastest <= 0)
        throw new Error(
          `--pro ${size} needs no more than one window of HubSpot calls, so it measures no ceiling; use at least ${PRO_LIMIT.max * 50} records`,
        );
      row.ceiling = size / fastest;
    }
    rows.push(row);
  } finally {
    await store.close();
    sandboxes.child.kill('SIGINT');
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return rows;
}

/** `uptime` as printed (the load other work put on the machine shows in records/s, not in the ratios). */
function uptime(): string {
  try {
    return execFileSync('uptime', [], { encoding: 'utf8' }).trim();
  } catch {
    return `load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`;
  }
}

function table(rows: Row[]): string {
  const head = [
    'records',
    'direction',
    'profile',
    'synced',
    'seconds',
    'records/s',
    'API calls',
    'minimum',
    'calls ÷ minimum',
    'worker peak RSS MB',
    'worker peak heap MB',
    'worker peak live heap MB',
    'rejected',
    'share of rate-limit ceiling',
  ];
  const lines = rows.map((r) => {
    const rps = r.records / r.seconds;
    return [
      fmt(r.size),
      r.direction,
      r.profile,
      fmt(r.records),
      fmt(r.seconds, 1),
      fmt(rps),
      fmt(r.calls),
      fmt(r.minimum),
      fmt(r.calls / r.minimum, 2),
      fmt(r.peakRssMb),
      fmt(r.peakHeapMb),
      fmt(r.peakLiveHeapMb),
      fmt(r.rejected),
      r.ceiling ? `${fmt((100 * rps) / r.ceiling, 1)} % of ${fmt(r.ceiling)}/s` : '—',
    ];
  });
  return [head, head.map((_, i) => (i < 3 ? '---' : '---:')), ...lines].map((l) => `| ${l.join(' | ')} |`).join('\n');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const sizes = (arg('--sizes') ?? '10000,100000').split(',').map(Number);
  const proSize = Number(arg('--pro') ?? '40000');
  const write = !argv.includes('--no-write');
  const root = repoRoot();
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const cli = findTemporalBinary('cli');
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      ...(cli ? { executable: { type: 'existing-path' as const, path: cli.path } } : {}),
      searchAttributes: [...BATON_SEARCH_ATTRIBUTES],
      log: { format: 'pretty', level: 'error' },
    },
  });
  const bundle = await bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: new DefaultLogger('WARN') });
  const loadAtStart = os.loadavg();
  const rows: Row[] = [];
  try {
    for (const size of sizes) {
      const r = await measure(root, env, bundle, size, undefined);
      rows.push(...r);
      process.stdout.write(`${table(r)}\n`);
    }
    if (proSize > 0) {
      const r = await measure(root, env, bundle, proSize, 'hubspot-pro');
      rows.push(...r);
      process.stdout.write(`${table(r)}\n`);
    }
  } finally {
    await env.teardown();
  }
  if (!write) return;
  const commit = gitCommit(root);
  const markdown = [
    '## Two-way delta sync through the full stack',
    '',
    "The worker runs in the benchmark process on a real Temporal dev server; both sandboxes run in a child process (`baton sandbox`); the store is SQLite; the mapping is `test/fixtures/mappings/two-way/contact.yaml`. Each size syncs N new HubSpot contacts to Salesforce, then N new Salesforce Leads to HubSpot. \"Minimum\" is what the batch sizes allow: per 200 contacts one search page, one match query and one Collections create; per 2,000 Leads one SOQL page and per 100 one HubSpot match read and one batch create. Memory is the worker process: RSS and JS heap sampled every 50 ms (garbage included, so they follow the collector's pace), and the live heap, measured once a second right after a full collection (what the sync holds on to; flat when nothing piles up per record). The last rows run under the sandbox's `hubspot-pro` profile (190 requests in any 10 s, rolling; search 5/s) with the worker's client pacing itself to the limits the sandbox reports in its `X-HubSpot-RateLimit-*` headers; the ceiling is the fastest the HubSpot calls the batch sizes make necessary (two per 100 records, plus one search) could go under that limit from an empty window (call k no earlier than ⌊k/190⌋ × 10 s), so a 429 retried by the client, or any pause, counts against the share. Other work on the machine (see the load figures) slows records/s, and the share of the ceiling too whenever the worker cannot issue calls as fast as the limit allows; the call ratios do not depend on it.",
    '',
    'Command:',
    '',
    '```sh',
    `npm run build && npx tsc -p bench/tsconfig.json && node --expose-gc dist/bench/sync-throughput.js ${argv.join(' ')}`.trim(),
    '```',
    '',
    `Measured ${new Date().toISOString()}${commit ? ` at commit \`${commit}\`` : ''} on:`,
    '',
    ...machineFacts(loadAtStart),
    `- \`uptime\` after the run: ${uptime()}`,
    '',
    table(rows),
  ].join('\n');
  process.stdout.write(`Wrote ${writeSection(root, SECTION, markdown)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
