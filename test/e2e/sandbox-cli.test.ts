import { spawn } from 'node:child_process';
import path from 'node:path';
import { Client as HubSpot } from '@hubspot/api-client';
import { freePort } from '../../src/dev/ports';
import { waitFor } from '../helpers/processes';

/** `baton sandbox` as a user runs it: flags for limits and faults, and the simulation. */
describe('baton sandbox (end to end)', () => {
  it('serves both APIs with the chosen fault profile and simulates marketing life', async () => {
    const [hubspotPort, salesforcePort] = [await freePort(), await freePort()];
    const child = spawn(
      process.execPath,
      [
        path.join(__dirname, '..', '..', 'bin', 'baton.js'),
        'sandbox',
        '--hubspot-port',
        String(hubspotPort),
        '--salesforce-port',
        String(salesforcePort),
        '--preset',
        'demo',
        '--profile',
        'hubspot-pro',
        '--seed',
        '7',
        '--simulate',
        '--tick-ms',
        '100',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await waitFor('the sandbox to listen', async () => (out.includes('Simulating') ? true : undefined), 30_000);
      const config = (await (await fetch(`http://127.0.0.1:${hubspotPort}/__sandbox/config`)).json()) as Record<
        string,
        unknown
      >;
      expect(JSON.stringify(config)).toContain('hubspot-pro');

      const hubspot = new HubSpot({
        basePath: `http://127.0.0.1:${hubspotPort}`,
        accessToken: 'hubspot-sandbox-token',
        numberOfApiCallRetries: 0,
      });
      const scoreOf = async () => {
        const page = await hubspot.crm.contacts.basicApi.getPage(100, undefined, ['hubspotscore']);
        return page.results.map((r) => Number(r.properties.hubspotscore ?? 0)).reduce((a, b) => a + b, 0);
      };
      const before = await scoreOf();
      // Page views and form submissions raise scores tick after tick.
      await waitFor('scores to rise', async () => ((await scoreOf()) > before ? true : undefined), 20_000);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  }, 60_000);
});
