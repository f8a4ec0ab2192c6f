// End-to-end support: a real hub (in-process, temp SQLite), the scripted model, the real Codex
// binary on a scratch CODEX_HOME (or, with `agent: 'claude'`, Claude Code on a scratch HOME), a
// real runner in a trusted scratch folder, and phoenix clients for the people in the channel.
// Waits are driven by channel events, never by sleeps.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Channel, Socket } from 'phoenix';
import type { Message, MessageState } from '@pilothouse/protocol';
import { digest, newToken, startHub, type HubConfig, type RunningHub } from '@pilothouse/hub';
import { startScriptedModel, type ScriptedModel } from '@pilothouse/scripted-model';
import { TrustStore, startRunner, type RunnerOptions, type RunningRunner } from '@pilothouse/runner';
import { createClaudeHome, createCodexHome, createGeminiHome, GEMINI_TEST_MODEL, type ClaudeHome, type CodexHome, type CodexHomeOptions } from '@pilothouse/runner/testing';
import { WEB_ROOT } from './browser.js';
import { connect, join as joinChannel, push } from '@pilothouse/hub/testing';

export interface Person {
  socket: Socket;
  channel: Channel;
  token: string;
}

export interface SessionHarness {
  hub: RunningHub;
  model: ScriptedModel;
  codexHome: CodexHome;
  /** With `agent: 'claude'`: Claude Code's scratch HOME (null otherwise). */
  claudeHome: ClaudeHome | null;
  home: string;
  workspace: string;
  dataDir: string;
  /** The channel `acme/agents` in the hub's store. */
  channelId: string;
  /** The runner the harness started last (throws when none was started). */
  runner: RunningRunner;
  alice: Person;
  bob: Person;
  /** Posts `text` into the session thread (or `threadId`) as `who`; returns the message id. */
  say(who: Person, text: string, threadId?: string): Promise<string>;
  control(who: Person, action: Record<string, unknown>): Promise<unknown>;
  /** The session thread of the runner started last, or `threadId`. */
  thread(threadId?: string): Promise<Message[]>;
  /** Resolves with the thread (the session thread, or `threadId`) once `pred` holds (checked on every channel event). */
  waitFor(pred: (thread: Message[]) => boolean, what?: string, timeoutMs?: number, threadId?: string): Promise<Message[]>;
  /** Every state a message went through, in order, as broadcast to bob (not across a hub restart). */
  states(messageId: string): MessageState[];
  /** The options the harness starts runners with, with `overrides` applied. */
  runnerOptions(overrides?: Partial<RunnerOptions>): RunnerOptions;
  startRunner(overrides?: Partial<RunnerOptions>): Promise<RunningRunner>;
  /** Pids of the `codex app-server` processes this test process spawned in the workspace. */
  codexPids(): number[];
  /** Pids of the Claude Code processes this test process spawned in the workspace. */
  claudePids(): number[];
  restartHub(): Promise<void>;
  close(): Promise<void>;
}

let counter = 0;

