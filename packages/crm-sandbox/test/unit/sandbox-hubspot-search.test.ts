import type { PropertyType } from '../../src/hubspot/properties';
import {
  checkSearchLimits,
  compareValues,
  matchesFilter,
  matchesGroups,
  matchesQuery,
  normalizeSorts,
  numericValue,
  sortRecords,
  tokens,
  type SearchFilter,
} from '../../src/hubspot/search';

const f = (operator: SearchFilter['operator'], extra: Partial<SearchFilter> = {}): SearchFilter => ({
  propertyName: 'p',
  operator,
  ...extra,
});

describe('matchesFilter', () => {
  const cases: [string, SearchFilter, string | undefined, PropertyType | undefined, boolean][] = [
    ['EQ ignores case on text', f('EQ', { value: 'ACME' }), 'acme', 'string', true],
    ['EQ on numbers is numeric', f('EQ', { value: '7.0' }), '7', 'number', true],
    ['EQ on text is not numeric', f('EQ', { value: '2134' }), '02134', 'string', false],
    ['EQ on a missing value', f('EQ', { value: 'x' }), undefined, 'string', false],
    ['NEQ matches other values', f('NEQ', { value: 'a' }), 'b', 'string', true],
    ['NEQ matches a missing value', f('NEQ', { value: 'a' }), undefined, 'string', true],
    ['NEQ ignores case', f('NEQ', { value: 'A' }), 'a', 'string', false],
    ['LT numeric, not lexical', f('LT', { value: '10' }), '9', 'number', true],
    ['LTE equal', f('LTE', { value: '10' }), '10', 'number', true],
    ['GT numeric', f('GT', { value: '90' }), '100', 'number', true],
    ['GT on a missing value', f('GT', { value: '1' }), undefined, 'number', false],
    ['GTE equal', f('GTE', { value: '5' }), '5', undefined, true],
    ['LT on text compares text', f('LT', { value: 'b' }), 'A', 'string', true],
    [
      'GT on a datetime with an epoch-ms value',
      f('GT', { value: String(Date.parse('2026-01-01T00:00:00Z')) }),
      '2026-01-01T00:00:00.001Z',
      'datetime',
      true,
    ],
    [
      'LT on a datetime with an ISO value',
      f('LT', { value: '2026-01-01T00:00:00Z' }),
      '2025-12-31T23:59:59.999Z',
      'datetime',
      true,
    ],
    [
      'EQ on a datetime across forms',
      f('EQ', { value: '1767225600000' }),
      '2026-01-01T00:00:00.000Z',
      'datetime',
      true,
    ],
    ['BETWEEN inclusive low', f('BETWEEN', { value: '1', highValue: '3' }), '1', 'number', true],
    ['BETWEEN inclusive high', f('BETWEEN', { value: '1', highValue: '3' }), '3', 'number', true],
    ['BETWEEN outside', f('BETWEEN', { value: '1', highValue: '3' }), '4', 'number', false],
    [
      'BETWEEN dates mixing forms',
      f('BETWEEN', { value: '2026-01-01', highValue: '1767312000000' }),
      '2026-01-01T12:00:00.000Z',
      'datetime',
      true,
    ],
    ['IN on text with lowercase values', f('IN', { values: ['new', 'open'] }), 'Open', 'string', true],
    ['IN on text with an uppercase value never matches', f('IN', { values: ['Open'] }), 'Open', 'string', false],
    ['IN on an enumeration compares like EQ', f('IN', { values: ['NEW'] }), 'NEW', 'enumeration', true],
    ['IN on numbers', f('IN', { values: ['1', '2'] }), '2.0', 'number', true],
    ['NOT_IN excludes listed values', f('NOT_IN', { values: ['lead'] }), 'lead', 'enumeration', false],
    ['NOT_IN matches a missing value', f('NOT_IN', { values: ['lead'] }), undefined, 'enumeration', true],
    ['HAS_PROPERTY', f('HAS_PROPERTY'), 'x', 'string', true],
    ['HAS_PROPERTY missing', f('HAS_PROPERTY'), undefined, 'string', false],
    ['NOT_HAS_PROPERTY', f('NOT_HAS_PROPERTY'), undefined, 'string', true],
    ['CONTAINS_TOKEN finds a word', f('CONTAINS_TOKEN', { value: 'Acme' }), 'ann@acme.example', 'string', true],
    ['CONTAINS_TOKEN needs whole words', f('CONTAINS_TOKEN', { value: 'acm' }), 'ann@acme.example', 'string', false],
    [
      'CONTAINS_TOKEN finds a phrase in order',
      f('CONTAINS_TOKEN', { value: 'acme.example' }),
      'ann@acme.example',
      'string',
      true,
    ],
    [
      'CONTAINS_TOKEN with a wildcard',
      f('CONTAINS_TOKEN', { value: '*@acme.example' }),
      'Ann@Acme.example',
      'string',
      true,
    ],
    [
      'CONTAINS_TOKEN with a prefix wildcard on a word',
      f('CONTAINS_TOKEN', { value: 'robot*' }),
      'Acme Robotics',
      'string',
      true,
    ],
    ['NOT_CONTAINS_TOKEN', f('NOT_CONTAINS_TOKEN', { value: 'acme' }), 'Bluefin Analytics', 'string', true],
    [
      'NOT_CONTAINS_TOKEN matches a missing value',
      f('NOT_CONTAINS_TOKEN', { value: 'acme' }),
      undefined,
      'string',
      true,
    ],
  ];
  it.each(cases)('%s', (_name, filter, stored, type, expected) => {
    expect(matchesFilter(filter, stored, type)).toBe(expected);
  });
});

