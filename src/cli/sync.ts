import { Option, type Command } from 'commander';
import { loadConfig } from '../config/env';
import type { RecordOutcome } from '../sync';
import type { SyncErrorStatus } from '../store/types';
import { DEFAULT_SEARCH_LAG_MS } from '../../workflows/delta-sync/api';
import { crmConnections } from './connections';

function describeOutcome(o: RecordOutcome): string {
  const [from, to] = o.direction === 'to_salesforce' ? ['hubspot', 'salesforce'] : ['salesforce', 'hubspot'];
  const fields = Object.entries(o.fields).map(([k, v]) => `${k}=${v === null ? '(blank)' : JSON.stringify(v)}`);
  const back = Object.entries(o.writtenBack).map(([k, v]) => `${k}=${v === null ? '(blank)' : JSON.stringify(v)}`);
  const target = o.targetId ? `${to}:${o.targetId}` : `${to}:(new)`;
  if (o.action === 'rejected') return `  rejected  ${from}:${o.sourceId}: ${o.reason ?? ''}`;
  if (o.action === 'unchanged') return `  unchanged ${from}:${o.sourceId} = ${target}`;
  // Conversions followed and deletions applied: the reason names both records.
  if (o.action === 'follow' || o.action === 'unlink' || o.action === 'archive' || o.action === 'skip')
    return `  ${o.action.padEnd(9)} ${o.reason ?? `${from}:${o.sourceId}`}`;
  return `  ${o.action.padEnd(9)} ${from}:${o.sourceId} → ${target}: ${fields.join(', ') || '(no fields)'}${back.length ? `; written back to ${from}: ${back.join(', ')}` : ''}`;
}

