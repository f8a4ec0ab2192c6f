// The owner's Codex TUI without a human: the runner's TUI launcher runs it in a detached tmux
// session on a private tmux server, and the test types into it (send-keys) and reads its screen
// (capture-pane). Waits poll the screen; nothing sleeps blindly.

import { execFileSync, spawn } from 'node:child_process';
import type { TuiCommand, TuiLauncher, TuiProcess } from '@pilothouse/runner';

let counter = 0;

const quote = (arg: string): string => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`);

export class TmuxTui {
  /** A tmux server of its own (`tmux -L`), so tests never touch a user's sessions. */
  readonly server = `ph-e2e-${process.pid}-${++counter}`;
  #process: TuiProcess | null = null;

  readonly launch: TuiLauncher = (command: TuiCommand): TuiProcess => {
    const signal = `${this.server}-exited`;
    const shell = `${[command.bin, ...command.args].map(quote).join(' ')}; tmux -L ${this.server} wait-for -S ${signal}`;
    // The server inherits this environment (CODEX_HOME and the fake key) and hands it to the pane.
    const env = { ...command.env, TERM: 'xterm-256color' };
    this.#tmux(['new-session', '-d', '-s', 'tui', '-x', '120', '-y', '40', '-c', command.cwd, shell], env);
    const waiter = spawn('tmux', ['-L', this.server, 'wait-for', signal], { stdio: 'ignore', env });
    const exited = new Promise<string>((resolve) => {
      waiter.once('error', (error) => resolve(`tmux wait-for failed: ${error.message}`));
      waiter.once('exit', (code) => resolve(code === 0 ? 'exited' : 'tmux server gone'));
    });
    this.#process = {
      exited,
      stop: async () => {
        this.kill();
        await exited;
      },
    };
    return this.#process;
  };

  get exited(): Promise<string> {
    if (!this.#process) throw new Error('the TUI was not launched');
    return this.#process.exited;
  }

  screen(): string {
    try {
      return this.#tmux(['capture-pane', '-p', '-t', 'tui']);
    } catch {
      return '';
    }
  }

  /** Resolves with the screen once `pred` holds for it. */
  async waitForScreen(pred: (screen: string) => boolean, what: string, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.screen();
      if (pred(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`timed out waiting for the TUI to show ${what}; screen:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Types `text` into the composer, waits until it shows, then presses Enter. */
  async submit(text: string): Promise<void> {
    this.#tmux(['send-keys', '-t', 'tui', '-l', text]);
    await this.waitForScreen((s) => s.includes(`› ${text}`), `the typed text "${text}"`);
    this.#tmux(['send-keys', '-t', 'tui', 'Enter']);
  }

  /** Ends the TUI the hard way (its terminal goes away) and the tmux server with it. */
  kill(): void {
    try {
      this.#tmux(['kill-server']);
    } catch {
      // already gone
    }
  }

  #tmux(args: string[], env?: NodeJS.ProcessEnv): string {
    return execFileSync('tmux', ['-L', this.server, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...(env ? { env } : {}) });
  }
}

/** Whether tmux is installed (the TUI tests need it; `apt-get install -y tmux`). */
export function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
