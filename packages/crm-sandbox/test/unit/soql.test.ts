import { seedState } from '../../src/salesforce/seed';
import { querySoql, SoqlError } from '../../src/salesforce/soql';
import { SalesforceState } from '../../src/salesforce/state';

const NOW = Date.parse('2026-01-02T15:00:00.000Z');
const TIE = '2026-01-01T00:00:00.000+0000';

/**
 * A small org: two users (one inactive), a queue, five leads (one deleted), a campaign
 * with one member. Leads 1 and 2 share a SystemModstamp, for the delta cursor's tie-break.
 */
function fixture() {
  const state = new SalesforceState();
  seedState(state, 'empty', NOW);
  const ctx = { userId: state.apiUserId, now: NOW };
  const ada = state.insertRaw(
    'User',
    {
      FirstName: 'Ada',
      LastName: 'Okafor',
      Email: 'ada@baton.example',
      Username: 'ada@baton.example',
      Alias: 'aoka',
      IsActive: true,
    },
    ctx,
  );
  const bruno = state.insertRaw(
    'User',
    {
      FirstName: 'Bruno',
      LastName: 'Silva',
      Email: 'bruno@baton.example',
      Username: 'bruno@baton.example',
      Alias: 'bsil',
      IsActive: false,
    },
    ctx,
  );
  const queue = state.insertRaw('Group', { Name: 'Lead Queue', Type: 'Queue', Email: 'queue@baton.example' }, ctx);
  const lead = (values: Record<string, string | number | boolean | null>) => state.insertRaw('Lead', values, ctx);
  const L1 = lead({
    FirstName: 'Alice',
    LastName: 'Smith',
    Company: 'Acme',
    Email: 'alice@acme.example',
    NumberOfEmployees: 100,
    Rating: 'Hot',
    Country: 'Germany',
    OwnerId: ada,
    CreatedDate: '2026-01-01T08:00:00.000+0000',
    SystemModstamp: TIE,
    LastActivityDate: '2026-01-01',
  });
  const L2 = lead({
    FirstName: 'Bob',
    LastName: 'Jones',
    Company: 'Bluefin',
    Email: 'bob@bluefin.example',
    NumberOfEmployees: 50,
    Rating: 'Warm',
    Status: 'Working - Contacted',
    OwnerId: bruno,
    CreatedDate: '2025-12-20T00:00:00.000+0000',
    SystemModstamp: TIE,
  });
  const L3 = lead({
    LastName: "O'Brien",
    Company: 'Cobalt_Co',
    NumberOfEmployees: 5000,
    OwnerId: queue,
    CreatedDate: '2026-01-02T10:00:00.000+0000',
    SystemModstamp: '2026-01-02T12:00:00.000+0000',
  });
  const L4 = lead({
    FirstName: 'dave',
    LastName: 'smith',
    Company: 'acme',
    Email: 'DAVE@ACME.EXAMPLE',
    Rating: 'Cold',
    OwnerId: ada,
    CreatedDate: '2025-06-01T00:00:00.000+0000',
    SystemModstamp: '2025-12-31T00:00:00.000+0000',
  });
  const L5 = lead({
    FirstName: 'Eve',
    LastName: 'Deleted',
    Company: 'Gone',
    IsDeleted: true,
    OwnerId: ada,
    CreatedDate: '2026-01-02T01:00:00.000+0000',
  });
  const campaign = state.insertRaw('Campaign', { Name: 'Webinar' }, ctx);
  state.insertRaw('CampaignMember', { CampaignId: campaign, LeadId: L2 }, ctx);
  return { state, ada, bruno, queue, L1, L2, L3, L4, L5 };
}

const f = fixture();
type LeadKey = 'L1' | 'L2' | 'L3' | 'L4' | 'L5';

function ids(soql: string, includeDeleted = false): LeadKey[] {
  const byId = new Map<unknown, LeadKey>((['L1', 'L2', 'L3', 'L4', 'L5'] as const).map((k) => [f[k], k]));
  return querySoql(f.state, soql, { now: NOW, includeDeleted }).records.map((r) => {
    const key = byId.get(r.Id);
    if (!key) throw new Error(`unexpected record ${String(r.Id)}`);
    return key;
  });
}

