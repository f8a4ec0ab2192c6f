// The runner end to end: real hub, real runner, real Codex, scripted model. Each scenario asserts
// the thread's rows and the message states as the hub stored them.

import { afterEach, describe, expect, it } from 'vitest';
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
