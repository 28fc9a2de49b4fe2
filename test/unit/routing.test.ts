import path from 'node:path';
import { loadHandoverPolicy, parseHandoverPolicy, type HandoverPolicy } from '../../src/config/handover-file';
import {
  assignOwner,
  chooseTeam,
  domainMatches,
  emailDomain,
  isoWeek,
  MemoryRoutingLedger,
  needsPresales,
  parseEmployees,
  periodKeys,
  pickRep,
  websiteDomain,
  type AssignmentInput,
  type RepStatus,
} from '../../src/handover/routing';
import { qualifies } from '../../src/handover/qualify';
import { DEMO_COMPANIES, DEMO_REGION_OF_COUNTRY, DEMO_SALES_REPS } from '@baton/crm-sandbox/testing';
import { employeeRange } from '@baton/crm-sandbox/testing';

/** A policy from the sections a test cares about, on top of valid SLA and feedback sections. */
function policyFrom(sections: string): HandoverPolicy {
  const text = `${sections}
sla:
  first_touch_within: 4h
  escalate_to: { user: boss@x.example }
feedback:
  statuses: { accepted: [Closed - Converted], rejected: [Closed - Not Converted] }
  hubspot:
    accepted: { lifecycle_stage: salesqualifiedlead }
    rejected: { lifecycle_stage: lead }
`;
  const { policy, problems } = parseHandoverPolicy(text, 'test.yaml');
  if (!policy) throw new Error(problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`).join('\n'));
  return policy;
}

const MINIMAL_ROUTING = `
routing:
  rules: [{ team: Everyone }]
  teams: { Everyone: { reps: [a@x.example] } }
  fallback: { queue: Unassigned Leads }
`;

describe('qualifies', () => {
  const policy = policyFrom(`
qualification:
  score: { property: hubspotscore, at_least: 70 }
  conditions:
    - { property: lifecyclestage, not_in: [salesqualifiedlead, customer] }
    - { property: country, in: [Germany, United States] }
    - { property: email, domain_not_in: [free_mail, rival.example] }
  domain_lists:
    free_mail: [gmail.com, yahoo.com]
${MINIMAL_ROUTING}`);
  const good = { hubspotscore: '85', lifecyclestage: 'lead', country: 'Germany', email: 'ana@acme.example' };

  it.each<[string, Record<string, string | null>, boolean, string[]]>([
    [
      'a lead that meets every criterion',
      {},
      true,
      [
        'hubspotscore is 85, at least 70',
        'lifecyclestage "lead" is not excluded',
        'country "Germany" is one of the allowed values',
        'email domain acme.example is not in free_mail, rival.example',
      ],
    ],
    [
      'a score exactly at the threshold',
      { hubspotscore: '70' },
      true,
      expect.arrayContaining(['hubspotscore is 70, at least 70']) as unknown as string[],
    ],
    ['a score below the threshold', { hubspotscore: '69' }, false, ['hubspotscore is 69, below 70']],
    ['no score', { hubspotscore: null }, false, ['hubspotscore is blank (needs at least 70)']],
    ['a score that is not a number', { hubspotscore: 'high' }, false, ['hubspotscore "high" is not a number']],
    ['an excluded lifecycle stage', { lifecyclestage: 'customer' }, false, ['lifecyclestage "customer" is excluded']],
    [
      'a blank property is not excluded',
      { lifecyclestage: '' },
      true,
      expect.arrayContaining(['lifecyclestage is blank, so not excluded']) as unknown as string[],
    ],
    [
      'values compare without case',
      { country: ' germany ' },
      true,
      expect.arrayContaining(['country "germany" is one of the allowed values']) as unknown as string[],
    ],
    [
      'a country outside the list',
      { country: 'Spain' },
      false,
      ['country "Spain" is not one of: Germany, United States'],
    ],
    ['no country', { country: null }, false, ['country is blank (must be one of: Germany, United States)']],
    ['a free-mail address', { email: 'Ana@GMAIL.com' }, false, ['email domain gmail.com is in free_mail']],
    [
      "a competitor's subdomain",
      { email: 'spy@eu.rival.example' },
      false,
      ['email domain eu.rival.example is in rival.example'],
    ],
    ['no email', { email: null }, false, ['email is blank']],
    ['an email without a domain', { email: 'ana' }, false, ['email "ana" has no domain']],
    [
      'every failure at once',
      { hubspotscore: '10', country: 'Spain', email: 'x@gmail.com' },
      false,
      [
        'hubspotscore is 10, below 70',
        'country "Spain" is not one of: Germany, United States',
        'email domain gmail.com is in free_mail',
      ],
    ],
  ])('%s', (_, overrides, qualified, reasons) => {
    expect(qualifies(policy, { ...good, ...overrides })).toEqual({ qualified, reasons });
  });

  it.each<[string, string, Record<string, string>, boolean, string[]]>([
    ['is_known passes', '{ property: phone, is_known: true }', { phone: '+49 30 1234' }, true, ['phone is known']],
    ['is_known fails', '{ property: phone, is_known: true }', {}, false, ['phone is blank']],
    [
      'is_known: false',
      '{ property: hs_lead_status, is_known: false }',
      { hs_lead_status: 'NEW' },
      false,
      ['hs_lead_status is known'],
    ],
    [
      'a range',
      '{ property: employees_count, at_least: 50, at_most: 5000 }',
      { employees_count: '1,200' },
      true,
      ['employees_count is 1200, at least 50 and at most 5000'],
    ],
    [
      'below a range',
      '{ property: employees_count, at_least: 50 }',
      { employees_count: '12' },
      false,
      ['employees_count is 12, below 50'],
    ],
    [
      'above a range',
      '{ property: employees_count, at_most: 100 }',
      { employees_count: '120' },
      false,
      ['employees_count is 120, above 100'],
    ],
    [
      'domain_in with an inline domain',
      '{ property: email, domain_in: [acme.example] }',
      { email: 'a@acme.example' },
      true,
      ['email domain acme.example is in acme.example'],
    ],
    [
      'domain_in fails',
      '{ property: email, domain_in: [acme.example] }',
      { email: 'a@other.example' },
      false,
      ['email domain other.example is not in acme.example'],
    ],
  ])('%s', (_, condition, properties, qualified, reasons) => {
    const p = policyFrom(`
qualification:
  score: { property: hubspotscore, at_least: 0 }
  conditions: [${condition}]
${MINIMAL_ROUTING}`);
    const result = qualifies(p, { hubspotscore: '1', ...properties });
    expect(result.qualified).toBe(qualified);
    expect(result.reasons.filter((r) => !r.startsWith('hubspotscore'))).toEqual(reasons);
  });
});

const ROUTING = `
qualification:
  score: { property: hubspotscore, at_least: 70 }
routing:
  regions:
    EMEA: [Germany, France, United Kingdom]
    NA: [United States, Canada]
  rules:
    - name: NA enterprise
      when: { region: NA, employees: { min: 1000 } }
      team: NA
    - name: EMEA healthcare
      when: { region: EMEA, industry: [Healthcare, Biotech] }
      team: EMEA Health
    - when: { country: United Kingdom, employees: { max: 99 } }
      team: UK SMB
    - { name: NA, when: { region: NA }, team: NA }
    - { name: EMEA, when: { region: EMEA }, team: EMEA }
  teams:
    EMEA:
      timezone: Europe/Berlin
      caps: { per_day: 3, per_week: 10 }
      reps:
        - dana@x.example
        - elif@x.example
        - { email: emil@x.example, caps: { per_day: 1 } }
    NA:
      strategy: weighted
      reps:
        - { email: farah@x.example, weight: 2 }
        - { email: gus@x.example, weight: 1 }
      fallback: { queue: NA Overflow }
    EMEA Health:
      fallback: { user: hilde@x.example }
    UK SMB:
      reps: [uma@x.example]
  fallback: { queue: Unassigned Leads }
`;

describe('chooseTeam', () => {
  const policy = policyFrom(ROUTING);
  it.each<[string, Record<string, string | null>, string | null]>([
    ['a large US company', { country: 'United States', numemployees: '1000+' }, 'NA'],
    ['a mid-size US company', { country: 'United States', numemployees: '500-1000' }, 'NA'],
    ['a US company of unknown size', { country: 'united states' }, 'NA'],
    ['a size written as a number', { country: 'Canada', numemployees: '1,200' }, 'NA'],
    ['German healthcare', { country: 'Germany', industry: 'healthcare', numemployees: '25-50' }, 'EMEA Health'],
    ['a small UK company', { country: 'United Kingdom', numemployees: '50-100' }, 'UK SMB'],
    ['a larger UK company', { country: 'United Kingdom', numemployees: '100-500' }, 'EMEA'],
    ['a UK company of unknown size', { country: 'United Kingdom' }, 'EMEA'],
    ['a country in no region', { country: 'Japan' }, null],
    ['no country', { country: null }, null],
  ])('%s → %s', (_, properties, team) => {
    expect(chooseTeam(policy, properties).team).toBe(team);
  });

  it('explains the match in plain English', () => {
    expect(
      chooseTeam(policy, { country: 'United States', industry: 'Retail', numemployees: '1000+' }).explanation,
    ).toBe(
      'rule "NA enterprise" matched (country United States, region NA, industry Retail, 1000+ employees) → team NA',
    );
    expect(chooseTeam(policy, { country: 'United Kingdom', numemployees: '5-25' })).toMatchObject({
      rule: { index: 2, name: null },
      explanation:
        'rule routing > rules > 2 matched (country United Kingdom, region EMEA, no industry, 5-25 employees) → team UK SMB',
    });
    expect(chooseTeam(policy, { country: 'Japan' }).explanation).toBe(
      'no routing rule matched (country Japan, no industry, no company size)',
    );
  });
});

describe('needsPresales', () => {
  it.each<[string, string, boolean]>([
    ['no presales section', '', false],
    ['presales switched off', 'presales: { enabled: false, queue: Research, release_within: 1d }', false],
    ['presales for every lead', 'presales: { queue: Research, release_within: 1d }', true],
    [
      'presales for large companies, a small one',
      'presales: { queue: Research, release_within: 1d, when: { employees: { min: 1000 } } }',
      false,
    ],
  ])('%s', (_, section, expected) => {
    const policy = policyFrom(`${ROUTING}\n${section}`);
    expect(needsPresales(policy, { country: 'Germany', numemployees: '100-500' })).toBe(expected);
  });
});

describe('assignOwner', () => {
  const policy = policyFrom(ROUTING);
  const everyone: Record<string, RepStatus> = Object.fromEntries(
    ['dana', 'elif', 'emil', 'farah', 'gus', 'hilde', 'uma', 'csm'].map((n) => [
      `${n}@x.example`,
      'available' as const,
    ]),
  );
  const NOW = new Date('2024-05-01T10:00:00Z');
  const german = { country: 'Germany', industry: 'Software', numemployees: '100-500' };
  const input = (over: Partial<AssignmentInput> = {}): AssignmentInput => ({
    properties: german,
    now: NOW,
    availability: everyone,
    ...over,
  });
  const owners = async (ledger: MemoryRoutingLedger, n: number, over: Partial<AssignmentInput> = {}) => {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const a = await assignOwner(policy, input(over), ledger);
      out.push(a.owner.kind === 'user' ? a.owner.email.split('@')[0]! : `queue:${a.owner.name}`);
    }
    return out;
  };

  describe('affinity comes first', () => {
    it.each<[string, Partial<AssignmentInput>, string, string, string[]]>([
      [
        'the previous owner',
        { previousOwner: 'Dana@X.example', accountOwner: { email: 'elif@x.example' } },
        'previous_owner',
        'previous owner: dana (1 of 3 today, 1 of 10 this week)',
        [],
      ],
      [
        'the account owner when the previous owner is away',
        {
          previousOwner: 'dana@x.example',
          accountOwner: { email: 'elif@x.example', domain: 'acme.example' },
          availability: { ...everyone, 'DANA@x.example': 'away' },
        },
        'account_owner',
        'account owner of acme.example: elif (1 of 3 today, 1 of 10 this week)',
        ['previous owner dana is away'],
      ],
      [
        'the rules when neither is eligible',
        {
          previousOwner: 'dana@x.example',
          accountOwner: { email: 'elif@x.example' },
          availability: { ...everyone, 'dana@x.example': 'inactive', 'elif@x.example': 'away' },
        },
        'round_robin',
        'round robin in team EMEA: emil (1 of 1 today, 1 of 10 this week)',
        [
          'previous owner dana is inactive in Salesforce',
          'account owner elif is away',
          'dana is inactive in Salesforce',
          'elif is away',
        ],
      ],
      [
        'an owner outside the routing teams',
        { previousOwner: 'csm@x.example' },
        'previous_owner',
        'previous owner: csm (not in a routing team)',
        [],
      ],
      [
        'an owner without a Salesforce user',
        { previousOwner: 'gone@x.example' },
        'round_robin',
        'round robin in team EMEA: dana (1 of 3 today, 1 of 10 this week)',
        ['previous owner gone has no Salesforce user with this email'],
      ],
      [
        'an owner who already had this lead (reassignment)',
        { previousOwner: 'dana@x.example', exclude: ['dana@x.example'] },
        'round_robin',
        'round robin in team EMEA: elif (1 of 3 today, 1 of 10 this week)',
        ['previous owner dana already had this lead', 'dana already had this lead'],
      ],
    ])('%s', async (_, over, via, explanation, excluded) => {
      const a = await assignOwner(policy, input(over), new MemoryRoutingLedger());
      expect(a.via).toBe(via);
      expect(a.explanation).toBe(explanation);
      expect(a.excluded.map((e) => e.detail)).toEqual(excluded);
    });

    it('an owner at their cap is passed over, and affinity leads count against it', async () => {
      const ledger = new MemoryRoutingLedger();
      await owners(ledger, 1, { previousOwner: 'emil@x.example' });
      const a = await assignOwner(policy, input({ previousOwner: 'emil@x.example' }), ledger);
      expect(a).toMatchObject({ via: 'round_robin', owner: { email: 'dana@x.example' } });
      expect(a.excluded).toEqual([
        {
          email: 'emil@x.example',
          as: 'previous_owner',
          reason: 'cap_day',
          detail: 'previous owner emil has reached the cap of 1 today',
        },
        { email: 'emil@x.example', as: 'team_rep', reason: 'cap_day', detail: 'emil has reached the cap of 1 today' },
      ]);
    });

    it.each([
      ['previous_owner: false', 'previous_owner', 'account_owner'],
      ['account_owner: false', 'account_owner', 'previous_owner'],
    ])('can be switched off (%s)', async (_, off, via) => {
      const p = policyFrom(
        ROUTING.replace(
          '  fallback: { queue: Unassigned Leads }',
          `  fallback: { queue: Unassigned Leads }\n  affinity: { ${off}: false }`,
        ),
      );
      const a = await assignOwner(
        p,
        input({ previousOwner: 'dana@x.example', accountOwner: { email: 'elif@x.example' } }),
        new MemoryRoutingLedger(),
      );
      expect(a.via).toBe(via);
    });
  });

  it('rotates round robin, respects per-rep caps, then falls back', async () => {
    const ledger = new MemoryRoutingLedger();
    expect(await owners(ledger, 8)).toEqual([
      'dana',
      'elif',
      'emil',
      'dana',
      'elif',
      'dana',
      'elif',
      'queue:Unassigned Leads',
    ]);
    const last = await assignOwner(policy, input(), ledger);
    expect(last).toMatchObject({
      via: 'fallback',
      team: 'EMEA',
      owner: { kind: 'queue', name: 'Unassigned Leads' },
      load: null,
    });
    expect(last.explanation).toBe(
      'fallback queue "Unassigned Leads": no rep of team EMEA can take the lead (dana has reached the cap of 3 today; elif has reached the cap of 3 today; emil has reached the cap of 1 today)',
    );
    expect(last.route).toBe(
      'rule "EMEA" matched (country Germany, region EMEA, industry Software, 100-500 employees) → team EMEA',
    );
  });

  it('counts "today" in the team\'s time zone and caps the week', async () => {
    const ledger = new MemoryRoutingLedger();
    const day = (iso: string) => ({ now: new Date(iso) });
    await owners(ledger, 7, day('2024-05-01T10:00:00Z'));
    // 22:30 UTC is already tomorrow in Berlin: a new day, the same week.
    const next = await assignOwner(policy, input(day('2024-05-01T22:30:00Z')), ledger);
    expect(next.explanation).toBe('round robin in team EMEA: emil (1 of 1 today, 2 of 10 this week)');
    await owners(ledger, 6, day('2024-05-02T10:00:00Z'));
    await owners(ledger, 7, day('2024-05-03T10:00:00Z'));
    // Saturday: dana and elif reach 10 this week after one lead each, emil his 1 a day.
    const saturday = await owners(ledger, 4, day('2024-05-04T10:00:00Z'));
    expect([...saturday.slice(0, 3)].sort()).toEqual(['dana', 'elif', 'emil']);
    expect(saturday[3]).toBe('queue:Unassigned Leads');
    const capped = await assignOwner(policy, input(day('2024-05-04T11:00:00Z')), ledger);
    expect(capped.excluded.map((e) => e.detail)).toEqual([
      'dana has reached the cap of 10 this week',
      'elif has reached the cap of 10 this week',
      'emil has reached the cap of 1 today',
    ]);
    // Monday starts a new ISO week.
    const monday = await assignOwner(policy, input(day('2024-05-06T08:00:00Z')), ledger);
    expect(monday.explanation).toMatch(/^round robin in team EMEA: \w+ \(1 of [13] today, 1 of 10 this week\)$/);
  });

  it('skips away, inactive and unknown reps', async () => {
    const availability: Record<string, RepStatus> = {
      ...everyone,
      'dana@x.example': 'away',
      'emil@x.example': 'inactive',
    };
    const ledger = new MemoryRoutingLedger();
    expect(await owners(ledger, 2, { availability })).toEqual(['elif', 'elif']);
    const { ['elif@x.example']: _elif, ...withoutElif } = availability;
    const a = await assignOwner(policy, input({ availability: withoutElif }), ledger);
    expect(a.excluded).toEqual([
      { email: 'dana@x.example', as: 'team_rep', reason: 'away', detail: 'dana is away' },
      {
        email: 'elif@x.example',
        as: 'team_rep',
        reason: 'no_salesforce_user',
        detail: 'elif has no Salesforce user with this email',
      },
      { email: 'emil@x.example', as: 'team_rep', reason: 'inactive', detail: 'emil is inactive in Salesforce' },
    ]);
    expect(a.explanation).toBe(
      'fallback queue "Unassigned Leads": no rep of team EMEA can take the lead (dana is away; elif has no Salesforce user with this email; emil is inactive in Salesforce)',
    );
  });

  it('lists the reps passed over in team order, whatever the reason', async () => {
    const ledger = new MemoryRoutingLedger();
    const availability: Record<string, RepStatus> = { ...everyone, 'elif@x.example': 'away' };
    await owners(ledger, 4, { availability });
    const a = await assignOwner(policy, input({ availability }), ledger);
    expect(a.excluded.map((e) => e.reason)).toEqual(['cap_day', 'away', 'cap_day']);
    expect(a.explanation).toBe(
      'fallback queue "Unassigned Leads": no rep of team EMEA can take the lead (dana has reached the cap of 3 today; elif is away; emil has reached the cap of 1 today)',
    );
  });

  it('a rep back from being away catches up within the day', async () => {
    const ledger = new MemoryRoutingLedger();
    await owners(ledger, 2, { availability: { ...everyone, 'dana@x.example': 'away', 'emil@x.example': 'away' } });
    expect(await owners(ledger, 3)).toEqual(['dana', 'emil', 'dana']);
  });

  it('weighted: two leads to farah for each of gus', async () => {
    const us = { properties: { country: 'United States', numemployees: '25-50' } };
    const ledger = new MemoryRoutingLedger();
    expect(await owners(ledger, 6, us)).toEqual(['farah', 'gus', 'farah', 'gus', 'farah', 'farah']);
    const a = await assignOwner(policy, input(us), ledger);
    expect(a).toMatchObject({ via: 'weighted', team: 'NA', rule: { index: 3, name: 'NA' } });
    expect(a.explanation).toBe('weighted in team NA: gus (weight 1; 3 today)');
  });

  it.each<[string, Partial<AssignmentInput>, string]>([
    [
      'no rule matches: the global fallback',
      { properties: { country: 'Japan' } },
      'fallback queue "Unassigned Leads": no routing rule matched (country Japan, no industry, no company size)',
    ],
    [
      'a team without reps: its own fallback',
      { properties: { country: 'France', industry: 'Biotech' } },
      'fallback owner hilde: team EMEA Health has no reps',
    ],
    [
      'nobody in the team can take it: the team fallback',
      {
        properties: { country: 'Canada' },
        availability: { ...everyone, 'farah@x.example': 'away', 'gus@x.example': 'inactive' },
      },
      'fallback queue "NA Overflow": no rep of team NA can take the lead (farah is away; gus is inactive in Salesforce)',
    ],
  ])('%s', async (_, over, explanation) => {
    const a = await assignOwner(policy, input(over), new MemoryRoutingLedger());
    expect(a.via).toBe('fallback');
    expect(a.explanation).toBe(explanation);
  });
});

describe('the shipped policy on the demo data', () => {
  const policy = loadHandoverPolicy(path.join(__dirname, '..', '..', 'mappings', 'handover.yaml'));
  const repsOf = (team: string) => policy.routing.teams[team]?.reps.map((r) => r.email) ?? [];

  it.each(DEMO_COMPANIES.map((c) => [c.name, c] as const))('%s goes to reps of its region', (_, company) => {
    const properties = {
      country: company.country,
      industry: company.industry,
      numemployees: employeeRange(company.employees),
    };
    const { team } = chooseTeam(policy, properties);
    expect(team).not.toBeNull();
    const region = DEMO_REGION_OF_COUNTRY[company.country];
    const regionReps = DEMO_SALES_REPS.filter((r) => r.region === region).map((r) => r.email);
    expect(repsOf(team!).every((email) => regionReps.includes(email))).toBe(true);
  });

  it('qualifies a demo MQL and not a free-mail address', () => {
    const mql = {
      [policy.qualification.score.property]: '82',
      lifecyclestage: 'marketingqualifiedlead',
      country: 'Germany',
      email: 'sofia.rossi@cobalthealth.example',
    };
    expect(qualifies(policy, mql).qualified).toBe(true);
    expect(qualifies(policy, { ...mql, email: 'sofia@gmail.com' }).reasons).toEqual([
      'email domain gmail.com is in free_mail',
    ]);
  });

  it('explains a demo assignment', async () => {
    const availability = Object.fromEntries(DEMO_SALES_REPS.map((r) => [r.email, 'available' as const]));
    const a = await assignOwner(
      policy,
      {
        properties: { country: 'Germany', industry: 'Healthcare', numemployees: '1000+' },
        now: new Date('2024-05-01T10:00:00Z'),
        availability,
      },
      new MemoryRoutingLedger(),
    );
    expect(a.explanation).toBe('round robin in team EMEA: dana.kowalski (1 of 20 today, 1 of 80 this week)');
    expect(a.route).toBe(
      'rule "EMEA" matched (country Germany, region EMEA, industry Healthcare, 1000+ employees) → team EMEA',
    );
  });
});

describe('pickRep', () => {
  const load = (day: number, week = day, lastAssigned = 0) => ({ day, week, lastAssigned });
  it.each<[string, Parameters<typeof pickRep>, string | null]>([
    [
      'fewest today',
      [
        [
          { repId: 'a', weight: 1 },
          { repId: 'b', weight: 1 },
        ],
        new Map([
          ['a', load(2)],
          ['b', load(1)],
        ]),
        'day',
      ],
      'b',
    ],
    [
      'a tie goes to who waited longest',
      [
        [
          { repId: 'a', weight: 1 },
          { repId: 'b', weight: 1 },
        ],
        new Map([
          ['a', load(1, 1, 9)],
          ['b', load(1, 1, 4)],
        ]),
        'day',
      ],
      'b',
    ],
    [
      'then to team order',
      [
        [
          { repId: 'a', weight: 1 },
          { repId: 'b', weight: 1 },
        ],
        new Map(),
        'day',
      ],
      'a',
    ],
    [
      'the week when fairness is weekly',
      [
        [
          { repId: 'a', weight: 1 },
          { repId: 'b', weight: 1 },
        ],
        new Map([
          ['a', load(0, 5)],
          ['b', load(3, 3)],
        ]),
        'week',
      ],
      'b',
    ],
    [
      'count per weight',
      [
        [
          { repId: 'a', weight: 3 },
          { repId: 'b', weight: 1 },
        ],
        new Map([
          ['a', load(2)],
          ['b', load(1)],
        ]),
        'day',
      ],
      'a',
    ],
    [
      'nobody below their cap',
      [
        [
          { repId: 'a', weight: 1, perDay: 2 },
          { repId: 'b', weight: 1, perWeek: 4 },
        ],
        new Map([
          ['a', load(2)],
          ['b', load(0, 4)],
        ]),
        'day',
      ],
      null,
    ],
  ])('%s', (_, args, chosen) => {
    expect(pickRep(...args).chosen).toBe(chosen);
  });
});

describe('periods and domains', () => {
  it.each([
    ['2024-05-01T10:00:00Z', 'UTC', 'day:2024-05-01', 'week:2024-W18'],
    ['2024-05-01T22:30:00Z', 'Europe/Berlin', 'day:2024-05-02', 'week:2024-W18'],
    ['2024-05-06T02:00:00Z', 'America/Los_Angeles', 'day:2024-05-05', 'week:2024-W18'],
    ['2024-12-30T12:00:00Z', 'UTC', 'day:2024-12-30', 'week:2025-W01'],
    ['2021-01-03T12:00:00Z', 'UTC', 'day:2021-01-03', 'week:2020-W53'],
  ])('%s in %s', (iso, zone, day, week) => {
    expect(periodKeys(new Date(iso), zone)).toEqual({ day, week });
  });

  it('ISO weeks', () => {
    expect(isoWeek(2026, 1, 1)).toEqual({ year: 2026, week: 1 });
    expect(isoWeek(2027, 1, 1)).toEqual({ year: 2026, week: 53 });
  });

  it.each([
    ['https://www.acme.example/', 'acme.example'],
    ['www.acme.example', 'acme.example'],
    ['acme.example', 'acme.example'],
    ['http://Acme.Example:8080/about?x=1', 'acme.example'],
    ['', null],
    ['not a site', null],
  ])('website %s → %s', (website, domain) => {
    expect(websiteDomain(website)).toBe(domain);
  });

  it('email domains and subdomain matching', () => {
    expect(emailDomain(' Ana@Sub.Acme.Example ')).toBe('sub.acme.example');
    expect(emailDomain('no-at-sign')).toBeNull();
    expect(domainMatches('sub.acme.example', 'acme.example')).toBe(true);
    expect(domainMatches('notacme.example', 'acme.example')).toBe(false);
  });

  it.each([
    ['1000+', 1000],
    ['100-500', 100],
    ['1,200', 1200],
    ['25 - 50', 25],
    ['many', null],
    [null, null],
  ])('employees %s → %s', (value, n) => {
    expect(parseEmployees(value)).toBe(n);
  });
});
