import { afterEach, describe, expect, it } from 'vitest';
import { cueResponder, matchCue, parseCueScript, readTurnInput, stepCues, initialCueState, type CueScript } from './cues.js';
import { startScriptedModel, type ScriptedModel } from './server.js';

const msg = (role: string, text: string) => ({ type: 'message', role, content: [{ type: 'input_text', text }] });
const CONTEXT = [msg('developer', 'You are Codex…'), msg('user', '<environment_context>\n  <cwd>/tmp/x</cwd>\n</environment_context>')];

const script: CueScript = parseCueScript({
  cues: [
    { name: 'hello', match: ['hello', 'hi'], replies: [{ type: 'text', chunks: ['Hello!'] }] },
    {
      name: 'tests',
      match: ['run the tests', 'test'],
      replies: [
        { type: 'exec', cmd: 'node test.js' },
        { type: 'text', chunks: ['All pass.'] },
      ],
    },
  ],
  fallback: [{ type: 'text', chunks: ['Try hello.'] }],
});

describe('readTurnInput (Responses API bodies as Codex sends them)', () => {
  it("a new turn: the person's own text, past Codex's context messages", () => {
    expect(readTurnInput({ model: 'gpt-5.5', input: [...CONTEXT, msg('user', 'Run the tests!')] })).toEqual({ type: 'user', text: 'Run the tests!' });
  });

  it('after an interrupt Codex adds <turn_aborted>: still the new text', () => {
    const input = [...CONTEXT, msg('user', 'tell me a story'), msg('user', '<turn_aborted>\nThe user interrupted the previous turn on purpose.\n</turn_aborted>'), msg('user', 'hello')];
    expect(readTurnInput({ input })).toEqual({ type: 'user', text: 'hello' });
  });

  it("the agent's follow-up after a tool ran", () => {
    const call = { type: 'function_call', call_id: 'call_1', name: 'exec_command', arguments: '{}' };
    expect(readTurnInput({ input: [...CONTEXT, msg('user', 'run the tests'), call, { type: 'function_call_output', call_id: 'call_1', output: 'ok' }] })).toEqual({ type: 'tool_output' });
    expect(readTurnInput({ input: [msg('user', 'fix'), { type: 'custom_tool_call_output', call_id: 'c', output: 'Success.' }] })).toEqual({ type: 'tool_output' });
  });

  it('anything else is unknown', () => {
    for (const body of [null, 'text', {}, { input: 'x' }, { input: [CONTEXT[1]] }]) expect(readTurnInput(body)).toEqual({ type: 'unknown' });
  });
});

describe('matchCue', () => {
  it('matches phrases as whole words, ignoring case and punctuation; the first cue wins', () => {
    expect(matchCue(script, 'Hi there')?.name).toBe('hello');
    expect(matchCue(script, 'please, RUN the   tests.')?.name).toBe('tests');
    expect(matchCue(script, 'one test')?.name).toBe('tests');
    expect(matchCue(script, 'hi, run the tests')?.name).toBe('hello');
    expect(matchCue(script, 'this is hit or miss')).toBeUndefined();
    expect(matchCue(script, 'testing')).toBeUndefined();
  });
});

describe('stepCues', () => {
  it("answers a cue's first reply, then its next ones to the agent's follow-ups, then Done.", () => {
    const a = stepCues(script, initialCueState, { type: 'user', text: 'run the tests' });
    expect(a.reply).toEqual({ type: 'exec', cmd: 'node test.js' });
    const b = stepCues(script, a.state, { type: 'tool_output' });
    expect(b.reply).toEqual({ type: 'text', chunks: ['All pass.'] });
    const c = stepCues(script, b.state, { type: 'tool_output' });
    expect(c).toEqual({ state: { pending: [] }, reply: { type: 'text', chunks: ['Done.'] }, cue: 'done' });
  });

  it('a new turn drops what an interrupted one had left; unknown text gets the fallback', () => {
    const a = stepCues(script, initialCueState, { type: 'user', text: 'run the tests' });
    const b = stepCues(script, a.state, { type: 'user', text: 'what is this?' });
    expect(b).toEqual({ state: { pending: [] }, reply: { type: 'text', chunks: ['Try hello.'] }, cue: 'fallback' });
  });
});

describe('cueResponder behind the server', () => {
  let model: ScriptedModel | undefined;
  afterEach(async () => {
    await model?.close();
    model = undefined;
  });

  /** What one answer said: its text deltas, or the command it asked to run. */
  const answer = async (m: ScriptedModel, input: unknown[]): Promise<string> => {
    const res = await fetch(`${m.url}/responses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-5.5', input }) });
    const events = (await res.text())
      .split('\n\n')
      .filter((frame) => frame.includes('data: '))
      .map((frame) => JSON.parse(frame.slice(frame.indexOf('data: ') + 6)) as { type: string; delta?: string; item?: { type: string; arguments?: string } });
    const text = events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta).join('');
    const call = events.find((e) => e.type === 'response.output_item.done' && e.item?.type === 'function_call')?.item;
    return call ? `exec ${(JSON.parse(call.arguments ?? '{}') as { cmd: string }).cmd}` : text;
  };

  it('answers what was typed when nothing is queued; queued replies still come first', async () => {
    model = await startScriptedModel({ respond: cueResponder(script) });
    model.enqueue({ type: 'text', chunks: ['queued'] });
    expect(await answer(model, [msg('user', 'hello')])).toBe('queued');
    expect(await answer(model, [msg('user', 'hello')])).toBe('Hello!');
    expect(await answer(model, [msg('user', 'run the tests')])).toBe('exec node test.js');
    expect(await answer(model, [msg('user', 'run the tests'), { type: 'function_call_output', call_id: 'x', output: 'ok' }])).toBe('All pass.');
    expect(await answer(model, [msg('user', '???')])).toBe('Try hello.');
    expect(model.requests.map((r) => r.scripted)).toEqual([true, true, true, true, true]);
  });
});
