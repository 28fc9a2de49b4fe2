/**
 * The HTTP server on a real Temporal dev server with a stand-in `leadHandover`
 * (test/fixtures/workflows): signed HubSpot webhooks start exactly one handover per lead,
 * redeliveries start nothing twice, low scores and bad signatures start nothing, a
 * Temporal failure answers 500 and the retry still goes through; and end to end with the
 * HubSpot sandbox sending its own signed webhooks.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client as HubSpotClient } from '@hubspot/api-client';
import { Writable } from 'node:stream';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import pino from 'pino';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { createLogger } from '../../src/logger';
import { startHubSpotSandbox, type RunningHubSpotSandbox } from '@baton/crm-sandbox';
import { CALCULATED_SOURCE } from '@baton/crm-sandbox';
import { signatureV3 } from '@baton/crm-sandbox';
import { startServer, type RunningServer, type ServerDeps } from '../../src/server';
import { openStore, type Store } from '../../src/store';
import { loadConfig } from '../../src/config/env';
import { loadHandoverPolicy } from '../../src/config/handover-file';
import { startDevServer } from '../../src/dev/dev-server';
import { finishSignal, recordedQuery, type RecordedHandover } from '../fixtures/workflows';
import { waitFor } from '../helpers/processes';
import { createLocalEnv, uniqueId } from '../helpers/temporal';

const SECRET = 'test-client-secret';
const POLICY = {
  qualification: { score: { property: 'hubspotscore', at_least: 70 }, conditions: [], domain_lists: {} },
};
const logger = createLogger('silent');

let env: TestWorkflowEnvironment;
let worker: Worker;
let workerRun: Promise<void>;
let store: Store;
let tmp: string;
let server: RunningServer;
let taskQueue: string;
let nextEventId = 1;
let nextContact = 900_000 + (process.pid % 1000) * 1000;

function deps(over: Partial<ServerDeps> = {}): ServerDeps {
  return { temporal: env.client, taskQueue, store, clientSecret: SECRET, policy: POLICY, logger, ...over };
}

beforeAll(async () => {
  env = await createLocalEnv();
  taskQueue = uniqueId('server');
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../fixtures/workflows'),
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error: (m: string) => console.error(m), log() {} },
  });
  worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle,
  });
  workerRun = worker.run();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-server-'));
  store = await openStore(`sqlite://${path.join(tmp, 'baton.db')}`);
  server = await startServer({ host: '127.0.0.1', port: 0 }, deps());
}, 120_000);

afterAll(async () => {
  await server?.close();
  worker?.shutdown();
  await workerRun;
  await store?.close();
  await env?.teardown();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

interface EventInput {
  objectId: string;
  propertyName?: string;
  propertyValue?: string;
  subscriptionType?: string;
  occurredAt?: number;
  eventId?: number;
}

function event(e: EventInput) {
  return {
    eventId: e.eventId ?? nextEventId++,
    subscriptionId: 5001,
    portalId: 62515,
    appId: 1,
    occurredAt: e.occurredAt ?? Date.now(),
    subscriptionType: e.subscriptionType ?? 'contact.propertyChange',
    attemptNumber: 0,
    objectId: Number(e.objectId),
    ...(e.propertyName !== undefined ? { propertyName: e.propertyName, propertyValue: e.propertyValue ?? '' } : {}),
    changeSource: 'CRM_UI',
  };
}

const score = (objectId: string, value: string, extra: Partial<EventInput> = {}) =>
  event({ objectId, propertyName: 'hubspotscore', propertyValue: value, ...extra });

async function post(
  target: RunningServer,
  events: unknown[],
  opts: { secret?: string; timestamp?: number; tamper?: (body: string) => string } = {},
) {
  const body = JSON.stringify(events);
  const timestamp = opts.timestamp ?? Date.now();
  const signature = signatureV3(opts.secret ?? SECRET, 'POST', target.webhookUrl, body, timestamp);
  const res = await fetch(target.webhookUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-hubspot-signature-v3': signature,
      'x-hubspot-request-timestamp': String(timestamp),
    },
    body: opts.tamper ? opts.tamper(body) : body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Sandbox contacts get ids from this test file's range: workflow ids outlive each sandbox. */
