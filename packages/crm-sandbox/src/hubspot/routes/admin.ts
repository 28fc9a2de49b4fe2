/** Sandbox-only controls for tests and the demo; no HubSpot counterpart, no token needed. */
import type { FastifyInstance } from 'fastify';
import { parseInput, type SandboxContext } from '../context';
import { HubSpotApiError, validationError } from '../errors';
import type { ListRecord } from '../lists';
import { sandboxListInput, sandboxWorkflowInput, seedInput } from '../schemas';
import { applyPreset } from '../seed';
import { OBJECT_TYPES, objectTypeOf } from '../store';
import { presentWorkflow } from './workflows';

export const ADMIN_PREFIX = '/__sandbox';

export function registerAdminRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const summary = (): Record<string, number> => ({
    contacts: ctx.state.contacts.size,
    companies: ctx.state.companies.size,
    owners: ctx.state.owners.list().length,
    lists: ctx.state.lists.all().length,
    workflows: ctx.state.workflows.list().length,
  });

  app.get(`${ADMIN_PREFIX}/stats`, async () => ctx.stats.toJSON());

  app.post(`${ADMIN_PREFIX}/reset`, async () => {
    ctx.state.clear();
    ctx.stats.reset();
    return { ok: true, ...summary() };
  });

  app.post(`${ADMIN_PREFIX}/seed`, async (request) => {
    const { preset } = parseInput(seedInput, request.body, 'SeedRequest');
    applyPreset(ctx.state, preset);
    ctx.stats.reset();
    return { ok: true, preset, ...summary() };
  });

  /**
   * Lists of any processing type. A DYNAMIC list takes CRM-search `filterGroups` and its
   * members follow every write (how a suppression property takes a lead out of a campaign).
   */
  app.post(`${ADMIN_PREFIX}/lists`, async (request, reply) => {
    const input = parseInput(sandboxListInput, request.body, 'SandboxListRequest');
    const type = objectTypeOf(input.objectTypeId);
    if (!type) throw validationError(`Unable to infer object type from: ${input.objectTypeId}`);
    if (input.filterGroups && input.processingType !== 'DYNAMIC')
      throw validationError('filterGroups apply to DYNAMIC lists only.');
    const listId = input.listId ?? ctx.state.lists.nextId();
    if (ctx.state.lists.getIncludingDeleted(listId)) {
      throw new HubSpotApiError(409, `List ${listId} already exists.`, 'CONFLICT');
    }
    const at = ctx.state.now();
    const list: ListRecord = {
      listId,
      name: input.name,
      objectTypeId: OBJECT_TYPES[type].objectTypeId,
      processingType: input.processingType,
      createdAt: at,
      updatedAt: at,
      listVersion: 1,
      ...(input.filterGroups ? { filterGroups: input.filterGroups } : {}),
    };
    ctx.state.addList(list);
    return reply
      .code(201)
      .send({ listId, name: list.name, processingType: list.processingType, size: ctx.state.lists.size(listId) });
  });

  /** Legacy workflows (HubSpot's API v2 cannot create them in a way worth modelling). */
  app.post(`${ADMIN_PREFIX}/workflows`, async (request, reply) => {
    const input = parseInput(sandboxWorkflowInput, request.body, 'SandboxWorkflowRequest');
    const id = input.id ?? Math.max(5_100_000, ...ctx.state.workflows.list().map((w) => w.id)) + 1;
    if (ctx.state.workflows.get(id)) throw new HubSpotApiError(409, `Workflow ${id} already exists.`, 'CONFLICT');
    const at = ctx.state.now();
    const workflow = {
      id,
      name: input.name,
      description: input.description,
      type: input.type,
      enabled: input.enabled,
      insertedAt: at,
      updatedAt: at,
    };
    ctx.state.workflows.add(workflow);
    return reply.code(201).send(presentWorkflow(workflow));
  });
}
