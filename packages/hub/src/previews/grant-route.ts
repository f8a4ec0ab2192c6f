// `POST /api/previews/:preview_id/grant` on the hub's own origin (token or session cookie, with the
// cookie's same-origin rule): a member of the preview's channel gets a one-time link that signs
// them in to the preview origin (service.ts `grant`, then the preview host's PREVIEW_GRANT_PATH).

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import { PilothouseError, PreviewId, type PreviewGrantReply } from '@pilothouse/protocol';
import type { Authenticate, Principal } from '../socket/types.js';

const Params = z.object({ preview_id: PreviewId });
/** `next`: where the preview opens, a path on the preview origin (default `/`). */
const Body = z.object({ next: z.string().max(2048).optional() }).strict();

export interface GrantDeps {
  authenticate: Authenticate;
  grant(previewId: string, principal: Principal, next: string): Promise<PreviewGrantReply>;
}

export function registerGrantRoute(app: FastifyInstance<Server, IncomingMessage, ServerResponse, Logger>, deps: GrantDeps): void {
  app.post('/api/previews/:preview_id/grant', async (req, reply) => {
    const principal = await deps.authenticate(req.raw);
    const params = Params.safeParse(req.params);
    if (!params.success) throw new PilothouseError('preview_not_found', 'That is not a preview id.');
    const body = Body.safeParse(req.body ?? {});
    if (!body.success) throw new PilothouseError('invalid_payload', body.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
    void reply.header('cache-control', 'no-store');
    return deps.grant(params.data.preview_id, principal, body.data.next ?? '/');
  });
}
