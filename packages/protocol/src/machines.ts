// Machines and the sessions started on them from the web (docs/protocol.md §15). A machine daemon
// (`pilothouse machine`) reports its state with `machine_state`; people ask it to start, show and
// end sessions through the hub (`session_start`, `session_changes`, `session_end`), which checks
// who may and forwards each request to the daemon as a `machine_request` event on its socket.

import { z } from 'zod';
import { Actor, ClientId, Id } from './model.js';
import { mayDecide, type AllowedEntry } from './steering.js';

/** The agents a session can be started with from the web (an ACP agent needs a command: terminal only). */
export const MACHINE_AGENTS = ['codex', 'claude', 'gemini'] as const;
export const MachineAgent = z.enum(MACHINE_AGENTS);
export type MachineAgent = z.infer<typeof MachineAgent>;
export const SESSION_SANDBOXES = ['read-only', 'workspace-write', 'danger-full-access'] as const;
export const SessionSandbox = z.enum(SESSION_SANDBOXES);
export const SESSION_APPROVAL_POLICIES = ['on-request', 'never', 'untrusted'] as const;
export const SessionApprovalPolicy = z.enum(SESSION_APPROVAL_POLICIES);
export const SESSION_EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'] as const;
export const SessionEffort = z.enum(SESSION_EFFORTS);

/** A machine's name: how people pick it in the web (unique per owner and channel). */
export const MachineName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'a machine name is 1–63 letters, digits, ".", "_" or "-"');
/** A local path as the daemon reports it (absolute, no NUL). */
export const LocalPath = z.string().min(1).max(4096).refine((p) => !p.includes('\0'), 'a path cannot contain NUL');
const Name = z.string().min(1).max(100);
/** A session's id on its machine. */
export const MachineSessionId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/);
/** The branch slug a person may choose (`pilothouse/<slug>`). */
export const BranchSlug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,47}$/, 'a branch slug is 1–48 lower-case letters, digits or "-", starting with a letter or digit');

/** What the machine's owner allows (config.toml [machine]): the daemon refuses anything else, and the hub checks `may_start` first. */
export const MachineLimits = z.object({
  /** Who may start sessions here (names or user ids); the owner always may. */
  may_start: z.array(Name).max(64),
  max_sessions: z.number().int().min(1).max(64),
  sandboxes: z.array(SessionSandbox).min(1),
  approval_policies: z.array(SessionApprovalPolicy).min(1),
  /** The first port of the first session's preview range; each session gets PORTS_PER_SESSION ports. */
  port_base: z.number().int().min(1024).max(65000),
});
export type MachineLimits = z.infer<typeof MachineLimits>;
export const PORTS_PER_SESSION = 10;

export const MachineFolder = z.object({
  path: LocalPath,
  /** The folder is a git work tree: a session there may get a worktree of its own. */
  git: z.boolean(),
  /** Its current branch (null: detached HEAD, or not git). */
  branch: z.string().max(256).nullable(),
});
export type MachineFolder = z.infer<typeof MachineFolder>;

export const InstalledAgent = z.object({ name: MachineAgent, version: z.string().max(100) });

export const MachineSessionState = z.enum(['starting', 'running', 'stopped', 'ended', 'failed']);
export type MachineSessionState = z.infer<typeof MachineSessionState>;
/** How a session ended: the branch kept, merged into its base, or discarded (worktree and branch gone). */
export const SessionEnding = z.enum(['kept', 'merged', 'discarded']);
export type SessionEnding = z.infer<typeof SessionEnding>;

export const MachineSession = z.object({
  session_id: MachineSessionId,
  /** The session thread (null until the runner opened it). */
  thread_id: Id.nullable(),
  folder: LocalPath,
  /** Its own worktree and branch, or null when it runs in the folder itself. */
  worktree: LocalPath.nullable(),
  branch: z.string().max(256).nullable(),
  /** The branch the worktree was made from, and its commit then. */
  base_branch: z.string().max(256).nullable(),
  base_commit: z.string().max(64).nullable(),
  agent: MachineAgent,
  state: MachineSessionState,
  ending: SessionEnding.nullable(),
  /** Why it failed or ended, in a sentence, or null. */
  detail: z.string().max(2000).nullable(),
  started_by: Actor,
  /** Who may steer it and end it: the owner, the person who started it, and those they named. */
  allowed: z.array(Name).max(64),
  ports: z.object({ from: z.number().int(), to: z.number().int() }),
  started_at: z.string(),
});
export type MachineSession = z.infer<typeof MachineSession>;

