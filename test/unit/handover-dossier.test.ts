import path from 'node:path';
import { loadHandoverPolicy } from '../../src/config/handover-file';
import { createMappingProvider } from '../../src/config/mapping-provider';
import {
  dossierReads,
  dossierSubject,
  dossierText,
  escalationSubject,
  isBatonTask,
  newLeadValues,
} from '../../src/handover/dossier';

/** The dossier sales reads on the Lead, and the Lead Baton creates when Salesforce has none. */

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const mapping = createMappingProvider(path.join(FIXTURES, 'mappings', 'two-way')).get('contact');
const policy = () => loadHandoverPolicy(path.join(FIXTURES, 'handover', 'minimal.yaml'));

describe('dossier', () => {
  it('reads the mapped fields, conversions and names, with the history of score and lifecycle stage', () => {
    const reads = dossierReads(policy(), mapping);
    expect(reads.withHistory).toEqual(['hubspotscore', 'lifecyclestage']);
    expect(reads.properties).toEqual(
      expect.arrayContaining(['email', 'jobtitle', 'hubspotscore', 'recent_conversion_event_name', 'company']),
    );
  });

  it('writes fields, histories newest first and conversions', () => {
    const text = dossierText(
      mapping,
      { email: 'ada@example.com', firstname: 'Ada', jobtitle: null, recent_conversion_event_name: 'Webinar' },
      {
        hubspotscore: [
          { value: '85', timestamp: new Date('2026-01-02T00:00:00.000Z') },
          { value: '40', timestamp: new Date('invalid') },
        ],
      },
      ['hubspotscore', 'lifecyclestage'],
    );
    expect(text.split('\n')).toEqual([
      'Handover dossier from marketing (Baton)',
      '',
      'Fields:',
      '  Email: ada@example.com',
      '  FirstName: Ada',
      '  LastName: ',
      '  Company: ',
      '  Title: ',
      '',
      'hubspotscore history (newest first):',
      '  2026-01-02T00:00:00.000Z 85',
      '  (unknown time) 40',
      '',
      'lifecyclestage history (newest first):',
      '  none',
      '',
      'Recent conversions:',
      '  recent_conversion_event_name: Webinar',
      '  recent_conversion_date: ',
      '  first_conversion_event_name: ',
      '  num_conversion_events: ',
    ]);
  });

  it("names Baton's Tasks so they never count as a rep's touch", () => {
    expect(dossierSubject('1001')).toBe('[Baton] Handover dossier (HubSpot 1001)');
    expect(escalationSubject('sla_breached', 3)).toBe('[Baton] Escalation: no first touch after 3 SLA breaches');
    expect(escalationSubject('presales_timeout', 0)).toBe(
      '[Baton] Escalation: pre-sales did not release the lead in time',
    );
    expect([isBatonTask('[Baton] Escalation: x'), isBatonTask('Call'), isBatonTask(null)]).toEqual([
      true,
      false,
      false,
    ]);
  });

  it('fills what a Lead requires when neither the mapping nor HubSpot gives it', () => {
    const emailOnly = { ...mapping, fields: mapping.fields.filter((f) => f.salesforce === 'Email') };
    expect(newLeadValues(emailOnly, { email: 'ada@example.com', company: ' Acme ' }, 'Open - Not Contacted')).toEqual({
      Email: 'ada@example.com',
      Status: 'Open - Not Contacted',
      LastName: '[not provided]',
      Company: 'Acme',
    });
    // What the mapping maps wins.
    expect(newLeadValues(mapping, { email: 'ada@example.com', lastname: 'Lovelace' }, 'New')).toMatchObject({
      LastName: 'Lovelace',
      Status: 'New',
    });
  });
});
