import type { Client as HubSpotClient } from '@hubspot/api-client';
import type { Connection } from 'jsforce';
import type { LiveSchemaReader, LiveTargets } from '../config/mapping-live';
import { createHubSpotClient } from './hubspot/client';
import { listContactProperties } from './hubspot/properties';
import { createSalesforceConnection } from './salesforce/client';
import { describeObject } from './salesforce/describe';

/** The schema reads `baton mappings check` needs, over clients the caller already has. */
export function crmSchemaReader(clients: { hubspot?: HubSpotClient; salesforce?: Connection }): LiveSchemaReader {
  const { hubspot, salesforce } = clients;
  return {
    ...(hubspot ? { hubspot: { contactProperties: () => listContactProperties(hubspot) } } : {}),
    ...(salesforce ? { salesforce: { describe: (object: string) => describeObject(salesforce, object) } } : {}),
  };
}

/**
 * The schema reads over new clients for the given connections. No retries: a check should
 * answer at once (and the HubSpot client's retry settings are process-wide).
 */
export function crmSchemaReaderFor(targets: LiveTargets): LiveSchemaReader {
  return crmSchemaReader({
    ...(targets.hubspot ? { hubspot: createHubSpotClient({ ...targets.hubspot, retries: 0 }) } : {}),
    ...(targets.salesforce ? { salesforce: createSalesforceConnection(targets.salesforce) } : {}),
  });
}
