// `pilothouse doctor`: one line per check (Node, Codex, sandbox, the other agents, hub, token, trusted folders),
// with the fix for each failure; exit 0 when nothing failed, 1 otherwise.

import { resolve } from 'node:path';
import { Command, Option } from 'commander';

export function doctorCommand(): Command {
  return new Command('doctor')
    .description('Check that this machine can run Pilothouse: Node, the Codex binary, the sandbox, Claude Code and Gemini CLI (found, version, key or sign-in), the hub and token, trusted folders.')
    .addOption(new Option('--hub <url>', 'hub URL to check').env('PILOTHOUSE_HUB'))
    .addOption(new Option('--token <token>', 'API token to check against the hub').env('PILOTHOUSE_TOKEN'))
    .option('--cwd <dir>', 'the folder to check for trust', process.cwd())
    .option('--json', 'one JSON object per check: {"status","name","detail","fix"?}', false)
    .addHelpText(
      'after',
      '\nExamples:\n  pilothouse doctor\n  pilothouse doctor --hub http://127.0.0.1:4860 --token ph_…\n  pilothouse doctor --json',
    )
    .action(async (flags: { hub?: string; token?: string; cwd: string; json: boolean }) => {
      const { allPassed, formatJson, formatLine, runDoctor } = await import('../doctor/index.js');
      const results = await runDoctor({ env: process.env, cwd: resolve(flags.cwd), hub: flags.hub, token: flags.token });
      for (const r of results) process.stdout.write(`${flags.json ? formatJson(r) : formatLine(r)}\n`);
      process.exitCode = allPassed(results) ? 0 : 1;
    });
}