function isolateIds(sb: RunningHubSpotSandbox): void {
  sb.state.contacts.nextId = nextContact + 1;
  nextContact += 100;
}

function contactId(): string {
  nextContact += 1;
  return String(nextContact);
}

async function recorded(hubspotId: string): Promise<RecordedHandover> {
  return env.client.workflow.getHandle(`handover:${hubspotId}`).query(recordedQuery);
}

async function runIds(hubspotId: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const wf of env.client.workflow.list({ query: `WorkflowId = 'handover:${hubspotId}'` }))
    ids.push(wf.runId);
  return ids;
}

async function expectNoHandover(hubspotId: string): Promise<void> {
  await expect(env.client.workflow.getHandle(`handover:${hubspotId}`).describe()).rejects.toBeInstanceOf(
    WorkflowNotFoundError,
  );
}

describe('POST /webhooks/hubspot', () => {
  test('a signed score change starts exactly one handover with the contract input and signal', async () => {
    const id = contactId();
    const e = score(id, '80');
    const res = await post(server, [e]);
    expect(res).toEqual({
      status: 200,
      body: { received: 1, signaled: 1, duplicates: 0, belowThreshold: 0, ignored: 0, failed: 0 },
    });
    expect(await recorded(id)).toEqual({
      input: { hubspotId: id, trigger: 'webhook' },
      signals: [{ score: 80, at: e.occurredAt }],
    });
    const description = await env.client.workflow.getHandle(`handover:${id}`).describe();
    expect(description.type).toBe('leadHandover');
    expect(description.taskQueue).toBe(taskQueue);
  });

  test('the same delivery twice (a HubSpot retry) starts and signals once', async () => {
    const id = contactId();
    const e = score(id, '90');
    expect((await post(server, [e])).body).toMatchObject({ signaled: 1 });
    const again = await post(server, [{ ...e, attemptNumber: 1 }]);
    expect(again).toEqual({
      status: 200,
      body: { received: 1, signaled: 0, duplicates: 1, belowThreshold: 0, ignored: 0, failed: 0 },
    });
    // Concurrent redeliveries too.
    const burst = await Promise.all([1, 2, 3].map((n) => post(server, [{ ...e, attemptNumber: n }])));
    expect(burst.map((r) => r.body.duplicates)).toEqual([1, 1, 1]);
    expect((await recorded(id)).signals).toHaveLength(1);
    await waitFor('visibility', async () => ((await runIds(id)).length === 1 ? true : undefined), 10_000);
  });

  test('two score events for one contact: one handover, two signals in the order HubSpot saw them', async () => {
    const id = contactId();
    const t = Date.now();
    // Listed out of order in one request; a third comes in a later request.
    const res = await post(server, [score(id, '85', { occurredAt: t + 10 }), score(id, '75', { occurredAt: t })]);
    expect(res.body).toMatchObject({ received: 2, signaled: 2 });
    expect((await post(server, [score(id, '95', { occurredAt: t + 20 })])).body).toMatchObject({ signaled: 1 });
    expect((await recorded(id)).signals).toEqual([
      { score: 75, at: t },
      { score: 85, at: t + 10 },
      { score: 95, at: t + 20 },
    ]);
    await waitFor('visibility', async () => ((await runIds(id)).length === 1 ? true : undefined), 10_000);
  });

  test('a score below the threshold, a cleared score and other events start nothing but are acknowledged', async () => {
    const low = contactId();
    const cleared = contactId();
    const other = contactId();
    const res = await post(server, [
      score(low, '69'),
      score(cleared, ''),
      event({ objectId: other, propertyName: 'firstname', propertyValue: 'Ada' }),
      event({ objectId: other, subscriptionType: 'company.creation' }),
    ]);
    expect(res).toEqual({
      status: 200,
      body: { received: 4, signaled: 0, duplicates: 0, belowThreshold: 2, ignored: 2, failed: 0 },
    });
    await expectNoHandover(low);
    await expectNoHandover(cleared);
    await expectNoHandover(other);
  });

  test('a creation without a readable score counts as "may qualify"', async () => {
    const id = contactId();
    const res = await post(server, [event({ objectId: id, subscriptionType: 'contact.creation' })]);
    expect(res.body).toMatchObject({ signaled: 1 });
    expect((await recorded(id)).signals).toEqual([{ score: null, at: expect.any(Number) }]);
  });

  test('bad signature, wrong secret, stale or future timestamp, missing headers: 401 and nothing started', async () => {
    const id = contactId();
    const events = [score(id, '99')];
    expect(await post(server, events, { secret: 'not-the-secret' })).toEqual({
      status: 401,
      body: { error: 'invalid_signature', reason: 'bad_signature' },
    });
    expect((await post(server, events, { tamper: (b) => b.replace('"99"', '"98"') })).status).toBe(401);
    expect((await post(server, events, { timestamp: Date.now() - 6 * 60_000 })).body).toMatchObject({
      reason: 'stale_timestamp',
    });
    expect((await post(server, events, { timestamp: Date.now() + 6 * 60_000 })).body).toMatchObject({
      reason: 'future_timestamp',
    });
    const bare = await fetch(server.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(events),
    });
    expect(bare.status).toBe(401);
    await expectNoHandover(id);
    // The delivery was not recorded: once signed correctly, it goes through.
    expect((await post(server, events)).body).toMatchObject({ signaled: 1 });
  });

  test('a body that is not HubSpot events, or more than 100 of them: 400', async () => {
    expect((await post(server, [{ hello: 'world' }])).status).toBe(400);
    const many = Array.from({ length: 101 }, () => score(contactId(), '10'));
    expect((await post(server, many)).status).toBe(400);
    const hundred = Array.from({ length: 100 }, () => score(contactId(), '10'));
    expect((await post(server, hundred)).body).toMatchObject({ received: 100, belowThreshold: 100 });
  });

  test('a Temporal failure answers 500 and forgets the claim, so HubSpot’s retry starts the handover', async () => {
    // A client on a namespace that does not exist: every signal-with-start fails.
    const broken = new Client({ connection: env.client.connection, namespace: uniqueId('no-such-namespace') });
    const failing = await startServer({ host: '127.0.0.1', port: 0 }, deps({ temporal: broken }));
    try {
      const id = contactId();
      const e = score(id, '88');
      const res = await post(failing, [e, score(id, '89', { occurredAt: e.occurredAt + 1 }), score(contactId(), '12')]);
      expect(res).toEqual({
        status: 500,
        body: { received: 3, signaled: 0, duplicates: 0, belowThreshold: 1, ignored: 0, failed: 2 },
      });
      await expectNoHandover(id);
      // The retry reaches a healthy server sharing the store.
      expect((await post(server, [{ ...e, attemptNumber: 1 }])).body).toMatchObject({ signaled: 1, duplicates: 0 });
      expect((await recorded(id)).signals).toEqual([{ score: 88, at: e.occurredAt }]);
    } finally {
      await failing.close();
    }
  });
});

