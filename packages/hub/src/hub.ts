// Wires one hub process: store, fan-out, the Phoenix socket endpoint, the HTTP app and the
// background jobs (notification deliveries, payload retention).

import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { PilothouseError, parseTopic, TUNNEL_PATH, type ThreadPresence } from '@pilothouse/protocol';
import { Store, type StoreConfig } from './store/store.js';
import { createAuthenticator } from './auth/authenticate.js';
import { MEMBERSHIP_TTL_MS, MembershipCache } from './auth/membership.js';
import { Fanout } from './channels/fanout.js';
import { PgFeed } from './channels/pg-feed.js';
import { channelTopicHandler } from './channels/channel-topic.js';
import { PresenceTracker } from './channels/presence.js';
import { MachineRegistry } from './machines/registry.js';
import { createHubMetrics } from './metrics/metrics.js';
import { markHubRunning } from './store/backup.js';
import { metricsRoutes } from './metrics/routes.js';
import { MIN_METRICS_TOKEN_LENGTH, metricsTokenProblem } from './metrics/token.js';
import { PgPresence } from './channels/pg-presence.js';
import { createSocketServer } from './socket/server.js';
import { createHttpApp } from './http/app.js';
import { DEFAULT_HTTP_LIMITS, guardConnections, serverTimeouts, type HttpLimits } from './http/limits.js';
import { hostCheck, type HostCheck } from './http/hosts.js';
import type { LoginLimits } from './auth/login-limiter.js';
import { refuseUpgrade } from './socket/handshake.js';
import { createPreviewService } from './previews/service.js';
import { previewServerFactory } from './previews/dispatch.js';
import { Admission, DEFAULT_RATE_LIMITS, type RateLimits } from './limits/admission.js';
import { AuditCoalescer } from './limits/audit-coalesce.js';
import { FairQueue } from './limits/fair-queue.js';
import { createNotifications, type NotificationConfig, type NotificationService } from './notifications/service.js';
import { PayloadPruner, type Ticker } from './retention/pruner.js';

/** Retention of event payloads (retention/pruner.ts): without it, they are kept forever. */
export interface RetentionConfig {
  /** Rows older than this many days lose their output (1 to 36,500); messages keep their words. */
  eventPayloadsDays: number;
  /** How often to prune after the run at start; default an hour. */
  everyMs?: number;
  /** Rows per batch (one transaction each); default 500. */
  batchRows?: number;
  /** The job's timer; default a Node interval (tests pass their own and tick it). */
  ticker?: Ticker;
}

export interface HubConfig {
  host: string;
  port: number;
  store: StoreConfig;
  logger: Logger;
  maxFrameBytes?: number;
  heartbeatTimeoutMs?: number;
  /** The built web UI to serve; default: this repository's packages/web/dist. null serves none. */
  webRoot?: string | null;
  /** Where previews are served: `http://{id}.preview.localhost:{port}` by default ({port}: the hub's listen port). */
  previewOrigin?: string;
  /** How soon a member removed from a channel loses it (joined topics, pushes, previews); default 10 s. */
  membershipCheckMs?: number;
  /** How long a preview request waits for the runner's tunnel stream; default 10 s. */
  previewStreamTimeoutMs?: number;
  /** Sockets one user may hold at once; default 32 (docs/security.md §4). */
  maxSocketsPerUser?: number;
  /** Rate limits per user and socket (limits/admission.ts); default DEFAULT_RATE_LIMITS, null turns them off. */
  rateLimits?: RateLimits | null;
  /** Timeouts and the per-address cap before a request is complete (http/limits.ts; defaults there). */
  http?: Partial<HttpLimits>;
  /** Host names answered besides the listen address and localhost names (`name` on any port, or `name:port`). */
  allowedHosts?: readonly string[];
  /** Behind one reverse proxy: trust its X-Forwarded-For (client address) and X-Forwarded-Proto (Secure cookies). */
  trustProxy?: boolean;
  /** Sign-in backoff (auth/login-limiter.ts) and the refusal audit window (default 60 s). */
  signIn?: { limits?: Partial<LoginLimits>; auditWindowMs?: number };
  /** The origin people reach the hub at (links in alerts); default the listen URL. */
  publicUrl?: string;
  /** Notification media and the delivery worker's pace (notifications/service.ts). */
  notifications?: NotificationConfig;
  /** `GET /metrics` needs `Authorization: Bearer <this>` (or an admin); without it, loopback clients only. At least 16 characters (metrics/token.ts). */
  metricsToken?: string | null;
  /** Prune old event payloads; default null: keep them forever. */
  retention?: RetentionConfig | null;
}

