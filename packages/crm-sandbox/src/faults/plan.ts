/**
 * The API-independent part of the faults: which request gets a server error, a refusal, a
 * delay, a hang or a throttling burst, and which batch records fail, decided from the config, the
 * sandbox's clock and seeded random streams. No HTTP here; the per-API modules answer.
 */
import type {
  BurstRule,
  CommonFaultConfig,
  ErrorRule,
  HangRule,
  LatencyRule,
  RecordFailureRule,
  RefusalRule,
  ServerErrorStatus,
} from './config';
import { RandomStreams } from './random';

type RouteTest = (method: string, path: string) => boolean;

/** `*`, a path glob, or `METHOD glob` (see `route` in config.ts). */
export function compileRoute(pattern: string): RouteTest {
  const m = /^(?:([A-Za-z]+)\s+)?(\S+)$/.exec(pattern.trim());
  const method = m?.[1]?.toUpperCase();
  const glob = m?.[2] ?? '*';
  if (glob === '*' && method === undefined) return () => true;
  const source = glob
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const re = new RegExp(`^${source}$`);
  return (requestMethod, path) => (method === undefined || method === requestMethod) && re.test(path);
}

/** The path a route pattern is matched against: the URL without its query string. */
export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** Says, record by record in order, whether a batch write's record fails. */
export type RecordFailurePicker = (index: number) => boolean;

export type Verdict<B extends BurstRule, R extends RefusalRule = RefusalRule> =
  | { kind: 'pass'; delayMs: number; failRecord?: RecordFailurePicker }
  | { kind: 'error'; status: ServerErrorStatus; delayMs: number }
  | { kind: 'refuse'; rule: R; delayMs: number }
  | { kind: 'burst'; rule: B; delayMs: number }
  | { kind: 'hang' };

interface Compiled<R> {
  rule: R;
  test: RouteTest;
  /** The rule's own random stream (see RandomStreams). */
  stream: string;
}

function compile<R extends { route: string }>(kind: string, rules: readonly R[]): Compiled<R>[] {
  return rules.map((rule, i) => ({ rule, test: compileRoute(rule.route), stream: `${kind}:${i}` }));
}

function first<R>(rules: readonly Compiled<R>[], method: string, path: string): Compiled<R> | undefined {
  for (const r of rules) if (r.test(method, path)) return r;
  return undefined;
}

/**
 * One applied config. For each kind of fault the first rule whose route matches decides;
 * the same seed and the same order of requests give the same answers.
 */
export class FaultPlan<B extends BurstRule = BurstRule, R extends RefusalRule = RefusalRule> {
  /** False when the config asks for nothing per request, so hooks can return at once. */
  readonly active: boolean;
  private readonly random: RandomStreams;
  private readonly errors: Compiled<ErrorRule>[];
  private readonly latency: Compiled<LatencyRule>[];
  private readonly hangs: Compiled<HangRule>[];
  private readonly bursts: Compiled<B>[];
  private readonly refusals: Compiled<R>[];
  private readonly recordFailures: Compiled<RecordFailureRule>[];

  constructor(
    config: CommonFaultConfig<B, R>,
    /** Clock time when the config was applied: burst windows count from here. */
    private readonly startedAt: number,
  ) {
    this.random = new RandomStreams(config.seed);
    this.errors = compile(
      'errors',
      config.errors.filter((r) => r.rate > 0),
    );
    this.latency = compile(
      'latency',
      config.latency.filter((r) => r.fixedMs > 0 || r.jitterMs > 0),
    );
    this.hangs = compile(
      'hangs',
      config.hangs.filter((r) => r.rate > 0),
    );
    this.bursts = compile('bursts', config.bursts);
    this.refusals = compile(
      'refusals',
      config.refusals.filter((r) => r.rate > 0),
    );
    this.recordFailures = compile(
      'recordFailures',
      config.recordFailures.filter((r) => r.rate > 0),
    );
    this.active = [this.errors, this.latency, this.hangs, this.bursts, this.refusals, this.recordFailures].some(
      (rules) => rules.length > 0,
    );
  }

  decide(method: string, path: string, now: number): Verdict<B, R> {
    const burst = this.burstAt(method, path, now);
    if (burst) return { kind: 'burst', rule: burst, delayMs: this.delay(method, path) };

    // After throttling, as an API counts a request before it checks what the caller may do.
    const refusal = first(this.refusals, method, path);
    if (refusal && (refusal.rule.rate >= 1 || this.random.next(refusal.stream) < refusal.rule.rate))
      return { kind: 'refuse', rule: refusal.rule, delayMs: this.delay(method, path) };

    const error = first(this.errors, method, path);
    if (error && this.random.next(error.stream) < error.rule.rate) {
      const { statuses } = error.rule;
      const status = statuses[Math.floor(this.random.next(error.stream) * statuses.length)] ?? statuses[0] ?? 500;
      return { kind: 'error', status, delayMs: this.delay(method, path) };
    }

    const hang = first(this.hangs, method, path);
    if (hang && this.random.next(hang.stream) < hang.rule.rate) return { kind: 'hang' };

    const delayMs = this.delay(method, path);
    const failing = first(this.recordFailures, method, path);
    if (!failing) return { kind: 'pass', delayMs };
    const { rate } = failing.rule;
    return { kind: 'pass', delayMs, failRecord: () => this.random.next(failing.stream) < rate };
  }

  private burstAt(method: string, path: string, now: number): B | undefined {
    for (const b of this.bursts) {
      if (!b.test(method, path)) continue;
      const t = now - this.startedAt - b.rule.startMs;
      if (t < 0) continue;
      if (b.rule.everyMs === undefined ? t < b.rule.durationMs : t % b.rule.everyMs < b.rule.durationMs) return b.rule;
    }
    return undefined;
  }

  private delay(method: string, path: string): number {
    const rule = first(this.latency, method, path);
    if (!rule) return 0;
    const { fixedMs, jitterMs } = rule.rule;
    // Uniform in [fixedMs, fixedMs + jitterMs].
    return jitterMs === 0 ? fixedMs : fixedMs + Math.floor(this.random.next(rule.stream) * (jitterMs + 1));
  }
}
