// `pilothouse run`: start Codex in this folder and bind it to a session thread on the hub.

import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { parseChannelRef } from '@pilothouse/protocol/lite';
import type { AgentChoice } from '@pilothouse/runner';
import { parseAgentName, parseApprovalPolicy, parseEffort, parseSandbox, pilothouseHome, type AgentName, type ApprovalPolicy, type Effort, type SandboxMode } from '@pilothouse/runner/options';
import { UsageError } from '../errors.js';
import { configPath, isPort, loadConfig, withConfig } from '../config/config.js';

const positiveInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive integer.');
  return n;
};
const wrap = <T>(parse: (v: string) => T) => (value: string): T => {
  try {
    return parse(value);
  } catch (err) {
    throw new InvalidArgumentError(err instanceof Error ? err.message : String(err));
  }
};
const collect = (value: string, previous: string[]) => [...previous, value];
const collectPort = (flag: string, example: number) => (value: string, previous: number[]): number[] => {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !isPort(n)) throw new InvalidArgumentError(`must be a TCP port number, 1–65535 (e.g. ${flag} ${example}).`);
  return previous.includes(n) ? previous : [...previous, n];
};

/**
 * `--no-forward <port>`: a list of its own. Commander reads a `--no-` flag as the negation of
 * `--forward` (it would set `forward` to false); `negate = false` makes it a plain option, `noForward`.
 */
function noForwardOption(): Option {
  const option = new Option('--no-forward <port>', 'never offer a preview of this port: listeners on it are not prompted (repeatable; also no_forward in config.toml)')
    .argParser(collectPort('--no-forward', 5432))
    .default([]);
  option.negate = false;
  return option;
}

/** The ports `run` forwards at once and those it never offers; a port cannot be both. */
export function portLists(flags: { forward: readonly number[]; noForward?: readonly number[] | undefined }): { forward: number[]; suppressPorts: number[] } {
  const suppressPorts = [...(flags.noForward ?? [])];
  const both = flags.forward.filter((p) => suppressPorts.includes(p));
  if (both.length > 0) throw new UsageError(`port ${both.join(', ')} is given to both --forward and --no-forward (or no_forward in config.toml); keep it in one of them.`);
  return { forward: [...flags.forward], suppressPorts };
}

/** `--agent` and the command after `--`: only an ACP agent takes (and needs) one. */
export function agentChoice(name: AgentName, command: readonly string[]): AgentChoice {
  if (name === 'acp') {
    if (command.length === 0) throw new UsageError('--agent acp needs the agent\'s command after --, e.g. pilothouse run --agent acp -- gemini --acp');
    return { name, command: [...command] };
  }
  if (command.length > 0) throw new UsageError(`unexpected arguments ${command.join(' ')}: only --agent acp takes a command (after --).`);
  return { name };
}

interface RunFlags {
  agent?: AgentName;
  hub?: string;
  token?: string;
  channel?: string;
  listenUser?: string;
  allow: string[];
  model?: string;
  effort?: Effort;
  fast: boolean;
  approvalPolicy?: ApprovalPolicy;
  sandbox?: SandboxMode;
  approvalTimeout?: number;
  streamFlushMs: number;
  forward: number[];
  noForward: number[];
  resume: boolean;
  tui: boolean;
  cwd: string;
  name?: string;
  logLevel: string;
}

