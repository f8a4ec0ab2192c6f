// Claude Code end to end: the real `claude` binary (the pinned dev dependency) against the
// scripted model's Anthropic Messages endpoint, driven by a real runner and hub. What people see
// in the thread, and what crossed to the model.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Message } from '@pilothouse/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { startSessionHarness, type SessionHarness } from './support/session-harness.js';
import { hasState, runnerRows, stateOf } from './support/rows.js';

let h: SessionHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const claude = () => startSessionHarness({ agent: 'claude' });

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
});
