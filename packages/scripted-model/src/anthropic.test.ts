import { describe, expect, it } from 'vitest';
import { anthropicMessage, encodeAnthropic } from './anthropic.js';
import type { Plan } from './plan.js';
import type { Reply } from './reply.js';
import { shapeReply } from './shape.js';

const context = { model: 'claude-test', cwd: '/work/repo' };

function plan(reply: Reply): Extract<Plan, { kind: 'stream' }> {
  let n = 0;
  const p = encodeAnthropic(shapeReply(reply), context, (prefix) => `${prefix}_${++n}`);
  if (p.kind !== 'stream') throw new Error('expected a stream');
  return p;
}

const deltas = (p: Extract<Plan, { kind: 'stream' }>) => p.frames.flatMap((f) => (f.event.type === 'content_block_delta' ? [f.event.delta] : []));

describe('encodeAnthropic', () => {
  it('streams reasoning as a signed thinking block, then text deltas, ending end_turn', () => {
    const p = plan({ type: 'reasoning', summary: ['Think', 'ing'], text: ['Hel', 'lo'], delayMs: 3 });
    expect(p.frames.map((f) => f.event.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(deltas(p)).toEqual([
      { type: 'thinking_delta', thinking: 'Think' },
      { type: 'thinking_delta', thinking: 'ing' },
      { type: 'signature_delta', signature: 'scripted-model' },
      { type: 'text_delta', text: 'Hel' },
      { type: 'text_delta', text: 'lo' },
    ]);
    expect(p.frames.filter((f) => f.delayMs === 3)).toHaveLength(4);
    expect(p.frames.at(-2)?.event).toMatchObject({ delta: { stop_reason: 'end_turn' } });
    expect(p.frames[0]?.event).toMatchObject({ message: { id: 'msg_1', model: 'claude-test', role: 'assistant', content: [] } });
  });

  it('turns a command into a Bash tool_use whose input arrives as input_json_delta, ending tool_use', () => {
    const p = plan({ type: 'exec', cmd: 'ls -la' });
    const start = p.frames.find((f) => f.event.type === 'content_block_start')?.event;
    expect(start).toMatchObject({ index: 0, content_block: { type: 'tool_use', name: 'Bash', input: {} } });
    expect(deltas(p)).toEqual([{ type: 'input_json_delta', partial_json: '{"command":"ls -la"}' }]);
    expect(p.frames.at(-2)?.event).toMatchObject({ delta: { stop_reason: 'tool_use' } });
  });

  it('keeps a trailing & in the command as it is: Claude Code leaves a backgrounded process running (no run_in_background)', () => {
    const p = plan({ type: 'exec', cmd: 'node server.js 3000 > log 2>&1 &' });
    expect(deltas(p)).toEqual([{ type: 'input_json_delta', partial_json: JSON.stringify({ command: 'node server.js 3000 > log 2>&1 &' }) }]);
  });

  it('turns a patch into Write / Read + Edit / Bash rm with absolute paths, one block index each', () => {
    const patch = '*** Begin Patch\n*** Add File: a.txt\n+A\n*** Update File: b.txt\n@@\n-x\n+y\n*** Delete File: c.txt\n*** End Patch';
    const p = plan({ type: 'apply_patch', patch });
    const blocks = p.frames.flatMap((f) => (f.event.type === 'content_block_start' ? [[f.event.index, (f.event.content_block as { name: string }).name]] : []));
    expect(blocks).toEqual([
      [0, 'Write'],
      [1, 'Read'],
      [2, 'Edit'],
      [3, 'Bash'],
    ]);
    expect(deltas(p).map((d) => JSON.parse((d as { partial_json: string }).partial_json) as unknown)).toEqual([
      { file_path: '/work/repo/a.txt', content: 'A\n' },
      { file_path: '/work/repo/b.txt' },
      { file_path: '/work/repo/b.txt', old_string: 'x', new_string: 'y' },
      { command: "rm -- '/work/repo/c.txt'" },
    ]);
  });

  it('holds a hang reply open with the block and message ends in the tail', () => {
    const p = plan({ type: 'hang', chunks: ['wait'] });
    expect(p.hold).toBe(true);
    expect(p.frames.map((f) => f.event.type)).toEqual(['message_start', 'content_block_start', 'content_block_delta']);
    expect(p.tail.map((e) => e.type)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
  });

  it('ends a failed stream with an error event after the deltas', () => {
    const p = plan({ type: 'failed_midstream', chunks: ['par'], message: 'boom' });
    expect(p.frames.at(-1)?.event).toEqual({ type: 'error', error: { type: 'api_error', message: 'boom' } });
  });

  it('passes an HTTP error through and builds whole messages for non-streaming requests', () => {
    expect(encodeAnthropic(shapeReply({ type: 'http_error', status: 529, body: { x: 1 } }), context, () => 'id')).toEqual({
      kind: 'http_error',
      status: 529,
      body: { x: 1 },
    });
    const shape = shapeReply({ type: 'text', chunks: ['A ', 'title'] });
    if (shape.kind !== 'stream') throw new Error('expected a stream');
    expect(anthropicMessage(shape, context, () => 'msg_9')).toMatchObject({
      id: 'msg_9',
      type: 'message',
      content: [{ type: 'text', text: 'A title' }],
      stop_reason: 'end_turn',
    });
  });
});
