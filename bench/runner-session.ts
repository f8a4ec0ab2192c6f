// The real parts for the runner's end-to-end figures, each in its own process: the hub
// (`pilothouse hub` child, seeded through `Store` beforehand, as fanout.ts does), the scripted
// model (runner-model.ts child), the runner (runner-agent.ts child, which spawns the real Codex on
// a scratch CODEX_HOME in a trusted scratch folder, or another agent given an AgentLaunch, see
// bench/agents-table.ts), and, in this process, one phoenix client that speaks as the listen user
// and records every event of the channel with its arrival time (performance.now(), and Date.now()
// to compare with stamps taken in other processes).

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Socket, type Channel, type Push } from 'phoenix';
import { WebSocket } from 'ws';
import type { Reply } from '@pilothouse/scripted-model';
import { TrustStore, type AgentName, type RunnerOptions } from '@pilothouse/runner';
import { createCodexHome, type CodexHome } from '@pilothouse/runner/testing';
import { startChild, stopChild, type Child } from './procs.js';
import { seedMember } from './seed.js';
import { CODEX_WATCH, type AgentWatch } from './agents-watch.js';
import type { AgentConfig } from './runner-agent.js';
import { descendants, startPeer, type Peer } from './runner-procs.js';

const ROOT = join(import.meta.dirname, '..');
const TSX = ['--conditions=source', '--import', 'tsx'];
export const CHANNEL = 'bench/runner';

export interface AppendSeen {
  at: number;
  /** Date.now() at arrival. */
  wallAt: number;
  offset: number;
  length: number;
}

/** One row as the listen user's socket saw it. */
export interface RowSeen {
  itemKey: string;
  messageId: string;
  kind: string;
  postedAt: number;
  /** Date.now() when its message event arrived. */
  postedWallAt: number;
  firstBodyLength: number;
  appends: AppendSeen[];
  updates: { at: number; wallAt: number; status?: string; body: boolean }[];
}

export interface Listener {
  /** Posts into the session thread as the listen user; resolves with the message id. */
  say(threadId: string, body: string): Promise<string>;
  /** Resolves with the arrival time of the first `state` event of `messageId` in `states`. */
  settled(messageId: string, states: string[], timeoutMs: number): Promise<{ at: number; state: string; reason: string | null }>;
  rows: Map<string, RowSeen>;
  /** Rows first seen (message event) at or after `since`, in a thread. */
  rowsSince(threadId: string, since: number): RowSeen[];
  close(): void;
}

interface MessagePayload {
  seq: number;
  message: { id: string; thread_id: string; kind: string; item_key: string | null; body: string };
}
interface AppendPayload {
  item_key: string;
  offset: number;
  text: string;
}
interface StatePayload {
  message_id: string;
  state: { state: string; reason: string | null };
}
interface RowUpdatedPayload {
  item_key: string | null;
  status?: string;
  body?: string;
}

const settle = (push: Push): Promise<unknown> =>
  new Promise((resolve, reject) => {
    push.receive('ok', resolve);
    push.receive('error', (e) => reject(new Error(JSON.stringify(e))));
    push.receive('timeout', () => reject(new Error('timeout')));
  });

