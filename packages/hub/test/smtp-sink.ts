// A real SMTP server for tests (smtp-server on 127.0.0.1, no TLS): every message it accepts is
// parsed with mailparser and kept; `next()` waits for the next one, and `reject` makes the next
// RCPT TO or DATA commands answer with a chosen code (450, 550…).

import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type AddressObject } from 'mailparser';

/** One message as the sink received and parsed it. */
export interface Mail {
  /** The envelope's MAIL FROM. */
  readonly from: string;
  /** The envelope's RCPT TO addresses. */
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** Header names lower-cased; values as mailparser gives them. */
  readonly headers: ReadonlyMap<string, unknown>;
  readonly messageId: string;
  /** The From header's text. */
  readonly fromHeader: string;
  /** The To header's text. */
  readonly toHeader: string;
}

/** A running sink. */
export interface SmtpSink {
  /** `smtp://[user:pass@]127.0.0.1:PORT` (the sink offers no STARTTLS, so none is tried). */
  readonly url: string;
  readonly port: number;
  /** Every message received so far, in order. */
  readonly mails: readonly Mail[];
  /** How many connections were opened so far. */
  readonly connections: () => number;
  /** The next message not yet taken by `next()` (already received, or when it arrives). */
  next(): Promise<Mail>;
  /** The next `nextN` RCPT TO (default) or DATA commands answer `code message` (e.g. 450 or 550). */
  reject(nextN: number, code: number, message: string, at?: 'rcpt' | 'data'): void;
  close(): Promise<void>;
}

const addressText = (a: AddressObject | AddressObject[] | undefined): string => (a === undefined ? '' : Array.isArray(a) ? a.map((x) => x.text).join(', ') : a.text);
const smtpError = (code: number, message: string): Error => Object.assign(new Error(message), { responseCode: code });

/** Starts a sink; with `user` and `pass` it requires that login (any other answers 535). */
export async function startSmtpSink(opts: { user?: string; pass?: string } = {}): Promise<SmtpSink> {
  const mails: Mail[] = [];
  let taken = 0;
  const waiting: ((m: Mail) => void)[] = [];
  const rejections = { rcpt: { left: 0, code: 0, message: '' }, data: { left: 0, code: 0, message: '' } };
  let connections = 0;
  const requireAuth = opts.user !== undefined;

  const rejection = (at: 'rcpt' | 'data'): Error | null => {
    const r = rejections[at];
    if (r.left === 0) return null;
    r.left -= 1;
    return smtpError(r.code, r.message);
  };
  const deliver = (m: Mail): void => {
    mails.push(m);
    const w = waiting.shift();
    if (w) {
      taken++;
      w(m);
    }
  };

  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: !requireAuth,
    allowInsecureAuth: true,
    logger: false,
    onConnect(_session, cb) {
      connections++;
      cb();
    },
    onAuth(auth, _session, cb) {
      if (auth.username === opts.user && auth.password === opts.pass) return cb(null, { user: auth.username });
      return cb(smtpError(535, 'Authentication credentials invalid'));
    },
    onRcptTo(_address, _session, cb) {
      const err = rejection('rcpt');
      return err === null ? cb() : cb(err);
    },
    onData(stream, session, cb) {
      const err = rejection('data');
      if (err !== null) {
        // The message must be read to its end before the reply.
        stream.on('end', () => cb(err));
        stream.resume();
        return;
      }
      simpleParser(stream)
        .then((parsed) => {
          const envelopeFrom = session.envelope.mailFrom;
          deliver({
            from: envelopeFrom === false ? '' : envelopeFrom.address,
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
            headers: parsed.headers,
            messageId: parsed.messageId ?? '',
            fromHeader: addressText(parsed.from),
            toHeader: addressText(parsed.to),
          });
          cb();
        })
        .catch((e: unknown) => cb(e instanceof Error ? e : new Error(String(e))));
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', () => {}); // a client's broken connection is no failure of the sink
  const port = (server.server.address() as AddressInfo).port;
  const auth = requireAuth ? `${encodeURIComponent(opts.user!)}:${encodeURIComponent(opts.pass ?? '')}@` : '';

  return {
    url: `smtp://${auth}127.0.0.1:${port}`,
    port,
    mails,
    connections: () => connections,
    next() {
      if (taken < mails.length) return Promise.resolve(mails[taken++]!);
      return new Promise<Mail>((resolve) => waiting.push(resolve));
    },
    reject(nextN, code, message, at = 'rcpt') {
      rejections[at] = { left: nextN, code, message };
    },
    close() {
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
