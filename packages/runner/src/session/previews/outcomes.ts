// What each review outcome does to the thread and the hub: prompt rows, row updates as a preview
// opens, is revoked or closes, and preview_open / preview_close. Pure: a `Run` carries the previews
// state of one step (replaced, never mutated) and the effects emitted so far.

import { assertNever, type DecisionVia } from '@pilothouse/protocol';
import { log, type Effect } from '../effects.js';
import type { ReviewEffect, Target, Via } from './review.js';
import { rowContent, type Phase, type RowFacts } from './rows.js';
import { previewIdFor, type OpenPreview, type PortRow, type PreviewsState, type PreviewView, type Prompt } from './state.js';

export interface Run {
  p: PreviewsState;
  readonly out: Effect[];
}

type StopReason = 'revoked' | 'process_exited' | 'evicted' | 'runner_closed';

export function perform(run: Run, effect: ReviewEffect): void {
  switch (effect.type) {
    case 'prompt': {
      const row: PortRow = { key: `port:${effect.id}`, facts: { port: effect.port, target: target(effect), request_id: effect.id, thread_id: run.p.threadId } };
      run.p = { ...run.p, prompts: [...run.p.prompts, { id: effect.id, row }] };
      postRow(run, row, { phase: 'prompt', choices: effect.choices, allowed: run.p.allowed });
      return;
    }
    case 'resolved': {
      const taken = takePrompt(run, effect.id);
      const by = effect.actor?.name ?? null;
      // The record of the decision stays on the row through its later phases.
      const decided = { by, via: decisionVia(effect.via) };
      const promptRow = taken === undefined ? undefined : { ...taken.row, facts: { ...taken.row.facts, decided } };
      if (effect.outcome === 'denied') {
        if (promptRow !== undefined) updateRow(run, promptRow, { phase: 'denied', by });
        return;
      }
      serve(run, effect.port, effect.target, effect.id, promptRow, by, decided);
      return;
    }
    case 'found': {
      const preview = previewOn(run, effect.port);
      if (preview === undefined) return serve(run, effect.port, effect.target, null, undefined, null);
      // A manual forward learns which process it serves.
      const row = { ...preview.row, facts: { ...preview.row.facts, target: effect.target } };
      replacePreview(run, { ...preview, row });
      updateRow(run, row, preview.view);
      return;
    }
    case 'revoked': {
      const preview = previewOn(run, effect.port);
      if (preview !== undefined) stop(run, preview, effect.reason === 'evicted' ? 'evicted' : 'revoked', { phase: 'revoked', preview_id: preview.id, why: effect.reason });
      return;
    }
    case 'closed': {
      if (effect.was === 'pending') {
        const prompt = takePrompt(run, effect.id);
        if (prompt !== undefined) updateRow(run, prompt.row, { phase: 'closed', preview_id: null, why: effect.reason, was: 'pending' });
        return;
      }
      const preview = previewOn(run, effect.port);
      if (preview === undefined || (preview.row.facts.target !== null && preview.row.facts.target.pid !== effect.target.pid)) return;
      stop(run, preview, effect.reason, { phase: 'closed', preview_id: preview.id, why: effect.reason, was: 'approved' });
      return;
    }
    case 'rejected':
      // The caller answers it (the message's state, or a notice row); the decision line is logged.
      return;
    case 'log':
      run.out.push(effect);
      return;
    default:
      return assertNever(effect, 'review effect');
  }
}

/** A reply to preview_open: the row shows the URL (once; a re-open of the same URL changes nothing). */
export function opened(run: Run, previewId: string, url: string): void {
  const preview = run.p.open.find((p) => p.id === previewId);
  if (preview === undefined) return;
  const again = preview.view.phase === 'ready' && preview.view.url === url;
  run.out.push(log('info', again ? 'forward_port_reopened' : 'forward_port_opened', { preview_id: previewId, port: preview.port, url }));
  if (again) return;
  showView(run, preview, { phase: 'ready', preview_id: previewId, url });
}

/** preview_open refused: said on the row (the next reconnect tries again). */
export function openFailed(run: Run, previewId: string, reason: string): void {
  const preview = run.p.open.find((p) => p.id === previewId);
  run.out.push(log('warn', 'forward_port_failed', { preview_id: previewId, port: preview?.port ?? null, err: reason }));
  if (preview !== undefined) showView(run, preview, { phase: 'unavailable', preview_id: previewId, reason });
}

