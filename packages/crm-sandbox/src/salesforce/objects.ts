/**
 * The standard objects the sandbox knows, with the fields, lengths, picklists and lookups
 * of a fresh Enterprise Edition org (Object Reference:
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/).
 * Each object carries the fields the handover and lead conversion touch.
 *
 * Which picklists are restricted follows the platform: picklists backed by a setup object
 * (Lead Status → LeadStatus, Task Status → TaskStatus, Priority → TaskPriority, Stage →
 * OpportunityStage) and the user locale keys reject unknown values; the other standard
 * picklists (Industry, Lead Source, Rating, …) store whatever is sent.
 */
import { KEY_PREFIXES } from './ids';
import { auditFields, defineObject, field, type FieldValue, type ObjectSchema, SchemaRegistry } from './schema';

export const LEAD_STATUSES = [
  'Open - Not Contacted',
  'Working - Contacted',
  'Closed - Converted',
  'Closed - Not Converted',
] as const;
export const LEAD_SOURCES = ['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other'] as const;
export const RATINGS = ['Hot', 'Warm', 'Cold'] as const;
export const SALUTATIONS = ['Mr.', 'Ms.', 'Mrs.', 'Dr.', 'Prof.', 'Mx.'] as const;
/** The standard Industry picklist. It is unrestricted, so other values are stored as sent. */
export const INDUSTRIES = [
  'Agriculture',
  'Apparel',
  'Banking',
  'Biotechnology',
  'Chemicals',
  'Communications',
  'Construction',
  'Consulting',
  'Education',
  'Electronics',
  'Energy',
  'Engineering',
  'Entertainment',
  'Environmental',
  'Finance',
  'Food & Beverage',
  'Government',
  'Healthcare',
  'Hospitality',
  'Insurance',
  'Machinery',
  'Manufacturing',
  'Media',
  'Not For Profit',
  'Other',
  'Recreation',
  'Retail',
  'Shipping',
  'Technology',
  'Telecommunications',
  'Transportation',
  'Utilities',
] as const;
export const TASK_STATUSES = [
  'Not Started',
  'In Progress',
  'Completed',
  'Waiting on someone else',
  'Deferred',
] as const;
export const TASK_SUBTYPES = ['Task', 'Email', 'ListEmail', 'Cadence', 'Call', 'LinkedIn'] as const;
export const TASK_PRIORITIES = ['High', 'Normal', 'Low'] as const;
export const OPPORTUNITY_STAGES = [
  'Prospecting',
  'Qualification',
  'Needs Analysis',
  'Value Proposition',
  'Id. Decision Makers',
  'Perception Analysis',
  'Proposal/Price Quote',
  'Negotiation/Review',
  'Closed Won',
  'Closed Lost',
] as const;
/** The Lead Status values whose LeadStatus row has IsConverted = true: what convertLead accepts. */
export const CONVERTED_LEAD_STATUSES: readonly string[] = ['Closed - Converted'];

const text = (name: string, length: number, label?: string) => field(name, 'string', { length, label });
const owner = (referenceTo: readonly string[]) =>
  field('OwnerId', 'reference', {
    label: 'Owner ID',
    nillable: false,
    defaultedOnCreate: true,
    referenceTo,
    relationshipName: 'Owner',
  });
const nameField = (length: number) =>
  field('Name', 'string', { label: 'Full Name', length, calculated: true, nameField: true, idLookup: true });
/** Set by `merge()` on the records merged away (deleted), naming the record they were merged into. */
const masterRecord = (objectName: string) =>
  field('MasterRecordId', 'reference', {
    label: 'Master Record ID',
    createable: false,
    updateable: false,
    referenceTo: [objectName],
    relationshipName: 'MasterRecord',
  });

