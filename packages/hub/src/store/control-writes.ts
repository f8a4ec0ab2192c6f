// Control events (approve, interrupt, retry…) in the log: found again by client id, so a repeat
// returns the original, and recorded with who sent them.

import { randomUUID } from 'node:crypto';
import type { Actor, AlertMedium, ChannelEvent, ControlAction } from '@pilothouse/protocol';
import type { WriteOp } from './write-queue.js';
import { emitted, insertEvent, nextSeq, type Trx } from './log-events.js';

export async function findControl(
  db: Pick<Trx, 'selectFrom'>,
  channelId: string,
  actorId: string,
  clientId: string,
): Promise<{ seq: number; control_id: string } | undefined> {
  const earlier = await db
    .selectFrom('events')
    .select(['seq', 'data'])
    .where('channel_id', '=', channelId)
    .where('actor_id', '=', actorId)
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  return earlier && { seq: Number(earlier.seq), control_id: (JSON.parse(earlier.data) as { control_id: string }).control_id };
}

export function recordControl(
  channelId: string,
  actor: Actor,
  input: { client_id: string; thread_id: string; action: ControlAction; via?: AlertMedium },
): WriteOp<{ seq: number; control_id: string }> {
  return async (trx) => {
    const earlier = await findControl(trx, channelId, actor.user_id, input.client_id);
    if (earlier) return emitted(channelId, earlier);
    const seq = await nextSeq(trx, channelId);
    const controlId = randomUUID();
    const event: ChannelEvent = {
      type: 'control',
      payload: { seq, control_id: controlId, thread_id: input.thread_id, actor, action: input.action, ...(input.via ? { via: input.via } : {}) },
    };
    await insertEvent(trx, channelId, event, { actor_id: actor.user_id, client_id: input.client_id });
    return emitted(channelId, { seq, control_id: controlId }, event);
  };
}
