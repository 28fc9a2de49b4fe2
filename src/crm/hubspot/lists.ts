import type { Client } from '@hubspot/api-client';
import { z } from 'zod';
import { hubspotRequest, parseAnswer, type HubSpotEndpoint } from './request';

/**
 * Lists v3, one function per endpoint. https://developers.hubspot.com/docs/api/crm/lists
 * Ids come as numbers from some portals and as strings from others: both read as text.
 */

/** The object type id of contacts in list paths. */
export const CONTACT_OBJECT_TYPE_ID = '0-1';

const listId = z.union([z.string(), z.number()]).transform(String);

export interface HubSpotList {
  listId: string;
  name: string;
  /** MANUAL, SNAPSHOT or DYNAMIC (active: its filters decide membership, the API cannot change it). */
  processingType: string | null;
}

const MEMBERSHIPS: HubSpotEndpoint = {
  method: 'GET',
  path: '/crm/v3/lists/records/{objectTypeId}/{recordId}/memberships',
  scopes: ['crm.lists.read'],
};
const membershipsSchema = z.object({
  results: z.array(z.object({ listId })),
  paging: z.object({ next: z.object({ after: z.string() }).optional() }).optional(),
});

/**
 * The ids of every list a record is a member of.
 * https://developers.hubspot.com/docs/api/crm/lists (GET /crm/v3/lists/records/{objectTypeId}/{recordId}/memberships)
 */
export async function listMembershipsOfRecord(
  client: Client,
  recordId: string,
  objectTypeId = CONTACT_OBJECT_TYPE_ID,
): Promise<string[]> {
  const ids: string[] = [];
  let after: string | undefined;
  do {
    const query = after === undefined ? '' : `?after=${encodeURIComponent(after)}`;
    const answer = await hubspotRequest(
      client,
      MEMBERSHIPS,
      `/crm/v3/lists/records/${encodeURIComponent(objectTypeId)}/${encodeURIComponent(recordId)}/memberships${query}`,
      { expect: [200] },
    );
    const page = parseAnswer(MEMBERSHIPS, answer, membershipsSchema);
    ids.push(...page.results.map((r) => r.listId));
    after = page.paging?.next?.after;
  } while (after !== undefined);
  return ids;
}

const LISTS_BY_IDS: HubSpotEndpoint = { method: 'GET', path: '/crm/v3/lists/', scopes: ['crm.lists.read'] };
const listsSchema = z.object({
  lists: z.array(
    z.object({
      listId,
      name: z.string(),
      processingType: z
        .string()
        .nullish()
        .transform((t) => t ?? null),
    }),
  ),
});

/**
 * Lists by id, with their names and processing types; ids that do not exist are left out.
 * https://developers.hubspot.com/docs/api/crm/lists (GET /crm/v3/lists/?listIds=…)
 */
export async function listsByIds(client: Client, ids: readonly string[]): Promise<HubSpotList[]> {
  if (ids.length === 0) return [];
  // The path keeps its trailing slash: HubSpot's own client calls it so (CRM_API_NOTES).
  const query = ids.map((id) => `listIds=${encodeURIComponent(id)}`).join('&');
  const answer = await hubspotRequest(client, LISTS_BY_IDS, `/crm/v3/lists/?${query}`, { expect: [200] });
  return parseAnswer(LISTS_BY_IDS, answer, listsSchema).lists;
}

const LIST_BY_NAME: HubSpotEndpoint = {
  method: 'GET',
  path: '/crm/v3/lists/object-type-id/{objectTypeId}/name/{listName}',
  scopes: ['crm.lists.read'],
};
const listByNameSchema = z.object({ list: z.object({ listId }) });

/**
 * The id of the list with this name, or null when there is none (404).
 * https://developers.hubspot.com/docs/api/crm/lists (GET /crm/v3/lists/object-type-id/{objectTypeId}/name/{listName})
 */
export async function listIdByName(
  client: Client,
  name: string,
  objectTypeId = CONTACT_OBJECT_TYPE_ID,
): Promise<string | null> {
  const answer = await hubspotRequest(
    client,
    LIST_BY_NAME,
    `/crm/v3/lists/object-type-id/${encodeURIComponent(objectTypeId)}/name/${encodeURIComponent(name)}`,
    { expect: [200, 404] },
  );
  if (answer.status === 404) return null;
  return parseAnswer(LIST_BY_NAME, answer, listByNameSchema).list.listId;
}

/** Note HubSpot's own spelling `recordsIdsAdded` (CRM_API_NOTES). */
const membershipChangeSchema = z.object({
  recordsIdsAdded: z.array(listId).optional(),
  recordIdsRemoved: z.array(listId).optional(),
  recordIdsMissing: z.array(listId).optional(),
});
export type MembershipChange = z.output<typeof membershipChangeSchema>;

const ADD_MEMBERS: HubSpotEndpoint = {
  method: 'PUT',
  path: '/crm/v3/lists/{listId}/memberships/add',
  scopes: ['crm.lists.write'],
};

/**
 * Adds records to a MANUAL or SNAPSHOT list; members already in it stay as they are.
 * https://developers.hubspot.com/docs/api/crm/lists (PUT /crm/v3/lists/{listId}/memberships/add, body: an array of ids)
 */
export async function addListMembers(
  client: Client,
  list: string,
  recordIds: readonly string[],
): Promise<MembershipChange> {
  const answer = await hubspotRequest(
    client,
    ADD_MEMBERS,
    `/crm/v3/lists/${encodeURIComponent(list)}/memberships/add`,
    {
      body: [...recordIds],
      expect: [200],
    },
  );
  return parseAnswer(ADD_MEMBERS, answer, membershipChangeSchema);
}

const REMOVE_MEMBERS: HubSpotEndpoint = {
  method: 'PUT',
  path: '/crm/v3/lists/{listId}/memberships/remove',
  scopes: ['crm.lists.write'],
};

/**
 * Removes records from a MANUAL or SNAPSHOT list; ids that are not members come back in
 * `recordIdsMissing`, which is not an error (a retried removal finds them gone).
 * https://developers.hubspot.com/docs/api/crm/lists (PUT /crm/v3/lists/{listId}/memberships/remove, body: an array of ids)
 */
export async function removeListMembers(
  client: Client,
  list: string,
  recordIds: readonly string[],
): Promise<MembershipChange> {
  const answer = await hubspotRequest(
    client,
    REMOVE_MEMBERS,
    `/crm/v3/lists/${encodeURIComponent(list)}/memberships/remove`,
    { body: [...recordIds], expect: [200] },
  );
  return parseAnswer(REMOVE_MEMBERS, answer, membershipChangeSchema);
}
