import { MAX_BATCH, uniqueIds, type StoreContext } from './context';
import { chunk, handoverEventFromRow, toJson, toMs, type HandoverEventRow } from './rows';
import type { HandoverEvent, HandoverEventFilter, HandoverEventInput } from './types';

/** The append-only history of each lead handover (the audit trail and the sweep's input). */
export interface HandoverEventRepository {
  /** Events with an eventKey already stored are skipped. */
  append(events: HandoverEventInput[]): Promise<void>;
  /** Oldest first. */
  list(filter?: HandoverEventFilter): Promise<HandoverEvent[]>;
  /** Per contact, its newest event of one of `types` (by occurredAt, then id); contacts with none are absent. */
  latest(hubspotIds: string[], types: string[]): Promise<Map<string, HandoverEvent>>;
}

export function handoverEventRepository(ctx: StoreContext): HandoverEventRepository {
  const { knex } = ctx;
  return {
    async append(events) {
      if (events.length === 0) return;
      const now = ctx.nowMs();
      const rows = events.map((e) => ({
        workflow_id: e.workflowId,
        hubspot_id: e.hubspotId,
        type: e.type,
        owner_id: e.ownerId ?? null,
        data: toJson(e.data, `handover event "${e.type}" data`),
        occurred_at: e.occurredAt === undefined ? now : toMs(e.occurredAt),
        event_key: e.eventKey ?? null,
      }));
      await knex.transaction(async (trx) => {
        for (const part of chunk(rows, MAX_BATCH)) {
          // NULL keys never conflict, so keyless events are always appended.
          await trx('handover_events').insert(part).onConflict('event_key').ignore();
        }
      });
    },

    async list(filter = {}) {
      const query = knex<HandoverEventRow>('handover_events')
        .select('*')
        .orderBy([
          { column: 'occurred_at', order: 'asc' },
          { column: 'id', order: 'asc' },
        ]);
      if (filter.workflowId !== undefined) query.where('workflow_id', filter.workflowId);
      if (filter.hubspotId !== undefined) query.where('hubspot_id', filter.hubspotId);
      if (filter.type !== undefined) query.where('type', filter.type);
      const rows: HandoverEventRow[] = await query;
      return rows.map(handoverEventFromRow);
    },

    async latest(hubspotIds, types) {
      const out = new Map<string, HandoverEvent>();
      if (types.length === 0) return out;
      for (const part of chunk(uniqueIds(hubspotIds), MAX_BATCH)) {
        // Verdicts are a few per contact at most, so reading them all and keeping the last is cheap.
        const rows: HandoverEventRow[] = await knex<HandoverEventRow>('handover_events')
          .select('*')
          .whereIn('hubspot_id', part)
          .whereIn('type', types)
          .orderBy([
            { column: 'occurred_at', order: 'asc' },
            { column: 'id', order: 'asc' },
          ]);
        for (const row of rows) out.set(row.hubspot_id, handoverEventFromRow(row));
      }
      return out;
    },
  };
}
