import type { Connection } from 'jsforce';
import { z } from 'zod';
import type { ObjectMapping } from '../../config/mapping-file';
import { contactMappingOf, followsLeadConversion, LEAD_CONVERSION_FIELDS } from '../../mapping/lifecycle';
import { isBlank, normaliseMatchKey, salesforceFieldsOf, type Values } from '../../mapping/transform';
import type { ChangedPage, CrmSide, DeletionCursor, LeadConversions, SideRecord, WriteResult } from '../side';
import {
  describeSaveErrors,
  SALESFORCE_COLLECTION_MAX,
  SalesforceRecords,
  type SalesforceRecord,
  type SaveResult,
} from './records';
import { soqlName, soqlString } from './soql';

/**
 * `(SystemModstamp, Id)` high-watermark: SystemModstamp has whole-second precision, so ties
 * are common. A mapping that follows Lead conversions also reads the Contacts its Leads
 * became, with a watermark of their own in `contacts`.
 */
export interface SalesforceCursor {
  ts: number;
  id: string;
  contacts?: { ts: number; id: string };
}

export const INITIAL_SALESFORCE_CURSOR: SalesforceCursor = { ts: 0, id: '' };

/** One SOQL call returns up to 2,000 rows: the page the sync reads per call. */
export const SALESFORCE_READ_PAGE = 2000;

const soqlDateTime = (ms: number) => new Date(ms).toISOString();

const MINUTE = 60_000;
const DAY = 86_400_000;
/**
 * getDeleted answers for the last 30 days only (INVALID_REPLICATION_DATE before that); a
 * feed that fell further behind starts at the oldest day still covered, with an hour to
 * spare for clock differences. Older deletions are still noticed when the other side's
 * record changes and its partner is missing.
 */
const DELETED_WINDOW_MS = 30 * DAY - 60 * MINUTE;
/** A master merged away in turn is followed this many times at most. */
const MAX_MERGE_HOPS = 5;
/** How long a describe of Contact is trusted: a field added in Salesforce shows up within this. */
const DESCRIBE_TTL_MS = 10 * MINUTE;

const deletedSchema = z.object({
  deletedRecords: z.array(z.object({ id: z.string(), deletedDate: z.string() })),
  latestDateCovered: z.string(),
});
const describeSchema = z.object({ fields: z.array(z.object({ name: z.string() })) });

const parseSalesforceDate = (text: string) => Date.parse(text.replace(/\+0000$/, 'Z'));

/** Read with every record though no mapping asks for them; they never reach the field values. */
const BOOKKEEPING_FIELDS = ['SystemModstamp', 'Id', 'CreatedDate', ...LEAD_CONVERSION_FIELDS];

function toSideRecord(r: SalesforceRecord, mapped: ReadonlySet<string>, object?: string): SideRecord {
  const stamp = parseSalesforceDate(r.values.SystemModstamp ?? '');
  const created = parseSalesforceDate(r.values.CreatedDate ?? '');
  const values: Values = { ...r.values };
  const converted =
    values.IsConverted === 'true' && !isBlank(values.ConvertedContactId) ? values.ConvertedContactId : undefined;
  for (const field of BOOKKEEPING_FIELDS) if (!mapped.has(field)) delete values[field];
  return {
    id: r.id,
    values,
    modifiedAt: Number.isNaN(stamp) ? 0 : stamp,
    ...(Number.isNaN(created) ? {} : { createdAt: created }),
    ...(object ? { object } : {}),
    ...(converted ? { convertedTo: converted } : {}),
  };
}

function results(saved: SaveResult[], n: number): WriteResult[] {
  return Array.from({ length: n }, (_, i): WriteResult => {
    const r = saved[i];
    if (r?.success && r.id) return { ok: true, id: r.id };
    const { code, reason } = r
      ? describeSaveErrors(r)
      : { code: 'NO_RESULT', reason: 'Salesforce returned no result for this record' };
    return { ok: false, code, reason };
  });
}

/** A Salesforce sObject (Lead or Contact) as one side of the two-way sync. */
export class SalesforceRecordSide implements CrmSide<SalesforceCursor>, LeadConversions {
  readonly side = 'salesforce' as const;
  readonly writeBatch = SALESFORCE_COLLECTION_MAX;
  private contactFields?: { at: number; names: string[] };

  constructor(private readonly conn: Connection) {}

  private records(mapping: ObjectMapping): SalesforceRecords {
    return new SalesforceRecords(this.conn, mapping.salesforce.object);
  }

  private fieldList(mapping: ObjectMapping): string[] {
    // Every Lead read carries its conversion state, so a converted (read-only) Lead is known
    // before anything is written to it, whether or not the mapping follows conversions.
    const conversion = mapping.salesforce.object === 'Lead' ? LEAD_CONVERSION_FIELDS : [];
    return [...new Set(['Id', 'SystemModstamp', 'CreatedDate', ...conversion, ...salesforceFieldsOf(mapping)])].map(
      soqlName,
    );
  }

