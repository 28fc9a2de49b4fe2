/**
 * Owners. The client calls `/crm/v3/owners/` with a trailing slash, people and docs
 * without one: both are served. https://developers.hubspot.com/docs/api/crm/owners
 */
import type { FastifyInstance } from 'fastify';
import { boolParam, limitParam, single, type Query, type SandboxContext } from '../context';
import { resourceNotFound } from '../errors';
import type { OwnerRecord } from '../owners';
import { toIso } from '../time';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 500;

export function presentOwner(o: OwnerRecord): Record<string, unknown> {
  return {
    id: o.id,
    email: o.email,
    type: 'PERSON',
    firstName: o.firstName,
    lastName: o.lastName,
    userId: o.userId,
    userIdIncludingInactive: o.userId,
    createdAt: toIso(o.createdAt),
    updatedAt: toIso(o.updatedAt),
    archived: o.archived,
    teams: o.teams,
  };
}

export function registerOwnerRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const page = async (request: { query: Query }): Promise<Record<string, unknown>> => {
    const q = request.query;
    const limit = limitParam(q.limit, DEFAULT_LIMIT, MAX_LIMIT);
    const archived = boolParam(q.archived);
    const email = single(q.email)?.trim().toLowerCase();
    const after = Number(single(q.after) ?? 0);
    const matching = ctx.state.owners
      .list()
      .filter((o) => o.archived === archived && (email === undefined || o.email.toLowerCase() === email));
    const start = Number.isInteger(after) && after > 0 ? after : 0;
    const results = matching.slice(start, start + limit).map(presentOwner);
    if (start + limit >= matching.length) return { results };
    const next = String(start + limit);
    const link = new URL(`${ctx.baseUrl()}/crm/v3/owners/`);
    link.searchParams.set('limit', String(limit));
    link.searchParams.set('after', next);
    return { results, paging: { next: { after: next, link: link.toString() } } };
  };
  app.get<{ Querystring: Query }>('/crm/v3/owners', page);
  app.get<{ Querystring: Query }>('/crm/v3/owners/', page);

  app.get<{ Params: { ownerId: string }; Querystring: Query }>('/crm/v3/owners/:ownerId', async (request) => {
    const archived = boolParam(request.query.archived);
    const { ownerId } = request.params;
    const owner =
      single(request.query.idProperty) === 'userId'
        ? ctx.state.owners.byUserId(Number(ownerId))
        : ctx.state.owners.get(ownerId);
    if (!owner || owner.archived !== archived) throw resourceNotFound();
    return presentOwner(owner);
  });
}
