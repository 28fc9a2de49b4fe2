import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  effectiveStep,
  invertValues,
  loadMappingsDir,
  MappingError,
  namesOn,
  parseObjectMapping,
  parseObjectMappingFile,
  type ObjectMapping,
} from '../../src/config/mapping-file';
import { PROBLEM_CODES } from '../../src/config/problems';

const fixture = (name: string) => path.join(__dirname, '..', 'fixtures', 'mappings', name);
const parseFixture = (name: string) =>
  parseObjectMapping(fs.readFileSync(fixture(name), 'utf8'), `bad/${path.basename(name)}`);
const lines = (name: string) =>
  parseObjectMapping(fs.readFileSync(fixture(name), 'utf8'), name).problems.map(
    (p) => `${p.line}:${p.column} ${p.severity} [${p.code}] ${p.path}: ${p.message}`,
  );

const BASE = `hubspot:
  object: contacts
salesforce:
  object: Lead
match:
  hubspot: email
  salesforce: Email
`;
function parsed(yaml: string): ObjectMapping {
  const { mapping, problems } = parseObjectMapping(BASE + yaml, 'inline.yaml');
  if (!mapping) throw new Error(problems.map((p) => p.message).join('\n'));
  return mapping;
}

/** One fixture per rule of the structural and cross-reference passes, with the exact report. */
const RULES: [string, string[]][] = [
  [
    'ambiguous-reverse',
    [
      '17:13 warning [ambiguous_reverse] ambiguous-reverse > fields > 1 > values > SaaS: "Software" and "SaaS" both become "Technology"; on the way back to HubSpot "Technology" becomes "Software" (add to_hubspot > values to choose otherwise)',
    ],
  ],
  [
    'conflict-on-one-way',
    [
      '15:15 warning [conflict_on_one_way] conflict-on-one-way > fields > 1 > conflict: conflict has no effect: firstname → FirstName only flows to Salesforce, so there are never two edits to choose between',
    ],
  ],
  [
    'constant-direction',
    [
      '14:16 error [constant_direction] constant-direction > fields > 1 > direction: a constant for a Salesforce field flows to_salesforce; remove direction or set it to to_salesforce',
    ],
  ],
  [
    'constant-sides',
    [
      '14:15 error [constant_sides] constant-sides > fields > 1 > constant: a constant is written to one side only: keep either hubspot or salesforce (the field it is written to) and remove the other',
    ],
  ],
  [
    'constant-with-transforms',
    [
      '14:14 error [constant_with_transforms] constant-with-transforms > fields > 1 > default: default has nothing to work on: a constant is always written as it is',
    ],
  ],
  [
    'duplicate-range',
    [
      '17:17 error [duplicate_range] duplicate-range > fields > 1 > ranges > 1 > from: two ranges start at 40; each range needs its own starting value',
    ],
  ],
  [
    'did-you-mean',
    [
      '14:16 error [invalid_value] did-you-mean > fields > 1 > direction: direction must be one of: both, to_salesforce, to_hubspot (got "to_salesfroce"); did you mean "to_salesforce"?',
    ],
  ],
  [
    'invalid-option',
    [
      '15:24 error [invalid_value] invalid-option > fields > 1 > transforms > 1: each transform must be one of: trim, lowercase, uppercase, title (got "capitalize")',
    ],
  ],
  [
    'invalid-truncate',
    ['15:15 error [wrong_type] invalid-truncate > fields > 1 > truncate: truncate must be a number of characters'],
  ],
  [
    'invalid-unmapped',
    [
      '17:15 error [invalid_value] invalid-unmapped > fields > 1 > unmapped: unmapped must be one of: pass_through, skip, error, or "default: <value>" (got "ignore")',
    ],
  ],
  [
    'lead-conversion-needs-lead',
    [
      '12:18 error [lead_conversion_needs_lead] lead-conversion-needs-lead > lead_conversion: lead_conversion: follow applies to Leads, but this file maps Contacts; remove it or map salesforce > object: Lead',
    ],
  ],
  [
    'missing-conflict-rule',
    [
      '12:5 error [missing_conflict_rule] missing-conflict-rule > fields > 1: firstname ↔ FirstName is synced both ways but has no conflict rule; add conflict: hubspot_wins, salesforce_wins, last_write_wins, prefer_non_blank (or set conflict once at the top of the file for every two-way field)',
    ],
  ],
  ['missing-key', ['12:5 error [missing_key] missing-key > fields > 1 > salesforce: "salesforce" is required']],
  [
    'not-a-mapping',
    [
      '1:1 error [not_a_mapping] not-a-mapping: the file must be a YAML mapping with hubspot, salesforce, match and fields',
    ],
  ],
  [
    'not-for-join-split',
    [
      '15:11 error [not_for_join_split] not-for-join-split > fields > 1 > type: type cannot be used on a field that is joined or split; map the parts as fields of their own instead',
    ],
  ],
  [
    'ranges-both-ways',
    [
      '16:7 error [ranges_both_ways] ranges-both-ways > fields > 1 > ranges: ranges turn numbers into labels and cannot be read backwards; put them under to_salesforce or to_hubspot',
    ],
  ],
  [
    'separator-without-list',
    [
      '15:16 warning [separator_without_list] separator-without-list > fields > 1 > separator: separator is only used when one side lists several fields to join or split',
    ],
  ],
  [
    'split-targets',
    [
      '13:17 error [split_targets] split-targets > fields > 1 > salesforce: a split needs at least two Salesforce fields to split into, e.g. [FirstName, LastName]; for one field write its name without brackets',
    ],
  ],
  ['too-small', ['8:9 error [too_small] too-small > fields: a mapping needs at least one field']],
  // Hostile input: one plain problem each, never a hang or a crash.
  [
    'too-many-aliases',
    [
      "1:1 error [too_many_aliases] too-many-aliases: the file's YAML aliases (*name) expand into too many values (the limit is 100); write the values out instead",
    ],
  ],
  [
    'too-deep',
    ['1:1 error [too_deep] too-deep: the file nests more than 64 levels deep; check its indentation and brackets'],
  ],
  ['not-text', ['1:1 error [not_text] not-text: the file is not text (it holds binary data); it must be a YAML file']],
  [
    'truncate-not-text',
    [
      '17:17 error [truncate_not_text] truncate-not-text > fields > 1 > to_salesforce > truncate: truncate cuts text, but the value sent to Salesforce is a whole number (type: integer); remove truncate',
    ],
  ],
  [
    'two-lists',
    [
      '13:17 error [two_lists] two-lists > fields > 1 > salesforce: only one side may list several fields: they are joined into, or split from, the single field on the other side',
    ],
  ],
  [
    'two-way-without-rule',
    [
      '17:16 error [two_way_without_rule] two-way-without-rule > fields > 2 > direction: company ↔ Company is synced both ways by fields > 1 and fields > 2, so a change on both sides has no rule to settle it; merge them into one entry with direction: both and a conflict rule',
    ],
  ],
  [
    'unknown-key',
    ['15:5 error [unknown_key] unknown-key > fields > 1 > trnasforms: unknown key "trnasforms"; check the spelling'],
  ],
  [
    'unmapped-without-values',
    [
      '15:15 error [unmapped_without_values] unmapped-without-values > fields > 1 > unmapped: unmapped says what to do with a value that values or ranges do not list, but this field has neither',
    ],
  ],
  [
    'unused-direction',
    [
      '16:7 warning [unused_direction] unused-direction > fields > 1 > to_hubspot: the to_hubspot settings are never used: firstname → FirstName only flows to Salesforce',
    ],
  ],
  [
    'value-not-of-type',
    [
      '18:16 error [value_not_of_type] value-not-of-type > fields > 1 > values > 1000+: the mapped value "lots" is not a whole number, but the value sent to Salesforce must be (type: integer)',
    ],
  ],
  [
    'values-and-ranges',
    [
      '18:7 error [values_and_ranges] values-and-ranges > fields > 1 > ranges: values and ranges both choose the value sent to Salesforce; keep one of them',
    ],
  ],
];

