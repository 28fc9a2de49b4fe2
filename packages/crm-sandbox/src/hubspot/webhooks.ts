/**
 * Webhooks as a HubSpot app receives them: CRM changes become events, batched up to 100
 * per POST, signed with X-HubSpot-Signature-v3, retried with exponential backoff.
 * https://developers.hubspot.com/docs/api/webhooks
 * https://developers.hubspot.com/docs/api/webhooks/validating-requests
 */
import { createHash, createHmac } from 'node:crypto';
import { API_SOURCE, SANDBOX_APP_ID, type WriteSource } from './history';
import { SANDBOX_PORTAL_ID, type HubSpotState } from './state';
import type { ChangeEvent, CrmObjectType } from './store';

export const SUBSCRIPTION_TYPES = [
  'contact.creation',
  'contact.propertyChange',
  'contact.deletion',
  'company.creation',
  'company.propertyChange',
  'company.deletion',
] as const;

export type SubscriptionType = (typeof SUBSCRIPTION_TYPES)[number];

export interface WebhookSubscription {
  id: number;
  subscriptionType: SubscriptionType;
  /** `*.propertyChange` only: the one property this subscription hears about; all when absent. */
  propertyName?: string;
  active: boolean;
  createdAt: number;
}

export interface SubscriptionInput {
  subscriptionType: SubscriptionType;
  propertyName?: string;
  active?: boolean;
}

/** The app's webhook settings, as in HubSpot's app configuration. */
export interface WebhookTarget {
  targetUrl: string;
  clientSecret: string;
  /** Default SANDBOX_APP_ID. */
  appId?: number;
}

export interface WebhookOptions extends WebhookTarget {
  /** Default: `contact.creation` and `contact.propertyChange` for every property. */
  subscriptions?: SubscriptionInput[];
  /**
   * First retry after 2 × base, then 4 ×, 8 × … (HubSpot: 2 min, 4 min, 8 min …, so the
   * default base is one minute). Tests pass a few milliseconds.
   */
  retryBaseMs?: number;
  /** HubSpot gives the endpoint 5 s to answer. */
  timeoutMs?: number;
  /** HubSpot tries a notification up to 10 times. */
  maxAttempts?: number;
  /** How long events gather before a batch goes out; default 50 ms. */
  batchWindowMs?: number;
  /** HubSpot's `maxConcurrentRequests` app setting; default 10. */
  maxConcurrentRequests?: number;
}

/** One event of a webhook request body, in HubSpot's field order. */
export interface WebhookEvent {
  eventId: number;
  subscriptionId: number;
  portalId: number;
  appId: number;
  occurredAt: number;
  subscriptionType: SubscriptionType;
  attemptNumber: number;
  objectId: number;
  propertyName?: string;
  propertyValue?: string;
  changeFlag?: 'CREATED' | 'DELETED';
  changeSource: string;
  sourceId?: string;
}

export type DeliveryStatus = 'delivered' | 'retrying' | 'rejected' | 'abandoned' | 'cancelled';

export interface DeliveryLogEntry {
  deliveryId: number;
  /** The batch's id; every attempt at one batch shares it. */
  batchId: number;
  attemptNumber: number;
  targetUrl: string;
  eventIds: number[];
  startedAt: string;
  durationMs: number;
  status: DeliveryStatus;
  responseStatus?: number;
  error?: string;
  nextAttemptAt?: string;
}

export const MAX_EVENTS_PER_REQUEST = 100;
const DEFAULTS = {
  retryBaseMs: 60_000,
  timeoutMs: 5_000,
  maxAttempts: 10,
  batchWindowMs: 50,
  maxConcurrentRequests: 10,
};
/** Statuses HubSpot treats as a final "no": it does not retry them. */
const NO_RETRY = new Set([400, 401, 403, 404, 405]);
const LOG_SIZE = 1000;
const SINGULAR: Record<CrmObjectType, 'contact' | 'company'> = { contacts: 'contact', companies: 'company' };

/** base64(HMAC-SHA256(clientSecret, method + uri + body + timestamp)). */
export function signatureV3(
  clientSecret: string,
  method: string,
  uri: string,
  body: string,
  timestamp: number,
): string {
  return createHmac('sha256', clientSecret).update(`${method}${uri}${body}${timestamp}`).digest('base64');
}

