/**
 * Keeps a HubSpot client under the account's rate limits, learned from the answers
 * themselves: `X-HubSpot-RateLimit-Max` requests per `X-HubSpot-RateLimit-Interval-Milliseconds`
 * (a rolling window: 190 per 10 s on Professional and Enterprise, 100 on Free and Starter,
 * 250 with the add-on), and CRM search's own 5 requests a second, which no header reports.
 * https://developers.hubspot.com/docs/guides/apps/api-usage/usage-details
 *
 * HubSpot counts a request when it arrives; the pacer holds each request's place from the
 * moment it is sent until a full window after its answer came back, so however long a
 * request travels, no window on HubSpot's side can hold more than the limit. Requests go
 * out as soon as the window has room, so a run starts with the window's whole allowance
 * rather than one request every 1/rate seconds. `X-HubSpot-RateLimit-Remaining` shows
 * what other apps and workers on the account spend: places they hold are added. (What
 * they spend between two answers is seen only with the next one; a 429 that causes is
 * retried by the official client.)
 *
 * The secondly headers are left alone: HubSpot documents them as deprecated, their limit
 * no longer enforced. The first request goes out alone; if its answer carries no
 * rate-limit headers (a sandbox without limits), nothing is held back after it.
 */

export interface RateWindow {
  max: number;
  intervalMs: number;
}

/** HubSpot's documented CRM search limit: five requests a second per account. */
export const HUBSPOT_SEARCH_LIMIT: RateWindow = { max: 5, intervalMs: 1_000 };

interface Place {
  search: boolean;
  /** When the answer came back; until then the request holds its place in every window. */
  doneAt?: number;
}

interface Waiter {
  search: boolean;
  grant: (place: Place) => void;
}

export interface PacerOptions {
  now?: () => number;
  /** The search limit; HubSpot's is five a second. */
  searchLimit?: RateWindow;
}

export class HubSpotPacer {
  private readonly now: () => number;
  private readonly searchLimit: RateWindow;
  /** Set from the headers of the latest answer that carried them. */
  private limit: RateWindow | undefined;
  /** Whether any answer came back yet: until one has, the limits are unknown. */
  private answered = false;
  private places: Place[] = [];
  private readonly waiting: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;

  constructor(options: PacerOptions = {}) {
    this.now = options.now ?? Date.now;
    this.searchLimit = options.searchLimit ?? HUBSPOT_SEARCH_LIMIT;
  }

  /** The account's limit as the API last reported it. */
  get reportedLimit(): RateWindow | undefined {
    return this.limit;
  }

  /** Resolves when a request may go out; the place it gets is given back with `release`. */
  acquire(search: boolean): Promise<Place> {
    return new Promise((grant) => {
      this.waiting.push({ search, grant });
      this.pump();
    });
  }

  /** The answer to a request came back (or it failed): its place expires a window from now. */
  release(place: Place, headers: Readonly<Record<string, string>> = {}): void {
    if (place.doneAt !== undefined) return;
    const now = this.now();
    place.doneAt = now;
    this.answered = true;
    const max = positiveInt(headers['x-hubspot-ratelimit-max']);
    const intervalMs = positiveInt(headers['x-hubspot-ratelimit-interval-milliseconds']);
    if (max !== undefined && intervalMs !== undefined) this.limit = { max, intervalMs };
    const remaining = nonNegativeInt(headers['x-hubspot-ratelimit-remaining']);
    if (this.limit && remaining !== undefined) {
      // HubSpot counted this many in its window; any beyond our own were someone else's.
      const foreign = this.limit.max - remaining - this.held(this.limit, false, now);
      for (let i = 0; i < foreign; i++) this.places.push({ search: false, doneAt: now });
    }
    this.pump();
  }

  /** Places held in a window at `now`: in flight, or answered less than a window ago. */
  private held(window: RateWindow, searchOnly: boolean, now: number): number {
    let n = 0;
    for (const p of this.places) {
      if (searchOnly && !p.search) continue;
      if (p.doneAt === undefined || p.doneAt + window.intervalMs > now) n++;
    }
    return n;
  }

  /** How long a request must wait for room in `window`: 0, a time, or until an answer comes. */
  private waitFor(window: RateWindow, searchOnly: boolean, now: number): number {
    if (this.held(window, searchOnly, now) < window.max) return 0;
    let soonest = Number.POSITIVE_INFINITY;
    for (const p of this.places) {
      if (searchOnly && !p.search) continue;
      if (p.doneAt !== undefined && p.doneAt + window.intervalMs > now)
        soonest = Math.min(soonest, p.doneAt + window.intervalMs - now);
    }
    return soonest;
  }

  private delayOf(search: boolean, now: number): number {
    // The first request goes alone: a burst before any answer could overrun a limit not known yet.
    if (!this.answered) return this.places.length === 0 ? 0 : Number.POSITIVE_INFINITY;
    if (!this.limit) return 0;
    const general = this.waitFor(this.limit, false, now);
    return search ? Math.max(general, this.waitFor(this.searchLimit, true, now)) : general;
  }