describe('speed and privacy', () => {
  test('100 qualifying events for 100 contacts are answered well inside HubSpot’s 5 s', async () => {
    // A queue no worker polls: the time measured is the server's, not this process's worker
    // starting 100 workflows on the same CPU.
    const quiet = await startServer({ host: '127.0.0.1', port: 0 }, deps({ taskQueue: uniqueId('unpolled') }));
    try {
      const ids = Array.from({ length: 100 }, () => contactId());
      const started = Date.now();
      const res = await post(
        quiet,
        ids.map((id) => score(id, '90')),
      );
      const ms = Date.now() - started;
      expect(res.body).toMatchObject({ received: 100, signaled: 100, failed: 0 });
      expect(ms).toBeLessThan(4_000);
      await Promise.all(ids.map((id) => env.client.workflow.getHandle(`handover:${id}`).terminate('test cleanup')));
    } finally {
      await quiet.close();
    }
  });

  test('logs carry counts and ids, never property values or emails', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const logging = await startServer({ host: '127.0.0.1', port: 0 }, deps({ logger: pino({ level: 'trace' }, sink) }));
    try {
      const id = contactId();
      await post(logging, [
        score(id, '8123'),
        event({ objectId: id, propertyName: 'email', propertyValue: 'ada.lovelace@example.com' }),
      ]);
      await post(logging, [score(id, '8124')], { secret: 'wrong' });
    } finally {
      await logging.close();
    }
    const text = lines.join('');
    expect(text).toContain('hubspot webhook');
    expect(text).toContain('hubspot webhook rejected');
    expect(text).not.toMatch(/8123|8124|ada\.lovelace|example\.com/);
  });
});