function lead(): ObjectSchema {
  return defineObject(
    'Lead',
    KEY_PREFIXES.Lead,
    [
      field('Id', 'id', { label: 'Lead ID' }),
      masterRecord('Lead'),
      field('LastName', 'string', { length: 80, required: true }),
      field('FirstName', 'string', { length: 40 }),
      field('Salutation', 'picklist', { picklist: SALUTATIONS, length: 40 }),
      nameField(121),
      text('Title', 128),
      field('Company', 'string', { length: 255, required: true }),
      field('Street', 'textarea', { length: 255 }),
      text('City', 40),
      field('State', 'string', { length: 80, label: 'State/Province' }),
      field('PostalCode', 'string', { length: 20, label: 'Zip/Postal Code' }),
      text('Country', 80),
      field('Phone', 'phone'),
      field('MobilePhone', 'phone', { label: 'Mobile Phone' }),
      field('Email', 'email', { idLookup: true }),
      field('Website', 'url'),
      field('Description', 'textarea', { length: 32000 }),
      field('LeadSource', 'picklist', { label: 'Lead Source', picklist: LEAD_SOURCES }),
      field('Status', 'picklist', {
        nillable: false,
        picklist: LEAD_STATUSES,
        defaultPicklistValue: 'Open - Not Contacted',
        restrictedPicklist: true,
      }),
      field('Industry', 'picklist', { picklist: INDUSTRIES }),
      field('Rating', 'picklist', { picklist: RATINGS }),
      field('AnnualRevenue', 'currency', { label: 'Annual Revenue' }),
      field('NumberOfEmployees', 'int', { label: 'Employees', precision: 8 }),
      owner(['Group', 'User']),
      field('HasOptedOutOfEmail', 'boolean', { label: 'Email Opt Out' }),
      field('IsConverted', 'boolean', { label: 'Converted', updateable: false }),
      field('ConvertedDate', 'date', { label: 'Converted Date', createable: false, updateable: false }),
      field('ConvertedAccountId', 'reference', {
        label: 'Converted Account ID',
        createable: false,
        updateable: false,
        referenceTo: ['Account'],
        relationshipName: 'ConvertedAccount',
      }),
      field('ConvertedContactId', 'reference', {
        label: 'Converted Contact ID',
        createable: false,
        updateable: false,
        referenceTo: ['Contact'],
        relationshipName: 'ConvertedContact',
      }),
      field('ConvertedOpportunityId', 'reference', {
        label: 'Converted Opportunity ID',
        createable: false,
        updateable: false,
        referenceTo: ['Opportunity'],
        relationshipName: 'ConvertedOpportunity',
      }),
      field('IsUnreadByOwner', 'boolean', { label: 'Unread By Owner', defaultValue: true }),
      ...auditFields(),
      field('LastActivityDate', 'date', { label: 'Last Activity', createable: false, updateable: false }),
    ],
    { label: 'Lead' },
  );
}

function user(): ObjectSchema {
  return defineObject(
    'User',
    KEY_PREFIXES.User,
    [
      field('Id', 'id', { label: 'User ID' }),
      field('Username', 'string', { length: 80, required: true, unique: true, idLookup: true }),
      field('LastName', 'string', { length: 80, required: true }),
      field('FirstName', 'string', { length: 40 }),
      nameField(121),
      text('CompanyName', 80),
      text('Division', 80),
      text('Department', 80),
      text('Title', 80),
      text('City', 40),
      text('State', 80),
      text('Country', 80),
      field('Email', 'email', { length: 128, required: true }),
      field('Phone', 'phone'),
      field('MobilePhone', 'phone'),
      field('Alias', 'string', { length: 8, required: true }),
      field('CommunityNickname', 'string', { length: 40, label: 'Nickname' }),
      field('IsActive', 'boolean', { label: 'Active', defaultValue: true }),
      field('TimeZoneSidKey', 'picklist', {
        label: 'Time Zone',
        nillable: false,
        picklist: [
          'America/Los_Angeles',
          'America/New_York',
          'Europe/London',
          'Europe/Berlin',
          'Asia/Tokyo',
          'Asia/Singapore',
          'America/Sao_Paulo',
          'GMT',
        ],
        defaultPicklistValue: 'GMT',
        restrictedPicklist: true,
      }),
      field('LocaleSidKey', 'picklist', {
        label: 'Locale',
        nillable: false,
        picklist: ['en_US', 'en_GB', 'de_DE', 'ja_JP', 'pt_BR'],
        defaultPicklistValue: 'en_US',
        restrictedPicklist: true,
      }),
      field('EmailEncodingKey', 'picklist', {
        label: 'Email Encoding',
        nillable: false,
        picklist: ['UTF-8', 'ISO-8859-1'],
        defaultPicklistValue: 'UTF-8',
        restrictedPicklist: true,
      }),
      field('LanguageLocaleKey', 'picklist', {
        label: 'Language',
        nillable: false,
        picklist: ['en_US', 'de', 'ja', 'pt_BR'],
        defaultPicklistValue: 'en_US',
        restrictedPicklist: true,
      }),
      field('UserType', 'picklist', {
        label: 'User Type',
        createable: false,
        updateable: false,
        picklist: ['Standard'],
        defaultPicklistValue: 'Standard',
      }),
      field('ManagerId', 'reference', { label: 'Manager ID', referenceTo: ['User'], relationshipName: 'Manager' }),
      field('LastLoginDate', 'datetime', { label: 'Last Login', createable: false, updateable: false }),
      ...auditFields().filter((f) => f.name !== 'IsDeleted'),
    ],
    { label: 'User', deletable: false },
  );
}

