import { z } from 'zod';
import type { HandoverPolicy } from '../config/handover-file';
import { MappingError, type ObjectMapping } from '../config/mapping-file';
import { describeSaveErrors, type SaveResult } from '../crm/salesforce/records';
import { CREATION_CLAIM_TTL_MS, type Store } from '../store';
import { stopCampaigns } from './campaigns';
import type { HandoverCrm } from './crm';
import {
  dossierReads,
  dossierSubject,
  dossierText,
  escalationSubject,
  isBatonTask,
  LIFECYCLE_STAGE,
  newLeadValues,
} from './dossier';
import { HandoverError } from './errors';
import { queueIdOf, repsByEmail, resolveOwner } from './owners';
import { previousHandoverOf, qualifies, VERDICT_EVENT_TYPES } from './qualify';
import {
  assignOwner as routeLead,
  emailDomain,
  needsPresales,
  StoreRoutingLedger,
  websiteDomain,
  type RoutingLedger,
} from './routing';
import type {
  AssignOwnerInput,
  CheckFirstTouchInput,
  CheckOutcomeInput,
  EscalateInput,
  FirstTouch,
  HandoverContext,
  HandoverSteps,
  LoadHandoverContextInput,
  OutcomeCheck,
  OwnerRef,
  OwnerVia,
  RecordHandoverEventInput,
  StopCampaignsInput,
  StopCampaignsResult,
  UpsertLeadWithOwnerInput,
  WriteDossierInput,
  WriteDossierResult,
  WriteOutcomeInput,
} from './types';

/**
 * The handover's steps over the CRMs (through the HandoverCrm port) and the store. Every
 * step is idempotent: Leads are found by link or email before one is created, Baton's
 * Tasks by their subject, assignments and events by keys in the store. Problems no retry
 * fixes are HandoverErrors; CRM answers nobody planned for are CrmErrors (src/crm).
 */
export interface HandoverServiceDeps {
  crm: HandoverCrm;
  store: Store;
  mappings: (name: string) => ObjectMapping;
  /** The current `mappings/handover.yaml`; re-read per call so an edited policy takes effect. */
  handoverPolicy?: () => HandoverPolicy;
  /** Defaults to the store-backed ledger shared by every worker. */
  routingLedger?: RoutingLedger;
  /** How often workflows poll Salesforce for a first touch / a verdict (default 15 min / 1 h). */
  firstTouchPollMs?: number | null;
  outcomePollMs?: number | null;
  clock?: () => Date;
}

/** The field mapping whose Salesforce side is the Lead. */
const CONTACT_MAPPING = 'contact';
const LEAD_STATUS = 'hs_lead_status';
/** How long a custom property found in HubSpot is taken to still exist. */
const KNOWN_PROPERTY_MS = 10 * 60_000;
const DEFAULT_FIRST_TOUCH_POLL_MS = 15 * 60_000;
const DEFAULT_OUTCOME_POLL_MS = 3_600_000;
const MAX_REASON_LENGTH = 1_000;

const ownerEventSchema = z.object({
  key: z.string(),
  ownerId: z.string(),
  kind: z.enum(['user', 'queue']),
  email: z.string().nullable(),
  via: z.string(),
});

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

function refused(what: string, result: SaveResult): HandoverError {
  return new HandoverError(`${what}: ${describeSaveErrors(result).reason}`, 'InvalidLead');
}

export class HandoverService implements HandoverSteps {
  private readonly crm: HandoverCrm;
  private readonly store: Store;
  private readonly ledger: RoutingLedger;
  /**
   * Custom properties found or created, by name, with when: otherwise every handover pays
   * one more HubSpot call per property, and one deleted meanwhile is created again once its
   * entry expires.
   */
  private readonly knownProperties = new Map<string, number>();

  constructor(private readonly deps: HandoverServiceDeps) {
    this.crm = deps.crm;
    this.store = deps.store;
    this.ledger = deps.routingLedger ?? new StoreRoutingLedger(deps.store);
  }