describe('matchesGroups', () => {
  const values: Record<string, string> = { a: '1', b: 'x' };
  const valueOf = (p: string): string | undefined => values[p];
  it('ORs groups and ANDs filters', () => {
    const aIs1 = { propertyName: 'a', operator: 'EQ' as const, value: '1' };
    const bIsY = { propertyName: 'b', operator: 'EQ' as const, value: 'y' };
    expect(matchesGroups([], valueOf)).toBe(true);
    expect(matchesGroups([{ filters: [aIs1, bIsY] }], valueOf)).toBe(false);
    expect(matchesGroups([{ filters: [bIsY] }, { filters: [aIs1] }], valueOf)).toBe(true);
  });
});

describe('values, tokens and sorting', () => {
  it('reads numbers and dates as numbers', () => {
    expect(numericValue('42')).toBe(42);
    expect(numericValue('-1.5')).toBe(-1.5);
    expect(numericValue('2026-01-01')).toBe(Date.parse('2026-01-01T00:00:00Z'));
    expect(numericValue('2026-01-01T10:00:00+02:00')).toBe(Date.parse('2026-01-01T08:00:00Z'));
    expect(numericValue('+1 555 0100')).toBeUndefined();
    expect(numericValue('')).toBeUndefined();
  });

  it('compares numerically when both sides are numeric, else as case-folded text', () => {
    expect(compareValues('9', '10')).toBeLessThan(0);
    expect(compareValues('9', '10', 'string')).toBeGreaterThan(0);
    expect(compareValues('Bob', 'alice')).toBeGreaterThan(0);
  });

  it('splits values into words', () => {
    expect(tokens('Ann.Lee@Acme-Robotics.example')).toEqual(['ann', 'lee', 'acme', 'robotics', 'example']);
  });

  it('sorts by keys, missing values last, ties by ascending id', () => {
    const rows = [
      { id: '10', v: '2' },
      { id: '2', v: undefined },
      { id: '9', v: '2' },
      { id: '1', v: '3' },
    ];
    const asc = sortRecords([...rows], [{ propertyName: 'v', direction: 'ASCENDING' }], (r) => r.v).map((r) => r.id);
    expect(asc).toEqual(['9', '10', '1', '2']);
    const desc = sortRecords([...rows], [{ propertyName: 'v', direction: 'DESCENDING' }], (r) => r.v).map((r) => r.id);
    expect(desc).toEqual(['1', '9', '10', '2']);
    expect(sortRecords([...rows], [], (r) => r.v).map((r) => r.id)).toEqual(['1', '2', '9', '10']);
  });

  it('accepts both sort forms', () => {
    expect(
      normalizeSorts([
        'createdate',
        '-hubspotscore',
        { propertyName: 'email', direction: 'DESCENDING' },
        { propertyName: 'x' },
      ]),
    ).toEqual([
      { propertyName: 'createdate', direction: 'ASCENDING' },
      { propertyName: 'hubspotscore', direction: 'DESCENDING' },
      { propertyName: 'email', direction: 'DESCENDING' },
      { propertyName: 'x', direction: 'ASCENDING' },
    ]);
  });

  it('matches a free-text query as a substring of the searchable properties', () => {
    const values: Record<string, string> = { firstname: 'Priya', email: 'priya@helixbio.example' };
    const valueOf = (p: string): string | undefined => values[p];
    expect(matchesQuery('HELIX', valueOf, ['firstname', 'email'])).toBe(true);
    expect(matchesQuery('nobody', valueOf, ['firstname', 'email'])).toBe(false);
    expect(matchesQuery(undefined, valueOf, ['firstname'])).toBe(true);
  });
});

describe('checkSearchLimits', () => {
  const group = (n: number) => ({
    filters: Array.from({ length: n }, () => ({ propertyName: 'a', operator: 'EQ' as const, value: '1' })),
  });
  it.each([
    ['6 groups', [1, 1, 1, 1, 1, 1].map(group), 10, 0, /filter groups/],
    ['11 filters in a group', [group(11)], 10, 0, /per filter group/],
    ['26 filters in all', [group(6), group(5), group(5), group(5), group(5)], 10, 0, /Too many filters \(26\)/],
    ['a page of 201', [], 201, 0, /at most 200/],
    ['after 10,000', [], 10, 10_000, /beyond 10000/],
  ] as const)('refuses %s', (_name, groups, limit, after, message) => {
    expect(checkSearchLimits(groups, limit, after)).toMatch(message);
  });

  it('accepts the largest allowed search', () => {
    expect(checkSearchLimits([group(5), group(5), group(5), group(5), group(5)], 200, 9_800)).toBeUndefined();
  });

  it('requires values for IN and both bounds for BETWEEN', () => {
    expect(checkSearchLimits([{ filters: [{ propertyName: 'a', operator: 'IN' }] }], 10, 0)).toMatch(
      /requires "values"/,
    );
    expect(checkSearchLimits([{ filters: [{ propertyName: 'a', operator: 'BETWEEN', value: '1' }] }], 10, 0)).toMatch(
      /highValue/,
    );
  });
});
