import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Activities } from '../../activities';
import type { SweepCounts, SweepPageInput, SweepPageResult } from '../../src/handover/types';
import type { DirectionCursor } from '../../src/sync/types';
import { deltaSync } from '../../workflows';
import { createTimeSkippingEnv, uniqueId, workflowBundle } from '../helpers/temporal';

/**
 * The qualification sweep as the last step of a delta sync run, driven by fake activities
 * of the real activities' types: where it runs, what it sums, how a continued run resumes.
 */
type Call = { name: string; input?: unknown };
const pageCounts: SweepCounts = {
  read: 200,
  qualified: 3,
  started: 2,
  running: 1,
  coolingDown: 1,
  notQualified: 196,
  failed: 0,
};

function fakeActivities(
  calls: Call[],
  sweepPages: number,
): Pick<
  Activities,
  'readSyncPosition' | 'syncPage' | 'retrySyncErrors' | 'readSweepPosition' | 'retrySweepErrors' | 'sweepQualifiedLeads'
> {
  let swept = 0;
  return {
    async readSyncPosition({ direction }): Promise<DirectionCursor> {
      calls.push({ name: `readSyncPosition:${direction}` });
      return direction === 'to_salesforce'
        ? { direction, cursor: { mode: 'after', ts: 1000 } }
        : { direction, cursor: { ts: 5000, id: '' } };
    },
    async retrySyncErrors() {
      return { read: 0, created: 0, updated: 0, unchanged: 0, rejected: 0, conflicts: 0 };
    },
    async syncPage(input) {
      calls.push({ name: `syncPage:${input.position.direction}` });
      return {
        position: input.position,
        done: true,
        counts: { read: 1, created: 1, updated: 0, unchanged: 0, rejected: 0, conflicts: 0 },
      };
    },
    async readSweepPosition(input) {
      calls.push({ name: 'readSweepPosition', input });
      return { mode: 'after', ts: 7000 };
    },
    async retrySweepErrors() {
      calls.push({ name: 'retrySweepErrors' });
      return { read: 1, qualified: 1, started: 1, running: 0, coolingDown: 0, notQualified: 0, failed: 0 };
    },
    async sweepQualifiedLeads(input: SweepPageInput): Promise<SweepPageResult> {
      swept += 1;
      calls.push({ name: 'sweepQualifiedLeads', input });
      return { cursor: { mode: 'after', ts: 7000 + swept }, done: swept >= sweepPages, counts: pageCounts };
    },
  };
}

describe('deltaSync with a handover policy', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('sweeps after both directions, in the same window, and sums the pages and the retried contacts', async () => {
    const calls: Call[] = [];
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: uniqueId('tq'),
      workflowBundle: await workflowBundle(),
      activities: fakeActivities(calls, 3),
    });
    const result = await worker.runUntil(
      env.client.workflow.execute(deltaSync, {
        workflowId: uniqueId('sync'),
        taskQueue: worker.options.taskQueue,
        args: [{ mapping: 'contact', until: 9000 }],
      }),
    );

    expect(calls.map((c) => c.name)).toEqual([
      'readSyncPosition:to_salesforce',
      'syncPage:to_salesforce',
      'readSyncPosition:to_hubspot',
      'syncPage:to_hubspot',
      'readSweepPosition',
      'retrySweepErrors',
      'sweepQualifiedLeads',
      'sweepQualifiedLeads',
      'sweepQualifiedLeads',
    ]);
    expect(calls.find((c) => c.name === 'readSweepPosition')?.input).toEqual({ mapping: 'contact', until: 9000 });
    // Each page starts where the one before ended, all up to the run's `until`.
    expect(calls.filter((c) => c.name === 'sweepQualifiedLeads').map((c) => c.input)).toEqual([
      { cursor: { mode: 'after', ts: 7000 }, until: 9000 },
      { cursor: { mode: 'after', ts: 7001 }, until: 9000 },
      { cursor: { mode: 'after', ts: 7002 }, until: 9000 },
    ]);
    expect(result.handover_sweep).toEqual({
      pages: 3,
      read: 601,
      qualified: 10,
      started: 7,
      running: 3,
      coolingDown: 3,
      notQualified: 588,
      failed: 0,
    });
  });

  it('resumes a continued run at the sweep: no sync direction again, no second retry, earlier totals kept', async () => {
    const calls: Call[] = [];
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: uniqueId('tq'),
      workflowBundle: await workflowBundle(),
      activities: fakeActivities(calls, 1),
    });
    const direction = { read: 5, created: 5, updated: 0, unchanged: 0, rejected: 0, conflicts: 0, pages: 1 };
    const earlier = {
      pages: 4,
      read: 800,
      qualified: 12,
      started: 8,
      running: 4,
      coolingDown: 4,
      notQualified: 784,
      failed: 0,
    };
    const result = await worker.runUntil(
      env.client.workflow.execute(deltaSync, {
        workflowId: uniqueId('sync'),
        taskQueue: worker.options.taskQueue,
        args: [
          {
            mapping: 'contact',
            until: 9000,
            resume: {
              direction: 'handover_sweep',
              totals: { to_salesforce: direction, to_hubspot: direction, handover_sweep: earlier },
            },
          },
        ],
      }),
    );
    expect(calls.map((c) => c.name)).toEqual(['readSweepPosition', 'sweepQualifiedLeads']);
    expect(result).toEqual({
      to_salesforce: direction,
      to_hubspot: direction,
      handover_sweep: {
        pages: 5,
        read: 1000,
        qualified: 15,
        started: 10,
        running: 5,
        coolingDown: 5,
        notQualified: 980,
        failed: 0,
      },
    });
  });
});