describe('SOQL evaluator: WHERE, ORDER BY, LIMIT, OFFSET', () => {
  const cases: [string, string, LeadKey[]][] = [
    ['all live records in creation order', 'SELECT Id FROM Lead', ['L1', 'L2', 'L3', 'L4']],
    [
      'keywords, object and field names are case-insensitive',
      "select id from lead where lastname = 'SMITH'",
      ['L1', 'L4'],
    ],
    ['= on text ignores case', "SELECT Id FROM Lead WHERE Email = 'dave@acme.example'", ['L4']],
    ['= on numbers', 'SELECT Id FROM Lead WHERE NumberOfEmployees = 50', ['L2']],
    ['!= includes blank values', "SELECT Id FROM Lead WHERE Rating != 'Hot'", ['L2', 'L3', 'L4']],
    ['<> is !=', "SELECT Id FROM Lead WHERE Rating <> 'Hot'", ['L2', 'L3', 'L4']],
    ['<', 'SELECT Id FROM Lead WHERE NumberOfEmployees < 100', ['L2']],
    ['<=', 'SELECT Id FROM Lead WHERE NumberOfEmployees <= 100', ['L1', 'L2']],
    ['>', 'SELECT Id FROM Lead WHERE NumberOfEmployees > 100', ['L3']],
    ['>=', 'SELECT Id FROM Lead WHERE NumberOfEmployees >= 100', ['L1', 'L3']],
    ['> on decimals', 'SELECT Id FROM Lead WHERE NumberOfEmployees > 99.5', ['L1', 'L3']],
    ['< on text ignores case', "SELECT Id FROM Lead WHERE LastName < 'k'", ['L2']],
    ['IN ignores case', "SELECT Id FROM Lead WHERE Email IN ('alice@acme.example', 'dave@acme.example')", ['L1', 'L4']],
    [
      'NOT IN includes blank values',
      "SELECT Id FROM Lead WHERE Email NOT IN ('alice@acme.example', 'dave@acme.example')",
      ['L2', 'L3'],
    ],
    ['IN with null', "SELECT Id FROM Lead WHERE Email IN (null, 'bob@bluefin.example')", ['L2', 'L3']],
    ['IN on numbers', 'SELECT Id FROM Lead WHERE NumberOfEmployees IN (50, 5000)', ['L2', 'L3']],
    ['LIKE with %', "SELECT Id FROM Lead WHERE Company LIKE 'acm%'", ['L1', 'L4']],
    ['LIKE with _', "SELECT Id FROM Lead WHERE LastName LIKE '_mith'", ['L1', 'L4']],
    ['LIKE with an escaped _', "SELECT Id FROM Lead WHERE Company LIKE 'Cobalt\\_%'", ['L3']],
    ['LIKE without wildcards is equality', "SELECT Id FROM Lead WHERE Company LIKE 'ACME'", ['L1', 'L4']],
    ['NOT … LIKE', "SELECT Id FROM Lead WHERE NOT Company LIKE 'acme'", ['L2', 'L3']],
    ['= null', 'SELECT Id FROM Lead WHERE Email = null', ['L3']],
    ['!= NULL', 'SELECT Id FROM Lead WHERE Email != NULL', ['L1', 'L2', 'L4']],
    ['boolean false', 'SELECT Id FROM Lead WHERE IsConverted = false', ['L1', 'L2', 'L3', 'L4']],
    ['boolean TRUE', 'SELECT Id FROM Lead WHERE IsConverted = TRUE', []],
    ['AND', "SELECT Id FROM Lead WHERE Company = 'acme' AND FirstName = 'dave'", ['L4']],
    ['OR', "SELECT Id FROM Lead WHERE Rating = 'Hot' OR Rating = 'Warm'", ['L1', 'L2']],
    ['parentheses', "SELECT Id FROM Lead WHERE (Rating = 'Hot' OR Rating = 'Warm') AND NumberOfEmployees > 60", ['L1']],
    ['NOT (…)', "SELECT Id FROM Lead WHERE NOT (Rating = 'Hot' OR Rating = 'Warm')", ['L3', 'L4']],
    [
      'NOT inside a conjunction',
      "SELECT Id FROM Lead WHERE LastName LIKE '%' AND NOT (Rating = 'Hot') AND Email != null",
      ['L2', 'L4'],
    ],
    ['nested parentheses', "SELECT Id FROM Lead WHERE ((Rating = 'Cold'))", ['L4']],
    ['escaped quote in a string', "SELECT Id FROM Lead WHERE LastName = 'O\\'Brien'", ['L3']],
    ['datetime literal in UTC', 'SELECT Id FROM Lead WHERE SystemModstamp > 2026-01-01T00:00:00.000Z', ['L3']],
    [
      'datetime literal with an offset',
      'SELECT Id FROM Lead WHERE SystemModstamp = 2026-01-01T01:00:00+01:00',
      ['L1', 'L2'],
    ],
    [
      'datetime literal without milliseconds',
      'SELECT Id FROM Lead WHERE SystemModstamp >= 2026-01-01T00:00:00Z',
      ['L1', 'L2', 'L3'],
    ],
    ['date literal on a date field', 'SELECT Id FROM Lead WHERE LastActivityDate = 2026-01-01', ['L1']],
    ['YESTERDAY on a date field', 'SELECT Id FROM Lead WHERE LastActivityDate = YESTERDAY', ['L1']],
    ['< TODAY on a date field', 'SELECT Id FROM Lead WHERE LastActivityDate < TODAY', ['L1']],
    ['TODAY on a datetime field', 'SELECT Id FROM Lead WHERE CreatedDate = TODAY', ['L3']],
    ['YESTERDAY on a datetime field', 'SELECT Id FROM Lead WHERE CreatedDate = YESTERDAY', ['L1']],
    ['LAST_N_DAYS:n includes today', 'SELECT Id FROM Lead WHERE CreatedDate = LAST_N_DAYS:1', ['L1', 'L3']],
    ['LAST_N_DAYS:30', 'SELECT Id FROM Lead WHERE CreatedDate = LAST_N_DAYS:30', ['L1', 'L2', 'L3']],
    ['< LAST_N_DAYS:30 is before the range', 'SELECT Id FROM Lead WHERE CreatedDate < LAST_N_DAYS:30', ['L4']],
    ['> YESTERDAY is after the range', 'SELECT Id FROM Lead WHERE CreatedDate > YESTERDAY', ['L3']],
    ['LAST_MONTH', 'SELECT Id FROM Lead WHERE CreatedDate = LAST_MONTH', ['L2']],
    ['THIS_YEAR', 'SELECT Id FROM Lead WHERE CreatedDate = THIS_YEAR', ['L1', 'L3']],
    ['LAST_YEAR', 'SELECT Id FROM Lead WHERE CreatedDate = LAST_YEAR', ['L2', 'L4']],
    ['N_DAYS_AGO:1', 'SELECT Id FROM Lead WHERE CreatedDate = N_DAYS_AGO:1', ['L1']],
    [
      'the delta cursor: (SystemModstamp, Id) after a tie',
      `SELECT Id FROM Lead WHERE (SystemModstamp > 2026-01-01T00:00:00.000Z OR (SystemModstamp = 2026-01-01T00:00:00.000Z AND Id > '${f.L1}')) ORDER BY SystemModstamp, Id`,
      ['L2', 'L3'],
    ],
    [
      'the delta cursor from the start',
      "SELECT Id FROM Lead WHERE (SystemModstamp > 2025-01-01T00:00:00.000Z OR (SystemModstamp = 2025-01-01T00:00:00.000Z AND Id > '000000000000000')) ORDER BY SystemModstamp, Id",
      ['L4', 'L1', 'L2', 'L3'],
    ],
    ['Id with a 15-character literal', `SELECT Id FROM Lead WHERE Id = '${f.L3.slice(0, 15)}'`, ['L3']],
    ['Id IN', `SELECT Id FROM Lead WHERE Id IN ('${f.L2}', '${f.L4}')`, ['L2', 'L4']],
    ['lookup field', `SELECT Id FROM Lead WHERE OwnerId = '${f.ada}'`, ['L1', 'L4']],
    ['parent field in WHERE', "SELECT Id FROM Lead WHERE Owner.Email = 'ada@baton.example'", ['L1', 'L4']],
    ['parent field of a queue owner', "SELECT Id FROM Lead WHERE Owner.Type = 'Queue'", ['L3']],
    ['semi-join', 'SELECT Id FROM Lead WHERE Id IN (SELECT LeadId FROM CampaignMember)', ['L2']],
    ['anti-join', 'SELECT Id FROM Lead WHERE Id NOT IN (SELECT LeadId FROM CampaignMember)', ['L1', 'L3', 'L4']],
    [
      'ORDER BY ascending, text ignores case and ties keep creation order',
      'SELECT Id FROM Lead ORDER BY LastName',
      ['L2', 'L3', 'L1', 'L4'],
    ],
    [
      'ORDER BY DESC puts nulls first by default',
      'SELECT Id FROM Lead ORDER BY NumberOfEmployees DESC',
      ['L4', 'L3', 'L1', 'L2'],
    ],
    [
      'ORDER BY DESC NULLS LAST',
      'SELECT Id FROM Lead ORDER BY NumberOfEmployees DESC NULLS LAST',
      ['L3', 'L1', 'L2', 'L4'],
    ],
    ['ORDER BY ASC NULLS LAST', 'SELECT Id FROM Lead ORDER BY Email ASC NULLS LAST', ['L1', 'L2', 'L4', 'L3']],
    [
      'ORDER BY two fields',
      'SELECT Id FROM Lead ORDER BY Rating ASC NULLS LAST, LastName DESC',
      ['L4', 'L1', 'L2', 'L3'],
    ],
    ['ORDER BY a parent field', 'SELECT Id FROM Lead ORDER BY Owner.Email DESC, Id', ['L3', 'L2', 'L1', 'L4']],
    ['LIMIT', 'SELECT Id FROM Lead ORDER BY LastName LIMIT 2', ['L2', 'L3']],
    ['LIMIT and OFFSET', 'SELECT Id FROM Lead ORDER BY LastName LIMIT 2 OFFSET 1', ['L3', 'L1']],
    ['OFFSET past the end', 'SELECT Id FROM Lead OFFSET 10', []],
    ['alias', "SELECT l.Id FROM Lead l WHERE l.LastName = 'Jones' ORDER BY l.Id", ['L2']],
    ['query hides deleted records', 'SELECT Id FROM Lead WHERE IsDeleted = true', []],
  ];

  test.each(cases)('%s', (_name, soql, expected) => {
    expect(ids(soql)).toEqual(expected);
  });

  test('queryAll sees deleted records', () => {
    expect(ids('SELECT Id FROM Lead WHERE IsDeleted = true', true)).toEqual(['L5']);
    expect(ids('SELECT Id FROM Lead', true)).toEqual(['L1', 'L2', 'L3', 'L4', 'L5']);
  });
});

