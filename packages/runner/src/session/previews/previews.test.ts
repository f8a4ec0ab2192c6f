// Port forwarding inside the session: scans, buttons and `/pilothouse …` commands fed to `step`,
// and the rows, row updates, preview pushes and message states that come out, as plain values.
import { describe, expect, it } from 'vitest';
import { nextDeadline } from '../session.js';
import { ALICE, BOB, Harness, HUB_THREAD, hubControl, hubMessage, only } from '../../../test/session-fixtures.js';
import type { Effect } from '../effects.js';
import { inlineCode } from './rows.js';
import { previewApproved, previewIdFor, type PreviewsConfig } from './state.js';
import type { Target } from './review.js';

const SECRET = 'a-test-secret-of-forty-characters-000000';
const P1 = previewIdFor(SECRET, 1);
const P2 = previewIdFor(SECRET, 2);
const vite: Target = { port: 5173, pid: 100, command: 'node vite', cwd: '/repo' };
const other: Target = { port: 5173, pid: 200, command: 'python3 -m http.server 5173', cwd: '/repo' };
const other2: Target = { port: 5174, pid: 300, command: 'node api', cwd: '/repo' };

function setup(over: Partial<PreviewsConfig> = {}) {
  const h = new Harness({ previews: { idPrefix: 'pf-t-', secret: SECRET, initialForward: [], suppressed: [], scanMs: 1000, ...over } });
  let seq = 0;
  const scan = (...listeners: Target[]) => h.feed({ type: 'listeners_scanned', listeners });
  const opened = (id: string) => h.feed({ type: 'preview_opened', preview_id: id, url: `http://${id}.preview.test` });
  const decide = (request_id: string, decision: 'approve' | 'deny', who: { user_id: string; name: string } = ALICE, at = (seq += 1)) =>
    h.hub_(hubControl(who, { type: 'resolve_port_forward', request_id, decision }, at));
  /** A chat command; its outcome as the message's state says it (error: failed, note: processed). */
  const command = (text: string, who: { user_id: string; name: string } = ALICE) => {
    seq += 1;
    h.hub_(hubMessage(who, text, { seq }));
    const last = h.hub.lastState(`msg-${seq}`);
    return last?.state === 'failed' ? { error: last.reason, note: null } : { error: null, note: last?.reason ?? null };
  };
  const rows = (kind?: string) => only(h.effects, 'post_row').filter((e) => kind === undefined || e.payload.kind === kind);
  const updates = () => only(h.effects, 'update_row').map((e) => e.payload);
  const previewPushes = () => h.effects.flatMap((e) => (e.type === 'preview_open' || e.type === 'preview_close' ? [[e.type, e.payload] as const] : []));
  const logs = () => only(h.effects, 'log').map((e) => e.event);
  const approved = (id: string, port: number) => previewApproved(h.state.previews, id, port);
  return { h, scan, opened, decide, command, rows, updates, previewPushes, logs, approved };
}