interface Batch {
  id: number;
  events: WebhookEvent[];
  attemptNumber: number;
}

type Settings = Required<Omit<WebhookOptions, 'subscriptions' | keyof WebhookTarget>>;

/**
 * Turns state changes into signed webhook requests. Changes made while seeding (`quiet`)
 * send nothing. Close flushes what is queued and cancels pending retries.
 */
export class WebhookDispatcher {
  private target: Required<WebhookTarget> | undefined;
  private readonly settings: Settings;
  private readonly subscriptions = new Map<number, WebhookSubscription>();
  private pending: WebhookEvent[] = [];
  private batchTimer: NodeJS.Timeout | undefined;
  private readonly retries = new Map<NodeJS.Timeout, Batch>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly aborts = new Set<AbortController>();
  private readonly log: DeliveryLogEntry[] = [];
  private readonly waiters: (() => void)[] = [];
  private active = 0;
  private readonly queue: Batch[] = [];
  private nextSubscriptionId = 100_001;
  private nextEventId = 3_816_279_001;
  private nextBatchId = 1;
  private nextDeliveryId = 1;
  private closed = false;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly state: HubSpotState,
    opts: Partial<WebhookOptions> = {},
  ) {
    this.settings = {
      retryBaseMs: opts.retryBaseMs ?? DEFAULTS.retryBaseMs,
      timeoutMs: opts.timeoutMs ?? DEFAULTS.timeoutMs,
      maxAttempts: opts.maxAttempts ?? DEFAULTS.maxAttempts,
      batchWindowMs: opts.batchWindowMs ?? DEFAULTS.batchWindowMs,
      maxConcurrentRequests: opts.maxConcurrentRequests ?? DEFAULTS.maxConcurrentRequests,
    };
    if (opts.targetUrl !== undefined && opts.clientSecret !== undefined) {
      this.configure({
        targetUrl: opts.targetUrl,
        clientSecret: opts.clientSecret,
        ...(opts.appId !== undefined ? { appId: opts.appId } : {}),
      });
      const subs = opts.subscriptions ?? [
        { subscriptionType: 'contact.creation' },
        { subscriptionType: 'contact.propertyChange' },
      ];
      for (const s of subs) this.subscribe(s);
    }
    this.unsubscribe = state.onChange((event, quiet) => {
      if (!quiet) this.onChange(event);
    });
  }

  configure(target: WebhookTarget): void {
    this.target = {
      targetUrl: target.targetUrl,
      clientSecret: target.clientSecret,
      appId: target.appId ?? SANDBOX_APP_ID,
    };
  }

  /** The target without its secret, for the admin API. */
  describeTarget(): { targetUrl: string; appId: number } | undefined {
    return this.target ? { targetUrl: this.target.targetUrl, appId: this.target.appId } : undefined;
  }

  subscribe(input: SubscriptionInput): WebhookSubscription {
    const sub: WebhookSubscription = {
      id: this.nextSubscriptionId++,
      subscriptionType: input.subscriptionType,
      ...(input.propertyName !== undefined ? { propertyName: input.propertyName } : {}),
      active: input.active ?? true,
      createdAt: this.state.now(),
    };
    this.subscriptions.set(sub.id, sub);
    return sub;
  }

  unsubscribeById(id: number): boolean {
    return this.subscriptions.delete(id);
  }

  /** Drops every subscription, queued event and scheduled retry, and the log. */
  reset(): void {
    this.subscriptions.clear();
    this.pending = [];
    for (const timer of this.retries.keys()) clearTimeout(timer);
    this.retries.clear();
    this.queue.length = 0;
    this.log.length = 0;
    this.wake();
  }

  listSubscriptions(): WebhookSubscription[] {
    return [...this.subscriptions.values()];
  }

  deliveries(): DeliveryLogEntry[] {
    return [...this.log];
  }

  /** Sends what is queued now and waits for the requests in flight (not for later retries). */
  async flush(): Promise<void> {
    this.sendPending();
    while (this.inFlight.size > 0) await Promise.race(this.inFlight);
  }

  /** Resolves when nothing is queued, in flight or waiting for a retry. */
  async settled(): Promise<void> {
    this.sendPending();
    if (this.isIdle()) return;
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Stops listening, delivers what is queued (one attempt each) and cancels scheduled retries. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.unsubscribe();
    await this.flush();
    this.closed = true;
    for (const [timer, batch] of this.retries) {
      clearTimeout(timer);
      this.record(batch, { status: 'cancelled', startedAt: Date.now(), durationMs: 0, error: 'sandbox closed' });
    }
    this.retries.clear();
    for (const a of this.aborts) a.abort();
    this.wake();
  }

  private onChange(event: ChangeEvent): void {
    if (!this.target || this.subscriptions.size === 0) return;
    if (event.kind !== 'created' && event.kind !== 'updated' && event.kind !== 'archived') return;
    const singular = SINGULAR[event.objectType];
    const store = this.state.objects[event.objectType];
    const record = store.get(event.id);
    const objectId = Number(event.id);
    for (const sub of this.subscriptions.values()) {
      if (!sub.active || !sub.subscriptionType.startsWith(`${singular}.`)) continue;
      const kind = sub.subscriptionType.slice(singular.length + 1);
      if (event.kind === 'archived') {
        if (kind === 'deletion') this.enqueue(sub, objectId, event.at, API_SOURCE, { changeFlag: 'DELETED' });
        continue;
      }
      if (event.kind === 'created' && kind === 'creation') {
        this.enqueue(sub, objectId, event.at, event.source, { changeFlag: 'CREATED' });
      }
      if (kind !== 'propertyChange' || !record) continue;
      // On creation every value set counts as a change, as in HubSpot.
      const names = event.kind === 'updated' ? event.changed : Object.keys(record.properties);
      for (const name of names) {
        if (store.isSystemProperty(name)) continue;
        if (sub.propertyName !== undefined && sub.propertyName !== name) continue;
        this.enqueue(sub, objectId, event.at, event.source, {
          propertyName: name,
          propertyValue: record.properties[name] ?? '',
        });
      }
    }
  }

  private enqueue(
    sub: WebhookSubscription,
    objectId: number,
    occurredAt: number,
    source: WriteSource,
    extra: Pick<WebhookEvent, 'propertyName' | 'propertyValue' | 'changeFlag'>,
  ): void {
    const event: WebhookEvent = {
      eventId: this.nextEventId++,
      subscriptionId: sub.id,
      portalId: SANDBOX_PORTAL_ID,
      appId: this.target?.appId ?? SANDBOX_APP_ID,
      occurredAt,
      subscriptionType: sub.subscriptionType,
      attemptNumber: 0,
      objectId,
      ...(extra.propertyName !== undefined
        ? { propertyName: extra.propertyName, propertyValue: extra.propertyValue ?? '' }
        : {}),
      ...(extra.changeFlag !== undefined ? { changeFlag: extra.changeFlag } : {}),
      changeSource: source.sourceType,
      ...(source.sourceId !== undefined ? { sourceId: source.sourceId } : {}),
    };
    this.pending.push(event);
    // A full batch goes at once; otherwise events gather for a short window.
    if (this.pending.length >= MAX_EVENTS_PER_REQUEST) this.sendPending();
    else if (!this.batchTimer) {
      this.batchTimer = setTimeout(() => this.sendPending(), this.settings.batchWindowMs);
      this.batchTimer.unref();
    }
  }

  private sendPending(): void {
    if (this.batchTimer) {
      clearTimeout(this.batchTimer);
      this.batchTimer = undefined;
    }
    while (this.pending.length > 0) {
      const events = this.pending.splice(0, MAX_EVENTS_PER_REQUEST);
      this.queue.push({ id: this.nextBatchId++, events, attemptNumber: 0 });
    }
    this.pump();
  }

  /** Starts queued batches up to the concurrency limit. */
  private pump(): void {
    while (this.active < this.settings.maxConcurrentRequests && this.queue.length > 0) {
      const batch = this.queue.shift()!;
      this.active++;
      const p = this.deliver(batch).finally(() => {
        this.active--;
        this.inFlight.delete(p);
        this.pump();
        this.wake();
      });
      this.inFlight.add(p);
    }
  }

  private async deliver(batch: Batch): Promise<void> {
    const target = this.target;
    if (!target || this.closed) return;
    const body = JSON.stringify(batch.events.map((e) => ({ ...e, attemptNumber: batch.attemptNumber })));
    // Signed with the wall clock: receivers compare it with theirs (5-minute window).
    const timestamp = Date.now();
    const abort = new AbortController();
    this.aborts.add(abort);
    const timer = setTimeout(() => abort.abort(), this.settings.timeoutMs);
    const started = performance.now();
    let status: number | undefined;
    let retryAfterMs: number | undefined;
    let error: string | undefined;
    try {
      const res = await fetch(target.targetUrl, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent':
            'HubSpot Connect 2.0 (http://dev.hubspot.com/) - WebhooksExecutorDaemon-executor (Baton sandbox)',
          'X-HubSpot-Signature': createHash('sha256')
            .update(target.clientSecret + body)
            .digest('hex'),
          'X-HubSpot-Signature-v3': signatureV3(target.clientSecret, 'POST', target.targetUrl, body, timestamp),
          'X-HubSpot-Signature-Version': 'v3',
          'X-HubSpot-Request-Timestamp': String(timestamp),
          'X-HubSpot-Timeout-Millis': String(this.settings.timeoutMs),
        },
        body,
        signal: abort.signal,
      });
      status = res.status;
      const retryAfter = Number(res.headers.get('retry-after'));
      if (status === 429 && Number.isFinite(retryAfter) && retryAfter > 0) retryAfterMs = retryAfter * 1000;
      // Drain the body so the connection can be reused.
      await res.arrayBuffer().catch(() => undefined);
    } catch (e) {
      error = abort.signal.aborted
        ? `timed out after ${this.settings.timeoutMs} ms`
        : e instanceof Error
          ? e.message
          : String(e);
    } finally {
      clearTimeout(timer);
      this.aborts.delete(abort);
    }
    const durationMs = Math.round(performance.now() - started);
    const base = {
      startedAt: timestamp,
      durationMs,
      ...(status !== undefined ? { responseStatus: status } : {}),
      ...(error ? { error } : {}),
    };
    if (status !== undefined && status >= 200 && status < 300)
      return this.record(batch, { ...base, status: 'delivered' });
    if (status !== undefined && NO_RETRY.has(status)) return this.record(batch, { ...base, status: 'rejected' });
    const next = batch.attemptNumber + 1;
    if (next >= this.settings.maxAttempts || this.closed) return this.record(batch, { ...base, status: 'abandoned' });
    // Exponential backoff on the next attempt number, with a little jitter so that many
    // failed batches do not all come back at once (HubSpot randomizes too).
    const delay = retryAfterMs ?? this.settings.retryBaseMs * 2 ** next * (1 + Math.random() * 0.1);
    this.record(batch, { ...base, status: 'retrying', nextAttemptAt: Date.now() + delay });
    const retry: Batch = { ...batch, attemptNumber: next };
    const handle = setTimeout(() => {
      this.retries.delete(handle);
      this.queue.push(retry);
      this.pump();
    }, delay);
    handle.unref();
    this.retries.set(handle, retry);
  }

  private record(
    batch: Batch,
    r: {
      status: DeliveryStatus;
      startedAt: number;
      durationMs: number;
      responseStatus?: number;
      error?: string;
      nextAttemptAt?: number;
    },
  ): void {
    const entry: DeliveryLogEntry = {
      deliveryId: this.nextDeliveryId++,
      batchId: batch.id,
      attemptNumber: batch.attemptNumber,
      targetUrl: this.target?.targetUrl ?? '',
      eventIds: batch.events.map((e) => e.eventId),
      startedAt: new Date(r.startedAt).toISOString(),
      durationMs: r.durationMs,
      status: r.status,
      ...(r.responseStatus !== undefined ? { responseStatus: r.responseStatus } : {}),
      ...(r.error !== undefined ? { error: r.error } : {}),
      ...(r.nextAttemptAt !== undefined ? { nextAttemptAt: new Date(r.nextAttemptAt).toISOString() } : {}),
    };
    this.log.push(entry);
    if (this.log.length > LOG_SIZE) this.log.splice(0, this.log.length - LOG_SIZE);
  }

  private isIdle(): boolean {
    return this.pending.length === 0 && this.queue.length === 0 && this.inFlight.size === 0 && this.retries.size === 0;
  }

  private wake(): void {
    if (!this.isIdle() && !this.closed) return;
    for (const w of this.waiters.splice(0)) w();
  }
}