export interface RunningHub {
  url: string;
  port: number;
  store: Store;
  notifications: NotificationService;
  /** With retention: prune now (a run in progress is joined); answers the rows this run pruned. */
  retention: { run(): Promise<number> } | null;
  close(): Promise<void>;
}

export const SOCKET_PATH = '/socket/websocket';

/** Where `npm run build` puts the web UI in this repository. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../web/dist/', import.meta.url));

export async function startHub(config: HubConfig): Promise<RunningHub> {
  const { logger } = config;
  // Refused before anything opens: a guessable scrape token would open /metrics to anyone.
  const tokenProblem = config.metricsToken == null ? null : metricsTokenProblem(config.metricsToken);
  if (tokenProblem !== null) throw new Error(`metricsToken ${tokenProblem}: use at least ${MIN_METRICS_TOKEN_LENGTH} random characters, or null for loopback scrapes only`);
  // Made first: a retention it refuses stops the start before anything is opened.
  const retention = config.retention
    ? new PayloadPruner({
        prune: (opts) => store.pruneEventPayloads(opts),
        logger,
        afterDays: config.retention.eventPayloadsDays,
        everyMs: config.retention.everyMs,
        batchRows: config.retention.batchRows,
        ticker: config.retention.ticker,
        pruned: (rows) => metrics.pruned(rows),
      })
    : null;
  const store = await Store.open(config.store);
  const fanout = new Fanout();
  // One process on SQLite publishes its own commits; on PostgreSQL every hub learns of every
  // commit through LISTEN/NOTIFY and publishes from the log (see pg-feed.ts).
  const pgFeed = config.store.kind === 'postgres' ? new PgFeed({ url: config.store.url, store, fanout, logger }) : null;
  if (pgFeed) {
    await pgFeed.start();
    store.onPublish((channelId, event) => pgFeed.committed(channelId, event));
  } else {
    store.onPublish((channelId, event) => fanout.publish(channelId, event));
    // One process owns a SQLite store: whatever runner it shows present died with the last run.
    await store.markRunnersOffline();
  }
  const auth = createAuthenticator(store);
  let publicUrl = config.publicUrl ?? '';
  let listenUrl = '';
  let listenPort = 0;
  const notifications = await createNotifications({
    store,
    logger,
    config: config.notifications ?? {},
    publicUrl: () => publicUrl,
    authenticate: auth.authenticate,
    hubOrigins: () => [publicUrl, listenUrl, ...(listenPort === 0 ? [] : [`http://localhost:${listenPort}`, `http://127.0.0.1:${listenPort}`, `http://[::1]:${listenPort}`])].filter((u) => u !== ''),
  });
  // Membership after the join: every push, every joined topic every 10 s, every preview request.
  const membershipCheckMs = config.membershipCheckMs ?? MEMBERSHIP_TTL_MS;
  const members = new MembershipCache((channelId, userId) => store.isMember(channelId, userId), { now: () => Date.now() }, membershipCheckMs);
  const previews = createPreviewService({ store, logger, members, credentialCheckMs: membershipCheckMs, authenticate: auth.authenticate, originTemplate: config.previewOrigin, streamTimeoutMs: config.previewStreamTimeoutMs });
  // Limits on logged-in floods: rate limits, a fair read queue, coalesced audit rows of refusals.
  const clock = { now: () => Date.now() };
  const rateLimits = config.rateLimits === undefined ? DEFAULT_RATE_LIMITS : config.rateLimits;
  const admission = rateLimits === null ? null : new Admission(rateLimits, clock);
  const audits = new AuditCoalescer((entry) => store.audit(entry), clock);
  const auditFlush = setInterval(() => {
    audits.flush().catch((err: unknown) => logger.warn({ err }, 'could not write coalesced audit rows'));
  }, 5000);
  auditFlush.unref();
  // Presence is ephemeral; with several hubs on one PostgreSQL they share it by NOTIFY (docs/protocol.md §6.1).
  const pgPresence = config.store.kind === 'postgres' ? new PgPresence({ url: config.store.url, logger }) : null;
  const presence = new PresenceTracker({
    now: clock.now,
    publish: (channelId, p) => fanout.broadcast(channelId, 'thread_presence', p),
    ...(pgPresence ? { share: (channelId: string, p: ThreadPresence) => pgPresence.share(channelId, p) } : {}),
  });
  await pgPresence?.start(presence);
  const presenceSweep = setInterval(() => presence.sweep(), 1000);
  presenceSweep.unref();
  const machines = new MachineRegistry({ publish: (channelId, list) => fanout.broadcast(channelId, 'machines', { machines: list }) });
  const channelTopic = channelTopicHandler({ store, fanout, logger, members, membershipRecheckMs: membershipCheckMs, previews: previews.pushes,
    admission, reads: new FairQueue(), audit: (entry) => audits.record(entry), presence, machines });
  // Gauges are read when scraped (the socket server below exists by then).
  const metrics = createHubMetrics({
    sockets: () => sockets.stats().sockets,
    backlogBytes: () => sockets.stats().backlogBytes,
    subscribers: () => fanout.subscriberCount(),
    runnersOnline: () => store.runnersOnline(),
    previewsOpen: () => previews.stats().previews,
    notificationsQueued: () => store.deliveriesQueued(),
    machinesOnline: () => machines.online(),
  });
  store.onCommitted((seconds, writes) => metrics.committed(seconds, writes));
  const sockets = createSocketServer({
    meter: metrics.socket,
    authenticate: auth.authenticate,
    router: (topic) => (parseTopic(topic) ? channelTopic : null),
    logger,
    admission,
    ...(config.maxSocketsPerUser !== undefined ? { maxSocketsPerUser: config.maxSocketsPerUser } : {}),
    ...(config.maxFrameBytes !== undefined ? { maxFrameBytes: config.maxFrameBytes } : {}),
    ...(config.heartbeatTimeoutMs !== undefined ? { heartbeatTimeoutMs: config.heartbeatTimeoutMs } : {}),
  });
  const limits: HttpLimits = { ...DEFAULT_HTTP_LIMITS, ...config.http };
  // The Host allow-list needs the listen port: it answers nothing until then.
  let allowsHost: HostCheck = () => false;
  const app = createHttpApp({ store, logger, authenticate: auth.authenticate, sessionId: auth.sessionId, webRoot: config.webRoot === undefined ? DEFAULT_WEB_ROOT : config.webRoot,
    previews: { serverFactory: previewServerFactory(previews, serverTimeouts(limits)), grant: { authenticate: auth.authenticate, grant: previews.grant } },
    allowsHost: (host) => allowsHost(host),
    trustProxy: config.trustProxy === true,
    ...(config.signIn ? { signIn: config.signIn } : {}),
    routes: [(a) => notifications.routes(a), metricsRoutes({ metrics, ready: () => store.ready(), token: config.metricsToken ?? null, authenticate: auth.authenticate })],
  });
  const connections = guardConnections(app.server, limits, logger);
  app.server.on('upgrade', (req, socket, head) => {
    // A preview host's upgrades (hot reload) all belong to its dev server, whatever the path.
    const previewId = previews.previewOf(req);
    if (previewId !== null) return previews.handleUpgrade(req, socket, head, previewId);
    if (!allowsHost(req.headers.host)) {
      socket.on('error', () => socket.destroy());
      return refuseUpgrade(socket, [421, 'Misdirected Request'], new PilothouseError('host_not_allowed').toBody());
    }
    const path = (req.url ?? '').split('?')[0];
    if (path === SOCKET_PATH) sockets.handleUpgrade(req, socket, head);
    else if (path === TUNNEL_PATH) previews.handleTunnel(req, socket, head);
    else socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    connections.close();
    await notifications.close();
    await pgFeed?.close();
    await pgPresence?.close();
    await store.close();
    throw err;
  }
  const port = (app.server.address() as AddressInfo).port;
  // A restore checks this file: no store is replaced under a running hub.
  const unmark = config.store.kind === 'sqlite' ? markHubRunning(config.store.dataDir) : () => undefined;
  previews.listening(port);
  allowsHost = hostCheck({ listenHost: config.host, port, allowed: config.allowedHosts ?? [] });
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  listenUrl = `http://${host}:${port}`;
  listenPort = port;
  if (publicUrl === '') publicUrl = listenUrl;
  notifications.start();
  retention?.start();
  return {
    url: `http://${host}:${port}`,
    port,
    store,
    notifications,
    retention: retention === null ? null : { run: () => retention.run() },
    async close() {
      previews.close();
      // The batch in flight commits; no other starts.
      await retention?.close();
      await notifications.close();
      await sockets.close();
      clearInterval(auditFlush);
      clearInterval(presenceSweep);
      machines.close();
      await audits.flush(true);
      connections.close();
      await app.close();
      await pgFeed?.close();
      await pgPresence?.close();
      await store.close();
      unmark();
    },
  };
}