describe('port forwarding: prompts', () => {
  it('posts a prompt row with the process and an approval only allowed actors may answer', () => {
    const t = setup();
    t.scan(vite);
    expect(t.rows()).toEqual([
      {
        type: 'post_row',
        turn_id: null,
        payload: {
          client_id: 'port:pf-t-1',
          thread_id: HUB_THREAD,
          item_key: 'port:pf-t-1',
          kind: 'port_forward',
          body: 'Open runner port 5173 from `node vite`? Answer with the buttons, or `/pilothouse approve-port-forward pf-t-1` / `/pilothouse deny-port-forward pf-t-1`.',
          meta: {
            port: 5173,
            pid: 100,
            command: 'node vite',
            cwd: '/repo',
            phase: 'prompt',
            request_id: 'pf-t-1',
            preview_id: null,
            url: null,
            thread_id: HUB_THREAD,
            reason: null,
            approval: {
              request_id: 'pf-t-1',
              kind: 'port_forward',
              summary: 'Open runner port 5173 from node vite?',
              reason: null,
              choices: [
                { id: 'approve', label: 'Open preview', description: 'Proxy HTTP, HTTPS and WebSocket for that port' },
                { id: 'deny', label: 'Deny', description: 'Keep it private for this session' },
              ],
              allowed: [{ name: 'alice', user_id: 'u-alice' }],
              detail: { port: 5173, pid: 100, command: 'node vite', cwd: '/repo' },
            },
          },
        },
      },
    ]);
    // Seen again on the next scan: still one prompt.
    t.scan(vite);
    expect(t.rows()).toHaveLength(1);
    expect(t.logs()).toContain('forward_port_requested');
  });

  it('approve by button: the row opens a preview, then shows it ready; the tunnel may serve it', () => {
    const t = setup();
    t.scan(vite);
    t.decide('pf-t-1', 'approve');
    expect(t.updates()[0]).toMatchObject({ item_key: 'port:pf-t-1', status: 'streaming', meta: { phase: 'ready', preview_id: P1, url: null, approval: null } });
    expect(t.previewPushes()).toEqual([['preview_open', { preview_id: P1, port: 5173, thread_id: HUB_THREAD }]]);
    expect(t.approved(P1, 5173)).toBe(true);
    expect(t.approved(P1, 5174)).toBe(false);
    t.opened(P1);
    expect(t.updates().at(-1)).toEqual({
      item_key: 'port:pf-t-1',
      body: 'Preview of port 5173 (`node vite`, pid 100) is open.',
      status: 'completed',
      meta: {
        port: 5173,
        pid: 100,
        command: 'node vite',
        cwd: '/repo',
        phase: 'ready',
        request_id: 'pf-t-1',
        preview_id: P1,
        url: `http://${P1}.preview.test`,
        thread_id: HUB_THREAD,
        reason: null,
        approval: null,
        decided_by: 'alice',
        decided_via: 'control',
      },
    });
    expect(t.logs()).toContain('forward_port_opened');
  });

  it('a decision from an alert (a decision code) is recorded with its channel, on the row and in its words', () => {
    const t = setup();
    t.scan(vite);
    t.h.hub_(hubControl(ALICE, { type: 'resolve_port_forward', request_id: 'pf-t-1', decision: 'approve' }, 50, { via: 'push' }));
    expect(t.updates()[0]).toMatchObject({
      body: 'Port 5173 (`node vite`, pid 100) is approved by alice from a push notification; opening its preview…',
      meta: { decided_by: 'alice', decided_via: 'push' },
    });
    t.scan(vite, other2);
    t.h.hub_(hubControl(ALICE, { type: 'resolve_port_forward', request_id: 'pf-t-2', decision: 'deny' }, 51, { via: 'email' }));
    expect(t.updates().at(-1)).toMatchObject({
      item_key: 'port:pf-t-2',
      body: 'Port 5174 (`node api`, pid 300) stays private: denied by alice from an emailed link.',
      meta: { phase: 'denied', decided_by: 'alice', decided_via: 'email' },
    });
  });

  it('shows the hub refusing preview_open on the row, and tries again after a reconnect', () => {
    const t = setup();
    t.scan(vite);
    t.command('/pilothouse approve-port-forward pf-t-1');
    t.h.feed({ type: 'preview_open_failed', preview_id: P1, error: 'preview_unavailable: This hub does not serve previews yet.' });
    expect(t.updates().at(-1)).toMatchObject({
      status: 'failed',
      meta: { phase: 'ready', url: null, reason: 'preview_unavailable: This hub does not serve previews yet.' },
    });
    t.h.feed({ type: 'hub_reconnected' });
    expect(t.previewPushes()).toEqual([
      ['preview_open', { preview_id: P1, port: 5173, thread_id: HUB_THREAD }],
      ['preview_open', { preview_id: P1, port: 5173, thread_id: HUB_THREAD }],
    ]);
  });

  it('deny by button: the row says so and the process is not asked about again', () => {
    const t = setup();
    t.scan(vite);
    t.decide('pf-t-1', 'deny');
    expect(t.updates()).toEqual([
      expect.objectContaining({ body: 'Port 5173 (`node vite`, pid 100) stays private: denied by alice.', status: 'declined', meta: expect.objectContaining({ phase: 'denied', reason: 'port_forward_denied' }) }),
    ]);
    t.scan(vite);
    expect(t.rows()).toHaveLength(1);
    t.scan();
    t.scan(vite);
    // A new process (or the same pid after it exited) is asked about afresh.
    expect(t.rows()).toHaveLength(2);
    expect(t.previewPushes()).toEqual([]);
  });

  it('never prompts for a --no-forward port', () => {
    const t = setup({ suppressed: [5173] });
    t.scan(vite, { ...vite, port: 8000 });
    expect(t.rows().map((r) => r.payload.item_key)).toEqual(['port:pf-t-1']);
    expect(t.rows()[0]!.payload.meta).toMatchObject({ port: 8000 });
    expect(only(t.h.effects, 'log').find((l) => l.event === 'forward_port_skipped')?.fields).toEqual({ reason: 'suppressed', port: 5173, pid: 100 });
  });
});

