// Small helpers shared by the integration tests: start a thread, run one text turn.
import type { Harness } from './harness.js';
import type { NotificationParams } from '../src/index.js';

export async function startThread(h: Harness, params: { sandbox?: 'read-only' | 'workspace-write' } = {}): Promise<string> {
  const { thread } = await h.codex.threadStart({ cwd: h.workspace, ...params });
  return thread.id;
}

/** Starts a turn with one text input and returns its id (the turn runs on). */
export async function sendText(h: Harness, threadId: string, text: string): Promise<string> {
  const { turn } = await h.codex.turnStart({ threadId, input: [{ type: 'text', text, text_elements: [] }] });
  return turn.id;
}

export function turnCompleted(h: Harness, turnId: string): Promise<NotificationParams<'turn/completed'>> {
  return h.recorder.waitFor('turn/completed', (p) => p.turn.id === turnId);
}

/** Runs a whole turn: send, then wait for its turn/completed. */
export async function runTurn(h: Harness, threadId: string, text: string): Promise<NotificationParams<'turn/completed'>> {
  return turnCompleted(h, await sendText(h, threadId, text));
}
