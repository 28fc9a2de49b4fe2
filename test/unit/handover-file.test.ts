import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadHandoverPolicy, parseDuration, parseHandoverPolicy } from '../../src/config/handover-file';
import { formatProblems, MappingError } from '../../src/config/mapping-file';

const fixtures = path.join(__dirname, '..', 'fixtures', 'handover');
const parseFixture = (name: string) => parseHandoverPolicy(fs.readFileSync(path.join(fixtures, name), 'utf8'), name);
const lines = (name: string) =>
  parseFixture(name).problems.map((p) => `${p.line}:${p.column} ${p.severity} [${p.code}] ${p.path}: ${p.message}`);

describe('the shipped mappings/handover.yaml', () => {
  const policy = loadHandoverPolicy(path.join(__dirname, '..', '..', 'mappings', 'handover.yaml'));

  it('loads without problems and covers every demo rep once', () => {
    const { problems } = parseHandoverPolicy(fs.readFileSync(policy.file, 'utf8'), policy.file);
    expect(problems).toEqual([]);
    const reps = Object.values(policy.routing.teams).flatMap((t) => t.reps.map((r) => r.email));
    expect(reps.sort()).toEqual([
      'ada.okafor@baton-demo.example',
      'bruno.silva@baton-demo.example',
      'chen.wei@baton-demo.example',
      'dana.kowalski@baton-demo.example',
      'elif.yilmaz@baton-demo.example',
      'farah.haddad@baton-demo.example',
      'gus.lindqvist@baton-demo.example',
      'hana.sato@baton-demo.example',
    ]);
  });

  it('turns durations, targets and short forms into typed values', () => {
    expect(policy.sla.first_touch_within).toEqual({ text: '4h', ms: 4 * 3_600_000 });
    expect(policy.qualification.requalify_after).toEqual({
      rejected: { text: '90d', ms: 90 * 86_400_000 },
      recycled: { text: '30d', ms: 30 * 86_400_000 },
    });
    expect(policy.sla.escalate_to).toEqual({ kind: 'user', email: 'ada.okafor@baton-demo.example' });
    expect(policy.routing.fallback).toEqual({ kind: 'queue', name: 'Unassigned Leads' });
    expect(policy.routing.rules[2]).toEqual({ name: 'NA mid-market', when: { region: ['NA'] }, team: 'NA Mid-Market' });
    expect(policy.routing.teams['APAC']?.reps).toEqual([
      { email: 'chen.wei@baton-demo.example' },
      { email: 'hana.sato@baton-demo.example', caps: { per_day: 10, per_week: 40 } },
    ]);
    expect(policy.campaign_stop).toEqual({
      lists: 'all_active',
      keep_lists: ['Newsletter'],
      workflows: 'all_active',
      keep_workflows: [],
      suppression: { property: 'baton_in_sales_handover', value: 'true' },
    });
    expect(policy.presales).toMatchObject({
      enabled: false,
      release_within: { text: '1d', ms: 86_400_000 },
      on_timeout: 'route',
    });
  });
});

describe('defaults', () => {
  it('fills in what a minimal policy leaves out', () => {
    const { policy, problems } = parseFixture('minimal.yaml');
    expect(problems).toEqual([]);
    expect(policy?.routing).toMatchObject({
      timezone: 'UTC',
      fields: { country: 'country', industry: 'industry', employees: 'numemployees' },
      affinity: { previous_owner: true, account_owner: true },
      teams: {
        EMEA: {
          strategy: 'round_robin',
          fairness_period: 'day',
          reps: [{ email: 'dana@example.com' }, { email: 'elif@example.com' }],
        },
      },
    });
    expect(policy?.sla).toMatchObject({
      counts_as_touch: ['task', 'status_change'],
      new_status: 'Open - Not Contacted',
      reassignments_before_escalation: 2,
    });
    expect(policy?.campaign_stop).toEqual({
      lists: 'all_active',
      keep_lists: [],
      workflows: 'all_active',
      keep_workflows: [],
    });
    expect(policy?.feedback.statuses.recycled).toEqual([]);
    expect(policy?.presales).toBeUndefined();
    // Sales' verdict holds a lead back: 90 days after a rejection, 30 after recycling.
    expect(policy?.qualification.requalify_after).toEqual({
      rejected: { text: '90d', ms: 90 * 86_400_000 },
      recycled: { text: '30d', ms: 30 * 86_400_000 },
    });
  });

  it('keeps the default for an outcome requalify_after leaves out', () => {
    const text = fs
      .readFileSync(path.join(fixtures, 'minimal.yaml'), 'utf8')
      .replace('    at_least: 70\n', '    at_least: 70\n  requalify_after:\n    recycled: 2w\n');
    const { policy, problems } = parseHandoverPolicy(text, 'minimal.yaml');
    expect(problems).toEqual([]);
    expect(policy?.qualification.requalify_after).toEqual({
      rejected: { text: '90d', ms: 90 * 86_400_000 },
      recycled: { text: '2w', ms: 14 * 86_400_000 },
    });
  });
});