describe('port forwarding: revocation and exits', () => {
  it('another process on an approved port: preview closed, row revoked, and a new prompt', () => {
    // The old process still listens too (the port changed hands between two scans).
    const t = setup();
    t.scan(vite);
    t.decide('pf-t-1', 'approve');
    t.opened(P1);
    t.scan(vite, other);
    expect(t.previewPushes().at(-1)).toEqual(['preview_close', { preview_id: P1, reason: 'revoked' }]);
    expect(t.approved(P1, 5173)).toBe(false);
    expect(t.updates().at(-1)).toMatchObject({
      item_key: 'port:pf-t-1',
      status: 'interrupted',
      meta: { phase: 'revoked', preview_id: P1, reason: 'another process now listens on the port' },
    });
    expect(t.rows().at(-1)).toMatchObject({ payload: { item_key: 'port:pf-t-2', meta: { phase: 'prompt', pid: 200 } } });
    expect(t.logs()).toContain('forward_port_revoked');
  });

  it('the process exits: preview closed and the row says so; a pending prompt closes too', () => {
    const t = setup();
    t.scan(vite);
    t.decide('pf-t-1', 'approve');
    t.opened(P1);
    t.scan();
    expect(t.previewPushes().at(-1)).toEqual(['preview_close', { preview_id: P1, reason: 'process_exited' }]);
    expect(t.updates().at(-1)).toMatchObject({ body: 'Preview of port 5173 (`node vite`, pid 100) closed: the process exited.', meta: { phase: 'closed', reason: 'the process exited' } });

    t.scan(other);
    t.scan();
    expect(t.updates().at(-1)).toMatchObject({ item_key: 'port:pf-t-2', status: 'interrupted', meta: { phase: 'closed', request_id: 'pf-t-2' } });
    expect(t.command('/pilothouse approve-port-forward pf-t-2')).toEqual({
      error: 'port_forward_request_not_found: No pending port-forward request "pf-t-2" (already decided, closed, or never asked).',
      note: null,
    });
  });

  it('closing the runner closes every preview and prompt', () => {
    const t = setup();
    t.scan(vite);
    t.decide('pf-t-1', 'approve');
    t.scan(vite, { ...other, port: 8000 });
    t.opened(P1);
    t.h.feed({ type: 'close', reason: 'bye' });
    expect(t.previewPushes().at(-1)).toEqual(['preview_close', { preview_id: P1, reason: 'runner_closed' }]);
    expect(t.updates().slice(-2).map((u) => [u.item_key, (u.meta as { phase: string }).phase, (u.meta as { reason: string }).reason])).toEqual([
      ['port:pf-t-1', 'closed', 'the runner closed'],
      ['port:pf-t-2', 'closed', 'the runner closed'],
    ]);
    expect(t.approved(P1, 5173)).toBe(false);
    // No more scans once closed.
    expect(nextDeadline(t.h.state)).toBeNull();
  });
});

