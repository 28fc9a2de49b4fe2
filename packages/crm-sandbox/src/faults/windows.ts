/**
 * Request counters for rate limits, over the sandbox's clock (so tests move time by hand).
 * Only requests that were let through are counted: a client that backs off recovers, as
 * it does against HubSpot.
 */

/** At most `max` requests in any `windowMs` (a rolling window, as HubSpot's TEN_SECONDLY_ROLLING). */
export class RollingWindow {
  /** Times of the requests counted, oldest first, in a ring of `max` slots. */
  private readonly times: number[];
  private head = 0;
  private size = 0;

  constructor(
    readonly max: number,
    readonly windowMs: number,
  ) {
    this.times = new Array<number>(max).fill(0);
  }

  private expire(now: number): void {
    while (this.size > 0 && (this.times[this.head] ?? 0) <= now - this.windowMs) {
      this.head = (this.head + 1) % this.max;
      this.size--;
    }
  }

  hasRoom(now: number): boolean {
    this.expire(now);
    return this.size < this.max;
  }

  /** Counts a request; call only after `hasRoom`. */
  record(now: number): void {
    this.times[(this.head + this.size) % this.max] = now;
    this.size++;
  }

  remaining(now: number): number {
    this.expire(now);
    return this.max - this.size;
  }
}

const DAY_MS = 86_400_000;

/** At most `max` requests per calendar day (UTC). */
export class DailyCounter {
  private day = Number.NaN;
  private used = 0;

  constructor(readonly max: number) {}

  private roll(now: number): void {
    const day = Math.floor(now / DAY_MS);
    if (day !== this.day) {
      this.day = day;
      this.used = 0;
    }
  }

  hasRoom(now: number): boolean {
    this.roll(now);
    return this.used < this.max;
  }

  record(now: number): void {
    this.roll(now);
    this.used++;
  }

  remaining(now: number): number {
    this.roll(now);
    return this.max - this.used;
  }
}
