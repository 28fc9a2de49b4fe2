/**
 * `POST /webhooks/hubspot`: verify, dedupe, signal-with-start, answer. Nothing slow happens
 * here: HubSpot gives the endpoint 5 s, and the handover's real work runs in the workflow.
 * https://developers.hubspot.com/docs/api/webhooks
 */
import { readContactsByIds } from '../crm/hubspot/contacts';
import type { Client as HubSpotClient } from '@hubspot/api-client';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../logger';
import type { DeliveryLedger } from './deliveries';
import { handoverWorkflowId, scoreValue, type ScoreChanged } from '../../workflows/lead-handover/api';
import {
  decideEvent,
  deliveryKey,
  scoreMayQualify,
  webhookBodySchema,
  type EventDecision,
  type ScoreTrigger,
  type WebhookEvent,
} from './hubspot-events';
import { signedUri, verifySignatureV3 } from './signature';

export const HUBSPOT_WEBHOOK_PATH = '/webhooks/hubspot';

/** Signal-with-start of `handover:<hubspotId>`, finished by `deadline` (epoch ms); see signalHandover. */
export type StartHandover = (hubspotId: string, change: ScoreChanged, deadline: number) => Promise<void>;

export interface WebhookRouteDeps {
  startHandover: StartHandover;
  deliveries: DeliveryLedger;
  clientSecret: string;
  policy: () => ScoreTrigger;
  hubspot?: HubSpotClient;
  logger: Logger;
  now: () => number;
  /** The public URL HubSpot calls, up to (not including) `/webhooks/hubspot`; see `signedUri`. */
  publicBaseUrl?: string;
  /** Temporal calls of one request must finish by then, well inside HubSpot's 5 s. */
  budgetMs?: number;
  /** Contacts handled at once; events of one contact always go in order. */
  concurrency?: number;
}

export interface WebhookSummary {
  received: number;
  signaled: number;
  duplicates: number;
  belowThreshold: number;
  ignored: number;
  failed: number;
}

const DEFAULT_BUDGET_MS = 3_500;
const DEFAULT_CONCURRENCY = 50;
const SCORE_LOOKUP_TIMEOUT_MS = 1_000;

export function registerHubSpotWebhooks(app: FastifyInstance, deps: WebhookRouteDeps): void {
  // Encapsulated, so only this route sees raw bytes: the signature covers the body exactly
  // as sent, and re-serialized JSON would not match it.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

    scope.post(HUBSPOT_WEBHOOK_PATH, async (request, reply) => {
      const started = deps.now();
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const check = verifySignatureV3(
        {
          method: request.method,
          uri: signedUri({ protocol: request.protocol, host: request.host, url: request.url }, deps.publicBaseUrl),
          body,
          signature: header(request.headers['x-hubspot-signature-v3']),
          timestamp: header(request.headers['x-hubspot-request-timestamp']),
        },
        { clientSecret: deps.clientSecret, now: started },
      );
      if (!check.ok) {
        deps.logger.warn({ reason: check.reason }, 'hubspot webhook rejected');
        return reply.code(401).send({ error: 'invalid_signature', reason: check.reason });
      }

      let events: WebhookEvent[];
      try {
        const parsed = webhookBodySchema.safeParse(JSON.parse(body.toString('utf8')));
        if (!parsed.success)
          return reply
            .code(400)
            .send({ error: 'invalid_body', message: parsed.error.issues[0]?.message ?? 'invalid body' });
        events = parsed.data;
      } catch {
        return reply.code(400).send({ error: 'invalid_body', message: 'body is not JSON' });
      }

      // A gRPC deadline is wall-clock time, whatever clock the signature check uses.
      const summary = await handleEvents(events, deps, Date.now() + (deps.budgetMs ?? DEFAULT_BUDGET_MS));
      deps.logger.info({ ...summary, ms: deps.now() - started }, 'hubspot webhook');
      // A 5xx makes HubSpot retry the whole request; events handled already are skipped then.
      return reply.code(summary.failed > 0 ? 500 : 200).send(summary);
    });
  });
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

type Outcome = 'signaled' | 'duplicates' | 'belowThreshold' | 'ignored' | 'failed';

