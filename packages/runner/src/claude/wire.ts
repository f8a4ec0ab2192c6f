// Claude Code's stream-json line format (`claude -p --input-format stream-json --output-format
// stream-json`): one JSON object per line each way. Every line Claude writes is parsed here,
// once, into a tagged union; the lines we write are built here. Shapes as seen from 2.1.332
// (docs/decisions/claude-code.md) and the Agent SDK's sdk.d.ts; unknown fields pass through.

import { z } from 'zod';

const block = z.looseObject({ type: z.string() });
export type ContentBlock = z.infer<typeof block>;

const streamEvent = z.looseObject({
  type: z.string(),
  index: z.number().int().optional(),
  // message_delta's delta has no type (stop_reason only).
  delta: z.looseObject({ type: z.string().optional(), text: z.string().optional(), thinking: z.string().optional() }).optional(),
  message: z.looseObject({ id: z.string() }).optional(),
});

const permissionSuggestion = z.looseObject({ type: z.string() });
export type PermissionSuggestion = z.infer<typeof permissionSuggestion>;

const canUseTool = z.looseObject({
  subtype: z.literal('can_use_tool'),
  tool_name: z.string(),
  input: z.record(z.string(), z.unknown()),
  permission_suggestions: z.array(permissionSuggestion).optional(),
  blocked_path: z.string().optional(),
  description: z.string().optional(),
  decision_reason: z.string().optional(),
  tool_use_id: z.string().optional(),
});
export type CanUseTool = z.infer<typeof canUseTool>;

const lineSchema = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.literal('system'),
    subtype: z.string(),
    session_id: z.string().optional(),
    permissionMode: z.string().optional(),
    model: z.string().optional(),
    // api_retry (sdk.d.ts SDKAPIRetryMessage): Claude retries a failed model request.
    attempt: z.number().optional(),
    max_retries: z.number().optional(),
    retry_delay_ms: z.number().optional(),
    error_status: z.number().nullable().optional(),
    error: z.string().optional(),
  }),
  z.looseObject({ type: z.literal('stream_event'), event: streamEvent }),
  z.looseObject({ type: z.literal('assistant'), message: z.looseObject({ id: z.string(), model: z.string().optional(), content: z.array(block) }), aborted: z.boolean().optional() }),
  z.looseObject({ type: z.literal('user'), message: z.looseObject({ content: z.union([z.string(), z.array(block)]) }), tool_use_result: z.unknown().optional() }),
  z.looseObject({
    type: z.literal('result'),
    subtype: z.string(),
    is_error: z.boolean().optional(),
    terminal_reason: z.string().optional(),
    result: z.string().optional(),
    errors: z.array(z.string()).optional(),
    session_id: z.string().optional(),
  }),
  z.looseObject({
    type: z.literal('control_request'),
    request_id: z.string(),
    request: z.union([canUseTool, z.looseObject({ subtype: z.string() })]),
  }),
  z.looseObject({
    type: z.literal('control_response'),
    response: z.looseObject({ subtype: z.enum(['success', 'error']), request_id: z.string(), error: z.string().optional(), response: z.unknown().optional() }),
  }),
  z.looseObject({ type: z.literal('control_cancel_request'), request_id: z.string() }),
]);

export type ClaudeLine = z.infer<typeof lineSchema>;
export type Inbound = ClaudeLine | { readonly type: 'ignored'; readonly kind: string } | { readonly type: 'malformed'; readonly reason: string };

const KNOWN: ReadonlySet<string> = new Set<string>(lineSchema.options.map((o) => o.shape.type.value));

/** One line from Claude's stdout. Types we do not handle (e.g. `rate_limit_event`) are `ignored`, not errors. */
export function parseLine(line: string): Inbound {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { type: 'malformed', reason: 'not JSON' };
  }
  const kind = typeof json === 'object' && json !== null && 'type' in json && typeof json.type === 'string' ? json.type : null;
  if (kind === null) return { type: 'malformed', reason: 'no type' };
  if (!KNOWN.has(kind)) return { type: 'ignored', kind };
  const parsed = lineSchema.safeParse(json);
  if (!parsed.success) return { type: 'malformed', reason: z.prettifyError(parsed.error).replaceAll('\n', ' ') };
  return parsed.data;
}

/** Narrows a control request to a permission prompt. */
export const isCanUseTool = (request: { readonly subtype: string }): request is CanUseTool => request.subtype === 'can_use_tool';

/** What a permission prompt is answered with (sdk.d.ts PermissionResult). */
export type PermissionResult =
  | { readonly behavior: 'allow'; readonly updatedInput: Readonly<Record<string, unknown>>; readonly updatedPermissions?: readonly PermissionSuggestion[] }
  | { readonly behavior: 'deny'; readonly message: string; readonly interrupt?: boolean };

/** The lines we write to Claude's stdin. */
export type Outbound =
  | { readonly type: 'user'; readonly text: string }
  | { readonly type: 'control_request'; readonly requestId: string; readonly subtype: 'initialize' | 'interrupt' }
  | { readonly type: 'permission'; readonly requestId: string; readonly result: PermissionResult }
  /** The answer to a control request we do not handle. */
  | { readonly type: 'control_error'; readonly requestId: string; readonly error: string };

export function encodeLine(message: Outbound): string {
  switch (message.type) {
    case 'user':
      return `${JSON.stringify({ type: 'user', message: { role: 'user', content: message.text }, parent_tool_use_id: null, session_id: '' })}\n`;
    case 'control_request':
      return `${JSON.stringify({ type: 'control_request', request_id: message.requestId, request: { subtype: message.subtype } })}\n`;
    case 'permission':
      return `${JSON.stringify({ type: 'control_response', response: { subtype: 'success', request_id: message.requestId, response: message.result } })}\n`;
    case 'control_error':
      return `${JSON.stringify({ type: 'control_response', response: { subtype: 'error', request_id: message.requestId, error: message.error } })}\n`;
    default: {
      const never: never = message;
      throw new Error(`unknown outbound line ${JSON.stringify(never)}`);
    }
  }
}
