// The Codex driver's threads against the real Codex binary and the scripted model: a resume that
// fails is logged with its code and reported in the session thread; a new thread is started.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { PushPayload } from '@pilothouse/protocol';
import { startScriptedModel } from '@pilothouse/scripted-model';
import { createCodexHome } from '../../test/codex-home.js';
import type { RuntimeOptions } from '../agent/runtime-options.js';
import { reportResumeFailure, resumeFailedNotice } from '../shell/agent-thread.js';
import { CodexDriver } from './driver.js';
import { locateCodex } from './locate.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(runtime: RuntimeOptions = {}) {
  const model = await startScriptedModel();
  cleanups.push(() => model.close());
  const home = await createCodexHome({ modelUrl: model.url });
  cleanups.push(() => home.remove());
  const cwd = await mkdtemp(join(tmpdir(), 'pilothouse-ws-'));
  cleanups.push(() => rm(cwd, { recursive: true, force: true }));
  const env = { ...process.env, ...home.env };
  const logs: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const binary = await locateCodex({ env });
  const agent = new CodexDriver({ binary: { name: 'codex', ...binary }, cwd, env, instanceId: 'test-instance', runtime, socketPath: null, threadName: null, log, feed: () => {}, onLost: null });
  cleanups.push(() => agent.close());
  const posted: PushPayload<'post_row'>[] = [];
  const report = (sessionThreadId: string, failure: NonNullable<Awaited<ReturnType<CodexDriver['openThread']>>['resumeFailure']>, newThreadId: string) =>
    reportResumeFailure(async (row) => void posted.push(row), log, sessionThreadId, failure, newThreadId);
  return { model, agent, report, posted, logs };
}

describe('Codex driver threads', () => {
  it('starts a new thread when the earlier one cannot be resumed, logs why and tells the session thread', async () => {
    const { agent, report, posted, logs } = await setup();
    const gone = '019a0000-0000-7000-8000-000000000000';
    const opened = await agent.openThread(gone);

    const newThread = opened.threadId;
    expect(newThread).not.toBe(gone);
    expect(opened.resumeFailure).toEqual({ previous: gone, code: 'codex_rpc_error', message: `codex app-server refused thread/resume: no rollout found for thread id ${gone} (code -32600)` });
    const failure = opened.resumeFailure!;
    expect(logs.filter((l) => l.event === 'codex_resume_failed')).toEqual([
      expect.objectContaining({ level: 40, thread_id: gone, code: 'codex_rpc_error', err: failure.message }),
    ]);

    report('hub-thread-1', failure, newThread);
    expect(posted).toEqual([
      {
        client_id: `agent-resume-failed:${newThread}`,
        thread_id: 'hub-thread-1',
        kind: 'notice',
        body: `The earlier agent thread could not be resumed, so a new one was started; it does not remember this session's earlier turns. Reason: ${failure.message} (codex_rpc_error).`,
        meta: { code: 'codex_rpc_error', previous_agent_thread: gone, agent_thread: newThread },
      },
    ]);
    expect(posted[0]).toEqual(resumeFailedNotice('hub-thread-1', failure, newThread));
  });

  it('starts a new thread without a notice when there is nothing to resume', async () => {
    const { agent, posted, logs } = await setup();
    const opened = await agent.openThread(null);
    expect(opened.resumeFailure).toBeNull();
    expect(opened.threadId).toMatch(/\S/);
    expect(posted).toEqual([]);
    expect(logs.filter((l) => l.event === 'codex_resume_failed')).toEqual([]);
  });

  it('starts a new thread with the runtime effort: its first model request carries it, with no per-turn override', async () => {
    const { model, agent } = await setup({ effort: 'low' });
    const opened = await agent.openThread(null);

    model.enqueue({ type: 'text', chunks: ['ok'] });
    await agent.current!.turnStart({ threadId: opened.threadId, input: [{ type: 'text', text: 'hi', text_elements: [] }] });
    const first = await model.waitForRequest(1);
    expect((first.body as { reasoning?: { effort?: string } }).reasoning?.effort).toBe('low');
  });
});
