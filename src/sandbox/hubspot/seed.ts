import {
  DEMO_COMPANIES,
  DEMO_CONTACT_COUNT,
  DEMO_FIRST_NAMES,
  DEMO_LAST_NAMES,
  DEMO_SALES_REPS,
  seededRandom,
  type SalesRep,
} from '../demo';
import type { OwnerRecord } from './owners';
import { EMPLOYEE_RANGES } from './properties';
import type { HubSpotState } from './state';

export type HubSpotPreset = 'demo' | 'empty';

/** Seed of the demo PRNG; the Salesforce sandbox uses its own. */
const DEMO_SEED = 20_251_031;
const DAY = 86_400_000;

/** Demo owner ids and user ids look like HubSpot's (8- and 7-digit numbers). */
const FIRST_OWNER_ID = 71_000_001;
const FIRST_USER_ID = 9_100_001;

export const DEMO_LISTS = [
  { listId: '101', name: 'Newsletter' },
  { listId: '102', name: 'Webinar: Q4 Launch' },
  { listId: '103', name: 'Nurture – Trial users' },
  { listId: '104', name: 'Event: Field Summit' },
] as const;

const JOB_TITLES = [
  'Marketing Manager',
  'VP Sales',
  'Head of Operations',
  'CTO',
  'Software Engineer',
  'Procurement Lead',
  'Director of IT',
  'CFO',
  'Operations Analyst',
  'Product Manager',
  'Data Scientist',
  'CEO',
] as const;

const REGION_OF_COUNTRY: Record<string, SalesRep['region']> = {
  'United States': 'NA',
  Canada: 'NA',
  Brazil: 'LATAM',
  Mexico: 'LATAM',
  'United Kingdom': 'EMEA',
  Germany: 'EMEA',
  Norway: 'EMEA',
  France: 'EMEA',
  Singapore: 'APAC',
  Japan: 'APAC',
  Australia: 'APAC',
};

const DIAL_CODE: Record<string, string> = {
  'United States': '+1',
  Canada: '+1',
  Brazil: '+55',
  Mexico: '+52',
  'United Kingdom': '+44',
  Germany: '+49',
  Norway: '+47',
  France: '+33',
  Singapore: '+65',
  Japan: '+81',
  Australia: '+61',
};

/** Share of each lifecycle stage in the demo funnel (wide at the top, as in a real portal). */
const STAGE_WEIGHTS: readonly (readonly [string, number])[] = [
  ['subscriber', 0.2],
  ['lead', 0.38],
  ['marketingqualifiedlead', 0.2],
  ['salesqualifiedlead', 0.1],
  ['opportunity', 0.07],
  ['customer', 0.05],
];

/** Scores rise along the funnel so that "score ≥ N" criteria pick mostly MQLs. */
const SCORE_RANGE: Record<string, readonly [number, number]> = {
  subscriber: [0, 30],
  lead: [10, 60],
  marketingqualifiedlead: [55, 100],
  salesqualifiedlead: [60, 100],
  opportunity: [65, 100],
  customer: [50, 100],
};

const STATUSES_BY_STAGE: Record<string, readonly string[]> = {
  lead: ['NEW', 'OPEN', 'ATTEMPTED_TO_CONTACT'],
  marketingqualifiedlead: ['NEW', 'OPEN', 'IN_PROGRESS', 'ATTEMPTED_TO_CONTACT'],
  salesqualifiedlead: ['IN_PROGRESS', 'CONNECTED', 'OPEN_DEAL'],
  opportunity: ['OPEN_DEAL', 'CONNECTED'],
  customer: ['CONNECTED'],
};

export function employeeRange(employees: number): string {
  const bounds = [5, 25, 50, 100, 500, 1000];
  const i = bounds.findIndex((b) => employees < b);
  return EMPLOYEE_RANGES[i === -1 ? EMPLOYEE_RANGES.length - 1 : i]!;
}

/** Empties the state and fills it with the preset. */
export function applyPreset(state: HubSpotState, preset: HubSpotPreset): void {
  state.clear();
  if (preset === 'demo') seedDemo(state);
}

/**
 * The demo portal: the shared sales reps as owners, DEMO_CONTACT_COUNT contacts across the
 * funnel on the demo companies' domains, and a few marketing lists. Identical on every run
 * for a given clock; dates are spread over the 180 days before "now".
 */
