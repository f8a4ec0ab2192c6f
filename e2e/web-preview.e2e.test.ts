// Previews in the browser, end to end: the scripted agent starts a real Vite dev server in the
// repo through the real Codex; the runner's watcher sees it and the thread shows a prompt that
// Bob (a member who may not steer) cannot answer; Alice approves it, opens the preview in a new
// tab on its own origin, and an edit to a file reaches the page through Vite's HMR WebSocket
// (carried by the tunnel) without a reload. The preview never sees the hub's session; without a
// grant it answers 401. Another process listening on the port revokes the approval and asks
// again; Alice denies. Every wait is on the DOM or on thread events.

import { realpathSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '@pilothouse/protocol';
import { startSessionHarness, type SessionHarness } from './support/session-harness.js';
import { ensureWebBuild, forcedControl, launchBrowser, openPerson, screenshot, setPasswords, signIn, type Person } from './support/browser.js';
import { hasState } from './support/rows.js';
import { recordedRequests, setMessage, VITE_BIN, writeViteApp } from './support/vite-app.js';
import { detached, freePort, writeDetach } from './support/dev-server.js';
import { processesIn } from './support/demo-process.js';

const PASSWORD = 'correct horse battery';

let h: SessionHarness;
let browser: Browser;
let alice: Person;
let bob: Person;
let threadUrl: string;
let cwd: string;
let port: number;
/** WebSocket URLs opened by alice's pages (the preview tab's HMR socket among them). */
const socketsOpened: string[] = [];

/** The runner's port-watcher log lines (`forward_port_*`), kept to explain a failed wait. */
const watcherLog: string[] = [];
const runnerLogger = pino(
  { level: 'debug' },
  {
    write(line: string) {
      if (line.includes('"forward_port')) watcherLog.push(line.trim());
    },
  },
);

/** What the machine and the hub show about the dev server on `port`: put into the error when a wait on the thread times out. */
async function whyNot(): Promise<string> {
  const read = (file: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      return String(err);
    }
  };
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const sockets = ['tcp', 'tcp6'].flatMap((f) => read(`/proc/net/${f}`).split('\n').filter((l) => l.includes(`:${hex} `)));
  const rows = (await h.thread()).filter((m) => m.kind === 'port_forward');
  const procs = serversIn(cwd).map((pid) => {
    const env = read(`/proc/${pid}/environ`).split('\0').filter((e) => e.startsWith('PILOTHOUSE_SESSION='));
    return `${pid} ${read(`/proc/${pid}/cmdline`).split('\0').join(' ')} ${env.join(' ') || '(no marker)'}`;
  });
  return [
    `vite.log:\n${read(join(cwd, 'vite.log')).slice(-2000)}`,
    `sockets on port ${port}:\n${sockets.join('\n') || '(none)'}`,
    `processes in the repo:\n${procs.join('\n') || '(none)'}`,
    `runner port log (last 40):\n${watcherLog.slice(-40).join('\n') || '(none)'}`,
    `port_forward rows the hub holds:\n${rows.map((m) => JSON.stringify(m.meta)).join('\n') || '(none)'}`,
  ].join('\n');
}

