import { groupBy, MAX_BATCH, uniqueIds, type StoreContext } from './context';
import { chunk, lastByKey, linkFromRow, snapshotFromRow, toJson, toMs, type LinkRow, type SnapshotRow } from './rows';
import type { RecordLink, RecordLinkInput, RecordOrphan, Snapshot, SnapshotInput } from './types';

/**
 * Which HubSpot record is paired with which Salesforce record, the values both had when
 * last synced (snapshots, which belong to a link) and the records whose partner was
 * deleted (orphans, which a new link clears). One repository because the three change
 * together in one transaction.
 */
export interface LinkRepository {
  findByHubSpotIds(mapping: string, ids: string[]): Promise<RecordLink[]>;
  findBySalesforceIds(mapping: string, ids: string[]): Promise<RecordLink[]>;
  /**
   * Conflict on (mapping, hubspotId) replaces the Salesforce side and keeps createdAt.
   * Both records stop being orphans: they have a partner again.
   */
  upsert(links: RecordLinkInput[]): Promise<void>;
  /** Forgets these links and their snapshots; returns how many links were removed. */
  delete(mapping: string, hubspotIds: string[]): Promise<number>;

  /** Marks records whose partner was deleted (see RecordOrphan); a repeat replaces the partner id. */
  addOrphans(orphans: RecordOrphan[]): Promise<void>;
  /** The ids among `ids` that are orphans on `side`. */
  findOrphans(mapping: string, side: RecordOrphan['side'], ids: string[]): Promise<Set<string>>;

  /** Keyed by HubSpot id; ids without a snapshot are absent. */
  getSnapshots(mapping: string, hubspotIds: string[]): Promise<Map<string, Snapshot>>;
  /** Replaces both sides of each snapshot. The link must exist (foreign key). */
  putSnapshots(snapshots: SnapshotInput[]): Promise<void>;
}

