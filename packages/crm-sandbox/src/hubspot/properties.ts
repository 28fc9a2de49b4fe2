import { HubSpotApiError } from './errors';
import { parseTimestamp, toIso } from './time';

/** The property types of HubSpot's property API. https://developers.hubspot.com/docs/api/crm/properties */
export type PropertyType = 'string' | 'number' | 'date' | 'datetime' | 'enumeration' | 'bool';

export interface PropertyOption {
  label: string;
  value: string;
  displayOrder: number;
  hidden: boolean;
  description?: string;
}

export interface PropertyDefinition {
  name: string;
  label: string;
  description: string;
  groupName: string;
  type: PropertyType;
  fieldType: string;
  options: PropertyOption[];
  hubspotDefined: boolean;
  /** HubSpot computes the value (scores, domains, stage dates); writes get READ_ONLY_VALUE. */
  calculated: boolean;
  readOnlyValue: boolean;
  hasUniqueValue: boolean;
  formField: boolean;
  hidden: boolean;
  displayOrder: number;
  createdAt: number;
  updatedAt: number;
  archived: boolean;
  /** `OWNER`: the options are the portal's owners, so they are checked against the owner list. */
  referencedObjectType?: string;
}

/** Lifecycle stages in their forward order; HubSpot stamps `hs_lifecyclestage_<stage>_date` on entry. */
export const LIFECYCLE_STAGES = [
  ['subscriber', 'Subscriber'],
  ['lead', 'Lead'],
  ['marketingqualifiedlead', 'Marketing Qualified Lead'],
  ['salesqualifiedlead', 'Sales Qualified Lead'],
  ['opportunity', 'Opportunity'],
  ['customer', 'Customer'],
  ['evangelist', 'Evangelist'],
  ['other', 'Other'],
] as const;

export const LEAD_STATUSES = [
  ['NEW', 'New'],
  ['OPEN', 'Open'],
  ['IN_PROGRESS', 'In Progress'],
  ['OPEN_DEAL', 'Open Deal'],
  ['UNQUALIFIED', 'Unqualified'],
  ['ATTEMPTED_TO_CONTACT', 'Attempted to Contact'],
  ['CONNECTED', 'Connected'],
  ['BAD_TIMING', 'Bad Timing'],
] as const;

/** Contact `numemployees` is an enumeration of ranges (the company object has a number instead). */
export const EMPLOYEE_RANGES = ['1-5', '5-25', '25-50', '50-100', '100-500', '500-1000', '1000+'] as const;

export function options(pairs: readonly (readonly [string, string])[]): PropertyOption[] {
  return pairs.map(([value, label], i) => ({ label, value, displayOrder: i, hidden: false }));
}

export type PropertySeed = Pick<PropertyDefinition, 'name' | 'label' | 'type' | 'fieldType'> &
  Partial<PropertyDefinition>;
type Seed = PropertySeed;

export function define(
  seed: Seed,
  at: number,
  displayOrder: number,
  groupName = 'contactinformation',
): PropertyDefinition {
  return {
    description: '',
    groupName,
    options: [],
    hubspotDefined: true,
    calculated: false,
    readOnlyValue: false,
    hasUniqueValue: false,
    formField: false,
    hidden: false,
    createdAt: at,
    updatedAt: at,
    archived: false,
    ...seed,
    displayOrder: seed.displayOrder ?? displayOrder,
  };
}

/** A text property a form may show, as HubSpot defines most of its own. */
export const textSeed = (name: string, label: string, extra: Partial<PropertyDefinition> = {}): Seed => ({
  name,
  label,
  type: 'string',
  fieldType: 'text',
  formField: true,
  ...extra,
});

/** A date HubSpot sets itself (create date, last modified, …); the API refuses to write it. */
export const readOnlyDateSeed = (name: string, label: string, extra: Partial<PropertyDefinition> = {}): Seed => ({
  name,
  label,
  type: 'datetime',
  fieldType: 'date',
  readOnlyValue: true,
  ...extra,
});

/**
 * The HubSpot-defined contact properties the sandbox knows. A real portal has a few hundred;
 * these are the ones sync, routing and handover touch. Portals add custom ones through
 * `POST /crm/v3/properties/contacts`.
 */
