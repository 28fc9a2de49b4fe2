/**
 * Webhooks from the HubSpot sandbox to a real HTTP receiver: payloads, v3 signatures checked
 * with the client's own `Signature.isValid`, batching, filters, retries and shutdown.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Signature } from '@hubspot/api-client';
import { z } from 'zod';
import { startHubSpotSandbox, type RunningHubSpotSandbox, type WebhookOptions } from '../../src/hubspot';

const SECRET = 'webhook-client-secret';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook endpoint: records every request and answers as `respond` says. */
class Receiver {
  readonly requests: Received[] = [];
  /** Status for the nth request (0-based); 'hang' never answers. */
  respond: (n: number) => number | 'hang' = () => 204;
  private server: Server | undefined;
  private readonly hanging = new Set<() => void>();
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const n = this.requests.length;
        this.requests.push({
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        const answer = this.respond(n);
        if (answer === 'hang') {
          const release = (): void => void res.destroy();
          this.hanging.add(release);
          res.on('close', () => this.hanging.delete(release));
          return;
        }
        res.writeHead(answer).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/hubspot/webhooks?source=sandbox`;
  }

  events(): WebhookEventJson[] {
    return this.requests.flatMap((r) => z.array(webhookEvent).parse(JSON.parse(r.body)));
  }

  async stop(): Promise<void> {
    for (const release of this.hanging) release();
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

/** HubSpot's webhook event, strictly: a misspelt or extra field fails. */
const webhookEvent = z
  .object({
    eventId: z.number().int(),
    subscriptionId: z.number().int(),
    portalId: z.number().int(),
    appId: z.number().int(),
    occurredAt: z.number().int(),
    subscriptionType: z.enum([
      'contact.creation',
      'contact.propertyChange',
      'contact.deletion',
      'company.creation',
      'company.propertyChange',
      'company.deletion',
    ]),
    attemptNumber: z.number().int().nonnegative(),
    objectId: z.number().int(),
    propertyName: z.string().optional(),
    propertyValue: z.string().optional(),
    changeFlag: z.enum(['CREATED', 'DELETED']).optional(),
    changeSource: z.string(),
    sourceId: z.string().optional(),
  })
  .strict();
type WebhookEventJson = z.infer<typeof webhookEvent>;

const T0 = Date.parse('2026-03-02T09:00:00.000Z');
let receiver: Receiver;
let sandbox: RunningHubSpotSandbox | undefined;

async function start(
  webhooks: Partial<WebhookOptions> = {},
  now?: () => number,
): Promise<{ sb: RunningHubSpotSandbox; client: Client }> {
  sandbox = await startHubSpotSandbox({
    preset: 'empty',
    ...(now ? { now } : {}),
    webhooks: { targetUrl: receiver.url, clientSecret: SECRET, retryBaseMs: 5, batchWindowMs: 10, ...webhooks },
  });
  return {
    sb: sandbox,
    client: new Client({ accessToken: sandbox.accessToken, basePath: sandbox.url, numberOfApiCallRetries: 0 }),
  };
}

async function admin(
  sb: RunningHubSpotSandbox,
  method: string,
  urlPath: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${sb.url}${urlPath}`, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
}

beforeEach(async () => {
  receiver = new Receiver();
  await receiver.start();
});

afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
  await receiver.stop();
});

