// Deciding from an alert, as safe as deciding in the page: a decision code is minted just before
// an alert is sent, bound to one prompt, one choice and one person, short-lived, kept only as its
// SHA-256, and good once. Redeeming it checks everything a `control` push would (membership, the
// session's steerers, the prompt's own deciders, the prompt still open) and records the decision
// as that person's control, with the medium it came through.

import { randomBytes, randomUUID } from 'node:crypto';
import {
  Approval,
  MessageState,
  mayDecide,
  PilothouseError,
  PortForwardMeta,
  sessionRunner,
  type AlertMedium,
  type ControlAction,
} from '@pilothouse/protocol';
import { digest } from '../auth/secrets.js';
import type { Store } from '../store/store.js';
import type { PromptTarget } from './delivery.js';

/** How long a code from a push lives (a tap comes within minutes) and one from an email (read later). */
export const CODE_TTL_MS: Record<AlertMedium, number> = { push: 30 * 60_000, email: 2 * 60 * 60_000 };

export interface CodeGrant {
  readonly userId: string;
  readonly channelId: string;
  readonly threadId: string;
  readonly target: PromptTarget;
  readonly medium: AlertMedium;
}

/** One code per choice; each expires with the medium's TTL or the prompt's own deadline, whichever is sooner. */
export async function mintCodes(store: Store, grant: CodeGrant, choices: readonly string[], now = new Date()): Promise<Record<string, string>> {
  const deadline = grant.target.expires_at === null ? Infinity : Date.parse(grant.target.expires_at);
  const expiresAt = new Date(Math.min(now.getTime() + CODE_TTL_MS[grant.medium], Number.isFinite(deadline) ? deadline : Infinity)).toISOString();
  const codes: Record<string, string> = {};
  for (const choice of choices) {
    const code = randomBytes(24).toString('base64url');
    await store.db
      .insertInto('decision_codes')
      .values({ code_hash: digest(code), user_id: grant.userId, channel_id: grant.channelId, thread_id: grant.threadId, message_id: grant.target.message_id,
        request_id: grant.target.request_id, prompt: grant.target.prompt, choice, medium: grant.medium, expires_at: expiresAt, used_at: null, created_at: now.toISOString() })
      .execute();
    codes[choice] = code;
  }
  return codes;
}

/** What a code would decide, for the confirmation page (nothing changes). */
export interface CodePreview {
  readonly summary: string;
  readonly choice: string;
  readonly channel: string;
  readonly threadId: string;
  readonly expiresAt: string;
}

async function lookup(store: Store, code: string, now: Date) {
  const row = await store.db.selectFrom('decision_codes').selectAll().where('code_hash', '=', digest(code)).executeTakeFirst();
  if (!row) throw new PilothouseError('decision_code_invalid', 'This decision link is not valid: it may have been mistyped or forged.');
  if (row.used_at !== null) throw new PilothouseError('decision_code_used', 'This decision link was already used; each works once.');
  if (Date.parse(row.expires_at) <= now.getTime()) throw new PilothouseError('decision_code_expired', 'This decision link expired; open the thread to decide there.');
  return row;
}

/** The prompt as it stands: its summary and allowed deciders while it is open, or prompt_settled. */
async function openPrompt(store: Store, row: { channel_id: string; message_id: string; request_id: string; prompt: string }): Promise<Approval> {
  const message = await store.getMessage(row.channel_id, row.message_id);
  let approval: Approval | null = null;
  if (message && row.prompt === 'approval') {
    const state = message.state === null ? null : MessageState.safeParse(message.state);
    approval = state?.success ? (state.data.approval ?? null) : null;
  } else if (message && row.prompt === 'port_forward') {
    const meta = PortForwardMeta.extend({ approval: Approval.nullable().optional() }).safeParse(message.meta ?? {});
    approval = meta.success && meta.data.phase === 'prompt' ? (meta.data.approval ?? null) : null;
  }
  if (approval === null || approval.request_id !== row.request_id) throw new PilothouseError('prompt_settled', 'This prompt was already decided, withdrawn or expired.');
  return approval;
}

/** Whether the prompt an alert is about still waits for a decision (the worker skips settled ones). */
export async function promptStillOpen(store: Store, channelId: string, target: PromptTarget): Promise<boolean> {
  try {
    await openPrompt(store, { channel_id: channelId, message_id: target.message_id, request_id: target.request_id, prompt: target.prompt });
    return true;
  } catch (err) {
    if (err instanceof PilothouseError && err.code === 'prompt_settled') return false;
    throw err;
  }
}

