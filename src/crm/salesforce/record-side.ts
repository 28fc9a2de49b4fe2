import type { Connection } from 'jsforce';
import type { ObjectMapping } from '../../config/mapping-file';
import { normaliseMatchKey, salesforceFieldsOf, type Values } from '../../mapping/transform';
import type { ChangedPage, CrmSide, SideRecord, WriteResult } from '../side';
import { describeSaveErrors, SALESFORCE_COLLECTION_MAX, SalesforceRecords, type SalesforceRecord, type SaveResult } from './records';
import { soqlName, soqlString } from './soql';

/** `(SystemModstamp, Id)` high-watermark: SystemModstamp has whole-second precision, so ties are common. */
export interface SalesforceCursor {
  ts: number;
  id: string;
}

export const INITIAL_SALESFORCE_CURSOR: SalesforceCursor = { ts: 0, id: '' };

/** One SOQL call returns up to 2,000 rows: the page the sync reads per call. */
export const SALESFORCE_READ_PAGE = 2000;

const soqlDateTime = (ms: number) => new Date(ms).toISOString();

function toSideRecord(r: SalesforceRecord): SideRecord {
  const stamp = Date.parse((r.values.SystemModstamp ?? '').replace(/\+0000$/, 'Z'));
  const values: Values = { ...r.values };
  delete values.SystemModstamp;
  delete values.Id;
  return { id: r.id, values, modifiedAt: Number.isNaN(stamp) ? 0 : stamp };
}

function results(saved: SaveResult[], n: number): WriteResult[] {
  return Array.from({ length: n }, (_, i): WriteResult => {
    const r = saved[i];
    if (r?.success && r.id) return { ok: true, id: r.id };
    const { code, reason } = r ? describeSaveErrors(r) : { code: 'NO_RESULT', reason: 'Salesforce returned no result for this record' };
    return { ok: false, code, reason };
  });
}

/** A Salesforce sObject (Lead or Contact) as one side of the two-way sync. */
export class SalesforceRecordSide implements CrmSide<SalesforceCursor> {
  readonly side = 'salesforce' as const;
  readonly writeBatch = SALESFORCE_COLLECTION_MAX;

  constructor(private readonly conn: Connection) {}

  private records(mapping: ObjectMapping): SalesforceRecords {
    return new SalesforceRecords(this.conn, mapping.salesforce.object);
  }

  private fieldList(mapping: ObjectMapping): string[] {
    return [...new Set(['Id', 'SystemModstamp', ...salesforceFieldsOf(mapping)])].map(soqlName);
  }

  initialCursor(): SalesforceCursor {
    return INITIAL_SALESFORCE_CURSOR;
  }

  async readChanged(mapping: ObjectMapping, cursor: SalesforceCursor, until: number): Promise<ChangedPage<SalesforceCursor>> {
    const at = soqlDateTime(cursor.ts);
    // Salesforce refuses an empty Id literal, so the very first read has no tie-breaker.
    const after = cursor.id === '' ? `SystemModstamp >= ${at}` : `(SystemModstamp > ${at} OR (SystemModstamp = ${at} AND Id > ${soqlString(cursor.id)}))`;
    const soql =
      `SELECT ${this.fieldList(mapping).join(', ')} FROM ${soqlName(mapping.salesforce.object)} ` +
      `WHERE ${after} AND SystemModstamp <= ${soqlDateTime(until)} ` +
      `ORDER BY SystemModstamp ASC, Id ASC LIMIT ${SALESFORCE_READ_PAGE}`;
    const rows = (await this.records(mapping).query(soql)).map(toSideRecord);
    const last = rows[rows.length - 1];
    return { records: rows, next: last ? { ts: last.modifiedAt, id: last.id } : cursor, done: rows.length < SALESFORCE_READ_PAGE };
  }

  async fetch(mapping: ObjectMapping, ids: string[]): Promise<Map<string, SideRecord>> {
    const rows = await this.records(mapping).findBy('Id', ids, this.fieldList(mapping));
    return new Map(rows.map((r) => [r.id, toSideRecord(r)]));
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
}
