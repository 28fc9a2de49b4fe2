import { HubSpotPacer } from '../../src/crm/hubspot/pacer';

/** The headers HubSpot sends with an answer under a limit of `max` per `intervalMs`. */
function limitHeaders(max: number, remaining: number, intervalMs = 10_000): Record<string, string> {
  return {
    'x-hubspot-ratelimit-max': String(max),
    'x-hubspot-ratelimit-remaining': String(remaining),
    'x-hubspot-ratelimit-interval-milliseconds': String(intervalMs),
  };
}

describe('HubSpotPacer', () => {
  let clock = 0;
  beforeEach(() => {
    clock = 0;
    jest.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  /** Moves both the pacer's clock and the timers, letting granted promises settle. */
  async function advance(ms: number): Promise<void> {
    clock += ms;
    await jest.advanceTimersByTimeAsync(ms);
  }

  function tracked(pacer: HubSpotPacer, search = false) {
    const state = { granted: false, place: undefined as Parameters<HubSpotPacer['release']>[0] | undefined };
    void pacer.acquire(search).then((place) => {
      state.granted = true;
      state.place = place;
    });
    return state;
  }

  it('sends the first request alone, and holds nothing back when its answer reports no limit', async () => {
    const pacer = new HubSpotPacer({ now: () => clock });
    const calls = Array.from({ length: 500 }, () => tracked(pacer));
    await advance(0);
    expect(calls.filter((c) => c.granted)).toHaveLength(1);
    pacer.release(calls[0]!.place!, {});
    await advance(0);
    expect(calls.every((c) => c.granted)).toBe(true);
    expect(pacer.reportedLimit).toBeUndefined();
  });

  it('lets the rest go once the first answer says how much room there is', async () => {
    const pacer = new HubSpotPacer({ now: () => clock });
    const calls = Array.from({ length: 30 }, () => tracked(pacer));
    await advance(0);
    await advance(50);
    pacer.release(calls[0]!.place!, limitHeaders(20, 19, 1_000));
    await advance(0);
    expect(calls.filter((c) => c.granted)).toHaveLength(20);
  });

  it('spends the reported window at once, then waits until a place is a full window past its answer', async () => {
    const pacer = new HubSpotPacer({ now: () => clock });
    const first = tracked(pacer);
    await advance(0);
    await advance(40);
    pacer.release(first.place!, limitHeaders(5, 4));
    expect(pacer.reportedLimit).toEqual({ max: 5, intervalMs: 10_000 });

    const burst = Array.from({ length: 6 }, () => tracked(pacer));
    await advance(0);
    // Four more fit in the window of five; the sixth request of the window waits.
    expect(burst.map((c) => c.granted)).toEqual([true, true, true, true, false, false]);
    await advance(60);
    burst.slice(0, 4).forEach((c, i) => pacer.release(c.place!, limitHeaders(5, 3 - i)));
    // The first place frees a window after its answer (t = 40), not after it was sent.
    await advance(10_040 - 100 - 1);
    expect(burst[4]!.granted).toBe(false);
    await advance(1);
    expect(burst.map((c) => c.granted)).toEqual([true, true, true, true, true, false]);
    // The other four were answered at t = 100.
    await advance(60);
    expect(burst[5]!.granted).toBe(true);
  });

  it('waits for an answer when every place is still in flight', async () => {
    const pacer = new HubSpotPacer({ now: () => clock });
    const first = tracked(pacer);
    await advance(0);
    pacer.release(first.place!, limitHeaders(2, 1, 1_000));
    const [a, b, c] = [tracked(pacer), tracked(pacer), tracked(pacer)];
    await advance(0);
    expect([a.granted, b.granted, c.granted]).toEqual([true, false, false]);
    await advance(5_000);
    // `first` left the window; `a` is in flight and holds its place however long it takes.
    expect([b.granted, c.granted]).toEqual([true, false]);
    await advance(5_000);
    expect(c.granted).toBe(false);
    pacer.release(a.place!, limitHeaders(2, 0, 1_000));
    await advance(999);
    expect(c.granted).toBe(false);
    await advance(1);
    expect(c.granted).toBe(true);
  });

  it('counts what others spent on the account, from X-HubSpot-RateLimit-Remaining', async () => {
    const pacer = new HubSpotPacer({ now: () => clock });
    const first = tracked(pacer);
    await advance(0);
    // HubSpot counted 8 of 10 in its window; this client sent one of them.
    pacer.release(first.place!, limitHeaders(10, 2, 1_000));
    const next = Array.from({ length: 3 }, () => tracked(pacer));
    await advance(0);
    expect(next.map((c) => c.granted)).toEqual([true, true, false]);
    await advance(1_000);
    expect(next[2]!.granted).toBe(true);
  });

  it('keeps CRM search to five a second, and other requests are not held up by a waiting search', async () => {
    const pacer = new HubSpotPacer({ now: () => clock });
    const first = tracked(pacer);
    await advance(0);
    pacer.release(first.place!, limitHeaders(190, 189));
    const searches = Array.from({ length: 7 }, () => tracked(pacer, true));
    const batch = tracked(pacer);
    await advance(0);
    expect(searches.map((s) => s.granted)).toEqual([true, true, true, true, true, false, false]);
    expect(batch.granted).toBe(true);
    await advance(20);
    for (const s of searches.slice(0, 5)) pacer.release(s.place!, limitHeaders(190, 180));
    await advance(999);
    expect(searches[5]!.granted).toBe(false);
    await advance(1);
    expect(searches.map((s) => s.granted)).toEqual([true, true, true, true, true, true, true]);
  });

  it('ignores headers it cannot read', async () => {
    const pacer = new HubSpotPacer({ now: () => clock });
    const first = tracked(pacer);
    await advance(0);
    pacer.release(first.place!, {
      'x-hubspot-ratelimit-max': 'lots',
      'x-hubspot-ratelimit-interval-milliseconds': '10000',
      'x-hubspot-ratelimit-remaining': '-1',
    });
    expect(pacer.reportedLimit).toBeUndefined();
  });
});
