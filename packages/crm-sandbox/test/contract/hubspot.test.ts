/**
 * Contract tests of the HubSpot sandbox: every route is driven through the unmodified
 * `@hubspot/api-client`, and the JSON the sandbox answers is checked against the client's
 * own generated models (`getAttributeTypeMap()` for names and types, the `.d.ts` for which
 * attributes are required): required ones present, types right, no unknown keys.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Client } from '@hubspot/api-client';
import * as associationModels from '@hubspot/api-client/lib/codegen/crm/associations/v4/models/all';
import * as companyModels from '@hubspot/api-client/lib/codegen/crm/companies/models/all';
import * as contactModels from '@hubspot/api-client/lib/codegen/crm/contacts/models/all';
import * as listModels from '@hubspot/api-client/lib/codegen/crm/lists/models/all';
import * as ownerModels from '@hubspot/api-client/lib/codegen/crm/owners/models/all';
import * as propertyModels from '@hubspot/api-client/lib/codegen/crm/properties/models/all';
import { AssociationSpecAssociationCategoryEnum } from '@hubspot/api-client/lib/codegen/crm/associations/v4/models/all';
import { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/contacts/models/all';
import {
  PropertyCreateFieldTypeEnum,
  PropertyCreateTypeEnum,
} from '@hubspot/api-client/lib/codegen/crm/properties/models/all';
import { z } from 'zod';
import { startHubSpotSandbox, type RunningHubSpotSandbox } from '../../src/hubspot';

// ---------------------------------------------------------------------------------------
// The model checker
// ---------------------------------------------------------------------------------------

interface Attribute {
  name: string;
  baseName: string;
  type: string;
  format: string;
}

/** A codegen module (`crm/contacts` …): its models and enums by name, and where its .d.ts files are. */
interface ModelModule {
  dir: string;
  exports: Record<string, unknown>;
}

// The client's generated model declarations, wherever npm placed the package (hoisted to the workspace root).
const CODEGEN = path.join(path.dirname(require.resolve('@hubspot/api-client/package.json')), 'lib/codegen');

function moduleOf(dir: string, exports: object): ModelModule {
  return { dir: path.join(CODEGEN, dir, 'models'), exports: { ...exports } };
}

const MODELS = {
  contacts: moduleOf('crm/contacts', contactModels),
  companies: moduleOf('crm/companies', companyModels),
  owners: moduleOf('crm/owners', ownerModels),
  properties: moduleOf('crm/properties', propertyModels),
  lists: moduleOf('crm/lists', listModels),
  associations: moduleOf('crm/associations/v4', associationModels),
};

/**
 * Keys HubSpot sends that a generated model leaves out. Every error body carries
 * `status: "error"` (HubSpot's documented error shape); the Error model has no `status`.
 */
const WIRE_ONLY_KEYS: Record<string, readonly string[]> = { ModelError: ['status'] };

/** The client names its Error model ModelError; responses are deserialized as "Error". */
const MODEL_ALIASES: Record<string, string> = { Error: 'ModelError' };

function attributesOf(module: ModelModule, model: string): Attribute[] | undefined {
  const cls = module.exports[model];
  if (typeof cls !== 'function' || !('getAttributeTypeMap' in cls) || typeof cls.getAttributeTypeMap !== 'function')
    return undefined;
  const attrs: unknown = cls.getAttributeTypeMap();
  return z
    .array(z.object({ name: z.string(), baseName: z.string(), type: z.string(), format: z.string() }))
    .parse(attrs);
}

const requiredCache = new Map<string, Set<string>>();