describe('delivery', () => {
  it('sends contact.creation and contact.propertyChange, signed so that Signature.isValid accepts them', async () => {
    const { sb, client } = await start({}, () => T0);
    const created = await client.crm.contacts.basicApi.create({
      properties: { email: 'hook@example.org', firstname: 'Hook' },
      associations: [],
    });
    await sb.webhooks.settled();

    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request!.method).toBe('POST');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['x-hubspot-signature-version']).toBe('v3');
    const timestamp = Number(request!.headers['x-hubspot-request-timestamp']);
    expect(Math.abs(Date.now() - timestamp)).toBeLessThan(60_000);
    const signature = String(request!.headers['x-hubspot-signature-v3']);
    const check = {
      signatureVersion: 'v3',
      method: 'POST',
      url: receiver.url,
      requestBody: request!.body,
      signature,
      timestamp,
    };
    expect(Signature.isValid({ ...check, clientSecret: SECRET })).toBe(true);
    expect(Signature.isValid({ ...check, clientSecret: 'another-secret' })).toBe(false);
    expect(
      Signature.isValid({ ...check, clientSecret: SECRET, requestBody: request!.body.replace('Hook', 'Hack') }),
    ).toBe(false);
    // The client refuses requests older than five minutes outright.
    expect(() => Signature.isValid({ ...check, clientSecret: SECRET, timestamp: timestamp - 6 * 60_000 })).toThrow(
      /Timestamp is invalid/,
    );

    const events = receiver.events();
    const creation = events.filter((e) => e.subscriptionType === 'contact.creation');
    expect(creation).toEqual([
      expect.objectContaining({
        objectId: Number(created.id),
        changeFlag: 'CREATED',
        attemptNumber: 0,
        occurredAt: T0,
        changeSource: 'INTEGRATION',
      }),
    ]);
    const changes = events.filter((e) => e.subscriptionType === 'contact.propertyChange');
    expect(Object.fromEntries(changes.map((e) => [e.propertyName, e.propertyValue]))).toEqual({
      email: 'hook@example.org',
      firstname: 'Hook',
      hs_email_domain: 'example.org',
    });
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
    expect(new Set(events.map((e) => e.portalId)).size).toBe(1);
    expect(creation[0]!.subscriptionId).not.toBe(changes[0]!.subscriptionId);
  });

  it('reports updates, cleared values included, and deletions when subscribed', async () => {
    const { sb, client } = await start({
      subscriptions: [{ subscriptionType: 'contact.propertyChange' }, { subscriptionType: 'contact.deletion' }],
    });
    const c = await client.crm.contacts.basicApi.create({
      properties: { email: 'u@example.org', jobtitle: 'CTO' },
      associations: [],
    });
    await sb.webhooks.settled();
    receiver.requests.length = 0;

    await client.crm.contacts.basicApi.update(c.id, { properties: { jobtitle: '', lifecyclestage: 'lead' } });
    // A write that changes nothing sends nothing.
    await client.crm.contacts.basicApi.update(c.id, { properties: { lifecyclestage: 'lead' } });
    await client.crm.contacts.basicApi.archive(c.id);
    await sb.webhooks.settled();
    const events = receiver.events();
    expect(events.map((e) => [e.subscriptionType, e.propertyName ?? e.changeFlag, e.propertyValue])).toEqual([
      ['contact.propertyChange', 'jobtitle', ''],
      ['contact.propertyChange', 'lifecyclestage', 'lead'],
      ['contact.propertyChange', 'hs_lifecyclestage_lead_date', expect.stringMatching(/^\d{4}-/)],
      ['contact.deletion', 'DELETED', undefined],
    ]);
  });

  it('batches up to 100 events per request', async () => {
    const { sb, client } = await start({
      subscriptions: [{ subscriptionType: 'contact.creation' }],
      batchWindowMs: 200,
    });
    const inputs = (from: number) =>
      Array.from({ length: 100 }, (_, i) => ({
        properties: { email: `b${from + i}@batch.example` },
        associations: [],
      }));
    await client.crm.contacts.batchApi.create({ inputs: inputs(0) });
    await client.crm.contacts.batchApi.create({ inputs: inputs(100) });
    await client.crm.contacts.batchApi.create({ inputs: inputs(200).slice(0, 50) });
    await sb.webhooks.settled();
    const sizes = receiver.requests.map((r) => (JSON.parse(r.body) as unknown[]).length);
    expect(sizes.every((n) => n <= 100)).toBe(true);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(250);
    expect(sizes.length).toBe(3);
  });

  it('filters property changes by propertyName (subscriptions made through the admin API)', async () => {
    const { sb, client } = await start({ subscriptions: [] });
    const sub = await admin(sb, 'POST', '/__sandbox/webhooks/subscriptions', {
      subscriptionType: 'contact.propertyChange',
      propertyName: 'lifecyclestage',
    });
    expect(sub.status).toBe(201);
    expect(sub.json).toMatchObject({
      subscriptionType: 'contact.propertyChange',
      propertyName: 'lifecyclestage',
      active: true,
    });
    const listed = await admin(sb, 'GET', '/__sandbox/webhooks/subscriptions');
    expect(listed.json).toMatchObject({ target: { targetUrl: receiver.url }, results: [sub.json] });
    expect(JSON.stringify(listed.json)).not.toContain(SECRET);

    const c = await client.crm.contacts.basicApi.create({
      properties: { email: 'f@example.org', firstname: 'F' },
      associations: [],
    });
    await client.crm.contacts.basicApi.update(c.id, { properties: { firstname: 'G' } });
    await client.crm.contacts.basicApi.update(c.id, { properties: { lifecyclestage: 'marketingqualifiedlead' } });
    await sb.webhooks.settled();
    expect(receiver.events().map((e) => [e.propertyName, e.propertyValue])).toEqual([
      ['lifecyclestage', 'marketingqualifiedlead'],
    ]);
  });

  it('sends nothing for seeded data, and nothing without subscriptions', async () => {
    const { sb, client } = await start();
    expect((await admin(sb, 'POST', '/__sandbox/seed', { preset: 'demo' })).status).toBe(200);
    await sb.webhooks.settled();
    expect(receiver.requests).toHaveLength(0);
    expect((await admin(sb, 'DELETE', '/__sandbox/webhooks/subscriptions')).status).toBe(204);
    await client.crm.contacts.basicApi.create({ properties: { email: 'quiet@example.org' }, associations: [] });
    await sb.webhooks.settled();
    expect(receiver.requests).toHaveLength(0);
  });
});

