import type { Client as HubSpotClient } from '@hubspot/api-client';
import { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/contacts';
import { Context } from '@temporalio/activity';
import type { Client as TemporalClient } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { HandoverPolicy } from '../src/config/handover-file';
import { MappingError } from '../src/config/mapping-file';
import {
  HubSpotContacts,
  modifiedAt,
  readContactsByIds,
  type ContactSearch,
  type HubSpotContact,
} from '../src/crm/hubspot/contacts';
import type { HubSpotCursor } from '../src/crm/hubspot/cursor';
import { readChangedContacts } from '../src/crm/hubspot/delta-cursor';
import { mapLimit } from '../src/crm/side';
import { previousHandoverOf, qualifies, VERDICT_EVENT_TYPES } from '../src/handover/qualify';
import type { Store } from '../src/store';
import { withActivityFailures } from './failures';
import { scoreValue, startHandoverUnlessRunning } from '../workflows/lead-handover/api';
import { ZERO_SWEEP_COUNTS, type SweepCounts, type SweepPageInput, type SweepPageResult } from '../src/handover/types';

/**
 * The qualification sweep: leads whose score crossed the threshold without a webhook (a
 * missed delivery, a bulk import, a workflow that set the score) are found by the delta
 * sync and handed over with trigger 'sync'. It searches only contacts at or above the
 * threshold that changed since its own cursor, so a contact whose score is too low costs
 * nothing, and it starts a handover only when none is running.
 */

/** The field mapping whose contacts the handover hands over; other mappings' syncs do not sweep. */
export const SWEEP_MAPPING = 'contact';
/** The sweep's read position in the `cursors` table, apart from the sync's own. */
export const SWEEP_CURSOR = 'handover-sweep:hubspot';
/** Contacts the sweep could not evaluate are kept in `sync_errors` under this name. */
export const SWEEP_ERRORS = 'handover-sweep';

/** Temporal calls in flight at once while starting handovers. */
const IN_FLIGHT = 8;

export interface HandoverSweepDeps {
  hubspot: HubSpotClient;
  store: Store;
  /** The current handover policy; without one the sweep does nothing. */
  handoverPolicy?: () => HandoverPolicy;
  clock?: () => Date;
  /** Defaults to the worker's client and task queue (the activity context). */
  temporal?: () => { client: TemporalClient; taskQueue: string };
  heartbeat?: () => void;
}

/**
 * The sync's window search with the score threshold as one more filter, so the sweep
 * reads changed contacts exactly as the delta sync does (src/crm/hubspot/delta-cursor.ts:
 * a fixed window paged by id, never near the 10,000-result cap). GTE on a number property
 * compares numerically; a blank score never matches.
 */
function scoredContactSearch(client: HubSpotClient, score: { property: string; at_least: number }): ContactSearch {
  return new HubSpotContacts(client, [
    { propertyName: score.property, operator: FilterOperatorEnum.Gte, value: String(score.at_least) },
  ]);
}

/** Every property the qualification criteria read. */
function criteriaProperties(policy: HandoverPolicy): string[] {
  return [...new Set([policy.qualification.score.property, ...policy.qualification.conditions.map((c) => c.property)])];
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

export function createHandoverSweepActivities(deps: HandoverSweepDeps) {
  const now = () => (deps.clock ? deps.clock() : new Date());
  const temporal =
    deps.temporal ?? (() => ({ client: Context.current().client, taskQueue: Context.current().info.taskQueue }));
  const heartbeat = deps.heartbeat ?? (() => Context.current().heartbeat());

  const policyOf = (): HandoverPolicy | null => {
    if (!deps.handoverPolicy) return null;
    try {
      return deps.handoverPolicy();
    } catch (err) {
      if (err instanceof MappingError) throw ApplicationFailure.nonRetryable(err.message, 'InvalidPolicy');
      throw err;
    }
  };

  /**
   * Judges contacts read in this call and starts the qualified ones' handovers. A contact
   * whose evaluation throws is recorded and skipped; a Temporal error fails the call, and
   * its retry skips the handovers it started already (they are running).
   */
  async function handOver(
    policy: HandoverPolicy,
    contacts: HubSpotContact[],
  ): Promise<{ counts: SweepCounts; evaluated: string[] }> {
    const counts: SweepCounts = { ...ZERO_SWEEP_COUNTS, read: contacts.length };
    const failures: { id: string; reason: string }[] = [];
    const evaluated: string[] = [];
    // Criteria first, from the search's own values: no call for a contact that fails them.
    const candidates: HubSpotContact[] = [];
    for (const contact of contacts) {
      try {
        if (qualifies(policy, contact.properties).qualified) candidates.push(contact);
        else {
          counts.notQualified += 1;
          evaluated.push(contact.id);
        }
      } catch (err) {
        failures.push({
          id: contact.id,
          reason: `the qualification criteria could not be evaluated: ${describe(err)}`,
        });
      }
    }
    const verdicts = await deps.store.handoverEvents.latest(
      candidates.map((c) => c.id),
      [...VERDICT_EVENT_TYPES],
    );
    const at = now();
    const toStart: HubSpotContact[] = [];
    for (const contact of candidates) {
      try {
        if (
          qualifies(policy, contact.properties, { previous: previousHandoverOf(verdicts.get(contact.id)), now: at })
            .qualified
        )
          toStart.push(contact);
        else {
          counts.coolingDown += 1;
          evaluated.push(contact.id);
        }
      } catch (err) {
        failures.push({
          id: contact.id,
          reason: `the qualification criteria could not be evaluated: ${describe(err)}`,
        });
      }
    }
    counts.qualified = toStart.length;
    const { client, taskQueue } = temporal();
    const property = policy.qualification.score.property;
    const outcomes = await mapLimit(toStart, IN_FLIGHT, async (contact) => {
      const change = { score: scoreValue(contact.properties[property]), at: modifiedAt(contact) };
      const outcome = await startHandoverUnlessRunning(client, taskQueue, contact.id, change, 'sync');
      heartbeat();
      return outcome;
    });
    for (const outcome of outcomes) counts[outcome] += 1;
    evaluated.push(...toStart.map((c) => c.id));
    counts.failed = failures.length;
    await deps.store.syncErrors.record(
      failures.map((f) => ({
        mapping: SWEEP_ERRORS,
        direction: 'to_salesforce',
        sourceId: f.id,
        reason: f.reason,
        errorCode: 'EVALUATION_FAILED',
      })),
    );
    return { counts, evaluated };
  }

  return {
    /**
     * Where the sweep stands; null when there is nothing to sweep: another mapping, no
     * handover policy, or the first run, which only sets the cursor. Leads that qualified
     * before Baton ran are not handed over in one burst; their next change brings them in.
     */
    async readSweepPosition(input: { mapping: string; until: number }): Promise<HubSpotCursor | null> {
      if (input.mapping !== SWEEP_MAPPING || policyOf() === null) return null;
      const stored = await deps.store.cursors.get<HubSpotCursor>(SWEEP_CURSOR);
      if (stored !== null) return stored;
      await deps.store.cursors.set(SWEEP_CURSOR, { mode: 'after', ts: input.until } satisfies HubSpotCursor);
      return null;
    },

    /** One page of changed contacts at or above the threshold; the cursor moves past what was judged or recorded. */
    sweepQualifiedLeads: withActivityFailures(async (input: SweepPageInput): Promise<SweepPageResult> => {
      const policy = policyOf();
      if (policy === null) return { cursor: input.cursor, done: true, counts: { ...ZERO_SWEEP_COUNTS } };
      const search = scoredContactSearch(deps.hubspot, policy.qualification.score);
      const page = await readChangedContacts(search, criteriaProperties(policy), input.cursor, input.until);
      heartbeat();
      const { counts, evaluated } = await handOver(policy, page.records);
      // A contact that failed before and now went through needs no retry.
      await deps.store.syncErrors.resolve(SWEEP_ERRORS, 'to_salesforce', evaluated);
      await deps.store.cursors.set(SWEEP_CURSOR, page.next);
      return { cursor: page.next, done: page.done, counts };
    }),

    /** Contacts the sweep could not evaluate before, whose backoff is over: read by id and judged again. */
    retrySweepErrors: withActivityFailures(async (input: { limit?: number } = {}): Promise<SweepCounts> => {
      const policy = policyOf();
      if (policy === null) return { ...ZERO_SWEEP_COUNTS };
      const due = await deps.store.syncErrors.due(SWEEP_ERRORS, 'to_salesforce', now(), input.limit ?? 200);
      if (due.length === 0) return { ...ZERO_SWEEP_COUNTS };
      const ids = due.map((e) => e.sourceId);
      const contacts = await readContactsByIds(deps.hubspot, ids, criteriaProperties(policy));
      const found = new Set(contacts.map((c) => c.id));
      const { counts, evaluated } = await handOver(policy, contacts);
      // Deleted contacts have nothing left to hand over.
      await deps.store.syncErrors.resolve(SWEEP_ERRORS, 'to_salesforce', [
        ...evaluated,
        ...ids.filter((id) => !found.has(id)),
      ]);
      return counts;
    }),
  };
}
