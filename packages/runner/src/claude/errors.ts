// Errors of the Claude Code driver: one constant table of codes, one error class. Messages are
// one line and name the fix, because the CLI prints them as they are.

import { AgentError } from '../agent/errors.js';

export const ClaudeErrorCodes = {
  claude_missing: 'The Claude Code binary was not found.',
  claude_version_unsupported: 'The Claude Code binary is older than the oldest Pilothouse drives.',
  claude_exited: 'Claude Code exited.',
  claude_resume_failed: 'Claude Code could not resume the session.',
  claude_option_unsupported: 'Claude Code has no equivalent of this option.',
  claude_not_running: 'Claude Code is not running.',
} as const;

export type ClaudeErrorCode = keyof typeof ClaudeErrorCodes;

export class ClaudeError extends AgentError<ClaudeErrorCode> {
  override readonly name = 'ClaudeError';
  constructor(code: ClaudeErrorCode, message: string = ClaudeErrorCodes[code], details?: unknown, options?: { cause?: unknown }) {
    super(code, message, details, options);
  }
}
