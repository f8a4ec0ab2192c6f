// The email medium against a real SMTP server (the test sink): what lands, how it is rendered and
// escaped, how each failure of the server maps to an Attempt, and how --smtp-url is read.

import { createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PilothouseError } from '@pilothouse/protocol';
import { startSmtpSink, type SmtpSink } from '../../../test/smtp-sink.js';
import type { NotificationContent } from '../delivery.js';
import { attemptFromSmtpError, createEmailSender, describeSmtp, parseSmtpUrl, renderEmail, type EmailSender } from './email.js';

const content = (over: Partial<NotificationContent> = {}): NotificationContent => ({
  id: 'ntf_01',
  kind: 'approval_requested',
  title: 'Approval needed: npm test',
  body: 'dave asks to run `npm test` in web.',
  url: 'https://hub.example.com/w/acme/web/t/thr_1#msg_1',
  channel: 'acme/web',
  thread_id: 'thr_1',
  message_id: 'msg_1',
  request_id: 'req_1',
  tag: 'approval:req_1',
  actions: [
    { id: 'approve', label: 'Approve', code: 'CODEAPPROVE123' },
    { id: 'deny', label: 'Deny', code: 'CODEDENY456' },
  ],
  created_at: '2026-12-05T10:00:00.000Z',
  ...over,
});

const HUB = 'https://hub.example.com';

const open: { sinks: SmtpSink[]; senders: EmailSender[] } = { sinks: [], senders: [] };
afterEach(async () => {
  for (const s of open.senders.splice(0)) s.close();
  await Promise.all(open.sinks.splice(0).map((s) => s.close()));
});
async function sink(opts?: { user?: string; pass?: string }): Promise<SmtpSink> {
  const s = await startSmtpSink(opts);
  open.sinks.push(s);
  return s;
}
function sender(url: string, timeoutMs = 2000): EmailSender {
  const s = createEmailSender(parseSmtpUrl(url), { timeoutMs });
  open.senders.push(s);
  return s;
}

describe('sending', () => {
  it('lands in the server with a text and an HTML part, the decide links, the thread link and the headers', async () => {
    const smtp = await sink();
    const attempt = await sender(`${smtp.url}?from=${encodeURIComponent('Hub <hub@example.com>')}`).send('dave@example.com', content(), HUB);
    expect(attempt).toEqual({ outcome: 'sent' });
    const mail = await smtp.next();
    expect(mail.from).toBe('hub@example.com');
    expect(mail.fromHeader).toBe('"Hub" <hub@example.com>');
    expect(mail.to).toEqual(['dave@example.com']);
    expect(mail.subject).toBe('Approval needed: npm test');
    expect(mail.messageId).toBe('<ntf_01@pilothouse>');
    expect(mail.headers.get('x-pilothouse-notification')).toBe('ntf_01');
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain('https://hub.example.com/decide/CODEAPPROVE123');
      expect(part).toContain('https://hub.example.com/decide/CODEDENY456');
      expect(part).toContain('https://hub.example.com/w/acme/web/t/thr_1#msg_1');
      expect(part).toContain('nothing happens just by opening it');
      expect(part).toContain('you may decide this prompt in acme/web');
    }
    expect(mail.text).toContain('Approve: https://hub.example.com/decide/CODEAPPROVE123');
    expect(mail.html).toMatch(/<a href="https:\/\/hub\.example\.com\/decide\/CODEAPPROVE123"[^>]*>Approve<\/a>/);
    expect(mail.html).toMatch(/<a href="https:\/\/hub\.example\.com\/w\/acme\/web\/t\/thr_1#msg_1">Open the thread<\/a>/);
  });

  it('a title with CR/LF adds no header and no recipient', async () => {
    const smtp = await sink();
    const attempt = await sender(smtp.url).send('dave@example.com', content({ title: 'Hi\r\nBcc: x@y.example\r\nX-Evil: 1' }), HUB);
    expect(attempt.outcome).toBe('sent');
    const mail = await smtp.next();
    expect(mail.to).toEqual(['dave@example.com']);
    expect(mail.headers.has('bcc')).toBe(false);
    expect(mail.headers.has('x-evil')).toBe(false);
    expect(mail.subject).toBe('Hi Bcc: x@y.example X-Evil: 1');
  });

  it('an invalid address fails without connecting', async () => {
    const smtp = await sink();
    const s = sender(smtp.url);
    for (const to of ['not-an-address', 'a@b.example, c@d.example', 'a@b.example\r\nBcc: c@d.example', '<a@b.example>', '']) {
      expect(await s.send(to, content(), HUB)).toMatchObject({ outcome: 'failed', code: 'email_address_invalid' });
    }
    expect(smtp.connections()).toBe(0);
    expect(smtp.mails).toHaveLength(0);
  });
});