export function runCommand(): Command {
  return new Command('run')
    .description('Run a coding agent (Codex by default) in this (trusted) folder, streaming into a session thread that your team can watch and steer.')
    .argument('[agent-command...]', 'with --agent acp: the ACP agent to start, after --')
    .option('--agent <name>', 'the agent to drive: codex, claude, gemini, or acp (then -- CMD [ARGS…]); default codex', wrap(parseAgentName))
    .addOption(new Option('--hub <url>', 'hub URL').env('PILOTHOUSE_HUB'))
    .addOption(new Option('--token <token>', 'API token (pilothouse token create)').env('PILOTHOUSE_TOKEN'))
    .addOption(new Option('--channel <ws/ch>', 'channel to open the session thread in').env('PILOTHOUSE_CHANNEL'))
    .option('--listen-user <name>', 'who steers the agent (default: the token\'s user)')
    .option('--allow <name>', 'also allow this user to steer and approve (repeatable)', collect, [])
    .option('--model <slug>', "model to use (default: the agent's own configuration)")
    .option('--effort <level>', 'reasoning effort: none, minimal, low, medium, high, xhigh', wrap(parseEffort))
    .option('--fast', 'use the fast service tier', false)
    .option('--approval-policy <policy>', 'on-request, never or untrusted; with --agent claude also its own modes: default, acceptEdits, plan, bypassPermissions, dontAsk', wrap(parseApprovalPolicy))
    .option('--sandbox <mode>', 'read-only, workspace-write or danger-full-access', wrap(parseSandbox))
    .option('--approval-timeout <seconds>', 'expire unanswered approvals after this long', positiveInt)
    .option('--stream-flush-ms <ms>', 'how often streamed output is sent to the hub', positiveInt, 150)
    .option('--forward <port>', 'pre-approve previews of this port, no prompt (repeatable)', collectPort('--forward', 5173), [])
    .addOption(noForwardOption())
    .option('--resume', "re-attach to the last session thread and agent thread of this folder", false)
    .option('--tui', "also open Codex's own terminal UI on this session (turns typed there are mirrored into the thread)", false)
    .option('--cwd <dir>', 'the folder to run in', process.cwd())
    .option('--name <name>', 'how this runner is shown (default: the host name)')
    .option('--log-level <level>', 'pino log level', process.env.PILOTHOUSE_LOG_LEVEL ?? 'info')
    .addHelpText(
      'after',
      '\nExamples:\n  pilothouse trust . && pilothouse run --hub http://127.0.0.1:4860 --token ph_… --channel acme/agents\n  pilothouse run --channel acme/agents --agent claude\n  pilothouse run --channel acme/agents --agent acp -- my-agent --acp\n  pilothouse run --channel acme/agents --allow bob --sandbox workspace-write --approval-policy on-request\n  pilothouse run --channel acme/agents --resume\n  pilothouse run --channel acme/agents --forward 5173 --no-forward 5432',
    )
    .action(async (agentCommand: string[], given: RunFlags, command: Command) => {
      // Flags, then their environment variables, then $PILOTHOUSE_HOME/config.toml.
      const flags = withConfig(given, loadConfig(pilothouseHome()));
      const file = configPath(pilothouseHome());
      const agent = agentChoice(flags.agent ?? 'codex', agentCommand);
      if (!flags.hub) throw new UsageError(`--hub is required: pass --hub URL, set PILOTHOUSE_HUB, or put hub = "http://…" in ${file}.`);
      if (!flags.token) throw new UsageError(`--token is required: pass --token, set PILOTHOUSE_TOKEN, or put token = "ph_…" in ${file}; create one with: pilothouse token create --user NAME`);
      if (!flags.channel || !parseChannelRef(flags.channel)) throw new UsageError(`--channel WS/CH is required, e.g. --channel acme/agents (or channel = "acme/agents" in ${file}).`);
      if (flags.tui && !(process.stdin.isTTY && process.stdout.isTTY)) throw new UsageError('--tui needs a terminal: run it in an interactive shell.');
      // With the TUI the terminal is Codex's: the runner logs to a file meanwhile.
      const ports = portLists(flags);
      const logFile = flags.tui ? join(pilothouseHome(), 'logs', `run-${new Date().toISOString().replace(/[:.]/g, '-')}.log`) : null;
      const [{ createLogger, toFile, toStderr }, { startRunner }] = await Promise.all([import('../logger.js'), import('@pilothouse/runner')]);
      const logger = createLogger(flags.logLevel, logFile ? toFile(logFile) : toStderr());
      if (logFile) process.stderr.write(`Opening the Codex TUI on the session; runner logs go to ${logFile}\n`);
      if (command.getOptionValueSource('token') === 'cli') {
        logger.warn({ event: 'token_on_command_line' }, `--token was visible to other users of this machine until the runner started; prefer PILOTHOUSE_TOKEN or token = "…" in ${file}`);
      }
      const runner = await startRunner({
        hubUrl: flags.hub,
        token: flags.token,
        channel: flags.channel,
        cwd: flags.cwd,
        home: pilothouseHome(),
        logger,
        listenUser: flags.listenUser,
        allow: flags.allow,
        runtime: { model: flags.model, effort: flags.effort, fast: flags.fast, approvalPolicy: flags.approvalPolicy, sandbox: flags.sandbox },
        streamFlushMs: flags.streamFlushMs,
        approvalTimeoutMs: flags.approvalTimeout ? flags.approvalTimeout * 1000 : null,
        resume: flags.resume,
        agent,
        tui: flags.tui,
        ...ports,
        ...(flags.name ? { name: flags.name } : {}),
      });
      const line = `Pilothouse session ${runner.threadId} in ${flags.channel} (runner ${runner.runnerId})\n`;
      // The TUI owns the screen now: say it once it is gone.
      if (!flags.tui) process.stdout.write(line);
      const stop = () => void runner.close('runner stopped').then(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      await runner.done;
      if (flags.tui) {
        process.stdout.write(line.replace('\n', ` ended with the Codex TUI; runner logs: ${String(logFile)}\n`));
        process.exit(0);
      }
    });
}
