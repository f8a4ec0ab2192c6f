// Deciding from an alert, end to end: a real hub (push on, email through an SMTP sink), a real
// runner on real Codex and the scripted model, Chromium with the web UI's service worker.
// Push: Codex asks alice (the decider) to approve a command; the fake push service receives and
// decrypts exactly one approval alert, hers (bob, a watcher with a subscription too, gets none);
// delivered into her service worker over the DevTools protocol, it shows a notification with
// Approve / Deny; the worker's own notificationclick handler, run with action 'approve', decides:
// Codex runs the command, the prompt records alice's decision via push, and the same code is
// refused a second time. Email: the prompt's message (plain and HTML) carries one link per
// answer; opening one shows a confirmation and changes nothing; its button decides once via
// email; confirming again, or reopening the link, is refused as used, and nothing else changes.

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakePushService, startSmtpSink, type FakePushService, type PushReceived, type SmtpSink } from '@pilothouse/hub/testing';
import { hasState, runnerRows, stateOf } from './support/rows.js';
import { startSessionHarness, type SessionHarness } from './support/session-harness.js';
import { DEVICES, ensureWebBuild, launchBrowser, openPerson, screenshot, setPasswords } from './support/browser.js';
import { clickAction, deliverPush, openDevice, shown, waitShown, type Device } from './support/service-worker.js';

const PASSWORDS = { alice: 'correct horse battery', bob: 'battery staple horse' };
const DESKTOP = { viewport: { width: 1280, height: 800 } };

/** What the hub's push message carries (packages/hub/src/notifications/senders/push.ts). */
interface PushPayload {
  kind: string;
  title: string;
  body: string;
  url: string;
  tag: string;
  request_id: string | null;
  actions: { action: string; title: string }[];
  codes: { approve?: string; deny?: string };
}

let h: SessionHarness;
let browser: Browser;
let fake: FakePushService;
let sink: SmtpSink;
let alice: Device;
let bob: Device;

beforeAll(async () => {
  ensureWebBuild();
  [fake, sink] = await Promise.all([startFakePushService(), startSmtpSink()]);
  [h, browser] = await Promise.all([startSessionHarness({ notifications: { smtpUrl: sink.url } }), launchBrowser()]);
  await setPasswords(h.hub, PASSWORDS);
  alice = await openDevice(browser, h.hub.url, fake, 'alice', PASSWORDS.alice);
  bob = await openDevice(browser, h.hub.url, fake, 'bob', PASSWORDS.bob);
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
  await Promise.all([fake?.close(), sink?.close()]);
});


const controlsOf = async (requestId: string) =>
  (await h.hub.store.eventsSince(h.channelId, 0, 100_000)).filter((e) => e.type === 'control' && e.payload.action.type === 'resolve_approval' && e.payload.action.request_id === requestId);

/** An instruction by alice whose turn asks to run `cmd` escalated; resolves once the prompt shows. */
async function askForCommand(cmd: string, after: string): Promise<{ id: string; requestId: string }> {
  h.model.enqueue({ type: 'exec', cmd, escalated: 'Needs to run outside the sandbox', login: false }, { type: 'text', chunks: [after] });
  const id = await h.say(h.alice, `run ${cmd}`);
  const thread = await h.waitFor(hasState(id, 'processing', 'awaiting approval'), 'approval prompt');
  return { id, requestId: stateOf(thread, id)!.approval!.request_id };
}

/** The next push message to `device` that `pred` accepts (earlier ones, e.g. a finished turn, are passed over). */
async function nextPush(device: Device, pred: (p: PushPayload) => boolean): Promise<PushReceived> {
  for (;;) {
    const message = await fake.next(device.sub.id);
    if (pred(message.payload as PushPayload)) return message;
  }
}

const kinds = (device: Device) => fake.received.filter((r) => r.id === device.sub.id).map((r) => (r.payload as PushPayload).kind);

async function api(page: Page, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  return page.evaluate(
    async ({ method, path, body }) => {
      const res = await fetch(path, { method, headers: { 'content-type': 'application/json' }, ...(body === null ? {} : { body: JSON.stringify(body) }) });
      return { status: res.status, json: await res.json() };
    },
    { method, path, body: body ?? null },
  );
}

