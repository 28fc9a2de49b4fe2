/**
 * Limits and faults for the Salesforce sandbox: the org's daily API allowance (403
 * REQUEST_LIMIT_EXCEEDED, `Sforce-Limit-Info` against the configured allowance), server
 * errors, refusals (401, 403, 404), latency, hangs, throttling bursts, and records that fail on their own inside
 * sObject Collections writes.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SandboxContext } from '../salesforce/routes/context';
import {
  resolveSalesforceFaults,
  type BurstRule,
  type SalesforceFaultConfig,
  type SalesforceFaultsInput,
  type RefusalStatus,
  type ServerErrorStatus,
} from './config';
import { installFaultHooks, registerConfigRoutes, type Answer, type BatchSplit } from './http';
import { FaultPlan, type RecordFailurePicker } from './plan';

const API_PREFIX = '/services/data/';
const COLLECTION_ROUTE = '/services/data/:version/composite/sobjects';
const UPSERT_COLLECTION_ROUTE = '/services/data/:version/composite/sobjects/:type/:field';
const JSON_CONTENT_TYPE = 'application/json;charset=UTF-8';

export interface SalesforceError {
  message: string;
  errorCode: string;
}

/** Over the daily allowance. https://developer.salesforce.com/docs/atlas.en-us.salesforce_app_limits_cheatsheet.meta/salesforce_app_limits_cheatsheet/salesforce_app_limits_platform_api.htm */
export const TOTAL_REQUESTS_EXCEEDED: SalesforceError[] = [
  { message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' },
];

/**
 * Salesforce has no per-second limit on REST; what throttles a burst is its limit on
 * concurrent long-running requests, answered with this body.
 */
export const CONCURRENT_REQUESTS_EXCEEDED: SalesforceError[] = [
  { message: 'ConcurrentPerOrgLongTxn Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' },
];

/**
 * A refused call: 401 is the platform's answer to an expired session (a client that can
 * refresh its session does so, then meets the refusal again), 404 its answer to a resource
 * that does not exist; the 403 text is sandbox text for a user without access.
 */
const REFUSALS: Record<RefusalStatus, SalesforceError[]> = {
  401: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }],
  403: [{ message: 'Insufficient access rights for this request.', errorCode: 'INSUFFICIENT_ACCESS' }],
  404: [{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }],
};

/** 500 is the platform's UNKNOWN_EXCEPTION; the 502 and 503 texts are sandbox text. */
function serverErrorBody(status: ServerErrorStatus, sequence: number): SalesforceError[] {
  if (status === 500) {
    return [
      {
        message: `An unexpected error occurred. Please include this ErrorId if you contact support: ${1_000_000_000 + sequence}-${sequence} (-${sequence})`,
        errorCode: 'UNKNOWN_EXCEPTION',
      },
    ];
  }
  if (status === 502) return [{ message: 'Bad Gateway', errorCode: 'BAD_GATEWAY' }];
  return [
    {
      message: 'Service Unavailable: the server is temporarily unable to handle the request.',
      errorCode: 'SERVER_UNAVAILABLE',
    },
  ];
}

/** A per-record failure as Collections report it (SaveResult.errors). */
interface SaveError {
  statusCode: string;
  message: string;
  fields: string[];
}

interface FailedSave {
  id?: string;
  success: false;
  errors: SaveError[];
  created?: false;
}

/** The platform's usual transient per-record failure: another transaction holds the row. */
function lockError(id: string | undefined): SaveError {
  return {
    statusCode: 'UNABLE_TO_LOCK_ROW',
    message: id
      ? `unable to obtain exclusive access to this record or 1 records: ${id}`
      : 'unable to obtain exclusive access to this record',
    fields: [],
  };
}

const ROLLED_BACK: SaveError = {
  statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
  fields: [],
};

const collectionBody = z.looseObject({
  allOrNone: z.boolean().optional(),
  records: z.array(z.record(z.string(), z.unknown())).max(200),
});

/**
 * Takes the failing records out of the body before the route runs (so they are not
 * written) and puts their failures back in place in its answer. With `allOrNone` one
 * failure rolls back the whole call, so the answer comes from here.
 */