describe('retries', () => {
  it('retries failures with a growing attemptNumber and the same events, then logs the delivery', async () => {
    receiver.respond = (n) => (n < 2 ? 500 : 200);
    const { sb, client } = await start({ subscriptions: [{ subscriptionType: 'contact.creation' }] });
    await client.crm.contacts.basicApi.create({ properties: { email: 'r@example.org' }, associations: [] });
    await sb.webhooks.settled();

    const bodies = receiver.requests.map((r) => z.array(webhookEvent).parse(JSON.parse(r.body)));
    expect(bodies.map((b) => b.map((e) => e.attemptNumber))).toEqual([[0], [1], [2]]);
    expect(new Set(bodies.map((b) => b[0]!.eventId)).size).toBe(1);
    // Each attempt is signed afresh.
    for (const r of receiver.requests) {
      const timestamp = Number(r.headers['x-hubspot-request-timestamp']);
      const signature = String(r.headers['x-hubspot-signature-v3']);
      expect(
        Signature.isValid({
          signatureVersion: 'v3',
          method: 'POST',
          url: receiver.url,
          requestBody: r.body,
          signature,
          timestamp,
          clientSecret: SECRET,
        }),
      ).toBe(true);
    }
    const log = await admin(sb, 'GET', '/__sandbox/webhooks/deliveries');
    const results = z
      .object({
        total: z.number(),
        results: z.array(
          z
            .object({
              status: z.string(),
              attemptNumber: z.number(),
              responseStatus: z.number().optional(),
              batchId: z.number(),
            })
            .passthrough(),
        ),
      })
      .parse(log.json).results;
    expect(results.map((d) => [d.attemptNumber, d.status, d.responseStatus])).toEqual([
      [0, 'retrying', 500],
      [1, 'retrying', 500],
      [2, 'delivered', 200],
    ]);
    expect(new Set(results.map((d) => d.batchId)).size).toBe(1);
  });

  it('does not retry 400, 401, 403, 404 or 405', async () => {
    receiver.respond = () => 404;
    const { sb, client } = await start({ subscriptions: [{ subscriptionType: 'contact.creation' }] });
    await client.crm.contacts.basicApi.create({ properties: { email: 'n@example.org' }, associations: [] });
    await sb.webhooks.settled();
    expect(receiver.requests).toHaveLength(1);
    expect(sb.webhooks.deliveries().map((d) => d.status)).toEqual(['rejected']);
  });

  it('times out a slow endpoint, retries it, and gives up after maxAttempts', async () => {
    receiver.respond = (n) => (n === 0 ? 'hang' : 503);
    const { sb, client } = await start({
      subscriptions: [{ subscriptionType: 'contact.creation' }],
      timeoutMs: 150,
      maxAttempts: 3,
    });
    await client.crm.contacts.basicApi.create({ properties: { email: 't@example.org' }, associations: [] });
    await sb.webhooks.settled();
    expect(receiver.requests).toHaveLength(3);
    const log = sb.webhooks.deliveries();
    expect(log.map((d) => d.status)).toEqual(['retrying', 'retrying', 'abandoned']);
    expect(log[0]!.error).toMatch(/timed out after 150 ms/);
    expect(log[0]!.durationMs).toBeGreaterThanOrEqual(140);
  });

  it('retries a connection that cannot be opened', async () => {
    const { sb, client } = await start({ subscriptions: [{ subscriptionType: 'contact.creation' }], maxAttempts: 2 });
    await receiver.stop();
    await client.crm.contacts.basicApi.create({ properties: { email: 'down@example.org' }, associations: [] });
    await sb.webhooks.settled();
    expect(sb.webhooks.deliveries().map((d) => [d.status, d.attemptNumber])).toEqual([
      ['retrying', 0],
      ['abandoned', 1],
    ]);
    expect(sb.webhooks.deliveries()[0]!.error).toBeDefined();
  });
});

