import { parseObjectMapping, type ObjectMapping } from '../../src/config/mapping-file';
import { namesOn } from '../../src/config/mapping-file';
import {
  contactMappingOf,
  conversionFieldsOf,
  conversionTarget,
  deletionPlan,
  followsLeadConversion,
  leadValuesAsContact,
} from '../../src/mapping/lifecycle';

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
    [
      'on_delete: { in_salesforce: archive }',
      'salesforce',
      { policy: 'archive', clearLink: true, archiveOn: 'hubspot' },
    ],
  ])('%j, deleted in %s', (extra, side, expected) => {
    expect(deletionPlan(mappingOf(extra), side)).toEqual(expected);
  });
});

describe('lead conversion', () => {
  const follow = mappingOf('lead_conversion: follow');

  it('follows a converted Lead to its Contact', () => {
    expect(followsLeadConversion(follow)).toBe(true);
    expect(conversionFieldsOf(follow)).toEqual(['IsConverted', 'ConvertedContactId']);
    expect(conversionTarget(follow, { IsConverted: 'true', ConvertedContactId: '003000000000001AAA' })).toEqual({
      object: 'Contact',
      id: '003000000000001AAA',
    });
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
    expect(
      conversionTarget(mappingOf(''), { IsConverted: 'true', ConvertedContactId: '003000000000001AAA' }),
    ).toBeNull();
  });
});

describe("the mapping as it applies to a converted Lead's Contact", () => {
  const CONTACT_FIELDS = [
    'Id',
    'Email',
    'FirstName',
    'LastName',
    'Title',
    'MailingStreet',
    'MailingCity',
    'LeadSource',
    'SystemModstamp',
  ];
  const lead = (() => {
    const yaml = `hubspot: { object: contacts }
salesforce: { object: Lead }
match: { hubspot: email, salesforce: Email }
lead_conversion: follow
on_delete: archive
fields:
  - { hubspot: email, salesforce: Email, direction: to_salesforce }
  - { hubspot: full_name, salesforce: [FirstName, LastName], direction: to_salesforce }
  - { hubspot: company, salesforce: Company, direction: both, conflict: salesforce_wins }
  - { hubspot: city, salesforce: city, direction: both, conflict: last_write_wins }
  - { hubspot: address, salesforce: [Street, PostalCode], direction: to_salesforce }
  - { salesforce: LeadSource, constant: Web }
  - { hubspot: synced, constant: "true" }
`;
    const { mapping, problems } = parseObjectMapping(yaml, 'contact.yaml');
    if (!mapping) throw new Error(problems.map((p) => p.message).join('\n'));
    return mapping;
  })();

  it('maps Contacts, renames fields as conversion does, and drops the ones a Contact does not have', () => {
    const contact = contactMappingOf(lead, CONTACT_FIELDS);
    expect(contact.salesforce.object).toBe('Contact');
    expect(contact.lead_conversion).toBeUndefined();
    expect(contact.on_delete).toEqual(lead.on_delete);
    expect(followsLeadConversion(contact)).toBe(false);
    expect(contact.fields.map((f) => namesOn(f, 'salesforce'))).toEqual([
      ['Email'],
      ['FirstName', 'LastName'],
      ['MailingCity'],
      ['LeadSource'],
      [],
    ]);
    // Company has no Contact field; Street + PostalCode is dropped whole, since MailingPostalCode is missing here.
    expect(contact.fields.map((f) => f.hubspot)).toEqual(['email', 'full_name', 'city', '', 'synced']);
    // The Lead mapping itself is left as it was.
    expect(namesOn(lead.fields[3] as (typeof lead.fields)[number], 'salesforce')).toEqual(['city']);
  });

  it('refuses a match field the Contact lacks, saying what to do', () => {
    expect(() => contactMappingOf(lead, ['Id', 'FirstName'])).toThrow(
      "contact.yaml: lead_conversion: follow needs the match field on Contacts too, but Salesforce's Contact has no Email field; match on a field both objects have, or set lead_conversion: ignore",
    );
  });

  it('renames a Lead snapshot to Contact field names', () => {
    expect(leadValuesAsContact({ Email: 'a@x.com', Street: '1 Main St', City: 'Paris', Company: 'Acme' })).toEqual({
      Email: 'a@x.com',
      MailingStreet: '1 Main St',
      MailingCity: 'Paris',
      Company: 'Acme',
    });
  });
});
