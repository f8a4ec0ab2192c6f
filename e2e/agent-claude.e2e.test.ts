// Claude Code end to end: the real `claude` binary (the pinned dev dependency) against the
// scripted model's Anthropic Messages endpoint, driven by a real runner and hub. What people see
// in the thread, and what crossed to the model.

import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Message } from '@pilothouse/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, SERVER } from './support/dev-server.js';
import { startSessionHarness, type SessionHarness } from './support/session-harness.js';
import { hasState, runnerRows, stateOf } from './support/rows.js';

let h: SessionHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const claude = () => startSessionHarness({ agent: 'claude' });

/** Writes a file, so Claude Code asks before running it. */
const CMD = 'echo approved-output > out.txt && cat out.txt';
const DENY_MESSAGE = 'A person in the Pilothouse thread denied this.';

/** Posts a message whose turn asks to run CMD; resolves with the thread once the prompt shows. */
async function askForCommand(harness: SessionHarness, after: string[] = ['done']): Promise<{ id: string; thread: Message[] }> {
  harness.model.enqueue({ type: 'exec', cmd: CMD }, { type: 'text', chunks: after });
  const id = await harness.say(harness.alice, 'run it');
  const thread = await harness.waitFor(hasState(id, 'processing', 'awaiting approval'), 'approval prompt');
  return { id, thread };
}

const approvalOf = (thread: Message[], id: string) => stateOf(thread, id)!.approval!;


