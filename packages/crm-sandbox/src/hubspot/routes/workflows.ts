/**
 * The legacy Workflows API v2, the part Baton calls through `client.apiRequest` (there is
 * no generated client for it): list workflows, a contact's enrollments, enroll, unenroll.
 * https://developers.hubspot.com/docs/methods/workflows/workflows_overview
 */
import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../context';
import { HubSpotApiError } from '../errors';
import { SANDBOX_PORTAL_ID } from '../state';
import type { WorkflowRecord } from '../workflows';

/** Legacy v2 answers carry epoch milliseconds, not ISO text. */
export function presentWorkflow(w: WorkflowRecord): Record<string, unknown> {
  return {
    id: w.id,
    name: w.name,
    description: w.description,
    type: w.type,
    enabled: w.enabled,
    portalId: SANDBOX_PORTAL_ID,
    insertedAt: w.insertedAt,
    updatedAt: w.updatedAt,
    personaTagIds: [],
  };
}

/** Sandbox texts: the v2 API's 404 wordings are not on record. */
function workflowNotFound(id: string): HubSpotApiError {
  return new HubSpotApiError(404, `Workflow ${id} does not exist.`, 'OBJECT_NOT_FOUND', {
    context: { workflowId: [id] },
  });
}

function contactNotFound(email: string): HubSpotApiError {
  return new HubSpotApiError(404, `Contact with email ${email} does not exist.`, 'OBJECT_NOT_FOUND', {
    context: { email: [email] },
  });
}

export function registerWorkflowRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const workflows = (): SandboxContext['state']['workflows'] => ctx.state.workflows;

  const workflowOf = (raw: string): WorkflowRecord => {
    const w = /^\d+$/.test(raw) ? workflows().get(Number(raw)) : undefined;
    if (!w) throw workflowNotFound(raw);
    return w;
  };

  app.get('/automation/v2/workflows', async () => ({ workflows: workflows().list().map(presentWorkflow) }));

  app.get<{ Params: { workflowId: string } }>('/automation/v2/workflows/:workflowId', async (request) =>
    presentWorkflow(workflowOf(request.params.workflowId)),
  );

  // A contact without enrollments gets an empty list, also when the vid is unknown.
  app.get<{ Params: { vid: string } }>('/automation/v2/workflows/enrollments/contacts/:vid', async (request) =>
    workflows().enrollmentsOf(request.params.vid).map(presentWorkflow),
  );

  app.post<{ Params: { workflowId: string; email: string } }>(
    '/automation/v2/workflows/:workflowId/enrollments/contacts/:email',
    async (request, reply) => {
      const w = workflowOf(request.params.workflowId);
      const contact = ctx.state.contacts.findByUnique(request.params.email);
      if (!contact) throw contactNotFound(request.params.email);
      // Enrolling an enrolled contact again is accepted and changes nothing.
      workflows().enroll(w.id, contact.id, ctx.state.now());
      return reply.code(204).send();
    },
  );

  app.delete<{ Params: { workflowId: string; email: string } }>(
    '/automation/v2/workflows/:workflowId/enrollments/contacts/:email',
    async (request, reply) => {
      const w = workflowOf(request.params.workflowId);
      const contact = ctx.state.contacts.findByUnique(request.params.email);
      if (!contact) throw contactNotFound(request.params.email);
      if (!workflows().unenroll(w.id, contact.id)) {
        throw new HubSpotApiError(
          404,
          `Contact ${contact.id} is not enrolled in workflow ${w.id}.`,
          'OBJECT_NOT_FOUND',
          {
            context: { workflowId: [String(w.id)], vid: [contact.id] },
          },
        );
      }
      return reply.code(204).send();
    },
  );
}
