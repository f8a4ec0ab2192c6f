// Deliveries & webhooks for admins, in Chromium against a real hub (its worker on a short retry
// schedule: three attempts, 50 ms apart) and a webhook receiver on 127.0.0.1: alice (an admin)
// opens the page from the sidebar; a webhook to the hub itself is refused with the hub's reason;
// one to the receiver (a private address, so she allows private addresses) is added and its
// signing secret shown once. The receiver answers 500, so the delivery of bob's mention fails
// after three attempts and shows up under Failed with its code; the receiver is fixed, Retry sends
// it again and it shows up under Sent. A full channel's refusal is shown beside the form; a
// webhook is removed after a confirmation. bob (a member) has no link, and the page tells him it
// is for admins. With PILOTHOUSE_SCREENSHOTS, the page with a failed delivery and a webhook at
// phone and desktop size, light and dark, goes to docs/screenshots/.

import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as pathJoin } from 'node:path';
import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'phoenix';
import { startHub, type RunningHub } from '@pilothouse/hub';
import { connect, join as joinChannel, push, seedStore, startWebhookReceiver, type WebhookReceiver } from '@pilothouse/hub/testing';
import type { PageGlobals } from './support/page-globals.js';
import { DEVICES, ensureWebBuild, launchBrowser, openPerson, screenshot, setPasswords, signIn, WEB_ROOT, type Person } from './support/browser.js';

const PASSWORD = 'correct horse battery';
const DESKTOP = { viewport: { width: 1280, height: 820 } };
const PAGE = '/admin/notifications';
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** Serious and critical axe findings on the page. */
async function violations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const { axe } = globalThis as unknown as PageGlobals;
    const result = (await axe.run({ resultTypes: ['violations'] })) as { violations: { id: string; impact: string; nodes: { target: string[] }[] }[] };
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
  });
}

let hub: RunningHub;
let dataDir: string;
let tokens: Record<string, string>;
let receiver: WebhookReceiver;
let browser: Browser;
let alice: Person;
let bobSocket: Socket;
let deliveryId: string;

beforeAll(async () => {
  ensureWebBuild();
  dataDir = mkdtempSync(pathJoin(tmpdir(), 'ph-e2e-admin-'));
  [hub, receiver, browser] = await Promise.all([
    startHub({
      host: '127.0.0.1',
      port: 0,
      store: { kind: 'sqlite', dataDir },
      logger: pino({ level: 'silent' }),
      webRoot: WEB_ROOT,
      notifications: { push: false, pollMs: 50, retry: { maxAttempts: 3, firstDelayMs: 50 } },
    }),
    startWebhookReceiver('the-secret-is-only-known-later'),
    launchBrowser(),
  ]);
  // alice administers the hub (and is in acme/agents and acme/private); bob and dave are members.
  ({ tokens } = await seedStore(hub.store, ['alice', 'bob', 'dave']));
  await setPasswords(hub, { alice: PASSWORD, bob: PASSWORD });
  alice = await openPerson(browser, { ...DESKTOP, reducedMotion: 'reduce' });
  bobSocket = connect(hub.url, tokens.bob!);
});

