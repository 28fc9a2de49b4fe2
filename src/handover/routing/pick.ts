import type { FAIRNESS_PERIODS } from '../../config/handover-file';

export type FairnessPeriod = (typeof FAIRNESS_PERIODS)[number];

/** A rep who may take the lead, with what limits them. */
export interface Candidate {
  /** The rep's email, lower case; also their key in the ledger. */
  repId: string;
  /** 1 for round robin. */
  weight: number;
  perDay?: number;
  perWeek?: number;
}

/** A rep's leads in one team: today, this week, and when they last got one. */
export interface RepLoad {
  day: number;
  week: number;
  /** The team's assignment number of the rep's latest lead; 0 when never. */
  lastAssigned: number;
}

export const EMPTY_LOAD: RepLoad = { day: 0, week: 0, lastAssigned: 0 };

export interface CapHit {
  repId: string;
  cap: 'day' | 'week';
  limit: number;
  load: RepLoad;
}

export interface Pick {
  chosen: string | null;
  atCap: CapHit[];
}

/**
 * The rep whose turn it is: among those below their caps, the fewest leads per unit of
 * weight in the fairness period; on a tie the one who waited longest, then team order.
 * With equal weights this is round robin that also evens out after a rep was away;
 * with weights 2:1 the first rep gets two leads for each of the second's.
 */
export function pickRep(
  candidates: readonly Candidate[],
  loads: ReadonlyMap<string, RepLoad>,
  fairness: FairnessPeriod,
): Pick {
  const atCap: CapHit[] = [];
  let best: { c: Candidate; load: RepLoad } | undefined;
  for (const c of candidates) {
    const load = loads.get(c.repId) ?? EMPTY_LOAD;
    if (c.perDay !== undefined && load.day >= c.perDay) {
      atCap.push({ repId: c.repId, cap: 'day', limit: c.perDay, load });
      continue;
    }
    if (c.perWeek !== undefined && load.week >= c.perWeek) {
      atCap.push({ repId: c.repId, cap: 'week', limit: c.perWeek, load });
      continue;
    }
    if (best === undefined || before(c, load, best.c, best.load, fairness)) best = { c, load };
  }
  return { chosen: best?.c.repId ?? null, atCap };
}

function before(a: Candidate, aLoad: RepLoad, b: Candidate, bLoad: RepLoad, fairness: FairnessPeriod): boolean {
  // count/weight compared by cross-multiplying, so 1/3 and 2/6 tie exactly.
  const lhs = aLoad[fairness] * b.weight;
  const rhs = bLoad[fairness] * a.weight;
  if (lhs !== rhs) return lhs < rhs;
  return aLoad.lastAssigned < bLoad.lastAssigned;
}