describe('failures of the server', () => {
  it('450 on RCPT → retry smtp_temporary, as often as the server says; then it goes through', async () => {
    const smtp = await sink();
    const s = sender(smtp.url);
    smtp.reject(2, 450, 'Mailbox busy, try later');
    for (let i = 0; i < 2; i++) {
      const attempt = await s.send('dave@example.com', content(), HUB);
      expect(attempt).toMatchObject({ outcome: 'retry', code: 'smtp_temporary' });
      expect(attempt.outcome === 'retry' && attempt.message).toContain('450');
    }
    expect(await s.send('dave@example.com', content(), HUB)).toEqual({ outcome: 'sent' });
    expect((await smtp.next()).to).toEqual(['dave@example.com']);
    expect(smtp.mails).toHaveLength(1);
  });

  it('550 on RCPT → failed smtp_rejected', async () => {
    const smtp = await sink();
    smtp.reject(1, 550, 'No such user');
    const attempt = await sender(smtp.url).send('nobody@example.com', content(), HUB);
    expect(attempt).toMatchObject({ outcome: 'failed', code: 'smtp_rejected' });
    expect(attempt.outcome === 'failed' && attempt.message).toContain('No such user');
    expect(smtp.mails).toHaveLength(0);
  });

  it('451 after DATA → retry smtp_temporary; the retried send is the same mail (same Message-ID)', async () => {
    const smtp = await sink();
    const s = sender(smtp.url);
    smtp.reject(1, 451, 'Local error in processing', 'data');
    expect(await s.send('dave@example.com', content(), HUB)).toMatchObject({ outcome: 'retry', code: 'smtp_temporary' });
    expect(smtp.mails).toHaveLength(0);
    expect(await s.send('dave@example.com', content(), HUB)).toEqual({ outcome: 'sent' });
    const mail = await smtp.next();
    expect(mail.messageId).toBe('<ntf_01@pilothouse>');
    expect(mail.headers.get('x-pilothouse-notification')).toBe('ntf_01');
  });

  it('552 after DATA → failed smtp_rejected', async () => {
    const smtp = await sink();
    smtp.reject(1, 552, 'Message size exceeds fixed maximum', 'data');
    expect(await sender(smtp.url).send('dave@example.com', content(), HUB)).toMatchObject({ outcome: 'failed', code: 'smtp_rejected' });
    expect(smtp.mails).toHaveLength(0);
  });

  it('a wrong password → failed smtp_auth_failed, and the password is in no message', async () => {
    const smtp = await sink({ user: 'hub', pass: 'right-secret' });
    const wrong = smtp.url.replace('right-secret', 'wrong-secret');
    const attempt = await sender(wrong).send('dave@example.com', content(), HUB);
    expect(attempt).toMatchObject({ outcome: 'failed', code: 'smtp_auth_failed' });
    const told = JSON.stringify(attempt);
    for (const secret of ['wrong-secret', Buffer.from('\0hub\0wrong-secret').toString('base64'), Buffer.from('wrong-secret').toString('base64')]) expect(told).not.toContain(secret);
    expect(told).toContain('hub:***@127.0.0.1');
    // The right one goes through.
    expect(await sender(smtp.url).send('dave@example.com', content(), HUB)).toEqual({ outcome: 'sent' });
    expect((await smtp.next()).subject).toBe('Approval needed: npm test');
  });

  it('the sink closed (nothing listening on its port) → retry smtp_unreachable', async () => {
    const smtp = await startSmtpSink();
    await smtp.close();
    const attempt = await sender(smtp.url).send('dave@example.com', content(), HUB);
    expect(attempt).toMatchObject({ outcome: 'retry', code: 'smtp_unreachable' });
    expect(attempt.outcome === 'retry' && attempt.message).toContain(`smtp://127.0.0.1:${smtp.port}: `);
  });

  it('a server that never greets → retry smtp_unreachable after the timeout', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as AddressInfo).port;
    try {
      const attempt = await sender(`smtp://127.0.0.1:${port}`, 200).send('dave@example.com', content(), HUB);
      expect(attempt).toMatchObject({ outcome: 'retry', code: 'smtp_unreachable' });
    } finally {
      for (const s of open.senders.splice(0)) s.close();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });
});

