import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import {
  parseObjectMapping,
  type FieldMapping,
  type FlowDirection,
  type ObjectMapping,
} from '../../src/config/mapping-file';
import { coerceValue, VALUE_TYPES } from '../../src/mapping/coerce';
import { joinParts, splitParts, titleCase, truncateText } from '../../src/mapping/text';
import {
  changedValues,
  hubspotPropertiesOf,
  mapField,
  mapFieldValue,
  mapRecord,
  salesforceFieldsOf,
  toHubSpotValues,
  toSalesforceValues,
  ValueMappingError,
  type FieldResult,
  type Values,
} from '../../src/mapping/transform';

const HEAD = `hubspot:
  object: contacts
salesforce:
  object: Lead
match:
  hubspot: email
  salesforce: Email
conflict: last_write_wins
fields:
`;

/** A mapping from the YAML of its fields, parsed the way Baton parses files. */
function mappingOf(fieldsYaml: string): ObjectMapping {
  const { mapping, problems } = parseObjectMapping(HEAD + fieldsYaml, 'test.yaml');
  if (!mapping) throw new Error(problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  return mapping;
}
function fieldOf(yaml: string): FieldMapping {
  const [field] = mappingOf(yaml.replace(/^/gm, '    ').replace(/^ {4}/, '  - ')).fields;
  if (!field) throw new Error('no field');
  return field;
}

const contact = (() => {
  const file = path.join(__dirname, '..', '..', 'mappings', 'contact.yaml');
  const { mapping } = parseObjectMapping(fs.readFileSync(file, 'utf8'), file);
  if (!mapping) throw new Error('mappings/contact.yaml does not load');
  return mapping;
})();

const ok = (value: string | null, warnings: string[] = []): FieldResult => ({ value, warnings });

// [what, field YAML, direction, input, expected]
type Case = [string, string, FlowDirection, string | null, FieldResult];

const CASES: Case[] = [
  // trim and case, in both directions
  ['trim to Salesforce', 'hubspot: a\nsalesforce: A\ntransforms: [trim]', 'to_salesforce', '  x y  ', ok('x y')],
  ['trim to HubSpot', 'hubspot: a\nsalesforce: A\ntransforms: [trim]', 'to_hubspot', '\tx\n', ok('x')],
  [
    'lowercase to Salesforce',
    'hubspot: a\nsalesforce: A\ntransforms: [lowercase]',
    'to_salesforce',
    'Ada@X.Example',
    ok('ada@x.example'),
  ],
  ['lowercase to HubSpot', 'hubspot: a\nsalesforce: A\ntransforms: [lowercase]', 'to_hubspot', 'ÄBC', ok('äbc')],
  ['uppercase to Salesforce', 'hubspot: a\nsalesforce: A\ntransforms: [uppercase]', 'to_salesforce', 'de', ok('DE')],
  ['uppercase to HubSpot', 'hubspot: a\nsalesforce: A\ntransforms: [uppercase]', 'to_hubspot', 'gb', ok('GB')],
  [
    'title to Salesforce',
    'hubspot: a\nsalesforce: A\ntransforms: [title]',
    'to_salesforce',
    "jean-luc o'BRIEN",
    ok("Jean-Luc O'Brien"),
  ],
  [
    'title to HubSpot',
    'hubspot: a\nsalesforce: A\ntransforms: [title]',
    'to_hubspot',
    'ADA LOVELACE',
    ok('Ada Lovelace'),
  ],
  [
    'a direction adds its own transforms after the field’s',
    'hubspot: a\nsalesforce: A\ntransforms: [trim]\nto_hubspot: { transforms: [uppercase] }',
    'to_hubspot',
    ' x ',
    ok('X'),
  ],
  [
    '…and only in its direction',
    'hubspot: a\nsalesforce: A\ntransforms: [trim]\nto_hubspot: { transforms: [uppercase] }',
    'to_salesforce',
    ' x ',
    ok('x'),
  ],

  // blank values
  ['blank stays blank', 'hubspot: a\nsalesforce: A', 'to_salesforce', null, ok(null)],
  ['an empty text is blank', 'hubspot: a\nsalesforce: A', 'to_hubspot', '', ok(null)],
  ['only spaces is blank', 'hubspot: a\nsalesforce: A', 'to_salesforce', '   ', ok(null)],
  [
    'default when blank, to Salesforce',
    'hubspot: a\nsalesforce: A\nto_salesforce: { default: "[not provided]" }',
    'to_salesforce',
    '',
    ok('[not provided]'),
  ],
  [
    'no default the other way',
    'hubspot: a\nsalesforce: A\nto_salesforce: { default: "[not provided]" }',
    'to_hubspot',
    null,
    ok(null),
  ],
  [
    'a field-level default in every direction',
    'hubspot: a\nsalesforce: A\ndefault: n/a',
    'to_hubspot',
    null,
    ok('n/a'),
  ],
  [
    'default is not used when there is a value',
    'hubspot: a\nsalesforce: A\ndefault: n/a',
    'to_salesforce',
    'x',
    ok('x'),
  ],

  // value maps and the unmapped policies
  ['values: a mapped value', 'hubspot: s\nsalesforce: S\nvalues: { NEW: Open }', 'to_salesforce', 'NEW', ok('Open')],
  [
    'values: case and spaces do not matter',
    'hubspot: s\nsalesforce: S\nvalues: { NEW: Open }',
    'to_salesforce',
    ' new',
    ok('Open'),
  ],
  [
    'values: a field-level map is read backwards to HubSpot',
    'hubspot: s\nsalesforce: S\nvalues: { NEW: Open }',
    'to_hubspot',
    'Open',
    ok('NEW'),
  ],
  [
    'values: a value mapped to ~ becomes blank',
    'hubspot: s\nsalesforce: S\nto_hubspot: { values: { "[not provided]": ~ } }',
    'to_hubspot',
    '[not provided]',
    ok(null),
  ],
  [
    'unmapped: pass_through (the default)',
    'hubspot: s\nsalesforce: S\nvalues: { NEW: Open }',
    'to_salesforce',
    'OTHER',
    ok('OTHER'),
  ],
  [
    'unmapped: skip leaves the target alone',
    'hubspot: s\nsalesforce: S\nto_salesforce: { values: { NEW: Open }, unmapped: skip }',
    'to_salesforce',
    'OPEN_DEAL',
    { value: null, skip: true, warnings: ['s → S: "OPEN_DEAL" has no mapping; left unchanged (unmapped: skip)'] },
  ],
  [
    'unmapped: error',
    'hubspot: s\nsalesforce: S\nto_hubspot: { values: { Open: NEW }, unmapped: error }',
    'to_hubspot',
    'Closed',
    { value: null, warnings: [], error: 'S → s: "Closed" has no mapping (unmapped: error)' },
  ],
  [
    'unmapped: default',
    'hubspot: s\nsalesforce: S\nto_salesforce: { values: { NEW: Open }, unmapped: { default: Other } }',
    'to_salesforce',
    'X',
    ok('Other', ['s → S: "X" has no mapping; wrote the unmapped default "Other"']),
  ],
  [
    'a blank value is not unmapped: the default applies',
    'hubspot: s\nsalesforce: S\nto_salesforce: { values: { NEW: Open }, unmapped: error, default: Open }',
    'to_salesforce',
    null,
    ok('Open'),
  ],

  // ranges
  [
    'ranges: the highest range a number reaches',
    'hubspot: n\nsalesforce: R\ndirection: to_salesforce\nranges: [{ from: 0, value: Cold }, { from: 70, value: Hot }, { from: 40, value: Warm }]',
    'to_salesforce',
    '55',
    ok('Warm'),
  ],
  [
    'ranges: a range includes its start',
    'hubspot: n\nsalesforce: R\ndirection: to_salesforce\nranges: [{ from: 0, value: Cold }, { from: 70, value: Hot }]',
    'to_salesforce',
    '70',
    ok('Hot'),
  ],
  [
    'ranges: decimals and signs',
    'hubspot: n\nsalesforce: R\ndirection: to_hubspot\nranges: [{ from: -10, value: low }, { from: 0.5, value: high }]',
    'to_hubspot',
    '-3.5',
    ok('low'),
  ],
  [
    'ranges: below every range, skipped',
    'hubspot: n\nsalesforce: R\ndirection: to_hubspot\nranges: [{ from: 1, value: "1-5" }]\nunmapped: skip',
    'to_hubspot',
    '0',
    { value: null, skip: true, warnings: ['R → n: "0" is below every range; left unchanged (unmapped: skip)'] },
  ],
  [
    'ranges: not a number, with a default',
    'hubspot: n\nsalesforce: R\ndirection: to_salesforce\nranges: [{ from: 0, value: Cold }]\nunmapped: { default: Cold }',
    'to_salesforce',
    'n/a',
    ok('Cold', ['n → R: "n/a" is not a number, so it is in no range; wrote the unmapped default "Cold"']),
  ],

  // conversions
  ['number', 'hubspot: n\nsalesforce: N\ntype: number', 'to_salesforce', ' 1200.50 ', ok('1200.5')],
  [
    'number: not one',
    'hubspot: n\nsalesforce: N\ntype: number',
    'to_hubspot',
    '12 apples',
    { value: null, warnings: [], error: 'N → n: "12 apples" is not a number' },
  ],
  ['integer', 'hubspot: n\nsalesforce: N\ntype: integer', 'to_salesforce', '1200.0', ok('1200')],
  [
    'integer: not whole',
    'hubspot: n\nsalesforce: N\ntype: integer',
    'to_salesforce',
    '12.5',
    { value: null, warnings: [], error: 'n → N: "12.5" is not a whole number' },
  ],
  ['boolean: yes', 'hubspot: b\nsalesforce: B\ntype: boolean', 'to_salesforce', 'Yes', ok('true')],
  ['boolean: 0', 'hubspot: b\nsalesforce: B\ntype: boolean', 'to_hubspot', '0', ok('false')],
  [
    'boolean: not one',
    'hubspot: b\nsalesforce: B\ntype: boolean',
    'to_hubspot',
    'maybe',
    { value: null, warnings: [], error: 'B → b: "maybe" is not true or false' },
  ],
  [
    'date from HubSpot epoch ms',
    'hubspot: d\nsalesforce: D\ntype: date',
    'to_salesforce',
    '1704067200000',
    ok('2024-01-01'),
  ],
  [
    'date from a Salesforce datetime',
    'hubspot: d\nsalesforce: D\ntype: date',
    'to_hubspot',
    '2024-01-01T23:30:00.000+0000',
    ok('2024-01-01'),
  ],
  [
    'date: not a day',
    'hubspot: d\nsalesforce: D\ntype: date',
    'to_salesforce',
    '2024-02-30',
    { value: null, warnings: [], error: 'd → D: "2024-02-30" is not a date (YYYY-MM-DD)' },
  ],
  [
    'datetime from a Salesforce datetime',
    'hubspot: d\nsalesforce: D\ntype: datetime',
    'to_hubspot',
    '2026-01-02T10:00:00.000+0200',
    ok('2026-01-02T08:00:00.000Z'),
  ],
  [
    'datetime from HubSpot epoch ms',
    'hubspot: d\nsalesforce: D\ntype: datetime',
    'to_salesforce',
    '1767312000000',
    ok('2026-01-02T00:00:00.000Z'),
  ],
  [
    'datetime from a date',
    'hubspot: d\nsalesforce: D\ntype: datetime',
    'to_salesforce',
    '2026-01-02',
    ok('2026-01-02T00:00:00.000Z'),
  ],
  [
    'a type in one direction only',
    'hubspot: n\nsalesforce: N\nto_salesforce: { type: integer }',
    'to_hubspot',
    '12.5',
    ok('12.5'),
  ],
  [
    'values, then the type',
    'hubspot: n\nsalesforce: N\nto_salesforce: { values: { "1-5": 1 }, type: integer }',
    'to_salesforce',
    '1-5',
    ok('1'),
  ],

  // truncation
  [
    'truncate: short enough',
    'hubspot: t\nsalesforce: T\nto_salesforce: { truncate: 5 }',
    'to_salesforce',
    'abcde',
    ok('abcde'),
  ],
  [
    'truncate: cut, with a warning',
    'hubspot: t\nsalesforce: T\nto_salesforce: { truncate: 5 }',
    'to_salesforce',
    'abcdefgh',
    ok('abcde', ['t → T: the value had 8 characters and was cut to 5 to fit']),
  ],
  [
    'truncate: never half a character',
    'hubspot: t\nsalesforce: T\ntruncate: 3',
    'to_hubspot',
    'ab😀c',
    ok('ab', ['T → t: the value had 5 characters and was cut to 2 to fit']),
  ],
  [
    'truncate after the default',
    'hubspot: t\nsalesforce: T\nto_salesforce: { default: "[not provided]", truncate: 4 }',
    'to_salesforce',
    null,
    ok('[not', ['t → T: the value had 14 characters and was cut to 4 to fit']),
  ],

  // constants
  ['a constant ignores the source', 'salesforce: LeadSource\nconstant: Web', 'to_salesforce', 'anything', ok('Web')],
  ['a constant with a type', 'hubspot: opted_in\nconstant: "yes"\ntype: boolean', 'to_hubspot', null, ok('true')],
  [
    'a constant flows one way',
    'salesforce: LeadSource\nconstant: Web',
    'to_hubspot',
    'x',
    { value: null, warnings: [], skip: true },
  ],
  [
    'a one-way field does not flow back',
    'hubspot: a\nsalesforce: A\ndirection: to_salesforce',
    'to_hubspot',
    'x',
    { value: null, warnings: [], skip: true },
  ],
];

describe('mapFieldValue: every transform in both directions', () => {
  it.each(CASES)('%s', (_what, yaml, direction, input, expected) => {
    expect(mapFieldValue(fieldOf(yaml), input, direction)).toEqual(expected);
  });

  it('asks for mapField on a join or split', () => {
    expect(() =>
      mapFieldValue(fieldOf('hubspot: full_name\nsalesforce: [FirstName, LastName]'), 'Ada Lovelace', 'to_salesforce'),
    ).toThrow(/use mapField or mapRecord/);
  });
});

describe('join and split', () => {
  const name = fieldOf('hubspot: full_name\nsalesforce: [FirstName, LastName]\ntransforms: [trim]');
  it.each<[string | null, Values]>([
    ['Ada Lovelace', { FirstName: 'Ada', LastName: 'Lovelace' }],
    ['Ludwig van Beethoven', { FirstName: 'Ludwig', LastName: 'van Beethoven' }],
    // One name is a last name: Salesforce requires LastName.
    ['Cher', { FirstName: null, LastName: 'Cher' }],
    ['  Ada   Lovelace ', { FirstName: 'Ada', LastName: 'Lovelace' }],
    [null, { FirstName: null, LastName: null }],
  ])('splits %j to Salesforce', (input, expected) => {
    expect(mapField(name, { full_name: input }, 'to_salesforce')).toEqual({ values: expected, warnings: [] });
  });

  it.each<[Values, string | null]>([
    [{ FirstName: 'Ada', LastName: 'Lovelace' }, 'Ada Lovelace'],
    [{ FirstName: null, LastName: 'Cher' }, 'Cher'],
    [{ FirstName: ' Ada ', LastName: '' }, 'Ada'],
    [{}, null],
  ])('joins %j back to HubSpot', (input, expected) => {
    expect(mapField(name, input, 'to_hubspot')).toEqual({ values: { full_name: expected }, warnings: [] });
  });

  it('joins with a separator, splits each part’s default and truncation', () => {
    const address = fieldOf('hubspot: [address, city]\nsalesforce: Street\ndirection: to_salesforce\nseparator: ", "');
    expect(mapField(address, { address: '1 Main St', city: 'Springfield' }, 'to_salesforce').values).toEqual({
      Street: '1 Main St, Springfield',
    });
    const parts = fieldOf(
      'hubspot: full_name\nsalesforce: [FirstName, LastName]\ndirection: to_salesforce\nto_salesforce: { default: "-", truncate: 3 }',
    );
    expect(mapField(parts, { full_name: 'Adalbert' }, 'to_salesforce')).toEqual({
      values: { FirstName: '-', LastName: 'Ada' },
      warnings: ['full_name → FirstName + LastName: the value had 8 characters and was cut to 3 to fit'],
    });
  });
});

describe('mapRecord with the shipped contact.yaml', () => {
  it('gives the blank required Salesforce fields their default (the delta sync relies on it)', () => {
    expect(toSalesforceValues(contact, { email: 'Bare@Sync.Example ' })).toMatchObject({
      Email: 'bare@sync.example',
      LastName: '[not provided]',
      Company: '[not provided]',
      Status: 'Open - Not Contacted',
      FirstName: null,
    });
  });

  it('reports truncation and skipped values per record, and leaves skipped fields out', () => {
    const mapped = mapRecord(
      contact,
      {
        email: 'a@x.example',
        jobtitle: 'x'.repeat(130),
        hs_lead_status: 'OPEN_DEAL',
        hubspotscore: '82',
        numemployees: '1000+',
        industry: 'Software',
      },
      'to_salesforce',
    );
    expect(mapped.errors).toEqual([]);
    expect(mapped.warnings).toEqual([
      { field: 'Title', message: 'jobtitle → Title: the value had 130 characters and was cut to 128 to fit' },
      {
        field: 'Status',
        message: 'hs_lead_status → Status: "OPEN_DEAL" has no mapping; left unchanged (unmapped: skip)',
      },
    ]);
    expect(mapped.values).toMatchObject({ Rating: 'Hot', NumberOfEmployees: '1000', Industry: 'Technology' });
    expect('Status' in mapped.values).toBe(false);
  });

  it('rates a negative HubSpot score Cold, and says so', () => {
    const mapped = mapRecord(contact, { email: 'a@x.example', hubspotscore: '-5' }, 'to_salesforce');
    expect(mapped.values.Rating).toBe('Cold');
    expect(mapped.warnings).toEqual([
      {
        field: 'Rating',
        message: 'hubspotscore → Rating: "-5" is below every range; wrote the unmapped default "Cold"',
      },
    ]);
  });

  it('maps a Lead back: placeholders become blank, head counts become ranges, statuses become HubSpot’s', () => {
    expect(
      toHubSpotValues(contact, {
        Email: 'A@X.example',
        LastName: '[not provided]',
        Company: 'Acme',
        NumberOfEmployees: '1200',
        Status: 'Working - Contacted',
        Industry: 'Finance',
        Rating: 'Hot',
      }),
    ).toEqual({
      email: 'a@x.example',
      firstname: null,
      lastname: null,
      company: 'Acme',
      jobtitle: null,
      phone: null,
      country: null,
      website: null,
      industry: 'Financial Services',
      numemployees: '1000+',
      hs_lead_status: 'IN_PROGRESS',
    });
  });

  it('toSalesforceValues throws ValueMappingError with every field that failed; mapRecord reports them', () => {
    const strict = mappingOf(`  - hubspot: email
    salesforce: Email
    direction: to_salesforce
  - hubspot: numemployees
    salesforce: NumberOfEmployees
    direction: to_salesforce
    type: integer
  - hubspot: hs_lead_status
    salesforce: Status
    direction: to_salesforce
    values: { NEW: Open - Not Contacted }
    unmapped: error
`);
    const record = { email: 'a@x.example', numemployees: 'lots', hs_lead_status: 'BAD_TIMING' };
    expect(mapRecord(strict, record, 'to_salesforce')).toEqual({
      values: { Email: 'a@x.example' },
      warnings: [],
      errors: [
        { field: 'NumberOfEmployees', message: 'numemployees → NumberOfEmployees: "lots" is not a whole number' },
        { field: 'Status', message: 'hs_lead_status → Status: "BAD_TIMING" has no mapping (unmapped: error)' },
      ],
    });
    expect(() => toSalesforceValues(strict, record)).toThrow(ValueMappingError);
    expect(() => toSalesforceValues(strict, record)).toThrow(
      'NumberOfEmployees: numemployees → NumberOfEmployees: "lots" is not a whole number; Status: hs_lead_status → Status: "BAD_TIMING" has no mapping (unmapped: error)',
    );
  });

  it('reads every field of both sides, parts of joins included, constants’ missing side left out', () => {
    const m = mappingOf(`  - hubspot: full_name
    salesforce: [FirstName, LastName]
    direction: to_salesforce
  - salesforce: LeadSource
    constant: Web
`);
    expect(hubspotPropertiesOf(m)).toEqual(['email', 'full_name']);
    expect(salesforceFieldsOf(m)).toEqual(['Email', 'FirstName', 'LastName', 'LeadSource']);
  });

  it('changedValues keeps what differs from the snapshot', () => {
    expect(changedValues({ A: '1', B: null, C: '3' }, { A: '1', B: 'x' })).toEqual({ B: null, C: '3' });
    expect(changedValues({ A: '1' }, undefined)).toEqual({ A: '1' });
  });
});

describe('text helpers', () => {
  it.each<[string, string]>([
    ['ada lovelace', 'Ada Lovelace'],
    ['MARY-JANE WATSON', 'Mary-Jane Watson'],
    ["o'neil", "O'Neil"],
    ['élodie durand', 'Élodie Durand'],
  ])('titleCase(%j)', (input, expected) => expect(titleCase(input)).toBe(expected));

  it('truncateText cuts by UTF-16 units but never inside a character', () => {
    expect(truncateText('abc', 5)).toBe('abc');
    expect(truncateText('a😀', 2)).toBe('a');
    expect(truncateText('a😀b', 3)).toBe('a😀');
  });
});

// ---- properties ----

/** Text that survives a trip unchanged: not blank, no surrounding spaces, within `max`. */
const cleanText = (max: number) =>
  fc.string({ minLength: 1, maxLength: max, unit: 'grapheme-ascii' }).filter((s) => s.trim() === s && s.trim() !== '');
const orBlank = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });
const notAmong = (values: string[]) => (s: string) => !values.some((v) => v.toLowerCase() === s.trim().toLowerCase());

