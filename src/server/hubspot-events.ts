/**
 * HubSpot webhook payloads and which of them may start or feed a lead handover.
 * https://developers.hubspot.com/docs/api/webhooks#webhook-payloads
 */
import { z } from 'zod';
import { qualifies, type QualificationPolicy } from '../handover/qualify';
import { scoreValue } from '../../workflows/lead-handover/api';

/** HubSpot sends at most 100 events in one request. */
export const MAX_EVENTS_PER_REQUEST = 100;

const id = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]).transform(String);

// In HubSpot's own field casing. Unknown fields (changeSource, sourceId …) pass through untouched.
export const webhookEventSchema = z.looseObject({
  eventId: id,
  subscriptionId: id.optional(),
  portalId: id.optional(),
  occurredAt: z.number().int().nonnegative(),
  subscriptionType: z.string().min(1),
  attemptNumber: z.number().int().nonnegative().optional(),
  objectId: id,
  propertyName: z.string().optional(),
  propertyValue: z.string().optional(),
});

export const webhookBodySchema = z.array(webhookEventSchema).min(1).max(MAX_EVENTS_PER_REQUEST);

export type WebhookEvent = z.infer<typeof webhookEventSchema>;

/**
 * The key a delivery is remembered by. HubSpot documents `eventId` as not guaranteed
 * unique, so the subscription, portal and object go into the key too; a retry of the same
 * notification repeats all of them (only `attemptNumber` changes).
 */
export function deliveryKey(e: WebhookEvent): string {
  return `hubspot:${e.portalId ?? '-'}:${e.subscriptionId ?? '-'}:${e.eventId}:${e.objectId}`;
}

export type ScoreTrigger = QualificationPolicy;

export type EventDecision =
  /** May qualify: signal-with-start the handover. `score` null when the event does not carry it. */
  | { kind: 'signal'; hubspotId: string; score: number | null; at: number }
  /** Creation without a score in the payload: look the score up, then decide. */
  | { kind: 'lookup'; hubspotId: string; at: number }
  | { kind: 'below_threshold' }
  | { kind: 'ignored' };

/**
 * Whether a score alone lets a contact through the policy's score criterion. Only the score
 * is judged here; the workflow's qualify step checks every condition against the contact.
 */
export function scoreMayQualify(policy: ScoreTrigger, value: string | null): boolean {
  const { score, domain_lists } = policy.qualification;
  const onlyScore = { qualification: { score, conditions: [], domain_lists } };
  return qualifies(onlyScore, { [score.property]: value }).qualified;
}

export function decideEvent(policy: ScoreTrigger, e: WebhookEvent): EventDecision {
  const scoreProperty = policy.qualification.score.property;
  if (e.subscriptionType === 'contact.propertyChange' && e.propertyName === scoreProperty) {
    // No value in the payload means unknown (let the workflow read it); "" means cleared.
    if (e.propertyValue === undefined) return { kind: 'signal', hubspotId: e.objectId, score: null, at: e.occurredAt };
    if (!scoreMayQualify(policy, e.propertyValue)) return { kind: 'below_threshold' };
    return { kind: 'signal', hubspotId: e.objectId, score: scoreValue(e.propertyValue), at: e.occurredAt };
  }
  if (e.subscriptionType === 'contact.creation') return { kind: 'lookup', hubspotId: e.objectId, at: e.occurredAt };
  return { kind: 'ignored' };
}
