import path from 'node:path';
import { Option, type Command } from 'commander';
import { FAULT_PROFILES } from '@baton/crm-sandbox';
import { createLogger } from '../logger';
import { UserError } from './errors';
import { untilSignal } from './signals';

/** `baton sandbox`: the two CRM sandboxes alone (the package @baton/crm-sandbox). */
export function registerSandboxCommand(program: Command): void {
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
        const { assertPortFree } = await import('../dev/ports');
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
            throw new UserError(
              `--tick-ms must be a whole number of milliseconds, at least 100 (got "${opts.tickMs}")`,
            );
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
}
