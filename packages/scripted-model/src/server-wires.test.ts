// The Anthropic and Gemini endpoints of the real HTTP server (port 0): same queue, same cues,
// side calls answered without consuming either.
import { afterEach, describe, expect, it } from 'vitest';
import { AGENTS_SCRIPT_PATH, cueResponder, loadCueScript } from './cues.js';
import { startScriptedModel, type ScriptedModel } from './server.js';

let model: ScriptedModel | undefined;
afterEach(async () => {
  await model?.close();
  model = undefined;
});

const origin = (m: ScriptedModel) => m.url.replace(/\/v1$/, '');

function post(m: ScriptedModel, path: string, body: unknown): Promise<Response> {
  return fetch(`${origin(m)}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** `event:`/`data:` pairs of an SSE body (`event` empty for data-only frames). */
async function frames(res: Response): Promise<{ event: string; data: Record<string, unknown> }[]> {
  return (await res.text())
    .split(/\r?\n\r?\n/)
    .filter((frame) => frame.trim() !== '')
    .map((frame) => ({ event: /^event: (.*)$/m.exec(frame)?.[1] ?? '', data: JSON.parse(/^data: (.*)$/m.exec(frame)?.[1] ?? 'null') as Record<string, unknown> }));
}

const claudeTurn = (text: string) => ({ model: 'claude-x', stream: true, tools: [{ name: 'Bash' }], messages: [{ role: 'user', content: text }] });
const geminiTurn = (text: string) => ({ contents: [{ role: 'user', parts: [{ text }] }] });
const GEMINI = '/v1beta/models/gemini-x';

describe('POST /v1/messages (Anthropic)', () => {
  it('streams the next queued reply as named SSE events; side calls and token counts leave the queue alone', async () => {
    const m = (model = await startScriptedModel());
    m.enqueue({ type: 'text', chunks: ['Hel', 'lo'] });

    const side = await post(m, '/v1/messages', { model: 'claude-haiku', max_tokens: 50, messages: [{ role: 'user', content: 'Title for: hello' }] });
    expect(await side.json()).toMatchObject({ type: 'message', role: 'assistant', content: [{ type: 'text' }], stop_reason: 'end_turn' });
    expect(await (await post(m, '/v1/messages/count_tokens', { messages: [] })).json()).toEqual({ input_tokens: 10 });
    expect(m.pending()).toBe(1);

    const res = await post(m, '/v1/messages?beta=true', claudeTurn('hello'));
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const events = await frames(res);
    for (const f of events) expect(f.event).toBe(f.data.type);
    expect(events.map((f) => f.event)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(m.requests.map((r) => [r.wire, r.side])).toEqual([
      ['anthropic', true],
      ['anthropic', true],
      ['anthropic', false],
    ]);
    expect((await post(m, '/v1/messages', claudeTurn('again'))).status).toBe(500);
  });
});

describe('Gemini endpoints', () => {
  it('streams the queued reply as data-only GenerateContentResponse frames; counts, model lists and JSON checks are side calls', async () => {
    const m = (model = await startScriptedModel());
    m.enqueue({ type: 'exec', cmd: 'ls' });

    expect(await (await post(m, `${GEMINI}:countTokens`, geminiTurn('x'))).json()).toEqual({ totalTokens: 10 });
    expect(await (await fetch(`${origin(m)}/v1beta/models`)).json()).toMatchObject({ models: [{ name: expect.stringMatching(/^models\//) }] });
    const check = await post(m, `${GEMINI}:generateContent`, {
      ...geminiTurn('who speaks next?'),
      generationConfig: { responseMimeType: 'application/json', responseJsonSchema: { type: 'object', properties: { next_speaker: { type: 'string', enum: ['user', 'model'] } } } },
    });
    const checkText = ((await check.json()) as { candidates: { content: { parts: { text: string }[] } }[] }).candidates[0]!.content.parts[0]!.text;
    expect(JSON.parse(checkText)).toEqual({ next_speaker: 'user' });
    expect(m.pending()).toBe(1);

    const events = await frames(await post(m, `${GEMINI}:streamGenerateContent?alt=sse`, geminiTurn('list files')));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      event: '',
      data: { candidates: [{ content: { role: 'model', parts: [{ functionCall: { name: 'run_shell_command', args: { command: 'ls' } } }] }, finishReason: 'STOP' }] },
    });
    expect(m.requests.filter((r) => !r.side).map((r) => r.wire)).toEqual(['gemini']);
  });
});

describe('one cue script behind every wire', () => {
  it('answers Claude Code and Gemini CLI turns, and their tool results, from the same cues', async () => {
    const m = (model = await startScriptedModel({ respond: cueResponder(await loadCueScript(AGENTS_SCRIPT_PATH)) }));
    const claude = await frames(await post(m, '/v1/messages', claudeTurn('Please run the command')));
    expect(claude.find((f) => f.event === 'content_block_start')?.data).toMatchObject({ content_block: { type: 'tool_use', name: 'Bash' } });
    const toolResult = { ...claudeTurn(''), messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'scripted-42' }] }] };
    const after = await frames(await post(m, '/v1/messages', toolResult));
    expect(after.flatMap((f) => (f.event === 'content_block_delta' ? [(f.data.delta as { text: string }).text] : [])).join('')).toBe('The command ran.');

    const gemini = await frames(await post(m, `${GEMINI}:streamGenerateContent?alt=sse`, geminiTurn('hello')));
    const parts = gemini.flatMap((f) => (f.data.candidates as { content: { parts: { text: string; thought?: boolean }[] } }[])[0]!.content.parts);
    expect(parts.filter((p) => !p.thought).map((p) => p.text).join('')).toBe('Hello from the scripted model.');
  });
});
