import type { Client as HubSpotClient } from '@hubspot/api-client';
import type { Connection } from 'jsforce';
import { MappingError, type ObjectMapping } from '../src/config/mapping-file';
import { HubSpotContacts, type HubSpotContact } from '../src/crm/hubspot/contacts';
import { SALESFORCE_COLLECTION_MAX, SalesforceRecords } from '../src/crm/salesforce/records';
import type { Store } from '../src/store';
import { invalidMapping, readChangedContacts, syncContactsToSalesforce } from './hubspot-to-salesforce';
import { INITIAL_HUBSPOT_CURSOR, type HubSpotCursor, type SyncPageInput, type SyncPageResult } from './sync-types';

export interface ActivityDeps {
  hubspot: HubSpotClient;
  salesforce: Connection;
  store: Store;
  /** Returns the current mapping by name; re-read per call so an edited file takes effect on the next cycle. */
  mappings: (name: string) => ObjectMapping;
  clock?: () => Date;
}

function cursorName(mapping: string): string {
  return `${mapping}:hubspot`;
}

/** Activities are built over injected dependencies; only src/worker.ts builds real ones. */
export function createActivities(deps: ActivityDeps) {
  const contacts = new HubSpotContacts(deps.hubspot);
  const salesforce = (sobject: string) => new SalesforceRecords(deps.salesforce, sobject);
  const mappingOf = (name: string): ObjectMapping => {
    try {
      return deps.mappings(name);
    } catch (err) {
      if (err instanceof MappingError) throw invalidMapping(err);
      throw err;
    }
  };

  return {
    async readHubSpotCursor(input: { mapping: string }): Promise<HubSpotCursor> {
      return (await deps.store.getCursor<HubSpotCursor>(cursorName(input.mapping))) ?? INITIAL_HUBSPOT_CURSOR;
    },

    /** One page: read → map → diff → write → persist links, snapshots, errors and the cursor. */
    async syncHubSpotPage(input: SyncPageInput): Promise<SyncPageResult> {
      const mapping = mappingOf(input.mapping);
      // Read until a full write batch is collected (or the window is exhausted), so
      // Salesforce sees full 200-record collections even when search pages end short.
      const records: HubSpotContact[] = [];
      let next = input.cursor;
      let done = false;
      while (!done && records.length < SALESFORCE_COLLECTION_MAX) {
        const page = await readChangedContacts(contacts, mapping, next, input.until);
        records.push(...page.records);
        next = page.next;
        done = page.done;
      }
      const counts = await syncContactsToSalesforce({ contacts, salesforce, store: deps.store }, mapping, records);
      // The cursor moves only after every record of the page was written or recorded as an error.
      await deps.store.setCursor(cursorName(input.mapping), next);
      return { cursor: next, done, counts };
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
