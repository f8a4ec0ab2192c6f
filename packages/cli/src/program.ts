// The `pilothouse` command tree: every command, with output and exits routed through main.ts.

import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { hubCommand } from './commands/hub.js';
import { adminCommands } from './commands/admin.js';
import { trustCommand } from './commands/trust.js';
import { runCommand } from './commands/run.js';
import { doctorCommand } from './commands/doctor.js';
import { demoCommand } from './commands/demo.js';
import { machineCommand } from './commands/machine.js';
import { modelCommand } from './commands/model.js';
import { backupCommands } from './commands/backup.js';

/** This package's version, from its package.json (src/ and dist/ both sit one level below it); CHANGELOG.md has a section for each. */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const EXAMPLES = `
Examples:
  pilothouse demo                          # try it: hub, scripted model and Codex on this machine, no API key
  pilothouse hub                           # run a hub (web UI, API, socket) on http://127.0.0.1:4860
  pilothouse trust . && pilothouse run     # run Codex here; hub, token, channel from flags, env or config.toml
  pilothouse machine                       # let the channel start sessions here from the web
  pilothouse model                         # a scripted model to try run against, no account needed
  pilothouse doctor                        # check this machine, one line per check with its fix
  pilothouse run --help                    # every command has --help with examples`;

export function buildProgram(): Command {
  const program = new Command('pilothouse')
    .description('Run a coding agent on your machine while your team watches and steers it from a shared thread.')
    .version(VERSION)
    .showHelpAfterError(false)
    .addHelpText('after', EXAMPLES);
  program.addCommand(demoCommand());
  program.addCommand(hubCommand());
  for (const cmd of adminCommands()) program.addCommand(cmd);
  for (const cmd of backupCommands()) program.addCommand(cmd);
  program.addCommand(trustCommand());
  program.addCommand(runCommand());
  program.addCommand(machineCommand());
  program.addCommand(modelCommand());
  program.addCommand(doctorCommand());
  return program;
}

/** Every command in the tree, the root first. */
export function allCommands(cmd: Command): Command[] {
  return [cmd, ...cmd.commands.flatMap(allCommands)];
}
