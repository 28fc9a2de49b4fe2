import { pairBatchCreate, type BatchAnswer } from '../../src/crm/hubspot/batch-results';
import { pairedInOrder, type SaveResult } from '../../src/crm/salesforce/records';

const emailOf = (p: Record<string, string | null>) => p.email ?? null;
const ok = (id: string) => ({ ok: true, id });
const noResult = { ok: false, code: 'NO_RESULT', reason: 'HubSpot returned no result for this record' };

describe('pairBatchCreate: HubSpot batch create results paired by identity', () => {
  const keys = ['a@x.example', 'b@x.example', 'c@x.example'];
  test.each<[string, BatchAnswer, unknown[]]>([
    [
      'results in reverse order, by trace id',
      {
        results: [
          { id: '3', objectWriteTraceId: '2' },
          { id: '2', objectWriteTraceId: '1' },
          { id: '1', objectWriteTraceId: '0' },
        ],
      },
      [ok('1'), ok('2'), ok('3')],
    ],
    [
      'a 207: one result missing, its error names the trace id',
      {
        results: [
          { id: '9', objectWriteTraceId: '2' },
          { id: '7', objectWriteTraceId: '0' },
        ],
        errors: [{ category: 'INTERNAL_ERROR', message: 'temporary', context: { objectWriteTraceId: ['1'] } }],
      },
      [ok('7'), { ok: false, code: 'INTERNAL_ERROR', reason: 'temporary' }, ok('9')],
    ],
    [
      'no trace ids echoed: paired by the match key in the result',
      {
        results: [
          { id: '5', properties: { email: 'c@x.example' } },
          { id: '4', properties: { email: 'a@x.example' } },
        ],
      },
      [ok('4'), noResult, ok('5')],
    ],
    [
      'a trace id out of range or foreign is never applied to another input',
      {
        results: [
          { id: '6', objectWriteTraceId: '17' },
          { id: '8', objectWriteTraceId: 'x' },
        ],
      },
      [noResult, noResult, noResult],
    ],
    [
      'two results claiming one input: neither is trusted',
      {
        results: [
          { id: '1', objectWriteTraceId: '0' },
          { id: '2', objectWriteTraceId: '0' },
          { id: '3', objectWriteTraceId: '2' },
        ],
      },
      [
        { ok: false, code: 'AMBIGUOUS_RESULT', reason: 'HubSpot answered with two records for this input' },
        noResult,
        ok('3'),
      ],
    ],
  ])('%s', (_name, answer, expected) => {
    expect(pairBatchCreate(keys, answer, emailOf)).toEqual(expected);
  });

  test('an error naming its input only by email keeps HubSpot’s message for that input', () => {
    const answer: BatchAnswer = {
      results: [{ id: '4', objectWriteTraceId: '0' }],
      errors: [
        {
          category: 'VALIDATION_ERROR',
          message: 'Property values were not valid',
          context: { email: ['C@x.example'] },
        },
      ],
    };
    expect(pairBatchCreate(keys, answer, (p) => p.email?.toLowerCase() ?? null)).toEqual([
      ok('4'),
      noResult,
      { ok: false, code: 'VALIDATION_ERROR', reason: 'Property values were not valid' },
    ]);
  });

  test('two inputs with one match key: a result without a trace id pairs with neither', () => {
    expect(
      pairBatchCreate(
        ['a@x.example', 'a@x.example'],
        { results: [{ id: '1', properties: { email: 'a@x.example' } }] },
        emailOf,
      ),
    ).toEqual([noResult, noResult]);
  });
});

describe('pairedInOrder: Salesforce Collections keep request order, checked', () => {
  const saved = (id: string | null, success = true): SaveResult => ({ id, success, errors: [] });
  test('as many results as records, each naming the record sent there', () => {
    const results = [saved('00Q000000000001AAA'), saved(null, false)];
    expect(pairedInOrder('update', [{ Id: '00Q000000000001' }, { Id: '00Q000000000002' }], results)).toBe(results);
  });
  test('a short answer is an error, not a guess', () => {
    expect(() => pairedInOrder('create', [{}, {}], [saved('00Q1')])).toThrow(
      'Salesforce answered a Collections create of 2 records with 1 results',
    );
  });
  test('a result naming another record is an error', () => {
    expect(() =>
      pairedInOrder(
        'update',
        [{ Id: '00Q000000000001' }, { Id: '00Q000000000002' }],
        [saved('00Q000000000002'), saved('00Q000000000001')],
      ),
    ).toThrow('out of order: result 1 is 00Q000000000002, the record sent there 00Q000000000001');
  });
});
