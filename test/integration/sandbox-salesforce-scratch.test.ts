import jsforce from 'jsforce';
import { startSalesforceSandbox } from '../../src/sandbox/salesforce';
test('scratch', async () => {
  const sb = await startSalesforceSandbox();
  const conn = new jsforce.Connection({ instanceUrl: sb.url, accessToken: sb.accessToken, version: '62.0' });
  const out: unknown[] = [];
  const r = await conn.query("SELECT Id, Name, Email, Owner.Email, Owner.Name, CreatedDate FROM Lead ORDER BY CreatedDate DESC LIMIT 3");
  out.push(r, conn.limitInfo);
  const c = await conn.sobject('Lead').create({ LastName: 'Test', Company: 'X', Email: 'a@b.com' });
  out.push(c);
  out.push(await conn.sobject('Lead').retrieve(c.id as string));
  out.push(await conn.sobject('Lead').create([{ LastName: 'A', Company: 'X' }, { FirstName: 'no' }], { allOrNone: false }));
  try { await conn.query('SELECT Foo FROM Lead'); } catch (e) { out.push([(e as { errorCode?: string }).errorCode, (e as Error).message]); }
  const d = await conn.sobject('Lead').describe();
  out.push([d.fields.length, d.keyPrefix]);
  console.log(JSON.stringify(out, null, 1));
  await sb.close();
});
