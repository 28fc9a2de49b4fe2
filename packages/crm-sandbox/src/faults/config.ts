/**
 * What `PUT /__sandbox/config` (and the sandboxes' `faults` option) accepts: a preset
 * profile, a seed, and overrides. Validated with zod; every problem is reported at once,
 * with its path, so a person editing a curl command can fix it in one go.
 */
import { z } from 'zod';

export const FAULT_PROFILES = ['ideal', 'hubspot-pro', 'flaky'] as const;
export type FaultProfile = (typeof FAULT_PROFILES)[number];

/** The statuses an error rule may answer; each API's own error body goes with them. */
export const SERVER_ERROR_STATUSES = [500, 502, 503] as const;
export type ServerErrorStatus = (typeof SERVER_ERROR_STATUSES)[number];

/**
 * The statuses a refusal may answer: no valid credentials, no permission (a missing scope),
 * nothing there. Each API's own error body goes with them.
 */
export const REFUSAL_STATUSES = [401, 403, 404] as const;
export type RefusalStatus = (typeof REFUSAL_STATUSES)[number];

/** HubSpot's 429 policies, as `policyName` spells them. */
export const HUBSPOT_POLICIES = ['TEN_SECONDLY_ROLLING', 'SECONDLY', 'DAILY'] as const;
export type HubSpotPolicy = (typeof HUBSPOT_POLICIES)[number];

/** Upper bound for configured waits: long enough for any test, short enough that close() never stalls. */
const MAX_DELAY_MS = 30_000;

/**
 * A route pattern: `*` (every API request), a path glob such as
 * `/crm/v3/objects/contacts/batch/` followed by `*`, or a method and a path glob
 * (`PATCH /services/data/v62.0/composite/sobjects`). `*` matches any characters, slashes
 * included; the path is the request path without its query string.
 */
const route = z
  .string()
  .trim()
  .regex(
    /^(?:[A-Za-z]+\s+)?(?:\*|\/)\S*$/,
    'a route is "*", a path such as "/crm/v3/objects/contacts/search", or a method and a path such as "POST */batch/*"',
  )
  .default('*');
const rate = z.number().min(0, 'a rate is a share between 0 and 1').max(1, 'a rate is a share between 0 and 1');
const delayMs = z.number().int().min(0).max(MAX_DELAY_MS);

const errorRule = z.strictObject({
  route,
  rate,
  /** Picked among these with equal chances. */
  statuses: z
    .array(z.literal([...SERVER_ERROR_STATUSES], 'a status is 500, 502 or 503'))
    .min(1)
    .default([...SERVER_ERROR_STATUSES]),
});

const latencyRule = z.strictObject({ route, fixedMs: delayMs.default(0), jitterMs: delayMs.default(0) });

/** A share of requests that are never answered: the client's own timeout is what ends them. */
const hangRule = z.strictObject({ route, rate });

const burstFields = {
  route,
  /** From the moment the config is applied. */
  startMs: z.number().int().min(0).default(0),
  durationMs: z.number().int().positive(),
  /** Repeat the window this often; once when left out. */
  everyMs: z.number().int().positive().optional(),
};
const everyLongerThanDuration = (b: { durationMs: number; everyMs?: number | undefined }): boolean =>
  b.everyMs === undefined || b.everyMs > b.durationMs;
const burstMessage = {
  message: 'everyMs must be longer than durationMs (or the window never closes)',
  path: ['everyMs'],
};

/** A window in which every request is throttled (HubSpot: 429 with the policy's body). */
const hubspotBurstRule = z
  .strictObject({ ...burstFields, policy: z.enum(HUBSPOT_POLICIES).default('TEN_SECONDLY_ROLLING') })
  .refine(everyLongerThanDuration, burstMessage);
/** Salesforce throttles bursts with 403 REQUEST_LIMIT_EXCEEDED (its concurrency limit), not 429. */
const salesforceBurstRule = z.strictObject(burstFields).refine(everyLongerThanDuration, burstMessage);

/**
 * Requests refused as the API refuses a client it does not let in: what a token without a
 * scope, an expired session or a deleted record look like. Unlike `errors`, every matching
 * request is refused unless a `rate` says otherwise: a missing permission does not pass.
 */
const refusalFields = {
  route,
  status: z.literal([...REFUSAL_STATUSES], 'a refusal status is 401, 403 or 404'),
  rate: rate.default(1),
};
/** HubSpot's 403 names the scopes the call needs. */
const hubspotRefusalRule = z.strictObject({
  ...refusalFields,
  scopes: z.array(z.string().trim().min(1, 'a scope is a name such as crm.lists.write')).optional(),
});
const salesforceRefusalRule = z.strictObject(refusalFields);

