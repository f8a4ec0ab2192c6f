// Turns the runner did not start. With `pilothouse run --tui` the owner's own Codex TUI shares
// the app-server and the thread (docs/decisions/tui-mirror.md): what the owner types there is
// mirrored into the hub thread as a `text` row authored by the runner (meta.source "tui"), keyed
// by turn and item so it is posted once, and the turn's items stream through the same pipeline
// as any turn. Messages from the thread queue behind a foreign turn; its approvals are left to
// the TUI, which shows them to the owner.

import type { AgentInput, RowData } from '../agent/vocabulary.js';
import { remember } from './bounded.js';
import { clientId, log } from './effects.js';
import { drain, finishedTurn, reconcileTurnRows } from './lifecycle.js';
import type { Ctx } from './state.js';
import { renderBounded } from './text.js';
import type { TurnOutcome } from './turn.js';

/** `meta.source` of a mirrored input row. */
export const TUI_SOURCE = 'tui';

export const isForeign = (ctx: Ctx, turnId: string): boolean => ctx.s.foreign === turnId;

/** turn/started: the runner's own turn (nothing to do), or one to follow as foreign. */
export function onTurnStarted(ctx: Ctx, turnId: string): void {
  const { s, out } = ctx;
  const t = s.turn;
  if (((t.status === 'active' || t.status === 'completing') && t.turnId === turnId) || s.foreign === turnId) return;
  if (s.finishedTurns.includes(turnId)) {
    out.push(log('debug', 'late_event_dropped', { turn_id: turnId, event: 'turn/started' }));
    return;
  }
  if (t.status === 'active' || t.status === 'completing') {
    // Codex runs one turn per thread at a time: input typed meanwhile steers the running turn.
    out.push(log('warn', 'turn_id_unexpected', { turn_id: turnId, source: 'turn/started', turn: t.status }));
    return;
  }
  if (s.foreign !== null) abandonForeign(ctx, { status: 'interrupted' }, 'another turn started');
  // While the runner's own turn/start is in flight this may still be its turn, or the TUI's turn
  // that its input is about to steer into: the turn/start response settles it (claimForeign).
  s.foreign = turnId;
  out.push(log('info', 'foreign_turn_started', { turn_id: turnId, runner_turn: t.status }));
  if (s.lastBeatAt === null) out.push({ type: 'runner_status', status: 'working', thread_id: s.bound });
  s.lastBeatAt ??= ctx.now;
}

/** The turn/start response named `turnId`: when it is the foreign turn, the starting message owns it. */
export function claimForeign(ctx: Ctx, turnId: string): void {
  const t = ctx.s.turn;
  if (ctx.s.foreign !== turnId || t.status !== 'starting') return;
  ctx.s.foreign = null;
  ctx.out.push(log('info', 'foreign_turn_claimed', { turn_id: turnId, message_id: t.message.message_id }));
}

/**
 * User input seen in a followed turn. The runner's own input carries the working message's id as
 * client id (the agent echoes it) and is not mirrored; neither is input without a client id
 * inside the runner's own turn (its turn start input). Everything else is the owner's.
 */
export function onUserInput(ctx: Ctx, input: Extract<AgentInput, { type: 'user_input' }>): void {
  const { s, out } = ctx;
  const { turnId, itemId: itemIdOf, clientId: sender } = input;
  const t = s.turn;
  if (sender !== null && t.status !== 'idle' && sender === t.message.message_id) return;
  if (sender === null && !isForeign(ctx, turnId)) return;
  const key = `${turnId}:${itemIdOf}`;
  if (s.mirrored.includes(key)) return;
  s.mirrored = remember(s.mirrored, key, s.config.registryCap);
  const rendered = renderBounded(input.text, s.config);
  out.push({
    type: 'post_row',
    turn_id: turnId,
    payload: {
      client_id: clientId(TUI_SOURCE, key),
      thread_id: s.bound,
      kind: 'text',
      body: rendered.body,
      meta: { source: TUI_SOURCE, turn_id: turnId, item_id: itemIdOf, ...(rendered.truncated ? { total_bytes: rendered.totalBytes, omitted_bytes: rendered.omittedBytes } : {}) },
    },
  });
  out.push(log('info', 'tui_input_mirrored', { turn_id: turnId, item_id: itemIdOf, chars: rendered.body.length, steered: !isForeign(ctx, turnId) }));
}

/** turn/completed of the foreign turn: close its rows like any turn's, then run what queued meanwhile. */
export function endForeign(ctx: Ctx, turnId: string, outcome: TurnOutcome, finals: readonly RowData[]): void {
  const { s, out } = ctx;
  closeRows(ctx, turnId, outcome, finals);
  out.push(log(outcome.status === 'failed' ? 'warn' : 'info', 'foreign_turn_completed', { turn_id: turnId, status: outcome.status, queued: s.queue.length }));
  drain(ctx);
}

/** The foreign turn will get no turn/completed (Codex exited, the runner closes): close its rows. */
export function abandonForeign(ctx: Ctx, outcome: TurnOutcome, reason: string): void {
  const turnId = ctx.s.foreign;
  if (turnId === null) return;
  closeRows(ctx, turnId, outcome, []);
  ctx.out.push(log('warn', 'foreign_turn_abandoned', { turn_id: turnId, reason }));
}

/** A request of the foreign turn: the TUI that started the turn shows and answers it. */
export function leftToTui(ctx: Ctx, turnId: string, what: string, requestId: string): boolean {
  if (!isForeign(ctx, turnId)) return false;
  ctx.out.push(log('info', 'approval_left_to_tui', { method: what, request_id: requestId, turn_id: turnId }));
  return true;
}

function closeRows(ctx: Ctx, turnId: string, outcome: TurnOutcome, finals: readonly RowData[]): void {
  ctx.s.foreign = null;
  finishedTurn(ctx, turnId);
  reconcileTurnRows(ctx, turnId, outcome, finals);
}