/** Attribute names (the TS names, like `_from`) the generated class declares without `?`. */
function requiredOf(module: ModelModule, model: string): Set<string> {
  const file = path.join(module.dir, `${model}.d.ts`);
  let required = requiredCache.get(file);
  if (!required) {
    required = new Set();
    for (const m of readFileSync(file, 'utf8').matchAll(/^ {4}'(\w+)'(\?)?:/gm)) if (!m[2]) required.add(m[1]!);
    requiredCache.set(file, required);
  }
  return required;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkType(value: unknown, type: string, module: ModelModule, at: string, problems: string[]): void {
  const array = /^Array<(.+)>$/.exec(type);
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (type === 'any') return;
  if (type === 'string') {
    if (typeof value !== 'string') problems.push(`${at}: expected a string, got ${JSON.stringify(value)}`);
  } else if (type === 'number') {
    if (typeof value !== 'number' || !Number.isFinite(value))
      problems.push(`${at}: expected a number, got ${JSON.stringify(value)}`);
  } else if (type === 'boolean') {
    if (typeof value !== 'boolean') problems.push(`${at}: expected a boolean, got ${JSON.stringify(value)}`);
  } else if (type === 'Date') {
    if (typeof value !== 'string' || !ISO_DATE.test(value))
      problems.push(`${at}: expected an ISO date-time, got ${JSON.stringify(value)}`);
  } else if (array) {
    if (!Array.isArray(value)) problems.push(`${at}: expected an array, got ${JSON.stringify(value)}`);
    else value.forEach((v, i) => checkType(v, array[1]!, module, `${at}[${i}]`, problems));
  } else if (map) {
    const inner = map[1]!;
    if (!isPlainObject(value)) problems.push(`${at}: expected an object, got ${JSON.stringify(value)}`);
    else {
      for (const [k, v] of Object.entries(value)) {
        // Property maps are `string | null`: a requested property without a value is null.
        if (v === null && inner === 'string | null') continue;
        checkType(v, inner.replace(/ \| null$/, ''), module, `${at}.${k}`, problems);
      }
    }
  } else if (type.endsWith('Enum')) {
    const e = module.exports[type];
    const allowed = isPlainObject(e) ? Object.values(e) : [];
    if (!allowed.includes(value))
      problems.push(`${at}: ${JSON.stringify(value)} is not one of ${type} ${JSON.stringify(allowed)}`);
  } else {
    checkModel(value, type, module, at, problems);
  }
}

function checkModel(value: unknown, modelName: string, module: ModelModule, at: string, problems: string[]): void {
  const model = MODEL_ALIASES[modelName] ?? modelName;
  const attrs = attributesOf(module, model);
  if (!attrs) {
    problems.push(`${at}: the client has no model ${model}`);
    return;
  }
  if (!isPlainObject(value)) {
    problems.push(`${at}: expected a ${model} object, got ${JSON.stringify(value)}`);
    return;
  }
  const required = requiredOf(module, model);
  const known = new Set([...attrs.map((a) => a.baseName), ...(WIRE_ONLY_KEYS[model] ?? [])]);
  for (const key of Object.keys(value))
    if (!known.has(key)) problems.push(`${at}.${key}: not an attribute of ${model}`);
  for (const a of attrs) {
    const v = value[a.baseName];
    if (v === undefined) {
      if (required.has(a.name)) problems.push(`${at}.${a.baseName}: required by ${model} but missing`);
      continue;
    }
    // HubSpot sends null for optional attributes it has no value for (association labels).
    if (v === null && !required.has(a.name)) continue;
    checkType(v, a.type, module, `${at}.${a.baseName}`, problems);
  }
}

/** Every way `json` differs from the model; an empty list means it conforms. */
function conformance(json: unknown, module: ModelModule, model: string): string[] {
  const problems: string[] = [];
  checkModel(json, model, module, model, problems);
  return problems;
}

// ---------------------------------------------------------------------------------------
// The client talks to the sandbox through a recording proxy, which keeps the raw answers.
// (The client's own `middleware` option is ignored by the generated 13.x code unless it is
// passed on every call, so the recording happens on the wire instead.)
// ---------------------------------------------------------------------------------------

interface Exchange {
  method: string;
  url: string;
  status: number;
  text: string;
}

const exchanges: Exchange[] = [];
let sandbox: RunningHubSpotSandbox;
let proxy: Server;
let proxyUrl: string;
let client: Client;

function startProxy(target: string): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const name of ['authorization', 'content-type', 'accept']) {
        const v = req.headers[name];
        if (typeof v === 'string') headers[name] = v;
      }
      const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
      void fetch(`${target}${req.url ?? ''}`, { method: req.method ?? 'GET', headers, ...(body ? { body } : {}) }).then(
        async (answer) => {
          const text = await answer.text();
          exchanges.push({ method: req.method ?? '?', url: req.url ?? '?', status: answer.status, text });
          res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
          res.end(text);
        },
      );
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** The status and parsed JSON of the one request `call` made. */
async function exchange(call: () => Promise<unknown>): Promise<{ status: number; json: unknown; failed: boolean }> {
  exchanges.length = 0;
  let failed = false;
  try {
    await call();
  } catch (e) {
    if (!isPlainObject(e) || typeof e.code !== 'number') throw e;
    failed = true;
  }
  expect(exchanges).toHaveLength(1);
  const { status, text } = exchanges[0]!;
  return { status, json: text === '' ? undefined : (JSON.parse(text) as unknown), failed };
}

