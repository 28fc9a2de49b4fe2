import fc from 'fast-check';
import { parseHandoverPolicy } from '../../src/config/handover-file';
import {
  assignOwner,
  MemoryRoutingLedger,
  type Candidate,
  type ClaimRequest,
  type RepStatus,
} from '../../src/handover/routing';

const WEEK = 'week:2024-W18';
const day = (d: number) => `day:2024-04-${String(29 + d).padStart(2, '0')}`;
const request = (candidates: Candidate[], d = 0): ClaimRequest => ({
  team: 'T',
  periods: { day: day(d), week: WEEK },
  fairness: 'day',
  candidates,
  at: new Date(0),
});
const reps = (n: number) => Array.from({ length: n }, (_, i) => `rep${i}@x.example`);

describe('round robin (properties)', () => {
  it('stays balanced: after every lead, counts differ by at most one', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 120 }), async (n, leads) => {
        const ledger = new MemoryRoutingLedger();
        const candidates = reps(n).map((repId) => ({ repId, weight: 1 }));
        const counts = new Map(candidates.map((c) => [c.repId, 0]));
        for (let i = 0; i < leads; i++) {
          const { chosen } = await ledger.claim(request(candidates));
          if (chosen === null) return false;
          counts.set(chosen.repId, (counts.get(chosen.repId) ?? 0) + 1);
          const values = [...counts.values()];
          if (Math.max(...values) - Math.min(...values) > 1) return false;
        }
        return true;
      }),
    );
  });

  it('never exceeds a cap, and falls back only when every available rep is at one', async () => {
    const rep = fc.record({
      perDay: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
      perWeek: fc.option(fc.integer({ min: 1, max: 15 }), { nil: undefined }),
    });
    const lead = fc.record({
      day: fc.integer({ min: 0, max: 6 }),
      available: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(rep, { minLength: 1, maxLength: 6 }),
        fc.array(lead, { maxLength: 150 }),
        async (caps, leads) => {
          const ledger = new MemoryRoutingLedger();
          const team: Candidate[] = caps.map((c, i) => ({ repId: `rep${i}`, weight: 1, ...c }));
          const perDay = new Map<string, number>();
          const perWeek = new Map<string, number>();
          // Leads arrive in time order, so days only move forward.
          const ordered = [...leads].sort((a, b) => a.day - b.day);
          for (const { day: d, available } of ordered) {
            const candidates = team.filter((_, i) => available[i]);
            const { chosen } = await ledger.claim(request(candidates, d));
            const atCap = (c: Candidate) =>
              (c.perDay !== undefined && (perDay.get(`${c.repId}:${d}`) ?? 0) >= c.perDay) ||
              (c.perWeek !== undefined && (perWeek.get(c.repId) ?? 0) >= c.perWeek);
            if (chosen === null) {
              if (!candidates.every(atCap)) return false;
              continue;
            }
            const c = candidates.find((x) => x.repId === chosen.repId);
            if (c === undefined || atCap(c)) return false;
            perDay.set(`${c.repId}:${d}`, (perDay.get(`${c.repId}:${d}`) ?? 0) + 1);
            perWeek.set(c.repId, (perWeek.get(c.repId) ?? 0) + 1);
            if (chosen.load.day !== perDay.get(`${c.repId}:${d}`) || chosen.load.week !== perWeek.get(c.repId))
              return false;
          }
          return true;
        },
      ),
    );
  });

  it('with daily caps, a rep below their cap is never two behind anyone', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: 150 }),
        async (caps, leads) => {
          const ledger = new MemoryRoutingLedger();
          const team: Candidate[] = caps.map((perDay, i) => ({ repId: `rep${i}`, weight: 1, perDay }));
          const counts = new Map(team.map((c) => [c.repId, 0]));
          for (let i = 0; i < leads; i++) {
            const { chosen } = await ledger.claim(request(team));
            if (chosen !== null) counts.set(chosen.repId, (counts.get(chosen.repId) ?? 0) + 1);
            for (const j of team) {
              const cj = counts.get(j.repId) ?? 0;
              if (cj >= (j.perDay ?? Infinity)) continue;
              if ([...counts.values()].some((ci) => ci > cj + 1)) return false;
            }
          }
          return true;
        },
      ),
    );
  });
});

describe('weighted (properties)', () => {
  it('keeps every rep within one lead of their share', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: 150 }),
        async (weights, leads) => {
          const ledger = new MemoryRoutingLedger();
          const team: Candidate[] = weights.map((weight, i) => ({ repId: `rep${i}`, weight }));
          const counts = new Map(team.map((c) => [c.repId, 0]));
          for (let i = 0; i < leads; i++) {
            const { chosen } = await ledger.claim(request(team));
            if (chosen === null) return false;
            counts.set(chosen.repId, (counts.get(chosen.repId) ?? 0) + 1);
          }
          // Greedy on count/weight: when a rep took its latest lead it had the lowest ratio.
          return team.every((a) => {
            const ca = counts.get(a.repId) ?? 0;
            return ca === 0 || team.every((b) => (ca - 1) * b.weight <= (counts.get(b.repId) ?? 0) * a.weight);
          });
        },
      ),
    );
  });
});

describe('assignOwner (properties)', () => {
  const emails = reps(5);
  const { policy } = parseHandoverPolicy(
    `
qualification: { score: { property: hubspotscore, at_least: 1 } }
routing:
  rules: [{ team: T }]
  teams: { T: { caps: { per_day: 3 }, reps: [${emails.join(', ')}] } }
  fallback: { queue: Unassigned Leads }
sla: { first_touch_within: 4h, escalate_to: { queue: Managers } }
feedback:
  statuses: { accepted: [Closed - Converted], rejected: [Closed - Not Converted] }
  hubspot: { accepted: { lifecycle_stage: salesqualifiedlead }, rejected: { lifecycle_stage: lead } }
`,
    'property.yaml',
  );
  const status = fc.constantFrom<RepStatus | 'unknown'>(
    'available',
    'available',
    'available',
    'away',
    'inactive',
    'unknown',
  );

  it('gives a lead only to an eligible rep under their cap, else to the fallback', async () => {
    if (!policy) throw new Error('the property policy does not parse');
    const lead = fc.record({
      statuses: fc.array(status, { minLength: 5, maxLength: 5 }),
      exclude: fc.subarray(emails),
      previousOwner: fc.option(fc.constantFrom(...emails), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(lead, { maxLength: 40 }), async (leads) => {
        const ledger = new MemoryRoutingLedger();
        const given = new Map<string, number>();
        for (const l of leads) {
          const availability: Record<string, RepStatus> = {};
          l.statuses.forEach((s, i) => {
            if (s !== 'unknown') availability[emails[i]!] = s;
          });
          const a = await assignOwner(
            policy,
            {
              properties: {},
              now: new Date('2024-05-01T10:00:00Z'),
              availability,
              exclude: l.exclude,
              previousOwner: l.previousOwner,
            },
            ledger,
          );
          const eligible = emails.filter(
            (e) => availability[e] === 'available' && !l.exclude.includes(e) && (given.get(e) ?? 0) < 3,
          );
          if (a.owner.kind === 'queue') {
            if (eligible.length > 0) return false;
            continue;
          }
          if (!eligible.includes(a.owner.email)) return false;
          given.set(a.owner.email, (given.get(a.owner.email) ?? 0) + 1);
        }
        return true;
      }),
    );
  });
});
