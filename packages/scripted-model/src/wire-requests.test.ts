import { describe, expect, it } from 'vitest';
import { readAnthropicRequest } from './anthropic-request.js';
import { readGeminiRequest } from './gemini-request.js';
import { sideJson } from './side-calls.js';

const reminder = { type: 'text', text: '<system-reminder>\nrun the tests maybe\n</system-reminder>' };

describe('readAnthropicRequest (bodies as Claude Code sends them)', () => {
  const base = { model: 'claude-x', stream: true, tools: [{ name: 'Bash' }], system: [{ type: 'text', text: 'Env\n - Primary working directory: /work/repo\n - Is a git repository: false' }] };

  it('reads the user text without Claude Code reminders, and the working directory', () => {
    const body = { ...base, messages: [{ role: 'user', content: [reminder, { type: 'text', text: 'Run the command!' }] }] };
    expect(readAnthropicRequest(body)).toEqual({ input: { type: 'user', text: 'Run the command!' }, model: 'claude-x', stream: true, side: false, cwd: '/work/repo' });
  });

  it('reads a tool_result as the turn going on', () => {
    const messages = [
      { role: 'user', content: 'run it' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'Bash', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'ok' }] },
    ];
    expect(readAnthropicRequest({ ...base, messages }).input).toEqual({ type: 'tool_output' });
  });

  it('calls a request without tools or without streaming a side call; an odd body is unknown', () => {
    const messages = [{ role: 'user', content: 'Write a title' }];
    expect(readAnthropicRequest({ ...base, tools: [], messages }).side).toBe(true);
    expect(readAnthropicRequest({ ...base, stream: false, messages }).side).toBe(true);
    expect(readAnthropicRequest('not json').input).toEqual({ type: 'unknown' });
  });
});

describe('readGeminiRequest (bodies as Gemini CLI sends them)', () => {
  const context = { text: '<session_context>\nThis is the Gemini CLI.\n- **Workspace Directories:**\n  - /work/repo\n- **Directory Structure:**\n' };

  it('reads the user text without the session context, and the workspace directory', () => {
    const body = { contents: [{ role: 'user', parts: [context, { text: 'hello' }] }], generationConfig: { temperature: 1 } };
    expect(readGeminiRequest(body)).toEqual({ input: { type: 'user', text: 'hello' }, cwd: '/work/repo', wantsJson: false, responseSchema: undefined });
  });

  it('reads functionResponse parts as the turn going on, and a JSON request as such', () => {
    const contents = [
      { role: 'user', parts: [{ text: 'run the command' }] },
      { role: 'model', parts: [{ functionCall: { name: 'run_shell_command', args: {} } }] },
      { role: 'user', parts: [{ functionResponse: { name: 'run_shell_command', response: { output: 'x' } } }] },
    ];
    const schema = { type: 'object', properties: { next_speaker: { type: 'string', enum: ['user', 'model'] } } };
    const read = readGeminiRequest({ contents, generationConfig: { responseMimeType: 'application/json', responseJsonSchema: schema } });
    expect(read).toMatchObject({ input: { type: 'tool_output' }, wantsJson: true, responseSchema: schema });
  });
});

describe('sideJson', () => {
  it('builds the smallest value a schema accepts; `user` speaks next when offered', () => {
    const schema = {
      type: 'OBJECT',
      properties: { reasoning: { type: 'string' }, next_speaker: { type: 'string', enum: ['model', 'user'] }, n: { type: 'integer' }, ok: { type: 'boolean' }, list: { type: 'array' } },
    };
    expect(sideJson(schema)).toEqual({ reasoning: 'scripted', next_speaker: 'user', n: 0, ok: false, list: [] });
    expect(sideJson(undefined)).toEqual({});
  });
});
