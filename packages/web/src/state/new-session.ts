// The "New session" form (docs/protocol.md §15): its defaults for a machine, the choices the
// machine offers (its folders and agents, its owner's limits), why it cannot be sent yet, and the
// `session_start` payload it becomes. Pure; ui/NewSessionDialog.tsx draws it.

import {
  BRANCH_PREFIX,
  BranchSlug,
  SESSION_EFFORTS,
  sessionSlug,
  startRefusal,
  type Actor,
  type MachineAgent,
  type MachineFolder,
  type MachinePresence,
  type SessionStartRequest,
} from '@pilothouse/protocol';
import { machineKey } from './machines.js';

type Sandbox = NonNullable<SessionStartRequest['sandbox']>;
type ApprovalPolicy = NonNullable<SessionStartRequest['approval_policy']>;
type Effort = NonNullable<SessionStartRequest['effort']>;

export interface NewSessionForm {
  /** machineKey of the chosen machine. */
  readonly machine: string;
  readonly folder: string;
  readonly agent: MachineAgent | '';
  readonly model: string;
  /** '' = the agent's default. */
  readonly effort: Effort | '';
  readonly sandbox: Sandbox;
  readonly approvalPolicy: ApprovalPolicy;
  /** Also allowed to steer: names, comma-separated. */
  readonly allow: string;
  readonly instruction: string;
  readonly worktree: boolean;
  readonly slug: string;
}

export const EFFORTS: readonly Effort[] = SESSION_EFFORTS;

/** The owner's preferred choice when allowed, else the first the owner allows. */
const prefer = <T>(allowed: readonly T[], preferred: T): T => (allowed.includes(preferred) ? preferred : allowed[0]!);

const folderOf = (machine: MachinePresence, path: string): MachineFolder | undefined => machine.folders.find((f) => f.path === path);

/** The form for a machine: its first folder (a worktree iff that is a git repo), its first agent, the safest defaults its limits allow. */
export function newSessionForm(machine: MachinePresence): NewSessionForm {
  const folder = machine.folders[0];
  return {
    machine: machineKey(machine),
    folder: folder?.path ?? '',
    agent: machine.agents[0]?.name ?? '',
    model: '',
    effort: '',
    sandbox: prefer(machine.limits.sandboxes, 'workspace-write'),
    approvalPolicy: prefer(machine.limits.approval_policies, 'on-request'),
    allow: '',
    instruction: '',
    worktree: folder?.git ?? false,
    slug: '',
  };
}

/** Another machine: its defaults, keeping what the person wrote (instruction, model, names, slug). */
export function withMachine(form: NewSessionForm, machine: MachinePresence): NewSessionForm {
  const fresh = newSessionForm(machine);
  return { ...fresh, model: form.model, effort: form.effort, allow: form.allow, instruction: form.instruction, slug: form.slug };
}

/** Another folder: a worktree by default iff it is a git repo (and never when it is not). */
export function withFolder(form: NewSessionForm, machine: MachinePresence, path: string): NewSessionForm {
  return { ...form, folder: path, worktree: folderOf(machine, path)?.git ?? false };
}

/** The folder is a git repo: "In a new worktree" can be chosen. */
export const mayUseWorktree = (form: NewSessionForm, machine: MachinePresence): boolean => folderOf(machine, form.folder)?.git ?? false;

/** The branch a worktree session will get, e.g. `pilothouse/fix-the-login`; null without a worktree. */
export function branchPreview(form: NewSessionForm): string | null {
  if (!form.worktree) return null;
  return BRANCH_PREFIX + sessionSlug(form.instruction, form.slug.trim() || undefined);
}

/** The names in "alice, bob ,, carol": trimmed, without blanks, each once. */
export function allowNames(text: string): string[] {
  return [...new Set(text.split(',').map((n) => n.trim()).filter(Boolean))];
}

/** Why the form cannot be sent yet, in a sentence; null when it can. Who may start what is protocol's startRefusal, as the hub and the daemon decide it. */
export function formProblem(form: NewSessionForm, machine: MachinePresence | null, me: Actor): string | null {
  if (!machine) return 'Choose a machine.';
  if (!machine.online) return `${machine.name} is offline: its daemon is not connected to the hub.`;
  if (!folderOf(machine, form.folder)) return 'Choose a folder.';
  if (form.agent === '' || !machine.agents.some((a) => a.name === form.agent)) return 'Choose an agent.';
  const refusal = startRefusal(machine, { folder: form.folder, agent: form.agent, worktree: form.worktree, ...runtimeChoices(form) }, me);
  if (refusal) return refusal.message;
  if (form.instruction.trim() === '') return 'Write the first instruction.';
  if (form.worktree && form.slug.trim() !== '' && !BranchSlug.safeParse(form.slug.trim()).success) return 'A branch name is 1–48 lower-case letters, digits or "-", starting with a letter or digit.';
  return null;
}

/** Codex takes the sandbox and the approval policy chosen; Claude Code and Gemini CLI set their sandbox themselves. */
export const takesSandbox = (form: Pick<NewSessionForm, 'agent'>): boolean => form.agent === 'codex';

function runtimeChoices(form: NewSessionForm): Pick<SessionStartRequest, 'sandbox' | 'approval_policy'> {
  return { ...(takesSandbox(form) ? { sandbox: form.sandbox } : {}), approval_policy: form.approvalPolicy };
}

/** The `session_start` payload (call only when formProblem is null). */
export function startRequest(form: NewSessionForm, machine: MachinePresence, clientId: string): SessionStartRequest {
  const slug = form.slug.trim();
  const model = form.model.trim();
  return {
    machine: machine.name,
    owner_id: machine.owner.user_id,
    client_id: clientId,
    folder: form.folder,
    agent: form.agent as MachineAgent,
    ...(model === '' ? {} : { model }),
    ...(form.effort === '' ? {} : { effort: form.effort }),
    ...runtimeChoices(form),
    allow: allowNames(form.allow),
    instruction: form.instruction.trim(),
    worktree: form.worktree,
    ...(form.worktree && slug !== '' ? { slug } : {}),
  };
}
