// Real `codex app-server`: interrupts, restarts, and the ways starting it can fail.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CodexError, startCodex, type CodexEvent } from '../src/index.js';
import { createCodexHome } from './codex-home.js';
import { startHarness, type Harness } from './harness.js';
import { runTurn, sendText, startThread, turnCompleted } from './turn-helpers.js';

const clientInfo = { name: 'pilothouse-test', title: null, version: '0.0.0' };

let h: Harness | undefined;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await h?.dispose();
  h = undefined;
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function scratchDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pilothouse-ws-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('codex lifecycle', () => {
  it('interrupts a turn whose model stream hangs', async () => {
    h = await startHarness();
    h.model.enqueue({ type: 'hang', chunks: ['partial '] });
    const threadId = await startThread(h);
    const turnId = await sendText(h, threadId, 'take your time');
    await h.recorder.waitFor('item/agentMessage/delta', (p) => p.turnId === turnId);

    expect(await h.codex.turnInterrupt({ threadId, turnId })).toEqual({});
    const done = await turnCompleted(h, turnId);
    expect(done.turn).toMatchObject({ status: 'interrupted', error: null });
    // The partial message never gets item/completed: consumers must close it on turn/completed.
    expect(h.recorder.all('item/completed').map((p) => p.item.type)).toEqual(['userMessage']);

    h.model.enqueue({ type: 'text', chunks: ['fresh'] });
    expect((await runTurn(h, threadId, 'again')).turn.status).toBe('completed');
    // Codex dropped the held HTTP stream when interrupted: nothing is left to release.
    expect(h.model.release()).toBe(0);
  });

  it('resumes a thread after the app-server restarts, with its history', async () => {
    h = await startHarness();
    h.model.enqueue({ type: 'text', chunks: ['noted: banana'] });
    const threadId = await startThread(h);
    await runTurn(h, threadId, 'remember the word banana');

    await h.restart();
    const resumed = await h.codex.threadResume({ threadId });
    expect(resumed.thread.id).toBe(threadId);
    expect(resumed.thread.turns).toHaveLength(1);

    h.model.enqueue({ type: 'text', chunks: ['banana'] });
    expect((await runTurn(h, threadId, 'which word?')).turn.status).toBe('completed');
    const history = JSON.stringify(h.model.requests[1]!.body);
    expect(history).toContain('remember the word banana');
    expect(history).toContain('noted: banana');
    expect(history).toContain('which word?');
  });

  it('ends the process and the event stream on close()', async () => {
    h = await startHarness();
    const events: CodexEvent[] = [];
    const drained = (async () => {
      for await (const event of h.codex.events()) events.push(event);
    })();
    const exit = await h.codex.close();
    await drained;
    expect(exit).toMatchObject({ code: 0, signal: null, expected: true });
    expect(events.at(-1)).toEqual({ type: 'exit', exit });
    await expect(h.codex.threadStart({})).rejects.toMatchObject({ code: 'codex_closed' });
  });

  it('reports a missing binary as codex_missing with the fix', async () => {
    const cwd = await scratchDir();
    const error = await startCodex({ codexBin: join(cwd, 'no-such-codex'), cwd, clientInfo }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CodexError);
    expect(error).toMatchObject({ code: 'codex_missing', message: expect.stringContaining('PILOTHOUSE_CODEX_BIN') });
  });

  it('rejects startup with the stderr tail when Codex exits on a bad config', async () => {
    const cwd = await scratchDir();
    const home = await createCodexHome({ modelUrl: 'http://127.0.0.1:9/v1' });
    cleanups.push(() => home.remove());
    // 0.169.0 refuses `untrusted` in config.toml and exits before answering initialize.
    const config = join(home.dir, 'config.toml');
    await writeFile(config, (await readFile(config, 'utf8')).replace('approval_policy = "on-request"', 'approval_policy = "untrusted"'));

    const error = await startCodex({ cwd, env: home.env, clientInfo }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CodexError);
    expect(error).toMatchObject({ code: 'codex_exited', message: expect.stringContaining('"untrusted" is no longer supported') });
  });
});
