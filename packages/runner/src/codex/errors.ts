// Errors of the Codex adapter: one constant table of codes, one error class.
// Messages are one line and name the fix, because the CLI prints them as they are.

import { AgentError } from '../agent/errors.js';

export const CodexErrorCodes = {
  codex_missing: 'The Codex binary was not found.',
  codex_version_mismatch: 'The Codex binary is not the pinned version.',
  codex_exited: 'codex app-server exited.',
  codex_closed: 'The Codex connection was closed.',
  codex_rpc_error: 'codex app-server answered a request with an error.',
  codex_protocol_error: 'codex app-server sent a line that is not a valid message.',
} as const;

export type CodexErrorCode = keyof typeof CodexErrorCodes;

export class CodexError extends AgentError<CodexErrorCode> {
  override readonly name = 'CodexError';
  constructor(code: CodexErrorCode, message: string = CodexErrorCodes[code], details?: unknown, options?: { cause?: unknown }) {
    super(code, message, details, options);
  }
}
