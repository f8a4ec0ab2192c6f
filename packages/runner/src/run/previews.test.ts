// The port-forward shell against a recording hub: which rows, row updates and preview pushes each
// review outcome produces, what chat commands answer, and what the tunnel may serve.
import { describe, expect, it } from 'vitest';
import { PilothouseError } from '@pilothouse/protocol';
import type { Listener, PortEvent } from '../previews/listeners/watcher.js';
import { inlineCode } from './port-rows.js';
import { PortForwarding, type PreviewPush } from './previews.js';

const ALICE = { user_id: 'u-alice', name: 'alice' };
const BOB = { user_id: 'u-bob', name: 'bob' };
const vite: Listener = { port: 5173, pid: 100, command: 'node vite', cwd: '/repo', addresses: ['127.0.0.1'] };
const other: Listener = { port: 5173, pid: 200, command: 'python3 -m http.server 5173', cwd: '/repo', addresses: ['0.0.0.0'] };

interface Call {
  event: string;
  payload: Record<string, unknown>;
}

function setup(opts: { initialForward?: number[]; open?: 'ok' | 'unavailable' } = {}) {
  const calls: Call[] = [];
  const closedPreviews: string[] = [];
  const logs: string[] = [];
  let n = 0;
  const push = ((event: string, payload: Record<string, unknown>) => {
    calls.push({ event, payload });
    if (event === 'preview_open') {
      if (opts.open === 'unavailable') return Promise.reject(new PilothouseError('preview_unavailable', 'This hub does not serve previews yet.'));
      return Promise.resolve({ preview_id: payload.preview_id, url: `http://${String(payload.preview_id)}.preview.test` });
    }
    return Promise.resolve({ seq: calls.length, message_id: `m${calls.length}`, thread_id: 'root', ok: true });
  }) as PreviewPush;
  const record = (obj: object) => logs.push((obj as { event: string }).event);
  const pf = new PortForwarding({
    threadId: 'root',
    allowed: [{ name: 'alice', user_id: 'u-alice' }],
    push,
    log: { debug: record, info: record, warn: record },
    idPrefix: 'pf-t-',
    initialForward: opts.initialForward ?? [],
    newPreviewId: () => `preview${String((n += 1)).padStart(4, '0')}`,
    onPreviewClosed: (id) => closedPreviews.push(id),
  });
  const settle = () => new Promise((r) => setImmediate(r));
  const rows = (kind?: string) => calls.filter((c) => c.event === 'post_row' && (kind === undefined || c.payload.kind === kind));
  const updates = () => calls.filter((c) => c.event === 'update_row').map((c) => c.payload);
  const previewPushes = () => calls.filter((c) => c.event.startsWith('preview_')).map((c) => [c.event, c.payload]);
  return { pf, calls, closedPreviews, logs, settle, rows, updates, previewPushes };
}

const seen = (l: Listener): PortEvent => ({ type: 'listening', listener: l });
const gone = (l: Listener): PortEvent => ({ type: 'closed', listener: l });

