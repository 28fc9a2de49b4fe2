import { batchSizeFromHeader } from '../../src/salesforce/cursors';
import { idSuffix, makeId, toId18 } from '../../src/salesforce/ids';
import { seedState } from '../../src/salesforce/seed';
import { dateLiteralRange, likeMatcher, unquote } from '../../src/salesforce/soql/literals';
import { SalesforceState, type WriteContext } from '../../src/salesforce/state';
import { formatDateTime, parseDateTime } from '../../src/salesforce/values';

describe('ids', () => {
  test.each([
    ['001A0000006Vm9r', '001A0000006Vm9rIAC'],
    ['00QDn000015ftgX', '00QDn000015ftgXMAQ'],
  ])('%s → %s', (id15, id18) => {
    expect(id15 + idSuffix(id15)).toBe(id18);
    expect(toId18(id15)).toBe(id18);
    expect(toId18(id18)).toBe(id18);
  });

  test('an upper-cased 18-character id is repaired from its suffix', () => {
    expect(toId18('001A0000006VM9RIAC')).toBe('001A0000006Vm9rIAC');
  });

  test('not ids', () => {
    expect(toId18('abc')).toBeUndefined();
    expect(toId18('001A0000006Vm9r!')).toBeUndefined();
  });

  test('generated ids sort in creation order as plain strings', () => {
    const ids = [1, 61, 62, 63, 3843, 3844, 1_000_000_001].map((n) => makeId('00Q', n));
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) expect(id).toMatch(/^00Q[A-Za-z0-9]{15}$/);
  });
});

describe('values', () => {
  test.each([
    ['2026-01-02T03:04:05.678Z', '2026-01-02T03:04:05.678+0000'],
    ['2026-01-02T03:04:05Z', '2026-01-02T03:04:05.000+0000'],
    ['2026-01-02T05:04:05.000+02:00', '2026-01-02T03:04:05.000+0000'],
    ['2026-01-01T22:04:05.000-0500', '2026-01-02T03:04:05.000+0000'],
    ['2026-01-02', '2026-01-02T00:00:00.000+0000'],
  ])('datetime %s', (text, expected) => {
    const ms = parseDateTime(text);
    expect(ms).toBeDefined();
    expect(formatDateTime(ms ?? 0)).toBe(expected);
  });

  test.each(['2026-13-01', '2026-02-30T00:00:00Z', 'yesterday', ''])('not a datetime: %s', (text) => {
    expect(parseDateTime(text)).toBeUndefined();
  });
});

describe('SOQL literals', () => {
  const NOW = Date.parse('2026-01-14T15:30:00.000Z'); // a Wednesday
  const range = (literal: string) => {
    const r = dateLiteralRange(literal, NOW);
    return r && [new Date(r.start).toISOString().slice(0, 10), new Date(r.end).toISOString().slice(0, 10)];
  };

  test.each([
    ['TODAY', ['2026-01-14', '2026-01-15']],
    ['YESTERDAY', ['2026-01-13', '2026-01-14']],
    ['TOMORROW', ['2026-01-15', '2026-01-16']],
    ['THIS_WEEK', ['2026-01-11', '2026-01-18']],
    ['LAST_WEEK', ['2026-01-04', '2026-01-11']],
    ['THIS_MONTH', ['2026-01-01', '2026-02-01']],
    ['LAST_MONTH', ['2025-12-01', '2026-01-01']],
    ['NEXT_MONTH', ['2026-02-01', '2026-03-01']],
    ['THIS_QUARTER', ['2026-01-01', '2026-04-01']],
    ['LAST_QUARTER', ['2025-10-01', '2026-01-01']],
    ['THIS_YEAR', ['2026-01-01', '2027-01-01']],
    ['THIS_FISCAL_YEAR', ['2026-01-01', '2027-01-01']],
    ['LAST_90_DAYS', ['2025-10-16', '2026-01-15']],
    ['NEXT_90_DAYS', ['2026-01-15', '2026-04-15']],
    ['LAST_N_DAYS:7', ['2026-01-07', '2026-01-15']],
    ['NEXT_N_DAYS:2', ['2026-01-15', '2026-01-17']],
    ['N_DAYS_AGO:3', ['2026-01-11', '2026-01-12']],
    ['LAST_N_MONTHS:2', ['2025-11-01', '2026-01-01']],
    ['NEXT_N_WEEKS:1', ['2026-01-18', '2026-01-25']],
    ['N_YEARS_AGO:1', ['2025-01-01', '2026-01-01']],
  ])('%s', (literal, expected) => {
    expect(range(literal)).toEqual(expected);
  });

  test('unknown literal', () => {
    expect(dateLiteralRange('SOMEDAY', NOW)).toBeUndefined();
  });

  test.each([
    ["'plain'", false, 'plain'],
    ["'it\\'s'", false, "it's"],
    ["'tab\\tand\\nline'", false, 'tab\tand\nline'],
    ["'back\\\\slash'", false, 'back\\slash'],
    ["'under\\_score'", false, 'under_score'],
    ["'under\\_score'", true, 'under\\_score'],
  ])('unquote %s (LIKE: %s)', (raw, forLike, expected) => {
    expect(unquote(raw, forLike)).toBe(expected);
  });

  test.each([
    ['a%', 'abc', true],
    ['a%', 'bac', false],
    ['%b%', 'abc', true],
    ['a_c', 'ABC', true],
    ['a_c', 'abbc', false],
    ['100\\%', '100%', true],
    ['100\\%', '1000', false],
    ['a.c', 'abc', false],
  ])('LIKE %s on %s', (pattern, value, expected) => {
    expect(likeMatcher(pattern).test(value)).toBe(expected);
  });
});

