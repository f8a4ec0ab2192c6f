// The sidebar's "Machines" section for the open channel (docs/protocol.md §15): each machine with
// its presence (a dot and the word), OS and agents, its sessions (each a link to its thread), and
// "New session" for the people its owner allows (the others are told who may).

import { useState, useSyncExternalStore } from 'react';
import { agentDisplayName, mayStartOn, type Actor, type MachinePresence, type MachineSession } from '@pilothouse/protocol';
import type { ChannelSession } from '../app/channel-session.js';
import { threadPath } from '../app/route.js';
import { machineKey } from '../state/machines.js';
import { names } from '../state/steering.js';
import { Link } from './Link.js';
import { NewSessionDialog } from './NewSessionDialog.js';

const baseName = (path: string) => path.split(/[\\/]/).filter(Boolean).at(-1) ?? path;

function MachineSessionItem({ channel, session, current }: { channel: string; session: MachineSession; current: boolean }) {
  const label = session.branch ?? baseName(session.folder);
  return (
    <li className={`machine-session${current ? ' current' : ''}`} data-testid="machine-session" data-session={session.session_id} data-state={session.state}>
      {session.thread_id === null ? <span className="machine-session-name">{label}</span> : <Link to={threadPath(channel, session.thread_id)} current={current}>{label}</Link>}
      <span className="machine-session-state">{session.ending ?? session.state}</span>
    </li>
  );
}

function MachineItem({ channel, machine, me, currentThread, onNewSession }: { channel: string; machine: MachinePresence; me: Actor; currentThread: string | null; onNewSession: () => void }) {
  const presence = machine.online ? 'online' : 'offline';
  const mine = machine.owner.user_id === me.user_id;
  return (
    <li className="machine" data-testid="machine" data-machine={machine.name} data-online={machine.online}>
      <div className="machine-head">
        <span className={`dot ${presence}`} aria-hidden="true" />
        <strong className="machine-name">{machine.name}</strong>
        <span className="machine-presence">{presence}</span>
      </div>
      <div className="machine-meta">
        {machine.os}
        {mine ? null : ` · ${machine.owner.name}'s`}
        {' · '}
        {machine.agents.length === 0 ? 'no agent' : machine.agents.map((a) => `${agentDisplayName(a.name)} ${a.version}`).join(', ')}
      </div>
      {machine.sessions.length > 0 ? (
        <ul className="machine-sessions" aria-label={`Sessions on ${machine.name}`}>
          {machine.sessions.map((s) => (
            <MachineSessionItem key={s.session_id} channel={channel} session={s} current={s.thread_id !== null && s.thread_id === currentThread} />
          ))}
        </ul>
      ) : null}
      {mayStartOn(machine, me) ? (
        <button type="button" className="machine-new" data-testid="new-session" onClick={onNewSession}>
          New session
        </button>
      ) : (
        <p className="machine-note">Only {names([machine.owner.name, ...machine.limits.may_start])} may start sessions here.</p>
      )}
    </li>
  );
}

export function MachinesSection({ session, me, currentThread }: { session: ChannelSession; me: Actor; currentThread: string | null }) {
  const machines = useSyncExternalStore(session.subscribe, () => session.getSnapshot().machines.list);
  const [dialogFor, setDialogFor] = useState<string | null>(null);
  if (machines.length === 0) return null;
  return (
    <section className="workspace machines" data-testid="machines">
      <h2>Machines</h2>
      <ul>
        {machines.map((m) => (
          <MachineItem key={machineKey(m)} channel={session.channel} machine={m} me={me} currentThread={currentThread} onNewSession={() => setDialogFor(machineKey(m))} />
        ))}
      </ul>
      {dialogFor === null ? null : <NewSessionDialog session={session} machines={machines} me={me} initialMachine={dialogFor} onClose={() => setDialogFor(null)} />}
    </section>
  );
}