/** Calls, expects `status`, and checks the body against `model`. */
async function expectAnswer(
  call: () => Promise<unknown>,
  status: number,
  module: ModelModule,
  model: string,
): Promise<unknown> {
  const r = await exchange(call);
  expect({ status: r.status, failed: r.failed }).toEqual({ status, failed: false });
  expect(conformance(r.json, module, model)).toEqual([]);
  return r.json;
}

/** Calls, expects an ApiException with `status`, and checks HubSpot's error shape. */
async function expectError(
  call: () => Promise<unknown>,
  status: number,
  module: ModelModule,
  category?: string,
): Promise<Record<string, unknown>> {
  const r = await exchange(call);
  expect({ status: r.status, failed: r.failed }).toEqual({ status, failed: true });
  expect(conformance(r.json, module, 'Error')).toEqual([]);
  const body = z
    .object({
      status: z.literal('error'),
      message: z.string().min(1),
      correlationId: z.string().uuid(),
      category: z.string(),
    })
    .passthrough()
    .parse(r.json);
  if (category) expect(body.category).toBe(category);
  return body;
}

async function expectNoContent(call: () => Promise<unknown>): Promise<void> {
  const r = await exchange(call);
  expect({ status: r.status, failed: r.failed, json: r.json }).toEqual({ status: 204, failed: false, json: undefined });
}

beforeAll(async () => {
  sandbox = await startHubSpotSandbox({ preset: 'demo' });
  proxy = await startProxy(sandbox.url);
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  client = new Client({ accessToken: sandbox.accessToken, basePath: proxyUrl, numberOfApiCallRetries: 0 });
});

afterAll(async () => {
  await new Promise((resolve) => proxy.close(resolve));
  await sandbox.close();
});

const contacts = () => client.crm.contacts;
const companies = () => client.crm.companies;
let seq = 0;
const email = (): string => `contract${++seq}@contract.example`;

// ---------------------------------------------------------------------------------------

describe('the model checker', () => {
  it('accepts a conforming object and names every difference of one that is not', () => {
    const good = {
      id: '1',
      properties: { a: 'x', b: null },
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
      archived: false,
    };
    expect(conformance(good, MODELS.contacts, 'SimplePublicObject')).toEqual([]);
    const bad = { id: 1, properties: { a: 2 }, updatedAt: 'yesterday', extra: true };
    expect(conformance(bad, MODELS.contacts, 'SimplePublicObject')).toEqual([
      'SimplePublicObject.extra: not an attribute of SimplePublicObject',
      'SimplePublicObject.createdAt: required by SimplePublicObject but missing',
      'SimplePublicObject.id: expected a string, got 1',
      'SimplePublicObject.properties.a: expected a string, got 2',
      'SimplePublicObject.updatedAt: expected an ISO date-time, got "yesterday"',
    ]);
    expect(
      conformance(
        { status: 'DONE', results: [], startedAt: good.createdAt, completedAt: good.createdAt },
        MODELS.contacts,
        'BatchResponseSimplePublicObject',
      ),
    ).toEqual([
      'BatchResponseSimplePublicObject.status: "DONE" is not one of BatchResponseSimplePublicObjectStatusEnum ["PENDING","PROCESSING","CANCELED","COMPLETE"]',
    ]);
  });
});

