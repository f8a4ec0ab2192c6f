// A few decisions on the record, for the pages that show the audit log (a11y, screenshots): bob's
// refused interrupt and rename (he may not steer alice's session), a wrong password, alice's
// permitted interrupt, all through the hub's own paths; and one coalesced row of repeated join
// refusals written as the hub's coalescer writes it when its window ends (limits/audit-coalesce.ts).

import { push, PushError } from '@pilothouse/hub/testing';
import type { SessionHarness } from './session-harness.js';

/** The error code a push was refused with (throws if it was not refused). */
async function refusedWith(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof PushError) return err.code;
    throw err;
  }
  throw new Error('expected a refusal');
}

export async function seedAudit(h: SessionHarness): Promise<void> {
  const bob = await h.hub.store.userByName('bob');
  if (!bob) throw new Error('no user bob');
  await h.hub.store.audit({ actor: { id: bob.id, name: 'bob' }, action: 'join_refused', channel: 'acme/ops', detail: { code: 'not_member', repeated: 12, window_ms: 60_000, channels: ['acme/ops', 'acme/billing'] } });
  const refusals = [
    await refusedWith(h.control(h.bob, { type: 'interrupt' })),
    await refusedWith(push(h.bob.channel, 'set_title', { thread_id: h.runner.threadId, title: 'mine now' })),
  ];
  if (refusals.some((c) => c !== 'sender_not_allowed')) throw new Error(`bob was not refused: ${refusals.join(', ')}`);
  const login = await fetch(`${h.hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'alice', password: 'not her password' }) });
  if (login.status !== 401) throw new Error(`a wrong password got ${login.status}`);
  await h.control(h.alice, { type: 'interrupt' });
}