describe('deciding from a push alert', () => {
  it('reaches the decider’s browser only; its Approve action, run by the service worker, decides via push; the code works once', async () => {
    const { id, requestId } = await askForCommand('echo pushed-approval', 'ran it');
    const message = await nextPush(alice, (p) => p.request_id === requestId);
    const payload = message.payload as PushPayload;
    const threadUrl = `${h.hub.url}/c/acme/agents/t/${h.runner.threadId}`;
    expect(payload).toMatchObject({ kind: 'approval_requested', url: threadUrl, tag: `prompt:${requestId}`, request_id: requestId, title: expect.stringMatching(/^Approval needed: .*echo pushed-approval/) as unknown });
    expect(payload.actions).toEqual([
      { action: 'approve', title: 'Approve' },
      { action: 'deny', title: 'Deny' },
    ]);
    expect(message.urgency).toBe('high');
    await h.hub.notifications.worker.idle();
    expect(kinds(alice)).toEqual(['approval_requested']);
    expect(kinds(bob)).toEqual([]);

    await deliverPush(alice, message);
    const alert = await waitShown(alice.page, payload.tag);
    expect(alert).toEqual({
      title: payload.title,
      body: payload.body,
      tag: `prompt:${requestId}`,
      actions: [
        { action: 'approve', title: 'Approve' },
        { action: 'deny', title: 'Deny' },
      ],
      data: { url: threadUrl, codes: payload.codes },
      requireInteraction: true,
    });
    expect(await shown(bob.page)).toEqual([]);

    await clickAction(alice, payload.tag, 'approve');
    // The alert is gone; a short one says how it went.
    expect(await shown(alice.page, payload.tag)).toEqual([]);
    expect((await shown(alice.page, 'decide-result')).map((n) => n.title)).toEqual(['Approved']);

    const done = await h.waitFor(hasState(id, 'processed'), 'the approved turn to finish');
    expect(runnerRows(done).filter((r) => r.kind === 'command' || r.kind === 'assistant')).toEqual([
      { kind: 'command', body: 'pushed-approval\n', status: 'completed', meta: expect.objectContaining({ command: expect.stringContaining('echo pushed-approval') as unknown, status: 'completed', exit_code: 0 }) as unknown },
      { kind: 'assistant', body: 'ran it', status: 'completed', meta: {} },
    ]);
    const aliceId = (await h.hub.store.userByName('alice'))!.id;
    expect(stateOf(done, id)).toEqual({
      state: 'processed',
      reason: null,
      approval: null,
      decided: [expect.objectContaining({ request_id: requestId, outcome: 'approved', choice: 'approve', by: { user_id: aliceId, name: 'alice' }, via: 'push' })],
    });
    expect((await controlsOf(requestId)).map((e) => e.type === 'control' && [e.payload.actor.name, e.payload.via])).toEqual([['alice', 'push']]);

    // The same alert again (a push service may deliver twice): Approve is refused, and says so.
    await deliverPush(alice, message);
    await waitShown(alice.page, payload.tag);
    await clickAction(alice, payload.tag, 'approve');
    expect((await shown(alice.page, 'decide-result')).map((n) => n.title)).toEqual(['This decision link was already used; each works once.']);
    expect(await api(bob.page, 'POST', '/api/decide', { code: payload.codes.approve })).toMatchObject({ status: 409, json: { code: 'decision_code_used' } });
    expect(await api(bob.page, 'POST', '/api/decide', { code: payload.codes.deny })).toMatchObject({ status: 409, json: { code: 'decision_code_used' } });
    expect((await controlsOf(requestId)).length).toBe(1);
    expect(stateOf(await h.thread(), id)).toEqual(stateOf(done, id));

    // The finished turn reaches alice (she steers it); bob, who may not decide, heard nothing at all.
    await nextPush(alice, (p) => p.kind === 'turn_finished');
    await h.hub.notifications.worker.idle();
    expect(kinds(alice)).toEqual(['approval_requested', 'turn_finished']);
    expect(kinds(bob)).toEqual([]);
    expect(await shown(bob.page)).toEqual([]);
    expect([...alice.errors, ...bob.errors]).toEqual([]);
  });
});