describe.each([
  ['contacts', MODELS.contacts, () => contacts(), () => ({ email: email(), firstname: 'Con', lifecyclestage: 'lead' })],
  [
    'companies',
    MODELS.companies,
    () => companies(),
    () => ({
      name: `Contract ${++seq}`,
      domain: `c${seq}.example`,
      industry: 'COMPUTER_SOFTWARE',
      numberofemployees: '42',
    }),
  ],
] as const)('%s', (type, models, api, newProperties) => {
  it('create, read (with history and associations), page, update, archive', async () => {
    const created = (await expectAnswer(
      () => api().basicApi.create({ properties: newProperties(), associations: [] }),
      201,
      models,
      'SimplePublicObject',
    )) as {
      id: string;
    };
    await expectAnswer(() => api().basicApi.getById(created.id), 200, models, 'SimplePublicObjectWithAssociations');
    const history = ['lifecyclestage', 'hubspotscore', 'industry', 'name', 'createdate', 'no_such_property'];
    const withHistory = (await expectAnswer(
      () =>
        api().basicApi.getById(created.id, ['email', 'name'], history, [
          type === 'contacts' ? 'companies' : 'contacts',
        ]),
      200,
      models,
      'SimplePublicObjectWithAssociations',
    )) as { propertiesWithHistory: Record<string, unknown[]> };
    expect(Object.keys(withHistory.propertiesWithHistory)).not.toContain('no_such_property');
    await expectAnswer(
      () => api().basicApi.getPage(5, undefined, ['createdate'], history, ['companies', 'contacts']),
      200,
      models,
      'CollectionResponseSimplePublicObjectWithAssociationsForwardPaging',
    );
    await expectAnswer(
      () => api().basicApi.update(created.id, { properties: { lifecyclestage: 'marketingqualifiedlead' } }),
      200,
      models,
      'SimplePublicObject',
    );
    await expectNoContent(() => api().basicApi.archive(created.id));
    await expectAnswer(
      () => api().basicApi.getById(created.id, undefined, undefined, undefined, true),
      200,
      models,
      'SimplePublicObjectWithAssociations',
    );
  });

  it('batch create, read (200, 207, history), update (200, 207), archive', async () => {
    const made = (await expectAnswer(
      () =>
        api().batchApi.create({
          inputs: [newProperties(), newProperties()].map((properties) => ({ properties, associations: [] })),
        }),
      201,
      models,
      'BatchResponseSimplePublicObject',
    )) as { results: { id: string }[] };
    const ids = made.results.map((r) => r.id);
    await expectAnswer(
      () => api().batchApi.read({ inputs: ids.map((id) => ({ id })), properties: [], propertiesWithHistory: [] }),
      200,
      models,
      'BatchResponseSimplePublicObject',
    );
    await expectAnswer(
      () =>
        api().batchApi.read({
          inputs: ids.map((id) => ({ id })),
          properties: ['name'],
          propertiesWithHistory: ['lifecyclestage', 'name', 'industry'],
        }),
      200,
      models,
      'BatchResponseSimplePublicObject',
    );
    await expectAnswer(
      () =>
        api().batchApi.read({
          inputs: [...ids, '999999999'].map((id) => ({ id })),
          properties: [],
          propertiesWithHistory: [],
        }),
      207,
      models,
      'BatchResponseSimplePublicObjectWithErrors',
    );
    await expectAnswer(
      () => api().batchApi.update({ inputs: ids.map((id) => ({ id, properties: { lifecyclestage: 'customer' } })) }),
      200,
      models,
      'BatchResponseSimplePublicObject',
    );
    await expectAnswer(
      () =>
        api().batchApi.update({
          inputs: [ids[0]!, '999999999'].map((id) => ({ id, properties: { lifecyclestage: 'lead' } })),
        }),
      207,
      models,
      'BatchResponseSimplePublicObjectWithErrors',
    );
    await expectNoContent(() => api().batchApi.archive({ inputs: [...ids, '999999999'].map((id) => ({ id })) }));
  });

  it('search, with the last-modified property and paging', async () => {
    const modified = type === 'contacts' ? 'lastmodifieddate' : 'hs_lastmodifieddate';
    const page = (await expectAnswer(
      () =>
        api().searchApi.doSearch({
          filterGroups: [{ filters: [{ propertyName: modified, operator: FilterOperatorEnum.Gte, value: '0' }] }],
          sorts: [modified],
          properties: [modified],
          limit: 5,
          after: '0',
        }),
      200,
      models,
      'CollectionResponseWithTotalSimplePublicObjectForwardPaging',
    )) as { total: number; paging?: unknown };
    expect(page.total).toBeGreaterThan(5);
    expect(page.paging).toBeDefined();
  });

  it('answers each error in HubSpot’s shape', async () => {
    await expectError(() => api().basicApi.getById('999999999'), 404, models, 'OBJECT_NOT_FOUND');
    await expectError(() => api().basicApi.getById('not-a-number'), 404, models, 'OBJECT_NOT_FOUND');
    await expectError(() => api().basicApi.update('999999999', { properties: {} }), 404, models, 'OBJECT_NOT_FOUND');
    await expectError(
      () => api().basicApi.create({ properties: { no_such_property: 'x' }, associations: [] }),
      400,
      models,
      'VALIDATION_ERROR',
    );
    await expectError(
      () => api().basicApi.create({ properties: { lifecyclestage: 'Lead' }, associations: [] }),
      400,
      models,
      'VALIDATION_ERROR',
    );
    await expectError(
      () => api().basicApi.create({ properties: { hs_object_id: '1' }, associations: [] }),
      400,
      models,
      'VALIDATION_ERROR',
    );
    const inputs = Array.from({ length: 101 }, () => ({ properties: newProperties(), associations: [] }));
    await expectError(() => api().batchApi.create({ inputs }), 400, models, 'VALIDATION_ERROR');
    const ids = Array.from({ length: 51 }, (_, i) => ({ id: String(1001 + i) }));
    const history = await expectError(
      () => api().batchApi.read({ inputs: ids, properties: [], propertiesWithHistory: ['lifecyclestage'] }),
      400,
      models,
      'VALIDATION_ERROR',
    );
    expect(history.message).toMatch(/property histories is 50/);
    await expectError(() => api().searchApi.doSearch({ limit: 10, after: '10000' }), 400, models, 'VALIDATION_ERROR');
    const unauthenticated = new Client({ accessToken: 'wrong', basePath: proxyUrl, numberOfApiCallRetries: 0 });
    const api401 = type === 'contacts' ? unauthenticated.crm.contacts : unauthenticated.crm.companies;
    await expectError(() => api401.basicApi.getPage(), 401, models, 'INVALID_AUTHENTICATION');
  });
});

