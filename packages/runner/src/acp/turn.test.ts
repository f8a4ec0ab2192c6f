// ACP session updates of a turn (as Gemini CLI 0.61.0 sent them, docs in /work/shared/AGENT-NOTES.md) as agent inputs.
import { describe, expect, it } from 'vitest';
import type { AgentInput } from '../agent/vocabulary.js';
import { parseSessionNotification, type SessionUpdate } from './schema.js';
import { closeTool, newTurn, onToolCall, onUpdate, outcomeOf, turnEnded, type AcpTurn } from './turn.js';

const S = 'sess-1';
const T = 'turn-1';
const base = { now: 7, threadId: S, turnId: T };

function update(raw: Record<string, unknown>): SessionUpdate {
  const parsed = parseSessionNotification({ sessionId: S, update: raw });
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed.update;
}

/** Feeds raw updates in order; returns the turn and every input. */
function run(raws: Record<string, unknown>[], turn: AcpTurn = newTurn(S, T)): { turn: AcpTurn; inputs: AgentInput[] } {
  const inputs: AgentInput[] = [];
  for (const raw of raws) {
    const step = onUpdate(turn, update(raw), 7);
    turn = step.turn;
    inputs.push(...step.inputs);
  }
  return { turn, inputs };
}

const text = (sessionUpdate: string, t: string) => ({ sessionUpdate, content: { type: 'text', text: t } });
const PENDING_CALL = { toolCallId: 'run_shell_command-1', status: 'pending', title: 'echo hi', kind: 'execute', content: [{ type: 'content', content: { type: 'text', text: 'echo hi' } }] };

