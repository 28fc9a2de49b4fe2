import fs from 'node:fs';
import path from 'node:path';
import type { Client as HubSpotClient } from '@hubspot/api-client';
import {
  Client,
  Connection,
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
} from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Connection as SalesforceConnection } from 'jsforce';
import { createActivities } from '../activities';
import { DELTA_SYNC_WORKFLOW_TYPE } from '../workflows/delta-sync/api';
import type { BatonConfig } from './config/env';
import { loadHandoverPolicy, type HandoverPolicy } from './config/handover-file';
import { createMappingProvider } from './config/mapping-provider';
import type { ObjectMapping } from './config/mapping-file';
import { createHubSpotClient } from './crm/hubspot/client';
import { createSalesforceConnection } from './crm/salesforce/client';
import type { Logger } from './logger';
import { openStore, type Store } from './store';

/**
 * The composition root: the only place that builds real clients and hands them to the
 * activities. `baton worker` runs it against real CRMs; `baton dev` against the sandboxes.
 */
export interface WorkerDeps {
  temporal: NativeConnection;
  namespace: string;
  taskQueue: string;
  hubspot: HubSpotClient;
  salesforce: SalesforceConnection;
  store: Store;
  mappingsDir: string;
  /** Prebuilt workflow bundle (tests build it once per file); otherwise bundled from workflows/. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  shutdownGraceTime?: WorkerOptions['shutdownGraceTime'];
  /** BATON_FIRST_TOUCH_POLL_SECONDS; default 15 minutes. */
  firstTouchPollMs?: number;
  /** BATON_RECYCLE_BIN_CHECK_SECONDS; default 0 here (every cycle), 10 minutes from the config. */
  recycleBinEveryMs?: number;
}

export function workflowsPath(): string {
  return require.resolve('../workflows');
}

export async function createBatonWorker(deps: WorkerDeps): Promise<Worker> {
  const mappings = createMappingProvider(deps.mappingsDir);
  // Refuse to start on an invalid mapping or handover policy, with every problem listed (MappingError).
  mappings.all();
  const handoverFile = path.join(deps.mappingsDir, 'handover.yaml');
  const hasHandover = fs.existsSync(handoverFile);
  if (hasHandover) loadHandoverPolicy(handoverFile);
  return Worker.create({
    connection: deps.temporal,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue,
    ...(deps.workflowBundle ? { workflowBundle: deps.workflowBundle } : { workflowsPath: workflowsPath() }),
    activities: createActivities({
      hubspot: deps.hubspot,
      salesforce: deps.salesforce,
      store: deps.store,
      mappings: (name) => mappings.get(name),
      // Re-read per handover, so a policy edit applies to the next lead without a restart.
      ...(hasHandover ? { handoverPolicy: livePolicy(handoverFile) } : {}),
      ...(deps.firstTouchPollMs !== undefined ? { firstTouchPollMs: deps.firstTouchPollMs } : {}),
      ...(deps.recycleBinEveryMs !== undefined ? { recycleBinEveryMs: deps.recycleBinEveryMs } : {}),
    }),
    shutdownGraceTime: deps.shutdownGraceTime ?? '5 seconds',
  });
}

/**
 * The handover policy, parsed again only when the file changed (size or modification time):
 * activities ask for it several times per lead, and parsing and checking it costs
 * milliseconds of CPU each time.
 */
function livePolicy(file: string): () => HandoverPolicy {
  let cache: { signature: string; policy: HandoverPolicy } | undefined;
  return () => {
    const st = fs.statSync(file, { throwIfNoEntry: false });
    const signature = st ? `${st.mtimeMs}:${st.size}` : 'missing';
    if (cache?.signature !== signature) cache = { signature, policy: loadHandoverPolicy(file) };
    return cache.policy;
  };
}

export function scheduleIdFor(mapping: string): string {
  return `delta-sync:${mapping}`;
}

/** One Schedule per mapping; overlap SKIP so a slow cycle is never run twice at once. */
export async function ensureSyncSchedules(
  client: Client,
  taskQueue: string,
  mappings: ObjectMapping[],
  everySeconds: number,
): Promise<string[]> {
  const ids: string[] = [];
  for (const mapping of mappings) {
    const scheduleId = scheduleIdFor(mapping.name);
    const action = {
      type: 'startWorkflow' as const,
      workflowType: DELTA_SYNC_WORKFLOW_TYPE,
      workflowId: scheduleId,
      taskQueue,
      args: [{ mapping: mapping.name }],
    };
    const spec = { intervals: [{ every: everySeconds * 1000 }] };
    try {
      await client.schedule.create({
        scheduleId,
        spec,
        action,
        policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
      });
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await client.schedule.getHandle(scheduleId).update((prev) => ({ ...prev, spec, action }));
    }
    ids.push(scheduleId);
  }
  return ids;
}

export async function deleteSyncSchedule(client: Client, mapping: string): Promise<void> {
  try {
    await client.schedule.getHandle(scheduleIdFor(mapping)).delete();
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
  }
}

/** `baton worker`: real CRMs, a Temporal cluster and the configured database. */
export async function runProductionWorker(config: BatonConfig, log: Logger): Promise<void> {
  const { hubspot, salesforce } = config;
  if (!hubspot.accessToken || !salesforce.instanceUrl)
    throw new Error('HUBSPOT_ACCESS_TOKEN and SALESFORCE_INSTANCE_URL are required for `baton worker`');
  const store = await openStore(config.databaseUrl);
  const temporal = await NativeConnection.connect({ address: config.temporal.address });
  const client = new Client({
    connection: await Connection.connect({ address: config.temporal.address }),
    namespace: config.temporal.namespace,
  });
  const worker = await createBatonWorker({
    temporal,
    namespace: config.temporal.namespace,
    taskQueue: config.taskQueue,
    hubspot: createHubSpotClient({ basePath: hubspot.basePath, accessToken: hubspot.accessToken }),
    salesforce: createSalesforceConnection({ ...salesforce, instanceUrl: salesforce.instanceUrl }),
    store,
    mappingsDir: config.mappingsDir,
    firstTouchPollMs: config.handover.firstTouchPollMs,
    recycleBinEveryMs: config.recycleBinEveryMs,
  });
  await ensureSyncSchedules(
    client,
    config.taskQueue,
    createMappingProvider(config.mappingsDir).all(),
    config.syncIntervalSeconds,
  );
  log.info({ taskQueue: config.taskQueue, namespace: config.temporal.namespace }, 'worker running');
  try {
    await worker.run();
  } finally {
    await store.close();
    await temporal.close();
  }
}
