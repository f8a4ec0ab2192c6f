// `pilothouse hub`: run the server until SIGINT/SIGTERM.

import { Command, InvalidArgumentError, Option } from 'commander';
import {
  DEFAULT_PREVIEW_ORIGIN,
  DEFAULT_RATE_LIMITS,
  isRetainDays,
  MAX_RETAIN_DAYS,
  MIN_METRICS_TOKEN_LENGTH,
  metricsTokenProblem,
  parseOriginTemplate,
  scaleRateLimits,
} from '@pilothouse/hub/options';
import { pilothouseHome } from '@pilothouse/runner/options';
import { loadConfig, type PilothouseConfig } from '../config/config.js';
import { UsageError } from '../errors.js';
import { addStoreOptions, storeConfig, type StoreFlags } from '../store-options.js';

export function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number 0-65535.');
  return n;
}

interface HubFlags {
  host: string;
  port: number;
  maxFrameBytes: number;
  heartbeatTimeoutMs: number;
  previewOrigin: string;
  membershipCheckMs: number;
  allowedHost: string[];
  publicUrl?: string;
  trustProxy: boolean;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  requestTimeoutMs: number;
  maxPendingPerAddress: number;
  maxSocketsPerUser: number;
  rateLimitScale: number;
  smtpUrl?: string;
  vapidSubject?: string;
  push: boolean;
  metricsToken?: string;
  retainEventPayloads?: number;
  logLevel: string;
}

const parsePositive = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive integer.');
  return n;
};

/** Checked when the flag is read: a bad template is a usage error, not a failure at start. */
function parsePreviewOrigin(value: string): string {
  try {
    parseOriginTemplate(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message.replace(/^previewOrigin /, ''));
  }
  return value;
}

function parseScale(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number >= 0');
  return n;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** Whole days, 1 to 36500, in digits: anything else is a usage error (exit 2). */
export function parseRetainDays(value: string): number {
  const n = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN;
  if (!isRetainDays(n)) throw new InvalidArgumentError(`must be a whole number of days from 1 to ${MAX_RETAIN_DAYS}, e.g. 90 (leave it out to keep payloads forever).`);
  return n;
}

/** The retention: the flag or its variable, else `[server] retain_event_payloads_days`, else none (kept forever). */
export const retainDays = (flag: number | undefined, config: PilothouseConfig): number | null => flag ?? config.hubServer.retainEventPayloadsDays ?? null;

/**
 * Checked when the hub is to start, not when the flag is read: a bad PILOTHOUSE_METRICS_TOKEN must
 * not stop `pilothouse hub --help`. Our own line rather than commander's, which repeats the value:
 * a refused token stays out of the logs.
 */
function checkMetricsToken(token: string, fromEnv: boolean): void {
  const problem = metricsTokenProblem(token);
  if (problem === null) return;
  const [name, none] = fromEnv ? ['PILOTHOUSE_METRICS_TOKEN', 'unset it'] : ['--metrics-token', 'leave it out'];
  throw new UsageError(`${name} ${problem}; use a random one of at least ${MIN_METRICS_TOKEN_LENGTH} characters (e.g. \`openssl rand -hex 32\`), or ${none} to let only this machine scrape /metrics.`);
}

/** A Host name, optionally with `:port` (IPv6 in brackets); no scheme, no path. */
function parseAllowedHost(value: string): string {
  if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/.test(value)) throw new InvalidArgumentError('must be a host name with an optional :port, e.g. pilothouse.example.com or 10.0.0.5:4860.');
  return value;
}

/** The address people type to reach the hub (behind a proxy): its host joins the allow-list. */
function parsePublicUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('must be an http(s) URL, e.g. https://pilothouse.example.com.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError('must be an http(s) URL, e.g. https://pilothouse.example.com.');
  // `url.host` omits the scheme's default port: the name is then allowed on any port.
  return url.host;
}