  private now(): Date {
    return this.deps.clock ? this.deps.clock() : new Date();
  }

  private policy(): HandoverPolicy {
    if (!this.deps.handoverPolicy)
      throw new HandoverError('no handover policy is configured (mappings/handover.yaml)', 'InvalidPolicy');
    try {
      return this.deps.handoverPolicy();
    } catch (err) {
      if (err instanceof MappingError) throw new HandoverError(err.message, 'InvalidPolicy');
      throw err;
    }
  }

  private contactMapping(): ObjectMapping {
    try {
      return this.deps.mappings(CONTACT_MAPPING);
    } catch (err) {
      if (err instanceof MappingError) throw new HandoverError(err.message, 'InvalidPolicy');
      throw err;
    }
  }

  private awayField(policy: HandoverPolicy): string | undefined {
    return policy.routing.availability.away_field;
  }

  /** A custom property the policy writes must exist; a concurrent create is fine. */
  private async ensureContactProperty(name: string): Promise<void> {
    const seen = this.knownProperties.get(name);
    if (seen !== undefined && this.now().getTime() - seen < KNOWN_PROPERTY_MS) return;
    if (!(await this.crm.hubspot.hasContactProperty(name)))
      await this.crm.hubspot.createContactTextProperty(name, name.replace(/_/g, ' '));
    this.knownProperties.set(name, this.now().getTime());
  }

  /** The contact's Lead: by its link, else the oldest open Lead with its email. */
  private async linkedLeadId(hubspotId: string, email: string | null): Promise<string | null> {
    const links = await this.store.links.findByHubSpotIds(CONTACT_MAPPING, [hubspotId]);
    const link = links.find((l) => l.salesforceObject === 'Lead');
    if (link) return link.salesforceId;
    if (email === null) return null;
    return this.crm.salesforce.openLeadIdByEmail(email);
  }

  /** A Task on the Lead found by subject, or created; the subject carries a key so retries find it. */
  private async ensureTask(leadId: string, subject: string, fields: Record<string, string>): Promise<string> {
    const existing = await this.crm.salesforce.taskIdBySubject(leadId, subject);
    if (existing) return existing;
    const result = await this.crm.salesforce.createTask({ WhoId: leadId, Subject: subject, ...fields });
    if (!result.success || !result.id) throw refused(`the Task "${subject}" was refused`, result);
    return result.id;
  }

  async loadHandoverContext({ workflowId, runId, hubspotId }: LoadHandoverContextInput): Promise<HandoverContext> {
    const policy = this.policy();
    const { routing, qualification } = policy;
    const { properties } = await this.crm.hubspot.readContact(hubspotId, [
      qualification.score.property,
      ...qualification.conditions.map((c) => c.property),
      routing.fields.country,
      routing.fields.industry,
      routing.fields.employees,
      'email',
    ]);
    // A lead sales sent back recently is not handed over again yet (qualification > requalify_after).
    const last = await this.store.handoverEvents.latest([hubspotId], [...VERDICT_EVENT_TYPES]);
    const decision = qualifies(policy, properties, {
      previous: previousHandoverOf(last.get(hubspotId)),
      now: this.now(),
    });
    // The reasons can name property values: they go to the store, not into workflow history.
    await this.store.handoverEvents.append([
      {
        workflowId,
        hubspotId,
        type: 'qualification',
        data: decision,
        occurredAt: this.now(),
        eventKey: `${workflowId}:${runId}:qualification`,
      },
    ]);
    const leadId = decision.qualified
      ? await this.linkedLeadId(hubspotId, properties.email?.trim().toLowerCase() || null)
      : null;
    const { presales } = policy;
    const presalesQueue =
      decision.qualified && presales?.queue !== undefined && needsPresales(policy, properties)
        ? presales.queue
        : undefined;
    return {
      qualified: decision.qualified,
      leadId,
      presales:
        presales !== undefined && presalesQueue !== undefined
          ? {
              queueId: await queueIdOf(this.crm.salesforce, presalesQueue),
              releaseWithinMs: presales.release_within.ms,
              onTimeout: presales.on_timeout,
            }
          : null,
      sla: {
        firstTouchWithinMs: policy.sla.first_touch_within.ms,
        reassignmentsBeforeEscalation: policy.sla.reassignments_before_escalation,
        pollEveryMs:
          this.deps.firstTouchPollMs === undefined ? DEFAULT_FIRST_TOUCH_POLL_MS : this.deps.firstTouchPollMs,
      },
      outcomePollEveryMs: this.deps.outcomePollMs === undefined ? DEFAULT_OUTCOME_POLL_MS : this.deps.outcomePollMs,
    };
  }