describe('durations', () => {
  it.each([
    ['30m', 30 * 60_000],
    ['4h', 4 * 3_600_000],
    ['2d', 2 * 86_400_000],
    ['1w', 7 * 86_400_000],
    ['1d 12h', 36 * 3_600_000],
    ['1h30m', 90 * 60_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toEqual({ text, ms });
  });

  it.each(['', '4', '4 hours', '0h', '2h1d', '-1h', '1.5h'])('"%s" is not a duration', (text) => {
    expect(parseDuration(text)).toBeNull();
  });
});

describe('problems, one fixture per rule', () => {
  it.each<[string, string[]]>([
    [
      'bad/syntax.yaml',
      [
        '6:1 error [syntax] syntax: the YAML is not valid: Flow sequence in block collection must be sufficiently indented and end with a ]',
      ],
    ],
    [
      'bad/not-a-mapping.yaml',
      [
        '1:1 error [not_a_mapping] not-a-mapping: the file must be a YAML mapping with qualification, routing, sla, campaign_stop and feedback',
      ],
    ],
    [
      'bad/typos.yaml',
      [
        '5:15 error [wrong_type] typos > qualification > score > at_least: score > at_least must be a number',
        '14:17 error [invalid_value] typos > routing > teams > EMEA > strategy: strategy must be one of: round_robin, weighted (got "round-robin"); did you mean "round_robin"?',
        '15:17 error [invalid_value] typos > routing > teams > EMEA > timezone: timezone must be an IANA time zone such as Europe/Berlin, America/New_York or UTC',
        '16:24 error [too_small] typos > routing > teams > EMEA > caps > per_day: caps > per_day must be greater than 0',
        '16:27 error [unknown_key] typos > routing > teams > EMEA > caps > per_weak: unknown key "per_weak"; check the spelling',
        '17:32 error [invalid_value] typos > routing > teams > EMEA > reps > 1: a rep must be an email address like dana@example.com',
        '19:5 error [invalid_value] typos > routing > fallback: fallback needs either user (an email) or queue (a Salesforce queue name), not both or neither',
        '22:23 error [invalid_value] typos > sla > first_touch_within: first_touch_within must be a duration like 30m, 4h or 2d (got "4 hours")',
        '23:27 error [invalid_value] typos > sla > counts_as_touch > 1: each entry of counts_as_touch must be one of: task, status_change (got "call")',
        '31:5 error [missing_key] typos > feedback > hubspot > accepted: "accepted" is required',
        '31:5 error [unknown_key] typos > feedback > hubspot > acepted: unknown key "acepted"; check the spelling',
      ],
    ],
    [
      'bad/wrong-shapes.yaml',
      [
        '3:9 error [wrong_type] wrong-shapes > qualification > score: score must be a mapping of keys (key: value lines indented below it)',
        '15:6 error [wrong_type] wrong-shapes > sla: sla must be a mapping of keys (key: value lines indented below it)',
      ],
    ],
    [
      'bad/condition-tests.yaml',
      [
        '7:7 error [invalid_value] condition-tests > qualification > conditions > 0: a condition needs one test: in, not_in, domain_in, domain_not_in, is_known, or at_least/at_most',
        '8:7 error [invalid_value] condition-tests > qualification > conditions > 1: a condition takes one test, this one has in, not_in; split it into separate conditions',
      ],
    ],
    [
      'bad/campaign-scope.yaml',
      [
        '18:10 error [invalid_value] campaign-scope > campaign_stop > lists: lists must be all_active or a list of ids or names (got "all")',
        '19:14 error [too_small] campaign-scope > campaign_stop > workflows: workflows must list at least one id or name',
        '20:16 error [missing_key] campaign-scope > campaign_stop > suppression > value: "value" is required',
      ],
    ],
    [
      'bad/unknown-team.yaml',
      [
        '11:13 error [unknown_team] unknown-team > routing > rules > 0 > team: team "EMAE" is not defined under routing > teams (teams: "EMEA")',
        '14:7 warning [unused_team] unknown-team > routing > teams > EMEA: no rule sends leads to team "EMEA"',
      ],
    ],
    [
      'bad/unknown-region.yaml',
      [
        '10:30 error [unknown_region] unknown-region > routing > rules > 0 > when > region > 1: region "Europe" is not defined under routing > regions (regions: "EMEA")',
      ],
    ],
    [
      'bad/country-in-two-regions.yaml',
      [
        '9:21 error [country_in_two_regions] country-in-two-regions > routing > regions > DACH > 1: "germany" is already in region "EMEA"; a country belongs to one region',
      ],
    ],
    [
      'bad/team-without-reps.yaml',
      [
        '14:7 error [team_without_reps] team-without-reps > routing > teams > EMEA: team "EMEA" has no reps and no fallback; add reps or a fallback (user or queue) for its leads',
      ],
    ],
    [
      'bad/weight-on-round-robin.yaml',
      [
        '16:46 error [weight_on_round_robin] weight-on-round-robin > routing > teams > EMEA > reps > 1 > weight: team "EMEA" uses round_robin, which ignores weights; set strategy: weighted or remove the weight',
      ],
    ],
    [
      'bad/missing-weight.yaml',
      [
        '17:11 error [missing_weight] missing-weight > routing > teams > EMEA > reps > 1: team "EMEA" is weighted, so elif@example.com needs a weight (for example weight: 1)',
      ],
    ],
    [
      'bad/rep-in-two-teams.yaml',
      [
        '15:50 error [rep_in_two_teams] rep-in-two-teams > routing > teams > EMEA > reps > 2: dana@example.com is listed twice in team "EMEA"',
        '17:14 error [rep_in_two_teams] rep-in-two-teams > routing > teams > Overflow > reps > 0: elif@example.com is already in team "EMEA"; a rep belongs to one team so that their caps count all their leads',
      ],
    ],
    [
      'bad/missing-escalation.yaml',
      [
        '18:3 error [missing_escalation_target] missing-escalation > sla: escalate_to is missing: a lead that is still not touched after 3 reassignments escalates; add escalate_to with a user (email) or queue',
      ],
    ],
    [
      'bad/status-in-two-outcomes.yaml',
      [
        '24:40 error [status_in_two_outcomes] status-in-two-outcomes > feedback > statuses > rejected > 1: "closed - converted" already means accepted; a status means one outcome',
      ],
    ],
    [
      'bad/status-is-new-status.yaml',
      [
        '23:36 error [status_is_new_status] status-is-new-status > feedback > statuses > accepted > 1: "Open - Not Contacted" is the status new Leads start in (sla > new_status), so every lead would count as accepted at once',
      ],
    ],
    [
      'bad/unknown-lifecycle-stage.yaml',
      [
        '27:24 error [unknown_lifecycle_stage] unknown-lifecycle-stage > feedback > hubspot > accepted > lifecycle_stage: "Sales Qualified Lead" is not a HubSpot lifecycle stage value; use the internal value "salesqualifiedlead"',
        '29:24 error [unknown_lifecycle_stage] unknown-lifecycle-stage > feedback > hubspot > rejected > lifecycle_stage: "Recycled" is not a HubSpot lifecycle stage value; use the internal value (subscriber, lead, marketingqualifiedlead, salesqualifiedlead, opportunity, customer, evangelist, other) or a custom stage\'s numeric id',
      ],
    ],
    [
      'bad/unknown-domain-list.yaml',
      [
        '8:23 error [unknown_domain_list] unknown-domain-list > qualification > conditions > 0 > domain_not_in > 0: "free_mail" is neither a domain nor a list under qualification > domain_lists (lists: "freemail")',
      ],
    ],
    [
      'bad/presales-without-queue.yaml',
      [
        '18:3 error [presales_without_queue] presales-without-queue > presales: presales is enabled but has no queue; name the Salesforce queue that researches the leads',
      ],
    ],
    [
      'bad/empty-range.yaml',
      [
        '9:16 error [empty_range] empty-range > qualification > conditions > 0 > at_most: at_most 50 is below at_least 100; no value can pass',
        '14:58 error [empty_range] empty-range > routing > rules > 0 > when > employees > max: employees > max 500 is below min 1000; no company can match',
      ],
    ],
    [
      'bad/requalify-after.yaml',
      [
        '7:15 error [invalid_value] requalify-after > qualification > requalify_after > rejected: requalify_after > rejected must be a duration like 30m, 4h or 2d (got "3 months")',
        '8:5 error [unknown_key] requalify-after > qualification > requalify_after > recyled: unknown key "recyled"; check the spelling',
      ],
    ],
    [
      'bad/missing-write-back.yaml',
      [
        '27:5 error [missing_write_back] missing-write-back > feedback > hubspot: statuses > recycled is set but hubspot > recycled is not; say what to write back to HubSpot for recycled leads',
      ],
    ],
  ])('%s', (name, expected) => {
    const { policy } = parseFixture(name);
    expect(policy).toBeUndefined();
    expect(lines(name)).toEqual(expected);
  });

  it('returns the policy with its warnings when there are no errors', () => {
    const { policy } = parseFixture('bad/warnings.yaml');
    expect(policy).toBeDefined();
    expect(lines('bad/warnings.yaml')).toEqual([
      '11:7 warning [unreachable_rule] warnings > routing > rules > 1: this rule is never used: rule 0 above has no conditions and takes every lead',
      '15:24 warning [cap_day_above_week] warnings > routing > teams > EMEA > caps > per_day: per_day 30 is more than per_week 20; the weekly cap stops this rep first',
      '18:7 warning [unused_team] warnings > routing > teams > Partners: no rule sends leads to team "Partners"',
      '29:17 warning [reason_not_written] warnings > feedback > reason_field: the reason is read from Salesforce but hubspot > reason_property is not set, so marketing never sees it',
    ]);
  });

  it('puts the file name in every problem', () => {
    expect(parseFixture('bad/unknown-team.yaml').problems.every((p) => p.file === 'bad/unknown-team.yaml')).toBe(true);
  });
});

describe('loadHandoverPolicy', () => {
  it('throws a MappingError listing every problem', () => {
    const file = path.join(fixtures, 'bad', 'rep-in-two-teams.yaml');
    expect(() => loadHandoverPolicy(file)).toThrow(MappingError);
    try {
      loadHandoverPolicy(file);
    } catch (err) {
      expect(err).toBeInstanceOf(MappingError);
      const problems = (err as MappingError).problems;
      expect(problems.map((p) => p.code)).toEqual(['rep_in_two_teams', 'rep_in_two_teams']);
      expect((err as Error).message).toBe(formatProblems(problems));
    }
  });

  it('says so when the file is missing', () => {
    const file = path.join(os.tmpdir(), 'baton-no-such-dir', 'handover.yaml');
    expect(() => loadHandoverPolicy(file)).toThrow(`${file}:1:1 error [unreadable] handover: the file does not exist`);
  });
});

describe('hostile input', () => {
  it('an alias bomb in handover.yaml is one plain problem, as in a mapping (the same loader)', () => {
    const file = path.join(__dirname, '..', 'fixtures', 'mappings', 'rules', 'too-many-aliases.yaml');
    const start = Date.now();
    const { policy, problems } = parseHandoverPolicy(fs.readFileSync(file, 'utf8'), 'handover.yaml');
    expect(policy).toBeUndefined();
    expect(problems.map((p) => `${p.line}:${p.column} [${p.code}] ${p.path}`)).toEqual([
      '1:1 [too_many_aliases] handover',
    ]);
    expect(Date.now() - start).toBeLessThan(1000);
  });
});