  initialCursor(): SalesforceCursor {
    return INITIAL_SALESFORCE_CURSOR;
  }

  private async readPage(
    mapping: ObjectMapping,
    cursor: { ts: number; id: string },
    until: number,
  ): Promise<SideRecord[]> {
    const at = soqlDateTime(cursor.ts);
    // Salesforce refuses an empty Id literal, so the very first read has no tie-breaker.
    const after =
      cursor.id === ''
        ? `SystemModstamp >= ${at}`
        : `(SystemModstamp > ${at} OR (SystemModstamp = ${at} AND Id > ${soqlString(cursor.id)}))`;
    const soql =
      `SELECT ${this.fieldList(mapping).join(', ')} FROM ${soqlName(mapping.salesforce.object)} ` +
      `WHERE ${after} AND SystemModstamp <= ${soqlDateTime(until)} ` +
      `ORDER BY SystemModstamp ASC, Id ASC LIMIT ${SALESFORCE_READ_PAGE}`;
    const mapped = new Set(salesforceFieldsOf(mapping));
    return (await this.records(mapping).query(soql)).map((r) => toSideRecord(r, mapped));
  }

  /**
   * Changed Leads first. A mapping that follows conversions then reads changed Contacts
   * from a second watermark; the sync keeps only those linked to a HubSpot contact (the
   * ones converted Leads became), so an org's other Contacts cost reading, never writing.
   */
  async readChanged(
    mapping: ObjectMapping,
    cursor: SalesforceCursor,
    until: number,
  ): Promise<ChangedPage<SalesforceCursor>> {
    const rows = await this.readPage(mapping, cursor, until);
    const last = rows[rows.length - 1];
    const leadsDone = rows.length < SALESFORCE_READ_PAGE;
    const next: SalesforceCursor = { ...cursor, ...(last ? { ts: last.modifiedAt, id: last.id } : {}) };
    if (!followsLeadConversion(mapping) || !leadsDone) return { records: rows, next, done: leadsDone };

    // Before the first run that follows conversions no Contact is linked, and a Contact is
    // read in full when its link is made: so the Contact watermark can start where the Lead
    // watermark stood (same clock, Salesforce's) instead of at every Contact in the org.
    const contactCursor = cursor.contacts ?? { ts: cursor.ts, id: '' };
    const contacts = (await this.readPage(await this.contactMapping(mapping), contactCursor, until)).map(
      (r): SideRecord => ({ ...r, object: 'Contact' }),
    );
    const lastContact = contacts[contacts.length - 1];
    return {
      records: [...rows, ...contacts],
      next: { ...next, contacts: lastContact ? { ts: lastContact.modifiedAt, id: lastContact.id } : contactCursor },
      done: contacts.length < SALESFORCE_READ_PAGE,
    };
  }

  async fetch(mapping: ObjectMapping, ids: string[]): Promise<Map<string, SideRecord>> {
    const rows = await this.records(mapping).findBy('Id', ids, this.fieldList(mapping));
    const object = mapping.salesforce.object === 'Contact' ? 'Contact' : undefined;
    const mapped = new Set(salesforceFieldsOf(mapping));
    return new Map(rows.map((r) => [r.id, toSideRecord(r, mapped, object)]));
  }

  async findByMatchKey(mapping: ObjectMapping, keys: string[]): Promise<Map<string, string>> {
    const rows = await this.records(mapping).findBy(mapping.match.salesforce, keys, [mapping.match.salesforce]);
    const out = new Map<string, string>();
    // The oldest record wins when several share a key (ids sort by creation).
    for (const r of [...rows].sort((a, b) => a.id.localeCompare(b.id))) {
      const k = normaliseMatchKey(mapping, r.values[mapping.match.salesforce]);
      if (k !== null && !out.has(k)) out.set(k, r.id);
    }
    return out;
  }

  async create(mapping: ObjectMapping, rows: Values[]): Promise<WriteResult[]> {
    return results(await this.records(mapping).createMany(rows), rows.length);
  }

  async update(mapping: ObjectMapping, rows: { id: string; values: Values }[]): Promise<WriteResult[]> {
    return results(await this.records(mapping).updateMany(rows.map((r) => ({ ...r.values, Id: r.id }))), rows.length);
  }

