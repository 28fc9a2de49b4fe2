/**
 * Lead conversion (the `convertLead()` call): a qualified Lead becomes an Account (new, or
 * an existing one merged into), a Contact (new or existing) and, unless told not to, an
 * Opportunity. The Lead is then frozen with IsConverted, ConvertedDate and the ids of what
 * it became, and its activities and campaign memberships move to the Contact.
 * https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_convertlead.htm
 * https://help.salesforce.com/s/articleView?id=sf.customize_mapleads.htm (standard field mapping)
 */
import { type SaveError, saveError } from './errors';
import { keyPrefixOf, KEY_PREFIXES, toId18 } from './ids';
import { CONVERTED_LEAD_STATUSES } from './objects';
import type { FieldValue, SObjectRecord } from './schema';
import { CONVERTED_LEAD_ERROR, type SalesforceState, type WriteContext } from './state';
import { formatDate } from './values';

/** One LeadConvert, as the SOAP call and the admin route take it. */
export interface LeadConvertRequest {
  leadId: string;
  convertedStatus: string;
  accountId?: string;
  contactId?: string;
  /** Owner of the new Account, Contact and Opportunity; default the Lead's owner. */
  ownerId?: string;
  doNotCreateOpportunity?: boolean;
  opportunityName?: string;
  /** Copy the Lead's LeadSource onto an existing Contact. */
  overwriteLeadSource?: boolean;
}

export interface LeadConvertResult {
  leadId: string | null;
  accountId: string | null;
  contactId: string | null;
  opportunityId: string | null;
  success: boolean;
  errors: SaveError[];
}

/** Lead field → field of the record it becomes (the standard lead field mapping). */
const TO_ACCOUNT: Readonly<Record<string, string>> = {
  Company: 'Name',
  Website: 'Website',
  Industry: 'Industry',
  NumberOfEmployees: 'NumberOfEmployees',
  AnnualRevenue: 'AnnualRevenue',
  Phone: 'Phone',
  Rating: 'Rating',
  LeadSource: 'AccountSource',
  Street: 'BillingStreet',
  City: 'BillingCity',
  State: 'BillingState',
  PostalCode: 'BillingPostalCode',
  Country: 'BillingCountry',
};
const TO_CONTACT: Readonly<Record<string, string>> = {
  Salutation: 'Salutation',
  FirstName: 'FirstName',
  LastName: 'LastName',
  Title: 'Title',
  Email: 'Email',
  Phone: 'Phone',
  MobilePhone: 'MobilePhone',
  Street: 'MailingStreet',
  City: 'MailingCity',
  State: 'MailingState',
  PostalCode: 'MailingPostalCode',
  Country: 'MailingCountry',
  LeadSource: 'LeadSource',
  Description: 'Description',
  HasOptedOutOfEmail: 'HasOptedOutOfEmail',
};

const QUEUE_OWNER_MESSAGE =
  'Converted objects can only be owned by users.  If the lead is not owned by a user, you must specify a user for the Owner field.';

function mapped(lead: SObjectRecord, mapping: Readonly<Record<string, string>>): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  for (const [from, to] of Object.entries(mapping)) {
    const v = lead[from];
    if (v !== undefined && v !== null) out[to] = v;
  }
  return out;
}

/** The last day of the calendar quarter of `now`: the close date a new Opportunity gets. */
function endOfQuarter(now: number): string {
  const d = new Date(now);
  const firstMonthOfNext = d.getUTCMonth() - (d.getUTCMonth() % 3) + 3;
  return formatDate(Date.UTC(d.getUTCFullYear(), firstMonthOfNext, 1) - 86_400_000);
}

function failed(errors: SaveError[]): LeadConvertResult {
  return { leadId: null, accountId: null, contactId: null, opportunityId: null, success: false, errors };
}

/**
 * Converts one Lead. All or nothing: a record that fails to save rolls back the ones
 * saved before it, and the result carries that record's errors.
 */
export function convertLead(state: SalesforceState, request: LeadConvertRequest, ctx: WriteContext): LeadConvertResult {
  return state.transaction((rollback) => {
    const result = convertInTransaction(state, request, ctx);
    if (!result.success) rollback();
    return result;
  });
}