describe('contacts: conflicts and upsert', () => {
  const models = MODELS.contacts;

  it('409 on a duplicate email in create, update and batch create', async () => {
    const a = await contacts().basicApi.create({ properties: { email: email() }, associations: [] });
    const b = await contacts().basicApi.create({ properties: { email: email() }, associations: [] });
    await expectError(
      () => contacts().basicApi.create({ properties: { email: a.properties.email!.toUpperCase() }, associations: [] }),
      409,
      models,
      'CONFLICT',
    );
    await expectError(
      () => contacts().basicApi.update(b.id, { properties: { email: a.properties.email! } }),
      409,
      models,
      'CONFLICT',
    );
    await expectError(
      () =>
        contacts().batchApi.create({
          inputs: [
            { properties: { email: email() }, associations: [] },
            { properties: { email: a.properties.email! }, associations: [] },
          ],
        }),
      409,
      models,
      'CONFLICT',
    );
    await expectError(
      () => contacts().batchApi.update({ inputs: [{ id: b.id, properties: { email: a.properties.email! } }] }),
      409,
      models,
      'CONFLICT',
    );
  });

  it('upsert by email answers with `new`; by id a missing record is a 207', async () => {
    const existing = await contacts().basicApi.create({ properties: { email: email() }, associations: [] });
    const upserted = (await expectAnswer(
      () =>
        contacts().batchApi.upsert({
          inputs: [
            { id: existing.properties.email!, idProperty: 'email', properties: { firstname: 'Up' } },
            { id: email(), idProperty: 'email', properties: { firstname: 'New' } },
          ],
        }),
      200,
      models,
      'BatchResponseSimplePublicUpsertObject',
    )) as { results: { new: boolean }[] };
    expect(upserted.results.map((r) => r.new).sort()).toEqual([false, true]);
    await expectAnswer(
      () =>
        contacts().batchApi.upsert({
          inputs: [
            { id: existing.id, properties: { firstname: 'Again' } },
            { id: '999999999', properties: { firstname: 'x' } },
          ],
        }),
      207,
      models,
      'BatchResponseSimplePublicUpsertObjectWithErrors',
    );
    await expectError(
      () =>
        contacts().batchApi.upsert({
          inputs: [
            { id: existing.id, properties: {} },
            { id: existing.id, properties: {} },
          ],
        }),
      400,
      models,
      'VALIDATION_ERROR',
    );
  });
});

describe('companies: upsert by a unique property', () => {
  it('needs a property with unique values', async () => {
    await expectAnswer(
      () =>
        client.crm.properties.coreApi.create('companies', {
          name: 'baton_account_key',
          label: 'Baton account key',
          type: PropertyCreateTypeEnum.String,
          fieldType: PropertyCreateFieldTypeEnum.Text,
          groupName: 'companyinformation',
          hasUniqueValue: true,
        }),
      201,
      MODELS.properties,
      'Property',
    );
    const body = (await expectAnswer(
      () =>
        companies().batchApi.upsert({
          inputs: [
            { id: 'acct-1', idProperty: 'baton_account_key', properties: { name: 'Upserted Co', industry: 'BANKING' } },
          ],
        }),
      200,
      MODELS.companies,
      'BatchResponseSimplePublicUpsertObject',
    )) as { results: { id: string; new: boolean }[] };
    expect(body.results[0]!.new).toBe(true);
    const again = await companies().batchApi.upsert({
      inputs: [{ id: 'acct-1', idProperty: 'baton_account_key', properties: { name: 'Renamed Co' } }],
    });
    expect(again.results[0]).toMatchObject({ id: body.results[0]!.id, _new: false });
    await expectError(
      () =>
        companies().batchApi.upsert({ inputs: [{ id: 'x.example', idProperty: 'domain', properties: { name: 'x' } }] }),
      400,
      MODELS.companies,
      'VALIDATION_ERROR',
    );
  });
});

