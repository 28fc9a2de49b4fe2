/**
 * The HubSpot sandbox, driven only through the unmodified official client, the way Baton's
 * adapter talks to HubSpot.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@hubspot/api-client';
import { FilterOperatorEnum, type PublicObjectSearchRequest } from '@hubspot/api-client/lib/codegen/crm/contacts';
import { PropertyCreateFieldTypeEnum, PropertyCreateTypeEnum } from '@hubspot/api-client/lib/codegen/crm/properties';
import { DEMO_COMPANIES, DEMO_CONTACT_COUNT, DEMO_SALES_REPS } from '../../src/demo';
import { startHubSpotSandbox, type HubSpotState, type RunningSandbox } from '../../src/hubspot';

const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let clock = T0;
let sandbox: RunningSandbox & { state: HubSpotState };
let client: Client;

function clientFor(sb: RunningSandbox, accessToken = sb.accessToken): Client {
  return new Client({ accessToken, basePath: sb.url, numberOfApiCallRetries: 0 });
}

interface ApiError {
  code: number;
  body: {
    message: string;
    category?: string;
    correlationId?: string;
    context?: Record<string, string[]>;
    errors?: unknown[];
  };
}

/** The ApiException the client throws, for assertions on code and body. */
async function apiError(call: Promise<unknown>): Promise<ApiError> {
  try {
    await call;
  } catch (e) {
    const err = e as Partial<ApiError>;
    if (typeof err.code === 'number' && err.body !== undefined) return err as ApiError;
    throw e;
  }
  throw new Error('expected the call to fail');
}