describe('SOQL evaluator: SELECT list', () => {
  const run = (soql: string) => querySoql(f.state, soql, { now: NOW });

  test('fields come back with canonical names, in the order selected, after attributes', () => {
    const { records } = run(`select lastname, ID, email from LEAD where id = '${f.L3}'`);
    expect(records).toEqual([
      {
        attributes: { type: 'Lead', url: `/services/data/v62.0/sobjects/Lead/${f.L3}` },
        LastName: "O'Brien",
        Id: f.L3,
        Email: null,
      },
    ]);
    expect(Object.keys(records[0] ?? {})).toEqual(['attributes', 'LastName', 'Id', 'Email']);
  });

  test('datetimes print in the API format', () => {
    expect(run(`SELECT SystemModstamp FROM Lead WHERE Id = '${f.L1}'`).records[0]?.SystemModstamp).toBe(
      '2026-01-01T00:00:00.000+0000',
    );
  });

  test('parent fields nest under the relationship; a polymorphic lookup is typed Name', () => {
    const { records } = run(
      `SELECT Id, Owner.Email, Owner.Name FROM Lead WHERE Id IN ('${f.L1}', '${f.L3}') ORDER BY Id`,
    );
    expect(records[0]?.Owner).toEqual({
      attributes: { type: 'Name', url: `/services/data/v62.0/sobjects/User/${f.ada}` },
      Email: 'ada@baton.example',
      Name: 'Ada Okafor',
    });
    expect(records[1]?.Owner).toEqual({
      attributes: { type: 'Name', url: `/services/data/v62.0/sobjects/Group/${f.queue}` },
      Email: 'queue@baton.example',
      Name: 'Lead Queue',
    });
  });

  test('a blank lookup renders the relationship as null', () => {
    const { records } = run(`SELECT ConvertedAccount.Name FROM Lead WHERE Id = '${f.L1}'`);
    expect(records[0]?.ConvertedAccount).toBeNull();
  });

  test('a monomorphic lookup is typed by its object', () => {
    const { records } = run(`SELECT CreatedBy.Username FROM Lead WHERE Id = '${f.L1}'`);
    expect(records[0]?.CreatedBy).toEqual({
      attributes: { type: 'User', url: `/services/data/v62.0/sobjects/User/${f.state.apiUserId}` },
      Username: 'baton.integration@baton-demo.example',
    });
  });

  test('COUNT() answers totalSize and no records', () => {
    expect(run('SELECT COUNT() FROM Lead')).toEqual({ totalSize: 4, records: [] });
    expect(run("select count() from Lead where Rating = 'Hot'")).toEqual({ totalSize: 1, records: [] });
    expect(run('SELECT COUNT() FROM Lead LIMIT 2')).toEqual({ totalSize: 2, records: [] });
  });

  test('aggregate functions without GROUP BY answer one AggregateResult', () => {
    expect(run('SELECT COUNT(Id), MAX(NumberOfEmployees) biggest, MIN(CreatedDate) FROM Lead').records).toEqual([
      { attributes: { type: 'AggregateResult' }, expr0: 4, biggest: 5000, expr1: '2025-06-01T00:00:00.000+0000' },
    ]);
  });

  test('FIELDS(STANDARD) selects every field', () => {
    const record = run(`SELECT FIELDS(STANDARD) FROM Lead WHERE Id = '${f.L1}'`).records[0] ?? {};
    expect(record).toMatchObject({
      Id: f.L1,
      LastName: 'Smith',
      Company: 'Acme',
      Status: 'Open - Not Contacted',
      IsDeleted: false,
    });
    expect(Object.keys(record)).toContain('SystemModstamp');
  });
});

