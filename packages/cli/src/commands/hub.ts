// `pilothouse hub`: run the server until SIGINT/SIGTERM.

import { Command, InvalidArgumentError } from 'commander';
import pino from 'pino';
import { DEFAULT_PREVIEW_ORIGIN, DEFAULT_RATE_LIMITS, parseOriginTemplate, scaleRateLimits, startHub } from '@pilothouse/hub';
import { addStoreOptions, storeConfig, type StoreFlags } from '../store-options.js';

export function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number 0-65535.');
  return n;
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
      .option('--log-level <level>', 'pino log level', process.env.PILOTHOUSE_LOG_LEVEL ?? 'info')
      .addHelpText('after', '\nExamples:\n  pilothouse hub\n  pilothouse hub --port 0 --data ./data\n  pilothouse hub --database-url postgres://localhost/pilothouse\n  pilothouse hub --host 0.0.0.0 --port 443 --preview-origin \'https://{id}.preview.example.com\''),
  ).action(async (opts: StoreFlags & { host: string; port: number; maxFrameBytes: number; heartbeatTimeoutMs: number; previewOrigin: string; membershipCheckMs: number; maxSocketsPerUser: number; rateLimitScale: number; logLevel: string }) => {
    const logger = pino({ level: opts.logLevel }, pino.destination(2));
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
    });
    process.stdout.write(`Pilothouse hub listening on ${hub.url}\n`);
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
  });
}
