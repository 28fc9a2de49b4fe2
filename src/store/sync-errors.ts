import { assertLimit, MAX_BATCH, uniqueIds, type StoreContext } from './context';
import { chunk, lastByKey, syncErrorFromRow, toJson, toMs, type SyncErrorRow } from './rows';
import type { SyncDirection, SyncError, SyncErrorBackoff, SyncErrorFilter, SyncErrorInput } from './types';

export const DEFAULT_SYNC_ERROR_BACKOFF: SyncErrorBackoff = {
  baseDelayMs: 60_000,
  maxDelayMs: 6 * 60 * 60_000,
  maxAttempts: 12,
};

/** Delay before retrying a record that has failed `attempts` times. */
export function syncErrorRetryDelayMs(
  attempts: number,
  backoff: SyncErrorBackoff = DEFAULT_SYNC_ERROR_BACKOFF,
): number {
  const exponent = Math.max(0, attempts - 1);
  return Math.min(backoff.maxDelayMs, backoff.baseDelayMs * 2 ** Math.min(exponent, 52));
}

export function validateBackoff(backoff: SyncErrorBackoff): SyncErrorBackoff {
  const { baseDelayMs, maxDelayMs, maxAttempts } = backoff;
  if (!Number.isSafeInteger(baseDelayMs) || baseDelayMs < 1)
    throw new RangeError('syncErrorBackoff.baseDelayMs must be a positive integer');
  if (!Number.isSafeInteger(maxDelayMs) || maxDelayMs < baseDelayMs)
    throw new RangeError('syncErrorBackoff.maxDelayMs must be an integer ≥ baseDelayMs');
  if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1)
    throw new RangeError('syncErrorBackoff.maxAttempts must be a positive integer');
  return backoff;
}

/** Records a side refused, with their retry schedule (see SyncErrorBackoff). */
export interface SyncErrorRepository {
  /**
   * A first failure opens an error due after baseDelayMs. A repeat of an open error adds an
   * attempt, takes the new reason and payload and pushes nextAttemptAt out exponentially;
   * at maxAttempts it becomes 'gave_up'. A failure of a resolved or given-up record reopens
   * it with attempts = 1 (a fresh change deserves a fresh schedule).
   */
  record(errors: SyncErrorInput[]): Promise<void>;
  /** Newest first (by lastSeenAt). */
  list(filter?: SyncErrorFilter): Promise<SyncError[]>;
  /** Marks open and given-up errors of these records resolved; returns how many changed. */
  resolve(mapping: string, direction: SyncDirection, sourceIds: string[]): Promise<number>;
  /** The ids among `sourceIds` with an unresolved (open or given up) error of this code. */
  findUnresolved(
    mapping: string,
    direction: SyncDirection,
    sourceIds: string[],
    errorCode: string,
  ): Promise<Set<string>>;
  /** Open errors with nextAttemptAt ≤ now, oldest due first. */
  due(mapping: string, direction: SyncDirection, now: Date, limit: number): Promise<SyncError[]>;
}

