import type { PeriodKeys } from './periods';
import { EMPTY_LOAD, pickRep, type Candidate, type CapHit, type FairnessPeriod, type RepLoad } from './pick';

/** Period key of the row that holds a rep's latest assignment number. */
export const LAST_ASSIGNED = 'last_assigned';
/** Rep id and period key of a team's assignment counter, which is also its lock row. */
export const TEAM_SEQUENCE = { repId: '*', periodKey: 'sequence' } as const;

export interface ClaimRequest {
  team: string;
  periods: PeriodKeys;
  fairness: FairnessPeriod;
  /** In team order (the last tie-breaker). */
  candidates: readonly Candidate[];
  at: Date;
}

export interface ClaimResult {
  /** The rep who got the lead, with their load after it; null when every candidate is at a cap. */
  chosen: { repId: string; load: RepLoad } | null;
  atCap: CapHit[];
}

/**
 * Whose turn it is and how many leads each rep has had. `claim` must be atomic: read
 * the loads, pick with `pickRep`, count the lead, with no other claim of the same team
 * in between, so that concurrent handovers neither break the rotation nor exceed a cap.
 */
export interface RoutingLedger {
  claim(request: ClaimRequest): Promise<ClaimResult>;
  /** Loads of some reps of a team (reports, tests); reps without leads get EMPTY_LOAD. */
  loads(team: string, periods: PeriodKeys, repIds: readonly string[]): Promise<Map<string, RepLoad>>;
}

/**
 * The ledger of one process, for tests and dry runs. A claim runs without awaiting
 * anything, so on Node's single thread it is atomic.
 */
export class MemoryRoutingLedger implements RoutingLedger {
  private readonly counts = new Map<string, number>();
  private readonly sequences = new Map<string, number>();

  private static key(team: string, repId: string, period: string): string {
    return JSON.stringify([team, repId, period]);
  }

  private load(team: string, periods: PeriodKeys, repId: string): RepLoad {
    const get = (period: string) => this.counts.get(MemoryRoutingLedger.key(team, repId, period)) ?? 0;
    return { day: get(periods.day), week: get(periods.week), lastAssigned: get(LAST_ASSIGNED) };
  }

  async claim(request: ClaimRequest): Promise<ClaimResult> {
    const { team, periods } = request;
    const sequence = (this.sequences.get(team) ?? 0) + 1;
    this.sequences.set(team, sequence);
    const loads = new Map(request.candidates.map((c) => [c.repId, this.load(team, periods, c.repId)]));
    const { chosen, atCap } = pickRep(request.candidates, loads, request.fairness);
    if (chosen === null) return { chosen: null, atCap };
    const before = loads.get(chosen) ?? EMPTY_LOAD;
    const after: RepLoad = { day: before.day + 1, week: before.week + 1, lastAssigned: sequence };
    this.counts.set(MemoryRoutingLedger.key(team, chosen, periods.day), after.day);
    this.counts.set(MemoryRoutingLedger.key(team, chosen, periods.week), after.week);
    this.counts.set(MemoryRoutingLedger.key(team, chosen, LAST_ASSIGNED), sequence);
    return { chosen: { repId: chosen, load: after }, atCap };
  }

  async loads(team: string, periods: PeriodKeys, repIds: readonly string[]): Promise<Map<string, RepLoad>> {
    return new Map(repIds.map((id) => [id, this.load(team, periods, id)]));
  }
}