async function raw(
  method: string,
  urlPath: string,
  body?: unknown,
  opts: { defaultJson?: boolean; c?: Client; headers?: Record<string, string> } = {},
): Promise<{ status: number; contentType: string | null; json: Record<string, unknown> }> {
  const res = await (opts.c ?? client).apiRequest({
    method,
    path: urlPath,
    ...(body !== undefined ? { body } : {}),
    ...(opts.defaultJson !== undefined ? { defaultJson: opts.defaultJson } : {}),
    ...(opts.headers ? { headers: opts.headers } : {}),
  });
  const text = await res.text();
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    json: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

const search = (req: PublicObjectSearchRequest) => client.crm.contacts.searchApi.doSearch(req);
const eq = (propertyName: string, value: string) => ({ propertyName, operator: FilterOperatorEnum.Eq, value });

beforeAll(async () => {
  sandbox = await startHubSpotSandbox({ now: () => clock });
  client = clientFor(sandbox);
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(async () => {
  clock = T0;
  const seeded = await raw('POST', '/__sandbox/seed', { preset: 'demo' });
  expect(seeded.status).toBe(200);
});

describe('demo preset', () => {
  it('has the shared sales reps as owners, with their exact emails', async () => {
    const page = await client.crm.owners.ownersApi.getPage(undefined, undefined, 100, false);
    expect(page.results.map((o) => o.email)).toEqual(DEMO_SALES_REPS.map((r) => r.email));
    const ada = page.results[0]!;
    expect(ada).toMatchObject({ firstName: 'Ada', lastName: 'Okafor', archived: false });
    expect(ada.teams?.[0]?.name).toBe('NA Enterprise');
    expect(typeof ada.userId).toBe('number');
  });

  it('has unique, lower-case contact emails on the demo company domains', async () => {
    const emails: string[] = [];
    let after: string | undefined;
    do {
      const page = await client.crm.contacts.basicApi.getPage(100, after, ['email', 'hubspotscore', 'lifecyclestage']);
      for (const c of page.results) {
        emails.push(c.properties.email!);
        const score = Number(c.properties.hubspotscore);
        expect(score).toBeGreaterThanOrEqual(0);
        expect(score).toBeLessThanOrEqual(100);
      }
      after = page.paging?.next?.after;
    } while (after);
    expect(emails.length).toBeGreaterThanOrEqual(DEMO_CONTACT_COUNT);
    expect(new Set(emails).size).toBe(emails.length);
    const domains = new Set(DEMO_COMPANIES.map((c) => c.domain));
    for (const e of emails) {
      expect(e).toBe(e.toLowerCase());
      expect(domains.has(e.split('@')[1]!)).toBe(true);
    }
  });

  it('gives some contacts an owner that exists, and has marketing lists with members', async () => {
    const owned = await search({
      filterGroups: [{ filters: [{ propertyName: 'hubspot_owner_id', operator: FilterOperatorEnum.HasProperty }] }],
      properties: ['hubspot_owner_id'],
      limit: 200,
    });
    expect(owned.total).toBeGreaterThan(0);
    const ownerIds = new Set((await client.crm.owners.ownersApi.getPage()).results.map((o) => o.id));
    for (const c of owned.results) expect(ownerIds.has(c.properties.hubspot_owner_id!)).toBe(true);

    const lists = await raw('GET', '/crm/v3/lists/', undefined);
    expect(lists.status).toBe(200);
    const names = (lists.json.lists as { name: string; size: number }[]).map((l) => l.name);
    expect(names).toEqual(expect.arrayContaining(['Newsletter', 'Webinar: Q4 Launch', 'Nurture – Trial users']));
    for (const l of lists.json.lists as { size: number }[]) expect(l.size).toBeGreaterThan(0);
  });

  it('is the same on every seed', async () => {
    const first = await search({ sorts: ['hs_object_id'], properties: ['email', 'hubspot_owner_id'], limit: 50 });
    await raw('POST', '/__sandbox/seed', { preset: 'demo' });
    const second = await search({ sorts: ['hs_object_id'], properties: ['email', 'hubspot_owner_id'], limit: 50 });
    expect(second.results.map((r) => r.properties)).toEqual(first.results.map((r) => r.properties));
  });
});

describe('contacts: single-record endpoints', () => {
  it('creates a contact: 201, string values, system properties, Location', async () => {
    clock = T0 + 1234;
    const info = await client.crm.contacts.basicApi.createWithHttpInfo({
      properties: { email: 'new.person@example.org', firstname: 'New', lifecyclestage: 'lead', createdate: '' },
    });
    expect(info.httpStatusCode).toBe(201);
    expect(info.headers['content-type']).toMatch(/^application\/json/);
    const created = info.data;
    expect(info.headers.location).toBe(`${sandbox.url}/crm/v3/objects/contacts/${created.id}`);
    expect(created.id).toMatch(/^\d+$/);
    expect(created.properties).toMatchObject({
      email: 'new.person@example.org',
      firstname: 'New',
      lifecyclestage: 'lead',
      hs_object_id: created.id,
      createdate: '2026-03-02T09:00:01.234Z',
      lastmodifieddate: '2026-03-02T09:00:01.234Z',
      hs_email_domain: 'example.org',
      hs_lifecyclestage_lead_date: '2026-03-02T09:00:01.234Z',
    });
    expect(created.createdAt.toISOString()).toBe('2026-03-02T09:00:01.234Z');
    expect(created.archived).toBe(false);
  });

  it('stores numbers and booleans as text', async () => {
    await client.crm.properties.coreApi.create('contacts', {
      name: 'baton_synced',
      label: 'Synced by Baton',
      type: PropertyCreateTypeEnum.Bool,
      fieldType: PropertyCreateFieldTypeEnum.Booleancheckbox,
      groupName: 'contactinformation',
    });
    const res = await raw('POST', '/crm/v3/objects/contacts', {
      properties: { email: 'n@example.org', baton_synced: true, zip: 12345 },
    });
    expect(res.status).toBe(201);
    expect(res.json.properties).toMatchObject({ baton_synced: 'true', zip: '12345' });
  });

  it('answers 409 CONFLICT on a duplicate email, whatever its case', async () => {
    const existing = await client.crm.contacts.basicApi.create({ properties: { email: 'dup@example.org' } });
    const err = await apiError(client.crm.contacts.basicApi.create({ properties: { email: 'DUP@Example.org' } }));
    expect(err.code).toBe(409);
    expect(err.body.message).toBe(`Contact already exists. Existing ID: ${existing.id}`);
    expect(err.body.category).toBe('CONFLICT');
    expect(err.body.correlationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reads a contact by id or by email, with requested properties', async () => {
    const c = await client.crm.contacts.basicApi.create({
      properties: { email: 'read.me@example.org', firstname: 'Read' },
    });
    const byId = await client.crm.contacts.basicApi.getById(c.id, ['firstname', 'jobtitle', 'no_such_property']);
    // Requested and unset → null; unknown → left out; createdate, hs_object_id, lastmodifieddate always.
    expect(byId.properties).toEqual({
      createdate: c.properties.createdate,
      firstname: 'Read',
      hs_object_id: c.id,
      jobtitle: null,
      lastmodifieddate: c.properties.lastmodifieddate,
    });
    const byEmail = await client.crm.contacts.basicApi.getById(
      'READ.ME@example.org',
      undefined,
      undefined,
      undefined,
      false,
      'email',
    );
    expect(byEmail.id).toBe(c.id);
    // Without `properties`: the contact defaults.
    expect(Object.keys(byEmail.properties).sort()).toEqual([
      'createdate',
      'email',
      'firstname',
      'hs_object_id',
      'lastmodifieddate',
      'lastname',
    ]);
    expect(byEmail.properties.lastname).toBeNull();
  });

  it('answers HubSpot 404 bodies for unknown ids', async () => {
    const numeric = await apiError(client.crm.contacts.basicApi.getById('999999999'));
    expect(numeric.code).toBe(404);
    expect(numeric.body.message).toBe('resource not found');
    const word = await apiError(client.crm.contacts.basicApi.getById('not-an-id'));
    expect(word.code).toBe(404);
    expect(word.body).toMatchObject({ category: 'OBJECT_NOT_FOUND', context: { id: ['not-an-id'] } });
    const email = await apiError(
      client.crm.contacts.basicApi.getById('nobody@example.org', undefined, undefined, undefined, false, 'email'),
    );
    expect(email.code).toBe(404);
  });

  it('updates: 200, "" clears, lastmodifieddate moves only on a real change', async () => {
    const c = await client.crm.contacts.basicApi.create({
      properties: { email: 'upd@example.org', firstname: 'A', jobtitle: 'CTO' },
    });
    clock = T0 + 60_000;
    const u = await client.crm.contacts.basicApi.update(c.id, { properties: { firstname: 'B', jobtitle: '' } });
    expect(u.properties.firstname).toBe('B');
    expect(u.properties.jobtitle).toBeUndefined();
    expect(u.properties.lastmodifieddate).toBe('2026-03-02T09:01:00.000Z');
    expect(u.updatedAt.toISOString()).toBe('2026-03-02T09:01:00.000Z');
    expect(u.properties.createdate).toBe(c.properties.createdate);

    clock = T0 + 120_000;
    const same = await client.crm.contacts.basicApi.update(c.id, { properties: { firstname: 'B' } });
    expect(same.properties.lastmodifieddate).toBe('2026-03-02T09:01:00.000Z');

    const byEmail = await client.crm.contacts.basicApi.update(
      'UPD@example.org',
      { properties: { lastname: 'Z' } },
      'email',
    );
    expect(byEmail.properties.lastname).toBe('Z');
    const read = await client.crm.contacts.basicApi.getById(c.id, ['jobtitle']);
    expect(read.properties.jobtitle).toBeNull();
  });

  it('refuses to give a contact another contact’s email (409) and 404s an unknown id', async () => {
    const a = await client.crm.contacts.basicApi.create({ properties: { email: 'a@example.org' } });
    const b = await client.crm.contacts.basicApi.create({ properties: { email: 'b@example.org' } });
    const err = await apiError(client.crm.contacts.basicApi.update(b.id, { properties: { email: 'A@example.org' } }));
    expect(err.code).toBe(409);
    expect(err.body.message).toBe(`Contact already exists. Existing ID: ${a.id}`);
    expect(
      (await apiError(client.crm.contacts.basicApi.update('999999999', { properties: { firstname: 'x' } }))).code,
    ).toBe(404);
  });

  it('archives: 204, gone from reads and search, email free again, still readable with archived=true', async () => {
    const c = await client.crm.contacts.basicApi.create({ properties: { email: 'gone@example.org' } });
    await client.crm.contacts.basicApi.archive(c.id);
    expect((await apiError(client.crm.contacts.basicApi.getById(c.id))).code).toBe(404);
    const archived = await client.crm.contacts.basicApi.getById(c.id, undefined, undefined, undefined, true);
    expect(archived.archived).toBe(true);
    expect(archived.archivedAt).toBeInstanceOf(Date);
    const found = await search({ filterGroups: [{ filters: [eq('email', 'gone@example.org')] }] });
    expect(found.total).toBe(0);
    const again = await client.crm.contacts.basicApi.create({ properties: { email: 'gone@example.org' } });
    expect(again.id).not.toBe(c.id);
    // Archiving an unknown id is not an error.
    await client.crm.contacts.basicApi.archive('999999999');
  });

  it('lists contacts with limit/after paging in id order', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await client.crm.contacts.basicApi.getPage(100, after);
      seen.push(...page.results.map((r) => r.id));
      after = page.paging?.next?.after;
      if (after) expect(page.paging?.next?.link).toContain(`after=${after}`);
      pages++;
    } while (after);
    expect(pages).toBe(Math.ceil(DEMO_CONTACT_COUNT / 100));
    expect(seen.length).toBe(DEMO_CONTACT_COUNT);
    expect([...seen].sort((a, b) => Number(a) - Number(b))).toEqual(seen);
  });
});

describe('contacts: property validation', () => {
  it('rejects unknown, read-only and invalid values with HubSpot’s VALIDATION_ERROR, listing each', async () => {
    const err = await apiError(
      client.crm.contacts.basicApi.create({
        properties: { email: 'v@example.org', favourite_colour: 'blue', hubspotscore: '99', lifecyclestage: 'Lead' },
      }),
    );
    expect(err.code).toBe(400);
    expect(err.body.category).toBe('VALIDATION_ERROR');
    expect(err.body.message.startsWith('Property values were not valid: [')).toBe(true);
    const results = JSON.parse(err.body.message.slice('Property values were not valid: '.length)) as {
      error: string;
      name: string;
    }[];
    expect(results.map((r) => [r.name, r.error])).toEqual([
      ['favourite_colour', 'PROPERTY_DOESNT_EXIST'],
      ['hubspotscore', 'READ_ONLY_VALUE'],
      ['lifecyclestage', 'INVALID_OPTION'],
    ]);
    expect(err.body.errors).toHaveLength(3);
    const nothing = await search({ filterGroups: [{ filters: [eq('email', 'v@example.org')] }] });
    expect(nothing.total).toBe(0);
  });

  it('accepts only existing owners in hubspot_owner_id, and invalid emails are refused', async () => {
    const owner = (await client.crm.owners.ownersApi.getPage()).results[0]!;
    const ok = await client.crm.contacts.basicApi.create({
      properties: { email: 'o@example.org', hubspot_owner_id: owner.id },
    });
    expect(ok.properties.hubspot_owner_id).toBe(owner.id);
    const bad = await apiError(client.crm.contacts.basicApi.update(ok.id, { properties: { hubspot_owner_id: '123' } }));
    expect(bad.code).toBe(400);
    expect(bad.body.message).toContain('INVALID_OPTION');
    const email = await apiError(client.crm.contacts.basicApi.create({ properties: { email: 'not an email' } }));
    expect(email.body.message).toContain('Email address not an email is invalid');
  });

  it('lets a custom property be created, read, written and searched', async () => {
    const created = await client.crm.properties.coreApi.create('contacts', {
      name: 'baton_handover_status',
      label: 'Handover status',
      type: PropertyCreateTypeEnum.Enumeration,
      fieldType: PropertyCreateFieldTypeEnum.Select,
      groupName: 'contactinformation',
      options: [
        { label: 'Pending', value: 'pending', hidden: false },
        { label: 'Handed over', value: 'handed_over', hidden: false },
      ],
    });
    expect(created.name).toBe('baton_handover_status');
    const all = await client.crm.properties.coreApi.getAll('contacts');
    expect(all.results.map((p) => p.name)).toEqual(
      expect.arrayContaining(['email', 'lifecyclestage', 'baton_handover_status']),
    );
    const c = await client.crm.contacts.basicApi.create({
      properties: { email: 'h@example.org', baton_handover_status: 'pending' },
    });
    expect(c.properties.baton_handover_status).toBe('pending');
    const found = await search({ filterGroups: [{ filters: [eq('baton_handover_status', 'pending')] }] });
    expect(found.results.map((r) => r.id)).toEqual([c.id]);
    const dup = await apiError(
      client.crm.properties.coreApi.create('contacts', {
        name: 'baton_handover_status',
        label: 'x',
        type: PropertyCreateTypeEnum.String,
        fieldType: PropertyCreateFieldTypeEnum.Text,
        groupName: 'contactinformation',
      }),
    );
    expect(dup.code).toBe(409);
  });
});

describe('contacts: batch endpoints', () => {
  const inputsOf = (n: number, prefix: string) =>
    Array.from({ length: n }, (_, i) => ({
      properties: { email: `${prefix}${i}@batch.example`, firstname: `F${i}` },
      associations: [],
    }));

  it('batch/create: 201 COMPLETE with every record', async () => {
    clock = T0 + 5000;
    const res = await client.crm.contacts.batchApi.create({ inputs: inputsOf(100, 'c') });
    expect(res.status).toBe('COMPLETE');
    expect(res.results).toHaveLength(100);
    expect(res.startedAt).toBeInstanceOf(Date);
    expect(res.completedAt).toBeInstanceOf(Date);
    expect(res.results[0]!.properties.lastmodifieddate).toBe('2026-03-02T09:00:05.000Z');
  });

  it('batch/create: one existing email fails the whole batch with 409 and creates nothing', async () => {
    const existing = await client.crm.contacts.basicApi.create({ properties: { email: 'c7@batch.example' } });
    const before = (await search({})).total;
    const err = await apiError(client.crm.contacts.batchApi.create({ inputs: inputsOf(10, 'c') }));
    expect(err.code).toBe(409);
    expect(err.body.message).toBe(`Contact already exists. Existing ID: ${existing.id}`);
    expect(err.body.category).toBe('CONFLICT');
    expect((await search({})).total).toBe(before);
  });

  it('rejects more than 100 inputs with HubSpot’s message', async () => {
    const err = await apiError(client.crm.contacts.batchApi.create({ inputs: inputsOf(101, 'x') }));
    expect(err.code).toBe(400);
    expect(err.body).toMatchObject({
      category: 'VALIDATION_ERROR',
      message:
        'The maximum number of inputs supported in a batch is 100. Please reduce the number of items and try again',
    });
    const ids = Array.from({ length: 101 }, (_, i) => ({ id: String(1001 + i) }));
    const read = await apiError(
      client.crm.contacts.batchApi.read({ inputs: ids, properties: [], propertiesWithHistory: [] }),
    );
    expect(read.code).toBe(400);
    expect(
      (await apiError(client.crm.contacts.batchApi.update({ inputs: ids.map((i) => ({ ...i, properties: {} })) })))
        .code,
    ).toBe(400);
    expect((await apiError(client.crm.contacts.batchApi.archive({ inputs: ids }))).code).toBe(400);
  });

  it('batch/read: 200 for found ids, 207 with OBJECT_NOT_FOUND for missing ones', async () => {
    const created = await client.crm.contacts.batchApi.create({ inputs: inputsOf(3, 'r') });
    const ids = created.results.map((r) => r.id);
    const ok = await client.crm.contacts.batchApi.read({
      inputs: ids.map((id) => ({ id })),
      properties: ['firstname'],
      propertiesWithHistory: [],
    });
    expect(ok.results.map((r) => r.id).sort()).toEqual([...ids].sort());
    expect(ok.results[0]!.properties).toHaveProperty('firstname');
    expect('errors' in ok ? ok.errors : undefined).toBeUndefined();

    const partial = await client.crm.contacts.batchApi.read({
      inputs: [{ id: ids[0]! }, { id: '999999998' }, { id: '999999999' }],
      properties: [],
      propertiesWithHistory: [],
    });
    expect(partial.results).toHaveLength(1);
    const withErrors = partial as typeof partial & {
      numErrors?: number;
      errors?: { category: string; message: string; context: Record<string, string[]> }[];
    };
    expect(withErrors.numErrors).toBe(1);
    expect(withErrors.errors?.[0]).toMatchObject({
      category: 'OBJECT_NOT_FOUND',
      message: 'Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid.',
      context: { ids: ['999999998', '999999999'] },
    });

    const byEmail = await client.crm.contacts.batchApi.read({
      idProperty: 'email',
      inputs: [{ id: 'R1@batch.example' }, { id: 'missing@batch.example' }],
      properties: ['email'],
      propertiesWithHistory: [],
    });
    expect(byEmail.results.map((r) => r.properties.email)).toEqual(['r1@batch.example']);
  });

  it('batch/update: 200; unknown ids → 207 and the rest still applied; duplicate ids → 400', async () => {
    const created = await client.crm.contacts.batchApi.create({ inputs: inputsOf(2, 'u') });
    // Results come in no promised order: pair them with their inputs by email.
    const idOf = (email: string) => created.results.find((r) => r.properties.email === email)!.id;
    const [a, b] = [idOf('u0@batch.example'), idOf('u1@batch.example')];
    clock = T0 + 10_000;
    const ok = await client.crm.contacts.batchApi.update({
      inputs: [
        { id: a, properties: { jobtitle: 'CFO' } },
        { id: 'u1@batch.example', idProperty: 'email', properties: { jobtitle: 'CEO' } },
      ],
    });
    expect(ok.results.map((r) => r.properties.jobtitle).sort()).toEqual(['CEO', 'CFO']);
    expect(ok.results[0]!.properties.lastmodifieddate).toBe('2026-03-02T09:00:10.000Z');

    const partial = (await client.crm.contacts.batchApi.update({
      inputs: [
        { id: a, properties: { jobtitle: 'CTO' } },
        { id: '999999999', properties: { jobtitle: 'x' } },
      ],
    })) as {
      results: { properties: Record<string, string> }[];
      errors?: { category: string; context: Record<string, string[]> }[];
    };
    expect(partial.results).toHaveLength(1);
    expect(partial.errors?.[0]).toMatchObject({ category: 'OBJECT_NOT_FOUND', context: { ids: ['999999999'] } });
    expect((await client.crm.contacts.basicApi.getById(a, ['jobtitle'])).properties.jobtitle).toBe('CTO');

    const dup = await apiError(
      client.crm.contacts.batchApi.update({
        inputs: [
          { id: b, properties: { jobtitle: '1' } },
          { id: b, properties: { jobtitle: '2' } },
        ],
      }),
    );
    expect(dup.code).toBe(400);
    expect(dup.body.message).toBe(`Duplicate IDs found in batch input: [${b}]. IDs must be unique`);
  });

  it('batch/upsert by email: creates the new, updates the existing, and says which', async () => {
    const existing = await client.crm.contacts.basicApi.create({
      properties: { email: 'old@upsert.example', firstname: 'Old' },
    });
    const res = await client.crm.contacts.batchApi.upsert({
      inputs: [
        { id: 'OLD@upsert.example', idProperty: 'email', properties: { firstname: 'Updated' } },
        { id: 'new@upsert.example', idProperty: 'email', properties: { firstname: 'New' } },
      ],
    });
    const byEmail = new Map(res.results.map((r) => [r.properties.email, r]));
    expect(byEmail.get('old@upsert.example')).toMatchObject({ id: existing.id, _new: false });
    expect(byEmail.get('old@upsert.example')!.properties.firstname).toBe('Updated');
    const created = byEmail.get('new@upsert.example')!;
    expect(created._new).toBe(true);
    expect(created.properties.firstname).toBe('New');
    // Upserting the same batch again creates nothing.
    const again = await client.crm.contacts.batchApi.upsert({
      inputs: [{ id: 'new@upsert.example', idProperty: 'email', properties: { firstname: 'New' } }],
    });
    expect(again.results[0]).toMatchObject({ id: created.id, _new: false });
  });

  it('batch/archive: 204, and the records are gone', async () => {
    const created = await client.crm.contacts.batchApi.create({ inputs: inputsOf(3, 'a') });
    await client.crm.contacts.batchApi.archive({
      inputs: [...created.results.map((r) => ({ id: r.id })), { id: '999999999' }],
    });
    const read = (await client.crm.contacts.batchApi.read({
      inputs: created.results.map((r) => ({ id: r.id })),
      properties: [],
      propertiesWithHistory: [],
    })) as { results: unknown[]; numErrors?: number };
    expect(read.results).toHaveLength(0);
    expect(read.numErrors).toBe(1);
  });

  it('answers malformed batch bodies with HubSpot’s VALIDATION_ERROR', async () => {
    const res = await raw('POST', '/crm/v3/objects/contacts/batch/create', { nope: [] });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
    expect(res.json.message).toContain('some of required attributes are not set [inputs]');
  });
});

describe('contacts: search', () => {
  /** Contacts with known values, created at successive clock ticks. */
  async function fixtures(): Promise<Record<string, string>> {
    await raw('POST', '/__sandbox/seed', { preset: 'empty' });
    const rows: Record<string, string>[] = [
      {
        email: 'ann@acme.example',
        firstname: 'Ann',
        lastname: 'Lee',
        company: 'Acme Robotics',
        lifecyclestage: 'lead',
        zip: '02134',
      },
      {
        email: 'bob@acme.example',
        firstname: 'Bob',
        lastname: 'Ray',
        company: 'Acme Robotics',
        lifecyclestage: 'marketingqualifiedlead',
        jobtitle: 'VP Sales',
      },
      {
        email: 'cy@bluefin.example',
        firstname: 'Cy',
        lastname: 'Day',
        company: 'Bluefin Analytics',
        lifecyclestage: 'marketingqualifiedlead',
        hs_lead_status: 'NEW',
      },
      {
        email: 'di@bluefin.example',
        firstname: 'Di',
        lastname: 'Fox',
        company: 'Bluefin Analytics',
        lifecyclestage: 'customer',
      },
    ];
    const ids: Record<string, string> = {};
    for (const [i, properties] of rows.entries()) {
      clock = T0 + i * 1000;
      const c = await client.crm.contacts.basicApi.create({ properties });
      ids[properties.firstname!] = c.id;
    }
    // hubspotscore is calculated by HubSpot: the sandbox sets it through its state.
    const scores: Record<string, string> = { Ann: '10', Bob: '75', Cy: '90', Di: '100' };
    for (const [name, id] of Object.entries(ids))
      sandbox.state.contacts.get(id)!.properties.hubspotscore = scores[name]!;
    return ids;
  }
  const names = (res: { results: { properties: Record<string, string | null> }[] }) =>
    res.results.map((r) => r.properties.firstname);
  const one = (
    propertyName: string,
    operator: FilterOperatorEnum,
    extra: { value?: string; highValue?: string; values?: string[] } = {},
  ) =>
    search({
      filterGroups: [{ filters: [{ propertyName, operator, ...extra }] }],
      properties: ['firstname'],
      sorts: ['hs_object_id'],
    });

  it('applies every operator', async () => {
    await fixtures();
    expect(names(await one('firstname', FilterOperatorEnum.Eq, { value: 'aNN' }))).toEqual(['Ann']);
    expect(names(await one('lifecyclestage', FilterOperatorEnum.Neq, { value: 'marketingqualifiedlead' }))).toEqual([
      'Ann',
      'Di',
    ]);
    expect(names(await one('hubspotscore', FilterOperatorEnum.Lt, { value: '75' }))).toEqual(['Ann']);
    expect(names(await one('hubspotscore', FilterOperatorEnum.Lte, { value: '75' }))).toEqual(['Ann', 'Bob']);
    // Numeric, not text: "100" > "90".
    expect(names(await one('hubspotscore', FilterOperatorEnum.Gt, { value: '90' }))).toEqual(['Di']);
    expect(names(await one('hubspotscore', FilterOperatorEnum.Gte, { value: '90' }))).toEqual(['Cy', 'Di']);
    expect(names(await one('hubspotscore', FilterOperatorEnum.Between, { value: '50', highValue: '90' }))).toEqual([
      'Bob',
      'Cy',
    ]);
    // IN on a text property lowercases the stored value only: values must be lowercase.
    expect(names(await one('firstname', FilterOperatorEnum.In, { values: ['ann', 'cy'] }))).toEqual(['Ann', 'Cy']);
    expect(names(await one('firstname', FilterOperatorEnum.In, { values: ['Ann'] }))).toEqual([]);
    expect(names(await one('lifecyclestage', FilterOperatorEnum.NotIn, { values: ['lead', 'customer'] }))).toEqual([
      'Bob',
      'Cy',
    ]);
    expect(names(await one('jobtitle', FilterOperatorEnum.HasProperty))).toEqual(['Bob']);
    expect(names(await one('hs_lead_status', FilterOperatorEnum.NotHasProperty))).toEqual(['Ann', 'Bob', 'Di']);
    expect(names(await one('email', FilterOperatorEnum.ContainsToken, { value: 'bluefin' }))).toEqual(['Cy', 'Di']);
    expect(names(await one('email', FilterOperatorEnum.ContainsToken, { value: '*@acme.example' }))).toEqual([
      'Ann',
      'Bob',
    ]);
    expect(names(await one('company', FilterOperatorEnum.NotContainsToken, { value: 'acme' }))).toEqual(['Cy', 'Di']);
    // Text properties compare as text: "02134" is not 2134.
    expect(names(await one('zip', FilterOperatorEnum.Eq, { value: '2134' }))).toEqual([]);
  });

  it('filters dates given as epoch ms or ISO, and on hs_object_id', async () => {
    const ids = await fixtures();
    const at = (s: number) => String(T0 + s * 1000);
    expect(names(await one('createdate', FilterOperatorEnum.Gte, { value: at(2) }))).toEqual(['Cy', 'Di']);
    expect(names(await one('lastmodifieddate', FilterOperatorEnum.Lt, { value: '2026-03-02T09:00:01.000Z' }))).toEqual([
      'Ann',
    ]);
    expect(
      names(await one('createdate', FilterOperatorEnum.Between, { value: '2026-03-02T09:00:01Z', highValue: at(2) })),
    ).toEqual(['Bob', 'Cy']);
    expect(names(await one('hs_object_id', FilterOperatorEnum.Gt, { value: ids.Bob! }))).toEqual(['Cy', 'Di']);
  });

  it('ORs filter groups and ANDs filters in a group', async () => {
    await fixtures();
    const res = await search({
      filterGroups: [
        {
          filters: [
            eq('company', 'acme robotics'),
            { propertyName: 'hubspotscore', operator: FilterOperatorEnum.Gt, value: '50' },
          ],
        },
        { filters: [eq('lifecyclestage', 'customer')] },
      ],
      properties: ['firstname'],
      sorts: ['hs_object_id'],
    });
    expect(names(res)).toEqual(['Bob', 'Di']);
  });

  it('sorts in both forms, with ties broken by id', async () => {
    const ids = await fixtures();
    const desc = await search({
      sorts: [{ propertyName: 'hubspotscore', direction: 'DESCENDING' }] as unknown as string[],
      properties: ['firstname'],
    });
    expect(names(desc)).toEqual(['Di', 'Cy', 'Bob', 'Ann']);
    const asc = await search({ sorts: ['company'], properties: ['firstname'] });
    // Ann and Bob share a company: id order decides.
    expect(names(asc)).toEqual(['Ann', 'Bob', 'Cy', 'Di']);
    const minus = await search({ sorts: ['-createdate'], properties: ['firstname'] });
    expect(names(minus)).toEqual(['Di', 'Cy', 'Bob', 'Ann']);
    expect(Number(ids.Ann)).toBeLessThan(Number(ids.Bob));
  });

  it('returns the default properties, or the requested ones plus the three system ones', async () => {
    await fixtures();
    const plain = await search({ limit: 1 });
    expect(Object.keys(plain.results[0]!.properties).sort()).toEqual([
      'createdate',
      'email',
      'firstname',
      'hs_object_id',
      'lastmodifieddate',
      'lastname',
    ]);
    const chosen = await search({ limit: 1, properties: ['jobtitle', 'company'], sorts: ['hs_object_id'] });
    expect(chosen.results[0]!.properties).toEqual({
      company: 'Acme Robotics',
      createdate: expect.stringMatching(ISO_MS),
      hs_object_id: expect.stringMatching(/^\d+$/),
      jobtitle: null,
      lastmodifieddate: expect.stringMatching(ISO_MS),
    });
    expect(chosen.total).toBe(4);
    expect(chosen.paging?.next?.after).toBe('1');
  });

  it('pages through more than 200 results with after, total and link', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    let total = 0;
    let pages = 0;
    do {
      const page = await search({ limit: 200, after, sorts: ['lastmodifieddate'], properties: ['lastmodifieddate'] });
      total = page.total;
      seen.push(...page.results.map((r) => r.id));
      after = page.paging?.next?.after;
      if (after) expect(page.paging?.next?.link).toContain(`after=${after}`);
      pages++;
    } while (after);
    expect(total).toBe(DEMO_CONTACT_COUNT);
    expect(pages).toBe(2);
    expect(new Set(seen).size).toBe(DEMO_CONTACT_COUNT);
  });

  it('supports the (lastmodifieddate, id) cursor when many records share one timestamp', async () => {
    await raw('POST', '/__sandbox/seed', { preset: 'empty' });
    clock = T0;
    for (let i = 0; i < 3; i++) {
      await client.crm.contacts.batchApi.create({
        inputs: Array.from({ length: 100 }, (_, j) => ({
          properties: { email: `same${i}-${j}@tick.example` },
          associations: [],
        })),
      });
    }
    const seen: string[] = [];
    let cursor = { ts: '0', id: '0' };
    for (;;) {
      const page = await search({
        filterGroups: [
          { filters: [{ propertyName: 'lastmodifieddate', operator: FilterOperatorEnum.Gt, value: cursor.ts }] },
          {
            filters: [
              eq('lastmodifieddate', cursor.ts),
              { propertyName: 'hs_object_id', operator: FilterOperatorEnum.Gt, value: cursor.id },
            ],
          },
        ],
        sorts: [
          { propertyName: 'lastmodifieddate', direction: 'ASCENDING' },
          { propertyName: 'hs_object_id', direction: 'ASCENDING' },
        ] as unknown as string[],
        properties: ['lastmodifieddate'],
        limit: 200,
      });
      if (page.results.length === 0) break;
      seen.push(...page.results.map((r) => r.id));
      const last = page.results[page.results.length - 1]!;
      cursor = { ts: String(Date.parse(last.properties.lastmodifieddate!)), id: last.id };
    }
    expect(seen).toHaveLength(300);
    expect(new Set(seen).size).toBe(300);
  });

  it('enforces HubSpot’s limits: page size, filter groups, filters', async () => {
    const big = await apiError(search({ limit: 201 }));
    expect(big.code).toBe(400);
    expect(big.body.category).toBe('VALIDATION_ERROR');
    const groups = Array.from({ length: 6 }, () => ({ filters: [eq('firstname', 'x')] }));
    const tooManyGroups = await apiError(search({ filterGroups: groups }));
    expect(tooManyGroups.code).toBe(400);
    expect(tooManyGroups.body.message).toContain('filter groups');
    const filters = Array.from({ length: 5 }, (_, g) => ({
      filters: Array.from({ length: g === 0 ? 6 : 5 }, () => eq('firstname', 'x')),
    }));
    const tooManyFilters = await apiError(search({ filterGroups: filters }));
    expect(tooManyFilters.code).toBe(400);
    expect(tooManyFilters.body.message).toContain('Too many filters (26)');
    const perGroup = await apiError(
      search({ filterGroups: [{ filters: Array.from({ length: 11 }, () => eq('firstname', 'x')) }] }),
    );
    expect(perGroup.code).toBe(400);
    const badOperator = await raw('POST', '/crm/v3/objects/contacts/search', {
      filterGroups: [{ filters: [{ propertyName: 'x', operator: 'LIKE', value: 'y' }] }],
    });
    expect(badOperator.status).toBe(400);
  });

  it('stops paging at 10,000 results with a 400, as the real service does', async () => {
    await raw('POST', '/__sandbox/seed', { preset: 'empty' });
    const store = sandbox.state.contacts;
    for (let i = 0; i < 10_050; i++) store.insert({ email: `bulk${i}@cap.example` }, T0);
    const seen = new Set<string>();
    let after: string | undefined;
    let failure: ApiError | undefined;
    for (;;) {
      try {
        const page = await search({ limit: 200, after, properties: ['email'] });
        expect(page.total).toBe(10_050);
        for (const r of page.results) seen.add(r.id);
        after = page.paging?.next?.after;
        if (!after) break;
      } catch (e) {
        failure = e as ApiError;
        break;
      }
    }
    expect(seen.size).toBe(10_000);
    expect(after).toBe('10000');
    expect(failure?.code).toBe(400);
    expect(failure?.body.category).toBe('VALIDATION_ERROR');
  });
});

describe('owners', () => {
  it('serves /crm/v3/owners with and without the trailing slash, with limit, after, email, archived', async () => {
    const first = await client.crm.owners.ownersApi.getPage(undefined, undefined, 3);
    expect(first.results).toHaveLength(3);
    const emails = [...first.results.map((o) => o.email)];
    let after = first.paging?.next?.after;
    while (after) {
      const page = await client.crm.owners.ownersApi.getPage(undefined, after, 3);
      emails.push(...page.results.map((o) => o.email));
      after = page.paging?.next?.after;
    }
    expect(emails).toEqual(DEMO_SALES_REPS.map((r) => r.email));

    const noSlash = await raw('GET', '/crm/v3/owners?limit=100&email=DANA.KOWALSKI%40baton-demo.example');
    expect(noSlash.status).toBe(200);
    expect(noSlash.json.results).toEqual([
      expect.objectContaining({ firstName: 'Dana', lastName: 'Kowalski', type: 'PERSON', archived: false }),
    ]);

    const archived = await client.crm.owners.ownersApi.getPage(undefined, undefined, 100, true);
    expect(archived.results).toEqual([]);
  });

  it('reads one owner by id or userId, and 404s an unknown one', async () => {
    const some = (await client.crm.owners.ownersApi.getPage()).results[2]!;
    const byId = await client.crm.owners.ownersApi.getById(Number(some.id));
    expect(byId.email).toBe(some.email);
    const byUser = await client.crm.owners.ownersApi.getById(some.userId!, 'userId');
    expect(byUser.id).toBe(some.id);
    expect((await apiError(client.crm.owners.ownersApi.getById(1))).code).toBe(404);
  });
});

describe('lists', () => {
  it('adds and removes members with a bare array of ids, in HubSpot’s response shape', async () => {
    const [a, b] = (
      await search({
        limit: 2,
        sorts: ['hs_object_id'],
        filterGroups: [{ filters: [eq('lifecyclestage', 'customer')] }],
      })
    ).results.map((r) => r.id) as [string, string];
    await raw('PUT', '/crm/v3/lists/102/memberships/remove', [a, b]);

    const added = await raw('PUT', '/crm/v3/lists/102/memberships/add', [a, b, '999999999']);
    expect(added.status).toBe(200);
    expect(added.contentType).toMatch(/^application\/json/);
    expect(added.json).toEqual({ recordsIdsAdded: [a, b], recordIdsRemoved: [], recordIdsMissing: ['999999999'] });

    const again = await client.crm.lists.membershipsApi.add('102', [a]);
    expect(again.recordsIdsAdded).toEqual([]);

    const removed = await client.crm.lists.membershipsApi.remove('102', [a, '999999999']);
    expect(removed).toMatchObject({ recordsIdsAdded: [], recordIdsRemoved: [a], recordIdsMissing: ['999999999'] });

    const members = await raw('GET', '/crm/v3/lists/102/memberships?limit=250');
    const ids = (members.json.results as { recordId: string; membershipTimestamp: string }[]).map((m) => m.recordId);
    expect(ids).toContain(b);
    expect(ids).not.toContain(a);
    expect(members.json.total).toBe(ids.length);

    const ofRecord = await raw('GET', `/crm/v3/lists/records/0-1/${b}/memberships`);
    expect((ofRecord.json.results as { listId: string }[]).map((l) => l.listId)).toContain('102');
  });

  it('drops an archived contact from its lists, and 404s an unknown list', async () => {
    const c = await client.crm.contacts.basicApi.create({ properties: { email: 'lister@example.org' } });
    await client.crm.lists.membershipsApi.add('101', [c.id]);
    await client.crm.contacts.basicApi.archive(c.id);
    const members = await raw('GET', '/crm/v3/lists/101/memberships?limit=250');
    expect((members.json.results as { recordId: string }[]).map((m) => m.recordId)).not.toContain(c.id);
    const unknown = await raw('PUT', '/crm/v3/lists/999/memberships/add', [c.id]);
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ status: 'error', category: 'OBJECT_NOT_FOUND' });
  });

  it('pages memberships', async () => {
    const first = await client.crm.lists.membershipsApi.getPage('101', undefined, undefined, 10);
    expect(first.results).toHaveLength(10);
    expect(first.paging?.next?.after).toBe('10');
    const second = await client.crm.lists.membershipsApi.getPage('101', first.paging!.next!.after);
    expect(second.results[0]!.recordId).not.toBe(first.results[0]!.recordId);
  });
});

