import type { HandoverPolicy, Rule, RuleConditions } from '../../config/handover-file';
import { describeFacts, leadFacts, oneOf, type ContactProperties, type LeadFacts } from './lead';

export type TeamChoice =
  | { team: string; rule: { index: number; name: string | null }; facts: LeadFacts; explanation: string }
  | { team: null; rule: null; facts: LeadFacts; explanation: string };

/** True when the lead meets every condition given; a condition on an unknown fact fails. */
export function matchesConditions(when: RuleConditions, facts: LeadFacts): boolean {
  if (when.region !== undefined && (facts.region === null || !oneOf(facts.region, when.region))) return false;
  if (when.country !== undefined && (facts.country === null || !oneOf(facts.country, when.country))) return false;
  if (when.industry !== undefined && (facts.industry === null || !oneOf(facts.industry, when.industry))) return false;
  const size = when.employees;
  if (size !== undefined) {
    if (facts.employees === null) return false;
    if (size.min !== undefined && facts.employees < size.min) return false;
    if (size.max !== undefined && facts.employees > size.max) return false;
  }
  return true;
}

/** How a rule is named to people: its name, else where it stands in the file. */
export function ruleLabel(rule: Rule, index: number): string {
  return rule.name !== undefined ? `rule "${rule.name}"` : `rule routing > rules > ${index}`;
}

/** The first rule, in file order, whose conditions the lead meets. */
export function chooseTeam(policy: HandoverPolicy, properties: ContactProperties): TeamChoice {
  const facts = leadFacts(policy.routing, properties);
  const index = policy.routing.rules.findIndex((rule) => matchesConditions(rule.when, facts));
  const rule = policy.routing.rules[index];
  if (rule === undefined) {
    return { team: null, rule: null, facts, explanation: `no routing rule matched (${describeFacts(facts)})` };
  }
  return {
    team: rule.team,
    rule: { index, name: rule.name ?? null },
    facts,
    explanation: `${ruleLabel(rule, index)} matched (${describeFacts(facts)}) → team ${rule.team}`,
  };
}

/** Whether the lead goes through the research queue before sales. */
export function needsPresales(policy: HandoverPolicy, properties: ContactProperties): boolean {
  const presales = policy.presales;
  if (presales === undefined || !presales.enabled) return false;
  return presales.when === undefined || matchesConditions(presales.when, leadFacts(policy.routing, properties));
}
