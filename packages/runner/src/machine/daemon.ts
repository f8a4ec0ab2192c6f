// `pilothouse machine`: the daemon on a developer's machine. It reports the machine to the hub
// (trusted folders, installed agents, its owner's limits, its sessions), and answers the hub's
// requests: start a session (in a new git worktree on `pilothouse/<slug>`, or in the folder),
// show its changes, stop it, end it (keep, merge, discard). It decides by the same rule the hub
// checked (protocol's startRefusal) and by the real paths on disk; a refused start leaves nothing
// on disk. Its sessions are remembered (records.ts): after a restart a live runner is adopted, a
// dead one resumed (`run --resume`), and one that cannot be is shown as ended.

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { platform, release } from 'node:os';
import {
  BRANCH_PREFIX,
  MACHINE_AGENTS,
  PORTS_PER_SESSION,
  PilothouseError,
  sessionSlug,
  startRefusal,
  type Actor,
  type MachineAgent,
  type MachineFolder,
  type MachineInfo,
  type MachineLimits,
  type MachineRequest,
  type MachineSession,
  type SessionChanges,
  type SessionEndRequest,
  type SessionEndResult,
  type SessionStartRequest,
} from '@pilothouse/protocol';
import { TrustStore } from '../local/trust.js';
import { locateAgent, refusedRuntime } from '../agent/drivers.js';
import type { AgentBinary } from '../agent/driver.js';
import { commitAll, createWorktree, gitInfo, mergeInto, removeWorktree, sessionChanges } from './git.js';
import { resolveTrustedFolder } from './paths.js';
import { MachineLink } from './link.js';
import { SessionRecords, type SessionRecord } from './records.js';
import { isOurRunner, launchRunner, stopRunner } from './supervisor.js';

export const DAEMON_VERSION = '0.1.0';
/** How often the daemon looks whether adopted runners (not its children) are still alive. */
const ADOPTED_POLL_MS = 2000;

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

/** The agents found on this machine (where `pilothouse run` would find them), with their binaries. */
export async function installedAgents(env: NodeJS.ProcessEnv): Promise<Map<MachineAgent, AgentBinary>> {
  const found = await Promise.all(
    MACHINE_AGENTS.map(async (name) => {
      try {
        return [name, await locateAgent({ name }, env)] as const;
      } catch {
        return null;
      }
    }),
  );
  return new Map(found.filter((a) => a !== null));
}

