import type { Client } from '@hubspot/api-client';
import { FilterOperatorEnum, type Filter } from '@hubspot/api-client/lib/codegen/crm/contacts';
import { z } from 'zod';
import type { Values } from '../../mapping/transform';
import { parseAnswer, viaOfficialClient, type HubSpotEndpoint } from './request';

/** A HubSpot contact as Baton uses it: string-or-null properties plus the modification time. */
export const hubspotContactSchema = z.object({
  id: z.string(),
  properties: z.record(z.string(), z.string().nullable()),
  updatedAt: z.date().or(z.string().transform((s) => new Date(s))),
  archived: z.boolean().optional(),
});
export type HubSpotContact = z.infer<typeof hubspotContactSchema>;

const searchPageSchema = z.object({
  total: z.number(),
  results: z.array(hubspotContactSchema),
  paging: z.object({ next: z.object({ after: z.string() }).optional() }).optional(),
});

/** HubSpot caps a search page at 200 results. */
export const HUBSPOT_SEARCH_PAGE_MAX = 200;
/** Batch endpoints take at most 100 inputs. */
export const HUBSPOT_BATCH_MAX = 100;

export interface WindowSearch {
  /** Records modified strictly after this time (epoch ms)… */
  after: number;
  /** …and at or before this one (epoch ms); an upper bound keeps a run's window fixed… */
  until: number;
  /** …with an id above this one, in id order. */
  afterId: string | null;
  properties: string[];
  limit: number;
}

/** The search a delta sync needs; tests provide in-memory fakes of this type. */
export interface ContactSearch {
  searchWindow(q: WindowSearch): Promise<{ total: number; results: HubSpotContact[] }>;
}

/**
 * Contact reads through the CRM search endpoint.
 * https://developers.hubspot.com/docs/api/crm/search
 */
export class HubSpotContacts implements ContactSearch {
  /** `also`: more filters every search of the window applies (e.g. a score threshold). */
  constructor(
    private readonly client: Client,
    private readonly also: readonly Filter[] = [],
  ) {}

  /**
   * Ordered by id, not by lastmodifieddate: HubSpot leaves the order of records sharing a
   * sort value open, and paging by the last id read (rather than by `after`, an offset)
   * never meets the 10,000-result cap.
   */
  async searchWindow(q: WindowSearch): Promise<{ total: number; results: HubSpotContact[] }> {
    const filters: Filter[] = [
      { propertyName: 'lastmodifieddate', operator: FilterOperatorEnum.Gt, value: String(q.after) },
      { propertyName: 'lastmodifieddate', operator: FilterOperatorEnum.Lte, value: String(q.until) },
      ...this.also,
    ];
    if (q.afterId !== null)
      filters.push({ propertyName: 'hs_object_id', operator: FilterOperatorEnum.Gt, value: q.afterId });
    const page = await this.client.crm.contacts.searchApi.doSearch({
      filterGroups: [{ filters }],
      sorts: ['hs_object_id'],
      properties: withSystemProperties(q.properties),
      limit: Math.min(q.limit, HUBSPOT_SEARCH_PAGE_MAX),
    });
    return searchPageSchema.parse(page);
  }
}

export function withSystemProperties(properties: string[]): string[] {
  return [...new Set([...properties, 'hs_object_id', 'lastmodifieddate'])];
}

export function modifiedAt(contact: HubSpotContact): number {
  const raw = contact.properties.lastmodifieddate;
  const parsed = raw ? Date.parse(raw) : NaN;
  return Number.isNaN(parsed) ? contact.updatedAt.getTime() : parsed;
}

export function valuesOf(contact: HubSpotContact): Values {
  return contact.properties;
}

const READ_CONTACT: HubSpotEndpoint = {
  method: 'GET',
  path: '/crm/v3/objects/contacts/{contactId}',
  scopes: ['crm.objects.contacts.read'],
};

const timestamp = z.date().or(z.string().transform((s) => new Date(s)));
const contactWithHistorySchema = z.object({
  id: z.string(),
  properties: z.record(z.string(), z.string().nullable()),
  propertiesWithHistory: z
    .record(z.string(), z.array(z.object({ value: z.string().nullable(), timestamp })))
    .optional(),
});

