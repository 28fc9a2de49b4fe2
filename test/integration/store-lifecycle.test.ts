import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, type Store } from '../../src/store';

/** The store's part in deletions: forgetting links, orphans, and errors that are not retried. */
const PG_URL = process.env.BATON_TEST_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/test';

describe.each(['sqlite', 'postgres'] as const)('store lifecycle on %s', (dialect) => {
  let store: Store;
  let tmp: string;
  const schema = `baton_lifecycle_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-store-lifecycle-'));
    store =
      dialect === 'sqlite'
        ? await openStore(`sqlite://${path.join(tmp, 'baton.db')}`)
        : await openStore(PG_URL, { schema });
  });

  afterAll(async () => {
    if (dialect === 'postgres') await store?.schema.dropSchema(schema);
    await store?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const link = (mapping: string, hubspotId: string, salesforceId: string) => ({
    mapping,
    hubspotId,
    salesforceObject: 'Lead',
    salesforceId,
  });

  it('forgets links with their snapshots, only in the mapping named', async () => {
    await store.links.upsert([link('a', 'h1', 'L1'), link('a', 'h2', 'L2'), link('b', 'h1', 'L9')]);
    await store.links.putSnapshots([
      { mapping: 'a', hubspotId: 'h1', hubspot: { email: 'x' }, salesforce: { Email: 'x' } },
      { mapping: 'b', hubspotId: 'h1', hubspot: {}, salesforce: {} },
    ]);

    expect(await store.links.delete('a', ['h1', 'unknown'])).toBe(1);
    expect(await store.links.findByHubSpotIds('a', ['h1', 'h2'])).toEqual([
      expect.objectContaining({ hubspotId: 'h2' }),
    ]);
    expect([...(await store.links.getSnapshots('a', ['h1'])).keys()]).toEqual([]);
    expect([...(await store.links.getSnapshots('b', ['h1'])).keys()]).toEqual(['h1']);
    expect(await store.links.delete('a', [])).toBe(0);
  });

  it('keeps orphans per mapping and side until either record is linked again', async () => {
    await store.links.addOrphans([
      { mapping: 'o', side: 'salesforce', recordId: 'L1', partnerId: 'h1' },
      { mapping: 'o', side: 'hubspot', recordId: 'h2', partnerId: 'L2' },
      { mapping: 'p', side: 'salesforce', recordId: 'L1', partnerId: 'h7' },
    ]);
    // A repeat is not an error.
    await store.links.addOrphans([{ mapping: 'o', side: 'salesforce', recordId: 'L1', partnerId: 'h3' }]);
    expect(await store.links.findOrphans('o', 'salesforce', ['L1', 'h2', 'L3'])).toEqual(new Set(['L1']));
    expect(await store.links.findOrphans('o', 'hubspot', ['h2'])).toEqual(new Set(['h2']));

    await store.links.upsert([link('o', 'h9', 'L1'), link('o', 'h2', 'L8')]);
    expect(await store.links.findOrphans('o', 'salesforce', ['L1'])).toEqual(new Set());
    expect(await store.links.findOrphans('o', 'hubspot', ['h2'])).toEqual(new Set());
    expect(await store.links.findOrphans('p', 'salesforce', ['L1'])).toEqual(new Set(['L1']));
  });

  it('stores an error that no retry can fix as given up, and keeps it so when it repeats', async () => {
    const error = {
      mapping: 'e',
      direction: 'to_salesforce' as const,
      sourceId: 'h1',
      reason: 'converted',
      errorCode: 'CANNOT_UPDATE_CONVERTED_LEAD',
      retry: false,
    };
    await store.syncErrors.record([error]);
    expect(await store.syncErrors.list({ mapping: 'e' })).toEqual([
      expect.objectContaining({ status: 'gave_up', attempts: 1 }),
    ]);
    await store.syncErrors.record([error]);
    expect(await store.syncErrors.list({ mapping: 'e' })).toEqual([expect.objectContaining({ status: 'gave_up' })]);
    expect(await store.syncErrors.due('e', 'to_salesforce', new Date(Date.now() + 365 * 86_400_000), 10)).toEqual([]);

    // An ordinary failure of the same record later is retried again.
    await store.syncErrors.record([{ ...error, retry: undefined, reason: 'HubSpot 500' }]);
    expect(await store.syncErrors.list({ mapping: 'e' })).toEqual([
      expect.objectContaining({ status: 'open', attempts: 1, reason: 'HubSpot 500' }),
    ]);
  });
});
