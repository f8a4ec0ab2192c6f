// Reads a `POST /v1/messages` body (as Claude Code sends it) for the cue logic: is it a new turn
// (the user's text), or the agent back with a tool's result? And is it a side call (a title or
// summary asked of a small model, without tools or not streamed) that must not consume a cue step?
import { z } from 'zod';
import { AGENT_CONTEXT, type TurnInput } from './cues.js';

export interface AnthropicRequest {
  readonly input: TurnInput;
  readonly model: string;
  readonly stream: boolean;
  /** No tools or not streamed: not the agent's loop, answered without consuming a reply. */
  readonly side: boolean;
  readonly cwd: string | undefined;
}

const block = z.looseObject({ type: z.string(), text: z.string().optional() });
const content = z.union([z.string(), z.array(block)]);
const body = z.looseObject({
  model: z.string().optional(),
  stream: z.boolean().optional(),
  tools: z.array(z.unknown()).optional(),
  system: content.optional(),
  messages: z.array(z.looseObject({ role: z.string(), content })),
});

const textOf = (value: z.infer<typeof content> | undefined): string =>
  typeof value === 'string' ? value : (value ?? []).map((b) => b.text ?? '').join('\n');

export function readAnthropicRequest(raw: unknown): AnthropicRequest {
  const parsed = body.safeParse(raw);
  if (!parsed.success) return { input: { type: 'unknown' }, model: 'claude', stream: false, side: false, cwd: undefined };
  const { model = 'claude', stream = false, tools = [], system, messages } = parsed.data;
  const cwd = /working directory: *([^\n]+)/i.exec(textOf(system))?.[1]?.trim();
  return { input: turnInput(messages), model, stream, side: !stream || tools.length === 0, cwd };
}

function turnInput(messages: readonly { role: string; content: z.infer<typeof content> }[]): TurnInput {
  const last = messages.at(-1);
  if (last?.role === 'user' && typeof last.content !== 'string' && last.content.some((b) => b.type === 'tool_result')) return { type: 'tool_output' };
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]!;
    if (message.role !== 'user') continue;
    // Claude Code adds its own `<system-reminder>` blocks to user messages: skip them.
    const parts = typeof message.content === 'string' ? [message.content] : message.content.filter((b) => b.type === 'text').map((b) => b.text ?? '');
    const text = parts.filter((p) => !AGENT_CONTEXT.test(p)).join('\n');
    if (text.trim() !== '') return { type: 'user', text };
  }
  return { type: 'unknown' };
}
