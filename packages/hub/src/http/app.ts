// The hub's HTTP surface (fastify): health, sign-in with a session cookie, the caller's channels,
// the admin audit log, and the built web UI (static.ts). Errors become `{code, message}` with a
// status from errors.ts.

import { randomUUID } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import Fastify, { LogController, type FastifyInstance, type FastifyRequest, type FastifyServerFactory } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { Logger } from 'pino';
import { z } from 'zod';
import { PilothouseError, redactSecrets, toPilothouseError, UserName } from '@pilothouse/protocol';
import type { Store } from '../store/store.js';
import { digest } from '../auth/secrets.js';
import { clearedSessionCookie, startSession } from '../auth/sessions.js';
import { isCrossOrigin } from '../auth/authenticate.js';
import { createLogin } from '../auth/login.js';
import type { LoginLimits } from '../auth/login-limiter.js';
import { createSignInGuard } from '../auth/sign-in-guard.js';
import type { HostCheck } from './hosts.js';
import type { Principal } from '../socket/types.js';
import { httpStatus } from './errors.js';
import { isForbiddenStaticPath, webUi } from './static.js';
import { registerGrantRoute, type GrantDeps } from '../previews/grant-route.js';
import { registerSignInLink } from './sign-in-link.js';


const LoginBody = z.object({ name: UserName, password: z.string().min(1).max(1024) }).strict();
const AuditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  before: z.coerce.number().int().optional(),
  action: z.string().max(64).optional(),
});

export interface HttpDeps {
  store: Store;
  logger: Logger;
  authenticate: (req: FastifyRequest['raw']) => Promise<Principal>;
  sessionId: (req: FastifyRequest['raw']) => string | null;
  bodyLimit?: number;
  /** The built web UI's folder (packages/web/dist); null serves no UI. */
  webRoot?: string | null;
  /** Previews (../previews/): the server that sends preview-host requests to the proxy, and the grant route. */
  previews?: { serverFactory: FastifyServerFactory; grant: GrantDeps };
  /** The Host names answered (hosts.ts); a request naming another gets 421 host_not_allowed. Default: any. */
  allowsHost?: HostCheck;
  /** One reverse proxy in front: its X-Forwarded-For names the client, X-Forwarded-Proto: https makes cookies Secure. */
  trustProxy?: boolean;
  /** Sign-in backoff (auth/login-limiter.ts) and the refusal audit window. */
  signIn?: { limits?: Partial<LoginLimits>; auditWindowMs?: number };
  /** Routes of other parts of the hub (notifications), registered with the same error mapping. */
  routes?: readonly ((app: FastifyInstance) => void)[];
}

/** What the Secure decision reads of a request (any fastify request shape). */
interface RequestOrigin {
  raw: { socket: unknown };
  headers: Record<string, string | string[] | undefined>;
}

const firstValue = (header: string | string[] | undefined): string | undefined => (Array.isArray(header) ? header[0] : header)?.split(',')[0]?.trim().toLowerCase();

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new PilothouseError('invalid_payload', r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return r.data;
}

