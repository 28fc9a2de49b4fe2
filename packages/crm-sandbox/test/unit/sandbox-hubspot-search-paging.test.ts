/**
 * The sandbox's CRM search starts its scan at the id a keyset query bounds it to, and skips
 * sorting matches that already come in the order asked for. Both are shortcuts only: the
 * results and totals must equal those of a full scan and sort, which these tests compare
 * against an independent reading of the same filters.
 */
import fc from 'fast-check';
import { CrmObjects } from '../../src/hubspot/objects';
import {
  idLowerBound,
  matchesGroups,
  sortRecords,
  type SearchFilterGroup,
  type SearchSort,
} from '../../src/hubspot/search';
import { HubSpotState } from '../../src/hubspot/state';

const T0 = Date.parse('2026-03-02T09:00:00.000Z');

describe('idLowerBound', () => {
  const numeric = () => 'number' as const;
  const gt = (value: string) => ({ propertyName: 'hs_object_id', operator: 'GT' as const, value });
  const ts = { propertyName: 'lastmodifieddate', operator: 'GT' as const, value: '0' };

  it.each<[string, SearchFilterGroup[], number | undefined]>([
    ['GT the last id read', [{ filters: [ts, gt('200')] }], 201],
    [
      'GTE and EQ start at the value',
      [
        { filters: [{ propertyName: 'hs_object_id', operator: 'GTE', value: '7' }] },
        { filters: [{ propertyName: 'hs_object_id', operator: 'EQ', value: '9' }] },
      ],
      7,
    ],
    ['the tightest bound of a group', [{ filters: [gt('5'), gt('50')] }], 51],
    ['the lowest over the groups', [{ filters: [gt('500')] }, { filters: [gt('20')] }], 21],
    ['a group without a bound', [{ filters: [gt('500')] }, { filters: [ts] }], undefined],
    ['no groups', [], undefined],
    ['LT is no lower bound', [{ filters: [{ propertyName: 'hs_object_id', operator: 'LT', value: '9' }] }], undefined],
    ['a value that is no number', [{ filters: [gt('abc')] }], undefined],
  ])('%s', (_, groups, expected) => {
    expect(idLowerBound(groups, numeric)).toBe(expected);
  });

  it('gives no bound when hs_object_id compares as text', () => {
    expect(idLowerBound([{ filters: [gt('200')] }], () => 'string')).toBeUndefined();
  });
});

describe('sortRecords on matches already in order', () => {
  it('returns them unchanged, and sorts any that are not', () => {
    const rows = [1, 2, 3, 10].map((id) => ({ id: String(id), p: { hs_object_id: String(id), n: String(20 - id) } }));
    const byId: SearchSort[] = [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }];
    const value = (r: (typeof rows)[number], name: string) => r.p[name as 'n'];
    expect(sortRecords(rows, byId, value).map((r) => r.id)).toEqual(['1', '2', '3', '10']);
    expect(sortRecords(rows, [{ propertyName: 'n', direction: 'ASCENDING' }], value).map((r) => r.id)).toEqual([
      '10',
      '3',
      '2',
      '1',
    ]);
    expect(sortRecords([...rows].reverse(), byId, value).map((r) => r.id)).toEqual(['1', '2', '3', '10']);
  });
});

describe('CRM search paged by id', () => {
  it('compares numbers, and leaves text and missing values to the text rules, as a full scan does (property)', () => {
    const value = fc.oneof(
      fc.integer({ min: 0, max: 9 }).map(String),
      fc.constantFrom('a', 'Z', '1e400', ''),
      fc.constant(undefined),
    );
    const op = fc.constantFrom('EQ', 'LT', 'LTE', 'GT', 'GTE', 'BETWEEN', 'NEQ', 'HAS_PROPERTY');
    fc.assert(
      fc.property(
        fc.array(value, { maxLength: 60 }),
        fc.array(fc.array(fc.record({ op, v: fc.integer({ min: 0, max: 9 }) }), { minLength: 1, maxLength: 2 }), {
          maxLength: 3,
        }),
        (values, groupsSpec) => {
          const state = new HubSpotState(() => T0);
          const contacts = new CrmObjects(state, 'contacts');
          values.forEach((v, i) =>
            state.contacts.insert({ email: `n${i}@paging.example`, ...(v === undefined ? {} : { score_text: v }) }, T0),
          );
          const filterGroups: SearchFilterGroup[] = groupsSpec.map((g) => ({
            filters: g.map(({ op: operator, v }) => ({
              propertyName: 'score_text',
              operator,
              value: String(v),
              ...(operator === 'BETWEEN' ? { highValue: String(v + 3) } : {}),
            })),
          }));
          const typeOf = (name: string) => state.properties.contacts.typeOf(name);
          const answer = contacts.search({ filterGroups, sorts: [], limit: 200, after: 0 });
          const expected = [...state.contacts.active()].filter((r) =>
            matchesGroups(filterGroups, (p) => r.properties[p], typeOf),
          );
          expect(answer.records.map((r) => r.id)).toEqual(expected.map((r) => r.id));
          expect(answer.total).toBe(expected.length);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('answers exactly what a full scan answers (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ t: fc.integer({ min: 0, max: 20 }), archived: fc.boolean() }), { maxLength: 120 }),
        fc.integer({ min: 0, max: 130 }),
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 1, max: 30 }),
        fc.boolean(),
        (rows, afterId, from, limit, ascending) => {
          const state = new HubSpotState(() => T0);
          const contacts = new CrmObjects(state, 'contacts');
          rows.forEach((r, i) => {
            const record = state.contacts.insert({ email: `p${i}@paging.example` }, T0 + r.t * 1000);
            if (r.archived) state.contacts.archive(record.id, T0 + 30_000);
          });
          const firstId = Number([...state.contacts.from(0)][0]?.id ?? 0);
          const filterGroups: SearchFilterGroup[] = [
            {
              filters: [
                { propertyName: 'lastmodifieddate', operator: 'GT', value: String(T0 + from * 1000) },
                { propertyName: 'hs_object_id', operator: 'GT', value: String(firstId + afterId - 1) },
              ],
            },
          ];
          const sorts: SearchSort[] = [
            { propertyName: 'hs_object_id', direction: ascending ? 'ASCENDING' : 'DESCENDING' },
          ];
          const answer = contacts.search({ filterGroups, sorts, limit, after: 0 });
          const typeOf = (name: string) => state.properties.contacts.typeOf(name);
          const expected = [...state.contacts.active()]
            .filter((r) => matchesGroups(filterGroups, (p) => r.properties[p], typeOf))
            .sort((a, b) => (Number(a.id) - Number(b.id)) * (ascending ? 1 : -1));
          expect(answer.total).toBe(expected.length);
          expect(answer.records.map((r) => r.id)).toEqual(expected.slice(0, limit).map((r) => r.id));
        },
      ),
      { numRuns: 80 },
    );
  });
});
