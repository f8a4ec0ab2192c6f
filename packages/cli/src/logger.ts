// Every logger the CLI makes (hub, runner, demo) comes from here, so every log line goes through
// the one redaction of @pilothouse/protocol: strings anywhere in a record and the message are
// masked (redactDeep, redactSecrets), credential headers are censored (pino `redact`), and a
// request is reduced to method, redacted URL, host and address. Commands import this module when
// they run (it loads pino and the protocol), never at start: `--help` stays fast.

import pino, { type DestinationStream, type Logger } from 'pino';
import { CREDENTIAL_LOG_PATHS, REDACTED, redactDeep, redactSecrets } from '@pilothouse/protocol';

interface RequestLike {
  method?: string;
  url?: string;
  headers?: Record<string, unknown>;
  ip?: string;
  socket?: { remoteAddress?: string };
}

/** Log lines to stderr (fd 2). */
export const toStderr = (): DestinationStream => pino.destination(2);
/** Log lines to `file`, its folder made, written synchronously (nothing lost on exit). */
export const toFile = (file: string): DestinationStream => pino.destination({ dest: file, mkdir: true, sync: true });

export function createLogger(level: string, destination: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: [...CREDENTIAL_LOG_PATHS], censor: REDACTED },
      formatters: { log: (record) => redactDeep(record) as Record<string, unknown> },
      serializers: {
        req: (req: RequestLike) => ({ method: req.method, url: redactSecrets(req.url ?? ''), host: req.headers?.host, remoteAddress: req.ip ?? req.socket?.remoteAddress }),
      },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a: unknown) => (typeof a === 'string' ? redactSecrets(a) : a)) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}
