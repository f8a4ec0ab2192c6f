// `pilothouse run --tui` end to end: the real Codex TUI (`codex resume --remote`) runs in a
// detached tmux session instead of a terminal, a prompt is typed into it, and the hub thread must
// show the owner's input as a runner text row (meta.source "tui") followed by the agent's rows,
// once; thread messages keep working and queue behind a TUI turn.

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '@pilothouse/protocol';
import { hasState, stateOf } from './support/rows.js';
import { startSessionHarness, type SessionHarness } from './support/session-harness.js';
import { hasTmux, TmuxTui } from './support/tmux.js';

// The TUI greets gpt-5.5 users with a model-migration screen once; this is its "seen" mark.
const SKIP_MIGRATION_NOTICE = '\n[notice.model_migrations]\n"gpt-5.5" = "gpt-6-sol"\n';

let h: SessionHarness | null = null;
let tui: TmuxTui | null = null;
afterEach(async () => {
  tui?.kill();
  await h?.close();
  h = tui = null;
});

beforeAll(() => {
  if (!hasTmux()) throw new Error('these tests drive the Codex TUI in tmux: apt-get install -y tmux');
});

const tuiRows = (thread: Message[]) => thread.filter((m) => m.kind === 'text' && m.runner_id !== null);
const shape = (thread: Message[]) => thread.map((m) => [m.kind, m.runner_id === null ? 'human' : 'runner', m.body, m.status]);

async function startWithTui(): Promise<{ h: SessionHarness; tui: TmuxTui }> {
  const t = new TmuxTui();
  tui = t;
  h = await startSessionHarness({ codex: { extraToml: SKIP_MIGRATION_NOTICE }, runner: { tui: t.launch } });
  // The TUI opened the runner's thread (its footer shows the name the runner gave it) and is ready.
  await t.waitForScreen((s) => s.includes('Pilothouse acme/agents') && s.includes('›'), 'the session thread');
  return { h, tui: t };
}

describe('runner with the Codex TUI (--tui)', () => {
  it('mirrors a prompt typed in the TUI, then its answer, into the thread; thread messages still run', async () => {
    const { h, tui } = await startWithTui();

    h.model.enqueue({ type: 'text', chunks: ['Mirrored ', 'from the ', 'TUI.'], delayMs: 10 });
    await tui.submit('hello from the terminal');
    let thread = await h.waitFor((t) => t.some((m) => m.kind === 'assistant' && m.status === 'completed'), 'the TUI turn mirrored');
    expect(shape(thread)).toEqual([
      ['session', 'runner', expect.any(String), null],
      ['text', 'runner', 'hello from the terminal', null],
      ['assistant', 'runner', 'Mirrored from the TUI.', 'completed'],
    ]);
    const [input] = tuiRows(thread);
    expect(input).toMatchObject({ author: { name: 'alice' }, meta: { source: 'tui', item_id: expect.any(String), turn_id: expect.any(String) }, state: null });

    // A message from the thread still becomes a turn, and the TUI shows it too.
    h.model.enqueue({ type: 'text', chunks: ['From ', 'the thread.'] });
    const id = await h.say(h.alice, 'and now from the thread');
    thread = await h.waitFor(hasState(id, 'processed'), 'thread message processed');
    await tui.waitForScreen((s) => s.includes('and now from the thread') && s.includes('From the thread.'), 'the thread turn');
    expect(shape(thread).slice(3)).toEqual([
      ['text', 'human', 'and now from the thread', null],
      ['assistant', 'runner', 'From the thread.', 'completed'],
    ]);
    // Nothing was mirrored twice, and the runner's own input was not mirrored at all.
    expect(tuiRows(thread)).toHaveLength(1);

    // Quitting the TUI ends the session.
    tui.kill();
    await h.runner.done;
  });

  it('queues thread messages behind a TUI turn', async () => {
    const { h, tui } = await startWithTui();

    h.model.enqueue({ type: 'hang', chunks: ['Working ', 'on it'] }, { type: 'text', chunks: ['Next.'] });
    await tui.submit('a long job');
    await h.waitFor((t) => t.some((m) => m.kind === 'assistant' && m.body === 'Working on it'), 'the TUI turn streaming');
    const id = await h.say(h.alice, 'then this');
    let thread = await h.waitFor((t) => stateOf(t, id)?.state === 'queued', 'queued behind the TUI turn');
    expect(h.model.requests).toHaveLength(1);

    expect(h.model.release()).toBe(1);
    thread = await h.waitFor(hasState(id, 'processed'), 'processed after the TUI turn');
    expect(shape(thread).slice(1)).toEqual([
      ['text', 'runner', 'a long job', null],
      ['assistant', 'runner', 'Working on it', 'completed'],
      ['text', 'human', 'then this', null],
      ['assistant', 'runner', 'Next.', 'completed'],
    ]);
    expect(h.states(id).map((s) => [s.state, s.reason])).toEqual([
      ['queued', null],
      ['processing', 'starting turn'],
      ['processing', 'streaming response'],
      ['processed', null],
    ]);
  });
});