  /** Lets out every waiter that has room, in order, and sets a timer for the next. */
  private pump(): void {
    const now = this.now();
    this.prune(now);
    let next = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.waiting.length;) {
      const waiter = this.waiting[i]!;
      const delay = this.delayOf(waiter.search, now);
      if (delay > 0) {
        next = Math.min(next, delay);
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      const place: Place = { search: waiter.search };
      this.places.push(place);
      waiter.grant(place);
    }
    this.schedule(next, now);
  }

  private schedule(delay: number, now: number): void {
    if (!Number.isFinite(delay)) return;
    const at = now + delay;
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.pump();
    }, delay);
  }

  private prune(now: number): void {
    const longest = Math.max(this.limit?.intervalMs ?? 0, this.searchLimit.intervalMs);
    if (this.places.length === 0) return;
    this.places = this.places.filter((p) => p.doneAt === undefined || p.doneAt + longest > now);
  }
}

function positiveInt(raw: string | undefined): number | undefined {
  const n = nonNegativeInt(raw);
  return n !== undefined && n > 0 ? n : undefined;
}

function nonNegativeInt(raw: string | undefined): number | undefined {
  if (raw === undefined || !/^\d+$/.test(raw.trim())) return undefined;
  return Number(raw.trim());
}

const SEARCH_PATH = /\/crm\/v3\/objects\/[^/?]+\/search(?:\?|$)/;

/** What the generated API classes send through: `send(request)` answers an object with `toPromise()`. */
interface HttpLibrary {
  send(request: unknown): { toPromise(): Promise<unknown> };
}

interface ApiConfiguration {
  httpApi: HttpLibrary;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isConfiguration(value: unknown): value is ApiConfiguration {
  return isObject(value) && isObject(value.httpApi) && typeof value.httpApi.send === 'function';
}

/** The configuration an API object (`client.crm.contacts.searchApi` and the like) sends through. */
function configurationOf(value: Record<string, unknown>): ApiConfiguration | undefined {
  const configuration = isObject(value.api) ? value.api.configuration : undefined;
  return isConfiguration(configuration) ? configuration : undefined;
}

function isSearch(request: unknown): boolean {
  if (!isObject(request) || typeof request.getUrl !== 'function' || typeof request.getHttpMethod !== 'function')
    return false;
  return String(request.getHttpMethod()) === 'POST' && SEARCH_PATH.test(String(request.getUrl()));
}

function headersOf(response: unknown): Record<string, string> {
  const headers = isObject(response) ? response.headers : undefined;
  if (!isObject(headers)) return {};
  return Object.fromEntries(Object.entries(headers).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** The shape the generated code chains on (its `rxjsStub` Observable). */
class Chain<T> {
  constructor(private readonly promise: Promise<T>) {}
  toPromise(): Promise<T> {
    return this.promise;
  }
  pipe<U>(next: (value: T) => U | PromiseLike<U>): Chain<U> {
    return new Chain(this.promise.then(next));
  }
}

/**
 * Puts a pacer between an official client and the network. The client offers no working
 * hook for this: its limiter is process-wide, and the middleware it is configured with
 * never runs (its generated API classes use only middleware passed with each call). So
 * the HTTP library of each API object's configuration is wrapped as the object is first
 * reached from the client: each request, retries included, waits for a place and gives it
 * back with its own answer's headers.
 */
export function pacedClient<T extends object>(client: T, pacer: HubSpotPacer): T {
  const proxies = new WeakMap<object, unknown>();
  const paced = new WeakSet<object>();

  const pace = (configuration: ApiConfiguration): void => {
    if (paced.has(configuration)) return;
    paced.add(configuration);
    const inner = configuration.httpApi;
    configuration.httpApi = {
      send: (request) =>
        new Chain(
          pacer.acquire(isSearch(request)).then(async (place) => {
            try {
              const response = await inner.send(request).toPromise();
              pacer.release(place, headersOf(response));
              return response;
            } catch (err) {
              pacer.release(place);
              throw err;
            }
          }),
        ),
    };
  };

  const wrap = <O extends object>(target: O): O => {
    const known = proxies.get(target);
    if (known) return known as O;
    const proxy = new Proxy(target, {
      get: (obj, prop) => {
        const value: unknown = Reflect.get(obj, prop);
        // Plain library objects only (discoveries, API classes), not Maps, Dates or agents.
        if (!isObject(value) || Object.prototype.toString.call(value) !== '[object Object]') return value;
        const configuration = configurationOf(value);
        if (!configuration) return wrap(value);
        pace(configuration);
        return value;
      },
    });
    proxies.set(target, proxy);
    return proxy;
  };

  return wrap(client);
}
