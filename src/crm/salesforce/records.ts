import type { Connection } from 'jsforce';
import { z } from 'zod';
import type { Values } from '../../mapping/transform';
import { soqlName, soqlString } from './soql';

/** sObject Collections take at most 200 records per request. */
export const SALESFORCE_COLLECTION_MAX = 200;
/** Keeps a `WHERE x IN (…)` query comfortably inside the URL length Salesforce accepts. */
const IN_CHUNK = 200;

const recordSchema = z
  .object({ Id: z.string() })
  .catchall(z.unknown())
  .transform((r) => {
    const values: Values = {};
    for (const [k, v] of Object.entries(r)) {
      if (k === 'attributes') continue;
      values[k] = v === null || v === undefined ? null : typeof v === 'object' ? JSON.stringify(v) : String(v);
    }
    return { id: r.Id, values };
  });
export type SalesforceRecord = z.output<typeof recordSchema>;
const queryResultSchema = z.object({ totalSize: z.number(), done: z.boolean(), records: z.array(recordSchema) });

const saveErrorSchema = z.object({
  statusCode: z.string().optional(),
  errorCode: z.string().optional(),
  message: z.string(),
  fields: z.array(z.string()).optional(),
});
const saveResultSchema = z.object({
  id: z.string().nullish(),
  success: z.boolean(),
  errors: z.array(saveErrorSchema).default([]),
});
export type SaveResult = z.infer<typeof saveResultSchema>;

/**
 * Reads and writes one sObject type through jsforce.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections.htm
 */
export class SalesforceRecords {
  constructor(
    private readonly conn: Connection,
    readonly sobject: string,
  ) {
    soqlName(sobject);
  }

  async query(soql: string): Promise<SalesforceRecord[]> {
    // autoFetch follows nextRecordsUrl past the first 2,000 rows.
    const result = await this.conn.query(soql).autoFetch(true).maxFetch(1_000_000).execute();
    return queryResultSchema.parse(result).records;
  }

  /** Like `query`, deleted records included (queryAll): merged-away records keep their MasterRecordId there. */
  async queryAll(soql: string): Promise<SalesforceRecord[]> {
    const result = await this.conn.query(soql).scanAll(true).autoFetch(true).maxFetch(1_000_000).execute();
    return queryResultSchema.parse(result).records;
  }

  /** Records whose `field` equals one of `values` (case-insensitive, as SOQL compares text). */
  async findBy(field: string, values: string[], fields: string[]): Promise<SalesforceRecord[]> {
    const unique = [...new Set(values)];
    const select = [...new Set(['Id', ...fields])].map(soqlName).join(', ');
    const out: SalesforceRecord[] = [];
    for (let i = 0; i < unique.length; i += IN_CHUNK) {
      const chunk = unique.slice(i, i + IN_CHUNK);
      if (chunk.length === 0) continue;
      out.push(
        ...(await this.query(
          `SELECT ${select} FROM ${this.sobject} WHERE ${soqlName(field)} IN (${chunk.map(soqlString).join(', ')})`,
        )),
      );
    }
    return out;
  }

  async retrieve(ids: string[], fields: string[]): Promise<SalesforceRecord[]> {
    return this.findBy('Id', ids, fields);
  }

  /**
   * Creates up to 200 records per call, each failing on its own (`allOrNone: false`).
   * `Sforce-Auto-Assign: FALSE` because Baton, not assignment rules, decides owners.
   */
  async createMany(records: Values[]): Promise<SaveResult[]> {
    const out: SaveResult[] = [];
    for (let i = 0; i < records.length; i += SALESFORCE_COLLECTION_MAX) {
      const chunk = records.slice(i, i + SALESFORCE_COLLECTION_MAX);
      const results = await this.conn
        .sobject(this.sobject)
        .create(chunk, { allOrNone: false, headers: AUTO_ASSIGN_OFF });
      out.push(...pairedInOrder('create', chunk, z.array(saveResultSchema).parse(results)));
    }
    return out;
  }

  /** Updates (with `Id`) up to 200 per call; Sforce-Auto-Assign defaults to TRUE on update too. */
  async updateMany(records: (Values & { Id: string })[]): Promise<SaveResult[]> {
    const out: SaveResult[] = [];
    for (let i = 0; i < records.length; i += SALESFORCE_COLLECTION_MAX) {
      const chunk = records.slice(i, i + SALESFORCE_COLLECTION_MAX);
      const results = await this.conn
        .sobject(this.sobject)
        .update(chunk, { allOrNone: false, headers: AUTO_ASSIGN_OFF });
      out.push(...pairedInOrder('update', chunk, z.array(saveResultSchema).parse(results)));
    }
    return out;
  }

  /**
   * Deletes up to 200 per call, each on its own. Collections delete by ids alone, so the
   * ids may be of any object, whatever this instance's sobject is.
   */
  async deleteMany(ids: string[]): Promise<SaveResult[]> {
    const out: SaveResult[] = [];
    for (let i = 0; i < ids.length; i += SALESFORCE_COLLECTION_MAX) {
      const chunk = ids.slice(i, i + SALESFORCE_COLLECTION_MAX);
      const results = await this.conn.sobject(this.sobject).destroy(chunk, { allOrNone: false });
      out.push(
        ...pairedInOrder(
          'delete',
          chunk.map((Id) => ({ Id })),
          z.array(saveResultSchema).parse(results),
        ),
      );
    }
    return out;
  }
}

const AUTO_ASSIGN_OFF = { 'Sforce-Auto-Assign': 'FALSE' };

/**
 * sObject Collections answer one result per record, in the order of the request
 * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections.htm),
 * so results pair by position, but only after checking that the answer keeps that promise:
 * as many results as records, and each result that names an id naming the record sent
 * there. An answer that breaks it is an error for the whole call, never a guess.
 */
export function pairedInOrder(
  operation: string,
  sent: readonly { Id?: string | null }[],
  results: SaveResult[],
): SaveResult[] {
  if (results.length !== sent.length)
    throw new Error(
      `Salesforce answered a Collections ${operation} of ${sent.length} records with ${results.length} results`,
    );
  results.forEach((result, i) => {
    const expected = sent[i]?.Id;
    if (expected && result.id && !sameId(expected, result.id))
      throw new Error(
        `Salesforce answered a Collections ${operation} out of order: result ${i + 1} is ${result.id}, the record sent there ${expected}`,
      );
  });
  return results;
}

/** Salesforce ids compare on their case-sensitive 15-character form (the 18-character form adds a checksum). */
function sameId(a: string, b: string): boolean {
  return a.slice(0, 15) === b.slice(0, 15);
}

export function describeSaveErrors(result: SaveResult): { code: string | null; reason: string } {
  if (result.errors.length === 0) return { code: null, reason: 'rejected without a reason' };
  const first = result.errors[0];
  return {
    code: first?.statusCode ?? first?.errorCode ?? null,
    reason: result.errors
      .map(
        (e) =>
          `${e.statusCode ?? e.errorCode ?? 'ERROR'}: ${e.message}${e.fields?.length ? ` (${e.fields.join(', ')})` : ''}`,
      )
      .join('; '),
  };
}