describe('properties', () => {
  it.each(['contacts', 'companies'])('lists and reads %s property definitions', async (objectType) => {
    const all = (await expectAnswer(
      () => client.crm.properties.coreApi.getAll(objectType),
      200,
      MODELS.properties,
      'CollectionResponsePropertyNoPaging',
    )) as {
      results: { name: string; type: string; options: unknown[] }[];
    };
    const lifecycle = all.results.find((p) => p.name === 'lifecyclestage');
    expect(lifecycle).toMatchObject({ type: 'enumeration' });
    expect(lifecycle!.options.length).toBeGreaterThan(5);
    await expectAnswer(
      () => client.crm.properties.coreApi.getByName(objectType, 'hubspot_owner_id'),
      200,
      MODELS.properties,
      'Property',
    );
    await expectError(
      () => client.crm.properties.coreApi.getByName(objectType, 'no_such_property'),
      404,
      MODELS.properties,
      'OBJECT_NOT_FOUND',
    );
    await expectError(
      () =>
        client.crm.properties.coreApi.create(objectType, {
          name: 'lifecyclestage',
          label: 'Again',
          type: PropertyCreateTypeEnum.String,
          fieldType: PropertyCreateFieldTypeEnum.Text,
          groupName: 'x',
        }),
      409,
      MODELS.properties,
    );
  });

  it('the company industry is an enumeration: a value outside it is INVALID_OPTION', async () => {
    const err = await expectError(
      () => companies().basicApi.create({ properties: { name: 'Bad', industry: 'Technology' }, associations: [] }),
      400,
      MODELS.companies,
      'VALIDATION_ERROR',
    );
    expect(err.message).toContain('INVALID_OPTION');
  });
});

describe('owners', () => {
  it('pages with an after cursor and reads one owner by id or user id', async () => {
    const first = (await expectAnswer(
      () => client.crm.owners.ownersApi.getPage(undefined, undefined, 3),
      200,
      MODELS.owners,
      'CollectionResponsePublicOwnerForwardPaging',
    )) as {
      results: { id: string; userId: number }[];
      paging: { next: { after: string } };
    };
    const second = (await expectAnswer(
      () => client.crm.owners.ownersApi.getPage(undefined, first.paging.next.after, 3),
      200,
      MODELS.owners,
      'CollectionResponsePublicOwnerForwardPaging',
    )) as {
      results: { id: string }[];
    };
    expect(second.results.map((o) => o.id)).not.toContain(first.results[0]!.id);
    await expectAnswer(
      () => client.crm.owners.ownersApi.getById(Number(first.results[0]!.id)),
      200,
      MODELS.owners,
      'PublicOwner',
    );
    await expectAnswer(
      () => client.crm.owners.ownersApi.getById(first.results[0]!.userId, 'userId'),
      200,
      MODELS.owners,
      'PublicOwner',
    );
    await expectError(() => client.crm.owners.ownersApi.getById(1), 404, MODELS.owners, 'OBJECT_NOT_FOUND');
  });
});