/** Queues are Groups of Type 'Queue'; a Lead may be owned by one (OwnerId 00G…). */
function group(): ObjectSchema {
  return defineObject(
    'Group',
    KEY_PREFIXES.Group,
    [
      field('Id', 'id', { label: 'Group ID' }),
      field('Name', 'string', { length: 40, required: true, nameField: true }),
      field('DeveloperName', 'string', { length: 80, label: 'Developer Name' }),
      field('Type', 'picklist', {
        nillable: false,
        picklist: ['Queue', 'Regular', 'Role'],
        defaultPicklistValue: 'Regular',
        updateable: false,
        restrictedPicklist: true,
      }),
      field('Email', 'email', { length: 255 }),
      field('DoesSendEmailToMembers', 'boolean', { label: 'Send Email to Members' }),
      ...auditFields().filter((f) => f.name !== 'IsDeleted'),
    ],
    { label: 'Group' },
  );
}

function account(): ObjectSchema {
  return defineObject(
    'Account',
    KEY_PREFIXES.Account,
    [
      field('Id', 'id', { label: 'Account ID' }),
      masterRecord('Account'),
      field('Name', 'string', { length: 255, required: true, nameField: true, label: 'Account Name' }),
      field('Type', 'picklist', {
        picklist: [
          'Prospect',
          'Customer - Direct',
          'Customer - Channel',
          'Channel Partner / Reseller',
          'Installation Partner',
          'Technology Partner',
          'Other',
        ],
        label: 'Account Type',
      }),
      field('ParentId', 'reference', {
        label: 'Parent Account ID',
        referenceTo: ['Account'],
        relationshipName: 'Parent',
      }),
      field('BillingStreet', 'textarea', { length: 255 }),
      text('BillingCity', 40),
      text('BillingState', 80),
      text('BillingPostalCode', 20),
      text('BillingCountry', 80),
      field('Phone', 'phone', { label: 'Account Phone' }),
      field('Website', 'url'),
      field('Industry', 'picklist', { picklist: INDUSTRIES }),
      field('AnnualRevenue', 'currency'),
      field('NumberOfEmployees', 'int', { label: 'Employees', precision: 8 }),
      field('Description', 'textarea', { length: 32000, label: 'Account Description' }),
      field('Rating', 'picklist', { picklist: RATINGS, label: 'Account Rating' }),
      field('AccountSource', 'picklist', { picklist: LEAD_SOURCES, label: 'Account Source' }),
      owner(['User']),
      ...auditFields(),
      field('LastActivityDate', 'date', { label: 'Last Activity', createable: false, updateable: false }),
    ],
    { label: 'Account' },
  );
}