/** After a reconnect the hub may have forgotten our previews: open each again (preview_open is idempotent). */
export function reopenAll(run: Run): void {
  for (const preview of run.p.open) openOnHub(run, preview);
}

/** The runner is closing: stop serving every preview, and every row says the runner closed. */
export function closeAll(run: Run): void {
  for (const preview of run.p.open) stop(run, preview, 'runner_closed', { phase: 'closed', preview_id: preview.id, why: 'runner_closed', was: 'approved' });
  for (const prompt of run.p.prompts) updateRow(run, prompt.row, { phase: 'closed', preview_id: null, why: 'runner_closed', was: 'pending' });
  run.p = { ...run.p, prompts: [], closed: true, scan: { status: 'off' } };
}

/** A review's way in as the protocol's DecisionVia (the record approvals keep too). */
function decisionVia(via: Via | 'manual'): DecisionVia {
  switch (via) {
    case 'button':
      return 'control';
    case 'command':
    case 'manual':
      return 'chat_command';
    case 'push':
    case 'email':
      return via;
    default:
      return assertNever(via, 'review via');
  }
}

/** An approved port: a new preview, shown in the prompt's row (or a new row), opened on the hub. */
function serve(run: Run, port: number, tgt: Target | null, requestId: string | null, promptRow: PortRow | undefined, by: string | null, decided?: RowFacts['decided']): void {
  const old = previewOn(run, port);
  if (old !== undefined) stop(run, old, 'revoked', { phase: 'revoked', preview_id: old.id, why: 'listener_changed' });
  const { p } = run;
  const id = previewIdFor(p.config.secret, p.previewsOpened + 1);
  const view: PreviewView = { phase: 'opening', preview_id: id, by };
  let row: PortRow;
  if (promptRow === undefined) {
    row = { key: `port:${p.config.idPrefix}r${p.rowsPosted + 1}`, facts: { port, target: tgt, request_id: requestId, thread_id: p.threadId, decided } };
    run.p = { ...p, rowsPosted: p.rowsPosted + 1 };
    postRow(run, row, view);
  } else {
    row = { ...promptRow, facts: { ...promptRow.facts, target: tgt ?? promptRow.facts.target } };
    updateRow(run, row, view);
  }
  const preview: OpenPreview = { id, port, row, view };
  run.p = { ...run.p, previewsOpened: run.p.previewsOpened + 1, open: [...run.p.open, preview] };
  openOnHub(run, preview);
}

function stop(run: Run, preview: OpenPreview, reason: StopReason, phase: Phase): void {
  run.p = { ...run.p, open: run.p.open.filter((p) => p.id !== preview.id) };
  updateRow(run, preview.row, phase);
  run.out.push({ type: 'preview_close', payload: { preview_id: preview.id, reason } });
}

function openOnHub(run: Run, preview: OpenPreview): void {
  run.out.push({ type: 'preview_open', payload: { preview_id: preview.id, port: preview.port, thread_id: run.p.threadId } });
}

function showView(run: Run, preview: OpenPreview, view: PreviewView): void {
  replacePreview(run, { ...preview, view });
  updateRow(run, preview.row, view);
}

function previewOn(run: Run, port: number): OpenPreview | undefined {
  return run.p.open.find((p) => p.port === port);
}

function replacePreview(run: Run, preview: OpenPreview): void {
  run.p = { ...run.p, open: run.p.open.map((p) => (p.id === preview.id ? preview : p)) };
}

function takePrompt(run: Run, id: string | null): Prompt | undefined {
  const prompt = id === null ? undefined : run.p.prompts.find((p) => p.id === id);
  if (prompt !== undefined) run.p = { ...run.p, prompts: run.p.prompts.filter((p) => p !== prompt) };
  return prompt;
}

function postRow(run: Run, row: PortRow, phase: Phase): void {
  const { body, meta, status } = rowContent(row.facts, phase);
  run.out.push({
    type: 'post_row',
    turn_id: null,
    payload: { client_id: row.key, thread_id: run.p.threadId, item_key: row.key, kind: 'port_forward', body, meta, ...(status === null ? {} : { status }) },
  });
}

function updateRow(run: Run, row: PortRow, phase: Phase): void {
  const { body, meta, status } = rowContent(row.facts, phase);
  run.out.push({ type: 'update_row', turn_id: null, payload: { item_key: row.key, body, meta, status } });
}

function target(t: { port: number; pid: number; command: string; cwd: string }): Target {
  return { port: t.port, pid: t.pid, command: t.command, cwd: t.cwd };
}