describe('lists and memberships', () => {
  const models = MODELS.lists;
  const lists = () => client.crm.lists;

  it('reads, creates, searches, deletes and restores lists', async () => {
    await expectAnswer(() => lists().listsApi.getAll(), 200, models, 'ListsByIdResponse');
    await expectAnswer(() => lists().listsApi.getAll(['101', '105']), 200, models, 'ListsByIdResponse');
    await expectAnswer(() => lists().listsApi.getById('105'), 200, models, 'ListFetchResponse');
    await expectAnswer(() => lists().listsApi.getByName('Newsletter', '0-1'), 200, models, 'ListFetchResponse');
    const created = (await expectAnswer(
      () => lists().listsApi.create({ name: 'Contract list', objectTypeId: '0-1', processingType: 'MANUAL' }),
      200,
      models,
      'ListCreateResponse',
    )) as { list: { listId: string } };
    const found = (await expectAnswer(
      () => lists().listsApi.doSearch({ processingTypes: ['DYNAMIC'], query: '' }),
      200,
      models,
      'ListSearchResponse',
    )) as {
      lists: { name: string }[];
    };
    expect(found.lists.map((l) => l.name)).toEqual(['Active nurture: engaged leads']);
    await expectNoContent(() => lists().listsApi.remove(created.list.listId));
    await expectError(() => lists().listsApi.getById(created.list.listId), 404, models, 'OBJECT_NOT_FOUND');
    await expectNoContent(() => lists().listsApi.restore(created.list.listId));
    await expectError(
      () => lists().listsApi.create({ name: 'contract LIST', objectTypeId: '0-1', processingType: 'MANUAL' }),
      400,
      models,
      'VALIDATION_ERROR',
    );
    await expectError(() => lists().listsApi.getByName('No such list', '0-1'), 404, models, 'OBJECT_NOT_FOUND');
  });

  it('adds and removes members, pages them, and lists a record’s memberships', async () => {
    const c = await contacts().basicApi.create({ properties: { email: email() }, associations: [] });
    const added = (await expectAnswer(
      () => lists().membershipsApi.add('102', [c.id, '999999999']),
      200,
      models,
      'MembershipsUpdateResponse',
    )) as Record<string, string[]>;
    expect(added).toEqual({ recordsIdsAdded: [c.id], recordIdsRemoved: [], recordIdsMissing: ['999999999'] });
    await expectAnswer(
      () => lists().membershipsApi.getPage('102', undefined, undefined, 5),
      200,
      models,
      'ApiCollectionResponseJoinTimeAndRecordId',
    );
    await expectAnswer(
      () => lists().membershipsApi.getLists('0-1', c.id),
      200,
      models,
      'ApiCollectionResponseRecordListMembershipNoPaging',
    );
    const removed = (await expectAnswer(
      () => lists().membershipsApi.remove('102', [c.id]),
      200,
      models,
      'MembershipsUpdateResponse',
    )) as Record<string, string[]>;
    expect(removed.recordIdsRemoved).toEqual([c.id]);
    await expectError(() => lists().membershipsApi.add('105', [c.id]), 400, models, 'VALIDATION_ERROR');
    await expectError(() => lists().membershipsApi.add('999', [c.id]), 404, models, 'OBJECT_NOT_FOUND');
  });
});

describe('associations v4', () => {
  const models = MODELS.associations;
  const v4 = () => client.crm.associations.v4;

  it('default, labelled, read, batch read, batch default and archive', async () => {
    const c = await contacts().basicApi.create({ properties: { email: email() }, associations: [] });
    const co = await companies().basicApi.create({ properties: { name: 'Assoc Co' }, associations: [] });
    await expectAnswer(
      () => v4().basicApi.createDefault('contacts', c.id, 'companies', co.id),
      200,
      models,
      'BatchResponsePublicDefaultAssociation',
    );
    const labelled = (await expectAnswer(
      () =>
        v4().basicApi.create('contacts', c.id, 'companies', co.id, [
          { associationCategory: AssociationSpecAssociationCategoryEnum.HubspotDefined, associationTypeId: 1 },
        ]),
      201,
      models,
      'LabelsBetweenObjectPair',
    )) as { labels: string[] };
    expect(labelled.labels).toEqual(['Primary']);
    const page = (await expectAnswer(
      () => v4().basicApi.getPage('contacts', c.id, 'companies'),
      200,
      models,
      'CollectionResponseMultiAssociatedObjectWithLabelForwardPaging',
    )) as {
      results: { toObjectId: string; associationTypes: { typeId: number }[] }[];
    };
    expect(page.results).toEqual([
      {
        toObjectId: co.id,
        associationTypes: [expect.objectContaining({ typeId: 1 }), expect.objectContaining({ typeId: 279 })],
      },
    ]);
    await expectAnswer(
      () => v4().basicApi.getPage('companies', co.id, 'contacts'),
      200,
      models,
      'CollectionResponseMultiAssociatedObjectWithLabelForwardPaging',
    );
    await expectAnswer(
      () => v4().batchApi.getPage('contacts', 'companies', { inputs: [{ id: c.id }] }),
      200,
      models,
      'BatchResponsePublicAssociationMultiWithLabel',
    );
    await expectAnswer(
      () => v4().batchApi.getPage('contacts', 'companies', { inputs: [{ id: c.id }, { id: '999999999' }] }),
      207,
      models,
      'BatchResponsePublicAssociationMultiWithLabelWithErrors',
    );
    const other = await contacts().basicApi.create({ properties: { email: email() }, associations: [] });
    await expectAnswer(
      () =>
        v4().batchApi.createDefault('contacts', 'companies', {
          inputs: [{ _from: { id: other.id }, to: { id: co.id } }],
        }),
      200,
      models,
      'BatchResponsePublicDefaultAssociation',
    );
    await expectNoContent(() => v4().basicApi.archive('contacts', c.id, 'companies', co.id));
    const after = await v4().basicApi.getPage('contacts', c.id, 'companies');
    expect(after.results).toEqual([]);
  });

  it('answers unknown object types, records and association types with errors', async () => {
    const c = await contacts().basicApi.create({ properties: { email: email() }, associations: [] });
    await expectError(
      () => v4().basicApi.createDefault('unicorns', c.id, 'companies', '1'),
      400,
      models,
      'VALIDATION_ERROR',
    );
    await expectError(
      () => v4().basicApi.createDefault('contacts', c.id, 'companies', '999999999'),
      404,
      models,
      'OBJECT_NOT_FOUND',
    );
    await expectError(
      () =>
        v4().basicApi.create('contacts', c.id, 'companies', '5000001', [
          { associationCategory: AssociationSpecAssociationCategoryEnum.HubspotDefined, associationTypeId: 4 },
        ]),
      400,
      models,
      'VALIDATION_ERROR',
    );
  });
});

