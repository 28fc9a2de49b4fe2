import { convertLead } from '../../src/salesforce/convert';
import { seedState } from '../../src/salesforce/seed';
import { SalesforceState, type WriteContext } from '../../src/salesforce/state';

const NOW = Date.parse('2026-05-20T12:00:00.000Z');

function org() {
  const state = new SalesforceState();
  seedState(state, 'empty', NOW);
  const ctx: WriteContext = { userId: state.apiUserId, now: NOW };
  const create = (type: string, body: Record<string, unknown>): string => {
    const r = state.create(state.deserialize(type, body), ctx);
    if (!r.success) throw new Error(JSON.stringify(r.errors));
    return r.id;
  };
  return { state, ctx, create };
}

describe('lead conversion', () => {
  test('maps the standard lead fields and closes the quarter on the Opportunity', () => {
    const { state, ctx, create } = org();
    const leadId = create('Lead', {
      Salutation: 'Dr.',
      FirstName: 'Amara',
      LastName: 'Costa',
      Company: 'Quartz Insurance',
      Email: 'amara@quartz.example',
      Phone: '+55 11 5555 0101',
      Street: 'Av. Paulista 1000',
      City: 'São Paulo',
      PostalCode: '01310-100',
      Country: 'Brazil',
      AnnualRevenue: 5_000_000,
      Description: 'Met at the summit',
      HasOptedOutOfEmail: true,
    });
    const result = convertLead(
      state,
      { leadId, convertedStatus: 'Closed - Converted', opportunityName: 'Quartz – pilot' },
      ctx,
    );
    expect(result.success).toBe(true);
    expect(state.get('Account', result.accountId ?? '')).toMatchObject({
      Name: 'Quartz Insurance',
      Phone: '+55 11 5555 0101',
      BillingStreet: 'Av. Paulista 1000',
      BillingCity: 'São Paulo',
      BillingPostalCode: '01310-100',
      BillingCountry: 'Brazil',
      AnnualRevenue: 5_000_000,
    });
    expect(state.get('Contact', result.contactId ?? '')).toMatchObject({
      Salutation: 'Dr.',
      Name: 'Amara Costa',
      MailingStreet: 'Av. Paulista 1000',
      MailingPostalCode: '01310-100',
      Description: 'Met at the summit',
      HasOptedOutOfEmail: true,
    });
    expect(state.get('Opportunity', result.opportunityId ?? '')).toMatchObject({
      Name: 'Quartz – pilot',
      CloseDate: '2026-06-30',
      StageName: 'Prospecting',
    });
  });

  test('campaign memberships and activities move to the new Contact', () => {
    const { state, ctx, create } = org();
    const leadId = create('Lead', { LastName: 'Novak', Company: 'Ionic Media' });
    const campaignId = create('Campaign', { Name: 'Spring' });
    const memberId = create('CampaignMember', { CampaignId: campaignId, LeadId: leadId });
    const taskId = create('Task', { WhoId: leadId, Subject: 'Call' });
    const result = convertLead(
      state,
      { leadId, convertedStatus: 'Closed - Converted', doNotCreateOpportunity: true },
      ctx,
    );
    expect(state.get('CampaignMember', memberId)).toMatchObject({ LeadId: leadId, ContactId: result.contactId });
    expect(state.get('Task', taskId)?.WhoId).toBe(result.contactId);
  });

  test('an existing Contact must belong to the Account; nothing is saved when it does not', () => {
    const { state, ctx, create } = org();
    const leadId = create('Lead', { LastName: 'Kim', Company: 'Helix' });
    const accountId = create('Account', { Name: 'Helix Biotech' });
    const elsewhere = create('Contact', { LastName: 'Kim' });
    const result = convertLead(
      state,
      { leadId, convertedStatus: 'Closed - Converted', accountId, contactId: elsewhere },
      ctx,
    );
    expect(result).toMatchObject({
      success: false,
      errors: [{ statusCode: 'INVALID_CROSS_REFERENCE_KEY', fields: ['ContactId'] }],
    });
    expect([...state.scan('Opportunity')]).toHaveLength(0);
    expect(state.get('Lead', leadId)?.IsConverted).toBe(false);
  });

  test('an unknown account or contact id is INVALID_CROSS_REFERENCE_KEY', () => {
    const { state, ctx, create } = org();
    const leadId = create('Lead', { LastName: 'Kim', Company: 'Helix' });
    expect(
      convertLead(state, { leadId, convertedStatus: 'Closed - Converted', accountId: '001Dn000000000AAAA' }, ctx),
    ).toMatchObject({
      success: false,
      errors: [{ statusCode: 'INVALID_CROSS_REFERENCE_KEY', fields: ['AccountId'] }],
    });
    expect(convertLead(state, { leadId: 'garbage', convertedStatus: 'Closed - Converted' }, ctx)).toMatchObject({
      success: false,
      errors: [{ statusCode: 'INVALID_CROSS_REFERENCE_KEY', fields: ['LeadId'] }],
    });
  });

  test('converted fields cannot be written by clients; a converted Lead stays readable', () => {
    const { state, ctx, create } = org();
    const leadId = create('Lead', { LastName: 'Kim', Company: 'Helix' });
    expect(
      state.create(state.deserialize('Lead', { LastName: 'x', Company: 'y', ConvertedContactId: null }), ctx),
    ).toMatchObject({
      success: false,
      errors: [{ statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE' }],
    });
    convertLead(state, { leadId, convertedStatus: 'Closed - Converted', doNotCreateOpportunity: true }, ctx);
    expect(state.update(state.deserialize('Lead', { Title: 'CEO' }), leadId, ctx)).toMatchObject({
      success: false,
      errors: [{ statusCode: 'CANNOT_UPDATE_CONVERTED_LEAD' }],
    });
    expect(state.get('Lead', leadId)).toMatchObject({ IsConverted: true, Status: 'Closed - Converted' });
  });
});
