// `GET /readyz` (the store answers) and `GET /metrics` (Prometheus text). /metrics is for the
// operator: with `--metrics-token` it needs `Authorization: Bearer <that token>` (or an admin's
// sign-in); without one, only a client on this machine (loopback, not through a proxy) may scrape it.

import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PilothouseError } from '@pilothouse/protocol';
import type { Principal } from '../socket/types.js';
import type { HubMetrics } from './metrics.js';

/** How long /readyz waits for the store before it answers 503. */
export const READY_TIMEOUT_MS = 2000;

export interface MetricsRouteDeps {
  metrics: HubMetrics;
  ready(): Promise<void>;
  /** The scrape token (`--metrics-token`), or null: loopback clients only. */
  token: string | null;
  authenticate(req: FastifyRequest['raw']): Promise<Principal>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

async function mayScrape(deps: MetricsRouteDeps, req: FastifyRequest): Promise<void> {
  const auth = req.headers.authorization;
  if (deps.token !== null && auth?.startsWith('Bearer ') && sameSecret(auth.slice('Bearer '.length).trim(), deps.token)) return;
  // An admin's own sign-in (cookie or API token) may look, from anywhere.
  const admin = await deps.authenticate(req.raw).then(
    (p) => p.admin,
    () => false,
  );
  if (admin) return;
  if (deps.token !== null) throw new PilothouseError('unauthorized', '/metrics needs Authorization: Bearer <the hub\'s --metrics-token> (or an admin\'s sign-in).');
  // A request a proxy forwarded is not this machine's own, even when the proxy runs here (without --trust-proxy the peer is the proxy).
  if (!LOOPBACK.has(req.ip) || req.headers['x-forwarded-for'] !== undefined) throw new PilothouseError('forbidden', '/metrics answers only this machine (loopback) unless the hub runs with --metrics-token; scrape it with that token.');
}

export function metricsRoutes(deps: MetricsRouteDeps) {
  return (app: FastifyInstance): void => {
    app.get('/readyz', async () => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          deps.ready(),
          new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS))),
        ]);
        return { ok: true };
      } catch (err) {
        throw new PilothouseError('store_unavailable', `The store does not answer: ${err instanceof Error ? err.message : String(err)}.`);
      } finally {
        clearTimeout(timer);
      }
    });
    app.get('/metrics', async (req, reply) => {
      await mayScrape(deps, req);
      const { contentType, body } = await deps.metrics.render();
      return reply.header('content-type', contentType).header('cache-control', 'no-store').send(body);
    });
  };
}