/** What the daemon says about itself (`machine_state`; the whole state every time, idempotent). */
export const MachineInfo = z.object({
  name: MachineName,
  os: z.string().max(100),
  daemon_version: z.string().max(50),
  folders: z.array(MachineFolder).max(256),
  agents: z.array(InstalledAgent).max(16),
  limits: MachineLimits,
  sessions: z.array(MachineSession).max(256),
});
export type MachineInfo = z.infer<typeof MachineInfo>;

/** A machine as the channel's members see it. */
export const MachinePresence = MachineInfo.extend({
  owner: Actor,
  online: z.boolean(),
  /** When the hub last heard from it (ISO-8601). */
  last_seen: z.string(),
});
export type MachinePresence = z.infer<typeof MachinePresence>;

const MachineRef = z.object({ machine: MachineName, owner_id: Id });

/** The "New session" form. */
export const SessionStartRequest = MachineRef.extend({
  client_id: ClientId,
  folder: LocalPath,
  agent: MachineAgent,
  model: z.string().min(1).max(100).optional(),
  effort: SessionEffort.optional(),
  sandbox: SessionSandbox.optional(),
  approval_policy: SessionApprovalPolicy.optional(),
  /** Also allowed to steer (the starter and the owner always are). */
  allow: z.array(Name).max(32).default([]),
  instruction: z.string().min(1).max(64 * 1024),
  worktree: z.boolean(),
  /** The branch is `pilothouse/<slug>`; default: from the instruction. */
  slug: BranchSlug.optional(),
}).strict();
export type SessionStartRequest = z.infer<typeof SessionStartRequest>;

export const SessionEndHow = z.enum(['stop', 'keep', 'merge', 'discard']);
export type SessionEndHow = z.infer<typeof SessionEndHow>;

export const SessionRef = MachineRef.extend({ session_id: MachineSessionId });

export const SessionEndRequest = SessionRef.extend({
  how: SessionEndHow,
  /** `discard` deletes the branch: it needs `confirm: true`. */
  confirm: z.boolean().optional(),
}).strict();
export type SessionEndRequest = z.infer<typeof SessionEndRequest>;

export const ChangedFile = z.object({
  path: z.string(),
  /** git's status letter: A added, M modified, D deleted, R renamed, ? untracked. */
  status: z.enum(['A', 'M', 'D', 'R', '?']),
  additions: z.number().int().nonnegative(),
  deletions: z.number().int().nonnegative(),
  /** The unified diff of this file (clipped at MAX_FILE_DIFF characters). */
  diff: z.string(),
  clipped: z.boolean(),
});
export type ChangedFile = z.infer<typeof ChangedFile>;
export const MAX_FILE_DIFF = 64 * 1024;
export const MAX_CHANGED_FILES = 200;

/** A session's changes against its base: committed on its branch and not yet committed in its worktree. */
export const SessionChanges = z.object({
  base: z.string().nullable(),
  head: z.string().nullable(),
  files: z.array(ChangedFile),
  /** More files changed than MAX_CHANGED_FILES. */
  truncated: z.boolean(),
});
export type SessionChanges = z.infer<typeof SessionChanges>;

export const SessionEndResult = z.object({
  session: MachineSession,
  /** What happened, in a sentence (the merge commit, the branch kept…). */
  message: z.string(),
});
export type SessionEndResult = z.infer<typeof SessionEndResult>;

/** Hub → daemon: one request, answered by `machine_reply` with the same id. */
export const MachineRequest = z.discriminatedUnion('op', [
  z.object({ request_id: Id, actor: Actor, op: z.literal('start'), start: SessionStartRequest }),
  z.object({ request_id: Id, actor: Actor, op: z.literal('changes'), session_id: MachineSessionId }),
  z.object({ request_id: Id, actor: Actor, op: z.literal('end'), end: SessionEndRequest }),
]);
export type MachineRequest = z.infer<typeof MachineRequest>;

export const MachineReplyError = z.object({ code: z.string().max(64), message: z.string().max(4000), details: z.unknown().optional() });
export const MachineReply = z.discriminatedUnion('ok', [
  z.object({ request_id: Id, ok: z.literal(true), result: z.unknown() }),
  z.object({ request_id: Id, ok: z.literal(false), error: MachineReplyError }),
]);
export type MachineReply = z.infer<typeof MachineReply>;