  async writeDossier({ workflowId, hubspotId, leadId }: WriteDossierInput): Promise<WriteDossierResult> {
    const policy = this.policy();
    const mapping = this.contactMapping();
    const reads = dossierReads(policy, mapping);
    const { properties, history } = await this.crm.hubspot.readContact(hubspotId, reads.properties, reads.withHistory);
    const email = properties.email?.trim().toLowerCase() || null;
    let id = leadId ?? (await this.linkedLeadId(hubspotId, email));
    // The delta sync may be creating this contact's Lead at this moment: whoever holds the claim creates.
    const holder = `handover:${workflowId}`;
    if (id === null) {
      const claimed = await this.store.claims.claim(CONTACT_MAPPING, [hubspotId], holder, CREATION_CLAIM_TTL_MS);
      // Retryable: the next attempt finds the Lead the sync has linked by then.
      if (!claimed.has(hubspotId))
        throw new Error(
          `the delta sync is creating the Lead of HubSpot contact ${hubspotId}; the dossier waits for it`,
        );
      id = await this.linkedLeadId(hubspotId, email);
    }
    if (id === null) {
      const result = await this.crm.salesforce.createLead(newLeadValues(mapping, properties, policy.sla.new_status));
      if (!result.success || !result.id) throw refused('Salesforce refused the Lead', result);
      id = result.id;
    }
    await this.store.links.upsert([
      { mapping: CONTACT_MAPPING, hubspotId, salesforceObject: 'Lead', salesforceId: id },
    ]);
    await this.store.claims.release(CONTACT_MAPPING, [hubspotId], holder);

    const taskId = await this.ensureTask(id, dossierSubject(hubspotId), {
      Status: 'Completed',
      Description: dossierText(mapping, properties, history, reads.withHistory),
    });
    return { leadId: id, taskId };
  }

