import type { Knex } from 'knex';
import type { StoreContext } from './context';
import { toInt } from './rows';

const TABLE = 'routing_counters';
const KEY = ['team', 'rep_id', 'period_key'];

/** One row of `routing_counters`: what the routing ledger counted for a rep in a period. */
export interface RoutingCount {
  repId: string;
  periodKey: string;
  count: number;
}

/** The routing counters of one team, read and written inside the transaction that holds its lock. */
export interface LockedTeamCounters {
  /** The stored rows of these reps for these period keys; missing rows are absent. */
  read(repIds: readonly string[], periodKeys: readonly string[]): Promise<RoutingCount[]>;
  /**
   * One statement for all rows, since the team's lock is held until commit: adds one to the
   * rep's counter of each of `periodKeys` and sets its `mark.periodKey` row to `mark.count`.
   */
  countAndMark(repId: string, periodKeys: readonly string[], mark: { periodKey: string; count: number }): Promise<void>;
}

/**
 * The `routing_counters` table: per team, rep and period key, a count. What the rows mean
 * (lead counts per day and week, the last assignment, the team's sequence) is the routing
 * ledger's business (src/handover/routing/store-ledger.ts); this is only its SQL.
 */
export interface RoutingLedgerRepository {
  /** Atomically adds one and returns the new count. */
  increment(team: string, repId: string, periodKey: string): Promise<number>;
  /** Counts per rep id for one team and period. */
  counts(team: string, periodKey: string): Promise<Map<string, number>>;
  /** The stored rows of these reps for these period keys; missing rows are absent. */
  read(team: string, repIds: readonly string[], periodKeys: readonly string[]): Promise<RoutingCount[]>;
  /**
   * Runs `work` in one transaction that starts by adding one to the team's `lock` row and
   * passes it the new count. That first write is the lock, with the same SQL on both
   * dialects: on PostgreSQL the upsert takes the row lock, so a second transaction of the
   * team waits until the first commits (and, READ COMMITTED, then sees that commit); on
   * SQLite a transaction that writes first takes the database's write lock at once and
   * waits for it under busy_timeout, instead of reading a snapshot another process can
   * invalidate before the upgrade (SQLITE_BUSY_SNAPSHOT). Rows written carry `at`.
   */
  withTeamLock<T>(
    team: string,
    lock: { repId: string; periodKey: string },
    at: Date,
    work: (counters: LockedTeamCounters, sequence: number) => Promise<T>,
  ): Promise<T>;
}

async function readCounts(
  db: Knex | Knex.Transaction,
  team: string,
  repIds: readonly string[],
  periodKeys: readonly string[],
): Promise<RoutingCount[]> {
  if (repIds.length === 0) return [];
  // A team has tens of reps, far below any bound-variable limit.
  const rows: Array<{ rep_id: string; period_key: string; count: number | string }> = await db(TABLE)
    .select('rep_id', 'period_key', 'count')
    .where('team', team)
    .whereIn('rep_id', [...new Set(repIds)])
    .whereIn('period_key', [...periodKeys]);
  return rows.map((r) => ({ repId: r.rep_id, periodKey: r.period_key, count: Number(r.count) }));
}

export function routingLedgerRepository(ctx: StoreContext): RoutingLedgerRepository {
  const { knex } = ctx;
  return {
    async increment(team, repId, periodKey) {
      // One statement, so concurrent workers never lose an increment (ON CONFLICT … RETURNING
      // needs SQLite ≥ 3.35; better-sqlite3 bundles a newer one).
      const rows: Array<{ count: number | string }> = await knex(TABLE)
        .insert({ team, rep_id: repId, period_key: periodKey, count: 1, updated_at: ctx.nowMs() })
        .onConflict(KEY)
        .merge({ count: knex.raw('routing_counters.count + 1'), updated_at: knex.raw('excluded.updated_at') })
        .returning('count');
      const row = rows[0];
      if (row === undefined) throw new Error('routing.increment: the upsert returned no row');
      return toInt(row.count);
    },

    async counts(team, periodKey) {
      const rows: Array<{ rep_id: string; count: number | string }> = await knex(TABLE)
        .select('rep_id', 'count')
        .where({ team, period_key: periodKey });
      return new Map(rows.map((r) => [r.rep_id, toInt(r.count)]));
    },

    read: (team, repIds, periodKeys) => readCounts(knex, team, repIds, periodKeys),

    withTeamLock(team, lock, at, work) {
      const now = at.getTime();
      return knex.transaction(async (trx) => {
        const rows: Array<{ count: number | string }> = await trx(TABLE)
          .insert({ team, rep_id: lock.repId, period_key: lock.periodKey, count: 1, updated_at: now })
          .onConflict(KEY)
          .merge({ count: trx.raw('routing_counters.count + 1'), updated_at: trx.raw('excluded.updated_at') })
          .returning('count');
        const sequence = Number(rows[0]?.count);
        if (!Number.isSafeInteger(sequence))
          throw new Error(`routing ledger: the sequence of team "${team}" is not a number`);

        const counters: LockedTeamCounters = {
          read: (repIds, periodKeys) => readCounts(trx, team, repIds, periodKeys),
          async countAndMark(repId, periodKeys, mark) {
            await trx(TABLE)
              .insert([
                ...periodKeys.map((periodKey) => ({
                  team,
                  rep_id: repId,
                  period_key: periodKey,
                  count: 1,
                  updated_at: now,
                })),
                { team, rep_id: repId, period_key: mark.periodKey, count: mark.count, updated_at: now },
              ])
              .onConflict(KEY)
              .merge({
                count: trx.raw(
                  'CASE WHEN routing_counters.period_key = ? THEN excluded.count ELSE routing_counters.count + 1 END',
                  [mark.periodKey],
                ),
                updated_at: trx.raw('excluded.updated_at'),
              });
          },
        };
        return work(counters, sequence);
      });
    },
  };
}
