// `pilothouse demo`: everything on this machine with no API key (demo/start.ts), one line to open
// it, and a clean stop: Ctrl-C (or SIGTERM, SIGHUP) stops every part and every process the agent
// started, frees the port and removes the scratch folder; a second Ctrl-C forces it.

import { createInterface } from 'node:readline';
import { Command, InvalidArgumentError } from 'commander';
import { DEMO_AGENTS, type DemoAgent } from '../demo/agent-home.js';
import { Cleanup } from '../demo/cleanup.js';
import { createProgress, formatMs } from '../demo/progress.js';
import type { RunningDemo } from '../demo/start.js';
import { logTail } from '../demo/log-tail.js';
import { exitWith } from '../errors.js';
import { parsePort } from './hub.js';

const EXAMPLES = `
Examples:
  pilothouse demo                 # hub on http://127.0.0.1:8787; open the sign-in link it prints
  pilothouse demo --port 0        # any free port
  pilothouse demo --json          # one JSON line on stdout for scripts; progress on stderr
  pilothouse demo --keep          # keep the scratch store, repository and logs afterwards
  pilothouse demo --agent gemini  # the same with Gemini CLI (or --agent claude: Claude Code)
  npm ci && npm run demo          # from a clone: builds the web UI first when it is missing

In the thread, type: hello · run the tests · fix the greeting · search the web ·
start the dev server · tell me a story`;

function parseDemoAgent(value: string): DemoAgent {
  if ((DEMO_AGENTS as readonly string[]).includes(value)) return value as DemoAgent;
  throw new InvalidArgumentError(`the demo shows ${DEMO_AGENTS.join(', ')}; an ACP agent needs its own command: pilothouse run --agent acp -- CMD`);
}

/** Signals closer together than this are one Ctrl-C. */
const SAME_SIGNAL_MS = 300;

interface DemoFlags {
  agent: DemoAgent;
  port: number;
  json: boolean;
  keep: boolean;
}

export function demoCommand(): Command {
  return new Command('demo')
    .description('Try Pilothouse on this machine with no API key: a hub, a scripted model and a real agent (Codex by default) on a scratch repository, then a one-time sign-in link.')
    .option('--agent <name>', 'the agent to show: codex, claude (Claude Code) or gemini (Gemini CLI), each on the scripted model', parseDemoAgent, 'codex' as DemoAgent)
    .option('--port <port>', 'port for the hub (0 = any free port)', parsePort, 8787)
    .option('--json', 'print one JSON line {url, signInUrl, token, channel, threadId} once the session is live (progress on stderr)', false)
    .option('--keep', 'keep the scratch folder (store, repository, logs) when the demo stops', false)
    .addHelpText('after', EXAMPLES)
    .action(async (flags: DemoFlags) => {
      // The hub, the runner and the model load now, not when the CLI starts.
      const [{ DemoStopped, startDemo }, { SIGN_IN_CODE_TTL_MS }] = await Promise.all([import('../demo/start.js'), import('@pilothouse/hub')]);
      const say = (line: string) => process.stderr.write(`${line}\n`);
      const progress = createProgress(say);
      const cleanup = new Cleanup((name, err) => say(`  ! stopping the ${name} failed: ${err instanceof Error ? err.message : String(err)}`));

      let stopping: Promise<void> | null = null;
      // Stopping while starting: the step under way finishes first (starting stops after it), so
      // that everything started is closed in order and nothing is left running on its own.
      const abort = new AbortController();
      let starting: Promise<RunningDemo> | null = null;
      const stop = (why: string, code: number): Promise<void> => {
        stopping ??= (async () => {
          const began = performance.now();
          say(`Stopping the demo (${why})… Ctrl-C again forces it.`);
          abort.abort();
          await starting?.catch(() => undefined);
          await cleanup.run();
          say(`Stopped in ${formatMs(performance.now() - began)}.`);
          process.exit(code);
        })();
        return stopping;
      };
      let firstSignalAt = 0;
      const onSignal = (signal: NodeJS.Signals) => {
        if (stopping) {
          // One Ctrl-C can arrive twice (the terminal signals the group, `npm run` forwards it too).
          if (performance.now() - firstSignalAt < SAME_SIGNAL_MS) return;
          say('Forced: killing every process the demo started.');
          cleanup.force();
          process.exit(130);
        }
        firstSignalAt = performance.now();
        void stop(signal === 'SIGINT' ? 'Ctrl-C' : signal, 0);
      };
      for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, onSignal);

      let logFile: string | null = null;
      const showLog = () => {
        const lines = logFile ? logTail(logFile) : [];
        if (lines.length > 0) say(`Last warnings in the log:\n${lines.map((l) => `  ${l}`).join('\n')}`);
      };
      let demo: RunningDemo;
      try {
        starting = startDemo({ agent: flags.agent, port: flags.port, keep: flags.keep, progress, cleanup, signal: abort.signal, env: process.env, onLog: (file) => (logFile = file) });
        demo = await starting;
      } catch (err) {
        // Once stopping began, whatever failed in the half-started demo is part of stopping.
        if (err instanceof DemoStopped || abort.signal.aborted) return stopping ?? undefined;
        showLog();
        await cleanup.run();
        exitWith(err);
      }

      if (flags.json) {
        const { url, signInUrl, token, channel, threadId } = demo;
        process.stdout.write(`${JSON.stringify({ url, signInUrl, token, channel, threadId })}\n`);
      } else {
        process.stdout.write(`Pilothouse demo ready at ${demo.url} — sign in with this one-time link (${SIGN_IN_CODE_TTL_MS / 60_000} minutes): ${demo.signInUrl}\n`);
      }
      const more = process.stdin.isTTY ? 'Press Enter for a new sign-in link; ' : '';
      say(`Ready in ${formatMs(progress.elapsed())}. ${more}Ctrl-C stops the demo and removes what it started. Logs: ${demo.logFile}${flags.keep ? '' : ' (removed too; --keep keeps them)'}`);
      if (process.stdin.isTTY) {
        // Cooked mode (terminal: false): Ctrl-C stays a signal to the whole demo.
        const lines = createInterface({ input: process.stdin, terminal: false });
        lines.on('line', () => {
          void demo.newSignInUrl().then((url) => process.stdout.write(`New one-time sign-in link: ${url}\n`));
        });
        cleanup.add('terminal input', () => lines.close());
      }
      void demo.runnerDone.then(() => {
        if (stopping) return;
        showLog();
        void stop('the runner stopped by itself', 1);
      });
    });
}
