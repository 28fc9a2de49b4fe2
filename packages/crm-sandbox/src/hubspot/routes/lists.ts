/**
 * Lists v3, the part a handover needs: read lists, change and read memberships.
 * https://developers.hubspot.com/docs/api/crm/lists
 */
import type { FastifyInstance } from 'fastify';
import { limitParam, parseInput, single, type Query, type SandboxContext } from '../context';
import { HubSpotApiError, validationError } from '../errors';
import type { ListRecord } from '../lists';
import { listCreateInput, listSearchInput, recordIdList } from '../schemas';
import { OBJECT_TYPES, objectTypeOf, type ObjectStore } from '../store';
import { toIso } from '../time';

const MEMBERSHIP_DEFAULT_LIMIT = 100;
const MEMBERSHIP_MAX_LIMIT = 250;
const SEARCH_DEFAULT_COUNT = 20;
const SEARCH_MAX_COUNT = 500;

function listNotFound(listId: string): HubSpotApiError {
  // Sandbox text: the wording of HubSpot's 404 for an unknown list is not on record.
  return new HubSpotApiError(404, `List ${listId} does not exist.`, 'OBJECT_NOT_FOUND', {
    context: { listId: [listId] },
  });
}

export function registerListRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const lists = (): SandboxContext['state']['lists'] => ctx.state.lists;

  const storeFor = (list: ListRecord): ObjectStore | undefined =>
    Object.values(ctx.state.objects).find((s) => s.config.objectTypeId === list.objectTypeId);

  const present = (l: ListRecord): Record<string, unknown> => ({
    listId: l.listId,
    listVersion: l.listVersion,
    name: l.name,
    objectTypeId: l.objectTypeId,
    processingStatus: 'COMPLETE',
    processingType: l.processingType,
    createdAt: toIso(l.createdAt),
    updatedAt: toIso(l.updatedAt),
    ...(l.processingType === 'DYNAMIC' ? { filtersUpdatedAt: toIso(l.createdAt) } : {}),
    ...(l.deletedAt !== undefined ? { deletedAt: toIso(l.deletedAt) } : {}),
    size: lists().size(l.listId),
  });

  /** A search hit: no size, but `additionalProperties` with HubSpot's `hs_list_size` (as text). */
  const presentSearchResult = (l: ListRecord): Record<string, unknown> => {
    const { size: _size, ...rest } = present(l);
    const members = lists().memberships(l.listId);
    const lastAdded = members.reduce((max, [, at]) => Math.max(max, at), 0);
    const additionalProperties: Record<string, string> = { hs_list_size: String(members.length) };
    if (lastAdded > 0) additionalProperties.hs_last_record_added_at = String(lastAdded);
    return { ...rest, additionalProperties };
  };

  const getList = (listId: string): ListRecord => {
    const list = lists().get(listId);
    if (!list) throw listNotFound(listId);
    return list;
  };

  const byIds = async (request: { query: Query }): Promise<Record<string, unknown>> => {
    const raw = request.query.listIds;
    const ids = raw === undefined ? undefined : (Array.isArray(raw) ? raw : [raw]).flatMap((v) => v.split(','));
    const found = ids === undefined ? lists().all() : ids.map((id) => lists().get(id)).filter((l) => l !== undefined);
    return { lists: found.map(present) };
  };
  app.get<{ Querystring: Query }>('/crm/v3/lists', byIds);
  app.get<{ Querystring: Query }>('/crm/v3/lists/', byIds);

  app.get<{ Params: { listId: string } }>('/crm/v3/lists/:listId', async (request) => ({
    list: present(getList(request.params.listId)),
  }));

  // Lists are created MANUAL or SNAPSHOT here; DYNAMIC ones need a filterBranch, which the
  // sandbox does not evaluate (POST /__sandbox/lists creates them with search filters).
  const create = async (request: { body: unknown }): Promise<Record<string, unknown>> => {
    const input = parseInput(listCreateInput, request.body, 'ListCreateRequest');
    const type = objectTypeOf(input.objectTypeId);
    if (!type) throw validationError(`Unable to infer object type from: ${input.objectTypeId}`);
    if (input.processingType === 'DYNAMIC') {
      throw validationError(
        'The sandbox cannot evaluate a filterBranch; create DYNAMIC lists with POST /__sandbox/lists.',
      );
    }
    if (
      lists()
        .all()
        .some((l) => l.name.toLowerCase() === input.name.toLowerCase())
    ) {
      // Sandbox text: HubSpot refuses a second list with the same name; its wording is not on record.
      throw validationError(`A list named "${input.name}" already exists.`);
    }
    const at = ctx.state.now();
    const list: ListRecord = {
      listId: lists().nextId(),
      name: input.name,
      objectTypeId: OBJECT_TYPES[type].objectTypeId,
      processingType: input.processingType,
      createdAt: at,
      updatedAt: at,
      listVersion: 1,
    };
    ctx.state.addList(list);
    return { list: present(list) };
  };
  app.post('/crm/v3/lists', create);
  app.post('/crm/v3/lists/', create);

  app.get<{ Params: { objectTypeId: string; listName: string } }>(
    '/crm/v3/lists/object-type-id/:objectTypeId/name/:listName',
    async (request) => {
      const { objectTypeId, listName } = request.params;
      const type = objectTypeOf(objectTypeId);
      const list = lists()
        .all()
        .find(
          (l) =>
            l.name.toLowerCase() === listName.toLowerCase() &&
            l.objectTypeId === (type ? OBJECT_TYPES[type].objectTypeId : objectTypeId),
        );
      if (!list) throw listNotFound(listName);
      return { list: present(list) };
    },
  );

  // https://developers.hubspot.com/docs/api/crm/lists#search-for-a-list-by-name
  app.post('/crm/v3/lists/search', async (request) => {
    const input = parseInput(listSearchInput, request.body ?? {}, 'ListSearchRequest');
    const query = input.query?.trim().toLowerCase() ?? '';
    const count = Math.min(input.count ?? SEARCH_DEFAULT_COUNT, SEARCH_MAX_COUNT);
    const offset = input.offset ?? 0;
    const matching = lists()
      .all()
      .filter((l) => query === '' || l.name.toLowerCase().includes(query))
      .filter((l) => !input.processingTypes || input.processingTypes.includes(l.processingType))
      .filter((l) => !input.listIds || input.listIds.includes(l.listId))
      .sort((a, b) => Number(a.listId) - Number(b.listId));
    const page = matching.slice(offset, offset + count);
    return {
      lists: page.map(presentSearchResult),
      total: matching.length,
      offset: offset + page.length,
      hasMore: offset + page.length < matching.length,
    };
  });

  app.delete<{ Params: { listId: string } }>('/crm/v3/lists/:listId', async (request, reply) => {
    if (!lists().remove(request.params.listId, ctx.state.now())) throw listNotFound(request.params.listId);
    return reply.code(204).send();
  });

  app.put<{ Params: { listId: string } }>('/crm/v3/lists/:listId/restore', async (request, reply) => {
    if (!lists().restore(request.params.listId, ctx.state.now())) throw listNotFound(request.params.listId);
    return reply.code(204).send();
  });

  const change = (mode: 'add' | 'remove') => async (request: { params: { listId: string }; body: unknown }) => {
    const list = getList(request.params.listId);
    if (list.processingType === 'DYNAMIC') {
      // Sandbox text: HubSpot refuses manual changes to active lists.
      throw validationError(
        `List ${list.listId} is a DYNAMIC list; only MANUAL and SNAPSHOT lists accept membership changes.`,
      );
    }
    const ids = parseInput(recordIdList, request.body, 'List<String>');
    const store = storeFor(list);
    const exists = (id: string): boolean => store?.getActive(id) !== undefined;
    const at = ctx.state.now();
    return mode === 'add'
      ? lists().addMembers(list.listId, ids, exists, at)
      : lists().removeMembers(list.listId, ids, exists, at);
  };
  app.put<{ Params: { listId: string } }>('/crm/v3/lists/:listId/memberships/add', change('add'));
  app.put<{ Params: { listId: string } }>('/crm/v3/lists/:listId/memberships/remove', change('remove'));

  app.get<{ Params: { listId: string }; Querystring: Query }>('/crm/v3/lists/:listId/memberships', async (request) => {
    const list = getList(request.params.listId);
    const limit = limitParam(request.query.limit, MEMBERSHIP_DEFAULT_LIMIT, MEMBERSHIP_MAX_LIMIT);
    const after = Number(single(request.query.after) ?? 0);
    const start = Number.isInteger(after) && after > 0 ? after : 0;
    const all = lists().memberships(list.listId);
    const results = all
      .slice(start, start + limit)
      .map(([recordId, at]) => ({ recordId, membershipTimestamp: toIso(at) }));
    const body: Record<string, unknown> = { total: all.length, results };
    if (start + limit < all.length) body.paging = { next: { after: String(start + limit) } };
    return body;
  });

  app.get<{ Params: { objectTypeId: string; recordId: string } }>(
    '/crm/v3/lists/records/:objectTypeId/:recordId/memberships',
    async (request) => {
      const { objectTypeId, recordId } = request.params;
      const results = lists()
        .listsOf(recordId)
        .filter(({ list }) => list.objectTypeId === objectTypeId)
        .map(({ list, addedAt }) => ({
          listId: list.listId,
          listVersion: list.listVersion,
          firstAddedTimestamp: toIso(addedAt),
          lastAddedTimestamp: toIso(addedAt),
        }));
      return { total: results.length, results };
    },
  );
}