describe('SOQL evaluator: errors', () => {
  const cases: [string, string, string, RegExp | null][] = [
    ['no field list', 'SELECT FROM Lead', 'MALFORMED_QUERY', /unexpected token: FROM/],
    ['no object', 'SELECT Id FROM', 'MALFORMED_QUERY', null],
    ['not SOQL', 'garbage', 'MALFORMED_QUERY', null],
    ['empty WHERE', 'SELECT Id FROM Lead WHERE', 'MALFORMED_QUERY', null],
    ['unterminated string', "SELECT Id FROM Lead WHERE LastName = 'x", 'MALFORMED_QUERY', null],
    ['unbalanced parenthesis', "SELECT Id FROM Lead WHERE (LastName = 'x'", 'MALFORMED_QUERY', null],
    [
      'AND and OR mixed without parentheses',
      "SELECT Id FROM Lead WHERE Rating = 'a' AND Rating = 'b' OR Rating = 'c'",
      'MALFORMED_QUERY',
      /unexpected token: OR/,
    ],
    [
      'unknown escape in a string',
      "SELECT Id FROM Lead WHERE LastName = 'a\\q'",
      'MALFORMED_QUERY',
      /Illegal character sequence/,
    ],
    ['COUNT() with other fields', 'SELECT Id, COUNT() FROM Lead', 'MALFORMED_QUERY', null],
    ['a field selected twice', 'SELECT Id, id FROM Lead', 'MALFORMED_QUERY', /duplicate field selected: Id/],
    [
      'aggregate and plain fields without GROUP BY',
      'SELECT Id, COUNT(Id) FROM Lead',
      'MALFORMED_QUERY',
      /grouped or aggregated/,
    ],
    ['GROUP BY (not supported yet)', 'SELECT Rating FROM Lead GROUP BY Rating', 'MALFORMED_QUERY', null],
    [
      'unknown field in SELECT',
      'SELECT Foo FROM Lead',
      'INVALID_FIELD',
      /^\nSELECT Foo FROM Lead\n {7}\^\nERROR at Row:1:Column:8\nNo such column 'Foo' on entity 'Lead'\. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name\./,
    ],
    [
      'unknown field in WHERE',
      'SELECT Id FROM Lead WHERE Foo__c = 1',
      'INVALID_FIELD',
      /No such column 'Foo__c' on entity 'Lead'/,
    ],
    [
      'unknown field in ORDER BY',
      'SELECT Id FROM Lead ORDER BY Bar',
      'INVALID_FIELD',
      /No such column 'Bar' on entity 'Lead'/,
    ],
    [
      'unknown relationship',
      'SELECT Bogus.Email FROM Lead',
      'INVALID_FIELD',
      /Didn't understand relationship 'Bogus' in field path/,
    ],
    [
      'unknown field of a parent',
      'SELECT Owner.Foo FROM Lead',
      'INVALID_FIELD',
      /No such column 'Foo' on entity 'Name'/,
    ],
    ['unknown object', 'SELECT Id FROM Foo', 'INVALID_TYPE', /sObject type 'Foo' is not supported\./],
    [
      'quoted number',
      "SELECT Id FROM Lead WHERE NumberOfEmployees = '5'",
      'INVALID_FIELD',
      /value of filter criterion for field 'NumberOfEmployees' must be of type integer and should not be enclosed in quotes/,
    ],
    [
      'unquoted string',
      'SELECT Id FROM Lead WHERE Email = 5',
      'INVALID_FIELD',
      /must be of type string and should be enclosed in quotes/,
    ],
    [
      'quoted datetime',
      "SELECT Id FROM Lead WHERE CreatedDate > '2026-01-01T00:00:00Z'",
      'INVALID_FIELD',
      /must be of type dateTime and should not be enclosed in quotes/,
    ],
    [
      'date for a datetime field',
      'SELECT Id FROM Lead WHERE CreatedDate > 2026-01-01',
      'INVALID_FIELD',
      /must be of type dateTime/,
    ],
    ['invalid id', "SELECT Id FROM Lead WHERE Id = 'abc'", 'INVALID_QUERY_FILTER_OPERATOR', /invalid ID field: abc/],
    ['LIKE on a number', "SELECT Id FROM Lead WHERE NumberOfEmployees LIKE '5'", 'INVALID_FIELD', null],
    [
      'filtering a long text area',
      "SELECT Id FROM Lead WHERE Description = 'x'",
      'INVALID_FIELD',
      /can not be filtered/,
    ],
    [
      'OFFSET above 2,000',
      'SELECT Id FROM Lead OFFSET 2001',
      'NUMBER_OUTSIDE_VALID_RANGE',
      /Maximum SOQL offset allowed is 2000/,
    ],
    ['FIELDS(ALL) without LIMIT', 'SELECT FIELDS(ALL) FROM Lead', 'MALFORMED_QUERY', null],
  ];

  test.each(cases)('%s', (_name, soql, errorCode, message) => {
    let thrown: unknown;
    try {
      querySoql(f.state, soql, { now: NOW });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(SoqlError);
    const err = thrown as SoqlError;
    expect(err.errorCode).toBe(errorCode);
    if (message) expect(err.message).toMatch(message);
  });
});
