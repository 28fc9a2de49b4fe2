/**
 * The HubSpot sandbox beyond contacts: companies, property history, associations, lists
 * that campaigns run on, legacy workflow enrollments, owners paging, and persistence of it
 * all. Driven through the official client, as Baton's adapter drives HubSpot.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@hubspot/api-client';
import { AssociationSpecAssociationCategoryEnum } from '@hubspot/api-client/lib/codegen/crm/associations/v4/models/all';
import { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/companies/models/all';
import {
  PropertyCreateFieldTypeEnum,
  PropertyCreateTypeEnum,
} from '@hubspot/api-client/lib/codegen/crm/properties/models/all';
import { DEMO_COMPANIES, DEMO_CONTACT_COUNT, DEMO_SALES_REPS } from '../../src/demo';
import { DEMO_DYNAMIC_LIST, DEMO_WORKFLOWS, startHubSpotSandbox, type RunningHubSpotSandbox } from '../../src/hubspot';
import { LIFECYCLE_STAGES } from '../../src/hubspot/properties';

const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const STAGES: string[] = LIFECYCLE_STAGES.map(([s]) => s);

let clock = T0;
let sandbox: RunningHubSpotSandbox;
let client: Client;

interface History {
  value: string;
  timestamp: string;
  sourceType: string;
  sourceId?: string;
}

async function raw(
  method: string,
  urlPath: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await client.apiRequest({ method, path: urlPath, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** `propertiesWithHistory` of one record, read as the client returns it (timestamps as Dates). */
async function historyOf(
  type: 'contacts' | 'companies',
  id: string,
  names: string[],
): Promise<Record<string, History[]>> {
  const res = await raw('GET', `/crm/v3/objects/${type}/${id}?propertiesWithHistory=${names.join(',')}`);
  expect(res.status).toBe(200);
  return res.json.propertiesWithHistory as Record<string, History[]>;
}

async function allContacts(properties: string[]): Promise<{ id: string; properties: Record<string, string | null> }[]> {
  const out: { id: string; properties: Record<string, string | null> }[] = [];
  let after: string | undefined;
  do {
    const page = await client.crm.contacts.basicApi.getPage(100, after, properties);
    out.push(...page.results);
    after = page.paging?.next?.after;
  } while (after);
  return out;
}

