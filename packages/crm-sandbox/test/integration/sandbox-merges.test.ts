import { Connection } from 'jsforce';
import { Client, type Client as HubSpotClient } from '@hubspot/api-client';
import { startHubSpotSandbox } from '../../src/hubspot';
import { startSalesforceSandbox } from '../../src/salesforce';

/** Record merges in both sandboxes, through the official clients, as the real APIs answer them. */

const START = Date.parse('2026-03-02T09:00:00.000Z');

describe('Salesforce sandbox: merge() through jsforce', () => {
  let clock = START;
  let sandbox: Awaited<ReturnType<typeof startSalesforceSandbox>>;
  let conn: Connection;

  beforeEach(async () => {
    clock = START;
    sandbox = await startSalesforceSandbox({ preset: 'empty', now: () => clock });
    conn = new Connection({ instanceUrl: sandbox.url, accessToken: sandbox.accessToken, version: '62.0' });
  });
  afterEach(async () => sandbox.close());

  async function lead(values: Record<string, unknown>): Promise<string> {
    const r = await conn.sobject('Lead').create({ LastName: 'Lee', Company: 'Acme', ...values });
    if (!('id' in r) || !r.id) throw new Error(JSON.stringify(r));
    return r.id;
  }
  const one = <T>(r: T | T[]): T => (Array.isArray(r) ? (r[0] as T) : r);

  it('deletes the records merged away with MasterRecordId set, re-parents their Tasks and updates the master', async () => {
    const master = await lead({ Email: 'a@merge.example', FirstName: 'Ann' });
    const loser = await lead({ Email: 'b@merge.example', FirstName: 'Bob' });
    const task = await conn.sobject('Task').create({ WhoId: loser, Subject: 'Call', Status: 'Not Started' });
    if (!('id' in task) || !task.id) throw new Error('no Task');
    clock += 120_000;

    // The master carries the values to keep, like an update (a Partner sObject: type, Id, fields).
    const masterRecord = { type: 'Lead', Id: master, Title: 'CTO' };
    const result = one(await conn.soap.merge({ masterRecord, recordToMergeIds: [loser] }));
    expect(result).toMatchObject({ success: true, id: master, mergedRecordIds: [loser], updatedRelatedIds: [task.id] });

    expect((await conn.query(`SELECT Id FROM Lead WHERE Id = '${loser}'`)).records).toEqual([]);
    const all = await conn.query<{ Id: string; IsDeleted: boolean; MasterRecordId: string | null }>(
      `SELECT Id, IsDeleted, MasterRecordId FROM Lead WHERE Id IN ('${master}', '${loser}') AND IsDeleted = true`,
      { scanAll: true },
    );
    expect(all.records).toEqual([expect.objectContaining({ Id: loser, IsDeleted: true, MasterRecordId: master })]);
    const kept = (
      await conn.query<{ Title: string; FirstName: string; SystemModstamp: string }>(
        `SELECT Title, FirstName, SystemModstamp FROM Lead WHERE Id = '${master}'`,
      )
    ).records[0];
    expect(kept).toMatchObject({ Title: 'CTO', FirstName: 'Ann' });
    expect(Date.parse(kept?.SystemModstamp.replace('+0000', 'Z') ?? '')).toBe(clock);
    expect(
      (await conn.query<{ WhoId: string }>(`SELECT WhoId FROM Task WHERE Id = '${task.id}'`)).records[0]?.WhoId,
    ).toBe(master);

    // getDeleted lists it once the minute of the merge is over.
    const mergedAt = clock;
    clock += 120_000;
    const deleted = await conn.sobject('Lead').deleted(new Date(START), new Date(clock));
    expect(deleted.deletedRecords).toEqual([
      { id: loser, deletedDate: expect.stringContaining(new Date(mergedAt).toISOString().slice(0, 16)) },
    ]);
  });

  it('refuses converted Leads, the master itself, more than two records and unknown ids, changing nothing', async () => {
    const master = await lead({ Email: 'c@merge.example' });
    const other = await lead({ Email: 'd@merge.example' });
    const converted = await lead({ Email: 'e@merge.example' });
    const conversion = one(
      await conn.soap.convertLead({
        leadId: converted,
        convertedStatus: 'Closed - Converted',
        doNotCreateOpportunity: true,
      }),
    );
    expect(conversion.success).toBe(true);

    const failure = async (recordToMergeIds: string[]) => {
      const r = one(await conn.soap.merge({ masterRecord: { type: 'Lead', Id: master }, recordToMergeIds }));
      expect(r.success).toBe(false);
      return r.errors[0]?.statusCode;
    };
    expect(await failure([converted])).toBe('CANNOT_UPDATE_CONVERTED_LEAD');
    expect(await failure([master])).toBe('INVALID_ID_FIELD');
    expect(await failure([other, converted, master])).toBe('LIMIT_EXCEEDED');
    expect(await failure(['00Q000000000000AAA'])).toBe('INVALID_CROSS_REFERENCE_KEY');
    expect((await conn.query(`SELECT Id FROM Lead WHERE Id IN ('${master}', '${other}')`)).totalSize).toBe(2);
  });
});

