import { describe, expect, it } from 'vitest';
import { parseCommand } from './commands.js';
import { initialReviewState, REVIEW_CAP, step, type ReviewEffect, type ReviewEvent, type ReviewState, type Target } from './review.js';

const alice = { user_id: 'u-alice', name: 'alice' };
const mallory = { user_id: 'u-mallory', name: 'mallory' };
const vite: Target = { port: 5173, pid: 100, command: 'node vite', cwd: '/repo' };
const other: Target = { port: 5173, pid: 200, command: 'python -m http.server 5173', cwd: '/repo' };

const base = (over: Partial<Parameters<typeof initialReviewState>[0]> = {}): ReviewState =>
  initialReviewState({ bound: true, allowed: [{ name: 'alice' }], suppressed: [4000], ...over });

/** Runs events in order; returns the final state and every non-log effect. */
function run(state: ReviewState, ...events: ReviewEvent[]): { state: ReviewState; effects: ReviewEffect[] } {
  const effects: ReviewEffect[] = [];
  for (const e of events) {
    const r = step(state, e);
    state = r.state;
    effects.push(...r.effects.filter((x) => x.type !== 'log'));
  }
  return { state, effects };
}
const skipReasons = (r: { effects: readonly ReviewEffect[] }) =>
  r.effects.flatMap((e) => (e.type === 'log' && e.event === 'forward_port_skipped' ? [e.fields.reason] : []));

const seen = (listener: Target): ReviewEvent => ({ type: 'listener_seen', listener });
const closed = (listener: Target): ReviewEvent => ({ type: 'listener_closed', listener });
const prompt = (id: string, t: Target): ReviewEffect => ({
  type: 'prompt',
  id,
  port: t.port,
  pid: t.pid,
  command: t.command,
  cwd: t.cwd,
  label: `Open runner port ${t.port} from ${t.command}?`,
  choices: [
    { decision: 'approve', label: 'Open preview', description: 'Proxy HTTP, HTTPS and WebSocket for that port' },
    { decision: 'deny', label: 'Deny', description: 'Keep it private for this session' },
  ],
});

describe('review: prompting', () => {
  it('prompts for a new listener with the structured payload', () => {
    const r = step(base(), seen(vite));
    expect(r.effects).toEqual([
      prompt('pf_1', vite),
      { type: 'log', level: 'info', event: 'forward_port_requested', fields: { id: 'pf_1', port: 5173, pid: 100, command: 'node vite', cwd: '/repo' } },
    ]);
    expect(r.state.pending).toEqual([{ id: 'pf_1', target: vite }]);
  });

  it('skips when not bound, suppressed, or already pending', () => {
    expect(skipReasons(step(base({ bound: false }), seen(vite)))).toEqual(['not_bound']);
    expect(skipReasons(step(base(), seen({ ...vite, port: 4000 })))).toEqual(['suppressed']);
    const once = step(base(), seen(vite)).state;
    const again = step(once, seen(vite));
    expect(skipReasons(again)).toEqual(['already_pending']);
    expect(again.state).toBe(once);
    // Binding later lets the next sighting prompt.
    expect(run(base({ bound: false }), { type: 'bound_changed', bound: true }, seen(vite)).effects).toEqual([prompt('pf_1', vite)]);
  });

  it('skips an approved port for the same process, and a dismissed one for the same process', () => {
    const approved = run(base(), seen(vite), { type: 'decision', id: 'pf_1', decision: 'approve', actor: alice, via: 'button' }).state;
    expect(skipReasons(step(approved, seen(vite)))).toEqual(['already_approved']);
    const denied = run(base(), seen(vite), { type: 'decision', id: 'pf_1', decision: 'deny', actor: alice, via: 'button' }).state;
    expect(skipReasons(step(denied, seen(vite)))).toEqual(['dismissed']);
    // A different process on a dismissed port is a new question.
    expect(run(denied, seen(other)).effects).toEqual([prompt('pf_2', other)]);
  });
});