describe('Claude Code', () => {
  it('streams an answer into the thread, and the session row names Claude Code', async () => {
    h = await claude();
    h.model.enqueue({ type: 'text', chunks: ['Hello ', 'from ', 'Claude.'] });
    const id = await h.say(h.alice, 'hello');
    const thread = await h.waitFor(hasState(id, 'processed'), 'processed');
    expect(runnerRows(thread)).toEqual([{ kind: 'assistant', body: 'Hello from Claude.', status: 'completed', meta: {} }]);
    expect(thread[0]!.meta).toMatchObject({ agent: 'claude', agent_version: '2.1.332' });
    expect(h.states(id).map((s) => s.state)).toEqual(expect.arrayContaining(['processing', 'processed']));
  });
  it('streams reasoning before the answer', async () => {
    h = await claude();
    h.model.enqueue({ type: 'reasoning', summary: ['Thinking ', 'it over.'], text: ['Here ', 'it is.'] });
    const id = await h.say(h.alice, 'think first');
    const thread = await h.waitFor(hasState(id, 'processed'), 'processed');
    expect(runnerRows(thread)).toEqual([
      { kind: 'reasoning', body: 'Thinking it over.', status: 'completed', meta: {} },
      { kind: 'assistant', body: 'Here it is.', status: 'completed', meta: {} },
    ]);
  });

  it("asks before a Bash command: bob's decision is refused with sender_not_allowed, alice's approval runs it", async () => {
    h = await claude();
    const { id, thread } = await askForCommand(h, ['ran it']);
    const approval = approvalOf(thread, id);
    expect(approval).toEqual({
      request_id: expect.any(String),
      kind: 'command',
      summary: CMD,
      reason: null,
      choices: [
        { id: 'approve', label: 'Allow once', description: 'Allow it this once.' },
        ...approval.choices.slice(1, -1).map(() => ({ id: expect.stringMatching(/^always_\d+$/), label: expect.stringMatching(/^Always allow/), description: expect.any(String) })),
        { id: 'deny', label: 'Deny', description: 'Do not allow it; Claude is told it was denied.' },
      ],
      allowed: [{ name: 'alice', user_id: thread[0]!.author.user_id }],
      detail: expect.objectContaining({ tool: 'Bash', input: { command: CMD } }),
    });
    expect(approval.choices.length).toBeGreaterThan(2);
    expect(runnerRows(thread)).toEqual([{ kind: 'command', body: '', status: 'streaming', meta: { command: CMD, description: null, tool: 'Bash', activity: 'awaiting_approval' } }]);
    expect(existsSync(join(h.workspace, 'out.txt'))).toBe(false);

    await expect(h.control(h.bob, { type: 'resolve_approval', request_id: approval.request_id, choice: 'approve' })).rejects.toMatchObject({ code: 'sender_not_allowed' });
    expect(stateOf(await h.thread(), id)).toMatchObject({ state: 'processing', reason: 'awaiting approval' });

    await h.control(h.alice, { type: 'resolve_approval', request_id: approval.request_id, choice: 'approve' });
    const done = await h.waitFor(hasState(id, 'processed'), 'processed');
    expect(runnerRows(done)).toEqual([
      { kind: 'command', body: 'approved-output', status: 'completed', meta: { command: CMD, description: null, tool: 'Bash', status: 'completed' } },
      { kind: 'assistant', body: 'ran it', status: 'completed', meta: {} },
    ]);
    expect(stateOf(done, id)).toEqual({
      state: 'processed',
      reason: null,
      approval: null,
      decided: [expect.objectContaining({ request_id: approval.request_id, outcome: 'approved', choice: 'approve', by: { user_id: done[0]!.author.user_id, name: 'alice' }, via: 'control' })],
    });
    expect(readFileSync(join(h.workspace, 'out.txt'), 'utf8')).toBe('approved-output\n');
    // The command's output went back to the model.
    expect(JSON.stringify(h.model.requests.filter((r) => !r.side).at(-1)!.body)).toContain('approved-output');
  });

  it('a dev server the agent starts in the background is offered as a preview; only alice may open it', async () => {
    const harness = await startSessionHarness({ agent: 'claude', start: false });
    h = harness;
    writeFileSync(join(harness.workspace, 'server.js'), SERVER);
    await harness.startRunner({ portScanMs: 200 });
    const port = await freePort();
    // A plain trailing `&`: Claude Code 2.1.332's Bash tool leaves a backgrounded process running
    // when the command returns (unlike Gemini CLI, it needs no `run_in_background`).
    const cmd = `node server.js ${port} 127.0.0.1 > server-${port}.log 2>&1 &`;
    harness.model.enqueue({ type: 'exec', cmd }, { type: 'text', chunks: ['started'] });
    const id = await harness.say(harness.alice, 'start the dev server');
    const asked = await harness.waitFor(hasState(id, 'processing', 'awaiting approval'), 'the command prompt');
    expect(approvalOf(asked, id)).toMatchObject({ kind: 'command', summary: cmd, detail: { tool: 'Bash', input: { command: cmd } } });
    await harness.control(harness.alice, { type: 'resolve_approval', request_id: approvalOf(asked, id).request_id, choice: 'approve' });
    // The session marker in the server's environment says it is this session's.
    const prompted = await harness.waitFor((t) => t.some((m) => m.kind === 'port_forward' && (m.meta as { port?: number }).port === port), 'the port prompt');
    const row = prompted.find((m) => m.kind === 'port_forward')!;
    const meta = row.meta as { request_id: string; command: string; phase: string; pid: number };
    try {
      expect(meta).toMatchObject({ phase: 'prompt', command: `node server.js ${port} 127.0.0.1` });
      await expect(harness.control(harness.bob, { type: 'resolve_port_forward', request_id: meta.request_id, decision: 'approve' })).rejects.toMatchObject({ code: 'sender_not_allowed' });
      await harness.control(harness.alice, { type: 'resolve_port_forward', request_id: meta.request_id, decision: 'approve' });
      const ready = await harness.waitFor((t) => t.some((m) => m.id === row.id && typeof (m.meta as { url?: unknown }).url === 'string'), 'the preview ready');
      const opened = ready.find((m) => m.id === row.id)!;
      expect(opened).toMatchObject({ status: 'completed', meta: { phase: 'ready', decided_by: 'alice', decided_via: 'control' } });
      expect(opened.body).toBe(`Preview of port ${port} (\`node server.js ${port} 127.0.0.1\`, pid ${meta.pid}) is open.`);
      // The turn is over, and the server outlived the command that started it.
      await harness.waitFor(hasState(id, 'processed'), 'processed');
      expect(await (await fetch(`http://127.0.0.1:${port}/x`)).text()).toBe('hello from the dev server /x');
    } finally {
      process.kill(meta.pid, 'SIGTERM');
    }
  });

  it('a denied command ends declined, Claude is told, and the turn completes', async () => {
    h = await claude();
    const { id, thread } = await askForCommand(h, ['not running it']);
    await h.control(h.alice, { type: 'resolve_approval', request_id: approvalOf(thread, id).request_id, choice: 'deny' });
    const done = await h.waitFor(hasState(id, 'processed'), 'processed');
    expect(runnerRows(done)).toEqual([
      { kind: 'command', body: DENY_MESSAGE, status: 'declined', meta: { command: CMD, description: null, tool: 'Bash', status: 'declined' } },
      { kind: 'assistant', body: 'not running it', status: 'completed', meta: {} },
    ]);
    expect(stateOf(done, id)).toEqual({ state: 'processed', reason: null, approval: null, decided: [expect.objectContaining({ outcome: 'denied', choice: 'deny', via: 'control' })] });
    expect(existsSync(join(h.workspace, 'out.txt'))).toBe(false);
    expect(JSON.stringify(h.model.requests.filter((r) => !r.side).at(-1)!.body)).toContain(DENY_MESSAGE);
  });

  it('"Always allow" the command: the same command later runs without asking', async () => {
    h = await claude();
    // Writes nothing (a redirect would need a folder permission too), but is not read-only: Claude asks.
    const cmd = `node -e "console.log('approved-output')"`;
    h.model.enqueue({ type: 'exec', cmd }, { type: 'text', chunks: ['ran it'] });
    const id = await h.say(h.alice, 'run it');
    const thread = await h.waitFor(hasState(id, 'processing', 'awaiting approval'), 'approval prompt');
    const approval = approvalOf(thread, id);
    const always = approval.choices.find((c) => c.label === `Always allow Bash(${cmd})`)!;
    expect(always).toBeDefined();
    await h.control(h.alice, { type: 'resolve_approval', request_id: approval.request_id, choice: always.id });
    const first = await h.waitFor(hasState(id, 'processed'), 'first processed');
    expect(stateOf(first, id)!.decided).toEqual([expect.objectContaining({ outcome: 'always_allowed', choice: always.id })]);

    expect(readFileSync(join(h.workspace, '.claude', 'settings.local.json'), 'utf8')).toContain('approved-output');

    h.model.enqueue({ type: 'exec', cmd }, { type: 'text', chunks: ['again'] });
    const second = await h.say(h.alice, 'run it again');
    const done = await h.waitFor(hasState(second, 'processed'), 'second processed');
    expect(h.states(second).map((s) => s.reason)).not.toContain('awaiting approval');
    expect(runnerRows(done).slice(-2)).toEqual([
      { kind: 'command', body: 'approved-output', status: 'completed', meta: { command: cmd, description: null, tool: 'Bash', status: 'completed' } },
      { kind: 'assistant', body: 'again', status: 'completed', meta: {} },
    ]);
  });

  it('shows a new file as a diff, asks, and writes it once approved', async () => {
    h = await claude();
    h.model.enqueue({ type: 'apply_patch', patch: '*** Begin Patch\n*** Add File: hello.txt\n+hello world\n*** End Patch\n' }, { type: 'text', chunks: ['written'] });
    const id = await h.say(h.alice, 'add hello.txt');
    const asking = await h.waitFor(hasState(id, 'processing', 'awaiting approval'), 'write approval');
    // The path as the model gave it to Write (the scripted model may give it relative to the workspace).
    const [shown] = (runnerRows(asking)[0]?.meta?.changes ?? []) as { path: string }[];
    const path = shown?.path ?? '';
    expect([join(h.workspace, 'hello.txt'), 'hello.txt']).toContain(path);
    const diff = `--- /dev/null\n+++ ${path}\n@@ -0,0 +1,1 @@\n+hello world\n`;
    // Claude asks with the path made absolute.
    const absolute = join(h.workspace, 'hello.txt');
    expect(approvalOf(asking, id)).toMatchObject({ kind: 'file_change', summary: `${absolute}\n\n--- /dev/null\n+++ ${absolute}\n@@ -0,0 +1,1 @@\n+hello world\n` });
    expect(runnerRows(asking)).toEqual([{ kind: 'file_change', body: diff, status: 'streaming', meta: { changes: [{ path, kind: 'add' }], tool: 'Write' } }]);
    await h.control(h.alice, { type: 'resolve_approval', request_id: approvalOf(asking, id).request_id, choice: 'approve' });
    const done = await h.waitFor(hasState(id, 'processed'), 'processed');
    expect(runnerRows(done)).toEqual([
      { kind: 'file_change', body: diff, status: 'completed', meta: { changes: [{ path, kind: 'add' }], tool: 'Write', status: 'completed' } },
      { kind: 'assistant', body: 'written', status: 'completed', meta: {} },
    ]);
    expect(readFileSync(join(h.workspace, 'hello.txt'), 'utf8')).toBe('hello world\n');
  });

  it('interrupts a streaming answer; the next message works', async () => {
    h = await claude();
    h.model.enqueue({ type: 'hang', chunks: ['partial ', 'answer'] });
    const id = await h.say(h.alice, 'go on');
    await h.waitFor((t) => hasState(id, 'processing', 'streaming response')(t) && runnerRows(t).some((r) => r.body === 'partial answer'), 'streaming');
    await h.control(h.alice, { type: 'interrupt' });
    const thread = await h.waitFor(hasState(id, 'processed'), 'interrupted');
    expect(stateOf(thread, id)).toEqual({ state: 'processed', reason: 'interrupted by alice', approval: null });
    expect(runnerRows(thread)).toEqual([{ kind: 'assistant', body: 'partial answer', status: 'interrupted', meta: {} }]);

    h.model.enqueue({ type: 'text', chunks: ['back again'] });
    const next = await h.say(h.alice, 'hello again');
    const after = await h.waitFor(hasState(next, 'processed'), 'next processed');
    expect(runnerRows(after).at(-1)).toEqual({ kind: 'assistant', body: 'back again', status: 'completed', meta: {} });
  });

  it('interrupts while an approval is pending: the prompt ends withdrawn, nothing ran, the next message works', async () => {
    h = await claude();
    h.model.enqueue({ type: 'exec', cmd: CMD });
    const id = await h.say(h.alice, 'run it');
    await h.waitFor(hasState(id, 'processing', 'awaiting approval'), 'approval prompt');
    await h.control(h.alice, { type: 'interrupt' });
    const done = await h.waitFor(hasState(id, 'processed'), 'interrupted');
    // Claude cancels its own prompt when interrupted (control_cancel_request): withdrawn by the agent.
    const withdrawn = [expect.objectContaining({ outcome: 'withdrawn', by: null, via: 'agent', reason: 'the agent withdrew the request' })];
    expect(stateOf(done, id)).toEqual({ state: 'processed', reason: 'interrupted by alice', approval: null, decided: withdrawn });
    expect(runnerRows(done).map((r) => [r.kind, r.status])).toEqual([['command', expect.stringMatching(/^(interrupted|declined)$/)]]);
    expect(existsSync(join(h.workspace, 'out.txt'))).toBe(false);
    expect(h.model.requests.filter((r) => !r.side)).toHaveLength(1);

    h.model.enqueue({ type: 'text', chunks: ['still here'] });
    const next = await h.say(h.alice, 'hello again');
    const after = await h.waitFor(hasState(next, 'processed'), 'next processed');
    expect(runnerRows(after).at(-1)).toEqual({ kind: 'assistant', body: 'still here', status: 'completed', meta: {} });
  });

  it('runs a second turn in the same Claude session, which sees the first', async () => {
    h = await claude();
    h.model.enqueue({ type: 'text', chunks: ['first'] }, { type: 'text', chunks: ['second'] });
    const one = await h.say(h.alice, 'remember the word pelican');
    await h.waitFor(hasState(one, 'processed'), 'first processed');
    const two = await h.say(h.alice, 'which word?');
    const thread = await h.waitFor(hasState(two, 'processed'), 'second processed');
    expect(runnerRows(thread).map((r) => r.body)).toEqual(['first', 'second']);
    const asked = h.model.requests.filter((r) => !r.side);
    expect(JSON.stringify(asked.at(-1)!.body)).toContain('pelican');
    // Both turns in the one Claude session the runner remembers (Claude sends its id with each request).
    expect(asked.map((r) => r.headers['x-claude-code-session-id'])).toEqual(asked.map(() => claudeSession(h!)));
  });

  it('resumes the same Claude session after the runner restarts with resume', async () => {
    h = await claude();
    h.model.enqueue({ type: 'text', chunks: ['noted'] });
    const one = await h.say(h.alice, 'remember the word pelican');
    await h.waitFor(hasState(one, 'processed'), 'first processed');
    const sessionId = claudeSession(h);
    await h.runner.close();

    await h.startRunner({ resume: true });
    h.model.enqueue({ type: 'text', chunks: ['pelican'] });
    const two = await h.say(h.alice, 'which word?');
    const thread = await h.waitFor(hasState(two, 'processed'), 'resumed turn processed');
    expect(runnerRows(thread).map((r) => r.body)).toEqual(['noted', 'pelican']);
    expect(claudeSession(h)).toBe(sessionId);
    expect(h.model.requests.filter((r) => !r.side).at(-1)!.headers['x-claude-code-session-id']).toBe(sessionId);
    expect(JSON.stringify(h.model.requests.filter((r) => !r.side).at(-1)!.body)).toContain('remember the word pelican');
  });

  it('a Claude Code that dies mid-turn fails the message with the reason; the next message resumes the same session', async () => {
    h = await claude();
    // A finished first turn: Claude has the session on disk (one killed before its first write cannot be resumed).
    h.model.enqueue({ type: 'text', chunks: ['first'] }, { type: 'hang', chunks: ['half an ans'] });
    await h.waitFor(hasState(await h.say(h.alice, 'hello'), 'processed'), 'first processed');
    const id = await h.say(h.alice, 'work');
    await h.waitFor((t) => runnerRows(t).some((r) => r.body === 'half an ans'), 'streaming');
    const sessionId = claudeSession(h);
    const pids = h.claudePids();
    expect(pids).toHaveLength(1);
    process.kill(pids[0]!, 'SIGKILL');
    const failed = await h.waitFor(hasState(id, 'failed'), 'failed');
    expect(stateOf(failed, id)).toEqual({ state: 'failed', reason: 'Claude Code exited: killed by SIGKILL', approval: null });
    expect(runnerRows(failed).at(-1)).toEqual({ kind: 'assistant', body: 'half an ans', status: 'failed', meta: {} });

    h.model.enqueue({ type: 'text', chunks: ['back'] });
    const next = await h.say(h.alice, 'again');
    const thread = await h.waitFor(hasState(next, 'processed'), 'next processed');
    expect(runnerRows(thread).at(-1)).toEqual({ kind: 'assistant', body: 'back', status: 'completed', meta: {} });
    expect(h.claudePids()).toHaveLength(1);
    expect(h.claudePids()[0]).not.toBe(pids[0]);
    expect(claudeSession(h)).toBe(sessionId);
    expect(h.model.requests.filter((r) => !r.side).at(-1)!.headers['x-claude-code-session-id']).toBe(sessionId);
  });

  it('refuses --sandbox and --fast before anything starts, naming Claude Code', async () => {
    h = await startSessionHarness({ agent: 'claude', start: false });
    await expect(h.startRunner({ runtime: { sandbox: 'read-only' } })).rejects.toMatchObject({ code: 'agent_option_unsupported', message: expect.stringContaining('Claude Code') });
    await expect(h.startRunner({ runtime: { fast: true } })).rejects.toMatchObject({ code: 'agent_option_unsupported', message: expect.stringContaining('Claude Code') });
    expect(h.claudePids()).toEqual([]);
  });

  it('passes --model and the approval policy on: never asks nobody, and what would ask is refused', async () => {
    h = await claude();
    await h.runner.close();
    await h.startRunner({ runtime: { model: 'claude-scripted-1', approvalPolicy: 'never' } });
    h.model.enqueue({ type: 'exec', cmd: CMD }, { type: 'text', chunks: ['could not'] });
    const id = await h.say(h.alice, 'run it');
    const thread = await h.waitFor(hasState(id, 'processed'), 'processed');
    expect(h.states(id).map((s) => s.reason)).not.toContain('awaiting approval');
    expect(runnerRows(thread).map((r) => [r.kind, r.status])).toEqual([
      ['command', 'declined'],
      ['assistant', 'completed'],
    ]);
    expect(existsSync(join(h.workspace, 'out.txt'))).toBe(false);
    expect((h.model.requests.filter((r) => !r.side).at(-1)!.body as { model?: string }).model).toBe('claude-scripted-1');
  });
  it("takes Claude's own permission mode: acceptEdits writes a file without asking", async () => {
    h = await startSessionHarness({ agent: 'claude', runner: { runtime: { approvalPolicy: 'acceptEdits' } } });
    h.model.enqueue({ type: 'apply_patch', patch: '*** Begin Patch\n*** Add File: hello.txt\n+hello world\n*** End Patch\n' }, { type: 'text', chunks: ['written'] });
    const id = await h.say(h.alice, 'add hello.txt');
    const done = await h.waitFor(hasState(id, 'processed'), 'processed');
    expect(h.states(id).map((s) => s.reason)).not.toContain('awaiting approval');
    expect(runnerRows(done).map((r) => [r.kind, r.status])).toEqual([
      ['file_change', 'completed'],
      ['assistant', 'completed'],
    ]);
    expect(readFileSync(join(h.workspace, 'hello.txt'), 'utf8')).toBe('hello world\n');
  });
  it('shows an edit of an existing file as a diff with line numbers, once approved', async () => {
    h = await claude();
    const path = join(h.workspace, 'notes.txt');
    writeFileSync(path, 'one\ntwo\nthree\n');
    h.model.enqueue({ type: 'apply_patch', patch: '*** Begin Patch\n*** Update File: notes.txt\n@@\n-two\n+TWO\n*** End Patch\n' }, { type: 'text', chunks: ['edited'] });
    const id = await h.say(h.alice, 'edit notes.txt');
    const asking = await h.waitFor(hasState(id, 'processing', 'awaiting approval'), 'edit approval');
    expect(approvalOf(asking, id)).toMatchObject({ kind: 'file_change', summary: `${path}\n\n--- ${path}\n+++ ${path}\n@@ -1,1 +1,1 @@\n-two\n+TWO\n` });
    await h.control(h.alice, { type: 'resolve_approval', request_id: approvalOf(asking, id).request_id, choice: 'approve' });
    const done = await h.waitFor(hasState(id, 'processed'), 'processed');
    // Claude reads a file before it edits it: the Read is a generic tool row.
    const rows = runnerRows(done);
    expect(rows.map((r) => [r.kind, r.status])).toEqual([
      ['command', 'completed'],
      ['file_change', 'completed'],
      ['assistant', 'completed'],
    ]);
    expect(rows[0]!.meta).toMatchObject({ command: expect.stringMatching(/^Read /), tool: { name: 'Read' } });
    const [shown] = (rows[1]!.meta?.changes ?? []) as { path: string }[];
    expect(rows[1]!.body).toBe(`--- ${shown!.path}\n+++ ${shown!.path}\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n`);
    expect(readFileSync(path, 'utf8')).toBe('one\nTWO\nthree\n');
  });

  it('a model error fails the message with Claude\'s reason; the session goes on', async () => {
    h = await claude();
    // 403: Claude Code asks once (a 400 it tries again in other ways, a 5xx after a backoff).
    h.model.enqueue({ type: 'http_error', status: 403, body: { type: 'error', error: { type: 'permission_error', message: 'scripted refusal' } } });
    const id = await h.say(h.alice, 'hello');
    const failed = await h.waitFor(hasState(id, 'failed'), 'failed');
    expect(stateOf(failed, id)).toMatchObject({ state: 'failed', reason: expect.stringContaining('scripted refusal') });
    // Claude's stand-in reply with the error text is not shown as an answer: the state says it.
    expect(runnerRows(failed)).toEqual([]);

    expect(h.model.pending()).toBe(0);
    h.model.enqueue({ type: 'text', chunks: ['fine now'] });
    const next = await h.say(h.alice, 'hello again');
    const after = await h.waitFor(hasState(next, 'processed'), 'next processed');
    expect(runnerRows(after).at(-1)).toEqual({ kind: 'assistant', body: 'fine now', status: 'completed', meta: {} });
  });
  it("shows Claude's retries of a failing model on the message, then the answer", async () => {
    h = await startSessionHarness({ agent: 'claude', start: false });
    await h.startRunner({ env: { ...h.runnerOptions().env, CLAUDE_CODE_MAX_RETRIES: '1' } });
    h.model.enqueue({ type: 'http_error', status: 500, body: { type: 'error', error: { type: 'api_error', message: 'upstream down' } } }, { type: 'text', chunks: ['recovered'] });
    const id = await h.say(h.alice, 'hello');
    const done = await h.waitFor(hasState(id, 'processed'), 'processed');
    expect(h.states(id).flatMap((s) => (s.trouble ? [s.trouble] : []))[0]).toEqual({ kind: 'reconnecting', attempt: 1, message: expect.stringContaining('HTTP 500 (attempt 1 of 1)'), http_status: 500 });
    expect(runnerRows(done)).toEqual([{ kind: 'assistant', body: 'recovered', status: 'completed', meta: {} }]);
  });
  it('a session Claude no longer has starts afresh on resume, and the thread says why', async () => {
    h = await claude();
    h.model.enqueue({ type: 'text', chunks: ['noted: banana'] });
    const first = await h.say(h.alice, 'remember the word banana');
    await h.waitFor(hasState(first, 'processed'), 'first processed');
    const previous = claudeSession(h);
    const { threadId } = h.runner;
    await h.runner.close();
    // Claude forgets its sessions (its transcripts are gone): --resume must fail.
    rmSync(join(h.claudeHome!.dir, '.claude', 'projects'), { recursive: true, force: true });

    await h.startRunner({ resume: true });
    expect(h.runner.threadId).toBe(threadId);
    const noticed = await h.waitFor((t) => t.some((m) => m.kind === 'notice'), 'resume notice');
    expect(runnerRows(noticed).at(-1)).toEqual({
      kind: 'notice',
      body: expect.stringContaining(`No conversation found with session ID: ${previous}`),
      status: null,
      meta: { code: 'claude_exited', previous_agent_thread: previous, agent_thread: expect.any(String) },
    });
    const fresh = claudeSession(h);
    expect(fresh).not.toBe(previous);

    h.model.enqueue({ type: 'text', chunks: ['which word?'] });
    const next = await h.say(h.alice, 'which word?');
    await h.waitFor(hasState(next, 'processed'), 'next processed');
    const last = h.model.requests.filter((r) => !r.side).at(-1)!;
    expect(last.headers['x-claude-code-session-id']).toBe(fresh);
    expect(JSON.stringify(last.body)).not.toContain('banana');
  });
});

/** The Claude session id the runner remembers for its hub thread (local state in PILOTHOUSE_HOME). */
function claudeSession(harness: SessionHarness): string {
  const file = readdirSync(join(harness.home, 'runner')).find((f) => f.endsWith('.json') && !f.endsWith('.cursor.json'))!;
  const state = readFileSync(join(harness.home, 'runner', file), 'utf8');
  const id = /"codex_thread_id"\s*:\s*"([^"]+)"/.exec(state)?.[1];
  if (!id) throw new Error(`no agent thread in the runner state: ${state}`);
  return id;
}
