import type { HandoverPolicy } from '../config/handover-file';
import type { ObjectMapping } from '../config/mapping-file';
import type { PropertyChange } from '../crm/hubspot/contacts';
import { hubspotPropertiesOf, toSalesforceValues, type Values } from '../mapping/transform';

/**
 * The handover dossier: what sales gets to read on the Lead (a completed Task) about the
 * person marketing hands over, and the Lead itself when Salesforce has none yet. Pure: the
 * steps read the contact and write the Task.
 */

/** Baton's own Tasks start with this, so they never count as a rep's first touch. */
export const BATON_TASK_PREFIX = '[Baton]';
export const LIFECYCLE_STAGE = 'lifecyclestage';
/** HubSpot's record of how the person came in and came back. */
export const CONVERSION_PROPERTIES = [
  'recent_conversion_event_name',
  'recent_conversion_date',
  'first_conversion_event_name',
  'num_conversion_events',
];
/** A Task's Description holds 32,000 characters. */
const DESCRIPTION_MAX = 32_000;
/** Changes shown per property history. */
const HISTORY_SHOWN = 20;

export const isBatonTask = (subject: string | null): boolean => (subject ?? '').startsWith(BATON_TASK_PREFIX);

/** The subject carries the contact's id, so a retried step finds the Task it wrote. */
export const dossierSubject = (hubspotId: string): string =>
  `${BATON_TASK_PREFIX} Handover dossier (HubSpot ${hubspotId})`;

export function escalationSubject(why: 'sla_breached' | 'presales_timeout', breaches: number): string {
  const what =
    why === 'presales_timeout'
      ? 'pre-sales did not release the lead in time'
      : `no first touch after ${breaches} SLA breaches`;
  return `${BATON_TASK_PREFIX} Escalation: ${what}`;
}

/** What the dossier reads from HubSpot: the mapped fields, and the history of score and lifecycle stage. */
export function dossierReads(
  policy: HandoverPolicy,
  mapping: ObjectMapping,
): { properties: string[]; withHistory: string[] } {
  const withHistory = [policy.qualification.score.property, LIFECYCLE_STAGE];
  return {
    properties: [
      ...hubspotPropertiesOf(mapping),
      ...withHistory,
      ...CONVERSION_PROPERTIES,
      'email',
      'firstname',
      'lastname',
      'company',
    ],
    withHistory,
  };
}

const isoTime = (d: Date) => (Number.isNaN(d.getTime()) ? '(unknown time)' : d.toISOString());

export function dossierText(
  mapping: ObjectMapping,
  properties: Values,
  history: Readonly<Record<string, readonly PropertyChange[]>>,
  withHistory: readonly string[],
): string {
  const lines = ['Handover dossier from marketing (Baton)', '', 'Fields:'];
  for (const field of mapping.fields) lines.push(`  ${field.salesforce}: ${properties[field.hubspot] ?? ''}`);
  for (const name of withHistory) {
    const changes = (history[name] ?? []).slice(0, HISTORY_SHOWN).map((h) => `${isoTime(h.timestamp)} ${h.value}`);
    lines.push(
      '',
      `${name} history (newest first):`,
      ...(changes.length > 0 ? changes.map((c) => `  ${c}`) : ['  none']),
    );
  }
  lines.push('', 'Recent conversions:', ...CONVERSION_PROPERTIES.map((p) => `  ${p}: ${properties[p] ?? ''}`));
  return lines.join('\n').slice(0, DESCRIPTION_MAX);
}

/** The Lead for a contact Salesforce does not know yet, in the policy's "new" status. */
export function newLeadValues(mapping: ObjectMapping, properties: Values, newStatus: string): Values {
  const values: Values = { ...toSalesforceValues(mapping, properties), Status: newStatus };
  // LastName and Company are required on a Lead; HubSpot often lacks them on MQLs.
  if (!values.LastName) values.LastName = properties.lastname?.trim() || '[not provided]';
  if (!values.Company) values.Company = properties.company?.trim() || '[not provided]';
  return values;
}