  async assignOwner({ workflowId, runId, hubspotId, attempt, exclude, toEmail }: AssignOwnerInput): Promise<OwnerRef> {
    const key = `${runId}:${attempt}`;
    // A retried attempt returns what the first one decided: the ledger has counted it already.
    const earlier = await this.store.handoverEvents.list({ hubspotId, type: 'owner_assigned' });
    for (const event of earlier) {
      const data = ownerEventSchema.safeParse(event.data);
      if (data.success && data.data.key === key)
        return {
          ownerId: data.data.ownerId,
          kind: data.data.kind,
          email: data.data.email,
          via: data.data.via as OwnerVia,
        };
    }
    const policy = this.policy();
    const awayField = this.awayField(policy);
    let owner: OwnerRef;
    let explanation: string;
    if (toEmail !== undefined) {
      owner = await resolveOwner(this.crm.salesforce, { kind: 'user', email: toEmail }, 'manual', awayField);
      explanation = `reassigned by an admin to ${toEmail}`;
    } else {
      const { routing } = policy;
      const { properties } = await this.crm.hubspot.readContact(hubspotId, [
        routing.fields.country,
        routing.fields.industry,
        routing.fields.employees,
        'email',
      ]);
      const previous = earlier
        .map((e) => ownerEventSchema.safeParse(e.data))
        .filter((d) => d.success && !d.data.key.startsWith(`${runId}:`) && d.data.email !== null)
        .at(-1);
      const previousOwner = previous?.success ? previous.data.email : null;
      const domain = emailDomain(properties.email);
      const accountOwner = domain !== null && routing.affinity.account_owner ? await this.accountOwnerOf(domain) : null;
      const reps = Object.values(routing.teams).flatMap((t) => t.reps.map((r) => r.email));
      const known = await repsByEmail(
        this.crm.salesforce,
        [...reps, ...(previousOwner ? [previousOwner] : []), ...(accountOwner ? [accountOwner.email] : [])],
        awayField,
      );
      const availability = Object.fromEntries([...known].map(([email, u]) => [email, u.status]));
      const assignment = await routeLead(
        policy,
        { properties, now: this.now(), availability, previousOwner, accountOwner, exclude },
        this.ledger,
      );
      explanation = assignment.explanation;
      const via: OwnerVia = assignment.via;
      if (assignment.owner.kind === 'user') {
        const email = assignment.owner.email;
        const user = known.get(email) ?? (await repsByEmail(this.crm.salesforce, [email], awayField)).get(email);
        if (!user) throw new HandoverError(`Salesforce has no user with the email ${email}`, 'UnknownOwner');
        owner = { ownerId: user.id, kind: 'user', email, via };
      } else {
        owner = {
          ownerId: await queueIdOf(this.crm.salesforce, assignment.owner.name),
          kind: 'queue',
          email: null,
          via,
        };
      }
    }
    await this.store.handoverEvents.append([
      {
        workflowId,
        hubspotId,
        type: 'owner_assigned',
        ownerId: owner.ownerId,
        data: { key, ...owner, explanation },
        occurredAt: this.now(),
        eventKey: `${workflowId}:${key}:owner_assigned`,
      },
    ]);
    return owner;
  }

  /** The owner of the Salesforce Account whose website has the lead's email domain. */
  private async accountOwnerOf(domain: string): Promise<{ email: string; domain: string } | null> {
    const accounts = await this.crm.salesforce.accountsWithWebsiteLike(domain);
    const ownerEmail = accounts.find((a) => websiteDomain(a.website) === domain)?.ownerEmail;
    return ownerEmail ? { email: ownerEmail.toLowerCase(), domain } : null;
  }

  async upsertLeadWithOwner({ leadId, ownerId }: UpsertLeadWithOwnerInput): Promise<{ leadId: string }> {
    const result = await this.crm.salesforce.setLeadOwner(leadId, ownerId);
    if (!result.success) throw refused(`Salesforce refused the owner of Lead ${leadId}`, result);
    return { leadId };
  }

  async stopCampaigns({ hubspotId }: StopCampaignsInput): Promise<StopCampaignsResult> {
    const { campaign_stop: stop } = this.policy();
    const { properties } = await this.crm.hubspot.readContact(hubspotId, ['email']);
    return stopCampaigns(this.crm.hubspot, stop, { id: hubspotId, email: properties.email?.trim() || null }, (name) =>
      this.ensureContactProperty(name),
    );
  }

  async checkFirstTouch({ leadId, since, ownerId }: CheckFirstTouchInput): Promise<FirstTouch> {
    const { sla } = this.policy();
    if (sla.counts_as_touch.includes('task')) {
      const tasks = await this.crm.salesforce.tasksCreatedSince(leadId, since);
      const touch = tasks.find((t) => !isBatonTask(t.subject));
      if (touch) return { touched: true, at: touch.createdAt || this.now().getTime(), source: 'task' };
    }
    if (sla.counts_as_touch.includes('status_change')) {
      const lead = await this.crm.salesforce.readLead(leadId, ['Status', 'OwnerId']);
      // A status other than "new", set while this owner has the lead, is them working it.
      if (lead && lead.Status !== null && !same(lead.Status ?? '', sla.new_status) && lead.OwnerId === ownerId)
        return { touched: true, at: this.now().getTime(), source: 'status_change' };
    }
    return { touched: false, at: null, source: null };
  }

