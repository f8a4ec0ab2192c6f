// Gemini CLI over ACP end to end: the real `gemini --acp` (the pinned dev dependency) against the
// scripted model's Gemini endpoint, a real hub and runner. Streamed answers and thoughts, approvals
// (the agent's own options), deny, always allow, file edits as diffs, interrupts, resume.

import { afterEach, describe, expect, it } from 'vitest';
import { startSessionHarness, type SessionHarness } from './support/session-harness.js';
import { hasState, runnerRows, stateOf } from './support/rows.js';

let h: SessionHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const gemini = () => startSessionHarness({ agent: 'gemini' });

describe('Gemini CLI over ACP', () => {
  it('streams an answer into an assistant row; the session names Gemini CLI', async () => {
    h = await gemini();
    h.model.enqueue({ type: 'text', chunks: ['Hello ', 'from ', 'Gemini.'] });
    const id = await h.say(h.alice, 'hello');
    const done = await h.waitFor(hasState(id, 'processed'), 'processed');
    expect(runnerRows(done)).toEqual([{ kind: 'assistant', body: 'Hello from Gemini.', status: 'completed', meta: {} }]);
    expect(stateOf(done, id)).toMatchObject({ state: 'processed', reason: null });
    expect(done[0]!.meta).toMatchObject({ agent: 'gemini', agent_version: '0.61.0' });
    expect(done[0]!.body).toMatch(/^Gemini CLI session in/);
  });
});