/** `baton sync`: one cycle now, and the records the other side rejected. */
export function registerSyncCommands(program: Command): void {
  const sync = program.command('sync').description('Delta sync between HubSpot and Salesforce');
  sync
    .option('--once', 'run one sync cycle in this process (without Temporal) and print what it did')
    .option('--dry-run', 'with --once: read and compare, write nothing, move no cursor')
    .option('--json', 'print the result as JSON')
    .option('--mapping <name>', 'only this mapping (default: every mapping file)')
    .option('--dev', 'use the CRMs and store of a running `baton dev` (.baton/dev.json)')
    .action(async (opts: { once?: boolean; dryRun?: boolean; json?: boolean; mapping?: string; dev?: boolean }) => {
      if (!opts.once) {
        process.stderr.write(
          'The worker syncs on a schedule. Use `baton sync --once [--dry-run]` to run one cycle now, `baton sync errors` or `baton sync retry`.\n',
        );
        process.exitCode = 1;
        return;
      }
      const { createMappingProvider } = await import('../config/mapping-provider');
      const { syncOnce } = await import('../sync/once');
      const c = await crmConnections(opts);
      try {
        const provider = createMappingProvider(c.config.mappingsDir);
        const selected = opts.mapping ? [provider.get(opts.mapping)] : provider.all();
        const report: Record<string, unknown> = {};
        for (const mapping of selected) {
          const outcomes: RecordOutcome[] = [];
          const result = await syncOnce(c, mapping, {
            dryRun: opts.dryRun,
            searchLagMs: DEFAULT_SEARCH_LAG_MS,
            onRecord: (o) => outcomes.push(o),
          });
          report[mapping.name] = { result, records: outcomes };
          if (!opts.json) {
            process.stdout.write(`${mapping.name}${opts.dryRun ? ' (dry run: nothing written)' : ''}\n`);
            for (const o of outcomes.filter((x) => x.action !== 'unchanged'))
              process.stdout.write(`${describeOutcome(o)}\n`);
            for (const [direction, t] of Object.entries(result)) {
              process.stdout.write(
                `  ${direction}: read ${t.read}, ${opts.dryRun ? 'would create' : 'created'} ${t.created}, ${opts.dryRun ? 'would update' : 'updated'} ${t.updated}, unchanged ${t.unchanged}, rejected ${t.rejected}, conflicts ${t.conflicts}\n`,
              );
            }
          }
        }
        if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      } finally {
        await c.store.close();
      }
    });

  sync
    .command('errors')
    .description('List records the other side rejected, with the reason and the next retry')
    .option('--mapping <name>', 'only this mapping')
    .addOption(
      new Option(
        '--status <status>',
        'which errors: unresolved (open and given up), open (still retried), gave_up (need a fix by hand), resolved, all',
      )
        .choices(['unresolved', 'open', 'gave_up', 'resolved', 'all'])
        .default('unresolved'),
    )
    .option('--json', 'print as JSON')
    .action(async (opts: { mapping?: string; status: 'unresolved' | 'all' | SyncErrorStatus; json?: boolean }) => {
      const { openStore } = await import('../store');
      const config = loadConfig();
      const store = await openStore(config.databaseUrl);
      try {
        const status: SyncErrorStatus[] | undefined =
          opts.status === 'all' ? undefined : opts.status === 'unresolved' ? ['open', 'gave_up'] : [opts.status];
        const errors = await store.syncErrors.list({ mapping: opts.mapping, status });
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(errors, null, 2)}\n`);
          return;
        }
        for (const e of errors) {
          const when =
            e.status === 'open'
              ? `next retry ${e.nextAttemptAt.toISOString()}`
              : e.status === 'gave_up'
                ? 'not retried: fix the record or the mapping, then `baton sync retry`'
                : `resolved ${e.resolvedAt?.toISOString() ?? ''}`;
          process.stdout.write(
            `${e.mapping} ${e.direction} ${e.sourceId} [${e.errorCode ?? 'ERROR'}] ${e.status}, attempts ${e.attempts}, ${when}\n    ${e.reason}\n`,
          );
        }
        process.stdout.write(
          `${errors.length} ${opts.status === 'all' ? '' : `${opts.status.replace('_', ' ')} `}error(s)\n`,
        );
      } finally {
        await store.close();
      }
    });

  sync
    .command('resolve')
    .description(
      'Mark sync errors resolved by hand (e.g. two records a merge reported as duplicates that are not): they are no longer retried or listed as unresolved',
    )
    .argument('<ids...>', "the records' ids on the side they were read from, as `baton sync errors` lists them")
    .option('--mapping <name>', 'the mapping', 'contact')
    .addOption(
      new Option('--direction <direction>', 'only this direction (default: both)').choices([
        'to_salesforce',
        'to_hubspot',
      ]),
    )
    .action(async (ids: string[], opts: { mapping: string; direction?: 'to_salesforce' | 'to_hubspot' }) => {
      const { openStore } = await import('../store');
      const store = await openStore(loadConfig().databaseUrl);
      try {
        let resolved = 0;
        for (const direction of opts.direction ? [opts.direction] : (['to_salesforce', 'to_hubspot'] as const))
          resolved += await store.syncErrors.resolve(opts.mapping, direction, ids);
        process.stdout.write(`${resolved} error(s) resolved\n`);
        if (resolved === 0) {
          process.stderr.write(
            `No open or given-up error of mapping ${opts.mapping} for ${ids.join(', ')}; \`baton sync errors\` lists them with their ids.\n`,
          );
          process.exitCode = 1;
        }
      } finally {
        await store.close();
      }
    });

  sync
    .command('retry')
    .description('Retry every open or given-up sync error now, whatever its backoff')
    .option('--mapping <name>', 'only this mapping (default: every mapping file)')
    .option('--dev', 'use the CRMs and store of a running `baton dev` (.baton/dev.json)')
    .action(async (opts: { mapping?: string; dev?: boolean }) => {
      const { createMappingProvider } = await import('../config/mapping-provider');
      const { retryOpenErrors } = await import('../sync/once');
      const c = await crmConnections(opts);
      try {
        const provider = createMappingProvider(c.config.mappingsDir);
        for (const mapping of opts.mapping ? [provider.get(opts.mapping)] : provider.all()) {
          const lines: string[] = [];
          const result = await retryOpenErrors(c, mapping, (o) => lines.push(describeOutcome(o)));
          process.stdout.write(`${mapping.name}\n${lines.join('\n')}${lines.length ? '\n' : ''}`);
          for (const [direction, t] of Object.entries(result))
            process.stdout.write(
              `  ${direction}: retried ${t.read}, created ${t.created}, updated ${t.updated}, still rejected ${t.rejected}\n`,
            );
        }
      } finally {
        await c.store.close();
      }
    });
}
