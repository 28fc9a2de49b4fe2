/**
 * Contract tests: the Salesforce sandbox driven only through the unmodified jsforce client
 * (REST, the Partner SOAP endpoint and the OAuth token endpoint), error by error.
 */
import { Connection } from 'jsforce';
import { DEMO_SALES_REPS } from '../../src/demo';
import { startSalesforceSandbox } from '../../src/salesforce';

type Sandbox = Awaited<ReturnType<typeof startSalesforceSandbox>>;

const START = Date.parse('2026-03-02T09:00:00.000Z');
const MINUTE = 60_000;
const DAY = 86_400_000;

interface ApiFailure {
  name?: string;
  errorCode?: string;
  message: string;
  data?: unknown;
}

/** What a promise rejects with (jsforce raises HttpApiError with errorCode and data). */
async function errorOf(promise: PromiseLike<unknown>): Promise<ApiFailure> {
  try {
    await promise;
  } catch (err) {
    return err as ApiFailure;
  }
  throw new Error('expected the call to fail');
}

function idOf(result: { success: boolean; id?: string }): string {
  if (!result.success || !result.id) throw new Error(`save failed: ${JSON.stringify(result)}`);
  return result.id;
}

async function post(sandbox: Sandbox, route: string, body?: unknown): Promise<Response> {
  return fetch(`${sandbox.url}${route}`, {
    method: 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe('Salesforce sandbox contract (jsforce 3.10)', () => {
  let clock = START;
  let sandbox: Sandbox;
  let conn: Connection;
  let repId: string;

  beforeAll(async () => {
    sandbox = await startSalesforceSandbox({ now: () => clock });
    conn = new Connection({ instanceUrl: sandbox.url, accessToken: sandbox.accessToken, version: '62.0' });
  });
  afterAll(async () => {
    await sandbox.close();
  });
  beforeEach(async () => {
    clock = START;
    expect((await post(sandbox, '/__sandbox/reset')).status).toBe(200);
    const rep = await conn.query<{ Id: string }>(
      `SELECT Id FROM User WHERE Email = '${DEMO_SALES_REPS[0]?.email ?? ''}'`,
    );
    repId = rep.records[0]?.Id ?? '';
  });

  const newLead = async (values: Record<string, unknown> = {}): Promise<string> =>
    idOf(
      await conn.sobject('Lead').create({
        FirstName: 'Lena',
        LastName: 'Fischer',
        Company: 'Pioneer Freight',
        Email: 'lena@pioneer.example',
        OwnerId: repId,
        ...values,
      }),
    );

  describe('objects of the handover', () => {
    test('Account, Contact, Task, Campaign and CampaignMember: create, query through lookups, update, delete', async () => {
      const accountId = idOf(
        await conn.sobject('Account').create({
          Name: 'Nimbus Labs',
          Website: 'https://nimbuslabs.example',
          Industry: 'Technology',
          NumberOfEmployees: 60,
          BillingCountry: 'United States',
          OwnerId: repId,
        }),
      );
      const contactId = idOf(
        await conn.sobject('Contact').create({
          AccountId: accountId,
          FirstName: 'Noah',
          LastName: 'Kim',
          Email: 'noah@nimbuslabs.example',
          OwnerId: repId,
        }),
      );
      const leadId = await newLead();
      const taskId = idOf(
        await conn.sobject('Task').create({
          WhoId: leadId,
          WhatId: accountId,
          OwnerId: repId,
          Subject: 'Call',
          Status: 'Completed',
          TaskSubtype: 'Call',
          Priority: 'High',
          ActivityDate: '2026-03-02',
          Description: 'First touch',
        }),
      );
      const campaignId = idOf(
        await conn
          .sobject('Campaign')
          .create({ Name: 'Q2 Webinar', IsActive: true, Status: 'In Progress', Type: 'Webinar' }),
      );
      const memberId = idOf(
        await conn.sobject('CampaignMember').create({ CampaignId: campaignId, LeadId: leadId, Status: 'Responded' }),
      );

      expect(idOf({ success: true, id: accountId })).toMatch(/^001/);
      expect(contactId).toMatch(/^003/);
      expect(taskId).toMatch(/^00T/);
      expect(campaignId).toMatch(/^701/);
      expect(memberId).toMatch(/^00v/);

      const contact = await conn.query<{
        Name: string;
        Account: { Name: string; Website: string };
        Owner: { Email: string };
      }>(`SELECT Name, Account.Name, Account.Website, Owner.Email FROM Contact WHERE Id = '${contactId}'`);
      expect(contact.records[0]).toMatchObject({
        Name: 'Noah Kim',
        Account: { Name: 'Nimbus Labs', Website: 'https://nimbuslabs.example' },
        Owner: { Email: DEMO_SALES_REPS[0]?.email },
      });

      const task = await conn.sobject('Task').retrieve(taskId);
      expect(task).toMatchObject({
        WhoId: leadId,
        WhatId: accountId,
        OwnerId: repId,
        Status: 'Completed',
        IsClosed: true,
        IsHighPriority: true,
        TaskSubtype: 'Call',
        ActivityDate: '2026-03-02',
        CompletedDateTime: '2026-03-02T09:00:00.000+0000',
        CreatedDate: '2026-03-02T09:00:00.000+0000',
      });
      const firstTouch = await conn.query<{ Who: { Type: string } }>(
        `SELECT Id, Who.Type FROM Task WHERE WhoId = '${leadId}' AND IsClosed = true`,
      );
      expect(firstTouch.records[0]?.Who.Type).toBe('Lead');

      const member = await conn.query<{ HasResponded: boolean; Campaign: { Name: string } }>(
        `SELECT HasResponded, Campaign.Name FROM CampaignMember WHERE LeadId = '${leadId}'`,
      );
      expect(member.records[0]).toMatchObject({ HasResponded: true, Campaign: { Name: 'Q2 Webinar' } });

      expect(
        await conn.sobject('Campaign').update({ Id: campaignId, IsActive: false, Status: 'Completed' }),
      ).toMatchObject({ success: true });
      expect(await conn.sobject('CampaignMember').destroy(memberId)).toMatchObject({ success: true });
      expect(
        (await conn.query(`SELECT COUNT() FROM CampaignMember WHERE CampaignId = '${campaignId}'`)).totalSize,
      ).toBe(0);
    });

    test('queues are Groups of type Queue and may own Leads and Tasks', async () => {
      const queue = await conn.query<{ Id: string; Type: string }>("SELECT Id, Type FROM Group WHERE Type = 'Queue'");
      const queueId = queue.records[0]?.Id ?? '';
      expect(queueId).toMatch(/^00G/);
      const leadId = await newLead({ OwnerId: queueId });
      const owner = await conn.query<{ Owner: { Type: string } }>(`SELECT Owner.Type FROM Lead WHERE Id = '${leadId}'`);
      expect(owner.records[0]?.Owner.Type).toBe('Queue');
    });
  });

  describe('describe', () => {
    test.each([
      ['Task', 'Status', { type: 'picklist', nillable: false, defaultedOnCreate: true, restrictedPicklist: true }],
      ['Task', 'Priority', { type: 'picklist', restrictedPicklist: true }],
      ['Task', 'TaskSubtype', { type: 'picklist', restrictedPicklist: true, updateable: false }],
      [
        'Task',
        'WhoId',
        { type: 'reference', referenceTo: ['Contact', 'Lead'], relationshipName: 'Who', polymorphicForeignKey: true },
      ],
      ['Task', 'IsClosed', { type: 'boolean', createable: false, updateable: false }],
      ['Lead', 'Status', { restrictedPicklist: true }],
      ['Lead', 'Industry', { type: 'picklist', restrictedPicklist: false }],
      ['Lead', 'Company', { type: 'string', length: 255, nillable: false, defaultedOnCreate: false }],
      ['Lead', 'ConvertedOpportunityId', { type: 'reference', referenceTo: ['Opportunity'], createable: false }],
      ['Account', 'Name', { type: 'string', length: 255, nillable: false, nameField: true }],
      ['Account', 'NumberOfEmployees', { type: 'int', soapType: 'xsd:int' }],
      ['Contact', 'LastName', { type: 'string', length: 80, nillable: false }],
      ['Contact', 'AccountId', { type: 'reference', referenceTo: ['Account'], relationshipName: 'Account' }],
      ['Campaign', 'IsActive', { type: 'boolean', defaultedOnCreate: true }],
      ['CampaignMember', 'CampaignId', { type: 'reference', nillable: false, updateable: false }],
      ['Opportunity', 'StageName', { type: 'picklist', nillable: false, restrictedPicklist: true }],
      ['User', 'TimeZoneSidKey', { restrictedPicklist: true }],
    ])('%s.%s', async (object, fieldName, expected) => {
      const d = await conn.sobject(object).describe();
      expect(d.fields.find((f) => f.name === fieldName)).toMatchObject(expected);
    });

    test('Task Status lists its values with the default', async () => {
      const d = await conn.sobject('Task').describe();
      const status = d.fields.find((f) => f.name === 'Status');
      expect(status?.picklistValues?.map((p) => [p.value, p.defaultValue])).toEqual([
        ['Not Started', true],
        ['In Progress', false],
        ['Completed', false],
        ['Waiting on someone else', false],
        ['Deferred', false],
      ]);
    });
  });

  describe('save rules, per record inside a collection', () => {
    test('each failure names its code, message and field; the valid records are saved', async () => {
      const long = 'x'.repeat(256);
      const results = await conn
        .sobject('Lead')
        .create(
          [
            { LastName: 'Valid', Company: 'Fine Co' },
            { FirstName: 'No last name' },
            { LastName: 'Picky', Company: 'Fine Co', Status: 'Maybe Later' },
            { LastName: 'Long', Company: long },
            { LastName: 'Mail', Company: 'Fine Co', Email: 'not an email' },
          ],
          { allOrNone: false },
        );
      expect(results[0]).toMatchObject({ success: true });
      expect(results.slice(1).map((r) => r.errors)).toEqual([
        [
          {
            statusCode: 'REQUIRED_FIELD_MISSING',
            message: 'Required fields are missing: [LastName, Company]',
            fields: ['LastName', 'Company'],
          },
        ],
        [
          {
            statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
            message: 'bad value for restricted picklist field: Maybe Later',
            fields: ['Status'],
          },
        ],
        [
          {
            statusCode: 'STRING_TOO_LONG',
            message: `Company: data value too large: ${long.slice(0, 100)} (max length=255)`,
            fields: ['Company'],
          },
        ],
        [
          {
            statusCode: 'INVALID_EMAIL_ADDRESS',
            message: 'Email: invalid email address: not an email',
            fields: ['Email'],
          },
        ],
      ]);
    });

    test('restricted picklists of Task are enforced on create and update', async () => {
      const leadId = await newLead();
      const bad = await conn
        .sobject('Task')
        .create([{ WhoId: leadId, Subject: 'Call', Status: 'Done' }], { allOrNone: false });
      expect(bad[0]?.errors).toEqual([
        {
          statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
          message: 'bad value for restricted picklist field: Done',
          fields: ['Status'],
        },
      ]);
      const taskId = idOf(await conn.sobject('Task').create({ WhoId: leadId, Subject: 'Call' }));
      const err = await errorOf(conn.sobject('Task').update({ Id: taskId, Priority: 'Urgent' }));
      expect(err.errorCode).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
      expect(err.message).toBe('bad value for restricted picklist field: Urgent');
    });

    test('a single-record create fails with the same error as the request error', async () => {
      const err = await errorOf(conn.sobject('Contact').create({ FirstName: 'No last name' }));
      expect(err.errorCode).toBe('REQUIRED_FIELD_MISSING');
      expect(err.data).toEqual({
        message: 'Required fields are missing: [LastName]',
        errorCode: 'REQUIRED_FIELD_MISSING',
        fields: ['LastName'],
      });
    });
  });

  describe('lead conversion through the Partner SOAP API (conn.soap.convertLead)', () => {
    test('creates Account, Contact and Opportunity, and freezes the Lead', async () => {
      const leadId = await newLead({
        Website: 'pioneerfreight.example',
        Industry: 'Transportation',
        NumberOfEmployees: 1800,
        Country: 'Germany',
        LeadSource: 'Web',
        Title: 'CTO',
      });
      const taskId = idOf(
        await conn
          .sobject('Task')
          .create({ WhoId: leadId, OwnerId: repId, Subject: 'Call', Status: 'Completed', TaskSubtype: 'Call' }),
      );
      clock += DAY;
      const result = await conn.soap.convertLead({
        leadId,
        convertedStatus: 'Closed - Converted',
        doNotCreateOpportunity: false,
        overwriteLeadSource: false,
        sendNotificationEmail: false,
      });
      expect(result).toEqual({
        accountId: expect.stringMatching(/^001/),
        contactId: expect.stringMatching(/^003/),
        leadId,
        opportunityId: expect.stringMatching(/^006/),
        success: true,
        errors: [],
      });

      const lead = await conn.sobject('Lead').retrieve(leadId, {
        fields: [
          'IsConverted',
          'ConvertedAccountId',
          'ConvertedContactId',
          'ConvertedOpportunityId',
          'ConvertedDate',
          'Status',
        ],
      });
      expect(lead).toMatchObject({
        IsConverted: true,
        ConvertedAccountId: result.accountId,
        ConvertedContactId: result.contactId,
        ConvertedOpportunityId: result.opportunityId,
        ConvertedDate: '2026-03-03',
        Status: 'Closed - Converted',
      });
      const account = await conn.sobject('Account').retrieve(result.accountId ?? '');
      expect(account).toMatchObject({
        Name: 'Pioneer Freight',
        Website: 'pioneerfreight.example',
        Industry: 'Transportation',
        NumberOfEmployees: 1800,
        BillingCountry: 'Germany',
        OwnerId: repId,
        AccountSource: 'Web',
      });
      const contact = await conn.sobject('Contact').retrieve(result.contactId ?? '');
      expect(contact).toMatchObject({
        AccountId: result.accountId,
        FirstName: 'Lena',
        LastName: 'Fischer',
        Email: 'lena@pioneer.example',
        Title: 'CTO',
        OwnerId: repId,
        LeadSource: 'Web',
        MailingCountry: 'Germany',
      });
      const opportunity = await conn.sobject('Opportunity').retrieve(result.opportunityId ?? '');
      expect(opportunity).toMatchObject({
        Name: 'Pioneer Freight',
        AccountId: result.accountId,
        StageName: 'Prospecting',
        CloseDate: '2026-03-31',
        IsClosed: false,
        OwnerId: repId,
      });
      // Activities follow the lead to its contact.
      expect((await conn.sobject('Task').retrieve(taskId)).WhoId).toBe(result.contactId);
    });

    test('into an existing Account and Contact, without an Opportunity, with another owner', async () => {
      const accountId = idOf(await conn.sobject('Account').create({ Name: 'Pioneer Freight GmbH' }));
      const contactId = idOf(
        await conn.sobject('Contact').create({ AccountId: accountId, LastName: 'Fischer', LeadSource: 'Other' }),
      );
      const leadId = await newLead({ LeadSource: 'Partner Referral' });
      const results = await conn.soap.convertLead([
        {
          leadId,
          convertedStatus: 'Closed - Converted',
          accountId,
          contactId,
          doNotCreateOpportunity: true,
          overwriteLeadSource: true,
          sendNotificationEmail: false,
        },
      ]);
      expect(results).toEqual([{ accountId, contactId, leadId, opportunityId: null, success: true, errors: [] }]);
      expect((await conn.sobject('Contact').retrieve(contactId)).LeadSource).toBe('Partner Referral');
      expect((await conn.query('SELECT COUNT() FROM Account')).totalSize).toBe(13);

      const second = await newLead({ Email: 'second@pioneer.example', Company: 'Second Co' });
      const other =
        (await conn.query<{ Id: string }>(`SELECT Id FROM User WHERE Email = '${DEMO_SALES_REPS[1]?.email ?? ''}'`))
          .records[0]?.Id ?? '';
      const owned = await conn.soap.convertLead({
        leadId: second,
        convertedStatus: 'Closed - Converted',
        ownerId: other,
        doNotCreateOpportunity: true,
      });
      expect((await conn.sobject('Account').retrieve(owned.accountId ?? '')).OwnerId).toBe(other);
    });

    test('a converted Lead cannot be updated or converted again: CANNOT_UPDATE_CONVERTED_LEAD', async () => {
      const leadId = await newLead();
      expect(
        (await conn.soap.convertLead({ leadId, convertedStatus: 'Closed - Converted', doNotCreateOpportunity: true }))
          .success,
      ).toBe(true);
      const single = await errorOf(conn.sobject('Lead').update({ Id: leadId, Rating: 'Hot' }));
      expect(single.errorCode).toBe('CANNOT_UPDATE_CONVERTED_LEAD');
      expect(single.message).toBe('cannot reference converted lead');
      const batch = await conn.sobject('Lead').update([{ Id: leadId, Rating: 'Hot' }], { allOrNone: false });
      expect(batch[0]?.errors).toEqual([
        { statusCode: 'CANNOT_UPDATE_CONVERTED_LEAD', message: 'cannot reference converted lead', fields: [] },
      ]);
      const again = await conn.soap.convertLead({
        leadId,
        convertedStatus: 'Closed - Converted',
        doNotCreateOpportunity: true,
      });
      expect(again).toEqual({
        accountId: null,
        contactId: null,
        leadId: null,
        opportunityId: null,
        success: false,
        // SOAP has no <fields> element for an error without fields, so jsforce leaves the key out.
        errors: [{ statusCode: 'CANNOT_UPDATE_CONVERTED_LEAD', message: 'cannot reference converted lead' }],
      });
    });

    test('per-lead failures: unknown lead, a status that is not a converted one, a queue owner; nothing is half-done', async () => {
      const queueId =
        (await conn.query<{ Id: string }>("SELECT Id FROM Group WHERE Type = 'Queue'")).records[0]?.Id ?? '';
      const queued = await newLead({ OwnerId: queueId });
      const accountsBefore = (await conn.query('SELECT COUNT() FROM Account')).totalSize;
      const results = await conn.soap.convertLead([
        { leadId: '00QDn000000000AAAA', convertedStatus: 'Closed - Converted', doNotCreateOpportunity: true },
        { leadId: queued, convertedStatus: 'Working - Contacted', doNotCreateOpportunity: true },
        { leadId: queued, convertedStatus: 'Closed - Converted', doNotCreateOpportunity: true },
      ]);
      expect(results.map((r) => [r.success, r.errors[0]?.statusCode])).toEqual([
        [false, 'INVALID_CROSS_REFERENCE_KEY'],
        [false, 'INVALID_STATUS'],
        [false, 'INVALID_CROSS_REFERENCE_KEY'],
      ]);
      expect(results[2]?.errors[0]?.message).toMatch(/^Converted objects can only be owned by users/);
      expect((await conn.query('SELECT COUNT() FROM Account')).totalSize).toBe(accountsBefore);
      expect((await conn.sobject('Lead').retrieve(queued)).IsConverted).toBe(false);
    });

    test('a record that fails validation rolls the conversion back', async () => {
      const inactive =
        (await conn.query<{ Id: string }>('SELECT Id FROM User WHERE IsActive = false')).records[0]?.Id ?? '';
      const leadId = await newLead();
      const accountsBefore = (await conn.query('SELECT COUNT() FROM Account')).totalSize;
      const result = await conn.soap.convertLead({
        leadId,
        convertedStatus: 'Closed - Converted',
        ownerId: inactive,
        doNotCreateOpportunity: true,
      });
      expect(result.success).toBe(false);
      expect(result.errors[0]?.statusCode).toBe('INACTIVE_OWNER_OR_USER');
      expect((await conn.query('SELECT COUNT() FROM Account')).totalSize).toBe(accountsBefore);
    });

    test('an invalid session is the sf:INVALID_SESSION_ID fault', async () => {
      const stranger = new Connection({ instanceUrl: sandbox.url, accessToken: 'not-a-session', version: '62.0' });
      const err = await errorOf(
        stranger.soap.convertLead({
          leadId: await newLead(),
          convertedStatus: 'Closed - Converted',
          doNotCreateOpportunity: true,
        }),
      );
      expect(err.errorCode).toBe('sf:INVALID_SESSION_ID');
      expect(err.message).toBe('INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session');
    });

    test('the raw answer is the Partner API envelope, with limit info', async () => {
      const leadId = await newLead();
      const envelope =
        '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">' +
        `<soapenv:Header><SessionHeader xmlns="urn:partner.soap.sforce.com"><sessionId>${sandbox.accessToken}</sessionId></SessionHeader></soapenv:Header>` +
        `<soapenv:Body><p:convertLead xmlns:p="urn:partner.soap.sforce.com"><p:leadConverts><p:leadId>${leadId}</p:leadId>` +
        '<p:convertedStatus>Closed - Converted</p:convertedStatus><p:doNotCreateOpportunity>true</p:doNotCreateOpportunity></p:leadConverts></p:convertLead></soapenv:Body></soapenv:Envelope>';
      const res = await fetch(`${sandbox.url}/services/Soap/u/62.0`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml', SOAPAction: '""' },
        body: envelope,
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/xml;charset=UTF-8');
      expect(res.headers.get('sforce-limit-info')).toMatch(/^api-usage=\d+\/15000$/);
      const xml = await res.text();
      expect(xml).toContain('<soapenv:Body><convertLeadResponse><result><accountId>001');
      expect(xml).toContain(
        `<leadId>${leadId}</leadId><opportunityId xsi:nil="true"/><success>true</success></result>`,
      );
      expect(xml).toMatch(
        /<LimitInfoHeader><limitInfo><current>\d+<\/current><limit>15000<\/limit><type>API REQUESTS<\/type><\/limitInfo><\/LimitInfoHeader>/,
      );

      const unknown = await fetch(`${sandbox.url}/services/Soap/u/62.0`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        body: envelope.replace(/convertLead/g, 'reticulateSplines'),
      });
      expect(unknown.status).toBe(500);
      expect(await unknown.text()).toContain(
        '<faultcode>soapenv:Client</faultcode><faultstring>No operation available for request {urn:partner.soap.sforce.com}reticulateSplines',
      );
      const broken = await fetch(`${sandbox.url}/services/Soap/u/62.0`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        body: '<soapenv:Envelope><oops>',
      });
      expect(broken.status).toBe(500);
      expect(await broken.text()).toContain('<faultcode>soapenv:Client</faultcode>');
      const doctype = await fetch(`${sandbox.url}/services/Soap/u/62.0`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        body: '<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>',
      });
      expect(await doctype.text()).toContain('Document type declarations are not allowed');
    });

    test('the admin shortcut converts without SOAP', async () => {
      const leadId = await newLead();
      const res = await post(sandbox, '/__sandbox/convert-lead', { leadId, doNotCreateOpportunity: true });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { success: boolean; contactId: string; opportunityId: string | null };
      expect(body).toMatchObject({ success: true, contactId: expect.stringMatching(/^003/), opportunityId: null });
      const again = await post(sandbox, '/__sandbox/convert-lead', { leadId });
      expect(again.status).toBe(400);
      expect(await again.json()).toEqual([
        { message: 'cannot reference converted lead', errorCode: 'CANNOT_UPDATE_CONVERTED_LEAD', fields: [] },
      ]);
    });
  });

  describe('replication: /updated and /deleted', () => {
    test('updated lists ids changed in the span; deleted lists ids with their deletion time', async () => {
      clock = START + 10 * MINUTE;
      const a = await newLead({ Email: 'a@x.example' });
      clock = START + 20 * MINUTE + 30_000;
      const b = await newLead({ Email: 'b@x.example' });
      clock = START + 30 * MINUTE;
      await conn.sobject('Lead').destroy(a);
      clock = START + 40 * MINUTE;

      const all = await conn.sobject('Lead').updated(new Date(START + 5 * MINUTE), new Date(START + 60 * MINUTE));
      expect(all.ids).toEqual([b]);
      // latestDateCovered stops at the current minute when end is later.
      expect(all.latestDateCovered).toBe('2026-03-02T09:40:00.000+0000');
      // Seconds are ignored: 09:20:45 is 09:20, so the record saved at 09:20:30 is outside [.., 09:20).
      const early = await conn
        .sobject('Lead')
        .updated(new Date(START + 5 * MINUTE), new Date(START + 20 * MINUTE + 45_000));
      expect(early).toEqual({ ids: [], latestDateCovered: '2026-03-02T09:20:00.000+0000' });
      const later = await conn
        .sobject('Lead')
        .updated(new Date(START + 20 * MINUTE + 45_000), new Date(START + 25 * MINUTE));
      expect(later.ids).toEqual([b]);

      const deleted = await conn.sobject('Lead').deleted(new Date(START), new Date(START + 60 * MINUTE));
      expect(deleted).toEqual({
        deletedRecords: [{ id: a, deletedDate: '2026-03-02T09:30:00.000+0000' }],
        earliestDateAvailable: '2026-01-31T00:00:00.000+0000',
        latestDateCovered: '2026-03-02T09:40:00.000+0000',
      });
      expect((await conn.sobject('Account').deleted(new Date(START), new Date(START + MINUTE))).deletedRecords).toEqual(
        [],
      );
    });

    test.each([
      ['a start more than 30 days back', START - 31 * DAY, START, 'startDate cannot be more than 30 days ago'],
      ['a start after the end', START, START - DAY, 'startDate must chronologically precede endDate'],
      [
        'a start equal to the end after seconds are dropped',
        START + 10_000,
        START + 50_000,
        'startDate must chronologically precede endDate',
      ],
    ])('%s is INVALID_REPLICATION_DATE', async (_label, start, end, message) => {
      for (const call of [
        conn.sobject('Lead').updated(new Date(start), new Date(end)),
        conn.sobject('Lead').deleted(new Date(start), new Date(end)),
      ]) {
        const err = await errorOf(call);
        expect(err.errorCode).toBe('INVALID_REPLICATION_DATE');
        expect(err.message).toBe(message);
      }
    });

    test('an unknown object is NOT_FOUND; a missing parameter MISSING_ARGUMENT', async () => {
      expect((await errorOf(conn.sobject('Nope').updated(new Date(START - DAY), new Date(START)))).errorCode).toBe(
        'NOT_FOUND',
      );
      const err = await errorOf(
        conn.request(
          `/services/data/v62.0/sobjects/Lead/updated?end=${encodeURIComponent('2026-03-02T09:00:00+00:00')}`,
        ),
      );
      expect(err.errorCode).toBe('MISSING_ARGUMENT');
    });
  });

  describe('OAuth: expiring access tokens and the refresh token flow', () => {
    let ttlClock = START;
    let expiring: Sandbox;
    beforeAll(async () => {
      expiring = await startSalesforceSandbox({ now: () => ttlClock, accessTokenTtlMs: 15 * MINUTE, preset: 'empty' });
    });
    afterAll(async () => {
      await expiring.close();
    });
    beforeEach(() => {
      ttlClock = START;
    });

    type Credentials = { clientId?: string; clientSecret?: string; refreshToken?: string };
    const refreshing = (overrides: Credentials = {}) =>
      new Connection({
        oauth2: {
          clientId: overrides.clientId ?? expiring.oauth.clientId,
          clientSecret: overrides.clientSecret ?? expiring.oauth.clientSecret,
          loginUrl: expiring.url,
        },
        instanceUrl: expiring.url,
        accessToken: expiring.accessToken,
        refreshToken: overrides.refreshToken ?? expiring.oauth.refreshToken,
        version: '62.0',
      });

    test('an expired token is refreshed transparently and the refresh event fires', async () => {
      const c = refreshing();
      const refreshed: { token: string; res: Record<string, unknown> }[] = [];
      c.on('refresh', (token: string, res: Record<string, unknown>) => refreshed.push({ token, res }));
      expect((await c.query('SELECT COUNT() FROM User')).totalSize).toBe(1);
      expect(refreshed).toHaveLength(0);

      ttlClock += 16 * MINUTE;
      const raw = await fetch(`${expiring.url}/services/data/v62.0/limits`, {
        headers: { Authorization: `Bearer ${expiring.accessToken}` },
      });
      expect(raw.status).toBe(401);
      expect(await raw.json()).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);

      expect((await c.query('SELECT COUNT() FROM User')).totalSize).toBe(1);
      expect(refreshed).toHaveLength(1);
      const [first] = refreshed;
      expect(first?.token).toBe(c.accessToken);
      expect(first?.token).toMatch(/^00D[A-Za-z0-9]{12}!/);
      expect(first?.res).toEqual({
        access_token: first?.token,
        signature: expect.any(String),
        scope: 'refresh_token api',
        instance_url: expiring.url,
        id: `${expiring.url}/id/${expiring.state.orgId}/${expiring.state.apiUserId}`,
        token_type: 'Bearer',
        issued_at: String(ttlClock),
      });
      expect(c.userInfo?.id).toBe(expiring.state.apiUserId);
      const identity = await c.identity();
      expect(identity).toMatchObject({
        user_id: expiring.state.apiUserId,
        organization_id: expiring.state.orgId,
        username: 'baton.integration@baton-demo.example',
      });
    });

    test('writes and SOAP calls are retried after the refresh as well', async () => {
      const c = refreshing();
      let refreshes = 0;
      c.on('refresh', () => refreshes++);
      ttlClock += 16 * MINUTE;
      const created = await c.sobject('Lead').create({ LastName: 'After expiry', Company: 'Refresh Co' });
      expect(created.success).toBe(true);
      expect(refreshes).toBe(1);
      ttlClock += 16 * MINUTE;
      const converted = await c.soap.convertLead({
        leadId: idOf(created),
        convertedStatus: 'Closed - Converted',
        doNotCreateOpportunity: true,
      });
      expect(converted.success).toBe(true);
      expect(refreshes).toBe(2);
    });

    test('the admin route expires every token now', async () => {
      const c = refreshing();
      let refreshes = 0;
      c.on('refresh', () => refreshes++);
      await c.query('SELECT Id FROM User');
      const res = await fetch(`${expiring.url}/__sandbox/expire-tokens`, { method: 'POST' });
      expect(await res.json()).toEqual({ ok: true, expired: expect.any(Number) });
      await c.query('SELECT Id FROM User');
      expect(refreshes).toBe(1);
    });

    test.each<[string, Credentials, string, string]>([
      ['a wrong refresh token', { refreshToken: 'stale' }, 'invalid_grant', 'expired access/refresh token'],
      ['a wrong client secret', { clientSecret: 'guess' }, 'invalid_client', 'invalid client credentials'],
      ['a wrong client id', { clientId: 'someone-else' }, 'invalid_client_id', 'client identifier invalid'],
    ])('%s fails the refresh with the OAuth error', async (_label, overrides, error, description) => {
      ttlClock += 16 * MINUTE;
      const err = await errorOf(refreshing(overrides).query('SELECT Id FROM User'));
      expect(err.message).toBe(`Unable to refresh session due to: ${description}`);
      const raw = await fetch(`${expiring.url}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          client_id: overrides.clientId ?? expiring.oauth.clientId,
          client_secret: overrides.clientSecret ?? expiring.oauth.clientSecret,
          refresh_token: overrides.refreshToken ?? expiring.oauth.refreshToken,
        }).toString(),
      });
      expect(raw.status).toBe(400);
      expect(await raw.json()).toEqual({ error, error_description: description });
    });

    test('an unsupported grant type', async () => {
      const raw = await fetch(`${expiring.url}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
      expect(raw.status).toBe(400);
      expect(await raw.json()).toEqual({
        error: 'unsupported_grant_type',
        error_description: 'grant type not supported',
      });
    });

    test('a sandbox option sets the accepted client and refresh token', async () => {
      let customClock = START;
      const custom = await startSalesforceSandbox({
        preset: 'empty',
        now: () => customClock,
        accessTokenTtlMs: MINUTE,
        oauth: { clientId: 'cid', clientSecret: 'secret', refreshToken: 'rt' },
      });
      try {
        expect(custom.oauth).toEqual({ clientId: 'cid', clientSecret: 'secret', refreshToken: 'rt' });
        const c = new Connection({
          oauth2: { clientId: 'cid', clientSecret: 'secret', loginUrl: custom.url },
          instanceUrl: custom.url,
          accessToken: custom.accessToken,
          refreshToken: 'rt',
          version: '62.0',
        });
        let refreshes = 0;
        c.on('refresh', () => refreshes++);
        customClock += 2 * MINUTE;
        expect((await c.query('SELECT Id FROM User')).totalSize).toBe(1);
        expect(refreshes).toBe(1);
        const defaults = refreshing();
        customClock += 2 * MINUTE;
        // The default client is not this sandbox's: its refresh fails.
        const err = await errorOf(
          new Connection({
            oauth2: { clientId: defaults.oauth2.clientId ?? '', clientSecret: 'x', loginUrl: custom.url },
            instanceUrl: custom.url,
            accessToken: custom.accessToken,
            refreshToken: 'rt',
            version: '62.0',
          }).query('SELECT Id FROM User'),
        );
        expect(err.message).toBe('Unable to refresh session due to: client identifier invalid');
      } finally {
        await custom.close();
      }
    });

    test('without a TTL the start token never expires', async () => {
      clock = START + 365 * DAY;
      expect((await conn.query('SELECT COUNT() FROM User')).totalSize).toBeGreaterThan(1);
    });
  });

  describe('Sforce-Limit-Info', () => {
    test('on success, on request errors and on 401, counting each authorised call', async () => {
      const auth = { Authorization: `Bearer ${sandbox.accessToken}` };
      const usage = (res: Response) => {
        const m = /^api-usage=(\d+)\/(\d+)$/.exec(res.headers.get('sforce-limit-info') ?? '');
        return m ? [Number(m[1]), Number(m[2])] : undefined;
      };
      const ok = await fetch(`${sandbox.url}/services/data/v62.0/sobjects/Lead/describe`, { headers: auth });
      const bad = await fetch(`${sandbox.url}/services/data/v62.0/query?q=SELECT+Nope+FROM+Lead`, { headers: auth });
      const updated = await fetch(
        `${sandbox.url}/services/data/v62.0/sobjects/Lead/updated?start=2026-03-01T00:00:00Z&end=2026-03-02T00:00:00Z`,
        { headers: auth },
      );
      const unauthorised = await fetch(`${sandbox.url}/services/data/v62.0/sobjects`, {
        headers: { Authorization: 'Bearer wrong' },
      });
      expect([ok.status, bad.status, updated.status, unauthorised.status]).toEqual([200, 400, 200, 401]);
      const [a, b, c, d] = [ok, bad, updated, unauthorised].map(usage);
      expect(a?.[1]).toBe(15000);
      expect(b?.[0]).toBe((a?.[0] ?? 0) + 1);
      expect(c?.[0]).toBe((b?.[0] ?? 0) + 1);
      expect(d?.[0]).toBe(c?.[0]);
      await conn.sobject('Lead').updated(new Date(START - DAY), new Date(START));
      expect(conn.limitInfo.apiUsage?.limit).toBe(15000);
    });
  });
});
