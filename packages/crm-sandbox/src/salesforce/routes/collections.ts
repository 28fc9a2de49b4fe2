/**
 * sObject Collections: up to 200 records per call for create, update, upsert and delete,
 * 2,000 ids for retrieve. With `allOrNone: false` each record succeeds or fails on its own;
 * with `true` one failure rolls back the rest, whose results then say
 * ALL_OR_NONE_OPERATION_ROLLED_BACK.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections.htm
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ApiError, notFound, ROLLED_BACK, saveError } from '../errors';
import { toId18 } from '../ids';
import { renderRecord, resolveFieldList } from '../render';
import { getField } from '../schema';
import type { DeserializedRecord, SaveResult } from '../state';
import { apiVersion, parseWith, RecordBodySchema, type SandboxContext, sendJson, writeContext } from './context';

const MAX_RECORDS = 200;
const MAX_RETRIEVE_IDS = 2000;

const CollectionBodySchema = z.object({
  allOrNone: z.boolean().optional(),
  records: z.array(RecordBodySchema),
});
const RetrieveBodySchema = z.object({ ids: z.array(z.string()), fields: z.array(z.string()) });
const RetrieveQuerySchema = z.object({ ids: z.string().optional(), fields: z.string().optional() });
const DeleteQuerySchema = z.object({ ids: z.string().optional(), allOrNone: z.string().optional() });
const TypeParamsSchema = z.object({ version: z.string(), type: z.string() });
const UpsertParamsSchema = TypeParamsSchema.extend({ field: z.string() });
const AttributesSchema = z.object({ type: z.string() });

function tooMany(limit: number): ApiError {
  return ApiError.of(
    400,
    'EXCEEDED_ID_LIMIT',
    `record limit reached. cannot submit more than ${limit} records into this call`,
  );
}

/** Results of a result-per-record call, rolled back as a whole when `allOrNone` and one failed. */
type Outcome = SaveResult;

