// End-to-end support for sessions started from the web: a real hub (in-process, temp SQLite), the
// scripted model, the real Codex binary on a scratch CODEX_HOME, a real git repository trusted by
// the machine's owner (alice), and `pilothouse machine` as a real process (the CLI bundle) that a
// test can SIGKILL. bob is allowed to start sessions (may_start), dave is a member who only
// watches. Gemini CLI is made absent (PILOTHOUSE_GEMINI_BIN names no file). The scripted model answers "write FILE TEXT" with a command that writes FILE.
// Waits are on channel events and process exits, never sleeps.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pino from 'pino';
import type { Channel, Socket } from 'phoenix';
import type { MachinePresence, MachineSession, Message } from '@pilothouse/protocol';
import { startHub, type RunningHub } from '@pilothouse/hub';
import { startScriptedModel, type Reply, type ScriptedModel, type TurnInput } from '@pilothouse/scripted-model';
import { TrustStore } from '@pilothouse/runner';
import { createCodexHome, type CodexHome } from '@pilothouse/runner/testing';
import { connect, join as joinChannel, seedStore, settle } from '@pilothouse/hub/testing';
import { CLI } from './runner-process.js';
import { WEB_ROOT } from './browser.js';

export interface Person {
  name: string;
  token: string;
  socket: Socket;
  channel: Channel;
  /** A push with a long timeout (a start waits for the runner's thread). */
  push(event: string, payload: object): Promise<unknown>;
}