describe('legacy workflows v2 (client.apiRequest, which never throws)', () => {
  /** The documented v2 shape; strict, so an unexpected key fails. */
  const workflow = z
    .object({
      id: z.number().int(),
      name: z.string(),
      description: z.string(),
      type: z.enum(['DRIP_DELAY', 'STATIC_ANCHOR', 'PROPERTY_ANCHOR']),
      enabled: z.boolean(),
      portalId: z.number().int(),
      insertedAt: z.number().int(),
      updatedAt: z.number().int(),
      personaTagIds: z.array(z.number()),
    })
    .strict();
  const errorBody = z
    .object({ status: z.literal('error'), message: z.string(), correlationId: z.string(), category: z.string() })
    .passthrough();

  async function call(method: string, urlPath: string): Promise<{ status: number; json: unknown }> {
    const res = await client.apiRequest({ method, path: urlPath });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
  }

  it('lists workflows, enrolls, reads enrollments, unenrolls, and 404s what is not there', async () => {
    const list = await call('GET', '/automation/v2/workflows');
    expect(list.status).toBe(200);
    const { workflows } = z
      .object({ workflows: z.array(workflow).min(3) })
      .strict()
      .parse(list.json);
    const target = workflows.find((w) => w.enabled)!;
    workflow.parse((await call('GET', `/automation/v2/workflows/${target.id}`)).json);

    const c = await contacts().basicApi.create({ properties: { email: email() }, associations: [] });
    expect(
      (await call('POST', `/automation/v2/workflows/${target.id}/enrollments/contacts/${c.properties.email}`)).status,
    ).toBe(204);
    const enrolled = await call('GET', `/automation/v2/workflows/enrollments/contacts/${c.id}`);
    expect(
      z
        .array(workflow)
        .parse(enrolled.json)
        .map((w) => w.id),
    ).toEqual([target.id]);
    const out = await call(
      'DELETE',
      `/automation/v2/workflows/${target.id}/enrollments/contacts/${c.properties.email}`,
    );
    expect(out).toEqual({ status: 204, json: undefined });
    expect((await call('GET', `/automation/v2/workflows/enrollments/contacts/${c.id}`)).json).toEqual([]);

    for (const [method, p] of [
      ['DELETE', `/automation/v2/workflows/${target.id}/enrollments/contacts/${c.properties.email}`],
      ['DELETE', `/automation/v2/workflows/1/enrollments/contacts/${c.properties.email}`],
      ['DELETE', `/automation/v2/workflows/${target.id}/enrollments/contacts/nobody@contract.example`],
      ['POST', `/automation/v2/workflows/${target.id}/enrollments/contacts/nobody@contract.example`],
      ['GET', '/automation/v2/workflows/1'],
    ] as const) {
      const r = await call(method, p);
      expect({ method, p, status: r.status }).toEqual({ method, p, status: 404 });
      errorBody.parse(r.json);
    }
  });
});
