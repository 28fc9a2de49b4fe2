/**
 * The webhook route without Temporal: a fake `startHandover` records calls and fails on
 * demand, to pin down ordering per contact, partial failures and when claims are released.
 * (Real sockets: fastify's `inject` pulls in an ESM-only module that jest cannot load here.)
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { createLogger } from '../../src/logger';
import { memoryDeliveryLedger } from '../../src/server/deliveries';
import type { ScoreChanged } from '../../workflows/lead-handover/api';
import { signatureV3 } from '../../src/server/signature';
import { registerHubSpotWebhooks, type StartHandover } from '../../src/server/webhooks';

const SECRET = 's3cret';
const POLICY = {
  qualification: { score: { property: 'hubspotscore', at_least: 50 }, conditions: [], domain_lists: {} },
};
const NOW = 1_800_000_000_000;

interface Call {
  hubspotId: string;
  change: ScoreChanged;
}

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

async function setup(fail: (hubspotId: string, change: ScoreChanged) => boolean = () => false) {
  const calls: Call[] = [];
  const deliveries = memoryDeliveryLedger();
  const startHandover: StartHandover = async (hubspotId, change) => {
    // Interleave contacts, so only per-contact ordering is guaranteed.
    await new Promise((r) => setTimeout(r, Number(hubspotId) % 3));
    if (fail(hubspotId, change)) throw new Error('temporal unavailable');
    calls.push({ hubspotId, change });
  };
  const app: FastifyInstance = Fastify();
  registerHubSpotWebhooks(app, {
    startHandover,
    deliveries,
    clientSecret: SECRET,
    policy: () => POLICY,
    logger: createLogger('silent'),
    now: () => NOW,
  });
  apps.push(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, calls, deliveries };
}

let eventId = 1;
function score(objectId: number, value: string, occurredAt: number) {
  return {
    eventId: eventId++,
    subscriptionId: 1,
    portalId: 2,
    occurredAt,
    subscriptionType: 'contact.propertyChange',
    objectId,
    propertyName: 'hubspotscore',
    propertyValue: value,
  };
}

async function send(app: FastifyInstance, events: unknown[], timestamp = NOW) {
  const body = JSON.stringify(events);
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/webhooks/hubspot`;
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-hubspot-signature-v3': signatureV3(SECRET, 'POST', url, body, timestamp),
      'x-hubspot-request-timestamp': String(timestamp),
    },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, number> };
}

describe('webhook route', () => {
  test('events of one contact go in occurredAt order; contacts run side by side', async () => {
    const { app, calls } = await setup();
    const res = await send(app, [
      score(1, '60', 30),
      score(2, '70', 5),
      score(1, '61', 10),
      score(1, '62', 20),
      score(2, '71', 1),
    ]);
    expect(res).toEqual({
      status: 200,
      body: { received: 5, signaled: 5, duplicates: 0, belowThreshold: 0, ignored: 0, failed: 0 },
    });
    const of = (id: string) => calls.filter((c) => c.hubspotId === id).map((c) => c.change.at);
    expect(of('1')).toEqual([10, 20, 30]);
    expect(of('2')).toEqual([1, 5]);
  });

  test('a failure stops that contact’s later events, releases its claim, and answers 500; the retry finishes the job', async () => {
    let down = true;
    const { app, calls, deliveries } = await setup((id, change) => down && id === '7' && change.at === 20);
    const batch = [score(7, '80', 10), score(7, '81', 20), score(7, '82', 30), score(8, '90', 10)];
    const first = await send(app, batch);
    expect(first).toEqual({
      status: 500,
      body: { received: 4, signaled: 2, duplicates: 0, belowThreshold: 0, ignored: 0, failed: 2 },
    });
    expect(calls.map((c) => `${c.hubspotId}@${c.change.at}`).sort()).toEqual(['7@10', '8@10']);
    // Claimed: the two that went through. Released or never claimed: the other two.
    expect(deliveries.keys.size).toBe(2);

    down = false;
    const retry = await send(
      app,
      batch.map((e) => ({ ...e, attemptNumber: 1 })),
    );
    expect(retry).toEqual({
      status: 200,
      body: { received: 4, signaled: 2, duplicates: 2, belowThreshold: 0, ignored: 0, failed: 0 },
    });
    expect(calls.filter((c) => c.hubspotId === '7').map((c) => c.change.at)).toEqual([10, 20, 30]);
  });

  test('a failing ledger answers 500 without signalling', async () => {
    const { app, calls, deliveries } = await setup();
    deliveries.claim = async () => {
      throw new Error('database locked');
    };
    expect((await send(app, [score(3, '99', 1)])).status).toBe(500);
    expect(calls).toEqual([]);
  });

  test('401 before anything else: nothing claimed, nothing started', async () => {
    const { app, calls, deliveries } = await setup();
    expect((await send(app, [score(4, '99', 1)], NOW - 301_000)).status).toBe(401);
    expect((await send(app, [score(4, '99', 1)], NOW + 120_000)).status).toBe(401);
    expect(calls).toEqual([]);
    expect(deliveries.keys.size).toBe(0);
  });
});
