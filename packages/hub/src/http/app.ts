// The hub's HTTP surface (fastify): health, sign-in with a session cookie, the caller's channels,
// the admin audit log, and the built web UI (static.ts). Errors become `{code, message}` with a
// status from errors.ts.

import Fastify, { type FastifyRequest, type FastifyServerFactory } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { Logger } from 'pino';
import { z } from 'zod';
import { PilothouseError, toPilothouseError, UserName } from '@pilothouse/protocol';
import type { Store } from '../store/store.js';
import { digest, verifyPassword } from '../auth/secrets.js';
import { CLEARED_SESSION_COOKIE, startSession } from '../auth/sessions.js';
import type { Principal } from '../socket/types.js';
import { httpStatus } from './errors.js';
import { STATIC_FORBIDDEN_PATH, webUi } from './static.js';
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
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new PilothouseError('invalid_payload', r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return r.data;
}

export function createHttpApp(deps: HttpDeps) {
  const { store } = deps;
  // Request lines are info-level in fastify: the hub logs only what went wrong.
  const app = Fastify({ loggerInstance: deps.logger.child({}, { level: deps.logger.levelVal > 40 ? deps.logger.level : 'warn' }), bodyLimit: deps.bodyLimit ?? 1024 * 1024, serverFactory: deps.previews?.serverFactory });

  app.setErrorHandler((err, req, reply) => {
    const fastifyCode = (err as { code?: string }).code;
    let e: PilothouseError;
    if (err instanceof PilothouseError) e = err;
    else if (fastifyCode === STATIC_FORBIDDEN_PATH) e = new PilothouseError('not_found', 'No such file.');
    else if (fastifyCode === 'FST_ERR_CTP_BODY_TOO_LARGE') e = new PilothouseError('frame_too_large', 'The request body is too large.');
    else if (fastifyCode?.startsWith('FST_ERR_CTP') || (err as { statusCode?: number }).statusCode === 400) {
      e = new PilothouseError('bad_request', err instanceof Error ? err.message : 'Bad request.');
    } else e = toPilothouseError(err);
    if (e.code === 'internal') req.log.error({ err }, 'request failed');
    else req.log.warn({ code: e.code, url: req.url }, e.message);
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
  registerSignInLink(app, { store });

  app.post('/api/login', async (req, reply) => {
    const body = parse(LoginBody, req.body);
    const user = await store.userByName(body.name);
    const ok = await verifyPassword(body.password, user?.passwordHash ?? null);
    if (!user || !ok) {
      await store.audit({ actor: null, action: 'login_refused', detail: { name: body.name } });
      throw new PilothouseError('unauthorized', 'Wrong user name or password.');
    }
    void reply.header('set-cookie', await startSession(store, user.id));
    return { user: { id: user.id, name: user.name, admin: user.admin } };
  });

  app.post('/api/logout', async (req, reply) => {
    const sid = deps.sessionId(req.raw);
    if (sid) await store.deleteSession(digest(sid));
    void reply.header('set-cookie', CLEARED_SESSION_COOKIE);
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

  return app;
}
