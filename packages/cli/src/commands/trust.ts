// `pilothouse trust [DIR]`: the runner only starts the agent inside folders trusted here.

import { Command } from 'commander';
import { pilothouseHome } from '@pilothouse/runner/options';

export function trustCommand(): Command {
  return new Command('trust')
    .description('Trust a folder (default: the current one): `pilothouse run` starts the agent only inside trusted folders.')
    .argument('[dir]', 'the folder to trust', '.')
    .option('--list', 'list trusted folders', false)
    .option('--remove', 'stop trusting the folder', false)
    .addHelpText('after', '\nExamples:\n  pilothouse trust\n  pilothouse trust ~/code/app\n  pilothouse trust --list\n  pilothouse trust ~/code/app --remove')
    .action(async (dir: string, opts: { list: boolean; remove: boolean }) => {
      const { TrustStore } = await import('@pilothouse/runner');
      const trust = new TrustStore(pilothouseHome());
      if (opts.list) {
        for (const f of trust.list()) process.stdout.write(`${f}\n`);
        return;
      }
      if (opts.remove) {
        process.stdout.write(trust.remove(dir) ? `no longer trusted: ${dir}\n` : `was not trusted: ${dir}\n`);
        return;
      }
      process.stdout.write(`trusted ${trust.add(dir)}\n`);
    });
}