/** The session a start request created, as the daemon answers it. */
export const SessionStarted = z.object({ session: MachineSession });

/** Whether `actor` may start sessions on this machine: its owner, or someone its owner named. */
export function mayStartOn(machine: Pick<MachinePresence, 'owner' | 'limits'>, actor: Pick<z.infer<typeof Actor>, 'user_id' | 'name'>): boolean {
  const allowed: AllowedEntry[] = [{ name: machine.owner.name, user_id: machine.owner.user_id }, ...machine.limits.may_start];
  return mayDecide(allowed, actor);
}

/** Whether `actor` may end (or read the changes of) a session: the people allowed to steer it. */
export function mayEndSession(session: Pick<MachineSession, 'allowed'>, actor: Pick<z.infer<typeof Actor>, 'user_id' | 'name'>): boolean {
  return mayDecide(session.allowed, actor);
}

/** The branch a worktree session gets: `pilothouse/<slug>`, the slug from the instruction unless chosen. */
export function sessionSlug(instruction: string, chosen?: string): string {
  if (chosen) return chosen;
  const words = instruction
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9\s-]/g, ' ')
    .split(/[\s-]+/)
    .filter(Boolean)
    .slice(0, 6)
    .join('-')
    .slice(0, 40)
    .replace(/-+$/, '');
  return words || 'session';
}

export const BRANCH_PREFIX = 'pilothouse/';

/** Why a start request cannot run on this machine (the first reason), or null: one rule for the hub (it refuses early) and the daemon (it decides). */
export function startRefusal(
  machine: Pick<MachinePresence, 'owner' | 'limits' | 'agents' | 'folders' | 'sessions'>,
  request: Pick<SessionStartRequest, 'folder' | 'agent' | 'sandbox' | 'approval_policy' | 'worktree'>,
  actor: Pick<z.infer<typeof Actor>, 'user_id' | 'name'>,
): { code: 'start_not_allowed' | 'agent_not_installed' | 'option_not_allowed' | 'too_many_sessions' | 'folder_not_trusted' | 'path_escape' | 'not_a_git_repo'; message: string } | null {
  if (!mayStartOn(machine, actor)) {
    const names = [machine.owner.name, ...machine.limits.may_start].join(', ');
    return { code: 'start_not_allowed', message: `${actor.name} may not start sessions on this machine; its owner allows: ${names}.` };
  }
  if (!machine.agents.some((a) => a.name === request.agent)) {
    const have = machine.agents.map((a) => a.name).join(', ') || 'none';
    return { code: 'agent_not_installed', message: `${request.agent} is not installed on this machine (installed: ${have}).` };
  }
  const { sandboxes, approval_policies, max_sessions } = machine.limits;
  if (request.sandbox !== undefined && !sandboxes.includes(request.sandbox)) {
    return { code: 'option_not_allowed', message: `The sandbox ${request.sandbox} is beyond this machine's limits; its owner allows: ${sandboxes.join(', ')}.` };
  }
  if (request.approval_policy !== undefined && !approval_policies.includes(request.approval_policy)) {
    return { code: 'option_not_allowed', message: `The approval policy ${request.approval_policy} is beyond this machine's limits; its owner allows: ${approval_policies.join(', ')}.` };
  }
  if (request.folder.split(/[\\/]/).includes('..')) {
    return { code: 'path_escape', message: `${request.folder} leaves the trusted folders (it contains "..").` };
  }
  const inside = machine.folders.some((f) => request.folder === f.path || request.folder.startsWith(f.path.endsWith('/') ? f.path : `${f.path}/`));
  if (!inside) return { code: 'folder_not_trusted', message: `${request.folder} is not inside one of this machine's trusted folders (${machine.folders.map((f) => f.path).join(', ') || 'none'}).` };
  const folder = machine.folders.find((f) => f.path === request.folder);
  if (request.worktree && folder && !folder.git) return { code: 'not_a_git_repo', message: `${request.folder} is not a git work tree: start the session without a worktree, or run git init there.` };
  const live = machine.sessions.filter((s) => s.state === 'starting' || s.state === 'running').length;
  if (live >= max_sessions) return { code: 'too_many_sessions', message: `This machine runs ${live} sessions, as many as its owner allows (max_sessions = ${max_sessions}); end one first.` };
  return null;
}
