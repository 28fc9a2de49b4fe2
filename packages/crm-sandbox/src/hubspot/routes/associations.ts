/**
 * Associations v4 between contacts and companies.
 * https://developers.hubspot.com/docs/api/crm/associations
 */
import type { FastifyInstance } from 'fastify';
import { limitParam, parseInput, single, type Query, type SandboxContext } from '../context';
import { associationType, defaultTypeOf, type AssociationTypeDefinition } from '../associations';
import { HubSpotApiError, validationError } from '../errors';
import { batchTooLarge } from '../objects';
import { associationSpecList, batchAssociateDefaultInput, batchAssociationReadInput } from '../schemas';
import { OBJECT_TYPES, objectTypeOf, type CrmObjectType } from '../store';
import { toIso } from '../time';

const PAGE_DEFAULT_LIMIT = 500;
const PAGE_MAX_LIMIT = 500;

/** The object type in a path: `contacts`, `contact` or `0-1`. */
export function objectTypeParam(name: string): CrmObjectType {
  const type = objectTypeOf(name);
  // HubSpot's answer to an object type it does not know.
  if (!type) throw validationError(`Unable to infer object type from: ${name}`);
  return type;
}

/** Sandbox text: the wording of HubSpot's error for an association to a record that does not exist is not on record. */
function recordNotFound(type: CrmObjectType, id: string): HubSpotApiError {
  return new HubSpotApiError(
    404,
    `No ${OBJECT_TYPES[type].singular.toLowerCase()} with ID ${id} exists.`,
    'OBJECT_NOT_FOUND',
    {
      context: { id: [id] },
    },
  );
}

/** `{category, typeId, label}` of one association type, as the v4 reads answer. */
function presentType(def: AssociationTypeDefinition): { category: string; typeId: number; label: string | null } {
  return { category: def.category, typeId: def.typeId, label: def.label };
}

