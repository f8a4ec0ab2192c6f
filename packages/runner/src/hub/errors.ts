// Errors of the runner's hub client. The hub's own verdicts stay PilothouseErrors with the wire
// code (`wireError` is the one place a phx_reply error becomes one); what only the client can
// know (unreachable, closed, a reply off-contract, a bad cursor) is a HubClientError.

import { z } from 'zod';
import { ErrorCodes, isErrorCode, PilothouseError } from '@pilothouse/protocol';

export const HubClientErrorCodes = {
  hub_unreachable: 'The hub cannot be reached.',
  hub_closed: 'The hub client was closed.',
  hub_timeout: 'The hub did not answer in time.',
  hub_protocol_error: 'The hub sent something that does not match the protocol.',
  cursor_unreadable: 'The saved cursor cannot be read.',
  cursor_ahead: "The saved cursor is ahead of the hub's channel.",
  invalid_ack: 'ack() was given a seq that was never delivered.',
} as const;

export type HubClientErrorCode = keyof typeof HubClientErrorCodes;

export class HubClientError extends Error {
  override readonly name = 'HubClientError';
  constructor(
    readonly code: HubClientErrorCode,
    message: string = HubClientErrorCodes[code],
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const ErrorReply = z.object({ code: z.string(), message: z.string().optional(), details: z.unknown().optional() });

/** The `response` of a phx_reply with status "error" as a PilothouseError carrying the hub's code. */
export function wireError(response: unknown): PilothouseError {
  const parsed = ErrorReply.safeParse(response);
  if (!parsed.success || !isErrorCode(parsed.data.code)) {
    return new PilothouseError('internal', `The hub answered with an error this client does not know: ${JSON.stringify(response)}`);
  }
  const { code, message, details } = parsed.data;
  return new PilothouseError(code, message ?? ErrorCodes[code], details);
}

/** A zod failure as one line: `path: message; ...`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ');
}

/** Anything a transport callback hands over (ws ErrorEvent, close event, string) as an Error. */
export function asError(value: unknown, fallback: string): Error {
  if (value instanceof Error) return value;
  if (typeof value === 'object' && value !== null) {
    const { message, error } = value as { message?: unknown; error?: unknown };
    if (error instanceof Error) return error;
    if (typeof message === 'string' && message !== '') return new Error(message);
  }
  return new Error(typeof value === 'string' && value !== '' ? value : fallback);
}
