// Recovery end to end: the hub restarting mid-stream, the runner restarting with --resume, and
// Codex dying mid-turn. Nothing is lost or doubled; what cannot go on fails with a reason.

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Message } from '@pilothouse/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { startSessionHarness, type SessionHarness } from './support/session-harness.js';
import { hasState, runnerRows, stateOf, userTexts } from './support/rows.js';

let h: SessionHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

/** The runner rows answering message `id` (between it and the next human message). */
function answerTo(thread: Message[], id: string) {
  const start = thread.findIndex((m) => m.id === id);
  const end = thread.findIndex((m, i) => i > start && m.runner_id === null);
  return runnerRows(thread.slice(start + 1, end < 0 ? undefined : end));
}

describe('runner recovery', () => {
  it('a hub restart mid-stream leaves the thread equal to an undisturbed run', async () => {
    h = await startSessionHarness();
    const chunks = Array.from({ length: 12 }, (_, i) => `word${i} `);
    // Slow enough (~0.9 s) that the restart surely falls inside the stream.
    const reply = { type: 'reasoning' as const, summary: ['Planning ', 'the ', 'words.'], text: chunks, delayMs: 60 };

    // The same scripted answer twice: first undisturbed, then with the hub restarted mid-stream.
    h.model.enqueue(reply);
    const calm = await h.say(h.alice, 'count');
    await h.waitFor(hasState(calm, 'processed'), 'calm processed');
    h.model.enqueue(reply);
    const stormy = await h.say(h.alice, 'count again');
    const mid = await h.waitFor((t) => answerTo(t, stormy).some((r) => r.kind === 'assistant' && r.body.startsWith('word0')), 'second turn streaming');
    expect(answerTo(mid, stormy).find((r) => r.kind === 'assistant')).toMatchObject({ status: 'streaming', body: expect.not.stringContaining('word11') });
    await h.restartHub();
    const thread = await h.waitFor(hasState(stormy, 'processed'), 'stormy processed');

    const expected = [
      { kind: 'reasoning', body: 'Planning the words.', status: 'completed', meta: {} },
      { kind: 'assistant', body: chunks.join(''), status: 'completed', meta: {} },
    ];
    expect(answerTo(thread, calm)).toEqual(expected);
    expect(answerTo(thread, stormy)).toEqual(expected);
    expect(thread.map((m) => m.kind)).toEqual(['session', 'text', 'reasoning', 'assistant', 'text', 'reasoning', 'assistant']);
    expect(new Set(thread.map((m) => m.item_key ?? m.id)).size).toBe(thread.length);
    expect(stateOf(thread, calm)).toEqual({ state: 'processed', reason: null, approval: null });
    expect(stateOf(thread, stormy)).toEqual({ state: 'processed', reason: null, approval: null });

    // And the session goes on through the new hub.
    h.model.enqueue({ type: 'text', chunks: ['still here'] });
    const after = await h.say(h.alice, 'still there?');
    expect(answerTo(await h.waitFor(hasState(after, 'processed'), 'after processed'), after)).toEqual([
      { kind: 'assistant', body: 'still here', status: 'completed', meta: {} },
    ]);
  });

  it('--resume re-attaches to the same thread and Codex thread and runs what was posted meanwhile', async () => {
    h = await startSessionHarness();
    h.model.enqueue({ type: 'text', chunks: ['noted: banana'] });
    const first = await h.say(h.alice, 'remember the word banana');
    await h.waitFor(hasState(first, 'processed'), 'first processed');
    const { threadId } = h.runner;
    await h.runner.close();

    // Posted while no runner is there: it waits in the hub, with no state yet.
    const waiting = await h.say(h.alice, 'which word?');
    expect(stateOf(await h.thread(), waiting)).toBeNull();

    h.model.enqueue({ type: 'text', chunks: ['banana'] });
    await h.startRunner({ resume: true });
    expect(h.runner.threadId).toBe(threadId);
    const thread = await h.waitFor(hasState(waiting, 'processed'), 'waiting processed');

    expect(thread.map((m) => [m.kind, m.body])).toEqual([
      ['session', expect.any(String)],
      ['text', 'remember the word banana'],
      ['assistant', 'noted: banana'],
      ['text', 'which word?'],
      ['assistant', 'banana'],
    ]);
    expect(stateOf(thread, first)).toEqual({ state: 'processed', reason: null, approval: null });
    expect(stateOf(thread, waiting)).toEqual({ state: 'processed', reason: null, approval: null });
    // The Codex thread was resumed: the model saw the earlier turn.
    expect(h.model.requests).toHaveLength(2);
    expect(userTexts(h.model.requests[1]!)).toEqual(expect.arrayContaining(['remember the word banana', 'which word?']));
    expect(JSON.stringify(h.model.requests[1]!.body)).toContain('noted: banana');
    expect(h.model.requests[1]!.headers['thread-id']).toBe(h.model.requests[0]!.headers['thread-id']);
  });

  it('--resume whose Codex thread is gone starts a new one and says so in the session thread', async () => {
    h = await startSessionHarness();
    h.model.enqueue({ type: 'text', chunks: ['noted: banana'] });
    const first = await h.say(h.alice, 'remember the word banana');
    await h.waitFor(hasState(first, 'processed'), 'first processed');
    const { threadId } = h.runner;
    await h.runner.close();
    // Codex forgets the thread (its rollouts are gone): thread/resume must fail.
    rmSync(join(h.codexHome.dir, 'sessions'), { recursive: true, force: true });

    await h.startRunner({ resume: true });
    expect(h.runner.threadId).toBe(threadId);
    const noticed = await h.waitFor((t) => t.some((m) => m.kind === 'notice'), 'resume notice');
    expect(runnerRows(noticed)).toEqual([
      { kind: 'assistant', body: 'noted: banana', status: 'completed', meta: {} },
      {
        kind: 'notice',
        body: expect.stringMatching(/^The earlier agent thread could not be resumed, so a new one was started; .* Reason: codex app-server refused thread\/resume: no rollout found for thread id \S+ \(code -32600\) \(codex_rpc_error\)\.$/),
        status: null,
        meta: { code: 'codex_rpc_error', previous_agent_thread: expect.any(String), agent_thread: expect.any(String) },
      },
    ]);

    // The session goes on, on the new Codex thread (which never saw the earlier turn).
    h.model.enqueue({ type: 'text', chunks: ['which word?'] });
    const next = await h.say(h.alice, 'which word?');
    await h.waitFor(hasState(next, 'processed'), 'next processed');
    expect(JSON.stringify(h.model.requests[1]!.body)).not.toContain('banana');
  });

  it('Codex dying mid-turn fails the message with a reason; the next message runs on a resumed thread', async () => {
    h = await startSessionHarness();
    h.model.enqueue({ type: 'hang', chunks: ['half an ans'] });
    const id = await h.say(h.alice, 'work');
    await h.waitFor((t) => runnerRows(t).some((r) => r.body === 'half an ans'), 'streaming');
    const pids = h.codexPids();
    expect(pids).toHaveLength(1);
    process.kill(pids[0]!, 'SIGKILL');
    const failed = await h.waitFor(hasState(id, 'failed'), 'failed');

    expect(stateOf(failed, id)).toEqual({ state: 'failed', reason: 'Codex exited: killed by SIGKILL', approval: null });
    expect(runnerRows(failed)).toEqual([{ kind: 'assistant', body: 'half an ans', status: 'failed', meta: {} }]);

    h.model.enqueue({ type: 'text', chunks: ['back'] });
    const next = await h.say(h.alice, 'again');
    const thread = await h.waitFor(hasState(next, 'processed'), 'next processed');
    expect(runnerRows(thread)).toEqual([
      { kind: 'assistant', body: 'half an ans', status: 'failed', meta: {} },
      { kind: 'assistant', body: 'back', status: 'completed', meta: {} },
    ]);
    expect(h.codexPids()).toHaveLength(1);
    expect(h.codexPids()[0]).not.toBe(pids[0]);
  });

  it('a failed start in between does not make --resume run old instructions again', async () => {
    h = await startSessionHarness();
    h.model.enqueue({ type: 'text', chunks: ['done once'] });
    const first = await h.say(h.alice, 'do it once');
    await h.waitFor(hasState(first, 'processed'), 'first processed');
    await h.runner.close();
    // A new session that never got going (the token was refused) ...
    await expect(h.startRunner({ token: 'ph_refused' })).rejects.toMatchObject({ code: 'unauthorized' });
    // ... leaves the earlier session resumable exactly where it was.
    h.model.enqueue({ type: 'text', chunks: ['and this'] });
    await h.startRunner({ resume: true });
    const next = await h.say(h.alice, 'now this');
    const thread = await h.waitFor(hasState(next, 'processed'), 'next processed');
    expect(thread.map((m) => [m.kind, m.body])).toEqual([
      ['session', expect.any(String)],
      ['text', 'do it once'],
      ['assistant', 'done once'],
      ['text', 'now this'],
      ['assistant', 'and this'],
    ]);
    expect(h.model.requests).toHaveLength(2);
  });
});
