// `pilothouse`: the one CLI that runs the hub, the admin commands and (later) the runner.

import { Command, CommanderError } from 'commander';
import { hubCommand } from './commands/hub.js';
import { adminCommands } from './commands/admin.js';
import { trustCommand } from './commands/trust.js';
import { runCommand } from './commands/run.js';
import { doctorCommand } from './commands/doctor.js';
import { exitWith, UsageError } from './errors.js';

const program = new Command('pilothouse')
  .description('Run a coding agent on your machine while your team watches and steers it from a shared thread.')
  .version('0.1.0')
  .showHelpAfterError(false)
  .exitOverride()
  .configureOutput({ writeErr: () => {} });

program.addCommand(hubCommand());
for (const cmd of adminCommands()) program.addCommand(cmd);
program.addCommand(trustCommand());
program.addCommand(runCommand());
program.addCommand(doctorCommand());

function applyToAll(cmd: Command): void {
  cmd.exitOverride().configureOutput({ writeErr: () => {} });
  cmd.commands.forEach(applyToAll);
}
applyToAll(program);

// A command group without a subcommand (or no command at all) shows its help on stderr, exit 2.
const args = process.argv.slice(2);
const group = args.length === 0 ? program : program.commands.find((c) => c.name() === args[0] && args.length === 1 && c.commands.length > 0);
if (group) {
  process.stderr.write(group.helpInformation());
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
