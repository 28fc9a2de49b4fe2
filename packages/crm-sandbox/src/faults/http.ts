/**
 * The fastify side of the faults, shared by both sandboxes: hooks that throttle, fail,
 * refuse, delay or hang requests, rewrite batch writes so some records fail, and the
 * `GET|PUT /__sandbox/config` routes. What each API answers comes from its adapter.
 *
 * The hooks are plain callbacks that return at once while nothing is configured: the
 * sandboxes must stay fast enough to benchmark Baton (BENCHMARKS.md).
 */
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FaultConfigError, type BurstRule, type RefusalRule, type ServerErrorStatus } from './config';
import { pathOf, type FaultPlan, type RecordFailurePicker } from './plan';

/** An answer the faults give instead of the route. */
export interface Answer {
  status: number;
  body: unknown;
}

/** What a batch write becomes when some of its records are to fail. */
export type BatchSplit =
  | {
      /** The request body without the failing records, for the route to write. */
      body: unknown;
      /** Puts the failed records' errors into the route's answer. */
      patch(payload: string, statusCode: number): { payload: string; statusCode?: number };
    }
  | { answer: Answer };

export interface FaultAdapter<B extends BurstRule, R extends RefusalRule = RefusalRule> {
  /** The plan in force (replaced by each PUT). */
  plan(): FaultPlan<B, R>;
  /** Whether any hook has work: a plan that is active, or rate limits. */
  enabled(): boolean;
  now(): number;
  /** Requests the faults apply to (the sandbox's own `/__sandbox` routes never are). */
  isApi(request: FastifyRequest): boolean;
  /** Rate limits, first of all: sets the usage headers and answers when over a limit. */
  limit?(request: FastifyRequest, reply: FastifyReply, now: number): Answer | undefined;
  serverError(status: ServerErrorStatus, request: FastifyRequest): Answer;
  /** A 401, 403 or 404 in the API's own words. */
  refusal(rule: R, request: FastifyRequest): Answer;
  burst(rule: B, request: FastifyRequest): Answer;
  /** Batch writes whose records can fail one by one; undefined when this request is none. */
  splitBatch?(request: FastifyRequest, failRecord: RecordFailurePicker): BatchSplit | undefined;
  /** Whether `splitBatch` could apply to this route (checked before the body is read). */
  isBatchWrite?(request: FastifyRequest): boolean;
  /** Sends an answer with the API's content type. */
  send(reply: FastifyReply, answer: Answer): void;
}

interface Parked {
  socket: Socket;
  timer?: NodeJS.Timeout;
}

/**
 * Requests held back (a latency) or never answered (a hang). Closing the sandbox destroys
 * their sockets: a hung request would otherwise keep `app.close()` waiting forever.
 */
class Parking {
  private readonly entries = new Set<Parked>();

  delay(request: FastifyRequest, ms: number, then: () => void): void {
    const entry: Parked = { socket: request.raw.socket };
    entry.timer = setTimeout(() => {
      this.entries.delete(entry);
      then();
    }, ms);
    this.entries.add(entry);
  }

  hang(request: FastifyRequest): void {
    const entry: Parked = { socket: request.raw.socket };
    this.entries.add(entry);
    // The client gave up (its timeout): nothing left to clean up.
    entry.socket.once('close', () => this.entries.delete(entry));
  }

  closeAll(): void {
    for (const e of this.entries) {
      if (e.timer) clearTimeout(e.timer);
      e.socket.destroy();
    }
    this.entries.clear();
  }
}

export function installFaultHooks<B extends BurstRule, R extends RefusalRule = RefusalRule>(
  app: FastifyInstance,
  adapter: FaultAdapter<B, R>,
): void {
  const parking = new Parking();
  // Set in onRequest (before the body is parsed), used in preHandler, then onSend.
  const pickers = new WeakMap<FastifyRequest, RecordFailurePicker>();
  const patches = new WeakMap<
    FastifyRequest,
    (payload: string, statusCode: number) => { payload: string; statusCode?: number }
  >();

  const after = (request: FastifyRequest, ms: number, then: () => void): void => {
    if (ms > 0) parking.delay(request, ms, then);
    else then();
  };

  app.addHook('onRequest', (request, reply, done) => {
    if (!adapter.enabled() || !adapter.isApi(request)) return done();
    const now = adapter.now();
    const limited = adapter.limit?.(request, reply, now);
    if (limited) return adapter.send(reply, limited);
    const plan = adapter.plan();
    if (!plan.active) return done();
    const verdict = plan.decide(request.method, pathOf(request.url), now);
    switch (verdict.kind) {
      case 'hang':
        return parking.hang(request);
      case 'error':
        return after(request, verdict.delayMs, () => adapter.send(reply, adapter.serverError(verdict.status, request)));
      case 'refuse':
        return after(request, verdict.delayMs, () => adapter.send(reply, adapter.refusal(verdict.rule, request)));
      case 'burst':
        return after(request, verdict.delayMs, () => adapter.send(reply, adapter.burst(verdict.rule, request)));
      case 'pass':
        if (verdict.failRecord && adapter.isBatchWrite?.(request)) pickers.set(request, verdict.failRecord);
        return after(request, verdict.delayMs, done);
    }
  });

  app.addHook('preHandler', (request, reply, done) => {
    const failRecord = pickers.get(request);
    if (!failRecord) return done();
    pickers.delete(request);
    const split = adapter.splitBatch?.(request, failRecord);
    if (!split) return done();
    if ('answer' in split) return adapter.send(reply, split.answer);
    request.body = split.body;
    patches.set(request, split.patch);
    return done();
  });

  app.addHook('onSend', (request, reply, payload, done) => {
    const patch = patches.get(request);
    if (!patch) return done(null, payload);
    patches.delete(request);
    if (typeof payload !== 'string') return done(null, payload);
    const patched = patch(payload, reply.statusCode);
    if (patched.statusCode !== undefined) reply.code(patched.statusCode);
    return done(null, patched.payload);
  });

  app.addHook('preClose', (done) => {
    parking.closeAll();
    done();
  });
}

export const CONFIG_ROUTE = '/__sandbox/config';

/**
 * `GET /__sandbox/config` answers the config in force, profile applied and defaults
 * filled (a valid PUT body itself); `PUT` replaces it and restarts counters, windows and
 * random streams, so a test can set a seed and replay the same faults.
 */
export function registerConfigRoutes(
  app: FastifyInstance,
  handlers: {
    read(): unknown;
    write(body: unknown): void;
    invalid(reply: FastifyReply, error: FaultConfigError, request: FastifyRequest): FastifyReply;
  },
): void {
  app.get(CONFIG_ROUTE, async () => handlers.read());
  app.put(CONFIG_ROUTE, async (request, reply) => {
    try {
      handlers.write(request.body ?? {});
    } catch (e) {
      if (e instanceof FaultConfigError) return handlers.invalid(reply, e, request);
      throw e;
    }
    return handlers.read();
  });
}