export function createHttpApp(deps: HttpDeps) {
  const { store } = deps;
  // Request lines are info-level in fastify: the hub logs only what went wrong.
  const app = Fastify({
    loggerInstance: deps.logger.child({}, { level: deps.logger.levelVal > 40 ? deps.logger.level : 'warn' }),
    bodyLimit: deps.bodyLimit ?? 1024 * 1024,
    serverFactory: deps.previews?.serverFactory,
    // One hop: the address the proxy saw (the last X-Forwarded-For entry), never one the client wrote.
    trustProxy: deps.trustProxy === true ? (_address: string, hop: number) => hop < 1 : false,
    // Every log line of a request carries its id; the answer says it (x-request-id) so a report can name it.
    genReqId: () => randomUUID(),
    logController: new LogController({ requestIdLogLabel: 'request_id' }),
  });
  app.addHook('onRequest', async (req, reply) => {
    void reply.header('x-request-id', req.id);
  });
  /** The browser reached us over https: the session cookie gets Secure. The header counts only from a trusted proxy. */
  const secure = (req: RequestOrigin) => (req.raw.socket as TLSSocket).encrypted === true || (deps.trustProxy === true && firstValue(req.headers['x-forwarded-proto']) === 'https');
  const guard = createSignInGuard({ store, logger: deps.logger, ...deps.signIn });
  app.addHook('onClose', () => guard.close());
  const login = createLogin({ store, guard });
  const allowsHost = deps.allowsHost;
  if (allowsHost) {
    app.addHook('onRequest', async (req) => {
      // Health probes (load balancers, orchestrators) name the hub by whatever address they use.
      if (req.url === '/healthz' || req.url === '/readyz') return;
      if (!allowsHost(req.headers.host)) throw new PilothouseError('host_not_allowed', `This hub does not answer to the host ${JSON.stringify(req.headers.host ?? '')}; add it with --allowed-host.`);
    });
  }

  app.setErrorHandler((err, req, reply) => {
    const fastifyCode = (err as { code?: string }).code;
    let e: PilothouseError;
    if (err instanceof PilothouseError) e = err;
    else if (isForbiddenStaticPath(err)) e = new PilothouseError('not_found', 'No such file.');
    else if (fastifyCode === 'FST_ERR_CTP_BODY_TOO_LARGE') e = new PilothouseError('frame_too_large', 'The request body is too large.');
    else if (fastifyCode?.startsWith('FST_ERR_CTP') || (err as { statusCode?: number }).statusCode === 400) {
      e = new PilothouseError('bad_request', err instanceof Error ? err.message : 'Bad request.');
    } else e = toPilothouseError(err);
    if (e.code === 'internal') req.log.error({ err }, 'request failed');
    else req.log.warn({ code: e.code, url: redactSecrets(req.url) }, e.message);
    // One detail on every transport (retry_after_ms); HTTP also says it in whole seconds (RFC 9110 §10.2.3).
    const retryAfterMs = (e.details as { retry_after_ms?: unknown } | undefined)?.retry_after_ms;
    if (e.code === 'rate_limited' && typeof retryAfterMs === 'number') void reply.header('retry-after', String(Math.ceil(retryAfterMs / 1000)));
    void reply.status(httpStatus[e.code]).send(e.toBody());
  });
  const web = webUi(deps.webRoot ?? null);
  if (web.files) void app.register(fastifyStatic, web.files);
  app.setNotFoundHandler((req, reply) => {
    if (web.serveApp(req, reply)) return;
    void reply.status(404).send({ code: 'not_found', message: `No route ${req.method} ${req.url}.` });
  });

  app.get('/healthz', async () => ({ ok: true }));
  if (deps.previews) registerGrantRoute(app, deps.previews.grant);
  registerSignInLink(app, { store, guard, secure });

  app.post('/api/login', async (req, reply) => {
    const body = parse(LoginBody, req.body);
    const user = await login({ name: body.name, password: body.password, address: req.ip });
    void reply.header('set-cookie', await startSession(store, user.id, new Date(), secure(req)));
    return { user: { id: user.id, name: user.name, admin: user.admin } };
  });

  app.post('/api/logout', async (req, reply) => {
    // A cross-site form must not sign the victim out (login CSRF's cousin).
    if (isCrossOrigin(req.raw)) throw new PilothouseError('forbidden', 'Cross-origin sign-out is refused.');
    const sid = deps.sessionId(req.raw);
    if (sid) await store.deleteSession(digest(sid));
    void reply.header('set-cookie', clearedSessionCookie(secure(req)));
    return { ok: true };
  });

  app.get('/api/me', async (req) => {
    const who = await deps.authenticate(req.raw);
    const channels = await store.channelsOf(who.userId);
    return {
      user: { id: who.userId, name: who.name, admin: who.admin },
      // What this credential may do: a `member` token or a browser session can never run a runner.
      credential: { via: who.via, scope: who.scope },
      channels: channels.map((c) => ({ workspace: c.workspace, name: c.name })),
    };
  });

  app.get('/api/audit', async (req) => {
    const who = await deps.authenticate(req.raw);
    if (!who.admin) throw new PilothouseError('forbidden', 'The audit log is for admins.');
    const q = parse(AuditQuery, req.query);
    return { entries: await store.listAudit({ limit: q.limit, beforeId: q.before, action: q.action }) };
  });

  for (const register of deps.routes ?? []) register(app as unknown as FastifyInstance);
  return app;
}
