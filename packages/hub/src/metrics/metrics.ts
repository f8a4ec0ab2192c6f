// The hub's figures for Prometheus (`GET /metrics`, prom-client): counters the socket layer and the
// store bump as things happen (joins, pushes by event, refusals by code, store commits, rows whose
// payload retention emptied), and gauges
// read only when scraped (sockets, unsent backlog, runners online, previews, notifications queued,
// machines online). One registry per hub: two hubs in one process keep their own figures. Labels
// come from closed sets (the protocol's push names and error codes), never from what a client sent.

import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ErrorCodes, isChannelPushName } from '@pilothouse/protocol';

/** What the socket layer tells the figures. */
export interface SocketMeter {
  joined(): void;
  pushed(event: string): void;
  failed(code: string): void;
}

/** The gauges, each read at scrape time. */
export interface GaugeSources {
  sockets: () => number;
  backlogBytes: () => number;
  subscribers: () => number;
  runnersOnline: () => Promise<number>;
  previewsOpen: () => number;
  notificationsQueued: () => Promise<number>;
  machinesOnline: () => number;
}

export interface HubMetrics {
  readonly registry: Registry;
  readonly socket: SocketMeter;
  /** A store batch committed: how long it took, how many writes it held. */
  committed(seconds: number, writes: number): void;
  /** Retention emptied the payloads of this many rows (retention/pruner.ts). */
  pruned(rows: number): void;
  /** The Prometheus text exposition and its content type. */
  render(): Promise<{ contentType: string; body: string }>;
}

const gauge = (registry: Registry, name: string, help: string, read: () => number | Promise<number>) =>
  new Gauge({
    name,
    help,
    registers: [registry],
    async collect() {
      this.set(await read());
    },
  });

export function createHubMetrics(sources: GaugeSources): HubMetrics {
  const registry = new Registry();
  const joins = new Counter({ name: 'pilothouse_joins_total', help: 'Channel joins answered ok.', registers: [registry] });
  const pushes = new Counter({ name: 'pilothouse_pushes_total', help: 'Pushes received, by event (unknown events as "unknown").', labelNames: ['event'], registers: [registry] });
  const errors = new Counter({ name: 'pilothouse_errors_total', help: 'Error replies sent, by code.', labelNames: ['code'], registers: [registry] });
  const writes = new Histogram({
    name: 'pilothouse_store_commit_seconds',
    help: 'Store group commits: time from the batch leaving the queue to its commit.',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const written = new Counter({ name: 'pilothouse_store_writes_total', help: 'Writes committed (each batch holds one or more).', registers: [registry] });
  const pruned = new Counter({ name: 'pilothouse_pruned_event_payloads_total', help: 'Rows whose payload (command output, reasoning, diff, search queries) retention emptied.', registers: [registry] });
  gauge(registry, 'pilothouse_sockets_open', 'WebSockets open on this hub.', sources.sockets);
  gauge(registry, 'pilothouse_fanout_backlog_bytes', 'Bytes written to sockets and not yet sent, summed over all sockets.', sources.backlogBytes);
  gauge(registry, 'pilothouse_fanout_subscribers', 'Channel subscriptions the fan-out delivers to.', sources.subscribers);
  gauge(registry, 'pilothouse_runners_online', 'Runners whose presence is not offline.', sources.runnersOnline);
  gauge(registry, 'pilothouse_previews_open', 'Previews open on this hub.', sources.previewsOpen);
  gauge(registry, 'pilothouse_notifications_queued', 'Deliveries waiting to be sent.', sources.notificationsQueued);
  gauge(registry, 'pilothouse_machines_online', 'Machine daemons connected to this hub.', sources.machinesOnline);
  return {
    registry,
    socket: {
      joined: () => joins.inc(),
      pushed: (event) => pushes.inc({ event: isChannelPushName(event) ? event : 'unknown' }),
      failed: (code) => errors.inc({ code: Object.hasOwn(ErrorCodes, code) ? code : 'internal' }),
    },
    committed(seconds, n) {
      writes.observe(seconds);
      written.inc(n);
    },
    pruned: (rows) => pruned.inc(rows),
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
