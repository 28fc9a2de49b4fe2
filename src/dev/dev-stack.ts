import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import type * as Testing from '@temporalio/testing';
import type { BatonConfig } from '../config/env';
import { createMappingProvider } from '../config/mapping-provider';
import { createHubSpotClient } from '../crm/hubspot/client';
import { createSalesforceConnection } from '../crm/salesforce/client';
import type { Logger } from '../logger';
import { startHubSpotSandbox } from '@baton/crm-sandbox';
import { startSalesforceSandbox } from '@baton/crm-sandbox';
import { startSimulation } from '@baton/crm-sandbox';
import { openStore, type Store } from '../store';
import {
  findTemporalBinary,
  installInstructions,
  provisionTemporalBinaries,
  TemporalBinaryError,
} from './temporal-binaries';
import { startTemporalDevServer, type RunningDevServer } from './temporal-server';
import { ensureSearchAttributes } from './search-attributes';
import { devInfoFile, writeDevInfo, type DevInfo } from './dev-info';

export type { DevInfo };
import { startDevServer } from './dev-server';
import { createBatonWorker, ensureSyncSchedules } from '../worker';
import { assertPortFree } from './ports';

type TestingModule = typeof Testing;

export const DEV_HUBSPOT_TOKEN = 'baton-dev-hubspot-token';
export const DEV_SALESFORCE_TOKEN = 'baton-dev-salesforce-token';

export interface DevStack {
  info: DevInfo;
  stop(): Promise<void>;
}

/**
 * `baton dev`: the whole stack on embedded defaults, with every piece of state under
 * BATON_HOME so that a restart resumes where the last run stopped.
 */