function convertInTransaction(
  state: SalesforceState,
  request: LeadConvertRequest,
  ctx: WriteContext,
): LeadConvertResult {
  const invalidReference = (field: string) =>
    failed([saveError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', [field])]);
  const leadId = toId18(request.leadId);
  const lead = leadId ? state.get('Lead', leadId) : undefined;
  if (!leadId || !lead) return invalidReference('LeadId');
  if (lead.IsConverted === true) return failed([CONVERTED_LEAD_ERROR]);
  if (!CONVERTED_LEAD_STATUSES.includes(request.convertedStatus)) {
    return failed([
      saveError('INVALID_STATUS', `invalid convertedStatus: ${request.convertedStatus}`, ['ConvertedStatus']),
    ]);
  }

  // Accounts and Contacts cannot belong to a queue: a queue-owned Lead needs an owner.
  const ownerId = request.ownerId ?? (typeof lead.OwnerId === 'string' ? lead.OwnerId : ctx.userId);
  if (keyPrefixOf(ownerId) === KEY_PREFIXES.Group)
    return failed([saveError('INVALID_CROSS_REFERENCE_KEY', QUEUE_OWNER_MESSAGE, ['OwnerId'])]);

  const create = (objectName: string, values: Record<string, FieldValue>): { id: string } | { errors: SaveError[] } => {
    const r = state.create(state.deserialize(objectName, values), ctx);
    return r.success ? { id: r.id } : { errors: r.errors };
  };

  let accountId: string;
  if (request.accountId !== undefined) {
    const id = toId18(request.accountId);
    if (!id || !state.get('Account', id)) return invalidReference('AccountId');
    accountId = id;
  } else {
    const account = create('Account', { ...mapped(lead, TO_ACCOUNT), OwnerId: ownerId });
    if ('errors' in account) return failed(account.errors);
    accountId = account.id;
  }

  let contactId: string;
  if (request.contactId !== undefined) {
    const id = toId18(request.contactId);
    const contact = id ? state.get('Contact', id) : undefined;
    if (!id || !contact) return invalidReference('ContactId');
    if (contact.AccountId !== accountId) {
      return failed([
        saveError('INVALID_CROSS_REFERENCE_KEY', 'The contact must belong to the account the lead is converted into', [
          'ContactId',
        ]),
      ]);
    }
    contactId = id;
    if (request.overwriteLeadSource === true && typeof lead.LeadSource === 'string') {
      state.systemUpdate('Contact', id, { LeadSource: lead.LeadSource }, ctx);
    }
  } else {
    const contact = create('Contact', { ...mapped(lead, TO_CONTACT), AccountId: accountId, OwnerId: ownerId });
    if ('errors' in contact) return failed(contact.errors);
    contactId = contact.id;
  }

  let opportunityId: string | null = null;
  if (request.doNotCreateOpportunity !== true) {
    const opportunity = create('Opportunity', {
      // Without a name the Opportunity is named after the company (cut to the field's 120).
      Name: request.opportunityName ?? String(lead.Company ?? lead.Name ?? 'Opportunity').slice(0, 120),
      AccountId: accountId,
      StageName: 'Prospecting',
      CloseDate: endOfQuarter(ctx.now),
      LeadSource: lead.LeadSource ?? null,
      OwnerId: ownerId,
    });
    if ('errors' in opportunity) return failed(opportunity.errors);
    opportunityId = opportunity.id;
  }

  // The Lead's activities and campaign history follow it to the Contact.
  for (const task of [...state.scan('Task')]) {
    if (task.WhoId === leadId) state.systemUpdate('Task', String(task.Id), { WhoId: contactId }, ctx);
  }
  for (const member of [...state.scan('CampaignMember')]) {
    if (member.LeadId === leadId)
      state.systemUpdate('CampaignMember', String(member.Id), { ContactId: contactId }, ctx);
  }

  state.systemUpdate(
    'Lead',
    leadId,
    {
      IsConverted: true,
      ConvertedDate: formatDate(ctx.now),
      ConvertedAccountId: accountId,
      ConvertedContactId: contactId,
      ConvertedOpportunityId: opportunityId,
      Status: request.convertedStatus,
    },
    ctx,
  );
  return { leadId, accountId, contactId, opportunityId, success: true, errors: [] };
}
