import { parseObjectMapping, type ObjectMapping } from '../../src/config/mapping-file';
import { conversionFieldsOf, conversionTarget, deletionPlan, followsLeadConversion } from '../../src/mapping/lifecycle';

function mappingOf(extra: string, object = 'Lead'): ObjectMapping {
  const yaml = `hubspot: { object: contacts }
salesforce: { object: ${object} }
match: { hubspot: email, salesforce: Email }
${extra}
fields:
  - { hubspot: email, salesforce: Email, direction: to_salesforce }
`;
  const { mapping, problems } = parseObjectMapping(yaml, 'contact.yaml');
  if (!mapping) throw new Error(problems.map((p) => p.message).join('\n'));
  return mapping;
}

describe('deletions', () => {
  it.each<[string, 'hubspot' | 'salesforce', ReturnType<typeof deletionPlan>]>([
    ['', 'hubspot', { policy: 'ignore', clearLink: false }],
    ['on_delete: ignore', 'salesforce', { policy: 'ignore', clearLink: false }],
    ['on_delete: clear_link', 'hubspot', { policy: 'clear_link', clearLink: true }],
    ['on_delete: archive', 'hubspot', { policy: 'archive', clearLink: true, archiveOn: 'salesforce' }],
    ['on_delete: archive', 'salesforce', { policy: 'archive', clearLink: true, archiveOn: 'hubspot' }],
    ['on_delete: { in_salesforce: archive }', 'hubspot', { policy: 'ignore', clearLink: false }],
    ['on_delete: { in_salesforce: archive }', 'salesforce', { policy: 'archive', clearLink: true, archiveOn: 'hubspot' }],
  ])('%j, deleted in %s', (extra, side, expected) => {
    expect(deletionPlan(mappingOf(extra), side)).toEqual(expected);
  });
});

describe('lead conversion', () => {
  const follow = mappingOf('lead_conversion: follow');

  it('follows a converted Lead to its Contact', () => {
    expect(followsLeadConversion(follow)).toBe(true);
    expect(conversionFieldsOf(follow)).toEqual(['IsConverted', 'ConvertedContactId']);
    expect(conversionTarget(follow, { IsConverted: 'true', ConvertedContactId: '003000000000001AAA' })).toEqual({ object: 'Contact', id: '003000000000001AAA' });
  });

  it.each<[string, Record<string, string | null>]>([
    ['not converted', { IsConverted: 'false', ConvertedContactId: null }],
    ['converted without a Contact id yet', { IsConverted: 'true', ConvertedContactId: '' }],
    ['fields not read', {}],
  ])('stays on the Lead when %s', (_what, lead) => {
    expect(conversionTarget(follow, lead)).toBeNull();
  });

  it('does nothing unless the mapping asks for it', () => {
    const ignore = mappingOf('lead_conversion: ignore');
    expect(conversionFieldsOf(ignore)).toEqual([]);
    expect(conversionTarget(ignore, { IsConverted: 'true', ConvertedContactId: '003000000000001AAA' })).toBeNull();
    expect(conversionTarget(mappingOf(''), { IsConverted: 'true', ConvertedContactId: '003000000000001AAA' })).toBeNull();
  });
});
