/**
 * The HubSpot sandbox's state pieces without HTTP: property history, associations,
 * DYNAMIC lists, workflow enrollments, webhook signatures.
 */
import { createHmac } from 'node:crypto';
import { Signature } from '@hubspot/api-client';
import { AssociationStore } from '../../src/hubspot/associations';
import {
  appendChange,
  CALCULATED_SOURCE,
  historyOfProperty,
  MAX_CHANGE_SETS,
  type ChangeSet,
} from '../../src/hubspot/history';
import { HubSpotState } from '../../src/hubspot/state';
import { signatureV3 } from '../../src/hubspot/webhooks';
import { WorkflowStore } from '../../src/hubspot/workflows';

const T0 = Date.parse('2026-03-02T09:00:00.000Z');

describe('property history', () => {
  it('regroups change sets by property, newest first, with "" for a clear', () => {
    const history: ChangeSet[] = [];
    appendChange(history, { at: T0, source: { sourceType: 'IMPORT' }, values: { a: '1', b: 'x' } });
    appendChange(history, { at: T0 + 1, source: CALCULATED_SOURCE, values: { a: '2' } });
    appendChange(history, {
      at: T0 + 2,
      source: { sourceType: 'CRM_UI', sourceId: 'userId:1' },
      values: { a: '', b: 'y' },
    });
    expect(historyOfProperty(history, 'a')).toEqual([
      { value: '', timestamp: '2026-03-02T09:00:00.002Z', sourceType: 'CRM_UI', sourceId: 'userId:1' },
      { value: '2', timestamp: '2026-03-02T09:00:00.001Z', sourceType: 'CALCULATED' },
      { value: '1', timestamp: '2026-03-02T09:00:00.000Z', sourceType: 'IMPORT' },
    ]);
    expect(historyOfProperty(history, 'c')).toEqual([]);
    // Names of Object.prototype members are properties like any other.
    expect(historyOfProperty(history, 'constructor')).toEqual([]);
  });

  it('keeps the creation set and the latest writes when the cap is reached', () => {
    const history: ChangeSet[] = [{ at: T0, source: CALCULATED_SOURCE, values: { first: 'kept' } }];
    for (let i = 1; i <= MAX_CHANGE_SETS + 10; i++)
      appendChange(history, { at: T0 + i, source: CALCULATED_SOURCE, values: { n: String(i) } });
    expect(history).toHaveLength(MAX_CHANGE_SETS);
    expect(historyOfProperty(history, 'first')).toHaveLength(1);
    expect(historyOfProperty(history, 'n')[0]!.value).toBe(String(MAX_CHANGE_SETS + 10));
  });

  it('is written by the store on insert and on every change, with derived values as CALCULATED', () => {
    const state = new HubSpotState(() => T0);
    const c = state.contacts.insert({ email: 'a@b.example', firstname: 'A' }, T0);
    state.contacts.update(c, { firstname: 'A' }, T0 + 5);
    expect(c.history).toHaveLength(2);
    state.contacts.update(c, { email: 'a@c.example' }, T0 + 10, { sourceType: 'FORM' });
    expect(historyOfProperty(c.history, 'email').map((e) => [e.value, e.sourceType])).toEqual([
      ['a@c.example', 'FORM'],
      ['a@b.example', 'CRM_UI'],
    ]);
    expect(historyOfProperty(c.history, 'hs_email_domain').map((e) => [e.value, e.sourceType])).toEqual([
      ['c.example', 'CALCULATED'],
      ['b.example', 'CALCULATED'],
    ]);
    expect(historyOfProperty(c.history, 'lastmodifieddate')).toEqual([]);
  });
});

