// The email medium: the hub's SMTP server from one URL (--smtp-url), a notification rendered as a
// plain-text and an HTML part (everything from the content escaped; decide links open a
// confirmation page), and a pooled sender that answers every send with an Attempt, never a throw.
// SMTP reply classes follow RFC 5321 §4.2.1 (4yz transient, 5yz permanent).

import { createTransport } from 'nodemailer';
import { PilothouseError } from '@pilothouse/protocol';
import type { Attempt, NotificationContent } from '../delivery.js';

/** The SMTP server the hub sends through, as parsed from `--smtp-url`. */
export interface SmtpConfig {
  readonly host: string;
  readonly port: number;
  /** `smtps://`: TLS from the first byte (implicit TLS). */
  readonly secure: boolean;
  /**
   * STARTTLS on a plain `smtp://` connection: `opportunistic` (when the server offers it),
   * `required`, or `off` (`smtps://`, which needs none; or a local relay whose STARTTLS has a
   * certificate that cannot be verified, e.g. Debian's default Postfix with its snakeoil one).
   */
  readonly starttls: 'required' | 'opportunistic' | 'off';
  readonly user: string | null;
  readonly pass: string | null;
  /** The From header: `Pilothouse <pilothouse@localhost>` unless `?from=` said. */
  readonly from: string;
}

/** The From address used when the URL names none. */
export const DEFAULT_FROM = 'Pilothouse <pilothouse@localhost>';

const bad = (what: string): PilothouseError => new PilothouseError('bad_request', `--smtp-url: ${what}`);

// One address, no display name: a local part of atoms, a domain of labels (no spaces, no
// brackets, no commas, no control characters — nothing that could make a second recipient or a header).
const ADDRESS = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** Whether `s` is one plain email address (`name@example.com`), as recipients must be. */
export function isEmailAddress(s: string): boolean {
  return s.length <= 254 && ADDRESS.test(s) && s.indexOf('@') <= 64;
}