/** Waits for `locator`; a timeout says what the machine showed (vite.log, sockets, processes, the watcher's log). */
async function waitExplained(locator: Locator, timeout = 30_000): Promise<void> {
  try {
    await locator.waitFor({ timeout });
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${await whyNot()}`, { cause: err });
  }
}

/** The dev servers the agent left running: the processes in the test's repo but Codex. */
const serversIn = (dir: string): number[] =>
  processesIn(dir).filter((pid) => {
    try {
      return !readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('codex');
    } catch {
      return false; // gone
    }
  });

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** The agent runs `cmd` in one exec call; resolves when its turn is processed. */
async function agentRuns(cmd: string): Promise<void> {
  h.model.enqueue({ type: 'exec', cmd, login: false }, { type: 'text', chunks: ['Started it.'] });
  const id = await h.say(h.alice, `please run: ${cmd}`);
  await h.waitFor(hasState(id, 'processed'), `the turn running ${cmd}`);
}

const portRows = (p: Person, phase?: string) => p.page.locator(`article.row[data-kind=port_forward] section.port-forward[data-port="${port}"]${phase ? `[data-phase=${phase}]` : ''}`);

async function signInAt(p: Person, name: string): Promise<void> {
  await p.page.goto(h.hub.url);
  await signIn(p.page, name, PASSWORD);
  await p.page.locator('nav.sidebar li[data-channel="acme/agents"]').waitFor();
  await p.page.goto(threadUrl);
}

beforeAll(async () => {
  ensureWebBuild();
  // Unsandboxed commands: a sandbox would forbid the dev server to listen.
  [h, browser] = await Promise.all([startSessionHarness({ codex: { sandbox: 'danger-full-access' }, start: false }), launchBrowser()]);
  cwd = realpathSync(h.workspace);
  writeViteApp(cwd, 'hello from vite v1');
  writeDetach(cwd);
  await h.startRunner({ portScanMs: 200, logger: runnerLogger });
  await setPasswords(h.hub, { alice: PASSWORD, bob: PASSWORD });
  [alice, bob] = await Promise.all([openPerson(browser), openPerson(browser)]);
  alice.context.on('page', (p) => p.on('websocket', (ws) => socketsOpened.push(ws.url())));
  threadUrl = `${h.hub.url}/c/acme/agents/t/${h.runner.threadId}`;
  port = await freePort();
  await Promise.all([signInAt(alice, 'alice'), signInAt(bob, 'bob')]);
});

afterAll(async () => {
  await browser?.close();
  if (cwd) for (const pid of serversIn(cwd)) kill(pid);
  await h?.close();
});

describe('previews in the browser', () => {
  let previewUrl: string;
  let preview: Page;

  it('shows the prompt to everyone, live only for the listen user; bob cannot approve', async () => {
    await agentRuns(detached('vite.log', `node ${VITE_BIN} --port ${port} --strictPort --host 127.0.0.1`));
    await waitExplained(portRows(alice, 'prompt'));
    await portRows(bob, 'prompt').waitFor();
    const requestId = (await portRows(alice, 'prompt').getAttribute('data-request-id'))!;
    expect(requestId).toBeTruthy();
    expect(await portRows(alice, 'prompt').textContent()).toContain('vite');

    // Bob sees the buttons disabled and who decides; forced past them, the hub refuses him.
    await expect(portRows(bob, 'prompt').locator('button[data-choice=approve]').isDisabled()).resolves.toBe(true);
    expect(await portRows(bob, 'prompt').textContent()).toContain('Waiting for alice');
    const forced = await forcedControl(bob.page, h.runner.threadId, { type: 'resolve_port_forward', request_id: requestId, decision: 'approve' });
    expect(forced).toMatchObject({ status: 'error', response: { code: 'sender_not_allowed' } });
    // And by chat command: the command is refused with the reason, the prompt stays.
    const command = await h.say(h.bob, `/pilothouse approve-port-forward ${requestId}`);
    await h.waitFor(hasState(command, 'failed', /sender_not_allowed/), 'bob’s command refused');
    expect(await portRows(alice, 'prompt').count()).toBe(1);
    await screenshot(alice.page, 'preview-prompt');
  });

  it('alice approves; the preview opens on its own origin and serves the Vite app', async () => {
    await portRows(alice, 'prompt').locator('button[data-choice=approve]').click();
    const ready = portRows(alice, 'ready');
    await ready.waitFor();
    const previewId = (await ready.getAttribute('data-preview-id'))!;
    expect(previewId).toMatch(/^[a-z0-9]{8,40}$/);
    await portRows(bob, 'ready').waitFor();

    const [page] = await Promise.all([alice.context.waitForEvent('page'), ready.locator('button[data-action=open-preview]').click()]);
    preview = page;
    await preview.waitForURL(`**/`);
    previewUrl = preview.url();
    const url = new URL(previewUrl);
    // Its own origin: a host per preview, never the hub's origin; the one-time code has left the URL.
    expect(url.hostname).toBe(`${previewId}.preview.localhost`);
    expect(url.search).toBe('');
    expect(url.pathname).toBe('/');
    await preview.locator('#msg', { hasText: 'hello from vite v1' }).waitFor();
    await screenshot(alice.page, 'preview-ready');
  });

  it('an edited file reaches the page through the HMR WebSocket, without a reload', async () => {
    setMessage(cwd, 'hello from vite v2');
    await preview.locator('#msg', { hasText: 'hello from vite v2' }).waitFor();
    expect(await preview.evaluate(() => (globalThis as unknown as { __loads: number }).__loads)).toBe(1);
    // Vite's HMR socket (subprotocol `vite-hmr`, which Vite requires) went to the preview's own
    // origin with its token query intact.
    const hmr = socketsOpened.filter((u) => new URL(u).host === new URL(previewUrl).host);
    expect(hmr.length).toBeGreaterThan(0);
    expect(new URL(hmr[0]!).searchParams.get('token')).toBeTruthy();
  });

  it('keeps the hub session away from the preview: no cookie sent or readable, no API access', async () => {
    const hubCookie = (await alice.context.cookies(h.hub.url)).find((c) => c.name === 'ph_session');
    expect(hubCookie).toBeDefined();
    const seen = recordedRequests(cwd);
    expect(seen.length).toBeGreaterThan(3);
    for (const r of seen) {
      expect(r.headers.host).toBe(`localhost:${port}`);
      expect(r.headers.cookie ?? '').not.toContain('ph_session');
      expect(r.headers.cookie ?? '').not.toContain('pilothouse_preview');
      expect(r.headers.cookie ?? '').not.toContain(hubCookie!.value);
    }
    // The page cannot read its own grant cookie (HttpOnly), let alone the hub's.
    expect(await preview.evaluate(() => (globalThis as unknown as { document: { cookie: string } }).document.cookie)).toBe('');
    // A script on the preview cannot use the hub's API with the user's session.
    const apiFromPreview = await preview.evaluate(async (hub) => {
      try {
        const res = await fetch(`${hub}/api/me`, { credentials: 'include' });
        return { status: res.status };
      } catch (err) {
        return { error: String(err) };
      }
    }, h.hub.url);
    expect('error' in apiFromPreview || apiFromPreview.status === 401 || apiFromPreview.status === 403).toBe(true);
  });

  it('answers 401 to a browser without a grant, and bob’s own grant opens it for him', async () => {
    const stranger = await bob.context.newPage();
    const res = await stranger.goto(previewUrl);
    expect(res?.status()).toBe(401);
    expect(await stranger.textContent('body')).toContain('grant_invalid');
    await stranger.close();
    // Any member may look: bob opens it from his own row.
    const [page] = await Promise.all([bob.context.waitForEvent('page'), portRows(bob, 'ready').locator('button[data-action=open-preview]').click()]);
    await page.locator('#msg', { hasText: 'hello from vite v2' }).waitFor();
    await page.close();
  });

  it('another process listening on the port revokes the approval and asks again; alice denies', async () => {
    // A second server on the same port (IPv6 loopback) while Vite still holds IPv4: a different
    // process now answers for that port, so the approval given for Vite no longer stands.
    writeFileSync(join(cwd, 'other.js'), `require('http').createServer((q, s) => s.end('other')).listen(${port}, '::1');\n`);
    await agentRuns(detached('other.log', 'node other.js'));
    await waitExplained(portRows(alice, 'revoked'));
    await waitExplained(portRows(alice, 'prompt'));
    expect(await portRows(alice, 'prompt').textContent()).toContain('other.js');
    // The old preview is gone for good, with a clear status.
    const gone = await preview.reload();
    expect(gone?.status()).toBe(410);
    expect(await preview.textContent('body')).toContain('preview_closed');

    await portRows(alice, 'prompt').locator('button[data-choice=deny]').click();
    await portRows(alice, 'denied').waitFor();
    const thread: Message[] = await h.thread();
    expect(thread.filter((m) => m.kind === 'port_forward').map((m) => (m.meta as { phase: string }).phase)).toEqual(['revoked', 'denied']);
  });
});
