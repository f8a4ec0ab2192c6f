// What Pilothouse reads from an ACP agent, parsed once at the boundary (Agent Client Protocol v1,
// https://agentclientprotocol.com/protocol/schema; types from @agentclientprotocol/sdk). Lenient
// where the protocol grows: an unknown tool kind is `other`, an unknown content block is skipped,
// an unknown session update is named and left to the caller.

import type { PermissionOptionKind, ToolCallStatus, ToolKind } from '@agentclientprotocol/sdk';
import { z } from 'zod';

const TOOL_KINDS = ['read', 'edit', 'delete', 'move', 'search', 'execute', 'think', 'fetch', 'switch_mode', 'other'] as const satisfies readonly ToolKind[];
const TOOL_STATUSES = ['pending', 'in_progress', 'completed', 'failed'] as const satisfies readonly ToolCallStatus[];
const PERMISSION_KINDS = ['allow_once', 'allow_always', 'reject_once', 'reject_always'] as const satisfies readonly PermissionOptionKind[];

const contentBlock = z.object({ type: z.string(), text: z.string().optional(), uri: z.string().optional() });
export type ContentBlock = z.infer<typeof contentBlock>;

const toolContent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('content'), content: contentBlock }),
  // Gemini CLI marks a new file `_meta: {kind: 'add'}` with `oldText: ''`.
  z.object({ type: z.literal('diff'), path: z.string(), oldText: z.string().nullish(), newText: z.string(), _meta: z.object({ kind: z.string().optional() }).loose().nullish().catch(null) }),
  z.object({ type: z.literal('terminal'), terminalId: z.string() }),
]);
export type ToolContent = z.infer<typeof toolContent>;

/** Content blocks of kinds this version does not know are skipped, not fatal. */
const toolContents = z.array(z.unknown()).transform((items) => items.flatMap((i) => toolContent.safeParse(i).data ?? []));

/** The fields of a `tool_call`, a `tool_call_update` or a permission request's `toolCall` (all optional but the id). */
const toolCallFields = z.object({
  toolCallId: z.string(),
  title: z.string().nullish(),
  kind: z.enum(TOOL_KINDS).nullish().catch('other'),
  status: z.enum(TOOL_STATUSES).nullish().catch(null),
  content: toolContents.nullish(),
  locations: z.array(z.object({ path: z.string() })).nullish().catch(null),
  rawInput: z.unknown().optional(),
});
export type ToolCallFields = z.infer<typeof toolCallFields>;
export type ToolStatus = (typeof TOOL_STATUSES)[number];

const chunk = z.object({ content: contentBlock, messageId: z.string().nullish() });
const planEntry = z.object({ content: z.string(), status: z.string(), priority: z.string().optional() });
export type PlanEntry = z.infer<typeof planEntry>;

/** The session updates Pilothouse shows, each with its own schema; others are only named. */
const UPDATE_SCHEMAS = {
  agent_message_chunk: chunk,
  agent_thought_chunk: chunk,
  user_message_chunk: chunk,
  tool_call: toolCallFields,
  tool_call_update: toolCallFields,
  plan: z.object({ entries: z.array(planEntry) }),
  current_mode_update: z.object({ currentModeId: z.string() }),
} as const;
type KnownUpdate = keyof typeof UPDATE_SCHEMAS;

export type SessionUpdate =
  | { [K in KnownUpdate]: { readonly sessionUpdate: K } & z.infer<(typeof UPDATE_SCHEMAS)[K]> }[KnownUpdate]
  /** An update Pilothouse does not show (available commands, usage…), by name. */
  | { readonly sessionUpdate: 'other'; readonly name: string };

const notification = z.object({ sessionId: z.string(), update: z.object({ sessionUpdate: z.string() }).loose() });

/** A `session/update` notification's params, or why they could not be read. */
export function parseSessionNotification(params: unknown): { sessionId: string; update: SessionUpdate } | { error: string } {
  const n = notification.safeParse(params);
  if (!n.success) return { error: z.prettifyError(n.error) };
  const name = n.data.update.sessionUpdate;
  if (!Object.hasOwn(UPDATE_SCHEMAS, name)) return { sessionId: n.data.sessionId, update: { sessionUpdate: 'other', name } };
  const kind = name as KnownUpdate;
  const body = UPDATE_SCHEMAS[kind].safeParse(n.data.update);
  if (!body.success) return { error: `${name}: ${z.prettifyError(body.error)}` };
  return { sessionId: n.data.sessionId, update: { sessionUpdate: kind, ...body.data } as SessionUpdate };
}

const permissionOption = z.object({ optionId: z.string(), name: z.string(), kind: z.enum(PERMISSION_KINDS) });
export type PermissionOption = z.infer<typeof permissionOption>;

export const permissionRequest = z.object({ sessionId: z.string(), toolCall: toolCallFields, options: z.array(permissionOption).min(1) });
export type PermissionRequest = z.infer<typeof permissionRequest>;

const modes = z.object({ currentModeId: z.string(), availableModes: z.array(z.object({ id: z.string(), name: z.string() })) }).nullish().catch(null);
export type SessionModes = NonNullable<z.infer<typeof modes>>;

export const initializeResult = z.object({
  protocolVersion: z.number(),
  agentInfo: z.object({ name: z.string(), title: z.string().nullish(), version: z.string() }).nullish().catch(null),
  agentCapabilities: z.object({ loadSession: z.boolean().optional() }).loose().nullish().catch(null),
});
export type InitializeResult = z.infer<typeof initializeResult>;

export const newSessionResult = z.object({ sessionId: z.string(), modes });
export const loadSessionResult = z.object({ modes }).nullish();
export const promptResult = z.object({ stopReason: z.string() });
