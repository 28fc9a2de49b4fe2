import type { Client as HubSpotClient } from '@hubspot/api-client';
import { ApplicationFailure } from '@temporalio/common';
import type { Connection } from 'jsforce';
import { z } from 'zod';
import { CAMPAIGN_SCOPE_ALL, type HandoverPolicy, type OwnerTarget } from '../src/config/handover-file';
import { MappingError, type ObjectMapping } from '../src/config/mapping-file';
import { describeSaveErrors, SalesforceRecords } from '../src/crm/salesforce/records';
import { soqlName, soqlString } from '../src/crm/salesforce/soql';
import { hubspotPropertiesOf, toSalesforceValues, type Values } from '../src/mapping/transform';
import {
  assignOwner as routeLead,
  emailDomain,
  needsPresales,
  StoreRoutingLedger,
  websiteDomain,
  type RepStatus,
  type RoutingLedger,
} from '../src/handover/routing';
import { previousHandoverOf, qualifies, VERDICT_EVENT_TYPES } from '../src/handover/qualify';
import { CREATION_CLAIM_TTL_MS, type Store } from '../src/store';
import type { OwnerVia } from '../workflows/lead-handover/api';
import type { HandoverActivities, OwnerRef } from './handover-types';

/**
 * The handover's side effects, over injected clients (src/worker.ts builds the real ones).
 * Every activity is idempotent: Leads are found by link or email before one is created,
 * Baton's Tasks by their subject, assignments and events by keys in the store.
 */