export function registerCollectionRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const { state } = ctx;

  const saveAll = <T>(
    items: readonly T[],
    save: (item: T) => Outcome,
    allOrNone: boolean,
    keepIdsOnRollback: boolean,
  ): Outcome[] => {
    if (!allOrNone) return items.map(save);
    return state.transaction((rollback) => {
      const results = items.map(save);
      if (results.every((r) => r.success)) return results;
      rollback();
      return results.map((r): Outcome => {
        if (!r.success) return r;
        return keepIdsOnRollback
          ? { id: r.id, success: false, errors: [ROLLED_BACK] }
          : { success: false, errors: [ROLLED_BACK] };
      });
    });
  };

  /** Reads each record's `attributes.type`; an unknown type fails the request. */
  const deserializeAll = (
    records: readonly Readonly<Record<string, unknown>>[],
    fixedType?: string,
  ): DeserializedRecord[] =>
    records.map((r, i) => {
      const attributes =
        r.attributes === undefined && fixedType
          ? { type: fixedType }
          : parseWith(AttributesSchema, r.attributes, `attributes of record ${i}`);
      const schema = state.objectSchema(attributes.type);
      if (!schema) {
        throw ApiError.of(
          400,
          'INVALID_TYPE',
          `sObject type '${attributes.type}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
        );
      }
      return state.deserialize(schema.name, r);
    });

  const body = (raw: unknown) => {
    const parsed = parseWith(CollectionBodySchema, raw, 'request body');
    if (parsed.records.length > MAX_RECORDS) throw tooMany(MAX_RECORDS);
    return parsed;
  };

  app.post('/services/data/:version/composite/sobjects', async (request, reply) => {
    apiVersion(request);
    const { allOrNone = false, records } = body(request.body);
    const inputs = deserializeAll(records);
    const wctx = writeContext(ctx, request);
    const results = saveAll(inputs, (input) => state.create(input, wctx), allOrNone, false);
    return sendJson(reply, 200, results);
  });

  app.patch('/services/data/:version/composite/sobjects', async (request, reply) => {
    apiVersion(request);
    const { allOrNone = false, records } = body(request.body);
    const inputs = deserializeAll(records);
    const wctx = writeContext(ctx, request);
    const results = saveAll(
      inputs,
      (input) => {
        if (input.id === undefined)
          return { success: false, errors: [saveError('MISSING_ARGUMENT', 'Id not specified in an update call')] };
        return state.update(input, input.id, wctx);
      },
      allOrNone,
      true,
    );
    return sendJson(reply, 200, results);
  });

  app.patch('/services/data/:version/composite/sobjects/:type/:field', async (request, reply) => {
    apiVersion(request);
    const params = parseWith(UpsertParamsSchema, request.params, 'path');
    const schema = state.objectSchema(params.type);
    if (!schema) throw notFound();
    const extField = getField(schema, params.field);
    if (!extField) throw notFound(`Provided external ID field does not exist or is not accessible: ${params.field}`);
    if (!extField.externalId && extField.type !== 'id') {
      throw ApiError.of(
        400,
        'INVALID_FIELD',
        `Field name provided, ${extField.name} is not an External ID or indexed field for ${schema.name}`,
      );
    }
    const { allOrNone = false, records } = body(request.body);
    const inputs = deserializeAll(records, schema.name);
    const wctx = writeContext(ctx, request);
    const results = saveAll(
      inputs,
      (input) => {
        const value = extField.type === 'id' ? input.id : input.values.get(extField);
        if (typeof value !== 'string' || value === '') {
          return {
            success: false,
            errors: [saveError('MISSING_ARGUMENT', `${extField.name} not specified`, [extField.name])],
            created: false,
          };
        }
        return state.upsert({ schema, values: input.values }, extField, value, wctx);
      },
      allOrNone,
      true,
    );
    return sendJson(reply, 200, results);
  });

  app.delete('/services/data/:version/composite/sobjects', async (request, reply) => {
    apiVersion(request);
    const query = parseWith(DeleteQuerySchema, request.query, 'query parameters');
    const ids = (query.ids ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    if (ids.length === 0) throw ApiError.of(400, 'MISSING_ARGUMENT', 'ids parameter is required');
    if (ids.length > MAX_RECORDS) throw tooMany(MAX_RECORDS);
    const wctx = writeContext(ctx, request);
    const results = saveAll(
      ids,
      (id) => state.delete(undefined, id, wctx),
      query.allOrNone?.toLowerCase() === 'true',
      true,
    );
    return sendJson(reply, 200, results);
  });

  const retrieve = (version: string, type: string, ids: readonly string[], fieldNames: readonly string[]) => {
    const schema = state.objectSchema(type);
    if (!schema) throw notFound();
    if (ids.length > MAX_RETRIEVE_IDS) throw tooMany(MAX_RETRIEVE_IDS);
    const fields = resolveFieldList(schema, fieldNames);
    return ids.map((raw) => {
      const id = toId18(raw);
      if (!id) throw ApiError.of(400, 'MALFORMED_ID', `malformed id ${raw}`);
      const record = state.get(schema.name, id);
      // Ids of missing or deleted records answer null in their slot.
      return record ? renderRecord(schema, record, fields, version) : null;
    });
  };

  app.post('/services/data/:version/composite/sobjects/:type', async (request, reply) => {
    const version = apiVersion(request);
    const { type } = parseWith(TypeParamsSchema, request.params, 'path');
    const { ids, fields } = parseWith(RetrieveBodySchema, request.body, 'request body');
    return sendJson(reply, 200, retrieve(version, type, ids, fields));
  });

  app.get('/services/data/:version/composite/sobjects/:type', async (request, reply) => {
    const version = apiVersion(request);
    const { type } = parseWith(TypeParamsSchema, request.params, 'path');
    const query = parseWith(RetrieveQuerySchema, request.query, 'query parameters');
    const split = (s: string | undefined) =>
      (s ?? '')
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x !== '');
    return sendJson(reply, 200, retrieve(version, type, split(query.ids), split(query.fields)));
  });
}
