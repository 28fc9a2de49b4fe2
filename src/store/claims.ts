import { MAX_BATCH, uniqueIds, type StoreContext } from './context';
import { chunk } from './rows';

/** How long a creation claim holds when its holder never gives it back (it died). */
export const CREATION_CLAIM_TTL_MS = 10 * 60_000;

/** Who is creating a contact's Salesforce partner right now, so two syncs never both create one. */
export interface CreationClaimRepository {
  /**
   * Claims the creation of these contacts' Salesforce partners for `holder` and returns the
   * ids it holds now: free ones, expired ones (older than ttlMs) and those it held already.
   * The others are being created by someone else. Atomic per id on both dialects.
   */
  claim(mapping: string, hubspotIds: string[], holder: string, ttlMs: number): Promise<Set<string>>;
  /** Gives back this holder's claims (once the links are stored). */
  release(mapping: string, hubspotIds: string[], holder: string): Promise<void>;
}

export function creationClaimRepository(ctx: StoreContext): CreationClaimRepository {
  const { knex } = ctx;
  return {
    async claim(mapping, hubspotIds, holder, ttlMs) {
      const out = new Set<string>();
      const now = ctx.nowMs();
      for (const part of chunk(uniqueIds(hubspotIds), MAX_BATCH)) {
        // Expired claims go first; then insert-or-ignore decides each id for exactly one holder.
        await knex('creation_claims')
          .where({ mapping })
          .whereIn('hubspot_id', part)
          .andWhere('claimed_at', '<', now - ttlMs)
          .del();
        await knex('creation_claims')
          .insert(part.map((hubspotId) => ({ mapping, hubspot_id: hubspotId, holder, claimed_at: now })))
          .onConflict(['mapping', 'hubspot_id'])
          .ignore();
        const rows: Array<{ hubspot_id: string }> = await knex('creation_claims')
          .select('hubspot_id')
          .where({ mapping, holder })
          .whereIn('hubspot_id', part);
        for (const r of rows) out.add(r.hubspot_id);
      }
      return out;
    },

    async release(mapping, hubspotIds, holder) {
      for (const part of chunk(uniqueIds(hubspotIds), MAX_BATCH)) {
        await knex('creation_claims').where({ mapping, holder }).whereIn('hubspot_id', part).del();
      }
    },
  };
}
