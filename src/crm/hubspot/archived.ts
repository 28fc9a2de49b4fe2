import type { Client } from '@hubspot/api-client';
import { z } from 'zod';

/** The list endpoint's largest page. */
const LIST_PAGE_MAX = 100;

const archivedPageSchema = z.object({
  results: z.array(z.object({ id: z.string(), archived: z.boolean().optional() })),
  paging: z.object({ next: z.object({ after: z.string() }).optional() }).optional(),
});

/**
 * Every contact in HubSpot's recycle bin (archived in the last 90 days), by id.
 *
 * Search never returns archived records, and the list endpoint with `archived=true` has no
 * time filter or ordering by archive date, so each call pages through the whole bin: one
 * GET per 100 archived contacts. That is still the cheapest faithful check: batch-reading
 * every linked id instead would cost one call per 100 linked contacts, and a link to an
 * archived contact can only be stale, so checking the whole bin against the links every
 * time is exact without a watermark. Only mappings whose `on_delete > in_hubspot` is not
 * `ignore` pay for it.
 * https://developers.hubspot.com/docs/api/crm/contacts (GET /crm/v3/objects/contacts?archived=true)
 */
export async function archivedContactIds(client: Client, progress?: () => void): Promise<string[]> {
  const ids: string[] = [];
  let after: string | undefined;
  do {
    const page = archivedPageSchema.parse(
      await client.crm.contacts.basicApi.getPage(LIST_PAGE_MAX, after, ['hs_object_id'], undefined, undefined, true),
    );
    for (const r of page.results) if (r.archived !== false) ids.push(r.id);
    after = page.paging?.next?.after;
    progress?.();
  } while (after !== undefined);
  return ids;
}
