// End-to-end support: a real hub (in-process, temp SQLite), the scripted model, the real Codex
// binary on a scratch CODEX_HOME, a real runner in a trusted scratch folder, and phoenix clients
// for the people in the channel. Waits are driven by channel events, never by sleeps.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Channel, Socket } from 'phoenix';
import type { Message } from '@pilothouse/protocol';
import { digest, newToken, startHub, type RunningHub } from '@pilothouse/hub';
import { startScriptedModel, type ScriptedModel } from '@pilothouse/scripted-model';
import { TrustStore, startRunner, type RunnerOptions, type RunningRunner } from '@pilothouse/runner';
import { createCodexHome, type CodexHome, type CodexHomeOptions } from '../../packages/runner/test/codex-home.js';
import { connect, join as joinChannel, push } from '../../packages/hub/test/phx.js';

export interface Person {
  socket: Socket;
  channel: Channel;
  token: string;
}

export interface SessionHarness {
  hub: RunningHub;
  model: ScriptedModel;
  codexHome: CodexHome;
  home: string;
  workspace: string;
  dataDir: string;
  runner: RunningRunner;
  alice: Person;
  bob: Person;
  /** Posts `text` into the session thread as `who`; returns the message id. */
  say(who: Person, text: string): Promise<string>;
  control(who: Person, action: Record<string, unknown>): Promise<unknown>;
  thread(): Promise<Message[]>;
  /** Resolves with the thread once `pred` holds (checked on every channel event). */
  waitFor(pred: (thread: Message[]) => boolean, what?: string, timeoutMs?: number): Promise<Message[]>;
  startRunner(overrides?: Partial<RunnerOptions>): Promise<RunningRunner>;
  restartHub(): Promise<void>;
  close(): Promise<void>;
}

let counter = 0;

export async function startSessionHarness(
  opts: { codex?: Omit<CodexHomeOptions, 'modelUrl'>; runner?: Partial<RunnerOptions> } = {},
): Promise<SessionHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ph-e2e-hub-'));
  const home = mkdtempSync(join(tmpdir(), 'ph-e2e-home-'));
  const workspace = mkdtempSync(join(tmpdir(), 'ph-e2e-ws-'));
  const logger = pino({ level: process.env.PILOTHOUSE_TEST_LOG ?? 'silent' });
  let hub = await startHub({ host: '127.0.0.1', port: 0, store: { kind: 'sqlite', dataDir }, logger });
  const port = hub.port;
  const tokens: Record<string, string> = {};
  const channel = await hub.store.createChannel({ workspace: 'acme', channel: 'agents' });
  for (const name of ['alice', 'bob']) {
    const user = await hub.store.createUser({ name, passwordHash: null, admin: false });
    await hub.store.addMember(channel.id, user.id);
    tokens[name] = newToken();
    await hub.store.createToken({ userId: user.id, tokenHash: digest(tokens[name]), label: null });
  }
  const model = await startScriptedModel();
  const codexHome = await createCodexHome({ modelUrl: model.url, ...opts.codex });
  new TrustStore(home).add(workspace);

  const person = async (name: string): Promise<Person> => {
    const socket = connect(hub.url, tokens[name]!, { reconnectMs: 50 });
    const ch = socket.channel('channel:acme/agents', {});
    await joinChannel(ch);
    return { socket, channel: ch, token: tokens[name]! };
  };
  const alice = await person('alice');
  const bob = await person('bob');

  let waiters: (() => void)[] = [];
  for (const event of ['message', 'append', 'row_updated', 'state']) bob.channel.on(event, () => waiters.forEach((w) => w()));

  const runnerOptions = (overrides: Partial<RunnerOptions> = {}): RunnerOptions => ({
    hubUrl: hub.url,
    token: tokens.alice!,
    channel: 'acme/agents',
    cwd: workspace,
    home,
    logger,
    allow: [],
    runtime: {},
    streamFlushMs: 50,
    approvalTimeoutMs: null,
    resume: false,
    env: { ...process.env, ...codexHome.env },
    ...opts.runner,
    ...overrides,
  });
  let runner = await startRunner(runnerOptions());

  const h: SessionHarness = {
    hub,
    model,
    codexHome,
    home,
    workspace,
    dataDir,
    get runner() {
      return runner;
    },
    alice,
    bob,
    async say(who, text) {
      const r = (await push(who.channel, 'post_message', { client_id: `say-${++counter}`, body: text, thread_id: runner.threadId })) as { message_id: string };
      return r.message_id;
    },
    control: (who, action) => push(who.channel, 'control', { client_id: `ctl-${++counter}`, thread_id: runner.threadId, action }),
    thread: () => hub.store.getThread(channel.id, runner.threadId),
    waitFor(pred, what = 'condition', timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        let busy = false;
        let again = false;
        const check = () => {
          if (busy) {
            again = true;
            return;
          }
          busy = true;
          void h.thread().then((t) => {
            busy = false;
            if (pred(t)) {
              clearTimeout(timer);
              waiters = waiters.filter((w) => w !== check);
              resolve(t);
            } else if (again) {
              again = false;
              check();
            }
          }, reject);
        };
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w !== check);
          void h.thread().then((t) => reject(new Error(`timed out waiting for ${what}; thread: ${JSON.stringify(t.map((m) => [m.kind, m.status, m.state, m.body.slice(0, 200)]))}`)));
        }, timeoutMs);
        waiters.push(check);
        check();
      });
    },
    async startRunner(overrides) {
      runner = await startRunner(runnerOptions(overrides));
      return runner;
    },
    async restartHub() {
      await hub.close();
      hub = await startHub({ host: '127.0.0.1', port, store: { kind: 'sqlite', dataDir }, logger });
      h.hub = hub;
    },
    async close() {
      await runner.close().catch(() => undefined);
      alice.socket.disconnect();
      bob.socket.disconnect();
      await hub.close();
      await model.close();
      await codexHome.remove();
      for (const dir of [dataDir, home, workspace]) rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}

export const byKind = (thread: Message[], kind: Message['kind']) => thread.filter((m) => m.kind === kind);
