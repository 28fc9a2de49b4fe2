import type { DeletePolicy, FieldMapping, ObjectMapping, Side } from '../config/mapping-file';
import { namesOn } from './fields';
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

/**
 * Lead fields that Salesforce's standard lead field mapping copies into differently named
 * Contact fields on conversion; every other Lead field keeps its name on the Contact (if
 * the Contact has it at all).
 * https://help.salesforce.com/s/articleView?id=sf.customize_mapleads.htm
 */
export const LEAD_TO_CONTACT_FIELDS: Readonly<Record<string, string>> = {
  street: 'MailingStreet',
  city: 'MailingCity',
  state: 'MailingState',
  postalcode: 'MailingPostalCode',
  country: 'MailingCountry',
};

export function contactFieldOf(leadField: string): string {
  return LEAD_TO_CONTACT_FIELDS[leadField.toLowerCase()] ?? leadField;
}

/** Snapshot values of a Lead under the names its Contact uses, so the first Contact cycle sees no change. */
export function leadValuesAsContact(values: Values): Values {
  const out: Values = {};
  for (const [k, v] of Object.entries(values)) out[contactFieldOf(k)] = v;
  return out;
}

/**
 * The mapping as it applies to the Contacts its Leads were converted into: Lead fields
 * renamed as conversion renames them, and entries dropped whose Salesforce fields the
 * Contact does not have (Company, Status, …), so those stop syncing rather than being
 * read as blank. `contactFields` are the Contact's field names, in any letter case.
 */
export function contactMappingOf(mapping: ObjectMapping, contactFields: Iterable<string>): ObjectMapping {
  const known = new Set([...contactFields].map((f) => f.toLowerCase()));
  const has = (name: string) => known.has(name.toLowerCase());
  const match = contactFieldOf(mapping.match.salesforce);
  if (!has(match)) {
    throw new Error(
      `${mapping.file}: lead_conversion: follow needs the match field on Contacts too, but Salesforce's Contact has no ${match} field; ` +
        `match on a field both objects have, or set lead_conversion: ignore`,
    );
  }
  const fields: FieldMapping[] = [];
  for (const f of mapping.fields) {
    const leadNames = namesOn(f, 'salesforce');
    const names = leadNames.map(contactFieldOf);
    if (!names.every(has)) continue;
    if (names.every((n, i) => n === leadNames[i])) {
      fields.push(f);
      continue;
    }
    const split = f.parts?.side === 'salesforce';
    fields.push({
      ...f,
      salesforce: split ? names.join(' + ') : (names[0] ?? ''),
      ...(split ? { parts: { side: 'salesforce', fields: names } } : {}),
    });
  }
  const { lead_conversion: _followed, ...rest } = mapping;
  return { ...rest, salesforce: { object: 'Contact' }, match: { ...mapping.match, salesforce: match }, fields };
}
