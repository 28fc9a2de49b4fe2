import type { RoutingCount, Store } from '../../store';
import { LAST_ASSIGNED, TEAM_SEQUENCE, type ClaimRequest, type ClaimResult, type RoutingLedger } from './ledger';
import type { PeriodKeys } from './periods';
import { EMPTY_LOAD, pickRep, type RepLoad } from './pick';

/**
 * The routing ledger in the store's `routing_counters` table, shared by every worker.
 *
 * Rows per team: `(team, rep, 'day:2024-05-01')` and `(team, rep, 'week:2024-W18')`
 * count leads; `(team, rep, 'last_assigned')` holds the team's assignment number of the
 * rep's latest lead; `(team, '*', 'sequence')` is that number's counter.
 *
 * A claim is one transaction that starts by incrementing the team's sequence row, which
 * is the team's lock on both dialects (see RoutingLedgerRepository.withTeamLock). Then it
 * reads the candidates' loads, picks with `pickRep` and counts the lead. On PostgreSQL
 * claims of different teams do not wait for each other. Each claim is one commit while
 * the team is locked, so a team takes about one lead per commit latency (~10 ms on the
 * test machine's disk). Needs no schema beyond 0001_initial.
 */
export class StoreRoutingLedger implements RoutingLedger {
  constructor(private readonly store: Pick<Store, 'routing'>) {}

  async claim(request: ClaimRequest): Promise<ClaimResult> {
    const { team, periods, candidates } = request;
    return this.store.routing.withTeamLock(team, TEAM_SEQUENCE, request.at, async (counters, sequence) => {
      const repIds = candidates.map((c) => c.repId);
      const loads = toLoads(periods, repIds, await counters.read(repIds, loadKeys(periods)));
      const { chosen, atCap } = pickRep(candidates, loads, request.fairness);
      if (chosen === null) return { chosen: null, atCap };

      // Day and week count the lead; last_assigned takes the sequence, in one statement.
      await counters.countAndMark(chosen, [periods.day, periods.week], { periodKey: LAST_ASSIGNED, count: sequence });

      const before = loads.get(chosen) ?? EMPTY_LOAD;
      return {
        chosen: { repId: chosen, load: { day: before.day + 1, week: before.week + 1, lastAssigned: sequence } },
        atCap,
      };
    });
  }

  async loads(team: string, periods: PeriodKeys, repIds: readonly string[]): Promise<Map<string, RepLoad>> {
    const rows = repIds.length === 0 ? [] : await this.store.routing.read(team, repIds, loadKeys(periods));
    return toLoads(periods, repIds, rows);
  }
}

function loadKeys(periods: PeriodKeys): string[] {
  return [periods.day, periods.week, LAST_ASSIGNED];
}

function toLoads(periods: PeriodKeys, repIds: readonly string[], rows: readonly RoutingCount[]): Map<string, RepLoad> {
  const loads = new Map<string, RepLoad>(repIds.map((id) => [id, { ...EMPTY_LOAD }]));
  for (const row of rows) {
    const load = loads.get(row.repId);
    if (load === undefined) continue;
    if (row.periodKey === periods.day) load.day = row.count;
    else if (row.periodKey === periods.week) load.week = row.count;
    else load.lastAssigned = row.count;
  }
  return loads;
}