/** A choice as the prompt words it ("Approve" for `approve`). */
const choiceLabel = (approval: Approval, choice: string): string => approval.choices.find((c) => c.id === choice)?.label ?? choice;

/** `workspace/channel` of a channel id. */
async function channelName(store: Store, channelId: string): Promise<string> {
  const c = await store.db
    .selectFrom('channels')
    .innerJoin('workspaces', 'workspaces.id', 'channels.workspace_id')
    .select(['workspaces.name as ws', 'channels.name as ch'])
    .where('channels.id', '=', channelId)
    .executeTakeFirstOrThrow();
  return `${c.ws}/${c.ch}`;
}

export async function previewCode(store: Store, code: string, now = new Date()): Promise<CodePreview> {
  const row = await lookup(store, code, now);
  const approval = await openPrompt(store, row);
  const channel = await channelName(store, row.channel_id);
  return { summary: approval.summary, choice: choiceLabel(approval, row.choice), channel, threadId: row.thread_id, expiresAt: row.expires_at };
}

/**
 * Decides with `code`: refused when it is unknown, used, expired, its prompt settled, or its
 * person may no longer decide; otherwise recorded once as that person's control (`via` the
 * medium), and every code of the same prompt and person is spent with it.
 */
export async function redeemCode(
  store: Store,
  code: string,
  now = new Date(),
): Promise<{ seq: number; control_id: string; choice: string; label: string; thread_id: string }> {
  const row = await lookup(store, code, now);
  const approval = await openPrompt(store, row);
  const [user, member, root, runners] = await Promise.all([
    store.userById(row.user_id),
    store.isMember(row.channel_id, row.user_id),
    store.getMessage(row.channel_id, row.thread_id),
    store.runnersOf(row.channel_id),
  ]);
  const actor = { user_id: row.user_id, name: user?.name ?? '' };
  const runner = root ? sessionRunner(root, runners) : null;
  const auditRef = { actor: { id: row.user_id, name: actor.name }, channel: await channelName(store, row.channel_id) };
  const detail = { thread_id: row.thread_id, request_id: row.request_id, choice: row.choice, via: row.medium };
  if (!user || !member) {
    await store.audit({ ...auditRef, action: 'control_refused', detail: { ...detail, code: 'not_member' } });
    throw new PilothouseError('not_member', `${actor.name || 'This person'} is no longer a member of ${auditRef.channel}.`);
  }
  if (!runner) throw new PilothouseError('no_runner', 'The runner of this session is not connected; decide once it is back.');
  if (!mayDecide(runner.allowed, actor) || !mayDecide(approval.allowed, actor)) {
    await store.audit({ ...auditRef, action: 'control_refused', detail: { ...detail, code: 'sender_not_allowed' } });
    throw new PilothouseError('sender_not_allowed', `${actor.name} may no longer decide this prompt.`);
  }
  // Spend it (and its siblings: the other choices of the same prompt) exactly once.
  const spent = await store.db
    .updateTable('decision_codes')
    .set({ used_at: now.toISOString() })
    .where('code_hash', '=', digest(code))
    .where('used_at', 'is', null)
    .executeTakeFirst();
  if (Number(spent.numUpdatedRows) !== 1) throw new PilothouseError('decision_code_used', 'This decision link was already used; each works once.');
  await store.db
    .updateTable('decision_codes')
    .set({ used_at: now.toISOString() })
    .where('user_id', '=', row.user_id)
    .where('request_id', '=', row.request_id)
    .where('used_at', 'is', null)
    .execute();
  const action: ControlAction =
    row.prompt === 'port_forward'
      ? { type: 'resolve_port_forward', request_id: row.request_id, decision: row.choice === 'approve' ? 'approve' : 'deny' }
      : { type: 'resolve_approval', request_id: row.request_id, choice: row.choice };
  const medium = row.medium === 'email' ? 'email' : 'push';
  const result = await store.recordControl(row.channel_id, actor, { client_id: `alert:${randomUUID()}`, thread_id: row.thread_id, action, via: medium });
  await store.audit({ ...auditRef, action: 'approval_decided', detail: { ...detail, control_id: result.control_id } });
  // `label`: the choice as the prompt words it (the confirmation page showed it so).
  const label = choiceLabel(approval, row.choice);
  return { ...result, choice: row.choice, label, thread_id: row.thread_id };
}
