// The Anthropic Messages API encoder of the neutral shape (shape.ts): the streamed events Claude
// Code reads (`message_start`, `content_block_*`, `message_delta`, `message_stop`), and the same
// message as one JSON body for a non-streaming request. Codex's tools become Claude Code's:
// a command is `Bash {command}`, a patch is `Write` (new file) or `Read` + `Edit` (a hunk; Claude
// Code edits only files it has read), a deleted file `Bash rm`. A web search is told as text.
import { patchEdits, resolvePath } from './patch-edits.js';
import { assemble, now, type ExpandedItem, type IdSource, type Plan } from './plan.js';
import type { OutputItem } from './reply.js';
import { callsTools, type Shape } from './shape.js';
import type { SseEvent } from './sse.js';

export interface AnthropicContext {
  readonly model: string;
  /** The agent's working directory, for making patch paths absolute. */
  readonly cwd?: string | undefined;
}

/** One content block as it stands once complete. */
type Block =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

const USAGE = { input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
/** Claude Code hands thinking blocks back verbatim; the real API checks the signature, this fake does not. */
const SIGNATURE = 'scripted-model';

/** The content blocks of the shape's items, in order (one item may become several tool calls). */
export function anthropicBlocks(items: readonly OutputItem[], context: AnthropicContext, nextId: IdSource): Block[] {
  const tool = (name: string, input: Record<string, unknown>): Block => ({ type: 'tool_use', id: nextId('toolu'), name, input });
  return items.flatMap((item): Block[] => {
    switch (item.type) {
      case 'message':
        return [{ type: 'text', text: item.chunks.join('') }];
      case 'reasoning':
        return [{ type: 'thinking', thinking: item.summary.join(''), signature: SIGNATURE }];
      case 'exec':
        return [tool('Bash', { command: item.cmd })];
      case 'function_call':
        return [tool(item.name, item.arguments)];
      case 'web_search':
        return [{ type: 'text', text: `(searched the web for "${item.query}")\n\n` }];
      case 'apply_patch':
        return patchEdits(item.patch).flatMap((edit): Block[] => {
          const path = resolvePath(edit.path, context.cwd);
          switch (edit.kind) {
            case 'add':
              return [tool('Write', { file_path: path, content: edit.content })];
            case 'update':
              return [tool('Read', { file_path: path }), tool('Edit', { file_path: path, old_string: edit.oldText, new_string: edit.newText })];
            case 'delete':
              return [tool('Bash', { command: `rm -- '${path.replaceAll("'", `'\\''`)}'` })];
          }
        });
    }
  });
}

/** Streamed events for `POST /v1/messages` with `stream: true`. */
export function encodeAnthropic(shape: Shape, context: AnthropicContext, nextId: IdSource): Plan {
  if (shape.kind === 'http_error') return shape;
  // Each item's blocks are streamed under the item, so `hold` and `failed` leave the last item open.
  let index = 0;
  const expand = (item: OutputItem): ExpandedItem => {
    const blocks = anthropicBlocks([item], context, nextId);
    const events = blocks.map((block) => blockEvents(block, index++, item, shape.delayMs));
    const open = events.flatMap((e, i) => (i < events.length - 1 ? [...e.open, ...e.close.map((c) => now(c))] : e.open));
    return { open, close: events.at(-1)?.close ?? [] };
  };
  const stopReason = callsTools(shape.items) ? 'tool_use' : 'end_turn';
  return assemble(shape, nextId('msg'), expand, {
    start: [(id) => ({ type: 'message_start', message: messageShell(id, context.model, []) })],
    completed: () => [
      { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: USAGE.output_tokens } },
      { type: 'message_stop' },
    ],
    failed: (_id, code, message) => [{ type: 'error', error: { type: code === 'overloaded' ? 'overloaded_error' : 'api_error', message } }],
  });
}

/** The whole message for a non-streaming `POST /v1/messages`. */
export function anthropicMessage(shape: Extract<Shape, { kind: 'stream' }>, context: AnthropicContext, nextId: IdSource): Record<string, unknown> {
  const message = messageShell(nextId('msg'), context.model, anthropicBlocks(shape.items, context, nextId));
  return { ...message, stop_reason: callsTools(shape.items) ? 'tool_use' : 'end_turn' };
}

function messageShell(id: string, model: string, content: Block[]) {
  return { id, type: 'message', role: 'assistant', model, content, stop_reason: null, stop_sequence: null, usage: USAGE };
}

function blockEvents(block: Block, index: number, item: OutputItem, delayMs: number): ExpandedItem {
  const stop: SseEvent = { type: 'content_block_stop', index };
  const delta = (d: Record<string, unknown>, delay = 0) => ({ event: { type: 'content_block_delta', index, delta: d }, delayMs: delay });
  switch (block.type) {
    case 'text': {
      const chunks = item.type === 'message' ? item.chunks : [block.text];
      return {
        open: [now({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } }), ...chunks.map((text) => delta({ type: 'text_delta', text }, delayMs))],
        close: [stop],
      };
    }
    case 'thinking': {
      const chunks = item.type === 'reasoning' ? item.summary : [block.thinking];
      return {
        open: [
          now({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } }),
          ...chunks.map((thinking) => delta({ type: 'thinking_delta', thinking }, delayMs)),
        ],
        close: [{ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: block.signature } }, stop],
      };
    }
    case 'tool_use':
      return {
        open: [now({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } })],
        close: [{ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) } }, stop],
      };
  }
}
