// This browser's push subscription: whether push can work here (and why not), turning it on
// (the service worker, the permission, pushManager.subscribe with the hub's VAPID key, then the
// hub is told) and off (unsubscribe, then the hub forgets the endpoint).

import { addPushSubscription, removePushSubscription } from '../api/notifications.js';

type PushSupport = { type: 'available'; publicKey: string } | { type: 'unavailable'; reason: string };

export function pushSupport(publicKey: string | null): PushSupport {
  if (publicKey === null) return { type: 'unavailable', reason: 'The hub has no push key (VAPID) configured, so it sends no push notifications. Ask an admin to set one up.' };
  if (!('serviceWorker' in navigator)) return { type: 'unavailable', reason: 'This page cannot run a service worker (it needs https or localhost, and a browser that has them).' };
  if (!('PushManager' in window)) return { type: 'unavailable', reason: 'This browser does not support web push.' };
  if (!('Notification' in window)) return { type: 'unavailable', reason: 'This browser cannot show notifications.' };
  return { type: 'available', publicKey };
}

async function registration(): Promise<ServiceWorkerRegistration> {
  const existing = await navigator.serviceWorker.getRegistration('/');
  if (!existing) await navigator.serviceWorker.register('/sw.js', { scope: '/' });
  return navigator.serviceWorker.ready;
}

export async function currentSubscription(): Promise<PushSubscription | null> {
  const reg = await navigator.serviceWorker.getRegistration('/');
  return reg ? reg.pushManager.getSubscription() : null;
}

/** The VAPID key as the bytes pushManager.subscribe takes (RFC 8292 §3.2: base64url). */
export function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const b64 = base64url.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(base64url.length / 4) * 4, '=');
  const raw = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

class PushRefused extends Error {
  override readonly name = 'PushRefused';
}

export async function turnOnPush(publicKey: string): Promise<void> {
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') throw new PushRefused(permission === 'denied' ? 'Notifications are blocked for this site; allow them in the browser’s site settings.' : 'Notifications were not allowed.');
  const reg = await registration();
  const sub = (await reg.pushManager.getSubscription()) ?? (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) }));
  await addPushSubscription(sub.toJSON());
}

export async function turnOffPush(): Promise<void> {
  const sub = await currentSubscription();
  if (!sub) return;
  const { endpoint } = sub;
  await sub.unsubscribe();
  await removePushSubscription(endpoint);
}