function contact(): ObjectSchema {
  return defineObject(
    'Contact',
    KEY_PREFIXES.Contact,
    [
      field('Id', 'id', { label: 'Contact ID' }),
      masterRecord('Contact'),
      field('AccountId', 'reference', { label: 'Account ID', referenceTo: ['Account'], relationshipName: 'Account' }),
      field('LastName', 'string', { length: 80, required: true }),
      field('FirstName', 'string', { length: 40 }),
      field('Salutation', 'picklist', { picklist: SALUTATIONS, length: 40 }),
      nameField(121),
      text('Title', 128),
      text('Department', 80),
      field('Email', 'email', { idLookup: true }),
      field('Phone', 'phone', { label: 'Business Phone' }),
      field('MobilePhone', 'phone'),
      field('MailingStreet', 'textarea', { length: 255 }),
      text('MailingCity', 40),
      text('MailingState', 80),
      field('MailingPostalCode', 'string', { length: 20, label: 'Mailing Zip/Postal Code' }),
      text('MailingCountry', 80),
      field('LeadSource', 'picklist', { picklist: LEAD_SOURCES }),
      field('Description', 'textarea', { length: 32000 }),
      field('HasOptedOutOfEmail', 'boolean', { label: 'Email Opt Out' }),
      owner(['User']),
      ...auditFields(),
      field('LastActivityDate', 'date', { label: 'Last Activity', createable: false, updateable: false }),
    ],
    { label: 'Contact' },
  );
}

function task(): ObjectSchema {
  return defineObject(
    'Task',
    KEY_PREFIXES.Task,
    [
      field('Id', 'id', { label: 'Activity ID' }),
      field('WhoId', 'reference', { label: 'Name ID', referenceTo: ['Contact', 'Lead'], relationshipName: 'Who' }),
      field('WhatId', 'reference', {
        label: 'Related To ID',
        referenceTo: ['Account', 'Campaign', 'Opportunity'],
        relationshipName: 'What',
      }),
      field('Subject', 'combobox', { picklist: ['Call', 'Send Letter', 'Send Quote', 'Other'] }),
      field('ActivityDate', 'date', { label: 'Due Date Only' }),
      field('Status', 'picklist', {
        nillable: false,
        picklist: TASK_STATUSES,
        defaultPicklistValue: 'Not Started',
        restrictedPicklist: true,
      }),
      field('Priority', 'picklist', {
        nillable: false,
        picklist: TASK_PRIORITIES,
        defaultPicklistValue: 'Normal',
        restrictedPicklist: true,
      }),
      field('IsHighPriority', 'boolean', { label: 'High Priority', createable: false, updateable: false }),
      owner(['Group', 'User']),
      field('Description', 'textarea', { length: 32000, label: 'Comments' }),
      field('Type', 'picklist', { picklist: ['Call', 'Email', 'Meeting', 'Other'] }),
      field('IsClosed', 'boolean', { label: 'Closed', createable: false, updateable: false }),
      field('TaskSubtype', 'picklist', {
        label: 'Task Subtype',
        picklist: TASK_SUBTYPES,
        updateable: false,
        restrictedPicklist: true,
      }),
      field('CompletedDateTime', 'datetime', { label: 'Completed Date/Time', createable: false, updateable: false }),
      ...auditFields(),
    ],
    { label: 'Task' },
  );
}

function opportunity(): ObjectSchema {
  return defineObject(
    'Opportunity',
    KEY_PREFIXES.Opportunity,
    [
      field('Id', 'id', { label: 'Opportunity ID' }),
      field('AccountId', 'reference', { label: 'Account ID', referenceTo: ['Account'], relationshipName: 'Account' }),
      field('Name', 'string', { length: 120, required: true, nameField: true }),
      field('Description', 'textarea', { length: 32000 }),
      field('StageName', 'picklist', {
        label: 'Stage',
        required: true,
        picklist: OPPORTUNITY_STAGES,
        restrictedPicklist: true,
      }),
      field('Amount', 'currency'),
      field('Probability', 'percent', { label: 'Probability (%)', precision: 3, scale: 0 }),
      field('CloseDate', 'date', { label: 'Close Date', required: true }),
      field('Type', 'picklist', {
        label: 'Opportunity Type',
        picklist: [
          'Existing Customer - Upgrade',
          'Existing Customer - Replacement',
          'Existing Customer - Downgrade',
          'New Customer',
        ],
      }),
      field('LeadSource', 'picklist', { picklist: LEAD_SOURCES }),
      field('IsClosed', 'boolean', { label: 'Closed', createable: false, updateable: false }),
      field('IsWon', 'boolean', { label: 'Won', createable: false, updateable: false }),
      field('CampaignId', 'reference', {
        label: 'Campaign ID',
        referenceTo: ['Campaign'],
        relationshipName: 'Campaign',
      }),
      owner(['User']),
      ...auditFields(),
      field('LastActivityDate', 'date', { label: 'Last Activity', createable: false, updateable: false }),
    ],
    { label: 'Opportunity' },
  );
}

