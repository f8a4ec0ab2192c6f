// The translator against lines recorded from Claude Code 2.1.332 (trimmed of usage and ids that
// do not matter), driven headless against a local fake Messages API.
import { describe, expect, it } from 'vitest';
import type { AgentInput } from '../agent/vocabulary.js';
import { beginTurn, initialTranslator, outcomeOf, translate, type TranslatorState } from './translate.js';
import { parseLine, type ClaudeLine } from './wire.js';

const S = '610253ad-8151-41c7-9cd8-fa941552fa7d';
const ev = (event: unknown) => JSON.stringify({ type: 'stream_event', event, session_id: S, parent_tool_use_id: null, api_message_id: 'msg_2' });
const assistant = (content: unknown[], extra: object = {}) => JSON.stringify({ type: 'assistant', message: { id: 'msg_2', type: 'message', role: 'assistant', content, stop_reason: null }, parent_tool_use_id: null, session_id: S, ...extra });

const REASONING_TURN = [
  JSON.stringify({ type: 'system', subtype: 'init', cwd: '/ws', session_id: S, tools: ['Bash'], model: 'claude-opus-5-5', permissionMode: 'default' }),
  JSON.stringify({ type: 'system', subtype: 'status', status: 'requesting', session_id: S }),
  ev({ type: 'message_start', message: { id: 'msg_2', type: 'message', role: 'assistant', content: [] } }),
  ev({ type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '' } }),
  JSON.stringify({ type: 'system', subtype: 'thinking_tokens', estimated_tokens: 4, session_id: S }),
  ev({ type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Let me think.' } }),
  ev({ type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'sig' } }),
  assistant([{ type: 'thinking', thinking: 'Let me think.', signature: 'sig' }]),
  ev({ type: 'content_block_stop', index: 0 }),
  ev({ type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } }),
  ev({ type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Thoug' } }),
  ev({ type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'ht answer' } }),
  assistant([{ type: 'text', text: 'Thought answer' }]),
  ev({ type: 'content_block_stop', index: 1 }),
  ev({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null } }),
  ev({ type: 'message_stop' }),
  JSON.stringify({ type: 'result', subtype: 'success', is_error: false, terminal_reason: 'completed', result: 'Thought answer', session_id: S, num_turns: 1 }),
];

const BASH_TURN = [
  assistant([{ type: 'tool_use', id: 'toolu_4', name: 'Bash', input: { command: 'touch made.txt && echo made', description: 'Make a file' } }]),
  JSON.stringify({
    type: 'user',
    message: { role: 'user', content: [{ tool_use_id: 'toolu_4', type: 'tool_result', content: 'made', is_error: false }] },
    session_id: S,
    tool_use_result: { stdout: 'made', stderr: '', interrupted: false, isImage: false, noOutputExpected: false },
    tool_result_meta: [{ id: 'toolu_4', permission_decision: { decision: 'accept', source: 'user_temporary' } }],
  }),
];

function run(lines: string[], state: TranslatorState = beginTurn(initialTranslator, 't1')): { state: TranslatorState; inputs: AgentInput[] } {
  const inputs: AgentInput[] = [];
  for (const raw of lines) {
    const line = parseLine(raw) as ClaudeLine;
    if (line.type === 'control_request' || line.type === 'control_response' || line.type === 'control_cancel_request') throw new Error('not a content line');
    const step = translate(state, line, 5);
    state = step.state;
    inputs.push(...step.inputs);
  }
  return { state, inputs };
}