export function defaultContactProperties(at: number): PropertyDefinition[] {
  const seeds: Seed[] = [
    textSeed('email', 'Email', { hasUniqueValue: false }),
    textSeed('firstname', 'First Name'),
    textSeed('lastname', 'Last Name'),
    textSeed('phone', 'Phone Number', { fieldType: 'phonenumber' }),
    textSeed('mobilephone', 'Mobile Phone Number', { fieldType: 'phonenumber' }),
    textSeed('company', 'Company Name'),
    textSeed('jobtitle', 'Job Title'),
    textSeed('website', 'Website URL'),
    textSeed('address', 'Street Address'),
    textSeed('city', 'City'),
    textSeed('state', 'State/Region'),
    textSeed('zip', 'Postal Code'),
    textSeed('country', 'Country/Region'),
    textSeed('industry', 'Industry'),
    textSeed('message', 'Message', { fieldType: 'textarea' }),
    {
      name: 'numemployees',
      label: 'Number of Employees',
      type: 'enumeration',
      fieldType: 'select',
      formField: true,
      options: options(EMPLOYEE_RANGES.map((r) => [r, r] as const)),
    },
    {
      name: 'lifecyclestage',
      label: 'Lifecycle Stage',
      type: 'enumeration',
      fieldType: 'radio',
      formField: true,
      options: options(LIFECYCLE_STAGES),
    },
    {
      name: 'hs_lead_status',
      label: 'Lead Status',
      type: 'enumeration',
      fieldType: 'radio',
      groupName: 'sales_properties',
      formField: true,
      options: options(LEAD_STATUSES),
    },
    {
      name: 'hubspot_owner_id',
      label: 'Contact owner',
      type: 'enumeration',
      fieldType: 'select',
      referencedObjectType: 'OWNER',
      groupName: 'sales_properties',
    },
    {
      name: 'hubspotscore',
      label: 'HubSpot Score',
      type: 'number',
      fieldType: 'number',
      calculated: true,
      readOnlyValue: true,
      groupName: 'contactscoringinformation',
    },
    {
      name: 'hs_object_id',
      label: 'Record ID',
      type: 'number',
      fieldType: 'number',
      readOnlyValue: true,
    },
    { name: 'createdate', label: 'Create Date', type: 'datetime', fieldType: 'date' },
    readOnlyDateSeed('lastmodifieddate', 'Last Modified Date'),
    readOnlyDateSeed('notes_last_contacted', 'Last Contacted', { groupName: 'sales_properties' }),
    textSeed('hs_email_domain', 'Email Domain', { calculated: true, readOnlyValue: true, formField: false }),
    textSeed('hs_additional_emails', 'Additional email addresses', { readOnlyValue: true, formField: false }),
    textSeed('hs_merged_object_ids', 'Merged Contact IDs', { calculated: true, readOnlyValue: true, formField: false }),
    ...LIFECYCLE_STAGES.map(([stage, label]) =>
      readOnlyDateSeed(`hs_lifecyclestage_${stage}_date`, `Became a ${label} Date`, { calculated: true }),
    ),
  ];
  return seeds.map((seed, i) => define(seed, at, i));
}

/** Property definitions of one object type. */
export class PropertyRegistry {
  private readonly byName = new Map<string, PropertyDefinition>();

  constructor(definitions: Iterable<PropertyDefinition> = []) {
    for (const d of definitions) this.byName.set(d.name, d);
  }

