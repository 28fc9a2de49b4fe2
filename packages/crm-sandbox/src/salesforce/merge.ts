/**
 * Record merges (the `merge()` call): up to two records of one object are merged into a
 * master record. The master takes the field values sent with it, the others are deleted
 * with MasterRecordId naming the master (queryAll and getDeleted still show them), and the
 * records that pointed at them are re-parented to the master.
 * https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_merge.htm
 */
import { ApiError, type SaveError, saveError } from './errors';
import { toId18 } from './ids';
import type { FieldValue } from './schema';
import { CONVERTED_LEAD_ERROR, type SalesforceState, type WriteContext } from './state';

/** The objects merge() takes. */
export const MERGEABLE_OBJECTS: readonly string[] = ['Lead', 'Contact', 'Account'];
/** A request merges at most three records: the master and two others. */
export const MAX_RECORDS_TO_MERGE = 2;

/** One MergeRequest: the master (its type, Id and any values to set on it) and the records merged into it. */
export interface MergeRequest {
  objectName: string;
  masterId: string;
  /** Field values for the master, as in an update (the losing records' values RevOps chose to keep). */
  masterValues: Readonly<Record<string, unknown>>;
  recordToMergeIds: readonly string[];
}

export interface MergeResult {
  id: string | null;
  mergedRecordIds: string[];
  updatedRelatedIds: string[];
  success: boolean;
  errors: SaveError[];
}

function failed(errors: SaveError[], id: string | null = null): MergeResult {
  return { id, mergedRecordIds: [], updatedRelatedIds: [], success: false, errors };
}

/** Merges one request. All or nothing: a failure leaves every record as it was. */
export function mergeRecords(state: SalesforceState, request: MergeRequest, ctx: WriteContext): MergeResult {
  return state.transaction((rollback) => {
    const result = mergeInTransaction(state, request, ctx);
    if (!result.success) rollback();
    return result;
  });
}

function mergeInTransaction(state: SalesforceState, request: MergeRequest, ctx: WriteContext): MergeResult {
  const schema = state.objectSchema(request.objectName);
  if (!schema || !MERGEABLE_OBJECTS.includes(schema.name)) {
    return failed([
      saveError('INVALID_TYPE', `merge() takes Lead, Contact or Account records, not ${request.objectName}`),
    ]);
  }
  const masterId = toId18(request.masterId);
  const master = masterId ? state.findById(masterId) : undefined;
  if (!masterId || !master || master.schema.name !== schema.name)
    return failed([saveError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', ['Id'])]);
  if (master.record.IsDeleted === true)
    return failed([saveError('ENTITY_IS_DELETED', 'entity is deleted', ['Id'])], masterId);

  const ids = request.recordToMergeIds.map((id) => ({ given: id, id18: toId18(id) }));
  if (ids.length === 0)
    return failed(
      [
        saveError('REQUIRED_FIELD_MISSING', 'recordToMergeIds: at least one record to merge is required', [
          'recordToMergeIds',
        ]),
      ],
      masterId,
    );
  if (ids.length > MAX_RECORDS_TO_MERGE) {
    return failed(
      [
        saveError(
          'LIMIT_EXCEEDED',
          `A merge request merges at most ${MAX_RECORDS_TO_MERGE} records into the master; got ${ids.length}`,
          ['recordToMergeIds'],
        ),
      ],
      masterId,
    );
  }
  const losers: string[] = [];
  for (const { given, id18 } of ids) {
    const found = id18 ? state.findById(id18) : undefined;
    if (!id18 || !found || found.schema.name !== schema.name)
      return failed(
        [saveError('INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id: ${given}`, ['recordToMergeIds'])],
        masterId,
      );
    if (found.record.IsDeleted === true)
      return failed([saveError('ENTITY_IS_DELETED', `entity is deleted: ${given}`, ['recordToMergeIds'])], masterId);
    if (id18 === masterId || losers.includes(id18)) {
      return failed(
        [
          saveError(
            'INVALID_ID_FIELD',
            `The master record ${masterId} and the records to merge must all be different records`,
            ['recordToMergeIds'],
          ),
        ],
        masterId,
      );
    }
    losers.push(id18);
  }
  // A converted Lead is read-only, so it can neither absorb nor be absorbed.
  if (schema.name === 'Lead' && [masterId, ...losers].some((id) => state.get('Lead', id)?.IsConverted === true))
    return failed([CONVERTED_LEAD_ERROR], masterId);

  // The master's new values are saved like an update; without any, the merge still modifies it.
  const values = Object.fromEntries(Object.entries(request.masterValues).filter(([k]) => k.toLowerCase() !== 'id'));
  if (Object.keys(values).length > 0) {
    let input;
    try {
      input = state.deserialize(schema.name, values);
    } catch (err) {
      // An unknown field or a value of the wrong type fails this request only.
      if (err instanceof ApiError)
        return failed(
          err.body.map((b) => saveError(b.errorCode, b.message, b.fields ?? [])),
          masterId,
        );
      throw err;
    }
    const saved = state.update(input, masterId, ctx);
    if (!saved.success) return failed(saved.errors, masterId);
  } else {
    state.systemUpdate(schema.name, masterId, {}, ctx);
  }

  // Whatever pointed at a merged record now points at the master.
  const updatedRelatedIds: string[] = [];
  const gone = new Set(losers);
  for (const other of state.schemas.all()) {
    const references = other.fields.filter(
      (f) => f.type === 'reference' && f.name !== 'MasterRecordId' && f.referenceTo.includes(schema.name),
    );
    if (references.length === 0) continue;
    for (const record of [...state.scan(other.name)]) {
      const changes: Record<string, FieldValue> = {};
      for (const f of references)
        if (typeof record[f.name] === 'string' && gone.has(record[f.name] as string)) changes[f.name] = masterId;
      if (Object.keys(changes).length === 0 || gone.has(String(record.Id))) continue;
      state.systemUpdate(other.name, String(record.Id), changes, ctx);
      updatedRelatedIds.push(String(record.Id));
    }
  }

  for (const id of losers) {
    state.systemUpdate(schema.name, id, { MasterRecordId: masterId }, ctx);
    const deleted = state.delete(schema.name, id, ctx);
    if (!deleted.success) return failed(deleted.errors, masterId);
  }
  return { id: masterId, mergedRecordIds: losers, updatedRelatedIds, success: true, errors: [] };
}