export interface HandoverDeps {
  hubspot: HubSpotClient;
  salesforce: Connection;
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
/** Baton's own Tasks start with this, so they never count as a rep's first touch. */
const TASK_PREFIX = '[Baton]';
const CONVERSION_PROPERTIES = [
  'recent_conversion_event_name',
  'recent_conversion_date',
  'first_conversion_event_name',
  'num_conversion_events',
];
const LIFECYCLE = 'lifecyclestage';
const LEAD_STATUS = 'hs_lead_status';
const KNOWN_PROPERTY_MS = 10 * 60_000;

const listMembershipsSchema = z.object({
  results: z.array(z.object({ listId: z.union([z.string(), z.number()]).transform(String) })).default([]),
});
const listsSchema = z.object({
  lists: z
    .array(
      z.object({
        listId: z.union([z.string(), z.number()]).transform(String),
        name: z.string(),
        processingType: z.string().optional(),
      }),
    )
    .default([]),
});
const listByNameSchema = z.object({ list: z.object({ listId: z.union([z.string(), z.number()]).transform(String) }) });
const enrollmentsSchema = z.array(
  z.object({ id: z.union([z.string(), z.number()]).transform(String), name: z.string().optional() }),
);
const ownerEventSchema = z.object({
  key: z.string(),
  ownerId: z.string(),
  kind: z.enum(['user', 'queue']),
  email: z.string().nullable(),
  via: z.string(),
});

function nonRetryable(message: string, type: 'InvalidPolicy' | 'InvalidLead' | 'UnknownOwner'): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, type);
}

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
const soqlDateTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function createHandoverActivities(deps: HandoverDeps): HandoverActivities {
  const now = () => (deps.clock ? deps.clock() : new Date());
  const leads = new SalesforceRecords(deps.salesforce, 'Lead');
  const users = new SalesforceRecords(deps.salesforce, 'User');
  const groups = new SalesforceRecords(deps.salesforce, 'Group');
  const tasks = new SalesforceRecords(deps.salesforce, 'Task');
  const accounts = new SalesforceRecords(deps.salesforce, 'Account');
  const ledger = deps.routingLedger ?? new StoreRoutingLedger(deps.store);

  const policyOf = (): HandoverPolicy => {
    if (!deps.handoverPolicy)
      throw nonRetryable('no handover policy is configured (mappings/handover.yaml)', 'InvalidPolicy');
    try {
      return deps.handoverPolicy();
    } catch (err) {
      if (err instanceof MappingError) throw nonRetryable(err.message, 'InvalidPolicy');
      throw err;
    }
  };
  const mappingOf = (): ObjectMapping => {
    try {
      return deps.mappings(CONTACT_MAPPING);
    } catch (err) {
      if (err instanceof MappingError) throw nonRetryable(err.message, 'InvalidPolicy');
      throw err;
    }
  };

  async function readContact(hubspotId: string, properties: string[], withHistory: string[] = []) {
    // https://developers.hubspot.com/docs/api/crm/contacts (GET /crm/v3/objects/contacts/{id})
    const contact = await deps.hubspot.crm.contacts.basicApi.getById(
      hubspotId,
      [...new Set(properties)],
      withHistory.length > 0 ? withHistory : undefined,
    );
    return { properties: contact.properties as Values, history: contact.propertiesWithHistory ?? {} };
  }

  /** `client.apiRequest` never throws on a status: it is checked here. */
  async function hubspotRequest(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: unknown }> {
    const res = await deps.hubspot.apiRequest({ method, path, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text === '' ? null : JSON.parse(text);
    } catch {
      json = text;
    }
    if (res.status === 429 || res.status >= 500) throw new Error(`HubSpot ${method} ${path} answered ${res.status}`);
    return { status: res.status, json };
  }

  /**
   * Custom properties the policy writes must exist; created once, a concurrent create (409) is
   * fine. A property found is remembered for a while: otherwise every handover pays one more
   * HubSpot call for it, and one deleted meanwhile is created again once the entry expires.
   */
  const knownProperties = new Map<string, number>();
  async function ensureContactProperty(name: string): Promise<void> {
    const seen = knownProperties.get(name);
    if (seen !== undefined && now().getTime() - seen < KNOWN_PROPERTY_MS) return;
    const found = await hubspotRequest('GET', `/crm/v3/properties/contacts/${encodeURIComponent(name)}`);
    if (found.status !== 200) {
      const created = await hubspotRequest('POST', '/crm/v3/properties/contacts', {
        name,
        label: name.replace(/_/g, ' '),
        type: 'string',
        fieldType: 'text',
        groupName: 'contactinformation',
      });
      if (created.status !== 201 && created.status !== 200 && created.status !== 409)
        throw new Error(`creating HubSpot property ${name} failed with ${created.status}`);
    }
    knownProperties.set(name, now().getTime());
  }

  async function linkedLeadId(hubspotId: string, email: string | null): Promise<string | null> {
    const links = await deps.store.findLinksByHubSpotIds(CONTACT_MAPPING, [hubspotId]);
    const link = links.find((l) => l.salesforceObject === 'Lead');
    if (link) return link.salesforceId;
    if (email === null) return null;
    const found = await leads.query(
      `SELECT Id FROM Lead WHERE Email = ${soqlString(email)} AND IsConverted = false ORDER BY CreatedDate ASC LIMIT 1`,
    );
    return found[0]?.id ?? null;
  }

  async function usersByEmail(emails: string[]): Promise<Map<string, { id: string; status: RepStatus }>> {
    const out = new Map<string, { id: string; status: RepStatus }>();
    const unique = [...new Set(emails.map((e) => e.trim().toLowerCase()))];
    if (unique.length === 0) return out;
    const away = policyOf().routing.availability.away_field;
    const rows = await users.findBy('Email', unique, ['Email', 'IsActive', ...(away ? [away] : [])]);
    for (const row of rows) {
      const email = row.values.Email?.toLowerCase();
      if (!email) continue;
      const status: RepStatus =
        row.values.IsActive !== 'true' ? 'inactive' : away && row.values[away] === 'true' ? 'away' : 'available';
      // Prefer an active user when two share an address.
      if (!out.has(email) || status === 'available') out.set(email, { id: row.id, status });
    }
    return out;
  }

  async function queueId(name: string): Promise<string> {
    const rows = await groups.query(`SELECT Id FROM Group WHERE Type = 'Queue' AND Name = ${soqlString(name)} LIMIT 1`);
    const id = rows[0]?.id;
    if (!id) throw nonRetryable(`Salesforce has no queue named "${name}"`, 'UnknownOwner');
    return id;
  }

  async function resolveTarget(target: OwnerTarget, via: OwnerVia): Promise<OwnerRef> {
    if (target.kind === 'queue') return { ownerId: await queueId(target.name), kind: 'queue', email: null, via };
    const user = (await usersByEmail([target.email])).get(target.email.toLowerCase());
    if (!user) throw nonRetryable(`Salesforce has no user with the email ${target.email}`, 'UnknownOwner');
    return { ownerId: user.id, kind: 'user', email: target.email.toLowerCase(), via };
  }

  /** A Task on the Lead found by subject, or created; the subject carries a key so retries find it. */
  async function ensureTask(leadId: string, subject: string, fields: Values): Promise<string> {
    const existing = await tasks.query(
      `SELECT Id FROM Task WHERE WhoId = ${soqlString(leadId)} AND Subject = ${soqlString(subject)} LIMIT 1`,
    );
    if (existing[0]) return existing[0].id;
    const [result] = await tasks.createMany([{ WhoId: leadId, Subject: subject, ...fields }]);
    if (!result?.success || !result.id)
      throw nonRetryable(
        `the Task "${subject}" was refused: ${result ? describeSaveErrors(result).reason : 'no result'}`,
        'InvalidLead',
      );
    return result.id;
  }

  return {
    async loadHandoverContext({ workflowId, runId, hubspotId }) {
      const policy = policyOf();
      const { routing, qualification } = policy;
      const wanted = [
        qualification.score.property,
        ...qualification.conditions.map((c) => c.property),
        routing.fields.country,
        routing.fields.industry,
        routing.fields.employees,
        'email',
      ];
      const { properties } = await readContact(hubspotId, wanted);
      // A lead sales sent back recently is not handed over again yet (qualification > requalify_after).
      const last = await deps.store.lastHandoverEvents([hubspotId], [...VERDICT_EVENT_TYPES]);
      const decision = qualifies(policy, properties, { previous: previousHandoverOf(last.get(hubspotId)), now: now() });
      // The reasons can name property values: they go to the store, not into workflow history.
      await deps.store.appendHandoverEvents([
        {
          workflowId,
          hubspotId,
          type: 'qualification',
          data: decision,
          occurredAt: now(),
          eventKey: `${workflowId}:${runId}:qualification`,
        },
      ]);
      const presales = policy.presales;
      const withPresales =
        decision.qualified &&
        presales !== undefined &&
        presales.queue !== undefined &&
        needsPresales(policy, properties);
      return {
        qualified: decision.qualified,
        leadId: decision.qualified
          ? await linkedLeadId(hubspotId, properties.email?.trim().toLowerCase() || null)
          : null,
        presales:
          withPresales && presales?.queue !== undefined
            ? {
                queueId: await queueId(presales.queue),
                releaseWithinMs: presales.release_within.ms,
                onTimeout: presales.on_timeout,
              }
            : null,
        sla: {
          firstTouchWithinMs: policy.sla.first_touch_within.ms,
          reassignmentsBeforeEscalation: policy.sla.reassignments_before_escalation,
          pollEveryMs: deps.firstTouchPollMs === undefined ? 15 * 60_000 : deps.firstTouchPollMs,
        },
        outcomePollEveryMs: deps.outcomePollMs === undefined ? 3_600_000 : deps.outcomePollMs,
      };
    },

    async writeDossier({ workflowId, hubspotId, leadId }) {
      const policy = policyOf();
      const mapping = mappingOf();
      const historyOf = [policy.qualification.score.property, LIFECYCLE];
      const { properties, history } = await readContact(
        hubspotId,
        [
          ...hubspotPropertiesOf(mapping),
          ...historyOf,
          ...CONVERSION_PROPERTIES,
          'email',
          'firstname',
          'lastname',
          'company',
        ],
        historyOf,
      );
      const email = properties.email?.trim().toLowerCase() || null;
      let id = leadId ?? (await linkedLeadId(hubspotId, email));
      // The delta sync may be creating this contact's Lead at this moment: whoever holds the claim creates.
      const holder = `handover:${workflowId}`;
      if (id === null) {
        const claimed = await deps.store.claimCreations(CONTACT_MAPPING, [hubspotId], holder, CREATION_CLAIM_TTL_MS);
        // Retryable: the next attempt finds the Lead the sync has linked by then.
        if (!claimed.has(hubspotId))
          throw new Error(
            `the delta sync is creating the Lead of HubSpot contact ${hubspotId}; the dossier waits for it`,
          );
        id = await linkedLeadId(hubspotId, email);
      }
      if (id === null) {
        const values: Values = { ...toSalesforceValues(mapping, properties), Status: policy.sla.new_status };
        // LastName and Company are required on a Lead; HubSpot often lacks them on MQLs.
        if (!values.LastName) values.LastName = properties.lastname?.trim() || '[not provided]';
        if (!values.Company) values.Company = properties.company?.trim() || '[not provided]';
        const [result] = await leads.createMany([values]);
        if (!result?.success || !result.id)
          throw nonRetryable(
            `Salesforce refused the Lead: ${result ? describeSaveErrors(result).reason : 'no result'}`,
            'InvalidLead',
          );
        id = result.id;
      }
      await deps.store.upsertLinks([
        { mapping: CONTACT_MAPPING, hubspotId, salesforceObject: 'Lead', salesforceId: id },
      ]);
      await deps.store.releaseCreations(CONTACT_MAPPING, [hubspotId], holder);

      const lines = ['Handover dossier from marketing (Baton)', '', 'Fields:'];
      for (const field of mapping.fields) lines.push(`  ${field.salesforce}: ${properties[field.hubspot] ?? ''}`);
      for (const name of historyOf) {
        const changes = (history[name] ?? [])
          .slice(0, 20)
          .map((h) => `${h.timestamp instanceof Date ? h.timestamp.toISOString() : String(h.timestamp)} ${h.value}`);
        lines.push(
          '',
          `${name} history (newest first):`,
          ...(changes.length > 0 ? changes.map((c) => `  ${c}`) : ['  none']),
        );
      }
      lines.push('', 'Recent conversions:', ...CONVERSION_PROPERTIES.map((p) => `  ${p}: ${properties[p] ?? ''}`));
      const taskId = await ensureTask(id, `${TASK_PREFIX} Handover dossier (HubSpot ${hubspotId})`, {
        Status: 'Completed',
        Description: lines.join('\n').slice(0, 32_000),
      });
      return { leadId: id, taskId };
    },

    async assignOwner({ workflowId, runId, hubspotId, attempt, exclude, toEmail }) {
      const key = `${runId}:${attempt}`;
      // A retried attempt returns what the first one decided: the ledger has counted it already.
      const earlier = await deps.store.listHandoverEvents({ hubspotId, type: 'owner_assigned' });
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
      const policy = policyOf();
      let owner: OwnerRef;
      let explanation: string;
      if (toEmail !== undefined) {
        owner = await resolveTarget({ kind: 'user', email: toEmail }, 'manual');
        explanation = `reassigned by an admin to ${toEmail}`;
      } else {
        const { routing } = policy;
        const { properties } = await readContact(hubspotId, [
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
        let accountOwner: { email: string; domain: string } | null = null;
        const domain = emailDomain(properties.email);
        if (domain !== null && routing.affinity.account_owner) {
          const rows = await accounts.query(
            `SELECT Id, Website, Owner.Email FROM Account WHERE Website LIKE ${soqlString(`%${domain.replace(/[%_]/g, '')}%`)} LIMIT 20`,
          );
          const match = rows.find((r) => websiteDomain(r.values.Website) === domain);
          const ownerEmail =
            match?.values['Owner.Email'] ??
            (match?.values.Owner
              ? z.object({ Email: z.string() }).safeParse(JSON.parse(match.values.Owner)).data?.Email
              : undefined);
          if (ownerEmail) accountOwner = { email: ownerEmail.toLowerCase(), domain };
        }
        const reps = Object.values(routing.teams).flatMap((t) => t.reps.map((r) => r.email));
        const known = await usersByEmail([
          ...reps,
          ...(previousOwner ? [previousOwner] : []),
          ...(accountOwner ? [accountOwner.email] : []),
        ]);
        const availability = Object.fromEntries([...known].map(([email, u]) => [email, u.status]));
        const assignment = await routeLead(
          policy,
          { properties, now: now(), availability, previousOwner, accountOwner, exclude },
          ledger,
        );
        explanation = assignment.explanation;
        const via: OwnerVia = assignment.via;
        if (assignment.owner.kind === 'user') {
          const user =
            known.get(assignment.owner.email) ??
            (await usersByEmail([assignment.owner.email])).get(assignment.owner.email);
          if (!user)
            throw nonRetryable(`Salesforce has no user with the email ${assignment.owner.email}`, 'UnknownOwner');
          owner = { ownerId: user.id, kind: 'user', email: assignment.owner.email, via };
        } else {
          owner = { ownerId: await queueId(assignment.owner.name), kind: 'queue', email: null, via };
        }
      }
      await deps.store.appendHandoverEvents([
        {
          workflowId,
          hubspotId,
          type: 'owner_assigned',
          ownerId: owner.ownerId,
          data: { key, ...owner, explanation },
          occurredAt: now(),
          eventKey: `${workflowId}:${key}:owner_assigned`,
        },
      ]);
      return owner;
    },

    async upsertLeadWithOwner({ leadId, ownerId }) {
      // SalesforceRecords sends Sforce-Auto-Assign: FALSE, so assignment rules never override Baton.
      const [result] = await leads.updateMany([{ Id: leadId, OwnerId: ownerId }]);
      if (!result?.success)
        throw nonRetryable(
          `Salesforce refused the owner of Lead ${leadId}: ${result ? describeSaveErrors(result).reason : 'no result'}`,
          'InvalidLead',
        );
      return { leadId };
    },

    async stopCampaigns({ hubspotId }) {
      const { campaign_stop: stop } = policyOf();
      const { properties } = await readContact(hubspotId, ['email']);
      const email = properties.email?.trim() || null;
      const inScope = (id: string, name: string | undefined, scope: typeof stop.lists, keep: string[]) =>
        !keep.some((k) => k === id || (name !== undefined && same(k, name))) &&
        (scope === CAMPAIGN_SCOPE_ALL || scope.some((k) => k === id || (name !== undefined && same(k, name))));

      // Lists and workflows are independent, and so is each removal: they go out together,
      // so the lead leaves marketing in a few round trips however many campaigns it is in.
      // Lists: https://developers.hubspot.com/docs/api/crm/lists (memberships of one record, then remove)
      const leaveLists = async (): Promise<number> => {
        const memberships = await hubspotRequest(
          'GET',
          `/crm/v3/lists/records/0-1/${encodeURIComponent(hubspotId)}/memberships`,
        );
        const listIds =
          memberships.status === 200 ? listMembershipsSchema.parse(memberships.json).results.map((r) => r.listId) : [];
        if (listIds.length === 0) return 0;
        const described = await hubspotRequest(
          'GET',
          `/crm/v3/lists/?${listIds.map((id) => `listIds=${encodeURIComponent(id)}`).join('&')}`,
        );
        const lists = described.status === 200 ? listsSchema.parse(described.json).lists : [];
        // Active (DYNAMIC) lists cannot be left by API; the suppression property covers them.
        const leaving = lists.filter(
          (list) => list.processingType !== 'DYNAMIC' && inScope(list.listId, list.name, stop.lists, stop.keep_lists),
        );
        await Promise.all(
          leaving.map(async (list) => {
            const removed = await hubspotRequest(
              'PUT',
              `/crm/v3/lists/${encodeURIComponent(list.listId)}/memberships/remove`,
              [hubspotId],
            );
            if (removed.status !== 200)
              throw new Error(`removing contact ${hubspotId} from list ${list.listId} answered ${removed.status}`);
          }),
        );
        return leaving.length;
      };

      // Legacy workflows: https://legacydocs.hubspot.com/docs/methods/workflows/unenroll_contact
      const leaveWorkflows = async (): Promise<number> => {
        if (email === null) return 0;
        const enrolled = await hubspotRequest(
          'GET',
          `/automation/v2/workflows/enrollments/contacts/${encodeURIComponent(hubspotId)}`,
        );
        const workflows = enrolled.status === 200 ? enrollmentsSchema.parse(enrolled.json) : [];
        const left = await Promise.all(
          workflows
            .filter((wf) => inScope(wf.id, wf.name, stop.workflows, stop.keep_workflows))
            .map(async (wf) => {
              const res = await hubspotRequest(
                'DELETE',
                `/automation/v2/workflows/${encodeURIComponent(wf.id)}/enrollments/contacts/${encodeURIComponent(email)}`,
              );
              // 404: no longer enrolled (a retry, or HubSpot finished it meanwhile).
              if (res.status !== 204 && res.status !== 200 && res.status !== 404)
                throw new Error(`unenrolling contact ${hubspotId} from workflow ${wf.id} answered ${res.status}`);
              return res.status !== 404;
            }),
        );
        return left.filter(Boolean).length;
      };

      // Sequences and active lists have no API to leave: a property their filters react to.
      const suppress = async (): Promise<boolean> => {
        if (!stop.suppression) return false;
        await ensureContactProperty(stop.suppression.property);
        await deps.hubspot.crm.contacts.basicApi.update(hubspotId, {
          properties: { [stop.suppression.property]: stop.suppression.value },
        });
        return true;
      };
      const [listsLeft, workflowsLeft, suppressed] = await Promise.all([leaveLists(), leaveWorkflows(), suppress()]);
      return { listsLeft, workflowsLeft, suppressed };
    },

    async checkFirstTouch({ leadId, since, ownerId }) {
      const { sla } = policyOf();
      if (sla.counts_as_touch.includes('task')) {
        const rows = await tasks.query(
          `SELECT Id, Subject, CreatedDate FROM Task WHERE WhoId = ${soqlString(leadId)} AND CreatedDate >= ${soqlDateTime(since)} ORDER BY CreatedDate ASC LIMIT 20`,
        );
        const touch = rows.find((r) => !(r.values.Subject ?? '').startsWith(TASK_PREFIX));
        if (touch)
          return { touched: true, at: Date.parse(touch.values.CreatedDate ?? '') || now().getTime(), source: 'task' };
      }
      if (sla.counts_as_touch.includes('status_change')) {
        const [lead] = await leads.retrieve([leadId], ['Status', 'OwnerId']);
        if (
          lead &&
          lead.values.Status !== null &&
          !same(lead.values.Status ?? '', sla.new_status) &&
          lead.values.OwnerId === ownerId
        ) {
          return { touched: true, at: now().getTime(), source: 'status_change' };
        }
      }
      return { touched: false, at: null, source: null };
    },

    async checkOutcome({ leadId }) {
      const { feedback } = policyOf();
      const reasonField = feedback.reason_field;
      const [lead] = await leads.retrieve([leadId], ['Status', ...(reasonField ? [soqlName(reasonField)] : [])]);
      const status = lead?.values.Status ?? null;
      if (status === null) return { outcome: null, reason: null };
      const outcome =
        (['accepted', 'rejected', 'recycled'] as const).find((o) =>
          feedback.statuses[o].some((s) => same(s, status)),
        ) ?? null;
      const reason = outcome !== null && reasonField ? lead?.values[reasonField]?.trim() || null : null;
      return { outcome, reason: reason === null ? null : reason.slice(0, 1_000) };
    },

    async escalate({ leadId, breaches, why }) {
      const { sla } = policyOf();
      if (!sla.escalate_to) throw nonRetryable('sla > escalate_to is missing in the handover policy', 'InvalidPolicy');
      const owner = await resolveTarget(sla.escalate_to, 'escalation');
      const what =
        why === 'presales_timeout'
          ? 'pre-sales did not release the lead in time'
          : `no first touch after ${breaches} SLA breaches`;
      await ensureTask(leadId, `${TASK_PREFIX} Escalation: ${what}`, {
        Status: 'Not Started',
        ...(owner.kind === 'user' ? { OwnerId: owner.ownerId } : {}),
      });
      return owner;
    },

    async writeOutcomeToHubSpot({ hubspotId, outcome, reason }) {
      const policy = policyOf();
      const { hubspot: writeBack } = policy.feedback;
      const wb = writeBack[outcome] ?? writeBack.rejected;
      const properties: Record<string, string> = {};
      if (wb.lead_status) properties[LEAD_STATUS] = wb.lead_status;
      if (reason !== null && writeBack.reason_property) {
        await ensureContactProperty(writeBack.reason_property);
        properties[writeBack.reason_property] = reason;
      }
      // Back to marketing: the suppression ends ("" clears a HubSpot property).
      if (outcome !== 'accepted' && policy.campaign_stop.suppression)
        properties[policy.campaign_stop.suppression.property] = '';
      if (wb.lifecycle_stage && outcome !== 'accepted') {
        // HubSpot moves a lifecycle stage only forward unless it is cleared first.
        await deps.hubspot.crm.contacts.basicApi.update(hubspotId, { properties: { [LIFECYCLE]: '' } });
      }
      if (wb.lifecycle_stage) properties[LIFECYCLE] = wb.lifecycle_stage;
      if (Object.keys(properties).length > 0)
        await deps.hubspot.crm.contacts.basicApi.update(hubspotId, { properties });
      if (wb.nurture_list) {
        let listId = /^\d+$/.test(wb.nurture_list) ? wb.nurture_list : null;
        if (listId === null) {
          const found = await hubspotRequest(
            'GET',
            `/crm/v3/lists/object-type-id/0-1/name/${encodeURIComponent(wb.nurture_list)}`,
          );
          if (found.status !== 200)
            throw nonRetryable(
              `HubSpot has no contact list named "${wb.nurture_list}" (feedback > hubspot > ${outcome} > nurture_list)`,
              'InvalidPolicy',
            );
          listId = listByNameSchema.parse(found.json).list.listId;
        }
        const added = await hubspotRequest('PUT', `/crm/v3/lists/${encodeURIComponent(listId)}/memberships/add`, [
          hubspotId,
        ]);
        if (added.status !== 200)
          throw new Error(`adding contact ${hubspotId} to nurture list ${listId} answered ${added.status}`);
      }
    },

    async recordHandoverEvent({ workflowId, hubspotId, type, ownerId, at, eventKey, data }) {
      await deps.store.appendHandoverEvents([
        { workflowId, hubspotId, type, ownerId, data: data ?? null, occurredAt: new Date(at), eventKey },
      ]);
    },
  };
}
