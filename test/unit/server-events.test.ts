import {
  decideEvent,
  deliveryKey,
  scoreMayQualify,
  webhookBodySchema,
  type WebhookEvent,
} from '../../src/server/hubspot-events';

const POLICY = {
  qualification: { score: { property: 'hubspotscore', at_least: 70 }, conditions: [], domain_lists: {} },
};

function ev(over: Partial<WebhookEvent>): WebhookEvent {
  return {
    eventId: '1',
    subscriptionId: '7',
    portalId: '62515',
    occurredAt: 1000,
    subscriptionType: 'contact.propertyChange',
    objectId: '42',
    ...over,
  };
}

describe('decideEvent', () => {
  test.each([
    [
      'score at the threshold',
      ev({ propertyName: 'hubspotscore', propertyValue: '70' }),
      { kind: 'signal', hubspotId: '42', score: 70, at: 1000 },
    ],
    [
      'score above, with a thousands separator',
      ev({ propertyName: 'hubspotscore', propertyValue: '1,200' }),
      { kind: 'signal', hubspotId: '42', score: 1200, at: 1000 },
    ],
    ['score below', ev({ propertyName: 'hubspotscore', propertyValue: '69.9' }), { kind: 'below_threshold' }],
    ['score cleared', ev({ propertyName: 'hubspotscore', propertyValue: '' }), { kind: 'below_threshold' }],
    ['score not a number', ev({ propertyName: 'hubspotscore', propertyValue: 'high' }), { kind: 'below_threshold' }],
    [
      'score change without a value: unknown',
      ev({ propertyName: 'hubspotscore' }),
      { kind: 'signal', hubspotId: '42', score: null, at: 1000 },
    ],
    ['another property', ev({ propertyName: 'firstname', propertyValue: 'Ada' }), { kind: 'ignored' }],
    [
      'contact creation: score to be looked up',
      ev({ subscriptionType: 'contact.creation' }),
      { kind: 'lookup', hubspotId: '42', at: 1000 },
    ],
    ['contact deletion', ev({ subscriptionType: 'contact.deletion' }), { kind: 'ignored' }],
    [
      'a company score property',
      ev({ subscriptionType: 'company.propertyChange', propertyName: 'hubspotscore', propertyValue: '99' }),
      { kind: 'ignored' },
    ],
  ])('%s', (_name, event, expected) => {
    expect(decideEvent(POLICY, event)).toEqual(expected);
  });

  test('the policy names the score property', () => {
    const custom = { qualification: { ...POLICY.qualification, score: { property: 'lead_points', at_least: 10 } } };
    expect(decideEvent(custom, ev({ propertyName: 'lead_points', propertyValue: '12' }))).toMatchObject({
      kind: 'signal',
      score: 12,
    });
    expect(decideEvent(custom, ev({ propertyName: 'hubspotscore', propertyValue: '99' }))).toEqual({ kind: 'ignored' });
  });

  test('only the score is judged: other conditions are the workflow’s', () => {
    const strict = {
      qualification: { ...POLICY.qualification, conditions: [{ property: 'country', in: ['Norway'] }] },
    };
    expect(scoreMayQualify(strict, '80')).toBe(true);
  });
});

describe('webhook bodies', () => {
  test('HubSpot payloads parse, ids as text; the delivery key survives a retry', () => {
    const raw = [
      {
        eventId: 3816279001,
        subscriptionId: 100001,
        portalId: 62515,
        appId: 1,
        occurredAt: 1,
        subscriptionType: 'contact.creation',
        attemptNumber: 0,
        objectId: 1001,
        changeFlag: 'CREATED',
        changeSource: 'CRM_UI',
      },
    ];
    const [first] = webhookBodySchema.parse(raw);
    const [retry] = webhookBodySchema.parse([{ ...raw[0], attemptNumber: 3 }]);
    expect(first).toMatchObject({
      eventId: '3816279001',
      objectId: '1001',
      subscriptionId: '100001',
      changeFlag: 'CREATED',
    });
    expect(deliveryKey(first!)).toBe('hubspot:62515:100001:3816279001:1001');
    expect(deliveryKey(retry!)).toBe(deliveryKey(first!));
  });

  test('an empty array, more than 100 events or events without ids are refused', () => {
    const one = { eventId: 1, occurredAt: 1, subscriptionType: 'contact.creation', objectId: 2 };
    expect(webhookBodySchema.safeParse([]).success).toBe(false);
    expect(webhookBodySchema.safeParse(Array.from({ length: 100 }, () => one)).success).toBe(true);
    expect(webhookBodySchema.safeParse(Array.from({ length: 101 }, () => one)).success).toBe(false);
    expect(webhookBodySchema.safeParse([{ ...one, objectId: undefined }]).success).toBe(false);
    expect(webhookBodySchema.safeParse({ events: [one] }).success).toBe(false);
  });
});
