/**
 * The HubSpot client Baton builds paces itself to the limits the API reports, so no 429
 * reaches the caller: against the sandbox's `hubspot-pro` profile (its 10-second window
 * shortened to one second, so the test runs in seconds on the real clock), with other
 * clients spending the same account's allowance, and with CRM search's own limit.
 * Clients are built with no retries: any 429 would fail the call.
 */
import { Client } from '@hubspot/api-client';
import { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/contacts';
import { createHubSpotClient } from '../../src/crm/hubspot/client';
import { startHubSpotSandbox } from '@baton/crm-sandbox';

type HubSpotSandbox = Awaited<ReturnType<typeof startHubSpotSandbox>>;

/** 20 requests per rolling second, search 5 a second: hubspot-pro's shape, ten times faster. */
const FAST_PRO = { profile: 'hubspot-pro' as const, rateLimits: { tenSecondly: 20, intervalMs: 1_000 } };

async function requestCount(sb: HubSpotSandbox): Promise<number> {
  const stats = (await (await fetch(`${sb.url}/__sandbox/stats`)).json()) as { requests: Record<string, number> };
  return Object.values(stats.requests).reduce((a, b) => a + b, 0);
}

async function resetStats(sb: HubSpotSandbox): Promise<void> {
  await fetch(`${sb.url}/__sandbox/stats/reset`, { method: 'POST' });
}

describe('HubSpot client pacing against the sandbox', () => {
  let sandbox: HubSpotSandbox;

  beforeEach(async () => {
    sandbox = await startHubSpotSandbox({ preset: 'demo', faults: FAST_PRO });
  });
  afterEach(async () => {
    await sandbox.close();
  });

  it('no 429 reaches the caller, and every call is made once, when 80 calls start at once', async () => {
    const client = createHubSpotClient({ basePath: sandbox.url, accessToken: sandbox.accessToken, retries: 0 });
    // A client built afterwards in the same process must not change this one's pacing
    // (the official client's own limiter and retries are process-wide).
    const later = new Client({
      accessToken: sandbox.accessToken,
      basePath: sandbox.url,
      numberOfApiCallRetries: 0,
      limiterOptions: { maxConcurrent: 100 },
    });
    expect(later.crm.contacts.basicApi).toBeDefined();
    const before = await requestCount(sandbox);
    const started = performance.now();
    const results = await Promise.allSettled(Array.from({ length: 80 }, () => client.crm.contacts.basicApi.getPage(1)));
    const seconds = (performance.now() - started) / 1000;
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect((await requestCount(sandbox)) - before).toBe(80);
    // 80 calls at 20 a second need at least three full windows after the first.
    expect(seconds).toBeGreaterThanOrEqual(3);
  });

  it('leaves room for what another client spent on the same account', async () => {
    const other = new Client({ accessToken: sandbox.accessToken, basePath: sandbox.url, numberOfApiCallRetries: 0 }).crm
      .contacts;
    const client = createHubSpotClient({ basePath: sandbox.url, accessToken: sandbox.accessToken, retries: 0 });
    for (let i = 0; i < 15; i++) await other.basicApi.getPage(1);
    // The first answer shows 16 of 20 spent in the window: only four more may go at once.
    const results = await Promise.allSettled(Array.from({ length: 30 }, () => client.crm.contacts.basicApi.getPage(1)));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
  });

  it('keeps CRM search to five a second while batch calls go on', async () => {
    const client = createHubSpotClient({ basePath: sandbox.url, accessToken: sandbox.accessToken, retries: 0 });
    await resetStats(sandbox);
    const search = () =>
      client.crm.contacts.searchApi.doSearch({
        filterGroups: [
          { filters: [{ propertyName: 'lastmodifieddate', operator: FilterOperatorEnum.Gt, value: '0' }] },
        ],
        sorts: ['hs_object_id'],
        properties: ['email'],
        limit: 10,
      });
    const reads = Array.from({ length: 10 }, () =>
      client.crm.contacts.batchApi.read({ inputs: [{ id: '1' }], properties: ['email'], propertiesWithHistory: [] }),
    );
    const results = await Promise.allSettled([...Array.from({ length: 12 }, search), ...reads]);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(await requestCount(sandbox)).toBe(22);
  });

  it('holds nothing back against an API that reports no limits', async () => {
    await fetch(`${sandbox.url}/__sandbox/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"profile":"ideal"}',
    });
    const client = createHubSpotClient({ basePath: sandbox.url, accessToken: sandbox.accessToken, retries: 0 });
    const started = performance.now();
    await Promise.all(Array.from({ length: 100 }, () => client.crm.contacts.basicApi.getPage(1)));
    // 100 calls against a limit of 20 a second would take four seconds or more.
    expect(performance.now() - started).toBeLessThan(3_000);
  });
});
