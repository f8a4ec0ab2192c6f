import { describe, expect, it } from 'vitest';
import { encodeGemini, encodeGeminiSse, geminiResponse, shellArgs, type GeminiChunk } from './gemini.js';
import type { Plan } from './plan.js';
import type { Reply } from './reply.js';
import { shapeReply } from './shape.js';

const context = { model: 'gemini-test', cwd: '/work/repo' };

function plan(reply: Reply): Extract<Plan<GeminiChunk>, { kind: 'stream' }> {
  const p = encodeGemini(shapeReply(reply), context, (prefix) => `${prefix}_1`);
  if (p.kind !== 'stream') throw new Error('expected a stream');
  return p;
}

type Candidate = { content: { parts: Record<string, unknown>[] }; finishReason?: string };
const candidate = (chunk: GeminiChunk) => (chunk.candidates as Candidate[])[0]!;

describe('encodeGemini', () => {
  it('streams thoughts and text one part per frame; the last frame carries finishReason and usage', () => {
    const p = plan({ type: 'reasoning', summary: ['Hm'], text: ['Hel', 'lo'], delayMs: 2 });
    expect(p.frames.map((f) => candidate(f.event).content.parts)).toEqual([[{ text: 'Hm', thought: true }], [{ text: 'Hel' }], [{ text: 'lo' }]]);
    expect(p.frames.map((f) => candidate(f.event).finishReason)).toEqual([undefined, undefined, 'STOP']);
    expect(p.frames.at(-1)?.event.usageMetadata).toMatchObject({ totalTokenCount: 15 });
    expect(p.frames.every((f) => f.delayMs === 2)).toBe(true);
  });

  it('turns a command into run_shell_command and a patch into write_file / replace with absolute paths', () => {
    expect(candidate(plan({ type: 'exec', cmd: 'ls' }).frames[0]!.event).content.parts).toEqual([{ functionCall: { name: 'run_shell_command', args: { command: 'ls' } } }]);
    const patch = '*** Begin Patch\n*** Add File: a.txt\n+A\n*** Update File: b.txt\n@@\n-x\n+y\n*** End Patch';
    const calls = plan({ type: 'apply_patch', patch }).frames.map((f) => candidate(f.event).content.parts[0]);
    expect(calls).toEqual([
      { functionCall: { name: 'write_file', args: { file_path: '/work/repo/a.txt', content: 'A\n' } } },
      { functionCall: { name: 'replace', args: { file_path: '/work/repo/b.txt', old_string: 'x', new_string: 'y', instruction: 'Edit b.txt' } } },
    ]);
  });

  it('sends a command ending in & as a background command (Gemini CLI ends a command’s process group when it returns)', () => {
    expect(shellArgs('setsid nohup node server.js 5173 > log 2>&1 < /dev/null &')).toEqual({ command: 'setsid nohup node server.js 5173 > log 2>&1 < /dev/null', is_background: true });
    expect(shellArgs('npm test')).toEqual({ command: 'npm test' });
    expect(shellArgs('a && b')).toEqual({ command: 'a && b' });
  });

  it('holds a hang reply with the finishing frame in the tail, and fails with an error frame', () => {
    const held = plan({ type: 'hang', chunks: ['wait'] });
    expect(held.hold).toBe(true);
    expect(held.tail.map((e) => candidate(e).finishReason)).toEqual(['STOP']);
    const failed = plan({ type: 'failed_midstream', chunks: ['par'], message: 'boom', code: 'unavailable' });
    expect(failed.frames.at(-1)?.event).toEqual({ error: { code: 500, message: 'boom', status: 'UNAVAILABLE' } });
  });

  it('frames data-only SSE and answers generateContent with joined parts', () => {
    expect(encodeGeminiSse({ a: 1 })).toBe('data: {"a":1}\r\n\r\n');
    const shape = shapeReply({ type: 'text', chunks: ['A ', 'b'] });
    if (shape.kind !== 'stream') throw new Error('expected a stream');
    expect(candidate(geminiResponse(shape, context))).toMatchObject({ content: { parts: [{ text: 'A b' }] }, finishReason: 'STOP' });
  });
});
