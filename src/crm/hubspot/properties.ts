import type { Client } from '@hubspot/api-client';
import { z } from 'zod';
import { hubspotRequest, parseAnswer, viaOfficialClient, type HubSpotEndpoint } from './request';

/** Contact property definitions, one function per endpoint. https://developers.hubspot.com/docs/api/crm/properties */

const propertySchema = z.object({ name: z.string(), type: z.string(), fieldType: z.string() });
export type ContactPropertyDefinition = z.output<typeof propertySchema>;

const GET_PROPERTY: HubSpotEndpoint = {
  method: 'GET',
  path: '/crm/v3/properties/contacts/{propertyName}',
  scopes: ['crm.schemas.contacts.read'],
};

/**
 * One contact property's definition, or null when the portal has no such property (404).
 * https://developers.hubspot.com/docs/api/crm/properties (GET /crm/v3/properties/{objectType}/{propertyName})
 */
export async function getContactProperty(client: Client, name: string): Promise<ContactPropertyDefinition | null> {
  const answer = await hubspotRequest(client, GET_PROPERTY, `/crm/v3/properties/contacts/${encodeURIComponent(name)}`, {
    expect: [200, 404],
  });
  if (answer.status === 404) return null;
  return parseAnswer(GET_PROPERTY, answer, propertySchema);
}

export interface NewTextProperty {
  name: string;
  label: string;
  groupName: string;
}

const CREATE_PROPERTY: HubSpotEndpoint = {
  method: 'POST',
  path: '/crm/v3/properties/contacts',
  scopes: ['crm.schemas.contacts.write'],
};

/**
 * Creates a single-line text contact property. `exists` when another worker created it
 * first (409), which is the outcome the caller wanted.
 * https://developers.hubspot.com/docs/api/crm/properties (POST /crm/v3/properties/{objectType})
 */
export async function createContactTextProperty(
  client: Client,
  property: NewTextProperty,
): Promise<'created' | 'exists'> {
  const answer = await hubspotRequest(client, CREATE_PROPERTY, CREATE_PROPERTY.path, {
    body: { ...property, type: 'string', fieldType: 'text' },
    // The API documents 201; 200 is accepted as well, as Baton always has.
    expect: [200, 201, 409],
  });
  if (answer.status === 409) return 'exists';
  parseAnswer(CREATE_PROPERTY, answer, propertySchema);
  return 'created';
}

/** A contact property's definition as the live mapping check reads it (type, options, who may write it). */
const propertyDefinitionSchema = z.object({
  name: z.string(),
  label: z.string().optional(),
  type: z.string(),
  fieldType: z.string().optional(),
  options: z.array(z.object({ value: z.string(), label: z.string().optional() })).default([]),
  calculated: z.boolean().optional(),
  // Owner properties list the portal's owners as options, not in the definition.
  externalOptions: z.boolean().optional(),
  referencedObjectType: z.string().optional(),
  modificationMetadata: z.object({ readOnlyValue: z.boolean().optional() }).optional(),
});
export type ContactPropertySchema = z.output<typeof propertyDefinitionSchema>;

const LIST_PROPERTIES: HubSpotEndpoint = {
  method: 'GET',
  path: '/crm/v3/properties/contacts',
  scopes: ['crm.schemas.contacts.read'],
};

/**
 * Every contact property with its type, options and modificationMetadata.
 * https://developers.hubspot.com/docs/api/crm/properties (GET /crm/v3/properties/{objectType})
 */
export async function listContactProperties(client: Client): Promise<ContactPropertySchema[]> {
  const answer = await viaOfficialClient(LIST_PROPERTIES, () => client.crm.properties.coreApi.getAll('contacts'));
  return parseAnswer(
    LIST_PROPERTIES,
    { status: 200, json: answer },
    z.object({ results: z.array(propertyDefinitionSchema) }),
  ).results;
}
