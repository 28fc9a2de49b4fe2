import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection, SfDate } from 'jsforce';
import { DEMO_COMPANIES, DEMO_SALES_REPS } from '../../src/demo';
import { startSalesforceSandbox } from '../../src/salesforce';

type Sandbox = Awaited<ReturnType<typeof startSalesforceSandbox>>;

const START = Date.parse('2026-03-02T09:00:00.000Z');

function connect(sandbox: Pick<Sandbox, 'url' | 'accessToken'>, accessToken = sandbox.accessToken): Connection {
  return new Connection({ instanceUrl: sandbox.url, accessToken, version: '62.0' });
}

/** The errorCode of what a promise rejects with (jsforce raises HttpApiError). */
async function errorOf(
  promise: PromiseLike<unknown>,
): Promise<{ errorCode?: string; message: string; data?: unknown }> {
  try {
    await promise;
  } catch (err) {
    return err as { errorCode?: string; message: string; data?: unknown };
  }
  throw new Error('expected the call to fail');
}

async function stats(sandbox: Sandbox): Promise<{ total: number; requests: Record<string, number> }> {
  const res = await fetch(`${sandbox.url}/__sandbox/stats`);
  return (await res.json()) as { total: number; requests: Record<string, number> };
}

async function admin(sandbox: Sandbox, route: string, body?: unknown): Promise<Response> {
  return fetch(`${sandbox.url}${route}`, {
    method: 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe('Salesforce sandbox through jsforce', () => {
  let clock = START;
  let sandbox: Sandbox;
  let conn: Connection;

  beforeAll(async () => {
    sandbox = await startSalesforceSandbox({ now: () => clock });
    conn = connect(sandbox);
  });
  afterAll(async () => {
    await sandbox.close();
  });
  beforeEach(async () => {
    clock = START;
    expect((await admin(sandbox, '/__sandbox/reset')).status).toBe(200);
  });

  describe('demo preset', () => {
    test('the sales reps are active Users with the shared emails; plus the API user, an inactive user and a queue', async () => {
      const users = await conn.query<{ Email: string; IsActive: boolean; Name: string }>(
        'SELECT Name, Email, IsActive FROM User ORDER BY Email',
      );
      const active = users.records.filter((u) => u.IsActive).map((u) => u.Email);
      for (const rep of DEMO_SALES_REPS) expect(active).toContain(rep.email);
      expect(users.records.find((u) => u.Name === 'Baton Integration')?.IsActive).toBe(true);
      expect(users.records.filter((u) => !u.IsActive)).toHaveLength(1);
      expect(users.totalSize).toBe(DEMO_SALES_REPS.length + 2);
      const queues = await conn.query<{ Id: string }>("SELECT Id, Name FROM Group WHERE Type = 'Queue'");
      expect(queues.records[0]?.Id).toMatch(/^00G[A-Za-z0-9]{15}$/);
    });

    test('accounts for the demo companies with a website and a rep as owner; twenty leads', async () => {
      const repEmails = DEMO_SALES_REPS.map((r) => r.email);
      const accounts = await conn.query<{ Name: string; Website: string; Owner: { Email: string } }>(
        'SELECT Name, Website, Owner.Email FROM Account',
      );
      expect(accounts.records.map((a) => a.Name).sort()).toEqual(DEMO_COMPANIES.map((c) => c.name).sort());
      for (const a of accounts.records) {
        expect(a.Website).toContain(DEMO_COMPANIES.find((c) => c.name === a.Name)?.domain);
        expect(repEmails).toContain(a.Owner.Email);
      }
      const leads = await conn.query<{ Id: string }>('SELECT Id, Email, Status FROM Lead');
      expect(leads.totalSize).toBe(20);
      for (const l of leads.records) expect(l.Id).toMatch(/^00Q[A-Za-z0-9]{15}$/);
    });

    test('is deterministic: two sandboxes hold the same records and ids', async () => {
      const other = await startSalesforceSandbox({ now: () => START });
      try {
        const soql = 'SELECT Id, Email, Company, OwnerId, Status FROM Lead ORDER BY Id';
        expect((await connect(other).query(soql)).records).toEqual((await conn.query(soql)).records);
      } finally {
        await other.close();
      }
    });
  });

  describe('query', () => {
    test('autoFetch follows nextRecordsUrl past 2,000 records', async () => {
      const records = Array.from({ length: 2500 }, (_, i) => ({
        LastName: `Bulk ${i}`,
        Company: 'Bulk Co',
        Email: `bulk${i}@bulk.example`,
      }));
      const created = await conn.sobject('Lead').create(records, { allOrNone: true, allowRecursive: true });
      expect(created.every((r) => r.success)).toBe(true);

      const before = await stats(sandbox);
      const all = await conn.query<{ Id: string }>('SELECT Id FROM Lead').autoFetch(true).maxFetch(100_000).execute();
      expect(all.totalSize).toBe(2520);
      expect(all.records).toHaveLength(2520);
      expect(new Set(all.records.map((r) => r.Id)).size).toBe(2520);
      const after = await stats(sandbox);
      expect(
        (after.requests['GET /services/data/:version/query'] ?? 0) -
          (before.requests['GET /services/data/:version/query'] ?? 0),
      ).toBe(1);
      expect(
        (after.requests['GET /services/data/:version/query/:locator'] ?? 0) -
          (before.requests['GET /services/data/:version/query/:locator'] ?? 0),
      ).toBe(1);
    });

    test('queryMore continues from nextRecordsUrl; batchSize is honoured', async () => {
      await conn.sobject('Lead').create(
        Array.from({ length: 480 }, (_, i) => ({ LastName: `Page ${i}`, Company: 'Paging Co' })),
        { allowRecursive: true },
      );
      const first = await conn.query<{ LastName: string }>(
        "SELECT LastName FROM Lead WHERE Company = 'Paging Co' ORDER BY LastName",
        {
          headers: { 'Sforce-Query-Options': 'batchSize=200' },
        },
      );
      expect(first.done).toBe(false);
      expect(first.totalSize).toBe(480);
      expect(first.records).toHaveLength(200);
      // jsforce rebuilds nextRecordsUrl from its own base URL and the locator it parsed.
      expect(first.nextRecordsUrl).toBe(
        `${sandbox.url}/services/data/v62.0/query/${first.nextRecordsUrl?.split('/').pop() ?? ''}`,
      );
      expect(first.nextRecordsUrl).toMatch(/\/query\/01g[A-Za-z0-9]{15}-200$/);

      const second = await conn.queryMore<{ LastName: string }>(first.nextRecordsUrl ?? '');
      expect(second.records).toHaveLength(200);
      expect(second.done).toBe(false);
      const third = await conn.queryMore<{ LastName: string }>(second.nextRecordsUrl ?? '');
      expect(third.records).toHaveLength(80);
      expect(third.done).toBe(true);
      expect(third.nextRecordsUrl).toBeUndefined();
      const names = [...first.records, ...second.records, ...third.records].map((r) => r.LastName);
      expect(names).toEqual([...names].sort((a, b) => (a.toUpperCase() < b.toUpperCase() ? -1 : 1)));

      const gone = await errorOf(conn.queryMore(first.nextRecordsUrl ?? ''));
      expect(gone.errorCode).toBe('INVALID_QUERY_LOCATOR');
    });

    test('parent relationship fields and COUNT()', async () => {
      const leads = await conn.query<{ Owner: { attributes: { type: string }; Email: string } }>(
        'SELECT Id, Owner.Email FROM Lead LIMIT 5',
      );
      for (const l of leads.records) expect(l.Owner.attributes.type).toBe('Name');
      const count = await conn.query("SELECT COUNT() FROM Lead WHERE Status = 'Open - Not Contacted'");
      expect(count.records).toEqual([]);
      expect(count.totalSize).toBeGreaterThan(0);
    });

    test('the delta cursor (SystemModstamp, Id) pages through ties', async () => {
      clock = START + 60_000;
      const tied = await conn
        .sobject('Lead')
        .create([1, 2, 3].map((i) => ({ LastName: `Tie ${i}`, Company: 'Tie Co' })));
      const ids = tied.map((r) => (r.success ? r.id : ''));
      const mark = '2026-03-02T09:01:00.000Z';
      const soql = (afterId: string) =>
        `SELECT Id, SystemModstamp FROM Lead WHERE (SystemModstamp > ${mark} OR (SystemModstamp = ${mark} AND Id > '${afterId}')) ORDER BY SystemModstamp, Id`;
      const page = await conn.query<{ Id: string; SystemModstamp: string }>(soql(ids[0] ?? ''));
      expect(page.records.map((r) => r.Id)).toEqual(ids.slice(1));
      expect(page.records[0]?.SystemModstamp).toBe('2026-03-02T09:01:00.000+0000');

      clock = START + 120_000;
      await conn.sobject('Lead').update({ Id: ids[0] ?? '', Rating: 'Hot' });
      const next = await conn.query<{ Id: string }>(soql(ids[2] ?? ''));
      expect(next.records.map((r) => r.Id)).toEqual([ids[0]]);
    });

    test("jsforce's query builder: find, findOne, count", async () => {
      const open = await conn
        .sobject('Lead')
        .find({ Status: 'Open - Not Contacted' }, ['Id', 'Email'], { sort: { Email: 1 }, limit: 3 });
      expect(open).toHaveLength(3);
      const one = await conn.sobject('Lead').findOne({ Email: open[0]?.Email ?? '' }, ['Id']);
      expect(one?.Id).toBe(open[0]?.Id);
      const total = await conn.sobject('Lead').count({ Status: 'Open - Not Contacted' });
      expect(total).toBeGreaterThanOrEqual(3);
      const recent = await conn
        .sobject('Lead')
        .count({ CreatedDate: { $gte: SfDate.toDateTimeLiteral(new Date(START - 90 * 86_400_000)) } });
      expect(recent).toBe(20);
    });

    test('IN lists of emails, as the adapter chunks them', async () => {
      const leads = await conn.query<{ Email: string }>('SELECT Email FROM Lead LIMIT 3');
      const emails = leads.records.map((l) => l.Email.toUpperCase());
      const found = await conn.query<{ Email: string }>(
        `SELECT Id, Email FROM Lead WHERE Email IN (${emails.map((e) => `'${e}'`).join(', ')})`,
      );
      expect(found.totalSize).toBe(3);
    });

    test('queryAll (scanAll) sees deleted records', async () => {
      const { records } = await conn.query<{ Id: string }>('SELECT Id FROM Lead LIMIT 1');
      const id = records[0]?.Id ?? '';
      await conn.sobject('Lead').destroy(id);
      const live = await conn.query(`SELECT Id FROM Lead WHERE Id = '${id}'`);
      expect(live.totalSize).toBe(0);
      const all = await conn.query<{ IsDeleted: boolean }>(`SELECT Id, IsDeleted FROM Lead WHERE Id = '${id}'`, {
        scanAll: true,
      });
      expect(all.records[0]?.IsDeleted).toBe(true);
    });

    test.each([
      ['MALFORMED_QUERY', 'SELECT FROM Lead', /unexpected token: FROM/],
      [
        'MALFORMED_QUERY',
        "SELECT Id FROM Lead WHERE Status = 'a' AND Status = 'b' OR Status = 'c'",
        /unexpected token: OR/,
      ],
      [
        'INVALID_FIELD',
        'SELECT Foo FROM Lead',
        /No such column 'Foo' on entity 'Lead'\. If you are attempting to use a custom field, be sure to append the '__c'/,
      ],
      ['INVALID_TYPE', 'SELECT Id FROM Foo', /sObject type 'Foo' is not supported\./],
    ])('%s: %s', async (errorCode, soql, message) => {
      const err = await errorOf(conn.query(soql));
      expect(err.errorCode).toBe(errorCode);
      expect(err.message).toMatch(message);
    });
  });

  describe('single records', () => {
    test('create, retrieve, update and destroy', async () => {
      const created = await conn
        .sobject('Lead')
        .create({ FirstName: 'Grace', LastName: 'Hopper', Company: 'Navy', Email: 'grace@navy.example' });
      expect(created).toEqual({ id: expect.stringMatching(/^00Q[A-Za-z0-9]{15}$/), success: true, errors: [] });
      const id = created.success ? created.id : '';

      const full = await conn.sobject('Lead').retrieve(id);
      expect(full).toMatchObject({
        attributes: { type: 'Lead', url: `/services/data/v62.0/sobjects/Lead/${id}` },
        Id: id,
        Name: 'Grace Hopper',
        Status: 'Open - Not Contacted',
        OwnerId: sandbox.state.apiUserId,
        IsConverted: false,
        IsDeleted: false,
        CreatedDate: '2026-03-02T09:00:00.000+0000',
        SystemModstamp: '2026-03-02T09:00:00.000+0000',
        Rating: null,
      });

      clock += 5_000;
      const repId =
        (await conn.query<{ Id: string }>(`SELECT Id FROM User WHERE Email = '${DEMO_SALES_REPS[0]?.email ?? ''}'`))
          .records[0]?.Id ?? '';
      const updated = await conn
        .sobject('Lead')
        .update({ Id: id, Rating: 'Hot', OwnerId: repId, Status: 'Working - Contacted' });
      expect(updated).toEqual({ id, success: true, errors: [] });
      const some = await conn
        .sobject('Lead')
        .retrieve(id, { fields: ['Rating', 'OwnerId', 'LastModifiedDate', 'CreatedDate'] });
      expect(some).toEqual({
        attributes: { type: 'Lead', url: `/services/data/v62.0/sobjects/Lead/${id}` },
        Rating: 'Hot',
        OwnerId: repId,
        LastModifiedDate: '2026-03-02T09:00:05.000+0000',
        CreatedDate: '2026-03-02T09:00:00.000+0000',
        Id: id,
      });

      expect(await conn.sobject('Lead').destroy(id)).toEqual({ id, success: true, errors: [] });
      const gone = await errorOf(conn.sobject('Lead').retrieve(id));
      expect(gone.errorCode).toBe('NOT_FOUND');
      expect(gone.message).toBe('The requested resource does not exist');
      const again = await errorOf(conn.sobject('Lead').destroy(id));
      expect(again.errorCode).toBe('ENTITY_IS_DELETED');
    });

    test('a retrieve by an unknown id is NOT_FOUND', async () => {
      const err = await errorOf(conn.sobject('Lead').retrieve('00QDn000000000AAAA'));
      expect(err.errorCode).toBe('NOT_FOUND');
    });

    test('REQUIRED_FIELD_MISSING names the fields', async () => {
      const err = await errorOf(conn.sobject('Lead').create({ FirstName: 'Nobody' }));
      expect(err.errorCode).toBe('REQUIRED_FIELD_MISSING');
      expect(err.message).toBe('Required fields are missing: [LastName, Company]');
      expect(err.data).toEqual({
        message: 'Required fields are missing: [LastName, Company]',
        errorCode: 'REQUIRED_FIELD_MISSING',
        fields: ['LastName', 'Company'],
      });
    });

    test('an unknown field is INVALID_FIELD', async () => {
      const err = await errorOf(conn.sobject('Lead').create({ LastName: 'X', Company: 'Y', Foo: 'bar' }));
      expect(err.errorCode).toBe('INVALID_FIELD');
      expect(err.message).toBe("No such column 'Foo' on sobject of type Lead");
    });

    test('lookups are checked: a malformed id, an inactive owner', async () => {
      const malformed = await errorOf(conn.sobject('Lead').create({ LastName: 'X', Company: 'Y', OwnerId: 'nope' }));
      expect(malformed.errorCode).toBe('MALFORMED_ID');
      const inactive =
        (await conn.query<{ Id: string }>('SELECT Id FROM User WHERE IsActive = false')).records[0]?.Id ?? '';
      const err = await errorOf(conn.sobject('Lead').create({ LastName: 'X', Company: 'Y', OwnerId: inactive }));
      expect(err.errorCode).toBe('INACTIVE_OWNER_OR_USER');
      const queue =
        (await conn.query<{ Id: string }>("SELECT Id FROM Group WHERE Type = 'Queue'")).records[0]?.Id ?? '';
      expect((await conn.sobject('Lead').create({ LastName: 'X', Company: 'Y', OwnerId: queue })).success).toBe(true);
    });

    test('Sforce-Auto-Assign is recorded on create and update', async () => {
      const created = await conn
        .sobject('Lead')
        .create({ LastName: 'Assign', Company: 'Rules' }, { headers: { 'Sforce-Auto-Assign': 'FALSE' } });
      const id = created.success ? created.id : '';
      expect(sandbox.state.autoAssign.get(id)).toEqual({ onCreate: false });
      await conn.sobject('Lead').update({ Id: id, Rating: 'Warm' });
      expect(sandbox.state.autoAssign.get(id)).toEqual({ onCreate: false, onLastUpdate: true });
    });

    test('upsert by an external id field creates, then updates', async () => {
      if (!sandbox.state.objectSchema('Lead')?.fieldsByLowerName.has('baton_id__c')) {
        sandbox.state.defineField('Lead', 'Baton_Id__c', 'string', {
          length: 64,
          externalId: true,
          unique: true,
          label: 'Baton ID',
        });
      }
      const first = await conn
        .sobject('Lead')
        .upsert({ Baton_Id__c: 'hs-1', LastName: 'Upsert', Company: 'Ext Co' }, 'Baton_Id__c');
      expect(first).toMatchObject({ success: true, created: true });
      const second = await conn.sobject('Lead').upsert({ Baton_Id__c: 'hs-1', Rating: 'Cold' }, 'Baton_Id__c');
      expect(second).toMatchObject({ success: true, created: false });
      const many = await conn.sobject('Lead').upsert(
        [
          { Baton_Id__c: 'hs-1', Title: 'CEO' },
          { Baton_Id__c: 'hs-2', LastName: 'Second', Company: 'Ext Co' },
          { Baton_Id__c: 'hs-3', FirstName: 'No last name' },
        ],
        'Baton_Id__c',
        { allOrNone: false },
      );
      expect(many.map((r) => [r.success, r.created])).toEqual([
        [true, false],
        [true, true],
        [false, false],
      ]);
      const rows = await conn.query<{ Baton_Id__c: string; Title: string | null; Rating: string | null }>(
        "SELECT Baton_Id__c, Title, Rating FROM Lead WHERE Company = 'Ext Co' ORDER BY Baton_Id__c",
      );
      expect(rows.records.map((r) => [r.Baton_Id__c, r.Title, r.Rating])).toEqual([
        ['hs-1', 'CEO', 'Cold'],
        ['hs-2', null, null],
      ]);
    });
  });

  describe('sObject collections', () => {
    test('create, retrieve, update and destroy arrays, with per-record errors', async () => {
      const created = await conn
        .sobject('Lead')
        .create(
          [
            { LastName: 'One', Company: 'Batch' },
            { LastName: 'Two' },
            { LastName: 'Three', Company: 'Batch', Email: 'not-an-email' },
            { LastName: 'Four', Company: 'Batch' },
          ],
          { allOrNone: false },
        );
      expect(created[0]).toEqual({ id: expect.stringMatching(/^00Q/), success: true, errors: [] });
      expect(created[1]).toEqual({
        success: false,
        errors: [
          {
            statusCode: 'REQUIRED_FIELD_MISSING',
            message: 'Required fields are missing: [Company]',
            fields: ['Company'],
          },
        ],
      });
      expect(created[2]).toMatchObject({
        success: false,
        errors: [{ statusCode: 'INVALID_EMAIL_ADDRESS', fields: ['Email'] }],
      });
      const ids = [created[0], created[3]].map((r) => (r?.success ? r.id : ''));

      const retrieved = await conn
        .sobject('Lead')
        .retrieve([...ids, '00QDn000000000AAAA'], { fields: ['LastName', 'Company'] });
      expect(retrieved).toEqual([
        {
          attributes: { type: 'Lead', url: `/services/data/v62.0/sobjects/Lead/${ids[0]}` },
          LastName: 'One',
          Company: 'Batch',
          Id: ids[0],
        },
        {
          attributes: { type: 'Lead', url: `/services/data/v62.0/sobjects/Lead/${ids[1]}` },
          LastName: 'Four',
          Company: 'Batch',
          Id: ids[1],
        },
        null,
      ]);
      // Without fields jsforce describes the object first and asks for every field.
      const everything = await conn.sobject('Lead').retrieve(ids);
      expect(everything[0]).toMatchObject({ LastName: 'One', Status: 'Open - Not Contacted' });

      const updated = await conn.sobject('Lead').update(
        [
          { Id: ids[0] ?? '', Title: 'CTO' },
          { Id: ids[1] ?? '', LastName: null },
          { Id: '001Dn000000000AAAA', Title: 'wrong object' },
        ],
        { allOrNone: false },
      );
      expect(updated[0]).toEqual({ id: ids[0], success: true, errors: [] });
      expect(updated[1]).toMatchObject({
        id: ids[1],
        success: false,
        errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', fields: ['LastName'] }],
      });
      expect(updated[2]).toMatchObject({ success: false, errors: [{ statusCode: 'MALFORMED_ID', fields: ['Id'] }] });

      const destroyed = await conn.sobject('Lead').destroy([...ids, ids[0] ?? '']);
      expect(destroyed.map((r) => r.success)).toEqual([true, true, false]);
      expect(destroyed[2]).toEqual({
        id: ids[0],
        success: false,
        errors: [{ statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }],
      });
    });

    test('allOrNone rolls every record back', async () => {
      const before = (await conn.query('SELECT COUNT() FROM Lead')).totalSize;
      const results = await conn
        .sobject('Lead')
        .create([{ LastName: 'Fine', Company: 'Atomic' }, { LastName: 'Broken' }], { allOrNone: true });
      expect(results).toEqual([
        {
          success: false,
          errors: [
            {
              statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
              message:
                'Record rolled back because not all records were valid and the request was using AllOrNone header',
              fields: [],
            },
          ],
        },
        {
          success: false,
          errors: [
            {
              statusCode: 'REQUIRED_FIELD_MISSING',
              message: 'Required fields are missing: [Company]',
              fields: ['Company'],
            },
          ],
        },
      ]);
      expect((await conn.query('SELECT COUNT() FROM Lead')).totalSize).toBe(before);

      const { records } = await conn.query<{ Id: string }>('SELECT Id FROM Lead LIMIT 2');
      const ids = records.map((r) => r.Id);
      const deletes = await conn.sobject('Lead').destroy([...ids, '00QDn000000000AAAA'], { allOrNone: true });
      // The wire format says statusCode; jsforce's SaveError type calls it errorCode.
      expect(deletes.map((r) => (r.errors[0] as { statusCode?: string } | undefined)?.statusCode)).toEqual([
        'ALL_OR_NONE_OPERATION_ROLLED_BACK',
        'ALL_OR_NONE_OPERATION_ROLLED_BACK',
        'INVALID_CROSS_REFERENCE_KEY',
      ]);
      expect((await conn.query(`SELECT COUNT() FROM Lead WHERE Id IN ('${ids.join("','")}')`)).totalSize).toBe(2);
    });

    test('more than 200 records is EXCEEDED_ID_LIMIT', async () => {
      const records = Array.from({ length: 201 }, (_, i) => ({ LastName: `Too many ${i}`, Company: 'Limits' }));
      const err = await errorOf(conn.sobject('Lead').create(records));
      expect(err.errorCode).toBe('EXCEEDED_ID_LIMIT');
      expect(err.message).toBe('record limit reached. cannot submit more than 200 records into this call');
    });
  });

  describe('describe', () => {
    test('describe(Lead) has the fields, types, picklists and lookups', async () => {
      const d = await conn.sobject('Lead').describe();
      expect(d).toMatchObject({ name: 'Lead', label: 'Lead', keyPrefix: '00Q', createable: true, queryable: true });
      const byName = new Map(d.fields.map((f) => [f.name, f]));
      expect(byName.get('LastName')).toMatchObject({
        type: 'string',
        length: 80,
        nillable: false,
        createable: true,
        defaultedOnCreate: false,
      });
      expect(byName.get('Company')).toMatchObject({ type: 'string', length: 255, nillable: false });
      expect(byName.get('Email')).toMatchObject({ type: 'email', length: 80, nillable: true });
      expect(byName.get('Status')?.picklistValues).toEqual([
        {
          active: true,
          defaultValue: true,
          label: 'Open - Not Contacted',
          validFor: null,
          value: 'Open - Not Contacted',
        },
        {
          active: true,
          defaultValue: false,
          label: 'Working - Contacted',
          validFor: null,
          value: 'Working - Contacted',
        },
        { active: true, defaultValue: false, label: 'Closed - Converted', validFor: null, value: 'Closed - Converted' },
        {
          active: true,
          defaultValue: false,
          label: 'Closed - Not Converted',
          validFor: null,
          value: 'Closed - Not Converted',
        },
      ]);
      expect(byName.get('OwnerId')).toMatchObject({
        type: 'reference',
        referenceTo: ['Group', 'User'],
        relationshipName: 'Owner',
        defaultedOnCreate: true,
      });
      expect(byName.get('SystemModstamp')).toMatchObject({ type: 'datetime', createable: false, updateable: false });
      for (const name of [
        'Id',
        'FirstName',
        'Phone',
        'Title',
        'Country',
        'State',
        'City',
        'Industry',
        'NumberOfEmployees',
        'Website',
        'LeadSource',
        'Rating',
        'IsConverted',
        'ConvertedContactId',
        'ConvertedAccountId',
        'Description',
        'CreatedDate',
        'LastModifiedDate',
        'IsDeleted',
      ]) {
        expect(byName.has(name)).toBe(true);
      }
    });

    test('describeGlobal lists the objects with their key prefixes', async () => {
      const g = await conn.describeGlobal();
      const prefixes = Object.fromEntries(g.sobjects.map((s) => [s.name, s.keyPrefix]));
      expect(prefixes).toMatchObject({
        Lead: '00Q',
        User: '005',
        Account: '001',
        Contact: '003',
        Task: '00T',
        Campaign: '701',
        CampaignMember: '00v',
      });
    });

    test('describe of an unknown object is NOT_FOUND', async () => {
      expect((await errorOf(conn.sobject('Nope').describe())).errorCode).toBe('NOT_FOUND');
    });
  });

  describe('HTTP', () => {
    test('every answer carries Sforce-Limit-Info and the JSON content type; jsforce reads the usage', async () => {
      const res = await fetch(
        `${sandbox.url}/services/data/v62.0/query?q=${encodeURIComponent('SELECT Id FROM Lead LIMIT 1')}`,
        {
          headers: { Authorization: `Bearer ${sandbox.accessToken}` },
        },
      );
      expect(res.headers.get('content-type')).toBe('application/json;charset=UTF-8');
      expect(res.headers.get('sforce-limit-info')).toMatch(/^api-usage=\d+\/15000$/);
      const notFound = await fetch(`${sandbox.url}/services/data/v62.0/sobjects/Lead/00QDn000000000AAAA`, {
        headers: { Authorization: `Bearer ${sandbox.accessToken}` },
      });
      expect(notFound.status).toBe(404);
      expect(notFound.headers.get('content-type')).toBe('application/json;charset=UTF-8');
      expect(await notFound.text()).toBe(
        '[{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}]',
      );

      await conn.query('SELECT Id FROM Lead LIMIT 1');
      const used = conn.limitInfo.apiUsage?.used ?? 0;
      await conn.query('SELECT Id FROM Lead LIMIT 1');
      expect(conn.limitInfo.apiUsage).toEqual({ used: used + 1, limit: 15000 });
    });

    test('a paged answer carries a relative nextRecordsUrl before the records', async () => {
      const res = await fetch(
        `${sandbox.url}/services/data/v62.0/query?q=${encodeURIComponent('SELECT Id FROM User')}`,
        {
          headers: { Authorization: `Bearer ${sandbox.accessToken}`, 'Sforce-Query-Options': 'batchSize=5' },
        },
      );
      const body = (await res.json()) as Record<string, unknown>;
      // batchSize below 200 is raised to 200, so all ten users fit in one batch.
      expect(Object.keys(body)).toEqual(['totalSize', 'done', 'records']);
      await conn.sobject('Lead').create(
        Array.from({ length: 250 }, (_, i) => ({ LastName: `Raw ${i}`, Company: 'Raw Co' })),
        { allowRecursive: true },
      );
      const paged = await fetch(
        `${sandbox.url}/services/data/v62.0/query?q=${encodeURIComponent('SELECT Id FROM Lead')}`,
        {
          headers: { Authorization: `Bearer ${sandbox.accessToken}`, 'Sforce-Query-Options': 'batchSize=200' },
        },
      );
      const page = (await paged.json()) as { nextRecordsUrl: string };
      expect(Object.keys(page)).toEqual(['totalSize', 'done', 'nextRecordsUrl', 'records']);
      expect(page.nextRecordsUrl).toMatch(/^\/services\/data\/v62\.0\/query\/01g[A-Za-z0-9]{15}-200$/);
      const rest = await fetch(`${sandbox.url}${page.nextRecordsUrl}`, {
        headers: { Authorization: `Bearer ${sandbox.accessToken}` },
      });
      expect(((await rest.json()) as { records: unknown[] }).records).toHaveLength(70);
    });

    test('malformed or missing JSON bodies are JSON_PARSER_ERROR; unknown resources NOT_FOUND', async () => {
      const post = (body: string) =>
        fetch(`${sandbox.url}/services/data/v62.0/sobjects/Lead`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${sandbox.accessToken}`, 'content-type': 'application/json' },
          body,
        });
      for (const body of ['{"LastName": ', '', '[1, 2]']) {
        const res = await post(body);
        expect(res.status).toBe(400);
        expect(((await res.json()) as { errorCode: string }[])[0]?.errorCode).toBe('JSON_PARSER_ERROR');
      }
      const unknown = await fetch(`${sandbox.url}/services/data/v62.0/nothing/here`, {
        headers: { Authorization: `Bearer ${sandbox.accessToken}` },
      });
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toEqual([
        { errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' },
      ]);
    });

    test('any API version works', async () => {
      const old = new Connection({ instanceUrl: sandbox.url, accessToken: sandbox.accessToken, version: '58.0' });
      const r = await old.query<{ attributes: { type: string; url: string } }>('SELECT Id FROM Lead LIMIT 1');
      expect(r.records[0]?.attributes.url).toMatch(/^\/services\/data\/v58\.0\/sobjects\/Lead\//);
    });

    test('a wrong token is INVALID_SESSION_ID', async () => {
      const err = await errorOf(connect(sandbox, 'not-the-token').query('SELECT Id FROM Lead'));
      expect(err.errorCode).toBe('INVALID_SESSION_ID');
      expect(err.message).toBe('Session expired or invalid');
      const raw = await fetch(`${sandbox.url}/services/data/v62.0/sobjects`, {
        headers: { Authorization: 'Bearer wrong' },
      });
      expect(raw.status).toBe(401);
      expect(await raw.text()).toBe('[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]');
    });
  });

  describe('admin', () => {
    test('stats count API requests by route pattern', async () => {
      const start = await stats(sandbox);
      await conn.query('SELECT Id FROM Lead LIMIT 1');
      await conn.sobject('Lead').create([{ LastName: 'S', Company: 'Stats' }]);
      const end = await stats(sandbox);
      expect(end.total - start.total).toBe(2);
      expect(end.requests['POST /services/data/:version/composite/sobjects']).toBe(
        (start.requests['POST /services/data/:version/composite/sobjects'] ?? 0) + 1,
      );
      expect(Object.keys(end.requests).every((k) => !k.includes('__sandbox'))).toBe(true);
    });

    test('reset restores the start preset and zeroes the counters', async () => {
      await conn.sobject('Lead').create({ LastName: 'Temp', Company: 'Reset Co' });
      expect((await admin(sandbox, '/__sandbox/reset')).status).toBe(200);
      expect((await conn.query("SELECT COUNT() FROM Lead WHERE Company = 'Reset Co'")).totalSize).toBe(0);
      expect((await conn.query('SELECT COUNT() FROM Lead')).totalSize).toBe(20);
      const s = await stats(sandbox);
      expect(s.total).toBe(2);
    });

    test('seed replaces the data with a preset', async () => {
      expect((await admin(sandbox, '/__sandbox/seed', { preset: 'empty' })).status).toBe(200);
      expect((await conn.query('SELECT COUNT() FROM Lead')).totalSize).toBe(0);
      const users = await conn.query<{ Name: string }>('SELECT Name FROM User');
      expect(users.records.map((u) => u.Name)).toEqual(['Baton Integration']);
      const bad = await admin(sandbox, '/__sandbox/seed', { preset: 'huge' });
      expect(bad.status).toBe(400);
      expect((await admin(sandbox, '/__sandbox/seed', { preset: 'demo' })).status).toBe(200);
      expect((await conn.query('SELECT COUNT() FROM Lead')).totalSize).toBe(20);
    });
  });
});

describe('Salesforce sandbox persistence', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'baton-sf-sandbox-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  test('state survives a restart; ids keep counting', async () => {
    const stateFile = path.join(dir, 'nested', 'salesforce.json');
    const first = await startSalesforceSandbox({ stateFile, preset: 'empty' });
    const conn = connect(first);
    const created = await conn.sobject('Lead').create({ LastName: 'Durable', Company: 'Disk Co' });
    const id = created.success ? created.id : '';
    await conn.sobject('Lead').update({ Id: id, Rating: 'Hot' });
    const deleted = await conn.sobject('Lead').create({ LastName: 'Deleted', Company: 'Disk Co' });
    await conn.sobject('Lead').destroy(deleted.success ? deleted.id : '');
    first.state.defineField('Lead', 'Baton_Id__c', 'string', { externalId: true, unique: true, length: 64 });
    await conn.sobject('Lead').update({ Id: id, Baton_Id__c: 'hs-42' });
    await first.close();
    expect((await fs.readdir(path.dirname(stateFile))).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const second = await startSalesforceSandbox({ stateFile, preset: 'demo' });
    try {
      const conn2 = connect(second);
      const leads = await conn2.query<{ Id: string; Rating: string; Baton_Id__c: string }>(
        'SELECT Id, Rating, Baton_Id__c FROM Lead',
      );
      expect(leads.records.map((r) => [r.Id, r.Rating, r.Baton_Id__c])).toEqual([[id, 'Hot', 'hs-42']]);
      expect((await conn2.query('SELECT Id FROM Lead', { scanAll: true })).totalSize).toBe(2);
      const next = await conn2.sobject('Lead').create({ LastName: 'After restart', Company: 'Disk Co' });
      expect(next.success && next.id > id).toBe(true);
      expect(next.success && next.id).not.toBe(deleted.success && deleted.id);
      expect(
        (await conn2.sobject('Lead').upsert({ Baton_Id__c: 'hs-42', Title: 'Found by external id' }, 'Baton_Id__c'))
          .created,
      ).toBe(false);
    } finally {
      await second.close();
    }
  });

  test('changes are written shortly after they happen, without waiting for close', async () => {
    const stateFile = path.join(dir, 'salesforce.json');
    const sandbox = await startSalesforceSandbox({ stateFile, preset: 'empty' });
    try {
      await connect(sandbox).sobject('Lead').create({ LastName: 'Soon', Company: 'Debounce' });
      await new Promise((resolve) => setTimeout(resolve, 600));
      const saved = JSON.parse(await fs.readFile(stateFile, 'utf8')) as {
        objects: Record<string, { LastName?: string }[]>;
      };
      expect(saved.objects.Lead?.map((l) => l.LastName)).toEqual(['Soon']);
    } finally {
      await sandbox.close();
    }
  });

  test('a state file that is not a snapshot fails the start with its name', async () => {
    const stateFile = path.join(dir, 'broken.json');
    await fs.writeFile(stateFile, '{"hello": "world"}');
    await expect(startSalesforceSandbox({ stateFile })).rejects.toThrow(/broken\.json is not a sandbox snapshot/);
  });
});