  get(name: string): PropertyDefinition | undefined {
    const d = this.byName.get(name);
    return d && !d.archived ? d : undefined;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  typeOf(name: string): PropertyType | undefined {
    return this.get(name)?.type;
  }

  add(definition: PropertyDefinition): void {
    this.byName.set(definition.name, definition);
  }

  list(includeArchived = false): PropertyDefinition[] {
    return [...this.byName.values()].filter((d) => includeArchived || !d.archived);
  }

  custom(): PropertyDefinition[] {
    return [...this.byName.values()].filter((d) => !d.hubspotDefined);
  }
}

export type PropertyErrorCode =
  | 'PROPERTY_DOESNT_EXIST'
  | 'READ_ONLY_VALUE'
  | 'INVALID_OPTION'
  | 'INVALID_EMAIL'
  | 'INVALID_DATE'
  | 'INVALID_FLOAT'
  | 'INVALID_BOOLEAN';

export interface PropertyIssue {
  name: string;
  code: PropertyErrorCode;
  message: string;
  value?: string;
}

export interface WriteContext {
  /** Options of owner-referencing properties (`hubspot_owner_id`): the active owners. */
  ownerOptions(): PropertyOption[];
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** How HubSpot prints an enumeration's options in INVALID_OPTION (a protobuf text dump). */
function describeOptions(list: PropertyOption[]): string {
  return `[${list
    .map(
      (o) =>
        `label: "${o.label}"\nvalue: "${o.value}"\ndisplay_order: ${o.displayOrder}\nhidden: ${o.hidden}\nread_only: false\n`,
    )
    .join(', ')}]`;
}

/**
 * Checks and normalizes property values the way HubSpot does on create and update.
 * Every invalid property of the request is reported, not just the first.
 * An empty string is kept: it clears the property (NangoHQ and HubSpot's docs both call
 * this out: https://developers.hubspot.com/docs/api/crm/contacts#update-contacts).
 */
export function normalizeWrite(
  registry: PropertyRegistry,
  input: Readonly<Record<string, string>>,
  ctx: WriteContext,
): { values: Record<string, string>; issues: PropertyIssue[] } {
  const values: Record<string, string> = Object.create(null) as Record<string, string>;
  const issues: PropertyIssue[] = [];
  for (const [name, raw] of Object.entries(input)) {
    const def = registry.get(name);
    if (!def) {
      issues.push({ name, code: 'PROPERTY_DOESNT_EXIST', message: `Property "${name}" does not exist`, value: raw });
      continue;
    }
    if (def.readOnlyValue || def.calculated) {
      const kind = def.calculated ? 'a calculated property' : 'a read only property';
      issues.push({
        name,
        code: 'READ_ONLY_VALUE',
        message: `"${name}" is ${kind}; its value cannot be set.`,
        value: raw,
      });
      continue;
    }
    if (raw === '') {
      values[name] = '';
      continue;
    }
    const checked = checkValue(def, raw, ctx);
    if (typeof checked === 'string') values[name] = checked;
    else issues.push({ name, value: raw, ...checked });
  }
  return { values, issues };
}

function checkValue(
  def: PropertyDefinition,
  raw: string,
  ctx: WriteContext,
): string | { code: PropertyErrorCode; message: string } {
  if (def.name === 'email' && !EMAIL.test(raw.trim())) {
    return { code: 'INVALID_EMAIL', message: `Email address ${raw} is invalid` };
  }
  switch (def.type) {
    case 'enumeration': {
      const allowed = def.referencedObjectType === 'OWNER' ? ctx.ownerOptions() : def.options;
      if (def.fieldType === 'checkbox') {
        // Multi-select values are `;`-separated; each one must be an option.
        const bad = raw.split(';').find((v) => !allowed.some((o) => o.value === v));
        return bad === undefined ? raw : invalidOption(bad, allowed);
      }
      return allowed.some((o) => o.value === raw) ? raw : invalidOption(raw, allowed);
    }
    case 'number':
      return Number.isFinite(Number(raw)) && raw.trim() !== ''
        ? raw.trim()
        : { code: 'INVALID_FLOAT', message: `${raw} was not a valid number.` };
    case 'bool': {
      const lower = raw.toLowerCase();
      return lower === 'true' || lower === 'false'
        ? lower
        : { code: 'INVALID_BOOLEAN', message: `${raw} was not a valid boolean.` };
    }
    case 'datetime':
    case 'date': {
      const ms = parseTimestamp(raw);
      if (ms === undefined) return { code: 'INVALID_DATE', message: `${raw} was not a valid long.` };
      // Both input forms come back as ISO text; date-only properties keep just the day.
      return def.type === 'date' ? toIso(ms).slice(0, 10) : toIso(ms);
    }
    default:
      return raw;
  }
}

function invalidOption(value: string, allowed: PropertyOption[]): { code: PropertyErrorCode; message: string } {
  return {
    code: 'INVALID_OPTION',
    message: `${value} was not one of the allowed options: ${describeOptions(allowed)}`,
  };
}

/**
 * HubSpot's 400 for invalid property values: the message embeds a JSON dump of the
 * validation results and `errors` repeats each one.
 */
export function propertyValidationError(issues: readonly PropertyIssue[], portalId: number): HubSpotApiError {
  const results = issues.map((i) => ({
    isValid: false,
    message: i.message,
    error: i.code,
    name: i.name,
    localizedErrorMessage: i.message,
    ...(i.value !== undefined ? { propertyValue: i.value } : {}),
    portalId,
  }));
  return new HubSpotApiError(400, `Property values were not valid: ${JSON.stringify(results)}`, 'VALIDATION_ERROR', {
    errors: issues.map((i) => ({ message: i.message, code: i.code, context: { propertyName: [i.name] } })),
  });
}
