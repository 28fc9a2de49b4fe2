import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config/env';
import { createLogger } from '../logger';
import { untilSignal } from './signals';

/** `baton dev`, `baton worker` and `baton server`: the long-running processes. */
export function registerRunCommands(program: Command): void {
  program
    .command('dev')
    .description(
      'Run the whole stack on embedded defaults: Temporal dev server, CRM sandboxes, SQLite store, worker, schedules',
    )
    .action(async () => {
      const config = loadConfig();
      const log = createLogger(config.logLevel);
      const { startDevStack } = await import('../dev/dev-stack');
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
      const { runProductionWorker } = await import('../worker');
      await runProductionWorker(config, log);
    });

  program
    .command('server')
    .description('The HTTP server: HubSpot webhooks (v3 signatures) start or signal lead handovers; /healthz, /readyz')
    .action(async () => {
      const config = loadConfig();
      const log = createLogger(config.logLevel);
      const { startProductionServer } = await import('../server/run');
      const { stop } = await startProductionServer(config, log);
      await untilSignal(stop, log);
      process.exit(0);
    });
}
