/**
 * Seed data. Every preset has the API integration user the sandbox token belongs to; the
 * demo preset adds the shared sales reps as Users (same emails as the HubSpot owners), an
 * inactive user, a lead queue, Accounts for the demo companies and a few existing Leads.
 * Everything is drawn from `seededRandom`, so two runs produce identical records and ids.
 */
import {
  DEMO_COMPANIES,
  DEMO_FIRST_NAMES,
  DEMO_LAST_NAMES,
  DEMO_REGION_OF_COUNTRY,
  DEMO_SALES_REPS,
  type SalesRep,
  seededRandom,
} from '../demo';
import { LEAD_SOURCES, RATINGS } from './objects';
import type { FieldValue } from './schema';
import type { SalesforceState } from './state';
import { formatDateTime } from './values';

export type Preset = 'demo' | 'empty';

export const INTEGRATION_USER = {
  FirstName: 'Baton',
  LastName: 'Integration',
  Email: 'integration@baton-demo.example',
  Username: 'baton.integration@baton-demo.example',
  Alias: 'baton',
  Title: 'API Integration User',
} as const;

export const INACTIVE_USER = {
  FirstName: 'Victor',
  LastName: 'Alvarez',
  Email: 'victor.alvarez@baton-demo.example',
  Username: 'victor.alvarez@baton-demo.example',
  Alias: 'valva',
  Title: 'Account Executive (left the company)',
} as const;

export const LEAD_QUEUE = {
  Name: 'Unassigned Leads',
  DeveloperName: 'Unassigned_Leads',
  Type: 'Queue',
  Email: 'lead-queue@baton-demo.example',
} as const;

export const DEMO_LEAD_COUNT = 20;

const DAY = 86_400_000;
const SEED = 0x5a1e5f0c;

/** Companies that are leads in Salesforce but have no Account yet. */
const NEW_COMPANIES = [
  {
    name: 'Nimbus Labs',
    domain: 'nimbuslabs.example',
    industry: 'Technology',
    employees: 60,
    country: 'United States',
  },
  {
    name: 'Orchid Travel',
    domain: 'orchidtravel.example',
    industry: 'Hospitality',
    employees: 410,
    country: 'Singapore',
  },
  {
    name: 'Pioneer Freight',
    domain: 'pioneerfreight.example',
    industry: 'Transportation',
    employees: 1800,
    country: 'Germany',
  },
  { name: 'Quartz Insurance', domain: 'quartzins.example', industry: 'Insurance', employees: 2200, country: 'Brazil' },
] as const;

const TITLES = [
  'VP Marketing',
  'Head of Operations',
  'CTO',
  'Procurement Manager',
  'Director of Sales',
  'IT Manager',
  'CFO',
  'Product Lead',
] as const;

function pick<T>(items: readonly T[], random: () => number): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/** Replaces all records with a preset. Returns the id of the API integration user. */
export function seedState(state: SalesforceState, preset: Preset, now: number): string {
  state.clear();
  const at = (daysAgo: number) => formatDateTime(now - daysAgo * DAY);
  const audit = (createdDaysAgo: number, modifiedDaysAgo = createdDaysAgo): Record<string, FieldValue> => ({
    CreatedDate: at(createdDaysAgo),
    LastModifiedDate: at(modifiedDaysAgo),
    SystemModstamp: at(modifiedDaysAgo),
  });
  const ctx = { userId: '', now };

  const apiUserId = state.insertRaw('User', { ...INTEGRATION_USER, IsActive: true, ...audit(400) }, ctx);
  state.apiUserId = apiUserId;
  if (preset === 'empty') return apiUserId;

  const userCtx = { userId: apiUserId, now };
  const random = seededRandom(SEED);
  const repIds = new Map<SalesRep['region'], string[]>();
  for (const rep of DEMO_SALES_REPS) {
    const id = state.insertRaw(
      'User',
      {
        FirstName: rep.firstName,
        LastName: rep.lastName,
        Email: rep.email,
        Username: rep.email,
        Alias: (rep.firstName.charAt(0) + rep.lastName.slice(0, 4)).toLowerCase(),
        Title: 'Account Executive',
        Department: rep.team,
        Division: rep.region,
        IsActive: true,
        ...audit(380),
      },
      userCtx,
    );
    repIds.set(rep.region, [...(repIds.get(rep.region) ?? []), id]);
  }
  state.insertRaw('User', { ...INACTIVE_USER, IsActive: false, ...audit(390, 30) }, userCtx);
  const queueId = state.insertRaw('Group', { ...LEAD_QUEUE, ...audit(380) }, userCtx);

  const ownerFor = (country: string): string => {
    const reps = repIds.get(DEMO_REGION_OF_COUNTRY[country] ?? 'NA') ?? [];
    return reps.length > 0 ? pick(reps, random) : apiUserId;
  };

  // Real orgs hold websites in every spelling; account matching must normalise them.
  const websiteStyles = [
    (d: string) => `https://www.${d}`,
    (d: string) => `www.${d}`,
    (d: string) => d,
    (d: string) => `http://${d}/`,
  ];
  for (const company of DEMO_COMPANIES) {
    const created = 200 + Math.floor(random() * 100);
    state.insertRaw(
      'Account',
      {
        Name: company.name,
        Website: pick(websiteStyles, random)(company.domain),
        Industry: company.industry,
        NumberOfEmployees: company.employees,
        BillingCountry: company.country,
        Type: random() < 0.5 ? 'Customer - Direct' : 'Prospect',
        OwnerId: ownerFor(company.country),
        ...audit(created, Math.floor(random() * created)),
      },
      userCtx,
    );
  }

  const companies = [...DEMO_COMPANIES, ...NEW_COMPANIES];
  const usedEmails = new Set<string>();
  for (let i = 0; i < DEMO_LEAD_COUNT; i++) {
    const first = pick(DEMO_FIRST_NAMES, random);
    const last = pick(DEMO_LAST_NAMES, random);
    const company = pick(companies, random);
    // "f.last@domain": a different local part from the HubSpot demo contacts (first.last@…).
    let email = `${first.charAt(0)}.${last}@${company.domain}`.toLowerCase();
    for (let n = 2; usedEmails.has(email); n++)
      email = `${first.charAt(0)}.${last}${n}@${company.domain}`.toLowerCase();
    usedEmails.add(email);
    const created = 1 + Math.floor(random() * 60);
    const modified = Math.floor(random() * created);
    const queued = random() < 0.1;
    state.insertRaw(
      'Lead',
      {
        FirstName: first,
        LastName: last,
        Company: company.name,
        Email: email,
        Title: pick(TITLES, random),
        Country: company.country,
        Industry: company.industry,
        NumberOfEmployees: company.employees,
        Website: company.domain,
        LeadSource: pick(LEAD_SOURCES, random),
        Status: random() < 0.6 ? 'Open - Not Contacted' : 'Working - Contacted',
        Rating: pick(RATINGS, random),
        OwnerId: queued ? queueId : ownerFor(company.country),
        ...audit(created, modified),
      },
      userCtx,
    );
  }
  return apiUserId;
}