/** A share of the records in batch (HubSpot) or Collections (Salesforce) writes that fail on their own. */
const recordFailureRule = z.strictObject({ route, rate });

/** A limit, or null for none. */
const limit = z.number().int().positive().nullable();

const commonInput = {
  profile: z.enum(FAULT_PROFILES).optional(),
  seed: z.number().int().min(0).max(0xffffffff).optional(),
  errors: z.array(errorRule).optional(),
  latency: z.array(latencyRule).optional(),
  hangs: z.array(hangRule).optional(),
  recordFailures: z.array(recordFailureRule).optional(),
};

export const hubspotFaultsInput = z.strictObject({
  ...commonInput,
  bursts: z.array(hubspotBurstRule).optional(),
  refusals: z.array(hubspotRefusalRule).optional(),
  rateLimits: z
    .strictObject({
      /** TEN_SECONDLY_ROLLING: requests per `intervalMs` (HubSpot: 10 s), rolling. */
      tenSecondly: limit.optional(),
      /**
       * SECONDLY: requests per rolling second. HubSpot no longer enforces this one (its
       * secondly headers are deprecated); it is here to try a client's SECONDLY handling.
       */
      secondly: limit.optional(),
      /** CRM search: requests per rolling second (HubSpot: 5). */
      search: limit.optional(),
      /** DAILY: requests per day, reset at midnight UTC (HubSpot: the portal's time zone). */
      daily: limit.optional(),
      /** The rolling interval of `tenSecondly`; smaller values make demos and tests quick. */
      intervalMs: z.number().int().positive().max(86_400_000).optional(),
    })
    .optional(),
  /** A new or changed record shows up in CRM search this long after the change. */
  searchLagMs: z.number().int().min(0).max(600_000).optional(),
  /** Plus up to this much more, per change (seeded): later changes may show up first. */
  searchLagJitterMs: z.number().int().min(0).max(600_000).optional(),
});

export const salesforceFaultsInput = z.strictObject({
  ...commonInput,
  bursts: z.array(salesforceBurstRule).optional(),
  refusals: z.array(salesforceRefusalRule).optional(),
  /** The org's daily API allowance; null leaves the sandbox's own (and never refuses). */
  dailyApiLimit: limit.optional(),
});

export type HubSpotFaultsInput = z.input<typeof hubspotFaultsInput>;
export type SalesforceFaultsInput = z.input<typeof salesforceFaultsInput>;

export type ErrorRule = z.output<typeof errorRule>;
export type LatencyRule = z.output<typeof latencyRule>;
export type HangRule = z.output<typeof hangRule>;
export type RecordFailureRule = z.output<typeof recordFailureRule>;
export type HubSpotBurstRule = z.output<typeof hubspotBurstRule>;
export type BurstRule = z.output<typeof salesforceBurstRule>;
export type HubSpotRefusalRule = z.output<typeof hubspotRefusalRule>;
export type RefusalRule = z.output<typeof salesforceRefusalRule>;

/** The parts both sandboxes share, fully resolved (profile applied, defaults filled). */
export interface CommonFaultConfig<B extends BurstRule = BurstRule, R extends RefusalRule = RefusalRule> {
  profile: FaultProfile;
  seed: number;
  errors: ErrorRule[];
  latency: LatencyRule[];
  hangs: HangRule[];
  bursts: B[];
  refusals: R[];
  recordFailures: RecordFailureRule[];
}

export interface HubSpotRateLimits {
  tenSecondly: number | null;
  secondly: number | null;
  search: number | null;
  daily: number | null;
  intervalMs: number;
}

export interface HubSpotFaultConfig extends CommonFaultConfig<HubSpotBurstRule, HubSpotRefusalRule> {
  rateLimits: HubSpotRateLimits;
  searchLagMs: number;
  searchLagJitterMs: number;
}

export interface SalesforceFaultConfig extends CommonFaultConfig {
  dailyApiLimit: number | null;
}

const NONE: Omit<CommonFaultConfig, 'profile' | 'bursts' | 'refusals'> = {
  seed: 0,
  errors: [],
  latency: [],
  hangs: [],
  recordFailures: [],
};
const NO_RATE_LIMITS: HubSpotRateLimits = {
  tenSecondly: null,
  secondly: null,
  search: null,
  daily: null,
  intervalMs: 10_000,
};

/** Five in a hundred requests fail with a server error, spread over 500, 502 and 503. */
const FLAKY_ERRORS: ErrorRule[] = [{ route: '*', rate: 0.05, statuses: [...SERVER_ERROR_STATUSES] }];
/** 10–60 ms: enough to reorder concurrent requests, little enough for a demo. */
const FLAKY_LATENCY: LatencyRule[] = [{ route: '*', fixedMs: 10, jitterMs: 50 }];

