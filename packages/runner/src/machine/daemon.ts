// `pilothouse machine`: the daemon on a developer's machine. It reports the machine to the hub
// (inventory.ts: trusted folders, installed agents; its owner's limits; its sessions) and answers
// the hub's requests: start a session (here: in a new git worktree on `pilothouse/<slug>`, or in
// the folder; by protocol's startRefusal and the real paths on disk; a refused start leaves
// nothing on disk), show its changes, end it (ending.ts). Its sessions are remembered
// (records.ts) and picked up again after a restart (recovery.ts).

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { platform, release } from 'node:os';
import {
  BRANCH_PREFIX,
  PORTS_PER_SESSION,
  PilothouseError,
  sessionSlug,
  startRefusal,
  type Actor,
  type MachineFolder,
  type MachineInfo,
  type MachineLimits,
  type MachineRequest,
  type MachineSession,
  type SessionChanges,
  type SessionStartRequest,
} from '@pilothouse/protocol';
import { TrustStore } from '../local/trust.js';
import { refusedRuntime } from '../agent/drivers.js';
import { createWorktree, gitInfo, removeWorktree } from './git.js';
import { resolveTrustedFolder } from './paths.js';
import { sessionChanges } from './changes.js';
import { MachineLink } from './link.js';
import { SessionRecords, freeSlot, isLive, pruned, reported, type SessionRecord } from './records.js';
import { launchRunner, runnerArgs, runnerEnv, stopRunner, watchRunner, type Exited } from './supervisor.js';
import { describeFolders, installedAgents } from './inventory.js';
import { repoQueue } from './repo-queue.js';
import { endSession, type EndContext } from './ending.js';
import { markResuming, recoverSessions } from './recovery.js';
import { RUNNER_VERSION } from '../version.js';

export interface MachineLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface MachineOptions {
  hubUrl: string;
  token: string;
  channel: string;
  name: string;
  /** Pilothouse's home: trusted folders, worktrees, the daemon's records, runner logs. */
  home: string;
  limits: MachineLimits;
  /** The command that is `pilothouse` (e.g. [node, cli.js]); runners are `<command> run …`. */
  runnerCommand: readonly string[];
  /** The environment runners start with (the hub and token are added). */
  env?: NodeJS.ProcessEnv;
  logger: MachineLogger;
}

export interface RunningMachine {
  /** Resolves once the hub accepted the machine (first join). */
  readonly ready: Promise<void>;
  /** Resolves when the daemon stops (closed, or refused by the hub). */
  readonly done: Promise<void>;
  sessions(): MachineSession[];
  /** Leaves the hub; the runners keep running (the next daemon adopts them). */
  close(): Promise<void>;
}