describe('the failure rules', () => {
  const smtpError = (message: string, props: { code?: string; responseCode?: number }) => Object.assign(new Error(message), props);
  it.each([
    [smtpError('connect ETIMEDOUT', { code: 'ETIMEDOUT' }), 'retry', 'smtp_unreachable'],
    [smtpError('socket hang up', { code: 'ESOCKET' }), 'retry', 'smtp_unreachable'],
    [smtpError('Connection closed unexpectedly', { code: 'ECONNECTION' }), 'retry', 'smtp_unreachable'],
    [smtpError('Invalid login: 534 5.7.9 Application-specific password required', { code: 'EAUTH', responseCode: 534 }), 'failed', 'smtp_auth_failed'],
    [smtpError('Invalid login: 454 4.7.0 Temporary authentication failure', { code: 'EAUTH', responseCode: 454 }), 'retry', 'smtp_temporary'],
    [smtpError('Message failed: 552 too big', { code: 'EMESSAGE', responseCode: 552 }), 'failed', 'smtp_rejected'],
    [smtpError('Greylisted: 421 try again', { code: 'EENVELOPE', responseCode: 421 }), 'retry', 'smtp_temporary'],
  ])('%s → %s %s', (err, outcome, code) => {
    const a = attemptFromSmtpError(err, 'smtp://hub:***@mail.example.com:587');
    expect(a).toMatchObject({ outcome, code });
    expect(a.outcome !== 'sent' && a.message).toContain('smtp://hub:***@mail.example.com:587: ');
  });

  it('content that cannot be rendered → failed email_render_failed, no connection', async () => {
    const smtp = await sink();
    const s = sender(smtp.url);
    expect(await s.send('dave@example.com', content({ url: '/w/acme/web' }), HUB)).toMatchObject({ outcome: 'failed', code: 'email_render_failed', message: expect.stringContaining("thread's URL is not an absolute URL") });
    expect(await s.send('dave@example.com', content({ url: 'javascript:alert(1)' }), HUB)).toMatchObject({ outcome: 'failed', code: 'email_render_failed', message: expect.stringContaining("thread's URL is not an http(s) URL") });
    expect(await s.send('dave@example.com', content(), 'hub.example.com')).toMatchObject({ outcome: 'failed', code: 'email_render_failed', message: expect.stringContaining('hub URL is not an absolute URL') });
    expect(smtp.connections()).toBe(0);
  });
});

describe('rendering', () => {
  it('escapes everything from the content in the HTML (tags and quotes)', () => {
    const r = renderEmail(content({
      title: '<script>alert(1)</script> "quoted"',
      body: `it's <b>bold</b> & "so"`,
      channel: 'acme/<img src=x>',
      url: 'https://hub.example.com/t/"><script>x</script>',
      actions: [{ id: 'approve', label: '<i>Approve</i>"', code: 'C"ODE' }],
    }), { hubUrl: HUB });
    expect(r.html).not.toMatch(/<script|<b>|<img|<i>/);
    expect(r.html).toContain('&#60;script&#62;alert(1)&#60;/script&#62; &#34;quoted&#34;');
    expect(r.html).toContain('it&#39;s &#60;b&#62;bold&#60;/b&#62; &#38; &#34;so&#34;');
    expect(r.html).toContain('/decide/C%22ODE');
    expect(r.html).not.toContain('"><script');
    expect(r.html).not.toContain('"quoted"');
    expect(r.text).toContain('<script>alert(1)</script>'); // the text part is text
  });

  it('the subject is one line of at most 120 characters', () => {
    const subject = (title: string): string => renderEmail(content({ title }), { hubUrl: HUB }).subject;
    expect(subject('a\r\nb\nc\rd\te')).toBe('a b c d e');
    expect(subject('x'.repeat(120))).toBe('x'.repeat(120));
    expect(subject('x'.repeat(300))).toBe(`${'x'.repeat(119)}…`);
    // Clipped by code points: an emoji at the edge is kept whole or dropped, never halved.
    expect(subject(`${'x'.repeat(118)}😀😀😀`)).toBe(`${'x'.repeat(118)}😀…`);
    expect(subject(' \r\n ')).toBe('Pilothouse notification');
  });

  it('without actions: no decide links, and a footer about settings', () => {
    const r = renderEmail(content({ kind: 'mention', actions: [] }), { hubUrl: HUB });
    expect(r.text).not.toContain('/decide/');
    expect(r.html).not.toContain('/decide/');
    expect(r.text).toContain('Open the thread: https://hub.example.com/w/acme/web/t/thr_1#msg_1');
    expect(r.text).toContain('your notification settings for acme/web');
  });

  it('decide links are under hubUrl (a path prefix kept, a trailing slash dropped), whatever the thread URL says', () => {
    const r = renderEmail(content(), { hubUrl: 'https://ph.example.org/pilothouse/' });
    expect(r.text).toContain('Approve: https://ph.example.org/pilothouse/decide/CODEAPPROVE123\nDeny: https://ph.example.org/pilothouse/decide/CODEDENY456\n');
    expect(r.text).toContain('Each link opens a page where you confirm');
    expect(r.html).toContain('href="https://ph.example.org/pilothouse/decide/CODEDENY456"');
    expect(r.html).not.toContain('hub.example.com/decide');
  });
});