describe('port forwarding: prompts', () => {
  it('posts a prompt row with the process and an approval only allowed actors may answer', () => {
    const t = setup();
    t.pf.listener(seen(vite));
    expect(t.rows()).toEqual([
      {
        event: 'post_row',
        payload: {
          client_id: 'port:pf-t-1',
          thread_id: 'root',
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
            thread_id: 'root',
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
    t.pf.listener(seen(vite));
    expect(t.rows()).toHaveLength(1);
    expect(t.logs).toContain('forward_port_requested');
  });

  it('approve by button: the row opens a preview, then shows it ready; the tunnel may serve it', async () => {
    const t = setup();
    t.pf.listener(seen(vite));
    t.pf.decision('ctl-1', 'pf-t-1', 'approve', ALICE);
    expect(t.updates()[0]).toMatchObject({ item_key: 'port:pf-t-1', status: 'streaming', meta: { phase: 'ready', preview_id: 'preview0001', url: null, approval: null } });
    expect(t.previewPushes()).toEqual([['preview_open', { preview_id: 'preview0001', port: 5173, thread_id: 'root' }]]);
    expect(t.pf.isApproved('preview0001', 5173)).toBe(true);
    expect(t.pf.isApproved('preview0001', 5174)).toBe(false);
    await t.settle();
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
        preview_id: 'preview0001',
        url: 'http://preview0001.preview.test',
        thread_id: 'root',
        reason: null,
        approval: null,
      },
    });
    expect(t.logs).toContain('forward_port_opened');
  });

  it('shows the hub refusing preview_open on the row, and tries again after a reconnect', async () => {
    const t = setup({ open: 'unavailable' });
    t.pf.listener(seen(vite));
    t.pf.command('/pilothouse approve-port-forward pf-t-1', ALICE);
    await t.settle();
    expect(t.updates().at(-1)).toMatchObject({
      status: 'failed',
      meta: { phase: 'ready', url: null, reason: 'preview_unavailable: This hub does not serve previews yet.' },
    });
    t.pf.reopenAll();
    expect(t.previewPushes()).toEqual([
      ['preview_open', { preview_id: 'preview0001', port: 5173, thread_id: 'root' }],
      ['preview_open', { preview_id: 'preview0001', port: 5173, thread_id: 'root' }],
    ]);
  });

  it('deny by button: the row says so and the process is not asked about again', () => {
    const t = setup();
    t.pf.listener(seen(vite));
    t.pf.decision('ctl-1', 'pf-t-1', 'deny', ALICE);
    expect(t.updates()).toEqual([
      expect.objectContaining({ body: 'Port 5173 (`node vite`, pid 100) stays private: denied by alice.', status: 'declined', meta: expect.objectContaining({ phase: 'denied', reason: 'port_forward_denied' }) }),
    ]);
    t.pf.listener(gone(vite));
    t.pf.listener(seen(vite));
    // A new process (or the same pid after it exited) is asked about afresh.
    expect(t.rows()).toHaveLength(2);
    expect(t.previewPushes()).toEqual([]);
  });
});

describe('port forwarding: revocation and exits', () => {
  it('another process on an approved port: preview closed, row revoked, and a new prompt', async () => {
    // The old process is not reported closed first: the port changed hands between two scans.
    const t2 = setup();
    t2.pf.listener(seen(vite));
    t2.pf.decision('ctl-1', 'pf-t-1', 'approve', ALICE);
    await t2.settle();
    t2.pf.listener(seen(other));
    expect(t2.previewPushes().at(-1)).toEqual(['preview_close', { preview_id: 'preview0001', reason: 'revoked' }]);
    expect(t2.closedPreviews).toEqual(['preview0001']);
    expect(t2.pf.isApproved('preview0001', 5173)).toBe(false);
    expect(t2.updates().at(-1)).toMatchObject({
      item_key: 'port:pf-t-1',
      status: 'interrupted',
      meta: { phase: 'revoked', preview_id: 'preview0001', reason: 'another process now listens on the port' },
    });
    expect(t2.rows().at(-1)).toMatchObject({ payload: { item_key: 'port:pf-t-2', meta: { phase: 'prompt', pid: 200 } } });
    expect(t2.logs).toContain('forward_port_revoked');
  });

  it('the process exits: preview closed and the row says so; a pending prompt closes too', async () => {
    const t = setup();
    t.pf.listener(seen(vite));
    t.pf.decision('ctl-1', 'pf-t-1', 'approve', ALICE);
    await t.settle();
    t.pf.listener(gone(vite));
    expect(t.previewPushes().at(-1)).toEqual(['preview_close', { preview_id: 'preview0001', reason: 'process_exited' }]);
    expect(t.updates().at(-1)).toMatchObject({ body: 'Preview of port 5173 (`node vite`, pid 100) closed: the process exited.', meta: { phase: 'closed', reason: 'the process exited' } });

    t.pf.listener(seen(other));
    t.pf.listener(gone(other));
    expect(t.updates().at(-1)).toMatchObject({ item_key: 'port:pf-t-2', status: 'interrupted', meta: { phase: 'closed', request_id: 'pf-t-2' } });
    expect(t.pf.command('/pilothouse approve-port-forward pf-t-2', ALICE)).toEqual({
      error: 'port_forward_request_not_found: No pending port-forward request "pf-t-2" (already decided, closed, or never asked).',
      note: null,
    });
  });

  it('closing the runner closes every preview and prompt', async () => {
    const t = setup();
    t.pf.listener(seen(vite));
    t.pf.decision('ctl-1', 'pf-t-1', 'approve', ALICE);
    t.pf.listener(seen({ ...other, port: 8000 }));
    await t.settle();
    t.pf.close();
    expect(t.previewPushes().at(-1)).toEqual(['preview_close', { preview_id: 'preview0001', reason: 'runner_closed' }]);
    expect(t.updates().slice(-2).map((u) => [u.item_key, (u.meta as { phase: string }).phase, (u.meta as { reason: string }).reason])).toEqual([
      ['port:pf-t-1', 'closed', 'the runner closed'],
      ['port:pf-t-2', 'closed', 'the runner closed'],
    ]);
    expect(t.pf.isApproved('preview0001', 5173)).toBe(false);
  });
});

describe('port forwarding: chat commands and pre-approved ports', () => {
  it('answers each command with an outcome for the message state', () => {
    const t = setup();
    t.pf.listener(seen(vite));
    expect(t.pf.command('/pilothouse approve-port-forward pf-t-1', BOB)).toEqual({
      error: 'sender_not_allowed: bob may not decide port forwards (alice can).',
      note: null,
    });
    expect(t.pf.command('/pilothouse approve-port-forward nope', ALICE).error).toMatch(/^port_forward_request_not_found: /);
    expect(t.pf.command('/pilothouse forward 70000', ALICE).error).toBe('invalid_port: 70000 is not a TCP port (1–65535).');
    expect(t.pf.command('/pilothouse forward', ALICE).error).toBe('invalid_command: forward: expected one port number');
    expect(t.pf.command('/pilothouse status', ALICE).error).toBe('invalid_command: unknown command "status"; use approve-port-forward <id>, deny-port-forward <id> or forward <port>');
    expect(t.pf.command('/pilothouse deny-port-forward pf-t-1', ALICE)).toEqual({ error: null, note: 'port 5173 denied' });
  });

  it('/pilothouse forward <port> opens a preview at once, and names the process once it is seen', async () => {
    const t = setup();
    expect(t.pf.command('/pilothouse forward 3000', ALICE)).toEqual({ error: null, note: 'port 3000 approved' });
    expect(t.rows('port_forward')).toEqual([
      expect.objectContaining({ payload: expect.objectContaining({ item_key: 'port:pf-t-r1', status: 'streaming', meta: expect.objectContaining({ phase: 'ready', pid: null, request_id: null }) }) }),
    ]);
    await t.settle();
    t.pf.listener(seen({ ...vite, port: 3000 }));
    expect(t.updates().at(-1)).toMatchObject({ item_key: 'port:pf-t-r1', status: 'completed', meta: { phase: 'ready', pid: 100, url: 'http://preview0001.preview.test' } });
    expect(t.pf.command('/pilothouse forward 3000', ALICE)).toEqual({ error: null, note: 'port 3000 is already approved' });
    expect(t.previewPushes()).toHaveLength(1);
  });

  it('--forward ports: no prompt; a preview opens when a process listens, and again after it exits', async () => {
    const t = setup({ initialForward: [5173] });
    t.pf.listener(seen(vite));
    expect(t.rows()).toEqual([expect.objectContaining({ payload: expect.objectContaining({ item_key: 'port:pf-t-r1', meta: expect.objectContaining({ phase: 'ready', request_id: null }) }) })]);
    await t.settle();
    t.pf.listener(gone(vite));
    t.pf.listener(seen(other));
    expect(t.previewPushes().map(([e, p]) => [e, (p as { preview_id: string }).preview_id])).toEqual([
      ['preview_open', 'preview0001'],
      ['preview_close', 'preview0001'],
      ['preview_open', 'preview0002'],
    ]);
    expect(t.rows().map((r) => r.payload.item_key)).toEqual(['port:pf-t-r1', 'port:pf-t-r2']);
  });

  it('a refused button becomes a notice row keyed by the control', () => {
    const t = setup();
    t.pf.decision('ctl-9', 'pf-t-9', 'approve', ALICE);
    expect(t.rows('notice')).toEqual([
      {
        event: 'post_row',
        payload: {
          client_id: 'port-control:ctl-9',
          thread_id: 'root',
          kind: 'notice',
          body: 'resolve_port_forward refused: No pending port-forward request "pf-t-9" (already decided, closed, or never asked).',
          meta: { code: 'port_forward_request_not_found', control_id: 'ctl-9', action: 'resolve_port_forward', actor: 'alice' },
        },
      },
    ]);
  });
});

describe('inlineCode', () => {
  it('fences backticks and clips long command lines', () => {
    expect(inlineCode('npm run dev')).toBe('`npm run dev`');
    expect(inlineCode('echo `date`')).toBe('`` echo `date` ``');
    expect(inlineCode('x'.repeat(500))).toHaveLength(162);
  });
});