describe('workflow id reuse', () => {
  test('a finished handover is started afresh when the lead qualifies again (recycled lead); a running one only gets the signal', async () => {
    const id = contactId();
    const handle = env.client.workflow.getHandle(`handover:${id}`);
    expect((await post(server, [score(id, '80')])).body).toMatchObject({ signaled: 1 });
    const first = await handle.describe();
    expect((await post(server, [score(id, '81')])).body).toMatchObject({ signaled: 1 });
    expect((await handle.describe()).runId).toBe(first.runId);

    // Sales recycled the lead: the handover ended. A later qualifying score starts a new run.
    await handle.signal(finishSignal);
    await handle.result();
    expect((await post(server, [score(id, '90')])).body).toMatchObject({ signaled: 1 });
    const second = await handle.describe();
    expect(second.runId).not.toBe(first.runId);
    expect(second.status.name).toBe('RUNNING');
    expect((await recorded(id)).signals.map((s) => s.score)).toEqual([90]);
  });
});

describe('behind a proxy', () => {
  test('the signature is checked against the configured public URL, not the address the proxy called', async () => {
    const proxied = await startServer(
      { host: '127.0.0.1', port: 0, publicBaseUrl: 'https://baton.example.com/hooks/' },
      deps(),
    );
    try {
      expect(proxied.webhookUrl).toBe('https://baton.example.com/hooks/webhooks/hubspot');
      const id = contactId();
      const body = JSON.stringify([score(id, '75')]);
      const timestamp = Date.now();
      const send = (signedFor: string) =>
        fetch(`${proxied.url}/webhooks/hubspot`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-hubspot-signature-v3': signatureV3(SECRET, 'POST', signedFor, body, timestamp),
            'x-hubspot-request-timestamp': String(timestamp),
          },
          body,
        });
      expect((await send(`${proxied.url}/webhooks/hubspot`)).status).toBe(401);
      expect((await send(proxied.webhookUrl)).status).toBe(200);
      expect((await recorded(id)).signals).toHaveLength(1);
    } finally {
      await proxied.close();
    }
  });

  test('with trustProxy, X-Forwarded-Proto and -Host make the signed URI', async () => {
    const proxied = await startServer({ host: '127.0.0.1', port: 0 }, deps({ trustProxy: true }));
    try {
      const id = contactId();
      const body = JSON.stringify([score(id, '75')]);
      const timestamp = Date.now();
      const res = await fetch(`${proxied.url}/webhooks/hubspot`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-forwarded-proto': 'https',
          'x-forwarded-host': 'hooks.example.com',
          'x-hubspot-signature-v3': signatureV3(
            SECRET,
            'POST',
            'https://hooks.example.com/webhooks/hubspot',
            body,
            timestamp,
          ),
          'x-hubspot-request-timestamp': String(timestamp),
        },
        body,
      });
      expect(res.status).toBe(200);
    } finally {
      await proxied.close();
    }
  });
});