async function listen(endpoint: string, token: string, topic: string): Promise<Listener> {
  const socket = new Socket(endpoint, { transport: WebSocket, params: { token }, timeout: 30_000, reconnectAfterMs: () => 1000, rejoinAfterMs: () => 1000 });
  await new Promise<void>((resolve, reject) => {
    socket.onOpen(resolve);
    socket.onError((e) => reject(new Error(`socket error: ${String(e)}`)));
    socket.connect();
  });
  const channel: Channel = socket.channel(topic, {});
  await settle(channel.join());
  const rows = new Map<string, RowSeen>();
  const rowThread = new Map<string, string>();
  const states = new Map<string, { at: number; state: string; reason: string | null }[]>();
  let waiters: (() => void)[] = [];
  const wake = () => {
    for (const w of [...waiters]) w();
  };
  channel.on('message', (raw) => {
    const { message } = raw as MessagePayload;
    if (message.item_key !== null && !rows.has(message.item_key)) {
      rows.set(message.item_key, {
        itemKey: message.item_key,
        messageId: message.id,
        kind: message.kind,
        postedAt: performance.now(),
        postedWallAt: Date.now(),
        firstBodyLength: message.body.length,
        appends: [],
        updates: [],
      });
      rowThread.set(message.item_key, message.thread_id);
    }
  });
  channel.on('append', (raw) => {
    const p = raw as AppendPayload;
    rows.get(p.item_key)?.appends.push({ at: performance.now(), wallAt: Date.now(), offset: p.offset, length: p.text.length });
  });
  channel.on('row_updated', (raw) => {
    const p = raw as RowUpdatedPayload;
    if (p.item_key !== null) rows.get(p.item_key)?.updates.push({ at: performance.now(), wallAt: Date.now(), ...(p.status ? { status: p.status } : {}), body: p.body !== undefined });
  });
  channel.on('state', (raw) => {
    const p = raw as StatePayload;
    const list = states.get(p.message_id) ?? [];
    list.push({ at: performance.now(), state: p.state.state, reason: p.state.reason });
    states.set(p.message_id, list);
    wake();
  });
  let n = 0;
  return {
    rows,
    async say(threadId, body) {
      const r = (await settle(channel.push('post_message', { client_id: `bench-say-${randomUUID()}-${++n}`, body, thread_id: threadId }))) as { message_id: string };
      return r.message_id;
    },
    settled(messageId, wanted, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = states.get(messageId)?.find((s) => wanted.includes(s.state));
          if (!hit) return;
          clearTimeout(timer);
          waiters = waiters.filter((w) => w !== check);
          resolve(hit);
        };
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w !== check);
          reject(new Error(`message ${messageId} not ${wanted.join('/')} after ${timeoutMs} ms; states: ${JSON.stringify(states.get(messageId) ?? [])}`));
        }, timeoutMs);
        waiters.push(check);
        check();
      });
    },
    rowsSince: (threadId, since) => [...rows.values()].filter((r) => r.postedAt >= since && rowThread.get(r.itemKey) === threadId),
    close: () => socket.disconnect(),
  };
}

export interface RunnerHandle {
  peer: Peer;
  threadId: string;
  runnerId: string;
  agent: AgentName;
  agentVersion: string;
  /** The agent process the runner spawned (a descendant of the runner process named `launch.comm`): for Codex, `codex app-server`. */
  agentPid(): number;
  close(): Promise<void>;
}

/** How the runner child runs an agent against the scripted model: its scratch home, options, and how the bench watches it. */
export interface AgentLaunch {
  name: AgentName;
  /** The agent's environment (its scratch home pointed at the model). */
  env: Record<string, string>;
  runtime: RunnerOptions['runtime'];
  watch: AgentWatch;
  /** The agent process's name in /proc (`comm`), for its CPU and RSS. */
  comm: string;
  remove(): Promise<void>;
}

/** Codex, as the runner figures have always run it: a scratch CODEX_HOME whose provider is the scripted model. */
export async function codexLaunch(modelUrl: string): Promise<AgentLaunch> {
  const codexHome: CodexHome = await createCodexHome({ modelUrl });
  return { name: 'codex', env: codexHome.env, runtime: {}, watch: CODEX_WATCH, comm: 'codex', remove: () => codexHome.remove() };
}

