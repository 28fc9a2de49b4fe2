/**
 * CRM object routes, shared by every object type.
 * https://developers.hubspot.com/docs/api/crm/contacts
 */
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { ASSOCIATION_TYPES, associationType } from '../associations';
import { boolParam, limitParam, parseInput, single, type Query, type SandboxContext } from '../context';
import { validationError } from '../errors';
import {
  batchTooLarge,
  CrmObjects,
  MAX_BATCH_INPUTS,
  MAX_HISTORY_BATCH_INPUTS,
  type ObjectNotFoundError,
} from '../objects';
import { historyOf, nameList, presentRecord, readNames, type SimplePublicObjectJson } from '../present';
import {
  batchArchiveInput,
  batchCreateInput,
  batchReadInput,
  batchUpdateInput,
  mergeInput,
  searchInput,
  simplePublicObjectInput,
} from '../schemas';
import { normalizeSorts, SEARCH_LIMITS, type SearchFilter, type SearchFilterGroup } from '../search';
import { OBJECT_TYPES, objectTypeOf, type CrmObjectType, type CrmRecord } from '../store';
import { toIso } from '../time';

/** The list endpoint's page size: default 10, at most 100 (larger values are capped), 50 with history. */
const LIST_DEFAULT_LIMIT = 10;
const LIST_MAX_LIMIT = 100;
const LIST_MAX_LIMIT_WITH_HISTORY = 50;

/** An association to make together with a new record. */
interface PlannedAssociation {
  to: CrmObjectType;
  toId: string;
  typeId: number;
}

type CreateAssociationsInput = NonNullable<z.output<typeof simplePublicObjectInput>['associations']>;

interface BatchBody<T> {
  status: 'COMPLETE';
  results: T[];
  numErrors?: number;
  errors?: ObjectNotFoundError[];
  startedAt: string;
  completedAt: string;
}

/**
 * HubSpot does not promise batch results in input order (a 207 may also leave records out);
 * clients pair them by id or by the `objectWriteTraceId` they sent. The sandbox answers in
 * reverse order, so a client that pairs by position fails here rather than in production.
 * https://developers.hubspot.com/docs/api-reference/error-handling (multi-status errors)
 */
function unordered<T>(results: T[]): T[] {
  return [...results].reverse();
}

/** A result with the trace id its input carried, as HubSpot echoes it. */
function traced<T extends object>(result: T, trace: string | undefined): T & { objectWriteTraceId?: string } {
  return trace === undefined ? result : { ...result, objectWriteTraceId: trace };
}

function batchBody<T>(
  results: T[],
  startedAt: number,
  completedAt: number,
  errors: ObjectNotFoundError[] = [],
): BatchBody<T> {
  const body: BatchBody<T> = {
    status: 'COMPLETE',
    results,
    startedAt: toIso(startedAt),
    completedAt: toIso(completedAt),
  };
  if (errors.length > 0) {
    body.numErrors = errors.length;
    body.errors = errors;
  }
  return body;
}

type FilterInput = NonNullable<z.output<typeof searchInput>['filters']>[number];

/** Drops the nulls some clients send for unused filter fields. */
function toFilter(f: FilterInput): SearchFilter {
  return {
    propertyName: f.propertyName,
    operator: f.operator,
    ...(f.value != null ? { value: f.value } : {}),
    ...(f.highValue != null ? { highValue: f.highValue } : {}),
    ...(f.values != null ? { values: f.values } : {}),
  };
}