export const HUBSPOT_PROFILES: Record<FaultProfile, HubSpotFaultConfig> = {
  ideal: {
    profile: 'ideal',
    ...NONE,
    bursts: [],
    refusals: [],
    rateLimits: NO_RATE_LIMITS,
    searchLagMs: 0,
    searchLagJitterMs: 0,
  },
  // Private apps on Professional/Enterprise: 190 per 10 s, rolling; search 5/s; the daily
  // figure is Professional's 625,000.
  // https://developers.hubspot.com/docs/guides/apps/api-usage/usage-details
  // No secondly limit: HubSpot documents its secondly headers as deprecated and the limit
  // behind them as no longer enforced, so a client may spend the 10-s allowance at once.
  'hubspot-pro': {
    profile: 'hubspot-pro',
    ...NONE,
    bursts: [],
    refusals: [],
    rateLimits: { tenSecondly: 190, secondly: null, search: 5, daily: 625_000, intervalMs: 10_000 },
    searchLagMs: 0,
    searchLagJitterMs: 0,
  },
  // HubSpot's search index trails writes by seconds.
  flaky: {
    profile: 'flaky',
    ...NONE,
    bursts: [],
    refusals: [],
    errors: FLAKY_ERRORS,
    latency: FLAKY_LATENCY,
    rateLimits: NO_RATE_LIMITS,
    searchLagMs: 2_000,
    searchLagJitterMs: 0,
  },
};

export const SALESFORCE_PROFILES: Record<FaultProfile, SalesforceFaultConfig> = {
  ideal: { profile: 'ideal', ...NONE, bursts: [], refusals: [], dailyApiLimit: null },
  // On the Salesforce side "hubspot-pro" means production-like limits: Enterprise
  // Edition's daily allowance, 100,000 + 1,000 per licence, here for 15 licences.
  // https://developer.salesforce.com/docs/atlas.en-us.salesforce_app_limits_cheatsheet.meta/salesforce_app_limits_cheatsheet/salesforce_app_limits_platform_api.htm
  'hubspot-pro': { profile: 'hubspot-pro', ...NONE, bursts: [], refusals: [], dailyApiLimit: 115_000 },
  flaky: {
    profile: 'flaky',
    ...NONE,
    bursts: [],
    refusals: [],
    errors: FLAKY_ERRORS,
    latency: FLAKY_LATENCY,
    dailyApiLimit: null,
  },
};

/** A config that failed validation; `message` lists every problem with its path. */
export class FaultConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid sandbox config: ${problems.join('; ')}`);
    this.name = 'FaultConfigError';
  }
}

function problemsOf(error: z.ZodError): string[] {
  return error.issues.map((i) => (i.path.length > 0 ? `${i.path.map(String).join('.')}: ${i.message}` : i.message));
}

/** Drops keys whose value is undefined, so they do not hide the profile's values. */
function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The profile's config with the overrides on top (lists replace the profile's lists). */
export function resolveHubSpotFaults(input: unknown = {}): HubSpotFaultConfig {
  const parsed = hubspotFaultsInput.safeParse(input ?? {});
  if (!parsed.success) throw new FaultConfigError(problemsOf(parsed.error));
  const { rateLimits, ...rest } = parsed.data;
  const base = HUBSPOT_PROFILES[rest.profile ?? 'ideal'];
  return { ...base, ...defined(rest), rateLimits: { ...base.rateLimits, ...defined(rateLimits ?? {}) } };
}

export function resolveSalesforceFaults(input: unknown = {}): SalesforceFaultConfig {
  const parsed = salesforceFaultsInput.safeParse(input ?? {});
  if (!parsed.success) throw new FaultConfigError(problemsOf(parsed.error));
  const base = SALESFORCE_PROFILES[parsed.data.profile ?? 'ideal'];
  return { ...base, ...defined(parsed.data) };
}

const cliFlags = z.strictObject({
  profile: z.enum(FAULT_PROFILES).optional(),
  seed: z
    .string()
    .regex(/^\d{1,10}$/, 'the seed is a whole number from 0 to 4294967295')
    .transform(Number)
    .refine((n) => n <= 0xffffffff, 'the seed is a whole number from 0 to 4294967295')
    .optional(),
});

/**
 * `baton sandbox --profile flaky --seed 42`: the flags as both sandboxes' `faults` option
 * takes them. Throws FaultConfigError naming the bad flag.
 */
export function faultsFromFlags(flags: { profile?: string | undefined; seed?: string | undefined }): {
  profile?: FaultProfile;
  seed?: number;
} {
  const parsed = cliFlags.safeParse(defined(flags));
  if (!parsed.success) {
    throw new FaultConfigError(parsed.error.issues.map((i) => `--${i.path.map(String).join('.')}: ${i.message}`));
  }
  return defined(parsed.data);
}
