/**
 * The `baton` command: one file per command group (run, sandbox, tools, sync, lead, mappings).
 * User mistakes end with one plain sentence and an exit code (errors.ts), never a stack.
 */
import { Command } from 'commander';
import { describeFailure } from './errors';
import { registerLeadCommands } from './lead';
import { registerMappingsCommands } from './mappings';
import { registerRunCommands } from './run';
import { registerSandboxCommand } from './sandbox';
import { registerSyncCommands } from './sync';
import { registerToolsCommands } from './tools';

const program = new Command();
program
  .name('baton')
  .description('Baton: HubSpot ↔ Salesforce sync and the lead handover, on Temporal.')
  // A wrong flag gets commander's one-line error and a pointer to the help, not the whole help.
  .showHelpAfterError('(add --help for usage)');
// Options after a subcommand belong to it: `sync errors --json` is not `sync --json`.
program.enablePositionalOptions();

registerRunCommands(program);
registerSandboxCommand(program);
registerToolsCommands(program);
registerSyncCommands(program);
registerLeadCommands(program);
registerMappingsCommands(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  const { text, exitCode } = describeFailure(err);
  process.stderr.write(`${text}\n`);
  process.exit(exitCode);
});
