// `pilothouse machine`: the daemon that lets the channel start sessions on this machine (within
// the owner's [machine] limits in config.toml), and `pilothouse machine install`, which writes a
// systemd user unit (Linux) or a launchd agent (macOS) that keeps it running.

import { mkdirSync, writeFileSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import type { MachineLimits } from '@pilothouse/protocol';
import { parseChannelRef } from '@pilothouse/protocol/lite';
import { pilothouseHome } from '@pilothouse/runner/options';
import { UsageError } from '../errors.js';
import { configPath, loadConfig, type MachineDefaults } from '../config/config.js';

/** The owner's limits: config.toml [machine], or these defaults (one session at a time, no full access). */
export function machineLimits(m: MachineDefaults): MachineLimits {
  return {
    may_start: [...(m.mayStart ?? [])],
    max_sessions: m.maxSessions ?? 4,
    sandboxes: [...(m.sandboxes ?? ['workspace-write', 'read-only'])],
    approval_policies: [...(m.approvalPolicies ?? ['on-request', 'untrusted'])],
    port_base: m.portBase ?? 41000,
  };
}

/** The command that is `pilothouse` in this process (node, its flags, the entry script): runners are started with it. */
export function selfCommand(): string[] {
  const entry = process.argv[1];
  if (entry === undefined) throw new UsageError('cannot tell how pilothouse was started (no script path); run it as `pilothouse machine`.');
  return [process.execPath, ...process.execArgv, resolve(entry)];
}

export type ServicePlatform = 'linux' | 'macos';

/** The service file for `platform`: where it goes and what it says. Pure. */
export function serviceFile(platform: ServicePlatform, opts: { command: readonly string[]; home: string; userHome: string; env: NodeJS.ProcessEnv }): { path: string; text: string; start: string } {
  switch (platform) {
    case 'linux': {
      const dir = join(opts.env.XDG_CONFIG_HOME ?? join(opts.userHome, '.config'), 'systemd', 'user');
      const quote = (a: string) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `"${a.replace(/(["\\$`])/g, '\\$1')}"`);
      const text = [
        '[Unit]',
        'Description=Pilothouse machine daemon (start agent sessions from the web)',
        'After=network-online.target',
        'Wants=network-online.target',
        '',
        '[Service]',
        `ExecStart=${[...opts.command, 'machine'].map(quote).join(' ')}`,
        `Environment=PILOTHOUSE_HOME=${quote(opts.home)}`,
        'Restart=on-failure',
        'RestartSec=5',
        // Runners outlive a daemon restart (the next daemon adopts them): only the daemon is stopped.
        'KillMode=process',
        '',
        '[Install]',
        'WantedBy=default.target',
        '',
      ].join('\n');
      return { path: join(dir, 'pilothouse-machine.service'), text, start: 'systemctl --user daemon-reload && systemctl --user enable --now pilothouse-machine\n  logs: journalctl --user -u pilothouse-machine -f' };
    }
    case 'macos': {
      const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
      const args = [...opts.command, 'machine'].map((a) => `    <string>${esc(a)}</string>`).join('\n');
      const log = join(opts.home, 'logs', 'machine.log');
      const text = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>dev.pilothouse.machine</string>
  <key>ProgramArguments</key>
  <array>
${args}
  </array>
  <key>EnvironmentVariables</key>
  <dict>
    <key>PILOTHOUSE_HOME</key>
    <string>${esc(opts.home)}</string>
  </dict>
  <key>RunAtLoad</key>
  <true/>
  <key>KeepAlive</key>
  <dict>
    <key>SuccessfulExit</key>
    <false/>
  </dict>
  <key>AbandonProcessGroup</key>
  <true/>
  <key>StandardErrorPath</key>
  <string>${esc(log)}</string>
</dict>
</plist>
`;
      const path = join(opts.userHome, 'Library', 'LaunchAgents', 'dev.pilothouse.machine.plist');
      return { path, text, start: `launchctl bootstrap gui/$(id -u) ${path}\n  logs: tail -f ${log}` };
    }
    default: {
      const never: never = platform;
      return never;
    }
  }
}

interface MachineFlags {
  hub?: string;
  token?: string;
  channel?: string;
  name?: string;
  logLevel: string;
}

export function machineCommand(): Command {
  const cmd = new Command('machine')
    .description('Run the machine daemon: people in the channel may start agent sessions here from the web, within the limits in config.toml [machine].')
    .addOption(new Option('--hub <url>', 'hub URL').env('PILOTHOUSE_HUB'))
    .addOption(new Option('--token <token>', "your runner-scoped API token (prefer PILOTHOUSE_TOKEN or token = … in config.toml)").env('PILOTHOUSE_TOKEN'))
    .addOption(new Option('--channel <ws/ch>', 'the channel whose members see this machine').env('PILOTHOUSE_CHANNEL'))
    .option('--name <name>', 'how the machine is shown (default: [machine] name, else the host name)')
    .option('--log-level <level>', 'pino log level', process.env.PILOTHOUSE_LOG_LEVEL ?? 'info')
    .addHelpText(
      'after',
      `
Sessions start only in trusted folders (pilothouse trust DIR), with an installed agent, and within
the limits in config.toml:

  [machine]
  name = "laptop"
  may_start = ["bob"]            # besides you
  max_sessions = 4
  sandboxes = ["workspace-write", "read-only"]
  approval_policies = ["on-request", "untrusted"]
  port_base = 41000              # each session gets PORT from its own range of 10

Examples:
  pilothouse machine --channel acme/agents
  pilothouse machine install     # keep it running (systemd user unit or launchd agent)`,
    )
    .action(async (flags: MachineFlags) => {
      const home = pilothouseHome();
      const config = loadConfig(home);
      const file = configPath(home);
      const hub = flags.hub ?? config.hub;
      const token = flags.token ?? config.token;
      const channel = flags.channel ?? config.channel;
      if (!hub) throw new UsageError(`--hub is required: pass --hub URL, set PILOTHOUSE_HUB, or put hub = "http://…" in ${file}.`);
      if (!token) throw new UsageError(`--token is required: set PILOTHOUSE_TOKEN or put token = "ph_…" in ${file}; create one with: pilothouse token create --user NAME --scope runner`);
      if (!channel || !parseChannelRef(channel)) throw new UsageError(`--channel WS/CH is required, e.g. --channel acme/agents (or channel = "acme/agents" in ${file}).`);
      const name = flags.name ?? config.machine.name ?? hostname().split('.')[0] ?? 'machine';
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(name)) throw new UsageError(`--name ${name} is not a machine name: use 1–63 letters, digits, ".", "_" or "-".`);
      const [{ createLogger, toStderr }, { startMachine }] = await Promise.all([import('../logger.js'), import('@pilothouse/runner')]);
      const logger = createLogger(flags.logLevel, toStderr());
      const machine = await startMachine({ hubUrl: hub, token, channel, name, home, limits: machineLimits(config.machine), runnerCommand: selfCommand(), logger });
      const stop = () => void machine.close().then(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      await machine.ready.then(() => process.stdout.write(`Pilothouse machine ${name} in ${channel}\n`));
      await machine.done;
      process.exit(1);
    });
  cmd.addCommand(
    new Command('install')
      .description('Write a systemd user unit (Linux) or a launchd agent (macOS) that runs `pilothouse machine`, and print how to start it.')
      .addOption(new Option('--platform <platform>', 'which service manager to write for').choices(['linux', 'macos']).default(process.platform === 'darwin' ? 'macos' : 'linux'))
      .option('--print', 'print the file instead of writing it', false)
      .addHelpText('after', '\nExamples:\n  pilothouse machine install\n  pilothouse machine install --platform macos --print')
      .action((opts: { platform: ServicePlatform; print: boolean }) => {
        const service = serviceFile(opts.platform, { command: selfCommand(), home: pilothouseHome(), userHome: process.env.HOME ?? homedir(), env: process.env });
        if (opts.print) {
          process.stdout.write(service.text);
          return;
        }
        mkdirSync(dirname(service.path), { recursive: true });
        writeFileSync(service.path, service.text, { mode: 0o644 });
        process.stdout.write(`wrote ${service.path}\nstart it with:\n  ${service.start}\n`);
      }),
  );
  return cmd;
}
