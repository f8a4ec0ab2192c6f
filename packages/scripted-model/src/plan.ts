// Turns one scripted Reply into what the server must do: pure, so the event sequence
// for every reply kind is testable with plain values.
import type { OutputItem, Reply } from './reply.js';
import { sse, type SseEvent } from './sse.js';

/** An event to write after waiting `delayMs`. */
export interface Frame {
  readonly event: SseEvent;
  readonly delayMs: number;
}

export type Plan =
  | { readonly kind: 'http_error'; readonly status: number; readonly body: unknown }
  /**
   * Write `frames`; when `hold` is set, keep the response open until released (then write
   * `tail`) or until the client goes away.
   */
  | { readonly kind: 'stream'; readonly frames: readonly Frame[]; readonly hold: boolean; readonly tail: readonly SseEvent[] };

/** Hands out ids that stay unique for the server's lifetime (`msg_3`, `call_4`, ...). */
export type IdSource = (prefix: string) => string;

export function planReply(reply: Reply, nextId: IdSource): Plan {
  const delay = 'delayMs' in reply ? (reply.delayMs ?? 0) : 0;
  switch (reply.type) {
    case 'http_error':
      return { kind: 'http_error', status: reply.status, body: reply.body };
    case 'text':
      return completedStream([{ type: 'message', chunks: reply.chunks }], delay, nextId);
    case 'reasoning':
      return completedStream(
        [
          { type: 'reasoning', summary: reply.summary },
          { type: 'message', chunks: reply.text },
        ],
        delay,
        nextId,
      );
    case 'exec':
      return completedStream([{ type: 'exec', cmd: reply.cmd, escalated: reply.escalated, login: reply.login }], delay, nextId);
    case 'apply_patch':
      return completedStream([{ type: 'apply_patch', patch: reply.patch }], delay, nextId);
    case 'web_search': {
      const items: OutputItem[] = [{ type: 'web_search', query: reply.query }];
      if (reply.text) items.push({ type: 'message', chunks: reply.text });
      return completedStream(items, delay, nextId);
    }
    case 'items':
      return completedStream(reply.items, delay, nextId);
    case 'hang': {
      const responseId = nextId('resp');
      const message = expandItem({ type: 'message', chunks: reply.chunks }, 0, delay, nextId);
      return {
        kind: 'stream',
        frames: [now(sse.created(responseId)), ...message.open],
        hold: true,
        tail: [...message.close, sse.completed(responseId)],
      };
    }
    case 'failed_midstream': {
      const responseId = nextId('resp');
      const message = expandItem({ type: 'message', chunks: reply.chunks }, 0, delay, nextId);
      return {
        kind: 'stream',
        frames: [
          now(sse.created(responseId)),
          ...message.open,
          now(sse.failed(responseId, reply.code ?? 'server_error', reply.message)),
        ],
        hold: false,
        tail: [],
      };
    }
  }
}

function completedStream(items: readonly OutputItem[], delayMs: number, nextId: IdSource): Plan {
  const responseId = nextId('resp');
  const frames: Frame[] = [now(sse.created(responseId))];
  items.forEach((item, index) => {
    const expanded = expandItem(item, index, delayMs, nextId);
    frames.push(...expanded.open, ...expanded.close.map(now));
  });
  frames.push(now(sse.completed(responseId)));
  return { kind: 'stream', frames, hold: false, tail: [] };
}

/** An item's events up to its last delta (`open`) and its closing `output_item.done` (`close`). */
interface ExpandedItem {
  readonly open: Frame[];
  readonly close: SseEvent[];
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

function now(event: SseEvent): Frame {
  return { event, delayMs: 0 };
}
