import type { Knex } from 'knex';
import type { Store } from '../../store';
import { LAST_ASSIGNED, TEAM_SEQUENCE, type ClaimRequest, type ClaimResult, type RoutingLedger } from './ledger';
import type { PeriodKeys } from './periods';
import { EMPTY_LOAD, pickRep, type RepLoad } from './pick';

const TABLE = 'routing_counters';
const KEY = ['team', 'rep_id', 'period_key'];

interface CounterRow {
  rep_id: string;
  period_key: string;
  count: number | string;
}

/**
 * The routing ledger in the store's `routing_counters` table, shared by every worker.
 *
 * Rows per team: `(team, rep, 'day:2024-05-01')` and `(team, rep, 'week:2024-W18')`
 * count leads; `(team, rep, 'last_assigned')` holds the team's assignment number of the
 * rep's latest lead; `(team, '*', 'sequence')` is that number's counter.
 *
 * A claim is one transaction that starts by incrementing the team's sequence row. That
 * first write is the lock, with the same SQL on both dialects:
 * - PostgreSQL: the upsert takes the row lock, so a second claim of the team waits
 *   until the first commits and (READ COMMITTED) its next statements see that commit.
 * - SQLite: a transaction that writes first takes the database's write lock at once
 *   and waits for it under busy_timeout, instead of reading a snapshot that another
 *   process can invalidate before the upgrade (SQLITE_BUSY_SNAPSHOT). In one process
 *   the pool's single connection already serialises transactions.
 * Then it reads the candidates' loads, picks with `pickRep` and counts the lead. On
 * PostgreSQL claims of different teams do not wait for each other. Each claim is one
 * commit while the team is locked, so a team takes about one lead per commit latency
 * (~10 ms on the test machine's disk). Needs no schema beyond 0001_initial.
 */
export class StoreRoutingLedger implements RoutingLedger {
  constructor(private readonly store: Pick<Store, 'knex'>) {}

  async claim(request: ClaimRequest): Promise<ClaimResult> {
    const { team, periods, candidates } = request;
    const now = request.at.getTime();
    return this.store.knex.transaction(async (trx) => {
      const sequence = await this.nextSequence(trx, team, now);
      const loads = await readLoads(
        trx,
        team,
        periods,
        candidates.map((c) => c.repId),
      );
      const { chosen, atCap } = pickRep(candidates, loads, request.fairness);
      if (chosen === null) return { chosen: null, atCap };

      // One statement for the three rows: the lock is held until commit, so every round
      // trip inside the transaction is time other claims of the team wait.
      await trx(TABLE)
        .insert([
          { team, rep_id: chosen, period_key: periods.day, count: 1, updated_at: now },
          { team, rep_id: chosen, period_key: periods.week, count: 1, updated_at: now },
          { team, rep_id: chosen, period_key: LAST_ASSIGNED, count: sequence, updated_at: now },
        ])
        .onConflict(KEY)
        .merge({
          count: trx.raw(
            'CASE WHEN routing_counters.period_key = ? THEN excluded.count ELSE routing_counters.count + 1 END',
            [LAST_ASSIGNED],
          ),
          updated_at: trx.raw('excluded.updated_at'),
        });

      const before = loads.get(chosen) ?? EMPTY_LOAD;
      return {
        chosen: { repId: chosen, load: { day: before.day + 1, week: before.week + 1, lastAssigned: sequence } },
        atCap,
      };
    });
  }

  async loads(team: string, periods: PeriodKeys, repIds: readonly string[]): Promise<Map<string, RepLoad>> {
    return readLoads(this.store.knex, team, periods, repIds);
  }

  private async nextSequence(trx: Knex.Transaction, team: string, now: number): Promise<number> {
    const rows: Array<{ count: number | string }> = await trx(TABLE)
      .insert({ team, rep_id: TEAM_SEQUENCE.repId, period_key: TEAM_SEQUENCE.periodKey, count: 1, updated_at: now })
      .onConflict(KEY)
      .merge({ count: trx.raw('routing_counters.count + 1'), updated_at: trx.raw('excluded.updated_at') })
      .returning('count');
    const count = Number(rows[0]?.count);
    if (!Number.isSafeInteger(count)) throw new Error(`routing ledger: the sequence of team "${team}" is not a number`);
    return count;
  }
}

async function readLoads(
  db: Knex | Knex.Transaction,
  team: string,
  periods: PeriodKeys,
  repIds: readonly string[],
): Promise<Map<string, RepLoad>> {
  const loads = new Map<string, RepLoad>(repIds.map((id) => [id, { ...EMPTY_LOAD }]));
  if (repIds.length === 0) return loads;
  // A team has tens of reps, far below any bound-variable limit.
  const rows: CounterRow[] = await db(TABLE)
    .select('rep_id', 'period_key', 'count')
    .where('team', team)
    .whereIn('rep_id', [...new Set(repIds)])
    .whereIn('period_key', [periods.day, periods.week, LAST_ASSIGNED]);
  for (const row of rows) {
    const load = loads.get(row.rep_id);
    if (load === undefined) continue;
    const count = Number(row.count);
    if (row.period_key === periods.day) load.day = count;
    else if (row.period_key === periods.week) load.week = count;
    else load.lastAssigned = count;
  }
  return loads;
}