describe('health', () => {
  test('/healthz is always ok; /readyz reports whether Temporal answers', async () => {
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', temporal: 'ok' });

    const nowhere = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    const unready = await startServer(
      { host: '127.0.0.1', port: 0 },
      deps({ temporal: nowhere, readinessTimeoutMs: 500 }),
    );
    try {
      const res = await fetch(`${unready.url}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'not_ready', temporal: 'unreachable' });
    } finally {
      await unready.close();
      await nowhere.connection.close();
    }
  });
});

describe('end to end with the HubSpot sandbox', () => {
  let sandbox: RunningHubSpotSandbox | undefined;
  afterEach(async () => {
    await sandbox?.close();
    sandbox = undefined;
  });

  test('the sandbox signs its webhooks; a low score starts nothing, raising it starts the handover', async () => {
    sandbox = await startHubSpotSandbox({
      preset: 'empty',
      // The app subscribes to the score property only, as a Baton deployment would.
      webhooks: {
        targetUrl: server.webhookUrl,
        clientSecret: SECRET,
        subscriptions: [{ subscriptionType: 'contact.propertyChange', propertyName: 'hubspotscore' }],
        retryBaseMs: 10,
        batchWindowMs: 5,
      },
    });
    isolateIds(sandbox);
    // hubspotscore is read-only through the API: HubSpot's scoring engine writes it, so the
    // test writes into the sandbox state with the CALCULATED source, as the simulation does.
    const contact = sandbox.state.contacts.insert(
      { email: 'ada@example.com', firstname: 'Ada', hubspotscore: '20' },
      Date.now(),
      Date.now(),
      CALCULATED_SOURCE,
    );
    await sandbox.webhooks.settled();
    expect(sandbox.webhooks.deliveries().map((d) => [d.status, d.responseStatus])).toEqual([['delivered', 200]]);
    await expectNoHandover(contact.id);

    sandbox.state.contacts.update(contact, { hubspotscore: '82' }, Date.now(), CALCULATED_SOURCE);
    await sandbox.webhooks.settled();
    expect(sandbox.webhooks.deliveries().map((d) => d.status)).toEqual(['delivered', 'delivered']);
    expect(await recorded(contact.id)).toEqual({
      input: { hubspotId: contact.id, trigger: 'webhook' },
      signals: [{ score: 82, at: expect.any(Number) }],
    });
  });

  test('startDevServer (baton dev) subscribes the sandbox and starts handovers from its score changes', async () => {
    sandbox = await startHubSpotSandbox({ preset: 'demo' });
    isolateIds(sandbox);
    const base = loadConfig({
      BATON_MAPPINGS_DIR: path.resolve(__dirname, '../../mappings'),
      BATON_TASK_QUEUE: taskQueue,
    });
    const config = { ...base, server: { ...base.server, port: 0 } };
    const dev = await startDevServer({ config, temporal: env.client, store, hubspotSandbox: sandbox, log: logger });
    // The shipped policy's score property, whichever it is.
    const scoreProperty = loadHandoverPolicy(path.join(config.mappingsDir, 'handover.yaml')).qualification.score
      .property;
    try {
      const contact = sandbox.state.contacts.insert({ email: 'grace@example.com', [scoreProperty]: '3' }, Date.now());
      await sandbox.webhooks.settled();
      await expectNoHandover(contact.id);
      sandbox.state.contacts.update(contact, { [scoreProperty]: '95' }, Date.now(), CALCULATED_SOURCE);
      await sandbox.webhooks.settled();
      expect(sandbox.webhooks.deliveries().every((d) => d.status === 'delivered')).toBe(true);
      expect((await recorded(contact.id)).signals).toEqual([{ score: 95, at: expect.any(Number) }]);
    } finally {
      await dev.close();
    }
  });

  test('with a HubSpot client the server reads a created contact’s score before starting anything', async () => {
    sandbox = await startHubSpotSandbox({ preset: 'empty' });
    isolateIds(sandbox);
    const hubspot = new HubSpotClient({ accessToken: sandbox.accessToken, basePath: sandbox.url });
    const withLookup = await startServer({ host: '127.0.0.1', port: 0 }, deps({ hubspot }));
    try {
      sandbox.webhooks.configure({ targetUrl: withLookup.webhookUrl, clientSecret: SECRET });
      sandbox.webhooks.subscribe({ subscriptionType: 'contact.creation' });
      const low = sandbox.state.contacts.insert({ email: 'low@example.com', hubspotscore: '5' }, Date.now());
      const high = sandbox.state.contacts.insert({ email: 'high@example.com', hubspotscore: '77' }, Date.now());
      await sandbox.webhooks.settled();
      expect(sandbox.webhooks.deliveries().every((d) => d.status === 'delivered')).toBe(true);
      await expectNoHandover(low.id);
      expect((await recorded(high.id)).signals).toEqual([{ score: 77, at: expect.any(Number) }]);
    } finally {
      await withLookup.close();
    }
  });
});
