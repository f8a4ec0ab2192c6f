// Shows a channel's content only once it is joined; a refused join becomes a clear message (not a
// member, no such channel) instead of an empty page.

import type { ReactNode } from 'react';
import type { JoinState } from '../state/channel.js';
import { assertNever } from '@pilothouse/protocol';

function refusal(channel: string, code: string, message: string, me: string): string {
  switch (code) {
    case 'not_member':
      return `You are not a member of ${channel}. Ask an admin to add you (pilothouse member add ${channel} ${me}).`;
    case 'channel_not_found':
      return `There is no channel ${channel}.`;
    default:
      return `You cannot open ${channel}: ${message}`;
  }
}

export function ChannelGate({ channel, join, me, children }: { channel: string; join: JoinState; me: string; children: ReactNode }) {
  switch (join.status) {
    case 'joining':
      return <p className="placeholder">Joining {channel}…</p>;
    case 'refused':
      return (
        <div className="refused" role="alert" data-code={join.code}>
          {refusal(channel, join.code, join.message, me)}
        </div>
      );
    case 'joined':
      return <>{children}</>;
    default:
      return assertNever(join, 'join state');
  }
}