describe('save rules', () => {
  const NOW = Date.parse('2026-02-01T00:00:00.000Z');
  function org() {
    const state = new SalesforceState();
    seedState(state, 'empty', NOW);
    const ctx: WriteContext = { userId: state.apiUserId, now: NOW };
    const create = (type: string, body: Record<string, unknown>) => state.create(state.deserialize(type, body), ctx);
    return { state, ctx, create };
  }

  test('STRING_TOO_LONG names the field by its label', () => {
    const { create } = org();
    const result = create('Lead', { LastName: 'x'.repeat(81), Company: 'C' });
    expect(result).toMatchObject({ success: false, errors: [{ statusCode: 'STRING_TOO_LONG', fields: ['LastName'] }] });
    expect(result.errors[0]?.message).toMatch(/^Last Name: data value too large: x+ \(max length=80\)$/);
  });

  test('read-only fields are INVALID_FIELD_FOR_INSERT_UPDATE', () => {
    const { create } = org();
    expect(
      create('Lead', { LastName: 'x', Company: 'C', Name: 'Full', CreatedDate: '2020-01-01T00:00:00Z' }),
    ).toMatchObject({
      success: false,
      errors: [{ statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', fields: ['Name', 'CreatedDate'] }],
    });
  });

  test('a value of the wrong JSON type fails the request with JSON_PARSER_ERROR', () => {
    const { state } = org();
    expect(() => state.deserialize('Lead', { NumberOfEmployees: 'many' })).toThrow(
      /Cannot deserialize instance of int/,
    );
    expect(() => state.deserialize('Lead', { IsUnreadByOwner: 'maybe' })).toThrow(/JSON_PARSER_ERROR/);
  });

  test('numbers and booleans sent as strings are accepted, empty text is stored as null', () => {
    const { state, create } = org();
    const result = create('Lead', {
      LastName: 'x',
      Company: 'C',
      NumberOfEmployees: '12',
      HasOptedOutOfEmail: 'true',
      Title: '',
    });
    expect(result.success).toBe(true);
    const record = state.get('Lead', result.id ?? '');
    expect(record).toMatchObject({ NumberOfEmployees: 12, HasOptedOutOfEmail: true });
    expect(record?.Title).toBeUndefined();
  });

  test('a restricted picklist rejects other values', () => {
    const { state, create } = org();
    state.defineField('Lead', 'Tier__c', 'picklist', { picklist: ['Gold', 'Silver'], restrictedPicklist: true });
    expect(create('Lead', { LastName: 'x', Company: 'C', Tier__c: 'Gold' }).success).toBe(true);
    expect(create('Lead', { LastName: 'x', Company: 'C', Tier__c: 'Bronze' })).toMatchObject({
      success: false,
      errors: [
        {
          statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
          message: 'bad value for restricted picklist field: Bronze',
        },
      ],
    });
  });

  test('derived fields follow their sources', () => {
    const { state, ctx, create } = org();
    const lead = create('Lead', { FirstName: 'Ada', LastName: 'Lovelace', Company: 'C' });
    expect(state.get('Lead', lead.id ?? '')?.Name).toBe('Ada Lovelace');
    state.update(state.deserialize('Lead', { FirstName: null }), lead.id ?? '', ctx);
    expect(state.get('Lead', lead.id ?? '')?.Name).toBe('Lovelace');
    const task = create('Task', { Subject: 'Call', Status: 'Completed', WhoId: lead.id });
    expect(state.get('Task', task.id ?? '')).toMatchObject({
      IsClosed: true,
      WhoId: lead.id,
      OwnerId: state.apiUserId,
    });
  });

  test('a rolled-back transaction leaves no trace, indexes included', () => {
    const { state, ctx, create } = org();
    state.defineField('Lead', 'Ext__c', 'string', { externalId: true, unique: true });
    const kept = create('Lead', { LastName: 'Kept', Company: 'C', Ext__c: 'k' });
    state.transaction((rollback) => {
      create('Lead', { LastName: 'Gone', Company: 'C', Ext__c: 'g' });
      state.update(state.deserialize('Lead', { LastName: 'Changed' }), kept.id ?? '', ctx);
      rollback();
    });
    expect(state.get('Lead', kept.id ?? '')?.LastName).toBe('Kept');
    expect(state.findByIndexedField('Lead', 'Ext__c', 'g')).toEqual([]);
    expect(state.findByIndexedField('Lead', 'Ext__c', 'K').map((r) => r.Id)).toEqual([kept.id]);
    expect([...state.scan('Lead')].map((r) => r.LastName)).toEqual(['Kept']);
  });

  test('a unique field rejects duplicates', () => {
    const { create } = org();
    expect(create('User', { LastName: 'A', Email: 'a@x.example', Username: 'dup@x.example', Alias: 'a' }).success).toBe(
      true,
    );
    expect(
      create('User', { LastName: 'B', Email: 'b@x.example', Username: 'DUP@x.example', Alias: 'b' }),
    ).toMatchObject({
      success: false,
      errors: [{ statusCode: 'DUPLICATE_VALUE', fields: ['Username'] }],
    });
  });
});

describe('query batch size', () => {
  test.each([
    [undefined, 2000],
    ['batchSize=500', 500],
    ['batchSize=50', 200],
    ['batchSize=5000', 2000],
    ['something else', 2000],
  ])('%s → %s', (header, expected) => {
    expect(batchSizeFromHeader(header)).toBe(expected);
  });
});
