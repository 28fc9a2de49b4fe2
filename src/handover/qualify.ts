import {
  DEFAULT_REQUALIFY_AFTER,
  parseDuration,
  type Condition,
  type HandoverPolicy,
  type RequalifyAfter,
} from '../config/handover-file';
import { domainMatches, emailDomain } from './routing/domains';
import { oneOf, propertyValue, type ContactProperties } from './routing/lead';

export interface Qualification {
  qualified: boolean;
  /** Why: every criterion that failed, or, for a qualified lead, every criterion it met. */
  reasons: string[];
}

/** The policy's qualification; `requalify_after` may be left out (the defaults apply). */
export interface QualificationPolicy {
  qualification: Omit<HandoverPolicy['qualification'], 'requalify_after'> & { requalify_after?: RequalifyAfter };
}

/** How the lead's latest handover ended, as the store recorded it. */
export interface PreviousHandover {
  outcome: 'accepted' | 'rejected' | 'recycled';
  at: Date;
}

/** The handover events that record sales' verdict (the workflow records one per finished run). */
export const VERDICT_EVENT_TYPES = ['accepted', 'rejected', 'recycled'] as const;

/** The verdict a stored event records, or null for any other event. */
export function previousHandoverOf(event: { type: string; occurredAt: Date } | undefined): PreviousHandover | null {
  if (event === undefined) return null;
  const outcome = VERDICT_EVENT_TYPES.find((t) => t === event.type);
  return outcome === undefined ? null : { outcome, at: event.occurredAt };
}

interface Check {
  passed: boolean;
  reason: string;
}

/** At most five values, so a reason stays one readable line. */
function listed(values: readonly string[]): string {
  return values.length <= 5 ? values.join(', ') : `${values.slice(0, 5).join(', ')} and ${values.length - 5} more`;
}

function parseNumber(value: string): number | null {
  const n = Number(value.replace(/,/g, ''));
  return Number.isFinite(n) ? n : null;
}

function checkCondition(
  c: Condition,
  properties: ContactProperties,
  domainLists: Readonly<Record<string, string[]>>,
): Check {
  const value = propertyValue(properties, c.property);
  const name = c.property;
  if (c.in !== undefined) {
    if (value === null) return { passed: false, reason: `${name} is blank (must be one of: ${listed(c.in)})` };
    return oneOf(value, c.in)
      ? { passed: true, reason: `${name} "${value}" is one of the allowed values` }
      : { passed: false, reason: `${name} "${value}" is not one of: ${listed(c.in)}` };
  }
  if (c.not_in !== undefined) {
    if (value === null) return { passed: true, reason: `${name} is blank, so not excluded` };
    return oneOf(value, c.not_in)
      ? { passed: false, reason: `${name} "${value}" is excluded` }
      : { passed: true, reason: `${name} "${value}" is not excluded` };
  }
  if (c.domain_in !== undefined || c.domain_not_in !== undefined) {
    const entries = c.domain_in ?? c.domain_not_in ?? [];
    const domain = emailDomain(value);
    if (domain === null)
      return { passed: false, reason: value === null ? `${name} is blank` : `${name} "${value}" has no domain` };
    // An entry is a list under qualification > domain_lists or a domain written inline.
    const hit = entries.find((entry) => (domainLists[entry] ?? [entry]).some((d) => domainMatches(domain, d)));
    if (c.domain_in !== undefined) {
      return hit !== undefined
        ? { passed: true, reason: `${name} domain ${domain} is in ${hit}` }
        : { passed: false, reason: `${name} domain ${domain} is not in ${listed(entries)}` };
    }
    return hit !== undefined
      ? { passed: false, reason: `${name} domain ${domain} is in ${hit}` }
      : { passed: true, reason: `${name} domain ${domain} is not in ${listed(entries)}` };
  }
  if (c.is_known !== undefined) {
    const known = value !== null;
    return { passed: known === c.is_known, reason: known ? `${name} is known` : `${name} is blank` };
  }
  // at_least and/or at_most: the schema guarantees one of the tests above or this range.
  if (value === null) return { passed: false, reason: `${name} is blank` };
  const n = parseNumber(value);
  if (n === null) return { passed: false, reason: `${name} "${value}" is not a number` };
  if (c.at_least !== undefined && n < c.at_least)
    return { passed: false, reason: `${name} is ${n}, below ${c.at_least}` };
  if (c.at_most !== undefined && n > c.at_most) return { passed: false, reason: `${name} is ${n}, above ${c.at_most}` };
  const bounds = [
    c.at_least !== undefined ? `at least ${c.at_least}` : null,
    c.at_most !== undefined ? `at most ${c.at_most}` : null,
  ];
  return { passed: true, reason: `${name} is ${n}, ${bounds.filter((b) => b !== null).join(' and ')}` };
}

const DAY_MS = 86_400_000;
const day = (d: Date) => d.toISOString().slice(0, 10);

function ago(ms: number): string {
  const days = Math.floor(ms / DAY_MS);
  if (days >= 1) return days === 1 ? '1 day ago' : `${days} days ago`;
  const hours = Math.floor(ms / 3_600_000);
  return hours >= 1 ? (hours === 1 ? '1 hour ago' : `${hours} hours ago`) : 'less than an hour ago';
}

/** The cool-down after sales sent a lead back; null when it does not apply (no earlier verdict, or accepted). */
export function requalifyCheck(
  policy: QualificationPolicy,
  previous: PreviousHandover | null,
  now: Date,
): Check | null {
  if (previous === null || previous.outcome === 'accepted') return null;
  const wait =
    policy.qualification.requalify_after?.[previous.outcome] ??
    parseDuration(DEFAULT_REQUALIFY_AFTER[previous.outcome]);
  if (wait === null) return null;
  const since = now.getTime() - previous.at.getTime();
  const verdict = `${previous.outcome} by sales on ${day(previous.at)} (${ago(Math.max(0, since))})`;
  if (since < wait.ms) {
    return {
      passed: false,
      reason: `${verdict}; can qualify again after ${wait.text}, from ${day(new Date(previous.at.getTime() + wait.ms))}`,
    };
  }
  return { passed: true, reason: `${verdict}, longer ago than the ${wait.text} cool-down` };
}

/**
 * Whether a contact is an MQL under `qualification`, with the reasons in plain English.
 * With `history`, a lead sales rejected or recycled within `requalify_after` does not qualify.
 */
export function qualifies(
  policy: QualificationPolicy,
  properties: ContactProperties,
  history?: { previous: PreviousHandover | null; now: Date },
): Qualification {
  const { score, conditions, domain_lists: domainLists } = policy.qualification;
  const checks: Check[] = [];

  const raw = propertyValue(properties, score.property);
  const n = raw === null ? null : parseNumber(raw);
  if (raw === null)
    checks.push({ passed: false, reason: `${score.property} is blank (needs at least ${score.at_least})` });
  else if (n === null) checks.push({ passed: false, reason: `${score.property} "${raw}" is not a number` });
  else if (n < score.at_least)
    checks.push({ passed: false, reason: `${score.property} is ${n}, below ${score.at_least}` });
  else checks.push({ passed: true, reason: `${score.property} is ${n}, at least ${score.at_least}` });

  for (const c of conditions) checks.push(checkCondition(c, properties, domainLists));
  const cooled = history ? requalifyCheck(policy, history.previous, history.now) : null;
  if (cooled !== null) checks.push(cooled);

  const qualified = checks.every((c) => c.passed);
  return { qualified, reasons: checks.filter((c) => c.passed === qualified).map((c) => c.reason) };
}
