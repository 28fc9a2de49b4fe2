import { Client } from '@hubspot/api-client';
import { startHubSpotSandbox } from '../../src/sandbox/hubspot';
it('bench', async () => {
  const sb = await startHubSpotSandbox({ preset: 'empty' });
  for (let i = 0; i < 30000; i++) sb.state.contacts.insert({ email: `p${i}@bench.example`, firstname: 'F' }, Date.now() - Math.floor(Math.random() * 1e9));
  const c = new Client({ accessToken: sb.accessToken, basePath: sb.url, numberOfApiCallRetries: 0 });
  let t = Date.now();
  let after: string | undefined; let n = 0;
  do { const p = await c.crm.contacts.searchApi.doSearch({ limit: 200, after, sorts: ['lastmodifieddate'], filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GT' as any, value: '0' }] }] }); n += p.results.length; after = p.paging?.next?.after; } while (after && Number(after) < 10000);
  console.log('search rec/s', Math.round(n / ((Date.now() - t) / 1000)), 'ms/page', (Date.now() - t) / 50);
  await sb.close();
}, 600000);
