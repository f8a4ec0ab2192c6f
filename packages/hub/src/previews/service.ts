// The hub's previews (docs/protocol.md §14), wired: the registry, grants, pending tunnel streams and one
// link per served preview, with the entry points the rest of the hub calls — the runner pushes
// (preview_open / preview_close, and a runner socket leaving), the grant API, requests and
// upgrades whose Host is a preview host, and the tunnel endpoint. Owns the one timer of previews.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { PilothouseError, PREVIEW_COOKIE, PREVIEW_GRANT_PATH, type PreviewCloseReason, type PreviewGrantReply, type PushPayload, type PushReply } from '@pilothouse/protocol';
import type { Logger } from 'pino';
import type { Store, Channel } from '../store/store.js';
import { assertSessionRunner } from '../store/session-binding.js';
import { MembershipCache, MEMBERSHIP_TTL_MS } from '../auth/membership.js';
import { credentialRefusal } from '../auth/authenticate.js';
import type { Authenticate, Principal, Subscription } from '../socket/types.js';
import { CookieScopes } from './cookie-scope.js';
import { sendError, refuseSocket } from './error-page.js';
import { PreviewGrants, type Clock, type GrantCredential } from './grants.js';
import { previewCookieValues, type ForwardContext } from './headers.js';
import { DEFAULT_PREVIEW_ORIGIN, parseOriginTemplate, previewOrigin, type PreviewOrigin } from './preview-origin.js';
import { crossSiteRefusal } from './isolation.js';
import { PreviewLink } from './preview-link.js';
import { proxyRequest, proxyUpgrade } from './proxy.js';
import { PreviewRegistry, type PreviewLookup, type PreviewRecord } from './registry.js';
import { StreamBroker } from './streams.js';
import { createTunnelEndpoint } from './tunnel-endpoint.js';

export interface PreviewServiceOptions {
  store: Store;
  logger: Logger;
  authenticate: Authenticate;
  /** Shared with the channel topic: who is still a member. */
  members: MembershipCache;
  /** How soon a revoked token or a signed-out session loses the previews it was granted; default 10 s. */
  credentialCheckMs?: number | undefined;
  /** `http://{id}.preview.localhost:{port}` by default; see preview-origin.ts. */
  originTemplate?: string | undefined;
  /** How long a request waits for the runner's stream; default 10 s. */
  streamTimeoutMs?: number | undefined;
  clock?: Clock;
}

/** What a runner push handler needs (channels/pushes.ts). */
export interface PreviewPushes {
  open(ctx: RunnerContext, p: PushPayload<'preview_open'>): Promise<PushReply<'preview_open'>>;
  close(ctx: RunnerContext, p: PushPayload<'preview_close'>): Promise<PushReply<'preview_close'>>;
  /** A socket left a channel topic (its runner's previews go offline until re-opened). */
  socketLeft(sub: Subscription): void;
}

export interface RunnerContext {
  store: Store;
  channel: Channel;
  principal: Principal;
  runner: { runnerId: string; instanceId: string };
  sub: Subscription;
}

export type PreviewService = ReturnType<typeof createPreviewService>;

const CLOSED_BECAUSE: Record<PreviewCloseReason, string> = {
  revoked: 'Access to this port was revoked in its thread.',
  process_exited: 'The process serving this port exited.',
  runner_closed: 'The runner session that served it ended.',
  runner_offline: 'Its runner went offline.',
  evicted: 'Its runner opened too many previews; this one was closed.',
};

/** A same-origin path, or `/`: never a URL that leaves the preview (`//host`, `/\host`, `https:`). */
export function safeNext(next: string | null | undefined): string {
  if (!next || next.length > 2048 || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  for (let i = 0; i < next.length; i++) {
    const c = next.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0x5c) return '/'; // controls and backslashes: browsers fold them into `/`
  }
  // It becomes a Location header value, which must be Latin-1: non-ASCII is percent-encoded (UTF-8).
  try {
    return next.replace(/[\u0080-\uffff]+/g, encodeURIComponent);
  } catch {
    return '/'; // a lone surrogate has no UTF-8 form
  }
}

