// The errors agent drivers throw: a code (each agent's own table, e.g. codex/errors.ts) and a
// one-line message that names the fix, because the CLI prints it as it is. The shell maps them
// once (shell/errors.ts), whichever agent threw.

export class AgentError<Code extends string = string> extends Error {
  override readonly name: string = 'AgentError';
  constructor(
    readonly code: Code,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