/** One earlier value of a property, newest first as HubSpot lists them. */
export interface PropertyChange {
  value: string | null;
  timestamp: Date;
}

export interface ContactWithHistory {
  properties: Values;
  history: Record<string, PropertyChange[]>;
}

/**
 * One contact's properties, and the history of some of them.
 * https://developers.hubspot.com/docs/api/crm/contacts (GET /crm/v3/objects/contacts/{contactId}?properties=…&propertiesWithHistory=…)
 */
export async function readContact(
  client: Client,
  contactId: string,
  properties: readonly string[],
  withHistory: readonly string[] = [],
): Promise<ContactWithHistory> {
  const contact = await viaOfficialClient(READ_CONTACT, () =>
    client.crm.contacts.basicApi.getById(
      contactId,
      [...new Set(properties)],
      withHistory.length > 0 ? [...new Set(withHistory)] : undefined,
    ),
  );
  const parsed = parseAnswer(READ_CONTACT, { status: 200, json: contact }, contactWithHistorySchema);
  return { properties: parsed.properties, history: parsed.propertiesWithHistory ?? {} };
}

const UPDATE_CONTACT: HubSpotEndpoint = {
  method: 'PATCH',
  path: '/crm/v3/objects/contacts/{contactId}',
  scopes: ['crm.objects.contacts.write'],
};

/**
 * Sets properties of one contact. HubSpot clears a property sent as an empty string.
 * https://developers.hubspot.com/docs/api/crm/contacts (PATCH /crm/v3/objects/contacts/{contactId})
 */
export async function updateContact(
  client: Client,
  contactId: string,
  properties: Readonly<Record<string, string>>,
): Promise<void> {
  const updated = await viaOfficialClient(UPDATE_CONTACT, () =>
    client.crm.contacts.basicApi.update(contactId, { properties: { ...properties } }),
  );
  parseAnswer(UPDATE_CONTACT, { status: 200, json: updated }, z.object({ id: z.string() }));
}

const BATCH_READ: HubSpotEndpoint = {
  method: 'POST',
  path: '/crm/v3/objects/contacts/batch/read',
  scopes: ['crm.objects.contacts.read'],
};
const batchReadSchema = z.object({ results: z.array(hubspotContactSchema) });

/**
 * Contacts by id, in batches of 100, with the system properties the sync relies on; ids
 * that do not exist (deleted, merged away) are left out.
 * https://developers.hubspot.com/docs/api/crm/contacts (POST /crm/v3/objects/contacts/batch/read)
 */
export async function readContactsByIds(
  client: Client,
  ids: readonly string[],
  properties: string[],
): Promise<HubSpotContact[]> {
  const contacts: HubSpotContact[] = [];
  for (let i = 0; i < ids.length; i += HUBSPOT_BATCH_MAX) {
    const read = await viaOfficialClient(BATCH_READ, () =>
      client.crm.contacts.batchApi.read({
        inputs: ids.slice(i, i + HUBSPOT_BATCH_MAX).map((id) => ({ id })),
        properties: withSystemProperties(properties),
        propertiesWithHistory: [],
      }),
    );
    contacts.push(...parseAnswer(BATCH_READ, { status: 200, json: read }, batchReadSchema).results);
  }
  return contacts;
}

/**
 * The id of the contact with this email, or null: a batch read by the unique `email`
 * property answers 207 with the addresses it does not know, which is not an error here.
 * https://developers.hubspot.com/docs/api/crm/contacts (POST /crm/v3/objects/contacts/batch/read, idProperty)
 */
export async function contactIdByEmail(client: Client, email: string): Promise<string | null> {
  const read = await viaOfficialClient(BATCH_READ, () =>
    client.crm.contacts.batchApi.read({
      idProperty: 'email',
      inputs: [{ id: email }],
      properties: ['email'],
      propertiesWithHistory: [],
    }),
  );
  const found = parseAnswer(BATCH_READ, { status: 200, json: read }, batchReadSchema).results;
  const wanted = email.trim().toLowerCase();
  return found.find((c) => c.properties.email?.trim().toLowerCase() === wanted)?.id ?? null;
}
