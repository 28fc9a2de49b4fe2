import type { Connection } from 'jsforce';
import { z } from 'zod';
import { SalesforceRecords, type SalesforceRecord } from './records';
import { viaJsforce, type SalesforceEndpoint } from './request';
import { soqlString } from './soql';

const QUERY: SalesforceEndpoint = { method: 'GET', path: '/query', object: 'Account' };

export interface AccountWithOwner {
  id: string;
  website: string | null;
  /** The owning User's email; null when the owner has none or Salesforce did not return it. */
  ownerEmail: string | null;
}

/** A parent field comes back as `Owner: {Email}` (SalesforceRecords keeps it as JSON text) or flattened as `Owner.Email`. */
const ownerSchema = z.object({ Email: z.string().nullish() });

function ownerEmailOf(record: SalesforceRecord): string | null {
  const flat = record.values['Owner.Email'];
  if (flat) return flat;
  const owner = record.values.Owner;
  if (!owner) return null;
  try {
    return ownerSchema.safeParse(JSON.parse(owner)).data?.Email ?? null;
  } catch {
    return null;
  }
}

/**
 * Accounts whose Website contains `domain` (at most `limit`), with their owner's email.
 * Websites are written every which way (`https://www.acme.example/`), so the caller
 * compares normalised domains; `%` and `_` are taken out so a domain cannot widen the LIKE.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm
 */
export async function accountsWithWebsiteLike(
  conn: Connection,
  domain: string,
  limit = 20,
): Promise<AccountWithOwner[]> {
  const pattern = `%${domain.replace(/[%_]/g, '')}%`;
  const rows = await viaJsforce(QUERY, () =>
    new SalesforceRecords(conn, 'Account').query(
      `SELECT Id, Website, Owner.Email FROM Account WHERE Website LIKE ${soqlString(pattern)} LIMIT ${Math.max(1, Math.floor(limit))}`,
    ),
  );
  return rows.map((r) => ({ id: r.id, website: r.values.Website ?? null, ownerEmail: ownerEmailOf(r) }));
}