  /**
   * getDeleted per object the mapping reaches (Lead, plus Contact when it follows
   * conversions), each from where the last call's `latestDateCovered` left it. The API
   * ignores seconds and covers whole minutes only, so consecutive windows neither lose
   * nor repeat a deletion.
   * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_getdeleted.htm
   */
  async readDeletions(
    mapping: ObjectMapping,
    cursor: DeletionCursor | null,
    until: number,
    progress?: () => void,
  ): Promise<{ ids: string[]; next: DeletionCursor }> {
    const objects = [mapping.salesforce.object, ...(followsLeadConversion(mapping) ? ['Contact'] : [])];
    const next: DeletionCursor = { ...cursor };
    const ids: string[] = [];
    const end = Math.floor(until / MINUTE) * MINUTE;
    for (const object of objects) {
      const start = Math.max(cursor?.[object] ?? 0, Date.now() - DELETED_WINDOW_MS);
      if (Math.floor(start / MINUTE) * MINUTE >= end) continue;
      const res = deletedSchema.parse(
        await this.conn.sobject(soqlName(object)).deleted(new Date(start), new Date(end)),
      );
      ids.push(...res.deletedRecords.map((r) => r.id));
      const covered = parseSalesforceDate(res.latestDateCovered);
      next[object] = Number.isNaN(covered) ? start : covered;
      progress?.();
    }
    return { ids, next };
  }

  /**
   * A record that a query by Id no longer returns was deleted. Records merged away are
   * deleted too; the sync asks `mergedInto` about those first.
   */
  async confirmDeleted(ids: string[]): Promise<Set<string>> {
    return new Set(ids);
  }

  /**
   * Deleted records that were merged into another (MasterRecordId set), gone id → the
   * surviving record, following a master that was merged away itself in turn.
   * https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_merge.htm
   */
  async mergedInto(ids: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    let pending = [...new Set(ids)];
    for (let hop = 0; pending.length > 0 && hop < MAX_MERGE_HOPS; hop++) {
      const masters = await this.masters(pending, 'Id');
      for (const [gone, master] of masters) {
        for (const [id, to] of out) if (to === gone) out.set(id, master);
        if (!out.has(gone) && ids.includes(gone)) out.set(gone, master);
      }
      pending = [...new Set(masters.values())];
    }
    return out;
  }

  /** The records merged into any of these (their MasterRecordId is one of them), gone id → survivor. */
  async mergedFrom(records: SideRecord[]): Promise<Map<string, string>> {
    return this.masters(
      records.map((r) => r.id),
      'MasterRecordId',
    );
  }

  /** Deleted Leads and Contacts with a MasterRecordId whose `by` field is among `ids`, id → MasterRecordId. */
  private async masters(ids: string[], by: 'Id' | 'MasterRecordId'): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const [object, prefix] of [
      ['Lead', '00Q'],
      ['Contact', '003'],
    ] as const) {
      const mine = ids.filter((id) => id.startsWith(prefix));
      for (let i = 0; i < mine.length; i += SALESFORCE_COLLECTION_MAX) {
        const part = mine.slice(i, i + SALESFORCE_COLLECTION_MAX);
        const rows = await new SalesforceRecords(this.conn, object).queryAll(
          `SELECT Id, MasterRecordId FROM ${object} WHERE ${by} IN (${part.map(soqlString).join(', ')}) AND IsDeleted = true AND MasterRecordId != null`,
        );
        for (const r of rows) if (!isBlank(r.values.MasterRecordId)) out.set(r.id, r.values.MasterRecordId as string);
      }
    }
    return out;
  }

  /** Deletes Leads and Contacts alike (a Collections delete takes ids of any object). */
  async remove(ids: string[]): Promise<WriteResult[]> {
    const saved = await new SalesforceRecords(this.conn, 'Lead').deleteMany(ids);
    return ids.map((id, i): WriteResult => {
      const r = saved[i];
      // Already deleted (by someone else, or by an earlier attempt of this one): done.
      if (r && (r.success || r.errors.some((e) => (e.statusCode ?? e.errorCode) === 'ENTITY_IS_DELETED')))
        return { ok: true, id };
      return {
        ok: false,
        ...(r ? describeSaveErrors(r) : { code: 'NO_RESULT', reason: 'Salesforce returned no result for this record' }),
      };
    });
  }

  async contactMapping(mapping: ObjectMapping): Promise<ObjectMapping> {
    if (!this.contactFields || Date.now() - this.contactFields.at > DESCRIBE_TTL_MS) {
      const described = describeSchema.parse(await this.conn.sobject('Contact').describe());
      this.contactFields = { at: Date.now(), names: described.fields.map((f) => f.name) };
    }
    return contactMappingOf(mapping, this.contactFields.names);
  }

  async convertedContacts(leadIds: string[]): Promise<Map<string, string>> {
    const rows = await new SalesforceRecords(this.conn, 'Lead').findBy('Id', leadIds, [
      'Id',
      'IsConverted',
      'ConvertedContactId',
    ]);
    const out = new Map<string, string>();
    for (const r of rows) {
      const contactId = r.values.ConvertedContactId;
      if (r.values.IsConverted === 'true' && !isBlank(contactId)) out.set(r.id, contactId);
    }
    return out;
  }
}