export function linkRepository(ctx: StoreContext): LinkRepository {
  const { knex } = ctx;

  async function findLinks(
    mapping: string,
    column: 'hubspot_id' | 'salesforce_id',
    ids: string[],
  ): Promise<RecordLink[]> {
    const out: RecordLink[] = [];
    for (const part of chunk(uniqueIds(ids), MAX_BATCH)) {
      const rows = await knex<LinkRow>('record_links').select('*').where({ mapping }).whereIn(column, part);
      for (const row of rows) out.push(linkFromRow(row));
    }
    return out;
  }

  return {
    findByHubSpotIds: (mapping, ids) => findLinks(mapping, 'hubspot_id', ids),
    findBySalesforceIds: (mapping, ids) => findLinks(mapping, 'salesforce_id', ids),

    async upsert(links) {
      if (links.length === 0) return;
      const now = ctx.nowMs();
      const rows: LinkRow[] = lastByKey(links, (l) => JSON.stringify([l.mapping, l.hubspotId])).map((l) => ({
        mapping: l.mapping,
        hubspot_id: l.hubspotId,
        salesforce_object: l.salesforceObject,
        salesforce_id: l.salesforceId,
        created_at: now,
        updated_at: now,
      }));
      await knex.transaction(async (trx) => {
        for (const part of chunk(rows, MAX_BATCH)) {
          await trx('record_links')
            .insert(part)
            .onConflict(['mapping', 'hubspot_id'])
            .merge(['salesforce_object', 'salesforce_id', 'updated_at']);
        }
        for (const [mapping, group] of groupBy(rows, (r) => r.mapping)) {
          for (const [side, column] of [
            ['hubspot', 'hubspot_id'],
            ['salesforce', 'salesforce_id'],
          ] as const) {
            for (const part of chunk(uniqueIds(group.map((r) => r[column])), MAX_BATCH)) {
              await trx('record_orphans').where({ mapping, side }).whereIn('record_id', part).delete();
            }
          }
        }
      });
    },

    async delete(mapping, hubspotIds) {
      if (hubspotIds.length === 0) return 0;
      return knex.transaction(async (trx) => {
        let removed = 0;
        for (const part of chunk(uniqueIds(hubspotIds), MAX_BATCH)) {
          // Snapshots first: the foreign key cascades too, but SQLite only with foreign keys on.
          await trx('snapshots').where({ mapping }).whereIn('hubspot_id', part).delete();
          removed += await trx('record_links').where({ mapping }).whereIn('hubspot_id', part).delete();
        }
        return removed;
      });
    },

    async addOrphans(orphans) {
      if (orphans.length === 0) return;
      const now = ctx.nowMs();
      const rows = lastByKey(orphans, (o) => JSON.stringify([o.mapping, o.side, o.recordId])).map((o) => ({
        mapping: o.mapping,
        side: o.side,
        record_id: o.recordId,
        partner_id: o.partnerId,
        orphaned_at: now,
      }));
      await knex.transaction(async (trx) => {
        for (const part of chunk(rows, MAX_BATCH)) {
          await trx('record_orphans')
            .insert(part)
            .onConflict(['mapping', 'side', 'record_id'])
            .merge(['partner_id', 'orphaned_at']);
        }
      });
    },

    async findOrphans(mapping, side, ids) {
      const out = new Set<string>();
      for (const part of chunk(uniqueIds(ids), MAX_BATCH)) {
        const rows: Array<{ record_id: string }> = await knex('record_orphans')
          .select('record_id')
          .where({ mapping, side })
          .whereIn('record_id', part);
        for (const r of rows) out.add(r.record_id);
      }
      return out;
    },

    async getSnapshots(mapping, hubspotIds) {
      const out = new Map<string, Snapshot>();
      for (const part of chunk(uniqueIds(hubspotIds), MAX_BATCH)) {
        const rows = await knex<SnapshotRow>('snapshots').select('*').where({ mapping }).whereIn('hubspot_id', part);
        for (const row of rows) out.set(row.hubspot_id, snapshotFromRow(row));
      }
      return out;
    },

    async putSnapshots(snapshots) {
      if (snapshots.length === 0) return;
      const now = ctx.nowMs();
      const rows: SnapshotRow[] = lastByKey(snapshots, (s) => JSON.stringify([s.mapping, s.hubspotId])).map((s) => ({
        mapping: s.mapping,
        hubspot_id: s.hubspotId,
        hubspot_values: toJson(s.hubspot, 'snapshot.hubspot'),
        salesforce_values: toJson(s.salesforce, 'snapshot.salesforce'),
        synced_at: s.syncedAt === undefined ? now : toMs(s.syncedAt),
      }));
      await knex.transaction(async (trx) => {
        for (const part of chunk(rows, MAX_BATCH)) {
          // A snapshot belongs to a link. Checked here rather than left to the foreign key
          // alone, so both dialects refuse an orphan the same way, with a message that says so.
          for (const [mapping, ids] of groupBy(part, (r) => r.mapping)) {
            const linked = new Set(
              (
                await trx('record_links')
                  .select('hubspot_id')
                  .where({ mapping })
                  .whereIn(
                    'hubspot_id',
                    ids.map((r) => r.hubspot_id),
                  )
              ).map((r: { hubspot_id: string }) => r.hubspot_id),
            );
            const orphans = ids.filter((r) => !linked.has(r.hubspot_id)).map((r) => r.hubspot_id);
            if (orphans.length > 0)
              throw new Error(
                `putSnapshots: no record link for mapping "${mapping}" and HubSpot id(s) ${orphans.slice(0, 5).join(', ')}${orphans.length > 5 ? ', …' : ''}; store the link first`,
              );
          }
          await trx('snapshots')
            .insert(part)
            .onConflict(['mapping', 'hubspot_id'])
            .merge(['hubspot_values', 'salesforce_values', 'synced_at']);
        }
      });
    },
  };
}