describe('translate', () => {
  it('streams reasoning and text as rows keyed by turn, message and block, closes them, and ends the turn', () => {
    const { inputs, state } = run(REASONING_TURN);
    expect(inputs).toEqual([
      { type: 'agent_note', now: 5, level: 'debug', event: 'claude_init', fields: { session_id: S, model: 'claude-opus-5-5', permission_mode: 'default' } },
      { type: 'item_delta', now: 5, turnId: 't1', key: 't1:msg_2:0', kind: 'reasoning', text: 'Let me think.' },
      { type: 'item_completed', now: 5, turnId: 't1', row: { key: 't1:msg_2:0', kind: 'reasoning', body: 'Let me think.', meta: {}, status: 'completed', eager: false } },
      { type: 'item_delta', now: 5, turnId: 't1', key: 't1:msg_2:1', kind: 'assistant', text: 'Thoug' },
      { type: 'item_delta', now: 5, turnId: 't1', key: 't1:msg_2:1', kind: 'assistant', text: 'ht answer' },
      { type: 'item_completed', now: 5, turnId: 't1', row: { key: 't1:msg_2:1', kind: 'assistant', body: 'Thought answer', meta: {}, status: 'completed', eager: false } },
      { type: 'turn_completed', now: 5, turnId: 't1', outcome: { status: 'completed' }, finals: [] },
    ]);
    expect(state).toEqual({ turnId: 't1', streaming: null, message: null, tools: {} });
  });

  it('opens a Bash row from tool_use and closes it with the tool_result output', () => {
    const { inputs } = run(BASH_TURN);
    expect(inputs).toEqual([
      {
        type: 'item_started',
        now: 5,
        turnId: 't1',
        row: { key: 't1:toolu_4', kind: 'command', body: null, meta: { command: 'touch made.txt && echo made', description: 'Make a file', tool: 'Bash' }, status: 'streaming', eager: true },
      },
      {
        type: 'item_completed',
        now: 5,
        turnId: 't1',
        row: { key: 't1:toolu_4', kind: 'command', body: 'made', meta: { command: 'touch made.txt && echo made', description: 'Make a file', tool: 'Bash', status: 'completed' }, status: 'completed', eager: true },
      },
    ]);
  });

  it('shows a denied tool as declined', () => {
    const denied = JSON.stringify({
      type: 'user',
      message: { role: 'user', content: [{ type: 'tool_result', content: 'Denied by alice', is_error: true, tool_use_id: 'toolu_4' }] },
      tool_use_result: 'Error: Denied by alice',
      tool_result_meta: [{ id: 'toolu_4', non_execution_kind: 'permission-rule', permission_decision: { decision: 'reject', source: 'user_reject' } }],
    });
    const { inputs } = run([BASH_TURN[0]!, denied]);
    expect(inputs[1]).toMatchObject({ type: 'item_completed', row: { key: 't1:toolu_4', body: 'Denied by alice', status: 'declined' } });
  });

  it('shows an Edit as a diff, from the structured patch of its result', () => {
    const edit = assistant([{ type: 'tool_use', id: 'toolu_6', name: 'Edit', input: { replace_all: false, file_path: '/ws/a.txt', old_string: 'two', new_string: 'TWO' } }]);
    const result = JSON.stringify({
      type: 'user',
      message: { role: 'user', content: [{ tool_use_id: 'toolu_6', type: 'tool_result', content: 'The file /ws/a.txt has been updated successfully.' }] },
      tool_use_result: { filePath: '/ws/a.txt', oldString: 'two', newString: 'TWO', originalFile: 'one\ntwo\n', structuredPatch: [{ oldStart: 1, oldLines: 2, newStart: 1, newLines: 2, lines: [' one', '-two', '+TWO'] }] },
    });
    const { inputs } = run([edit, result]);
    expect(inputs).toEqual([
      {
        type: 'item_started',
        now: 5,
        turnId: 't1',
        row: { key: 't1:toolu_6', kind: 'file_change', body: '--- /ws/a.txt\n+++ /ws/a.txt\n@@ -1,1 +1,1 @@\n-two\n+TWO\n', meta: { changes: [{ path: '/ws/a.txt', kind: 'update' }], tool: 'Edit' }, status: 'streaming', eager: true },
      },
      {
        type: 'item_completed',
        now: 5,
        turnId: 't1',
        row: {
          key: 't1:toolu_6',
          kind: 'file_change',
          body: '--- /ws/a.txt\n+++ /ws/a.txt\n@@ -1,2 +1,2 @@\n one\n-two\n+TWO\n',
          meta: { changes: [{ path: '/ws/a.txt', kind: 'update' }], tool: 'Edit', status: 'completed' },
          status: 'completed',
          eager: true,
        },
      },
    ]);
  });

  it('maps web, plan and other tools to their rows', () => {
    const { inputs } = run([
      assistant([
        { type: 'tool_use', id: 'a', name: 'WebSearch', input: { query: 'vitest docs' } },
        { type: 'tool_use', id: 'b', name: 'TodoWrite', input: { todos: [{ content: 'Write tests', status: 'completed' }, { content: 'Ship', status: 'pending' }] } },
        { type: 'tool_use', id: 'c', name: 'Read', input: { file_path: '/ws/a.txt' } },
      ]),
    ]);
    expect(inputs.map((i) => (i.type === 'item_started' ? [i.row.kind, i.row.body, i.row.meta.command ?? null] : null))).toEqual([
      ['web_search', 'vitest docs', null],
      ['plan', '- [x] Write tests\n- [ ] Ship', null],
      ['command', null, 'Read /ws/a.txt'],
    ]);
  });

  it('keeps lines of no turn out of the session', () => {
    const { inputs } = run(REASONING_TURN.slice(2), initialTranslator);
    expect(inputs).toEqual([]);
  });
});

