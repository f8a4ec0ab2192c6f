// Re-binding end to end (docs/protocol.md, "Runner restarts"): a reply in an older session thread
// of this runner, after a new session started in the same folder, runs in that older thread and
// in that session's own Codex thread. Real hub, real runner, real Codex, the scripted model.

import { afterEach, describe, expect, it } from 'vitest';
import { hasState, runnerRows, stateOf, userTexts } from './support/rows.js';
import { startSessionHarness, type SessionHarness } from './support/session-harness.js';

let h: SessionHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

describe('runner: a reply in an older session thread', () => {
  it('re-binds that thread: the answer streams there, from that session’s Codex thread', async () => {
    h = await startSessionHarness();
    h.model.enqueue({ type: 'text', chunks: ['noted: banana'] });
    const first = await h.say(h.alice, 'remember the word banana');
    await h.waitFor(hasState(first, 'processed'), 'first processed');
    const threadA = h.runner.threadId;
    await h.runner.close();

    // A new session (not --resume) in the same folder: a new thread and a new Codex thread.
    await h.startRunner();
    const threadB = h.runner.threadId;
    expect(threadB).not.toBe(threadA);

    h.model.enqueue({ type: 'text', chunks: ['the word was ', 'banana'] });
    const reply = await h.say(h.alice, 'which word?', threadA);
    const thread = await h.waitFor(hasState(reply, 'processed'), 'reply processed in the older thread', 30_000, threadA);

    expect(runnerRows(thread)).toEqual([
      { kind: 'assistant', body: 'noted: banana', status: 'completed', meta: {} },
      { kind: 'notice', body: 'Session re-bound to this thread; resuming its agent thread.', status: null, meta: { from_thread: threadB, message_id: reply } },
      { kind: 'assistant', body: 'the word was banana', status: 'completed', meta: {} },
    ]);
    expect(stateOf(thread, reply)).toEqual({ state: 'processed', reason: null, approval: null });
    // Session A's Codex thread was resumed: the model saw its earlier turn, under the same thread id.
    expect(h.model.requests).toHaveLength(2);
    expect(h.model.requests[1]!.headers['thread-id']).toBe(h.model.requests[0]!.headers['thread-id']);
    expect(userTexts(h.model.requests[1]!)).toEqual(expect.arrayContaining(['remember the word banana', 'which word?']));
    expect(JSON.stringify(h.model.requests[1]!.body)).toContain('noted: banana');
    // Nothing of it went to the thread the runner left.
    expect(runnerRows(await h.thread(threadB))).toEqual([]);

    // The runner remembers the thread it re-bound to as its session: `--resume` re-attaches there.
    await h.runner.close();
    await h.startRunner({ resume: true });
    expect(h.runner.threadId).toBe(threadA);
  });
});