export function registerObjectRoutes(app: FastifyInstance, ctx: SandboxContext, type: CrmObjectType): void {
  const objects = new CrmObjects(ctx.state, type);
  const base = `/crm/v3/objects/${type}`;
  const now = (): number => ctx.state.now();

  /**
   * A read's answer for one record: requested properties, and when asked for, their
   * history and the record's associations (`associations=companies`, v3 style).
   */
  const present = (
    record: CrmRecord,
    names: readonly string[],
    historyNames: readonly string[] | undefined,
    associationTypes: readonly CrmObjectType[] = [],
  ): SimplePublicObjectJson => {
    const extras: Parameters<typeof presentRecord>[2] = {};
    if (historyNames) extras.propertiesWithHistory = historyOf(record, historyNames, objects.store, objects.registry);
    const associations: NonNullable<SimplePublicObjectJson['associations']> = {};
    for (const to of associationTypes) {
      const results = ctx.state.associations
        .list(type, record.id, to)
        .flatMap(([id, typeIds]) => typeIds.map((typeId) => ({ id, type: v3AssociationName(type, to, typeId) })));
      if (results.length > 0) associations[to] = { results };
    }
    if (Object.keys(associations).length > 0) extras.associations = associations;
    return presentRecord(record, names, extras);
  };

  /** Checks associations given on create before anything is written: all or nothing. */
  const planAssociations = (inputs: CreateAssociationsInput | null | undefined): PlannedAssociation[] => {
    const planned: PlannedAssociation[] = [];
    for (const input of inputs ?? []) {
      for (const spec of input.types) {
        const def = ASSOCIATION_TYPES.find(
          (t) => t.from === type && t.typeId === spec.associationTypeId && t.category === spec.associationCategory,
        );
        // Sandbox texts: HubSpot's wording for these two 400s is not on record.
        if (!def) {
          throw validationError(
            `${spec.associationCategory} association type ${spec.associationTypeId} does not exist for ${type}.`,
          );
        }
        if (!ctx.state.objects[def.to].getActive(input.to.id)) {
          throw validationError(
            `Cannot associate with ${OBJECT_TYPES[def.to].singular.toLowerCase()} ${input.to.id}: it does not exist.`,
          );
        }
        planned.push({ to: def.to, toId: input.to.id, typeId: def.typeId });
      }
    }
    return planned;
  };

  const associate = (record: CrmRecord, planned: readonly PlannedAssociation[]): void => {
    for (const p of planned) ctx.state.associations.associate(type, record.id, p.to, p.toId, [p.typeId]);
  };

  app.get<{ Querystring: Query }>(base, async (request) => {
    const q = request.query;
    const historyNames = nameList(q.propertiesWithHistory);
    const limit = limitParam(q.limit, LIST_DEFAULT_LIMIT, historyNames ? LIST_MAX_LIMIT_WITH_HISTORY : LIST_MAX_LIMIT);
    const after = Number(single(q.after) ?? 0);
    const names = readNames(nameList(q.properties), objects.config, objects.registry);
    const assoc = associationTypesParam(q.associations);
    const page = objects.list(limit, Number.isFinite(after) ? after : 0, boolParam(q.archived));
    const results = page.records.map((r) => present(r, names, historyNames, assoc));
    if (page.nextAfter === undefined) return { results };
    const link = new URL(`${ctx.baseUrl()}${base}`);
    link.searchParams.set('limit', String(limit));
    link.searchParams.set('after', page.nextAfter);
    return { results, paging: { next: { after: page.nextAfter, link: link.toString() } } };
  });

  app.post(base, async (request, reply) => {
    const input = parseInput(simplePublicObjectInput, request.body, 'SimplePublicObjectInputForCreate');
    const planned = planAssociations(input.associations);
    const record = objects.create(input.properties);
    associate(record, planned);
    reply.header('location', `${ctx.baseUrl()}${base}/${record.id}`);
    return reply.code(201).send(presentRecord(record));
  });

  app.get<{ Params: { id: string }; Querystring: Query }>(`${base}/:id`, async (request) => {
    const q = request.query;
    const record = objects.resolve(request.params.id, single(q.idProperty), boolParam(q.archived));
    const names = readNames(nameList(q.properties), objects.config, objects.registry);
    return present(record, names, nameList(q.propertiesWithHistory), associationTypesParam(q.associations));
  });

  app.patch<{ Params: { id: string }; Querystring: Query }>(`${base}/:id`, async (request) => {
    const input = parseInput(simplePublicObjectInput, request.body, 'SimplePublicObjectInput');
    const record = objects.update(request.params.id, single(request.query.idProperty), input.properties);
    return presentRecord(record);
  });

  app.delete<{ Params: { id: string }; Querystring: Query }>(`${base}/:id`, async (request, reply) => {
    objects.archive(request.params.id, single(request.query.idProperty));
    return reply.code(204).send();
  });

  app.post<{ Querystring: Query }>(`${base}/batch/read`, async (request, reply) => {
    const startedAt = now();
    const input = parseInput(batchReadInput, request.body, 'BatchReadInputSimplePublicObjectId');
    const history = (input.propertiesWithHistory?.length ?? 0) > 0;
    const tooMany = batchTooLarge(input.inputs.length, history ? MAX_HISTORY_BATCH_INPUTS : MAX_BATCH_INPUTS);
    if (tooMany) throw tooMany;
    const { records, missing } = objects.batchRead(
      input.inputs.map((i) => i.id),
      input.idProperty,
      boolParam(request.query.archived),
    );
    const names = readNames(input.properties, objects.config, objects.registry);
    const historyNames = history ? input.propertiesWithHistory : undefined;
    const errors = missing.length > 0 ? [objects.notFoundError(missing)] : [];
    return reply
      .code(errors.length > 0 ? 207 : 200)
      .send(batchBody(unordered(records.map((r) => present(r, names, historyNames))), startedAt, now(), errors));
  });

  app.post(`${base}/batch/create`, async (request, reply) => {
    const startedAt = now();
    const input = parseInput(batchCreateInput, request.body, 'BatchInputSimplePublicObjectBatchInputForCreate');
    const tooMany = batchTooLarge(input.inputs.length);
    if (tooMany) throw tooMany;
    const planned = input.inputs.map((i) => planAssociations(i.associations));
    const records = objects.batchCreate(input.inputs.map((i) => i.properties));
    records.forEach((r, i) => associate(r, planned[i] ?? []));
    return reply
      .code(201)
      .send(
        batchBody(
          unordered(records.map((r, i) => traced(presentRecord(r), input.inputs[i]?.objectWriteTraceId))),
          startedAt,
          now(),
        ),
      );
  });

  app.post(`${base}/batch/update`, async (request, reply) => {
    const startedAt = now();
    const input = parseInput(batchUpdateInput, request.body, 'BatchInputSimplePublicObjectBatchInput');
    const tooMany = batchTooLarge(input.inputs.length);
    if (tooMany) throw tooMany;
    const { records, inputs, missing } = objects.batchUpdate(input.inputs);
    const errors = missing.length > 0 ? [objects.notFoundError(missing)] : [];
    return reply
      .code(errors.length > 0 ? 207 : 200)
      .send(
        batchBody(
          unordered(records.map((r, i) => traced(presentRecord(r), inputs[i]?.objectWriteTraceId))),
          startedAt,
          now(),
          errors,
        ),
      );
  });

  app.post(`${base}/batch/upsert`, async (request, reply) => {
    const startedAt = now();
    const input = parseInput(batchUpdateInput, request.body, 'BatchInputSimplePublicObjectBatchInputUpsert');
    const tooMany = batchTooLarge(input.inputs.length);
    if (tooMany) throw tooMany;
    const { results, missing } = objects.batchUpsert(input.inputs);
    const errors = missing.length > 0 ? [objects.notFoundError(missing)] : [];
    const body = batchBody<SimplePublicObjectJson & { new: boolean }>(
      unordered(
        results.map(({ record, isNew, input }) => ({
          ...traced(presentRecord(record), input.objectWriteTraceId),
          new: isNew,
        })),
      ),
      startedAt,
      now(),
      errors,
    );
    return reply.code(errors.length > 0 ? 207 : 200).send(body);
  });

  // Merging answers 200 with the primary record, which keeps its id.
  app.post(`${base}/merge`, async (request) => {
    const input = parseInput(mergeInput, request.body, 'PublicMergeInput');
    return presentRecord(objects.merge(input.primaryObjectId, input.objectIdToMerge));
  });

  app.post(`${base}/batch/archive`, async (request, reply) => {
    const input = parseInput(batchArchiveInput, request.body, 'BatchInputSimplePublicObjectId');
    const tooMany = batchTooLarge(input.inputs.length);
    if (tooMany) throw tooMany;
    objects.batchArchive(input.inputs.map((i) => i.id));
    return reply.code(204).send();
  });

  // https://developers.hubspot.com/docs/api/crm/search
  app.post(`${base}/search`, async (request) => {
    const input = parseInput(searchInput, request.body ?? {}, 'PublicObjectSearchRequest');
    const filterGroups: SearchFilterGroup[] = (input.filterGroups ?? []).map((g) => ({
      filters: g.filters.map(toFilter),
    }));
    if (input.filters && input.filters.length > 0) filterGroups.push({ filters: input.filters.map(toFilter) });
    const limit = input.limit ?? SEARCH_LIMITS.defaultPageSize;
    const after = input.after ?? 0;
    const page = objects.search({
      filterGroups,
      sorts: normalizeSorts(input.sorts ?? []),
      ...(input.query != null ? { query: input.query } : {}),
      limit,
      after,
    });
    const names = readNames(input.properties ?? undefined, objects.config, objects.registry);
    const results = page.records.map((r) => presentRecord(r, names));
    if (page.nextAfter === undefined) return { total: page.total, results };
    const link = `${ctx.baseUrl()}${base}/search?after=${page.nextAfter}`;
    return { total: page.total, results, paging: { next: { after: page.nextAfter, link } } };
  });
}

/** `associations=companies,0-1`: the object types whose associations a v3 read includes. */
function associationTypesParam(param: string | string[] | undefined): CrmObjectType[] {
  const out: CrmObjectType[] = [];
  for (const name of nameList(param) ?? []) {
    const t = objectTypeOf(name);
    if (t && !out.includes(t)) out.push(t);
  }
  return out;
}

/** v3 names association types `contact_to_company` (primary) and `contact_to_company_unlabeled`. */
function v3AssociationName(from: CrmObjectType, to: CrmObjectType, typeId: number): string {
  const base = `${OBJECT_TYPES[from].singular.toLowerCase()}_to_${OBJECT_TYPES[to].singular.toLowerCase()}`;
  return associationType(from, to, typeId)?.label === null ? `${base}_unlabeled` : base;
}