export function registerAssociationRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const state = ctx.state;
  const now = (): number => state.now();

  const assertExists = (type: CrmObjectType, id: string): void => {
    if (!state.objects[type].getActive(id)) throw recordNotFound(type, id);
  };

  const associatedTo = (from: CrmObjectType, fromId: string, to: CrmObjectType) =>
    state.associations.list(from, fromId, to).map(([toObjectId, typeIds]) => ({
      toObjectId,
      associationTypes: typeIds
        .map((t) => associationType(from, to, t))
        .filter((d) => d !== undefined)
        .map(presentType),
    }));

  /** The default association both ways, as `associations/default` answers it. */
  const associateDefault = (from: CrmObjectType, fromId: string, to: CrmObjectType, toId: string) => {
    const forward = defaultTypeOf(from, to);
    if (!forward) throw validationError(`There is no default association type from ${from} to ${to}.`);
    state.associations.associate(from, fromId, to, toId, [forward.typeId]);
    return [
      {
        from: { id: fromId },
        to: { id: toId },
        associationSpec: { associationCategory: forward.category, associationTypeId: forward.typeId },
      },
      {
        from: { id: toId },
        to: { id: fromId },
        associationSpec: { associationCategory: forward.category, associationTypeId: forward.inverseTypeId },
      },
    ];
  };

  app.put<{ Params: { fromType: string; fromId: string; toType: string; toId: string } }>(
    '/crm/v4/objects/:fromType/:fromId/associations/default/:toType/:toId',
    async (request) => {
      const startedAt = now();
      const from = objectTypeParam(request.params.fromType);
      const to = objectTypeParam(request.params.toType);
      const { fromId, toId } = request.params;
      assertExists(from, fromId);
      assertExists(to, toId);
      const results = associateDefault(from, fromId, to, toId);
      return { status: 'COMPLETE', results, startedAt: toIso(startedAt), completedAt: toIso(now()) };
    },
  );

  app.put<{ Params: { fromType: string; fromId: string; toType: string; toId: string } }>(
    '/crm/v4/objects/:fromType/:fromId/associations/:toType/:toId',
    async (request, reply) => {
      const from = objectTypeParam(request.params.fromType);
      const to = objectTypeParam(request.params.toType);
      const { fromId, toId } = request.params;
      const specs = parseInput(associationSpecList, request.body, 'List<AssociationSpec>');
      const defs = specs.map((s) => {
        const def = associationType(from, to, s.associationTypeId);
        if (!def || def.category !== s.associationCategory) {
          // Sandbox text for an association type that does not exist between the two objects.
          throw validationError(
            `${s.associationCategory} association type ${s.associationTypeId} does not exist from ${from} to ${to}.`,
          );
        }
        return def;
      });
      assertExists(from, fromId);
      assertExists(to, toId);
      state.associations.associate(
        from,
        fromId,
        to,
        toId,
        defs.map((d) => d.typeId),
      );
      const labels =
        state.associations
          .list(from, fromId, to)
          .find(([id]) => id === toId)?.[1]
          .map((t) => associationType(from, to, t)?.label)
          .filter((l): l is string => typeof l === 'string') ?? [];
      return reply.code(201).send({
        fromObjectTypeId: OBJECT_TYPES[from].objectTypeId,
        fromObjectId: fromId,
        toObjectTypeId: OBJECT_TYPES[to].objectTypeId,
        toObjectId: toId,
        labels,
      });
    },
  );

  app.get<{ Params: { fromType: string; fromId: string; toType: string }; Querystring: Query }>(
    '/crm/v4/objects/:fromType/:fromId/associations/:toType',
    async (request) => {
      const from = objectTypeParam(request.params.fromType);
      const to = objectTypeParam(request.params.toType);
      const limit = limitParam(request.query.limit, PAGE_DEFAULT_LIMIT, PAGE_MAX_LIMIT);
      const after = Number(single(request.query.after) ?? 0);
      const start = Number.isInteger(after) && after > 0 ? after : 0;
      const all = associatedTo(from, request.params.fromId, to);
      const results = all.slice(start, start + limit);
      if (start + limit >= all.length) return { results };
      const next = String(start + limit);
      const link = new URL(
        `${ctx.baseUrl()}/crm/v4/objects/${request.params.fromType}/${request.params.fromId}/associations/${request.params.toType}`,
      );
      link.searchParams.set('limit', String(limit));
      link.searchParams.set('after', next);
      return { results, paging: { next: { after: next, link: link.toString() } } };
    },
  );

  app.delete<{ Params: { fromType: string; fromId: string; toType: string; toId: string } }>(
    '/crm/v4/objects/:fromType/:fromId/associations/:toType/:toId',
    async (request, reply) => {
      const from = objectTypeParam(request.params.fromType);
      const to = objectTypeParam(request.params.toType);
      // 204 whether or not the two were associated, like the other archive endpoints.
      state.associations.disassociate(from, request.params.fromId, to, request.params.toId);
      return reply.code(204).send();
    },
  );

  app.post<{ Params: { fromType: string; toType: string } }>(
    '/crm/v4/associations/:fromType/:toType/batch/read',
    async (request, reply) => {
      const startedAt = now();
      const from = objectTypeParam(request.params.fromType);
      const to = objectTypeParam(request.params.toType);
      const input = parseInput(
        batchAssociationReadInput,
        request.body,
        'BatchInputPublicFetchAssociationsBatchRequest',
      );
      const tooMany = batchTooLarge(input.inputs.length, 1000);
      if (tooMany) throw tooMany;
      const results = [];
      const missing: string[] = [];
      for (const { id } of input.inputs) {
        const targets = associatedTo(from, id, to);
        // HubSpot lists ids without associations as errors rather than empty results.
        if (targets.length === 0) missing.push(id);
        else results.push({ from: { id }, to: targets });
      }
      const body: Record<string, unknown> = {
        status: 'COMPLETE',
        results,
        startedAt: toIso(startedAt),
        completedAt: toIso(now()),
      };
      if (missing.length > 0) {
        body.numErrors = missing.length;
        body.errors = missing.map((id) => ({
          status: 'error',
          category: 'OBJECT_NOT_FOUND',
          // Sandbox text: HubSpot's wording for a record without associations is not on record.
          message: `No ${OBJECT_TYPES[to].singular.toLowerCase()} is associated with ${OBJECT_TYPES[from].singular.toLowerCase()} ${id}.`,
          context: { fromObjectId: [id] },
          links: {},
          errors: [],
        }));
      }
      return reply.code(missing.length > 0 ? 207 : 200).send(body);
    },
  );

  app.post<{ Params: { fromType: string; toType: string } }>(
    '/crm/v4/associations/:fromType/:toType/batch/associate/default',
    async (request) => {
      const startedAt = now();
      const from = objectTypeParam(request.params.fromType);
      const to = objectTypeParam(request.params.toType);
      const input = parseInput(batchAssociateDefaultInput, request.body, 'BatchInputPublicDefaultAssociationMultiPost');
      const tooMany = batchTooLarge(input.inputs.length, 2000);
      if (tooMany) throw tooMany;
      // All or nothing: every record must exist before any association is made.
      for (const i of input.inputs) {
        assertExists(from, i.from.id);
        assertExists(to, i.to.id);
      }
      const results = input.inputs.flatMap((i) => associateDefault(from, i.from.id, to, i.to.id));
      return { status: 'COMPLETE', results, startedAt: toIso(startedAt), completedAt: toIso(now()) };
    },
  );
}
