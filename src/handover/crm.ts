import type { Client as HubSpotClient } from '@hubspot/api-client';
import type { Connection } from 'jsforce';
import { readContact, updateContact, type ContactWithHistory } from '../crm/hubspot/contacts';
import {
  addListMembers,
  listIdByName,
  listMembershipsOfRecord,
  listsByIds,
  removeListMembers,
  type HubSpotList,
} from '../crm/hubspot/lists';
import { createContactTextProperty, getContactProperty } from '../crm/hubspot/properties';
import { unenrollContact, workflowEnrollments, type Enrollment } from '../crm/hubspot/workflows';
import { accountsWithWebsiteLike, type AccountWithOwner } from '../crm/salesforce/accounts';
import { createLead, openLeadIdByEmail, readLead, setLeadOwner } from '../crm/salesforce/leads';
import { queueIdByName } from '../crm/salesforce/queues';
import type { SaveResult } from '../crm/salesforce/records';
import { createTask, taskIdBySubject, tasksCreatedSince, type TaskSummary } from '../crm/salesforce/tasks';
import { usersByEmail, type SalesforceUser } from '../crm/salesforce/users';
import type { Values } from '../mapping/transform';

/**
 * What the handover needs from the two CRMs, and nothing more: the port its steps are
 * written against. `createHandoverCrm` builds it from the src/crm functions over the
 * official clients; tests may pass fakes of this type. Every method throws a CrmError for
 * an answer it does not handle.
 */
export interface HandoverCrm {
  hubspot: {
    readContact(
      contactId: string,
      properties: readonly string[],
      withHistory?: readonly string[],
    ): Promise<ContactWithHistory>;
    updateContact(contactId: string, properties: Readonly<Record<string, string>>): Promise<void>;
    /** Whether the portal has this contact property. */
    hasContactProperty(name: string): Promise<boolean>;
    createContactTextProperty(name: string, label: string): Promise<void>;
    listMemberships(contactId: string): Promise<string[]>;
    listsByIds(ids: readonly string[]): Promise<HubSpotList[]>;
    listIdByName(name: string): Promise<string | null>;
    addToList(listId: string, contactId: string): Promise<void>;
    removeFromList(listId: string, contactId: string): Promise<void>;
    workflowEnrollments(contactId: string): Promise<Enrollment[]>;
    /** False when the contact was not enrolled (any more). */
    unenroll(workflowId: string, email: string): Promise<boolean>;
  };
  salesforce: {
    openLeadIdByEmail(email: string): Promise<string | null>;
    readLead(leadId: string, fields: readonly string[]): Promise<Values | null>;
    createLead(values: Values): Promise<SaveResult>;
    setLeadOwner(leadId: string, ownerId: string): Promise<SaveResult>;
    usersByEmail(emails: readonly string[], extraFields?: readonly string[]): Promise<SalesforceUser[]>;
    queueIdByName(name: string): Promise<string | null>;
    accountsWithWebsiteLike(domain: string): Promise<AccountWithOwner[]>;
    taskIdBySubject(whoId: string, subject: string): Promise<string | null>;
    tasksCreatedSince(whoId: string, sinceMs: number): Promise<TaskSummary[]>;
    createTask(fields: Values & { WhoId: string; Subject: string }): Promise<SaveResult>;
  };
}

/** Custom properties Baton creates live in HubSpot's default contact group. */
const PROPERTY_GROUP = 'contactinformation';

export function createHandoverCrm(hubspot: HubSpotClient, salesforce: Connection): HandoverCrm {
  return {
    hubspot: {
      readContact: (id, properties, withHistory) => readContact(hubspot, id, properties, withHistory),
      updateContact: (id, properties) => updateContact(hubspot, id, properties),
      hasContactProperty: async (name) => (await getContactProperty(hubspot, name)) !== null,
      createContactTextProperty: async (name, label) => {
        // 'exists': another worker created it first, which is what was wanted.
        await createContactTextProperty(hubspot, { name, label, groupName: PROPERTY_GROUP });
      },
      listMemberships: (id) => listMembershipsOfRecord(hubspot, id),
      listsByIds: (ids) => listsByIds(hubspot, ids),
      listIdByName: (name) => listIdByName(hubspot, name),
      addToList: async (listId, id) => {
        await addListMembers(hubspot, listId, [id]);
      },
      removeFromList: async (listId, id) => {
        // Ids missing from the list are fine: a retried removal finds them gone.
        await removeListMembers(hubspot, listId, [id]);
      },
      workflowEnrollments: (id) => workflowEnrollments(hubspot, id),
      unenroll: (workflowId, email) => unenrollContact(hubspot, workflowId, email),
    },
    salesforce: {
      openLeadIdByEmail: (email) => openLeadIdByEmail(salesforce, email),
      readLead: (leadId, fields) => readLead(salesforce, leadId, fields),
      createLead: (values) => createLead(salesforce, values),
      setLeadOwner: (leadId, ownerId) => setLeadOwner(salesforce, leadId, ownerId),
      usersByEmail: (emails, extraFields) => usersByEmail(salesforce, emails, extraFields),
      queueIdByName: (name) => queueIdByName(salesforce, name),
      accountsWithWebsiteLike: (domain) => accountsWithWebsiteLike(salesforce, domain),
      taskIdBySubject: (whoId, subject) => taskIdBySubject(salesforce, whoId, subject),
      tasksCreatedSince: (whoId, sinceMs) => tasksCreatedSince(salesforce, whoId, sinceMs),
      createTask: (fields) => createTask(salesforce, fields),
    },
  };
}