beforeAll(async () => {
  sandbox = await startHubSpotSandbox({ now: () => clock });
  client = new Client({ accessToken: sandbox.accessToken, basePath: sandbox.url, numberOfApiCallRetries: 0 });
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(async () => {
  clock = T0;
  expect((await raw('POST', '/__sandbox/seed', { preset: 'demo' })).status).toBe(200);
});

describe('companies', () => {
  it('demo: one company per demo company, with HubSpot industry values and existing owners', async () => {
    const page = await client.crm.companies.basicApi.getPage(100, undefined, [
      'name',
      'domain',
      'industry',
      'numberofemployees',
      'country',
      'hubspot_owner_id',
      'lifecyclestage',
    ]);
    expect(page.results.map((c) => c.properties.domain).sort()).toEqual(DEMO_COMPANIES.map((c) => c.domain).sort());
    const industries = (await client.crm.properties.coreApi.getByName('companies', 'industry')).options.map(
      (o) => o.value,
    );
    const owners = new Set((await client.crm.owners.ownersApi.getPage()).results.map((o) => o.id));
    for (const c of page.results) {
      const demo = DEMO_COMPANIES.find((d) => d.domain === c.properties.domain)!;
      expect(c.properties).toMatchObject({
        name: demo.name,
        numberofemployees: String(demo.employees),
        country: demo.country,
      });
      expect(industries).toContain(c.properties.industry);
      if (c.properties.hubspot_owner_id) expect(owners.has(c.properties.hubspot_owner_id)).toBe(true);
      expect(STAGES).toContain(c.properties.lifecyclestage);
    }
    expect(page.results.filter((c) => c.properties.hubspot_owner_id).length).toBeGreaterThan(DEMO_COMPANIES.length / 2);
  });

  it('demo: every contact is associated with the company of its email domain, as primary', async () => {
    const companies = (await client.crm.companies.basicApi.getPage(100, undefined, ['domain'])).results;
    const byDomain = new Map(companies.map((c) => [c.properties.domain!, c.id]));
    const contacts = await allContacts(['email']);
    expect(contacts).toHaveLength(DEMO_CONTACT_COUNT);
    for (const c of contacts.slice(0, 25)) {
      const assoc = await client.crm.associations.v4.basicApi.getPage('contacts', c.id, 'companies');
      expect(assoc.results).toHaveLength(1);
      expect(assoc.results[0]!.toObjectId).toBe(byDomain.get(c.properties.email!.split('@')[1]!));
      expect(assoc.results[0]!.associationTypes.map((t) => [t.typeId, t.label ?? null])).toEqual([
        [1, 'Primary'],
        [279, null],
      ]);
    }
    const company = companies[0]!;
    const members = await client.crm.associations.v4.basicApi.getPage(
      'companies',
      company.id,
      'contacts',
      undefined,
      500,
    );
    expect(members.results.length).toBe(
      contacts.filter((c) => c.properties.email!.endsWith(`@${company.properties.domain}`)).length,
    );
    expect(members.results[0]!.associationTypes.map((t) => t.typeId)).toEqual([2, 280]);
  });

  it('searches by hs_lastmodifieddate, and HubSpot allows two companies on one domain', async () => {
    clock = T0 + 1000;
    const a = await client.crm.companies.basicApi.create({
      properties: { name: 'Twin A', domain: 'twin.example' },
      associations: [],
    });
    const b = await client.crm.companies.basicApi.create({
      properties: { name: 'Twin B', domain: 'twin.example' },
      associations: [],
    });
    expect(a.properties.hs_lastmodifieddate).toBe('2026-03-02T09:00:01.000Z');
    expect(a.properties).not.toHaveProperty('lastmodifieddate');
    const found = await client.crm.companies.searchApi.doSearch({
      filterGroups: [
        {
          filters: [
            { propertyName: 'hs_lastmodifieddate', operator: FilterOperatorEnum.Gte, value: String(T0 + 1000) },
          ],
        },
      ],
      sorts: ['hs_lastmodifieddate'],
      properties: ['name'],
      limit: 10,
    });
    expect(found.results.map((r) => r.id)).toEqual([a.id, b.id]);
    const byQuery = await client.crm.companies.searchApi.doSearch({ query: 'twin', limit: 10 });
    expect(byQuery.total).toBe(2);
  });

  it('validates company values against the company property definitions', async () => {
    const ok = await client.crm.companies.basicApi.create({
      properties: { name: 'Numbers Co', numberofemployees: '12', annualrevenue: '1000000.5', type: 'PARTNER' },
      associations: [],
    });
    expect(ok.properties).toMatchObject({ numberofemployees: '12', type: 'PARTNER' });
    const invalid: Record<string, string>[] = [
      { numberofemployees: 'many' },
      { type: 'FRIEND' },
      { email: 'x@example.org' },
      { hs_lastmodifieddate: '2026-01-01' },
    ];
    for (const properties of invalid) {
      await expect(client.crm.companies.basicApi.create({ properties, associations: [] })).rejects.toMatchObject({
        code: 400,
      });
    }
  });
});

describe('property history', () => {
  it('demo: scores rise to the current value and stages climb the funnel, newest first', async () => {
    const contacts = await allContacts(['hubspotscore', 'lifecyclestage', 'createdate']);
    let multiStage = 0;
    for (const c of contacts.slice(0, 60)) {
      const h = await historyOf('contacts', c.id, [
        'hubspotscore',
        'lifecyclestage',
        `hs_lifecyclestage_${c.properties.lifecyclestage}_date`,
      ]);
      const score = h.hubspotscore!;
      expect(score.length).toBeGreaterThanOrEqual(1);
      expect(score[0]!.value).toBe(c.properties.hubspotscore);
      const values = score.map((e) => Number(e.value));
      expect([...values].sort((x, y) => y - x)).toEqual(values);
      const times = score.map((e) => Date.parse(e.timestamp));
      expect([...times].sort((x, y) => y - x)).toEqual(times);
      expect(score.every((e) => e.sourceType === 'CALCULATED')).toBe(true);

      const stages = h.lifecyclestage!;
      expect(stages[0]!.value).toBe(c.properties.lifecyclestage);
      const order = stages.map((e) => STAGES.indexOf(e.value));
      expect([...order].sort((x, y) => y - x)).toEqual(order);
      expect(stages[stages.length - 1]!.timestamp).toBe(c.properties.createdate);
      if (stages.length > 1) multiStage++;
      // The stage's date is when the contact entered it.
      expect(h[`hs_lifecyclestage_${c.properties.lifecyclestage}_date`]![0]!.value).toBe(stages[0]!.timestamp);
    }
    expect(multiStage).toBeGreaterThan(10);
  });

  it("demo: the custom lead_score follows HubSpot's score, written by the scoring app, and the API may write it", async () => {
    const definition = await client.crm.properties.coreApi.getByName('contacts', 'lead_score');
    expect(definition).toMatchObject({
      type: 'number',
      fieldType: 'number',
      label: 'Lead score',
      hubspotDefined: false,
      calculated: false,
    });
    expect(definition.modificationMetadata?.readOnlyValue).toBe(false);

    const contacts = await allContacts(['hubspotscore', 'lead_score']);
    expect(contacts.every((c) => c.properties.lead_score === c.properties.hubspotscore)).toBe(true);
    for (const c of contacts.slice(0, 30)) {
      const h = await historyOf('contacts', c.id, ['hubspotscore', 'lead_score']);
      expect(h.lead_score!.map((e) => [e.value, e.timestamp])).toEqual(
        h.hubspotscore!.map((e) => [e.value, e.timestamp]),
      );
      expect(h.lead_score!.every((e) => e.sourceType === 'INTEGRATION' && e.sourceId === '2417309')).toBe(true);
    }

    const first = contacts[0]!;
    clock = T0 + 500;
    const raised = await client.crm.contacts.basicApi.update(first.id, { properties: { lead_score: '88' } });
    expect(raised.properties.lead_score).toBe('88');
    expect((await historyOf('contacts', first.id, ['lead_score'])).lead_score![0]).toMatchObject({
      value: '88',
      sourceType: 'INTEGRATION',
    });
    await expect(
      client.crm.contacts.basicApi.update(first.id, { properties: { hubspotscore: '88' } }),
    ).rejects.toMatchObject({ code: 400 });
    await expect(
      client.crm.contacts.basicApi.update(first.id, { properties: { lead_score: 'high' } }),
    ).rejects.toMatchObject({ code: 400 });
  });

  it('records every write: value, time, source; clears as ""; no entry for a no-op', async () => {
    await raw('POST', '/__sandbox/seed', { preset: 'empty' });
    clock = T0 + 1000;
    const c = await client.crm.contacts.basicApi.create({
      properties: { email: 'h@example.org', lifecyclestage: 'lead', hs_lead_status: 'NEW' },
      associations: [],
    });
    clock = T0 + 2000;
    await client.crm.contacts.basicApi.update(c.id, {
      properties: { lifecyclestage: 'marketingqualifiedlead', hs_lead_status: '' },
    });
    clock = T0 + 3000;
    await client.crm.contacts.batchApi.update({
      inputs: [{ id: c.id, properties: { lifecyclestage: 'marketingqualifiedlead', hs_lead_status: 'OPEN' } }],
    });
    // HubSpot computes the score itself; the sandbox state stands in for that.
    clock = T0 + 4000;
    sandbox.state.contacts.update(sandbox.state.contacts.get(c.id)!, { hubspotscore: '55' }, clock, {
      sourceType: 'CALCULATED',
    });

    const h = await historyOf('contacts', c.id, [
      'lifecyclestage',
      'hs_lead_status',
      'hubspotscore',
      'hs_email_domain',
      'jobtitle',
      'createdate',
      'lastmodifieddate',
      'nope',
    ]);
    const at = (ms: number) => new Date(T0 + ms).toISOString();
    const api = { sourceType: 'INTEGRATION', sourceId: expect.stringMatching(/^\d+$/) };
    expect(h.lifecyclestage).toEqual([
      { value: 'marketingqualifiedlead', timestamp: at(2000), ...api },
      { value: 'lead', timestamp: at(1000), ...api },
    ]);
    expect(h.hs_lead_status).toEqual([
      { value: 'OPEN', timestamp: at(3000), ...api },
      { value: '', timestamp: at(2000), ...api },
      { value: 'NEW', timestamp: at(1000), ...api },
    ]);
    expect(h.hubspotscore).toEqual([{ value: '55', timestamp: at(4000), sourceType: 'CALCULATED' }]);
    expect(h.hs_email_domain).toEqual([{ value: 'example.org', timestamp: at(1000), sourceType: 'CALCULATED' }]);
    expect(h.jobtitle).toEqual([]);
    expect(h.createdate).toEqual([{ value: at(1000), timestamp: at(1000), sourceType: 'CALCULATED' }]);
    expect(h.lastmodifieddate).toEqual([{ value: at(4000), timestamp: at(4000), sourceType: 'CALCULATED' }]);
    expect(h).not.toHaveProperty('nope');
  });

  it('batch read with history: at most 50 inputs; the list endpoint pages 50 at a time', async () => {
    const ids = (await allContacts([])).map((c) => c.id);
    const read = await client.crm.contacts.batchApi.read({
      inputs: ids.slice(0, 50).map((id) => ({ id })),
      properties: ['hubspotscore'],
      propertiesWithHistory: ['hubspotscore'],
    });
    expect(read.results).toHaveLength(50);
    for (const r of read.results)
      expect(r.propertiesWithHistory?.hubspotscore?.[0]?.value).toBe(r.properties.hubspotscore);
    await expect(
      client.crm.contacts.batchApi.read({
        inputs: ids.slice(0, 51).map((id) => ({ id })),
        properties: [],
        propertiesWithHistory: ['hubspotscore'],
      }),
    ).rejects.toMatchObject({ code: 400 });
    const page = await client.crm.contacts.basicApi.getPage(100, undefined, undefined, ['lifecyclestage']);
    expect(page.results).toHaveLength(50);
    expect(page.results[0]!.propertiesWithHistory?.lifecyclestage?.length).toBeGreaterThan(0);
  });
});

describe('associations', () => {
  it('made on create, read in v3 style, and removed with either record', async () => {
    const company = await client.crm.companies.basicApi.create({ properties: { name: 'Assoc Co' }, associations: [] });
    const contact = await client.crm.contacts.basicApi.create({
      properties: { email: 'a@assoc.example' },
      associations: [
        {
          to: { id: company.id },
          types: [
            { associationCategory: AssociationSpecAssociationCategoryEnum.HubspotDefined, associationTypeId: 279 },
          ],
        },
      ],
    });
    const withAssoc = await client.crm.contacts.basicApi.getById(contact.id, undefined, undefined, ['companies']);
    expect(withAssoc.associations?.companies?.results).toEqual([
      { id: company.id, type: 'contact_to_company_unlabeled' },
    ]);
    const back = await client.crm.companies.basicApi.getById(company.id, undefined, undefined, ['contacts']);
    expect(back.associations?.contacts?.results).toEqual([{ id: contact.id, type: 'company_to_contact_unlabeled' }]);

    await client.crm.companies.basicApi.archive(company.id);
    expect((await client.crm.associations.v4.basicApi.getPage('contacts', contact.id, 'companies')).results).toEqual(
      [],
    );

    await expect(
      client.crm.contacts.basicApi.create({
        properties: { email: 'b@assoc.example' },
        associations: [
          {
            to: { id: company.id },
            types: [
              { associationCategory: AssociationSpecAssociationCategoryEnum.HubspotDefined, associationTypeId: 279 },
            ],
          },
        ],
      }),
    ).rejects.toMatchObject({ code: 400 });
    // Nothing was created by the refused request.
    expect((await client.crm.contacts.searchApi.doSearch({ query: 'b@assoc.example' })).total).toBe(0);
  });
});

describe('lists as marketing campaigns', () => {
  it('demo: MANUAL campaign lists and an active DYNAMIC one, told apart by processingType', async () => {
    const all = await client.crm.lists.listsApi.getAll();
    const byType = (t: string) => all.lists.filter((l) => l.processingType === t).map((l) => l.name);
    expect(byType('MANUAL')).toEqual(
      expect.arrayContaining(['Newsletter', 'Webinar: Q4 Launch', 'Nurture – Trial users', 'Event: Field Summit']),
    );
    expect(byType('DYNAMIC')).toEqual([DEMO_DYNAMIC_LIST.name]);
    const dynamic = all.lists.find((l) => l.processingType === 'DYNAMIC')!;
    expect(dynamic.size).toBeGreaterThan(0);
  });

  it('a DYNAMIC list follows its filters: assigning an owner takes a lead out of the campaign', async () => {
    const members = await client.crm.lists.membershipsApi.getPage(DEMO_DYNAMIC_LIST.listId, undefined, undefined, 250);
    const leadId = members.results[0]!.recordId;
    const lead = await client.crm.contacts.basicApi.getById(leadId, [
      'hubspotscore',
      'lifecyclestage',
      'hubspot_owner_id',
    ]);
    expect(Number(lead.properties.hubspotscore)).toBeGreaterThanOrEqual(40);
    expect(lead.properties.hubspot_owner_id).toBeNull();

    const owner = (await client.crm.owners.ownersApi.getPage()).results[0]!;
    await client.crm.contacts.basicApi.update(leadId, { properties: { hubspot_owner_id: owner.id } });
    const memberships = await client.crm.lists.membershipsApi.getLists('0-1', leadId);
    expect(memberships.results.map((m) => m.listId)).not.toContain(DEMO_DYNAMIC_LIST.listId);
    await client.crm.contacts.basicApi.update(leadId, { properties: { hubspot_owner_id: '' } });
    expect((await client.crm.lists.membershipsApi.getLists('0-1', leadId)).results.map((m) => m.listId)).toContain(
      DEMO_DYNAMIC_LIST.listId,
    );
    // Manual changes to an active list are refused.
    await expect(client.crm.lists.membershipsApi.remove(DEMO_DYNAMIC_LIST.listId, [leadId])).rejects.toMatchObject({
      code: 400,
    });
  });

  it('admin: DYNAMIC lists on a suppression property; API: MANUAL lists and search by name', async () => {
    await client.crm.properties.coreApi.create('contacts', {
      name: 'baton_suppressed',
      label: 'Suppressed by Baton',
      type: PropertyCreateTypeEnum.Bool,
      fieldType: PropertyCreateFieldTypeEnum.Booleancheckbox,
      groupName: 'contactinformation',
    });
    const created = await raw('POST', '/__sandbox/lists', {
      name: 'Campaign: spring promo',
      processingType: 'DYNAMIC',
      filterGroups: [
        {
          filters: [
            { propertyName: 'lifecyclestage', operator: 'EQ', value: 'lead' },
            { propertyName: 'baton_suppressed', operator: 'NEQ', value: 'true' },
          ],
        },
      ],
    });
    expect(created.status).toBe(201);
    const listId = created.json.listId as string;
    const before = created.json.size as number;
    expect(before).toBeGreaterThan(0);
    const first = (await client.crm.lists.membershipsApi.getPage(listId)).results[0]!.recordId;
    await client.crm.contacts.basicApi.update(first, { properties: { baton_suppressed: 'true' } });
    expect((await client.crm.lists.listsApi.getById(listId)).list.size).toBe(before - 1);

    const manual = await client.crm.lists.listsApi.create({
      name: 'Baton: handed over',
      objectTypeId: '0-1',
      processingType: 'MANUAL',
    });
    expect(manual.list).toMatchObject({ processingType: 'MANUAL', size: 0 });
    const search = await client.crm.lists.listsApi.doSearch({ query: 'campaign', count: 10, offset: 0 });
    expect(search.lists.map((l) => [l.name, l.processingType, l.additionalProperties.hs_list_size])).toEqual([
      ['Campaign: spring promo', 'DYNAMIC', String(before - 1)],
    ]);
    expect(search).toMatchObject({ total: 1, hasMore: false });
    expect(
      (await raw('POST', '/__sandbox/lists', { name: 'x', processingType: 'MANUAL', filterGroups: [] })).status,
    ).toBe(400);
    await expect(
      client.crm.lists.listsApi.create({ name: 'Dyn', objectTypeId: '0-1', processingType: 'DYNAMIC' }),
    ).rejects.toMatchObject({ code: 400 });
  });

  it('a deleted contact leaves every list', async () => {
    const inList = (await client.crm.lists.membershipsApi.getPage('101', undefined, undefined, 1)).results[0]!.recordId;
    await client.crm.contacts.basicApi.archive(inList);
    expect((await client.crm.lists.membershipsApi.getLists('0-1', inList)).results).toEqual([]);
  });
});

describe('legacy workflow enrollments', () => {
  it('demo: the marketing workflows, with contacts enrolled in the enabled ones', async () => {
    const list = await raw('GET', '/automation/v2/workflows');
    const workflows = list.json.workflows as { id: number; name: string; enabled: boolean; type: string }[];
    expect(workflows.map((w) => w.name)).toEqual(DEMO_WORKFLOWS.map((w) => w.name));
    expect(workflows.filter((w) => !w.enabled)).toHaveLength(1);
    const contacts = await allContacts(['lifecyclestage']);
    const enrolledIn = new Map<number, number>();
    for (const c of contacts) {
      const res = await raw('GET', `/automation/v2/workflows/enrollments/contacts/${c.id}`);
      for (const w of res.json as unknown as { id: number }[]) enrolledIn.set(w.id, (enrolledIn.get(w.id) ?? 0) + 1);
    }
    for (const w of workflows.filter((x) => x.enabled)) expect(enrolledIn.get(w.id) ?? 0).toBeGreaterThan(0);
  });

  it('unenroll is 204 once, then 404; an archived contact leaves its workflows', async () => {
    const nurture = DEMO_WORKFLOWS[1]!;
    const contacts = await allContacts(['email']);
    let enrolled: { id: string; email: string } | undefined;
    for (const c of contacts) {
      const res = await raw('GET', `/automation/v2/workflows/enrollments/contacts/${c.id}`);
      if ((res.json as unknown as { id: number }[]).some((w) => w.id === nurture.id)) {
        enrolled = { id: c.id, email: c.properties.email! };
        break;
      }
    }
    expect(enrolled).toBeDefined();
    const path_ = `/automation/v2/workflows/${nurture.id}/enrollments/contacts/${encodeURIComponent(enrolled!.email)}`;
    expect((await raw('DELETE', path_)).status).toBe(204);
    expect((await raw('DELETE', path_)).status).toBe(404);
    expect((await raw('POST', path_)).status).toBe(204);
    await client.crm.contacts.basicApi.archive(enrolled!.id);
    expect((await raw('GET', `/automation/v2/workflows/enrollments/contacts/${enrolled!.id}`)).json).toEqual([]);

    const made = await raw('POST', '/__sandbox/workflows', { name: 'Sandbox-made nurture' });
    expect(made.status).toBe(201);
    expect(made.json).toMatchObject({ name: 'Sandbox-made nurture', enabled: true, type: 'DRIP_DELAY' });
  });
});

describe('owners', () => {
  it('pages with the after cursor through every owner exactly once', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await client.crm.owners.ownersApi.getPage(undefined, after, 3, false);
      seen.push(...page.results.map((o) => o.email!));
      after = page.paging?.next?.after;
      if (after) expect(page.paging?.next?.link).toContain(`after=${after}`);
      pages++;
    } while (after);
    expect(seen).toEqual(DEMO_SALES_REPS.map((r) => r.email));
    expect(pages).toBe(Math.ceil(DEMO_SALES_REPS.length / 3));
    const byEmail = await client.crm.owners.ownersApi.getPage(DEMO_SALES_REPS[2]!.email.toUpperCase());
    expect(byEmail.results.map((o) => o.email)).toEqual([DEMO_SALES_REPS[2]!.email]);
  });
});

