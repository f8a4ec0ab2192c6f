// The neutral reply plan: what one scripted Reply says, before any wire format. Each wire
// (Responses, Anthropic Messages, Gemini) encodes this one shape, so scenarios and cue scripts
// are written once and every endpoint tells the same story.
import type { OutputItem, Reply } from './reply.js';

/** How a stream ends: normally; held open until released (the last item closes in the tail); failed after the last item's deltas. */
export type Ending = { readonly type: 'completed' } | { readonly type: 'hold' } | { readonly type: 'failed'; readonly code: string; readonly message: string };

export type Shape =
  | { readonly kind: 'http_error'; readonly status: number; readonly body: unknown }
  | { readonly kind: 'stream'; readonly items: readonly OutputItem[]; readonly delayMs: number; readonly ending: Ending };

const COMPLETED: Ending = { type: 'completed' };

/** Pure: the items a reply streams, the delay before each delta, and how the stream ends. */
export function shapeReply(reply: Reply): Shape {
  const delayMs = 'delayMs' in reply ? (reply.delayMs ?? 0) : 0;
  const stream = (items: readonly OutputItem[], ending: Ending = COMPLETED): Shape => ({ kind: 'stream', items, delayMs, ending });
  switch (reply.type) {
    case 'http_error':
      return { kind: 'http_error', status: reply.status, body: reply.body };
    case 'text':
      return stream([{ type: 'message', chunks: reply.chunks }]);
    case 'reasoning':
      return stream([
        { type: 'reasoning', summary: reply.summary },
        { type: 'message', chunks: reply.text },
      ]);
    case 'exec':
      return stream([{ type: 'exec', cmd: reply.cmd, escalated: reply.escalated, login: reply.login }]);
    case 'apply_patch':
      return stream([{ type: 'apply_patch', patch: reply.patch }]);
    case 'web_search':
      return stream([{ type: 'web_search', query: reply.query }, ...(reply.text ? [{ type: 'message' as const, chunks: reply.text }] : [])]);
    case 'items':
      return stream(reply.items);
    case 'hang':
      return stream([{ type: 'message', chunks: reply.chunks }], { type: 'hold' });
    case 'failed_midstream':
      return stream([{ type: 'message', chunks: reply.chunks }], { type: 'failed', code: reply.code ?? 'server_error', message: reply.message });
  }
}

/** True when the items ask the agent to run a tool (so the turn goes on after it ran). */
export function callsTools(items: readonly OutputItem[]): boolean {
  return items.some((item) => item.type !== 'message' && item.type !== 'reasoning' && item.type !== 'web_search');
}