/** Throws a RangeError for an invalid backoff, before anything is opened. */
export function syncErrorRepository(ctx: StoreContext, backoff: SyncErrorBackoff): SyncErrorRepository {
  const { knex } = ctx;
  validateBackoff(backoff);
  return {
    async record(errors) {
      if (errors.length === 0) return;
      const now = ctx.nowMs();
      const { baseDelayMs, maxDelayMs, maxAttempts } = backoff;
      const rows = lastByKey(errors, (e) => JSON.stringify([e.mapping, e.direction, e.sourceId])).map((e) => ({
        mapping: e.mapping,
        direction: e.direction,
        source_id: e.sourceId,
        reason: e.reason,
        error_code: e.errorCode ?? null,
        payload: toJson(e.payload, `sync error payload for ${e.sourceId}`),
        attempts: 1,
        status: maxAttempts <= 1 || e.retry === false ? 'gave_up' : 'open',
        first_seen_at: now,
        last_seen_at: now,
        next_attempt_at: now + syncErrorRetryDelayMs(1, backoff),
        resolved_at: null,
      }));

      // The repeat case is computed in SQL from the stored row so concurrent recorders of the
      // same record each count. Old-row references (sync_errors.x) see pre-update values on
      // both dialects. The numbers are validated integers from our own config, not input.
      // capFrom = smallest n with base·2^n ≥ max; below it no cap is needed, so no LEAST/MIN.
      let capFrom = 0;
      while (capFrom < 52 && baseDelayMs * 2 ** capFrom < maxDelayMs) capFrom++;
      const isOpen = "sync_errors.status = 'open'";
      const raw = (sql: string) => knex.raw(sql);
      const merge = {
        reason: raw('excluded.reason'),
        error_code: raw('excluded.error_code'),
        payload: raw('excluded.payload'),
        last_seen_at: raw('excluded.last_seen_at'),
        first_seen_at: raw(`CASE WHEN ${isOpen} THEN sync_errors.first_seen_at ELSE excluded.first_seen_at END`),
        attempts: raw(`CASE WHEN ${isOpen} THEN sync_errors.attempts + 1 ELSE 1 END`),
        status: raw(
          `CASE WHEN excluded.status = 'gave_up' THEN 'gave_up' ` +
            `WHEN ${isOpen} AND sync_errors.attempts + 1 >= ${maxAttempts} THEN 'gave_up' ` +
            `WHEN ${isOpen} THEN 'open' ELSE excluded.status END`,
        ),
        next_attempt_at: raw(
          `CASE WHEN NOT (${isOpen}) THEN excluded.next_attempt_at ` +
            `WHEN sync_errors.attempts >= ${capFrom} THEN excluded.last_seen_at + ${maxDelayMs} ` +
            `ELSE excluded.last_seen_at + CAST(${baseDelayMs} AS BIGINT) * (CAST(1 AS BIGINT) << sync_errors.attempts) END`,
        ),
        resolved_at: null,
      };
      await knex.transaction(async (trx) => {
        for (const part of chunk(rows, MAX_BATCH)) {
          await trx('sync_errors').insert(part).onConflict(['mapping', 'direction', 'source_id']).merge(merge);
        }
      });
    },

    async list(filter = {}) {
      const query = knex<SyncErrorRow>('sync_errors')
        .select('*')
        .orderBy([
          { column: 'last_seen_at', order: 'desc' },
          { column: 'id', order: 'desc' },
        ]);
      if (filter.mapping !== undefined) query.where('mapping', filter.mapping);
      if (typeof filter.status === 'string') query.where('status', filter.status);
      else if (filter.status !== undefined) query.whereIn('status', [...filter.status]);
      if (filter.limit !== undefined) {
        assertLimit(filter.limit);
        query.limit(filter.limit);
      }
      const rows: SyncErrorRow[] = await query;
      return rows.map(syncErrorFromRow);
    },

    async resolve(mapping, direction, sourceIds) {
      if (sourceIds.length === 0) return 0;
      const now = ctx.nowMs();
      return knex.transaction(async (trx) => {
        let changed = 0;
        for (const part of chunk(uniqueIds(sourceIds), MAX_BATCH)) {
          changed += await trx('sync_errors')
            .where({ mapping, direction })
            .whereIn('source_id', part)
            .whereIn('status', ['open', 'gave_up'])
            .update({ status: 'resolved', resolved_at: now });
        }
        return changed;
      });
    },

    async findUnresolved(mapping, direction, sourceIds, errorCode) {
      const out = new Set<string>();
      for (const part of chunk(uniqueIds(sourceIds), MAX_BATCH)) {
        const rows: Array<{ source_id: string }> = await knex('sync_errors')
          .select('source_id')
          .where({ mapping, direction, error_code: errorCode })
          .whereIn('source_id', part)
          .whereIn('status', ['open', 'gave_up']);
        for (const r of rows) out.add(r.source_id);
      }
      return out;
    },

    async due(mapping, direction, now, limit) {
      assertLimit(limit);
      const rows: SyncErrorRow[] = await knex<SyncErrorRow>('sync_errors')
        .select('*')
        .where({ mapping, direction, status: 'open' })
        .where('next_attempt_at', '<=', toMs(now))
        .orderBy([
          { column: 'next_attempt_at', order: 'asc' },
          { column: 'id', order: 'asc' },
        ])
        .limit(limit);
      return rows.map(syncErrorFromRow);
    },
  };
}
