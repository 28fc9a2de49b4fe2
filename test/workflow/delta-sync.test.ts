import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Activities } from '../../activities';
import type { DirectionCursor, SyncPageInput, SyncPageResult } from '../../src/sync/types';
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

  /** `pages` pages HubSpot → Salesforce, then `pages` pages the other way. */
  function fakeActivities(
    pages: number,
    seen: SyncPageInput[],
  ): Pick<Activities, 'readSyncPosition' | 'syncPage' | 'retrySyncErrors' | 'readSweepPosition'> {
    return {
      // No handover policy: the run does not sweep for qualified leads.
      async readSweepPosition() {
        return null;
      },
      async retrySyncErrors() {
        return { read: 2, created: 0, updated: 1, unchanged: 0, rejected: 1, conflicts: 0 };
      },
      async readSyncPosition({ direction }): Promise<DirectionCursor> {
        return direction === 'to_salesforce'
          ? { direction, cursor: { mode: 'after', ts: 1000 } }
          : { direction, cursor: { ts: 5000, id: '' } };
      },
      async syncPage(input: SyncPageInput): Promise<SyncPageResult> {
        seen.push(input);
        const n = seen.filter((s) => s.position.direction === input.position.direction).length;
        const position: DirectionCursor =
          input.position.direction === 'to_salesforce'
            ? { direction: 'to_salesforce', cursor: { mode: 'after', ts: 1000 + n } }
            : { direction: 'to_hubspot', cursor: { ts: 5000 + n, id: `00Q${n}` } };
        return {
          position,
          done: n >= pages,
          counts: { read: 200, created: 150, updated: 30, unchanged: 15, rejected: 5, conflicts: 1 },
          lifecycle: { follow: 1, unlink: 0, archive: 2, skip: 0 },
        };
      },
    };
  }

  it('runs both directions, each page until done, threading the cursor and summing counts', async () => {
    const seen: SyncPageInput[] = [];
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: uniqueId('tq'),
      workflowBundle: await workflowBundle(),
      activities: fakeActivities(3, seen),
    });
    const result = await worker.runUntil(
      env.client.workflow.execute(deltaSync, {
        workflowId: uniqueId('sync'),
        taskQueue: worker.options.taskQueue,
        args: [{ mapping: 'contact' }],
      }),
    );
    // Three pages plus the retry of two earlier rejections (one fixed, one still failing).
    const each = {
      pages: 3,
      read: 602,
      created: 450,
      updated: 91,
      unchanged: 45,
      rejected: 16,
      conflicts: 3,
      lifecycle: { follow: 3, unlink: 0, archive: 6, skip: 0 },
    };
    expect(result).toEqual({ to_salesforce: each, to_hubspot: each });
    expect(seen.map((s) => s.position)).toEqual([
      { direction: 'to_salesforce', cursor: { mode: 'after', ts: 1000 } },
      { direction: 'to_salesforce', cursor: { mode: 'after', ts: 1001 } },
      { direction: 'to_salesforce', cursor: { mode: 'after', ts: 1002 } },
      { direction: 'to_hubspot', cursor: { ts: 5000, id: '' } },
      { direction: 'to_hubspot', cursor: { ts: 5001, id: '00Q1' } },
      { direction: 'to_hubspot', cursor: { ts: 5002, id: '00Q2' } },
    ]);
    // One upper bound for the whole run, so records changed meanwhile wait for the next run.
    expect(new Set(seen.map((s) => s.until)).size).toBe(1);
  });

  it('keeps history small: a 100-page run stays under a fixed number of events per page', async () => {
    const seen: SyncPageInput[] = [];
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: uniqueId('tq'),
      workflowBundle: await workflowBundle(),
      activities: fakeActivities(50, seen),
    });
    const workflowId = uniqueId('sync');
    await worker.runUntil(
      env.client.workflow.execute(deltaSync, {
        workflowId,
        taskQueue: worker.options.taskQueue,
        args: [{ mapping: 'contact' }],
      }),
    );
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    const events = history.events ?? [];
    // scheduled + started + completed per activity, plus workflow task events.
    expect(events.length).toBeLessThan(100 * 7 + 40);
    // Records never enter history: no event payload is larger than a cursor and counts.
    const largest = Math.max(...events.map((e) => JSON.stringify(e).length));
    expect(largest).toBeLessThan(4_000);
  });
});
