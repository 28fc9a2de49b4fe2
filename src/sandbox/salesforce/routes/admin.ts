/**
 * Sandbox controls for tests, the demo and benchmarks (not part of the Salesforce API):
 * request counts per route, reset to the start preset, and re-seeding with a preset.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseWith, type SandboxContext, sendJson } from './context';

const SeedBodySchema = z.object({ preset: z.enum(['demo', 'empty']) });

export function registerAdminRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.get('/__sandbox/stats', async (_request, reply) => {
    return sendJson(reply, 200, { total: ctx.stats.total, requests: { ...ctx.stats.requests } });
  });

  app.post('/__sandbox/reset', async (_request, reply) => {
    ctx.seed(ctx.defaultPreset);
    return sendJson(reply, 200, { ok: true, preset: ctx.defaultPreset });
  });

  app.post('/__sandbox/seed', async (request, reply) => {
    const { preset } = parseWith(SeedBodySchema, request.body ?? {}, 'request body');
    ctx.seed(preset);
    return sendJson(reply, 200, { ok: true, preset });
  });
}