async function handleEvents(events: WebhookEvent[], deps: WebhookRouteDeps, deadline: number): Promise<WebhookSummary> {
  const policy = deps.policy();
  const decided = events.map((event) => ({ event, decision: decideEvent(policy, event) }));
  const scores = await lookUpScores(
    decided.flatMap(({ decision: d }) => (d.kind === 'lookup' ? [d.hubspotId] : [])),
    policy,
    deps,
  );

  const summary: WebhookSummary = {
    received: events.length,
    signaled: 0,
    duplicates: 0,
    belowThreshold: 0,
    ignored: 0,
    failed: 0,
  };
  const byContact = new Map<string, { event: WebhookEvent; decision: EventDecision }[]>();
  for (const item of decided) {
    const d = resolveLookup(item.decision, policy, scores);
    if (d.kind === 'ignored' || d.kind === 'below_threshold') {
      summary[d.kind === 'ignored' ? 'ignored' : 'belowThreshold']++;
      continue;
    }
    const list = byContact.get(item.event.objectId) ?? [];
    list.push({ event: item.event, decision: d });
    byContact.set(item.event.objectId, list);
  }

  await forEachLimit([...byContact.values()], deps.concurrency ?? DEFAULT_CONCURRENCY, async (items) => {
    // Signals reach the workflow in the order HubSpot saw the changes.
    items.sort((a, b) => a.event.occurredAt - b.event.occurredAt);
    for (let i = 0; i < items.length; i++) {
      const outcome = await handleOne(items[i]!.event, items[i]!.decision, deps, deadline);
      summary[outcome]++;
      if (outcome === 'failed') {
        // The rest of this contact's events wait for HubSpot's retry, so they stay in order.
        summary.failed += items.length - i - 1;
        return;
      }
    }
  });
  return summary;
}

async function handleOne(
  event: WebhookEvent,
  decision: EventDecision,
  deps: WebhookRouteDeps,
  deadline: number,
): Promise<Outcome> {
  if (decision.kind !== 'signal') return 'ignored';
  const key = deliveryKey(event);
  let claimed: boolean;
  try {
    claimed = await deps.deliveries.claim(key);
  } catch (err) {
    deps.logger.error({ err, eventId: event.eventId }, 'could not record a webhook delivery');
    return 'failed';
  }
  if (!claimed) return 'duplicates';
  try {
    await deps.startHandover(decision.hubspotId, { score: decision.score, at: decision.at }, deadline);
    return 'signaled';
  } catch (err) {
    deps.logger.error(
      { err, workflowId: handoverWorkflowId(decision.hubspotId), eventId: event.eventId },
      'could not signal the handover',
    );
    try {
      await deps.deliveries.release(key);
    } catch (releaseErr) {
      deps.logger.error(
        { err: releaseErr, eventId: event.eventId },
        'could not release a webhook delivery; its retry will be skipped',
      );
    }
    return 'failed';
  }
}

/** `contact.creation` carries no values: read the score, or treat it as unknown. */
function resolveLookup(
  d: EventDecision,
  policy: ScoreTrigger,
  scores: Map<string, string | null> | undefined,
): EventDecision {
  if (d.kind !== 'lookup') return d;
  const raw = scores?.get(d.hubspotId);
  if (raw === undefined) return { kind: 'signal', hubspotId: d.hubspotId, score: null, at: d.at };
  if (!scoreMayQualify(policy, raw)) return { kind: 'below_threshold' };
  return { kind: 'signal', hubspotId: d.hubspotId, score: scoreValue(raw), at: d.at };
}

/**
 * One batch read for every created contact in the request, bounded in time: when HubSpot
 * is slow or fails the score counts as unknown and the workflow decides.
 */
async function lookUpScores(
  ids: string[],
  policy: ScoreTrigger,
  deps: WebhookRouteDeps,
): Promise<Map<string, string | null> | undefined> {
  const hubspot = deps.hubspot;
  if (hubspot === undefined || ids.length === 0) return undefined;
  const property = policy.qualification.score.property;
  let timer: NodeJS.Timeout | undefined;
  try {
    const read = readContactsByIds(hubspot, [...new Set(ids)], [property]);
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), SCORE_LOOKUP_TIMEOUT_MS);
    });
    const result = await Promise.race([read, timeout]);
    if (result === undefined) {
      read.catch(() => undefined);
      deps.logger.warn({ contacts: ids.length }, 'hubspot score lookup timed out; scores treated as unknown');
      return undefined;
    }
    return new Map(result.map((r) => [r.id, r.properties[property] ?? null]));
  } catch (err) {
    deps.logger.warn(
      { err: errorMessage(err), contacts: ids.length },
      'hubspot score lookup failed; scores treated as unknown',
    );
    return undefined;
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** The client's errors carry the request and response, which may hold personal data. */
function errorMessage(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'number' ? `HTTP ${code}` : err instanceof Error ? err.name : 'error';
}

async function forEachLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  });
  await Promise.all(workers);
}
