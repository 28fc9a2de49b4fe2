/**
 * Owner assignment for the lead handover: qualification, rules, affinity, round robin and
 * weighted rotation with caps and availability. Everything here is pure except the
 * ledger, which keeps the counts (in memory for tests, in the store for workers).
 */
export {
  assignOwner,
  describeLoad,
  type AssignedVia,
  type Assignment,
  type AssignmentInput,
  type Exclusion,
  type ExclusionReason,
  type RepStatus,
} from './assign';
export { domainMatches, emailDomain, repName, websiteDomain } from './domains';
export {
  describeFacts,
  leadFacts,
  parseEmployees,
  propertyValue,
  type ContactProperties,
  type LeadFacts,
} from './lead';
export {
  LAST_ASSIGNED,
  MemoryRoutingLedger,
  TEAM_SEQUENCE,
  type ClaimRequest,
  type ClaimResult,
  type RoutingLedger,
} from './ledger';
export { isoWeek, periodKeys, type PeriodKeys } from './periods';
export { EMPTY_LOAD, pickRep, type Candidate, type CapHit, type FairnessPeriod, type Pick, type RepLoad } from './pick';
export { chooseTeam, matchesConditions, needsPresales, ruleLabel, type TeamChoice } from './rules';
export { StoreRoutingLedger } from './store-ledger';
