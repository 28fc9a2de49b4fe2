import { z } from 'zod';
import { checkDocument, readText, type Keys } from './document';
import { MappingError, sortProblems, type Problem as MappingProblem, type ProblemCode } from './problems';

/**
 * `mappings/handover.yaml` is the RevOps-owned policy of the lead handover: who counts as
 * an MQL, which team and rep get a lead, the SLA, which campaigns stop and how sales'
 * verdict flows back. Like the field mappings it is checked in two passes (structure with
 * zod, then references between sections) and every problem is reported at once with file,
 * line, column, a path such as `handover > routing > teams > EMEA > reps > 1` and a
 * message the person who edited the file can act on.
 */

export const STRATEGIES = ['round_robin', 'weighted'] as const;
export const FAIRNESS_PERIODS = ['day', 'week'] as const;
export const TOUCH_KINDS = ['task', 'status_change'] as const;
export const PRESALES_TIMEOUT_ACTIONS = ['route', 'escalate'] as const;
export const CAMPAIGN_SCOPE_ALL = 'all_active';

/** HubSpot's built-in lifecycle stages (internal values); custom stages have numeric ids. */
export const HUBSPOT_LIFECYCLE_STAGES = [
  'subscriber',
  'lead',
  'marketingqualifiedlead',
  'salesqualifiedlead',
  'opportunity',
  'customer',
  'evangelist',
  'other',
] as const;

// ---- durations ----

const DURATION_UNITS_MS = { w: 7 * 86_400_000, d: 86_400_000, h: 3_600_000, m: 60_000 } as const;
const DURATION_PATTERN = /^(?:(\d+)w)?\s*(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?$/;

export interface Duration {
  /** As written in the file, for messages (`4h`). */
  text: string;
  ms: number;
}

/** `30m`, `4h`, `2d`, `1w`, or combinations in that order (`1d 12h`); null when not a duration. */
export function parseDuration(text: string): Duration | null {
  const trimmed = text.trim();
  const match = DURATION_PATTERN.exec(trimmed);
  if (!match || trimmed === '') return null;
  const [, w, d, h, m] = match;
  const ms =
    Number(w ?? 0) * DURATION_UNITS_MS.w +
    Number(d ?? 0) * DURATION_UNITS_MS.d +
    Number(h ?? 0) * DURATION_UNITS_MS.h +
    Number(m ?? 0) * DURATION_UNITS_MS.m;
  return ms > 0 ? { text: trimmed, ms } : null;
}

// ---- building blocks ----

const text = (what: string) =>
  z
    .string({ error: `${what} must be a text value` })
    .trim()
    .min(1, `${what} must not be empty`);

// Deliberately loose: Salesforce Users are looked up by this address at run time, so the
// check only catches the obvious slips (a name instead of an address, a missing domain).
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const email = (what: string) =>
  z
    .string({ error: `${what} must be an email address like dana@example.com` })
    .trim()
    .regex(EMAIL, `${what} must be an email address like dana@example.com`)
    .transform((s) => s.toLowerCase());

const duration = (what: string) =>
  z.string({ error: `${what} must be a duration like 30m, 4h or 2d` }).transform((s, ctx) => {
    const parsed = parseDuration(s);
    if (parsed === null) {
      ctx.addIssue({ code: 'custom', message: `${what} must be a duration like 30m, 4h or 2d (got "${s}")` });
      return z.NEVER;
    }
    return parsed;
  });

const positiveInt = (what: string) =>
  z
    .number({ error: `${what} must be a whole number` })
    .int(`${what} must be a whole number`)
    .positive(`${what} must be greater than 0`);

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const timeZone = (what: string) =>
  text(what).refine(isTimeZone, {
    message: `${what} must be an IANA time zone such as Europe/Berlin, America/New_York or UTC`,
  });

/** A value compared as text: YAML turns `1000+` into text but `100` into a number. */
const scalar = (what: string) =>
  z
    .union([z.string(), z.number(), z.boolean()], { error: `${what} must be a text value` })
    .transform((v) => String(v).trim());

/** One value or a list of them; `region: EMEA` and `region: [EMEA]` mean the same. */
const oneOrMany = <T extends z.ZodType>(item: T, what: string) =>
  z.preprocess(
    (v) => (v === undefined || Array.isArray(v) ? v : [v]),
    z.array(item).min(1, `${what} must list at least one value`),
  );

/** A HubSpot list or workflow, by id (`101`) or by name (`Webinar: Q4 Launch`). */
const idOrName = (what: string) =>
  z
    .union([z.string(), z.number()], { error: `${what} must be an id or a name` })
    .transform((v) => String(v).trim())
    .refine((v) => v !== '', { message: `${what} must not be empty` });

/** A Salesforce owner: a User (by email) or a queue (by name). */
const target = (what: string) =>
  z
    .object({ user: email(`${what} > user`).optional(), queue: text(`${what} > queue`).optional() })
    .strict()
    .superRefine((t, ctx) => {
      if ((t.user === undefined) === (t.queue === undefined)) {
        ctx.addIssue({
          code: 'custom',
          message: `${what} needs either user (an email) or queue (a Salesforce queue name), not both or neither`,
        });
      }
    })
    .transform((t): OwnerTarget =>
      t.user !== undefined ? { kind: 'user', email: t.user } : { kind: 'queue', name: t.queue ?? '' },
    );

export type OwnerTarget = { kind: 'user'; email: string } | { kind: 'queue'; name: string };

// ---- qualification ----

/** How long a lead sales rejected or recycled waits before it can qualify again. */
export const DEFAULT_REQUALIFY_AFTER = { rejected: '90d', recycled: '30d' } as const;

const CONDITION_OPERATORS = ['in', 'not_in', 'domain_in', 'domain_not_in', 'is_known', 'at_least', 'at_most'] as const;

const conditionSchema = z
  .object({
    property: text('property'),
    in: oneOrMany(scalar('each value of in'), 'in').optional(),
    not_in: oneOrMany(scalar('each value of not_in'), 'not_in').optional(),
    domain_in: oneOrMany(text('each entry of domain_in'), 'domain_in').optional(),
    domain_not_in: oneOrMany(text('each entry of domain_not_in'), 'domain_not_in').optional(),
    is_known: z.boolean({ error: 'is_known must be true or false' }).optional(),
    at_least: z.number({ error: 'at_least must be a number' }).optional(),
    at_most: z.number({ error: 'at_most must be a number' }).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const given = CONDITION_OPERATORS.filter((op) => c[op] !== undefined);
    // at_least and at_most together are one range test.
    const groups = new Set(given.map((op) => (op === 'at_most' ? 'at_least' : op)));
    if (groups.size !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          groups.size === 0
            ? 'a condition needs one test: in, not_in, domain_in, domain_not_in, is_known, or at_least/at_most'
            : `a condition takes one test, this one has ${given.join(', ')}; split it into separate conditions`,
      });
    }
  });