function parseFrom(raw: string): string {
  const s = raw.trim();
  if (/[\r\n\0]/.test(s)) throw bad('from= must be one line.');
  const named = /^(.*?)\s*<([^<>]*)>$/.exec(s);
  const address = named ? named[2]! : s;
  if (!isEmailAddress(address)) throw bad(`from= is not an email address or "Name <address>": ${JSON.stringify(s)}.`);
  if (named && /[<>"\\]/.test(named[1]!)) throw bad('from= has a display name with <, >, " or \\ in it.');
  return s;
}

/**
 * Parses `smtp://[user:pass@]host[:port][?from=…&starttls=required|opportunistic|off]` (port 587,
 * STARTTLS when offered) or `smtps://…` (implicit TLS, port 465); `from` is `address` or
 * `Name <address>`. Throws PilothouseError `bad_request` naming what is wrong; no message ever
 * contains the password.
 */
export function parseSmtpUrl(url: string): SmtpConfig {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw bad('not a URL; expected smtp://[user:pass@]host[:port] or smtps://….');
  }
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') throw bad(`the scheme must be smtp:// or smtps://, not ${u.protocol}//.`);
  const secure = u.protocol === 'smtps:';
  if (u.hostname === '') throw bad('no host.');
  if (u.pathname !== '' && u.pathname !== '/') throw bad('a path is not allowed (put options in the query: ?from=…&starttls=…).');
  if (u.hash !== '') throw bad('a #fragment is not allowed.');
  const port = u.port === '' ? (secure ? 465 : 587) : Number(u.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad('the port must be between 1 and 65535.');
  let user: string | null = null;
  let pass: string | null = null;
  try {
    if (u.username !== '') user = decodeURIComponent(u.username);
    if (u.password !== '') pass = decodeURIComponent(u.password);
  } catch {
    throw bad('the user or password is not valid percent-encoding.');
  }
  if (user !== null && pass === null) throw bad(`user ${JSON.stringify(user)} has no password (smtp://user:pass@host).`);
  if (user === null && pass !== null) throw bad('a password without a user (smtp://user:pass@host).');
  let from = DEFAULT_FROM;
  let starttls: SmtpConfig['starttls'] = secure ? 'off' : 'opportunistic';
  const seen = new Set<string>();
  for (const [key, value] of u.searchParams) {
    if (seen.has(key)) throw bad(`the query option ${key}= is given twice.`);
    seen.add(key);
    if (key === 'from') from = parseFrom(value);
    else if (key === 'starttls') {
      if (secure) throw bad('starttls= applies to smtp:// only; smtps:// is TLS from the start.');
      if (value !== 'required' && value !== 'opportunistic' && value !== 'off') throw bad(`starttls= must be required, opportunistic or off, not ${JSON.stringify(value)}.`);
      starttls = value;
    } else throw bad(`unknown query option ${JSON.stringify(key)} (known: from, starttls).`);
  }
  // `[::1]` comes back bracketed; the socket wants the bare address.
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  return { host, port, secure, starttls, user, pass, from };
}

/** The server for logs and messages: `smtp://user:***@host:port` (never the password). */
export function describeSmtp(config: SmtpConfig): string {
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const auth = config.user === null ? '' : `${encodeURIComponent(config.user)}:***@`;
  return `${config.secure ? 'smtps' : 'smtp'}://${auth}${host}:${config.port}`;
}

/** A rendered email: one-line subject, plain-text and HTML bodies. */
export interface RenderedEmail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

const SUBJECT_MAX = 120;
const MESSAGE_MAX = 300;
const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
// Control characters (CR and LF above all) never reach a header.
// eslint-disable-next-line no-control-regex
const oneLine = (s: string): string => s.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();

/** An absolute http(s) URL, or a bad_request naming `what` (a `javascript:` link never reaches an href). */
function httpUrl(raw: string, what: string): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new PilothouseError('bad_request', `${what} is not an absolute URL.`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new PilothouseError('bad_request', `${what} is not an http(s) URL.`);
  return u;
}

/**
 * Renders a notification as an email: the title as the subject (one line, ≤120 characters), the
 * body, a link per action to its confirmation page `${hubUrl}/decide/${code}` (opening it changes
 * nothing), a link to the thread, and a footer saying why the person got it. Everything from the
 * content is escaped in the HTML. Throws PilothouseError `bad_request` when `hubUrl` or
 * `content.url` is not an absolute http(s) URL.
 */
export function renderEmail(content: NotificationContent, opts: { hubUrl: string }): RenderedEmail {
  const hub = httpUrl(opts.hubUrl, 'The hub URL');
  const base = `${hub.origin}${hub.pathname.replace(/\/+$/, '')}`;
  const threadUrl = httpUrl(content.url, "The thread's URL").href;
  const chars = Array.from(oneLine(content.title)); // code points: a clip never splits a surrogate pair
  const subject = chars.length === 0 ? 'Pilothouse notification' : chars.length > SUBJECT_MAX ? `${chars.slice(0, SUBJECT_MAX - 1).join('').trimEnd()}…` : chars.join('');
  const actions = content.actions.map((a) => ({ label: a.label, url: `${base}/decide/${encodeURIComponent(a.code)}` }));
  const why = actions.length > 0 ? `You got this because you may decide this prompt in ${content.channel}.` : `You got this because of your notification settings for ${content.channel}.`;
  const confirmNote = 'Each link opens a page where you confirm; nothing happens just by opening it.';

  const text = [
    content.title.replace(/\r\n?/g, '\n'),
    '',
    content.body.replace(/\r\n?/g, '\n'),
    '',
    ...(actions.length > 0 ? [...actions.map((a) => `${a.label}: ${a.url}`), confirmNote, ''] : []),
    `Open the thread: ${threadUrl}`,
    '',
    '-- ',
    why,
    '',
  ].join('\n');

  const button = (a: { label: string; url: string }, i: number): string =>
    `<a href="${escapeHtml(a.url)}" style="display:inline-block;padding:8px 16px;margin:0 8px 8px 0;border-radius:6px;text-decoration:none;font-weight:600;${i === 0 ? 'background:#1f6feb;color:#ffffff' : 'background:#eaeef2;color:#24292f'}">${escapeHtml(a.label)}</a>`;
  const html = `<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(subject)}</title></head>
<body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#24292f;line-height:1.5">
<h2 style="font-size:18px;margin:0 0 12px">${escapeHtml(content.title)}</h2>
<p style="white-space:pre-wrap;margin:0 0 16px">${escapeHtml(content.body)}</p>
${actions.length > 0 ? `<p style="margin:0 0 4px">${actions.map(button).join('')}</p>\n<p style="font-size:13px;color:#57606a;margin:0 0 16px">${escapeHtml(confirmNote)}</p>\n` : ''}<p style="margin:0 0 24px"><a href="${escapeHtml(threadUrl)}">Open the thread</a></p>
<p style="font-size:12px;color:#57606a;border-top:1px solid #d0d7de;padding-top:8px">${escapeHtml(why)}</p>
</body></html>
`;
  return { subject, text, html };
}

/** Sends notifications by email through one pooled SMTP connection. */
export interface EmailSender {
  /** One attempt to `to`, with decide links under `hubUrl`; never throws (every failure is an Attempt). */
  send(to: string, content: NotificationContent, hubUrl: string): Promise<Attempt>;
  /** Closes the pooled connections. */
  close(): void;
}

// What nodemailer puts on its errors, read from `unknown` (no cast, no assumption it is an Error).
const field = (err: unknown, key: string): unknown => (typeof err === 'object' && err !== null ? Reflect.get(err, key) : undefined);
const errorText = (err: unknown): string => oneLine(err instanceof Error ? err.message : String(err)).slice(0, MESSAGE_MAX);

const UNREACHABLE = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'ESOCKET', 'ECONNECTION', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'EDNS']);