export function seedDemo(state: HubSpotState): void {
  const now = state.now();
  const rand = seededRandom(DEMO_SEED);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const between = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));

  const owners = seedOwners(state, now);
  const ownersByRegion = new Map<string, OwnerRecord[]>();
  DEMO_SALES_REPS.forEach((rep, i) => {
    const list = ownersByRegion.get(rep.region) ?? [];
    list.push(owners[i]!);
    ownersByRegion.set(rep.region, list);
  });

  const usedLocals = new Map<string, number>();
  const specs: { createdAt: number; updatedAt: number; values: Record<string, string> }[] = [];
  for (let i = 0; i < DEMO_CONTACT_COUNT; i++) {
    const first = pick(DEMO_FIRST_NAMES);
    const last = pick(DEMO_LAST_NAMES);
    const company = pick(DEMO_COMPANIES);
    const base = `${first}.${last}`.toLowerCase();
    const key = `${base}@${company.domain}`;
    const n = (usedLocals.get(key) ?? 0) + 1;
    usedLocals.set(key, n);
    const email = `${n === 1 ? base : `${base}${n}`}@${company.domain}`;

    let r = rand();
    let stage = STAGE_WEIGHTS[0]![0];
    for (const [s, w] of STAGE_WEIGHTS) {
      stage = s;
      if ((r -= w) < 0) break;
    }
    const [lo, hi] = SCORE_RANGE[stage] ?? [0, 100];
    const region = REGION_OF_COUNTRY[company.country] ?? 'NA';
    const createdAt = now - between(1, 180) * DAY - between(0, DAY - 1);
    const updatedAt = createdAt + Math.floor(rand() * (now - createdAt));

    const values: Record<string, string> = {
      email,
      firstname: first,
      lastname: last,
      company: company.name,
      jobtitle: pick(JOB_TITLES),
      phone: `${DIAL_CODE[company.country] ?? '+1'} 555 ${String(between(0, 9999)).padStart(4, '0')}`,
      country: company.country,
      industry: company.industry,
      numemployees: employeeRange(company.employees),
      website: `https://www.${company.domain}`,
      lifecyclestage: stage,
      hubspotscore: String(between(lo, hi)),
    };
    const statuses = STATUSES_BY_STAGE[stage];
    if (statuses && rand() < 0.8) values.hs_lead_status = pick(statuses);
    // Sales owns everything past MQL; some MQLs and a few leads already have an owner.
    const ownerChance = ['salesqualifiedlead', 'opportunity', 'customer'].includes(stage)
      ? 1
      : stage === 'marketingqualifiedlead'
        ? 0.35
        : stage === 'lead'
          ? 0.08
          : 0;
    if (rand() < ownerChance) values.hubspot_owner_id = pick(ownersByRegion.get(region) ?? owners).id;
    specs.push({ createdAt, updatedAt, values });
  }

  // Ids grow with creation time, as they do in HubSpot.
  specs.sort((a, b) => a.createdAt - b.createdAt);
  const contacts = specs.map((s) => state.contacts.insert(s.values, s.updatedAt, s.createdAt));

  const share: Record<(typeof DEMO_LISTS)[number]['listId'], (stage: string) => number> = {
    '101': (s) => (['subscriber', 'lead', 'marketingqualifiedlead'].includes(s) ? 0.55 : 0.2),
    '102': () => 0.2,
    '103': (s) => (['lead', 'marketingqualifiedlead'].includes(s) ? 0.35 : 0),
    '104': (s) => (['marketingqualifiedlead', 'salesqualifiedlead', 'opportunity'].includes(s) ? 0.25 : 0.05),
  };
  for (const def of DEMO_LISTS) {
    const createdAt = now - 200 * DAY;
    state.lists.add({
      listId: def.listId,
      name: def.name,
      objectTypeId: '0-1',
      processingType: 'MANUAL',
      createdAt,
      updatedAt: createdAt,
      listVersion: 1,
    });
    let lastAdded = createdAt;
    for (const c of contacts) {
      if (rand() < share[def.listId](c.properties.lifecyclestage ?? '')) {
        const addedAt = c.createdAt + Math.floor(rand() * (now - c.createdAt));
        state.lists.addMembers(def.listId, [c.id], () => true, addedAt);
        lastAdded = Math.max(lastAdded, addedAt);
      }
    }
    state.lists.get(def.listId)!.updatedAt = lastAdded;
  }
}

function seedOwners(state: HubSpotState, now: number): OwnerRecord[] {
  const teamIds = new Map<string, string>();
  for (const rep of DEMO_SALES_REPS) if (!teamIds.has(rep.team)) teamIds.set(rep.team, String(4_200_001 + teamIds.size));
  return DEMO_SALES_REPS.map((rep, i) => {
    const owner: OwnerRecord = {
      id: String(FIRST_OWNER_ID + i),
      email: rep.email,
      firstName: rep.firstName,
      lastName: rep.lastName,
      userId: FIRST_USER_ID + i,
      createdAt: now - 400 * DAY,
      updatedAt: now - 400 * DAY,
      archived: false,
      teams: [{ id: teamIds.get(rep.team)!, name: rep.team, primary: true }],
    };
    state.owners.add(owner);
    return owner;
  });
}