function splitCollection(
  body: unknown,
  failRecord: RecordFailurePicker,
  upsert: boolean,
  create: boolean,
): BatchSplit | undefined {
  const parsed = collectionBody.safeParse(body);
  // A body the route will reject anyway is left to the route.
  if (!parsed.success) return undefined;
  const { records } = parsed.data;
  const failed = records.map((_, i) => failRecord(i));
  if (!failed.includes(true)) return undefined;

  const idOf = (i: number): string | undefined => {
    const record = records[i];
    if (!record || create) return undefined;
    // Field names are case-insensitive: jsforce sends `id`, others `Id`.
    const key = Object.keys(record).find((k) => k.toLowerCase() === 'id');
    const id = key === undefined ? undefined : record[key];
    return typeof id === 'string' ? id : undefined;
  };
  const failure = (i: number, error: SaveError): FailedSave => {
    const id = idOf(i);
    return {
      ...(id !== undefined ? { id } : {}),
      success: false,
      errors: [error],
      ...(upsert ? { created: false as const } : {}),
    };
  };

  if (parsed.data.allOrNone) {
    return {
      answer: { status: 200, body: records.map((r, i) => failure(i, failed[i] ? lockError(idOf(i)) : ROLLED_BACK)) },
    };
  }
  return {
    body: { ...parsed.data, records: records.filter((_, i) => !failed[i]) },
    patch(payload, statusCode) {
      if (statusCode !== 200) return { payload };
      let results: unknown[];
      try {
        results = z.array(z.unknown()).parse(JSON.parse(payload));
      } catch {
        return { payload };
      }
      let k = 0;
      const merged = records.map((_, i) => (failed[i] ? failure(i, lockError(idOf(i))) : results[k++]));
      return { payload: JSON.stringify(merged) };
    },
  };
}

/** The faults of one Salesforce sandbox: the config in force and its counters. */
export class SalesforceFaults {
  private config: SalesforceFaultConfig;
  private planInForce: FaultPlan;
  /** For the ErrorId of 500s: distinct per answer, the same on every run. */
  errorSequence = 0;

  constructor(
    private readonly now: () => number,
    input?: SalesforceFaultsInput,
  ) {
    // Invalid options fail the sandbox's start, before it listens.
    this.config = resolveSalesforceFaults(input);
    this.planInForce = new FaultPlan(this.config, now());
  }

  get current(): SalesforceFaultConfig {
    return this.config;
  }

  get plan(): FaultPlan {
    return this.planInForce;
  }

  get enabled(): boolean {
    return this.planInForce.active || this.config.dailyApiLimit !== null;
  }

  /** Validates (FaultConfigError otherwise) and applies: random streams and burst windows restart. */
  configure(input: unknown): SalesforceFaultConfig {
    this.apply(resolveSalesforceFaults(input));
    return this.config;
  }

  restart(): void {
    this.apply(this.config);
  }

  private apply(config: SalesforceFaultConfig): void {
    this.config = config;
    this.planInForce = new FaultPlan(config, this.now());
    this.errorSequence = 0;
  }
}

/**
 * Installs the faults on a Salesforce sandbox app: one call in `buildServer`, after the
 * hook that counts API usage (the allowance is checked against that count). Nothing is
 * configured unless `input` or a `PUT /__sandbox/config` says so.
 */
export function registerSalesforceFaults(
  app: FastifyInstance,
  ctx: Pick<SandboxContext, 'state' | 'now'>,
  input?: SalesforceFaultsInput,
): SalesforceFaults {
  const faults = new SalesforceFaults(ctx.now, input);
  app.addHook('onReady', async () => faults.restart());

  installFaultHooks<BurstRule>(app, {
    plan: () => faults.plan,
    enabled: () => faults.enabled,
    now: () => ctx.now(),
    isApi: (request) => request.url.startsWith(API_PREFIX),
    limit(_request, reply) {
      const allowance = faults.current.dailyApiLimit;
      if (allowance === null) return undefined;
      // The sandbox's own hook has counted this request already (a 401 never gets here).
      const used = ctx.state.apiUsage;
      reply.header('Sforce-Limit-Info', `api-usage=${used}/${allowance}`);
      return used > allowance ? { status: 403, body: TOTAL_REQUESTS_EXCEEDED } : undefined;
    },
    serverError: (status): Answer => ({ status, body: serverErrorBody(status, ++faults.errorSequence) }),
    refusal: (rule): Answer => ({ status: rule.status, body: REFUSALS[rule.status] }),
    burst: (): Answer => ({ status: 403, body: CONCURRENT_REQUESTS_EXCEEDED }),
    isBatchWrite: (request) => {
      const route = request.routeOptions.url;
      if (route === COLLECTION_ROUTE) return request.method === 'POST' || request.method === 'PATCH';
      return route === UPSERT_COLLECTION_ROUTE && request.method === 'PATCH';
    },
    splitBatch: (request, failRecord) => {
      const upsert = request.routeOptions.url === UPSERT_COLLECTION_ROUTE;
      return splitCollection(request.body, failRecord, upsert, request.method === 'POST');
    },
    send: (reply, answer) => void reply.code(answer.status).header('content-type', JSON_CONTENT_TYPE).send(answer.body),
  });

  registerConfigRoutes(app, {
    read: () => faults.current,
    write: (body) => faults.configure(body),
    invalid: (reply, error) =>
      reply
        .code(400)
        .header('content-type', JSON_CONTENT_TYPE)
        .send([{ message: error.message, errorCode: 'INVALID_SANDBOX_CONFIG' }]),
  });
  return faults;
}