describe('HTTP behaviour', () => {
  it('answers a wrong or missing token with HubSpot’s 401', async () => {
    const wrong = await apiError(clientFor(sandbox, 'pat-na1-wrong').crm.contacts.basicApi.getPage());
    expect(wrong.code).toBe(401);
    expect(wrong.body.category).toBe('INVALID_AUTHENTICATION');
    expect(wrong.body.message).toMatch(/^Authentication credentials not found\./);
    const anonymous = new Client({ basePath: sandbox.url, numberOfApiCallRetries: 0 });
    const res = await raw('GET', '/crm/v3/owners/', undefined, { c: anonymous });
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ status: 'error', category: 'INVALID_AUTHENTICATION' });
  });

  it('answers unknown routes with a JSON 404 and malformed JSON with a JSON 400', async () => {
    const missing = await raw('GET', '/crm/v3/objects/unicorns/1');
    expect(missing.status).toBe(404);
    expect(missing.contentType).toMatch(/^application\/json/);
    expect(missing.json).toMatchObject({ status: 'error', message: 'resource not found' });

    const bad = await raw('POST', '/crm/v3/objects/contacts', '{"properties": {"email": ', {
      defaultJson: false,
      headers: { 'Content-Type': 'application/json' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
    expect(bad.json.message).toMatch(/^Invalid input JSON on line 1, column \d+: /);
  });
});

describe('admin routes', () => {
  // The generated client drops a trailing slash unless a query string follows it, so
  // getPage() without arguments asks for /crm/v3/owners and with arguments /crm/v3/owners/?….
  it('counts API requests by route pattern', async () => {
    const c = await client.crm.contacts.basicApi.create({ properties: { email: 's@example.org' } });
    await client.crm.contacts.basicApi.getById(c.id);
    await client.crm.contacts.basicApi.getById(c.id);
    await search({});
    await client.crm.owners.ownersApi.getPage();
    await client.crm.owners.ownersApi.getPage(undefined, undefined, 100);
    const stats = await raw('GET', '/__sandbox/stats');
    expect(stats.json).toEqual({
      total: 6,
      requests: {
        'GET /crm/v3/objects/contacts/:id': 2,
        'GET /crm/v3/owners': 1,
        'GET /crm/v3/owners/': 1,
        'POST /crm/v3/objects/contacts': 1,
        'POST /crm/v3/objects/contacts/search': 1,
      },
    });
  });

  it('resets to an empty portal and seeds presets again', async () => {
    await search({});
    const reset = await raw('POST', '/__sandbox/reset');
    expect(reset.status).toBe(200);
    expect((await raw('GET', '/__sandbox/stats')).json).toEqual({ total: 0, requests: {} });
    expect((await search({})).total).toBe(0);
    expect((await client.crm.owners.ownersApi.getPage()).results).toEqual([]);
    const seeded = await raw('POST', '/__sandbox/seed', { preset: 'demo' });
    expect(seeded.json).toMatchObject({ ok: true, preset: 'demo', contacts: DEMO_CONTACT_COUNT, owners: 8 });
    expect((await search({})).total).toBe(DEMO_CONTACT_COUNT);
    const badPreset = await raw('POST', '/__sandbox/seed', { preset: 'huge' });
    expect(badPreset.status).toBe(400);
  });
});

describe('persistence', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hubspot-sandbox-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('keeps state across a restart, in a file written atomically', async () => {
    const file = path.join(dir, 'nested', 'hubspot.json');
    const first = await startHubSpotSandbox({ stateFile: file, preset: 'empty', accessToken: 'tok' });
    const c1 = clientFor(first);
    await c1.crm.properties.coreApi.create('contacts', {
      name: 'baton_note',
      label: 'Note',
      type: PropertyCreateTypeEnum.String,
      fieldType: PropertyCreateFieldTypeEnum.Text,
      groupName: 'contactinformation',
    });
    const created = await c1.crm.contacts.basicApi.create({
      properties: { email: 'kept@example.org', baton_note: 'hi' },
    });
    await first.close();
    expect((await fs.readdir(path.dirname(file))).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const second = await startHubSpotSandbox({ stateFile: file, preset: 'demo', accessToken: 'tok' });
    try {
      const c2 = clientFor(second);
      const read = await c2.crm.contacts.basicApi.getById(created.id, ['email', 'baton_note']);
      expect(read.properties).toMatchObject({ email: 'kept@example.org', baton_note: 'hi' });
      // The saved state wins over the preset, and ids continue where they stopped.
      expect((await c2.crm.contacts.searchApi.doSearch({})).total).toBe(1);
      const next = await c2.crm.contacts.basicApi.create({ properties: { email: 'next@example.org' } });
      expect(Number(next.id)).toBe(Number(created.id) + 1);
      expect(
        (await apiError(c2.crm.contacts.basicApi.create({ properties: { email: 'KEPT@example.org' } }))).code,
      ).toBe(409);
    } finally {
      await second.close();
    }
  });

  it('saves shortly after a change without waiting for close', async () => {
    const file = path.join(dir, 'hubspot.json');
    const sb = await startHubSpotSandbox({ stateFile: file, preset: 'empty' });
    try {
      const seededFile = JSON.parse(await fs.readFile(file, 'utf8')) as {
        objects: { contacts: { records: unknown[] } };
      };
      expect(seededFile.objects.contacts.records).toHaveLength(0);
      await clientFor(sb).crm.contacts.basicApi.create({ properties: { email: 'soon@example.org' } });
      await new Promise((r) => setTimeout(r, 600));
      const saved = JSON.parse(await fs.readFile(file, 'utf8')) as { objects: { contacts: { records: unknown[] } } };
      expect(saved.objects.contacts.records).toHaveLength(1);
    } finally {
      await sb.close();
    }
  });

  it('refuses a corrupt state file instead of overwriting it', async () => {
    const file = path.join(dir, 'hubspot.json');
    await fs.writeFile(file, '{"version": 2}');
    await expect(startHubSpotSandbox({ stateFile: file })).rejects.toThrow(/unexpected shape/);
    expect(await fs.readFile(file, 'utf8')).toBe('{"version": 2}');
  });
});

describe('batch answers pair by identity, not position', () => {
  const post = (path: string, body: unknown) =>
    fetch(`${sandbox.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sandbox.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('batch create echoes each input’s objectWriteTraceId, in an order other than the inputs’', async () => {
    const inputs = ['t0', 't1', 't2'].map((t) => ({
      properties: { email: `${t}@trace.example` },
      objectWriteTraceId: t,
    }));
    const res = await post('/crm/v3/objects/contacts/batch/create', { inputs });
    expect(res.status).toBe(201);
    const body = (await res.json()) as {
      results: { objectWriteTraceId?: string; properties: Record<string, string> }[];
    };
    expect(body.results.map((r) => r.objectWriteTraceId)).not.toEqual(['t0', 't1', 't2']);
    for (const r of body.results) expect(r.properties.email).toBe(`${r.objectWriteTraceId}@trace.example`);
  });

  it('a record failure names the input by its objectWriteTraceId in the error context', async () => {
    const config = await fetch(`${sandbox.url}/__sandbox/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        seed: 3,
        recordFailures: [{ route: '/crm/v3/objects/contacts/batch/create', rate: 0.5 }],
      }),
    });
    expect(config.status).toBe(200);
    const inputs = Array.from({ length: 20 }, (_, i) => ({
      properties: { email: `f${i}@trace.example` },
      objectWriteTraceId: `f${i}`,
    }));
    const res = await post('/crm/v3/objects/contacts/batch/create', { inputs });
    expect(res.status).toBe(207);
    const body = (await res.json()) as {
      results: { objectWriteTraceId: string }[];
      errors: { context: { objectWriteTraceId: string[] } }[];
    };
    const answered = [
      ...body.results.map((r) => r.objectWriteTraceId),
      ...body.errors.flatMap((e) => e.context.objectWriteTraceId),
    ];
    expect(body.errors.length).toBeGreaterThan(0);
    expect(answered.sort()).toEqual(inputs.map((i) => i.objectWriteTraceId).sort());
  });
});
