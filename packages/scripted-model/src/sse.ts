// Responses API streaming events and their Server-Sent Events framing.
// Shapes follow what Codex 0.169.0 accepted (docs/decisions/codex-app-server.md); the `type` is
// repeated inside `data`, as the real API does. SSE framing per the WHATWG HTML spec §9.2.

/** One streaming event; `type` doubles as the SSE `event:` name. */
export interface SseEvent {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** Encodes one event as an SSE frame (`event:` line, one `data:` line, blank line). */
export function encodeSse(event: SseEvent): string {
  // JSON.stringify never emits raw newlines, so one data line always suffices.
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

export const sse = {
  created: (responseId: string): SseEvent => ({ type: 'response.created', response: { id: responseId } }),

  itemAdded: (outputIndex: number, item: Record<string, unknown>): SseEvent => ({
    type: 'response.output_item.added',
    output_index: outputIndex,
    item,
  }),

  itemDone: (outputIndex: number, item: Record<string, unknown>): SseEvent => ({
    type: 'response.output_item.done',
    output_index: outputIndex,
    item,
  }),

  textDelta: (itemId: string, outputIndex: number, delta: string): SseEvent => ({
    type: 'response.output_text.delta',
    item_id: itemId,
    output_index: outputIndex,
    content_index: 0,
    delta,
  }),

  summaryPartAdded: (itemId: string, outputIndex: number): SseEvent => ({
    type: 'response.reasoning_summary_part.added',
    item_id: itemId,
    output_index: outputIndex,
    summary_index: 0,
    part: { type: 'summary_text', text: '' },
  }),

  summaryTextDelta: (itemId: string, outputIndex: number, delta: string): SseEvent => ({
    type: 'response.reasoning_summary_text.delta',
    item_id: itemId,
    output_index: outputIndex,
    summary_index: 0,
    delta,
  }),

  completed: (responseId: string): SseEvent => ({
    type: 'response.completed',
    response: {
      id: responseId,
      usage: {
        input_tokens: 10,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: 5,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: 15,
      },
    },
  }),

  failed: (responseId: string, code: string, message: string): SseEvent => ({
    type: 'response.failed',
    response: { id: responseId, error: { code, message } },
  }),
} as const;