/** A same-origin navigation to `next` (a safeNext path): a meta refresh, and a link without script. */
function bouncePage(next: string): string {
  const url = next.replace(/["'<>`&\s]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0; url=${url}"><title>Opening the preview…</title></head><body><p><a href="${url}">Open the preview</a></p></body></html>\n`;
}

function lookupError(found: Exclude<PreviewLookup, { status: 'open' }>, previewId: string): PilothouseError {
  switch (found.status) {
    case 'unknown':
      return new PilothouseError('preview_not_found', `No preview ${previewId} on this hub.`);
    case 'closed':
      return new PilothouseError('preview_closed', `This preview was closed: ${CLOSED_BECAUSE[found.reason]}`, { reason: found.reason });
    case 'offline':
      return new PilothouseError('preview_unavailable', 'The runner for this preview is offline.');
  }
}

export function createPreviewService(opts: PreviewServiceOptions) {
  const { store, logger } = opts;
  const clock = opts.clock ?? { now: () => Date.now() };
  const template = parseOriginTemplate(opts.originTemplate ?? DEFAULT_PREVIEW_ORIGIN);
  const streamTimeoutMs = opts.streamTimeoutMs ?? 10_000;
  let origin: PreviewOrigin | null = null;
  const registry = new PreviewRegistry();
  const grants = new PreviewGrants(clock);
  const cookieScopes = new CookieScopes();
  const broker = new StreamBroker({ clock, timeoutMs: streamTimeoutMs, maxPendingPerPreview: 64 });
  const links = new Map<string, PreviewLink>();
  const { members } = opts;
  // A preview cookie outlives the request that granted it: the token or session that asked for the
  // grant is re-checked (at most once per credentialCheckMs), as membership is.
  const credentials = new MembershipCache(
    (kind, id) => credentialRefusal(store, { userId: kind.slice(kind.indexOf(':') + 1), tokenId: kind.startsWith('token:') ? id : null, sessionHash: kind.startsWith('session:') ? id : null }).then((refusal) => refusal === null),
    clock,
    opts.credentialCheckMs ?? MEMBERSHIP_TTL_MS,
  );
  const credentialKey = (userId: string, c: GrantCredential): [string, string] | null =>
    c.tokenId !== null ? [`token:${userId}`, c.tokenId] : c.sessionHash ? [`session:${userId}`, c.sessionHash] : null;
  const tunnel = createTunnelEndpoint({ authenticate: opts.authenticate, broker, logger });
  // The one timer: expired stream requests fail, expired codes and cookies are forgotten.
  const timer = setInterval(
    () => {
      broker.sweep();
      grants.sweep();
    },
    Math.max(20, Math.min(1000, streamTimeoutMs / 4)),
  );
  timer.unref();

  const originOf = (previewId: string) => {
    if (!origin) throw new Error('the preview origin is known once the hub listens');
    return origin.originOf(previewId);
  };

  /** Closes every stream of a preview; `revoke` also voids its cookies and codes. */
  function tearDown(previewId: string, err: PilothouseError, revoke: boolean): void {
    links.get(previewId)?.destroy();
    links.delete(previewId);
    broker.fail(previewId, err);
    if (revoke) {
      grants.revokePreview(previewId);
      cookieScopes.forget(previewId);
    }
  }

  function openStream(previewId: string): Promise<Duplex> {
    const found = registry.lookup(previewId);
    if (found.status !== 'open') return Promise.reject(lookupError(found, previewId));
    const { preview } = found;
    return broker.request({ previewId, ownerUserId: preview.ownerUserId, port: preview.port, send: (open) => preview.sub.push('tunnel_open', open) });
  }

  function linkOf(preview: PreviewRecord): PreviewLink {
    let link = links.get(preview.previewId);
    if (!link) links.set(preview.previewId, (link = new PreviewLink(() => openStream(preview.previewId))));
    return link;
  }

  type Admitted = { preview: PreviewRecord; ctx: ForwardContext } | PilothouseError;

  /** The served preview a request may use, or the error that answers it (404, 410, 403, 401, 503). */
  function admit(req: IncomingMessage, previewId: string, then: (admitted: Admitted) => void): void {
    const found = registry.lookup(previewId);
    if (found.status === 'unknown' || found.status === 'closed') return then(lookupError(found, previewId));
    const refused = origin && crossSiteRefusal(req.headers, previewId, origin);
    if (refused) {
      logger.warn({ event: 'preview_cross_site_refused', preview_id: previewId, origin: req.headers.origin, sec_fetch_site: req.headers['sec-fetch-site'], method: req.method }, refused.message);
      return then(refused);
    }
    const grant = grants.cookieGrant(previewId, previewCookieValues(req.headers.cookie));
    if (grant === null) {
      return then(new PilothouseError('grant_invalid', 'Open this preview from its thread to sign in to it (the link is valid once, for a minute).'));
    }
    const decide = (member: boolean): void => {
      // Looked up again: the preview may have closed while the store answered.
      const now = registry.lookup(previewId);
      if (now.status !== 'open') return then(lookupError(now, previewId));
      if (!member) return then(new PilothouseError('not_member', 'You are no longer a member of the channel this preview belongs to.'));
      const { preview } = now;
      then({ preview, ctx: { port: preview.port, previewOrigin: originOf(previewId), previewScheme: template.scheme, clientAddress: req.socket.remoteAddress, cookies: cookieScopes.of(previewId, grant.browser) } });
    };
    const channelId = found.preview.channelId;
    const cred = credentialKey(grant.userId, grant.credential);
    const credentialOk = (ok: boolean): void => {
      if (!ok) return then(new PilothouseError('grant_invalid', 'The sign-in this preview was opened with has ended (token revoked or expired, or signed out); open the preview again from its thread.'));
      // The common case answers at once; a stale entry asks the store (shared by concurrent requests).
      const cached = members.cached(channelId, grant.userId);
      if (cached !== undefined) return decide(cached);
      members.check(channelId, grant.userId).then(decide, failed);
    };
    const failed = (err: unknown): void => {
      logger.error({ err, preview_id: previewId }, 'access check failed');
      then(new PilothouseError('internal', 'Could not check your access to this preview.'));
    };
    if (cred === null) return credentialOk(true);
    const known = credentials.cached(...cred);
    if (known !== undefined) return credentialOk(known);
    credentials.check(...cred).then(credentialOk, failed);
  }

  /** `GET PREVIEW_GRANT_PATH?code=…&next=…` on the preview host: the code becomes the cookie. */
  function exchange(req: IncomingMessage, res: ServerResponse, previewId: string): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendError(req, res, new PilothouseError('bad_request', `${PREVIEW_GRANT_PATH} only answers GET.`));
      return;
    }
    const query = new URL(req.url ?? '/', 'http://preview').searchParams;
    const found = registry.lookup(previewId);
    if (found.status === 'unknown' || found.status === 'closed') {
      sendError(req, res, lookupError(found, previewId));
      return;
    }
    const code = query.get('code');
    const redeemed = code ? grants.redeem(previewId, code) : null;
    if (redeemed === null) {
      sendError(req, res, new PilothouseError('grant_invalid', 'This preview link was already used, has expired, or is not valid; open the preview again from its thread.'));
      return;
    }
    const token = grants.issueCookie(previewId, redeemed.userId, redeemed.credential);
    const secure = template.scheme === 'https' ? '; Secure' : '';
    // Host-only (no Domain), SameSite=Strict: the cookie goes back to this preview's host and no
    // other, and never on a request another site started. The browser came here from the hub (another
    // site, or a sibling host of the same site): a redirect would keep that initiator, so the
    // request for `next` would be cross-site (no Strict cookie, refused by isolation.ts). The bounce
    // page navigates from this origin itself.
    const page = bouncePage(safeNext(query.get('next')));
    res.writeHead(200, {
      'Set-Cookie': `${PREVIEW_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${grants.cookieMaxAgeSeconds}${secure}`,
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': "default-src 'none'",
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
      'Content-Length': Buffer.byteLength(page),
    });
    res.end(req.method === 'HEAD' ? undefined : page);
  }

  const pushes: PreviewPushes = {
    async open(ctx, p) {
      const closedBefore = registry.lookup(p.preview_id).status === 'closed';
      const root = await ctx.store.rootOf(ctx.channel.id, p.thread_id);
      if (!root) throw new PilothouseError('thread_not_found', `No thread ${p.thread_id} in this channel.`);
      // A runner serves previews only in the session threads it opened.
      assertSessionRunner(root, { userId: ctx.principal.userId, runnerId: ctx.runner.runnerId });
      // Pushes run concurrently: a preview_close sent after this open may have been handled during
      // the await. It wins; re-opening here would serve a preview its runner already closed.
      const now = registry.lookup(p.preview_id);
      if (!closedBefore && now.status === 'closed') throw lookupError(now, p.preview_id);
      const result = registry.open({
        previewId: p.preview_id,
        channelId: ctx.channel.id,
        threadId: p.thread_id,
        ownerUserId: ctx.principal.userId,
        runnerId: ctx.runner.runnerId,
        instanceId: ctx.runner.instanceId,
        port: p.port,
        sub: ctx.sub,
      });
      if (result.reset) tearDown(p.preview_id, new PilothouseError('preview_unavailable', 'The preview moved to another port or channel.'), true);
      for (const old of result.evicted) tearDown(old.previewId, lookupError({ status: 'closed', reason: 'evicted' }, old.previewId), true);
      if (result.created) {
        const channel = `${ctx.channel.workspace}/${ctx.channel.name}`;
        await store.audit({ actor: { id: ctx.principal.userId, name: ctx.principal.name }, action: 'preview_open', channel, detail: { preview_id: p.preview_id, port: p.port, thread_id: p.thread_id } });
      }
      return { preview_id: p.preview_id, url: `${originOf(p.preview_id)}/` };
    },

    async close(ctx, p) {
      const closed = registry.close(p.preview_id, p.reason, ctx.principal.userId);
      tearDown(p.preview_id, lookupError({ status: 'closed', reason: p.reason }, p.preview_id), true);
      if (closed) {
        const channel = `${ctx.channel.workspace}/${ctx.channel.name}`;
        await store.audit({ actor: { id: ctx.principal.userId, name: ctx.principal.name }, action: 'preview_close', channel, detail: { preview_id: p.preview_id, reason: p.reason } });
      }
      return { ok: true };
    },

    socketLeft(sub) {
      for (const preview of registry.socketLeft(sub)) tearDown(preview.previewId, lookupError({ status: 'offline', preview }, preview.previewId), false);
    },
  };

  return {
    pushes,

    /** The hub listens on `port` now: `{port}` in the template is known. */
    listening(port: number): void {
      origin = previewOrigin(template, port);
    },

    /** The preview id when `req` is addressed to a preview host; such a request never reaches the hub's app. */
    previewOf(req: IncomingMessage): string | null {
      return origin?.match(req.headers.host) ?? null;
    },

    handleRequest(req: IncomingMessage, res: ServerResponse, previewId: string): void {
      const path = (req.url ?? '/').split('?', 1)[0];
      if (path === PREVIEW_GRANT_PATH) {
        exchange(req, res, previewId);
        return;
      }
      admit(req, previewId, (admitted) => {
        if (admitted instanceof PilothouseError) sendError(req, res, admitted);
        else proxyRequest(req, res, { link: linkOf(admitted.preview), ctx: admitted.ctx });
      });
    },

    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, previewId: string): void {
      socket.on('error', () => socket.destroy());
      admit(req, previewId, (admitted) => {
        if (admitted instanceof PilothouseError) refuseSocket(req, socket, admitted);
        else if (!socket.destroyed) proxyUpgrade(req, socket, head, { link: linkOf(admitted.preview), ctx: admitted.ctx });
      });
    },

    /** `GET TUNNEL_PATH` upgrades on the hub host. */
    handleTunnel: tunnel.handleUpgrade,

    /** `POST /api/previews/:preview_id/grant`: a one-time link for a member of the preview's channel. */
    grant: async (previewId: string, principal: Principal, next: string): Promise<PreviewGrantReply> => {
      const found = registry.lookup(previewId);
      if (found.status === 'unknown' || found.status === 'closed') throw lookupError(found, previewId);
      const { preview } = found;
      if (!(await store.isMember(preview.channelId, principal.userId))) {
        await store.audit({ actor: { id: principal.userId, name: principal.name }, action: 'preview_grant_refused', detail: { preview_id: previewId, code: 'not_member' } });
        throw new PilothouseError('not_member', `${principal.name} is not a member of the channel of preview ${previewId}.`);
      }
      const { code, expiresAt } = grants.issueCode(previewId, principal.userId, { tokenId: principal.tokenId, sessionHash: principal.sessionHash ?? null });
      const query = new URLSearchParams({ code, next: safeNext(next) });
      return { url: `${originOf(previewId)}${PREVIEW_GRANT_PATH}?${query.toString()}`, expires_at: expiresAt.toISOString() };
    },

    stats() {
      let streams = 0;
      for (const link of links.values()) streams += link.stats().streams;
      return { previews: registry.size, links: links.size, streams, pendingStreams: broker.pending, ...grants.stats() };
    },

    /** Ends every preview stream (the hub is stopping) and the timer. */
    close(): void {
      clearInterval(timer);
      for (const id of [...links.keys()]) tearDown(id, new PilothouseError('preview_unavailable', 'The hub is shutting down.'), false);
      broker.fail(null, new PilothouseError('preview_unavailable', 'The hub is shutting down.'));
    },
  };
}
