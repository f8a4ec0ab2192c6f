// Who is in the thread now: an avatar per person watching (the name on hover) and who is typing.
// What the hub last sent for this thread (ephemeral presence, docs/protocol.md §6.1).

import type { Actor, ThreadPresence } from '@pilothouse/protocol';

const initials = (name: string) => name.slice(0, 2).toUpperCase();

/** A steady colour per person, from their id. */
function hue(id: string): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) % 360;
  return h;
}

function typingLine(typing: readonly Actor[]): string {
  const names = typing.map((a) => a.name);
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length <= 3) return `${names.slice(0, -1).join(', ')} and ${names.at(-1)} are typing…`;
  return `${names.length} people are typing…`;
}

export function Watchers({ presence, me }: { presence: ThreadPresence | undefined; me: Actor }) {
  if (!presence || presence.watching.length === 0) return null;
  const typing = presence.typing.filter((a) => a.user_id !== me.user_id);
  return (
    <div className="watchers-bar">
      <ul className="watchers" aria-label={`Watching now: ${presence.watching.map((a) => a.name).join(', ')}`}>
        {presence.watching.map((a) => (
          <li key={a.user_id} className="avatar" data-user={a.name} title={a.name} style={{ ['--avatar-hue' as string]: String(hue(a.user_id)) }}>
            {initials(a.name)}
          </li>
        ))}
      </ul>
      {typing.length > 0 ? (
        <span className="typing" role="status">
          {typingLine(typing)}
        </span>
      ) : null}
    </div>
  );
}
