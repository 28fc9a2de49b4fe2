/**
 * The sandboxes' limits and faults without HTTP: config validation and profiles, route
 * patterns, seeded decisions, rate windows and the lagging search index.
 */
import {
  FaultConfigError,
  faultsFromFlags,
  HUBSPOT_PROFILES,
  resolveHubSpotFaults,
  resolveSalesforceFaults,
} from '../../src/faults/config';
import { compileRoute, FaultPlan, pathOf } from '../../src/faults/plan';
import { LaggingSearchIndex } from '../../src/faults/search-index';
import { DailyCounter, RollingWindow } from '../../src/faults/windows';
import { HubSpotState } from '../../src/hubspot/state';

function problems(input: unknown, resolve: (i: unknown) => unknown = resolveHubSpotFaults): string[] {
  try {
    resolve(input);
  } catch (e) {
    if (e instanceof FaultConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected the config to be rejected');
}

describe('fault config', () => {
  it('is the ideal profile when empty: no limits, no faults', () => {
    expect(resolveHubSpotFaults({})).toEqual(HUBSPOT_PROFILES.ideal);
    expect(resolveSalesforceFaults(undefined)).toMatchObject({ profile: 'ideal', dailyApiLimit: null, errors: [] });
  });

  it('puts overrides on top of a profile: lists replace, rate limits merge key by key', () => {
    const config = resolveHubSpotFaults({
      profile: 'hubspot-pro',
      seed: 42,
      rateLimits: { daily: 1000 },
      errors: [{ route: 'POST /crm/v3/objects/contacts/search', rate: 0.5 }],
    });
    expect(config.rateLimits).toEqual({ tenSecondly: 190, secondly: null, search: 5, daily: 1000, intervalMs: 10_000 });
    expect(config.seed).toBe(42);
    // Rule defaults are filled, so GET answers a complete config.
    expect(config.errors).toEqual([
      { route: 'POST /crm/v3/objects/contacts/search', rate: 0.5, statuses: [500, 502, 503] },
    ]);
  });

  it('keeps the profile for what is not overridden', () => {
    const flaky = resolveHubSpotFaults({ profile: 'flaky', seed: 42, searchLagMs: 500 });
    expect(flaky.errors).toEqual(HUBSPOT_PROFILES.flaky.errors);
    expect(flaky.latency).toEqual(HUBSPOT_PROFILES.flaky.latency);
    expect(flaky.searchLagMs).toBe(500);
  });

  it('lists every problem with its path', () => {
    expect(
      problems({
        profile: 'turbo',
        seed: -1,
        errors: [{ rate: 1.5, statuses: [404] }],
        bursts: [{ durationMs: 1000, everyMs: 500 }],
        rateLimits: { tenSecondly: 0 },
        colour: 'red',
      }),
    ).toEqual([
      'profile: Invalid option: expected one of "ideal"|"hubspot-pro"|"flaky"',
      'seed: Too small: expected number to be >=0',
      'errors.0.rate: a rate is a share between 0 and 1',
      'errors.0.statuses.0: a status is 500, 502 or 503',
      'bursts.0.everyMs: everyMs must be longer than durationMs (or the window never closes)',
      'rateLimits.tenSecondly: Too small: expected number to be >0',
      'Unrecognized key: "colour"',
    ]);
  });

  it('fills a refusal with every matching request and checks its status and scopes', () => {
    expect(
      resolveHubSpotFaults({
        refusals: [{ route: 'PUT /crm/v3/lists/*/memberships/remove', status: 403, scopes: ['crm.lists.write'] }],
      }).refusals,
    ).toEqual([{ route: 'PUT /crm/v3/lists/*/memberships/remove', status: 403, rate: 1, scopes: ['crm.lists.write'] }]);
    expect(problems({ refusals: [{ status: 500 }, { status: 403, scopes: [''] }] })).toEqual([
      'refusals.0.status: a refusal status is 401, 403 or 404',
      'refusals.1.scopes.0: a scope is a name such as crm.lists.write',
    ]);
    // Scopes are HubSpot's; Salesforce has none.
    expect(problems({ refusals: [{ status: 403, scopes: ['x'] }] }, resolveSalesforceFaults)).toEqual([
      'refusals.0: Unrecognized key: "scopes"',
    ]);
  });

  it('rejects a malformed route and options of the other sandbox', () => {
    expect(problems({ latency: [{ route: 'crm/v3', fixedMs: 5 }] })[0]).toMatch(/^latency\.0\.route: a route is "\*"/);
    expect(problems({ searchLagMs: 10 }, resolveSalesforceFaults)).toEqual(['Unrecognized key: "searchLagMs"']);
    expect(problems({ dailyApiLimit: 10 })).toEqual(['Unrecognized key: "dailyApiLimit"']);
  });

  it('reads the CLI flags, naming the bad one', () => {
    expect(faultsFromFlags({ profile: 'flaky', seed: '42' })).toEqual({ profile: 'flaky', seed: 42 });
    expect(faultsFromFlags({})).toEqual({});
    expect(() => faultsFromFlags({ seed: 'x' })).toThrow(
      'Invalid sandbox config: --seed: the seed is a whole number from 0 to 4294967295',
    );
    expect(() => faultsFromFlags({ profile: 'turbo' })).toThrow(/--profile: Invalid option/);
  });
});

describe('route patterns', () => {
  const cases: [string, string, string, boolean][] = [
    ['*', 'DELETE', '/anything', true],
    ['/crm/v3/objects/contacts/search', 'POST', '/crm/v3/objects/contacts/search', true],
    ['/crm/v3/objects/contacts/search', 'POST', '/crm/v3/objects/contacts/searches', false],
    ['POST /crm/v3/objects/*/batch/*', 'POST', '/crm/v3/objects/companies/batch/upsert', true],
    ['POST /crm/v3/objects/*/batch/*', 'GET', '/crm/v3/objects/companies/batch/upsert', false],
    ['post /services/data/*/composite/sobjects', 'POST', '/services/data/v62.0/composite/sobjects', true],
    ['/services/data/v62.0/query', 'GET', '/services/data/v62+0/query', false],
  ];
  it.each(cases)('%s matches %s %s: %s', (pattern, method, path, expected) => {
    expect(compileRoute(pattern)(method, path)).toBe(expected);
  });

  it('matches the path without its query string', () => {
    expect(pathOf('/crm/v3/objects/contacts?limit=10')).toBe('/crm/v3/objects/contacts');
  });
});

describe('FaultPlan', () => {
  /** 200 decisions as text: "." passed, "500"/"502"/"503" an error. */
  const errorsOf = (seed: number): string => {
    const plan = new FaultPlan(resolveSalesforceFaults({ seed, errors: [{ rate: 0.2 }] }), 0);
    return Array.from({ length: 200 }, () => {
      const v = plan.decide('GET', '/x', 0);
      return v.kind === 'error' ? String(v.status) : '.';
    }).join('');
  };

  it('is inactive with nothing configured', () => {
    expect(new FaultPlan(resolveSalesforceFaults({}), 0).active).toBe(false);
    expect(new FaultPlan(resolveSalesforceFaults({ errors: [{ rate: 0 }] }), 0).active).toBe(false);
  });

  it('gives the same errors for the same seed, others for another, near the rate', () => {
    const a = errorsOf(42);
    expect(errorsOf(42)).toBe(a);
    expect(errorsOf(43)).not.toBe(a);
    const failures = a.replace(/\./g, '').length / 3;
    expect(failures).toBeGreaterThan(20);
    expect(failures).toBeLessThan(60);
    expect(new Set(a.match(/\d{3}/g))).toEqual(new Set(['500', '502', '503']));
  });

  it('keeps each rule on its own stream: adding latency does not move the errors', () => {
    const plain = new FaultPlan(resolveSalesforceFaults({ seed: 1, errors: [{ rate: 0.3 }] }), 0);
    const delayed = new FaultPlan(
      resolveSalesforceFaults({ seed: 1, errors: [{ rate: 0.3 }], latency: [{ fixedMs: 5, jitterMs: 10 }] }),
      0,
    );
    for (let i = 0; i < 100; i++) {
      const p = plain.decide('GET', '/x', 0);
      const d = delayed.decide('GET', '/x', 0);
      expect(d.kind).toBe(p.kind);
      if (d.kind !== 'hang') {
        expect(d.delayMs).toBeGreaterThanOrEqual(5);
        expect(d.delayMs).toBeLessThanOrEqual(15);
      }
    }
  });

  it('applies the first rule whose route matches', () => {
    const plan = new FaultPlan(
      resolveSalesforceFaults({
        errors: [
          { route: 'GET /a', rate: 1, statuses: [502] },
          { rate: 1, statuses: [503] },
        ],
      }),
      0,
    );
    expect(plan.decide('GET', '/a', 0)).toEqual({ kind: 'error', status: 502, delayMs: 0 });
    expect(plan.decide('POST', '/a', 0)).toEqual({ kind: 'error', status: 503, delayMs: 0 });
  });

  it('opens burst windows from the moment the config is applied, once or repeatedly', () => {
    const plan = new FaultPlan(
      resolveSalesforceFaults({ bursts: [{ startMs: 100, durationMs: 50, everyMs: 1000 }] }),
      10_000,
    );
    const at = (t: number): string => plan.decide('GET', '/x', 10_000 + t).kind;
    expect([at(99), at(100), at(149), at(150), at(1100), at(1151)]).toEqual([
      'pass',
      'burst',
      'burst',
      'pass',
      'burst',
      'pass',
    ]);
    const once = new FaultPlan(resolveSalesforceFaults({ bursts: [{ durationMs: 50 }] }), 0);
    expect([
      once.decide('GET', '/x', 0).kind,
      once.decide('GET', '/x', 50).kind,
      once.decide('GET', '/x', 1000).kind,
    ]).toEqual(['burst', 'pass', 'pass']);
  });

  it('refuses every matching request, after a burst and before a server error', () => {
    const plan = new FaultPlan(
      resolveSalesforceFaults({
        refusals: [{ route: 'DELETE /a/*', status: 404 }],
        errors: [{ rate: 1, statuses: [503] }],
        bursts: [{ route: '/a/burst', durationMs: 50 }],
      }),
      0,
    );
    for (let i = 0; i < 20; i++)
      expect(plan.decide('DELETE', '/a/1', 0)).toEqual({
        kind: 'refuse',
        rule: { route: 'DELETE /a/*', status: 404, rate: 1 },
        delayMs: 0,
      });
    expect(plan.decide('GET', '/a/1', 0)).toEqual({ kind: 'error', status: 503, delayMs: 0 });
    expect(plan.decide('DELETE', '/a/burst', 0).kind).toBe('burst');
    expect(plan.active).toBe(true);
  });

  it('refuses a seeded share when a rate is given', () => {
    const refused = (seed: number): string => {
      const plan = new FaultPlan(resolveSalesforceFaults({ seed, refusals: [{ status: 401, rate: 0.5 }] }), 0);
      return Array.from({ length: 100 }, () => (plan.decide('GET', '/x', 0).kind === 'refuse' ? 'r' : '.')).join('');
    };
    const a = refused(3);
    expect(refused(3)).toBe(a);
    expect(a.replace(/\./g, '').length).toBeGreaterThan(25);
    expect(a.replace(/\./g, '').length).toBeLessThan(75);
  });

  it('picks failing batch records from the seed', () => {
    const picks = (): boolean[] => {
      const plan = new FaultPlan(resolveSalesforceFaults({ seed: 5, recordFailures: [{ rate: 0.25 }] }), 0);
      const v = plan.decide('POST', '/x', 0);
      if (v.kind !== 'pass' || !v.failRecord) throw new Error('expected a record-failure picker');
      const pick = v.failRecord;
      return Array.from({ length: 100 }, (_, i) => pick(i));
    };
    const first = picks();
    expect(picks()).toEqual(first);
    expect(first.filter(Boolean).length).toBeGreaterThan(10);
    expect(first.filter(Boolean).length).toBeLessThan(40);
  });
});

describe('rate windows', () => {
  it('RollingWindow allows max requests in any window, counting only those let through', () => {
    const w = new RollingWindow(3, 10_000);
    for (const t of [0, 1000, 2000]) {
      expect(w.hasRoom(t)).toBe(true);
      w.record(t);
    }
    expect(w.hasRoom(9_999)).toBe(false);
    expect(w.remaining(9_999)).toBe(0);
    // The request at 0 leaves the window at 10,000; the one at 1,000 at 11,000.
    expect(w.hasRoom(10_000)).toBe(true);
    w.record(10_000);
    expect(w.hasRoom(10_500)).toBe(false);
    expect(w.remaining(11_000)).toBe(1);
  });

  it('DailyCounter resets at midnight UTC', () => {
    const day = Date.parse('2026-03-02T00:00:00.000Z');
    const d = new DailyCounter(2);
    d.record(day + 1);
    d.record(day + 2);
    expect(d.hasRoom(day + 86_399_999)).toBe(false);
    expect(d.remaining(day + 86_400_000)).toBe(2);
  });
});

describe('LaggingSearchIndex', () => {
  let clock = Date.parse('2026-03-02T09:00:00.000Z');
  const state = new HubSpotState(() => clock);
  const contacts = state.objects.contacts;
  const ids = (): string[] => [...index.view('contacts')].map((r) => r.id);
  const existing = contacts.insert({ email: 'old@example.com', firstname: 'Ada' }, clock);
  const index = new LaggingSearchIndex(state, 2_000);

  afterAll(() => index.dispose());

  it('serves the records that existed when it was built', () => {
    expect(ids()).toEqual([existing.id]);
  });

  it('shows a new record, a change and a deletion only after the lag', () => {
    const added = contacts.insert({ email: 'new@example.com' }, clock);
    contacts.update(existing, { firstname: 'Grace' }, clock);
    expect(ids()).toEqual([existing.id]);
    expect(index.view('contacts')[0]?.properties.firstname).toBe('Ada');

    clock += 1_999;
    expect(ids()).toEqual([existing.id]);
    clock += 1;
    expect(ids()).toEqual([existing.id, added.id]);
    expect(index.view('contacts')[0]?.properties.firstname).toBe('Grace');

    contacts.archive(added.id, clock);
    expect(ids()).toEqual([existing.id, added.id]);
    clock += 2_000;
    expect(ids()).toEqual([existing.id]);
  });

  it('starts over when the state is reset', () => {
    state.clear();
    expect(ids()).toEqual([]);
  });
});

describe('LaggingSearchIndex with jitter', () => {
  it('may show a later change first, and never goes back to an older version', () => {
    let clock = Date.parse('2026-03-02T09:00:00.000Z');
    const state = new HubSpotState(() => clock);
    const contact = state.objects.contacts.insert({ email: 'a@example.com', firstname: 'One' }, clock);
    // The first change draws the longest extra lag, the second none.
    const draws = [0.9999, 0];
    const index = new LaggingSearchIndex(state, 1_000, 1_000, () => draws.shift() ?? 0);
    const firstname = (): string | undefined => index.view('contacts')[0]?.properties.firstname;
    const early = state.objects.contacts.insert({ email: 'early@example.com' }, clock);
    clock += 10;
    const late = state.objects.contacts.insert({ email: 'late@example.com' }, clock);
    clock += 1_000;
    // The later record is searchable, the earlier one not yet: a high-watermark cursor
    // taken now would pass over it.
    expect(index.view('contacts').map((r) => r.id)).toEqual([contact.id, late.id]);
    clock += 1_000;
    expect(index.view('contacts').map((r) => r.id)).toEqual([contact.id, early.id, late.id]);

    draws.push(0.9999, 0);
    state.objects.contacts.update(contact, { firstname: 'Two' }, clock);
    state.objects.contacts.update(contact, { firstname: 'Three' }, clock);
    clock += 1_000;
    expect(firstname()).toBe('Three');
    clock += 1_000;
    expect(firstname()).toBe('Three');
    index.dispose();
  });
});