describe('HubSpot sandbox: contact merge through the official client', () => {
  let sandbox: Awaited<ReturnType<typeof startHubSpotSandbox>>;
  let client: HubSpotClient;

  beforeEach(async () => {
    sandbox = await startHubSpotSandbox({ preset: 'empty', now: () => START });
    client = new Client({ basePath: sandbox.url, accessToken: sandbox.accessToken, numberOfApiCallRetries: 0 });
  });
  afterEach(async () => sandbox.close());

  const create = async (properties: Record<string, string>) =>
    (await client.crm.contacts.basicApi.create({ properties, associations: [] })).id;

  it('answers with the primary, which then answers for the old id too; the old id is in no search and no recycle bin', async () => {
    const primary = await create({ email: 'keep@merge.example', firstname: 'Kay' });
    const secondary = await create({ email: 'gone@merge.example', firstname: 'Gus', jobtitle: 'CFO' });

    const merged = await client.crm.contacts.basicApi.merge({ primaryObjectId: primary, objectIdToMerge: secondary });
    expect(merged.id).toBe(primary);

    const read = await client.crm.contacts.basicApi.getById(secondary, [
      'firstname',
      'jobtitle',
      'email',
      'hs_merged_object_ids',
      'hs_additional_emails',
    ]);
    expect(read.id).toBe(primary);
    expect(read.properties).toMatchObject({
      firstname: 'Kay',
      jobtitle: 'CFO',
      email: 'keep@merge.example',
      hs_merged_object_ids: secondary,
      hs_additional_emails: 'gone@merge.example',
    });

    const search = await client.crm.contacts.searchApi.doSearch({
      filterGroups: [],
      properties: ['email'],
      limit: 100,
      after: '0',
      sorts: [],
    });
    expect(search.results.map((r) => r.id)).toEqual([primary]);
    const bin = await client.crm.contacts.basicApi.getPage(100, undefined, ['email'], undefined, undefined, true);
    expect(bin.results).toEqual([]);
    const archivedRead = await client.crm.contacts.batchApi.read(
      { inputs: [{ id: secondary }], properties: [], propertiesWithHistory: [] },
      true,
    );
    expect(archivedRead.results).toEqual([]);
  });

  it('refuses unknown ids (404) and a contact merged into itself (400)', async () => {
    const id = await create({ email: 'self@merge.example' });
    await expect(
      client.crm.contacts.basicApi.merge({ primaryObjectId: id, objectIdToMerge: '999999' }),
    ).rejects.toMatchObject({ code: 404 });
    await expect(
      client.crm.contacts.basicApi.merge({ primaryObjectId: id, objectIdToMerge: id }),
    ).rejects.toMatchObject({ code: 400 });
  });
});