export interface MachineDaemon {
  child: ChildProcess;
  stderr: string[];
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** The user texts of a Responses API request, oldest first. */
function userTexts(body: unknown): string[] {
  const b = body as { input?: { type?: string; role?: string; content?: { text?: string }[] }[] };
  return (b.input ?? []).filter((i) => i.type === 'message' && i.role === 'user').flatMap((i) => (i.content ?? []).map((c) => (c.text ?? '').trim()));
}

/** "write FILE TEXT…": a command that writes TEXT into FILE, then "Wrote FILE."; "ports FILE": the same with the session's $PORT and $PILOTHOUSE_PORT_RANGE. */
export function responder(body: unknown, turn: TurnInput): Reply {
  const last = userTexts(body).reverse().find((t) => /^(write \S+ |ports \S+$)/.test(t)) ?? 'write none.txt nothing';
  const ports = /^ports (\S+)$/.exec(last);
  if (ports) {
    if (turn.type === 'tool_output') return { type: 'text', chunks: ['Wrote ', `${ports[1]!}.`], delayMs: 5 };
    return { type: 'items', items: [{ type: 'exec', cmd: `echo "$PORT $PILOTHOUSE_PORT_RANGE" > ${ports[1]!}`, login: false }], delayMs: 5 };
  }
  const [, file, text] = /^write (\S+) (.*)$/s.exec(last)!;
  if (turn.type === 'tool_output') return { type: 'text', chunks: ['Wrote ', `${file}.`], delayMs: 5 };
  return { type: 'items', items: [{ type: 'exec', cmd: `printf '%s\\n' '${text!.replace(/'/g, '')}' > ${file!}`, login: false }], delayMs: 5 };
}

export const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], { cwd, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' } }).trim();

/** `maxSessions`: the machine's max_sessions (default 3). */
export async function machineWorld(opts: { maxSessions?: number } = {}) {
  const cleanups: (() => unknown)[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'ph-mach-hub-'));
  const home = realpathSync(mkdtempSync(join(tmpdir(), 'ph-mach-home-')));
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'ph-mach-ws-')));
  cleanups.push(() => [dataDir, home, root].forEach((d) => rmSync(d, { recursive: true, force: true })));
  const hubOptions = (port: number) => ({ host: '127.0.0.1', port, store: { kind: 'sqlite' as const, dataDir }, logger: pino({ level: 'silent' }), webRoot: WEB_ROOT });
  let hub: RunningHub = await startHub(hubOptions(0));
  cleanups.push(() => hub.close());
  const { tokens, users } = await seedStore(hub.store, ['alice', 'bob', 'dave']);
  const channelId = (await hub.store.channelByRef({ workspace: 'acme', channel: 'agents' }))!.id;
  const model: ScriptedModel = await startScriptedModel({ respond: responder });
  cleanups.push(() => model.close());
  const codexHome: CodexHome = await createCodexHome({ modelUrl: model.url });
  cleanups.push(() => codexHome.remove());

  // The owner's repository (a git work tree on main) and a plain folder, both trusted; an outside folder that is not.
  const repo = join(root, 'app');
  mkdirSync(repo);
  git(repo, 'init', '-q', '-b', 'main');
  writeFileSync(join(repo, 'README.md'), '# app\n');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'first');
  const plain = join(root, 'notes');
  mkdirSync(plain);
  const outside = join(root, 'outside');
  mkdirSync(outside);
  const trust = new TrustStore(home);
  trust.add(repo);
  trust.add(plain);
  writeFileSync(
    join(home, 'config.toml'),
    ['[machine]', 'name = "devbox"', 'may_start = ["bob"]', `max_sessions = ${opts.maxSessions ?? 3}`, 'sandboxes = ["workspace-write", "read-only"]', 'approval_policies = ["on-request", "never"]', 'port_base = 43000', ''].join('\n'),
  );

  const people: Person[] = [];
  async function person(name: string): Promise<Person> {
    const socket = connect(hub.url, tokens[name]!, { reconnectMs: 50 });
    cleanups.push(() => socket.disconnect());
    const channel = socket.channel('channel:acme/agents', {});
    await joinChannel(channel);
    const p: Person = { name, token: tokens[name]!, socket, channel, push: (event, payload) => settle(channel.push(event, payload, 90_000)) };
    people.push(p);
    return p;
  }
  const alice = await person('alice');
  const bob = await person('bob');
  const dave = await person('dave');

  // Every channel event (and every machines list) wakes the waiters.
  const waiters: (() => void)[] = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  let machines: MachinePresence[] = [];
  for (const name of ['message', 'append', 'row_updated', 'state', 'presence']) alice.channel.on(name, wake);
  alice.channel.on('machines', (p) => {
    machines = (p as { machines: MachinePresence[] }).machines;
    wake();
  });

  async function waitUntil<T>(probe: () => Promise<T | null | undefined | false> | T | null | undefined | false, what: string, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const woken = new Promise<void>((r) => waiters.push(r));
      const got = await probe();
      if (got) return got;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([woken, new Promise<void>((r) => (timer = setTimeout(r, Math.min(left, 1000))))]);
      clearTimeout(timer);
    }
  }

  const env = { ...process.env, ...codexHome.env, PILOTHOUSE_HOME: home, PILOTHOUSE_HUB: hub.url, PILOTHOUSE_TOKEN: tokens.alice!, PILOTHOUSE_CHANNEL: 'acme/agents', PILOTHOUSE_GEMINI_BIN: join(root, 'no-gemini', 'gemini') };
  let daemon: MachineDaemon | null = null;
  async function startDaemon(): Promise<MachineDaemon> {
    const child = spawn(process.execPath, [CLI, 'machine', '--log-level', 'info'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stderr: string[] = [];
    createInterface({ input: child.stderr }).on('line', (l) => stderr.push(l));
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (l) => {
        if (l.startsWith('Pilothouse machine ')) resolve();
      });
      void exited.then(() => reject(new Error(`pilothouse machine exited:\n${stderr.slice(-20).join('\n')}`)));
    });
    const end = async (signal: NodeJS.Signals) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    };
    daemon = { child, stderr, kill: () => end('SIGKILL'), stop: () => end('SIGTERM') };
    return daemon;
  }
  cleanups.push(async () => {
    await daemon?.kill();
    // The runners outlive their daemon by design: end every process this test's home started (runners, their agents, their commands).
    const kill = () => {
      for (const pid of homeProcesses()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    };
    kill();
    await waitUntil(() => (kill(), homeProcesses().length === 0), 'every process of the test gone after SIGKILL', 10_000);
  });

  /** Every live process (but this one) whose environment names this test's home: runners, their agents and commands. */
  function homeProcesses(): number[] {
    const out: number[] = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z') continue;
        if (readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(`PILOTHOUSE_HOME=${home}`)) out.push(Number(entry));
      } catch {
        // gone, or not ours to read
      }
    }
    return out;
  }

  /** Pids of the runner processes the daemon started (their environment names this test's home). */
  function runnerPids(): number[] {
    return runners().map((r) => r.pid);
  }

  /** The runner of a session (by its PILOTHOUSE_MACHINE_SESSION marker), or null. */
  function runnerPidOf(sessionId: string): number | null {
    return runners().find((r) => r.session === sessionId)?.pid ?? null;
  }

  function runners(): { pid: number; session: string | null }[] {
    const out: { pid: number; session: string | null }[] = [];
    for (const line of execFileSync('ps', ['-e', '-o', 'pid=,args='], { encoding: 'utf8' }).split('\n')) {
      const m = /^\s*(\d+)\s+(.*)$/.exec(line);
      if (!m || !m[2]!.includes(' run ') || !m[2]!.includes('--name devbox/')) continue;
      try {
        const environ = readFileSync(`/proc/${m[1]}/environ`, 'utf8').split('\0');
        if (!environ.includes(`PILOTHOUSE_HOME=${home}`)) continue;
        const marker = environ.find((e) => e.startsWith('PILOTHOUSE_MACHINE_SESSION='));
        out.push({ pid: Number(m[1]), session: marker ? marker.slice('PILOTHOUSE_MACHINE_SESSION='.length) : null });
      } catch {
        // gone
      }
    }
    return out;
  }

  const machine = () => machines.find((m) => m.name === 'devbox') ?? null;
  const sessionOf = (id: string): MachineSession | null => machine()?.sessions.find((s) => s.session_id === id) ?? null;
  const thread = (threadId: string): Promise<Message[]> => hub.store.getThread(channelId, threadId);

  return {
    get hub() {
      return hub;
    },
    /** Stops the hub and starts it again on the same port and store (its machines are forgotten until their daemons come back). */
    async restartHub() {
      const port = hub.port;
      await hub.close();
      hub = await startHub(hubOptions(port));
    },
    model,
    home,
    repo,
    plain,
    outside,
    users,
    alice,
    bob,
    dave,
    channelId,
    startDaemon,
    runnerPids,
    runnerPidOf,
    machine,
    /** Every machine in the channel, as alice last saw the list. */
    machines: () => machines,
    sessionOf,
    thread,
    waitUntil,
    /** The ref a push names this machine by. */
    ref: () => ({ machine: 'devbox', owner_id: users.alice! }),
    async close() {
      for (const c of cleanups.reverse()) await c();
    },
  };
}

export type MachineWorld = Awaited<ReturnType<typeof machineWorld>>;
