// Errors of the ACP client: one constant table of codes, one error class. Messages are one line
// and name the fix, because the CLI prints them as they are.

import { AgentError } from '../agent/errors.js';

export const AcpErrorCodes = {
  acp_missing: 'The ACP agent command was not found.',
  acp_exited: 'The ACP agent exited.',
  acp_closed: 'The connection to the ACP agent was closed.',
  acp_rpc_error: 'The ACP agent answered a request with an error.',
  acp_protocol_error: 'The ACP agent sent something that is not valid ACP.',
  acp_option_unsupported: 'The agent cannot honour a runtime option.',
  acp_not_signed_in: 'The agent needs a sign-in or a key before it starts a session.',
} as const;

export type AcpErrorCode = keyof typeof AcpErrorCodes;

export class AcpError extends AgentError<AcpErrorCode> {
  override readonly name = 'AcpError';
  constructor(code: AcpErrorCode, message: string = AcpErrorCodes[code], details?: unknown, options?: { cause?: unknown }) {
    super(code, message, details, options);
  }
}
