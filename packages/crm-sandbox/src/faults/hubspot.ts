/**
 * Limits and faults for the HubSpot sandbox: HubSpot's rate limits with its 429 bodies and
 * `X-HubSpot-RateLimit-*` headers, server errors, refusals (401, 403 missing scopes, 404), latency, hangs, throttling bursts,
 * records that fail inside batch writes (207), and search-index lag.
 * https://developers.hubspot.com/docs/guides/apps/api-usage/usage-details
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { SandboxContext } from '../hubspot/context';
import { AUTHENTICATION_MESSAGE } from '../hubspot/errors';
import { SANDBOX_PORTAL_ID, type HubSpotState } from '../hubspot/state';
import type { CrmObjectType, CrmRecord } from '../hubspot/store';
import {
  resolveHubSpotFaults,
  type HubSpotBurstRule,
  type HubSpotFaultConfig,
  type HubSpotFaultsInput,
  type HubSpotPolicy,
  type HubSpotRateLimits,
  type HubSpotRefusalRule,
  type ServerErrorStatus,
} from './config';
import { installFaultHooks, registerConfigRoutes, type Answer, type BatchSplit } from './http';
import { FaultPlan, type RecordFailurePicker } from './plan';
import { RandomStreams } from './random';
import { LaggingSearchIndex } from './search-index';
import { DailyCounter, RollingWindow } from './windows';

const SEARCH_ROUTE = /^\/crm\/v3\/objects\/[^/]+\/search$/;
const BATCH_WRITE_ROUTE = /^\/crm\/v3\/objects\/[^/]+\/batch\/(create|update|upsert)$/;
const ADMIN_PREFIX = '/__sandbox/';

/** What a throttled request hit: one of HubSpot's policies, or the search endpoints' own limit. */
type Throttle = HubSpotPolicy | 'SEARCH';

const RATE_LIMIT_MESSAGES: Record<HubSpotPolicy, string> = {
  DAILY: 'You have reached your daily limit.',
  TEN_SECONDLY_ROLLING: 'You have reached your ten_secondly_rolling limit.',
  // The official client retries a 429 with exactly this message (1 s × attempt).
  SECONDLY: 'You have reached your secondly limit.',
};

/**
 * Sandbox text modelled on a recorded group name ("publicapi:hapikey-secondly:<portal>");
 * HubSpot's names for private apps are not on record.
 */
const GROUP_NAMES: Record<Throttle, string> = {
  DAILY: `publicapi:private-app-daily:${SANDBOX_PORTAL_ID}`,
  TEN_SECONDLY_ROLLING: `publicapi:private-app-ten-secondly-rolling:${SANDBOX_PORTAL_ID}`,
  SECONDLY: `publicapi:private-app-secondly:${SANDBOX_PORTAL_ID}`,
  SEARCH: `publicapi:crm-search-secondly:${SANDBOX_PORTAL_ID}`,
};

export interface HubSpotRateLimitBody {
  status: 'error';
  message: string;
  errorType: 'RATE_LIMIT';
  correlationId: string;
  policyName: HubSpotPolicy;
  groupName: string;
}

export function rateLimitBody(throttle: Throttle, correlationId: string): HubSpotRateLimitBody {
  // The search limit is a per-second one: HubSpot names it SECONDLY, so the client retries it.
  const policyName = throttle === 'SEARCH' ? 'SECONDLY' : throttle;
  return {
    status: 'error',
    message: RATE_LIMIT_MESSAGES[policyName],
    errorType: 'RATE_LIMIT',
    correlationId,
    policyName,
    groupName: GROUP_NAMES[throttle],
  };
}

