import {
  DEMO_COMPANIES,
  DEMO_CONTACT_COUNT,
  DEMO_FIRST_NAMES,
  DEMO_LAST_NAMES,
  DEMO_REGION_OF_COUNTRY,
  DEMO_SALES_REPS,
  seededRandom,
} from '../demo';
import { CALCULATED_SOURCE, IMPORT_SOURCE, type ChangeSet, type WriteSource } from './history';
import type { OwnerRecord } from './owners';
import { define, EMPLOYEE_RANGES, LIFECYCLE_STAGES, type PropertyDefinition } from './properties';
import type { HubSpotState } from './state';
import type { CrmRecord } from './store';
import { toIso } from './time';
import type { WorkflowType } from './workflows';

export type HubSpotPreset = 'demo' | 'empty';

/** Seed of the demo PRNG; the Salesforce sandbox uses its own. */
const DEMO_SEED = 20_251_031;
/**
 * Companies, histories and workflows draw from their own PRNG, so that adding them left
 * the demo contacts exactly as they were.
 */
const DEMO_EXTRA_SEED = 20_260_302;
const DAY = 86_400_000;

/** Demo owner ids and user ids look like HubSpot's (8- and 7-digit numbers). */
const FIRST_OWNER_ID = 71_000_001;
const FIRST_USER_ID = 9_100_001;

/**
 * The demo portal's own lead score: a custom number property that a scoring tool (an app
 * connected through the API) keeps, as many portals do next to HubSpot's calculated
 * `hubspotscore`, which no API call may write. The handover policy scores on it.
 */
export const LEAD_SCORE_PROPERTY = 'lead_score';
/** The scoring tool's writes show in property history as its app's, not HubSpot's. */
export const SCORING_APP_SOURCE: WriteSource = Object.freeze({ sourceType: 'INTEGRATION', sourceId: '2417309' });

export function leadScoreProperty(at: number): PropertyDefinition {
  return define(
    {
      name: LEAD_SCORE_PROPERTY,
      label: 'Lead score',
      description: 'Engagement score (0–100) from the marketing scoring tool; the sales handover reads it.',
      type: 'number',
      fieldType: 'number',
      hubspotDefined: false,
    },
    at,
    -1,
    'contactscoringinformation',
  );
}

export const DEMO_LISTS = [
  { listId: '101', name: 'Newsletter' },
  { listId: '102', name: 'Webinar: Q4 Launch' },
  { listId: '103', name: 'Nurture – Trial users' },
  { listId: '104', name: 'Event: Field Summit' },
] as const;

/**
 * An active (DYNAMIC) campaign list: engaged leads nobody in sales owns yet. Assigning an
 * owner takes a lead out of it, which is how a handover leaves a filter-driven campaign.
 */
export const DEMO_DYNAMIC_LIST = {
  listId: '105',
  name: 'Active nurture: engaged leads',
  filterGroups: [
    {
      filters: [
        { propertyName: 'lifecyclestage', operator: 'IN' as const, values: ['lead', 'marketingqualifiedlead'] },
        { propertyName: 'hubspotscore', operator: 'GTE' as const, value: '40' },
        { propertyName: 'hubspot_owner_id', operator: 'NOT_HAS_PROPERTY' as const },
      ],
    },
  ],
};

