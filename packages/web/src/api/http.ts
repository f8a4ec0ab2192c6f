// The hub's HTTP API as the browser uses it (docs/protocol.md §11): sign in (sets the HttpOnly
// `ph_session` cookie), sign out, who am I with my channels, the audit log for admins (the
// preview grant is in preview-grant.ts). Replies are parsed here, once. The sign-in page loads this module, so its
// schemas use zod's tree-shakable `zod/mini` API (zod's full API alone is ~28 KB gzip).

import * as z from 'zod/mini';

const User = z.object({ id: z.string(), name: z.string(), admin: z.boolean() });
export type User = z.infer<typeof User>;

const Me = z.object({ user: User, channels: z.array(z.object({ workspace: z.string(), name: z.string() })) });
export type Me = z.infer<typeof Me>;

const ErrorBody = z.object({ code: z.string(), message: z.string() });

/** A refused request: `code` is the hub's error code, or `network` when the hub was not reached. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** What `call` needs of a schema: any zod schema (`zod` or `zod/mini`) has it. */
export interface Parser<T> {
  safeParse(data: unknown): { success: true; data: T } | { success: false };
}

export async function call<T>(schema: Parser<T>, method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (err) {
    throw new HttpError(0, 'network', 'The hub cannot be reached.', { cause: err });
  }
  const json: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const e = ErrorBody.safeParse(json);
    throw e.success ? new HttpError(res.status, e.data.code, e.data.message) : new HttpError(res.status, 'internal', `The hub answered ${res.status}.`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new HttpError(res.status, 'internal', 'The hub sent an unexpected answer.');
  return parsed.data;
}

export const login = (name: string, password: string): Promise<User> =>
  call(z.object({ user: User }), 'POST', '/api/login', { name, password }).then((r) => r.user);

export const logout = (): Promise<unknown> => call(z.object({ ok: z.boolean() }), 'POST', '/api/logout');

export const fetchMe = (): Promise<Me> => call(Me, 'GET', '/api/me');


const AuditEntry = z.object({
  id: z.number(),
  at: z.string(),
  actor_id: z.nullable(z.string()),
  actor_name: z.nullable(z.string()),
  action: z.string(),
  channel: z.nullable(z.string()),
  // The hub always stores an object; anything else reads as no detail rather than a failed page.
  detail: z.catch(z.record(z.string(), z.unknown()), {}),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export interface AuditQuery {
  /** 1..1000 */
  limit: number;
  /** Entries with an id below this one (the next older page). */
  before?: number | undefined;
  action?: string | undefined;
}

/** `GET /api/audit` (admins; newest first). A non-admin gets `HttpError` `forbidden`. */
export function fetchAudit(q: AuditQuery): Promise<AuditEntry[]> {
  const params = new URLSearchParams({ limit: String(q.limit) });
  if (q.before !== undefined) params.set('before', String(q.before));
  if (q.action !== undefined) params.set('action', q.action);
  return call(z.object({ entries: z.array(AuditEntry) }), 'GET', `/api/audit?${params.toString()}`).then((r) => r.entries);
}