export async function startSessionHarness(
  opts: {
    codex?: Omit<CodexHomeOptions, 'modelUrl'>;
    runner?: Partial<RunnerOptions>;
    /** default true */ start?: boolean;
    /** Notification media for the hub (an SMTP sink, push on or off). */ notifications?: HubConfig['notifications'];
    /** default codex; claude: the real Claude Code on a scratch HOME; gemini: the real Gemini CLI on a scratch HOME, model fixed */ agent?: 'codex' | 'claude' | 'gemini';
  } = {},
): Promise<SessionHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ph-e2e-hub-'));
  const home = mkdtempSync(join(tmpdir(), 'ph-e2e-home-'));
  const workspace = mkdtempSync(join(tmpdir(), 'ph-e2e-ws-'));
  const logger = pino({ level: process.env.PILOTHOUSE_TEST_LOG ?? 'silent' });
  // The web UI of this checkout (a worktree's hub package may resolve to another checkout's).
  let hub = await startHub({ host: '127.0.0.1', port: 0, store: { kind: 'sqlite', dataDir }, logger, webRoot: WEB_ROOT, ...(opts.notifications ? { notifications: opts.notifications } : {}) });
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
  const claudeHome = opts.agent === 'claude' ? await createClaudeHome({ modelUrl: model.url }) : null;
  // Claude Code keeps project settings (an "always allow" rule) at the project root, the nearest
  // folder up with a .git: the workspace is a repository of its own, as people's projects are.
  if (claudeHome) execFileSync('git', ['init', '--quiet', workspace]);
  const geminiHome = opts.agent === 'gemini' ? await createGeminiHome({ modelUrl: model.url }) : null;
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
  const wake = () => [...waiters].forEach((w) => w());
  for (const event of ['message', 'append', 'row_updated', 'state']) bob.channel.on(event, wake);
  // After a hub restart bob rejoins without `since`: what was stored meanwhile is re-read then.
  (bob.channel as unknown as { joinPush: { receive(status: 'ok', cb: () => void): void } }).joinPush.receive('ok', wake);
  const stateLog: { message_id: string; state: MessageState }[] = [];
  bob.channel.on('state', (payload) => stateLog.push(payload as { message_id: string; state: MessageState }));
  const workspaceReal = realpathSync(workspace);

  const runnerOptions = (overrides: Partial<RunnerOptions> = {}): RunnerOptions => ({
    hubUrl: hub.url,
    token: tokens.alice!,
    channel: 'acme/agents',
    cwd: workspace,
    home,
    logger,
    allow: [],
    runtime: geminiHome ? { model: GEMINI_TEST_MODEL } : {},
    streamFlushMs: 50,
    approvalTimeoutMs: null,
    resume: false,
    env: { ...process.env, ...codexHome.env, ...claudeHome?.env, ...geminiHome?.env },
    ...(claudeHome ? { agent: { name: 'claude' as const } } : {}),
    ...(geminiHome ? { agent: { name: 'gemini' as const } } : {}),
    ...opts.runner,
    ...overrides,
  });
  let runner: RunningRunner | null = opts.start === false ? null : await startRunner(runnerOptions());
  const current = (): RunningRunner => {
    if (!runner) throw new Error('no runner was started');
    return runner;
  };

  const h: SessionHarness = {
    hub,
    model,
    codexHome,
    claudeHome,
    home,
    workspace,
    dataDir,
    channelId: channel.id,
    get runner() {
      return current();
    },
    alice,
    bob,
    async say(who, text, threadId = current().threadId) {
      const r = (await push(who.channel, 'post_message', { client_id: `say-${++counter}`, body: text, thread_id: threadId })) as { message_id: string };
      return r.message_id;
    },
    control: (who, action) => push(who.channel, 'control', { client_id: `ctl-${++counter}`, thread_id: current().threadId, action }),
    thread: (threadId = current().threadId) => hub.store.getThread(channel.id, threadId),
    waitFor(pred, what = 'condition', timeoutMs = 30_000, threadId) {
      return new Promise((resolve, reject) => {
        let busy = false;
        let again = false;
        const check = () => {
          if (busy) {
            again = true;
            return;
          }
          busy = true;
          void h.thread(threadId).then((t) => {
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
          void h.thread(threadId).then((t) => reject(new Error(`timed out waiting for ${what}; thread: ${JSON.stringify(t.map((m) => [m.kind, m.status, m.state, m.body.slice(0, 200)]))}`)));
        }, timeoutMs);
        waiters.push(check);
        check();
      });
    },
    states: (messageId) => stateLog.filter((e) => e.message_id === messageId).map((e) => e.state),
    runnerOptions,
    async startRunner(overrides) {
      runner = await startRunner(runnerOptions(overrides));
      return runner;
    },
    codexPids: () => childProcesses().filter((p) => p.comm === 'codex' && p.cwd === workspaceReal).map((p) => p.pid),
    claudePids: () => childProcesses().filter((p) => p.comm.startsWith('claude') && p.cwd === workspaceReal).map((p) => p.pid),
    async restartHub() {
      await hub.close();
      hub = await startHub({ host: '127.0.0.1', port, store: { kind: 'sqlite', dataDir }, logger, webRoot: WEB_ROOT, ...(opts.notifications ? { notifications: opts.notifications } : {}) });
      h.hub = hub;
    },
    async close() {
      await runner?.close().catch(() => undefined);
      alice.socket.disconnect();
      bob.socket.disconnect();
      await hub.close();
      await model.close();
      await codexHome.remove();
      await claudeHome?.remove();
      await geminiHome?.remove();
      for (const dir of [dataDir, home, workspace]) rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}

export const byKind = (thread: Message[], kind: Message['kind']) => thread.filter((m) => m.kind === kind);

/** This process's direct children (Linux /proc): pid, command name and working directory. */
function childProcesses(): { pid: number; comm: string; cwd: string }[] {
  const found: { pid: number; comm: string; cwd: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so split at the last ')'.
      const close = stat.lastIndexOf(')');
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      found.push({ pid: Number(entry), comm: stat.slice(stat.indexOf('(') + 1, close), cwd: readlinkSync(`/proc/${entry}/cwd`) });
    } catch {
      // the process ended while we looked: not a child any more
    }
  }
  return found;
}