describe('mapping files', () => {
  it('loads the shipped mappings/contact.yaml without a problem', () => {
    const file = path.join(__dirname, '..', '..', 'mappings', 'contact.yaml');
    expect(parseObjectMapping(fs.readFileSync(file, 'utf8'), file).problems).toEqual([]);
    const [contact] = loadMappingsDir(path.join(__dirname, '..', '..', 'mappings'));
    expect(contact).toMatchObject({
      name: 'contact',
      salesforce: { object: 'Lead' },
      match: { hubspot: 'email', salesforce: 'Email', case_insensitive: true },
      on_delete: { in_hubspot: 'clear_link', in_salesforce: 'clear_link' },
      lead_conversion: 'follow',
    });
    expect(contact?.fields.map((f) => f.salesforce)).toEqual([
      'Email',
      'FirstName',
      'LastName',
      'Company',
      'Title',
      'Phone',
      'Country',
      'Website',
      'Industry',
      'NumberOfEmployees',
      'Status',
      'Rating',
    ]);
    // The file-wide rule reaches every two-way field that names none; one-way fields get none.
    expect(contact?.fields.map((f) => f.conflict ?? '-')).toEqual([
      'hubspot_wins',
      'last_write_wins',
      'last_write_wins',
      'last_write_wins',
      'last_write_wins',
      'last_write_wins',
      'last_write_wins',
      'last_write_wins',
      'last_write_wins',
      'salesforce_wins',
      'salesforce_wins',
      '-',
    ]);
  });

  it('reports every structural problem at once with file, line, column and path', () => {
    const { mapping, problems } = parseFixture('bad/typos.yaml');
    expect(mapping).toBeUndefined();
    expect(problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.path}: ${p.message}`)).toEqual([
      'bad/typos.yaml:4:11 typos > salesforce > object: salesforce > object must be "Lead" or "Contact" (got "Opportunity")',
      'bad/typos.yaml:11:16 typos > fields > 0 > direction: direction must be one of: both, to_salesforce, to_hubspot (got "sideways")',
      'bad/typos.yaml:12:5 typos > fields > 1 > salesforce: "salesforce" is required',
      'bad/typos.yaml:13:5 typos > fields > 1 > salesfroce: unknown key "salesfroce"; check the spelling',
    ]);
  });

  it('reports a target written by two fields (case-insensitive on Salesforce)', () => {
    const { problems } = parseFixture('bad/duplicate-target.yaml');
    expect(problems).toEqual([
      expect.objectContaining({
        line: 13,
        column: 17,
        path: 'duplicate-target > fields > 1 > salesforce',
        code: 'duplicate_target',
        message:
          'Salesforce field "email" is already written by fields > 0; each target may be written by one field only',
      }),
    ]);
  });

  it('reports YAML syntax errors with their position', () => {
    const { problems } = parseFixture('bad/syntax.yaml');
    expect(problems[0]).toMatchObject({ code: 'syntax', line: 5 });
    expect(problems[0]?.message).toMatch(/^the YAML is not valid: /);
  });

  it('refuses a folder with a bad file, listing the problems of every file', () => {
    expect(() => loadMappingsDir(fixture('bad'))).toThrow(MappingError);
    try {
      loadMappingsDir(fixture('bad'));
    } catch (err) {
      const files = new Set((err as MappingError).problems.map((p) => path.basename(p.file)));
      expect(files).toEqual(new Set(['duplicate-target.yaml', 'syntax.yaml', 'typos.yaml']));
    }
  });

  it.each(RULES)('rule fixture rules/%s.yaml', (name, expected) => {
    expect(lines(`rules/${name}.yaml`)).toEqual(expected);
  });

  it('has a test for every rule fixture', () => {
    const tested = new Set(RULES.map(([name]) => name));
    expect(
      fs
        .readdirSync(fixture('rules'))
        .map((f) => f.replace(/\.yaml$/, ''))
        .filter((f) => !tested.has(f)),
    ).toEqual([]);
  });

  it('keeps the mapping as read when only the cross-reference pass fails, for the live checks', () => {
    const result = parseObjectMapping(fs.readFileSync(fixture('rules/missing-conflict-rule.yaml'), 'utf8'), 'x.yaml');
    expect(result.mapping).toBeUndefined();
    expect(result.structure?.fields[1]).toMatchObject({
      hubspot: 'firstname',
      salesforce: 'FirstName',
      direction: 'both',
    });
  });
});

describe('reading entries', () => {
  it('a join/split lists its parts, and hubspot/salesforce stay plain text', () => {
    const m = parsed(`fields:
  - hubspot: full_name
    salesforce: [FirstName, LastName]
    conflict: hubspot_wins
`);
    const [field] = m.fields;
    expect(field).toMatchObject({
      hubspot: 'full_name',
      salesforce: 'FirstName + LastName',
      parts: { side: 'salesforce', fields: ['FirstName', 'LastName'] },
    });
    expect(field && namesOn(field, 'salesforce')).toEqual(['FirstName', 'LastName']);
    expect(field && namesOn(field, 'hubspot')).toEqual(['full_name']);
  });

  it('a constant flows to the one side it names, and has no source fields', () => {
    const m = parsed(`fields:
  - hubspot: email
    salesforce: Email
    direction: to_salesforce
  - salesforce: LeadSource
    constant: Web
  - hubspot: hs_persona
    constant: 70
`);
    expect(m.fields[1]).toMatchObject({
      hubspot: '',
      salesforce: 'LeadSource',
      constant: 'Web',
      direction: 'to_salesforce',
    });
    expect(m.fields[2]).toMatchObject({
      hubspot: 'hs_persona',
      salesforce: '',
      constant: '70',
      direction: 'to_hubspot',
    });
    expect(m.fields[1] && namesOn(m.fields[1], 'hubspot')).toEqual([]);
  });

  it('on_delete takes one policy for both sides or one per side', () => {
    expect(
      parsed(`on_delete: archive\nfields: [{ hubspot: email, salesforce: Email, direction: to_salesforce }]\n`)
        .on_delete,
    ).toEqual({ in_hubspot: 'archive', in_salesforce: 'archive' });
    expect(
      parsed(
        `on_delete: { in_salesforce: clear_link }\nfields: [{ hubspot: email, salesforce: Email, direction: to_salesforce }]\n`,
      ).on_delete,
    ).toEqual({
      in_hubspot: 'ignore',
      in_salesforce: 'clear_link',
    });
  });

  it('a direction’s own settings win over the field’s, and a field-level value map is read backwards to HubSpot', () => {
    const m = parsed(`fields:
  - hubspot: industry
    salesforce: Industry
    conflict: last_write_wins
    transforms: [trim]
    default: Other
    values: { Software: Technology, SaaS: Technology, Logistics: Transportation }
    to_hubspot:
      transforms: [title]
      default: Unknown
`);
    const [field] = m.fields;
    if (!field) throw new Error('no field');
    expect(effectiveStep(field, 'to_salesforce')).toMatchObject({
      transforms: ['trim'],
      default: 'Other',
      values: { Software: 'Technology', SaaS: 'Technology', Logistics: 'Transportation' },
    });
    expect(effectiveStep(field, 'to_hubspot')).toMatchObject({
      transforms: ['trim', 'title'],
      default: 'Unknown',
      values: { Technology: 'Software', Transportation: 'Logistics' },
    });
  });

  it('invertValues keeps the first source of each value and drops blanks', () => {
    expect(invertValues({ a: 'x', b: 'x', c: null, d: 'y' })).toEqual({ x: 'a', y: 'd' });
  });
});

describe('hostile input: one plain problem each, quickly', () => {
  const timed = <T>(run: () => T): { result: T; ms: number } => {
    const start = Date.now();
    const result = run();
    return { result, ms: Date.now() - start };
  };

  it.each(['too-many-aliases', 'too-deep', 'not-text'])('rules/%s.yaml is refused in well under a second', (name) => {
    const { result, ms } = timed(() => lines(`rules/${name}.yaml`));
    expect(result).toHaveLength(1);
    expect(ms).toBeLessThan(1000);
  });

  it('a 5 MB file is refused by its size, before it is read', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-big-'));
    try {
      const file = path.join(dir, 'big.yaml');
      fs.writeFileSync(file, `fields:\n  - hubspot: email\n    salesforce: Email # ${'x'.repeat(5_000_000)}\n`);
      expect(fs.statSync(file).size).toBeGreaterThanOrEqual(5_000_000);
      const { result, ms } = timed(() => parseObjectMappingFile(file).problems);
      expect(result).toEqual([
        {
          file,
          line: 1,
          column: 1,
          path: 'big',
          code: 'too_large',
          message: 'the file is 5.0 MB; a mapping file is at most 1 MB',
          severity: 'error',
          hint: 'a mapping file is a few kilobytes; check that the right file was saved here',
        },
      ]);
      expect(ms).toBeLessThan(1000);
      // The same text given directly is refused by its length too.
      expect(parseObjectMapping(fs.readFileSync(file, 'utf8'), file).problems.map((p) => p.code)).toEqual([
        'too_large',
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('block nesting deeper than any mapping is refused at the collection that goes too deep', () => {
    const deep = Array.from({ length: 80 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n') + ' x\n';
    expect(lines2(deep)).toEqual([
      '65:129 error [too_deep] deep: the file nests more than 64 levels deep; check its indentation and brackets',
    ]);
  });
});

function lines2(text: string): string[] {
  return parseObjectMapping(text, 'deep.yaml').problems.map(
    (p) => `${p.line}:${p.column} ${p.severity} [${p.code}] ${p.path}: ${p.message}`,
  );
}

describe('the problem catalogue', () => {
  it('documents every code in docs/mappings.md or docs/handover.md, and no zod code', () => {
    const docs = ['mappings.md', 'handover.md']
      .map((f) => fs.readFileSync(path.join(__dirname, '..', '..', 'docs', f), 'utf8'))
      .join('\n');
    expect(PROBLEM_CODES.filter((code) => !docs.includes(`\`${code}\``))).toEqual(['missing_dir', 'missing_mapping']);
    for (const zodOnly of ['invalid_type', 'invalid_union', 'invalid_format', 'custom', 'yaml_syntax'])
      expect(docs).not.toContain(`\`${zodOnly}\``);
  });
});
