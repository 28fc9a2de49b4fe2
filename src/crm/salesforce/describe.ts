import type { Connection } from 'jsforce';
import { z } from 'zod';
import { unexpectedAnswer } from '../errors';
import { salesforceEndpointName, viaJsforce, type SalesforceEndpoint } from './request';

/** What the live mapping check reads of an sObject's describe: each field's type, length, picklist and access. */
const fieldSchema = z.object({
  name: z.string(),
  label: z.string().optional(),
  type: z.string(),
  length: z.number().default(0),
  createable: z.boolean(),
  updateable: z.boolean(),
  restrictedPicklist: z.boolean().optional(),
  picklistValues: z.array(z.object({ value: z.string(), active: z.boolean().default(true) })).default([]),
});
const describeSchema = z.object({ name: z.string(), fields: z.array(fieldSchema) });
export type SObjectDescription = z.output<typeof describeSchema>;

/**
 * An sObject's fields as Salesforce describes them.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm
 * (GET /services/data/vXX.X/sobjects/{object}/describe)
 */
export async function describeObject(conn: Connection, object: string): Promise<SObjectDescription> {
  const endpoint: SalesforceEndpoint = { method: 'GET', path: `/sobjects/${object}/describe`, object };
  const answer: unknown = await viaJsforce(endpoint, () => conn.sobject(object).describe());
  const parsed = describeSchema.safeParse(answer);
  if (parsed.success) return parsed.data;
  const where = parsed.error.issues.map((i) => `${i.path.map(String).join('.') || 'body'}: ${i.code}`).join('; ');
  throw unexpectedAnswer('Salesforce', salesforceEndpointName(endpoint), null, where, parsed.error);
}
