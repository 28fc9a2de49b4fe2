import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseHandoverPolicy, type HandoverPolicy } from '../../src/config/handover-file';
import {
  assignOwner,
  periodKeys,
  StoreRoutingLedger,
  type Assignment,
  type RepStatus,
} from '../../src/handover/routing';
import { openStore, type Store } from '../../src/store';

const PG_URL = process.env.BATON_TEST_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/test';

/** A place for one run's data, dropped afterwards, so parallel runs never share state. */
interface Target {
  open(): Promise<Store>;
  cleanup(): Promise<void>;
}

function sqliteTarget(): Target {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-routing-'));
  return {
    open: () => openStore(`sqlite://${path.join(dir, 'baton.db')}`),
    cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

function postgresTarget(): Target {
  const schema = `baton_routing_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  return {
    async open() {
      try {
        return await openStore(PG_URL, { schema });
      } catch (err) {
        // Fail, never skip: CI starts PostgreSQL, so a missing server is a broken setup.
        const message = err instanceof Error ? err.message : String(err);
        throw new Error(
          `The PostgreSQL routing tests need a server at BATON_TEST_POSTGRES_URL (default ${PG_URL}). ${message}`,
        );
      }
    },
    async cleanup() {
      const admin = await openStore(PG_URL, { migrate: false }).catch(() => null);
      if (admin === null) return;
      try {
        await admin.schema.dropSchema(schema);
      } finally {
        await admin.close();
      }
    },
  };
}

const REPS = ['ana', 'ben', 'cleo', 'dev', 'eve'].map((n) => `${n}@x.example`);
const AVAILABLE: Record<string, RepStatus> = Object.fromEntries(REPS.map((e) => [e, 'available' as const]));
const NOW = new Date('2024-05-01T10:00:00Z');

function policyWith(team: string, caps: string): HandoverPolicy {
  const { policy, problems } = parseHandoverPolicy(
    `
qualification: { score: { property: hubspotscore, at_least: 70 } }
routing:
  rules: [{ team: ${team} }]
  teams:
    ${team}:
      ${caps}
      reps: [${REPS.join(', ')}]
  fallback: { queue: Unassigned Leads }
sla: { first_touch_within: 4h, escalate_to: { queue: Managers } }
feedback:
  statuses: { accepted: [Closed - Converted], rejected: [Closed - Not Converted] }
  hubspot: { accepted: { lifecycle_stage: salesqualifiedlead }, rejected: { lifecycle_stage: lead } }
`,
    'fairness.yaml',
  );
  if (!policy) throw new Error(problems.map((p) => p.message).join('\n'));
  return policy;
}

function tally(assignments: Assignment[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const a of assignments) {
    const key = a.owner.kind === 'user' ? a.owner.email : `queue:${a.owner.name}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

const leads = (policy: HandoverPolicy, ledger: StoreRoutingLedger, n: number) =>
  Promise.all(
    Array.from({ length: n }, () =>
      assignOwner(policy, { properties: { hubspotscore: '90' }, now: NOW, availability: AVAILABLE }, ledger),
    ),
  );

describe.each([
  ['sqlite', sqliteTarget],
  ['postgres', postgresTarget],
] as const)('fair routing on %s', (dialect, makeTarget) => {
  const target = makeTarget();
  let store: Store;

  beforeAll(async () => {
    store = await target.open();
  });

  afterAll(async () => {
    await store?.close();
    await target.cleanup();
  });

  test('1,000 concurrent leads over 5 reps give each rep 200 ± 1', async () => {
    const policy = policyWith('Round', '');
    const ledger = new StoreRoutingLedger(store);
    const assignments = await leads(policy, ledger, 1_000);

    const counts = tally(assignments);
    expect([...counts.keys()].sort()).toEqual(REPS);
    for (const n of counts.values()) expect(Math.abs(n - 200)).toBeLessThanOrEqual(1);
    expect(assignments.every((a) => a.via === 'round_robin')).toBe(true);

    // The ledger agrees with what was handed out, and every lead got its own turn.
    const loads = await ledger.loads('Round', periodKeys(NOW, 'UTC'), REPS);
    for (const rep of REPS) expect(loads.get(rep)).toMatchObject({ day: counts.get(rep), week: counts.get(rep) });
    const turns = assignments.map((a) => a.load?.lastAssigned);
    expect(new Set(turns).size).toBe(1_000);
  });

  test('with a cap of 150 a day, no rep gets more than 150 and the rest go to the fallback', async () => {
    const policy = policyWith('Capped', 'caps: { per_day: 150 }');
    const ledger = new StoreRoutingLedger(store);
    const assignments = await leads(policy, ledger, 1_000);

    const counts = tally(assignments);
    for (const rep of REPS) expect(counts.get(rep)).toBe(150);
    expect(counts.get('queue:Unassigned Leads')).toBe(250);
    const rows = await store.routing.counts('Capped', 'day:2024-05-01');
    expect([...rows.values()]).toEqual([150, 150, 150, 150, 150]);
    const fallback = assignments.find((a) => a.via === 'fallback');
    expect(fallback?.explanation).toMatch(
      /^fallback queue "Unassigned Leads": no rep of team Capped can take the lead \(ana has reached the cap of 150 today; /,
    );
  });

  if (dialect === 'postgres') {
    test('two workers (connection pools) claiming at once stay fair and within caps', async () => {
      // A second store on the same schema: its own pool, as another worker process has.
      const other = await target.open();
      try {
        const policy = policyWith('TwoWorkers', 'caps: { per_day: 150 }');
        const [a, b] = await Promise.all([
          leads(policy, new StoreRoutingLedger(store), 500),
          leads(policy, new StoreRoutingLedger(other), 500),
        ]);
        const counts = tally([...a, ...b]);
        for (const rep of REPS) expect(counts.get(rep)).toBe(150);
        expect(counts.get('queue:Unassigned Leads')).toBe(250);
      } finally {
        await other.close();
      }
    });
  }

  test("the store test suite's view of the table still works", async () => {
    // routing.counts reads one period; the ledger's rows live beside the older API's.
    const counts = await store.routing.counts('Round', 'day:2024-05-01');
    expect([...counts.values()].reduce((s, n) => s + n, 0)).toBe(1_000);
  });
});