export async function startMachine(opts: MachineOptions): Promise<RunningMachine> {
  const env = opts.env ?? process.env;
  const trust = new TrustStore(opts.home);
  const records = new SessionRecords(opts.home, opts.name);
  const binaries = await installedAgents(env);
  const agents = [...binaries].map(([name, binary]) => ({ name, version: binary.version }));
  const owner: { actor: Actor | null } = { actor: null };
  let sessions: SessionRecord[] = records.load();
  let folders: MachineFolder[] = await describeFolders(trust, opts.home);
  let doneResolve!: () => void;
  const done = new Promise<void>((r) => (doneResolve = r));
  let closed = false;
  /** Requests in flight per session: one change at a time per session. */
  const busy = new Set<string>();
  const inRepo = repoQueue();

  const info = (): MachineInfo => ({
    name: opts.name,
    os: `${platform()} ${release()}`,
    daemon_version: RUNNER_VERSION,
    folders,
    agents: [...agents],
    limits: opts.limits,
    sessions: reported(sessions),
  });

  const save = () => {
    sessions = pruned(sessions);
    records.save(sessions);
    link.report();
  };
  const update = (id: string, change: (r: SessionRecord) => SessionRecord) => {
    sessions = sessions.map((r) => (r.session.session_id === id ? change(r) : r));
    save();
  };
  const setSession = (id: string, change: Partial<MachineSession>, pid?: number | null) =>
    update(id, (r) => ({ ...r, session: { ...r.session, ...change }, ...(pid === undefined ? {} : { pid }) }));

  const launchSpec = (rec: SessionRecord, resume: boolean) => ({
    sessionId: rec.session.session_id,
    command: opts.runnerCommand,
    args: runnerArgs(rec, { channel: opts.channel, machine: opts.name }, resume),
    cwd: rec.runner.cwd,
    env: runnerEnv(rec, { base: env, hubUrl: opts.hubUrl, token: opts.token, home: opts.home }),
    log: rec.log,
  });

  /** Watches a runner until it exits; an exit nobody asked for leaves the session stopped, saying why. */
  const watch = (id: string, pid: number, exited: Exited | null) =>
    watchRunner(id, pid, exited, (why) => {
      const rec = sessions.find((r) => r.session.session_id === id);
      if (!rec || rec.pid !== pid) return;
      opts.logger.info({ event: 'runner_exited', session: id, pid, why }, 'a session runner exited');
      setSession(id, isLive(rec.session) ? { state: 'stopped', detail: `The runner exited (${why}).` } : {}, null);
    });

  /** Starts under way by (person, client id): a retry while the first still runs gets the same answer. */
  const startsInFlight = new Map<string, Promise<{ session: MachineSession }>>();
  /** Starts past their checks whose session is not in `sessions` yet: they count against max_sessions. */
  let reserved = 0;

  function start(actor: Actor, req: SessionStartRequest): Promise<{ session: MachineSession }> {
    const key = `${actor.user_id}\n${req.client_id}`;
    const pending = startsInFlight.get(key);
    if (pending) return pending;
    const started = startSession(actor, req).finally(() => startsInFlight.delete(key));
    startsInFlight.set(key, started);
    return started;
  }

  async function startSession(actor: Actor, req: SessionStartRequest): Promise<{ session: MachineSession }> {
    // A retried start (same person, same client id) answers with the session it started.
    const earlier = sessions.find((r) => r.client_id === req.client_id && r.session.started_by.user_id === actor.user_id);
    if (earlier) return { session: earlier.session };
    folders = await describeFolders(trust, opts.home);
    const me = owner.actor;
    if (me === null) throw new PilothouseError('machine_offline', `${opts.name} has not joined the hub yet.`);
    const refusal = startRefusal({ owner: me, limits: opts.limits, agents: [...agents], folders, sessions: sessions.map((r) => r.session) }, req, actor);
    if (refusal) throw new PilothouseError(refusal.code, refusal.message);
    // Starts at once: those still making their worktree count too.
    const live = sessions.filter((r) => isLive(r.session)).length + reserved;
    if (live >= opts.limits.max_sessions) {
      throw new PilothouseError('too_many_sessions', `This machine runs or is starting ${live} sessions, as many as its owner allows (max_sessions = ${opts.limits.max_sessions}); end one first.`);
    }
    reserved++;
    let held = true;
    const release = () => {
      if (held) reserved--;
      held = false;
    };
    try {
      return await startReserved(actor, req, me, release);
    } finally {
      release();
    }
  }

  async function startReserved(actor: Actor, req: SessionStartRequest, me: Actor, release: () => void): Promise<{ session: MachineSession }> {
    // Codex gets the owner's first allowed sandbox and policy unless asked; the others only what is asked, and only what they take.
    const runtime = {
      model: req.model,
      effort: req.effort,
      sandbox: req.sandbox ?? (req.agent === 'codex' ? opts.limits.sandboxes[0] : undefined),
      approvalPolicy: req.approval_policy ?? (req.agent === 'codex' ? opts.limits.approval_policies[0] : undefined),
    };
    const notTaken = refusedRuntime({ name: req.agent }, binaries.get(req.agent)!, runtime);
    if (notTaken) throw new PilothouseError('option_not_allowed', notTaken);
    const folder = resolveTrustedFolder(trust.list(), req.folder);
    if (!req.worktree && sessions.some((r) => isLive(r.session) && r.session.worktree === null && r.session.folder === folder)) {
      throw new PilothouseError('folder_busy', `A session already runs in ${folder} without a worktree; start this one in a new worktree, or end that one first.`);
    }
    const slug = sessionSlug(req.instruction, req.slug);
    const sessionId = `${slug.slice(0, 40)}-${randomBytes(3).toString('hex')}`;
    const git = await gitInfo(folder);
    let worktree: string | null = null;
    let branch: string | null = null;
    let base: { baseBranch: string | null; baseCommit: string } | null = git.head ? { baseBranch: git.branch, baseCommit: git.head } : null;
    if (req.worktree) {
      if (!git.git) throw new PilothouseError('not_a_git_repo', `${folder} is not a git work tree: start the session without a worktree, or run git init there.`);
      worktree = join(opts.home, 'worktrees', sessionId);
      branch = `${BRANCH_PREFIX}${slug}`;
      const target = { repo: folder, worktree, branch };
      base = await inRepo(folder, () => createWorktree(target));
    }
    const slot = freeSlot(sessions, opts.limits.port_base);
    const from = opts.limits.port_base + slot * PORTS_PER_SESSION;
    const cwd = worktree ?? folder;
    const allow = [...new Set([actor.name, ...req.allow].filter((n) => n.toLowerCase() !== me.name.toLowerCase()))];
    const record: SessionRecord = {
      session: {
        session_id: sessionId,
        thread_id: null,
        folder,
        worktree,
        branch,
        base_branch: base?.baseBranch ?? null,
        base_commit: base?.baseCommit ?? null,
        agent: req.agent,
        state: 'starting',
        ending: null,
        detail: null,
        started_by: actor,
        allowed: [...new Set([me.name, ...allow])],
        ports: { from, to: from + PORTS_PER_SESSION - 1 },
        started_at: new Date().toISOString(),
      },
      pid: null,
      client_id: req.client_id,
      runner: {
        cwd,
        ...(req.model ? { model: req.model } : {}),
        ...(req.effort ? { effort: req.effort } : {}),
        ...(runtime.sandbox ? { sandbox: runtime.sandbox } : {}),
        ...(runtime.approvalPolicy ? { approval_policy: runtime.approvalPolicy } : {}),
        allow,
      },
      log: join(opts.home, 'logs', 'machine', `${sessionId}.log`),
    };
    if (worktree) trust.add(worktree);
    sessions = [...sessions, record];
    release();
    save();
    try {
      const launched = await launchRunner(launchSpec(record, false));
      setSession(sessionId, { state: 'running', thread_id: launched.threadId }, launched.pid);
      watch(sessionId, launched.pid, launched.exited);
      opts.logger.info({ event: 'session_started', session: sessionId, thread: launched.threadId, worktree, actor: actor.name }, 'started a session');
      return { session: sessions.find((r) => r.session.session_id === sessionId)!.session };
    } catch (err) {
      // Nothing stays on disk for a start that did not happen: the worktree, its branch, its trust.
      sessions = sessions.filter((r) => r.session.session_id !== sessionId);
      save();
      if (worktree) {
        await inRepo(folder, () => removeWorktree({ repo: folder, worktree, branch })).catch(() => undefined);
        trust.remove(worktree);
      }
      throw err;
    }
  }

  function recordOf(id: string): SessionRecord {
    const rec = sessions.find((r) => r.session.session_id === id);
    if (!rec) throw new PilothouseError('machine_session_not_found', `No session ${id} on ${opts.name}.`);
    return rec;
  }

  async function changes(id: string): Promise<SessionChanges> {
    const rec = recordOf(id);
    const dir = rec.session.worktree ?? rec.session.folder;
    if (rec.session.base_commit === null || !existsSync(dir)) return { base: rec.session.base_commit, head: null, files: [], truncated: false };
    return sessionChanges({ worktree: dir, base: rec.session.base_commit });
  }

  async function stop(rec: SessionRecord): Promise<void> {
    if (rec.pid !== null) {
      const pid = rec.pid;
      // Forget the pid first: its exit is asked for, not a crash to report.
      update(rec.session.session_id, (r) => ({ ...r, pid: null }));
      await stopRunner(pid, rec.session.session_id);
    }
  }

  const endContext: EndContext = {
    machineName: opts.name,
    record: recordOf,
    setSession: (id, change) => setSession(id, change),
    stop,
    inRepo,
    trust,
    log: (fields, message) => opts.logger.info(fields, message),
  };

  async function handle(request: MachineRequest): Promise<unknown> {
    if (closed) throw new PilothouseError('machine_offline', `${opts.name} is shutting down.`);
    switch (request.op) {
      case 'start':
        return start(request.actor, request.start);
      case 'changes':
        return changes(request.session_id);
      case 'end': {
        const id = request.end.session_id;
        if (busy.has(id)) throw new PilothouseError('rate_limited', `Session ${id} is already being ended; wait for that to finish.`, { retry_after_ms: 1000 });
        busy.add(id);
        try {
          return await endSession(endContext, request.end);
        } finally {
          busy.delete(id);
        }
      }
      default: {
        const never: never = request;
        return never;
      }
    }
  }

  // What the last daemon left: a session whose runner is gone is not shown running while it resumes.
  sessions = markResuming(sessions);
  records.save(sessions);

  const link = new MachineLink({
    hubUrl: opts.hubUrl,
    token: opts.token,
    channel: opts.channel,
    state: info,
    handle,
    joined: (user) => {
      owner.actor = user;
    },
    log: (level, fields, message) => opts.logger[level](fields, message),
    refused: (reason) => {
      opts.logger.error({ event: 'machine_refused', reason }, 'the hub refused this machine; stopping');
      closed = true;
      doneResolve();
    },
  });

  // After a restart: adopt the runners still alive, resume the others, or say why they ended.
  await recoverSessions(sessions, {
    setSession,
    watch,
    resume: (rec) => launchRunner(launchSpec(rec, true)),
    log: (fields, message) => opts.logger.info(fields, message),
  });

  return {
    ready: link.ready,
    done,
    sessions: () => sessions.map((r) => r.session),
    async close() {
      if (closed) return;
      closed = true;
      await link.close();
      doneResolve();
    },
  };
}