describe('shutdown and admin API', () => {
  it('close() delivers what is queued and cancels scheduled retries', async () => {
    const { sb, client } = await start({
      subscriptions: [{ subscriptionType: 'contact.creation' }],
      batchWindowMs: 60_000,
    });
    await client.crm.contacts.basicApi.create({ properties: { email: 'late@example.org' }, associations: [] });
    expect(receiver.requests).toHaveLength(0);
    await sb.close();
    expect(receiver.requests).toHaveLength(1);

    receiver.respond = () => 500;
    const second = await start({ subscriptions: [{ subscriptionType: 'contact.creation' }], retryBaseMs: 60_000 });
    await second.client.crm.contacts.basicApi.create({ properties: { email: 'retry@example.org' }, associations: [] });
    await second.sb.webhooks.flush();
    const started = Date.now();
    await second.sb.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(second.sb.webhooks.deliveries().map((d) => d.status)).toEqual(['retrying', 'cancelled']);
  });

  it('refuses subscriptions it cannot honour', async () => {
    sandbox = await startHubSpotSandbox({ preset: 'empty' });
    const noTarget = await admin(sandbox, 'POST', '/__sandbox/webhooks/subscriptions', {
      subscriptionType: 'contact.creation',
    });
    expect(noTarget.status).toBe(400);
    const wrongKind = await admin(sandbox, 'POST', '/__sandbox/webhooks/subscriptions', {
      subscriptionType: 'contact.creation',
      propertyName: 'email',
      targetUrl: receiver.url,
      clientSecret: SECRET,
    });
    expect(wrongKind.status).toBe(400);
    expect(wrongKind.json).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
    const ok = await admin(sandbox, 'POST', '/__sandbox/webhooks/subscriptions', {
      subscriptionType: 'company.creation',
      targetUrl: receiver.url,
      clientSecret: SECRET,
      appId: 42,
    });
    expect(ok.status).toBe(201);
    const client = new Client({ accessToken: sandbox.accessToken, basePath: sandbox.url, numberOfApiCallRetries: 0 });
    await client.crm.companies.basicApi.create({ properties: { name: 'Hooked Co' }, associations: [] });
    expect((await admin(sandbox, 'POST', '/__sandbox/webhooks/flush')).status).toBe(200);
    expect(receiver.events()).toEqual([
      expect.objectContaining({ subscriptionType: 'company.creation', appId: 42, changeFlag: 'CREATED' }),
    ]);
    const id = (ok.json as { id: number }).id;
    expect((await admin(sandbox, 'DELETE', `/__sandbox/webhooks/subscriptions/${id}`)).status).toBe(204);
    expect((await admin(sandbox, 'DELETE', `/__sandbox/webhooks/subscriptions/${id}`)).status).toBe(404);
  });
});