export async function startDevStack(config: BatonConfig, log: Logger): Promise<DevStack> {
  quietTemporalRuntime(config.logLevel);
  const home = path.resolve(config.home);
  fs.mkdirSync(path.join(home, 'sandbox'), { recursive: true });
  const { dev } = config;

  await assertPortFree(dev.host, dev.temporalPort, 'BATON_DEV_TEMPORAL_PORT');
  await assertPortFree(dev.host, dev.temporalUiPort, 'BATON_DEV_TEMPORAL_UI_PORT');
  await assertPortFree(dev.host, dev.hubspotPort, 'BATON_DEV_HUBSPOT_PORT');
  await assertPortFree(dev.host, dev.salesforcePort, 'BATON_DEV_SALESFORCE_PORT');
  await assertPortFree(config.server.host, config.server.port, 'BATON_SERVER_PORT');

  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (err) {
        log.error({ err }, 'error while stopping');
      }
    }
  };

  try {
    const temporalServer = await startTemporal(config, home, log);
    stops.push(() => temporalServer.stop());

    const temporalConnection = await Connection.connect({ address: temporalServer.address });
    stops.push(() => temporalConnection.close());
    const added = await ensureSearchAttributes(temporalConnection, config.temporal.namespace);
    if (added.length > 0) log.info({ added }, 'registered search attributes');

    const hubspotSandbox = await startHubSpotSandbox({
      host: dev.host,
      port: dev.hubspotPort,
      accessToken: DEV_HUBSPOT_TOKEN,
      stateFile: path.join(home, 'sandbox', 'hubspot.json'),
      preset: 'demo',
    });
    stops.push(() => hubspotSandbox.close());
    const salesforceSandbox = await startSalesforceSandbox({
      host: dev.host,
      port: dev.salesforcePort,
      accessToken: DEV_SALESFORCE_TOKEN,
      stateFile: path.join(home, 'sandbox', 'salesforce.json'),
      preset: 'demo',
    });
    stops.push(() => salesforceSandbox.close());

    if (dev.simulate) {
      const simulation = startSimulation({
        hubspot: hubspotSandbox.state,
        salesforce: salesforceSandbox.state,
        seed: 1,
        tickMs: dev.simulateTickMs,
      });
      stops.push(async () => simulation.stop());
    }

    const store: Store = await openStore(config.databaseUrl);
    stops.push(() => store.close());

    const nativeConnection = await NativeConnection.connect({ address: temporalServer.address });
    stops.push(() => nativeConnection.close());
    const worker: Worker = await createBatonWorker({
      temporal: nativeConnection,
      namespace: config.temporal.namespace,
      taskQueue: config.taskQueue,
      hubspot: createHubSpotClient({ basePath: hubspotSandbox.url, accessToken: hubspotSandbox.accessToken }),
      salesforce: createSalesforceConnection({
        instanceUrl: salesforceSandbox.url,
        accessToken: salesforceSandbox.accessToken,
        version: config.salesforce.version,
      }),
      store,
      mappingsDir: config.mappingsDir,
      firstTouchPollMs: config.handover.firstTouchPollMs,
      recycleBinEveryMs: config.recycleBinEveryMs,
      shutdownGraceTime: '3 seconds',
    });
    const running = worker.run();
    stops.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });

    const client = new Client({ connection: temporalConnection, namespace: config.temporal.namespace });
    const schedules = await ensureSyncSchedules(
      client,
      config.taskQueue,
      createMappingProvider(config.mappingsDir).all(),
      config.syncIntervalSeconds,
    );

    // HubSpot webhooks (signed by the sandbox) start handovers when a score change may qualify a lead.
    const server = await startDevServer({ config, temporal: client, store, hubspotSandbox, log });
    stops.push(() => server.close());

    const info: DevInfo = {
      temporal: { address: temporalServer.address, namespace: config.temporal.namespace, uiUrl: temporalServer.uiUrl },
      taskQueue: config.taskQueue,
      hubspot: { basePath: hubspotSandbox.url, accessToken: hubspotSandbox.accessToken },
      salesforce: {
        instanceUrl: salesforceSandbox.url,
        accessToken: salesforceSandbox.accessToken,
        version: config.salesforce.version,
      },
      server: { url: server.url, webhookUrl: server.webhookUrl },
      pid: process.pid,
      startedAt: new Date().toISOString(),
    };
    writeDevInfo(home, info);
    stops.unshift(async () => fs.rmSync(devInfoFile(home), { force: true }));
    log.info({ schedules }, 'delta sync scheduled');
    return { info, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** The SDK's own logs (webpack bundling, worker state) only at debug level; warnings always. */
function quietTemporalRuntime(level: BatonConfig['logLevel']): void {
  const verbose = level === 'debug' || level === 'trace';
  try {
    // shutdownSignals: none, so `baton dev` stops the pieces itself, in order.
    Runtime.install({ logger: new DefaultLogger(verbose ? 'DEBUG' : 'WARN'), shutdownSignals: [] });
  } catch {
    // A runtime is already installed (tests): keep it.
  }
}

async function startTemporal(config: BatonConfig, home: string, log: Logger): Promise<RunningDevServer> {
  const { dev } = config;
  const dbFile = path.join(home, 'temporal.db');
  let cli = findTemporalBinary('cli');
  if (!cli) cli = provisionTemporalBinaries(process.env, undefined, (line) => log.info(line)).cli;
  if (cli) {
    log.info({ cli: cli.path, source: cli.source }, 'starting the Temporal dev server');
    return startTemporalDevServer({
      cliPath: cli.path,
      host: dev.host,
      port: dev.temporalPort,
      uiPort: dev.temporalUiPort,
      dbFile,
      logFile: path.join(home, 'temporal.log'),
      namespace: config.temporal.namespace,
    });
  }
  return startWithSdkDownload(config, dbFile, log);
}

/** Last in the lookup order: the SDK downloads the CLI itself (needs internet access). */
async function startWithSdkDownload(config: BatonConfig, dbFile: string, log: Logger): Promise<RunningDevServer> {
  let testing: TestingModule;
  try {
    testing = await import('@temporalio/testing');
  } catch {
    throw new TemporalBinaryError(installInstructions());
  }
  log.warn('no Temporal CLI found; asking the Temporal SDK to download one');
  try {
    const env = await testing.TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'cached-download' },
        dbFilename: dbFile,
        ip: config.dev.host,
        port: config.dev.temporalPort,
        ui: true,
        uiPort: config.dev.temporalUiPort,
        namespace: config.temporal.namespace,
      },
    });
    return {
      address: `${config.dev.host}:${config.dev.temporalPort}`,
      uiUrl: `http://${config.dev.host}:${config.dev.temporalUiPort}`,
      pid: -1,
      stop: () => env.teardown(),
    };
  } catch (err) {
    throw new TemporalBinaryError(
      `${installInstructions()}\n(The SDK's download failed too: ${(err as Error).message})`,
    );
  }
}
