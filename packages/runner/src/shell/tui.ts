// The owner's own Codex TUI on the runner's session (`pilothouse run --tui`): the app-server
// listens on a Unix socket in a private directory, and `codex resume --remote unix://… <thread>`
// joins the runner's thread from the owner's terminal (docs/decisions/tui-mirror.md).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** How to start the TUI; a launcher may run it somewhere else than this terminal (tests: tmux). */
export interface TuiCommand {
  readonly bin: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

export interface TuiProcess {
  /** Settles when the TUI is gone, with how it ended. */
  readonly exited: Promise<string>;
  /** Ends it (if it still runs) and waits until it is gone. */
  stop(): Promise<void>;
}

export type TuiLauncher = (command: TuiCommand) => TuiProcess;

/**
 * `codex resume --remote` on a running thread. No permission flags: 0.169.0 refuses them on a
 * remote resume, and the thread's own settings (the runner's flags) apply to the TUI's turns.
 */
export function tuiCommand(bin: string, remoteAddress: string, threadId: string, cwd: string, env: NodeJS.ProcessEnv): TuiCommand {
  return { bin, args: ['resume', '--remote', remoteAddress, threadId], cwd, env };
}

/** The TUI as a child on this terminal (inherited stdio, same process group: it owns the tty). */
export const terminalTui: TuiLauncher = (command) => {
  const child = spawn(command.bin, command.args, { cwd: command.cwd, env: command.env, stdio: 'inherit' });
  const exited = new Promise<string>((resolve) => {
    child.once('error', (error) => resolve(`could not start: ${error.message}`));
    child.once('exit', (code, signal) => resolve(signal !== null ? `signal ${signal}` : `exit code ${String(code)}`));
  });
  return {
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
};

/** A socket path in a fresh directory only this user may enter (mkdtemp makes it 0700). */
export function privateSocket(): { readonly path: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'pilothouse-tui-'));
  return { path: join(dir, 'app-server.sock'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The owner's TUI over one runner's life: the private socket Codex listens on, the TUI once
 * launched, and stopping it first when the runner closes (it leaves the terminal as it found it).
 */
export class OwnerTui {
  readonly socket = privateSocket();
  #process: TuiProcess | null = null;

  /** Starts the TUI; `onExit` hears how it ended (the runner then closes). */
  launch(launcher: TuiLauncher, command: TuiCommand, onExit: (how: string) => void): void {
    const started = launcher(command);
    this.#process = started;
    void started.exited.then((how) => {
      this.#process = null;
      onExit(how);
    });
  }

  /** Ends the TUI if it runs, and waits until it is gone. */
  async stop(): Promise<void> {
    await this.#process?.stop();
  }

  /** Removes the socket's private directory. */
  remove(): void {
    this.socket.remove();
  }
}
