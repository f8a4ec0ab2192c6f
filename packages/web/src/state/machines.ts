// The channel's machines as the page shows them (docs/protocol.md §15): the whole list, from the
// `list_machines` reply or the ephemeral `machines` event (each carries every machine), sorted
// online first, then by name; which machine session a thread is; and what a session's bar offers.
// Pure: plain values in, plain values out. The "New session" form lives in state/new-session.ts.

import { assertNever, mayEndSession, type Actor, type Message, type MachinePresence, type MachineSession, type SessionEndHow } from '@pilothouse/protocol';
import { z } from 'zod';

export interface MachinesState {
  /** A list has arrived (a reply or an event) since the page joined. */
  readonly loaded: boolean;
  /** How many `machines` events arrived: a reply to a request sent before the latest one is older than it. */
  readonly events: number;
  readonly list: readonly MachinePresence[];
}

export type MachinesInput =
  /** The hub's `machines` event: the whole list, newest there is. */
  | { type: 'event'; machines: readonly MachinePresence[] }
  /** The `list_machines` reply to a request sent when `events` events had arrived. */
  | { type: 'reply'; machines: readonly MachinePresence[]; eventsAtRequest: number }
  /**
   * A session as a `session_start` (`started`) or `session_end` (`ended`) reply returned it, shown at
   * once, before the `machines` event that follows. A started session an event already brought is
   * kept as that event said (it can be newer); an end reply is the newest word on its session.
   */
  | { type: 'started' | 'ended'; owner_id: string; machine: string; session: MachineSession };

export const emptyMachines: MachinesState = { loaded: false, events: 0, list: [] };

export function machinesStep(state: MachinesState, input: MachinesInput): MachinesState {
  switch (input.type) {
    case 'event':
      return { loaded: true, events: state.events + 1, list: sortMachines(input.machines) };
    case 'reply':
      // An event that arrived while the request travelled is newer than the reply.
      if (state.events > input.eventsAtRequest) return state;
      return { ...state, loaded: true, list: sortMachines(input.machines) };
    case 'started':
    case 'ended': {
      const replace = input.type === 'ended';
      return { ...state, list: state.list.map((m) => (m.owner.user_id === input.owner_id && m.name === input.machine ? withSession(m, input.session, replace) : m)) };
    }
    default:
      return assertNever(input, 'machines input');
  }
}

function withSession(machine: MachinePresence, session: MachineSession, replace: boolean): MachinePresence {
  const known = machine.sessions.some((s) => s.session_id === session.session_id);
  if (!known) return { ...machine, sessions: [...machine.sessions, session] };
  if (!replace) return machine;
  return { ...machine, sessions: machine.sessions.map((s) => (s.session_id === session.session_id ? session : s)) };
}

/** Online first, then by name (then owner, for two people's machines of one name). */
export function sortMachines(machines: readonly MachinePresence[]): MachinePresence[] {
  return [...machines].sort((a, b) => Number(b.online) - Number(a.online) || a.name.localeCompare(b.name) || a.owner.name.localeCompare(b.owner.name));
}

/** A machine's key: its name is unique per owner and channel. */
export const machineKey = (m: Pick<MachinePresence, 'name' | 'owner'>): string => `${m.owner.user_id}/${m.name}`;

export function findMachine(machines: readonly MachinePresence[], key: string): MachinePresence | null {
  return machines.find((m) => machineKey(m) === key) ?? null;
}

export interface ThreadSession {
  readonly machine: MachinePresence;
  readonly session: MachineSession;
}

/** The machine session whose thread this is, or null. */
export function sessionForThread(machines: readonly MachinePresence[], threadId: string): ThreadSession | null {
  for (const machine of machines) {
    const session = machine.sessions.find((s) => s.thread_id === threadId);
    if (session) return { machine, session };
  }
  return null;
}

/** A session's agent runs (or is about to): it can be stopped. */
export const isRunning = (s: Pick<MachineSession, 'state'>): boolean => s.state === 'starting' || s.state === 'running';

/** The ways the caller may end this session now, in the order the bar shows them. */
export function endChoices(session: MachineSession, me: Actor): SessionEndHow[] {
  if (!mayEndSession(session, me) || session.state === 'ended') return [];
  const choices: SessionEndHow[] = [];
  if (isRunning(session)) choices.push('stop');
  choices.push('keep');
  if (session.worktree !== null) choices.push('merge', 'discard');
  return choices;
}

/** How an ended session ended, in a sentence (null while it has not). */
export function endingText(session: MachineSession): string | null {
  if (session.state === 'failed') return `Failed${session.detail ? `: ${session.detail}` : '.'}`;
  if (session.state !== 'ended') return null;
  const what =
    session.ending === 'merged'
      ? `Merged into ${session.base_branch ?? 'its base'}`
      : session.ending === 'discarded'
        ? 'Discarded: its worktree and branch are gone'
        : session.ending === 'kept'
          ? `Kept${session.branch ? ` on ${session.branch}` : ''}`
          : 'Ended';
  return session.detail ? `${what}. ${session.detail}` : `${what}.`;
}

/** Agent rows whose end may follow a change to the files (a turn ends on an assistant row, mirrored TUI turns too). */
const CHANGING_KINDS: ReadonlySet<Message['kind']> = new Set(['file_change', 'command', 'assistant']);

/**
 * A signal for refreshing the session's changes: how many human messages reached a final state
 * (processed or failed: their turn ended) plus how many file-change, command and assistant rows
 * finished. It moves when a turn ends or the agent finishes such an item, never while rows stream.
 */
export function turnSignal(messages: readonly Pick<Message, 'runner_id' | 'kind' | 'status' | 'state'>[]): number {
  let n = 0;
  for (const m of messages) {
    if (m.runner_id === null) {
      if (m.state?.state === 'processed' || m.state?.state === 'failed') n++;
    } else if (CHANGING_KINDS.has(m.kind) && m.status !== null && m.status !== 'streaming') n++;
  }
  return n;
}

const ConflictDetails = z.object({ files: z.array(z.string()) });

/** The files a refusal names (merge_conflict sends them in `details.files`). */
export function refusalFiles(details: unknown): string[] {
  const d = ConflictDetails.safeParse(details);
  return d.success ? d.data.files : [];
}
