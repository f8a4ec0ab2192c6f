// Port forwarding end to end: the real Codex (driven by the scripted model) starts a real dev
// server in the background; the runner's watcher sees it, the thread gets a prompt that only the
// listen user may answer (button or chat command), and an approved port is served by the hub's
// preview proxy through the runner's tunnel. Revocation, denial, manual and pre-approved forwards,
// and a process exiting, each show in the row. No sleeps: every wait is on thread events.

import { request } from 'node:http';
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import pino from 'pino';
import type { Message, PortForwardMeta } from '@pilothouse/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { startSessionHarness, type SessionHarness } from './support/session-harness.js';
import { hasState } from './support/rows.js';
import { detached, freePort, writeDetach } from './support/dev-server.js';
import { processesIn } from './support/demo-process.js';

let h: SessionHarness | null = null;
afterEach(async () => {
  // The dev servers left Codex's process group on purpose (detach.js): stop the ones started here.
  if (h) for (const pid of serversIn(realpathSync(h.workspace))) killQuietly(pid);
  await h?.close();
  h = null;
});

const SERVER = [
  "const http = require('http');",
  "const [port, host = '127.0.0.1', text = 'hello from the dev server'] = process.argv.slice(2);",
  "http.createServer((req, res) => res.end(text + ' ' + req.url)).listen(Number(port), host, () => console.log('listening', port, host));",
  '',
].join('\n');

type Row = Message & { meta: PortForwardMeta & { approval?: { request_id: string; kind: string; choices: { id: string; label: string }[]; allowed: { name: string }[] } | null } };

const portRows = (thread: Message[]): Row[] => thread.filter((m) => m.kind === 'port_forward') as Row[];
const rowFor = (thread: Message[], pred: (meta: Row['meta'], row: Row) => boolean): Row | undefined => portRows(thread).find((r) => pred(r.meta, r));

/** The agent runs `cmd` (one exec tool call) in a turn; resolves once the turn is processed. */
async function agentRuns(harness: SessionHarness, cmd: string): Promise<void> {
  harness.model.enqueue({ type: 'exec', cmd, login: false }, { type: 'text', chunks: ['done'] });
  const id = await harness.say(harness.alice, `please run: ${cmd}`);
  await harness.waitFor(hasState(id, 'processed'), `the turn running ${cmd}`);
}

/** What a coding agent does to keep a dev server running after its command returns. */
const background = (port: number, host = '127.0.0.1') => detached(`server-${port}.log`, `node server.js ${port} ${host}`);

async function start(overrides: Parameters<SessionHarness['startRunner']>[0] = {}): Promise<SessionHarness> {
  // Under danger-full-access Codex runs commands unsandboxed (a sandbox would forbid listening).
  const harness = await startSessionHarness({ codex: { sandbox: 'danger-full-access' }, start: false });
  h = harness;
  writeFileSync(join(harness.workspace, 'server.js'), SERVER);
  writeDetach(harness.workspace);
  await harness.startRunner({ portScanMs: 200, ...overrides });
  return harness;
}

