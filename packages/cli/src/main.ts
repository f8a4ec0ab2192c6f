// `pilothouse`: the one CLI that runs the demo, the hub, the admin commands and the runner.

import { CommanderError } from 'commander';
import { redactSecrets } from '@pilothouse/protocol/lite';
import { allCommands, buildProgram } from './program.js';
import { exitWith, UsageError } from './errors.js';

// A token passed as an argument is readable by every local user in `ps` and /proc/PID/cmdline:
// overwrite our command line at once (PILOTHOUSE_TOKEN or config.toml never show it at all).
if (process.argv.some((a) => /^--(token|password)(=|$)/.test(a))) process.title = redactSecrets(process.argv.join(' '));

const program = buildProgram();
// Errors are printed once, by exitWith, as one line.
for (const cmd of allCommands(program)) cmd.exitOverride().configureOutput({ writeErr: () => {} });

// A command group without a subcommand (or no command at all) shows its help on stderr, exit 2.
const args = process.argv.slice(2);
const group = args.length === 0 ? program : program.commands.find((c) => c.name() === args[0] && args.length === 1 && c.commands.length > 0);
if (group) {
  group.configureOutput({ writeErr: (text) => process.stderr.write(text) }).outputHelp({ error: true });
  process.exit(2);
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') process.exit(0);
    exitWith(new UsageError(err.message.replace(/^error: /, '')));
  }
  exitWith(err);
}