export function hubCommand(): Command {
  return addStoreOptions(
    new Command('hub')
      .description('Run the Pilothouse hub: the web UI, the HTTP API and the Phoenix socket.')
      .option('--host <host>', 'address to listen on', '127.0.0.1')
      .option('--port <port>', 'port to listen on (0 = any free port)', parsePort, 4860)
      .option('--max-frame-bytes <n>', 'largest accepted socket frame', parsePositive, 1024 * 1024)
      .option('--heartbeat-timeout-ms <n>', 'close sockets silent for this long', parsePositive, 60_000)
      .option(
        '--preview-origin <template>',
        'origin of each preview; {id} is the preview, {port} the hub\'s port (use a wildcard DNS name of your own in production)',
        parsePreviewOrigin,
        DEFAULT_PREVIEW_ORIGIN,
      )
      .option('--max-sockets-per-user <n>', 'sockets one user may hold at once', parsePositive, 32)
      .option('--rate-limit-scale <x>', 'multiply every per-user/per-socket rate limit by x (0 turns them off)', parseScale, 1)
      .option('--membership-check-ms <n>', 'how soon a member removed from a channel loses its feed, pushes and previews', parsePositive, 10_000)
      .option('--allowed-host <name>', 'also answer requests whose Host is this name (any port) or name:port (repeatable; DNS-rebinding guard)', (v: string, prev: string[]) => collect(parseAllowedHost(v), prev), [])
      .option('--public-url <url>', 'the URL people use to reach the hub (e.g. behind a reverse proxy); its host is allowed', (v: string) => (parsePublicUrl(v), v))
      // From the environment by .env(), not as a default value: --help would print a default, password and all.
      .addOption(new Option('--smtp-url <url>', 'SMTP server for email notifications: smtp[s]://user:pass@host:port?from=…').env('PILOTHOUSE_SMTP_URL'))
      .option('--vapid-subject <url>', 'contact for push services in the VAPID claim: mailto:… or https://… (default: the public URL if https)', (v: string) => {
        if (!/^(mailto:[^\s@]+@[^\s@]+|https:\/\/\S+)$/.test(v)) throw new InvalidArgumentError('must be mailto:you@example.com or an https:// URL (push services write to it).');
        return v;
      })
      .option('--no-push', 'send no Web Push notifications')
      .addOption(
        new Option('--metrics-token <token>', `GET /metrics needs Authorization: Bearer <token> (or an admin); without it only loopback clients may scrape. At least ${MIN_METRICS_TOKEN_LENGTH} characters`)
          .env('PILOTHOUSE_METRICS_TOKEN'),
      )
      .addOption(
        new Option('--retain-event-payloads <days>', 'empty the output of rows older than this many days (command output, reasoning, diffs, searches; messages are kept); default: keep forever, or [server] retain_event_payloads_days in config.toml')
          .env('PILOTHOUSE_RETAIN_EVENT_PAYLOADS_DAYS')
          .argParser(parseRetainDays),
      )
      .option('--trust-proxy', 'one reverse proxy in front: trust its X-Forwarded-For (client address) and X-Forwarded-Proto (Secure cookie)', false)
      .option('--headers-timeout-ms <n>', 'time allowed to receive a request\'s headers (nginx: client_header_timeout)', parsePositive, 60_000)
      .option('--body-timeout-ms <n>', 'longest pause between two reads of a request body (nginx: client_body_timeout)', parsePositive, 60_000)
      .option('--request-timeout-ms <n>', 'time allowed to receive a whole request', parsePositive, 300_000)
      .option('--max-pending-per-address <n>', 'connections one address may hold open before completing a request', parsePositive, 256)
      .option('--log-level <level>', 'pino log level', process.env.PILOTHOUSE_LOG_LEVEL ?? 'info')
      .addHelpText('after', '\nExamples:\n  pilothouse hub\n  pilothouse hub --port 0 --data ./data\n  pilothouse hub --retain-event-payloads 90\n  pilothouse hub --database-url postgres://localhost/pilothouse\n  pilothouse hub --host 0.0.0.0 --port 443 --preview-origin \'https://{id}.preview.example.com\''),
  ).action(async (opts: StoreFlags & HubFlags, cmd: Command) => {
    if (opts.metricsToken !== undefined) checkMetricsToken(opts.metricsToken, cmd.getOptionValueSource('metricsToken') === 'env');
    // Flags and their variables, then $PILOTHOUSE_HOME/config.toml ([server]).
    const retain = retainDays(opts.retainEventPayloads, loadConfig(pilothouseHome()));
    const [{ createLogger, toStderr }, { startHub }] = await Promise.all([import('../logger.js'), import('@pilothouse/hub')]);
    const logger = createLogger(opts.logLevel, toStderr());
    const hub = await startHub({
      host: opts.host,
      port: opts.port,
      store: storeConfig(opts),
      logger,
      maxFrameBytes: opts.maxFrameBytes,
      heartbeatTimeoutMs: opts.heartbeatTimeoutMs,
      previewOrigin: opts.previewOrigin,
      membershipCheckMs: opts.membershipCheckMs,
      maxSocketsPerUser: opts.maxSocketsPerUser,
      rateLimits: scaleRateLimits(DEFAULT_RATE_LIMITS, opts.rateLimitScale),
      allowedHosts: [...opts.allowedHost, ...(opts.publicUrl !== undefined ? [parsePublicUrl(opts.publicUrl)] : [])],
      trustProxy: opts.trustProxy,
      metricsToken: opts.metricsToken ?? null,
      retention: retain === null ? null : { eventPayloadsDays: retain },
      ...(opts.publicUrl !== undefined ? { publicUrl: opts.publicUrl } : {}),
      notifications: { push: opts.push, ...(opts.smtpUrl ? { smtpUrl: opts.smtpUrl } : {}), ...(opts.vapidSubject ? { vapidSubject: opts.vapidSubject } : {}) },
      http: { headersTimeoutMs: opts.headersTimeoutMs, bodyTimeoutMs: opts.bodyTimeoutMs, requestTimeoutMs: opts.requestTimeoutMs, maxPendingPerAddress: opts.maxPendingPerAddress },
    });
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      hub.close().then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    // Announced once a signal stops it cleanly: whoever waits for this line may SIGTERM at once.
    process.stdout.write(`Pilothouse hub listening on ${hub.url}\n`);
  });
}
