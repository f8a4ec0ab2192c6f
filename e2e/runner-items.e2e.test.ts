// What each kind of agent output becomes in the thread: one row per item, with its kind, final
// body, status and meta, and the processing reason the source message shows meanwhile.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSessionHarness, type SessionHarness } from './support/session-harness.js';
import { hasState, runnerRows, stateOf } from './support/rows.js';

let h: SessionHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

describe('runner rows', () => {
  it('shows a reasoning summary as its own row before the answer', async () => {
    h = await startSessionHarness();
    h.model.enqueue({ type: 'reasoning', summary: ['Thinking ', 'about ', 'it.'], text: ['The ', 'answer.'] });
    const id = await h.say(h.alice, 'think first');
    const thread = await h.waitFor(hasState(id, 'processed'), 'processed');
    expect(runnerRows(thread)).toEqual([
      { kind: 'reasoning', body: 'Thinking about it.', status: 'completed', meta: {} },
      { kind: 'assistant', body: 'The answer.', status: 'completed', meta: {} },
    ]);
    expect(h.states(id).map((s) => s.reason)).toEqual([null, 'starting turn', 'streaming response', null]);
  });

  it('shows a web search as a web_search row', async () => {
    h = await startSessionHarness();
    h.model.enqueue({ type: 'web_search', query: 'vitest docs', text: ['Found it.'] });
    const id = await h.say(h.alice, 'look it up');
    const thread = await h.waitFor(hasState(id, 'processed'), 'processed');
    expect(runnerRows(thread)).toEqual([
      { kind: 'web_search', body: 'vitest docs', status: 'completed', meta: { query: 'vitest docs', action: expect.objectContaining({ type: 'search', query: 'vitest docs' }) } },
      { kind: 'assistant', body: 'Found it.', status: 'completed', meta: {} },
    ]);
  });

  it('shows "running terminal command" while a command runs, then a command row with its output and exit code', async () => {
    h = await startSessionHarness();
    // The command waits for the test to say go: the state is observed while it surely runs.
    h.model.enqueue({ type: 'exec', cmd: 'echo started; while [ ! -e go ]; do sleep 0.02; done; echo finished', login: false }, { type: 'text', chunks: ['ran it'] });
    const id = await h.say(h.alice, 'run the command');
    const running = await h.waitFor(hasState(id, 'processing', 'running terminal command'), 'running');
    const row = runnerRows(running).find((r) => r.kind === 'command');
    expect(row).toMatchObject({ status: 'streaming', meta: { command: expect.stringContaining('while [ ! -e go ]'), status: 'inProgress', exit_code: null } });
    writeFileSync(join(h.workspace, 'go'), '');
    const thread = await h.waitFor(hasState(id, 'processed'), 'processed');

    expect(runnerRows(thread)).toEqual([
      {
        kind: 'command',
        body: 'started\nfinished\n',
        status: 'completed',
        meta: { command: row!.meta!.command, cwd: expect.any(String), status: 'completed', exit_code: 0, duration_ms: expect.any(Number) },
      },
      { kind: 'assistant', body: 'ran it', status: 'completed', meta: {} },
    ]);
    expect(stateOf(thread, id)).toEqual({ state: 'processed', reason: null, approval: null });
    expect(h.states(id).map((s) => s.reason)).toEqual([null, 'starting turn', 'running terminal command', 'streaming response', null]);
  });

  it('streams a running command\'s output into its row while it runs; what Codex did not stream arrives with the final item', async () => {
    h = await startSessionHarness();
    // Codex 0.169.0 sends no outputDelta for what a command prints before its first delta (about
    // the first 0.1–0.2 s: "early" here); item/completed's aggregatedOutput has it. The row streams
    // every delta Codex sends, and the final reconciliation puts the whole output in place.
    h.model.enqueue(
      { type: 'exec', cmd: 'echo early; sleep 0.5; echo middle; while [ ! -e go ]; do sleep 0.02; done; echo late', login: false },
      { type: 'text', chunks: ['ran it'] },
    );
    const id = await h.say(h.alice, 'run it');
    const running = await h.waitFor((t) => runnerRows(t).some((r) => r.kind === 'command' && r.status === 'streaming' && r.body.endsWith('middle\n')), 'output while running', 15_000);
    expect(runnerRows(running).find((r) => r.kind === 'command')?.body).toMatch(/^(early\n)?middle\n$/);
    writeFileSync(join(h.workspace, 'go'), '');
    const thread = await h.waitFor(hasState(id, 'processed'), 'processed');
    expect(runnerRows(thread).find((r) => r.kind === 'command')).toMatchObject({ body: 'early\nmiddle\nlate\n', status: 'completed' });
  });

  it('keeps a bounded head and tail of a huge command output, with the full size in meta', async () => {
    h = await startSessionHarness();
    h.model.enqueue({ type: 'exec', cmd: "head -c 5000000 /dev/zero | tr '\\0' x; echo; echo the-end", login: false }, { type: 'text', chunks: ['that was long'] });
    const id = await h.say(h.alice, 'print a lot');
    const thread = await h.waitFor(hasState(id, 'processed'), 'processed', 60_000);
    const [command, answer] = runnerRows(thread);
    // 5,000,000 x + "\n" + "the-end\n": Codex keeps 1 MiB of it, the row 64 KiB head + 64 KiB tail.
    const total = 5_000_009;
    const omitted = total - 2 * 64 * 1024;
    expect(command).toEqual({
      kind: 'command',
      body: `${'x'.repeat(64 * 1024)}\n… [${omitted} bytes omitted] …\n${'x'.repeat(64 * 1024 - 9)}\nthe-end\n`,
      status: 'completed',
      meta: {
        command: expect.stringContaining('head -c 5000000'),
        cwd: expect.any(String),
        status: 'completed',
        exit_code: 0,
        duration_ms: expect.any(Number),
        total_bytes: total,
        omitted_bytes: omitted,
      },
    });
    expect(answer).toEqual({ kind: 'assistant', body: 'that was long', status: 'completed', meta: {} });

    // The thread stays usable.
    h.model.enqueue({ type: 'text', chunks: ['still here'] });
    const next = await h.say(h.alice, 'still there?');
    const after = await h.waitFor(hasState(next, 'processed'), 'next processed');
    expect(runnerRows(after).at(-1)).toEqual({ kind: 'assistant', body: 'still here', status: 'completed', meta: {} });
  });
});
