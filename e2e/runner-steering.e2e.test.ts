// Who steers and in what order: the listen user's messages queue and run one turn at a time,
// anyone else's are ignored with a reason; interrupt and drop_queued act on the queue and the turn.

import { afterEach, describe, expect, it } from 'vitest';
import { startSessionHarness, type SessionHarness } from './support/session-harness.js';
import { hasState, message, runnerRows, stateOf, userTexts } from './support/rows.js';

let h: SessionHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

describe('runner steering', () => {
  it("marks another user's message ignored, naming the listen user, and never sends it to the model", async () => {
    h = await startSessionHarness();
    const bobs = await h.say(h.bob, 'delete everything');
    await h.waitFor(hasState(bobs, 'ignored'), 'bob ignored');
    h.model.enqueue({ type: 'text', chunks: ['hi alice'] });
    const alices = await h.say(h.alice, 'hello');
    const thread = await h.waitFor(hasState(alices, 'processed'), 'alice processed');

    expect(stateOf(thread, bobs)).toEqual({ state: 'ignored', reason: 'not the listen user (alice)', approval: null });
    expect(h.states(bobs)).toEqual([{ state: 'ignored', reason: 'not the listen user (alice)', approval: null }]);
    expect(h.model.requests).toHaveLength(1);
    expect(userTexts(h.model.requests[0]!)).toContain('hello');
    expect(JSON.stringify(h.model.requests[0]!.body)).not.toContain('delete everything');
    expect(runnerRows(thread)).toEqual([{ kind: 'assistant', body: 'hi alice', status: 'completed', meta: {} }]);
  });

  it('runs two quick listen-user messages in order, one turn at a time', async () => {
    h = await startSessionHarness();
    h.model.enqueue({ type: 'hang', chunks: ['first ', 'answer'] }, { type: 'text', chunks: ['second ', 'answer'] });
    const first = await h.say(h.alice, 'one');
    const second = await h.say(h.alice, 'two');
    // The first turn is streaming and held open by the model: the second waits its turn.
    const during = await h.waitFor(
      (t) => hasState(first, 'processing', 'streaming response')(t) && runnerRows(t).some((r) => r.body === 'first answer'),
      'first streaming',
    );
    expect(stateOf(during, second)).toEqual({ state: 'queued', reason: null, approval: null });
    expect(h.model.requests).toHaveLength(1);

    expect(h.model.release()).toBe(1);
    const thread = await h.waitFor(hasState(second, 'processed'), 'second processed');
    expect(thread.map((m) => [m.kind, m.body])).toEqual([
      ['session', expect.any(String)],
      ['text', 'one'],
      ['text', 'two'],
      ['assistant', 'first answer'],
      ['assistant', 'second answer'],
    ]);
    expect(runnerRows(thread).map((r) => r.status)).toEqual(['completed', 'completed']);
    expect(h.states(first).map((s) => [s.state, s.reason])).toEqual([
      ['queued', null],
      ['processing', 'starting turn'],
      ['processing', 'streaming response'],
      ['processed', null],
    ]);
    expect(h.states(second).map((s) => [s.state, s.reason])).toEqual([
      ['queued', null],
      ['processing', 'starting turn'],
      ['processing', 'streaming response'],
      ['processed', null],
    ]);
    // The second turn started only after the first one ended, and saw it.
    expect(userTexts(h.model.requests[1]!)).toEqual(expect.arrayContaining(['one', 'two']));
    expect(message(thread, second).state).toEqual({ state: 'processed', reason: null, approval: null });
  });

  it('interrupts a hanging turn: the message ends interrupted and no row is left streaming', async () => {
    h = await startSessionHarness();
    h.model.enqueue({ type: 'hang', chunks: ['partial ', 'answer'] }, { type: 'text', chunks: ['after'] });
    const id = await h.say(h.alice, 'take your time');
    await h.waitFor((t) => hasState(id, 'processing', 'streaming response')(t) && runnerRows(t).some((r) => r.body === 'partial answer'), 'streaming');
    await h.control(h.alice, { type: 'interrupt' });
    const thread = await h.waitFor(hasState(id, 'processed'), 'interrupted');

    expect(stateOf(thread, id)).toEqual({ state: 'processed', reason: 'interrupted by alice', approval: null });
    expect(h.states(id).map((s) => s.reason).slice(-2)).toEqual(['interrupt requested', 'interrupted by alice']);
    expect(runnerRows(thread)).toEqual([{ kind: 'assistant', body: 'partial answer', status: 'interrupted', meta: {} }]);

    // The session goes on: the next message is a normal turn.
    const next = await h.say(h.alice, 'go on');
    const after = await h.waitFor(hasState(next, 'processed'), 'next processed');
    expect(runnerRows(after).map((r) => [r.kind, r.body, r.status])).toEqual([
      ['assistant', 'partial answer', 'interrupted'],
      ['assistant', 'after', 'completed'],
    ]);
  });

  it('drop_queued drops the queued messages through a seq and keeps the rest', async () => {
    h = await startSessionHarness();
    h.model.enqueue({ type: 'hang', chunks: ['busy'] }, { type: 'text', chunks: ['did three'] });
    const one = await h.say(h.alice, 'one');
    const two = await h.say(h.alice, 'two');
    const three = await h.say(h.alice, 'three');
    const queued = await h.waitFor((t) => hasState(one, 'processing', 'streaming response')(t) && hasState(three, 'queued')(t), 'two queued');
    await h.control(h.alice, { type: 'drop_queued', through_seq: message(queued, two).seq });
    await h.waitFor(hasState(two, 'ignored'), 'two dropped');
    expect(h.model.release()).toBe(1);
    const thread = await h.waitFor(hasState(three, 'processed'), 'three processed');

    expect(stateOf(thread, one)).toEqual({ state: 'processed', reason: null, approval: null });
    expect(stateOf(thread, two)).toEqual({ state: 'ignored', reason: 'dropped by alice', approval: null });
    expect(stateOf(thread, three)).toEqual({ state: 'processed', reason: null, approval: null });
    expect(h.model.requests).toHaveLength(2);
    expect(userTexts(h.model.requests[1]!)).not.toContain('two');
    expect(runnerRows(thread).map((r) => [r.kind, r.body, r.status])).toEqual([
      ['assistant', 'busy', 'completed'],
      ['assistant', 'did three', 'completed'],
    ]);
  });

  it("the hub refuses bob's interrupt with sender_not_allowed; the turn runs on", async () => {
    h = await startSessionHarness();
    h.model.enqueue({ type: 'hang', chunks: ['working'] });
    const id = await h.say(h.alice, 'work');
    await h.waitFor(hasState(id, 'processing', 'streaming response'), 'streaming');
    await expect(h.control(h.bob, { type: 'interrupt' })).rejects.toMatchObject({ code: 'sender_not_allowed' });
    expect(h.model.release()).toBe(1);
    const thread = await h.waitFor(hasState(id, 'processed'), 'processed');
    expect(stateOf(thread, id)).toEqual({ state: 'processed', reason: null, approval: null });
  });

  it('fails a message whose turn the model answers with HTTP 500, and the next message still works', async () => {
    h = await startSessionHarness();
    h.model.enqueue({ type: 'http_error', status: 500, body: { error: { message: 'upstream down', type: 'server_error' } } }, { type: 'text', chunks: ['back again'] });
    const broken = await h.say(h.alice, 'hello?');
    const failed = await h.waitFor(hasState(broken, 'failed'), 'failed');
    const state = stateOf(failed, broken)!;
    // Codex replaces a 500's text with its own "high demand" message (docs/decisions/codex-app-server.md).
    expect(state).toEqual({ state: 'failed', reason: expect.stringMatching(/high demand|temporar/i), approval: null });
    expect(runnerRows(failed)).toEqual([]);

    const next = await h.say(h.alice, 'again');
    const thread = await h.waitFor(hasState(next, 'processed'), 'next processed');
    expect(runnerRows(thread)).toEqual([{ kind: 'assistant', body: 'back again', status: 'completed', meta: {} }]);
    expect(stateOf(thread, broken)).toEqual(state);
  });
});
