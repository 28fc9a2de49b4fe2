/**
 * Sandbox controls for tests, the demo and benchmarks (not part of the Salesforce API):
 * request counts per route, reset to the start preset, re-seeding with a preset, expiring
 * access tokens, and converting a lead without a SOAP client.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { convertLead } from '../convert';
import { saveErrorsToApiError } from '../errors';
import { parseWith, type SandboxContext, sendJson } from './context';

const SeedBodySchema = z.object({ preset: z.enum(['demo', 'empty']) });
/** The LeadConvert fields, in JSON; the status defaults to the org's converted status. */
const ConvertLeadBodySchema = z.object({
  leadId: z.string().min(1),
  convertedStatus: z.string().default('Closed - Converted'),
  accountId: z.string().optional(),
  contactId: z.string().optional(),
  ownerId: z.string().optional(),
  doNotCreateOpportunity: z.boolean().optional(),
  opportunityName: z.string().optional(),
  overwriteLeadSource: z.boolean().optional(),
});

export function registerAdminRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.get('/__sandbox/stats', async (_request, reply) => {
    return sendJson(reply, 200, { total: ctx.stats.total, requests: { ...ctx.stats.requests } });
  });

  app.post('/__sandbox/reset', async (_request, reply) => {
    ctx.seed(ctx.defaultPreset);
    return sendJson(reply, 200, { ok: true, preset: ctx.defaultPreset });
  });

  // Every token issued so far stops working now; clients with a refresh token get new ones.
  app.post('/__sandbox/expire-tokens', async (_request, reply) => {
    return sendJson(reply, 200, { ok: true, expired: ctx.sessions.expireAll() });
  });

  // The SOAP convertLead call, without SOAP: for tests and the demo. Failures answer 400
  // with the errors in the REST error shape.
  app.post('/__sandbox/convert-lead', async (request, reply) => {
    const body = parseWith(ConvertLeadBodySchema, request.body ?? {}, 'request body');
    const result = convertLead(ctx.state, body, { userId: ctx.state.apiUserId, now: ctx.now() });
    if (!result.success) throw saveErrorsToApiError(result.errors);
    return sendJson(reply, 200, result);
  });

  app.post('/__sandbox/seed', async (request, reply) => {
    const { preset } = parseWith(SeedBodySchema, request.body ?? {}, 'request body');
    ctx.seed(preset);
    return sendJson(reply, 200, { ok: true, preset });
  });
}