describe('ACP session updates as agent inputs', () => {
  it('streams message chunks into one assistant row, closed with the completed turn', () => {
    const { turn, inputs } = run([text('agent_message_chunk', 'Hello '), text('agent_message_chunk', 'world')]);
    expect(inputs).toEqual([
      { type: 'item_delta', ...base, key: `${T}:m0`, kind: 'assistant', text: 'Hello ' },
      { type: 'item_delta', ...base, key: `${T}:m0`, kind: 'assistant', text: 'world' },
    ]);
    expect(turnEnded(turn, outcomeOf('end_turn'), 7)).toEqual({
      type: 'turn_completed',
      ...base,
      outcome: { status: 'completed' },
      finals: [{ key: `${T}:m0`, kind: 'assistant', body: null, meta: {}, status: 'completed', eager: false }],
    });
  });

  it('thought chunks are reasoning; the answer after them is a new row', () => {
    const { inputs } = run([text('agent_thought_chunk', 'Thinking'), text('agent_message_chunk', 'Done')]);
    expect(inputs).toEqual([
      { type: 'item_delta', ...base, key: `${T}:r0`, kind: 'reasoning', text: 'Thinking' },
      { type: 'item_completed', ...base, row: { key: `${T}:r0`, kind: 'reasoning', body: null, meta: {}, status: 'completed', eager: false } },
      { type: 'item_delta', ...base, key: `${T}:m1`, kind: 'assistant', text: 'Done' },
    ]);
  });

  it('a tool call opens a command row and closes the text before it; its update closes the row', () => {
    const { inputs } = run([
      text('agent_message_chunk', 'Running'),
      { sessionUpdate: 'tool_call', ...PENDING_CALL },
      { sessionUpdate: 'tool_call_update', toolCallId: PENDING_CALL.toolCallId, status: 'completed', content: [] },
      text('agent_message_chunk', 'ran it'),
    ]);
    const key = `${T}:tool:${PENDING_CALL.toolCallId}`;
    expect(inputs.map((i) => i.type)).toEqual(['item_delta', 'item_completed', 'item_started', 'item_completed', 'item_delta']);
    expect(inputs[2]).toEqual({ type: 'item_started', ...base, row: { key, kind: 'command', body: null, meta: { command: 'echo hi', tool_kind: 'execute', status: 'pending' }, status: 'streaming', eager: true } });
    // Gemini's update after an allow carries `content: []` (no output shown).
    expect(inputs[3]).toEqual({ type: 'item_completed', ...base, row: { key, kind: 'command', body: '', meta: { command: 'echo hi', tool_kind: 'execute', status: 'completed' }, status: 'completed', eager: true } });
    expect(inputs[4]).toMatchObject({ type: 'item_delta', key: `${T}:m1` });
  });

  it('an edit of an existing file (as Gemini CLI reports a replace) is an update with a diff', () => {
    const call = { toolCallId: 'replace_1', status: 'completed', title: 'edit.txt: old line => new line', kind: 'edit', locations: [{ path: '/w/edit.txt' }] };
    const diff = { type: 'diff', path: '/w/edit.txt', oldText: 'old line\n', newText: 'new line\n', _meta: { kind: 'modify' } };
    const { inputs } = run([{ sessionUpdate: 'tool_call_update', ...call, content: [diff] }]);
    expect(inputs).toMatchObject([{ type: 'item_completed', row: { kind: 'file_change', body: '--- /w/edit.txt\n+++ /w/edit.txt\n@@ -1,1 +1,1 @@\n-old line\n+new line\n', meta: { changes: [{ path: '/w/edit.txt', kind: 'update' }] }, status: 'completed' } }]);
  });

  it('an edit is a file change with a diff from its diff blocks', () => {
    const { inputs } = run([
      { sessionUpdate: 'tool_call', toolCallId: 'e1', title: 'Writing to hello.txt', kind: 'edit', status: 'completed', content: [{ type: 'diff', path: '/w/hello.txt', oldText: '', newText: 'hello world\n', _meta: { kind: 'add' } }] },
    ]);
    expect(inputs).toEqual([
      {
        type: 'item_completed',
        ...base,
        row: {
          key: `${T}:tool:e1`,
          kind: 'file_change',
          body: '--- /dev/null\n+++ /w/hello.txt\n@@ -0,0 +1,1 @@\n+hello world\n',
          meta: { changes: [{ path: '/w/hello.txt', kind: 'add' }], title: 'Writing to hello.txt', tool_kind: 'edit', status: 'completed' },
          status: 'completed',
          eager: true,
        },
      },
    ]);
  });

  it('fetch and search are web searches; other kinds a generic tool row; unknown kinds are other', () => {
    const rows = run([
      { sessionUpdate: 'tool_call', toolCallId: 'f', title: 'https://example.com', kind: 'fetch', status: 'in_progress' },
      { sessionUpdate: 'tool_call', toolCallId: 'r', title: 'ReadFile a.txt', kind: 'read', status: 'in_progress' },
      { sessionUpdate: 'tool_call', toolCallId: 'x', title: 'Mystery', kind: 'teleport', status: 'in_progress' },
    ]).inputs.flatMap((i) => (i.type === 'item_started' ? [[i.row.kind, i.row.body, i.row.meta.tool_kind]] : []));
    expect(rows).toEqual([
      ['web_search', 'https://example.com', 'fetch'],
      ['command', null, 'read'],
      ['command', null, 'other'],
    ]);
  });

  it('the plan is one row per turn, replaced on every update', () => {
    const { inputs } = run([{ sessionUpdate: 'plan', entries: [{ content: 'Read', priority: 'high', status: 'completed' }, { content: 'Write', priority: 'low', status: 'pending' }] }]);
    expect(inputs).toEqual([
      { type: 'item_completed', ...base, row: { key: `${T}:plan`, kind: 'plan', body: '- [x] Read\n- [ ] Write', meta: { steps: [{ step: 'Read', status: 'completed' }, { step: 'Write', status: 'pending' }] }, status: 'completed', eager: true } },
    ]);
  });

  it('mode changes and other updates are notes', () => {
    expect(run([{ sessionUpdate: 'current_mode_update', currentModeId: 'yolo' }, { sessionUpdate: 'available_commands_update', availableCommands: [] }]).inputs).toEqual([
      { type: 'agent_note', now: 7, threadId: S, level: 'debug', event: 'acp_mode_changed', fields: { mode: 'yolo' } },
      { type: 'agent_note', now: 7, threadId: S, level: 'debug', event: 'acp_session_update', fields: { update: 'available_commands_update' } },
    ]);
  });

  it('a refused tool call the agent never reports on is closed declined by the runner, and stays so', () => {
    const opened = onToolCall(newTurn(S, T), { toolCallId: 'c', title: 'rm -rf /', kind: 'execute', status: 'pending' }, 7);
    const closed = closeTool(opened.turn, 'c', 'declined', 7);
    expect(closed.inputs).toEqual([
      { type: 'item_completed', ...base, row: { key: `${T}:tool:c`, kind: 'command', body: null, meta: { command: 'rm -rf /', tool_kind: 'execute', status: 'declined' }, status: 'declined', eager: true } },
    ]);
    expect(onToolCall(closed.turn, { toolCallId: 'c', status: 'failed' }, 7).inputs).toMatchObject([{ type: 'agent_note', event: 'acp_tool_update_ignored' }]);
    expect(closeTool(closed.turn, 'c', 'declined', 7).inputs).toEqual([]);
  });

  it('stop reasons: end_turn completes, cancelled interrupts, the rest fail with the reason', () => {
    expect(['end_turn', 'cancelled', 'refusal', 'max_tokens', 'weird'].map(outcomeOf)).toEqual([
      { status: 'completed' },
      { status: 'interrupted' },
      { status: 'failed', reason: 'the agent refused to continue (refusal)' },
      { status: 'failed', reason: expect.stringContaining('max_tokens') },
      { status: 'failed', reason: 'the agent stopped: weird' },
    ]);
    // An interrupted turn leaves its open rows to the session (closed as interrupted).
    const { turn } = run([text('agent_message_chunk', 'Hel')]);
    expect(turnEnded(turn, outcomeOf('cancelled'), 7)).toMatchObject({ outcome: { status: 'interrupted' }, finals: [] });
  });

  it('a malformed update is an error, not an exception', () => {
    expect(parseSessionNotification({ sessionId: S, update: { sessionUpdate: 'agent_message_chunk' } })).toEqual({ error: expect.stringContaining('agent_message_chunk') });
    expect(parseSessionNotification({ update: {} })).toEqual({ error: expect.any(String) });
  });
});