describe('persistence of the wider state', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hubspot-surface-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('keeps companies, associations, histories, workflows and dynamic lists across a restart', async () => {
    const file = path.join(dir, 'hubspot.json');
    const first = await startHubSpotSandbox({ stateFile: file, preset: 'demo' });
    const c1 = new Client({ accessToken: first.accessToken, basePath: first.url, numberOfApiCallRetries: 0 });
    const contact = (await c1.crm.contacts.basicApi.getPage(1)).results[0]!;
    await c1.crm.contacts.basicApi.update(contact.id, { properties: { lifecyclestage: 'other' } });
    const before = {
      history: (await c1.crm.contacts.basicApi.getById(contact.id, undefined, ['lifecyclestage', 'hubspotscore']))
        .propertiesWithHistory,
      companies: (await c1.crm.associations.v4.basicApi.getPage('contacts', contact.id, 'companies')).results,
      lists: (await c1.crm.lists.listsApi.getAll()).lists.map((l) => [l.listId, l.processingType, l.size]),
      enrollments: await (
        await c1.apiRequest({ method: 'GET', path: `/automation/v2/workflows/enrollments/contacts/${contact.id}` })
      ).json(),
    };
    await first.close();

    const second = await startHubSpotSandbox({ stateFile: file, preset: 'empty' });
    try {
      const c2 = new Client({ accessToken: second.accessToken, basePath: second.url, numberOfApiCallRetries: 0 });
      expect(
        (await c2.crm.contacts.basicApi.getById(contact.id, undefined, ['lifecyclestage', 'hubspotscore']))
          .propertiesWithHistory,
      ).toEqual(before.history);
      expect((await c2.crm.associations.v4.basicApi.getPage('contacts', contact.id, 'companies')).results).toEqual(
        before.companies,
      );
      expect((await c2.crm.lists.listsApi.getAll()).lists.map((l) => [l.listId, l.processingType, l.size])).toEqual(
        before.lists,
      );
      expect(
        await (
          await c2.apiRequest({ method: 'GET', path: `/automation/v2/workflows/enrollments/contacts/${contact.id}` })
        ).json(),
      ).toEqual(before.enrollments);
      expect((await c2.crm.companies.basicApi.getPage(100)).results).toHaveLength(DEMO_COMPANIES.length);
      const next = await c2.crm.companies.basicApi.create({ properties: { name: 'After restart' }, associations: [] });
      expect(Number(next.id)).toBeGreaterThan(5_000_000 + DEMO_COMPANIES.length);
    } finally {
      await second.close();
    }
  });

  it('loads a state file written before companies existed', async () => {
    const file = path.join(dir, 'old.json');
    const old = {
      version: 1,
      objects: {
        contacts: {
          nextId: 1002,
          records: [
            {
              id: '1001',
              properties: { email: 'old@example.org', hs_object_id: '1001' },
              createdAt: T0,
              updatedAt: T0,
              archived: false,
            },
          ],
        },
      },
      customProperties: { contacts: [] },
      owners: [],
      lists: [],
      memberships: {},
    };
    await fs.writeFile(file, JSON.stringify(old));
    const sb = await startHubSpotSandbox({ stateFile: file });
    try {
      const c = new Client({ accessToken: sb.accessToken, basePath: sb.url, numberOfApiCallRetries: 0 });
      const read = await c.crm.contacts.basicApi.getById('1001', ['email'], ['email']);
      expect(read.properties.email).toBe('old@example.org');
      expect(read.propertiesWithHistory?.email).toEqual([]);
      expect((await c.crm.companies.basicApi.getPage()).results).toEqual([]);
    } finally {
      await sb.close();
    }
  });

  it('gives a demo portal saved before lead_score existed the property, scored from hubspotscore, and keeps it', async () => {
    const file = path.join(dir, 'hubspot.json');
    const first = await startHubSpotSandbox({ stateFile: file, preset: 'demo' });
    await first.close();
    // The file as an older Baton saved it: no lead_score definition, no values, no history.
    type Saved = {
      customProperties: { contacts: { name: string }[] };
      objects: {
        contacts: { records: { properties: Record<string, string>; history: { values: Record<string, string> }[] }[] };
      };
    };
    const old = JSON.parse(await fs.readFile(file, 'utf8')) as Saved;
    old.customProperties.contacts = old.customProperties.contacts.filter((p) => p.name !== 'lead_score');
    for (const r of old.objects.contacts.records) {
      delete r.properties.lead_score;
      for (const h of r.history) delete h.values.lead_score;
    }
    await fs.writeFile(file, JSON.stringify(old));

    const second = await startHubSpotSandbox({ stateFile: file });
    try {
      const c = new Client({ accessToken: second.accessToken, basePath: second.url, numberOfApiCallRetries: 0 });
      expect((await c.crm.properties.coreApi.getByName('contacts', 'lead_score')).type).toBe('number');
      const page = await c.crm.contacts.basicApi.getPage(100, undefined, ['hubspotscore', 'lead_score']);
      const scored = page.results.filter((r) => r.properties.hubspotscore);
      expect(scored.length).toBeGreaterThan(50);
      for (const r of scored) expect(r.properties.lead_score).toBe(r.properties.hubspotscore);
      const history = (await c.crm.contacts.basicApi.getById(scored[0]!.id, undefined, ['lead_score']))
        .propertiesWithHistory?.lead_score;
      expect(history?.map((h) => h.sourceType)).toEqual(['INTEGRATION']);
    } finally {
      await second.close();
    }
    // Saved at once: the file now has the property.
    expect(
      (JSON.parse(await fs.readFile(file, 'utf8')) as Saved).customProperties.contacts.map((p) => p.name),
    ).toContain('lead_score');
  });
});