describe('deciding from an email', () => {
  it('the link shows a confirmation (a GET decides nothing); its button decides once via email; the link is then refused as used', async () => {
    const { prefs } = (await api(alice.page, 'GET', '/api/notifications/prefs')).json as { prefs: Record<string, unknown> };
    expect(prefs).toMatchObject({ media: { approval_requested: { email: true } } });
    expect(await api(alice.page, 'PUT', '/api/notifications/prefs', { ...prefs, email: 'alice@example.com' })).toMatchObject({ status: 200 });
    const { id, requestId } = await askForCommand('echo mailed-approval', 'ran it too');

    const mail = await sink.next();
    const threadUrl = `${h.hub.url}/c/acme/agents/t/${h.runner.threadId}`;
    expect(mail.to).toEqual(['alice@example.com']);
    expect(mail.subject).toMatch(/^Approval needed: .*echo mailed-approval/);
    expect(mail.text).toContain(threadUrl);
    expect(mail.html).toContain(threadUrl.replace(/&/g, '&amp;'));
    const textLinks = [...mail.text.matchAll(/https?:\/\/\S+\/decide\/[A-Za-z0-9_-]+/g)].map((m) => m[0]);
    const htmlLinks = [...mail.html.matchAll(/href="([^"]*\/decide\/[^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
    expect(htmlLinks).toHaveLength(2);
    expect(textLinks).toEqual(htmlLinks);
    const [approveLink, denyLink] = htmlLinks as [string, string];
    expect(approveLink.startsWith(`${h.hub.url}/decide/`)).toBe(true);
    // Her browser got the prompt too, with codes of its own.
    const pushed = (await nextPush(alice, (p) => p.request_id === requestId)).payload as PushPayload;
    expect(pushed).toMatchObject({ kind: 'approval_requested', request_id: requestId });

    // The link opens where the mail is read: a browser with no Pilothouse session.
    const mailClient = await openPerson(browser, { ...DESKTOP, reducedMotion: 'reduce' });
    const first = mailClient.page;
    const second = await mailClient.context.newPage();
    for (const page of [first, second]) {
      const res = await page.goto(approveLink);
      expect(res?.status()).toBe(200);
      await page.getByRole('heading', { name: 'Approve?', exact: true }).waitFor();
      expect(await page.locator('pre').textContent()).toContain('echo mailed-approval');
    }
    // The page in light and dark, phone and desktop (saved with PILOTHOUSE_SCREENSHOTS): it fits.
    for (const colorScheme of ['light', 'dark'] as const) {
      for (const [device, options] of [
        ['desktop', DESKTOP],
        ['phone', DEVICES.phone],
      ] as const) {
        const p = await openPerson(browser, { ...options, colorScheme, reducedMotion: 'reduce' });
        await p.page.goto(approveLink);
        await p.page.getByRole('button', { name: 'Approve', exact: true }).waitFor();
        expect(await p.page.evaluate(() => {
          const g = globalThis as unknown as { document: { documentElement: { scrollWidth: number } }; innerWidth: number };
          return g.document.documentElement.scrollWidth - g.innerWidth;
        })).toBe(0);
        await screenshot(p.page, `decide-confirm-${device}-${colorScheme}`);
        await p.context.close();
      }
    }
    // Opening it (six times) changed nothing.
    expect(stateOf(await h.thread(), id)).toMatchObject({ state: 'processing', reason: 'awaiting approval', approval: { request_id: requestId } });
    expect(await controlsOf(requestId)).toEqual([]);

    await second.getByRole('button', { name: 'Approve', exact: true }).click();
    await second.getByRole('heading', { name: 'Done' }).waitFor();
    expect(await second.locator('main').textContent()).toContain('Your answer (Approve) was sent to the session.');
    const done = await h.waitFor(hasState(id, 'processed'), 'the emailed approval to finish the turn');
    expect(runnerRows(done).filter((r) => r.kind === 'command').at(-1)).toMatchObject({ kind: 'command', body: 'mailed-approval\n', status: 'completed' });
    const aliceId = (await h.hub.store.userByName('alice'))!.id;
    const settled = stateOf(done, id);
    expect(settled).toEqual({
      state: 'processed',
      reason: null,
      approval: null,
      decided: [expect.objectContaining({ request_id: requestId, outcome: 'approved', choice: 'approve', by: { user_id: aliceId, name: 'alice' }, via: 'email' })],
    });
    expect((await controlsOf(requestId)).map((e) => e.type === 'control' && [e.payload.actor.name, e.payload.via])).toEqual([['alice', 'email']]);

    // The page opened before: confirming now is refused, clearly.
    const refused = first.waitForResponse((r) => r.request().method() === 'POST' && r.url() === approveLink);
    await first.getByRole('button', { name: 'Approve', exact: true }).click();
    expect((await refused).status()).toBe(409);
    await first.getByRole('heading', { name: 'Not decided' }).waitFor();
    expect(await first.locator('main').textContent()).toContain('This decision link was already used; each works once.');
    // Reopening either link says the same, with nothing to press; her push codes for it are spent too.
    for (const link of [approveLink, denyLink]) {
      const res = await first.goto(link);
      expect(res?.status()).toBe(409);
      await first.getByRole('heading', { name: 'Not decided' }).waitFor();
      expect(await first.locator('main').textContent()).toContain('already used');
      expect(await first.locator('button, form').count()).toBe(0);
    }
    expect(await api(bob.page, 'POST', '/api/decide', { code: pushed.codes.approve })).toMatchObject({ status: 409, json: { code: 'decision_code_used' } });

    // Nothing else changed: one decision, the turn as it ended.
    expect((await controlsOf(requestId)).length).toBe(1);
    expect(stateOf(await h.thread(), id)).toEqual(settled);
    expect(sink.mails.filter((m) => m.subject.startsWith('Approval needed'))).toHaveLength(1);
    expect([...mailClient.errors, ...alice.errors]).toEqual([]);
    await mailClient.context.close();
  });
});
