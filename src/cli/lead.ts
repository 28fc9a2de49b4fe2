import type { Command } from 'commander';
import { loadConfig } from '../config/env';
import { readDevInfo } from '../dev/dev-info';
import { crmConnections } from './connections';
import { UserError } from './errors';

/** The handover of one lead, by HubSpot id or by email (looked up in HubSpot). */
async function handoverHandle(lead: string, opts: { dev?: boolean }) {
  const { Client, Connection } = await import('@temporalio/client');
  const { handoverWorkflowId } = await import('../../workflows/lead-handover/api');
  const config = loadConfig();
  const address = opts.dev ? readDevInfo(config.home).temporal.address : config.temporal.address;
  let hubspotId = lead;
  if (lead.includes('@')) {
    const c = await crmConnections(opts);
    await c.store.close();
    const { contactIdByEmail } = await import('../crm/hubspot/contacts');
    const id = await contactIdByEmail(c.hubspot, lead);
    if (!id) throw new UserError(`HubSpot has no contact with the email ${lead}.`);
    hubspotId = id;
  }
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  return { handle: client.workflow.getHandle(handoverWorkflowId(hubspotId)), close: () => connection.close() };
}

/** `baton lead`: one lead's handover, for admins. */
export function registerLeadCommands(program: Command): void {
  const lead = program.command('lead').description("Inspect and steer one lead's handover (admins)");
  const leadAction =
    (run: (h: Awaited<ReturnType<typeof handoverHandle>>['handle']) => Promise<unknown>) =>
    async (id: string, opts: { dev?: boolean }) => {
      const { handle, close } = await handoverHandle(id, opts);
      try {
        process.stdout.write(`${JSON.stringify(await run(handle), null, 2)}\n`);
      } finally {
        await close();
      }
    };
  lead
    .command('show')
    .argument('<lead>', 'HubSpot contact id or email')
    .option('--dev', 'use the running `baton dev`')
    .description('the handover state: stage, owner, SLA due time, breaches, outcome, history')
    .action(async (id: string, opts: { dev?: boolean }) => {
      const { handoverStateQuery } = await import('../../workflows/lead-handover/api');
      await leadAction((h) => h.query(handoverStateQuery))(id, opts);
    });
  lead
    .command('accept')
    .argument('<lead>', 'HubSpot contact id or email')
    .option('--note <text>', 'a note for marketing')
    .option('--dev', 'use the running `baton dev`')
    .description('sales accepts the lead: SQL is written back to HubSpot')
    .action(async (id: string, opts: { note?: string; dev?: boolean }) => {
      const { acceptUpdate } = await import('../../workflows/lead-handover/api');
      await leadAction((h) => h.executeUpdate(acceptUpdate, { args: [opts.note ? { note: opts.note } : {}] }))(
        id,
        opts,
      );
    });
  lead
    .command('reject')
    .argument('<lead>', 'HubSpot contact id or email')
    .requiredOption('--reason <text>', 'why sales rejects the lead (required; goes back to marketing)')
    .option('--recycle', 'back to nurture rather than disqualified')
    .option('--dev', 'use the running `baton dev`')
    .description('sales rejects the lead with a reason; it goes back to marketing nurture')
    .action(async (id: string, opts: { reason: string; recycle?: boolean; dev?: boolean }) => {
      const { rejectUpdate } = await import('../../workflows/lead-handover/api');
      await leadAction((h) =>
        h.executeUpdate(rejectUpdate, { args: [{ reason: opts.reason, ...(opts.recycle ? { recycle: true } : {}) }] }),
      )(id, opts);
    });
  lead
    .command('reassign')
    .argument('<lead>', 'HubSpot contact id or email')
    .option('--to <email>', 'the rep to give it to (default: the next eligible rep)')
    .option('--dev', 'use the running `baton dev`')
    .description('give the lead to another rep')
    .action(async (id: string, opts: { to?: string; dev?: boolean }) => {
      const { reassignUpdate } = await import('../../workflows/lead-handover/api');
      await leadAction((h) => h.executeUpdate(reassignUpdate, { args: [opts.to ? { toEmail: opts.to } : {}] }))(
        id,
        opts,
      );
    });
}