function campaign(): ObjectSchema {
  return defineObject(
    'Campaign',
    KEY_PREFIXES.Campaign,
    [
      field('Id', 'id', { label: 'Campaign ID' }),
      field('Name', 'string', { length: 80, required: true, nameField: true }),
      field('ParentId', 'reference', {
        label: 'Parent Campaign ID',
        referenceTo: ['Campaign'],
        relationshipName: 'Parent',
      }),
      field('Type', 'picklist', {
        picklist: [
          'Conference',
          'Webinar',
          'Trade Show',
          'Public Relations',
          'Partners',
          'Referral Program',
          'Advertisement',
          'Banner Ads',
          'Direct Mail',
          'Email',
          'Telemarketing',
          'Other',
        ],
      }),
      field('Status', 'picklist', { picklist: ['Planned', 'In Progress', 'Completed', 'Aborted'] }),
      field('StartDate', 'date'),
      field('EndDate', 'date'),
      field('IsActive', 'boolean', { label: 'Active' }),
      field('Description', 'textarea', { length: 32000 }),
      owner(['User']),
      ...auditFields(),
    ],
    { label: 'Campaign' },
  );
}

function campaignMember(): ObjectSchema {
  return defineObject(
    'CampaignMember',
    KEY_PREFIXES.CampaignMember,
    [
      field('Id', 'id', { label: 'Campaign Member ID' }),
      field('CampaignId', 'reference', {
        label: 'Campaign ID',
        required: true,
        updateable: false,
        referenceTo: ['Campaign'],
        relationshipName: 'Campaign',
      }),
      field('LeadId', 'reference', {
        label: 'Lead ID',
        updateable: false,
        referenceTo: ['Lead'],
        relationshipName: 'Lead',
      }),
      field('ContactId', 'reference', {
        label: 'Contact ID',
        updateable: false,
        referenceTo: ['Contact'],
        relationshipName: 'Contact',
      }),
      field('Status', 'picklist', { picklist: ['Sent', 'Responded'], defaultPicklistValue: 'Sent' }),
      field('HasResponded', 'boolean', { label: 'Responded', createable: false, updateable: false }),
      field('FirstRespondedDate', 'date', { label: 'First Responded Date', createable: false, updateable: false }),
      ...auditFields(),
    ],
    { label: 'Campaign Member' },
  );
}

/** A fresh registry per sandbox: tests may add custom fields without touching others. */
export function standardSchemas(): SchemaRegistry {
  return new SchemaRegistry([
    lead(),
    user(),
    group(),
    account(),
    contact(),
    opportunity(),
    task(),
    campaign(),
    campaignMember(),
  ]);
}

type Derivation = (record: Readonly<Record<string, FieldValue>>) => Record<string, FieldValue>;

function fullName(record: Readonly<Record<string, FieldValue>>): Record<string, FieldValue> {
  const parts = [record.FirstName, record.LastName].filter((p): p is string => typeof p === 'string' && p !== '');
  return { Name: parts.length > 0 ? parts.join(' ') : null };
}

/** Formula-like fields the platform computes on every save. */
export const DERIVED_FIELDS: Readonly<Record<string, Derivation>> = {
  Lead: fullName,
  Contact: fullName,
  User: fullName,
  // CompletedDateTime is stamped once, when the task first reaches a closed status.
  Task: (r) => {
    const closed = r.Status === 'Completed';
    return {
      IsClosed: closed,
      IsHighPriority: r.Priority === 'High',
      CompletedDateTime: closed ? (r.CompletedDateTime ?? r.LastModifiedDate ?? null) : null,
    };
  },
  Opportunity: (r) => ({
    IsClosed: r.StageName === 'Closed Won' || r.StageName === 'Closed Lost',
    IsWon: r.StageName === 'Closed Won',
  }),
  CampaignMember: (r) => ({ HasResponded: r.Status === 'Responded' }),
};
