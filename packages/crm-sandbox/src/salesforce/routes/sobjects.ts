/**
 * sObject resources: describeGlobal, describe, and single-record create, read, update,
 * delete, plus read and upsert by external id.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_basic_info.htm
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_retrieve.htm
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_upsert.htm
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { describeBasics, describeGlobal, describeSObject } from '../describe';
import { ApiError, notFound, saveErrorsToApiError } from '../errors';
import { toId18 } from '../ids';
import { recordUrl, renderRecord, resolveFieldList } from '../render';
import { type FieldSchema, getField, type ObjectSchema, type SObjectRecord } from '../schema';
import type { SaveResult } from '../state';
import { apiVersion, parseWith, RecordBodySchema, type SandboxContext, sendJson, writeContext } from './context';

const TypeParamsSchema = z.object({ version: z.string(), type: z.string() });
const RecordParamsSchema = TypeParamsSchema.extend({ id: z.string() });
const ExternalIdParamsSchema = TypeParamsSchema.extend({ field: z.string(), value: z.string() });
const FieldsQuerySchema = z.object({ fields: z.string().optional() });

export function registerSObjectRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const schemaOf = (type: string): ObjectSchema => {
    const schema = ctx.state.objectSchema(type);
    if (!schema) throw notFound();
    return schema;
  };

  /**
   * The record an id in the path names. A segment that is not an id reads as an external
   * id field name, which is why the API answers with that message.
   */
  const locate = (schema: ObjectSchema, rawId: string): { id: string; record: SObjectRecord } => {
    const id = toId18(rawId);
    if (!id) throw notFound(`Provided external ID field does not exist or is not accessible: ${rawId}`);
    const found = ctx.state.findById(id);
    if (!found || found.schema !== schema) throw notFound();
    return { id, record: found.record };
  };

  app.get('/services/data/:version/sobjects', async (request, reply) => {
    return sendJson(reply, 200, describeGlobal(ctx.state.schemas, apiVersion(request)));
  });

  app.get('/services/data/:version/sobjects/:type', async (request, reply) => {
    const version = apiVersion(request);
    const { type } = parseWith(TypeParamsSchema, request.params, 'path');
    return sendJson(reply, 200, { objectDescribe: describeBasics(schemaOf(type), version), recentItems: [] });
  });

  app.get('/services/data/:version/sobjects/:type/describe', async (request, reply) => {
    const version = apiVersion(request);
    const { type } = parseWith(TypeParamsSchema, request.params, 'path');
    return sendJson(reply, 200, describeSObject(ctx.state.schemas, schemaOf(type), version));
  });

  app.post('/services/data/:version/sobjects/:type', async (request, reply) => {
    apiVersion(request);
    const { type } = parseWith(TypeParamsSchema, request.params, 'path');
    const schema = schemaOf(type);
    const body = parseWith(RecordBodySchema, request.body, 'request body');
    const result = ctx.state.create(ctx.state.deserialize(schema.name, body), writeContext(ctx, request));
    if (!result.success) throw saveErrorsToApiError(result.errors);
    return sendJson(reply, 201, { id: result.id, success: true, errors: [] });
  });

  app.get('/services/data/:version/sobjects/:type/:id', async (request, reply) => {
    const version = apiVersion(request);
    const { type, id } = parseWith(RecordParamsSchema, request.params, 'path');
    const schema = schemaOf(type);
    const { record } = locate(schema, id);
    if (record.IsDeleted === true) throw notFound();
    const fields = fieldsParam(schema, request);
    return sendJson(reply, 200, renderRecord(schema, record, fields, version));
  });

  app.patch('/services/data/:version/sobjects/:type/:id', async (request, reply) => {
    apiVersion(request);
    const { type, id } = parseWith(RecordParamsSchema, request.params, 'path');
    const schema = schemaOf(type);
    const target = locate(schema, id);
    const body = parseWith(RecordBodySchema, request.body, 'request body');
    const input = ctx.state.deserialize(schema.name, body);
    const result = ctx.state.update({ schema, values: input.values }, target.id, writeContext(ctx, request));
    if (!result.success) throw singleRecordError(result);
    return reply.code(204).send();
  });

  app.delete('/services/data/:version/sobjects/:type/:id', async (request, reply) => {
    apiVersion(request);
    const { type, id } = parseWith(RecordParamsSchema, request.params, 'path');
    const schema = schemaOf(type);
    const target = locate(schema, id);
    const result = ctx.state.delete(schema.name, target.id, writeContext(ctx, request));
    if (!result.success) throw singleRecordError(result);
    return reply.code(204).send();
  });

  const externalIdField = (schema: ObjectSchema, name: string): FieldSchema => {
    const f = getField(schema, name);
    if (!f) throw notFound(`Provided external ID field does not exist or is not accessible: ${name}`);
    if (!f.externalId && f.type !== 'id') {
      throw ApiError.of(
        400,
        'INVALID_FIELD',
        `Field name provided, ${f.name} is not an External ID or indexed field for ${schema.name}`,
      );
    }
    return f;
  };

  /** Several records with one external id: 300 with their URLs (jsforce raises MULTIPLE_CHOICES). */
  const multipleChoices = (
    reply: FastifyReply,
    version: string,
    schema: ObjectSchema,
    records: readonly SObjectRecord[],
  ) =>
    sendJson(
      reply,
      300,
      records.map((r) => recordUrl(version, schema.name, String(r.Id))),
    );

  app.get('/services/data/:version/sobjects/:type/:field/:value', async (request, reply) => {
    const version = apiVersion(request);
    const params = parseWith(ExternalIdParamsSchema, request.params, 'path');
    const schema = schemaOf(params.type);
    const f = externalIdField(schema, params.field);
    const matches =
      f.type === 'id'
        ? [locate(schema, params.value).record].filter((r) => r.IsDeleted !== true)
        : ctx.state.findByIndexedField(schema.name, f.name, params.value);
    const [first, ...rest] = matches;
    if (!first) throw notFound();
    if (rest.length > 0) return multipleChoices(reply, version, schema, matches);
    return sendJson(reply, 200, renderRecord(schema, first, fieldsParam(schema, request), version));
  });

  app.patch('/services/data/:version/sobjects/:type/:field/:value', async (request, reply) => {
    const version = apiVersion(request);
    const params = parseWith(ExternalIdParamsSchema, request.params, 'path');
    const schema = schemaOf(params.type);
    const f = externalIdField(schema, params.field);
    const body = parseWith(RecordBodySchema, request.body, 'request body');
    const input = ctx.state.deserialize(schema.name, body);
    if (f.type !== 'id') {
      const matches = ctx.state.findByIndexedField(schema.name, f.name, params.value);
      if (matches.length > 1) return multipleChoices(reply, version, schema, matches);
    } else {
      locate(schema, params.value);
    }
    const result = ctx.state.upsert({ schema, values: input.values }, f, params.value, writeContext(ctx, request));
    if (!result.success) throw singleRecordError(result);
    // Since API 46.0 an upsert that updates answers 200 with a body (before: 204).
    return sendJson(reply, result.created ? 201 : 200, {
      id: result.id,
      success: true,
      errors: [],
      created: result.created === true,
    });
  });
}

function fieldsParam(schema: ObjectSchema, request: FastifyRequest): FieldSchema[] | undefined {
  const { fields } = parseWith(FieldsQuerySchema, request.query, 'query parameters');
  if (fields === undefined || fields.trim() === '') return undefined;
  return resolveFieldList(schema, fields.split(','));
}

/** Single-record calls answer a deleted record with 404, other failures with 400. */
function singleRecordError(result: Extract<SaveResult, { success: false }>): ApiError {
  const deleted = result.errors.some((e) => e.statusCode === 'ENTITY_IS_DELETED');
  return saveErrorsToApiError(result.errors, deleted ? 404 : 400);
}
