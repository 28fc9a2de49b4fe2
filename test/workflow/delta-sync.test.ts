import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Activities } from '../../activities';
import type { HubSpotCursor, SyncPageInput, SyncPageResult } from '../../activities/sync-types';
import { deltaSync } from '../../workflows';
import { createTimeSkippingEnv, uniqueId, workflowBundle } from '../helpers/temporal';

/**
 * The workflow holds only cursors and counts: these tests drive it with fake page
 * activities of the real activities' types.
 */
describe('deltaSync workflow', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  function fakeActivities(pages: number, seen: SyncPageInput[]): Pick<Activities, 'readHubSpotCursor' | 'syncHubSpotPage'> {
    return {
      async readHubSpotCursor() {
        return { mode: 'after', ts: 1000 } satisfies HubSpotCursor;
      },
      async syncHubSpotPage(input: SyncPageInput): Promise<SyncPageResult> {
        seen.push(input);
        const n = seen.length;
        return { cursor: { mode: 'after', ts: 1000 + n }, done: n >= pages, counts: { read: 200, created: 150, updated: 30, unchanged: 15, rejected: 5 } };
      },
    };
  }

  it('pages until done, threading the cursor from page to page and summing counts', async () => {
    const seen: SyncPageInput[] = [];
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: uniqueId('tq'),
      workflowBundle: await workflowBundle(),
      activities: fakeActivities(3, seen),
    });
    const result = await worker.runUntil(
      env.client.workflow.execute(deltaSync, { workflowId: uniqueId('sync'), taskQueue: worker.options.taskQueue, args: [{ mapping: 'contact' }] }),
    );
    expect(result).toEqual({ pages: 3, read: 600, created: 450, updated: 90, unchanged: 45, rejected: 15 });
    expect(seen.map((s) => s.cursor)).toEqual([
      { mode: 'after', ts: 1000 },
      { mode: 'after', ts: 1001 },
      { mode: 'after', ts: 1002 },
    ]);
    // One upper bound for the whole run, so records changed meanwhile wait for the next run.
    expect(new Set(seen.map((s) => s.until)).size).toBe(1);
  });

  it('keeps history small: a 50-page run stays under a fixed number of events per page', async () => {
    const seen: SyncPageInput[] = [];
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: uniqueId('tq'),
      workflowBundle: await workflowBundle(),
      activities: fakeActivities(50, seen),
    });
    const workflowId = uniqueId('sync');
    await worker.runUntil(env.client.workflow.execute(deltaSync, { workflowId, taskQueue: worker.options.taskQueue, args: [{ mapping: 'contact' }] }));
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    const events = history.events ?? [];
    // scheduled + started + completed per activity, plus workflow task events.
    expect(events.length).toBeLessThan(50 * 7 + 20);
    // Records never enter history: no event payload is larger than a cursor and counts.
    const largest = Math.max(...events.map((e) => JSON.stringify(e).length));
    expect(largest).toBeLessThan(4_000);
  });
});