/** Sandbox text: HubSpot's bodies for these are not on record; the envelope is its usual one. */
const SERVER_ERROR_MESSAGES: Record<ServerErrorStatus, string> = {
  500: 'internal error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/**
 * What HubSpot answers a call the app may not make. The 403 is modelled on answers seen
 * from private apps without the scope (category MISSING_SCOPES, the scopes in the first
 * error's context); the 401 is the sandbox's own answer to a bad token, the 404 HubSpot's
 * bare one for an id that does not exist.
 * https://developers.hubspot.com/docs/api/error-handling
 */
export function refusalBody(rule: HubSpotRefusalRule, correlationId: string): Record<string, unknown> {
  if (rule.status === 401)
    return { status: 'error', message: AUTHENTICATION_MESSAGE, correlationId, category: 'INVALID_AUTHENTICATION' };
  if (rule.status === 404)
    return { status: 'error', message: 'resource not found', correlationId, category: 'OBJECT_NOT_FOUND' };
  return {
    status: 'error',
    message:
      "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
    correlationId,
    ...(rule.scopes && rule.scopes.length > 0
      ? {
          errors: [
            {
              message: 'One or more of the following scopes are required.',
              context: { requiredGranularScopes: rule.scopes },
            },
          ],
        }
      : {}),
    links: { scopes: 'https://developers.hubspot.com/scopes' },
    category: 'MISSING_SCOPES',
  };
}

/**
 * The daily, 10-second and secondly limits count every API request; the search limit
 * counts search requests, which also count toward the others (HubSpot does not say they
 * do not, and the tighter reading is the safer one to test against).
 */
export class HubSpotRateLimiter {
  private readonly daily?: DailyCounter;
  private readonly tenSecondly?: RollingWindow;
  private readonly secondly?: RollingWindow;
  private readonly search?: RollingWindow;
  readonly any: boolean;

  constructor(limits: HubSpotRateLimits) {
    if (limits.daily !== null) this.daily = new DailyCounter(limits.daily);
    if (limits.tenSecondly !== null) this.tenSecondly = new RollingWindow(limits.tenSecondly, limits.intervalMs);
    if (limits.secondly !== null) this.secondly = new RollingWindow(limits.secondly, 1_000);
    if (limits.search !== null) this.search = new RollingWindow(limits.search, 1_000);
    this.any = Boolean(this.daily ?? this.tenSecondly ?? this.secondly ?? this.search);
  }

  /** Counts the request if every limit has room; otherwise says which one it hit. */
  take(now: number, isSearch: boolean): Throttle | undefined {
    if (this.daily && !this.daily.hasRoom(now)) return 'DAILY';
    if (this.tenSecondly && !this.tenSecondly.hasRoom(now)) return 'TEN_SECONDLY_ROLLING';
    if (this.secondly && !this.secondly.hasRoom(now)) return 'SECONDLY';
    if (isSearch && this.search && !this.search.hasRoom(now)) return 'SEARCH';
    this.daily?.record(now);
    this.tenSecondly?.record(now);
    this.secondly?.record(now);
    if (isSearch) this.search?.record(now);
    return undefined;
  }

  /** HubSpot's usage headers, on every answer (429s included), for the limits configured. */
  setHeaders(reply: FastifyReply, now: number): void {
    if (this.daily) {
      reply.header('X-HubSpot-RateLimit-Daily', String(this.daily.max));
      reply.header('X-HubSpot-RateLimit-Daily-Remaining', String(this.daily.remaining(now)));
    }
    if (this.tenSecondly) {
      reply.header('X-HubSpot-RateLimit-Interval-Milliseconds', String(this.tenSecondly.windowMs));
      reply.header('X-HubSpot-RateLimit-Max', String(this.tenSecondly.max));
      reply.header('X-HubSpot-RateLimit-Remaining', String(this.tenSecondly.remaining(now)));
    }
    if (this.secondly) {
      reply.header('X-HubSpot-RateLimit-Secondly', String(this.secondly.max));
      reply.header('X-HubSpot-RateLimit-Secondly-Remaining', String(this.secondly.remaining(now)));
    }
  }
}

/** HubSpot's per-record error inside a 207 batch answer (a StandardError). */
export interface HubSpotRecordError {
  status: 'error';
  category: string;
  message: string;
  context?: Record<string, string[]>;
}

const batchBody = z.looseObject({ inputs: z.array(z.unknown()).max(100) });
const batchInput = z.looseObject({
  id: z.union([z.string(), z.number()]).optional(),
  objectWriteTraceId: z.string().optional(),
  properties: z.record(z.string(), z.unknown()).optional(),
});
const batchAnswer = z.looseObject({
  status: z.string(),
  results: z.array(z.unknown()),
  errors: z.array(z.unknown()).optional(),
});

/**
 * Sandbox text: HubSpot does not document a transient per-record failure; this one has
 * its StandardError shape and names the record the way HubSpot's 207 errors do (ids in
 * `context`; the email for a create, which has no id yet).
 */
function recordError(input: unknown): HubSpotRecordError {
  const parsed = batchInput.safeParse(input);
  const error: HubSpotRecordError = {
    status: 'error',
    category: 'INTERNAL_ERROR',
    message: 'This record could not be written because of a temporary error. Retry it later.',
  };
  if (!parsed.success) return error;
  const email = parsed.data.properties?.email;
  const context: Record<string, string[]> = {};
  if (parsed.data.id !== undefined) context.ids = [String(parsed.data.id)];
  else if (typeof email === 'string') context.email = [email];
  // HubSpot names the input of a failed record by the trace id it carried.
  if (parsed.data.objectWriteTraceId !== undefined) context.objectWriteTraceId = [parsed.data.objectWriteTraceId];
  if (Object.keys(context).length > 0) error.context = context;
  return error;
}

/**
 * Takes the failing inputs out of the body before the route runs (so they are not
 * written) and adds their errors to its answer, which becomes a 207 as HubSpot's does.
 */
function splitBatch(body: unknown, failRecord: RecordFailurePicker): BatchSplit | undefined {
  const parsed = batchBody.safeParse(body);
  // A body the route will reject anyway is left to the route.
  if (!parsed.success) return undefined;
  const kept: unknown[] = [];
  const errors: HubSpotRecordError[] = [];
  parsed.data.inputs.forEach((input, i) => {
    if (failRecord(i)) errors.push(recordError(input));
    else kept.push(input);
  });
  if (errors.length === 0) return undefined;
  return {
    body: { ...parsed.data, inputs: kept },
    patch(payload, statusCode) {
      // The rest of the batch failed as a whole (400, 409 …): that answer stands.
      if (statusCode < 200 || statusCode > 207) return { payload };
      let answer: z.output<typeof batchAnswer>;
      try {
        answer = batchAnswer.parse(JSON.parse(payload));
      } catch {
        return { payload };
      }
      const { status, results, errors: earlier = [], numErrors: _numErrors, ...rest } = answer;
      const all = [...earlier, ...errors];
      return {
        payload: JSON.stringify({ status, results, numErrors: all.length, errors: all, ...rest }),
        statusCode: 207,
      };
    },
  };
}

/** The faults of one HubSpot sandbox: the config in force and its counters. */
export class HubSpotFaults {
  private config: HubSpotFaultConfig;
  private planInForce: FaultPlan<HubSpotBurstRule, HubSpotRefusalRule>;
  private limiter: HubSpotRateLimiter;
  private searchIndex: LaggingSearchIndex | undefined;

  constructor(
    private readonly state: HubSpotState,
    input?: HubSpotFaultsInput,
  ) {
    // Invalid options fail the sandbox's start, before it listens.
    this.config = resolveHubSpotFaults(input);
    this.planInForce = new FaultPlan(this.config, state.now());
    this.limiter = new HubSpotRateLimiter(this.config.rateLimits);
  }

  get current(): HubSpotFaultConfig {
    return this.config;
  }

  get plan(): FaultPlan<HubSpotBurstRule, HubSpotRefusalRule> {
    return this.planInForce;
  }

  get rateLimiter(): HubSpotRateLimiter {
    return this.limiter;
  }

  get enabled(): boolean {
    return this.planInForce.active || this.limiter.any;
  }

  /** Validates (FaultConfigError otherwise) and applies: counters, windows and random streams restart. */
  configure(input: unknown): HubSpotFaultConfig {
    this.apply(resolveHubSpotFaults(input));
    return this.config;
  }

  /** Re-applies the config in force, e.g. once the state is loaded, so search sees it all. */
  restart(): void {
    this.apply(this.config);
  }

  /** The records CRM search sees while a lag is set; undefined: search reads the live store. */
  searchView(type: CrmObjectType): Iterable<CrmRecord> | undefined {
    return this.searchIndex?.view(type);
  }

  close(): void {
    this.searchIndex?.dispose();
    this.searchIndex = undefined;
  }

  private apply(config: HubSpotFaultConfig): void {
    this.config = config;
    this.planInForce = new FaultPlan(config, this.state.now());
    this.limiter = new HubSpotRateLimiter(config.rateLimits);
    this.searchIndex?.dispose();
    const random = new RandomStreams(config.seed);
    this.searchIndex =
      config.searchLagMs > 0 || config.searchLagJitterMs > 0
        ? new LaggingSearchIndex(this.state, config.searchLagMs, config.searchLagJitterMs, () =>
            random.next('searchLag'),
          )
        : undefined;
  }
}

const byState = new WeakMap<HubSpotState, HubSpotFaults>();

/**
 * For the search route: iterate this instead of the store's active records when it is
 * defined (a search-index lag is set). `CrmObjects.search` calls it once per search.
 */
export function searchIndexView(state: HubSpotState, type: CrmObjectType): Iterable<CrmRecord> | undefined {
  return byState.get(state)?.searchView(type);
}

/**
 * Installs the faults on a HubSpot sandbox app: one call in `buildHubSpotApp`. Nothing
 * is configured unless `input` or a `PUT /__sandbox/config` says so.
 */
export function registerHubSpotFaults(
  app: FastifyInstance,
  ctx: Pick<SandboxContext, 'state'>,
  input?: HubSpotFaultsInput,
): HubSpotFaults {
  const faults = new HubSpotFaults(ctx.state, input);
  byState.set(ctx.state, faults);
  // The state file or preset is loaded after the app is built and before it listens.
  app.addHook('onReady', async () => faults.restart());
  app.addHook('onClose', async () => faults.close());

  installFaultHooks<HubSpotBurstRule, HubSpotRefusalRule>(app, {
    plan: () => faults.plan,
    enabled: () => faults.enabled,
    now: () => ctx.state.now(),
    isApi: (request) => !request.url.startsWith(ADMIN_PREFIX),
    limit(request, reply, now) {
      const limiter = faults.rateLimiter;
      if (!limiter.any) return undefined;
      const isSearch = request.method === 'POST' && SEARCH_ROUTE.test(request.routeOptions.url ?? '');
      const throttle = limiter.take(now, isSearch);
      limiter.setHeaders(reply, now);
      return throttle ? { status: 429, body: rateLimitBody(throttle, request.id) } : undefined;
    },
    serverError: (status, request): Answer => ({
      status,
      body: { status: 'error', message: SERVER_ERROR_MESSAGES[status], correlationId: request.id },
    }),
    refusal: (rule, request): Answer => ({ status: rule.status, body: refusalBody(rule, request.id) }),
    burst: (rule, request): Answer => ({ status: 429, body: rateLimitBody(rule.policy, request.id) }),
    isBatchWrite: (request: FastifyRequest) =>
      request.method === 'POST' && BATCH_WRITE_ROUTE.test(request.routeOptions.url ?? ''),
    splitBatch: (request, failRecord) => splitBatch(request.body, failRecord),
    send: (reply, answer) => void reply.code(answer.status).send(answer.body),
  });

  registerConfigRoutes(app, {
    read: () => faults.current,
    write: (body) => faults.configure(body),
    invalid: (reply, error, request) =>
      reply
        .code(400)
        .send({ status: 'error', message: error.message, correlationId: request.id, category: 'VALIDATION_ERROR' }),
  });
  return faults;
}
