// Real `codex app-server` against the scripted model: what each kind of model output becomes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';
import { runTurn, startThread } from './turn-helpers.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.dispose();
});

describe('codex turns', () => {
  it('streams assistant text as agentMessage deltas and completes the item with their concatenation', async () => {
    h.model.enqueue({ type: 'text', chunks: ['Hel', 'lo ', 'world'], delayMs: 5 });
    const threadId = await startThread(h);
    const done = await runTurn(h, threadId, 'say hello');

    expect(done.turn).toMatchObject({ status: 'completed', error: null });
    const deltas = h.recorder.all('item/agentMessage/delta');
    expect(deltas.map((d) => d.delta)).toEqual(['Hel', 'lo ', 'world']);
    const itemId = deltas[0]!.itemId;
    expect(deltas.every((d) => d.itemId === itemId && d.threadId === threadId && d.turnId === done.turn.id)).toBe(true);
    const completed = h.recorder.all('item/completed').map((p) => p.item).find((item) => item.id === itemId);
    expect(completed).toMatchObject({ type: 'agentMessage', text: 'Hello world' });
    expect(done.turn.items).toEqual([expect.objectContaining({ type: 'agentMessage', id: itemId, text: 'Hello world' })]);

    // item lifecycle order for the message: started, deltas, completed, before turn/completed.
    const lifecycle = h.recorder.events.flatMap((e) => {
      if (e.type !== 'notification') return [];
      const n = e.notification;
      if (n.method === 'item/started' || n.method === 'item/completed') return n.params.item.id === itemId ? [n.method] : [];
      return n.method === 'item/agentMessage/delta' || n.method === 'turn/completed' ? [n.method] : [];
    });
    expect(lifecycle).toEqual(['item/started', 'item/agentMessage/delta', 'item/agentMessage/delta', 'item/agentMessage/delta', 'item/completed', 'turn/completed']);

    const request = h.model.requests[0]!;
    expect(request.headers).toMatchObject({ authorization: 'Bearer sk-fake', originator: 'pilothouse-test', accept: 'text/event-stream' });
    expect(request.body).toMatchObject({ model: 'gpt-5.5', stream: true, prompt_cache_key: threadId });
  });

  it('streams a reasoning summary as summaryTextDelta before the answer', async () => {
    h.model.enqueue({ type: 'reasoning', summary: ['Thinking ', 'about ', 'it.'], text: ['Answer.'] });
    const threadId = await startThread(h);
    await runTurn(h, threadId, 'think');

    const deltas = h.recorder.all('item/reasoning/summaryTextDelta');
    expect(deltas.map((d) => [d.delta, d.summaryIndex])).toEqual([
      ['Thinking ', 0],
      ['about ', 0],
      ['it.', 0],
    ]);
    expect(h.recorder.all('item/reasoning/summaryPartAdded')).toEqual([expect.objectContaining({ itemId: deltas[0]!.itemId, summaryIndex: 0 })]);
    const items = h.recorder.all('item/completed').map((p) => p.item);
    expect(items.map((item) => item.type)).toEqual(['userMessage', 'reasoning', 'agentMessage']);
    expect(items[1]).toMatchObject({ type: 'reasoning', id: deltas[0]!.itemId, summary: ['Thinking about it.'] });
  });

  it('renders a web_search_call as a webSearch item', async () => {
    h.model.enqueue({ type: 'web_search', query: 'vitest docs', text: ['Found it.'] });
    const threadId = await startThread(h);
    await runTurn(h, threadId, 'search');

    const search = h.recorder.all('item/completed').find((p) => p.item.type === 'webSearch')?.item;
    expect(search).toMatchObject({ type: 'webSearch', query: 'vitest docs', action: { type: 'search', query: 'vitest docs' } });
  });

  it('fails the turn on an HTTP 500 and keeps the thread usable', async () => {
    h.model.enqueue({ type: 'http_error', status: 500, body: { error: { message: 'upstream down', type: 'server_error' } } });
    const threadId = await startThread(h);
    const failed = await runTurn(h, threadId, 'hello?');

    expect(failed.turn.status).toBe('failed');
    // Codex replaces a 500's message with its own "high demand" text; the code survives.
    expect(failed.turn.error).toMatchObject({ codexErrorInfo: 'internalServerError', message: expect.any(String) });
    expect(h.recorder.all('error')).toEqual([expect.objectContaining({ threadId, turnId: failed.turn.id, willRetry: false })]);

    h.model.enqueue({ type: 'text', chunks: ['back'] });
    expect((await runTurn(h, threadId, 'again')).turn.status).toBe('completed');
  });

  it('fails the turn when the stream ends with response.failed', async () => {
    h.model.enqueue({ type: 'failed_midstream', chunks: ['par', 'tial'], message: 'model melted' });
    const threadId = await startThread(h);
    const failed = await runTurn(h, threadId, 'go');

    expect(failed.turn.status).toBe('failed');
    expect(failed.turn.error?.message).toContain('model melted');
  });
});