/** The fields that flow both ways, which are the ones a round trip can compare. */
const twoWay = (m: ObjectMapping, side: 'hubspot' | 'salesforce') =>
  m.fields.filter((f) => f.direction === 'both').map((f) => f[side]);
const pick = (values: Values, keys: string[]) => Object.fromEntries(keys.map((k) => [k, values[k] ?? null]));

describe('round trips (fast-check)', () => {
  it('HubSpot → Salesforce → HubSpot gives the same values where contact.yaml is invertible', () => {
    const hubspot = fc.record({
      email: fc.emailAddress().map((e) => e.toLowerCase()),
      firstname: orBlank(cleanText(40)),
      lastname: orBlank(cleanText(80).filter((s) => s !== '[not provided]')),
      company: orBlank(cleanText(255).filter((s) => s !== '[not provided]')),
      jobtitle: orBlank(cleanText(128)),
      phone: orBlank(cleanText(40)),
      country: orBlank(cleanText(80)),
      website: orBlank(cleanText(255)),
      // A HubSpot industry spelled like one of Salesforce's mapped names comes back renamed.
      industry: orBlank(
        fc.oneof(
          fc.constantFrom('Software', 'Logistics', 'Financial Services'),
          cleanText(40).filter(notAmong(['Technology', 'Transportation', 'Finance'])),
        ),
      ),
      numemployees: orBlank(fc.constantFrom('1-5', '5-25', '25-50', '50-100', '100-500', '500-1000', '1000+')),
      // NEW and OPEN both become "Open - Not Contacted"; a blank status gets Salesforce's default.
      hs_lead_status: fc.constantFrom('OPEN', 'IN_PROGRESS', 'UNQUALIFIED'),
      hubspotscore: orBlank(fc.integer({ min: 0, max: 100 }).map(String)),
    });
    fc.assert(
      fc.property(hubspot, (record) => {
        const back = toHubSpotValues(contact, toSalesforceValues(contact, record));
        const keys = twoWay(contact, 'hubspot');
        expect(pick(back, keys)).toEqual(pick(record, keys));
      }),
      { numRuns: 300 },
    );
  });

  it('Salesforce → HubSpot → Salesforce gives the same values where contact.yaml is invertible', () => {
    const salesforce = fc.record({
      Email: fc.emailAddress().map((e) => e.toLowerCase()),
      FirstName: orBlank(cleanText(40)),
      // A blank LastName would come back as the placeholder Salesforce needs.
      LastName: fc.oneof(fc.constant('[not provided]'), cleanText(80)),
      Company: fc.oneof(fc.constant('[not provided]'), cleanText(255)),
      Title: orBlank(cleanText(128)),
      Phone: orBlank(cleanText(40)),
      Country: orBlank(cleanText(80)),
      Website: orBlank(cleanText(255)),
      Industry: orBlank(cleanText(40).filter(notAmong(['Software', 'Logistics', 'Financial Services']))),
      NumberOfEmployees: orBlank(fc.constantFrom('1', '5', '25', '50', '100', '500', '1000')),
      Status: fc.constantFrom('Open - Not Contacted', 'Working - Contacted', 'Closed - Not Converted'),
    });
    fc.assert(
      fc.property(salesforce, (record) => {
        const back = toSalesforceValues(contact, toHubSpotValues(contact, record));
        const keys = twoWay(contact, 'salesforce');
        expect(pick(back, keys)).toEqual(pick(record, keys));
      }),
      { numRuns: 300 },
    );
  });

  it('a split joins back to the same name (single spaces, no blank words)', () => {
    const name = fieldOf('hubspot: full_name\nsalesforce: [FirstName, MiddleName, LastName]');
    const word = fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme-ascii' }).filter((w) => /^\S+$/.test(w));
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 6 }), (words) => {
        const full = words.join(' ');
        const parts = mapField(name, { full_name: full }, 'to_salesforce').values;
        expect(mapField(name, parts, 'to_hubspot').values).toEqual({ full_name: full });
        expect(joinParts(splitParts(full, ' ', 3), ' ')).toBe(full);
      }),
    );
  });

  it('a conversion is stable: converting its own output again changes nothing', () => {
    const inputs = fc.oneof(
      fc.integer().map(String),
      fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
      fc
        .date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString()),
      fc
        .date({ min: new Date('1970-01-01'), max: new Date('2200-01-01'), noInvalidDate: true })
        .map((d) => String(d.getTime())),
      fc.constantFrom('true', 'FALSE', 'yes', 'no', '1', '0'),
      fc.string(),
    );
    fc.assert(
      fc.property(fc.constantFrom(...VALUE_TYPES), inputs, (type, input) => {
        const once = coerceValue(type, input);
        if (once.ok) expect(coerceValue(type, once.value)).toEqual(once);
      }),
      { numRuns: 500 },
    );
  });
});

describe('dates outside four-digit years', () => {
  it.each(['-1672237448261288', '253402300800000', '99999999999999999'])(
    'refuses epoch ms %s instead of printing a date no API reads',
    (input) => {
      expect(coerceValue('date', input).ok).toBe(false);
      expect(coerceValue('datetime', input).ok).toBe(false);
    },
  );
});