describe('runner previews', () => {
  it('prompts for a background dev server; only alice may approve; the preview serves it; a new process is asked about again', async () => {
    const harness = await start();
    const cwd = realpathSync(harness.workspace);
    const port = await freePort();
    await agentRuns(harness, background(port));

    // The prompt: the process that listens (reparented away from Codex), with an approval for alice.
    let thread = await harness.waitFor((t) => rowFor(t, (m) => m.port === port && m.phase === 'prompt') !== undefined, 'the port prompt');
    const prompt = rowFor(thread, (m) => m.port === port)!;
    const id = prompt.meta.request_id!;
    expect(id).toMatch(/^pf-[0-9a-f]{4}-1$/);
    expect(prompt.runner_id).not.toBeNull();
    expect(prompt.body).toContain(`Open runner port ${port} from \`node server.js ${port} 127.0.0.1\`?`);
    expect(prompt.meta).toMatchObject({ port, pid: expect.any(Number), command: `node server.js ${port} 127.0.0.1`, cwd, phase: 'prompt', preview_id: null, url: null });
    expect(prompt.meta.approval).toMatchObject({
      request_id: id,
      kind: 'port_forward',
      choices: [
        { id: 'approve', label: 'Open preview' },
        { id: 'deny', label: 'Deny' },
      ],
      allowed: [{ name: 'alice' }],
    });
    const serverPid = prompt.meta.pid!;

    // bob is a member, not allowed: the hub refuses his button, the runner his chat command.
    await expect(harness.control(harness.bob, { type: 'resolve_port_forward', request_id: id, decision: 'approve' })).rejects.toMatchObject({ code: 'sender_not_allowed' });
    const bobs = await harness.say(harness.bob, `/pilothouse approve-port-forward ${id}`);
    thread = await harness.waitFor(hasState(bobs, 'failed', /^sender_not_allowed: bob may not decide port forwards \(alice can\)/), "bob's command refused");
    expect(rowFor(thread, (m) => m.port === port)!.meta.phase).toBe('prompt');

    // alice approves by chat command: the row shows the preview, and no turn was started for it.
    const requestsBefore = harness.model.requests.length;
    const alices = await harness.say(harness.alice, `/pilothouse approve-port-forward ${id}`);
    thread = await harness.waitFor(
      (t) => hasState(alices, 'processed')(t) && rowFor(t, (m) => m.request_id === id && m.phase === 'ready' && m.url !== null) !== undefined,
      'the preview ready',
    );
    expect(thread.find((m) => m.id === alices)!.state).toEqual({ state: 'processed', reason: `port ${port} approved`, approval: null });
    const ready = rowFor(thread, (m) => m.request_id === id)!;
    expect(ready.status).toBe('completed');
    expect(ready.meta).toMatchObject({ port, pid: serverPid, phase: 'ready', preview_id: expect.stringMatching(/^[0-9a-f]{20}$/), approval: null });
    expect(ready.meta.url).toMatch(new RegExp(`^http://${ready.meta.preview_id}\\.preview\\.localhost:${harness.hub.port}/?$`));
    expect(harness.model.requests.length).toBe(requestsBefore);

    // Through the hub: a one-time grant, exchanged for the preview cookie, then the dev server answers.
    expect(await throughPreview(harness, ready.meta.preview_id!, '/hello')).toEqual({ status: 200, body: 'hello from the dev server /hello' });

    // Another process listens on the port (IPv6 loopback): the approval is revoked, and alice is asked again.
    await agentRuns(harness, background(port, '::1'));
    thread = await harness.waitFor(
      (t) => rowFor(t, (m) => m.request_id === id && m.phase === 'revoked') !== undefined && rowFor(t, (m) => m.port === port && m.phase === 'prompt') !== undefined,
      'the revocation and a new prompt',
    );
    const revoked = rowFor(thread, (m) => m.request_id === id)!;
    expect(revoked).toMatchObject({ status: 'interrupted', meta: { phase: 'revoked', reason: 'another process now listens on the port', url: null } });
    expect(revoked.body).toContain('revoked');
    const again = rowFor(thread, (m) => m.port === port && m.phase === 'prompt')!;
    expect(again.meta.pid).not.toBe(serverPid);
    expect(again.meta.command).toBe(`node server.js ${port} ::1`);
    expect(await throughPreview(harness, ready.meta.preview_id!, '/')).toMatchObject({ status: 410 });

    // Deny by button.
    await harness.control(harness.alice, { type: 'resolve_port_forward', request_id: again.meta.request_id, decision: 'deny' });
    thread = await harness.waitFor((t) => rowFor(t, (m) => m.request_id === again.meta.request_id && m.phase === 'denied') !== undefined, 'the denial');
    expect(rowFor(thread, (m) => m.request_id === again.meta.request_id)).toMatchObject({ status: 'declined', meta: { reason: 'port_forward_denied', approval: null } });
  });

  it('a manual forward, a pre-approved --forward port (no prompt), and a process that exits', async () => {
    const pre = await freePort();
    const harness = await start({ forward: [pre] });
    const manual = await freePort();

    // `/pilothouse forward <port>`: approved and opened at once, before anything listens.
    const asked = await harness.say(harness.alice, `/pilothouse forward ${manual}`);
    let thread = await harness.waitFor(
      (t) => hasState(asked, 'processed', `port ${manual} approved`)(t) && rowFor(t, (m) => m.port === manual && m.url !== null) !== undefined,
      'the manual forward',
    );
    expect(rowFor(thread, (m) => m.port === manual)!.meta).toMatchObject({ phase: 'ready', pid: null, command: null, request_id: null });

    // The agent starts servers on both ports: the manual row learns its process; the --forward port opens without a prompt.
    await agentRuns(harness, background(manual));
    await agentRuns(harness, background(pre));
    thread = await harness.waitFor(
      (t) => rowFor(t, (m) => m.port === manual && m.pid !== null) !== undefined && rowFor(t, (m) => m.port === pre && m.phase === 'ready' && m.url !== null) !== undefined,
      'both previews with their processes',
    );
    expect(portRows(thread).filter((r) => r.meta.phase === 'prompt')).toEqual([]);
    const preRow = rowFor(thread, (m) => m.port === pre)!;
    expect(preRow.meta).toMatchObject({ command: `node server.js ${pre} 127.0.0.1`, request_id: null });
    expect(await throughPreview(harness, preRow.meta.preview_id!, '/pre')).toEqual({ status: 200, body: 'hello from the dev server /pre' });

    // The manual forward's process exits: its preview closes and the row says so.
    const manualRow = rowFor(thread, (m) => m.port === manual)!;
    process.kill(manualRow.meta.pid!);
    thread = await harness.waitFor((t) => rowFor(t, (m) => m.port === manual && m.phase === 'closed') !== undefined, 'the closed row');
    const closed = rowFor(thread, (m) => m.port === manual)!;
    expect(closed.body).toBe(`Preview of port ${manual} (\`node server.js ${manual} 127.0.0.1\`, pid ${manualRow.meta.pid}) closed: the process exited.`);
    expect(closed.meta).toMatchObject({ phase: 'closed', reason: 'the process exited', url: null, preview_id: manualRow.meta.preview_id });
    expect(await throughPreview(harness, manualRow.meta.preview_id!, '/')).toMatchObject({ status: 410 });

    // Closing the runner closes the rest.
    await harness.runner.close();
    thread = await harness.thread();
    expect(rowFor(thread, (m) => m.port === pre)!.meta).toMatchObject({ phase: 'closed', reason: 'the runner closed' });
  });
});

