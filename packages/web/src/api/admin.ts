// The admins' notification API (hub notifications/routes.ts): deliveries by status and sending a
// failed one again, and each channel's webhooks (list, add — the answer carries the signing secret,
// once — and remove). Replies are parsed here, once; refusals arrive as `HttpError` with the hub's code.

import { z } from 'zod';
import { NotificationKind, WebhookFormat, type WebhookInput } from '@pilothouse/protocol';
import { call } from './http.js';

export const DELIVERY_STATUSES = ['failed', 'pending', 'sent', 'skipped'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

const Delivery = z.object({
  id: z.string(),
  medium: z.string(),
  /** A webhook or push subscription id; an email address masked (`a…@example.com`). */
  target: z.string(),
  status: z.string(),
  attempts: z.number(),
  next_at: z.string(),
  last_code: z.string().nullable(),
  last_error: z.string().nullable(),
  created_at: z.string(),
  sent_at: z.string().nullable(),
  kind: z.string(),
  title: z.string(),
});
export type Delivery = z.infer<typeof Delivery>;

export const fetchDeliveries = (status: DeliveryStatus): Promise<Delivery[]> =>
  call(z.object({ deliveries: z.array(Delivery) }), 'GET', `/api/admin/deliveries?status=${status}`).then((r) => r.deliveries);

/** Back to pending, due now, attempts from 0; `delivery_not_failed` when it is no longer failed. */
export const retryDelivery = (id: string): Promise<Delivery> =>
  call(z.object({ delivery: Delivery }), 'POST', `/api/admin/deliveries/${encodeURIComponent(id)}/retry`).then((r) => r.delivery);

const Webhook = z.object({
  id: z.string(),
  url: z.string(),
  format: WebhookFormat,
  kinds: z.array(NotificationKind),
  allow_private: z.boolean(),
  created_at: z.string(),
});
export type Webhook = z.infer<typeof Webhook>;

const hooksPath = (channel: string) => {
  const [ws = '', ch = ''] = channel.split('/');
  return `/api/channels/${encodeURIComponent(ws)}/${encodeURIComponent(ch)}/webhooks`;
};

export const fetchWebhooks = (channel: string): Promise<Webhook[]> => call(z.object({ webhooks: z.array(Webhook) }), 'GET', hooksPath(channel)).then((r) => r.webhooks);

/** `{id, secret}`: the secret is never shown again. */
export const addWebhook = (channel: string, input: z.input<typeof WebhookInput>): Promise<{ id: string; secret: string }> =>
  call(z.object({ id: z.string(), secret: z.string() }), 'POST', hooksPath(channel), input);

export const removeWebhook = (channel: string, id: string): Promise<unknown> => call(z.object({ removed: z.boolean() }), 'DELETE', `${hooksPath(channel)}/${encodeURIComponent(id)}`);