export interface RunnerSession {
  hub: Child;
  hubUrl: string;
  dataDir: string;
  model: Peer;
  listener: Listener;
  /** The scripted model's base URL (…/v1). */
  modelUrl: string;
  enqueue(...replies: Reply[]): Promise<void>;
  /** Starts a runner child driving `launch`'s agent (default: Codex on a fresh scratch CODEX_HOME); the session removes the launch's home at stop. */
  startRunner(streamFlushMs: number, launch?: AgentLaunch): Promise<RunnerHandle>;
  /** Stops the hub (its SQLite file stays for reading) and everything else but the data dir. */
  stop(): Promise<void>;
  /** Removes the data dir. */
  remove(): void;
}

export async function startRunnerSession(): Promise<RunnerSession> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ph-bench-runner-hub-'));
  const scratch: string[] = [];
  const token = await seedMember(dataDir, CHANNEL, 'owner');
  const { child: hub, match } = await startChild(
    [join(ROOT, 'packages/cli/bin/pilothouse.js'), 'hub', '--host', '127.0.0.1', '--port', '0', '--data', dataDir, '--log-level', 'warn'],
    /listening on (http:\/\/\S+)/,
    20_000,
  );
  const hubUrl = match[1]!;
  let model: Peer | undefined;
  let listener: Listener;
  try {
    model = await startPeer([...TSX, join(ROOT, 'bench/runner-model.ts')], /MODEL listening (\S+)/, 20_000);
    listener = await listen(`${hubUrl.replace(/^http/, 'ws')}/socket`, token, `channel:${CHANNEL}`);
  } catch (err) {
    await model?.stop();
    await stopChild(hub);
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const launches: AgentLaunch[] = [];
  const runners: RunnerHandle[] = [];

  const session: RunnerSession = {
    hub,
    hubUrl,
    dataDir,
    model,
    listener,
    modelUrl: model.ready[1]!,
    enqueue: async (...replies) => {
      await session.model.call('enqueue', { replies });
    },
    async startRunner(streamFlushMs, given) {
      const launch = given ?? (await codexLaunch(session.modelUrl));
      if (!launches.includes(launch)) launches.push(launch);
      const home = mkdtempSync(join(tmpdir(), 'ph-bench-runner-home-'));
      const cwd = mkdtempSync(join(tmpdir(), 'ph-bench-runner-ws-'));
      scratch.push(home, cwd);
      new TrustStore(home).add(cwd);
      const cfg: AgentConfig = {
        hubUrl,
        token,
        channel: CHANNEL,
        cwd,
        home,
        env: launch.env,
        streamFlushMs,
        logLevel: 'info',
        ...(launch.name === 'codex' ? {} : { agent: launch.name, runtime: launch.runtime, watch: launch.watch }),
      };
      const prof = process.env.BENCH_RUNNER_PROFILE ? ['--cpu-prof', '--cpu-prof-interval', '97', '--cpu-prof-dir', process.env.BENCH_RUNNER_PROFILE] : [];
      const peer = await startPeer(['--expose-gc', ...prof, ...TSX, join(ROOT, 'bench/runner-agent.ts'), JSON.stringify(cfg)], /RUNNER ready (.*)/, 30_000);
      const ready = JSON.parse(peer.ready[1]!) as { threadId: string; runnerId: string; agentVersion: string };
      const handle: RunnerHandle = {
        peer,
        ...ready,
        agent: launch.name,
        agentPid: () => descendants(peer.pid).find((p) => p.comm === launch.comm)?.pid ?? -1,
        async close() {
          if (peer.proc.exitCode !== null || peer.proc.signalCode !== null) return;
          await peer.call('close', undefined, 15_000).catch(() => undefined);
          const timer = setTimeout(() => void peer.stop(), 5_000);
          await peer.exited;
          clearTimeout(timer);
        },
      };
      runners.push(handle);
      return handle;
    },
    async stop() {
      for (const r of runners) await r.close();
      listener.close();
      await session.model.stop();
      await stopChild(hub);
      for (const l of launches) await l.remove();
      for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
    },
    remove: () => rmSync(dataDir, { recursive: true, force: true }),
  };
  return session;
}
