import type { DeletePolicy, ObjectMapping, Side } from '../config/mapping-file';
import { isBlank, type Values } from './transform';

/**
 * What a mapping says about records that stop existing on one side: deleted or archived
 * records, and Leads that Salesforce converted into Contacts. Pure decisions; the sync
 * does the reading and writing.
 */

export interface DeletionPlan {
  policy: DeletePolicy;
  /** Forget the link, so a record that comes back (or a new one with the same key) is matched afresh. */
  clearLink: boolean;
  /** The side whose linked record is to be archived (HubSpot) or deleted (Salesforce). */
  archiveOn?: Side;
}

export function deletePolicyOf(mapping: ObjectMapping, deletedIn: Side): DeletePolicy {
  const policy = mapping.on_delete;
  if (!policy) return 'ignore';
  return deletedIn === 'hubspot' ? policy.in_hubspot : policy.in_salesforce;
}

/** What to do when the record on `deletedIn` was deleted (Salesforce) or archived (HubSpot). */
export function deletionPlan(mapping: ObjectMapping, deletedIn: Side): DeletionPlan {
  const policy = deletePolicyOf(mapping, deletedIn);
  switch (policy) {
    case 'ignore':
      return { policy, clearLink: false };
    case 'clear_link':
      return { policy, clearLink: true };
    case 'archive':
      return { policy, clearLink: true, archiveOn: deletedIn === 'hubspot' ? 'salesforce' : 'hubspot' };
  }
}

/**
 * Lead fields the sync reads to follow a conversion. `ConvertedContactId` is set by
 * Salesforce on convertLead and the Lead becomes read-only (`IsConverted`).
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_lead.htm
 */
export const LEAD_CONVERSION_FIELDS = ['IsConverted', 'ConvertedContactId'] as const;

export function followsLeadConversion(mapping: ObjectMapping): boolean {
  return mapping.lead_conversion === 'follow' && mapping.salesforce.object === 'Lead';
}

/** The fields to read from Salesforce for a conversion check: none when the mapping does not follow conversions. */
export function conversionFieldsOf(mapping: ObjectMapping): string[] {
  return followsLeadConversion(mapping) ? [...LEAD_CONVERSION_FIELDS] : [];
}

/**
 * The Contact a linked Lead was converted into, when the mapping follows conversions;
 * the link then moves to that Contact instead of a new Lead being created.
 */
export function conversionTarget(mapping: ObjectMapping, lead: Values): { object: 'Contact'; id: string } | null {
  if (!followsLeadConversion(mapping)) return null;
  const converted = (lead.IsConverted ?? '').trim().toLowerCase() === 'true';
  const contactId = lead.ConvertedContactId;
  if (!converted || isBlank(contactId)) return null;
  return { object: 'Contact', id: contactId.trim() };
}
