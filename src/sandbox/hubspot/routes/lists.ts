/**
 * Lists v3, the part a handover needs: read lists, change and read memberships.
 * https://developers.hubspot.com/docs/api/crm/lists
 */
import type { FastifyInstance } from 'fastify';
import { limitParam, parseInput, single, type Query, type SandboxContext } from '../context';
import { HubSpotApiError, validationError } from '../errors';
import type { ListRecord } from '../lists';
import { recordIdList } from '../schemas';
import type { ObjectStore } from '../store';
import { toIso } from '../time';

const MEMBERSHIP_DEFAULT_LIMIT = 100;
const MEMBERSHIP_MAX_LIMIT = 250;

function listNotFound(listId: string): HubSpotApiError {
  // Sandbox text: the wording of HubSpot's 404 for an unknown list is not on record.
  return new HubSpotApiError(404, `List ${listId} does not exist.`, 'OBJECT_NOT_FOUND', { context: { listId: [listId] } });
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
    size: lists().size(l.listId),
  });

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

  const change = (mode: 'add' | 'remove') => async (request: { params: { listId: string }; body: unknown }) => {
    const list = getList(request.params.listId);
    if (list.processingType === 'DYNAMIC') {
      // Sandbox text: HubSpot refuses manual changes to active lists.
      throw validationError(`List ${list.listId} is a DYNAMIC list; only MANUAL and SNAPSHOT lists accept membership changes.`);
    }
    const ids = parseInput(recordIdList, request.body, 'List<String>');
    const store = storeFor(list);
    const exists = (id: string): boolean => store?.getActive(id) !== undefined;
    const at = ctx.state.now();
    return mode === 'add' ? lists().addMembers(list.listId, ids, exists, at) : lists().removeMembers(list.listId, ids, exists, at);
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