describe('model trouble', () => {
  it("reports Claude's retries as trouble on the message, and leaves its synthetic error reply out", () => {
    const { inputs } = run([
      JSON.stringify({ type: 'system', subtype: 'api_retry', attempt: 1, max_retries: 2, retry_delay_ms: 566, error_status: 500, error: 'server_error', session_id: S }),
      JSON.stringify({ type: 'system', subtype: 'api_retry', attempt: 2, max_retries: 2, retry_delay_ms: 1029, error_status: 429, error: 'rate_limit', session_id: S }),
      JSON.stringify({ type: 'assistant', message: { id: 'd1d8f2e6', model: '<synthetic>', role: 'assistant', content: [{ type: 'text', text: 'API Error: 500 upstream down' }] }, session_id: S }),
      JSON.stringify({ type: 'result', subtype: 'success', is_error: true, result: 'API Error: 500 upstream down', session_id: S }),
    ]);
    expect(inputs).toEqual([
      { type: 'agent_trouble', now: 5, turnId: 't1', kind: 'reconnecting', message: 'server_error, HTTP 500 (attempt 1 of 2), retrying in 1 s', httpStatus: 500 },
      { type: 'agent_trouble', now: 5, turnId: 't1', kind: 'rate_limited', message: 'rate_limit, HTTP 429 (attempt 2 of 2), retrying in 1 s', httpStatus: 429 },
      { type: 'turn_completed', now: 5, turnId: 't1', outcome: { status: 'failed', reason: 'API Error: 500 upstream down' }, finals: [] },
    ]);
  });
});

describe('outcomeOf', () => {
  const result = (fields: object) => parseLine(JSON.stringify({ type: 'result', ...fields })) as Extract<ClaudeLine, { type: 'result' }>;
  it('maps success, interrupts and failures', () => {
    expect(outcomeOf(result({ subtype: 'success', is_error: false, terminal_reason: 'completed' }))).toEqual({ status: 'completed' });
    expect(outcomeOf(result({ subtype: 'error_during_execution', is_error: true, terminal_reason: 'aborted_streaming' }))).toEqual({ status: 'interrupted' });
    expect(outcomeOf(result({ subtype: 'error_during_execution', is_error: true, terminal_reason: 'aborted_tools' }))).toEqual({ status: 'interrupted' });
    expect(outcomeOf(result({ subtype: 'success', is_error: true, result: 'API Error: 500 boom' }))).toEqual({ status: 'failed', reason: 'API Error: 500 boom' });
    expect(outcomeOf(result({ subtype: 'error_max_turns', is_error: true, terminal_reason: 'max_turns' }))).toEqual({ status: 'failed', reason: 'Claude Code ended the turn: error_max_turns (max_turns)' });
  });
});