/** Marketing workflows (legacy ids are numbers); one is switched off, as in a real portal. */
export const DEMO_WORKFLOWS: readonly {
  id: number;
  name: string;
  description: string;
  type: WorkflowType;
  enabled: boolean;
  /** Chance that a contact in a stage is enrolled. */
  share: (stage: string) => number;
}[] = [
  {
    id: 5_100_001,
    name: 'Newsletter – weekly digest',
    description: 'Weekly product digest for subscribers and leads',
    type: 'DRIP_DELAY',
    enabled: true,
    share: (s) => (['subscriber', 'lead'].includes(s) ? 0.35 : s === 'marketingqualifiedlead' ? 0.2 : 0),
  },
  {
    id: 5_100_002,
    name: 'Nurture – Trial users',
    description: 'Five-email trial nurture that ends with a demo offer',
    type: 'DRIP_DELAY',
    enabled: true,
    share: (s) => (s === 'lead' ? 0.3 : s === 'marketingqualifiedlead' ? 0.45 : 0),
  },
  {
    id: 5_100_003,
    name: 'Webinar follow-up: Q4 Launch',
    description: 'Recording and slides, then a meeting link',
    type: 'STATIC_ANCHOR',
    enabled: true,
    share: (s) => (['lead', 'marketingqualifiedlead', 'salesqualifiedlead'].includes(s) ? 0.15 : 0),
  },
  {
    id: 5_100_004,
    name: 'Re-engagement (paused)',
    description: 'Win-back sequence for cold leads',
    type: 'DRIP_DELAY',
    enabled: false,
    share: (s) => (s === 'lead' ? 0.05 : 0),
  },
];

/** DEMO_COMPANIES' industries as values of HubSpot's company `industry` enumeration. */
const HUBSPOT_INDUSTRY: Record<string, string> = {
  Manufacturing: 'INDUSTRIAL_AUTOMATION',
  Software: 'COMPUTER_SOFTWARE',
  Healthcare: 'HOSPITAL_HEALTH_CARE',
  Logistics: 'LOGISTICS_AND_SUPPLY_CHAIN',
  Retail: 'RETAIL',
  Energy: 'RENEWABLES_ENVIRONMENT',
  'Financial Services': 'FINANCIAL_SERVICES',
  Media: 'ONLINE_MEDIA',
  Education: 'EDUCATION_MANAGEMENT',
};

const STAGE_ORDER: readonly string[] = LIFECYCLE_STAGES.map(([stage]) => stage);

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

/**
 * A demo portal saved before it had `lead_score` gets the property, each contact's score
 * copied from `hubspotscore` as the scoring tool's first sync would write it, so a saved
 * `baton dev` keeps handing over leads under the shipped policy. Sends no webhooks.
 * Returns how many contacts got a score.
 */
export function upgradeDemoState(state: HubSpotState): number {
  if (state.properties.contacts.has(LEAD_SCORE_PROPERTY)) return 0;
  const now = state.now();
  let scored = 0;
  state.quietly(() => {
    state.addProperty('contacts', leadScoreProperty(now));
    for (const contact of [...state.contacts.active()]) {
      const score = contact.properties.hubspotscore;
      if (score === undefined || score === '') continue;
      state.contacts.update(contact, { [LEAD_SCORE_PROPERTY]: score }, now, SCORING_APP_SOURCE);
      scored += 1;
    }
  });
  return scored;
}

