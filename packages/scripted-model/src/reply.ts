// The scripted model's vocabulary: one Reply answers one POST /v1/responses.
// Schemas are the single source of the types, so scenario files and TS callers share them.
import { z } from 'zod';

const chunks = z.array(z.string());
/** Milliseconds to wait before each streamed delta (and before the first one). */
const delayMs = z.number().int().min(0).optional();

/** One output item of a streamed response. Ids are assigned by the server unless given. */
export const outputItemSchema = z.discriminatedUnion('type', [
  /** An assistant message streamed as `response.output_text.delta` chunks. */
  z.object({ type: z.literal('message'), chunks }),
  /** A reasoning item whose summary part is streamed as `response.reasoning_summary_text.delta` chunks. */
  z.object({ type: z.literal('reasoning'), summary: chunks }),
  /**
   * Codex's `exec_command` function call. `escalated` is the justification for running
   * outside the sandbox (`sandbox_permissions: "require_escalated"`), which makes Codex ask
   * for approval under `on-request` with a sandbox.
   */
  z.object({
    type: z.literal('exec'),
    cmd: z.string(),
    escalated: z.string().optional(),
    workdir: z.string().optional(),
    login: z.boolean().optional(),
    yieldTimeMs: z.number().int().min(0).optional(),
    callId: z.string().optional(),
  }),
  /** Codex's `apply_patch` custom tool call carrying a raw `*** Begin Patch` text. */
  z.object({ type: z.literal('apply_patch'), patch: z.string(), callId: z.string().optional() }),
  /** A hosted `web_search_call` (already completed: Codex only renders it, it runs nothing). */
  z.object({ type: z.literal('web_search'), query: z.string() }),
  /** Any other function tool call, arguments given as a JSON object. */
  z.object({
    type: z.literal('function_call'),
    name: z.string(),
    arguments: z.record(z.string(), z.unknown()),
    callId: z.string().optional(),
  }),
]);
export type OutputItem = z.infer<typeof outputItemSchema>;

/** One scripted answer to one POST /v1/responses. */
export const replySchema = z.discriminatedUnion('type', [
  /** A single assistant message. */
  z.object({ type: z.literal('text'), chunks, delayMs }),
  /** A reasoning summary followed by an assistant message. */
  z.object({ type: z.literal('reasoning'), summary: chunks, text: chunks, delayMs }),
  /** An `exec_command` call; Codex runs it and POSTs again with the output. */
  z.object({
    type: z.literal('exec'),
    cmd: z.string(),
    escalated: z.string().optional(),
    login: z.boolean().optional(),
    delayMs,
  }),
  /** An `apply_patch` call; Codex applies it and POSTs again with the result. */
  z.object({ type: z.literal('apply_patch'), patch: z.string(), delayMs }),
  /** A completed web search, optionally followed by an assistant message. */
  z.object({ type: z.literal('web_search'), query: z.string(), text: chunks.optional(), delayMs }),
  /** Several output items in one response, in order. */
  z.object({ type: z.literal('items'), items: z.array(outputItemSchema).min(1), delayMs }),
  /** Streams a message's deltas, then holds the response open until released or the client leaves. */
  z.object({ type: z.literal('hang'), chunks, delayMs }),
  /** A non-streaming HTTP error answer. */
  z.object({ type: z.literal('http_error'), status: z.number().int().min(400).max(599), body: z.unknown() }),
  /** Streams a message's deltas, then ends with `response.failed`. */
  z.object({
    type: z.literal('failed_midstream'),
    chunks,
    message: z.string(),
    code: z.string().optional(),
    delayMs,
  }),
]);
export type Reply = z.infer<typeof replySchema>;