const now = () => new Date().toISOString();
const isLive = (s: MachineSession) => s.state === 'starting' || s.state === 'running';

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
  /**
   * git changes per repository, one at a time: two `git worktree add` in one repository at once
   * race on its .git/worktrees ("failed to read …/commondir"), and a merge must not meet either.
   */
  const repoQueues = new Map<string, Promise<unknown>>();
  const inRepo = <T>(repo: string, fn: () => Promise<T>): Promise<T> => {
    const run = (repoQueues.get(repo) ?? Promise.resolve()).then(fn, fn);
    const tail = run.catch(() => undefined);
    repoQueues.set(repo, tail);
    void tail.then(() => {
      if (repoQueues.get(repo) === tail) repoQueues.delete(repo);
    });
    return run;
  };

  const info = (): MachineInfo => ({
    name: opts.name,
    os: `${platform()} ${release()}`,
    daemon_version: DAEMON_VERSION,
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

  const runnerEnv = (rec: Pick<SessionRecord, 'session'>): NodeJS.ProcessEnv => ({
    ...env,
    PILOTHOUSE_HUB: opts.hubUrl,
    PILOTHOUSE_TOKEN: opts.token,
    PILOTHOUSE_HOME: opts.home,
    PORT: String(rec.session.ports.from),
    PILOTHOUSE_PORT_RANGE: `${rec.session.ports.from}-${rec.session.ports.to}`,
  });

  const runnerArgs = (rec: SessionRecord, resume: boolean): string[] => {
    const r = rec.runner;
    return [
      '--channel', opts.channel,
      '--cwd', r.cwd,
      '--agent', rec.session.agent,
      '--name', `${opts.name}/${rec.session.session_id}`,
      ...(r.sandbox ? ['--sandbox', r.sandbox] : []),
      ...(r.approval_policy ? ['--approval-policy', r.approval_policy] : []),
      ...(r.model ? ['--model', r.model] : []),
      ...(r.effort ? ['--effort', r.effort] : []),
      ...r.allow.flatMap((a) => ['--allow', a]),
      ...(resume ? ['--resume'] : []),
    ];
  };

  /** Watches a runner until it exits; an exit nobody asked for leaves the session stopped, saying why. */
  const watch = (id: string, pid: number, exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | null) => {
    const gone = (why: string) => {
      const rec = sessions.find((r) => r.session.session_id === id);
      if (!rec || rec.pid !== pid) return;
      opts.logger.info({ event: 'runner_exited', session: id, pid, why }, 'a session runner exited');
      setSession(id, isLive(rec.session) ? { state: 'stopped', detail: `The runner exited (${why}).` } : {}, null);
    };
    if (exited) {
      void exited.then(({ code, signal }) => gone(signal ?? `exit ${String(code)}`));
      return;
    }
    const timer = setInterval(() => {
      if (isOurRunner(pid, id)) return;
      clearInterval(timer);
      gone('it was gone when looked at');
    }, ADOPTED_POLL_MS);
    timer.unref();
  };

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
        started_at: now(),
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
      const launched = await launchRunner({ sessionId, command: opts.runnerCommand, args: runnerArgs(record, false), cwd, env: runnerEnv(record), log: record.log });
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

  async function end(req: SessionEndRequest): Promise<SessionEndResult> {
    const rec = recordOf(req.session_id);
    const s = rec.session;
    const id = s.session_id;
    if (s.state === 'ended') throw new PilothouseError('session_not_ended', `Session ${id} already ended (${s.ending ?? 'ended'}).`);
    const result = (message: string): SessionEndResult => ({ session: recordOf(id).session, message });
    switch (req.how) {
      case 'stop':
        await stop(rec);
        setSession(id, { state: 'stopped', detail: 'Stopped from the web.' });
        return result(`Stopped the agent; the ${s.worktree ? `worktree ${s.worktree} and branch ${s.branch ?? ''}` : `folder ${s.folder}`} stay as they are.`);
      case 'keep':
        await stop(rec);
        setSession(id, { state: 'ended', ending: 'kept', detail: null });
        return result(s.branch ? `Kept the branch ${s.branch} and its worktree ${s.worktree ?? ''}.` : `Kept the changes in ${s.folder}.`);
      case 'merge': {
        if (s.worktree === null || s.branch === null || s.base_branch === null) {
          throw new PilothouseError('bad_request', s.worktree === null ? `Session ${id} runs in ${s.folder} itself: there is no branch to merge; end it with keep.` : `Session ${id} was started from a detached HEAD: there is no base branch to merge into.`);
        }
        // Refused before anything stops: the base must be clean (mergeInto checks again, after the commit).
        const base = await gitInfo(s.folder);
        if (base.branch !== s.base_branch) throw new PilothouseError('bad_request', `${s.folder} has ${base.branch ?? 'a detached HEAD'} checked out, not ${s.base_branch}; check out ${s.base_branch} there to merge.`);
        await stop(rec);
        const committed = await commitAll({ worktree: s.worktree, message: `pilothouse: session ${id}\n\n${s.started_by.name} started it on ${opts.name}.` });
        try {
          const merge = { repo: s.folder, baseBranch: s.base_branch, branch: s.branch, message: `Merge ${s.branch} (Pilothouse session ${id})` };
          const merged = await inRepo(s.folder, () => mergeInto(merge));
          const worktree = s.worktree;
          await inRepo(s.folder, () => removeWorktree({ repo: s.folder, worktree, branch: null }));
          trust.remove(s.worktree);
          setSession(id, { state: 'ended', ending: 'merged', detail: `${merged.how} at ${merged.commit.slice(0, 12)}` });
          const how = merged.how === 'fast-forward' ? 'fast-forwarded' : merged.how === 'merge-commit' ? 'merged with a merge commit' : 'found already up to date';
          return result(`${s.base_branch} ${how} (${merged.commit.slice(0, 12)}); the worktree is removed, the branch ${s.branch} kept.`);
        } catch (err) {
          // Nothing changed in the base; the agent is stopped and its work is a commit on its branch.
          setSession(id, { state: 'stopped', detail: `Merge refused: ${(err as Error).message}` });
          if (committed) opts.logger.info({ event: 'merge_refused', session: id, committed }, 'merge refused; the work is committed on the branch');
          throw err;
        }
      }
      case 'discard': {
        if (req.confirm !== true) throw new PilothouseError('confirmation_required', `Discarding deletes ${s.worktree ?? s.folder}${s.branch ? ` and the branch ${s.branch}` : ''}; confirm to go on.`);
        if (s.worktree === null) throw new PilothouseError('bad_request', `Session ${id} runs in ${s.folder} itself: discarding would throw away that folder's changes; end it with keep.`);
        await stop(rec);
        const worktree = s.worktree;
        await inRepo(s.folder, () => removeWorktree({ repo: s.folder, worktree, branch: s.branch }));
        trust.remove(s.worktree);
        setSession(id, { state: 'ended', ending: 'discarded', detail: null });
        return result(`Discarded: the worktree ${s.worktree} and the branch ${s.branch ?? ''} are gone.`);
      }
      default: {
        const never: never = req.how;
        return never;
      }
    }
  }

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
          return await end(request.end);
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
  sessions = sessions.map((r) =>
    isLive(r.session) && !(r.pid !== null && isOurRunner(r.pid, r.session.session_id))
      ? { ...r, pid: null, session: { ...r.session, state: 'starting' as const, detail: 'Resuming after the machine restarted…' } }
      : r,
  );
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
  await recover();

  async function recover(): Promise<void> {
    for (const rec of sessions) {
      const s = rec.session;
      if (!isLive(s)) continue;
      if (rec.pid !== null && isOurRunner(rec.pid, s.session_id)) {
        opts.logger.info({ event: 'runner_adopted', session: s.session_id, pid: rec.pid }, 'adopted a running session');
        setSession(s.session_id, { state: 'running' });
        watch(s.session_id, rec.pid, null);
        continue;
      }
      if (s.thread_id === null || !existsSync(rec.runner.cwd)) {
        setSession(s.session_id, { state: 'ended', ending: s.worktree ? 'kept' : null, detail: `The machine restarted before the session ${s.thread_id === null ? 'opened its thread' : `could resume: ${rec.runner.cwd} is gone`}.` }, null);
        continue;
      }
      try {
        const launched = await launchRunner({ sessionId: s.session_id, command: opts.runnerCommand, args: runnerArgs(rec, true), cwd: rec.runner.cwd, env: runnerEnv(rec), log: rec.log });
        opts.logger.info({ event: 'runner_resumed', session: s.session_id, pid: launched.pid }, 'resumed a session after a restart');
        setSession(s.session_id, { state: 'running', thread_id: launched.threadId, detail: 'Resumed after the machine restarted.' }, launched.pid);
        watch(s.session_id, launched.pid, launched.exited);
      } catch (err) {
        setSession(s.session_id, { state: 'stopped', detail: `The machine restarted and the session could not resume: ${(err as Error).message}` }, null);
      }
    }
  }

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

/** The trusted folders as the web offers them (git or not, and on which branch); worktrees the daemon made are not offered. */
async function describeFolders(trust: TrustStore, home: string): Promise<MachineFolder[]> {
  const worktrees = join(home, 'worktrees');
  const list = trust.list().filter((f) => f !== worktrees && !f.startsWith(`${worktrees}/`) && existsSync(f));
  return Promise.all(
    list.slice(0, 256).map(async (path) => {
      const git = await gitInfo(path).catch(() => ({ git: false, branch: null }));
      return { path, git: git.git, branch: git.branch };
    }),
  );
}

/** Ended sessions the daemon remembers (its records) and reports (the web's list); live ones always. */
export const KEEP_ENDED = 50;
export const REPORT_ENDED = 20;

/** The newest `keep` ended sessions and every other. */
function newestEnded<T extends { session: MachineSession }>(list: readonly T[], keep: number): T[] {
  const ended = list.filter((r) => r.session.state === 'ended').sort((a, b) => b.session.started_at.localeCompare(a.session.started_at));
  const dropped = new Set(ended.slice(keep));
  return list.filter((r) => !dropped.has(r));
}

const pruned = (list: readonly SessionRecord[]): SessionRecord[] => newestEnded(list, KEEP_ENDED);
const reported = (list: readonly SessionRecord[]): MachineSession[] => newestEnded(list, REPORT_ENDED).map((r) => r.session);

/** The lowest port slot (0, 1, …) no live session holds, for ranges from `base`. */
function freeSlot(sessions: readonly SessionRecord[], base: number): number {
  const taken = new Set(sessions.filter((r) => isLive(r.session)).map((r) => r.session.ports.from));
  let slot = 0;
  while (taken.has(base + slot * PORTS_PER_SESSION)) slot++;
  return slot;
}
