// End-to-end support for Web Push in Chromium: a signed-in browser whose service worker (the web
// UI's /sw.js) is registered and whose push subscription, made by the fake push service, the hub
// holds; a message delivered into that worker with the DevTools protocol
// (ServiceWorker.deliverPushMessage), the notifications it shows, and a click on one of their
// actions run through the worker's own notificationclick handler (headless Chromium cannot click a
// system notification). Waits are conditions, never sleeps.

import type { Browser, BrowserContextOptions, CDPSession, Page, Worker } from 'playwright-core';
import { expect } from 'vitest';
import type { FakePushService, FakeSubscription, PushReceived } from '@pilothouse/hub/testing';
import { openPerson, signIn, type Person } from './browser.js';

/** A notification as the service worker's registration lists it. */
export interface Shown {
  title: string;
  body: string;
  tag: string;
  actions: { action: string; title: string }[];
  data: unknown;
  requireInteraction: boolean;
}

/** A browser with the UI signed in, its service worker active, and a push subscription at the hub. */
export interface Device extends Person {
  sub: FakeSubscription;
  cdp: CDPSession;
  /** The service worker registration's id, as the DevTools protocol names it. */
  registrationId: string;
  worker: Worker;
  /** The hub's origin, where the worker is registered. */
  origin: string;
}
/**
 * Signs `name` in at the hub `origin`, waits for the service worker, and registers a subscription
 * of the fake push service, made for the hub's VAPID key, from the page.
 */
export async function openDevice(browser: Browser, origin: string, fake: FakePushService, name: string, password: string, options: BrowserContextOptions = {}): Promise<Device> {
  const person = await openPerson(browser, { viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce', ...options });
  await person.context.grantPermissions(['notifications'], { origin });
  const cdp = await person.context.newCDPSession(person.page);
  const registrations: { registrationId: string; scopeURL: string; isDeleted: boolean }[] = [];
  cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => registrations.push(...e.registrations));
  await cdp.send('ServiceWorker.enable');
  const workerSeen = person.context.waitForEvent('serviceworker');
  await person.page.goto(origin);
  await signIn(person.page, name, password);
  await person.page.locator('nav.sidebar').waitFor({ state: 'attached' });
  await person.page.evaluate(async () => {
    const nav = (globalThis as unknown as { navigator: { serviceWorker: { ready: Promise<unknown> } } }).navigator;
    await nav.serviceWorker.ready;
  });
  const worker = person.context.serviceWorkers().find((w) => w.url() === `${origin}/sw.js`) ?? (await workerSeen);
  expect(worker.url()).toBe(`${origin}/sw.js`);
  const registration = registrations.find((r) => r.scopeURL === `${origin}/` && !r.isDeleted);
  if (!registration) throw new Error(`no service worker registration for ${origin}/: ${JSON.stringify(registrations)}`);

  // Headless Chromium has no push service of its own to subscribe with: the page registers the
  // fake's subscription, made for the hub's VAPID key, through the hub's API as a browser would.
  const publicKey = await person.page.evaluate(async () => {
    const prefs = (await (await fetch('/api/notifications/prefs')).json()) as { push: { public_key: string | null } };
    return prefs.push.public_key;
  });
  expect(publicKey).toEqual(expect.any(String));
  const sub = fake.subscribe({ applicationServerKey: publicKey! });
  const status = await person.page.evaluate(async (s) => {
    const res = await fetch('/api/push/subscriptions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ endpoint: s.endpoint, keys: s.keys, expirationTime: null }) });
    return res.status;
  }, { endpoint: sub.endpoint, keys: sub.keys });
  expect(status).toBe(200);
  return { ...person, sub, cdp, registrationId: registration.registrationId, worker, origin };
}

/** The notifications the page's service worker registration shows now. */
export function shown(page: Page, tag?: string): Promise<Shown[]> {
  return page.evaluate(async (t) => {
    interface N {
      title: string;
      body: string;
      tag: string;
      actions: { action: string; title: string }[];
      data: unknown;
      requireInteraction: boolean;
    }
    const nav = (globalThis as unknown as { navigator: { serviceWorker: { ready: Promise<{ getNotifications(o?: { tag: string }): Promise<N[]> }> } } }).navigator;
    const reg = await nav.serviceWorker.ready;
    const list = await reg.getNotifications(t === null ? undefined : { tag: t });
    return list.map((n) => ({ title: n.title, body: n.body, tag: n.tag, actions: n.actions.map((a) => ({ action: a.action, title: a.title })), data: n.data, requireInteraction: n.requireInteraction }));
  }, tag ?? null);
}

/** Waits until the page's registration shows a notification tagged `tag` (shown after an event, so polled on the page's side). */
export async function waitShown(page: Page, tag: string): Promise<Shown> {
  await page.waitForFunction(async (t) => {
    const nav = (globalThis as unknown as { navigator: { serviceWorker: { ready: Promise<{ getNotifications(o: { tag: string }): Promise<unknown[]> }> } } }).navigator;
    return (await (await nav.serviceWorker.ready).getNotifications({ tag: t })).length > 0;
  }, tag);
  const [n] = await shown(page, tag);
  return n!;
}

/** A push message, as the push service would hand it to the browser, delivered into the device's service worker. */
export async function deliverPush(device: Device, message: PushReceived): Promise<void> {
  await device.cdp.send('ServiceWorker.deliverPushMessage', { origin: device.origin, registrationId: device.registrationId, data: message.plaintext });
}

/**
 * Runs the service worker's own notificationclick handler for the notification tagged `tag` with
 * `action`, as a click on that button would (headless Chromium cannot click a system
 * notification), and waits for what the handler hands to waitUntil.
 */
export async function clickAction(device: Device, tag: string, action: string): Promise<void> {
  await device.worker.evaluate(
    async ({ tag, action }) => {
      interface Scope {
        registration: { getNotifications(o: { tag: string }): Promise<unknown[]> };
        dispatchEvent(e: Event): boolean;
        NotificationEvent: new (type: string, init: { notification: unknown; action: string }) => Event;
      }
      const scope = globalThis as unknown as Scope;
      // The worker's own view of the registration's notifications: a notification the page was just
      // shown may reach it a moment later (a full run once found none here right after the page's
      // waitShown saw it), so wait for it, bounded, and say what was there if it never comes.
      const deadline = Date.now() + 10_000;
      let [notification] = await scope.registration.getNotifications({ tag });
      while (notification === undefined && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        [notification] = await scope.registration.getNotifications({ tag });
      }
      if (notification === undefined) {
        const all = (await scope.registration.getNotifications({ tag: '' })) as { tag: string }[];
        throw new Error(`no notification tagged ${tag} (shown: ${all.map((n) => n.tag).join(', ') || 'none'})`);
      }
      const event = new scope.NotificationEvent('notificationclick', { notification, action });
      // A script-made event's own waitUntil throws (it is not trusted): collect what the handler hands it.
      const pending: Promise<unknown>[] = [];
      Object.defineProperty(event, 'waitUntil', { value: (p: Promise<unknown>) => pending.push(p) });
      scope.dispatchEvent(event);
      if (pending.length === 0) throw new Error('the notificationclick handler handed nothing to waitUntil');
      await Promise.all(pending);
    },
    { tag, action },
  );
}
