// Errors of the Gemini CLI driver: one constant table of codes. Messages name the fix.

import { AgentError } from '../agent/errors.js';

export const GeminiErrorCodes = {
  gemini_missing: 'Gemini CLI was not found.',
  gemini_version_unsupported: 'Gemini CLI is older than the oldest Pilothouse drives.',
} as const;

export type GeminiErrorCode = keyof typeof GeminiErrorCodes;

export class GeminiError extends AgentError<GeminiErrorCode> {
  override readonly name = 'GeminiError';
  constructor(code: GeminiErrorCode, message: string = GeminiErrorCodes[code], details?: unknown, options?: { cause?: unknown }) {
    super(code, message, details, options);
  }
}
