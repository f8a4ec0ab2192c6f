// What a webhook sends: the body (our JSON, or a Slack message) and the `Pilothouse-Signature`
// header receivers check (HMAC-SHA256 over "<timestamp>.<body>", a timestamp within tolerance).

import { createHmac, timingSafeEqual } from 'node:crypto';
import type { NotificationContent } from '../delivery.js';


/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const SLACK_SECTION_MAX = 3000;

/** What a webhook POSTs: the notification's public fields (never its decision codes), or a Slack message. */
export function webhookBody(content: NotificationContent, format: 'json' | 'slack'): Record<string, unknown> {
  if (format === 'slack') {
    const link = `<${slackEscape(content.url).replace(/\|/g, '%7C')}|Open the thread>`;
    const head = `*${slackEscape(content.title)}*\n`;
    const room = SLACK_SECTION_MAX - head.length - link.length - 1;
    let body = slackEscape(content.body);
    if (body.length > room) body = `${body.slice(0, Math.max(0, room - 1))}…`;
    return {
      text: slackEscape(content.title),
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `${head}${body}\n${link}` } }],
    };
  }
  return {
    id: content.id,
    type: content.kind,
    channel: content.channel,
    thread_id: content.thread_id,
    message_id: content.message_id,
    request_id: content.request_id,
    title: content.title,
    body: content.body,
    url: content.url,
    created_at: content.created_at,
  };
}

function mac(secret: string, tsSeconds: number, body: string): string {
  return createHmac('sha256', secret).update(`${tsSeconds}.${body}`).digest('hex');
}

/** The `Pilothouse-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. */
export function sign(secret: string, tsSeconds: number, body: string): string {
  return `t=${tsSeconds},v1=${mac(secret, tsSeconds, body)}`;
}

/**
 * A receiver's check of `Pilothouse-Signature`: well-formed, a timestamp within the tolerance
 * of now (replays of old deliveries fail), and a `v1` matching the body (constant-time).
 */
export function verifySignature(secret: string, header: string, body: string, opts: { nowSeconds: number; toleranceSeconds?: number }): boolean {
  let ts: number | null = null;
  const sigs: string[] = [];
  for (const part of header.split(',')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const k = part.slice(0, i).trim();
    const v = part.slice(i + 1).trim();
    if (k === 't' && /^\d{1,15}$/.test(v)) ts = Number(v);
    else if (k === 'v1' && /^[0-9a-f]{64}$/i.test(v)) sigs.push(v.toLowerCase());
  }
  if (ts === null || sigs.length === 0) return false;
  if (Math.abs(opts.nowSeconds - ts) > (opts.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(mac(secret, ts, body), 'hex');
  let ok = false;
  for (const s of sigs) ok = timingSafeEqual(expected, Buffer.from(s, 'hex')) || ok;
  return ok;
}
