import type { Command } from 'commander';
import { loadConfig } from '../config/env';

/** `baton mappings check`. */
export function registerMappingsCommands(program: Command): void {
  const mappings = program.command('mappings').description('Field mapping files (mappings/*.yaml)');
  mappings
    .command('check')
    .description(
      'Check every mapping file and print each problem with file, line and a plain-English message; with CRM access, against their live schemas too',
    )
    .argument('[dir]', 'the mappings folder (default: BATON_MAPPINGS_DIR or mappings/)')
    .option('--json', 'print the report as JSON')
    .option('--dev', 'check against the CRM sandboxes of a running `baton dev` (reads .baton/dev.json)')
    .action(async (dir: string | undefined, opts: { json?: boolean; dev?: boolean }) => {
      const { runMappingsCheck } = await import('../config/mapping-live');
      const { crmSchemaReaderFor } = await import('../crm/schema-reader');
      const config = loadConfig();
      process.exitCode = await runMappingsCheck(
        { folder: dir ?? config.mappingsDir, json: opts.json, dev: opts.dev, config, connect: crmSchemaReaderFor },
        (text) => process.stdout.write(text),
        (text) => process.stderr.write(text),
      );
    });
}