describe('parseSmtpUrl', () => {
  it('reads smtp:// and smtps:// with their defaults', () => {
    expect(parseSmtpUrl('smtp://mail.example.com')).toEqual({ host: 'mail.example.com', port: 587, secure: false, starttls: 'opportunistic', user: null, pass: null, from: 'Pilothouse <pilothouse@localhost>' });
    expect(parseSmtpUrl('smtps://u%40x:p%3Ass@mail.example.com')).toEqual({ host: 'mail.example.com', port: 465, secure: true, starttls: 'off', user: 'u@x', pass: 'p:ss', from: 'Pilothouse <pilothouse@localhost>' });
    expect(parseSmtpUrl('smtp://mail.example.com:2525/?starttls=required&from=alerts%40example.com')).toMatchObject({ port: 2525, starttls: 'required', from: 'alerts@example.com' });
    expect(parseSmtpUrl('smtp://[::1]:25?starttls=off')).toMatchObject({ host: '::1', port: 25, starttls: 'off' });
    expect(parseSmtpUrl(`smtp://mail.example.com?from=${encodeURIComponent('Pilothouse <hub@example.com>')}`)).toMatchObject({ from: 'Pilothouse <hub@example.com>' });
  });

  it('describes a server without its password', () => {
    expect(describeSmtp(parseSmtpUrl('smtp://hub:hunter2@mail.example.com'))).toBe('smtp://hub:***@mail.example.com:587');
    expect(describeSmtp(parseSmtpUrl('smtps://mail.example.com'))).toBe('smtps://mail.example.com:465');
  });

  const cases: [string, RegExp][] = [
    ['mail.example.com', /not a URL/],
    ['smtp://', /no host/],
    ['http://hub:hunter2@mail.example.com', /scheme must be smtp:\/\/ or smtps:\/\/, not http:/],
    ['smtp://hub:hunter2@mail.example.com/path', /a path is not allowed/],
    ['smtp://hub:hunter2@mail.example.com?startls=off', /unknown query option "startls"/],
    ['smtp://hub:hunter2@mail.example.com?starttls=maybe', /starttls= must be required, opportunistic or off, not "maybe"/],
    ['smtps://hub:hunter2@mail.example.com?starttls=required', /starttls= applies to smtp:\/\/ only/],
    ['smtp://hub:hunter2@mail.example.com?from=nobody', /from= is not an email address/],
    ['smtp://hub:hunter2@mail.example.com?from=%22Evil%22%20%3Ca%40b.example%3E', /from= has a display name with </],
    ['smtp://hub:hunter2@mail.example.com#frag', /a #fragment is not allowed/],
    ['smtp://hub:hunter2@mail.example.com:25x', /not a URL/],
    ['smtp://hub:hunter2@mail.example.com?from=a%40b.example%0D%0ABcc:c%40d.example', /from= must be one line/],
    ['smtp://hub:hunter2@mail.example.com?from=a%40b.example&from=c%40d.example', /from= is given twice/],
    ['smtp://hub@mail.example.com', /user "hub" has no password/],
    ['smtp://:hunter2@mail.example.com', /a password without a user/],
    ['smtp://hub:hunter2@mail.example.com:0', /port must be between 1 and 65535/],
    ['smtp://hub:hunter2@mail.example.com:99999', /not a URL/],
  ];
  it.each(cases)('rejects %s', (url, message) => {
    let thrown: unknown;
    try {
      parseSmtpUrl(url);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(PilothouseError);
    expect((thrown as PilothouseError).code).toBe('bad_request');
    expect((thrown as PilothouseError).message).toMatch(message);
    expect((thrown as PilothouseError).message).not.toContain('hunter2');
  });
});