describe('port forwarding: chat commands and pre-approved ports', () => {
  it('answers each command with an outcome for the message state', () => {
    const t = setup();
    t.scan(vite);
    expect(t.command('/pilothouse approve-port-forward pf-t-1', BOB)).toEqual({
      error: 'sender_not_allowed: bob may not decide port forwards (alice can).',
      note: null,
    });
    expect(t.command('/pilothouse approve-port-forward nope').error).toMatch(/^port_forward_request_not_found: /);
    expect(t.command('/pilothouse forward 70000').error).toBe('invalid_port: 70000 is not a TCP port (1–65535).');
    expect(t.command('/pilothouse forward').error).toBe('invalid_command: forward: expected one port number');
    expect(t.command('/pilothouse status').error).toBe('invalid_command: unknown command "status"; use approve-port-forward <id>, deny-port-forward <id> or forward <port>');
    expect(t.command('/pilothouse deny-port-forward pf-t-1')).toEqual({ error: null, note: 'port 5173 denied' });
    // Commands are never queued for the agent.
    expect(t.h.state.queue.length).toBe(0);
    expect(only(t.h.effects, 'start_turn')).toEqual([]);
  });

  it('/pilothouse forward <port> opens a preview at once, and names the process once it is seen', () => {
    const t = setup();
    expect(t.command('/pilothouse forward 3000')).toEqual({ error: null, note: 'port 3000 approved' });
    expect(t.rows('port_forward')).toEqual([
      expect.objectContaining({ payload: expect.objectContaining({ item_key: 'port:pf-t-r1', status: 'streaming', meta: expect.objectContaining({ phase: 'ready', pid: null, request_id: null }) }) }),
    ]);
    t.opened(P1);
    t.scan({ ...vite, port: 3000 });
    expect(t.updates().at(-1)).toMatchObject({ item_key: 'port:pf-t-r1', status: 'completed', meta: { phase: 'ready', pid: 100, url: `http://${P1}.preview.test` } });
    expect(t.command('/pilothouse forward 3000')).toEqual({ error: null, note: 'port 3000 is already approved' });
    expect(t.previewPushes()).toHaveLength(1);
  });

  it('--forward ports: no prompt; a preview opens when a process listens, and again after it exits', () => {
    const t = setup({ initialForward: [5173] });
    t.scan(vite);
    expect(t.rows()).toEqual([expect.objectContaining({ payload: expect.objectContaining({ item_key: 'port:pf-t-r1', meta: expect.objectContaining({ phase: 'ready', request_id: null }) }) })]);
    t.opened(P1);
    t.scan();
    t.scan(other);
    expect(t.previewPushes().map(([e, p]) => [e, p.preview_id])).toEqual([
      ['preview_open', P1],
      ['preview_close', P1],
      ['preview_open', P2],
    ]);
    expect(t.rows().map((r) => r.payload.item_key)).toEqual(['port:pf-t-r1', 'port:pf-t-r2']);
  });

  it('a refused button becomes a notice row keyed by the control', () => {
    const t = setup();
    t.decide('pf-t-9', 'approve', ALICE, 9);
    expect(t.rows('notice')).toEqual([
      {
        type: 'post_row',
        turn_id: null,
        payload: {
          client_id: 'port-control:ctl-9',
          thread_id: HUB_THREAD,
          kind: 'notice',
          body: 'resolve_port_forward refused: No pending port-forward request "pf-t-9" (already decided, closed, or never asked).',
          meta: { code: 'port_forward_request_not_found', control_id: 'ctl-9', action: 'resolve_port_forward', actor: 'alice' },
        },
      },
    ]);
  });

  it("a button from someone not allowed is refused once, by the review, and leaves the prompt open", () => {
    const t = setup();
    t.scan(vite);
    t.decide('pf-t-1', 'approve', BOB, 7);
    expect(t.rows('notice')).toEqual([
      {
        type: 'post_row',
        turn_id: null,
        payload: {
          client_id: 'port-control:ctl-7',
          thread_id: HUB_THREAD,
          kind: 'notice',
          body: 'resolve_port_forward refused: bob may not decide port forwards (alice can).',
          meta: { code: 'sender_not_allowed', control_id: 'ctl-7', action: 'resolve_port_forward', actor: 'bob' },
        },
      },
    ]);
    expect(t.h.state.previews?.review.pending.map((p) => p.id)).toEqual(['pf-t-1']);
  });

  it('with port forwarding off, port commands and buttons are refused', () => {
    const h = new Harness();
    h.hub_(hubMessage(ALICE, '/pilothouse forward 3000', { seq: 3 }));
    expect(h.hub.lastState('msg-3')).toEqual({ state: 'failed', reason: 'invalid_command: port forwarding is off on this runner' });
    h.hub_(hubControl(ALICE, { type: 'resolve_port_forward', request_id: 'pf-1', decision: 'approve' }, 4));
    expect(h.hub.row('port-control:ctl-4').body).toBe('resolve_port_forward refused: port forwarding is off on this runner.');
  });
});

describe('port forwarding: one decision line each', () => {
  it('logs who decided what about which target, and how it ended', () => {
    const t = setup();
    t.scan(vite);
    t.decide('pf-t-1', 'approve', BOB);
    t.command('/pilothouse approve-port-forward pf-t-1');
    t.command('/pilothouse forward 3000');
    t.command('/pilothouse forward x');
    const decisions = only(t.h.effects, 'log').filter((l) => l.event === 'decision');
    expect(decisions).toEqual([
      { type: 'log', level: 'warn', event: 'decision', fields: { action: 'port_forward', actor: 'bob', target: 'pf-t-1', outcome: 'refused:sender_not_allowed', code: 'sender_not_allowed', port: 5173, via: 'button' } },
      { type: 'log', level: 'info', event: 'decision', fields: { action: 'port_forward', actor: 'alice', target: 'pf-t-1', outcome: 'approved', port: 5173, via: 'command' } },
      { type: 'log', level: 'info', event: 'decision', fields: { action: 'port_forward', actor: 'alice', target: 'port 3000', outcome: 'approved', port: 3000, via: 'manual' } },
      { type: 'log', level: 'warn', event: 'decision', fields: { action: 'port_forward', actor: 'alice', target: 'forward', outcome: 'refused:invalid_command', code: 'invalid_command', reason: 'expected one port number', via: 'command' } },
    ]);
  });
});

