import type { HandoverPolicy, OwnerTarget, Rep, Team } from '../../config/handover-file';
import { repName } from './domains';
import type { ContactProperties } from './lead';
import type { RoutingLedger } from './ledger';
import { periodKeys } from './periods';
import type { Candidate, CapHit, RepLoad } from './pick';
import { chooseTeam } from './rules';

/** A rep's state in Salesforce: `inactive` is User.IsActive = false, `away` the policy's away field. */
export type RepStatus = 'available' | 'away' | 'inactive';

export interface AssignmentInput {
  /** The HubSpot contact's properties (routing reads `routing > fields`). */
  properties: ContactProperties;
  now: Date;
  /**
   * Status of every rep the decision may consider (team reps and affinity owners), by
   * lower-case email. A rep missing here has no Salesforce User with that email.
   */
  availability: Readonly<Record<string, RepStatus>>;
  /** Email of the rep who owned or worked this person before, if any. */
  previousOwner?: string | null;
  /** Owner of the Salesforce Account whose Website domain matches the lead's email domain. */
  accountOwner?: { email: string; domain?: string | null } | null;
  /** Reps who already had this lead (an SLA breach reassigns to someone else). */
  exclude?: readonly string[];
}

export type AssignedVia = 'previous_owner' | 'account_owner' | 'round_robin' | 'weighted' | 'fallback';
export type ExclusionReason = 'had_this_lead' | 'away' | 'inactive' | 'no_salesforce_user' | 'cap_day' | 'cap_week';

export interface Exclusion {
  email: string;
  /** In which step the rep was passed over. */
  as: 'previous_owner' | 'account_owner' | 'team_rep';
  reason: ExclusionReason;
  detail: string;
}

export interface Assignment {
  owner: OwnerTarget;
  via: AssignedVia;
  /** The team whose counters count this lead, or whose rule sent it to a fallback. */
  team: string | null;
  /** The routing rule that chose the team; null for affinity or when no rule matched. */
  rule: { index: number; name: string | null } | null;
  /** One line for people, e.g. `round robin in team EMEA: dana.kowalski (3 of 20 today)`. */
  explanation: string;
  /** How the rules read the lead, when they were consulted. */
  route: string | null;
  /** Reps passed over: affinity owners first, then team reps in team order. */
  excluded: Exclusion[];
  /** The owner's load after this lead, when it was counted. */
  load: RepLoad | null;
}

interface Membership {
  name: string;
  team: Team;
  rep: Rep;
}

const STRATEGY_LABEL: Record<Team['strategy'], string> = { round_robin: 'round robin', weighted: 'weighted' };

function capsOf({ team, rep }: Membership): { perDay?: number; perWeek?: number } {
  return { perDay: rep.caps?.per_day ?? team.caps?.per_day, perWeek: rep.caps?.per_week ?? team.caps?.per_week };
}

function candidateOf(m: Membership): Candidate {
  return { repId: m.rep.email, weight: m.team.strategy === 'weighted' ? (m.rep.weight ?? 1) : 1, ...capsOf(m) };
}

/** `3 of 20 today, 12 of 80 this week`; caps that are not set are left out. */
export function describeLoad(load: RepLoad, caps: { perDay?: number; perWeek?: number }): string {
  const today = caps.perDay !== undefined ? `${load.day} of ${caps.perDay} today` : `${load.day} today`;
  return caps.perWeek !== undefined ? `${today}, ${load.week} of ${caps.perWeek} this week` : today;
}

function describeTarget(target: OwnerTarget): string {
  return target.kind === 'user' ? `fallback owner ${repName(target.email)}` : `fallback queue "${target.name}"`;
}

function capDetail(hit: CapHit): string {
  return `${repName(hit.repId)} has reached the cap of ${hit.limit} ${hit.cap === 'day' ? 'today' : 'this week'}`;
}

/**
 * Decides who gets a qualified lead: the previous owner, then the account owner (each
 * when switched on and eligible), then the team of the first matching rule by its
 * strategy, skipping away, inactive and capped reps, and last the fallback. Pure except
 * for the ledger, which counts the lead atomically; affinity owners who are in a team
 * count against that team's caps too, so a rep's load includes every lead they get.
 */
