// A child process that speaks one JSON object per line on stdin/stdout (Claude Code's
// stream-json, Gemini CLI's ACP), with waits on what it has said or will say: never sleeps.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

export type Json = Record<string, unknown>;

export class JsonLinesProcess {
  readonly messages: Json[] = [];
  readonly #child: ChildProcessWithoutNullStreams;
  #stderr = '';
  #exit: { code: number | null; signal: string | null } | undefined;
  #wakers = new Set<() => void>();

  constructor(command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }) {
    this.#child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: 'pipe' });
    createInterface({ input: this.#child.stdout }).on('line', (line) => {
      if (!line.trim().startsWith('{')) return;
      this.messages.push(JSON.parse(line) as Json);
      this.#wake();
    });
    this.#child.stderr.on('data', (chunk: Buffer) => (this.#stderr += chunk.toString('utf8')));
    this.#child.on('exit', (code, signal) => {
      this.#exit = { code, signal };
      this.#wake();
    });
  }

  send(message: Json): void {
    this.#child.stdin.write(`${JSON.stringify(message)}\n`);
  }

  /** Resolves with the first message (past or future) that `match` accepts. */
  waitFor(match: (message: Json) => boolean, what: string, timeoutMs = 30_000): Promise<Json> {
    return this.until(() => this.messages.find(match), what, timeoutMs);
  }

  /** Resolves once `probe` returns a value; re-probed on every message; rejects on exit or timeout. */
  until<T>(probe: () => T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = probe();
        if (found !== undefined) return settle(() => resolve(found));
        if (this.#exit) settle(() => reject(new Error(`exited (${JSON.stringify(this.#exit)}) before ${what}\n${this.#describe()}`)));
      };
      const timer = setTimeout(() => settle(() => reject(new Error(`no ${what} within ${timeoutMs} ms\n${this.#describe()}`))), timeoutMs);
      const settle = (finish: () => void) => {
        clearTimeout(timer);
        this.#wakers.delete(check);
        finish();
      };
      this.#wakers.add(check);
      check();
    });
  }

  /** Ends stdin and waits for the exit; kills the process if it lingers. */
  async close(timeoutMs = 10_000): Promise<void> {
    if (this.#exit) return;
    this.#child.stdin.end();
    const exited = this.until(() => this.#exit, 'exit', timeoutMs);
    try {
      await exited;
    } catch {
      this.#child.kill('SIGKILL');
      await this.until(() => this.#exit, 'exit after SIGKILL', 5_000);
    }
  }

  #wake(): void {
    for (const wake of [...this.#wakers]) wake();
  }

  #describe(): string {
    const last = this.messages.slice(-8).map((m) => JSON.stringify(m).slice(0, 400));
    return `last messages:\n${last.join('\n')}\nstderr:\n${this.#stderr.slice(-2000)}`;
  }
}
