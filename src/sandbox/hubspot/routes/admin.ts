/** Sandbox-only controls for tests and the demo; no HubSpot counterpart, no token needed. */
import type { FastifyInstance } from 'fastify';
import { parseInput, type SandboxContext } from '../context';
import { seedInput } from '../schemas';
import { applyPreset } from '../seed';

export const ADMIN_PREFIX = '/__sandbox';

export function registerAdminRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const summary = (): Record<string, number> => ({
    contacts: ctx.state.contacts.size,
    owners: ctx.state.owners.list().length,
    lists: ctx.state.lists.all().length,
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
}