describe('runner previews across a hub restart', () => {
  it('re-opens its previews once the runner is back: the same link serves again', async () => {
    const logged = logCapture();
    const port = await freePort();
    const harness = await start({ forward: [port], logger: logged.logger });
    await agentRuns(harness, background(port));
    const thread = await harness.waitFor((t) => rowFor(t, (m) => m.port === port && m.url !== null) !== undefined, 'the preview');
    const { preview_id } = rowFor(thread, (m) => m.port === port)!.meta;
    expect(await throughPreview(harness, preview_id!, '/before')).toEqual({ status: 200, body: 'hello from the dev server /before' });

    // The hub forgets previews when it restarts; the runner sends preview_open again when it is back.
    const reopened = logged.next('forward_port_reopened');
    await harness.restartHub();
    expect(await reopened).toMatchObject({ preview_id, port });
    expect(await throughPreview(harness, preview_id!, '/after')).toEqual({ status: 200, body: 'hello from the dev server /after' });
  });
});

/** A pino logger for the runner whose events a test can wait for (the runner's observable output). */
function logCapture() {
  const waiters: { event: string; resolve: (fields: Record<string, unknown>) => void }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        const fields = JSON.parse(line) as Record<string, unknown>;
        for (const w of waiters.filter((x) => x.event === fields.event)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(fields);
        }
      }
      done();
    },
  });
  return {
    logger: pino({ level: 'info' }, stream),
    next: (event: string) => new Promise<Record<string, unknown>>((resolve) => waiters.push({ event, resolve })),
  };
}

/** Grant (as alice, by token) → the preview host's grant path → cookie → GET `path` on the preview origin. */
async function throughPreview(harness: SessionHarness, previewId: string, path: string): Promise<{ status: number; body: string }> {
  const hub = `http://127.0.0.1:${harness.hub.port}`;
  const grant = await fetch(`${hub}/api/previews/${previewId}/grant`, {
    method: 'POST',
    headers: { authorization: `Bearer ${harness.alice.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ next: path }),
  });
  if (!grant.ok) return { status: grant.status, body: await grant.text() };
  const { url } = (await grant.json()) as { url: string };
  const link = new URL(url);
  const exchanged = await get(harness.hub.port, link.host, `${link.pathname}${link.search}`, null);
  const cookie = (exchanged.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
  const location = exchanged.headers.location ?? path;
  const page = await get(harness.hub.port, link.host, new URL(location, link.origin).pathname, cookie);
  return { status: page.status, body: page.body };
}

/** A GET to the hub's port with an explicit Host (`*.preview.localhost` need not resolve here). */
function get(port: number, host: string, path: string, cookie: string | null): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> & { 'set-cookie'?: string[]; location?: string } }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host, ...(cookie ? { cookie } : {}) } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** `node server.js …` processes whose working directory is `dir` (ours, and only ours). */
const serversIn = (dir: string): number[] =>
  processesIn(dir).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('server.js');
    } catch {
      return false; // gone
    }
  });

function killQuietly(pid: number): void {
  try {
    process.kill(pid);
  } catch {
    // best-effort cleanup: already gone
  }
}
