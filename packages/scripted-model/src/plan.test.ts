import { describe, expect, it } from 'vitest';
import { planReply, type Plan } from './plan.js';
import type { Reply } from './reply.js';

function plan(reply: Reply): Plan {
  let n = 0;
  return planReply(reply, (prefix) => `${prefix}_${++n}`);
}

function streamTypes(p: Plan): string[] {
  if (p.kind !== 'stream') throw new Error('expected a stream');
  return p.frames.map((f) => f.event.type);
}

describe('planReply', () => {
  it('streams a text reply as one message item with a delta per chunk', () => {
    const p = plan({ type: 'text', chunks: ['Hel', 'lo'], delayMs: 5 });
    expect(p).toEqual({
      kind: 'stream',
      hold: false,
      tail: [],
      frames: [
        { delayMs: 0, event: { type: 'response.created', response: { id: 'resp_1' } } },
        {
          delayMs: 0,
          event: { type: 'response.output_item.added', output_index: 0, item: { type: 'message', role: 'assistant', id: 'msg_2', content: [] } },
        },
        { delayMs: 5, event: { type: 'response.output_text.delta', item_id: 'msg_2', output_index: 0, content_index: 0, delta: 'Hel' } },
        { delayMs: 5, event: { type: 'response.output_text.delta', item_id: 'msg_2', output_index: 0, content_index: 0, delta: 'lo' } },
        {
          delayMs: 0,
          event: {
            type: 'response.output_item.done',
            output_index: 0,
            item: { type: 'message', role: 'assistant', id: 'msg_2', content: [{ type: 'output_text', text: 'Hello' }] },
          },
        },
        { delayMs: 0, event: expect.objectContaining({ type: 'response.completed', response: expect.objectContaining({ id: 'resp_1' }) }) },
      ],
    });
  });

  it('puts the reasoning item before the message, at successive output indexes', () => {
    const p = plan({ type: 'reasoning', summary: ['Think', 'ing'], text: ['ok'] });
    expect(streamTypes(p)).toEqual([
      'response.created',
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.delta',
      'response.output_item.done',
      'response.output_item.added',
      'response.output_text.delta',
      'response.output_item.done',
      'response.completed',
    ]);
    if (p.kind !== 'stream') throw new Error('stream');
    expect(p.frames[5]?.event).toMatchObject({ output_index: 0, item: { type: 'reasoning', id: 'rs_2', summary: [{ type: 'summary_text', text: 'Thinking' }] } });
    expect(p.frames[8]?.event).toMatchObject({ output_index: 1, item: { type: 'message', id: 'msg_3' } });
  });

  it('turns an escalated exec into an exec_command call asking for escalation', () => {
    const p = plan({ type: 'exec', cmd: 'echo hi', escalated: 'needs the network' });
    if (p.kind !== 'stream') throw new Error('stream');
    const done = p.frames.find((f) => f.event.type === 'response.output_item.done')?.event;
    expect(done).toEqual({
      type: 'response.output_item.done',
      output_index: 0,
      item: { type: 'function_call', id: 'fc_2', call_id: 'call_3', name: 'exec_command', arguments: expect.any(String) },
    });
    const item = done?.item as { arguments: string };
    expect(JSON.parse(item.arguments)).toEqual({
      cmd: 'echo hi',
      yield_time_ms: 10_000,
      sandbox_permissions: 'require_escalated',
      justification: 'needs the network',
    });
  });

  it('sends apply_patch as a custom tool call and a web search as a completed web_search_call', () => {
    const p = plan({
      type: 'items',
      items: [
        { type: 'apply_patch', patch: '*** Begin Patch\n*** End Patch\n', callId: 'call_x' },
        { type: 'web_search', query: 'vitest' },
      ],
    });
    if (p.kind !== 'stream') throw new Error('stream');
    const done = p.frames.filter((f) => f.event.type === 'response.output_item.done').map((f) => f.event.item);
    expect(done).toEqual([
      { type: 'custom_tool_call', id: 'ctc_2', call_id: 'call_x', name: 'apply_patch', input: '*** Begin Patch\n*** End Patch\n' },
      { type: 'web_search_call', id: 'ws_3', status: 'completed', action: { type: 'search', query: 'vitest' } },
    ]);
  });

  it('holds a hang reply open after its deltas and keeps the closing events for release', () => {
    const p = plan({ type: 'hang', chunks: ['a', 'b'] });
    expect(p.kind === 'stream' && p.hold).toBe(true);
    expect(streamTypes(p)).toEqual(['response.created', 'response.output_item.added', 'response.output_text.delta', 'response.output_text.delta']);
    if (p.kind !== 'stream') throw new Error('stream');
    expect(p.tail.map((e) => e.type)).toEqual(['response.output_item.done', 'response.completed']);
  });

  it('ends a failed_midstream reply with response.failed and no completion', () => {
    const p = plan({ type: 'failed_midstream', chunks: ['par'], message: 'boom' });
    expect(streamTypes(p)).toEqual(['response.created', 'response.output_item.added', 'response.output_text.delta', 'response.failed']);
    if (p.kind !== 'stream') throw new Error('stream');
    expect(p.frames.at(-1)?.event).toEqual({ type: 'response.failed', response: { id: 'resp_1', error: { code: 'server_error', message: 'boom' } } });
  });

  it('passes http errors through', () => {
    expect(plan({ type: 'http_error', status: 429, body: { error: { message: 'slow down' } } })).toEqual({
      kind: 'http_error',
      status: 429,
      body: { error: { message: 'slow down' } },
    });
  });
});
