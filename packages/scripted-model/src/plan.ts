// Turns one scripted Reply into what the server must do: pure, so the event sequence
// for every reply kind is testable with plain values. The Responses API encoder lives here, with
// the layout (`assemble`) that the Anthropic and Gemini encoders share.
import type { OutputItem, Reply } from './reply.js';
import { shapeReply, type Shape } from './shape.js';
import { sse, type SseEvent } from './sse.js';

/** An event to write after waiting `delayMs`. */
export interface Frame<E = SseEvent> {
  readonly event: E;
  readonly delayMs: number;
}

/** What the server must do for one request, in one wire's events (Responses API events by default). */
export type Plan<E = SseEvent> =
  | { readonly kind: 'http_error'; readonly status: number; readonly body: unknown }
  /**
   * Write `frames`; when `hold` is set, keep the response open until released (then write
   * `tail`) or until the client goes away.
   */
  | { readonly kind: 'stream'; readonly frames: readonly Frame<E>[]; readonly hold: boolean; readonly tail: readonly E[] };

/** Hands out ids that stay unique for the server's lifetime (`msg_3`, `call_4`, ...). */
export type IdSource = (prefix: string) => string;

/** One reply as Responses API events. */
export function planReply(reply: Reply, nextId: IdSource): Plan {
  return encodeResponses(shapeReply(reply), nextId);
}

/** The Responses API encoder of the neutral shape (see shape.ts). */
export function encodeResponses(shape: Shape, nextId: IdSource): Plan {
  if (shape.kind === 'http_error') return shape;
  return assemble(shape, nextId('resp'), (item, index) => expandItem(item, index, shape.delayMs, nextId), {
    start: [(id) => sse.created(id)],
    completed: (id) => [sse.completed(id)],
    failed: (id, code, message) => [sse.failed(id, code, message)],
  });
}

/** A wire's events around the items: opening, normal end, failure. */
export interface Envelope<E> {
  readonly start: readonly ((id: string) => E)[];
  readonly completed: (id: string) => E[];
  readonly failed: (id: string, code: string, message: string) => E[];
}

/** Lays out expanded items per the shape's ending; shared by every wire encoder. */
export function assemble<E>(
  shape: Extract<Shape, { kind: 'stream' }>,
  id: string,
  expand: (item: OutputItem, index: number) => ExpandedItem<E>,
  envelope: Envelope<E>,
): Plan<E> {
  const frames: Frame<E>[] = envelope.start.map((make) => now(make(id)));
  const expanded = shape.items.map(expand);
  const last = expanded.at(-1);
  const whole = shape.ending.type === 'completed' ? expanded : expanded.slice(0, -1);
  for (const item of whole) frames.push(...item.open, ...item.close.map((event) => now(event)));
  switch (shape.ending.type) {
    case 'completed':
      frames.push(...envelope.completed(id).map((event) => now(event)));
      return { kind: 'stream', frames, hold: false, tail: [] };
    case 'hold':
      frames.push(...(last?.open ?? []));
      return { kind: 'stream', frames, hold: true, tail: [...(last?.close ?? []), ...envelope.completed(id)] };
    case 'failed':
      frames.push(...(last?.open ?? []), ...envelope.failed(id, shape.ending.code, shape.ending.message).map((event) => now(event)));
      return { kind: 'stream', frames, hold: false, tail: [] };
  }
}

/** An item's events up to its last delta (`open`) and its closing `output_item.done` (`close`). */
export interface ExpandedItem<E = SseEvent> {
  readonly open: Frame<E>[];
  readonly close: E[];
}

function expandItem(item: OutputItem, index: number, delayMs: number, nextId: IdSource): ExpandedItem {
  switch (item.type) {
    case 'message': {
      const id = nextId('msg');
      const shell = { type: 'message', role: 'assistant', id };
      return {
        open: [
          now(sse.itemAdded(index, { ...shell, content: [] })),
          ...item.chunks.map((chunk) => ({ event: sse.textDelta(id, index, chunk), delayMs })),
        ],
        close: [sse.itemDone(index, { ...shell, content: [{ type: 'output_text', text: item.chunks.join('') }] })],
      };
    }
    case 'reasoning': {
      const id = nextId('rs');
      return {
        open: [
          now(sse.itemAdded(index, { type: 'reasoning', id, summary: [] })),
          now(sse.summaryPartAdded(id, index)),
          ...item.summary.map((chunk) => ({ event: sse.summaryTextDelta(id, index, chunk), delayMs })),
        ],
        close: [sse.itemDone(index, { type: 'reasoning', id, summary: [{ type: 'summary_text', text: item.summary.join('') }] })],
      };
    }
    case 'exec': {
      const args: Record<string, unknown> = { cmd: item.cmd, yield_time_ms: item.yieldTimeMs ?? 10_000 };
      if (item.workdir !== undefined) args.workdir = item.workdir;
      if (item.login !== undefined) args.login = item.login;
      if (item.escalated !== undefined) {
        args.sandbox_permissions = 'require_escalated';
        args.justification = item.escalated;
      }
      return toolCall(index, functionCall(nextId, 'exec_command', args, item.callId));
    }
    case 'function_call':
      return toolCall(index, functionCall(nextId, item.name, item.arguments, item.callId));
    case 'apply_patch':
      return toolCall(index, {
        type: 'custom_tool_call',
        id: nextId('ctc'),
        call_id: item.callId ?? nextId('call'),
        name: 'apply_patch',
        input: item.patch,
      });
    case 'web_search': {
      const call = { type: 'web_search_call', id: nextId('ws'), action: { type: 'search', query: item.query } };
      return {
        open: [now(sse.itemAdded(index, { ...call, status: 'in_progress' }))],
        close: [sse.itemDone(index, { ...call, status: 'completed' })],
      };
    }
  }
}

function functionCall(nextId: IdSource, name: string, args: Record<string, unknown>, callId: string | undefined) {
  return { type: 'function_call', id: nextId('fc'), call_id: callId ?? nextId('call'), name, arguments: JSON.stringify(args) };
}

/** Tool calls arrive whole: Codex acts on `output_item.done`. */
function toolCall(index: number, item: Record<string, unknown>): ExpandedItem {
  return { open: [now(sse.itemAdded(index, item))], close: [sse.itemDone(index, item)] };
}

export function now<E>(event: E): Frame<E> {
  return { event, delayMs: 0 };
}