/** Empties the state and fills it with the preset. Seeding sends no webhooks. */
export function applyPreset(state: HubSpotState, preset: HubSpotPreset): void {
  state.quietly(() => {
    state.clear();
    if (preset === 'demo') seedDemo(state);
  });
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

  state.addProperty('contacts', leadScoreProperty(now - 400 * DAY));
  const owners = seedOwners(state, now);
  const ownersByRegion = new Map<string, OwnerRecord[]>();
  DEMO_SALES_REPS.forEach((rep, i) => {
    const list = ownersByRegion.get(rep.region) ?? [];
    list.push(owners[i]!);
    ownersByRegion.set(rep.region, list);
  });

  const usedLocals = new Map<string, number>();
  const specs: { createdAt: number; updatedAt: number; values: Record<string, string>; domain: string }[] = [];
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
    const region = DEMO_REGION_OF_COUNTRY[company.country] ?? 'NA';
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
    // The scoring tool started from HubSpot's score and has followed the same activity since.
    values[LEAD_SCORE_PROPERTY] = values.hubspotscore!;
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
    specs.push({ createdAt, updatedAt, values, domain: company.domain });
  }

  const extra = seededRandom(DEMO_EXTRA_SEED);
  const companyIds = seedCompanies(state, now, extra, ownersByRegion, specs);

  // Ids grow with creation time, as they do in HubSpot.
  specs.sort((a, b) => a.createdAt - b.createdAt);
  const contacts = specs.map((s) => state.contacts.insert(s.values, s.updatedAt, s.createdAt, IMPORT_SOURCE));
  contacts.forEach((c, i) => {
    const companyId = companyIds.get(specs[i]!.domain);
    // Primary company and the unlabeled association, as the HubSpot UI creates them.
    if (companyId) state.associations.associate('contacts', c.id, 'companies', companyId, [1, 279]);
    seedHistory(c, extra);
  });

  const share: Record<(typeof DEMO_LISTS)[number]['listId'], (stage: string) => number> = {
    '101': (s) => (['subscriber', 'lead', 'marketingqualifiedlead'].includes(s) ? 0.55 : 0.2),
    '102': () => 0.2,
    '103': (s) => (['lead', 'marketingqualifiedlead'].includes(s) ? 0.35 : 0),
    '104': (s) => (['marketingqualifiedlead', 'salesqualifiedlead', 'opportunity'].includes(s) ? 0.25 : 0.05),
  };
  for (const def of DEMO_LISTS) {
    const createdAt = now - 200 * DAY;
    state.addList({
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
  state.addList({
    ...DEMO_DYNAMIC_LIST,
    objectTypeId: '0-1',
    processingType: 'DYNAMIC',
    createdAt: now - 120 * DAY,
    updatedAt: now - 120 * DAY,
    listVersion: 3,
  });

  for (const w of DEMO_WORKFLOWS) {
    state.workflows.add({
      id: w.id,
      name: w.name,
      description: w.description,
      type: w.type,
      enabled: w.enabled,
      insertedAt: now - 300 * DAY,
      updatedAt: now - 30 * DAY,
    });
    for (const c of contacts) {
      if (extra() < w.share(c.properties.lifecyclestage ?? '')) {
        state.workflows.enroll(w.id, c.id, c.createdAt + Math.floor(extra() * (now - c.createdAt)));
      }
    }
  }
}

/**
 * One company per DEMO_COMPANIES entry, owned by a rep of its region, at the furthest
 * lifecycle stage of its contacts. Returns company ids by domain.
 */
function seedCompanies(
  state: HubSpotState,
  now: number,
  rand: () => number,
  ownersByRegion: ReadonlyMap<string, OwnerRecord[]>,
  contacts: readonly { values: Record<string, string>; domain: string }[],
): Map<string, string> {
  const ids = new Map<string, string>();
  for (const company of DEMO_COMPANIES) {
    const stages = contacts
      .filter((c) => c.domain === company.domain)
      .map((c) => STAGE_ORDER.indexOf(c.values.lifecyclestage ?? ''));
    const furthest = STAGE_ORDER[Math.max(1, ...stages)] ?? 'lead';
    const region = DEMO_REGION_OF_COUNTRY[company.country] ?? 'NA';
    const regionOwners = ownersByRegion.get(region) ?? [];
    const createdAt = now - (300 + Math.floor(rand() * 200)) * DAY;
    const values: Record<string, string> = {
      name: company.name,
      domain: company.domain,
      website: `https://www.${company.domain}`,
      industry: HUBSPOT_INDUSTRY[company.industry] ?? 'COMPUTER_SOFTWARE',
      numberofemployees: String(company.employees),
      annualrevenue: String(company.employees * (80_000 + Math.floor(rand() * 120_000))),
      country: company.country,
      phone: `${DIAL_CODE[company.country] ?? '+1'} 555 ${String(Math.floor(rand() * 10_000)).padStart(4, '0')}`,
      type: furthest === 'customer' ? 'OTHER' : 'PROSPECT',
      lifecyclestage: furthest,
    };
    // Most accounts have an owner already: that is what account affinity in routing uses.
    if (regionOwners.length > 0 && rand() < 0.75)
      values.hubspot_owner_id = regionOwners[Math.floor(rand() * regionOwners.length)]!.id;
    const record = state.companies.insert(
      values,
      createdAt + Math.floor(rand() * (now - createdAt)),
      createdAt,
      IMPORT_SOURCE,
    );
    ids.set(company.domain, record.id);
  }
  return ids;
}

/** Sales reps' changes show in history as CRM_UI with the user as source. */
function userSource(record: CrmRecord): WriteSource {
  const owner = record.properties.hubspot_owner_id;
  const userId = FIRST_USER_ID + (owner ? Number(owner) - FIRST_OWNER_ID : 0);
  return { sourceType: 'CRM_UI', sourceId: `userId:${userId}` };
}

/**
 * Plausible score and lifecycle-stage histories: the stage climbs from subscriber or lead
 * to where the contact is now, the score rises in steps to its current value, all between
 * creation and the last modification. Stage dates follow the same path.
 */
function seedHistory(record: CrmRecord, rand: () => number): void {
  const p = record.properties;
  const start = record.createdAt;
  const span = Math.max(1, record.updatedAt - start);
  const times = (n: number): number[] =>
    Array.from({ length: n }, (_, i) => (i === 0 ? start : start + Math.floor(rand() * span))).sort((a, b) => a - b);
  const isStageDate = (k: string): boolean => /^hs_lifecyclestage_.*_date$/.test(k);
  const rebuilt = new Set(['lifecyclestage', 'hubspotscore', LEAD_SCORE_PROPERTY]);

  // The creation's sets without the values rewritten below; the events then replay them.
  const kept: ChangeSet[] = record.history.map((c) => ({
    ...c,
    values: Object.fromEntries(Object.entries(c.values).filter(([k]) => !rebuilt.has(k) && !isStageDate(k))),
  }));
  const events: ChangeSet[] = [];

  const stage = p.lifecyclestage;
  if (stage) {
    const end = STAGE_ORDER.indexOf(stage);
    const first = end > 0 && rand() < 0.5 ? 0 : Math.min(1, end);
    const path = STAGE_ORDER.slice(first, end + 1);
    const at = times(path.length);
    for (const key of Object.keys(p)) if (isStageDate(key)) delete p[key];
    path.forEach((s, i) => {
      // Marketing automation moves leads up to MQL; sales moves them on from there.
      const source: WriteSource =
        i === 0
          ? IMPORT_SOURCE
          : STAGE_ORDER.indexOf(s) <= 2
            ? { sourceType: 'AUTOMATION_PLATFORM' }
            : userSource(record);
      const dateKey = `hs_lifecyclestage_${s}_date`;
      p[dateKey] = toIso(at[i]!);
      events.push({ at: at[i]!, source, values: { lifecyclestage: s } });
      events.push({ at: at[i]!, source: CALCULATED_SOURCE, values: { [dateKey]: p[dateKey] } });
    });
  }

  const score = Number(p.hubspotscore);
  if (Number.isFinite(score)) {
    const steps = 2 + Math.floor(rand() * 5);
    const at = times(steps);
    let value = Math.min(score, Math.floor(rand() * 15));
    let last: number | undefined;
    for (let i = 0; i < steps; i++) {
      const v = i === steps - 1 ? score : value;
      // HubSpot records a recalculated score only when it changes; the scoring tool writes its copy then too.
      if (v !== last) {
        events.push({ at: at[i]!, source: CALCULATED_SOURCE, values: { hubspotscore: String(v) } });
        if (p[LEAD_SCORE_PROPERTY] !== undefined)
          events.push({ at: at[i]!, source: SCORING_APP_SOURCE, values: { [LEAD_SCORE_PROPERTY]: String(v) } });
      }
      last = v;
      value = Math.min(score, value + 1 + Math.floor(rand() * Math.max(1, (score - value) / 2)));
    }
  }
  // A stable sort keeps a stage before its date when both happened at once.
  events.sort((a, b) => a.at - b.at);
  record.history = [...kept.filter((c) => Object.keys(c.values).length > 0), ...events];
}

function seedOwners(state: HubSpotState, now: number): OwnerRecord[] {
  const teamIds = new Map<string, string>();
  for (const rep of DEMO_SALES_REPS)
    if (!teamIds.has(rep.team)) teamIds.set(rep.team, String(4_200_001 + teamIds.size));
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