export async function assignOwner(
  policy: HandoverPolicy,
  input: AssignmentInput,
  ledger: RoutingLedger,
): Promise<Assignment> {
  const { routing } = policy;
  const excluded: Exclusion[] = [];
  const hadLead = new Set((input.exclude ?? []).map((e) => e.trim().toLowerCase()));
  const availability = new Map(
    Object.entries(input.availability).map(([email, status]) => [email.trim().toLowerCase(), status]),
  );
  const memberships = new Map<string, Membership>();
  for (const [name, team] of Object.entries(routing.teams))
    for (const rep of team.reps) memberships.set(rep.email, { name, team, rep });

  /** Not yet a cap check: whether the rep may be considered at all. */
  const eligible = (email: string, as: Exclusion['as'], who: string): boolean => {
    const status = availability.get(email);
    const skip = (reason: ExclusionReason, detail: string) => {
      excluded.push({ email, as, reason, detail });
      return false;
    };
    if (hadLead.has(email)) return skip('had_this_lead', `${who} already had this lead`);
    if (status === undefined) return skip('no_salesforce_user', `${who} has no Salesforce user with this email`);
    if (status === 'inactive') return skip('inactive', `${who} is inactive in Salesforce`);
    if (status === 'away') return skip('away', `${who} is away`);
    return true;
  };

  const claimFor = (name: string, team: Team, candidates: Candidate[]) =>
    ledger.claim({
      team: name,
      periods: periodKeys(input.now, team.timezone ?? routing.timezone),
      fairness: team.fairness_period,
      candidates,
      at: input.now,
    });

  const affinity = async (
    rawEmail: string,
    as: 'previous_owner' | 'account_owner',
    label: string,
  ): Promise<Assignment | null> => {
    const email = rawEmail.trim().toLowerCase();
    if (!eligible(email, as, `${label} ${repName(email)}`)) return null;
    const owner: OwnerTarget = { kind: 'user', email };
    const m = memberships.get(email);
    if (m === undefined) {
      // An account manager outside the routing teams still gets their account's leads; no team caps apply.
      return {
        owner,
        via: as,
        team: null,
        rule: null,
        explanation: `${label}: ${repName(email)} (not in a routing team)`,
        route: null,
        excluded,
        load: null,
      };
    }
    const result = await claimFor(m.name, m.team, [candidateOf(m)]);
    for (const hit of result.atCap)
      excluded.push({
        email,
        as,
        reason: hit.cap === 'day' ? 'cap_day' : 'cap_week',
        detail: `${label} ${capDetail(hit)}`,
      });
    if (result.chosen === null) return null;
    const load = result.chosen.load;
    return {
      owner,
      via: as,
      team: m.name,
      rule: null,
      explanation: `${label}: ${repName(email)} (${describeLoad(load, capsOf(m))})`,
      route: null,
      excluded,
      load,
    };
  };

  if (routing.affinity.previous_owner && input.previousOwner) {
    const decided = await affinity(input.previousOwner, 'previous_owner', 'previous owner');
    if (decided) return decided;
  }
  if (routing.affinity.account_owner && input.accountOwner) {
    const domain = input.accountOwner.domain?.trim();
    const decided = await affinity(
      input.accountOwner.email,
      'account_owner',
      domain ? `account owner of ${domain}` : 'account owner',
    );
    if (decided) return decided;
  }

  const choice = chooseTeam(policy, input.properties);
  const fallback = (target: OwnerTarget, team: string | null, why: string): Assignment => ({
    owner: target,
    via: 'fallback',
    team,
    rule: choice.rule,
    explanation: `${describeTarget(target)}: ${why}`,
    route: choice.explanation,
    excluded,
    load: null,
  });

  if (choice.team === null) return fallback(routing.fallback, null, choice.explanation);
  const team = routing.teams[choice.team];
  // The file check refuses rules naming unknown teams; this guards a policy built in code.
  if (team === undefined) return fallback(routing.fallback, choice.team, `team ${choice.team} is not defined`);
  const teamFallback = team.fallback ?? routing.fallback;
  if (team.reps.length === 0) return fallback(teamFallback, choice.team, `team ${choice.team} has no reps`);

  const members = team.reps.map((rep): Membership => ({ name: choice.team, team, rep }));
  const candidates = members.filter((m) => eligible(m.rep.email, 'team_rep', repName(m.rep.email))).map(candidateOf);
  const result = candidates.length > 0 ? await claimFor(choice.team, team, candidates) : { chosen: null, atCap: [] };
  for (const hit of result.atCap)
    excluded.push({
      email: hit.repId,
      as: 'team_rep',
      reason: hit.cap === 'day' ? 'cap_day' : 'cap_week',
      detail: capDetail(hit),
    });
  // Team reps in team order, whether they were skipped before the claim or at it.
  const order = new Map(team.reps.map((rep, i) => [rep.email, i]));
  const affinitySkips = excluded.filter((e) => e.as !== 'team_rep');
  const teamSkips = excluded
    .filter((e) => e.as === 'team_rep')
    .sort((x, y) => (order.get(x.email) ?? 0) - (order.get(y.email) ?? 0));
  excluded.splice(0, excluded.length, ...affinitySkips, ...teamSkips);

  if (result.chosen === null) {
    const reasons = teamSkips.map((e) => e.detail);
    const shown =
      reasons.length <= 5 ? reasons.join('; ') : `${reasons.slice(0, 5).join('; ')}; and ${reasons.length - 5} more`;
    return fallback(teamFallback, choice.team, `no rep of team ${choice.team} can take the lead (${shown})`);
  }
  const chosen = members.find((m) => m.rep.email === result.chosen?.repId);
  if (chosen === undefined)
    throw new Error(`routing ledger chose ${result.chosen.repId}, who is not a candidate of team ${choice.team}`);
  const weight = team.strategy === 'weighted' ? `weight ${chosen.rep.weight ?? 1}; ` : '';
  return {
    owner: { kind: 'user', email: chosen.rep.email },
    via: team.strategy,
    team: choice.team,
    rule: choice.rule,
    explanation: `${STRATEGY_LABEL[team.strategy]} in team ${choice.team}: ${repName(chosen.rep.email)} (${weight}${describeLoad(result.chosen.load, capsOf(chosen))})`,
    route: choice.explanation,
    excluded,
    load: result.chosen.load,
  };
}