describe('AssociationStore', () => {
  it('keeps both directions, ignores repeats and unknown types, and forgets deleted records', () => {
    let changes = 0;
    const store = new AssociationStore(() => changes++);
    expect(store.associate('contacts', '1', 'companies', '9', [279, 1, 4])).toEqual([279, 1]);
    expect(store.associate('contacts', '1', 'companies', '9', [279])).toEqual([]);
    store.associate('contacts', '2', 'companies', '9', [279]);
    expect(store.list('contacts', '1', 'companies')).toEqual([['9', [1, 279]]]);
    expect(store.list('companies', '9', 'contacts')).toEqual([
      ['1', [2, 280]],
      ['2', [280]],
    ]);
    const saved = store.toJSON();
    const copy = new AssociationStore(() => undefined);
    copy.load(saved);
    expect(copy.list('companies', '9', 'contacts')).toEqual(store.list('companies', '9', 'contacts'));

    store.removeRecord('companies', '9');
    expect(store.list('contacts', '1', 'companies')).toEqual([]);
    expect(copy.disassociate('companies', '9', 'contacts', '2')).toBe(true);
    expect(copy.list('contacts', '2', 'companies')).toEqual([]);
    expect(changes).toBe(3);
  });
});

describe('WorkflowStore', () => {
  it('enrolls once, unenrolls once, and lists a contact’s workflows', () => {
    const store = new WorkflowStore(() => undefined);
    store.add({
      id: 7,
      name: 'Nurture',
      description: '',
      type: 'DRIP_DELAY',
      enabled: true,
      insertedAt: T0,
      updatedAt: T0,
    });
    store.add({
      id: 3,
      name: 'Digest',
      description: '',
      type: 'DRIP_DELAY',
      enabled: true,
      insertedAt: T0,
      updatedAt: T0,
    });
    expect(store.enroll(7, '1', T0)).toBe(true);
    expect(store.enroll(7, '1', T0)).toBe(false);
    expect(store.enroll(99, '1', T0)).toBe(false);
    store.enroll(3, '1', T0);
    expect(store.enrollmentsOf('1').map((w) => w.id)).toEqual([3, 7]);
    expect(store.unenroll(7, '1')).toBe(true);
    expect(store.unenroll(7, '1')).toBe(false);
    store.removeEverywhere('1');
    expect(store.enrollmentsOf('1')).toEqual([]);
  });
});

describe('DYNAMIC lists', () => {
  it('follow their filters on every write and stay put for other lists', () => {
    const state = new HubSpotState(() => T0);
    const lead = state.contacts.insert({ email: 'l@x.example', lifecyclestage: 'lead' }, T0);
    const customer = state.contacts.insert({ email: 'c@x.example', lifecyclestage: 'customer' }, T0);
    state.addList({
      listId: '1',
      name: 'Leads',
      objectTypeId: '0-1',
      processingType: 'DYNAMIC',
      createdAt: T0,
      updatedAt: T0,
      listVersion: 1,
      filterGroups: [{ filters: [{ propertyName: 'lifecyclestage', operator: 'EQ', value: 'lead' }] }],
    });
    state.addList({
      listId: '2',
      name: 'Manual',
      objectTypeId: '0-1',
      processingType: 'MANUAL',
      createdAt: T0,
      updatedAt: T0,
      listVersion: 1,
    });
    expect(state.lists.memberships('1').map(([id]) => id)).toEqual([lead.id]);
    state.contacts.update(customer, { lifecyclestage: 'lead' }, T0 + 1);
    state.contacts.update(lead, { lifecyclestage: 'customer' }, T0 + 2);
    expect(state.lists.memberships('1')).toEqual([[customer.id, T0 + 1]]);
    expect(state.lists.memberships('2')).toEqual([]);
    const company = state.companies.insert({ name: 'Not a contact', lifecyclestage: 'lead' }, T0);
    expect(state.lists.memberships('1').map(([id]) => id)).not.toContain(company.id);
  });
});

describe('signatureV3', () => {
  it('is base64 HMAC-SHA256 of method + uri + body + timestamp, as the client checks it', () => {
    const timestamp = Date.now();
    const body = '[{"eventId":1}]';
    const uri = 'https://baton.example/hubspot/webhooks?x=1';
    const sig = signatureV3('secret', 'POST', uri, body, timestamp);
    expect(sig).toBe(createHmac('sha256', 'secret').update(`POST${uri}${body}${timestamp}`).digest('base64'));
    expect(
      Signature.isValid({
        signatureVersion: 'v3',
        method: 'POST',
        url: uri,
        requestBody: body,
        clientSecret: 'secret',
        signature: sig,
        timestamp,
      }),
    ).toBe(true);
  });
});