describe('review: resolving', () => {
  it('approves by button and by chat command; denies with port_forward_denied', () => {
    const s1 = step(base(), seen(vite)).state;
    const byButton = step(s1, { type: 'decision', id: 'pf_1', decision: 'approve', actor: alice, via: 'button' });
    expect(byButton.effects).toEqual([
      { type: 'resolved', id: 'pf_1', port: 5173, outcome: 'approved', target: vite, actor: alice, via: 'button' },
      { type: 'log', level: 'info', event: 'decision', fields: { action: 'port_forward', actor: 'alice', target: 'pf_1', outcome: 'approved', port: 5173, via: 'button' } },
    ]);
    expect(byButton.state.pending).toEqual([]);
    expect(byButton.state.approved).toEqual([{ port: 5173, target: vite, source: 'prompt' }]);

    const byText = run(s1, { type: 'chat_command', text: '  /pilothouse deny-port-forward pf_1 ', actor: alice });
    expect(byText.effects).toEqual([{ type: 'resolved', id: 'pf_1', port: 5173, outcome: 'denied', target: vite, actor: alice, via: 'command' }]);
    expect(byText.state.dismissed).toEqual([vite]);
    const denyLog = step(s1, { type: 'chat_command', text: '/pilothouse deny-port-forward pf_1', actor: alice }).effects[1];
    expect(denyLog).toEqual({
      type: 'log',
      level: 'info',
      event: 'decision',
      fields: { action: 'port_forward', actor: 'alice', target: 'pf_1', outcome: 'denied', port: 5173, reason: 'port_forward_denied', via: 'command' },
    });
  });

  it('rejects unknown ids and senders who are not allowed, leaving the prompt open', () => {
    const s1 = step(base(), seen(vite)).state;
    expect(run(s1, { type: 'chat_command', text: '/pilothouse approve-port-forward pf_9', actor: alice }).effects).toEqual([
      { type: 'rejected', code: 'port_forward_request_not_found', id: 'pf_9', port: null, actor: alice },
    ]);
    const denied = run(s1, { type: 'decision', id: 'pf_1', decision: 'approve', actor: mallory, via: 'button' });
    expect(denied.effects).toEqual([{ type: 'rejected', code: 'sender_not_allowed', id: 'pf_1', port: 5173, actor: mallory }]);
    expect(denied.state).toBe(s1);
    expect(run(s1, { type: 'decision', id: 'pf_1', decision: 'approve', actor: null, via: 'button' }).effects[0]).toMatchObject({ code: 'sender_not_allowed' });
    // Once resolved, the id is gone.
    const done = run(s1, { type: 'decision', id: 'pf_1', decision: 'deny', actor: alice, via: 'button' }).state;
    expect(run(done, { type: 'decision', id: 'pf_1', decision: 'approve', actor: alice, via: 'button' }).effects[0]).toMatchObject({ code: 'port_forward_request_not_found' });
  });
});

describe('review: revocation and process exit', () => {
  it('revokes with listener_changed when a different process takes an approved port, and asks again', () => {
    const approved = run(base(), seen(vite), { type: 'decision', id: 'pf_1', decision: 'approve', actor: alice, via: 'button' }).state;
    const r = run(approved, seen(other));
    expect(r.effects).toEqual([{ type: 'revoked', port: 5173, previous: vite, reason: 'listener_changed' }, prompt('pf_2', other)]);
    expect(r.state.approved).toEqual([]);
  });

  it('closes a pending prompt and an approval when the process exits; the row is told', () => {
    const pending = run(base(), seen(vite), closed(vite));
    expect(pending.effects).toEqual([prompt('pf_1', vite), { type: 'closed', port: 5173, target: vite, id: 'pf_1', was: 'pending', reason: 'process_exited' }]);
    expect(pending.state.pending).toEqual([]);
    const approved = run(base(), seen(vite), { type: 'decision', id: 'pf_1', decision: 'approve', actor: alice, via: 'button' }, closed(vite));
    expect(approved.effects.at(-1)).toEqual({ type: 'closed', port: 5173, target: vite, id: null, was: 'approved', reason: 'process_exited' });
    expect(approved.state.approved).toEqual([]);
    // A closed listener we never tracked changes nothing.
    expect(step(base(), closed(vite)).effects).toEqual([]);
    // A dismissal ends with its process (the pid may be reused).
    const dismissed = run(base(), seen(vite), { type: 'decision', id: 'pf_1', decision: 'deny', actor: alice, via: 'button' }, closed(vite));
    expect(dismissed.state.dismissed).toEqual([]);
  });
});