afterAll(async () => {
  bobSocket?.disconnect();
  await browser?.close();
  await hub?.close();
  await receiver?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function signInAs(page: Page, name: string): Promise<void> {
  await page.goto(hub.url);
  await signIn(page, name, PASSWORD);
  await page.locator('nav.sidebar').waitFor({ state: 'attached' });
}

const deliveryRow = (page: Page, status: string) => page.locator(`.delivery-table[data-status=${status}] tbody tr[data-medium=webhook]`);
const hooks = (page: Page) => page.locator('.webhook-list li.webhook');
const form = (page: Page) => page.getByRole('form', { name: 'Add a webhook' });

const overflow = (page: Page) =>
  page.evaluate(() => {
    const g = globalThis as unknown as PageGlobals;
    return (g.document.documentElement.scrollWidth as number) - (g.window.innerWidth as number);
  });

describe('deliveries & webhooks', () => {
  it('the admin opens the page from the sidebar; nothing has failed yet', async () => {
    const { page } = alice;
    await signInAs(page, 'alice');
    const link = page.locator('.sidebar a', { hasText: 'Deliveries & webhooks' });
    await link.click();
    await page.waitForURL(`${hub.url}${PAGE}`);
    expect(await link.getAttribute('aria-current')).toBe('page');
    expect(await page.locator('.view-head h1').textContent()).toBe('Deliveries & webhooks');
    await page.getByText('No failed deliveries.').waitFor();
    expect(await page.getByRole('button', { name: 'Failed', exact: true }).getAttribute('aria-pressed')).toBe('true');
    await page.getByText('No webhooks on acme/agents.').waitFor();
  });

  it('the hub’s refusal of a URL is shown beside the form; added with private addresses allowed, the secret is shown once', async () => {
    const { page } = alice;
    const f = form(page);
    // The hub never calls itself.
    await f.getByLabel('URL').fill(`${hub.url}/api/hook`);
    await f.getByRole('button', { name: 'Add webhook' }).click();
    const refused = f.locator('.webhook-refused[data-code=webhook_url_refused]');
    await refused.waitFor();
    expect(await refused.textContent()).toBe('A webhook URL must not point at this hub.');
    expect(await hooks(page).count()).toBe(0);

    // The receiver is on 127.0.0.1: refused when sending unless private addresses are allowed.
    await f.getByLabel('URL').fill(`${receiver.url}/hook`);
    // Only mentions.
    for (const kind of ['approval_requested', 'preview_requested', 'approval_expiring', 'turn_finished', 'turn_failed', 'runner_offline']) await f.getByLabel(kind).uncheck();
    await f.getByLabel('Allow private addresses').check();
    expect(await f.locator('.webhook-warn').textContent()).toMatch(/^Warning: the hub will call addresses inside your network/);
    await f.getByRole('button', { name: 'Add webhook' }).click();
    const secretBox = page.getByRole('status', { name: 'Signing secret' });
    await secretBox.waitFor();
    const secret = await secretBox.locator('code').textContent();
    expect(secret).toMatch(/^whsec_[\w-]{32}$/);
    expect(await secretBox.textContent()).toContain('you will not see it again');
    expect(await secretBox.getByRole('button', { name: 'Copy the signing secret' }).count()).toBe(1);
    await screenshot(page, 'admin-notifications-secret-desktop-light');
    await refused.waitFor({ state: 'detached' });

    const hook = hooks(page).first();
    await hook.waitFor();
    expect(await hook.locator('.webhook-url').textContent()).toBe(`${receiver.url}/hook`);
    expect(await hook.locator('.webhook-format').textContent()).toBe('json');
    expect(await hook.locator('.webhook-kinds').textContent()).toBe('mention');
    expect(await hook.locator('.webhook-private').textContent()).toBe('private addresses allowed');
    // The form is empty again, private addresses off.
    expect(await f.getByLabel('URL').inputValue()).toBe('');
    expect(await f.getByLabel('Allow private addresses').isChecked()).toBe(false);

    await secretBox.getByRole('button', { name: 'Done' }).click();
    await secretBox.waitFor({ state: 'detached' });
    await page.reload();
    await hooks(page).first().waitFor();
    expect(await page.locator('.webhook-secret').count()).toBe(0);
    expect(await page.content()).not.toContain(secret!);
  });

  it('a delivery the receiver keeps answering 500 shows up under Failed after the worker’s attempts', async () => {
    const { page } = alice;
    receiver.respondWith(500, {}, 3);
    const ch = bobSocket.channel('channel:acme/agents', {});
    await joinChannel(ch);
    await push(ch, 'post_message', { client_id: 'admin-1', body: '@dave the deploy is stuck' });

    // The list refreshes itself while it is looked at.
    const row = deliveryRow(page, 'failed');
    await row.waitFor();
    deliveryId = (await row.getAttribute('data-delivery-id'))!;
    expect(receiver.received.map((r) => r.headers['pilothouse-delivery'])).toEqual([deliveryId, deliveryId, deliveryId]);
    const hookId = await hooks(page).first().getAttribute('data-webhook-id');
    expect(await row.locator('.delivery-what code').textContent()).toBe('mention');
    expect(await row.locator('.delivery-title').textContent()).toBe('bob mentioned you');
    expect(await row.locator('.delivery-medium').textContent()).toBe('webhook');
    expect(await row.locator('.delivery-target').textContent()).toBe(hookId);
    expect(await row.locator('.delivery-attempts').textContent()).toBe('3 attempts');
    expect(await row.locator('.delivery-next').textContent()).toBe('—');
    expect(await row.locator('.delivery-code').textContent()).toBe('webhook_status_500');
    expect(await row.locator('.delivery-message').textContent()).toMatch(/^gave up after 3 attempts: /);
  });

  it('phone and desktop, light and dark: no overflow, no serious axe finding (screenshots: a failed delivery and a webhook)', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      for (const [device, options] of [
        ['desktop', DESKTOP],
        ['phone', DEVICES.phone],
      ] as const) {
        const p = await openPerson(browser, { ...options, colorScheme, reducedMotion: 'reduce', bypassCSP: true });
        await signInAs(p.page, 'alice');
        await p.page.goto(`${hub.url}${PAGE}`);
        await deliveryRow(p.page, 'failed').waitFor();
        await hooks(p.page).first().waitFor();
        expect(await overflow(p.page)).toBe(0);
        await screenshot(p.page, `admin-notifications-${device}-${colorScheme}`);
        expect(await violations(p.page)).toEqual([]);
        if (device === 'phone') {
          // Stacked cards: the error sits below what and to whom, and Retry below that.
          const row = deliveryRow(p.page, 'failed');
          const [what, error, action] = await Promise.all([row.locator('.delivery-what').boundingBox(), row.locator('.delivery-error').boundingBox(), row.locator('.delivery-action').boundingBox()]);
          expect(error!.y).toBeGreaterThanOrEqual(what!.y + what!.height);
          expect(action!.y).toBeGreaterThanOrEqual(error!.y + error!.height);
          await p.page.locator('.webhooks').scrollIntoViewIfNeeded();
          await screenshot(p.page, `admin-notifications-phone-webhooks-${colorScheme}`);
        }
        expect(p.errors).toEqual([]);
        await p.context.close();
      }
    }
  });

  it('Retry, once the receiver answers 200, sends it again under the same id; it shows up under Sent', async () => {
    const { page } = alice;
    // The three 500s are spent: the receiver answers 200 from now on.
    const row = page.locator(`.delivery-table tr[data-delivery-id="${deliveryId}"]`);
    await row.getByRole('button', { name: 'Retry bob mentioned you' }).click();
    await page.getByRole('status').filter({ hasText: '“bob mentioned you” is queued again' }).waitFor();
    await row.waitFor({ state: 'detached' });
    await page.getByText('No failed deliveries.').waitFor();

    await page.getByRole('button', { name: 'Sent', exact: true }).click();
    const sent = page.locator(`.delivery-table[data-status=sent] tr[data-delivery-id="${deliveryId}"]`);
    await sent.waitFor();
    expect(await sent.locator('.delivery-attempts').textContent()).toBe('1 attempt');
    expect(await sent.locator('.delivery-error').textContent()).toBe('—');
    expect(await sent.locator('.delivery-next').textContent()).toMatch(/^sent /);
    expect(await sent.getByRole('button', { name: /Retry/ }).count()).toBe(0);
    expect(receiver.received.map((r) => r.headers['pilothouse-delivery'])).toEqual([deliveryId, deliveryId, deliveryId, deliveryId]);
    expect(receiver.unique).toBe(1);
  });

  it('a full channel’s refusal is shown beside the form; a webhook is removed after a confirmation', async () => {
    const { page } = alice;
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${hub.url}/api/channels/acme/private/webhooks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.alice!}`, 'content-type': 'application/json' },
        body: JSON.stringify({ url: `${receiver.url}/full-${i}`, kinds: ['mention'], allow_private: true }),
      });
      expect(res.status).toBe(200);
    }
    await page.getByLabel('Channel', { exact: true }).selectOption('acme/private');
    await page.getByRole('list', { name: 'Webhooks on acme/private' }).waitFor();
    expect(await hooks(page).count()).toBe(10);
    const f = form(page);
    await f.getByLabel('URL').fill(`${receiver.url}/one-too-many`);
    await f.getByLabel('Allow private addresses').check();
    await f.getByRole('button', { name: 'Add webhook' }).click();
    expect(await f.locator('.webhook-refused[data-code=bad_request]').textContent()).toBe('A channel has at most 10 webhooks; remove one first.');

    await page.getByLabel('Channel', { exact: true }).selectOption('acme/agents');
    const hook = hooks(page).first();
    await page.getByRole('list', { name: 'Webhooks on acme/agents' }).waitFor();
    await hook.getByRole('button', { name: `Remove webhook ${receiver.url}/hook` }).click();
    const confirm = hook.getByRole('group', { name: 'Confirm removal' });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    expect(await hooks(page).count()).toBe(1);
    await hook.getByRole('button', { name: `Remove webhook ${receiver.url}/hook` }).click();
    await confirm.getByRole('button', { name: 'Remove' }).click();
    await page.getByText('No webhooks on acme/agents.').waitFor();
    expect(alice.errors).toEqual([]);
    expect(alice.dialogs).toEqual([]);
  });

  it('a member has no link, and the page tells him it is for admins', async () => {
    const bob = await openPerson(browser, { ...DESKTOP, reducedMotion: 'reduce' });
    await signInAs(bob.page, 'bob');
    expect(await bob.page.locator('.sidebar a').count()).toBeGreaterThan(0);
    expect(await bob.page.locator('.sidebar a', { hasText: 'Deliveries & webhooks' }).count()).toBe(0);
    await bob.page.goto(`${hub.url}${PAGE}`);
    const refused = bob.page.locator('[data-admin-error=forbidden]');
    await refused.waitFor();
    expect(await refused.textContent()).toBe('Admins only: webhooks and deliveries are managed by this hub’s admins.');
    expect(await bob.page.locator('.delivery-table, .webhook-form').count()).toBe(0);
    expect(bob.errors).toEqual([]);
    await bob.context.close();
  });
});
