// The runner end to end: real hub, real runner, real Codex, scripted model. Each scenario asserts
// the thread's rows and the message states as the hub stored them.

import { afterEach, describe, expect, it } from 'vitest';
import { loadScenario, scenarioPath } from '@pilothouse/scripted-model';
import { byKind, startSessionHarness, type SessionHarness } from './support/session-harness.js';

let h: SessionHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

describe('runner session', () => {
  it('a listen-user reply becomes a turn whose answer streams into one row, then the message is processed', async () => {
    h = await startSessionHarness();
    h.model.enqueue({ type: 'text', chunks: ['Hel', 'lo ', 'from ', 'the ', 'agent.'], delayMs: 20 });
    const id = await h.say(h.alice, 'say hello');
    const thread = await h.waitFor((t) => t.find((m) => m.id === id)?.state?.state === 'processed', 'processed');
    expect(thread.map((m) => m.kind)).toEqual(['session', 'text', 'assistant']);
    expect(byKind(thread, 'assistant')[0]).toMatchObject({ body: 'Hello from the agent.', status: 'completed', runner_id: h.runner.runnerId });
  });
});

describe('scenario files drive the real agent', () => {
  const scenario = (name: string) => loadScenario(scenarioPath(name));

  it('plain text, reasoning, web search and a mid-stream error, each from its file', async () => {
    h = await startSessionHarness();
    const run = async (file: string, text: string, until: 'processed' | 'failed') => {
      h!.model.enqueue(...(await scenario(file)));
      const id = await h!.say(h!.alice, text);
      const thread = await h!.waitFor((t) => t.find((m) => m.id === id)?.state?.state === until, `${file} ${until}`);
      const start = thread.findIndex((m) => m.id === id);
      return { state: thread[start]!.state, rows: thread.slice(start + 1).map((m) => ({ kind: m.kind, body: m.body, status: m.status })) };
    };
    expect((await run('plain-text.json', 'plan it', 'processed')).rows).toEqual([
      { kind: 'assistant', body: 'Here is the **plan**:\n\n1. read the code\n2. change it\n3. run the tests\n', status: 'completed' },
    ]);
    expect((await run('reasoning.json', 'think', 'processed')).rows).toEqual([
      { kind: 'reasoning', body: 'Looking at the layout first.', status: 'completed' },
      { kind: 'assistant', body: 'The hub serves the socket.', status: 'completed' },
    ]);
    expect((await run('web-search.json', 'search', 'processed')).rows).toEqual([
      { kind: 'web_search', body: 'phoenix channels v2 protocol', status: 'completed' },
      { kind: 'assistant', body: 'Found the protocol notes.', status: 'completed' },
    ]);
    const failed = await run('error-midstream.json', 'fail', 'failed');
    expect(failed.state?.reason).toMatch(/the model fell over/);
    expect(failed.rows.every((r) => r.status !== 'streaming')).toBe(true);
  });
});
