// The runner's one normaliser for thrown values: a code and a message to log or show people.
// Hub refusals keep their protocol code, agent failures their driver's code (agent/errors.ts).

import { PilothouseError } from '@pilothouse/protocol';
import { AgentError } from './agent/errors.js';

export interface ErrorFacts {
  readonly code: string;
  readonly message: string;
}

export function describeError(err: unknown): ErrorFacts {
  if (err instanceof PilothouseError) return { code: err.code, message: err.message };
  if (err instanceof AgentError) return { code: (err as AgentError<string>).code, message: err.message };
  if (err instanceof Error) return { code: 'internal', message: err.message };
  return { code: 'internal', message: String(err) };
}

/** The system error code (`ESRCH`, `EPERM`…) of a failed system call, if it has one. */
export function systemCode(err: unknown): string | null {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : null;
}