export type Condition = z.output<typeof conditionSchema>;

const qualificationSchema = z
  .object({
    score: z
      .object({
        property: text('score > property'),
        at_least: z.number({ error: 'score > at_least must be a number' }),
      })
      .strict(),
    conditions: z.array(conditionSchema, { error: 'conditions must be a list' }).default([]),
    domain_lists: z
      .record(
        text('a domain list name'),
        z
          .array(
            text('each domain').transform((d) => d.toLowerCase().replace(/^@/, '')),
            { error: 'a domain list must be a list of domains' },
          )
          .min(1, 'a domain list must not be empty'),
      )
      .default({}),
    // A lead sales sent back keeps its high score; without a pause it would be handed over again at once.
    requalify_after: z
      .object({
        rejected: duration('requalify_after > rejected').prefault(DEFAULT_REQUALIFY_AFTER.rejected),
        recycled: duration('requalify_after > recycled').prefault(DEFAULT_REQUALIFY_AFTER.recycled),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type RequalifyAfter = z.output<typeof qualificationSchema>['requalify_after'];

// ---- routing ----

const employeesSchema = z
  .object({
    min: z
      .number({ error: 'employees > min must be a whole number' })
      .int('employees > min must be a whole number')
      .nonnegative('employees > min must not be negative')
      .optional(),
    max: z
      .number({ error: 'employees > max must be a whole number' })
      .int('employees > max must be a whole number')
      .nonnegative('employees > max must not be negative')
      .optional(),
  })
  .strict();

const whenSchema = z
  .object({
    region: oneOrMany(scalar('each region'), 'region').optional(),
    country: oneOrMany(scalar('each country'), 'country').optional(),
    industry: oneOrMany(scalar('each industry'), 'industry').optional(),
    employees: employeesSchema.optional(),
  })
  .strict();

export type RuleConditions = z.output<typeof whenSchema>;

const ruleSchema = z
  .object({
    name: text('name').optional(),
    when: whenSchema.prefault({}),
    team: text('team'),
  })
  .strict();

const capsSchema = z
  .object({ per_day: positiveInt('caps > per_day').optional(), per_week: positiveInt('caps > per_week').optional() })
  .strict();

export type Caps = z.output<typeof capsSchema>;

const repSchema = z.preprocess(
  // A plain email is the short form of { email }.
  (v) => (typeof v === 'string' ? { email: v } : v),
  z
    .object(
      {
        email: email('a rep'),
        weight: z.number({ error: 'weight must be a number' }).positive('weight must be greater than 0').optional(),
        caps: capsSchema.optional(),
      },
      { error: 'a rep must be an email or { email, weight, caps }' },
    )
    .strict(),
);

export type Rep = z.output<typeof repSchema>;

const teamSchema = z
  .object({
    strategy: z.enum(STRATEGIES, { error: `strategy must be one of: ${STRATEGIES.join(', ')}` }).default('round_robin'),
    fairness_period: z
      .enum(FAIRNESS_PERIODS, { error: `fairness_period must be one of: ${FAIRNESS_PERIODS.join(', ')}` })
      .default('day'),
    timezone: timeZone('timezone').optional(),
    caps: capsSchema.optional(),
    reps: z.array(repSchema, { error: 'reps must be a list of emails' }).default([]),
    fallback: target('fallback').optional(),
  })
  .strict();

export type Team = z.output<typeof teamSchema>;

const routingSchema = z
  .object({
    timezone: timeZone('timezone').default('UTC'),
    fields: z
      .object({
        country: text('fields > country').default('country'),
        industry: text('fields > industry').default('industry'),
        employees: text('fields > employees').default('numemployees'),
      })
      .strict()
      .prefault({}),
    regions: z.record(text('a region name'), oneOrMany(scalar('each country'), 'a region')).default({}),
    affinity: z
      .object({
        previous_owner: z.boolean({ error: 'previous_owner must be true or false' }).default(true),
        account_owner: z.boolean({ error: 'account_owner must be true or false' }).default(true),
      })
      .strict()
      .prefault({}),
    availability: z
      .object({ away_field: text('away_field').optional() })
      .strict()
      .prefault({}),
    rules: z.array(ruleSchema, { error: 'rules must be a list' }).min(1, 'routing needs at least one rule'),
    teams: z.record(text('a team name'), teamSchema, { error: 'teams must map team names to teams' }),
    fallback: target('fallback'),
  })
  .strict();

// ---- stages after routing ----

const presalesSchema = z
  .object({
    enabled: z.boolean({ error: 'enabled must be true or false' }).default(true),
    queue: text('queue').optional(),
    release_within: duration('release_within'),
    on_timeout: z
      .enum(PRESALES_TIMEOUT_ACTIONS, { error: `on_timeout must be one of: ${PRESALES_TIMEOUT_ACTIONS.join(', ')}` })
      .default('route'),
    when: whenSchema.optional(),
  })
  .strict();

const slaSchema = z
  .object({
    first_touch_within: duration('first_touch_within'),
    counts_as_touch: z
      .array(
        z.enum(TOUCH_KINDS, { error: `each entry of counts_as_touch must be one of: ${TOUCH_KINDS.join(', ')}` }),
        { error: 'counts_as_touch must be a list' },
      )
      .min(1, 'counts_as_touch must name at least one kind of touch')
      .default(['task', 'status_change']),
    new_status: text('new_status').default('Open - Not Contacted'),
    reassignments_before_escalation: z
      .number({ error: 'reassignments_before_escalation must be a whole number' })
      .int('reassignments_before_escalation must be a whole number')
      .nonnegative('reassignments_before_escalation must not be negative')
      .default(2),
    escalate_to: target('escalate_to').optional(),
  })
  .strict();

const campaignScope = (what: string) =>
  z.union(
    [
      z.literal(CAMPAIGN_SCOPE_ALL),
      z.array(idOrName(`each entry of ${what}`)).min(1, `${what} must list at least one id or name`),
    ],
    {
      error: `${what} must be ${CAMPAIGN_SCOPE_ALL} or a list of ids or names`,
    },
  );

const campaignStopSchema = z
  .object({
    lists: campaignScope('lists').default(CAMPAIGN_SCOPE_ALL),
    keep_lists: z
      .array(idOrName('each entry of keep_lists'), { error: 'keep_lists must be a list of ids or names' })
      .default([]),
    workflows: campaignScope('workflows').default(CAMPAIGN_SCOPE_ALL),
    keep_workflows: z
      .array(idOrName('each entry of keep_workflows'), { error: 'keep_workflows must be a list of ids or names' })
      .default([]),
    suppression: z
      .object({ property: text('suppression > property'), value: scalar('suppression > value') })
      .strict()
      .optional(),
  })
  .strict();

const writeBackSchema = z
  .object({
    lifecycle_stage: text('lifecycle_stage').optional(),
    lead_status: text('lead_status').optional(),
    nurture_list: idOrName('nurture_list').optional(),
  })
  .strict();

export type WriteBack = z.output<typeof writeBackSchema>;

const statusList = (what: string) => oneOrMany(text(`each status in ${what}`), what);

const feedbackSchema = z
  .object({
    statuses: z
      .object({
        accepted: statusList('accepted'),
        rejected: statusList('rejected'),
        recycled: z
          .preprocess((v) => (v === undefined || Array.isArray(v) ? v : [v]), z.array(text('each status in recycled')))
          .default([]),
      })
      .strict(),
    reason_field: text('reason_field').optional(),
    hubspot: z
      .object({
        reason_property: text('reason_property').optional(),
        accepted: writeBackSchema,
        rejected: writeBackSchema,
        recycled: writeBackSchema.optional(),
      })
      .strict(),
  })
  .strict();

export const handoverPolicySchema = z
  .object({
    qualification: qualificationSchema,
    routing: routingSchema,
    presales: presalesSchema.optional(),
    sla: slaSchema,
    campaign_stop: campaignStopSchema.prefault({}),
    feedback: feedbackSchema,
  })
  .strict();

export type HandoverPolicy = z.output<typeof handoverPolicySchema> & { file: string };
export type RoutingPolicy = HandoverPolicy['routing'];
export type Rule = RoutingPolicy['rules'][number];

// ---- parsing ----

export interface HandoverParseResult {
  policy?: HandoverPolicy;
  problems: MappingProblem[];
}

/** Parses the text of a handover policy; never throws for bad input, returns the problems instead. */
export function parseHandoverPolicy(text: string, file: string): HandoverParseResult {
  const checked = checkDocument(
    text,
    file,
    handoverPolicySchema,
    'qualification, routing, sla, campaign_stop and feedback',
  );
  const { value, locate } = checked;
  if (value === undefined || locate === undefined) return { problems: sortProblems(checked.problems) };
  const policy: HandoverPolicy = { ...value, file };
  const problems = sortProblems(crossCheck(policy, (...args) => locate.problem(...args)));
  return problems.some((p) => p.severity === 'error') ? { problems } : { policy, problems };
}

type Report = (keys: Keys, code: ProblemCode, message: string, severity?: MappingProblem['severity']) => MappingProblem;

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
const quoteList = (items: Iterable<string>) => [...items].map((s) => `"${s}"`).join(', ');

/** References between sections, which the schema alone cannot see. */
function crossCheck(policy: HandoverPolicy, report: Report): MappingProblem[] {
  const problems: MappingProblem[] = [];
  const add = (...args: Parameters<Report>) => problems.push(report(...args));
  const { routing } = policy;

  // Domain lists named by conditions.
  policy.qualification.conditions.forEach((c, i) => {
    for (const op of ['domain_in', 'domain_not_in'] as const) {
      (c[op] ?? []).forEach((entry, j) => {
        if (!(entry in policy.qualification.domain_lists) && !entry.includes('.')) {
          const known = Object.keys(policy.qualification.domain_lists);
          add(
            ['qualification', 'conditions', i, op, j],
            'unknown_domain_list',
            `"${entry}" is neither a domain nor a list under qualification > domain_lists${known.length > 0 ? ` (lists: ${quoteList(known)})` : ''}`,
          );
        }
      });
    }
    if (c.at_least !== undefined && c.at_most !== undefined && c.at_least > c.at_most) {
      add(
        ['qualification', 'conditions', i, 'at_most'],
        'empty_range',
        `at_most ${c.at_most} is below at_least ${c.at_least}; no value can pass`,
      );
    }
  });

  // Regions: a country may belong to one region only, or rules on regions would be ambiguous.
  const regionOfCountry = new Map<string, string>();
  for (const [region, countries] of Object.entries(routing.regions)) {
    countries.forEach((country, i) => {
      const key = country.toLowerCase();
      const first = regionOfCountry.get(key);
      if (first !== undefined) {
        add(
          ['routing', 'regions', region, i],
          'country_in_two_regions',
          `"${country}" is already in region "${first}"; a country belongs to one region`,
        );
      } else regionOfCountry.set(key, region);
    });
  }

  const checkWhen = (when: RuleConditions | undefined, at: Keys) => {
    when?.region?.forEach((region, j) => {
      if (!(region in routing.regions)) {
        const known = Object.keys(routing.regions);
        add(
          [...at, 'region', j],
          'unknown_region',
          `region "${region}" is not defined under routing > regions${known.length > 0 ? ` (regions: ${quoteList(known)})` : ''}`,
        );
      }
    });
    const employees = when?.employees;
    if (employees !== undefined) {
      if (employees.min === undefined && employees.max === undefined) {
        add([...at, 'employees'], 'empty_range', 'employees needs min, max or both');
      } else if (employees.min !== undefined && employees.max !== undefined && employees.min > employees.max) {
        add(
          [...at, 'employees', 'max'],
          'empty_range',
          `employees > max ${employees.max} is below min ${employees.min}; no company can match`,
        );
      }
    }
  };

  // Rules.
  const teamNames = Object.keys(routing.teams);
  const usedTeams = new Set<string>();
  let catchAll: number | undefined;
  routing.rules.forEach((rule, i) => {
    checkWhen(rule.when, ['routing', 'rules', i, 'when']);
    if (!(rule.team in routing.teams)) {
      add(
        ['routing', 'rules', i, 'team'],
        'unknown_team',
        `team "${rule.team}" is not defined under routing > teams (teams: ${quoteList(teamNames)})`,
      );
    }
    usedTeams.add(rule.team);
    if (catchAll !== undefined) {
      add(
        ['routing', 'rules', i],
        'unreachable_rule',
        `this rule is never used: rule ${catchAll} above has no conditions and takes every lead`,
        'warning',
      );
    } else if (Object.values(rule.when).every((v) => v === undefined)) {
      catchAll = i;
    }
  });

  // Teams.
  const teamOfRep = new Map<string, string>();
  for (const [name, team] of Object.entries(routing.teams)) {
    const at: Keys = ['routing', 'teams', name];
    if (team.reps.length === 0 && team.fallback === undefined) {
      add(
        at,
        'team_without_reps',
        `team "${name}" has no reps and no fallback; add reps or a fallback (user or queue) for its leads`,
      );
    }
    if (!usedTeams.has(name)) {
      add(at, 'unused_team', `no rule sends leads to team "${name}"`, 'warning');
    }
    team.reps.forEach((rep, i) => {
      const repAt: Keys = [...at, 'reps', i];
      const other = teamOfRep.get(rep.email);
      if (other !== undefined) {
        add(
          repAt,
          'rep_in_two_teams',
          other === name
            ? `${rep.email} is listed twice in team "${name}"`
            : `${rep.email} is already in team "${other}"; a rep belongs to one team so that their caps count all their leads`,
        );
      } else teamOfRep.set(rep.email, name);
      if (team.strategy === 'round_robin' && rep.weight !== undefined) {
        add(
          [...repAt, 'weight'],
          'weight_on_round_robin',
          `team "${name}" uses round_robin, which ignores weights; set strategy: weighted or remove the weight`,
        );
      }
      if (team.strategy === 'weighted' && rep.weight === undefined) {
        add(
          repAt,
          'missing_weight',
          `team "${name}" is weighted, so ${rep.email} needs a weight (for example weight: 1)`,
        );
      }
      checkCaps(rep.caps, [...repAt, 'caps']);
    });
    checkCaps(team.caps, [...at, 'caps']);
  }
  function checkCaps(caps: Caps | undefined, at: Keys) {
    if (caps === undefined) return;
    if (caps.per_day === undefined && caps.per_week === undefined) {
      add(at, 'empty_caps', 'caps needs per_day, per_week or both');
    } else if (caps.per_day !== undefined && caps.per_week !== undefined && caps.per_day > caps.per_week) {
      add(
        [...at, 'per_day'],
        'cap_day_above_week',
        `per_day ${caps.per_day} is more than per_week ${caps.per_week}; the weekly cap stops this rep first`,
        'warning',
      );
    }
  }

  // Pre-sales.
  const presales = policy.presales;
  if (presales?.enabled === true && presales.queue === undefined) {
    add(
      ['presales'],
      'presales_without_queue',
      'presales is enabled but has no queue; name the Salesforce queue that researches the leads',
    );
  }
  if (presales !== undefined) checkWhen(presales.when, ['presales', 'when']);

  // SLA: breaches end in an escalation, so someone must receive it.
  if (policy.sla.escalate_to === undefined) {
    add(
      ['sla'],
      'missing_escalation_target',
      `escalate_to is missing: a lead that is still not touched after ${plural(policy.sla.reassignments_before_escalation, 'reassignment')} escalates; add escalate_to with a user (email) or queue`,
    );
  }

  // Feedback: a status means one outcome, and never the one a new Lead starts in.
  const { statuses, hubspot } = policy.feedback;
  const outcomeOf = new Map<string, string>();
  for (const outcome of ['accepted', 'rejected', 'recycled'] as const) {
    statuses[outcome].forEach((status, i) => {
      const key = status.toLowerCase();
      const first = outcomeOf.get(key);
      if (first !== undefined) {
        add(
          ['feedback', 'statuses', outcome, i],
          'status_in_two_outcomes',
          `"${status}" already means ${first}; a status means one outcome`,
        );
      } else outcomeOf.set(key, outcome);
      if (key === policy.sla.new_status.toLowerCase()) {
        add(
          ['feedback', 'statuses', outcome, i],
          'status_is_new_status',
          `"${status}" is the status new Leads start in (sla > new_status), so every lead would count as ${outcome} at once`,
        );
      }
    });
  }
  if (statuses.recycled.length > 0 && hubspot.recycled === undefined) {
    add(
      ['feedback', 'hubspot'],
      'missing_write_back',
      'statuses > recycled is set but hubspot > recycled is not; say what to write back to HubSpot for recycled leads',
    );
  }
  for (const outcome of ['accepted', 'rejected', 'recycled'] as const) {
    const stage = hubspot[outcome]?.lifecycle_stage;
    if (
      stage !== undefined &&
      !(HUBSPOT_LIFECYCLE_STAGES as readonly string[]).includes(stage) &&
      !/^\d+$/.test(stage)
    ) {
      const guess = stage.toLowerCase().replace(/[^a-z]/g, '');
      add(
        ['feedback', 'hubspot', outcome, 'lifecycle_stage'],
        'unknown_lifecycle_stage',
        `"${stage}" is not a HubSpot lifecycle stage value; use the internal value${(HUBSPOT_LIFECYCLE_STAGES as readonly string[]).includes(guess) ? ` "${guess}"` : ` (${HUBSPOT_LIFECYCLE_STAGES.join(', ')}) or a custom stage's numeric id`}`,
      );
    }
  }
  if (policy.feedback.reason_field !== undefined && hubspot.reason_property === undefined) {
    add(
      ['feedback', 'reason_field'],
      'reason_not_written',
      'the reason is read from Salesforce but hubspot > reason_property is not set, so marketing never sees it',
      'warning',
    );
  }
  return problems;
}

/** Reads and checks a handover policy file. Throws MappingError with every problem when it is invalid. */
export function loadHandoverPolicy(file: string): HandoverPolicy {
  const { policy, problems } = parseHandoverPolicyFile(file);
  if (!policy) throw new MappingError(problems);
  return policy;
}

/** Reads and parses the policy file; a missing, unreadable or oversized file is a problem like any other. */
export function parseHandoverPolicyFile(file: string): HandoverParseResult {
  const read = readText(file);
  return read.ok ? parseHandoverPolicy(read.text, file) : { problems: read.problems };
}