/** Maps a nodemailer failure to an Attempt; `server` is describeSmtp's (exported for tests of the rules). */
export function attemptFromSmtpError(err: unknown, server: string): Attempt {
  const rawCode = field(err, 'code');
  const rawReply = field(err, 'responseCode');
  const code = typeof rawCode === 'string' ? rawCode : null;
  const reply = typeof rawReply === 'number' ? rawReply : null;
  const detail = errorText(err);
  const message = `${server}: ${detail}`;
  // A refused login (535, 534…) is permanent; 454 (temporary authentication failure) is retried.
  if (reply !== null && code === 'EAUTH' && reply >= 500) return { outcome: 'failed', code: 'smtp_auth_failed', message };
  if (reply !== null && reply >= 400 && reply < 500) return { outcome: 'retry', code: 'smtp_temporary', message };
  if (reply !== null && reply >= 500) return { outcome: 'failed', code: 'smtp_rejected', message };
  if (code === 'EAUTH' || code === 'ENOAUTH') return { outcome: 'failed', code: 'smtp_auth_failed', message };
  if (code === 'ETLS') return { outcome: 'failed', code: 'smtp_tls_failed', message };
  if ((code !== null && UNREACHABLE.has(code)) || /closed|timed? ?out/i.test(detail)) return { outcome: 'retry', code: 'smtp_unreachable', message };
  return { outcome: 'retry', code: 'smtp_error', message };
}

/**
 * A sender through the configured server: one pooled transport, connection, greeting, DNS and
 * socket timeouts of `timeoutMs` (10 s). Accepted → sent; unreachable or a 4xx → retry; a failed
 * login or a 5xx → failed; an address that is not one plain address, or content that cannot be
 * rendered → failed without connecting. Every send of one notification carries the same
 * Message-ID, so a retry is recognisable as the same mail.
 */
export function createEmailSender(config: SmtpConfig, opts: { timeoutMs?: number } = {}): EmailSender {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const server = describeSmtp(config);
  const transport = createTransport({
    pool: true,
    maxConnections: 2,
    host: config.host,
    port: config.port,
    secure: config.secure,
    requireTLS: !config.secure && config.starttls === 'required',
    // A server that offers STARTTLS and then refuses it: go on in plaintext (nodemailer sends no AUTH then).
    opportunisticTLS: !config.secure && config.starttls === 'opportunistic',
    ignoreTLS: !config.secure && config.starttls === 'off',
    tls: { servername: config.host },
    auth: config.user !== null ? { user: config.user, pass: config.pass ?? '' } : undefined,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return {
    async send(to, content, hubUrl) {
      try {
        if (!isEmailAddress(to)) return { outcome: 'failed', code: 'email_address_invalid', message: `Not an email address: ${JSON.stringify(to.slice(0, 100))}.` };
        let rendered: RenderedEmail;
        try {
          rendered = renderEmail(content, { hubUrl });
        } catch (err) {
          return { outcome: 'failed', code: 'email_render_failed', message: `The notification could not be rendered: ${errorText(err)}` };
        }
        const id = content.id.replace(/[^A-Za-z0-9._-]/g, '_'); // a header value: never CR/LF or brackets
        const info = await transport.sendMail({
          from: config.from,
          to,
          envelope: { from: envelopeFrom(config.from), to: [to] },
          subject: rendered.subject,
          text: rendered.text,
          html: rendered.html,
          messageId: `<${id}@pilothouse>`,
          // RFC 3834 §5: an automatic message, so vacation responders stay quiet.
          headers: { 'X-Pilothouse-Notification': id, 'Auto-Submitted': 'auto-generated' },
        });
        if (info.accepted.length === 0) return { outcome: 'failed', code: 'smtp_rejected', message: `${server}: the recipient was not accepted.` };
        return { outcome: 'sent' };
      } catch (err) {
        return attemptFromSmtpError(err, server);
      }
    },
    close() {
      transport.close();
    },
  };
}

/** The bare address of a From value (`Name <a@b>` → `a@b`), for MAIL FROM. */
function envelopeFrom(from: string): string {
  const named = /<([^<>]*)>$/.exec(from);
  return named ? named[1]! : from;
}
