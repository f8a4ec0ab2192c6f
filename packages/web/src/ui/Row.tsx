// One message, one row, whatever its kind: the header (author, kind, lifecycle, state badge, time)
// and the kind's renderer from the table. Memoised on the message object, so an append re-renders
// only the row it changed.

import { memo } from 'react';
import type { Message } from '@pilothouse/protocol';
import { RowStatusChip, StateBadge } from './badges.js';
import { KIND_LABELS, RENDERERS } from './renderers.js';
import type { RowContext } from './row-context.js';

const time = (iso: string) => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
};

export const Row = memo(function Row({ message, ctx }: { message: Message; ctx: RowContext }) {
  const Body = RENDERERS[message.kind];
  const byRunner = message.runner_id !== null;
  return (
    <article className={`row kind-${message.kind}${byRunner ? ' by-runner' : ''}`} data-kind={message.kind} data-message-id={message.id}>
      <header className="row-head">
        <span className="avatar" aria-hidden="true">
          {byRunner ? '◆' : (message.author.name[0] ?? '?').toUpperCase()}
        </span>
        <span className="author">{message.author.name}</span>
        {message.kind !== 'text' ? <span className="kind-label">{KIND_LABELS[message.kind]}</span> : null}
        {/* A port-forward row says where it stands in its own phase chip (waiting, open, closed…). */}
        {message.status && message.kind !== 'port_forward' ? <RowStatusChip status={message.status} /> : null}
        {message.state ? <StateBadge state={message.state} /> : null}
        <time dateTime={message.created_at}>{time(message.created_at)}</time>
      </header>
      <div className="row-body">
        <Body message={message} ctx={ctx} />
      </div>
    </article>
  );
});