describe('port forwarding: the scan clock and plain state', () => {
  it('asks for a scan when due, one at a time, and schedules the next from its answer', () => {
    const t = setup({ scanMs: 1000 });
    expect(nextDeadline(t.h.state)).toBe(0);
    expect(t.h.tick(0)).toEqual([{ type: 'scan_listeners' }]);
    // While the shell scans, nothing else is due.
    expect(nextDeadline(t.h.state)).toBeNull();
    expect(t.h.tick(5000)).toEqual([]);
    t.scan();
    expect(nextDeadline(t.h.state)).toBe(6000);
    expect(only(t.h.tick(999), 'scan_listeners')).toEqual([]);
    expect(t.h.tick(1)).toEqual([{ type: 'scan_listeners' }]);
  });

  it('logs a run of scan failures once, and stops scanning when the scanner cannot work here', () => {
    const t = setup();
    const failed = (permanent: boolean): Effect[] => t.h.feed({ type: 'listener_scan_failed', error: 'lsof: not found', permanent });
    expect(failed(false)).toEqual([{ type: 'log', level: 'warn', event: 'forward_port_scan_failed', fields: { err: 'lsof: not found', permanent: false } }]);
    expect(failed(false)).toEqual([{ type: 'log', level: 'debug', event: 'forward_port_scan_failed', fields: { err: 'lsof: not found', permanent: false } }]);
    // A passing failure: scanning goes on (the next scan is still due).
    expect(nextDeadline(t.h.state)).toEqual(expect.any(Number));
    t.scan();
    expect(failed(true)).toEqual([{ type: 'log', level: 'warn', event: 'forward_port_scan_failed', fields: { err: 'lsof: not found', permanent: true } }]);
    expect(nextDeadline(t.h.state)).toBeNull();
  });

  it('holds its state as plain data, and a step never changes the state it was given', () => {
    const t = setup();
    t.scan(vite);
    t.decide('pf-t-1', 'approve');
    const before = structuredClone(t.h.state.previews);
    const kept = t.h.state.previews;
    t.opened(P1);
    expect(kept).toEqual(before);
    expect(t.h.state.previews).toEqual({
      config: { idPrefix: 'pf-t-', secret: SECRET, initialForward: [], suppressed: [], scanMs: 1000 },
      threadId: HUB_THREAD,
      allowed: [{ name: 'alice', user_id: 'u-alice' }],
      review: {
        config: { bound: true, allowed: [{ name: 'alice', user_id: 'u-alice' }], suppressed: [], idPrefix: 'pf-t-' },
        seq: 1,
        pending: [],
        approved: [{ port: 5173, target: vite, source: 'prompt' }],
        dismissed: [],
      },
      prompts: [],
      open: [
        {
          id: P1,
          port: 5173,
          row: { key: 'port:pf-t-1', facts: { port: 5173, target: vite, request_id: 'pf-t-1', thread_id: HUB_THREAD, decided: { by: 'alice', via: 'control' } } },
          view: { phase: 'ready', preview_id: P1, url: `http://${P1}.preview.test` },
        },
      ],
      rowsPosted: 0,
      previewsOpened: 1,
      listeners: [vite],
      scan: { status: 'idle', dueAt: 1000, failing: false },
      closed: false,
    });
  });

  it('derives unguessable preview ids: 20 lower-case hex digits, different per secret and per preview', () => {
    expect(P1).toMatch(/^[0-9a-f]{20}$/);
    expect(P2).not.toBe(P1);
    expect(previewIdFor(`${SECRET}x`, 1)).not.toBe(P1);
  });
});

describe('inlineCode', () => {
  it('fences backticks and clips long command lines', () => {
    expect(inlineCode('npm run dev')).toBe('`npm run dev`');
    expect(inlineCode('echo `date`')).toBe('`` echo `date` ``');
    expect(inlineCode('x'.repeat(500))).toHaveLength(162);
  });
});
