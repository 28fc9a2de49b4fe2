import type { Client as HubSpotClient } from '@hubspot/api-client';
import type { Connection } from 'jsforce';
import type { RecordOutcome } from '../../src/sync';
import { parseObjectMapping, type ObjectMapping } from '../../src/config/mapping-file';
import type { Store } from '../../src/store';
import { syncOnce } from '../../src/sync/once';
import { startCrmStack, type CrmStack } from './stack';

/**
 * What the tests of records that change identity (conversions, deletions, merges) share:
 * both sandboxes on one clock half an hour behind the real one, so every record is inside
 * the window a cycle reads (which ends at the real now), and the clock can be moved a
 * minute on: Salesforce reports a deletion only once the minute it happened is over.
 */
let bump = 0;
export const lifecycleClock = (): number => Date.now() - 30 * 60_000 + bump;
export function nextMinute(): void {
  bump += 61_000;
}

/** A mapping file of contacts to Leads with every direction and conflict rule, plus the lifecycle keys given. */
export function lifecycleYaml(lifecycle: string): string {
  return `name: lifecycle
hubspot: { object: contacts }
salesforce: { object: Lead }
match: { hubspot: email, salesforce: Email }
${lifecycle}
fields:
  - { hubspot: email, salesforce: Email, direction: to_salesforce, transforms: [trim, lowercase] }
  - { hubspot: firstname, salesforce: FirstName, direction: both, conflict: last_write_wins }
  - { hubspot: lastname, salesforce: LastName, direction: both, conflict: last_write_wins, default: "[not provided]" }
  - { hubspot: company, salesforce: Company, direction: both, conflict: salesforce_wins, default: "[not provided]" }
  - { hubspot: jobtitle, salesforce: Title, direction: both, conflict: hubspot_wins }
  - { hubspot: city, salesforce: City, direction: both, conflict: last_write_wins }
`;
}

export function lifecycleMapping(lifecycle: string): ObjectMapping {
  const { mapping, problems } = parseObjectMapping(lifecycleYaml(lifecycle), 'lifecycle.yaml');
  if (!mapping) throw new Error(problems.map((p) => p.message).join('\n'));
  return mapping;
}

export type LifecycleRow = {
  Id: string;
  Email: string | null;
  FirstName: string | null;
  Title: string | null;
  City?: string | null;
  MailingCity?: string | null;
  IsConverted?: boolean;
};

export interface LifecycleHarness {
  readonly stack: CrmStack;
  readonly hubspot: HubSpotClient;
  readonly salesforce: Connection;
  readonly store: Store;
  /** One `baton sync --once` cycle: its result, each record's outcome, and how many writes it made. */
  cycle(
    mapping: ObjectMapping,
    dryRun?: boolean,
  ): Promise<{ result: Awaited<ReturnType<typeof syncOnce>>; outcomes: RecordOutcome[]; writes: number }>;
  createContact(email: string, properties?: Record<string, string>): Promise<string>;
  leadsWith(email: string): Promise<LifecycleRow[]>;
  contactsWith(email: string): Promise<LifecycleRow[]>;
  hubspotWith(
    email: string,
  ): Promise<Awaited<ReturnType<HubSpotClient['crm']['contacts']['batchApi']['read']>>['results']>;
  isArchived(id: string): Promise<boolean>;
  linkOf(
    mapping: ObjectMapping,
    hubspotId: string,
  ): Promise<Awaited<ReturnType<Store['links']['findByHubSpotIds']>>[number] | undefined>;
  /** A linked pair: a HubSpot contact and the Lead the first cycle creates for it. */
  linkedPair(mapping: ObjectMapping, email: string): Promise<{ hubspotId: string; leadId: string }>;
}

/** Fresh sandboxes (on the lifecycle clock) and store for each test of the calling file. */
export function lifecycleHarness(): LifecycleHarness {
  let stack: CrmStack | undefined;
  const current = (): CrmStack => {
    if (!stack) throw new Error('the lifecycle stack runs only inside a test');
    return stack;
  };
  beforeEach(async () => {
    stack = await startCrmStack({ hubspot: { now: lifecycleClock }, salesforce: { now: lifecycleClock } });
  });
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  const h: LifecycleHarness = {
    get stack() {
      return current();
    },
    get hubspot() {
      return current().hubspot;
    },
    get salesforce() {
      return current().salesforce;
    },
    get store() {
      return current().store;
    },
    async cycle(mapping, dryRun = false) {
      const outcomes: RecordOutcome[] = [];
      const { hubspot, salesforce, store } = current();
      const result = await syncOnce({ hubspot, salesforce, store }, mapping, {
        searchLagMs: 0,
        dryRun,
        onRecord: (o) => outcomes.push(o),
      });
      const writes =
        result.to_salesforce.created +
        result.to_salesforce.updated +
        result.to_hubspot.created +
        result.to_hubspot.updated;
      return { result, outcomes, writes };
    },
    async createContact(email, properties = {}) {
      const made = await current().hubspot.crm.contacts.basicApi.create({
        properties: {
          email,
          firstname: 'Ann',
          lastname: 'Lee',
          company: 'Acme',
          jobtitle: 'CTO',
          city: 'Paris',
          ...properties,
        },
        associations: [],
      });
      return made.id;
    },
    async leadsWith(email) {
      return (
        await current()
          .salesforce.query<LifecycleRow>(
            `SELECT Id, Email, FirstName, Title, City, IsConverted FROM Lead WHERE Email = '${email}'`,
          )
          .execute()
      ).records;
    },
    async contactsWith(email) {
      return (
        await current()
          .salesforce.query<LifecycleRow>(
            `SELECT Id, Email, FirstName, Title, MailingCity FROM Contact WHERE Email = '${email}'`,
          )
          .execute()
      ).records;
    },
    async hubspotWith(email) {
      const page = await current().hubspot.crm.contacts.batchApi.read({
        idProperty: 'email',
        inputs: [{ id: email }],
        properties: ['firstname', 'jobtitle', 'company', 'city'],
        propertiesWithHistory: [],
      });
      return page.results;
    },
    async isArchived(id) {
      return (
        (
          await current().hubspot.crm.contacts.batchApi.read(
            { inputs: [{ id }], properties: [], propertiesWithHistory: [] },
            true,
          )
        ).results.length === 1
      );
    },
    async linkOf(mapping, hubspotId) {
      return (await current().store.links.findByHubSpotIds(mapping.name, [hubspotId]))[0];
    },
    async linkedPair(mapping, email) {
      const hubspotId = await h.createContact(email);
      await h.cycle(mapping);
      const [lead] = await h.leadsWith(email);
      if (!lead) throw new Error('no Lead was created');
      expect(await h.linkOf(mapping, hubspotId)).toMatchObject({ salesforceObject: 'Lead', salesforceId: lead.Id });
      return { hubspotId, leadId: lead.Id };
    },
  };
  return h;
}
