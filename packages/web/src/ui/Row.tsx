// One message, one row, whatever its kind: the header (author, kind, lifecycle, state badge, time)
// and the kind's renderer from the table. Memoised on the message object, so an append re-renders
// only the row it changed.

import { memo, useState } from 'react';
import type { Message } from '@pilothouse/protocol';
import { formatSize } from '../render/clip.js';
import { RowStatusChip, StateBadge } from './badges.js';
import { KIND_LABELS, RENDERERS } from './renderers.js';
import type { RowContext } from './row-context.js';
import { AgentSignature, CommandStateChip } from './truth.js';
import { Time } from './Time.js';

/** The part of a clipped body that was not sent (docs/protocol.md §5: get_thread clips big bodies). */
function NotLoaded({ message, length, ctx }: { message: Message; length: number; ctx: RowContext }) {
  const [state, setState] = useState<{ type: 'idle' } | { type: 'loading' } | { type: 'failed'; message: string }>({ type: 'idle' });
  const load = () => {
    setState({ type: 'loading' });
    ctx.loadBody(message.id).then(
      () => setState({ type: 'idle' }),
      (err: Error) => setState({ type: 'failed', message: `Could not load the rest: ${err.message}` }),
    );
  };
  return (
    <p className="not-loaded">
      <button type="button" className="show-all" disabled={state.type === 'loading'} onClick={load}>
        {state.type === 'loading' ? 'Loading…' : `… ${formatSize(length - message.body.length)} more not loaded. Load the rest`}
      </button>
      {state.type === 'failed' ? <span role="alert"> {state.message}</span> : null}
    </p>
  );
}

export const Row = memo(function Row({ message, clipped, ctx }: { message: Message; clipped?: number | undefined; ctx: RowContext }) {
  const Body = RENDERERS[message.kind];
  const byRunner = message.runner_id !== null;
  // A runner row speaks for the agent, not for the runner's user (truth.tsx).
  const agent = byRunner ? ctx.agentOf(message) : null;
  return (
    <article className={`row kind-${message.kind}${byRunner ? ' by-runner' : ''}`} data-kind={message.kind} data-message-id={message.id}>
      <header className="row-head">
        {agent !== null ? (
          <AgentSignature who={agent} />
        ) : (
          <>
            <span className="avatar" aria-hidden="true">
              {(message.author.name[0] ?? '?').toUpperCase()}
            </span>
            <span className="author">{message.author.name}</span>
          </>
        )}
        {message.kind !== 'text' ? <span className="kind-label">{KIND_LABELS[message.kind]}</span> : null}
        {/* A port-forward row says where it stands in its own phase chip (waiting, open, closed…); a command what it does. */}
        {message.kind === 'command' ? <CommandStateChip message={message} /> : message.status && message.kind !== 'port_forward' ? <RowStatusChip status={message.status} /> : null}
        {message.state ? <StateBadge state={message.state} /> : null}
        <Time iso={message.created_at} />
      </header>
      <div className="row-body">
        <Body message={message} ctx={ctx} />
        {clipped !== undefined ? <NotLoaded message={message} length={clipped} ctx={ctx} /> : null}
      </div>
    </article>
  );
});