  async checkOutcome({ leadId }: CheckOutcomeInput): Promise<OutcomeCheck> {
    const { feedback } = this.policy();
    const reasonField = feedback.reason_field;
    const lead = await this.crm.salesforce.readLead(leadId, ['Status', ...(reasonField ? [reasonField] : [])]);
    const status = lead?.Status ?? null;
    if (status === null) return { outcome: null, reason: null };
    const outcome =
      (['accepted', 'rejected', 'recycled'] as const).find((o) => feedback.statuses[o].some((s) => same(s, status))) ??
      null;
    const reason = outcome !== null && reasonField ? lead?.[reasonField]?.trim() || null : null;
    return { outcome, reason: reason === null ? null : reason.slice(0, MAX_REASON_LENGTH) };
  }

  async escalate({ leadId, breaches, why }: EscalateInput): Promise<OwnerRef> {
    const policy = this.policy();
    const { sla } = policy;
    if (!sla.escalate_to)
      throw new HandoverError('sla > escalate_to is missing in the handover policy', 'InvalidPolicy');
    const owner = await resolveOwner(this.crm.salesforce, sla.escalate_to, 'escalation', this.awayField(policy));
    await this.ensureTask(leadId, escalationSubject(why, breaches), {
      Status: 'Not Started',
      ...(owner.kind === 'user' ? { OwnerId: owner.ownerId } : {}),
    });
    return owner;
  }

  async writeOutcomeToHubSpot({ hubspotId, outcome, reason }: WriteOutcomeInput): Promise<void> {
    const policy = this.policy();
    const { hubspot: writeBack } = policy.feedback;
    const wb = writeBack[outcome] ?? writeBack.rejected;
    const properties: Record<string, string> = {};
    if (wb.lead_status) properties[LEAD_STATUS] = wb.lead_status;
    if (reason !== null && writeBack.reason_property) {
      await this.ensureContactProperty(writeBack.reason_property);
      properties[writeBack.reason_property] = reason;
    }
    // Back to marketing: the suppression ends ("" clears a HubSpot property).
    if (outcome !== 'accepted' && policy.campaign_stop.suppression)
      properties[policy.campaign_stop.suppression.property] = '';
    if (wb.lifecycle_stage && outcome !== 'accepted') {
      // HubSpot moves a lifecycle stage only forward unless it is cleared first.
      await this.crm.hubspot.updateContact(hubspotId, { [LIFECYCLE_STAGE]: '' });
    }
    if (wb.lifecycle_stage) properties[LIFECYCLE_STAGE] = wb.lifecycle_stage;
    if (Object.keys(properties).length > 0) await this.crm.hubspot.updateContact(hubspotId, properties);
    if (wb.nurture_list) {
      const listId = /^\d+$/.test(wb.nurture_list)
        ? wb.nurture_list
        : await this.crm.hubspot.listIdByName(wb.nurture_list);
      if (listId === null)
        throw new HandoverError(
          `HubSpot has no contact list named "${wb.nurture_list}" (feedback > hubspot > ${outcome} > nurture_list)`,
          'InvalidPolicy',
        );
      await this.crm.hubspot.addToList(listId, hubspotId);
    }
  }

  async recordHandoverEvent({
    workflowId,
    hubspotId,
    type,
    ownerId,
    at,
    eventKey,
    data,
  }: RecordHandoverEventInput): Promise<void> {
    await this.store.handoverEvents.append([
      { workflowId, hubspotId, type, ownerId, data: data ?? null, occurredAt: new Date(at), eventKey },
    ]);
  }
}