describe('review: pre-approved and manual forwards', () => {
  it('approves --forward ports from the start, remembers the target found, and keeps them across exits', () => {
    const s0 = base({ initialForward: [5173, 5173, 0] });
    expect(s0.approved).toEqual([{ port: 5173, target: null, source: 'initial' }]);
    const found = step(s0, seen(vite));
    expect(found.effects).toEqual([
      { type: 'found', port: 5173, target: vite, source: 'initial' },
      { type: 'log', level: 'info', event: 'forward_port_target_found', fields: { port: 5173, pid: 100, source: 'initial' } },
    ]);
    expect(found.state.approved).toEqual([{ port: 5173, target: vite, source: 'initial' }]);
    const exited = run(found.state, closed(vite));
    expect(exited.state.approved).toEqual([{ port: 5173, target: null, source: 'initial' }]);
    // The next process on the port is simply remembered again (and served), no prompt.
    expect(run(exited.state, seen(other)).effects).toEqual([{ type: 'found', port: 5173, target: other, source: 'initial' }]);
  });

  it('/pilothouse forward <port> approves for the listen user, resolves a pending prompt, rejects others', () => {
    const manual = run(base(), { type: 'chat_command', text: '/pilothouse forward 8080', actor: alice });
    expect(manual.effects).toEqual([{ type: 'resolved', id: null, port: 8080, outcome: 'approved', target: null, actor: alice, via: 'manual' }]);
    expect(manual.state.approved).toEqual([{ port: 8080, target: null, source: 'manual' }]);
    const withPrompt = run(base(), seen(vite), { type: 'manual_forward', port: 5173, actor: alice });
    expect(withPrompt.effects.at(-1)).toMatchObject({ type: 'resolved', id: 'pf_1', outcome: 'approved', target: vite });
    expect(run(base(), { type: 'manual_forward', port: 8080, actor: mallory }).effects).toEqual([
      { type: 'rejected', code: 'sender_not_allowed', id: null, port: 8080, actor: mallory },
    ]);
    expect(run(base(), { type: 'chat_command', text: '/pilothouse forward 70000', actor: alice }).effects[0]).toMatchObject({ code: 'invalid_port' });
    expect(run(base(), { type: 'chat_command', text: '/pilothouse forward', actor: alice }).effects[0]).toMatchObject({ code: 'invalid_command' });
    expect(step(base(), { type: 'chat_command', text: 'hello /pilothouse forward 1', actor: alice }).effects).toEqual([]);
  });
});

describe('review: bounds', () => {
  it('keeps at most REVIEW_CAP pending prompts, closing the oldest as evicted', () => {
    let state = base();
    const effects: ReviewEffect[] = [];
    for (let i = 0; i <= REVIEW_CAP; i += 1) {
      const r = run(state, seen({ ...vite, port: 10_000 + i, pid: 1000 + i }));
      state = r.state;
      effects.push(...r.effects);
    }
    expect(state.pending).toHaveLength(REVIEW_CAP);
    expect(state.pending[0]!.id).toBe('pf_2');
    expect(effects.at(-1)).toMatchObject({ type: 'closed', id: 'pf_1', was: 'pending', reason: 'evicted' });
  });
});

describe('parseCommand', () => {
  it('parses the three commands and flags malformed ones', () => {
    expect(parseCommand('/pilothouse approve-port-forward pf_3')).toEqual({ type: 'approve', id: 'pf_3' });
    expect(parseCommand('/Pilothouse DENY-port-forward pf_3')).toEqual({ type: 'deny', id: 'pf_3' });
    expect(parseCommand('/pilothouse forward 3000')).toEqual({ type: 'forward', port: 3000 });
    expect(parseCommand('/pilothouse approve-port-forward')).toMatchObject({ type: 'malformed' });
    expect(parseCommand('/pilothouse forward abc')).toMatchObject({ type: 'malformed' });
    expect(parseCommand('/pilothouse status')).toBeNull();
    expect(parseCommand('approve-port-forward pf_3')).toBeNull();
  });
});
